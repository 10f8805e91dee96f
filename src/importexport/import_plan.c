/*
 * `greendc import`, stored series: the file's rows of a series the database already has are
 * compared with its stored samples (store_read_raw) and, where raw retention left only
 * rollups, with its 1 h rollup rows. Rows stored with the same value are unchanged; rows after
 * the last stored sample are appended; anything else rebuilds the series' history, merged by
 * the overlap rule (keep-live / keep-imported).
 */
#include "importexport/import_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct rawbuf {
	struct pt *p;
	size_t n, cap;
};

static int raw_cb(void *ctx, int64_t ts, double v)
{
	struct rawbuf *b = ctx;
	return import_pts_push(&b->p, &b->n, &b->cap, ts, v);
}

static bool same(double a, double b)
{
	return a == b || (isnan(a) && isnan(b)) || fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b));
}

/* An hour of a series as its 1 h rollup row: what is left of it once raw_retention has
 * deleted its raw block. Imported rows for such an hour are compared with it. */
struct fp {
	int64_t h;
	double f[5]; /* count, min, max, sum, last */
};

struct fpbuf {
	struct fp *p;
	size_t n, cap, at;
	int which;
};

static int fp_cb(void *ctx, int64_t bucket, double v, int64_t count)
{
	struct fpbuf *b = ctx;
	if (b->which == 0) {
		if (b->n == b->cap) {
			size_t nc = b->cap ? b->cap * 2 : 256;
			struct fp *np = realloc(b->p, nc * sizeof(*np));
			if (!np)
				return -ENOMEM;
			b->p = np;
			b->cap = nc;
		}
		b->p[b->n++] = (struct fp){bucket, {(double)count, 0, 0, 0, 0}};
		return 0;
	}
	while (b->at < b->n && b->p[b->at].h < bucket)
		b->at++;
	if (b->at < b->n && b->p[b->at].h == bucket)
		b->p[b->at].f[b->which] = v;
	return 0;
}

static int any_cb(void *ctx, int64_t bucket, double v, int64_t count)
{
	(void)bucket;
	(void)v;
	*(bool *)ctx = *(bool *)ctx || count > 0;
	return 1; /* one is enough */
}

#define HOUR_MS 3600000LL
static int64_t floor_h(int64_t t)
{
	return t >= 0 ? t / HOUR_MS * HOUR_MS : (t - HOUR_MS + 1) / HOUR_MS * HOUR_MS;
}

/*
 * Imported rows before the first raw sample of a stored series whose older history is only
 * in rollups (raw_retention): an hour whose rows have exactly the stored hour's count, min,
 * max, sum and last is unchanged; a different one is dropped (keep-live) or refused
 * (keep-imported: raw that is gone cannot be replaced); rows for hours not stored at all
 * cannot be inserted (that needs a rebuild, which would lose the rollup-only history).
 * Handled rows are removed from s->rows. 0, or -EEXIST with err set.
 */
static int plan_old(struct run *r, struct store_reader *rd, struct iser *s, int64_t hz,
                    bool *has_old)
{
	struct pt *I = s->rows;
	size_t nold = 0;
	*has_old = false;
	while (nold < s->n && I[nold].ts < hz)
		nold++;
	int rc = store_query(rd, s->exist_id, 0, hz == INT64_MAX ? INT64_MAX / 4 : hz, 86400000,
	                     AGG_COUNT, any_cb, has_old);
	if (rc < 0)
		return rc;
	if (!nold || !*has_old)
		return 0;
	struct fpbuf b = {0};
	static const enum store_agg aggs[] = {AGG_COUNT, AGG_MIN, AGG_MAX, AGG_SUM, AGG_LAST};
	int64_t from = floor_h(I[0].ts), to = floor_h(I[nold - 1].ts) + HOUR_MS;
	for (int k = 0; k < 5 && rc >= 0; k++) {
		b.which = k;
		b.at = 0;
		rc = store_query(rd, s->exist_id, from, to, HOUR_MS, aggs[k], fp_cb, &b);
	}
	size_t w = 0, i = 0, q = 0;
	while (rc >= 0 && i < nold) {
		int64_t h = floor_h(I[i].ts);
		size_t j = i;
		double mn = INFINITY, mx = -INFINITY, sum = 0;
		for (; j < nold && floor_h(I[j].ts) == h; j++) {
			mn = fmin(mn, I[j].v);
			mx = fmax(mx, I[j].v);
			sum += I[j].v;
		}
		while (q < b.n && b.p[q].h < h)
			q++;
		char t[40];
		time_t hs = (time_t)(h / 1000);
		struct tm tm;
		strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&hs, &tm));
		if (q < b.n && b.p[q].h == h) {
			const double *f = b.p[q].f;
			bool eq = f[0] == (double)(j - i) && same(f[1], mn) && same(f[2], mx) &&
			          same(f[3], sum) && same(f[4], I[j - 1].v);
			if (eq) {
				r->sum->rows_unchanged += j - i;
			} else if (r->o->overlap == IMPORT_KEEP_LIVE) {
				r->sum->rows_overlap += j - i;
			} else {
				snprintf(r->err, r->errlen,
				         "%s %s%s%s%s: the hour at %s differs from the stored one, "
				         "whose raw samples are gone (storage.raw_retention): "
				         "keep-imported cannot replace it",
				         s->device, s->metric, *s->labels ? "{" : "", s->labels,
				         *s->labels ? "}" : "", t);
				rc = -EEXIST;
			}
		} else {
			snprintf(
			        r->err, r->errlen,
			        "%s %s%s%s%s: rows before its first raw sample (hour %s) cannot be "
			        "inserted: its older history is kept only as rollups "
			        "(storage.raw_retention), which a rebuild would lose",
			        s->device, s->metric, *s->labels ? "{" : "", s->labels,
			        *s->labels ? "}" : "", t);
			rc = -EEXIST;
		}
		i = j;
	}
	free(b.p);
	if (rc < 0)
		return rc;
	for (i = nold; i < s->n; i++)
		I[w++] = I[i];
	s->n = w;
	return 0;
}

/* Decide what a stored series needs. E = stored (sorted), I = imported (sorted). */
int import_plan_series(struct run *r, struct store_reader *rd, struct iser *s, struct splan *out)
{
	struct rawbuf e = {0};
	int rc = store_read_raw(rd, s->exist_id, INT64_MIN / 2, INT64_MAX / 2, raw_cb, &e);
	out->s = s;
	out->plan = PLAN_NONE;
	if (rc < 0) {
		free(e.p);
		return rc;
	}
	bool has_old;
	rc = plan_old(r, rd, s, e.n ? floor_h(e.p[0].ts) : INT64_MAX, &has_old);
	if (rc < 0 || !s->n) {
		free(e.p);
		return rc;
	}
	struct pt *I = s->rows;
	size_t ni = s->n;
	/* bookkeeping: rows already stored with the same value */
	uint64_t unch = 0;
	for (size_t i = 0, j = 0; i < ni; i++) {
		while (j < e.n && e.p[j].ts < I[i].ts)
			j++;
		if (j < e.n && e.p[j].ts == I[i].ts && same(e.p[j].v, I[i].v))
			unch++;
	}
	r->sum->rows_unchanged += unch;
	if (!e.n || I[0].ts > e.p[e.n - 1].ts) { /* all after: plain append */
		out->plan = PLAN_APPEND;
		out->rows = I;
		out->n = ni;
		free(e.p);
		return 0;
	}
	struct pt *m = malloc((e.n + ni) * sizeof(*m));
	if (!m) {
		free(e.p);
		return -ENOMEM;
	}
	size_t n = 0, i = 0, j = 0;
	uint64_t dropped = 0;
	int64_t lo, hi;
	bool keep_live = r->o->overlap == IMPORT_KEEP_LIVE;
	if (keep_live) {
		lo = e.p[0].ts;
		hi = e.p[e.n - 1].ts;
	} else {
		lo = I[0].ts;
		hi = I[ni - 1].ts;
	}
	while (i < ni || j < e.n) {
		bool take_i;
		if (i == ni)
			take_i = false;
		else if (j == e.n)
			take_i = true;
		else
			take_i = I[i].ts < e.p[j].ts;
		if (take_i) {
			bool inside = I[i].ts >= lo && I[i].ts <= hi;
			if (keep_live && inside)
				dropped++;
			else
				m[n++] = I[i];
			i++;
		} else {
			bool inside = e.p[j].ts >= lo && e.p[j].ts <= hi;
			if (keep_live || !inside)
				m[n++] = e.p[j];
			else
				dropped++;
			j++;
		}
	}
	/* Rows equal on both sides are unchanged, not overlap: every such pair lies inside the
	 * span, on whichever side was dropped. */
	r->sum->rows_overlap += dropped - unch;
	/* the merged history may be the stored one plus rows after it */
	size_t pre = 0;
	while (pre < n && pre < e.n && m[pre].ts == e.p[pre].ts && same(m[pre].v, e.p[pre].v))
		pre++;
	if (pre == e.n && n == e.n) {
		free(m);
	} else if (pre == e.n) {
		memmove(m, m + pre, (n - pre) * sizeof(*m));
		out->plan = PLAN_APPEND;
		out->rows = m;
		out->n = n - pre;
		s->rows = m; /* owned from now on */
		free(I);
		s->cap = out->n;
		s->n = out->n;
	} else if (has_old) {
		snprintf(r->err, r->errlen,
		         "%s %s%s%s%s: these rows need its history rebuilt, but its older history "
		         "is kept only as rollups (storage.raw_retention), which a rebuild would "
		         "lose",
		         s->device, s->metric, *s->labels ? "{" : "", s->labels,
		         *s->labels ? "}" : "");
		free(m);
		free(e.p);
		return -EEXIST;
	} else {
		out->plan = PLAN_REBUILD;
		out->rows = m;
		out->n = n;
	}
	free(e.p);
	return 0;
}
