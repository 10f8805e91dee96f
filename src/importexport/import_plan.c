/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `greendc import`, stored series: the file's rows of a series the database already has are
 * compared with its stored samples (store_read_raw) and, where raw retention left only
 * rollups, with its 1 h rollup rows. Rows stored with the same value are unchanged; rows after
 * the last stored sample are appended; anything else rebuilds the series' history, merged by
 * the overlap rule (keep-live / keep-imported).
 */
#include "importexport/import_internal.h"

#include "store/counter.h"

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
#define FP_N 6
struct fp {
	int64_t h;
	double f[FP_N]; /* count, min, max, sum, last, last_ts */
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
		b->p[b->n++] = (struct fp){bucket, {(double)count}};
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

/* The 1 h rollup rows of [from, to). 0 or -errno. */
static int fp_load(struct store_reader *rd, int64_t id, int64_t from, int64_t to, struct fpbuf *b)
{
	static const enum store_agg aggs[FP_N] = {AGG_COUNT, AGG_MIN,  AGG_MAX,
	                                          AGG_SUM,   AGG_LAST, AGG_LAST_TS};
	int rc = 0;
	for (int k = 0; k < FP_N && rc >= 0; k++) {
		b->which = k;
		b->at = 0;
		rc = store_query(rd, id, from, to, HOUR_MS, aggs[k], fp_cb, b);
	}
	return rc < 0 ? rc : 0;
}

/*
 * What the store would hold for each imported row of a counter, to compare with its stored
 * samples. The store keeps counters as unwrapped totals; a file has the meter's readings (a
 * wrap or a replaced meter makes the two differ) or totals (an export). The rows are fed
 * through the store's own counter policy (counter_feed), giving totals T that differ from the
 * readings by the file's own unwrapping W_f = T - reading; the store's differ by its W_s. A
 * row is the stored sample when the readings are equal, i.e. stored = T + (W_s - W_f), with
 * W_s - W_f constant once both unwrap the same readings. It is found where W_s is known:
 * - at the store's first sample (first_ts), which it holds as read (W_s = 0); INT64_MIN:
 *   the series starts at or after the file's first row (W_f = 0 there too);
 * - at its latest sample, whose reading the store keeps (last_raw, last_total);
 * - else 0 (totals from an export, or a meter that never wrapped).
 * want[i] is NaN for a row the store would not keep (an implausible reading: rejected
 * again). NULL on ENOMEM.
 */
static double *counter_comparable(const struct iser *s, const struct pt *I, size_t ni,
                                  const struct pt *E, size_t ne, int64_t first_ts)
{
	double *want = malloc((ni ? ni : 1) * sizeof(*want));
	if (!want)
		return NULL;
	const struct counter_params p = {s->cbits, s->cscale, s->crate};
	struct counter_state cs = {0};
	struct counter_verdict v;
	double off = 0;
	bool anchored = first_ts == INT64_MIN;
	const struct pt *last = ne ? &E[ne - 1] : NULL;
	if (last && !(s->c_have_last && same(last->v, s->c_last_total)))
		last = NULL; /* the latest stored sample is not the one whose reading is kept */
	for (size_t i = 0; i < ni; i++) {
		counter_feed(&cs, &p, I[i].ts, I[i].v, &v);
		want[i] = v.store ? v.total : NAN;
		if (anchored || !v.store)
			continue;
		if (I[i].ts == first_ts) {
			off = I[i].v - v.total;
			anchored = true;
		} else if (last && I[i].ts == last->ts) {
			off = (s->c_last_total - s->c_last_raw) - (v.total - I[i].v);
			anchored = true;
		}
	}
	for (size_t i = 0; i < ni; i++)
		want[i] += off;
	return want;
}

/*
 * The first nold imported rows lie before the first raw sample of a stored series whose
 * older history is only in rollups (raw_retention): an hour whose rows have exactly the
 * stored hour's count, min, max, sum and last is unchanged; a different one is dropped
 * (keep-live) or refused (keep-imported: raw that is gone cannot be replaced); rows for hours
 * not stored at all cannot be inserted (that needs a rebuild, which would lose the rollup-only
 * history). want: what the store would keep for each row (counters), or NULL. Handled rows
 * are removed from s->rows and want. 0, or -EEXIST with err set.
 */
static int plan_old(struct run *r, struct iser *s, size_t nold, const struct fpbuf *b, double *want)
{
	struct pt *I = s->rows;
	int rc = 0;
	size_t i = 0, q = 0;
	while (rc >= 0 && i < nold) {
		int64_t h = floor_h(I[i].ts);
		size_t j = i, cnt = 0;
		double mn = INFINITY, mx = -INFINITY, sum = 0, last = NAN;
		for (; j < nold && floor_h(I[j].ts) == h; j++) {
			double v = want ? want[j] : I[j].v;
			if (isnan(v))
				continue; /* rejected by the store: not in its rollups */
			mn = fmin(mn, v);
			mx = fmax(mx, v);
			sum += v;
			last = v;
			cnt++;
		}
		while (q < b->n && b->p[q].h < h)
			q++;
		char t[40];
		time_t hs = (time_t)(h / 1000);
		struct tm tm;
		strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&hs, &tm));
		if (q < b->n && b->p[q].h == h) {
			const double *f = b->p[q].f;
			bool eq = f[0] == (double)cnt && same(f[1], mn) && same(f[2], mx) &&
			          same(f[3], sum) && same(f[4], last);
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
	if (rc < 0)
		return rc;
	memmove(I, I + nold, (s->n - nold) * sizeof(*I));
	if (want)
		memmove(want, want + nold, (s->n - nold) * sizeof(*want));
	s->n -= nold;
	return 0;
}

/* Decide what a stored series needs. E = stored (sorted), I = imported (sorted). */
int import_plan_series(struct run *r, struct store_reader *rd, struct iser *s, struct splan *out)
{
	struct rawbuf e = {0};
	struct fpbuf fp = {0};
	double *want = NULL;
	int rc = store_read_raw(rd, s->exist_id, INT64_MIN / 2, INT64_MAX / 2, raw_cb, &e);
	out->s = s;
	out->plan = PLAN_NONE;
	/* rows before the first raw sample, and whether rollups hold history there */
	int64_t hz = e.n ? floor_h(e.p[0].ts) : INT64_MAX;
	size_t nold = 0;
	bool has_old = false;
	while (nold < s->n && s->rows[nold].ts < hz)
		nold++;
	if (rc >= 0)
		rc = store_query(rd, s->exist_id, 0, hz == INT64_MAX ? INT64_MAX / 4 : hz, 86400000,
		                 AGG_COUNT, any_cb, &has_old);
	if (rc >= 0 && nold && has_old)
		rc = fp_load(rd, s->exist_id, floor_h(s->rows[0].ts),
		             floor_h(s->rows[nold - 1].ts) + HOUR_MS, &fp);
	/* The stored series' first sample, where the store holds the reading as read. */
	int64_t first_ts = e.n ? e.p[0].ts : INT64_MAX;
	if (rc >= 0 && has_old) {
		bool before = false;
		if (floor_h(s->rows[0].ts) > 0)
			rc = store_query(rd, s->exist_id, 0, floor_h(s->rows[0].ts), 86400000,
			                 AGG_COUNT, any_cb, &before);
		first_ts = before ? INT64_MAX : INT64_MIN;
	}
	/* What each row is as the store keeps it: the value itself, or a counter's total. */
	if (rc >= 0 && s->kind == STORE_COUNTER &&
	    !(want = counter_comparable(s, s->rows, s->n, e.p, e.n, first_ts)))
		rc = -ENOMEM;
	if (rc >= 0 && nold && has_old)
		rc = plan_old(r, s, nold, &fp, want);
	free(fp.p);
	if (rc < 0 || !s->n) {
		free(want);
		free(e.p);
		return rc;
	}
	struct pt *I = s->rows;
	size_t ni = s->n;
	if (!e.n || I[0].ts > e.p[e.n - 1].ts) { /* all after: plain append */
		out->plan = PLAN_APPEND;
		out->rows = I;
		out->n = ni;
		free(want);
		free(e.p);
		return 0;
	}
	struct pt *m = malloc((e.n + ni) * sizeof(*m));
	if (!m) {
		free(want);
		free(e.p);
		return -ENOMEM;
	}
	size_t n = 0, i = 0, j = 0;
	uint64_t dropped = 0, unch = 0;
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
		double w = i < ni ? (want ? want[i] : I[i].v) : 0;
		if (i < ni && j < e.n && I[i].ts == e.p[j].ts && same(e.p[j].v, w)) {
			m[n++] = e.p[j++]; /* stored with the same value: unchanged */
			i++;
			unch++;
			continue;
		}
		if (i < ni && want && isnan(w) && I[i].ts >= e.p[0].ts &&
		    I[i].ts <= e.p[e.n - 1].ts) {
			i++; /* a reading the store rejected and will reject again: unchanged */
			unch++;
			continue;
		}
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
	free(want);
	r->sum->rows_unchanged += unch;
	r->sum->rows_overlap += dropped;
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
