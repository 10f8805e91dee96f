/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The stored-data free-cooling tally (freecool_stored.h): read the `cooling:` section's series
 * as bucket means, derive each bucket's outdoor state and modes, and sum hours per site-time
 * day and month; optionally check each IT inlet against the ASHRAE envelope. Reads only; no
 * logging; no global state.
 */
#include "analytics/freecool_stored.h"

#include "analytics/psychro.h"
#include "core/timeutil.h"
#include "store/store.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR_MS INT64_C(3600000)

bool freecool_stored_outdoor(const struct fc_config *fc, double db_c, double rh, double dp_c,
                             double p_pa, double p_std_pa, struct fc_outdoor *o)
{
	*o = (struct fc_outdoor){NAN, NAN, NAN};
	if (!isfinite(db_c))
		return false;
	if (!isfinite(p_pa))
		p_pa = p_std_pa;
	if (isfinite(rh))
		freecool_outdoor_from_rh(o, db_c, fmin(rh, 1.0), p_pa, fc->rh_over);
	/* The dew point stands in where there is no RH, or none psychrometrics accepts. */
	if (!(isfinite(o->wb_c) && isfinite(o->dp_c)) && isfinite(dp_c))
		freecool_outdoor_from_dp(o, db_c, dp_c, p_pa);
	if (isfinite(o->wb_c) && isfinite(o->dp_c))
		return true;
	*o = (struct fc_outdoor){NAN, NAN, NAN};
	return false;
}

int freecool_stored_plant(double mode, double valve_pct, double *f_used)
{
	int act = -1;

	if (isfinite(mode))
		act = (int)lround(mode);
	else if (isfinite(valve_pct))
		act = valve_pct >= 99.5 ? FC_FREE : valve_pct > 0.5 ? FC_PARTIAL : FC_MECHANICAL;
	if (act < FC_MECHANICAL || act > FC_FREE)
		act = -1;
	if (act == FC_FREE)
		*f_used = 1.0;
	else if (act == FC_PARTIAL && isfinite(valve_pct))
		*f_used = fmin(fmax(valve_pct / 100.0, 0.0), 1.0);
	else
		*f_used = 0.0;
	return act;
}

/* ---- reading series into buckets ---- */

/* One configured glob gathered into buckets: per bucket the sum of the matching series'
 * bucket means and how many contributed (mean of temperatures, sum of powers). */
struct gather {
	double *sum;
	unsigned *n;
	int64_t from, to, step;
	size_t nb;
	double div; /* of the series being read: 100 for an RH in %, else 1 */
};

static int gather_cb(void *ctx, int64_t bucket_ms, double value, int64_t count)
{
	struct gather *g = ctx;

	(void)count;
	if (bucket_ms < g->from || !isfinite(value))
		return 0;
	size_t i = (size_t)((bucket_ms - g->from) / g->step);
	if (i < g->nb) {
		g->sum[i] += value / g->div;
		g->n[i]++;
	}
	return 0;
}

static int gather_init(struct gather *g, const struct fc_stored *out)
{
	*g = (struct gather){.from = out->from_ms,
	                     .to = out->to_ms,
	                     .step = out->step_ms,
	                     .nb = out->nb,
	                     .div = 1.0};
	g->sum = calloc(g->nb, sizeof(*g->sum));
	g->n = calloc(g->nb, sizeof(*g->n));
	return g->sum && g->n ? 0 : -ENOMEM;
}

static void gather_free(struct gather *g)
{
	free(g->sum);
	free(g->n);
	g->sum = NULL;
	g->n = NULL;
}

static double mean(const struct gather *g, size_t i)
{
	return g->sum && g->n[i] ? g->sum[i] / g->n[i] : NAN;
}

static double total(const struct gather *g, size_t i)
{
	return g->sum && g->n[i] ? g->sum[i] : NAN;
}

/* The series a glob matched (at most FC_STORED_MAX_SERIES). */
struct found {
	int64_t id[FC_STORED_MAX_SERIES];
	char name[FC_STORED_MAX_SERIES][96];
	bool pct[FC_STORED_MAX_SERIES]; /* metric name ends in _pct: a percentage */
	size_t n;
};

static int found_cb(void *ctx, const struct store_series_info *info)
{
	struct found *f = ctx;
	size_t ml = strlen(info->metric);

	if (f->n >= FC_STORED_MAX_SERIES)
		return 1;
	f->id[f->n] = info->id;
	f->pct[f->n] = ml > 4 && strcmp(info->metric + ml - 4, "_pct") == 0;
	snprintf(f->name[f->n], sizeof(f->name[0]), "%s %s%s%s%s", info->device, info->metric,
	         *info->labels ? "{" : "", info->labels, *info->labels ? "}" : "");
	f->n++;
	return 0;
}

/* Series k of f into g; an RH (rh: true) named *_pct is divided by 100 (docs/metrics.md:
 * the unit is in the name), any other RH is read as a fraction. */
static int gather_one(struct store_reader *r, const struct found *f, size_t k, bool rh,
                      struct gather *g)
{
	g->div = rh && f->pct[k] ? 100.0 : 1.0;
	return store_query(r, f->id[k], g->from, g->to, g->step, AGG_AVG, gather_cb, g);
}

/* ---- the outdoor and plant inputs ---- */

enum { G_DB, G_RH, G_DP, G_P, G_VALVE, G_COMP, G_MODE, G_COUNT };

static const enum fc_series g_series[G_COUNT] = {
        [G_DB] = FC_S_DRY_BULB, [G_RH] = FC_S_RH,           [G_DP] = FC_S_DEW_POINT,
        [G_P] = FC_S_PRESSURE,  [G_VALVE] = FC_S_VALVE_PCT, [G_COMP] = FC_S_COMPRESSOR_W,
        [G_MODE] = FC_S_MODE};

static int inputs_read(struct store_reader *r, const struct fc_config *fc, struct fc_stored *out,
                       struct gather g[G_COUNT])
{
	for (int k = 0; k < G_COUNT; k++) {
		const char *glob = fc->series[g_series[k]];
		struct found f = {.n = 0};
		int rc;

		if (!glob)
			continue;
		rc = gather_init(&g[k], out);
		if (rc == 0)
			rc = store_series_find(r, glob, found_cb, &f);
		for (size_t i = 0; rc >= 0 && i < f.n; i++)
			rc = gather_one(r, &f, i, k == G_RH, &g[k]);
		if (rc < 0) {
			snprintf(out->err, sizeof(out->err), "reading %s: %s", glob, strerror(-rc));
			return rc;
		}
		out->nseries[g_series[k]] = (unsigned)f.n;
	}
	return 0;
}

static void bucket_eval(const struct fc_config *fc, const struct gather g[G_COUNT], size_t i,
                        double p_std, struct fc_stored_bucket *b)
{
	b->outdoor = freecool_stored_outdoor(fc, mean(&g[G_DB], i), mean(&g[G_RH], i),
	                                     mean(&g[G_DP], i), mean(&g[G_P], i), p_std, &b->o);
	b->f_avail = 0.0;
	b->avail = b->outdoor ? freecool_available(&fc->plant, &b->o, &b->f_avail) : FC_MECHANICAL;
	b->used = freecool_stored_plant(mean(&g[G_MODE], i), mean(&g[G_VALVE], i), &b->f_used);
	b->compressor_kw = total(&g[G_COMP], i) / 1000.0;
}

/* ---- the tally ---- */

/* Length of bucket i in hours: the step, or less for a last bucket cut by to_ms. */
static double bucket_hours(const struct fc_stored *out, size_t i)
{
	int64_t t = out->from_ms + (int64_t)i * out->step_ms;
	int64_t end = t + out->step_ms < out->to_ms ? t + out->step_ms : out->to_ms;

	return (double)(end - t) / (double)HOUR_MS;
}

static void tally_add(struct fc_tally *t, const struct fc_stored_bucket *b, double h)
{
	t->data_h += h;
	t->avail_free_h += (b->avail == FC_FREE) * h;
	t->avail_partial_h += (b->avail == FC_PARTIAL) * h;
	t->avail_mech_h += (b->avail == FC_MECHANICAL) * h;
	t->avail_equiv_h += b->f_avail * h;
	if (b->used < 0)
		return;
	t->plant_data_h += h;
	t->used_free_h += (b->used == FC_FREE) * h;
	t->used_partial_h += (b->used == FC_PARTIAL) * h;
	t->used_mech_h += (b->used == FC_MECHANICAL) * h;
	t->used_equiv_h += b->f_used * h;
	if ((int)b->avail > b->used)
		t->missed_h += h;
	if (isfinite(b->compressor_kw)) {
		double avoid = b->f_used < 1.0 ? (b->f_avail - b->f_used) / (1.0 - b->f_used) : 0.0;

		avoid = avoid < 0 ? 0 : avoid > 1 ? 1 : avoid;
		t->compressor_kwh += b->compressor_kw * h;
		t->missed_kwh += b->compressor_kw * avoid * h;
	}
}

/* Rows of one calendar unit (day or month), appended as buckets with data reach them. */
struct rows {
	struct fc_tally *v;
	size_t n, cap;
	int64_t start, end; /* of the last row's unit */
	enum time_unit unit;
};

static struct fc_tally *row_for(struct rows *rw, int64_t t)
{
	if (rw->n && t >= rw->start && t < rw->end)
		return &rw->v[rw->n - 1];
	if (rw->n == rw->cap) {
		size_t cap = rw->cap ? 2 * rw->cap : 32;
		struct fc_tally *v = realloc(rw->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		rw->v = v;
		rw->cap = cap;
	}
	struct fc_tally *x = &rw->v[rw->n++];

	memset(x, 0, sizeof(*x));
	rw->start = time_local_floor(t, rw->unit);
	rw->end = time_local_next(t, rw->unit);
	time_local_label(rw->start, rw->unit, x->label, sizeof(x->label));
	return x;
}

static int tally_buckets(const struct fc_config *fc, const struct gather g[G_COUNT],
                         struct fc_stored *out)
{
	struct rows days = {.unit = TIME_DAY}, months = {.unit = TIME_MONTH};
	int rc = 0;

	snprintf(out->total.label, sizeof(out->total.label), "total");
	for (size_t i = 0; i < out->nb; i++) {
		int64_t t = out->from_ms + (int64_t)i * out->step_ms;
		double h = bucket_hours(out, i);
		struct fc_stored_bucket b = {.t_ms = t};
		struct fc_tally *d, *m;

		bucket_eval(fc, g, i, out->p_std_pa, &b);
		if (out->b)
			out->b[i] = b;
		if (!b.outdoor)
			continue;
		d = row_for(&days, t);
		m = row_for(&months, t);
		if (!d || !m) {
			rc = -ENOMEM;
			break;
		}
		tally_add(d, &b, h);
		tally_add(m, &b, h);
		tally_add(&out->total, &b, h);
	}
	out->days = days.v;
	out->ndays = days.n;
	out->months = months.v;
	out->nmonths = months.n;
	return rc;
}

/* ---- IT inlet envelope ---- */

/* The device part of "device metric{labels}". */
static size_t device_len(const char *name)
{
	return strcspn(name, " ");
}

static void inlet_dew_point(struct fc_inlet_check *c, const struct fc_envelope *env, double t_c,
                            double rh, double h)
{
	/* Room sensors report RH over water; inlets are well above 0 C. */
	double dp = psychro_dew_point_from_pw(
	        psychro_vapour_pressure(t_c, fmin(rh, 1.0), PSYCHRO_RH_WATER));

	if (!isfinite(dp))
		return;
	c->dp_min_c = fmin(c->dp_min_c, dp);
	c->dp_max_c = fmax(c->dp_max_c, dp);
	c->dp_below_h += (dp < env->dp_min_c) * h;
	c->dp_above_h += (dp > env->dp_max_c) * h;
	c->rh_above_h += (rh > env->rh_max) * h;
}

/* One inlet's buckets (gin) and its device's room RH (grh, may be empty) against env. */
static void inlet_scan(const struct fc_stored *out, const struct fc_config *fc,
                       const struct gather *gin, const struct gather *grh, struct fc_inlet_check *c)
{
	size_t lag = out->step_ms >= HOUR_MS ? 1 : (size_t)(HOUR_MS / out->step_ms);

	c->min_c = c->dp_min_c = INFINITY;
	c->max_c = c->dp_max_c = -INFINITY;
	for (size_t i = 0; i < out->nb; i++) {
		double v = mean(gin, i), rh = mean(grh, i), h = bucket_hours(out, i);

		if (!isfinite(v))
			continue;
		if (isfinite(rh) && rh > 0)
			inlet_dew_point(c, &out->env, v, rh, h);
		c->min_c = fmin(c->min_c, v);
		c->max_c = fmax(c->max_c, v);
		c->below_h += (v < out->env.t_min_c) * h;
		c->above_h += (v > out->env.t_max_c) * h;
		if (i >= lag && isfinite(mean(gin, i - lag))) {
			double rate = fabs(v - mean(gin, i - lag)) *
			              ((double)HOUR_MS / ((double)lag * (double)out->step_ms));

			c->max_rate_k_per_h = fmax(c->max_rate_k_per_h, rate);
			c->rate_over_h += (rate > fc->rate_limit_k_per_h) * h;
		}
	}
}

/* Each inlet series (paired by device with a room RH series) read and checked in turn. */
static int inlets_check(struct store_reader *r, const struct fc_config *fc, struct fc_stored *out)
{
	struct found *in = calloc(2, sizeof(*in)), *rh = in ? in + 1 : NULL;
	struct gather gin = {0}, grh = {0};
	int rc = in ? 0 : -ENOMEM;

	if (rc == 0 && fc->series[FC_S_IT_INLET])
		rc = store_series_find(r, fc->series[FC_S_IT_INLET], found_cb, in);
	if (rc >= 0 && fc->series[FC_S_IT_RH])
		rc = store_series_find(r, fc->series[FC_S_IT_RH], found_cb, rh);
	if (rc >= 0 && in->n && !(out->inlets = calloc(in->n, sizeof(*out->inlets))))
		rc = -ENOMEM;
	for (size_t s = 0; rc >= 0 && in && s < in->n; s++) {
		struct fc_inlet_check *c = &out->inlets[out->ninlets++];
		size_t dl = device_len(in->name[s]), k;

		snprintf(c->series, sizeof(c->series), "%s", in->name[s]);
		for (k = 0; k < rh->n; k++)
			if (device_len(rh->name[k]) == dl &&
			    strncmp(rh->name[k], in->name[s], dl) == 0)
				break;
		rc = gather_init(&gin, out);
		if (rc == 0)
			rc = gather_one(r, in, s, false, &gin);
		if (rc >= 0 && k < rh->n) {
			snprintf(c->rh_series, sizeof(c->rh_series), "%s", rh->name[k]);
			rc = gather_init(&grh, out);
			if (rc == 0)
				rc = gather_one(r, rh, k, true, &grh);
		}
		if (rc >= 0)
			inlet_scan(out, fc, &gin, &grh, c);
		gather_free(&gin);
		gather_free(&grh);
	}
	if (rc < 0)
		snprintf(out->err, sizeof(out->err), "reading the IT inlets: %s", strerror(-rc));
	free(in);
	return rc < 0 ? rc : 0;
}

/* ---- the cooling load ---- */

double freecool_stored_cooling_kw(struct store_reader *r, const struct fc_config *fc, int64_t to_ms,
                                  int64_t window_ms)
{
	const char *glob = fc->series[FC_S_COOLING_W];
	struct fc_stored span = {.step_ms = 60000};
	struct found f = {.n = 0};
	struct gather g;
	double sum = 0.0;
	size_t nb = 0;
	int rc;

	if (!glob || window_ms < span.step_ms)
		return NAN;
	/* Whole minutes up to to_ms: the current hour has no hourly rollup yet. */
	span.to_ms = to_ms + (span.step_ms - to_ms % span.step_ms) % span.step_ms;
	span.from_ms = span.to_ms - window_ms / span.step_ms * span.step_ms;
	span.nb = (size_t)((span.to_ms - span.from_ms) / span.step_ms);
	rc = gather_init(&g, &span);
	if (rc == 0)
		rc = store_series_find(r, glob, found_cb, &f);
	for (size_t i = 0; rc >= 0 && i < f.n; i++)
		rc = gather_one(r, &f, i, false, &g);
	for (size_t i = 0; rc >= 0 && f.n && i < g.nb; i++)
		if (g.n[i] == f.n) {
			sum += g.sum[i];
			nb++;
		}
	gather_free(&g);
	return nb ? sum / (double)nb / 1000.0 : NAN;
}

/* ---- entry point ---- */

int freecool_stored(struct store_reader *r, const struct fc_config *fc, double site_altitude_m,
                    int64_t from_ms, int64_t to_ms, int64_t step_ms, unsigned flags,
                    struct fc_stored *out)
{
	double alt = isfinite(fc->altitude_m) ? fc->altitude_m : site_altitude_m;
	struct gather g[G_COUNT] = {0};
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->from_ms = from_ms;
	out->to_ms = to_ms;
	out->step_ms = step_ms;
	out->p_std_pa = psychro_pressure_at_altitude(isfinite(alt) ? alt : 0.0);
	freecool_envelope(fc->ashrae_class, fc->allowable, fc->derate, isfinite(alt) ? alt : 0.0,
	                  fc->derate_from_m, &out->env);
	if (step_ms <= 0 || to_ms <= from_ms) {
		snprintf(out->err, sizeof(out->err), "empty range or step");
		return -EINVAL;
	}
	if ((to_ms - from_ms - 1) / step_ms >= (int64_t)FC_STORED_MAX_BUCKETS) {
		snprintf(out->err, sizeof(out->err), "more than %u intervals: use a larger step",
		         FC_STORED_MAX_BUCKETS);
		return -E2BIG;
	}
	out->nb = (size_t)((to_ms - from_ms + step_ms - 1) / step_ms);
	if ((flags & FC_STORED_BUCKETS) && !(out->b = calloc(out->nb, sizeof(*out->b))))
		rc = -ENOMEM;
	if (rc == 0)
		rc = inputs_read(r, fc, out, g);
	if (rc == 0)
		rc = tally_buckets(fc, g, out);
	if (rc == 0 && (flags & FC_STORED_ENVELOPE))
		rc = inlets_check(r, fc, out);
	for (int k = 0; k < G_COUNT; k++)
		gather_free(&g[k]);
	if (rc < 0) {
		if (!out->err[0])
			snprintf(out->err, sizeof(out->err), "%s", strerror(-rc));
		freecool_stored_free(out);
	}
	return rc;
}

void freecool_stored_free(struct fc_stored *s)
{
	if (!s)
		return;
	free(s->b);
	free(s->days);
	free(s->months);
	free(s->inlets);
	s->b = NULL;
	s->days = s->months = NULL;
	s->inlets = NULL;
	s->nb = s->ndays = s->nmonths = s->ninlets = 0;
}
