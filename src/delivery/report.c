/*
 * Regulator reports (report.h). The KPI inputs are mapped from energy_compute's totals
 * exactly as `greendc kpi` maps them (cli_energy.c row_build), and the publication gate is
 * the same: an interval whose status is MISSING (coverage below energy.coverage_min) or whose
 * PUE fails validation publishes no ratio at all. test/integration/test_report.sh checks the
 * equality against the CLI's own output.
 */
#include "delivery/report.h"
#include "core/timeutil.h"

#include "analytics/energy.h"
#include "analytics/freecool_config.h"
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

static enum energy_status worst(enum energy_status a, enum energy_status b)
{
	return a > b ? a : b;
}

static const char *category_text(int c)
{
	switch (c) {
	case 1:
		return "category 1: E_IT at UPS output";
	case 2:
		return "category 2: E_IT at PDU output";
	case 3:
		return "category 3: E_IT at IT equipment input";
	default:
		return "no IT metering";
	}
}

static void add_num_or_null(cJSON *o, const char *k, bool ok, double v)
{
	if (ok && isfinite(v))
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

/* Hours of actual free cooling from the plant's economizer share series (FC_S_VALVE_PCT):
 * per hour the mean share; "equivalent full hours" sums share/100, "hours_any" counts hours
 * with a mean above 0. */
struct fc_acc {
	double equiv, any;
	int hours;
};

static int fc_bucket(void *ctx, int64_t bucket_ms, double value, int64_t count)
{
	struct fc_acc *a = ctx;
	(void)bucket_ms;
	if (count <= 0 || !isfinite(value))
		return 0;
	double s = fmin(fmax(value, 0), 100) / 100.0;
	a->equiv += s;
	a->any += s > 0;
	a->hours++;
	return 0;
}

struct fc_find {
	struct store_reader *r;
	int64_t from, to;
	struct fc_acc acc;
	int nseries;
};

static int fc_series(void *ctx, const struct store_series_info *info)
{
	struct fc_find *f = ctx;
	struct fc_acc a = {0};
	/* One series is the plant's share; several (per chiller) are averaged per hour
	 * by taking the first, which docs/reports.md states. */
	if (f->nseries++ > 0)
		return 0;
	store_query(f->r, info->id, f->from, f->to, 3600000, AGG_AVG, fc_bucket, &a);
	f->acc = a;
	return 0;
}

cJSON *report_free_cooling(const struct config *cfg, struct store_reader *r, int64_t from,
                           int64_t to)
{
	cJSON *o = cJSON_CreateObject();
	const char *glob = cfg->cooling ? cfg->cooling->series[FC_S_VALVE_PCT] : NULL;
	if (!glob) {
		cJSON_AddNullToObject(o, "equivalent_full_hours");
		cJSON_AddNullToObject(o, "hours_any");
		cJSON_AddStringToObject(o, "note",
		                        "cooling.plant.free_cooling_pct is not configured");
		return o;
	}
	struct fc_find f = {.r = r, .from = from, .to = to};
	store_series_find(r, glob, fc_series, &f);
	if (!f.nseries) {
		cJSON_AddNullToObject(o, "equivalent_full_hours");
		cJSON_AddNullToObject(o, "hours_any");
		cJSON_AddStringToObject(o, "note", "no stored series matches");
	} else {
		cJSON_AddNumberToObject(o, "equivalent_full_hours", f.acc.equiv);
		cJSON_AddNumberToObject(o, "hours_any", f.acc.any);
		cJSON_AddNumberToObject(o, "hours_with_data", f.acc.hours);
	}
	cJSON_AddStringToObject(o, "source", glob);
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

int report_build(const struct config *cfg, struct store_reader *r, const char *period,
                 int64_t generated_ms, struct cJSON **out, char *err, size_t errlen)
{
	const struct energy_model *m = cfg->energy;
	const char *tz = cfg->site.timezone;
	const char *problem = energy_model_problem(m);
	*out = NULL;
	if (problem) {
		snprintf(err, errlen, "energy model: %s", problem);
		return -EINVAL;
	}
	struct energy_period p;
	if (energy_period_parse(period, tz, &p) < 0 ||
	    (p.kind != STEP_MONTH && p.kind != STEP_YEAR)) {
		snprintf(err, errlen, "period: expected YYYY-MM (monthly) or YYYY (annual)");
		return -EINVAL;
	}
	struct energy_report rep;
	if (energy_compute(r, m, tz, p.from_ms, p.to_ms, STEP_WHOLE, &rep) < 0) {
		snprintf(err, errlen, "%s", rep.err);
		return -EIO;
	}
	const struct energy_interval *iv = &rep.total;
	const struct energy_role_total *fac = &iv->role[ROLE_FACILITY_INPUT];
	const struct energy_role_total *it = &iv->role[rep.it_role];
	double certs = energy_certificates(m, tz, p.from_ms, p.to_ms);
	struct kpi_inputs in;
	energy_kpi_inputs(m, rep.it_role, iv, certs, &in);
	struct kpi_results k;
	kpi_compute(&in, &k);
	double coverage = fmin(fac->coverage, it->coverage), est = 0, tot = 0;
	for (int i = 0; i < ROLE_COUNT; i++) {
		if (i == ROLE_WATER_INTAKE || i == ROLE_WATER_POTABLE)
			continue;
		est += iv->role[i].estimated;
		tot += iv->role[i].value;
	}
	enum energy_status status = worst(fac->status, it->status);
	status = worst(status, iv->role[ROLE_BACKUP_GENERATION].status);
	status = worst(status, iv->role[ROLE_ONSITE_RENEWABLE].status);
	bool published = status != ENERGY_MISSING && k.pue.ok;
	bool annual = p.kind == STEP_YEAR;

	cJSON *j = cJSON_CreateObject();
	char t[32], label[96];
	cJSON_AddStringToObject(j, "type", "report");
	cJSON_AddStringToObject(j, "schema", "greendc.report/1");
	cJSON_AddStringToObject(j, "kind", annual ? "annual" : "monthly");
	cJSON_AddStringToObject(j, "methodology",
	                        REPORT_METHODOLOGY " (ISO/IEC 30134-2, EN 50600-4-2; counters by "
	                                           "rollup deltas, power by the trapezoid rule)");
	time_format_utc(generated_ms, t, sizeof(t));
	cJSON_AddStringToObject(j, "generated", t);
	cJSON *site = cJSON_AddObjectToObject(j, "site");
	cJSON_AddStringToObject(site, "id", cfg->site.id ? cfg->site.id : "");
	cJSON_AddStringToObject(site, "name", cfg->site.name ? cfg->site.name : "");
	cJSON_AddStringToObject(site, "timezone", tz ? tz : "UTC");
	cJSON *per = cJSON_AddObjectToObject(j, "period");
	cJSON_AddStringToObject(per, "label", p.label);
	time_format_utc(p.from_ms, t, sizeof(t));
	cJSON_AddStringToObject(per, "from", t);
	time_format_utc(p.to_ms, t, sizeof(t));
	cJSON_AddStringToObject(per, "to", t);
	if (annual)
		cJSON_AddNumberToObject(per, "months_with_data", iv->months);

	/* Completeness: what is missing, by role. */
	cJSON_AddBoolToObject(j, "complete",
	                      status != ENERGY_MISSING && coverage >= m->coverage_min);
	cJSON_AddNumberToObject(j, "coverage_threshold", m->coverage_min);
	cJSON_AddNumberToObject(j, "coverage", coverage);
	cJSON_AddNumberToObject(j, "estimated_share", tot > 0 ? est / tot : 0);
	cJSON_AddStringToObject(j, "status", energy_status_name(status));
	cJSON_AddStringToObject(j, "estimation_method", rep.method);
	cJSON *miss = cJSON_AddArrayToObject(j, "missing");
	for (int i = 0; i < ROLE_COUNT; i++) {
		const struct energy_role_total *rt = &iv->role[i];
		if (rt->nseries == 0 || rt->coverage >= 1.0)
			continue;
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "role", energy_role_name((enum energy_role)i));
		cJSON_AddNumberToObject(e, "coverage", rt->coverage);
		cJSON_AddNumberToObject(e, "series", rt->nseries);
		cJSON_AddNumberToObject(e, "missing_hours",
		                        (1.0 - rt->coverage) * (double)(p.to_ms - p.from_ms) /
		                                3600000.0);
		cJSON_AddStringToObject(e, "status", energy_status_name(rt->status));
		cJSON_AddItemToArray(miss, e);
	}
	if (annual && iv->months < 12) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "role", "calendar_months");
		cJSON_AddNumberToObject(e, "months_with_data", iv->months);
		cJSON_AddItemToArray(miss, e);
	}

	cJSON *en = cJSON_AddObjectToObject(j, "energy");
	cJSON_AddNumberToObject(en, "e_dc_kwh", k.e_dc);
	cJSON_AddNumberToObject(en, "e_it_kwh", it->value);
	cJSON_AddNumberToObject(en, "category", rep.category);
	cJSON_AddStringToObject(en, "category_text", category_text(rep.category));
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

	cJSON *kp = cJSON_AddObjectToObject(j, "kpi");
	struct {
		const char *name;
		const struct kpi_value *v;
	} ks[] = {{"pue", &k.pue}, {"dcie", &k.dcie}, {"ppue_cooling", &k.ppue_cooling},
	          {"wue", &k.wue}, {"cue", &k.cue},   {"erf", &k.erf},
	          {"ref", &k.ref}, {"cer", &k.cer}};
	cJSON *why = cJSON_CreateObject();
	for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		bool ok = published && ks[i].v->ok;
		add_num_or_null(kp, ks[i].name, ok, ks[i].v->v);
		if (!ok && (ks[i].v->applicable || !published))
			cJSON_AddStringToObject(why, ks[i].name,
			                        !published
			                                ? (status == ENERGY_MISSING
			                                           ? "coverage below the threshold"
			                                           : k.pue.why)
			                                : ks[i].v->why);
	}
	if (published) {
		kpi_label(rep.category, p.label, k.pue.v, label, sizeof(label));
		cJSON_AddStringToObject(kp, "pue_label", label);
	} else {
		cJSON_AddNullToObject(kp, "pue_label");
	}
	cJSON_AddItemToObject(j, "kpi_errors", why);
	cJSON *co2 = cJSON_AddObjectToObject(j, "co2_factor");
	cJSON_AddNumberToObject(co2, "kg_per_kwh", m->co2_kg_per_kwh);
	cJSON_AddStringToObject(co2, "source", m->co2_source ? m->co2_source : "");
	cJSON_AddNumberToObject(co2, "year", m->co2_year);

	/* GB 40879 grades an annual ratio; a month gets an indicative grade only. */
	cJSON *gb = cJSON_AddObjectToObject(j, "gb40879");
	int g = published ? kpi_gb40879_grade(k.pue.v, m->grade) : -1;
	bool full_year = annual && iv->months == 12;
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
		cJSON_AddItemToArray(lim, cJSON_CreateNumber(m->grade[i]));
	cJSON_AddStringToObject(
	        gb, "note",
	        full_year ? "grade 0 = above the grade 3 limit; limits configurable "
	                    "(unconfirmed defaults)"
	                  : "GB 40879 grades a full calendar year; the monthly figure "
	                    "is indicative only");

	cJSON_AddItemToObject(j, "free_cooling", report_free_cooling(cfg, r, p.from_ms, p.to_ms));
	cJSON *sp = cJSON_AddObjectToObject(j, "setpoints");
	const cJSON *spc = sp;
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
	if (annual)
		cJSON_AddItemToObject(j, "eu_2024_1364",
		                      eu_fields(cfg, &rep, &k, published, certs, p.label, spc));
	energy_report_free(&rep);
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
	if (!complete)
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

void report_previous_month(int64_t now_ms, const char *tz, char *buf, size_t len)
{
	int64_t start = energy_local_floor(now_ms, STEP_MONTH, tz);
	energy_local_label(start - 1, STEP_MONTH, tz, buf, len);
}
