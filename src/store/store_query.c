/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's aggregation (store_query), and the instants the energy engine asks about
 * (store_last_before). A query folds partial aggregates into its buckets in time order: hour
 * and day rollup rows where a level's buckets tile the query's, packed minute rows past raw
 * retention, and raw samples for the rest (the minutes, the open hour, unaligned ranges).
 * Every aggregate is mergeable, so the parts meet in the same buckets.
 */
#include "store/store.h"

#include "store/store_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

struct bucket {
	int64_t start;
	int64_t count;
	double min, max, sum, last, delta;
	int64_t last_ts;
	bool open;
};

struct query {
	struct store_reader *r;
	int64_t from, step;
	enum store_agg agg;
	bool counter;
	double prev; /* counters, raw part: the previous cumulative value (NaN: none) */
	struct bucket b;
	int (*cb)(void *ctx, int64_t bucket_ms, double value, int64_t count);
	void *ctx;
	bool stopped;
};

static double bucket_value(const struct bucket *b, enum store_agg agg)
{
	switch (agg) {
	case AGG_AVG:
		return b->sum / (double)b->count;
	case AGG_MIN:
		return b->min;
	case AGG_MAX:
		return b->max;
	case AGG_SUM:
		return b->sum;
	case AGG_LAST:
		return b->last;
	case AGG_COUNT:
		return (double)b->count;
	case AGG_DELTA:
		return b->delta;
	case AGG_LAST_TS:
		return (double)b->last_ts;
	}
	return NAN;
}

static void bucket_emit(struct query *q)
{
	if (q->b.open && q->b.count > 0 && !q->stopped)
		q->stopped =
		        q->cb(q->ctx, q->b.start, bucket_value(&q->b, q->agg), q->b.count) != 0;
	q->b.open = false;
}

/* Fold a partial aggregate (a rollup row, or one sample) covering time ts into its bucket. */
static void bucket_fold(struct query *q, int64_t ts, int64_t count, double min, double max,
                        double sum, double last, int64_t last_ts, double delta)
{
	int64_t start = bucket_floor(ts, q->from, q->step);
	if (q->b.open && q->b.start != start)
		bucket_emit(q);
	if (!q->b.open) {
		q->b = (struct bucket){.start = start, .open = true, .last_ts = INT64_MIN};
	}
	struct bucket *b = &q->b;
	b->delta += delta;
	if (count <= 0)
		return;
	if (b->count == 0 || min < b->min)
		b->min = min;
	if (b->count == 0 || max > b->max)
		b->max = max;
	b->sum += sum;
	if (b->count == 0 || last_ts >= b->last_ts) {
		b->last = last;
		b->last_ts = last_ts;
	}
	b->count += count;
}

static int raw_fold(void *ctx, int64_t ts, double v)
{
	struct query *q = ctx;
	double inc = 0;
	if (q->counter && isfinite(v)) {
		if (isfinite(q->prev))
			inc = v - q->prev;
		q->prev = v;
	}
	if (isfinite(v))
		bucket_fold(q, ts, 1, v, v, v, v, ts, inc);
	else
		bucket_fold(q, ts, 0, 0, 0, 0, 0, ts, inc);
	return q->stopped;
}

static int last_value(void *ctx, int64_t ts, double v)
{
	(void)ts;
	if (isfinite(v))
		*(double *)ctx = v;
	return 0;
}

/* The latest stored value of a series before `before` (NaN if none): the counter baseline
 * for increases computed from raw samples. From raw samples in before's hour or the open
 * hour, else the hour rollups (kept for years). */
static int value_before(struct store_reader *r, int64_t series, int64_t before, double *out)
{
	bool stopped;
	int64_t h = bucket_floor(before, 0, HOUR_MS), open_t0, seq;
	*out = NAN;
	int rc = reader_raw_locked(r, series, h, before, last_value, out, &stopped);
	if (rc < 0 || isfinite(*out))
		return rc < 0 ? rc : 0;
	if ((rc = reader_open_state(r, series, &open_t0, &seq)) != SQLITE_OK)
		return store_sqlite_errno(rc);
	if (open_t0 != INT64_MIN && open_t0 < h) {
		rc = reader_raw_locked(r, series, open_t0, open_t0 + HOUR_MS, last_value, out,
		                       &stopped);
		if (rc < 0 || isfinite(*out))
			return rc < 0 ? rc : 0;
	}
	sqlite3_stmt *q = r->q_prev_roll;
	sqlite3_bind_int64(q, 1, series);
	sqlite3_bind_int64(q, 2, h);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL)
		*out = sqlite3_column_double(q, 0);
	sqlite3_reset(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_sqlite_errno(rc);
}

static int last_ts_cb(void *ctx, int64_t ts, double v)
{
	if (isfinite(v))
		*(int64_t *)ctx = ts;
	return 0;
}

/* store_last_before inside a read transaction; *ts = INT64_MIN when there is no sample. */
static int last_before_locked(struct store_reader *r, int64_t series, int64_t before, int64_t *ts)
{
	bool stopped;
	int64_t h = bucket_floor(before, 0, HOUR_MS), open_t0, seq;
	*ts = INT64_MIN;
	int rc = reader_raw_locked(r, series, h, before, last_ts_cb, ts, &stopped);
	if (rc < 0 || *ts != INT64_MIN)
		return rc < 0 ? rc : 0;
	if ((rc = reader_open_state(r, series, &open_t0, &seq)) != SQLITE_OK)
		return store_sqlite_errno(rc);
	/* The open hour is the newest; every hour before it is packed and rolled up. */
	if (open_t0 != INT64_MIN && open_t0 < h) {
		rc = reader_raw_locked(r, series, open_t0, open_t0 + HOUR_MS, last_ts_cb, ts,
		                       &stopped);
		if (rc < 0 || *ts != INT64_MIN)
			return rc < 0 ? rc : 0;
	}
	sqlite3_stmt *q = r->q_last_roll;
	sqlite3_bind_int64(q, 1, series);
	sqlite3_bind_int64(q, 2, open_t0 != INT64_MIN && open_t0 < h ? open_t0 : h);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*ts = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_sqlite_errno(rc);
}

int store_last_before(struct store_reader *r, int64_t series, int64_t before_ms, int64_t *ts_ms)
{
	if (!r || !ts_ms)
		return -EINVAL;
	int rc = reader_begin(r);
	if (rc < 0)
		return rc;
	rc = last_before_locked(r, series, before_ms, ts_ms);
	reader_end(r);
	if (rc == 0 && *ts_ms == INT64_MIN)
		rc = -ENOENT;
	return rc;
}

/* Packed minute rows of [from, to) (raw retention's), folded in; *split is moved past the
 * last of them, where the raw samples take over. 0 or -errno. */
static int fold_minutes(struct query *qq, int64_t series, int64_t from, int64_t to, int64_t *split)
{
	struct store_reader *r = qq->r;
	struct agg a[60];
	sqlite3_stmt *q = r->q_roll[0];
	sqlite3_bind_int64(q, 1, series);
	sqlite3_bind_int64(q, 2, bucket_floor(from, 0, HOUR_MS));
	sqlite3_bind_int64(q, 3, to);
	int rc;
	while (!qq->stopped && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t h = sqlite3_column_int64(q, 0);
		if (minutes_decode(r->codec, sqlite3_column_blob(q, 1),
		                   (size_t)sqlite3_column_bytes(q, 1), h, a) < 0) {
			rc = SQLITE_CORRUPT;
			break;
		}
		for (int k = 0; k < 60 && !qq->stopped; k++) {
			int64_t t = h + k * MINUTE_MS;
			if (!a[k].any || t < from || t >= to)
				continue;
			bucket_fold(qq, t, a[k].count, a[k].min, a[k].max, a[k].sum, a[k].last,
			            a[k].last_ts, a[k].delta);
		}
		if (h + HOUR_MS > *split)
			*split = h + HOUR_MS;
	}
	sqlite3_reset(q);
	if (!qq->stopped && rc != SQLITE_DONE)
		return store_sqlite_errno(rc);
	return 0;
}

static int query_locked(struct query *qq, int64_t series, int64_t from, int64_t to)
{
	struct store_reader *r = qq->r;
	int rc;
	sqlite3_stmt *q = r->q_kind;
	sqlite3_bind_int64(q, 1, series);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		qq->counter = sqlite3_column_int(q, 0) == STORE_COUNTER;
	sqlite3_reset(q);
	if (rc == SQLITE_DONE)
		return -ENOENT;
	if (rc != SQLITE_ROW)
		return store_sqlite_errno(rc);

	/* The coarsest rollup whose buckets tile the query's buckets. */
	int level = -1;
	for (int l = ROLLUP_LEVELS - 1; l >= 0; l--) {
		int64_t p = rollup_levels[l].period_ms;
		if (qq->step % p == 0 && bucket_floor(from, 0, p) == from) {
			level = l;
			break;
		}
	}

	/* Hour and day rollups hold exactly the packed samples, i.e. everything before the open
	 * hour: they serve [from, split), raw samples serve [split, to). Minutes come from the
	 * raw samples, and from packed minute rows where raw retention removed them (those are
	 * older than any raw sample left). */
	int64_t split = from;
	if (level > 0) {
		int64_t open_t0, seq;
		if ((rc = reader_open_state(r, series, &open_t0, &seq)) != SQLITE_OK)
			return store_sqlite_errno(rc);
		split = bucket_floor(to, 0, rollup_levels[level].period_ms);
		if (open_t0 != INT64_MIN && open_t0 < split)
			split = open_t0;
		if (split < from)
			split = from;
		q = r->q_roll[level];
		sqlite3_bind_int64(q, 1, series);
		sqlite3_bind_int64(q, 2, from);
		sqlite3_bind_int64(q, 3, split);
		while (!qq->stopped && (rc = sqlite3_step(q)) == SQLITE_ROW) {
			int64_t count = sqlite3_column_int64(q, 1);
			bucket_fold(qq, sqlite3_column_int64(q, 0), count,
			            sqlite3_column_double(q, 2), sqlite3_column_double(q, 3),
			            sqlite3_column_double(q, 4), sqlite3_column_double(q, 5),
			            sqlite3_column_int64(q, 7), sqlite3_column_double(q, 6));
		}
		sqlite3_reset(q);
		if (!qq->stopped && rc != SQLITE_DONE)
			return store_sqlite_errno(rc);
	} else if (level == 0 && (rc = fold_minutes(qq, series, from, to, &split)) < 0) {
		return rc;
	}
	if (!qq->stopped && split < to) {
		qq->prev = NAN;
		if (qq->counter && (rc = value_before(r, series, split, &qq->prev)) < 0)
			return rc;
		bool stopped;
		rc = reader_raw_locked(r, series, split, to, raw_fold, qq, &stopped);
		if (rc < 0)
			return rc;
	}
	bucket_emit(qq);
	return 0;
}

int store_query(struct store_reader *r, int64_t series, int64_t from_ms, int64_t to_ms,
                int64_t step_ms, enum store_agg agg,
                int (*cb)(void *ctx, int64_t bucket_ms, double value, int64_t count), void *ctx)
{
	if (!r || !cb || step_ms <= 0 || agg < AGG_AVG || agg > AGG_LAST_TS)
		return -EINVAL;
	if (to_ms <= from_ms)
		return 0;
	struct query q = {.r = r,
	                  .from = from_ms,
	                  .step = step_ms,
	                  .agg = agg,
	                  .cb = cb,
	                  .ctx = ctx,
	                  .prev = NAN};
	int rc = reader_begin(r);
	if (rc < 0)
		return rc;
	rc = query_locked(&q, series, from_ms, to_ms);
	reader_end(r);
	return rc;
}

/* ---- the latest sample of many series at once (store_latest) ---- */

struct latest_one {
	int64_t id;
	size_t i;        /* position in the caller's arrays */
	int64_t t0, seq; /* the open hour and its first staging blob (t0 INT64_MIN: none) */
	int64_t lo, hi;  /* the part of the range the open hour holds */
};

struct latest_ctx {
	struct latest_one *v; /* sorted by id */
	size_t n;
	int64_t seq; /* the blob being decoded */
	double *value;
	int64_t *ts;
	bool (*cancel)(void *ctx);
	void *cctx;
};

static int cmp_latest(const void *a, const void *b)
{
	int64_t x = ((const struct latest_one *)a)->id, y = ((const struct latest_one *)b)->id;
	return x < y ? -1 : x > y;
}

/* One series' run of a staging blob: its samples of the open hour within the range, as
 * reader_raw_locked would give them (the blob at or after the open hour's first, the time in
 * that hour). Later in commit order wins a tie, as the stable sort of the open hour does. */
static int latest_run(void *ctx, const struct stage_run *run)
{
	struct latest_ctx *c = ctx;
	struct latest_one key = {.id = run->series};
	struct latest_one *o = bsearch(&key, c->v, c->n, sizeof(key), cmp_latest);
	if (!o || o->t0 == INT64_MIN || c->seq < o->seq)
		return 0;
	for (size_t k = 0; k < run->n; k++) {
		int64_t t = run->ts[k];
		if (t < o->lo || t >= o->hi || !isfinite(run->v[k]))
			continue;
		if (c->ts[o->i] == INT64_MIN || t >= c->ts[o->i]) {
			c->ts[o->i] = t;
			c->value[o->i] = run->v[k];
		}
	}
	return 0;
}

static int latest_block_cb(void *ctx, int64_t ts, double v)
{
	struct latest_ctx *c = ctx; /* value/ts point at one series' slot here */
	if (isfinite(v) && (*c->ts == INT64_MIN || ts >= *c->ts)) {
		*c->ts = ts;
		*c->value = v;
	}
	return 0;
}

static int latest_locked(struct store_reader *r, struct latest_ctx *c, int64_t from, int64_t to)
{
	int64_t first[STAGING_SHARDS]; /* per shard: the oldest first blob of an open hour */
	int rc;
	for (int k = 0; k < STAGING_SHARDS; k++)
		first[k] = INT64_MAX;
	for (size_t k = 0; k < c->n; k++) {
		struct latest_one *o = &c->v[k];
		if ((rc = reader_open_state(r, o->id, &o->t0, &o->seq)) != SQLITE_OK)
			return store_sqlite_errno(rc);
		if (o->t0 == INT64_MIN || o->t0 >= to || o->t0 + HOUR_MS <= from) {
			o->t0 = INT64_MIN; /* nothing of the range in its open hour */
			continue;
		}
		o->lo = from > o->t0 ? from : o->t0;
		o->hi = to < o->t0 + HOUR_MS ? to : o->t0 + HOUR_MS;
		int sh = staging_shard(o->id);
		if (o->seq < first[sh])
			first[sh] = o->seq;
	}
	/* The open hours: one pass over each shard's blobs (through the (shard, seq) index) from
	 * the oldest of its series' first blobs; all shards at startup, a few when a few series
	 * are asked for. */
	for (int sh = 0; sh < STAGING_SHARDS; sh++) {
		if (first[sh] == INT64_MAX)
			continue;
		sqlite3_stmt *q = r->q_staging;
		sqlite3_bind_int(q, 1, sh);
		sqlite3_bind_int64(q, 2, first[sh]);
		int d = 0;
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			if (c->cancel && c->cancel(c->cctx)) {
				d = -ECANCELED;
				break;
			}
			c->seq = sqlite3_column_int64(q, 0);
			d = staging_decode(r->codec, &r->dec, sqlite3_column_blob(q, 1),
			                   (size_t)sqlite3_column_bytes(q, 1), 0, latest_run, c);
			if (d != 0)
				break;
		}
		sqlite3_reset(q);
		if (d != 0)
			return d < 0 ? d : -EIO;
		if (rc != SQLITE_DONE)
			return store_sqlite_errno(rc);
	}
	/* The packed part, for the series with nothing newer in an open hour: every packed
	 * sample is before the open hour. From each series' blocks (an index range each). */
	double *value = c->value;
	int64_t *ts = c->ts;
	for (size_t k = 0; k < c->n; k++) {
		struct latest_one *o = &c->v[k];
		if (ts[o->i] != INT64_MIN)
			continue;
		if (c->cancel && c->cancel(c->cctx))
			return -ECANCELED;
		int64_t hi = o->t0 != INT64_MIN && o->t0 < to ? o->t0 : to;
		if (hi <= from)
			continue;
		struct latest_ctx one = {.value = &value[o->i], .ts = &ts[o->i]};
		bool stopped;
		/* (the open hour is past hi: this reads blocks only) */
		rc = reader_raw_locked(r, o->id, from, hi, latest_block_cb, &one, &stopped);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int store_latest(struct store_reader *r, const int64_t *ids, size_t n, int64_t from_ms,
                 int64_t to_ms, double *value, int64_t *ts_ms, bool (*cancel)(void *ctx), void *ctx)
{
	if (!r || (n && (!ids || !value || !ts_ms)))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		value[i] = NAN;
		ts_ms[i] = INT64_MIN;
	}
	if (n == 0 || to_ms <= from_ms)
		return 0;
	struct latest_ctx c = {.v = malloc(n * sizeof(*c.v)),
	                       .value = value,
	                       .ts = ts_ms,
	                       .cancel = cancel,
	                       .cctx = ctx};
	if (!c.v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (ids[i] > 0)
			c.v[c.n++] = (struct latest_one){.id = ids[i], .i = i};
	qsort(c.v, c.n, sizeof(*c.v), cmp_latest);
	/* a repeated id: its first position gets the answer, the others are copied after */
	size_t w = 0;
	for (size_t k = 0; k < c.n; k++)
		if (w == 0 || c.v[k].id != c.v[w - 1].id)
			c.v[w++] = c.v[k];
	c.n = w;
	int rc = reader_begin(r);
	if (rc == 0) {
		rc = latest_locked(r, &c, from_ms, to_ms);
		reader_end(r);
	}
	int found = 0;
	if (rc == 0) {
		for (size_t i = 0; i < n; i++) {
			if (ids[i] <= 0)
				continue;
			struct latest_one key = {.id = ids[i]},
			                  *o = bsearch(&key, c.v, c.n, sizeof(key), cmp_latest);
			if (o && o->i != i) {
				value[i] = value[o->i];
				ts_ms[i] = ts_ms[o->i];
			}
			found += ts_ms[i] != INT64_MIN;
		}
	}
	free(c.v);
	return rc < 0 ? rc : found;
}
