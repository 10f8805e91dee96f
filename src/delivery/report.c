/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Building a regulator report (report.h). Every figure comes from the analytics layer and is
 * only arranged here: energy_compute() by day (by month for a year) and energy_figures() give
 * the energy, the KPIs and the publication gate exactly as `greendc pue`/`kpi` and
 * /api/v1/pue show them (the period's total is the same whatever the step), energy_quality()
 * the counters' register increase and boundary alignment, freecool_stored() the free-cooling
 * hours as `greendc freecool --period` shows them. test/integration/test_report.sh checks the
 * equality against the CLI's own output.
 *
 * The object's keys come in the order this file adds them; that order is part of the
 * canonical bytes that are hashed and signed (report_sign.h), so it never depends on data.
 */
#include "delivery/report_internal.h"

#include "analytics/freecool_config.h"
#include "analytics/freecool_stored.h"
#include "analytics/kpi.h"
#include "config/config.h"
#include "core/sha256.h"
#include "core/timeutil.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef GREENDC_VERSION
#define GREENDC_VERSION "unknown"
#endif

#define HOUR_MS INT64_C(3600000)

void report_num(cJSON *o, const char *k, bool ok, double v)
{
	if (ok && isfinite(v))
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

void report_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

void report_local(int64_t t_ms, char *buf, size_t len)
{
	time_format_local(t_ms, buf, len);
}

void report_flag(struct report_ctx *c, const char *code, const char *role, const char *subject,
                 const char *fmt, ...)
{
	char text[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "code", code);
	report_str(e, "role", role);
	report_str(e, "subject", subject);
	cJSON_AddStringToObject(e, "text", text);
	cJSON_AddItemToArray(c->flags, e);
}

/* ---- free cooling ---- */

static cJSON *fc_unavailable(cJSON *o, const char *note)
{
	cJSON_AddNullToObject(o, "equivalent_full_hours");
	cJSON_AddNullToObject(o, "hours_any");
	cJSON_AddStringToObject(o, "note", note);
	return o;
}

/* The stored free-cooling tally over [from, to) in hourly buckets (minutes when the range is
 * not whole hours), the same figures as `greendc freecool --period`. With s, the tally is
 * left there for the caller (its days and months; freecool_stored_free); else freed. */
static cJSON *free_cooling(const struct config *cfg, struct store_reader *r, int64_t from,
                           int64_t to, int64_t now_ms, struct fc_stored *keep)
{
	const struct fc_config *fc = cfg->cooling;
	int64_t step = (to - from) % HOUR_MS ? 60000 : HOUR_MS;
	cJSON *o = cJSON_CreateObject();
	struct fc_stored s;

	/* Time not yet elapsed is not observed: the tally ends at now, and its last bucket
	 * counts for the part of it before now (30 s into a month is 30 s, not 1 h). */
	if (now_ms < to)
		to = now_ms;
	if (to <= from)
		return fc_unavailable(o, "the period has not started");
	if (!fc || !fc->series[FC_S_DRY_BULB])
		return fc_unavailable(o, "cooling.outdoor.dry_bulb is not configured");
	if (!fc->series[FC_S_MODE] && !fc->series[FC_S_VALVE_PCT])
		return fc_unavailable(o, "neither cooling.plant.cooling_mode nor free_cooling_pct "
		                         "is configured");
	if (freecool_stored(r, fc, cfg->site.altitude_m, from, to, step, 0, &s) < 0)
		return fc_unavailable(o, s.err);
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
		if (keep) {
			*keep = s;
			s = (struct fc_stored){0};
		}
	}
	cJSON_AddStringToObject(o, "source",
	                        "cooling: section series (greendc freecool --period, "
	                        "docs/freecooling.md)");
	freecool_stored_free(&s);
	return o;
}

cJSON *report_free_cooling(const struct config *cfg, struct store_reader *r, int64_t from,
                           int64_t to, int64_t now_ms)
{
	return free_cooling(cfg, r, from, to, now_ms, NULL);
}

/* ---- head: document, site, identity, period ---- */

static void report_identity(cJSON *j, struct report_ctx *c)
{
	const struct config *cfg = c->cfg;
	const struct report_site *rs = cfg->reporting;
	cJSON *id = cJSON_AddObjectToObject(j, "identity");
	report_str(id, "site_name", cfg->site.name && *cfg->site.name ? cfg->site.name : NULL);
	report_str(id, "operator", rs ? rs->operator_name : NULL);
	report_str(id, "owner", rs ? rs->owner : NULL);
	report_str(id, "address", rs ? rs->address : NULL);
	report_str(id, "unified_social_credit_code", rs ? rs->uscc : NULL);
	report_str(id, "regulator_unit_id", rs ? rs->regulator_unit_id : NULL);
	report_num(id, "installed_it_power_kw", rs && rs->p_dit_kw > 0, rs ? rs->p_dit_kw : 0);
	report_num(id, "floor_area_total_m2", rs && rs->area_total_m2 >= 0,
	           rs ? rs->area_total_m2 : 0);
	report_num(id, "floor_area_computer_room_m2", rs && rs->area_computer_m2 >= 0,
	           rs ? rs->area_computer_m2 : 0);
	cJSON *ct = cJSON_AddObjectToObject(id, "contact");
	report_str(ct, "name", rs ? rs->contact_name : NULL);
	report_str(ct, "phone", rs ? rs->contact_phone : NULL);
	report_str(ct, "email", rs ? rs->contact_email : NULL);
	const char *miss[16];
	size_t n = report_identity_missing(cfg, miss, 16);
	cJSON *ma = cJSON_AddArrayToObject(id, "missing");
	for (size_t i = 0; i < n && i < 16; i++) {
		cJSON_AddItemToArray(ma, cJSON_CreateString(miss[i]));
		report_flag(c, "identity_missing", NULL, miss[i], "%s is not configured", miss[i]);
	}
}

static void report_period(cJSON *j, const struct report_ctx *c)
{
	char t[32], a[32], b[32], zone[64], text[160];
	cJSON *per = cJSON_AddObjectToObject(j, "period");
	cJSON_AddStringToObject(per, "label", c->p.label);
	time_format_utc(c->p.from_ms, t, sizeof(t));
	cJSON_AddStringToObject(per, "from", t);
	time_format_utc(c->p.to_ms, t, sizeof(t));
	cJSON_AddStringToObject(per, "to", t);
	report_local(c->p.from_ms, a, sizeof(a));
	report_local(c->p.to_ms, b, sizeof(b));
	time_format_zone(c->p.from_ms, zone, sizeof(zone));
	cJSON_AddStringToObject(per, "from_local", a);
	cJSON_AddStringToObject(per, "to_local", b);
	cJSON_AddStringToObject(per, "zone", zone);
	snprintf(text, sizeof(text), "%s – %s (%s)", a, b, zone);
	cJSON_AddStringToObject(per, "text", text);
	cJSON_AddNumberToObject(per, "days",
	                        (double)((c->p.to_ms - c->p.from_ms + 43200000) / 86400000));
	if (c->annual)
		cJSON_AddNumberToObject(per, "months_with_data", c->rep.total.months);
}

static void report_head(cJSON *j, struct report_ctx *c)
{
	const struct config *cfg = c->cfg;
	char t[32];

	cJSON_AddStringToObject(j, "type", "report");
	cJSON_AddStringToObject(j, "schema", REPORT_SCHEMA);
	cJSON_AddStringToObject(j, "kind", c->annual ? "annual" : "monthly");
	cJSON_AddStringToObject(j, "methodology",
	                        REPORT_METHODOLOGY " (ISO/IEC 30134-2, EN 50600-4-2; counters by "
	                                           "rollup deltas, power by the trapezoid rule)");
	time_format_utc(c->generated_ms, t, sizeof(t));
	cJSON_AddStringToObject(j, "generated", t);
	cJSON_AddObjectToObject(j, "document"); /* filled once the content key is known */
	cJSON *site = cJSON_AddObjectToObject(j, "site");
	cJSON_AddStringToObject(site, "id", cfg->site.id ? cfg->site.id : "");
	cJSON_AddStringToObject(site, "name", cfg->site.name ? cfg->site.name : "");
	cJSON_AddStringToObject(site, "timezone", cfg->site.timezone ? cfg->site.timezone : "UTC");
	report_identity(j, c);
	report_period(j, c);
}

/* The document's identity: ID, revision (the position of this content among the stored
 * reports of the period), the software, the generation time in site time. */
static int report_document(cJSON *j, struct report_ctx *c, char *err, size_t errlen)
{
	char key[200], id[160], t[32], zone[64], text[128];
	int revision = 1;
	report_content_key(j, key, sizeof(key));
	int rc = store_report_revision(c->r, c->annual ? "annual" : "monthly", c->p.label, key,
	                               &revision);
	if (rc < 0) {
		snprintf(err, errlen, "reports: %s", strerror(-rc));
		return rc;
	}
	cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "document");
	snprintf(id, sizeof(id), "GDC-%s-%s", c->cfg->site.id ? c->cfg->site.id : "", c->p.label);
	cJSON_AddStringToObject(d, "id", id);
	cJSON_AddNumberToObject(d, "revision", revision);
	cJSON_AddStringToObject(d, "content_key", key);
	cJSON_AddStringToObject(d, "software", "greendc " GREENDC_VERSION);
	report_local(c->generated_ms, t, sizeof(t));
	time_format_zone(c->generated_ms, zone, sizeof(zone));
	snprintf(text, sizeof(text), "%s (%s)", t, zone);
	cJSON_AddStringToObject(d, "generated_local", text);
	return 0;
}

/* ---- completeness and energy ---- */

/* The gaps in counter readings whose deltas were spread over their slots (named, so that a
 * reader can find the hours that rest on the estimate), with their share of the role. */
static void report_gaps(cJSON *j, const struct report_ctx *c)
{
	const struct energy_report *rep = &c->rep;
	cJSON *arr = cJSON_AddArrayToObject(j, "gaps");
	char t[32];

	for (size_t i = 0; i < rep->ngaps; i++) {
		const struct energy_gap *g = &rep->gaps[i];
		double role = rep->total.role[g->role].value;
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "series", g->name);
		cJSON_AddStringToObject(e, "role", energy_role_name(g->role));
		time_format_utc(g->last_ms, t, sizeof(t));
		cJSON_AddStringToObject(e, "last_reading", t);
		time_format_utc(g->next_ms, t, sizeof(t));
		cJSON_AddStringToObject(e, "next_reading", t);
		report_local(g->last_ms, t, sizeof(t));
		cJSON_AddStringToObject(e, "last_reading_local", t);
		report_local(g->next_ms, t, sizeof(t));
		cJSON_AddStringToObject(e, "next_reading_local", t);
		cJSON_AddStringToObject(e, "method", g->by_power ? "power shape" : "evenly");
		cJSON_AddNumberToObject(e, "value", g->value);
		cJSON_AddNumberToObject(e, "in_period", g->in_period);
		report_num(e, "share_of_role", role > 0, g->in_period / role);
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
	report_gaps(j, c);
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
		cJSON_AddNumberToObject(e, "months_required", 12);
		cJSON_AddItemToArray(miss, e);
	}
}

static const char *role_unit(int role)
{
	return role == ROLE_WATER_INTAKE || role == ROLE_WATER_POTABLE ? "L" : "kWh";
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
		cJSON_AddStringToObject(e, "unit", role_unit(i));
		cJSON_AddNumberToObject(e, "coverage", iv->role[i].coverage);
		cJSON_AddNumberToObject(e, "estimated", iv->role[i].estimated);
	}
}

/* ---- KPIs with their inputs ---- */

struct kpi_row {
	const char *name, *formula, *unit, *standard;
	const struct kpi_value *v;
	int decimals;
	const char *num, *num_unit, *num_source;
	double nv;
	const char *den, *den_unit, *den_source;
	double dv;
};

static void kpi_operand(cJSON *o, const char *k, const char *name, double v, const char *unit,
                        const char *source)
{
	cJSON *e = cJSON_AddObjectToObject(o, k);
	cJSON_AddStringToObject(e, "name", name);
	report_num(e, "value", true, v);
	cJSON_AddStringToObject(e, "unit", unit);
	cJSON_AddStringToObject(e, "source", source);
}

/* Every KPI, null when it may not be published, with the reason in kpi_errors wherever it is
 * absent; kpi_inputs says what each is made of. */
static void report_kpi(cJSON *j, struct report_ctx *c)
{
	const struct kpi_results *k = &c->f.k;
	const struct kpi_inputs *in = &c->f.in;
	const char *it_src = energy_role_name(c->rep.it_role);
	char co2_src[200], ren_src[160];
	snprintf(co2_src, sizeof(co2_src), "facility_input x %.4g kgCO2/kWh (%s, %d)%s",
	         c->m->co2_kg_per_kwh, c->m->co2_source ? c->m->co2_source : "source not given",
	         c->m->co2_year, in->e_backup > 0 ? " + backup_generation x its factor" : "");
	snprintf(ren_src, sizeof(ren_src),
	         "onsite_renewable meters + PPA + guarantees of origin (energy."
	         "renewable_certificates)");
	const char *dc_src = "facility_input + backup_generation + onsite_renewable meters";
	double co2 =
	        in->e_facility * in->cef + (in->e_backup > 0 ? in->e_backup * in->backup_cef : 0);
	const struct kpi_row rows[] = {
	        {"pue", "E_DC / E_IT", "", "ISO/IEC 30134-2", &k->pue, 3, "E_DC", "kWh", dc_src,
	         k->e_dc, "E_IT", "kWh", it_src, in->e_it},
	        {"dcie", "E_IT / E_DC x 100", "%", "ISO/IEC 30134-2", &k->dcie, 1, "E_IT", "kWh",
	         it_src, in->e_it, "E_DC", "kWh", dc_src, k->e_dc},
	        {"ppue_cooling", "(E_COOL + E_IT) / E_IT", "", "ISO/IEC 30134-2 annex",
	         &k->ppue_cooling, 3, "E_COOL + E_IT", "kWh", "cooling meters + E_IT",
	         in->e_cooling + in->e_it, "E_IT", "kWh", it_src, in->e_it},
	        {"wue", "W_IN / E_IT", "L/kWh", "ISO/IEC 30134-9", &k->wue, 3, "W_IN", "L",
	         "water_intake meters", in->water_l, "E_IT", "kWh", it_src, in->e_it},
	        {"cue", "CO2 / E_IT", "kgCO2/kWh", "ISO/IEC 30134-8", &k->cue, 3, "CO2", "kg",
	         co2_src, co2, "E_IT", "kWh", it_src, in->e_it},
	        {"erf", "E_REUSE / E_DC", "", "ISO/IEC 30134-6", &k->erf, 3, "E_REUSE", "kWh",
	         "reused_heat meters", in->e_reuse, "E_DC", "kWh", dc_src, k->e_dc},
	        {"ref", "E_REN / E_DC", "", "ISO/IEC 30134-3", &k->ref, 3, "E_REN", "kWh", ren_src,
	         in->e_onsite + in->e_certificates, "E_DC", "kWh", dc_src, k->e_dc},
	        {"cer", "Q_HR / E_COOL", "", "ISO/IEC 30134-7", &k->cer, 2, "Q_HR", "kWh",
	         "heat_removed meters", in->e_heat_removed, "E_COOL", "kWh", "cooling meters",
	         in->e_cooling},
	};
	bool published = c->f.published;
	cJSON *kp = cJSON_AddObjectToObject(j, "kpi"), *why = cJSON_CreateObject();
	cJSON *inputs = cJSON_CreateObject();
	const char *unpublished = c->f.status == ENERGY_IN_PROGRESS ? c->f.why
	                          : c->f.status == ENERGY_MISSING   ? "coverage below the threshold"
	                                                            : k->pue.why;
	char label[96];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct kpi_row *r = &rows[i];
		bool ok = published && r->v->ok;
		report_num(kp, r->name, ok, r->v->v);
		if (!ok)
			cJSON_AddStringToObject(why, r->name,
			                        !published && r->v->applicable ? unpublished
			                                                       : r->v->why);
		cJSON *e = cJSON_AddObjectToObject(inputs, r->name);
		cJSON_AddStringToObject(e, "formula", r->formula);
		kpi_operand(e, "numerator", r->num, r->nv, r->num_unit, r->num_source);
		kpi_operand(e, "denominator", r->den, r->dv, r->den_unit, r->den_source);
		cJSON_AddStringToObject(e, "unit", r->unit);
		cJSON_AddNumberToObject(e, "decimals", r->decimals);
		cJSON_AddStringToObject(e, "standard", r->standard);
	}
	if (published) {
		kpi_label(c->rep.category, c->p.label, k->pue.v, label, sizeof(label));
		cJSON_AddStringToObject(kp, "pue_label", label);
	} else {
		cJSON_AddNullToObject(kp, "pue_label");
	}
	cJSON_AddItemToObject(j, "kpi_errors", why);
	cJSON_AddItemToObject(j, "kpi_inputs", inputs);

	/* REF's renewable energy by where it comes from (a certificate is not a kWh generated). */
	cJSON *ren = cJSON_AddObjectToObject(j, "renewables");
	double onsite = in->e_onsite, other = c->certs - c->goo - c->ppa;
	cJSON_AddNumberToObject(ren, "onsite_kwh", onsite);
	cJSON_AddNumberToObject(ren, "ppa_kwh", c->ppa);
	cJSON_AddNumberToObject(ren, "goo_kwh", c->goo + other);
	cJSON_AddNumberToObject(ren, "total_kwh", onsite + c->certs);
	report_num(ren, "certificates_share", onsite + c->certs > 0,
	           (c->ppa + c->goo + other) / (onsite + c->certs));
	cJSON_AddStringToObject(ren, "source",
	                        "onsite_renewable meters; PPAs and guarantees of origin as entered "
	                        "in energy.renewable_certificates");

	cJSON *co2f = cJSON_AddObjectToObject(j, "co2_factor");
	cJSON_AddNumberToObject(co2f, "kg_per_kwh", c->m->co2_kg_per_kwh);
	cJSON_AddStringToObject(co2f, "source", c->m->co2_source ? c->m->co2_source : "");
	cJSON_AddNumberToObject(co2f, "year", c->m->co2_year);
	cJSON_AddStringToObject(co2f, "basis", "location-based grid factor");
}

/* GB 40879 grades an annual ratio by the full-year energy method; a month gets an indicative
 * grade only. */
static void report_gb40879(cJSON *j, const struct report_ctx *c)
{
	static const double dflt[3] = {1.20, 1.30, 1.50};
	cJSON *gb = cJSON_AddObjectToObject(j, "gb40879");
	bool published = c->f.published;
	int g = published ? kpi_gb40879_grade(c->f.k.pue.v, c->m->grade) : -1;
	bool full_year = c->annual && c->rep.total.months == 12;
	bool defaults = true;

	report_num(gb, "grade", published && full_year, g);
	report_num(gb, "indicative_grade", published, g);
	cJSON *lim = cJSON_AddArrayToObject(gb, "limits");
	for (int i = 0; i < 3; i++) {
		cJSON_AddItemToArray(lim, cJSON_CreateNumber(c->m->grade[i]));
		defaults &= fabs(c->m->grade[i] - dflt[i]) < 1e-9;
	}
	cJSON_AddStringToObject(gb, "method",
	                        "full-year energy method: E_DC / E_IT over a calendar year "
	                        "(RM2, GB 40879-2021)");
	cJSON_AddStringToObject(gb, "thresholds_source",
	                        defaults ? "GB 40879-2021 table 1 as commonly cited (1.20 / 1.30 / "
	                                   "1.50), unconfirmed against the standard's text; "
	                                   "energy.gb40879_grades"
	                                 : "configured in energy.gb40879_grades (differs from the "
	                                   "commonly cited 1.20 / 1.30 / 1.50)");
	cJSON_AddStringToObject(
	        gb, "note",
	        full_year ? "grade 0 = above the grade 3 limit"
	        : c->annual
	                ? "the full-year method needs 12 months of data: no grade for this year"
	                : "GB 40879 grades a full calendar year; the monthly figure is indicative "
	                  "only");
}

/* ---- series for the charts: by day (a month) or by month (a year) ---- */

static const struct fc_tally *fc_find(const struct fc_tally *t, size_t n, const char *label)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].label, label) == 0)
			return &t[i];
	return NULL;
}

static void report_series(cJSON *j, struct report_ctx *c, const struct fc_stored *fc)
{
	cJSON *s = cJSON_AddObjectToObject(j, "series");
	cJSON_AddStringToObject(s, "step", c->annual ? "month" : "day");
	cJSON *items = cJSON_AddArrayToObject(s, "items");
	for (size_t i = 0; i < c->rep.n; i++) {
		const struct energy_interval *iv = &c->rep.iv[i];
		struct energy_figures f;
		double certs = c->annual ? energy_certificates(c->m, iv->from_ms, iv->to_ms) : 0;
		energy_figures(c->m, &c->rep, iv, certs, &f);
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "label", iv->label);
		cJSON_AddNumberToObject(e, "e_dc_kwh", f.k.e_dc);
		cJSON_AddNumberToObject(e, "e_it_kwh", f.e_it);
		report_num(e, "pue", f.published && f.k.pue.ok, f.k.pue.v);
		cJSON_AddStringToObject(e, "status", energy_status_name(f.status));
		cJSON_AddNumberToObject(e, "coverage", f.coverage);
		cJSON *roles = cJSON_AddObjectToObject(e, "roles");
		for (int r = 0; r < ROLE_COUNT; r++)
			if (iv->role[r].nseries)
				cJSON_AddNumberToObject(roles,
				                        energy_role_name((enum energy_role)r),
				                        iv->role[r].value);
		const struct fc_tally *t = NULL;
		if (fc)
			t = c->annual ? fc_find(fc->months, fc->nmonths, iv->label)
			              : fc_find(fc->days, fc->ndays, iv->label);
		report_num(e, "free_cooling_h", fc != NULL,
		           t ? t->used_free_h + t->used_partial_h : 0);
		cJSON_AddItemToArray(items, e);
	}
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

static void report_signatories(cJSON *j, const struct config *cfg)
{
	const struct report_site *rs = cfg->reporting;
	cJSON *s = cJSON_AddObjectToObject(j, "signatories");
	report_str(s, "prepared_by", rs ? rs->prepared_by : NULL);
	report_str(s, "approved_by", rs ? rs->approved_by : NULL);
}

/* Everything after the head, in the canonical order. 0 or -errno. */
static int report_body(cJSON *j, struct report_ctx *c, char *err, size_t errlen)
{
	struct fc_stored fc = {0};
	report_completeness(j, c);
	report_energy(j, c);
	report_kpi(j, c);
	report_gb40879(j, c);
	report_metering(j, c);
	int rc = report_quality(j, c, err, errlen);
	if (rc < 0)
		return rc;
	cJSON *fco = free_cooling(c->cfg, c->r, c->p.from_ms, c->p.to_ms, c->generated_ms, &fc);
	report_series(j, c, cJSON_IsNumber(cJSON_GetObjectItem(fco, "hours_any")) ? &fc : NULL);
	cJSON_AddItemToObject(j, "free_cooling", fco);
	freecool_stored_free(&fc);
	const cJSON *sp = report_setpoints(j, c->cfg);
	if (c->annual)
		cJSON_AddItemToObject(j, "eu_2024_1364", report_eu_fields(c, sp));
	report_signatories(j, c->cfg);
	return 0;
}

int report_build(const struct config *cfg, struct store_reader *r, const char *period,
                 int64_t generated_ms, struct cJSON **out, char *err, size_t errlen)
{
	struct report_ctx c = {.cfg = cfg, .m = cfg->energy, .r = r, .generated_ms = generated_ms};
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
	c.annual = c.p.kind == STEP_YEAR;
	if (energy_compute(r, c.m, c.p.from_ms, c.p.to_ms, c.annual ? STEP_MONTH : STEP_DAY,
	                   generated_ms, &c.rep) < 0) {
		snprintf(err, errlen, "%s", c.rep.err);
		return -EIO;
	}
	c.certs = energy_certificates(c.m, c.p.from_ms, c.p.to_ms);
	c.goo = energy_certificates_kind(c.m, c.p.from_ms, c.p.to_ms, "goo");
	c.ppa = energy_certificates_kind(c.m, c.p.from_ms, c.p.to_ms, "ppa");
	energy_figures(c.m, &c.rep, &c.rep.total, c.certs, &c.f);

	cJSON *j = cJSON_CreateObject();
	c.flags = cJSON_CreateArray();
	report_head(j, &c);
	int rc = report_body(j, &c, err, errlen);
	if (rc == 0)
		rc = report_document(j, &c, err, errlen);
	energy_report_free(&c.rep);
	if (rc < 0) {
		if (!c.flags_attached)
			cJSON_Delete(c.flags);
		cJSON_Delete(j);
		return rc;
	}
	*out = j;
	return 0;
}

/* ---- identity of the bytes ---- */

char *report_canonical(const struct cJSON *rep)
{
	return cJSON_PrintUnformatted(rep);
}

void report_digest_hex(const char *canonical, size_t len, char hex[65])
{
	uint8_t d[SHA256_LEN];
	sha256(canonical, len, d);
	sha256_hex(d, hex);
}

void report_content_key(const struct cJSON *rep, char *buf, size_t len)
{
	cJSON *copy = cJSON_Duplicate(rep, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(copy, "generated");
	cJSON_DeleteItemFromObjectCaseSensitive(copy, "document");
	cJSON_DeleteItemFromObjectCaseSensitive(copy, "signature_key");
	char *s = cJSON_PrintUnformatted(copy);
	char hex[65] = "";
	if (s)
		report_digest_hex(s, strlen(s), hex);
	free(s);
	const cJSON *site = cJSON_GetObjectItemCaseSensitive(copy, "site");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(site, "id");
	const cJSON *per = cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(copy, "period"), "label");
	snprintf(buf, len, "%s:report:%s:%.16s", cJSON_IsString(id) ? id->valuestring : "",
	         cJSON_IsString(per) ? per->valuestring : "", hex);
	cJSON_Delete(copy);
}

void report_previous_month(int64_t now_ms, char *buf, size_t len)
{
	int64_t start = energy_local_floor(now_ms, STEP_MONTH);
	energy_local_label(start - 1, STEP_MONTH, buf, len);
}

void report_previous_year(int64_t now_ms, char *buf, size_t len)
{
	int64_t start = energy_local_floor(now_ms, STEP_YEAR);
	energy_local_label(start - 1, STEP_YEAR, buf, len);
}
