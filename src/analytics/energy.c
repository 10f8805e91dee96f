/*
 * The interval engine: energy per role per local interval from the store. Counters come from
 * their rollup deltas through store_query (a year is 8,760 hourly rollup rows per series,
 * never raw samples); power gauges are integrated with the trapezoid rule over raw samples
 * and flagged ESTIMATED. Coverage is counted in slots (1 h, or 15 min) so that a gap shows as
 * MISSING intervals rather than being interpolated. Local calendar boundaries are site time,
 * the process zone that time_zone_set() fixed before any thread started (core/timeutil.h), so
 * every function here is safe from any thread. See docs/internals/analytics.md.
 */

#include "analytics/energy.h"

#include "analytics/kpi.h"

#include "core/labels.h"
#include "core/timeutil.h"

#include "store/store.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOUR_MS INT64_C(3600000)

/* ---- local time (the process zone: core/timeutil.h) ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b < 0) ? q - 1 : q;
}

/* energy_step's calendar units are core/timeutil.h's, in the same order. */
_Static_assert((int)STEP_15MIN == (int)TIME_15MIN && (int)STEP_HOUR == (int)TIME_HOUR &&
                       (int)STEP_DAY == (int)TIME_DAY && (int)STEP_MONTH == (int)TIME_MONTH &&
                       (int)STEP_YEAR == (int)TIME_YEAR,
               "energy_step and time_unit differ");

int64_t energy_local_floor(int64_t t_ms, enum energy_step step)
{
	return time_local_floor(t_ms, (enum time_unit)step);
}

int64_t energy_local_next(int64_t t_ms, enum energy_step step)
{
	return time_local_next(t_ms, (enum time_unit)step);
}

void energy_local_label(int64_t t_ms, enum energy_step step, char *buf, size_t len)
{
	time_local_label(t_ms, (enum time_unit)step, buf, len);
}

int energy_period_parse(const char *s, struct energy_period *out)
{
	enum time_unit u;
	int rc = time_period_parse(s, &out->from_ms, &out->to_ms, &u);
	if (rc < 0)
		return rc;
	out->kind = (enum energy_step)u;
	snprintf(out->label, sizeof(out->label), "%s", s);
	return 0;
}

const char *energy_status_name(enum energy_status s)
{
	return s == ENERGY_OK ? "OK" : s == ENERGY_ESTIMATED ? "ESTIMATED" : "MISSING";
}

/* ---- series resolution ---- */

struct matched {
	int64_t id;
	bool counter;
	double factor; /* counters: report units per stored unit; gauges: per unit x ms */
	enum energy_role role;
	const char *zone;
	double sum; /* over the whole period, report units */
};

struct resolve {
	const struct energy_model *m;
	struct matched *v;
	size_t n, cap;
	char *err;
	size_t errlen;
	int rc;
};

/* Does the canonical "k=v,k=v" string contain key=value (values compared unescaped)? An
 * empty value asks for the key to be absent: {phase: ""} picks a meter's total, not its
 * per-phase counters. */
static bool labels_have(const char *labels, const char *key, const char *value)
{
	char v[512];
	if (!labels_get(labels, key, v, sizeof(v)))
		return !*value;
	return strcmp(v, value) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Units come from the metric name (the registry puts them there): kWh and m3 counters, W and
 * m3/h gauges. Water is reported in litres, energy in kWh. */
static int unit_factor(const char *metric, bool counter, double *f)
{
	if (counter) {
		if (ends_with(metric, "_kwh"))
			*f = 1;
		else if (ends_with(metric, "_wh"))
			*f = 1e-3;
		else if (ends_with(metric, "_m3"))
			*f = 1000;
		else if (ends_with(metric, "_l"))
			*f = 1;
		else
			return -EINVAL;
	} else {
		if (ends_with(metric, "_kw"))
			*f = 1.0 / 3.6e6;
		else if (ends_with(metric, "_w"))
			*f = 1.0 / 3.6e9;
		else if (ends_with(metric, "_m3h"))
			*f = 1000.0 / 3.6e6;
		else
			return -EINVAL;
	}
	return 0;
}

/* Does selector s pick the series of this device and labels (its metric aside)? */
static bool sel_match(const struct energy_selector *s, const char *device, const char *labels)
{
	if (s->device && strcmp(s->device, device) != 0)
		return false;
	for (size_t j = 0; j < s->nlabels; j++)
		if (!labels_have(labels, s->label_keys[j], s->label_values[j]))
			return false;
	return true;
}

int energy_series_role(const struct energy_model *m, const char *device, const char *metric,
                       const char *labels, bool *exact)
{
	int found = -1;
	*exact = false;
	for (int role = 0; m && role < ROLE_COUNT; role++) {
		for (size_t i = 0; i < m->nsel[role]; i++) {
			const struct energy_selector *s = &m->sel[role][i];
			bool same = strcmp(s->metric, metric) == 0;
			if (!same && strcmp(metric, "power_w") != 0)
				continue;
			if (!sel_match(s, device, labels))
				continue;
			if (same) { /* the series energy_compute reads wins over a power view */
				*exact = true;
				return role;
			}
			if (found < 0)
				found = role;
		}
	}
	return found;
}

enum energy_role energy_it_role(const int nseries[ROLE_COUNT], int *category)
{
	if (nseries[ROLE_IT_INPUT]) {
		*category = 3;
		return ROLE_IT_INPUT;
	}
	if (nseries[ROLE_IT_PDU_OUTPUT]) {
		*category = 2;
		return ROLE_IT_PDU_OUTPUT;
	}
	*category = nseries[ROLE_IT_UPS_OUTPUT] ? 1 : 0;
	return ROLE_IT_UPS_OUTPUT;
}

static int resolve_cb(void *ctx, const struct store_series_info *info)
{
	struct resolve *rs = ctx;
	for (int role = 0; role < ROLE_COUNT; role++) {
		for (size_t i = 0; i < rs->m->nsel[role]; i++) {
			const struct energy_selector *s = &rs->m->sel[role][i];
			if (strcmp(s->metric, info->metric) != 0)
				continue;
			if (!sel_match(s, info->device, info->labels))
				continue;
			struct matched mt = {.id = info->id,
			                     .counter = info->kind == STORE_COUNTER,
			                     .role = (enum energy_role)role,
			                     .zone = s->zone};
			if (unit_factor(info->metric, mt.counter, &mt.factor) < 0) {
				snprintf(rs->err, rs->errlen,
				         "%s:%d: energy.roles.%s: %s %s: no energy/volume unit in "
				         "the metric name for a %s",
				         s->file ? s->file : "?", s->line,
				         energy_role_name(mt.role), info->device, info->metric,
				         mt.counter ? "counter" : "gauge");
				rs->rc = -EINVAL;
				return 1;
			}
			if (rs->n == rs->cap) {
				size_t cap = rs->cap ? rs->cap * 2 : 32;
				struct matched *nv = realloc(rs->v, cap * sizeof(*nv));
				if (!nv) {
					rs->rc = -ENOMEM;
					return 1;
				}
				rs->v = nv;
				rs->cap = cap;
			}
			rs->v[rs->n++] = mt;
			goto next_role; /* one series counts once per role */
		}
	next_role:;
	}
	return 0;
}

/* ---- slots ---- */

struct slots {
	int64_t from, slot;
	size_t n;
	double *val, *est; /* [role * n + i] */
	int nseries[ROLE_COUNT];
	double *cur_val, *cur_cov; /* the series being read: [i] */
	bool cur_pre; /* the series being read has a counter reading in the slot before from */
	/* Per matched series j: share of slot i with data [j * n + i], and whether a counter
	 * reading fell in slot i [j * (n + 1) + 1 + i] or in the slot before from [j * (n + 1)]. */
	double *scov;
	uint8_t *rd;
};

static int counter_cb(void *ctx, int64_t bucket, double value, int64_t count)
{
	struct slots *s = ctx;
	int64_t i = floor_div(bucket - s->from, s->slot);
	if (i == -1 && count > 0)
		s->cur_pre = true; /* only the reading matters: its energy is before the period */
	if (i < 0 || (size_t)i >= s->n || !isfinite(value))
		return 0;
	s->cur_val[i] += value;
	if (count > 0)
		s->cur_cov[i] = 1;
	return 0;
}

struct integ {
	struct slots *s;
	int64_t max_gap, lo, hi;
	bool have;
	int64_t t0;
	double v0;
};

/* Add the trapezoid between (a, va) and (b, vb), clipped to [lo, hi), slot by slot with the
 * value interpolated linearly at slot boundaries. */
static void integ_add(struct integ *g, int64_t a, double va, int64_t b, double vb)
{
	struct slots *s = g->s;
	int64_t x0 = a > g->lo ? a : g->lo, x1 = b < g->hi ? b : g->hi;
	while (x0 < x1) {
		int64_t i = (x0 - s->from) / s->slot;
		int64_t end = s->from + (i + 1) * s->slot;
		if (end > x1)
			end = x1;
		double f0 = va + (vb - va) * (double)(x0 - a) / (double)(b - a);
		double f1 = va + (vb - va) * (double)(end - a) / (double)(b - a);
		s->cur_val[i] += 0.5 * (f0 + f1) * (double)(end - x0);
		s->cur_cov[i] += (double)(end - x0) / (double)s->slot;
		x0 = end;
	}
}

static int gauge_cb(void *ctx, int64_t ts, double v)
{
	struct integ *g = ctx;
	if (!isfinite(v)) {
		g->have = false; /* a NaN breaks the line: the gap is not bridged */
		return 0;
	}
	if (g->have && ts > g->t0 && ts - g->t0 <= g->max_gap)
		integ_add(g, g->t0, g->v0, ts, v);
	g->have = true;
	g->t0 = ts;
	g->v0 = v;
	return 0;
}

static int read_series(struct store_reader *r, const struct energy_model *m, struct slots *s,
                       struct matched *mt, size_t j, int64_t to)
{
	memset(s->cur_val, 0, s->n * sizeof(double));
	memset(s->cur_cov, 0, s->n * sizeof(double));
	s->cur_pre = false;
	int rc;
	if (mt->counter) {
		/* One slot early: a reading just before the period brackets its start. */
		rc = store_query(r, mt->id, s->from - s->slot, to, s->slot, AGG_DELTA, counter_cb,
		                 s);
	} else {
		struct integ g = {.s = s, .max_gap = m->max_gap_ms, .lo = s->from, .hi = to};
		rc = store_read_raw(r, mt->id, s->from - m->max_gap_ms, to + m->max_gap_ms,
		                    gauge_cb, &g);
	}
	if (rc < 0)
		return rc;
	size_t base = (size_t)mt->role * s->n;
	for (size_t i = 0; i < s->n; i++) {
		double v = s->cur_val[i] * mt->factor;
		mt->sum += v;
		s->val[base + i] += v;
		if (!mt->counter)
			s->est[base + i] += v;
		s->scov[j * s->n + i] = s->cur_cov[i] > 1 ? 1 : s->cur_cov[i];
		s->rd[j * (s->n + 1) + 1 + i] = mt->counter && s->cur_cov[i] > 0;
	}
	s->rd[j * (s->n + 1)] = s->cur_pre;
	s->nseries[mt->role]++;
	return 0;
}

/* Zone totals need the category, known once every series is read: a second pass over the
 * per-series sums kept in `matched`. */
static void zone_add(struct energy_report *rep, const struct matched *mt, enum energy_role it)
{
	bool infra = mt->role == ROLE_COOLING || mt->role == ROLE_LIGHTING_OTHER;
	if (!mt->zone || (!infra && mt->role != it))
		return;
	size_t z;
	for (z = 0; z < rep->nzones; z++)
		if (strcmp(rep->zones[z].name, mt->zone) == 0)
			break;
	if (z == rep->nzones) {
		if (z == sizeof(rep->zones) / sizeof(rep->zones[0]))
			return;
		rep->zones[rep->nzones++].name = mt->zone;
	}
	if (infra)
		rep->zones[z].infra += mt->sum;
	else
		rep->zones[z].it += mt->sum;
}

/* ---- intervals ---- */

static double dc_slot(const struct slots *s, size_t i)
{
	return s->val[ROLE_FACILITY_INPUT * s->n + i] + s->val[ROLE_BACKUP_GENERATION * s->n + i] +
	       s->val[ROLE_ONSITE_RENEWABLE * s->n + i];
}

/*
 * Coverage of matched series j over slots [i0, i1). A counter with a reading in the slot just
 * before the interval and one in its last slot metered the interval's whole energy, whatever
 * happened between (a counter integrates: monthly meter readings cover their months). Otherwise
 * it is the share of slots with data, so a gap inside a short interval shows as MISSING.
 */
static double series_coverage(const struct slots *s, size_t j, size_t i0, size_t i1)
{
	if (i1 <= i0)
		return 0;
	const uint8_t *rd = s->rd + j * (s->n + 1);
	if (rd[i0] && rd[i1]) /* rd[k] is slot k - 1 */
		return 1;
	double c = 0;
	for (size_t i = i0; i < i1; i++)
		c += s->scov[j * s->n + i];
	return c / (double)(i1 - i0);
}

/* Mean coverage of role r's series over slots [i0, i1); 1 when the role has none. */
static double role_coverage(const struct slots *s, const struct matched *v, size_t nv,
                            enum energy_role r, size_t i0, size_t i1)
{
	double c = 0;
	int ns = 0;
	for (size_t j = 0; j < nv; j++) {
		if (v[j].role != r)
			continue;
		c += series_coverage(s, j, i0, i1);
		ns++;
	}
	return ns ? c / ns : 1;
}

static void fill_interval(const struct slots *s, const struct matched *v, size_t nv,
                          const struct energy_model *m, enum energy_role it, int64_t a, int64_t b,
                          struct energy_interval *iv)
{
	size_t i0 = (size_t)((a - s->from) / s->slot), i1 = (size_t)((b - s->from) / s->slot);
	iv->from_ms = a;
	iv->to_ms = b;
	for (int r = 0; r < ROLE_COUNT; r++) {
		struct energy_role_total *t = &iv->role[r];
		memset(t, 0, sizeof(*t));
		for (size_t i = i0; i < i1; i++) {
			t->value += s->val[r * s->n + i];
			t->estimated += s->est[r * s->n + i];
		}
		t->nseries = s->nseries[r];
		t->coverage = t->nseries ? role_coverage(s, v, nv, (enum energy_role)r, i0, i1) : 1;
		/* Rounding in the sum of shares must not turn full coverage into a gap. */
		if (t->coverage > 1 - 1e-9)
			t->coverage = 1;
		if (t->nseries && t->coverage < m->coverage_min)
			t->status = ENERGY_MISSING;
		else if (t->estimated > 0)
			t->status = ENERGY_ESTIMATED;
		else
			t->status = ENERGY_OK;
	}
	double peak = -1;
	for (size_t i = i0; i < i1; i++) {
		double dc = dc_slot(s, i);
		if (dc > peak) {
			peak = dc;
			iv->peak_fac_kwh = dc;
			iv->peak_it_kwh = s->val[it * s->n + i];
		}
	}
	/* Calendar months wholly inside with facility and IT coverage at the threshold. */
	iv->months = 0;
	for (int64_t ma = a; ma < b;) {
		int64_t ms = energy_local_floor(ma, STEP_MONTH),
		        me = energy_local_next(ma, STEP_MONTH);
		if (ms >= a && me <= b) {
			size_t j0 = (size_t)((ms - s->from) / s->slot);
			size_t j1 = (size_t)((me - s->from) / s->slot);
			bool ok = true;
			enum energy_role need[2] = {ROLE_FACILITY_INPUT, it};
			for (int k = 0; k < 2 && ok; k++)
				ok = s->nseries[need[k]] &&
				     role_coverage(s, v, nv, need[k], j0, j1) >=
				             m->coverage_min - 1e-9;
			iv->months += ok;
		}
		ma = me;
	}
}

int energy_compute(struct store_reader *r, const struct energy_model *m, int64_t from_ms,
                   int64_t to_ms, enum energy_step by, struct energy_report *out)
{
	memset(out, 0, sizeof(*out));
	struct slots s = {.from = from_ms, .slot = by == STEP_15MIN ? 15 * 60000 : HOUR_MS};
	out->slot_ms = s.slot;
	if (to_ms <= from_ms || (to_ms - from_ms) % s.slot) {
		snprintf(out->err, sizeof(out->err),
		         "the period must be a whole number of %s slots",
		         by == STEP_15MIN ? "15 min" : "1 h");
		return -EINVAL;
	}
	const char *problem = energy_model_problem(m);
	if (problem) {
		snprintf(out->err, sizeof(out->err), "energy model: %s", problem);
		return -EINVAL;
	}
	s.n = (size_t)((to_ms - from_ms) / s.slot);
	struct resolve rs = {.m = m, .err = out->err, .errlen = sizeof(out->err)};
	int rc = store_series_find(r, NULL, resolve_cb, &rs);
	if (rc >= 0 && rs.rc < 0)
		rc = rs.rc;
	size_t cells = (size_t)ROLE_COUNT * s.n;
	s.val = calloc(cells, sizeof(double));
	s.est = calloc(cells, sizeof(double));
	s.cur_val = calloc(s.n, sizeof(double));
	s.cur_cov = calloc(s.n, sizeof(double));
	s.scov = calloc((rs.n ? rs.n : 1) * s.n, sizeof(double));
	s.rd = calloc((rs.n ? rs.n : 1) * (s.n + 1), 1);
	if (rc >= 0 && (!s.val || !s.est || !s.scov || !s.rd || !s.cur_val || !s.cur_cov))
		rc = -ENOMEM;
	for (size_t i = 0; rc >= 0 && i < rs.n; i++) {
		rc = read_series(r, m, &s, &rs.v[i], i, to_ms);
		if (rc < 0)
			snprintf(out->err, sizeof(out->err), "reading series %lld: %s",
			         (long long)rs.v[i].id, strerror(-rc));
	}
	if (rc >= 0) {
		out->it_role = energy_it_role(s.nseries, &out->category);
		for (size_t i = 0; i < rs.n; i++)
			zone_add(out, &rs.v[i], out->it_role);
		bool gauges = false;
		for (size_t i = 0; i < rs.n; i++)
			gauges |= !rs.v[i].counter;
		if (gauges)
			snprintf(out->method, sizeof(out->method),
			         "trapezoid over raw power samples, gaps > %llds not bridged",
			         (long long)(m->max_gap_ms / 1000));
		fill_interval(&s, rs.v, rs.n, m, out->it_role, from_ms, to_ms, &out->total);
		snprintf(out->total.label, sizeof(out->total.label), "total");
		if (by != STEP_WHOLE) {
			size_t cap = 0;
			for (int64_t a = from_ms; a < to_ms; a = energy_local_next(a, by))
				cap++;
			out->iv = calloc(cap ? cap : 1, sizeof(*out->iv));
			if (!out->iv)
				rc = -ENOMEM;
			for (int64_t a = from_ms; rc >= 0 && a < to_ms;) {
				int64_t b = energy_local_next(a, by);
				if (b > to_ms)
					b = to_ms;
				struct energy_interval *iv = &out->iv[out->n++];
				fill_interval(&s, rs.v, rs.n, m, out->it_role, a, b, iv);
				energy_local_label(a, by, iv->label, sizeof(iv->label));
				a = b;
			}
		}
	}
	free(s.val);
	free(s.est);
	free(s.scov);
	free(s.rd);
	free(s.cur_val);
	free(s.cur_cov);
	free(rs.v);
	if (rc < 0 && !out->err[0])
		snprintf(out->err, sizeof(out->err), "%s", strerror(-rc));
	if (rc < 0)
		energy_report_free(out);
	return rc < 0 ? rc : 0;
}

void energy_report_free(struct energy_report *rep)
{
	if (!rep)
		return;
	free(rep->iv);
	rep->iv = NULL;
	rep->n = 0;
}

double energy_certificates(const struct energy_model *m, int64_t from_ms, int64_t to_ms)
{
	double sum = 0;
	for (size_t i = 0; i < m->ncerts; i++) {
		struct energy_period p;
		if (energy_period_parse(m->certs[i].period, &p) == 0 && p.from_ms >= from_ms &&
		    p.to_ms <= to_ms)
			sum += m->certs[i].kwh;
	}
	return sum;
}

/* ---- interim (power) PUE ---- */

static int mean_cb(void *ctx, int64_t bucket, double value, int64_t count)
{
	double *acc = ctx; /* sum of value x count, count */
	(void)bucket;
	if (isfinite(value) && count > 0) {
		acc[0] += value * (double)count;
		acc[1] += (double)count;
	}
	return 0;
}

int energy_interim(struct store_reader *r, const struct energy_model *m, int64_t to_ms,
                   int64_t window_ms, double *dc_w, double *it_w, int *category)
{
	/* The same selectors with the metric swapped for power_w. */
	struct energy_model pm = *m;
	struct energy_selector *copies[ROLE_COUNT] = {0};
	int rc = 0;
	for (int role = 0; role < ROLE_COUNT; role++) {
		if (!m->nsel[role])
			continue;
		copies[role] = calloc(m->nsel[role], sizeof(*copies[role]));
		if (!copies[role]) {
			rc = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < m->nsel[role]; i++) {
			copies[role][i] = m->sel[role][i];
			copies[role][i].metric = "power_w";
		}
		pm.sel[role] = copies[role];
	}
	char err[200];
	struct resolve rs = {.m = &pm, .err = err, .errlen = sizeof(err)};
	rc = store_series_find(r, NULL, resolve_cb, &rs);
	if (rc >= 0 && rs.rc < 0)
		rc = rs.rc;
	int have[ROLE_COUNT] = {0};
	double mean[ROLE_COUNT] = {0};
	for (size_t i = 0; rc >= 0 && i < rs.n; i++) {
		double acc[2] = {0, 0};
		if (rs.v[i].counter)
			continue;
		rc = store_query(r, rs.v[i].id, to_ms - window_ms, to_ms, window_ms, AGG_AVG,
		                 mean_cb, acc);
		if (rc >= 0 && acc[1] > 0) {
			mean[rs.v[i].role] += acc[0] / acc[1];
			have[rs.v[i].role]++;
		}
	}
	free(rs.v);
	if (rc < 0)
		goto out;
	enum energy_role it = energy_it_role(have, category);
	if (!*category)
		*category = 1; /* no IT power: -ENOENT below; the category is not used */
	*dc_w = mean[ROLE_FACILITY_INPUT] + mean[ROLE_BACKUP_GENERATION] +
	        mean[ROLE_ONSITE_RENEWABLE];
	*it_w = mean[it];
	if (!have[ROLE_FACILITY_INPUT] || !have[it])
		rc = -ENOENT;
out:
	for (int role = 0; role < ROLE_COUNT; role++)
		free(copies[role]);
	return rc;
}

void energy_kpi_inputs(const struct energy_model *m, enum energy_role it_role,
                       const struct energy_interval *iv, double certs, struct kpi_inputs *in)
{
	const struct energy_role_total *r = iv->role;
	*in = (struct kpi_inputs){
	        .e_facility = r[ROLE_FACILITY_INPUT].value,
	        .e_backup = r[ROLE_BACKUP_GENERATION].value,
	        .e_onsite = r[ROLE_ONSITE_RENEWABLE].value,
	        .e_it = r[it_role].value,
	        .e_cooling = r[ROLE_COOLING].value,
	        .have_cooling = r[ROLE_COOLING].nseries > 0,
	        .e_reuse = r[ROLE_REUSED_HEAT].value,
	        .have_reuse = r[ROLE_REUSED_HEAT].nseries > 0,
	        .e_heat_removed = r[ROLE_HEAT_REMOVED].value,
	        .have_heat_removed = r[ROLE_HEAT_REMOVED].nseries > 0,
	        .water_l = r[ROLE_WATER_INTAKE].value,
	        .have_water = r[ROLE_WATER_INTAKE].nseries > 0,
	        .potable_l = r[ROLE_WATER_POTABLE].value,
	        .have_potable = r[ROLE_WATER_POTABLE].nseries > 0,
	        .e_certificates = certs,
	        .cef = m->co2_kg_per_kwh,
	        .backup_cef = m->backup_co2_kg_per_kwh,
	};
}

static enum energy_status worst(enum energy_status a, enum energy_status b)
{
	return a > b ? a : b;
}

void energy_figures(const struct energy_model *m, const struct energy_report *rep,
                    const struct energy_interval *iv, double certs, struct energy_figures *out)
{
	/* Every role E_DC or E_IT is made of: a MISSING one makes the ratio unpublishable. */
	static const enum energy_role pue_roles[] = {ROLE_FACILITY_INPUT, ROLE_BACKUP_GENERATION,
	                                             ROLE_ONSITE_RENEWABLE};
	const struct energy_role_total *fac = &iv->role[ROLE_FACILITY_INPUT];
	const struct energy_role_total *it = &iv->role[rep->it_role];
	double est = 0, tot = 0;

	memset(out, 0, sizeof(*out));
	energy_kpi_inputs(m, rep->it_role, iv, certs, &out->in);
	kpi_compute(&out->in, &out->k);
	out->e_it = it->value;
	out->coverage = fmin(fac->coverage, it->coverage);
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (r == ROLE_WATER_INTAKE || r == ROLE_WATER_POTABLE)
			continue;
		est += iv->role[r].estimated;
		tot += iv->role[r].value;
	}
	out->est_share = tot > 0 ? est / tot : 0;
	out->status = it->status;
	for (size_t i = 0; i < sizeof(pue_roles) / sizeof(pue_roles[0]); i++)
		out->status = worst(out->status, iv->role[pue_roles[i]].status);
	if (out->status == ENERGY_MISSING)
		snprintf(out->why, sizeof(out->why),
		         "coverage %.1f %% is below %.1f %%: not published", 100 * out->coverage,
		         100 * m->coverage_min);
	else if (!out->k.pue.ok)
		snprintf(out->why, sizeof(out->why), "%s", out->k.pue.why);
	else
		out->published = true;
}
