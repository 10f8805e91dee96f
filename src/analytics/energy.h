/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The energy model (the `energy:` config section) and the interval engine that turns stored
 * series into energy per role per interval in site time: counters through their rollup
 * deltas, power gauges through the trapezoid rule (ESTIMATED), with per-interval status and
 * coverage. The KPIs on top of it are pure functions in kpi.h. See docs/energy.md and
 * docs/internals/analytics.md.
 *
 * Site time is the process zone: the caller has run time_zone_set() (core/timeutil.h) with
 * site.timezone before any thread started; nothing here changes the zone, so every function
 * is safe from any thread.
 */
#ifndef GREENDC_ENERGY_H
#define GREENDC_ENERGY_H

#include "analytics/kpi.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct config_diag;
struct ydoc;
struct store_reader;

enum energy_role {
	ROLE_FACILITY_INPUT,    /* utility feeds at the site boundary: E_DC */
	ROLE_BACKUP_GENERATION, /* E_DC-BG, part of E_DC */
	ROLE_IT_UPS_OUTPUT,     /* E_IT, category 1 */
	ROLE_IT_PDU_OUTPUT,     /* E_IT, category 2 */
	ROLE_IT_INPUT,          /* E_IT, category 3 */
	ROLE_COOLING,
	ROLE_LIGHTING_OTHER,
	ROLE_ONSITE_RENEWABLE, /* behind the utility meter: added to E_DC */
	ROLE_REUSED_HEAT,      /* E_REUSE handed over at the boundary (kWh) */
	ROLE_HEAT_REMOVED,     /* heat removed by the cooling plant (kWh), for CER */
	ROLE_WATER_INTAKE,     /* W_IN (m3 stored, litres reported) */
	ROLE_WATER_POTABLE,    /* W_IN-POT */
	ROLE_COUNT
};

/* "facility_input", ... ; NULL for an out-of-range role. */
const char *energy_role_name(enum energy_role role);

/* One series selector: every stored series with this metric whose device (when given) and
 * labels (every pair given) match. */
struct energy_selector {
	const char *device; /* NULL = any */
	const char *metric;
	const char *const *label_keys;
	const char *const *label_values;
	size_t nlabels;
	const char *zone; /* for pPUE; NULL = none */
	const char *file;
	int line;
};

/* Renewable energy certificates retired for a period (GoO, PPA), entered by hand. */
struct energy_certificate {
	const char *period; /* "2026", "2026-10" */
	double kwh;
	const char *kind; /* "goo", "ppa" */
};

struct energy_model {
	bool present; /* the section exists */
	struct energy_selector *sel[ROLE_COUNT];
	size_t nsel[ROLE_COUNT];
	struct energy_certificate *certs;
	size_t ncerts;
	double co2_kg_per_kwh; /* location-based grid factor */
	const char *co2_source;
	int co2_year;
	double backup_co2_kg_per_kwh; /* < 0 = not given */
	double grade[3];              /* GB 40879 grade 1/2/3 upper limits (unconfirmed defaults) */
	double coverage_min;          /* an interval below this share of metered time is MISSING */
	int64_t max_gap_ms;           /* power samples further apart are not integrated across */
	const char *boundary;         /* free-text site boundary notes */
	const char *file;
	int line;
};

/* The config section's parser and whole-config check (rows in config_sections.c). */
void energy_config_parse(struct ydoc *y, struct config *cfg, const char *path, void *node);
void energy_config_validate(const struct config *cfg, struct config_diag *diag);

/* The role a stored series plays in the model m (NULL: none), for labelling it where it is
 * shown (/metrics): the first role with a selector that picks its device and labels and names
 * its metric (*exact = true: a series energy_compute reads), else the first whose selector
 * picks its device and labels when the series is power_w (the series energy_interim reads in
 * place of the selector's metric). -1 when no selector picks it. */
int energy_series_role(const struct energy_model *m, const char *device, const char *metric,
                       const char *labels, bool *exact);

/* The lowest metered IT level fixes the PUE category (DOMAIN.md section 1): IT input (3), else
 * PDU output (2), else UPS output (1), by which IT roles have series (nseries[role] > 0);
 * *category is 0 when none has. The one rule energy_compute, energy_interim and /metrics use. */
enum energy_role energy_it_role(const int nseries[ROLE_COUNT], int *category);

/* Why this model cannot produce a PUE, or NULL when it can. */
const char *energy_model_problem(const struct energy_model *m);

/* OK: metered. ESTIMATED: part of the energy is integrated power, or a counter's delta spread
 * over a gap in its readings that crosses the interval's edges. MISSING: coverage below
 * coverage_min. IN_PROGRESS: the interval has not ended at the engine's now_ms: whatever its
 * coverage so far, nothing about it is final (it wins over the other three). */
enum energy_status { ENERGY_OK, ENERGY_ESTIMATED, ENERGY_MISSING, ENERGY_IN_PROGRESS };
/* "OK", "ESTIMATED", "MISSING", "IN_PROGRESS". */
const char *energy_status_name(enum energy_status s);

/* The status rule of every interval (energy_compute's roles, and groups of series read
 * through an energy_frame): IN_PROGRESS if it has not ended, else MISSING if it has series
 * and coverage < m->coverage_min, else ESTIMATED if any of it is estimated (integrated power,
 * or ngaps gaps spread across its edges), else OK. */
enum energy_status energy_interval_status(const struct energy_model *m, bool in_progress,
                                          int nseries, double coverage, double estimated,
                                          int ngaps);

/* Report units per stored unit from the metric name (counters: *_kwh 1, *_wh 1e-3, *_m3
 * 1000 (litres), *_l 1) or per unit x ms (gauges: *_kw, *_w, *_m3h). 0 or -EINVAL. */
int energy_unit_factor(const char *metric, bool counter, double *f);

/* Totals of one role over one interval. */
struct energy_role_total {
	double value;     /* kWh, or litres for water */
	double estimated; /* part of value from integrated power or spread over a gap that
	                   * crosses the interval's edges */
	double coverage;  /* share of the series' elapsed time metered, 0..1; 1 when the role
	                   * is empty */
	int nseries;      /* series that matched */
	enum energy_status status;
	/* share of the elapsed time whose slot energy is an estimate (integrated power, or a
	 * counter's delta spread over a gap in its readings, even a gap the interval holds
	 * whole), mean over the role's series, 0..1: the time a 15-minute or daily figure of
	 * the role rests on an estimate. Metered time = coverage - est_time. */
	double est_time;
};

struct energy_interval {
	int64_t from_ms, to_ms; /* UTC, [from, to) */
	char label[32];         /* local: "2026-10", "2026-10-05", "2026-10-05T13:00", "2026" */
	struct energy_role_total role[ROLE_COUNT];
	double peak_fac_kwh, peak_it_kwh; /* the slot with the highest facility energy (PUE0) */
	int months; /* calendar months fully inside, ended, with facility data (annual check) */
	bool in_progress;   /* not ended at the report's now_ms: status IN_PROGRESS */
	int64_t elapsed_ms; /* of [from, to), the part before now_ms */
	int gap;            /* rep->gaps[gap] is the first gap whose spread is estimated here; -1 */
	int ngaps;          /* gaps whose spread energy is estimated here (listed or not) */
};

/*
 * A gap in one counter's readings: its next reading carried the energy of the whole gap, and
 * the engine spread that delta over the gap's slots (by the shape of the same device's
 * power_w series where it has one for every slot, else evenly per elapsed ms). Slots that got
 * part of it are ESTIMATED unless the interval holds the whole gap (then its total is exact).
 */
struct energy_gap {
	int64_t series;
	char name[96]; /* "utility energy_kwh{phase=L1}" */
	enum energy_role role;
	int64_t last_ms;  /* the last reading before the gap */
	int64_t next_ms;  /* the first reading after it */
	bool by_power;    /* spread by the power series' shape, else evenly */
	double value;     /* the delta spread (kWh, or L), also where outside the period */
	double in_period; /* of it, what fell inside [from, to) */
};
#define ENERGY_MAX_GAPS 64 /* listed per report; more are counted in ngaps_total */

enum energy_step { STEP_15MIN, STEP_HOUR, STEP_DAY, STEP_MONTH, STEP_YEAR, STEP_WHOLE };

/* A period resolved in site time. */
struct energy_period {
	int64_t from_ms, to_ms;
	char label[48];
	enum energy_step
	        kind; /* what the label names: DAY, MONTH, YEAR, or WHOLE for --from/--to */
};

/* Parse "2026", "2026-10" or "2026-10-05" as site-time calendar periods. 0 or -EINVAL. */
int energy_period_parse(const char *s, struct energy_period *out);

/* energy_period_parse, and the periods running at now_ms: "today" and "month" (the API's
 * period= and the CLI's --period take the same words). 0 or -EINVAL. */
int energy_period_parse_at(const char *s, int64_t now_ms, struct energy_period *out);

/* The last n site-time units of `by` (hour, day or month) up to now_ms: from the start of the
 * unit n - 1 before the one holding now_ms to the end of that one (still running), labelled
 * "2026-11-04..2026-12-03". The dashboard's "PUE by day, last 30 days". 0 or -EINVAL (n 0). */
int energy_period_last(int64_t now_ms, enum energy_step by, unsigned n, struct energy_period *out);

/* Start of the site-time interval containing t, and the start of the next (DST-aware). */
int64_t energy_local_floor(int64_t t_ms, enum energy_step step);
int64_t energy_local_next(int64_t t_ms, enum energy_step step);

/* Label of the site-time interval starting at t ("2026-10", ...). */
void energy_local_label(int64_t t_ms, enum energy_step step, char *buf, size_t len);

struct energy_report {
	struct energy_interval *iv; /* malloc'ed; energy_report_free */
	size_t n;
	struct energy_interval total; /* the whole period */
	int category;                 /* 1..3 from the lowest IT level with series; 0 = none */
	enum energy_role it_role;
	char method[96]; /* how power was integrated, "" if no gauge series */
	int64_t slot_ms;
	int64_t now_ms; /* what "now" was: intervals ending after it are IN_PROGRESS */
	struct energy_gap gaps[ENERGY_MAX_GAPS]; /* gaps spread: series by series, in time */
	size_t ngaps, ngaps_total;
	/* Zone totals over the whole period for pPUE: infrastructure (cooling, lighting_other)
	 * and IT at the report's category level, per selector zone. */
	struct energy_zone {
		const char *name; /* borrowed from the model */
		double infra, it;
	} zones[16];
	size_t nzones;
	char err[200]; /* why energy_compute failed */
};

/*
 * Energy per role for [from, to) in site-time intervals of `by` (STEP_WHOLE = one interval),
 * from the store, as known at now_ms (callers pass the wall clock; tests a fixed instant).
 * Slots of 1 h (15 min when by is STEP_15MIN) are the unit of coverage. An interval ending
 * after now_ms is IN_PROGRESS and its coverage is metered time over elapsed time. A counter
 * delta that spans a gap in the readings is spread over the gap (struct energy_gap).
 * 0 or -errno (why in out->err).
 */
int energy_compute(struct store_reader *r, const struct energy_model *m, int64_t from_ms,
                   int64_t to_ms, enum energy_step by, int64_t now_ms, struct energy_report *out);
void energy_report_free(struct energy_report *rep);

/*
 * How an interval's estimated energy was obtained, for every front end to print as is:
 * "trapezoid over raw power samples, gaps > 300s not bridged; spread over the gap
 * 2026-10-05T12:45:00Z..16:00:00Z in utility energy_kwh by power shape (and 2 more gaps)".
 * "" when nothing in it is estimated.
 */
void energy_interval_method(const struct energy_report *rep, const struct energy_interval *iv,
                            char *buf, size_t len);

/* "3 min of 60", "9.5 h of 24", "1.6 days of 31": how much of an interval has elapsed. */
void energy_elapsed_text(const struct energy_interval *iv, char *buf, size_t len);

/*
 * Evidence about the data behind a period's figures, per role, for a regulator's checks
 * (energy_quality.c, docs/reports.md "Data quality"), from the series energy_compute reads:
 *
 * - counter_delta: the increase of the role's counters over [from, end) as their registers
 *   show it (the stored readings' difference: wraps unwrapped, replacements and rejected
 *   jumps as the store counted them; end = min(to, now)), to hold against the sum of the
 *   role's daily (monthly) figures, which also carry what was spread over gaps crossing the
 *   period's edges;
 * - alignment: for every counter and every boundary b of `by` in [from, end] (site-time
 *   midnights for STEP_DAY, first days for STEP_MONTH), how far its reading nearest b is
 *   from b: aligned when a reading lies within tol_ms of b on either side (the regulator's
 *   "daily data at 00:00 +-1 min"); otherwise the distance to the latest reading before b.
 */
struct energy_quality_role {
	int counters, gauges;     /* series of the role, by kind */
	double counter_delta;     /* report units (kWh, L); 0 without counters */
	int boundaries, aligned;  /* (counter, boundary) pairs checked; of them within tol_ms */
	int no_reading;           /* pairs with no reading within one interval before b */
	int64_t worst_ms;         /* the largest offset among pairs with a reading; -1 none */
	int64_t start_ms, end_ms; /* the largest at the period's first and last boundary; -1 */
};
int energy_quality(struct store_reader *r, const struct energy_model *m, int64_t from_ms,
                   int64_t to_ms, enum energy_step by, int64_t now_ms, int64_t tol_ms,
                   struct energy_quality_role out[ROLE_COUNT], char *err, size_t errlen);

/*
 * Interim PUE inputs: mean power (W) over [to - window, to) of the power_w series of the same
 * devices and labels as the facility_input + backup_generation + onsite_renewable selectors
 * and as the lowest IT level's selectors. A power ratio, never an energy PUE: report it as
 * "interim". 0 or -errno (-ENOENT: no power series for one side).
 */
int energy_interim(struct store_reader *r, const struct energy_model *m, int64_t to_ms,
                   int64_t window_ms, double *dc_w, double *it_w, int *category);

/* Certificates entered for periods inside [from, to) (a month's, or the year's). */
double energy_certificates(const struct energy_model *m, int64_t from_ms, int64_t to_ms);
/* The same for one kind only ("goo", "ppa"): the parts of REF's renewable energy. */
double energy_certificates_kind(const struct energy_model *m, int64_t from_ms, int64_t to_ms,
                                const char *kind);

/* The KPI inputs of one interval: energy per role, which KPIs have metered inputs, the
 * certificates credited to it and the model's CO2 factors (it_role from the report). */
void energy_kpi_inputs(const struct energy_model *m, enum energy_role it_role,
                       const struct energy_interval *iv, double certs, struct kpi_inputs *in);

/*
 * The figures of one interval as every front end publishes them (the report, the summary,
 * `greendc pue`/`kpi`, /api/v1/pue): the KPIs from energy_kpi_inputs(), E_IT at the report's
 * category, the status of what E_DC and E_IT rest on (the worst of facility input, backup
 * generation, on-site renewable and the IT role), their coverage (the lower of facility and
 * IT), the estimated share of kWh (water excluded), and whether the PUE may be published:
 * status OK or ESTIMATED and the PUE valid. Otherwise why says so ("coverage 93.1 % is below
 * 95.0 %: not published", "in progress: 9.5 h of 24 elapsed; not final", or the PUE's own
 * error). An interval in progress is never published; it is provisional when what has
 * elapsed is covered and its ratio so far is valid.
 */
struct energy_figures {
	struct kpi_inputs in;
	struct kpi_results k;
	double e_it, coverage, est_share;
	enum energy_status status;
	bool published;   /* final and valid: print the ratio */
	bool provisional; /* IN_PROGRESS, covered so far and valid: a ratio so far, never final */
	char why[240];    /* why not published ("in progress: 3 min of 60 elapsed; not final") */
	/* The same reason as codes for front ends that translate (docs/api.md): "in_progress",
	 * "coverage_below" or the PUE's own kpi code; for an interval in progress, code_more is
	 * what else stands in the way ("coverage_below", a kpi code) or NULL. NULL when
	 * published. The parameters are the fields above (coverage, the interval's times). */
	const char *code, *code_more;
};
void energy_figures(const struct energy_model *m, const struct energy_report *rep,
                    const struct energy_interval *iv, double certs, struct energy_figures *out);

/*
 * E_DC of one interval split by use, for a chart of energy by role: IT at the report's
 * category, cooling, lighting and other, and the rest = E_DC minus those three (power delivery
 * losses between the utility meters and the IT meters, and loads no meter covers). kWh. A use
 * the model has no series for is NAN; so is the rest when the metered uses exceed E_DC (meters
 * that disagree: nothing to show, never a negative bar).
 */
struct energy_uses {
	double e_dc, it, cooling, other, rest;
};
void energy_uses(const struct energy_report *rep, const struct energy_interval *iv,
                 struct energy_uses *out);

#endif
