/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's read side: read-only connections for the HTTP API, the CLI and analytics, the
 * series list and raw samples. Each call runs in one read transaction, so it sees one
 * committed state of the writer: packed blocks, and the open hours still in staging (located
 * through series_state). Aggregation is in store_query.c, tail in store_staging.c. Layout and
 * invariants: store.c and docs/internals/store.md.
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

/* A database of an older schema (greendc upgraded, greendcd not started since): migrate it
 * on a write connection of our own, as greendcd would. 0 or -errno with a message. */
static int reader_migrate(const char *path, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, 10000);
		rc = store_schema_migrate(db, err, errlen);
	} else {
		snprintf(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		rc = store_sqlite_errno(rc);
	}
	sqlite3_close(db);
	return rc;
}

struct store_reader *store_reader_open(const char *path, char *err, size_t errlen)
{
	struct store_reader *r = calloc(1, sizeof(*r));
	if (!r || !(r->codec = codec_new())) {
		snprintf(err, errlen, "out of memory");
		free(r);
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
	if (version > 0 && version < store_schema_version()) {
		if (reader_migrate(path, err, errlen) < 0)
			goto fail;
		version = store_schema_version();
	}
	if (version == 0 || version != store_schema_version()) {
		snprintf(err, errlen, "%s: %s (schema version %d, this build knows %d)", path,
		         version ? "written by a newer greendc" : "not a greendc database", version,
		         store_schema_version());
		goto fail;
	}
	static const char *roll_sql[ROLLUP_LEVELS] = {
	        "SELECT ts, data FROM rollup_1m WHERE series = ? AND ts >= ? AND ts < ? ORDER BY "
	        "ts",
#define ROLL_SELECT(t)                                                                             \
	"SELECT ts, count, min, max, sum, last, delta, last_ts FROM " t                            \
	" WHERE series = ? AND ts >= ? AND ts < ? ORDER BY ts"
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
	        {&r->q_blocks, "SELECT t0, t1, data FROM blocks WHERE series = ? AND t0 >= ? "
	                       "AND t0 < ? ORDER BY t0"},
	        {&r->q_staging, "SELECT seq, data FROM staging WHERE shard = ? AND seq >= ? "
	                        "ORDER BY seq"},
	        {&r->q_roll[0], roll_sql[0]},
	        {&r->q_roll[1], roll_sql[1]},
	        {&r->q_roll[2], roll_sql[2]},
	        {&r->q_prev_roll, "SELECT last FROM rollup_1h WHERE series = ? AND ts < ? "
	                          "AND count > 0 ORDER BY ts DESC LIMIT 1"},
	        {&r->q_tail, "SELECT seq, data FROM staging WHERE seq >= ? ORDER BY seq"},
	        {&r->q_tail_max, "SELECT max(seq) FROM staging"},
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
	sqlite3_stmt *all[] = {r->q_series,    r->q_kind,     r->q_state,   r->q_blocks,
	                       r->q_staging,   r->q_roll[0],  r->q_roll[1], r->q_roll[2],
	                       r->q_prev_roll, r->q_begin,    r->q_end,     r->q_tail,
	                       r->q_tail_max,  r->q_last_roll};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		sqlite3_finalize(all[i]);
	sqlite3_close(r->db);
	codec_free(r->codec);
	stage_dec_free(&r->dec);
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

int reader_open_state(struct store_reader *r, int64_t series, int64_t *open_t0, int64_t *seq)
{
	sqlite3_stmt *q = r->q_state;
	sqlite3_bind_int64(q, 1, series);
	*open_t0 = INT64_MIN;
	*seq = 0;
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) {
		*open_t0 = sqlite3_column_int64(q, 0);
		*seq = sqlite3_column_int64(q, 1);
	}
	sqlite3_reset(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The open hour's samples in [lo, hi), from the series' staging shard, collected here. */
struct staged {
	int64_t ts;
	double v;
	size_t i;
};

struct staged_set {
	struct staged *rows;
	size_t n, cap;
	int64_t lo, hi;
	bool sorted, oom;
};

static int staged_cb(void *ctx, const struct stage_run *run)
{
	struct staged_set *s = ctx;
	for (size_t k = 0; k < run->n; k++) {
		if (run->ts[k] < s->lo || run->ts[k] >= s->hi)
			continue;
		if (s->n == s->cap) {
			size_t c = s->cap ? s->cap * 2 : 256;
			struct staged *p = realloc(s->rows, c * sizeof(*p));
			if (!p) {
				s->oom = true;
				return 1;
			}
			s->rows = p;
			s->cap = c;
		}
		s->rows[s->n] = (struct staged){run->ts[k], run->v[k], s->n};
		if (s->n > 0 && run->ts[k] < s->rows[s->n - 1].ts)
			s->sorted = false;
		s->n++;
	}
	return 0;
}

static int cmp_staged(const void *a, const void *b)
{
	const struct staged *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->i < y->i ? -1 : (x->i > y->i);
}

/* The open hour's samples of a series in [lo, hi), sorted by time (stable). 0 or -errno. */
static int read_staged(struct store_reader *r, int64_t series, int64_t seq, struct staged_set *s)
{
	sqlite3_stmt *q = r->q_staging;
	sqlite3_bind_int(q, 1, staging_shard(series));
	sqlite3_bind_int64(q, 2, seq);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int d = staging_decode(r->codec, &r->dec, sqlite3_column_blob(q, 1),
		                       (size_t)sqlite3_column_bytes(q, 1), series, staged_cb, s);
		if (d != 0) {
			rc = s->oom || d == -ENOMEM ? SQLITE_NOMEM : SQLITE_CORRUPT;
			break;
		}
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return store_sqlite_errno(rc);
	if (!s->sorted)
		qsort(s->rows, s->n, sizeof(*s->rows), cmp_staged);
	return 0;
}

int reader_raw_locked(struct store_reader *r, int64_t series, int64_t from, int64_t to, raw_cb cb,
                      void *ctx, bool *stopped)
{
	int64_t open_t0, open_seq;
	int rc = reader_open_state(r, series, &open_t0, &open_seq), count = 0;
	if (rc != SQLITE_OK)
		return store_sqlite_errno(rc);
	*stopped = false;

	/* Packed blocks (hours or spans of up to a day); all of them lie before the open hour. */
	sqlite3_stmt *q = r->q_blocks;
	sqlite3_bind_int64(q, 1, series);
	sqlite3_bind_int64(q, 2, bucket_floor(from, 0, HOUR_MS) - STORE_MAX_SPAN_MS + HOUR_MS);
	sqlite3_bind_int64(q, 3, to);
	while (!*stopped && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (sqlite3_column_int64(q, 1) <= from)
			continue; /* a span that ends before the range */
		int64_t t0 = sqlite3_column_int64(q, 0);
		const uint8_t *data = sqlite3_column_blob(q, 2);
		size_t len = (size_t)sqlite3_column_bytes(q, 2);
		long n = codec_count(data, len);
		if (n < 0 || decode_room(r, (size_t)n) < 0) {
			rc = n < 0 ? SQLITE_CORRUPT : SQLITE_NOMEM;
			break;
		}
		n = codec_decode(r->codec, t0, data, len, r->ts, r->v, r->cap);
		if (n < 0) {
			rc = n == -ENOMEM ? SQLITE_NOMEM : SQLITE_CORRUPT;
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

	/* The open hour, from staging. */
	if (open_t0 == INT64_MIN || open_t0 >= to || open_t0 + HOUR_MS <= from)
		return count;
	struct staged_set s = {.lo = from > open_t0 ? from : open_t0,
	                       .hi = to < open_t0 + HOUR_MS ? to : open_t0 + HOUR_MS,
	                       .sorted = true};
	if ((rc = read_staged(r, series, open_seq, &s)) < 0) {
		free(s.rows);
		return rc;
	}
	for (size_t i = 0; i < s.n; i++) {
		count++;
		if (cb(ctx, s.rows[i].ts, s.rows[i].v)) {
			*stopped = true;
			break;
		}
	}
	free(s.rows);
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
	rc = reader_raw_locked(r, series, from_ms, to_ms, cb, ctx, &stopped);
	reader_end(r);
	return rc;
}
