/* SPDX-License-Identifier: Apache-2.0 */
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
#include "analytics/energy_internal.h"

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

int energy_period_parse_at(const char *s, int64_t now_ms, struct energy_period *out)
{
	bool today = strcmp(s, "today") == 0;
	if (today || strcmp(s, "month") == 0) {
		enum energy_step k = today ? STEP_DAY : STEP_MONTH;
		out->from_ms = energy_local_floor(now_ms, k);
		out->to_ms = energy_local_next(now_ms, k);
		energy_local_label(out->from_ms, k, out->label, sizeof(out->label));
		out->kind = k;
		return 0;
	}
	return energy_period_parse(s, out);
}

int energy_period_last(int64_t now_ms, enum energy_step by, unsigned n, struct energy_period *out)
{
	if (n == 0 || (by != STEP_HOUR && by != STEP_DAY && by != STEP_MONTH))
		return -EINVAL;
	int64_t from = energy_local_floor(now_ms, by);
	out->to_ms = energy_local_next(now_ms, by);
	/* Step back one unit at a time: days and months are not a fixed length in site time. */
	for (unsigned i = 1; i < n; i++)
		from = energy_local_floor(from - 1, by);
	out->from_ms = from;
	out->kind = STEP_WHOLE;
	char a[16], b[16]; /* "2026-11-04": the label of a day or a month */
	energy_local_label(from, by == STEP_HOUR ? STEP_DAY : by, a, sizeof(a));
	energy_local_label(now_ms, by == STEP_HOUR ? STEP_DAY : by, b, sizeof(b));
	if (strcmp(a, b) == 0)
		snprintf(out->label, sizeof(out->label), "%.15s", a);
	else
		snprintf(out->label, sizeof(out->label), "%.15s..%.15s", a, b);
	return 0;
}

const char *energy_status_name(enum energy_status s)
{
	switch (s) {
	case ENERGY_OK:
		return "OK";
	case ENERGY_ESTIMATED:
		return "ESTIMATED";
	case ENERGY_IN_PROGRESS:
		return "IN_PROGRESS";
	default:
		return "MISSING";
	}
}

enum energy_status energy_interval_status(const struct energy_model *m, bool in_progress,
                                          int nseries, double coverage, double estimated, int ngaps)
{
	if (in_progress)
		return ENERGY_IN_PROGRESS;
	if (nseries && coverage < m->coverage_min)
		return ENERGY_MISSING;
	if (estimated > 0 || ngaps)
		return ENERGY_ESTIMATED;
	return ENERGY_OK;
}

/* ---- series resolution ---- */

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

int energy_unit_factor(const char *metric, bool counter, double *f)
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

static void matched_free(struct matched *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].device);
		free(v[i].labels);
		free(v[i].name);
	}
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
			char name[sizeof(((struct energy_gap *)0)->name)];
			if (energy_unit_factor(info->metric, mt.counter, &mt.factor) < 0) {
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
			snprintf(name, sizeof(name), "%s %s%s%s%s", info->device, info->metric,
			         *info->labels ? "{" : "", info->labels, *info->labels ? "}" : "");
			mt.device = strdup(info->device);
			mt.labels = strdup(info->labels);
			mt.name = strdup(name);
			if (!mt.device || !mt.labels || !mt.name) {
				matched_free(&mt, 1);
				rs->rc = -ENOMEM;
				return 1;
			}
			rs->v[rs->n++] = mt;
			goto next_role; /* one series counts once per role */
		}
	next_role:;
	}
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

/* Share of slots [i0, i1) metered by series j: 1 when a counter has a reading in the slot
 * just before and in the last slot (it integrates whatever happened between: monthly meter
 * readings cover their months), else the mean share of its slots, so a hole in a short
 * interval shows. */
static double slots_coverage(const struct slots *s, size_t j, size_t i0, size_t i1)
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

/*
 * Coverage of series j over the interval of slots [i0, i1): the metered share of its elapsed
 * time. An interval that has ended: slots_coverage. One in progress counts its ended slots and
 * the elapsed part of the slot holding now, in which a counter metered up to its latest
 * reading and a power series the time its samples bridge.
 */
double energy_series_coverage(const struct slots *s, size_t j, size_t i0, size_t i1)
{
	int64_t end = s->from + (int64_t)i1 * s->slot;
	if (s->now >= end)
		return slots_coverage(s, j, i0, i1);
	size_t c = (size_t)((s->now - s->from) / s->slot);
	double phi = (double)(s->now - s->from - (int64_t)c * s->slot) / (double)s->slot;
	if (c < i0 || (c == i0 && phi <= 0))
		return 0;
	if (phi <= 0)
		return slots_coverage(s, j, i0, c);
	const uint8_t *rd = s->rd + j * (s->n + 1);
	double full = 0, part = fmin(s->scov[j * s->n + c], phi);
	if (rd[i0] && rd[c + 1])
		full = (double)(c - i0);
	else
		for (size_t i = i0; i < c; i++)
			full += s->scov[j * s->n + i];
	return (full + part) / ((double)(c - i0) + phi);
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
		c += energy_series_coverage(s, j, i0, i1);
		ns++;
	}
	return ns ? c / ns : 1;
}

/* Calendar months wholly inside [a, b), ended, with facility and IT coverage at the
 * threshold: 12 make an annual figure. */
static int months_covered(const struct slots *s, const struct matched *v, size_t nv,
                          const struct energy_model *m, enum energy_role it, int64_t a, int64_t b)
{
	int months = 0;
	for (int64_t ma = a; ma < b;) {
		int64_t ms = energy_local_floor(ma, STEP_MONTH),
		        me = energy_local_next(ma, STEP_MONTH);
		if (ms >= a && me <= b && me <= s->now) {
			size_t j0 = (size_t)((ms - s->from) / s->slot);
			size_t j1 = (size_t)((me - s->from) / s->slot);
			bool ok = true;
			enum energy_role need[2] = {ROLE_FACILITY_INPUT, it};
			for (int k = 0; k < 2 && ok; k++)
				ok = s->nseries[need[k]] &&
				     role_coverage(s, v, nv, need[k], j0, j1) >=
				             m->coverage_min - 1e-9;
			months += ok;
		}
		ma = me;
	}
	return months;
}

/* Interval [a, b), the k-th by-interval (k = s->niv for the whole period). */
static void fill_interval(const struct slots *s, const struct matched *v, size_t nv,
                          const struct energy_model *m, enum energy_role it, int64_t a, int64_t b,
                          size_t k, struct energy_interval *iv)
{
	size_t i0 = (size_t)((a - s->from) / s->slot), i1 = (size_t)((b - s->from) / s->slot);
	iv->from_ms = a;
	iv->to_ms = b;
	iv->in_progress = b > s->now;
	iv->elapsed_ms = s->now < a ? 0 : (s->now < b ? s->now : b) - a;
	iv->ngaps = 0;
	for (int r = 0; r < ROLE_COUNT; r++)
		iv->ngaps += s->gn[k * ROLE_COUNT + (size_t)r];
	iv->gap = s->gfirst[k];
	for (int r = 0; r < ROLE_COUNT; r++) {
		struct energy_role_total *t = &iv->role[r];
		memset(t, 0, sizeof(*t));
		for (size_t i = i0; i < i1; i++) {
			t->value += s->val[r * s->n + i];
			t->estimated += s->est[r * s->n + i];
		}
		t->estimated += s->gest[k * ROLE_COUNT + (size_t)r];
		t->nseries = s->nseries[r];
		double et = 0, el = (double)iv->elapsed_ms / (double)s->slot;
		for (size_t i = i0; i < i1; i++)
			et += s->etime[r * s->n + i];
		t->est_time = t->nseries && el > 0 ? fmin(1, et / (t->nseries * el)) : 0;
		t->coverage = t->nseries ? role_coverage(s, v, nv, (enum energy_role)r, i0, i1) : 1;
		/* Rounding in the sum of shares must not turn full coverage into a gap. */
		if (t->coverage > 1 - 1e-9)
			t->coverage = 1;
		t->status = energy_interval_status(m, iv->in_progress, t->nseries, t->coverage,
		                                   t->estimated, s->gn[k * ROLE_COUNT + (size_t)r]);
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
	iv->months = months_covered(s, v, nv, m, it, a, b);
}

/* The site-time intervals of `by` in [from, to) into rep->iv, and which interval each slot is
 * in (s->ivx). 0 or -ENOMEM. */
int energy_intervals_layout(struct slots *s, enum energy_step by, struct energy_report *rep)
{
	size_t cap = 0;
	if (by == STEP_WHOLE)
		return 0;
	for (int64_t a = s->from; a < s->to; a = energy_local_next(a, by))
		cap++;
	rep->iv = calloc(cap ? cap : 1, sizeof(*rep->iv));
	s->ivx = calloc(s->n ? s->n : 1, sizeof(*s->ivx));
	if (!rep->iv || !s->ivx)
		return -ENOMEM;
	for (int64_t a = s->from; a < s->to;) {
		int64_t b = energy_local_next(a, by);
		if (b > s->to)
			b = s->to;
		struct energy_interval *iv = &rep->iv[rep->n];
		iv->from_ms = a;
		iv->to_ms = b;
		energy_local_label(a, by, iv->label, sizeof(iv->label));
		for (int64_t i = (a - s->from) / s->slot; i < (b - s->from) / s->slot; i++)
			s->ivx[i] = (uint32_t)rep->n;
		rep->n++;
		a = b;
	}
	s->niv = rep->n;
	return 0;
}

int energy_slots_alloc(struct slots *s, size_t nseries)
{
	size_t cells = (size_t)ROLE_COUNT * s->n, ns = nseries ? nseries : 1;
	s->val = calloc(cells, sizeof(double));
	s->est = calloc(cells, sizeof(double));
	s->etime = calloc(cells, sizeof(double));
	s->cur_est = calloc(s->n ? s->n : 1, 1);
	s->cur_val = calloc(s->n, sizeof(double));
	s->cur_cov = calloc(s->n, sizeof(double));
	s->cur_last = calloc(s->n + 1, sizeof(double));
	s->cur_cnt = calloc(s->n + 2, sizeof(int64_t));
	s->scov = calloc(ns * s->n, sizeof(double));
	s->rd = calloc(ns * (s->n + 1), 1);
	s->gest = calloc((s->niv + 1) * ROLE_COUNT, sizeof(double));
	s->gn = calloc((s->niv + 1) * ROLE_COUNT, sizeof(int));
	s->gfirst = malloc((s->niv + 1) * sizeof(int));
	s->anchors = calloc(s->n + 3, sizeof(*s->anchors));
	if (!s->val || !s->est || !s->etime || !s->cur_est || !s->cur_val || !s->cur_cov ||
	    !s->cur_last || !s->cur_cnt || !s->scov || !s->rd || !s->gest || !s->gn || !s->gfirst ||
	    !s->anchors)
		return -ENOMEM;
	for (size_t k = 0; k <= s->niv; k++)
		s->gfirst[k] = -1;
	return 0;
}

void energy_slots_free(struct slots *s)
{
	free(s->val);
	free(s->est);
	free(s->etime);
	free(s->cur_est);
	free(s->cur_val);
	free(s->cur_cov);
	free(s->cur_last);
	free(s->cur_cnt);
	free(s->scov);
	free(s->rd);
	free(s->ivx);
	free(s->gest);
	free(s->gn);
	free(s->gfirst);
	free(s->anchors);
}

/* With every series read: the category, zones, method, and each interval's figures. */
static void report_fill(struct slots *s, const struct resolve *rs, const struct energy_model *m,
                        struct energy_report *out)
{
	out->it_role = energy_it_role(s->nseries, &out->category);
	bool gauges = false;
	for (size_t i = 0; i < rs->n; i++) {
		zone_add(out, &rs->v[i], out->it_role);
		gauges |= !rs->v[i].counter;
	}
	if (gauges)
		snprintf(out->method, sizeof(out->method),
		         "trapezoid over raw power samples, gaps > %llds not bridged",
		         (long long)(m->max_gap_ms / 1000));
	fill_interval(s, rs->v, rs->n, m, out->it_role, s->from, s->to, s->niv, &out->total);
	snprintf(out->total.label, sizeof(out->total.label), "total");
	for (size_t k = 0; k < out->n; k++) {
		struct energy_interval *iv = &out->iv[k];
		fill_interval(s, rs->v, rs->n, m, out->it_role, iv->from_ms, iv->to_ms, k, iv);
	}
}

int energy_resolve(struct store_reader *r, const struct energy_model *m, struct matched **v,
                   size_t *n, char *err, size_t errlen)
{
	struct resolve rs = {.m = m, .err = err, .errlen = errlen};
	int rc = store_series_find(r, NULL, resolve_cb, &rs);
	if (rc >= 0 && rs.rc < 0)
		rc = rs.rc;
	if (rc < 0) {
		energy_matched_free(rs.v, rs.n);
		return rc;
	}
	*v = rs.v;
	*n = rs.n;
	return 0;
}

void energy_matched_free(struct matched *v, size_t n)
{
	matched_free(v, n);
	free(v);
}

int energy_compute(struct store_reader *r, const struct energy_model *m, int64_t from_ms,
                   int64_t to_ms, enum energy_step by, int64_t now_ms, struct energy_report *out)
{
	memset(out, 0, sizeof(*out));
	struct slots s = {.from = from_ms,
	                  .to = to_ms,
	                  .slot = by == STEP_15MIN ? 15 * 60000 : HOUR_MS,
	                  .wall = now_ms,
	                  .now = now_ms < from_ms ? from_ms
	                         : now_ms > to_ms ? to_ms
	                                          : now_ms,
	                  .rep = out,
	                  .max_gap = m->max_gap_ms};
	out->slot_ms = s.slot;
	out->now_ms = now_ms;
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
	if (rc >= 0)
		rc = energy_intervals_layout(&s, by, out);
	if (rc >= 0)
		rc = energy_slots_alloc(&s, rs.n);
	for (size_t i = 0; rc >= 0 && i < rs.n; i++) {
		rc = energy_read_series(r, m, &s, rs.v, rs.n, i);
		if (rc < 0)
			snprintf(out->err, sizeof(out->err), "reading series %lld: %s",
			         (long long)rs.v[i].id, strerror(-rc));
	}
	if (rc >= 0)
		report_fill(&s, &rs, m, out);
	energy_slots_free(&s);
	matched_free(rs.v, rs.n);
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

double energy_certificates_kind(const struct energy_model *m, int64_t from_ms, int64_t to_ms,
                                const char *kind)
{
	double sum = 0;
	for (size_t i = 0; i < m->ncerts; i++) {
		struct energy_period p;
		if (m->certs[i].kind && strcmp(m->certs[i].kind, kind) == 0 &&
		    energy_period_parse(m->certs[i].period, &p) == 0 && p.from_ms >= from_ms &&
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
	matched_free(rs.v, rs.n);
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
	if (out->status == ENERGY_IN_PROGRESS) {
		/* Nothing about an interval that has not ended is final, whatever its coverage
		 * so far: the ratio over the elapsed part is at most provisional. */
		char el[48];
		energy_elapsed_text(iv, el, sizeof(el));
		bool covered = out->coverage >= m->coverage_min;
		out->provisional = covered && out->k.pue.ok;
		char more[160] = "";
		out->code = "in_progress";
		if (iv->elapsed_ms <= 0) {
			/* A day of the running month still ahead (--by day): nothing to judge. */
			out->provisional = false;
			snprintf(out->why, sizeof(out->why), "not started: %.47s elapsed", el);
			return;
		}
		if (!covered) {
			snprintf(more, sizeof(more),
			         "; coverage of the elapsed time %.1f %% is below %.1f %%",
			         100 * out->coverage, 100 * m->coverage_min);
			out->code_more = "coverage_below";
		} else if (!out->k.pue.ok) {
			snprintf(more, sizeof(more), "; %.155s", out->k.pue.why);
			out->code_more = out->k.pue.code;
		}
		snprintf(out->why, sizeof(out->why), "in progress: %.47s elapsed; not final%s", el,
		         more);
	} else if (out->status == ENERGY_MISSING) {
		snprintf(out->why, sizeof(out->why),
		         "coverage %.1f %% is below %.1f %%: not published", 100 * out->coverage,
		         100 * m->coverage_min);
		out->code = "coverage_below";
	} else if (!out->k.pue.ok) {
		snprintf(out->why, sizeof(out->why), "%s", out->k.pue.why);
		out->code = out->k.pue.code;
	} else {
		out->published = true;
	}
}

void energy_uses(const struct energy_report *rep, const struct energy_interval *iv,
                 struct energy_uses *out)
{
	const struct energy_role_total *r = iv->role;
	out->e_dc = r[ROLE_FACILITY_INPUT].value + r[ROLE_BACKUP_GENERATION].value +
	            r[ROLE_ONSITE_RENEWABLE].value;
	out->it = r[rep->it_role].nseries ? r[rep->it_role].value : NAN;
	out->cooling = r[ROLE_COOLING].nseries ? r[ROLE_COOLING].value : NAN;
	out->other = r[ROLE_LIGHTING_OTHER].nseries ? r[ROLE_LIGHTING_OTHER].value : NAN;
	double rest = out->e_dc;
	const double uses[] = {out->it, out->cooling, out->other};
	for (size_t i = 0; i < sizeof(uses) / sizeof(uses[0]); i++)
		rest -= isfinite(uses[i]) ? uses[i] : 0;
	out->rest = rest >= 0 && isfinite(out->it) ? rest : NAN;
}

void energy_elapsed_text(const struct energy_interval *iv, char *buf, size_t len)
{
	double span = (double)(iv->to_ms - iv->from_ms), el = (double)iv->elapsed_ms;
	if (span <= 2 * 3600e3)
		snprintf(buf, len, "%.0f min of %.0f", el / 60e3, span / 60e3);
	else if (span <= 3 * 86400e3)
		snprintf(buf, len, "%.1f h of %.0f", el / 3600e3, span / 3600e3);
	else
		snprintf(buf, len, "%.1f days of %.0f", el / 86400e3, span / 86400e3);
}

void energy_interval_method(const struct energy_report *rep, const struct energy_interval *iv,
                            char *buf, size_t len)
{
	bool power = false;
	for (int r = 0; r < ROLE_COUNT; r++)
		power |= iv->role[r].estimated > 0 && rep->method[0];
	size_t n = (size_t)snprintf(buf, len, "%s", power ? rep->method : "");
	if (iv->ngaps <= 0 || n >= len)
		return;
	const char *sep = n ? "; " : "";
	if (iv->gap < 0 || (size_t)iv->gap >= rep->ngaps) {
		snprintf(buf + n, len - n, "%scounter deltas spread over %d gaps in the readings",
		         sep, iv->ngaps);
		return;
	}
	const struct energy_gap *g = &rep->gaps[iv->gap];
	char a[32], b[32];
	time_format_utc(g->last_ms, a, sizeof(a));
	time_format_utc(g->next_ms, b, sizeof(b));
	n += (size_t)snprintf(buf + n, len - n, "%sspread over the gap %s..%s in %s %s", sep, a, b,
	                      g->name, g->by_power ? "by its power shape" : "evenly");
	if (iv->ngaps > 1 && n < len)
		snprintf(buf + n, len - n, " (and %d more gap%s)", iv->ngaps - 1,
		         iv->ngaps > 2 ? "s" : "");
}
