/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's read side: read-only connections for the HTTP API, the CLI and analytics. Each
 * call runs in one read transaction, so it sees one committed state of the writer: packed
 * blocks, the open hours still in staging (located through series_state), and rollups.
 * Layout and invariants: store.c and docs/internals/store.md.
 */
#include "store/store.h"

#include "store/store_codec.h"
#include "store/store_internal.h"

#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct store_reader *store_reader_open(const char *path, char *err, size_t errlen)
{
	struct store_reader *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	int rc = sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
		         r->db ? sqlite3_errmsg(r->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(r->db, 5000);
	sqlite3_stmt *q = NULL;
	int version = -1;
	rc = sqlite3_prepare_v2(r->db, "PRAGMA user_version", -1, &q, NULL);
	if (rc == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		version = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	if (version < 0) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(r->db));
		goto fail;
	}
	if (version == 0 || version > store_schema_version()) {
		snprintf(err, errlen, "%s: %s (schema version %d, this build knows %d)", path,
		         version ? "written by a newer greendc" : "not a greendc database", version,
		         store_schema_version());
		goto fail;
	}
	static const char *roll_sql[ROLLUP_LEVELS] = {
#define ROLL_SELECT(t)                                                                             \
	"SELECT ts, count, min, max, sum, last, delta, last_ts FROM " t                            \
	" WHERE series = ? AND ts >= ? AND ts < ? ORDER BY ts"
	        ROLL_SELECT("rollup_1m"),
	        ROLL_SELECT("rollup_1h"),
	        ROLL_SELECT("rollup_1d"),
#undef ROLL_SELECT
	};
	const struct {
		sqlite3_stmt **q;
		const char *sql;
	} stmts[] = {
	        {&r->q_series, "SELECT s.id, s.device, s.metric, s.labels, s.kind, s.counter_bits, "
	                       "s.max_rate, s.counter_scale, t.have_last, t.last_raw, t.total "
	                       "FROM series s LEFT JOIN series_state t ON t.series = s.id "
	                       "ORDER BY s.id"},
	        {&r->q_kind, "SELECT kind FROM series WHERE id = ?"},
	        {&r->q_state, "SELECT open_t0, open_rowid FROM series_state WHERE series = ?"},
	        {&r->q_blocks,
	         "SELECT t0, data FROM blocks WHERE series = ? AND t0 >= ? AND t0 < ? "
	         "ORDER BY t0, seq"},
	        {&r->q_staging, "SELECT ts, value FROM staging WHERE rowid >= ? AND series = ? "
	                        "AND ts >= ? AND ts < ?"},
	        {&r->q_roll[0], roll_sql[0]},
	        {&r->q_roll[1], roll_sql[1]},
	        {&r->q_roll[2], roll_sql[2]},
	        {&r->q_prev_block, "SELECT last FROM blocks WHERE series = ? AND t0 < ? "
	                           "ORDER BY t0 DESC, seq DESC LIMIT 1"},
	        {&r->q_tail, "SELECT rowid, series, ts, value FROM staging WHERE rowid > ? "
	                     "ORDER BY rowid LIMIT ?"},
	        {&r->q_tail_max, "SELECT max(rowid) FROM staging"},
	        {&r->q_last_roll, "SELECT last_ts FROM rollup_1h WHERE series = ? AND ts < ? "
	                          "AND count > 0 ORDER BY ts DESC LIMIT 1"},
	        {&r->q_begin, "BEGIN"},
	        {&r->q_end, "COMMIT"},
	};
	for (size_t i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++) {
		rc = sqlite3_prepare_v3(r->db, stmts[i].sql, -1, SQLITE_PREPARE_PERSISTENT,
		                        stmts[i].q, NULL);
		if (rc != SQLITE_OK) {
			snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(r->db));
			goto fail;
		}
	}
	return r;
fail:
	store_reader_close(r);
	return NULL;
}

void store_reader_close(struct store_reader *r)
{
	if (!r)
		return;
	sqlite3_stmt *all[] = {r->q_series,     r->q_kind,     r->q_state,   r->q_blocks,
	                       r->q_staging,    r->q_roll[0],  r->q_roll[1], r->q_roll[2],
	                       r->q_prev_block, r->q_begin,    r->q_end,     r->q_tail,
	                       r->q_tail_max,   r->q_last_roll};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		sqlite3_finalize(all[i]);
	sqlite3_close(r->db);
	free(r->ts);
	free(r->v);
	free(r);
}

int store_series_find(struct store_reader *r, const char *glob,
                      int (*cb)(void *ctx, const struct store_series_info *info), void *ctx)
{
	if (!r || !cb)
		return -EINVAL;
	sqlite3_stmt *q = r->q_series;
	int rc, count = 0;
	char *name = NULL;
	size_t cap = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_series_info info = {
		        .id = sqlite3_column_int64(q, 0),
		        .device = (const char *)sqlite3_column_text(q, 1),
		        .metric = (const char *)sqlite3_column_text(q, 2),
		        .labels = (const char *)sqlite3_column_text(q, 3),
		        .kind = sqlite3_column_int(q, 4) == STORE_COUNTER ? STORE_COUNTER
		                                                          : STORE_GAUGE,
		        .counter_bits = (unsigned)sqlite3_column_int(q, 5),
		        .max_rate = sqlite3_column_double(q, 6),
		        .counter_scale = sqlite3_column_double(q, 7),
		        .have_last = sqlite3_column_int(q, 8) != 0 &&
		                     sqlite3_column_type(q, 9) != SQLITE_NULL,
		        .last_raw = sqlite3_column_double(q, 9),
		        .last_total = sqlite3_column_double(q, 10),
		};
		if (glob) {
			size_t need =
			        strlen(info.device) + strlen(info.metric) + strlen(info.labels) + 4;
			if (need > cap) {
				char *p = realloc(name, need);
				if (!p) {
					rc = SQLITE_NOMEM;
					break;
				}
				name = p;
				cap = need;
			}
			if (*info.labels)
				snprintf(name, cap, "%s %s{%s}", info.device, info.metric,
				         info.labels);
			else
				snprintf(name, cap, "%s %s", info.device, info.metric);
			if (fnmatch(glob, name, 0) != 0)
				continue;
		}
		count++;
		if (cb(ctx, &info)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(q);
	free(name);
	return rc == SQLITE_DONE ? count : store_sqlite_errno(rc);
}

static int decode_room(struct store_reader *r, size_t n)
{
	if (n <= r->cap)
		return 0;
	size_t c = r->cap ? r->cap : 1024;
	while (c < n)
		c *= 2;
	int64_t *a = realloc(r->ts, c * sizeof(*a));
	if (!a)
		return -ENOMEM;
	r->ts = a;
	double *b = realloc(r->v, c * sizeof(*b));
	if (!b)
		return -ENOMEM;
	r->v = b;
	r->cap = c;
	return 0;
}

/* Where a series' open hour is in staging; *open_t0 = INT64_MIN when it has none. */
static int open_state(struct store_reader *r, int64_t series, int64_t *open_t0, int64_t *rowid)
{
	sqlite3_stmt *q = r->q_state;
	sqlite3_bind_int64(q, 1, series);
	*open_t0 = INT64_MIN;
	*rowid = 0;
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) {
		*open_t0 = sqlite3_column_int64(q, 0);
		*rowid = sqlite3_column_int64(q, 1);
	}
	sqlite3_reset(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

typedef int (*raw_cb)(void *ctx, int64_t ts_ms, double value);

struct staged {
	int64_t ts;
	double v;
	size_t i;
};

static int cmp_staged(const void *a, const void *b)
{
	const struct staged *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->i < y->i ? -1 : (x->i > y->i);
}

/* The body of store_read_raw, inside a read transaction. Returns samples given to cb, -errno,
 * and sets *stopped when cb asked to stop. */
static int read_raw_locked(struct store_reader *r, int64_t series, int64_t from, int64_t to,
                           raw_cb cb, void *ctx, bool *stopped)
{
	int64_t open_t0, open_rowid;
	int rc = open_state(r, series, &open_t0, &open_rowid), count = 0;
	if (rc != SQLITE_OK)
		return store_sqlite_errno(rc);
	*stopped = false;

	/* Packed hours; all of them lie before the open hour. */
	sqlite3_stmt *q = r->q_blocks;
	sqlite3_bind_int64(q, 1, series);
	sqlite3_bind_int64(q, 2, bucket_floor(from, 0, HOUR_MS));
	sqlite3_bind_int64(q, 3, to);
	while (!*stopped && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t t0 = sqlite3_column_int64(q, 0);
		const uint8_t *data = sqlite3_column_blob(q, 1);
		size_t len = (size_t)sqlite3_column_bytes(q, 1);
		long n = codec_count(data, len);
		if (n < 0 || decode_room(r, (size_t)n) < 0) {
			rc = n < 0 ? SQLITE_CORRUPT : SQLITE_NOMEM;
			break;
		}
		n = codec_decode(t0, data, len, r->ts, r->v, r->cap);
		if (n < 0) {
			rc = SQLITE_CORRUPT;
			break;
		}
		for (long i = 0; i < n; i++) {
			if (r->ts[i] < from || r->ts[i] >= to)
				continue;
			count++;
			if (cb(ctx, r->ts[i], r->v[i])) {
				*stopped = true;
				break;
			}
		}
	}
	sqlite3_reset(q);
	if (*stopped)
		return count;
	if (rc != SQLITE_DONE)
		return store_sqlite_errno(rc);

	/* The open hour, from staging (rowid range scan; no index by design). */
	if (open_t0 == INT64_MIN || open_t0 >= to || open_t0 + HOUR_MS <= from)
		return count;
	int64_t lo = from > open_t0 ? from : open_t0;
	int64_t hi = to < open_t0 + HOUR_MS ? to : open_t0 + HOUR_MS;
	struct staged *rows = NULL;
	size_t n = 0, cap = 0;
	bool sorted = true;
	q = r->q_staging;
	sqlite3_bind_int64(q, 1, open_rowid);
	sqlite3_bind_int64(q, 2, series);
	sqlite3_bind_int64(q, 3, lo);
	sqlite3_bind_int64(q, 4, hi);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (n == cap) {
			size_t c = cap ? cap * 2 : 256;
			struct staged *p = realloc(rows, c * sizeof(*p));
			if (!p) {
				rc = SQLITE_NOMEM;
				break;
			}
			rows = p;
			cap = c;
		}
		rows[n].ts = sqlite3_column_int64(q, 0);
		rows[n].v = sqlite3_column_type(q, 1) == SQLITE_NULL ? NAN
		                                                     : sqlite3_column_double(q, 1);
		rows[n].i = n;
		if (n > 0 && rows[n].ts < rows[n - 1].ts)
			sorted = false;
		n++;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		free(rows);
		return store_sqlite_errno(rc);
	}
	if (!sorted)
		qsort(rows, n, sizeof(*rows), cmp_staged);
	for (size_t i = 0; i < n; i++) {
		count++;
		if (cb(ctx, rows[i].ts, rows[i].v)) {
			*stopped = true;
			break;
		}
	}
	free(rows);
	return count;
}

int reader_begin(struct store_reader *r)
{
	int rc = sqlite3_step(r->q_begin);
	sqlite3_reset(r->q_begin);
	return rc == SQLITE_DONE ? 0 : store_sqlite_errno(rc);
}

void reader_end(struct store_reader *r)
{
	sqlite3_step(r->q_end);
	sqlite3_reset(r->q_end);
}

int store_read_raw(struct store_reader *r, int64_t series, int64_t from_ms, int64_t to_ms,
                   int (*cb)(void *ctx, int64_t ts_ms, double value), void *ctx)
{
	if (!r || !cb)
		return -EINVAL;
	if (to_ms <= from_ms)
		return 0;
	int rc = reader_begin(r);
	if (rc < 0)
		return rc;
	bool stopped;
	rc = read_raw_locked(r, series, from_ms, to_ms, cb, ctx, &stopped);
	reader_end(r);
	return rc;
}

/* ---- aggregation ---- */

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
 * for increases computed from raw samples. */
static int value_before(struct store_reader *r, int64_t series, int64_t before, double *out)
{
	bool stopped;
	int64_t h = bucket_floor(before, 0, HOUR_MS), open_t0, rowid;
	*out = NAN;
	int rc = read_raw_locked(r, series, h, before, last_value, out, &stopped);
	if (rc < 0 || isfinite(*out))
		return rc < 0 ? rc : 0;
	if ((rc = open_state(r, series, &open_t0, &rowid)) != SQLITE_OK)
		return store_sqlite_errno(rc);
	if (open_t0 != INT64_MIN && open_t0 < h) {
		rc = read_raw_locked(r, series, open_t0, open_t0 + HOUR_MS, last_value, out,
		                     &stopped);
		return rc < 0 ? rc : 0;
	}
	sqlite3_stmt *q = r->q_prev_block;
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
	int64_t h = bucket_floor(before, 0, HOUR_MS), open_t0, rowid;
	*ts = INT64_MIN;
	int rc = read_raw_locked(r, series, h, before, last_ts_cb, ts, &stopped);
	if (rc < 0 || *ts != INT64_MIN)
		return rc < 0 ? rc : 0;
	if ((rc = open_state(r, series, &open_t0, &rowid)) != SQLITE_OK)
		return store_sqlite_errno(rc);
	/* The open hour is the newest; every hour before it is packed and rolled up. */
	if (open_t0 != INT64_MIN && open_t0 < h) {
		rc = read_raw_locked(r, series, open_t0, open_t0 + HOUR_MS, last_ts_cb, ts,
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

	/* Rollups hold exactly the packed samples, i.e. everything before the open hour:
	 * they serve [from, split), raw samples serve [split, to). */
	int64_t split = from;
	if (level >= 0) {
		int64_t open_t0, rowid;
		if ((rc = open_state(r, series, &open_t0, &rowid)) != SQLITE_OK)
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
	}
	if (!qq->stopped && split < to) {
		qq->prev = NAN;
		if (qq->counter && (rc = value_before(r, series, split, &qq->prev)) < 0)
			return rc;
		bool stopped;
		rc = read_raw_locked(r, series, split, to, raw_fold, qq, &stopped);
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

int store_tail(struct store_reader *r, int64_t *cursor, size_t max,
               int (*cb)(void *ctx, int64_t series, int64_t ts_ms, double value), void *ctx)
{
	if (!r || !cursor || !cb)
		return -EINVAL;
	int rc = reader_begin(r), count = 0;
	if (rc < 0)
		return rc;
	/* The writer never deletes the newest staging row, so rowids never restart; a cursor
	 * beyond the newest row means another database: start over at its end. */
	int64_t newest = 0;
	rc = sqlite3_step(r->q_tail_max);
	if (rc == SQLITE_ROW)
		newest = sqlite3_column_int64(r->q_tail_max, 0);
	sqlite3_reset(r->q_tail_max);
	if (rc != SQLITE_ROW) {
		reader_end(r);
		return store_sqlite_errno(rc);
	}
	if (*cursor < 0 || *cursor > newest) {
		*cursor = newest;
		reader_end(r);
		return 0;
	}
	sqlite3_stmt *q = r->q_tail;
	sqlite3_bind_int64(q, 1, *cursor);
	sqlite3_bind_int64(q, 2, (int64_t)max);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		*cursor = sqlite3_column_int64(q, 0);
		double v = sqlite3_column_type(q, 3) == SQLITE_NULL ? NAN
		                                                    : sqlite3_column_double(q, 3);
		count++;
		if (cb(ctx, sqlite3_column_int64(q, 1), sqlite3_column_int64(q, 2), v)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(q);
	reader_end(r);
	return rc == SQLITE_DONE ? count : store_sqlite_errno(rc);
}
