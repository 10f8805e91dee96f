/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The energy KPIs (kpi.h): PUE, DCiE, pPUE, WUE, CUE, ERF, REF, CER and the GB 40879 grade,
 * each guarded by the plausibility rules of DOMAIN.md §1 so an impossible figure becomes an
 * error with its reason.
 */
#include "analytics/kpi.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void set_ok(struct kpi_value *o, double v)
{
	o->ok = true;
	o->applicable = true;
	o->v = v;
	o->why[0] = '\0';
	o->code = NULL;
}

static void set_err(struct kpi_value *o, const char *code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void set_err(struct kpi_value *o, const char *code, const char *fmt, ...)
{
	va_list ap;
	o->ok = false;
	o->code = code;
	o->applicable = true;
	o->v = NAN;
	va_start(ap, fmt);
	vsnprintf(o->why, sizeof(o->why), fmt, ap);
	va_end(ap);
}

static void set_na(struct kpi_value *o, const char *code, const char *why)
{
	o->ok = false;
	o->code = code;
	o->applicable = false;
	o->v = NAN;
	snprintf(o->why, sizeof(o->why), "%s", why);
}

double kpi_e_dc(const struct kpi_inputs *in)
{
	return in->e_facility + in->e_backup + in->e_onsite;
}

void kpi_pue(double e_dc, double e_it, struct kpi_value *out)
{
	if (!isfinite(e_dc) || !isfinite(e_it) || e_dc < 0 || e_it < 0)
		set_err(out, "invalid_totals", "energy totals are not valid numbers");
	else if (e_it <= 0)
		set_err(out, "no_it_energy",
		        "E_IT is 0 kWh: no IT energy was metered in the period");
	else if (e_it > e_dc)
		set_err(out, "it_exceeds_dc",
		        "E_IT (%.3f kWh) exceeds E_DC (%.3f kWh): PUE %.4f < 1 is impossible; "
		        "check the meter roles and the site boundary",
		        e_it, e_dc, e_dc / e_it);
	else
		set_ok(out, e_dc / e_it);
}

void kpi_ppue(double e_infra, double e_it, struct kpi_value *out)
{
	if (!isfinite(e_infra) || e_infra < 0)
		set_err(out, "invalid_totals", "infrastructure energy is not a valid number");
	else if (!(e_it > 0))
		set_err(out, "no_it_energy", "E_IT of the zone is 0 kWh");
	else
		set_ok(out, (e_infra + e_it) / e_it);
}

void kpi_compute(const struct kpi_inputs *in, struct kpi_results *out)
{
	memset(out, 0, sizeof(*out));
	double e_dc = kpi_e_dc(in);
	out->e_dc = e_dc;
	kpi_pue(e_dc, in->e_it, &out->pue);
	bool base = out->pue.ok;

	if (base)
		set_ok(&out->dcie, 100.0 / out->pue.v);
	else
		set_err(&out->dcie, "no_valid_pue", "no valid PUE");

	if (!in->have_cooling)
		set_na(&out->ppue_cooling, "no_cooling_meters", "no cooling meters");
	else if (!base)
		set_err(&out->ppue_cooling, "no_valid_pue", "no valid PUE");
	else if (in->e_cooling > e_dc - in->e_it + 1e-9)
		set_err(&out->ppue_cooling, "cooling_exceeds_overhead",
		        "cooling energy (%.3f kWh) exceeds E_DC - E_IT (%.3f kWh)", in->e_cooling,
		        e_dc - in->e_it);
	else
		kpi_ppue(in->e_cooling, in->e_it, &out->ppue_cooling);

	if (!in->have_water)
		set_na(&out->wue, "no_water_meters", "no water intake meters");
	else if (!base)
		set_err(&out->wue, "no_valid_pue", "no valid E_IT");
	else if (in->water_l < 0)
		set_err(&out->wue, "invalid_totals", "negative water volume");
	else if (in->have_potable && in->potable_l > in->water_l + 1e-9)
		set_err(&out->wue, "potable_exceeds_intake",
		        "potable water (%.1f L) exceeds water intake (%.1f L)", in->potable_l,
		        in->water_l);
	else
		set_ok(&out->wue, in->water_l / in->e_it);

	if (!base)
		set_err(&out->cue, "no_valid_pue", "no valid PUE");
	else if (in->e_backup > e_dc)
		set_err(&out->cue, "backup_exceeds_dc", "backup generation exceeds E_DC");
	else if (in->e_backup > 0 && in->backup_cef < 0)
		set_err(&out->cue, "backup_no_co2_factor",
		        "backup generation (%.3f kWh) has no CO2 factor "
		        "(energy.co2.backup_kg_per_kwh)",
		        in->e_backup);
	else
		set_ok(&out->cue, (in->e_facility * in->cef +
		                   (in->e_backup > 0 ? in->e_backup * in->backup_cef : 0)) /
		                          in->e_it);

	if (!in->have_reuse)
		set_na(&out->erf, "no_reuse_meters", "no reused-heat meters");
	else if (!base)
		set_err(&out->erf, "no_valid_pue", "no valid E_DC");
	else if (in->e_reuse < 0 || in->e_reuse > e_dc)
		set_err(&out->erf, "reuse_outside_dc",
		        "reused energy (%.3f kWh) outside 0..E_DC (%.3f kWh)", in->e_reuse, e_dc);
	else
		set_ok(&out->erf, in->e_reuse / e_dc);

	double ren = in->e_onsite + in->e_certificates;
	if (!base)
		set_err(&out->ref, "no_valid_pue", "no valid E_DC");
	else if (ren > e_dc)
		set_err(&out->ref, "renewable_exceeds_dc",
		        "renewable energy (%.3f kWh: on-site %.3f + certificates %.3f) exceeds "
		        "E_DC "
		        "(%.3f kWh)",
		        ren, in->e_onsite, in->e_certificates, e_dc);
	else
		set_ok(&out->ref, ren / e_dc);

	if (!in->have_heat_removed)
		set_na(&out->cer, "no_heat_meters", "no heat-removed meters");
	else if (!in->have_cooling || !(in->e_cooling > 0))
		set_err(&out->cer, "no_cooling_energy", "no cooling energy to divide by");
	else
		set_ok(&out->cer, in->e_heat_removed / in->e_cooling);
}

int kpi_gb40879_grade(double eeue, const double limits[3])
{
	for (int i = 0; i < 3; i++)
		if (eeue <= limits[i])
			return i + 1;
	return 0;
}

const char *kpi_category_text(int category)
{
	static const char *const text[] = {
	        "no IT metering",
	        "category 1: E_IT at UPS output",
	        "category 2: E_IT at PDU output",
	        "category 3: E_IT at IT equipment input",
	};
	return category >= 1 && category <= 3 ? text[category] : text[0];
}

void kpi_label(int category, const char *period, double pue, char *buf, size_t len)
{
	if (category >= 1 && category <= 3)
		snprintf(buf, len, "PUE%d, %s, %.3f", category, period, pue);
	else
		snprintf(buf, len, "PUE, %s, %.3f", period, pue);
}
