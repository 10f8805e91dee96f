/*
 * The store's writer side: the bounded queue, the writer thread that owns the only write
 * connection, the series registry, counter unwrapping, hourly block packing and rollups.
 * Readers live in store_read.c, the schema in store_schema.c, the codec in store_codec.c.
 *
 * Data path of one sample (docs/internals/store.md has the why):
 *   store_append -> queue -> writer batch transaction:
 *     counters: counter_step() -> cumulative total (+ events for resets/rejections)
 *     INSERT INTO staging            (durable at this commit: the acknowledgement)
 *     open hour block in RAM         (the series' current hour)
 *   when a series moves to the next hour (or its hour is stale, or at close):
 *     encode the hour -> blocks row; 1m rows + 1h row + merge into the 1d row;
 *     then staging rows before the oldest still-open hour are range-deleted by rowid.
 *   a sample for an hour already packed (or skipped) is merged into that hour's block in the
 *   same transaction that stages it, and its rollup rows are updated incrementally.
 *
 * Any SQLite error in a batch: roll back, rebuild all in-RAM state from the database (the
 * crash-recovery path), wait, and retry the same batch; producers block once the queue fills.
 */
#include "store/store.h"

#include "store/counter.h"
#include "store/outbox.h"
#include "store/store_codec.h"
#include "store/store_internal.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NO_HOUR           INT64_MIN
#define DEFAULT_COMMIT_MS 1000
#define DEFAULT_QUEUE_CAP 65536
/* A series whose open hour ended this long ago (in data time) is packed even if it went
 * silent; later samples for it take the merge path. */
#define STALE_GRACE_MS (10 * MINUTE_MS)
/* Retry backoff after a failed batch. */
#define RETRY_MIN_MS 100
#define RETRY_MAX_MS 5000
/* Failed attempts after which a batch that fails for a non-I/O reason is dropped. */
#define POISON_ATTEMPTS 3
/* At close, attempts before giving up on a batch that keeps failing. */
#define CLOSE_ATTEMPTS 3

enum qtype { Q_SAMPLE, Q_SERIES, Q_EVENT, Q_DEVICE, Q_OUTBOX };

struct qitem {
	int type;
	int64_t series;
	int64_t ts;
	double value;
	void *ptr; /* Q_SERIES: struct series_msg; Q_EVENT: struct event_msg; Q_DEVICE: dev_msg;
	            * Q_OUTBOX: struct outbox_msg */
};

struct qbuf {
	struct qitem *items;
	size_t n, cap;
};

struct series_msg {
	int64_t id;
	int kind;
	unsigned bits;
	double max_rate;
	double scale;
	char *device, *metric, *labels; /* point into the same allocation */
};

struct event_msg {
	char *kind, *detail;
};

struct dev_msg {
	struct store_device_state ds; /* strings owned */
};

/* An outbox item for one or more streams, with an optional event recorded in the same
 * transaction; every string points into the same allocation (outbox.h). */
struct outbox_msg {
	struct outbox_item it; /* it.stream unused: streams[] */
	size_t nstreams;
	char **streams;
	char *ev_kind, *ev_detail; /* ev_kind NULL: no event */
	int64_t ev_series, ev_ts;
};

/* The registry: key "device\x1fmetric\x1flabels" -> id, open addressing. */
struct reg_entry {
	char *key;
	int64_t id;
	int kind;
	unsigned bits;
	double max_rate;
	double scale;
};

/* Writer-side state of one series (writer thread only). */
struct wseries {
	bool known;
	int kind;
	unsigned bits;
	double max_rate;
	double scale;
	/* counter state, persisted in series_state at every commit that changes it */
	bool have_last;
	double last_raw, total;
	int64_t last_ts;
	/* the open hour: samples only in staging (and here) */
	int64_t open_t0; /* NO_HOUR: none */
	int64_t open_rowid;
	uint32_t *off; /* ts - open_t0 */
	double *val;
	double *inc; /* counters only */
	size_t n, cap;
	bool unsorted;
	int64_t packed_t0; /* latest packed hour, NO_HOUR: none */
	bool dirty;        /* series_state needs writing */
};

/* A sample for an hour that is not open: merged into its block at the end of the batch. */
struct late {
	int64_t series, ts;
	double value, inc;
};

struct store {
	struct store_opts opts;
	char *path;
	sqlite3 *db; /* writer thread only, after open */
	pthread_t thread;

	/* queue */
	pthread_mutex_t qlock;
	pthread_cond_t qwake;  /* writer: work or stop */
	pthread_cond_t qspace; /* producers: room in the queue */
	pthread_cond_t qdone;  /* flushers: a commit or a failure happened */
	struct qbuf in;
	struct qbuf spare;        /* the writer's half of the double buffer */
	struct timespec in_first; /* when in went from empty to non-empty */
	uint64_t enq_total, committed_total, fail_count;
	unsigned flush_waiters;
	bool stop;
	char last_error[256];
	struct store_stats stats;

	/* registry */
	pthread_mutex_t rlock;
	struct reg_entry *reg;
	size_t reg_cap, reg_n;
	int64_t next_id;

	/* writer thread state */
	struct wseries *ws;
	size_t ws_cap;
	int64_t *dirty;
	size_t ndirty, dirty_cap;
	struct late *late;
	size_t nlate, late_cap;
	int64_t clock_ms; /* data time: the latest sample timestamp seen (bounded by wall time) */
	int64_t retention_hour; /* last data hour retention ran for */
	bool packed_any;        /* staging may be trimmed at this commit */
	int64_t last_rowid;
	/* scratch for encode/merge */
	int64_t *sts;
	double *sv, *sinc;
	size_t scap;
	uint8_t *blob;
	size_t blob_cap;

	sqlite3_stmt *q_stage, *q_sel_block, *q_del_block, *q_ins_block, *q_roll[ROLLUP_LEVELS],
	        *q_state, *q_trim, *q_event, *q_device, *q_series, *q_retain, *q_begin, *q_commit;
};

/* ---- small helpers ---- */

static int64_t wall_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void ts_add_ms(struct timespec *t, int64_t ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static bool ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ULL;
	return h;
}

/* ---- the queue ---- */

/* Caller holds qlock. Waits for room; false when the store is stopping. */
static bool queue_wait_room(struct store *st)
{
	while (st->in.n >= st->in.cap && !st->stop)
		pthread_cond_wait(&st->qspace, &st->qlock);
	return !st->stop;
}

static void queue_push_locked(struct store *st, const struct qitem *it)
{
	if (st->in.n == 0)
		clock_gettime(CLOCK_MONOTONIC, &st->in_first);
	st->in.items[st->in.n++] = *it;
	st->enq_total++;
	if (st->in.n == st->in.cap / 2 || st->in.n == 1)
		pthread_cond_signal(&st->qwake);
}

static int queue_push(struct store *st, const struct qitem *it)
{
	pthread_mutex_lock(&st->qlock);
	if (!queue_wait_room(st)) {
		pthread_mutex_unlock(&st->qlock);
		return -ESHUTDOWN;
	}
	queue_push_locked(st, it);
	pthread_mutex_unlock(&st->qlock);
	return 0;
}

static void set_error(struct store *st, const char *what)
{
	pthread_mutex_lock(&st->qlock);
	snprintf(st->last_error, sizeof(st->last_error), "%s: %s", what, sqlite3_errmsg(st->db));
	pthread_mutex_unlock(&st->qlock);
}

/* ---- writer: series state ---- */

static struct wseries *ws_get(struct store *st, int64_t id)
{
	if (id <= 0)
		return NULL;
	if ((size_t)id >= st->ws_cap) {
		size_t old = st->ws_cap, c = old ? old : 1024;
		while (c <= (size_t)id)
			c *= 2;
		struct wseries *p = realloc(st->ws, c * sizeof(*p));
		if (!p)
			return NULL;
		memset(p + old, 0, (c - old) * sizeof(*p));
		for (size_t i = old; i < c; i++) {
			p[i].open_t0 = NO_HOUR;
			p[i].packed_t0 = NO_HOUR;
		}
		st->ws = p;
		st->ws_cap = c;
	}
	return &st->ws[id];
}

static void ws_reset_all(struct store *st)
{
	for (size_t i = 0; i < st->ws_cap; i++) {
		struct wseries *w = &st->ws[i];
		free(w->off);
		free(w->val);
		free(w->inc);
		memset(w, 0, sizeof(*w));
		w->open_t0 = NO_HOUR;
		w->packed_t0 = NO_HOUR;
	}
	st->ndirty = 0;
	st->nlate = 0;
	st->packed_any = false;
}

static void mark_dirty(struct store *st, int64_t id, struct wseries *w)
{
	if (w->dirty)
		return;
	if (grow((void **)&st->dirty, &st->dirty_cap, st->ndirty + 1, sizeof(int64_t)) == 0) {
		st->dirty[st->ndirty++] = id;
		w->dirty = true;
	}
}

static int open_append(struct wseries *w, int64_t ts, double v, double inc)
{
	if (w->n == w->cap) {
		size_t c = w->cap ? w->cap * 2 : 64;
		uint32_t *o = realloc(w->off, c * sizeof(*o));
		if (!o)
			return -ENOMEM;
		w->off = o;
		double *x = realloc(w->val, c * sizeof(*x));
		if (!x)
			return -ENOMEM;
		w->val = x;
		if (w->kind == STORE_COUNTER) {
			double *y = realloc(w->inc, c * sizeof(*y));
			if (!y)
				return -ENOMEM;
			w->inc = y;
		}
		w->cap = c;
	}
	uint32_t o = (uint32_t)(ts - w->open_t0);
	if (w->n > 0 && o < w->off[w->n - 1])
		w->unsorted = true;
	w->off[w->n] = o;
	w->val[w->n] = v;
	if (w->inc)
		w->inc[w->n] = inc;
	w->n++;
	return 0;
}

/* ---- writer: statements ---- */

static int prep(struct store *st, sqlite3_stmt **q, const char *sql)
{
	int rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, q, NULL);
	return rc;
}

static int prepare_all(struct store *st)
{
	static const char *roll_sql[ROLLUP_LEVELS] = {
#define ROLL_UPSERT(t)                                                                             \
	"INSERT INTO " t "(series, ts, count, min, max, sum, last, delta, last_ts) "               \
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(series, ts) DO UPDATE SET "       \
	"count = count + excluded.count, min = min(min, excluded.min), "                           \
	"max = max(max, excluded.max), sum = sum + excluded.sum, "                                 \
	"last = CASE WHEN excluded.last_ts >= last_ts THEN excluded.last ELSE last END, "          \
	"delta = delta + excluded.delta, last_ts = max(last_ts, excluded.last_ts)"
	        ROLL_UPSERT("rollup_1m"),
	        ROLL_UPSERT("rollup_1h"),
	        ROLL_UPSERT("rollup_1d"),
#undef ROLL_UPSERT
	};
	int rc = SQLITE_OK;
#define P(q, sql)                                                                                  \
	do {                                                                                       \
		if (rc == SQLITE_OK)                                                               \
			rc = prep(st, &st->q, sql);                                                \
	} while (0)
	P(q_stage, "INSERT INTO staging(series, ts, value, inc) VALUES (?, ?, ?, ?)");
	P(q_sel_block, "SELECT t0, data FROM blocks WHERE series = ? AND t0 = ? ORDER BY seq");
	P(q_del_block, "DELETE FROM blocks WHERE series = ? AND t0 = ?");
	P(q_ins_block, "INSERT INTO blocks(series, t0, seq, n, n_finite, first_ts, last_ts, "
	               "first, last, min, max, sum, data) "
	               "VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	for (int i = 0; i < ROLLUP_LEVELS; i++)
		P(q_roll[i], roll_sql[i]);
	P(q_state, "INSERT INTO series_state(series, open_t0, open_rowid, packed_t0, have_last, "
	           "last_raw, total, last_ts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
	           "ON CONFLICT(series) DO UPDATE SET open_t0 = ?2, open_rowid = ?3, "
	           "packed_t0 = ?4, have_last = ?5, last_raw = ?6, total = ?7, last_ts = ?8");
	P(q_trim, "DELETE FROM staging WHERE rowid < ?");
	P(q_event, "INSERT INTO events(ts, series, kind, detail) VALUES (?, ?, ?, ?)");
	P(q_device, "INSERT INTO devices(name, driver, address, state, last_poll_ms, last_ok_ms, "
	            "last_duration_s, errors, interval_ms, last_error) "
	            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
	            "ON CONFLICT(name) DO UPDATE SET driver = ?2, address = ?3, state = ?4, "
	            "last_poll_ms = ?5, last_ok_ms = ?6, last_duration_s = ?7, errors = ?8, "
	            "interval_ms = ?9, last_error = ?10");
	P(q_series, "INSERT INTO series(id, device, metric, labels, kind, counter_bits, max_rate, "
	            "counter_scale) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(id) DO "
	            "UPDATE SET kind = ?5, counter_bits = ?6, max_rate = ?7, counter_scale = ?8");
	P(q_retain, "DELETE FROM blocks WHERE series = ? AND t0 <= ?");
	P(q_begin, "BEGIN IMMEDIATE");
	P(q_commit, "COMMIT");
#undef P
	return rc;
}

static void finalize_all(struct store *st)
{
	sqlite3_stmt **all[] = {&st->q_stage,     &st->q_sel_block, &st->q_del_block,
	                        &st->q_ins_block, &st->q_roll[0],   &st->q_roll[1],
	                        &st->q_roll[2],   &st->q_state,     &st->q_trim,
	                        &st->q_event,     &st->q_device,    &st->q_series,
	                        &st->q_retain,    &st->q_begin,     &st->q_commit};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		sqlite3_finalize(*all[i]);
		*all[i] = NULL;
	}
}

/* Step a statement that returns no rows, then reset it. SQLite result code. */
static int run(sqlite3_stmt *q)
{
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void bind_real_or_null(sqlite3_stmt *q, int i, double v, bool have)
{
	if (have && isfinite(v))
		sqlite3_bind_double(q, i, v);
	else
		sqlite3_bind_null(q, i);
}

/* ---- writer: rollups ---- */

struct agg {
	int64_t count;
	double min, max, sum, last, delta;
	int64_t last_ts;
	bool any; /* any sample (even non-finite) */
};

static void agg_add(struct agg *a, int64_t ts, double v, double inc)
{
	if (!a->any) {
		a->any = true;
		a->last_ts = INT64_MIN;
	}
	a->delta += inc;
	if (!isfinite(v))
		return;
	if (a->count == 0 || v < a->min)
		a->min = v;
	if (a->count == 0 || v > a->max)
		a->max = v;
	a->sum += v;
	if (a->count == 0 || ts >= a->last_ts) {
		a->last = v;
		a->last_ts = ts;
	}
	a->count++;
}

static int agg_write(struct store *st, int level, int64_t series, int64_t bucket,
                     const struct agg *a)
{
	if (a->count == 0 && a->delta == 0)
		return SQLITE_OK;
	sqlite3_stmt *q = st->q_roll[level];
	sqlite3_bind_int64(q, 1, series);
	sqlite3_bind_int64(q, 2, bucket);
	sqlite3_bind_int64(q, 3, a->count);
	bind_real_or_null(q, 4, a->min, a->count > 0);
	bind_real_or_null(q, 5, a->max, a->count > 0);
	sqlite3_bind_double(q, 6, a->count > 0 ? a->sum : 0);
	bind_real_or_null(q, 7, a->last, a->count > 0);
	sqlite3_bind_double(q, 8, a->delta);
	sqlite3_bind_int64(q, 9, a->count > 0 ? a->last_ts : bucket);
	return run(q);
}

/* Add samples (sorted by ts) to the rollups of every level, as increments. */
static int rollup_add(struct store *st, int64_t series, const int64_t *ts, const double *v,
                      const double *inc, size_t n)
{
	for (int l = 0; l < ROLLUP_LEVELS; l++) {
		int64_t p = rollup_levels[l].period_ms;
		size_t i = 0;
		while (i < n) {
			int64_t b = bucket_floor(ts[i], 0, p);
			struct agg a = {0};
			for (; i < n && ts[i] < b + p; i++)
				agg_add(&a, ts[i], v[i], inc ? inc[i] : 0);
			int rc = agg_write(st, l, series, b, &a);
			if (rc != SQLITE_OK)
				return rc;
		}
	}
	return SQLITE_OK;
}

/* ---- writer: blocks ---- */

static int scratch(struct store *st, size_t n)
{
	if (n <= st->scap)
		return 0;
	size_t c = st->scap ? st->scap : 1024;
	while (c < n)
		c *= 2;
	int64_t *a = realloc(st->sts, c * sizeof(*a));
	if (!a)
		return -ENOMEM;
	st->sts = a;
	double *b = realloc(st->sv, c * sizeof(*b));
	if (!b)
		return -ENOMEM;
	st->sv = b;
	double *d = realloc(st->sinc, c * sizeof(*d));
	if (!d)
		return -ENOMEM;
	st->sinc = d;
	st->scap = c;
	return 0;
}

/*
 * Write the hour t0 of a series as one block: the samples already stored for that hour (if
 * any) merged with n new ones (sorted), which also go into the rollups. SQLite result code.
 */
static int block_merge(struct store *st, int64_t series, int64_t t0, const int64_t *ts,
                       const double *v, const double *inc, size_t n)
{
	int rc = rollup_add(st, series, ts, v, inc, n);
	if (rc != SQLITE_OK)
		return rc;

	/* Existing samples of this hour go to the front of the scratch arrays. */
	size_t have = 0;
	sqlite3_stmt *q = st->q_sel_block;
	sqlite3_bind_int64(q, 1, series);
	sqlite3_bind_int64(q, 2, t0);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const uint8_t *data = sqlite3_column_blob(q, 1);
		size_t len = (size_t)sqlite3_column_bytes(q, 1);
		long m = codec_count(data, len);
		if (m < 0 || scratch(st, have + (size_t)m + n) < 0) {
			sqlite3_reset(q);
			return m < 0 ? SQLITE_CORRUPT : SQLITE_NOMEM;
		}
		data = sqlite3_column_blob(q, 1);
		m = codec_decode(t0, data, len, st->sts + have, st->sv + have, (size_t)m);
		if (m < 0) {
			sqlite3_reset(q);
			return SQLITE_CORRUPT;
		}
		have += (size_t)m;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return rc;
	if (scratch(st, have + n) < 0)
		return SQLITE_NOMEM;

	int64_t *mts = st->sts;
	double *mv = st->sv;
	if (have > 0) {
		/* Merge in place from the back: existing first among equal timestamps. */
		size_t i = have, j = n, k = have + n;
		while (j > 0) {
			if (i > 0 && mts[i - 1] > ts[j - 1]) {
				k--;
				i--;
				mts[k] = mts[i];
				mv[k] = mv[i];
			} else {
				k--;
				j--;
				mts[k] = ts[j];
				mv[k] = v[j];
			}
		}
		sqlite3_bind_int64(st->q_del_block, 1, series);
		sqlite3_bind_int64(st->q_del_block, 2, t0);
		if ((rc = run(st->q_del_block)) != SQLITE_OK)
			return rc;
	} else if (mts != ts) {
		memcpy(mts, ts, n * sizeof(*mts));
		memcpy(mv, v, n * sizeof(*mv));
	}
	size_t total = have + n;

	if (grow((void **)&st->blob, &st->blob_cap, codec_bound(total), 1) < 0)
		return SQLITE_NOMEM;
	long len = codec_encode(t0, mts, mv, total, st->blob, st->blob_cap);
	if (len < 0)
		return SQLITE_INTERNAL;

	struct agg a = {0};
	for (size_t i = 0; i < total; i++)
		agg_add(&a, mts[i], mv[i], 0);
	double first = NAN;
	for (size_t i = 0; i < total; i++)
		if (isfinite(mv[i])) {
			first = mv[i];
			break;
		}
	q = st->q_ins_block;
	sqlite3_bind_int64(q, 1, series);
	sqlite3_bind_int64(q, 2, t0);
	sqlite3_bind_int64(q, 3, (int64_t)total);
	sqlite3_bind_int64(q, 4, a.count);
	sqlite3_bind_int64(q, 5, mts[0]);
	sqlite3_bind_int64(q, 6, mts[total - 1]);
	bind_real_or_null(q, 7, first, a.count > 0);
	bind_real_or_null(q, 8, a.last, a.count > 0);
	bind_real_or_null(q, 9, a.min, a.count > 0);
	bind_real_or_null(q, 10, a.max, a.count > 0);
	sqlite3_bind_double(q, 11, a.count > 0 ? a.sum : 0);
	sqlite3_bind_blob(q, 12, st->blob, (int)len, SQLITE_STATIC);
	rc = run(q);
	sqlite3_bind_null(q, 12);
	return rc;
}

/* Pack a series' open hour into its block and rollups. */
static int pack_open(struct store *st, int64_t id, struct wseries *w)
{
	if (w->open_t0 == NO_HOUR)
		return SQLITE_OK;
	size_t n = w->n;
	if (w->unsorted) {
		/* Stable insertion sort: open hours are nearly always already in order. */
		for (size_t i = 1; i < n; i++) {
			uint32_t o = w->off[i];
			double v = w->val[i], c = w->inc ? w->inc[i] : 0;
			size_t j = i;
			while (j > 0 && w->off[j - 1] > o) {
				w->off[j] = w->off[j - 1];
				w->val[j] = w->val[j - 1];
				if (w->inc)
					w->inc[j] = w->inc[j - 1];
				j--;
			}
			w->off[j] = o;
			w->val[j] = v;
			if (w->inc)
				w->inc[j] = c;
		}
	}
	int rc = SQLITE_OK;
	if (n > 0) {
		/* block_merge builds the merged hour in the scratch arrays: the input must be
		 * separate arrays. */
		int64_t *ts = malloc(n * sizeof(*ts));
		double *v = malloc(n * sizeof(*v));
		double *inc = w->inc ? malloc(n * sizeof(*inc)) : NULL;
		if (!ts || !v || (w->inc && !inc)) {
			free(ts);
			free(v);
			free(inc);
			return SQLITE_NOMEM;
		}
		for (size_t i = 0; i < n; i++) {
			ts[i] = w->open_t0 + w->off[i];
			v[i] = w->val[i];
			if (inc)
				inc[i] = w->inc[i];
		}
		rc = block_merge(st, id, w->open_t0, ts, v, inc, n);
		free(ts);
		free(v);
		free(inc);
	}
	if (rc != SQLITE_OK)
		return rc;
	if (w->packed_t0 == NO_HOUR || w->open_t0 > w->packed_t0)
		w->packed_t0 = w->open_t0;
	w->open_t0 = NO_HOUR;
	w->n = 0;
	w->unsorted = false;
	st->packed_any = true;
	mark_dirty(st, id, w);
	return SQLITE_OK;
}

/* ---- writer: processing one batch ---- */

static int write_event(struct store *st, int64_t ts, int64_t series, const char *kind,
                       const char *detail)
{
	sqlite3_stmt *q = st->q_event;
	sqlite3_bind_int64(q, 1, ts);
	sqlite3_bind_int64(q, 2, series);
	sqlite3_bind_text(q, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, detail, -1, SQLITE_STATIC);
	return run(q);
}

static int do_sample(struct store *st, int64_t id, int64_t ts, double value)
{
	struct wseries *w = ws_get(st, id);
	if (!w || !w->known)
		return SQLITE_OK; /* store_append validated ids; a vanished one is dropped */
	double inc = 0;
	int rc;

	if (w->kind == STORE_COUNTER) {
		if (!w->have_last) {
			if (!isfinite(value)) {
				return write_event(st, ts, id, "counter_rejected",
				                   "first reading is not a finite number");
			}
			w->have_last = true;
			w->total = value;
		} else if (ts <= w->last_ts) {
			char d[128];
			snprintf(d, sizeof(d), "reading %.17g at %lld is not after %lld", value,
			         (long long)ts, (long long)w->last_ts);
			return write_event(st, ts, id, "counter_rejected", d);
		} else {
			struct counter_result r = counter_step_scaled(
			        w->bits, w->scale, w->last_raw, value,
			        (double)(ts - w->last_ts) / 1000.0, w->max_rate);
			const char *ev = counter_event_kind(r.outcome);
			if (ev) {
				char d[160];
				snprintf(d, sizeof(d),
				         "raw %.17g -> %.17g after %.3f s, counted %.17g",
				         w->last_raw, value, (double)(ts - w->last_ts) / 1000.0,
				         r.delta);
				if ((rc = write_event(st, ts, id, ev, d)) != SQLITE_OK)
					return rc;
			}
			if (r.outcome == COUNTER_REJECTED) {
				/* The sample is dropped; a finite reading becomes the new baseline
				 * (see counter.h: a later plausible increase is then counted). */
				if (isfinite(value)) {
					w->last_raw = value;
					w->last_ts = ts;
					mark_dirty(st, id, w);
				}
				return SQLITE_OK;
			}
			double t = w->total + r.delta;
			inc = t - w->total; /* exactly the difference of the stored totals */
			w->total = t;
		}
		w->last_raw = value;
		w->last_ts = ts;
		value = w->total;
		mark_dirty(st, id, w);
	}

	sqlite3_stmt *q = st->q_stage;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, ts);
	sqlite3_bind_double(q, 3, value); /* NaN binds as NULL */
	sqlite3_bind_double(q, 4, inc);
	if ((rc = run(q)) != SQLITE_OK)
		return rc;
	int64_t rowid = sqlite3_last_insert_rowid(st->db);
	st->last_rowid = rowid;

	int64_t h = bucket_floor(ts, 0, HOUR_MS);
	if (ts > st->clock_ms)
		st->clock_ms = ts;
	if (w->open_t0 != NO_HOUR && h == w->open_t0)
		return open_append(w, ts, value, inc) < 0 ? SQLITE_NOMEM : SQLITE_OK;
	bool late = w->open_t0 != NO_HOUR ? h < w->open_t0
	                                  : (w->packed_t0 != NO_HOUR && h <= w->packed_t0);
	if (late) {
		if (grow((void **)&st->late, &st->late_cap, st->nlate + 1, sizeof(*st->late)) < 0)
			return SQLITE_NOMEM;
		st->late[st->nlate++] = (struct late){id, ts, value, inc};
		return SQLITE_OK;
	}
	if ((rc = pack_open(st, id, w)) != SQLITE_OK)
		return rc;
	w->open_t0 = h;
	w->open_rowid = rowid;
	mark_dirty(st, id, w);
	return open_append(w, ts, value, inc) < 0 ? SQLITE_NOMEM : SQLITE_OK;
}

static int cmp_late(const void *a, const void *b)
{
	const struct late *x = a, *y = b;
	int64_t hx = bucket_floor(x->ts, 0, HOUR_MS), hy = bucket_floor(y->ts, 0, HOUR_MS);
	if (x->series != y->series)
		return x->series < y->series ? -1 : 1;
	if (hx != hy)
		return hx < hy ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x < y ? -1 : (x > y); /* stable enough: arrival order among equal timestamps */
}

static int merge_late(struct store *st)
{
	if (st->nlate == 0)
		return SQLITE_OK;
	qsort(st->late, st->nlate, sizeof(*st->late), cmp_late);
	size_t i = 0;
	while (i < st->nlate) {
		int64_t s = st->late[i].series, h = bucket_floor(st->late[i].ts, 0, HOUR_MS);
		size_t j = i;
		while (j < st->nlate && st->late[j].series == s &&
		       bucket_floor(st->late[j].ts, 0, HOUR_MS) == h)
			j++;
		size_t n = j - i;
		int64_t *ts = malloc(n * sizeof(*ts));
		double *v = malloc(n * sizeof(*v)), *inc = malloc(n * sizeof(*inc));
		int rc = SQLITE_NOMEM;
		if (ts && v && inc) {
			for (size_t k = 0; k < n; k++) {
				ts[k] = st->late[i + k].ts;
				v[k] = st->late[i + k].value;
				inc[k] = st->late[i + k].inc;
			}
			rc = block_merge(st, s, h, ts, v, inc, n);
		}
		free(ts);
		free(v);
		free(inc);
		if (rc != SQLITE_OK)
			return rc;
		struct wseries *w = ws_get(st, s);
		if (w && w->open_t0 == NO_HOUR && (w->packed_t0 == NO_HOUR || h > w->packed_t0)) {
			w->packed_t0 = h;
			mark_dirty(st, s, w);
		}
		i = j;
	}
	st->nlate = 0;
	return SQLITE_OK;
}

/* Pack open hours that ended more than `grace` ago in data time (all of them at grace 0
 * when `all`: at close, hours that are complete). */
static int sweep(struct store *st, int64_t grace)
{
	if (st->clock_ms == INT64_MIN)
		return SQLITE_OK; /* no data yet */
	int64_t limit = st->clock_ms - grace;
	for (size_t i = 1; i < st->ws_cap; i++) {
		struct wseries *w = &st->ws[i];
		if (w->known && w->open_t0 != NO_HOUR && w->open_t0 + HOUR_MS <= limit) {
			int rc = pack_open(st, (int64_t)i, w);
			if (rc != SQLITE_OK)
				return rc;
		}
	}
	return SQLITE_OK;
}

/* Delete staging rows no longer needed: everything before the oldest open hour's first row
 * (the very last row is kept so that rowids never restart, which `tail` relies on). */
static int trim_staging(struct store *st)
{
	if (!st->packed_any)
		return SQLITE_OK;
	st->packed_any = false;
	int64_t min = st->last_rowid;
	for (size_t i = 1; i < st->ws_cap; i++) {
		struct wseries *w = &st->ws[i];
		if (w->open_t0 != NO_HOUR && w->open_rowid < min)
			min = w->open_rowid;
	}
	sqlite3_bind_int64(st->q_trim, 1, min);
	return run(st->q_trim);
}

static int persist_state(struct store *st)
{
	for (size_t i = 0; i < st->ndirty; i++) {
		int64_t id = st->dirty[i];
		struct wseries *w = &st->ws[id];
		sqlite3_stmt *q = st->q_state;
		sqlite3_bind_int64(q, 1, id);
		if (w->open_t0 != NO_HOUR) {
			sqlite3_bind_int64(q, 2, w->open_t0);
			sqlite3_bind_int64(q, 3, w->open_rowid);
		} else {
			sqlite3_bind_null(q, 2);
			sqlite3_bind_null(q, 3);
		}
		if (w->packed_t0 != NO_HOUR)
			sqlite3_bind_int64(q, 4, w->packed_t0);
		else
			sqlite3_bind_null(q, 4);
		sqlite3_bind_int(q, 5, w->have_last);
		bind_real_or_null(q, 6, w->last_raw, w->have_last);
		bind_real_or_null(q, 7, w->total, w->have_last);
		if (w->have_last)
			sqlite3_bind_int64(q, 8, w->last_ts);
		else
			sqlite3_bind_null(q, 8);
		int rc = run(q);
		if (rc != SQLITE_OK)
			return rc;
		w->dirty = false;
	}
	st->ndirty = 0;
	return SQLITE_OK;
}

static int retention(struct store *st)
{
	if (st->opts.raw_retention_ms <= 0 || st->clock_ms == INT64_MIN)
		return SQLITE_OK;
	int64_t hour = bucket_floor(st->clock_ms, 0, HOUR_MS);
	if (hour == st->retention_hour)
		return SQLITE_OK;
	st->retention_hour = hour;
	int64_t cutoff = st->clock_ms - st->opts.raw_retention_ms - HOUR_MS;
	for (size_t i = 1; i < st->ws_cap; i++) {
		if (!st->ws[i].known)
			continue;
		sqlite3_bind_int64(st->q_retain, 1, (int64_t)i);
		sqlite3_bind_int64(st->q_retain, 2, cutoff);
		int rc = run(st->q_retain);
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

static int do_series(struct store *st, const struct series_msg *m)
{
	sqlite3_stmt *q = st->q_series;
	sqlite3_bind_int64(q, 1, m->id);
	sqlite3_bind_text(q, 2, m->device, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, m->metric, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, m->labels, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 5, m->kind);
	sqlite3_bind_int(q, 6, (int)m->bits);
	sqlite3_bind_double(q, 7, m->max_rate);
	sqlite3_bind_double(q, 8, m->scale);
	int rc = run(q);
	if (rc != SQLITE_OK)
		return rc;
	struct wseries *w = ws_get(st, m->id);
	if (!w)
		return SQLITE_NOMEM;
	if (w->known && w->kind != m->kind && w->n > 0) {
		/* A kind change closes the hour stored under the old kind. */
		if ((rc = pack_open(st, m->id, w)) != SQLITE_OK)
			return rc;
	}
	w->known = true;
	if (m->kind == STORE_COUNTER && !w->inc && w->cap) {
		w->inc = calloc(w->cap, sizeof(double));
		if (!w->inc)
			return SQLITE_NOMEM;
	}
	w->kind = m->kind;
	w->bits = m->bits;
	w->max_rate = m->max_rate;
	w->scale = m->scale;
	return SQLITE_OK;
}

static int do_device(struct store *st, const struct store_device_state *d)
{
	sqlite3_stmt *q = st->q_device;
	sqlite3_bind_text(q, 1, d->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, d->driver, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, d->address, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, d->state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, d->last_poll_ms);
	sqlite3_bind_int64(q, 6, d->last_ok_ms);
	sqlite3_bind_double(q, 7, d->last_duration_s);
	sqlite3_bind_int64(q, 8, d->errors);
	sqlite3_bind_int64(q, 9, d->interval_ms);
	sqlite3_bind_text(q, 10, d->last_error, -1, SQLITE_STATIC);
	return run(q);
}

static int process_items(struct store *st, const struct qitem *it, size_t n, uint64_t *samples)
{
	int rc = SQLITE_OK;
	*samples = 0;
	for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
		switch (it[i].type) {
		case Q_SAMPLE:
			rc = do_sample(st, it[i].series, it[i].ts, it[i].value);
			(*samples)++;
			break;
		case Q_SERIES:
			rc = do_series(st, it[i].ptr);
			break;
		case Q_EVENT: {
			const struct event_msg *e = it[i].ptr;
			rc = write_event(st, it[i].ts, it[i].series, e->kind, e->detail);
			break;
		}
		case Q_DEVICE:
			rc = do_device(st, &((const struct dev_msg *)it[i].ptr)->ds);
			break;
		case Q_OUTBOX: {
			/* Same transaction as everything queued before it (outbox.h). */
			const struct outbox_limits lim = {st->opts.outbox_max_items,
			                                  st->opts.outbox_max_bytes};
			const struct outbox_msg *m = it[i].ptr;
			int64_t dropped = 0, d1 = 0;
			if (m->ev_kind)
				rc = write_event(st, m->ev_ts, m->ev_series, m->ev_kind,
				                 m->ev_detail);
			for (size_t k = 0; k < m->nstreams && rc == SQLITE_OK; k++) {
				struct outbox_item oi = m->it;
				oi.stream = m->streams[k];
				rc = outbox_put_db(st->db, &oi, &lim, &d1);
				if (rc == SQLITE_TOOBIG || rc == SQLITE_MISUSE)
					rc = SQLITE_OK; /* refused up front by store_outbox */
				dropped += d1;
			}
			/* Counted at every attempt of a batch that may be retried: an upper bound,
			 * the table's outbox_stats row is exact. */
			if (dropped) {
				pthread_mutex_lock(&st->qlock);
				st->stats.outbox_dropped += (uint64_t)dropped;
				pthread_mutex_unlock(&st->qlock);
			}
			break;
		}
		}
	}
	return rc;
}

static int64_t clock_bound(void)
{
	/* Data time may not run ahead of wall time by much: one bogus future timestamp must
	 * not make every open hour look stale. */
	return wall_ms() + 10 * MINUTE_MS;
}

/* One transaction: the items, late merges, stale hours, state, trimming, retention.
 * closing: also pack every complete hour. SQLite result code. */
static int write_batch(struct store *st, const struct qitem *it, size_t n, bool closing,
                       uint64_t *samples)
{
	int rc = run(st->q_begin);
	if (rc != SQLITE_OK)
		return rc;
	rc = process_items(st, it, n, samples);
	if (st->clock_ms > clock_bound())
		st->clock_ms = clock_bound();
	if (rc == SQLITE_OK)
		rc = merge_late(st);
	if (rc == SQLITE_OK)
		rc = sweep(st, closing ? 0 : STALE_GRACE_MS);
	if (rc == SQLITE_OK)
		rc = persist_state(st);
	if (rc == SQLITE_OK)
		rc = trim_staging(st);
	if (rc == SQLITE_OK)
		rc = retention(st);
	if (rc == SQLITE_OK)
		rc = run(st->q_commit);
	if (rc != SQLITE_OK && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* ---- writer: rebuilding state from the database (open and after a failed batch) ---- */

static int recover(struct store *st)
{
	ws_reset_all(st);
	st->clock_ms = INT64_MIN;
	st->last_rowid = 0;
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(
	        st->db,
	        "SELECT s.id, s.kind, s.counter_bits, s.max_rate, t.open_t0, "
	        "t.open_rowid, t.packed_t0, t.have_last, t.last_raw, t.total, "
	        "t.last_ts, s.counter_scale FROM series s LEFT JOIN series_state t "
	        "ON t.series = s.id",
	        -1, &q, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(q, 0);
		struct wseries *w = ws_get(st, id);
		if (!w) {
			rc = SQLITE_NOMEM;
			break;
		}
		w->known = true;
		w->kind = sqlite3_column_int(q, 1);
		w->bits = (unsigned)sqlite3_column_int(q, 2);
		w->max_rate = sqlite3_column_double(q, 3);
		w->scale = sqlite3_column_double(q, 11);
		if (sqlite3_column_type(q, 4) != SQLITE_NULL) {
			w->open_t0 = sqlite3_column_int64(q, 4);
			w->open_rowid = sqlite3_column_int64(q, 5);
		}
		if (sqlite3_column_type(q, 6) != SQLITE_NULL) {
			w->packed_t0 = sqlite3_column_int64(q, 6);
			if (w->packed_t0 + HOUR_MS - 1 > st->clock_ms)
				st->clock_ms = w->packed_t0 + HOUR_MS - 1;
		}
		w->have_last = sqlite3_column_int(q, 7) != 0;
		if (w->have_last) {
			w->last_raw = sqlite3_column_double(q, 8);
			w->total = sqlite3_column_double(q, 9);
			w->last_ts = sqlite3_column_int64(q, 10);
		}
		rc = SQLITE_OK;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE && rc != SQLITE_OK)
		return rc;

	/* The open hours: staging rows at or after each series' open_rowid in its open hour. */
	q = NULL;
	rc = sqlite3_prepare_v2(st->db, "SELECT rowid, series, ts, value, inc FROM staging", -1, &q,
	                        NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t rowid = sqlite3_column_int64(q, 0), id = sqlite3_column_int64(q, 1);
		int64_t ts = sqlite3_column_int64(q, 2);
		double v = sqlite3_column_type(q, 3) == SQLITE_NULL ? NAN
		                                                    : sqlite3_column_double(q, 3);
		if (rowid > st->last_rowid)
			st->last_rowid = rowid;
		rc = SQLITE_OK;
		if (id <= 0 || (size_t)id >= st->ws_cap)
			continue;
		struct wseries *w = &st->ws[id];
		if (!w->known || w->open_t0 == NO_HOUR || rowid < w->open_rowid ||
		    bucket_floor(ts, 0, HOUR_MS) != w->open_t0)
			continue;
		if (w->kind == STORE_COUNTER && !w->inc && w->cap) {
			w->inc = calloc(w->cap, sizeof(double));
			if (!w->inc) {
				rc = SQLITE_NOMEM;
				break;
			}
		}
		if (open_append(w, ts, v, sqlite3_column_double(q, 4)) < 0) {
			rc = SQLITE_NOMEM;
			break;
		}
		if (ts > st->clock_ms)
			st->clock_ms = ts;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE && rc != SQLITE_OK)
		return rc;
	st->retention_hour = INT64_MIN;
	return SQLITE_OK;
}

/* ---- the writer thread ---- */

static void free_items(struct qitem *it, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(it[i].ptr);
}

static bool retriable(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_NOMEM:
	case SQLITE_CANTOPEN:
	case SQLITE_PROTOCOL:
		return true;
	default:
		return false;
	}
}

static void sleep_ms(int64_t ms)
{
	struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&t, NULL);
}

/* Commit one batch, retrying through failures. */
static void commit_batch(struct store *st, struct qbuf *b, uint64_t upto, bool closing)
{
	int attempts = 0;
	int64_t backoff = RETRY_MIN_MS;
	for (;;) {
		uint64_t samples = 0;
		int rc = write_batch(st, b->items, b->n, closing, &samples);
		if (rc == SQLITE_OK) {
			pthread_mutex_lock(&st->qlock);
			st->committed_total = upto;
			st->stats.commits++;
			st->stats.samples_committed += samples;
			pthread_cond_broadcast(&st->qdone);
			pthread_mutex_unlock(&st->qlock);
			break;
		}
		attempts++;
		set_error(st, "writing a batch");
		pthread_mutex_lock(&st->qlock);
		st->stats.write_errors++;
		st->fail_count++;
		bool stopping = st->stop;
		pthread_cond_broadcast(&st->qdone);
		pthread_mutex_unlock(&st->qlock);

		/* In-RAM state may hold part of the failed batch: rebuild it from what is
		 * committed, exactly as after a crash, then try the whole batch again. */
		int rrc;
		while ((rrc = recover(st)) != SQLITE_OK) {
			set_error(st, "recovering after a failed batch");
			if (stopping)
				break;
			sleep_ms(backoff);
		}
		bool give_up = (!retriable(rc) && attempts >= POISON_ATTEMPTS) ||
		               (stopping && attempts >= CLOSE_ATTEMPTS) || rrc != SQLITE_OK;
		if (give_up) {
			/* Dropped: the error and write_errors say so; flushers got -EIO. */
			pthread_mutex_lock(&st->qlock);
			st->committed_total = upto;
			pthread_cond_broadcast(&st->qdone);
			pthread_mutex_unlock(&st->qlock);
			break;
		}
		sleep_ms(backoff);
		backoff = backoff * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : backoff * 2;
	}
	free_items(b->items, b->n);
	b->n = 0;
}

static void *writer_main(void *arg)
{
	struct store *st = arg;
	struct qbuf mine = st->spare;

	pthread_mutex_lock(&st->qlock);
	for (;;) {
		if (st->in.n == 0) {
			if (st->stop)
				break;
			pthread_cond_wait(&st->qwake, &st->qlock);
			continue;
		}
		struct timespec now, due = st->in_first;
		clock_gettime(CLOCK_MONOTONIC, &now);
		ts_add_ms(&due, st->opts.commit_ms);
		if (!st->stop && st->flush_waiters == 0 && st->in.n < st->in.cap / 2 &&
		    ts_before(&now, &due)) {
			/* Waiting on a CLOCK_MONOTONIC deadline: the condvar uses that clock. */
			pthread_cond_timedwait(&st->qwake, &st->qlock, &due);
			continue;
		}
		struct qbuf t = st->in;
		st->in = mine;
		mine = t;
		uint64_t upto = st->enq_total;
		pthread_cond_broadcast(&st->qspace);
		pthread_mutex_unlock(&st->qlock);

		commit_batch(st, &mine, upto, false);

		pthread_mutex_lock(&st->qlock);
	}
	pthread_mutex_unlock(&st->qlock);

	/* Closing: pack the hours that are complete. */
	commit_batch(st, &mine, st->committed_total, true);
	st->spare = mine;
	return NULL;
}

/* ---- open / close ---- */

static int reg_insert(struct store *st, char *key, int64_t id, int kind, unsigned bits,
                      double max_rate, double scale)
{
	if ((st->reg_n + 1) * 2 > st->reg_cap) {
		size_t c = st->reg_cap ? st->reg_cap * 2 : 1024;
		struct reg_entry *r = calloc(c, sizeof(*r));
		if (!r)
			return -ENOMEM;
		for (size_t i = 0; i < st->reg_cap; i++) {
			if (!st->reg[i].key)
				continue;
			size_t j = hash_str(st->reg[i].key) & (c - 1);
			while (r[j].key)
				j = (j + 1) & (c - 1);
			r[j] = st->reg[i];
		}
		free(st->reg);
		st->reg = r;
		st->reg_cap = c;
	}
	size_t j = hash_str(key) & (st->reg_cap - 1);
	while (st->reg[j].key)
		j = (j + 1) & (st->reg_cap - 1);
	st->reg[j] = (struct reg_entry){key, id, kind, bits, max_rate, scale};
	st->reg_n++;
	return 0;
}

static struct reg_entry *reg_find(struct store *st, const char *key)
{
	if (!st->reg_cap)
		return NULL;
	size_t j = hash_str(key) & (st->reg_cap - 1);
	while (st->reg[j].key) {
		if (strcmp(st->reg[j].key, key) == 0)
			return &st->reg[j];
		j = (j + 1) & (st->reg_cap - 1);
	}
	return NULL;
}

static char *make_key(const char *device, const char *metric, const char *labels)
{
	size_t a = strlen(device), b = strlen(metric), c = strlen(labels);
	char *k = malloc(a + b + c + 3);
	if (!k)
		return NULL;
	memcpy(k, device, a);
	k[a] = '\x1f';
	memcpy(k + a + 1, metric, b);
	k[a + b + 1] = '\x1f';
	memcpy(k + a + b + 2, labels, c + 1);
	return k;
}

static int load_registry(struct store *st)
{
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(st->db,
	                            "SELECT id, device, metric, labels, kind, counter_bits, "
	                            "max_rate, counter_scale FROM series",
	                            -1, &q, NULL);
	if (rc != SQLITE_OK)
		return rc;
	st->next_id = 1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(q, 0);
		char *key = make_key((const char *)sqlite3_column_text(q, 1),
		                     (const char *)sqlite3_column_text(q, 2),
		                     (const char *)sqlite3_column_text(q, 3));
		if (!key ||
		    reg_insert(st, key, id, sqlite3_column_int(q, 4),
		               (unsigned)sqlite3_column_int(q, 5), sqlite3_column_double(q, 6),
		               sqlite3_column_double(q, 7)) < 0) {
			free(key);
			sqlite3_finalize(q);
			return SQLITE_NOMEM;
		}
		if (id >= st->next_id)
			st->next_id = id + 1;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void store_free(struct store *st)
{
	if (!st)
		return;
	finalize_all(st);
	if (st->db)
		sqlite3_close(st->db);
	ws_reset_all(st);
	free(st->ws);
	free(st->dirty);
	free(st->late);
	free(st->sts);
	free(st->sv);
	free(st->sinc);
	free(st->blob);
	for (size_t i = 0; i < st->reg_cap; i++)
		free(st->reg[i].key);
	free(st->reg);
	if (st->in.items) {
		free_items(st->in.items, st->in.n);
		free(st->in.items);
	}
	free(st->spare.items);
	free(st->path);
	pthread_mutex_destroy(&st->qlock);
	pthread_mutex_destroy(&st->rlock);
	pthread_cond_destroy(&st->qwake);
	pthread_cond_destroy(&st->qspace);
	pthread_cond_destroy(&st->qdone);
	free(st);
}

static int exec_pragma(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

struct store *store_open(const struct store_opts *opts, char *err, size_t errlen)
{
	if (!opts || !opts->path) {
		snprintf(err, errlen, "no database path");
		return NULL;
	}
	struct store *st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	st->opts = *opts;
	st->path = strdup(opts->path);
	st->opts.path = st->path;
	if (!st->opts.commit_ms)
		st->opts.commit_ms = DEFAULT_COMMIT_MS;
	if (st->opts.queue_cap < 16)
		st->opts.queue_cap = opts->queue_cap ? 16 : DEFAULT_QUEUE_CAP;
	pthread_mutex_init(&st->qlock, NULL);
	pthread_mutex_init(&st->rlock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&st->qwake, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&st->qspace, NULL);
	pthread_cond_init(&st->qdone, NULL);
	st->in.cap = st->opts.queue_cap;
	st->in.items = malloc(st->in.cap * sizeof(struct qitem));
	st->spare = (struct qbuf){malloc(st->in.cap * sizeof(struct qitem)), 0, st->in.cap};
	if (!st->path || !st->in.items || !st->spare.items) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}

	int rc = sqlite3_open_v2(st->path, &st->db,
	                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                         NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", st->path,
		         st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 5000);
	sqlite3_extended_result_codes(st->db, 1);
	/* A new file gets 8 KiB pages, so that an hour block (~1 KB at 10 s) stays inside its
	 * B-tree cell instead of spilling to an overflow page; only possible before WAL. */
	exec_pragma(st->db, "PRAGMA page_size = 8192");
	if ((rc = exec_pragma(st->db, "PRAGMA journal_mode = WAL")) != SQLITE_OK ||
	    (rc = exec_pragma(st->db, "PRAGMA synchronous = FULL")) != SQLITE_OK ||
	    (rc = exec_pragma(st->db, "PRAGMA cache_size = -65536")) != SQLITE_OK ||
	    (rc = exec_pragma(st->db, "PRAGMA wal_autocheckpoint = 4096")) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		goto fail;
	}
	if (store_schema_migrate(st->db, err, errlen) < 0)
		goto fail;
	if ((rc = prepare_all(st)) != SQLITE_OK || (rc = load_registry(st)) != SQLITE_OK ||
	    (rc = recover(st)) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		goto fail;
	}
	if (pthread_create(&st->thread, NULL, writer_main, st) != 0) {
		snprintf(err, errlen, "cannot start the writer thread");
		goto fail;
	}
	return st;
fail:
	store_free(st);
	return NULL;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	pthread_mutex_lock(&st->qlock);
	st->stop = true;
	pthread_cond_broadcast(&st->qwake);
	pthread_cond_broadcast(&st->qspace);
	pthread_mutex_unlock(&st->qlock);
	pthread_join(st->thread, NULL);
	store_free(st);
}

/* ---- producer API ---- */

int64_t store_series(struct store *st, const struct store_series_desc *d)
{
	if (!st || !d || !d->device || !d->metric || !*d->device || !*d->metric)
		return -EINVAL;
	if (d->kind != STORE_GAUGE && d->kind != STORE_COUNTER)
		return -EINVAL;
	unsigned bits = d->kind == STORE_COUNTER ? d->counter_bits : 0;
	if (d->kind == STORE_COUNTER && bits != 0 && bits != 16 && bits != 32 && bits != 64)
		return -EINVAL;
	double max_rate = d->kind == STORE_COUNTER && d->max_rate > 0 ? d->max_rate : 0;
	double scale = d->kind == STORE_COUNTER && d->counter_scale > 0 ? d->counter_scale : 1.0;
	const char *labels = d->labels ? d->labels : "";
	char *key = make_key(d->device, d->metric, labels);
	if (!key)
		return -ENOMEM;

	pthread_mutex_lock(&st->rlock);
	struct reg_entry *e = reg_find(st, key);
	if (e && e->kind == (int)d->kind && e->bits == bits && e->max_rate == max_rate &&
	    e->scale == scale) {
		int64_t id = e->id;
		pthread_mutex_unlock(&st->rlock);
		free(key);
		return id;
	}
	/* New, or its description changed: the writer upserts the row. The id is ours to give
	 * (ids only grow), so the caller never waits for a commit. */
	int64_t id = e ? e->id : st->next_id;
	size_t a = strlen(d->device) + 1, b = strlen(d->metric) + 1, c = strlen(labels) + 1;
	struct series_msg *m = malloc(sizeof(*m) + a + b + c);
	if (!m) {
		pthread_mutex_unlock(&st->rlock);
		free(key);
		return -ENOMEM;
	}
	m->id = id;
	m->kind = d->kind;
	m->bits = bits;
	m->max_rate = max_rate;
	m->scale = scale;
	m->device = (char *)(m + 1);
	m->metric = m->device + a;
	m->labels = m->metric + b;
	memcpy(m->device, d->device, a);
	memcpy(m->metric, d->metric, b);
	memcpy(m->labels, labels, c);
	struct qitem it = {.type = Q_SERIES, .series = id, .ptr = m};
	int rc = queue_push(st, &it);
	if (rc == 0 && e) {
		e->kind = d->kind;
		e->bits = bits;
		e->max_rate = max_rate;
		e->scale = scale;
		free(key);
	} else if (rc == 0) {
		rc = reg_insert(st, key, id, d->kind, bits, max_rate, scale);
		if (rc == 0)
			st->next_id++;
		else
			free(key);
	} else {
		free(m);
		free(key);
	}
	pthread_mutex_unlock(&st->rlock);
	return rc < 0 ? rc : id;
}

int store_append(struct store *st, const struct store_sample *s, size_t n)
{
	if (!st || (!s && n))
		return -EINVAL;
	pthread_mutex_lock(&st->rlock);
	int64_t next = st->next_id;
	pthread_mutex_unlock(&st->rlock);
	for (size_t i = 0; i < n; i++)
		if (s[i].series <= 0 || s[i].series >= next)
			return -EINVAL;

	pthread_mutex_lock(&st->qlock);
	for (size_t i = 0; i < n; i++) {
		if (!queue_wait_room(st)) {
			pthread_mutex_unlock(&st->qlock);
			return -ESHUTDOWN;
		}
		if (st->in.n == 0)
			clock_gettime(CLOCK_MONOTONIC, &st->in_first);
		size_t room = st->in.cap - st->in.n, k = n - i < room ? n - i : room;
		struct qitem *dst = st->in.items + st->in.n;
		for (size_t j = 0; j < k; j++)
			dst[j] = (struct qitem){.type = Q_SAMPLE,
			                        .series = s[i + j].series,
			                        .ts = s[i + j].ts_ms,
			                        .value = s[i + j].value};
		bool wake = st->in.n == 0 ||
		            (st->in.n < st->in.cap / 2 && st->in.n + k >= st->in.cap / 2);
		st->in.n += k;
		st->enq_total += k;
		if (wake)
			pthread_cond_signal(&st->qwake);
		i += k - 1;
	}
	pthread_mutex_unlock(&st->qlock);
	return 0;
}

int store_flush(struct store *st)
{
	if (!st)
		return -EINVAL;
	pthread_mutex_lock(&st->qlock);
	uint64_t target = st->enq_total, fails = st->fail_count;
	st->flush_waiters++;
	pthread_cond_signal(&st->qwake);
	int rc = 0;
	while (st->committed_total < target) {
		if (st->fail_count != fails) {
			rc = -EIO;
			break;
		}
		pthread_cond_wait(&st->qdone, &st->qlock);
	}
	st->flush_waiters--;
	pthread_mutex_unlock(&st->qlock);
	return rc;
}

int store_event(struct store *st, int64_t ts_ms, int64_t series, const char *kind,
                const char *detail)
{
	if (!st || !kind || !*kind)
		return -EINVAL;
	size_t a = strlen(kind) + 1, b = strlen(detail ? detail : "") + 1;
	struct event_msg *m = malloc(sizeof(*m) + a + b);
	if (!m)
		return -ENOMEM;
	m->kind = (char *)(m + 1);
	m->detail = m->kind + a;
	memcpy(m->kind, kind, a);
	memcpy(m->detail, detail ? detail : "", b);
	struct qitem it = {.type = Q_EVENT, .series = series, .ts = ts_ms, .ptr = m};
	int rc = queue_push(st, &it);
	if (rc < 0)
		free(m);
	return rc;
}

int store_outbox(struct store *st, const struct store_outbox_req *req)
{
	if (!st || !req || !req->ikey || !*req->ikey || !req->payload ||
	    (!req->nstreams && !req->event_kind))
		return -EINVAL;
	if (req->len > OUTBOX_MAX_PAYLOAD ||
	    (st->opts.outbox_max_bytes > 0 && (int64_t)req->len > st->opts.outbox_max_bytes))
		return -EMSGSIZE;
	size_t total = strlen(req->ikey) + 1 + req->len + 1;
	for (size_t i = 0; i < req->nstreams; i++) {
		if (!req->streams[i] || strlen(req->streams[i]) >= OUTBOX_STREAM_MAX)
			return -EINVAL;
		total += strlen(req->streams[i]) + 1 + sizeof(char *);
	}
	if (req->event_kind)
		total += strlen(req->event_kind) + 1 +
		         strlen(req->event_detail ? req->event_detail : "") + 1;
	struct outbox_msg *m = malloc(sizeof(*m) + total);
	if (!m)
		return -ENOMEM;
	memset(m, 0, sizeof(*m));
	m->streams = (char **)(m + 1);
	char *p = (char *)(m->streams + req->nstreams);
	for (size_t i = 0; i < req->nstreams; i++) {
		size_t l = strlen(req->streams[i]) + 1;
		m->streams[i] = memcpy(p, req->streams[i], l);
		p += l;
	}
	m->nstreams = req->nstreams;
	size_t lk = strlen(req->ikey) + 1;
	m->it.ikey = memcpy(p, req->ikey, lk);
	p += lk;
	m->it.payload = p;
	memcpy(p, req->payload, req->len);
	p[req->len] = '\0';
	p += req->len + 1;
	m->it.len = req->len;
	m->it.created_ms = req->created_ms;
	if (req->event_kind) {
		size_t a = strlen(req->event_kind) + 1;
		const char *d = req->event_detail ? req->event_detail : "";
		m->ev_kind = memcpy(p, req->event_kind, a);
		p += a;
		m->ev_detail = memcpy(p, d, strlen(d) + 1);
		m->ev_series = req->event_series;
		m->ev_ts = req->event_ts_ms;
	}
	struct qitem it = {.type = Q_OUTBOX, .ptr = m};
	int rc = queue_push(st, &it);
	if (rc < 0)
		free(m);
	return rc;
}

int store_device_state(struct store *st, const struct store_device_state *ds)
{
	if (!st || !ds || !ds->name || !*ds->name)
		return -EINVAL;
	const char *strs[] = {ds->name, ds->driver, ds->address, ds->state, ds->last_error};
	size_t len[5], total = 0;
	for (int i = 0; i < 5; i++)
		total += len[i] = strlen(strs[i] ? strs[i] : "") + 1;
	struct dev_msg *m = malloc(sizeof(*m) + total);
	if (!m)
		return -ENOMEM;
	m->ds = *ds;
	char *p = (char *)(m + 1);
	const char **dst[] = {&m->ds.name, &m->ds.driver, &m->ds.address, &m->ds.state,
	                      &m->ds.last_error};
	for (int i = 0; i < 5; i++) {
		memcpy(p, strs[i] ? strs[i] : "", len[i]);
		*dst[i] = p;
		p += len[i];
	}
	struct qitem it = {.type = Q_DEVICE, .ptr = m};
	int rc = queue_push(st, &it);
	if (rc < 0)
		free(m);
	return rc;
}

void store_last_error(struct store *st, char *buf, size_t len)
{
	if (!len)
		return;
	if (!st) {
		buf[0] = '\0';
		return;
	}
	pthread_mutex_lock(&st->qlock);
	snprintf(buf, len, "%s", st->last_error);
	pthread_mutex_unlock(&st->qlock);
}

void store_stats(struct store *st, struct store_stats *out)
{
	if (!st || !out)
		return;
	pthread_mutex_lock(&st->qlock);
	*out = st->stats;
	out->queue_depth = st->in.n;
	pthread_mutex_unlock(&st->qlock);
}
