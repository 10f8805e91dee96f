/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's writer side: opening (the connection, its pragmas, migration, registry and
 * state recovery, the writer thread) and closing. The rest of the writer is in the files
 * store_writer.h lists; readers live in store_read.c, the schema in store_schema.c, the
 * codec in store_codec.c.
 *
 * Data path of one sample (docs/internals/store.md has the why):
 *   store_append -> queue -> writer batch transaction:
 *     counters: counter_feed() -> cumulative total (+ events for resets/rejections)
 *     the batch's staging blob of its shard (durable at this commit: the acknowledgement)
 *     open hour in RAM               (the series' current hour)
 *   when a series moves to the next hour (or its hour is stale, or at close):
 *     encode the hour -> blocks row (or, at the end of a span, the span's hours as one
 *     block); 1h row + merge into the 1d row; then staging blobs before the oldest
 *     still-open hour are range-deleted by seq.
 *   a sample for an hour already packed (or skipped) is merged into the block covering that
 *   hour in the same transaction that stages it, and its rollup rows are updated
 *   incrementally.
 */
#include "store/store_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_COMMIT_MS 1000
#define DEFAULT_QUEUE_CAP 65536

static void store_free(struct store *st)
{
	if (!st)
		return;
	tap_free(st); /* after the last batch */
	writer_finalize(st);
	if (st->db)
		sqlite3_close(st->db);
	state_reset_all(st);
	free(st->ws);
	free(st->dirty);
	free(st->late);
	free(st->sts);
	free(st->sv);
	free(st->sinc);
	free(st->blob);
	free(st->ids);
	free(st->stage);
	stage_enc_free(&st->stage_enc);
	codec_free(st->codec);
	registry_free(st);
	if (st->in.items) {
		queue_free_items(st->in.items, st->in.n);
		free(st->in.items);
	}
	free(st->spare.items);
	free(st->path);
	pthread_mutex_destroy(&st->qlock);
	pthread_mutex_destroy(&st->rlock);
	pthread_mutex_destroy(&st->tap_lock);
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
	pthread_mutex_init(&st->tap_lock, NULL);
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
	st->codec = codec_new();
	st->stage_enc.codec = st->codec;
	if (!st->path || !st->in.items || !st->spare.items || !st->codec) {
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
	/* A new file gets 8 KiB pages, so that a span's block (~1.5 KB at 10 s, up to a few KB)
	 * stays inside its B-tree cell instead of spilling to an overflow page; and incremental
	 * auto-vacuum, so that free pages can be given back without a VACUUM that would stall
	 * the writer (blocks_vacuum). Both only take effect before the first table exists. */
	exec_pragma(st->db, "PRAGMA page_size = 8192");
	exec_pragma(st->db, "PRAGMA auto_vacuum = INCREMENTAL");
	if ((rc = exec_pragma(st->db, "PRAGMA journal_mode = WAL")) != SQLITE_OK ||
	    (rc = exec_pragma(st->db, "PRAGMA synchronous = FULL")) != SQLITE_OK ||
	    (rc = exec_pragma(st->db, "PRAGMA cache_size = -65536")) != SQLITE_OK ||
	    (rc = exec_pragma(st->db, "PRAGMA wal_autocheckpoint = 4096")) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		goto fail;
	}
	if (store_schema_migrate(st->db, err, errlen) < 0)
		goto fail;
	sqlite3_stmt *av;
	if (sqlite3_prepare_v2(st->db, "PRAGMA auto_vacuum", -1, &av, NULL) == SQLITE_OK) {
		st->auto_vacuum = sqlite3_step(av) == SQLITE_ROW && sqlite3_column_int(av, 0) == 2;
		sqlite3_finalize(av);
	}
	if ((rc = writer_prepare(st)) != SQLITE_OK || (rc = registry_load(st)) != SQLITE_OK ||
	    (rc = state_recover(st)) != SQLITE_OK) {
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
