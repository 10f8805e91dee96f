/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The energy KPIs as pure functions of period totals (ISO/IEC 30134 series, EN 50600-4,
 * GB 40879). Every function validates its inputs against DOMAIN.md §1 and returns an error
 * with a reason instead of a number that could not be true: nothing here is published
 * without passing those checks. Unit tests: test/unit/test_energy.c. See docs/energy.md.
 */
#ifndef GREENDC_KPI_H
#define GREENDC_KPI_H

#include <stdbool.h>
#include <stddef.h>

/* A KPI value or the reason there is none. */
struct kpi_value {
	bool ok;
	bool applicable; /* false: the model has no data for it (not an error) */
	double v;
	char why[200];    /* the reason in English, for people and logs */
	const char *code; /* the same reason as a stable code for front ends that translate it
	                   * ("no_it_energy", "it_exceeds_dc", ...; docs/api.md); NULL when ok */
};

/* Totals over one period; energy in kWh, water in litres. */
struct kpi_inputs {
	double e_facility; /* utility feeds */
	double e_backup;   /* backup generation */
	double e_onsite;   /* on-site renewable, behind the meter */
	double e_it;
	double e_cooling;
	double e_reuse;
	double e_heat_removed;
	double e_certificates; /* GoO + PPA retired for the period */
	double water_l, potable_l;
	bool have_cooling, have_reuse, have_heat_removed, have_water, have_potable;
	double cef;        /* location-based grid factor, kgCO2/kWh */
	double backup_cef; /* kgCO2/kWh of generated energy; < 0 = unknown */
};

struct kpi_results {
	double e_dc;
	struct kpi_value pue, dcie, ppue_cooling, wue, cue, erf, ref, cer;
};

/* E_DC = facility input + backup generation + on-site renewable (all energy inside the
 * boundary, EN 50600-4-2). */
double kpi_e_dc(const struct kpi_inputs *in);

/* PUE = E_DC / E_IT (ISO/IEC 30134-2); error when E_IT <= 0 or E_IT > E_DC. */
void kpi_pue(double e_dc, double e_it, struct kpi_value *out);

/* pPUE = (E_infra + E_IT) / E_IT for a zone or subsystem (ISO/IEC 30134-2 annex). */
void kpi_ppue(double e_infra, double e_it, struct kpi_value *out);

/* All of the above from one set of totals. */
void kpi_compute(const struct kpi_inputs *in, struct kpi_results *out);

/* GB 40879-2021 grade for an annual ratio against limits[3] (ascending): 1, 2, 3, or 0 when
 * above the grade-3 limit. */
int kpi_gb40879_grade(double eeue, const double limits[3]);

/* What the PUE category rests on, as every front end words it: "category 2: E_IT at PDU
 * output" (1 UPS output, 2 PDU output, 3 IT equipment input), "no IT metering" otherwise. */
const char *kpi_category_text(int category);

/* "PUE2, 2026-10, 1.313": the compliant label (Green Grid 2011), category 0 = "PUE"; the
 * ratio with three decimals, as ISO/IEC 30134-2 prints it and as every front end shows it. */
void kpi_label(int category, const char *period, double pue, char *buf, size_t len);

#endif
