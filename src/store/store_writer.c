/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's writer thread: it owns the only write connection, takes the whole queue as one
 * batch and commits it in one transaction (the samples, then late merges, stale hours, the
 * batch's staging blobs, state rows, the staging trim, retention and a bounded vacuum step),
 * when the queue is half full, when commit_ms has passed since the first item arrived, when
 * someone waits in store_flush, or at close.
 *
 * Any SQLite error in a batch: roll back, rebuild all in-RAM state from the database (the
 * crash-recovery path), wait, and retry the same batch; producers block once the queue fills.
 */
#include "store/store_writer.h"

#include "core/util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* A series whose open hour ended this long ago (in data time) is packed even if it went
 * silent; later samples for it take the merge path. */
#define STALE_GRACE_MS (10 * MINUTE_MS)
/* Retry backoff after a failed batch. */
#define RETRY_MIN_MS 100
#define RETRY_MAX_MS 5000
/* Free pages given back per commit (a bounded step, so the writer never stalls on it). */
#define VACUUM_STEP_PAGES_SQL "256"
/* Failed attempts after which a batch that fails for a non-I/O reason is dropped. */
#define POISON_ATTEMPTS 3
/* At close, attempts before giving up on a batch that keeps failing. */
#define CLOSE_ATTEMPTS 3

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

int writer_grow(void **p, size_t *cap, size_t need, size_t elem)
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

static void set_error(struct store *st, const char *what)
{
	pthread_mutex_lock(&st->qlock);
	snprintf(st->last_error, sizeof(st->last_error), "%s: %s", what, sqlite3_errmsg(st->db));
	pthread_mutex_unlock(&st->qlock);
}

static int prep(struct store *st, sqlite3_stmt **q, const char *sql)
{
	int rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, q, NULL);
	return rc;
}

int writer_scratch(struct store *st, size_t n)
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

int writer_prepare(struct store *st)
{
	static const char *roll_sql[ROLLUP_LEVELS] = {
#define ROLL_UPSERT(t)                                                                             \
	"INSERT INTO " t "(series, ts, count, min, max, sum, last, delta, last_ts) "               \
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(series, ts) DO UPDATE SET "       \
	"count = count + excluded.count, min = min(min, excluded.min), "                           \
	"max = max(max, excluded.max), sum = sum + excluded.sum, "                                 \
	"last = CASE WHEN excluded.last_ts >= last_ts THEN excluded.last ELSE last END, "          \
	"delta = delta + excluded.delta, last_ts = max(last_ts, excluded.last_ts)"
	        NULL, /* minutes: from the blocks, or packed by retention (store_minutes.c) */
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
	P(q_stage, "INSERT INTO staging(seq, shard, n, data) VALUES (?, ?, ?, ?)");
	P(q_cover_block, "SELECT id, t0, t1, data FROM blocks WHERE series = ? AND t0 <= ? "
	                 "ORDER BY t0 DESC LIMIT 1");
	P(q_span_blocks, "SELECT id, t0, t1, data FROM blocks WHERE series = ? AND t0 >= ? "
	                 "AND t0 < ? ORDER BY t0");
	P(q_del_block, "DELETE FROM blocks WHERE id = ?");
	P(q_ins_block, "INSERT INTO blocks(series, t0, t1, n, data) VALUES (?, ?, ?, ?, ?)");
	for (int i = 0; i < ROLLUP_LEVELS; i++)
		if (roll_sql[i])
			P(q_roll[i], roll_sql[i]);
	P(q_state, "INSERT INTO series_state(series, open_t0, open_rowid, packed_t0, have_last, "
	           "last_raw, total, last_ts, chg_ts, pend_raw, pend_ts) "
	           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
	           "ON CONFLICT(series) DO UPDATE SET open_t0 = ?2, open_rowid = ?3, "
	           "packed_t0 = ?4, have_last = ?5, last_raw = ?6, total = ?7, last_ts = ?8, "
	           "chg_ts = ?9, pend_raw = ?10, pend_ts = ?11");
	P(q_trim, "DELETE FROM staging WHERE seq < ?");
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
	P(q_expired, "SELECT id, t0, t1, data FROM blocks WHERE series = ? AND t0 < ? ORDER BY t0");
	P(q_block_by_id, "SELECT id, t0, t1, data FROM blocks WHERE id = ?");
	P(q_prev_last, "SELECT last FROM rollup_1h WHERE series = ? AND ts < ? AND count > 0 "
	               "ORDER BY ts DESC LIMIT 1");
	P(q_min_sel, "SELECT data FROM rollup_1m WHERE series = ? AND ts = ?");
	P(q_min_put, "INSERT INTO rollup_1m(series, ts, data) VALUES (?, ?, ?) "
	             "ON CONFLICT(series, ts) DO UPDATE SET data = excluded.data");
	P(q_vacuum, "PRAGMA incremental_vacuum(" VACUUM_STEP_PAGES_SQL ")");
	P(q_begin, "BEGIN IMMEDIATE");
	P(q_commit, "COMMIT");
#undef P
	return rc;
}

void writer_finalize(struct store *st)
{
	sqlite3_stmt **all[] = {&st->q_stage,     &st->q_cover_block, &st->q_span_blocks,
	                        &st->q_del_block, &st->q_ins_block,   &st->q_roll[0],
	                        &st->q_roll[1],   &st->q_roll[2],     &st->q_state,
	                        &st->q_trim,      &st->q_event,       &st->q_device,
	                        &st->q_series,    &st->q_expired,     &st->q_block_by_id,
	                        &st->q_prev_last, &st->q_min_sel,     &st->q_min_put,
	                        &st->q_vacuum,    &st->q_begin,       &st->q_commit};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		sqlite3_finalize(*all[i]);
		*all[i] = NULL;
	}
}

/* Step a statement that returns no rows, then reset it. SQLite result code. */
int writer_run(sqlite3_stmt *q)
{
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

void writer_bind_real(sqlite3_stmt *q, int i, double v, bool have)
{
	if (have && isfinite(v))
		sqlite3_bind_double(q, i, v);
	else
		sqlite3_bind_null(q, i);
}

static int process_items(struct store *st, const struct qitem *it, size_t n, uint64_t *samples)
{
	int rc = SQLITE_OK;
	*samples = 0;
	for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
		switch (it[i].type) {
		case Q_SAMPLE:
			rc = sample_write(st, it[i].series, it[i].ts, it[i].value);
			(*samples)++;
			break;
		case Q_SERIES:
			rc = series_write(st, it[i].ptr);
			break;
		case Q_EVENT: {
			const struct event_msg *e = it[i].ptr;
			rc = event_write(st, it[i].ts, it[i].series, e->kind, e->detail);
			break;
		}
		case Q_DEVICE:
			rc = device_write(st, &((const struct dev_msg *)it[i].ptr)->ds);
			break;
		case Q_OUTBOX:
			/* Same transaction as everything queued before it (outbox.h). */
			rc = outbox_msg_write(st, it[i].ptr);
			break;
		}
	}
	return rc;
}

static int64_t clock_bound(void)
{
	/* Data time may not run ahead of wall time by much: one bogus future timestamp must
	 * not make every open hour look stale. */
	return util_wall_ms() + 10 * MINUTE_MS;
}

/* One transaction: the items, late merges, stale hours, state, trimming, retention.
 * closing: also pack every complete hour. SQLite result code. */
static int write_batch(struct store *st, const struct qitem *it, size_t n, bool closing,
                       uint64_t *samples)
{
	int64_t mark = -1;
	int rc = writer_run(st->q_begin);
	if (rc != SQLITE_OK)
		return rc;
	st->batch_seq = st->last_seq + 1;
	rc = tap_begin(st, &mark);
	if (rc == SQLITE_OK)
		rc = process_items(st, it, n, samples);
	if (st->clock_ms > clock_bound())
		st->clock_ms = clock_bound();
	if (rc == SQLITE_OK)
		rc = blocks_merge_late(st);
	if (rc == SQLITE_OK)
		rc = blocks_sweep(st, closing ? 0 : STALE_GRACE_MS);
	if (rc == SQLITE_OK)
		rc = staging_flush(st);
	if (rc == SQLITE_OK)
		rc = state_persist(st);
	/* The batch's samples to the tap, in the transaction that stores them. */
	if (rc == SQLITE_OK)
		rc = tap_run(st, mark);
	if (rc == SQLITE_OK)
		rc = blocks_trim_staging(st);
	if (rc == SQLITE_OK)
		rc = minutes_retention(st);
	if (rc == SQLITE_OK)
		rc = blocks_vacuum(st, closing);
	if (rc == SQLITE_OK)
		rc = writer_run(st->q_commit);
	if (rc != SQLITE_OK && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	/* Committed: every sample of the batch is durable (the tap has seen them); or rolled
	 * back: the retry stages them again. */
	staging_clear(st);
	tap_end(st, rc == SQLITE_OK);
	return rc;
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
		while ((rrc = state_recover(st)) != SQLITE_OK) {
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
	queue_free_items(b->items, b->n);
	b->n = 0;
}

void *writer_main(void *arg)
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
		if (mine.n > st->stats.batch_max)
			st->stats.batch_max = mine.n;
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
