/*
 * Regulator reports (report.h). Every figure comes from the analytics layer and is only
 * formatted here: energy_compute() and energy_figures() give the energy, the KPIs and the
 * publication gate exactly as `greendc pue`/`kpi` and /api/v1/pue show them (an interval whose
 * status is MISSING or whose PUE fails validation publishes no ratio at all), and
 * freecool_stored() the free-cooling hours as `greendc freecool --period` shows them.
 * test/integration/test_report.sh and test_freecool_stored.sh check the equality against the
 * CLI's own output.
 */
#include "delivery/report.h"
#include "core/timeutil.h"

#include "analytics/energy.h"
#include "analytics/freecool_config.h"
#include "analytics/freecool_stored.h"
#include "analytics/kpi.h"
#include "config/config.h"
#include "delivery/summary.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOUR_MS INT64_C(3600000)

static void add_num_or_null(cJSON *o, const char *k, bool ok, double v)
{
	if (ok && isfinite(v))
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static void fc_unavailable(cJSON *o, const char *note)
{
	cJSON_AddNullToObject(o, "equivalent_full_hours");
	cJSON_AddNullToObject(o, "hours_any");
	cJSON_AddStringToObject(o, "note", note);
}

/* The stored free-cooling tally over [from, to) in hourly buckets (minutes when the range is
 * not whole hours), the same figures as `greendc freecool --period`. */
cJSON *report_free_cooling(const struct config *cfg, struct store_reader *r, int64_t from,
                           int64_t to, int64_t now_ms)
{
	const struct fc_config *fc = cfg->cooling;
	int64_t step = (to - from) % HOUR_MS ? 60000 : HOUR_MS;
	cJSON *o = cJSON_CreateObject();
	struct fc_stored s;

	/* Time not yet elapsed is not observed: the tally ends at now, and its last bucket
	 * counts for the part of it before now (30 s into a month is 30 s, not 1 h). */
	if (now_ms < to)
		to = now_ms;
	if (to <= from) {
		fc_unavailable(o, "the period has not started");
		return o;
	}

	if (!fc || !fc->series[FC_S_DRY_BULB]) {
		fc_unavailable(o, "cooling.outdoor.dry_bulb is not configured");
		return o;
	}
	if (!fc->series[FC_S_MODE] && !fc->series[FC_S_VALVE_PCT]) {
		fc_unavailable(o, "neither cooling.plant.cooling_mode nor free_cooling_pct is "
		                  "configured");
		return o;
	}
	if (freecool_stored(r, fc, cfg->site.altitude_m, from, to, step, 0, &s) < 0) {
		fc_unavailable(o, s.err);
		return o;
	}
	if (!s.nseries[FC_S_DRY_BULB] || !(s.nseries[FC_S_MODE] || s.nseries[FC_S_VALVE_PCT])) {
		fc_unavailable(o, "no stored series matches");
	} else {
		const struct fc_tally *t = &s.total;

		cJSON_AddNumberToObject(o, "equivalent_full_hours", t->used_equiv_h);
		cJSON_AddNumberToObject(o, "hours_any", t->used_free_h + t->used_partial_h);
		cJSON_AddNumberToObject(o, "hours_with_data", t->plant_data_h);
		cJSON_AddNumberToObject(o, "data_h", t->data_h);
		cJSON_AddNumberToObject(o, "available_free_h", t->avail_free_h);
		cJSON_AddNumberToObject(o, "available_partial_h", t->avail_partial_h);
		cJSON_AddNumberToObject(o, "available_free_equiv_h", t->avail_equiv_h);
		cJSON_AddNumberToObject(o, "used_free_h", t->used_free_h);
		cJSON_AddNumberToObject(o, "used_partial_h", t->used_partial_h);
		cJSON_AddNumberToObject(o, "missed_h", t->missed_h);
		cJSON_AddNumberToObject(o, "compressor_kwh", t->compressor_kwh);
		cJSON_AddNumberToObject(o, "missed_kwh", t->missed_kwh);
		cJSON_AddNumberToObject(o, "step_s", (double)step / 1000.0);
	}
	cJSON_AddStringToObject(o, "source",
	                        "cooling: section series (greendc freecool --period, "
	                        "docs/freecooling.md)");
	freecool_stored_free(&s);
	return o;
}

static void opt_num(cJSON *o, const char *k, bool have, double v, cJSON *missing)
{
	if (have) {
		cJSON_AddNumberToObject(o, k, v);
	} else {
		cJSON_AddNullToObject(o, k);
		cJSON_AddItemToArray(missing, cJSON_CreateString(k));
	}
}

static void opt_str(cJSON *o, const char *k, const char *v, cJSON *missing)
{
	if (v) {
		cJSON_AddStringToObject(o, k, v);
	} else {
		cJSON_AddNullToObject(o, k);
		cJSON_AddItemToArray(missing, cJSON_CreateString(k));
	}
}

/* The fields of Delegated Regulation (EU) 2024/1364 annex I for a calendar year (DOMAIN.md §2):
 * metered ones from the energy totals, the rest from the `reporting:` section; whatever is
 * neither is null and named in missing_fields. */
static cJSON *eu_fields(const struct config *cfg, const struct energy_report *rep,
                        const struct kpi_results *k, bool published, double certs, const char *year,
                        const cJSON *setpoints)
{
	const struct report_site *rs = cfg->reporting;
	const struct energy_interval *iv = &rep->total;
	cJSON *o = cJSON_CreateObject(), *miss = cJSON_CreateArray();
	cJSON *id = cJSON_AddObjectToObject(o, "identity");
	cJSON_AddStringToObject(id, "name", cfg->site.name ? cfg->site.name : "");
	opt_str(id, "owner", rs ? rs->owner : NULL, miss);
	opt_str(id, "operator", rs ? rs->operator_name : NULL, miss);
	opt_str(id, "location_code", rs ? rs->location_code : NULL, miss);
	opt_str(id, "type", rs ? rs->type : NULL, miss);
	opt_str(id, "start_date", rs ? rs->start_date : NULL, miss);
	opt_num(o, "p_dit_kw", rs && rs->p_dit_kw > 0, rs ? rs->p_dit_kw : 0, miss);
	opt_num(o, "floor_area_total_m2", rs && rs->area_total_m2 >= 0, rs ? rs->area_total_m2 : 0,
	        miss);
	opt_num(o, "floor_area_computer_room_m2", rs && rs->area_computer_m2 >= 0,
	        rs ? rs->area_computer_m2 : 0, miss);
	opt_str(o, "redundancy_power", rs ? rs->redundancy_power : NULL, miss);
	opt_str(o, "redundancy_cooling", rs ? rs->redundancy_cooling : NULL, miss);
	cJSON_AddNumberToObject(o, "e_dc_kwh", k->e_dc);
	opt_num(o, "e_dc_bg_kwh", iv->role[ROLE_BACKUP_GENERATION].nseries > 0,
	        iv->role[ROLE_BACKUP_GENERATION].value, miss);
	/* The regulation asks for E_IT at the UPS output (category 1). */
	opt_num(o, "e_it_ups_output_kwh", iv->role[ROLE_IT_UPS_OUTPUT].nseries > 0,
	        iv->role[ROLE_IT_UPS_OUTPUT].value, miss);
	opt_num(o, "w_in_m3", iv->role[ROLE_WATER_INTAKE].nseries > 0,
	        iv->role[ROLE_WATER_INTAKE].value / 1000.0, miss);
	opt_num(o, "w_in_pot_m3", iv->role[ROLE_WATER_POTABLE].nseries > 0,
	        iv->role[ROLE_WATER_POTABLE].value / 1000.0, miss);
	opt_num(o, "e_reuse_kwh", iv->role[ROLE_REUSED_HEAT].nseries > 0,
	        iv->role[ROLE_REUSED_HEAT].value, miss);
	opt_num(o, "reused_heat_temp_c", rs && rs->reuse_temp_c > -273, rs ? rs->reuse_temp_c : 0,
	        miss);
	cJSON_AddNumberToObject(o, "e_res_tot_kwh", iv->role[ROLE_ONSITE_RENEWABLE].value + certs);
	cJSON_AddItemToObject(o, "temperature_setpoints", cJSON_Duplicate(setpoints, 1));
	const struct report_traffic *t = NULL;
	for (size_t i = 0; rs && i < rs->ntraffic; i++)
		if (strcmp(rs->traffic[i].year, year) == 0)
			t = &rs->traffic[i];
	opt_num(o, "data_traffic_incoming_pb", t && t->incoming_pb >= 0, t ? t->incoming_pb : 0,
	        miss);
	opt_num(o, "data_traffic_outgoing_pb", t && t->outgoing_pb >= 0, t ? t->outgoing_pb : 0,
	        miss);
	cJSON *ind = cJSON_AddObjectToObject(o, "indicators");
	add_num_or_null(ind, "pue", published && k->pue.ok, k->pue.v);
	add_num_or_null(ind, "wue_m3_per_mwh", published && k->wue.ok, k->wue.v); /* = L/kWh */
	add_num_or_null(ind, "erf", published && k->erf.ok, k->erf.v);
	add_num_or_null(ind, "ref", published && k->ref.ok, k->ref.v);
	cJSON_AddItemToObject(o, "missing_fields", miss);
	cJSON_AddStringToObject(o, "note",
	                        "annex I fields; report by 15 May for the previous "
	                        "calendar year; capacities are as configured, not "
	                        "time-weighted");
	return o;
}

/* What one report is built from. */
struct report_ctx {
	const struct config *cfg;
	const struct energy_model *m;
	struct energy_period p;
	struct energy_report rep;
	struct energy_figures f;
	double certs;
	bool annual;
	int64_t generated_ms;
};

static void report_head(cJSON *j, const struct report_ctx *c, int64_t generated_ms)
{
	const struct config *cfg = c->cfg;
	char t[32];

	cJSON_AddStringToObject(j, "type", "report");
	cJSON_AddStringToObject(j, "schema", "greendc.report/1");
	cJSON_AddStringToObject(j, "kind", c->annual ? "annual" : "monthly");
	cJSON_AddStringToObject(j, "methodology",
	                        REPORT_METHODOLOGY " (ISO/IEC 30134-2, EN 50600-4-2; counters by "
	                                           "rollup deltas, power by the trapezoid rule)");
	time_format_utc(generated_ms, t, sizeof(t));
	cJSON_AddStringToObject(j, "generated", t);
	cJSON *site = cJSON_AddObjectToObject(j, "site");
	cJSON_AddStringToObject(site, "id", cfg->site.id ? cfg->site.id : "");
	cJSON_AddStringToObject(site, "name", cfg->site.name ? cfg->site.name : "");
	cJSON_AddStringToObject(site, "timezone", cfg->site.timezone ? cfg->site.timezone : "UTC");
	cJSON *per = cJSON_AddObjectToObject(j, "period");
	cJSON_AddStringToObject(per, "label", c->p.label);
	time_format_utc(c->p.from_ms, t, sizeof(t));
	cJSON_AddStringToObject(per, "from", t);
	time_format_utc(c->p.to_ms, t, sizeof(t));
	cJSON_AddStringToObject(per, "to", t);
	if (c->annual)
		cJSON_AddNumberToObject(per, "months_with_data", c->rep.total.months);
}

/* The gaps in counter readings whose deltas were spread over their slots (named, so that a
 * reader can find the hours that rest on the estimate). */
static void report_gaps(cJSON *j, const struct energy_report *rep)
{
	cJSON *arr = cJSON_AddArrayToObject(j, "gaps");
	char t[32];

	for (size_t i = 0; i < rep->ngaps; i++) {
		const struct energy_gap *g = &rep->gaps[i];
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "series", g->name);
		cJSON_AddStringToObject(e, "role", energy_role_name(g->role));
		time_format_utc(g->last_ms, t, sizeof(t));
		cJSON_AddStringToObject(e, "last_reading", t);
		time_format_utc(g->next_ms, t, sizeof(t));
		cJSON_AddStringToObject(e, "next_reading", t);
		cJSON_AddStringToObject(e, "method", g->by_power ? "power shape" : "evenly");
		cJSON_AddNumberToObject(e, "value", g->value);
		cJSON_AddNumberToObject(e, "in_period", g->in_period);
		cJSON_AddItemToArray(arr, e);
	}
	if (rep->ngaps_total > rep->ngaps)
		cJSON_AddNumberToObject(j, "gaps_not_listed",
		                        (double)(rep->ngaps_total - rep->ngaps));
}

/* Completeness: what is missing, by role. */
static void report_completeness(cJSON *j, const struct report_ctx *c)
{
	const struct energy_interval *iv = &c->rep.total;

	char method[320];
	double hours =
	        (double)(iv->in_progress ? iv->elapsed_ms : iv->to_ms - iv->from_ms) / 3600000.0;

	/* A period that has not ended is never complete, whatever its coverage so far. */
	cJSON_AddBoolToObject(j, "complete",
	                      !iv->in_progress && c->f.status != ENERGY_MISSING &&
	                              c->f.coverage >= c->m->coverage_min);
	cJSON_AddBoolToObject(j, "in_progress", iv->in_progress);
	if (iv->in_progress)
		cJSON_AddNumberToObject(j, "elapsed_share",
		                        (double)iv->elapsed_ms / (double)(iv->to_ms - iv->from_ms));
	cJSON_AddNumberToObject(j, "coverage_threshold", c->m->coverage_min);
	cJSON_AddNumberToObject(j, "coverage", c->f.coverage);
	cJSON_AddNumberToObject(j, "estimated_share", c->f.est_share);
	cJSON_AddStringToObject(j, "status", energy_status_name(c->f.status));
	energy_interval_method(&c->rep, iv, method, sizeof(method));
	cJSON_AddStringToObject(j, "estimation_method", method);
	report_gaps(j, &c->rep);
	cJSON *miss = cJSON_AddArrayToObject(j, "missing");
	for (int i = 0; i < ROLE_COUNT; i++) {
		const struct energy_role_total *rt = &iv->role[i];
		if (rt->nseries == 0 || rt->coverage >= 1.0)
			continue;
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "role", energy_role_name((enum energy_role)i));
		cJSON_AddNumberToObject(e, "coverage", rt->coverage);
		cJSON_AddNumberToObject(e, "series", rt->nseries);
		cJSON_AddNumberToObject(e, "missing_hours", (1.0 - rt->coverage) * hours);
		cJSON_AddStringToObject(e, "status", energy_status_name(rt->status));
		cJSON_AddItemToArray(miss, e);
	}
	if (c->annual && iv->months < 12) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "role", "calendar_months");
		cJSON_AddNumberToObject(e, "months_with_data", iv->months);
		cJSON_AddItemToArray(miss, e);
	}
}

static void report_energy(cJSON *j, const struct report_ctx *c)
{
	const struct energy_interval *iv = &c->rep.total;
	cJSON *en = cJSON_AddObjectToObject(j, "energy");

	cJSON_AddNumberToObject(en, "e_dc_kwh", c->f.k.e_dc);
	cJSON_AddNumberToObject(en, "e_it_kwh", c->f.e_it);
	cJSON_AddNumberToObject(en, "category", c->rep.category);
	cJSON_AddStringToObject(en, "category_text", kpi_category_text(c->rep.category));
	cJSON *roles = cJSON_AddObjectToObject(en, "roles");
	for (int i = 0; i < ROLE_COUNT; i++) {
		if (iv->role[i].nseries == 0)
			continue;
		cJSON *e = cJSON_AddObjectToObject(roles, energy_role_name((enum energy_role)i));
		cJSON_AddNumberToObject(e, "value", iv->role[i].value);
		cJSON_AddStringToObject(
		        e, "unit", i == ROLE_WATER_INTAKE || i == ROLE_WATER_POTABLE ? "L" : "kWh");
		cJSON_AddNumberToObject(e, "coverage", iv->role[i].coverage);
		cJSON_AddNumberToObject(e, "estimated", iv->role[i].estimated);
	}
}

/* Every KPI, null when it may not be published, with the reason in kpi_errors. */
static void report_kpi(cJSON *j, const struct report_ctx *c)
{
	const struct kpi_results *k = &c->f.k;
	bool published = c->f.published;
	const struct {
		const char *name;
		const struct kpi_value *v;
	} ks[] = {{"pue", &k->pue}, {"dcie", &k->dcie}, {"ppue_cooling", &k->ppue_cooling},
	          {"wue", &k->wue}, {"cue", &k->cue},   {"erf", &k->erf},
	          {"ref", &k->ref}, {"cer", &k->cer}};
	cJSON *kp = cJSON_AddObjectToObject(j, "kpi"), *why = cJSON_CreateObject();
	const char *unpublished = c->f.status == ENERGY_IN_PROGRESS ? c->f.why
	                          : c->f.status == ENERGY_MISSING   ? "coverage below the threshold"
	                                                            : k->pue.why;
	char label[96];

	for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		bool ok = published && ks[i].v->ok;
		add_num_or_null(kp, ks[i].name, ok, ks[i].v->v);
		if (!ok && (ks[i].v->applicable || !published))
			cJSON_AddStringToObject(why, ks[i].name,
			                        !published ? unpublished : ks[i].v->why);
	}
	if (published) {
		kpi_label(c->rep.category, c->p.label, k->pue.v, label, sizeof(label));
		cJSON_AddStringToObject(kp, "pue_label", label);
	} else {
		cJSON_AddNullToObject(kp, "pue_label");
	}
	cJSON_AddItemToObject(j, "kpi_errors", why);
	cJSON *co2 = cJSON_AddObjectToObject(j, "co2_factor");
	cJSON_AddNumberToObject(co2, "kg_per_kwh", c->m->co2_kg_per_kwh);
	cJSON_AddStringToObject(co2, "source", c->m->co2_source ? c->m->co2_source : "");
	cJSON_AddNumberToObject(co2, "year", c->m->co2_year);
}

/* GB 40879 grades an annual ratio; a month gets an indicative grade only. */
static void report_gb40879(cJSON *j, const struct report_ctx *c)
{
	cJSON *gb = cJSON_AddObjectToObject(j, "gb40879");
	bool published = c->f.published;
	int g = published ? kpi_gb40879_grade(c->f.k.pue.v, c->m->grade) : -1;
	bool full_year = c->annual && c->rep.total.months == 12;

	if (published && full_year)
		cJSON_AddNumberToObject(gb, "grade", g);
	else
		cJSON_AddNullToObject(gb, "grade");
	if (published)
		cJSON_AddNumberToObject(gb, "indicative_grade", g);
	else
		cJSON_AddNullToObject(gb, "indicative_grade");
	cJSON *lim = cJSON_AddArrayToObject(gb, "limits");
	for (int i = 0; i < 3; i++)
		cJSON_AddItemToArray(lim, cJSON_CreateNumber(c->m->grade[i]));
	cJSON_AddStringToObject(
	        gb, "note",
	        full_year ? "grade 0 = above the grade 3 limit; limits configurable "
	                    "(unconfirmed defaults)"
	                  : "GB 40879 grades a full calendar year; the monthly figure "
	                    "is indicative only");
}

static cJSON *report_setpoints(cJSON *j, const struct config *cfg)
{
	cJSON *sp = cJSON_AddObjectToObject(j, "setpoints");

	if (cfg->cooling) {
		const struct fc_plant *pl = &cfg->cooling->plant;
		cJSON_AddNumberToObject(sp, "chw_supply_c", pl->chws_c);
		cJSON_AddNumberToObject(sp, "chw_return_c", pl->chwr_c);
		cJSON_AddNumberToObject(sp, "supply_air_c", pl->supply_air_c);
		cJSON_AddNumberToObject(sp, "return_air_c", pl->return_air_c);
		cJSON_AddStringToObject(sp, "source", "configured (cooling: section)");
	} else {
		cJSON_AddStringToObject(sp, "source", "not configured");
	}
	return sp;
}

int report_build(const struct config *cfg, struct store_reader *r, const char *period,
                 int64_t generated_ms, struct cJSON **out, char *err, size_t errlen)
{
	struct report_ctx c = {.cfg = cfg, .m = cfg->energy, .generated_ms = generated_ms};
	const char *problem = energy_model_problem(c.m);

	*out = NULL;
	if (problem) {
		snprintf(err, errlen, "energy model: %s", problem);
		return -EINVAL;
	}
	if (energy_period_parse(period, &c.p) < 0 ||
	    (c.p.kind != STEP_MONTH && c.p.kind != STEP_YEAR)) {
		snprintf(err, errlen, "period: expected YYYY-MM (monthly) or YYYY (annual)");
		return -EINVAL;
	}
	if (energy_compute(r, c.m, c.p.from_ms, c.p.to_ms, STEP_WHOLE, generated_ms, &c.rep) < 0) {
		snprintf(err, errlen, "%s", c.rep.err);
		return -EIO;
	}
	c.certs = energy_certificates(c.m, c.p.from_ms, c.p.to_ms);
	energy_figures(c.m, &c.rep, &c.rep.total, c.certs, &c.f);
	c.annual = c.p.kind == STEP_YEAR;

	cJSON *j = cJSON_CreateObject();
	report_head(j, &c, generated_ms);
	report_completeness(j, &c);
	report_energy(j, &c);
	report_kpi(j, &c);
	report_gb40879(j, &c);
	cJSON_AddItemToObject(j, "free_cooling",
	                      report_free_cooling(cfg, r, c.p.from_ms, c.p.to_ms, generated_ms));
	const cJSON *sp = report_setpoints(j, cfg);
	if (c.annual)
		cJSON_AddItemToObject(
		        j, "eu_2024_1364",
		        eu_fields(cfg, &c.rep, &c.f.k, c.f.published, c.certs, c.p.label, sp));
	energy_report_free(&c.rep);
	*out = j;
	return 0;
}

/* ---- renderings ---- */

static void flatten(FILE *f, const char *prefix, const cJSON *o)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, o)
	{
		char key[160];
		snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "",
		         c->string ? c->string : "");
		if (cJSON_IsObject(c)) {
			flatten(f, key, c);
		} else if (cJSON_IsArray(c)) {
			int i = 0;
			const cJSON *e;
			cJSON_ArrayForEach(e, c)
			{
				char k2[180];
				snprintf(k2, sizeof(k2), "%s[%d]", key, i++);
				if (cJSON_IsObject(e))
					flatten(f, k2, e);
				else if (cJSON_IsNumber(e))
					fprintf(f, "%s,%.10g\n", k2, e->valuedouble);
			}
		} else if (cJSON_IsString(c)) {
			fprintf(f, "%s,\"", key);
			for (const char *s = c->valuestring; *s; s++)
				fputs(*s == '"' ? "\"\"" : (char[]){*s, 0}, f);
			fputs("\"\n", f);
		} else if (cJSON_IsNumber(c)) {
			fprintf(f, "%s,%.10g\n", key, c->valuedouble);
		} else if (cJSON_IsBool(c)) {
			fprintf(f, "%s,%s\n", key, cJSON_IsTrue(c) ? "true" : "false");
		} else {
			fprintf(f, "%s,\n", key);
		}
	}
}

char *report_csv(const struct cJSON *rep)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);
	if (!f)
		return NULL;
	fputs("field,value\n", f);
	flatten(f, "", rep);
	fclose(f);
	return s;
}

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static const cJSON *path(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
	return b ? cJSON_GetObjectItemCaseSensitive(v, b) : v;
}

static void num(FILE *f, const cJSON *v, int prec, const char *unit)
{
	if (cJSON_IsNumber(v))
		fprintf(f, "%.*f%s%s", prec, v->valuedouble, unit ? " " : "", unit ? unit : "");
	else
		fputs("—", f);
}

static const char *str(const cJSON *v)
{
	return cJSON_IsString(v) ? v->valuestring : "";
}

char *report_html(const struct cJSON *rep, const char *lang)
{
	bool zh = lang && strcmp(lang, "zh") == 0;
#define L(en, cn) (zh ? (cn) : (en))
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);
	if (!f)
		return NULL;
	bool complete = cJSON_IsTrue(path(rep, "complete", NULL));
	bool running = cJSON_IsTrue(path(rep, "in_progress", NULL));
	fprintf(f, "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\"><title>",
	        zh ? "zh-CN" : "en");
	esc(f, str(path(rep, "site", "name")));
	fprintf(f, " — %s ", L("energy report", "能效报告"));
	esc(f, str(path(rep, "period", "label")));
	fputs("</title><style>body{font-family:sans-serif;max-width:50em;margin:2em auto}"
	      "table{border-collapse:collapse;width:100%}td,th{border:1px solid #888;padding:"
	      ".3em .5em;text-align:left}.warn{color:#a00;font-weight:bold}"
	      "@media print{body{margin:0}}</style></head><body>\n",
	      f);
	fprintf(f, "<h1>%s</h1>\n", L("Data-centre energy efficiency report", "数据中心能效报告"));
	if (running) {
		const cJSON *el = path(rep, "elapsed_share", NULL);
		fprintf(f, "<p class=\"warn\" id=\"in-progress\">%s (%.1f %% %s)</p>\n",
		        L("IN PROGRESS: this period has not ended; every figure below covers only "
		          "the "
		          "time elapsed when the report was generated and is provisional: it must "
		          "not "
		          "be published as final.",
		          "统计期尚未结束：以下数据仅覆盖报告生成时已过去的时间，均为临时值，不得作"
		          "为"
		          "正式结果发布。"),
		        cJSON_IsNumber(el) ? 100 * el->valuedouble : 0, L("elapsed", "已过去"));
	} else if (!complete)
		fprintf(f, "<p class=\"warn\">%s</p>\n",
		        L("INCOMPLETE: metering coverage is below the configured threshold; the "
		          "figures below must not be published as final.",
		          "不完整：计量覆盖率低于设定阈值，以下数据不得作为正式结果发布。"));
	fputs("<table>\n", f);
	fprintf(f, "<tr><th>%s</th><td>", L("Site", "站点"));
	esc(f, str(path(rep, "site", "name")));
	fputs(" (", f);
	esc(f, str(path(rep, "site", "id")));
	fprintf(f, ")</td></tr>\n<tr><th>%s</th><td>", L("Period", "统计期"));
	esc(f, str(path(rep, "period", "label")));
	fputs(" (", f);
	esc(f, str(path(rep, "period", "from")));
	fputs(" – ", f);
	esc(f, str(path(rep, "period", "to")));
	fprintf(f, ")</td></tr>\n<tr><th>%s</th><td>", L("Total energy E_DC", "总耗电量 E_DC"));
	num(f, path(rep, "energy", "e_dc_kwh"), 1, "kWh");
	fprintf(f, "</td></tr>\n<tr><th>%s</th><td>", L("IT energy E_IT", "IT 设备耗电量 E_IT"));
	num(f, path(rep, "energy", "e_it_kwh"), 1, "kWh");
	fputs(" (", f);
	esc(f, str(path(rep, "energy", "category_text")));
	fprintf(f, ")</td></tr>\n<tr><th>PUE</th><td>");
	num(f, path(rep, "kpi", "pue"), 3, NULL);
	fputs(" ", f);
	esc(f, str(path(rep, "kpi", "pue_label")));
	fprintf(f, "</td></tr>\n<tr><th>DCiE</th><td>");
	num(f, path(rep, "kpi", "dcie"), 1, "%");
	fprintf(f, "</td></tr>\n<tr><th>WUE</th><td>");
	num(f, path(rep, "kpi", "wue"), 3, "L/kWh");
	fprintf(f, "</td></tr>\n<tr><th>CUE</th><td>");
	num(f, path(rep, "kpi", "cue"), 3, "kgCO2/kWh");
	fprintf(f, "</td></tr>\n<tr><th>ERF</th><td>");
	num(f, path(rep, "kpi", "erf"), 3, NULL);
	fprintf(f, "</td></tr>\n<tr><th>REF</th><td>");
	num(f, path(rep, "kpi", "ref"), 3, NULL);
	fprintf(f, "</td></tr>\n<tr><th>%s</th><td>",
	        L("GB 40879-2021 grade", "GB 40879-2021 能效等级"));
	const cJSON *g = path(rep, "gb40879", "grade");
	if (cJSON_IsNumber(g))
		num(f, g, 0, NULL);
	else {
		num(f, path(rep, "gb40879", "indicative_grade"), 0, NULL);
		fprintf(f, " (%s)",
		        L("indicative: the standard grades a full year", "参考值：标准按全年评级"));
	}
	fprintf(f, "</td></tr>\n<tr><th>%s</th><td>",
	        L("Free-cooling hours (equivalent full)", "自然冷却小时数（等效满负荷）"));
	num(f, path(rep, "free_cooling", "equivalent_full_hours"), 1, "h");
	fprintf(f, "</td></tr>\n<tr><th>%s</th><td>", L("Set points", "温度设定值"));
	const cJSON *sp = path(rep, "setpoints", NULL);
	fprintf(f, "%s ", L("CHW supply", "冷冻水供水"));
	num(f, path(sp, "chw_supply_c", NULL), 1, "°C");
	fprintf(f, ", %s ", L("supply air", "送风"));
	num(f, path(sp, "supply_air_c", NULL), 1, "°C");
	fprintf(f, "</td></tr>\n<tr><th>%s</th><td>",
	        L("Coverage / estimated share", "计量覆盖率 / 估算占比"));
	const cJSON *cv = path(rep, "coverage", NULL), *es = path(rep, "estimated_share", NULL);
	fprintf(f, "%.2f %% / %.1f %%", cJSON_IsNumber(cv) ? 100 * cv->valuedouble : 0,
	        cJSON_IsNumber(es) ? 100 * es->valuedouble : 0);
	fprintf(f, "</td></tr>\n<tr><th>%s</th><td>", L("Methodology", "计算方法"));
	esc(f, str(path(rep, "methodology", NULL)));
	fputs("</td></tr>\n</table>\n", f);
	const cJSON *miss = path(rep, "missing", NULL), *e;
	if (cJSON_GetArraySize(miss) > 0) {
		fprintf(f, "<h2>%s</h2><ul>\n", L("Missing data", "缺失数据"));
		cJSON_ArrayForEach(e, miss)
		{
			fputs("<li>", f);
			esc(f, str(path(e, "role", NULL)));
			fprintf(f, ": %s ", L("coverage", "覆盖率"));
			const cJSON *c = path(e, "coverage", NULL);
			if (cJSON_IsNumber(c))
				fprintf(f, "%.2f %%", 100 * c->valuedouble);
			const cJSON *mh = path(e, "missing_hours", NULL);
			if (cJSON_IsNumber(mh))
				fprintf(f, ", %s %.1f h", L("missing", "缺失"), mh->valuedouble);
			fputs("</li>\n", f);
		}
		fputs("</ul>\n", f);
	}
	fprintf(f, "<p><small>%s ", L("Generated", "生成时间"));
	esc(f, str(path(rep, "generated", NULL)));
	fputs(" · greendc</small></p>\n</body></html>\n", f);
	fclose(f);
	return s;
#undef L
}

void report_previous_month(int64_t now_ms, char *buf, size_t len)
{
	int64_t start = energy_local_floor(now_ms, STEP_MONTH);
	energy_local_label(start - 1, STEP_MONTH, buf, len);
}
