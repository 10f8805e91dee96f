/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The regulator uploads table (store.h; docs/regulator.md): the local history of every
 * upload, which is also what makes production exactly-once: a period is produced only if it
 * has no row, and its row and its outbox item are written in one transaction, so a restart
 * neither loses a period nor queues one twice. The pusher's acknowledgement deletes the
 * outbox item and marks the row in one transaction (outbox_done_ack).
 *
 * Like store_report_enqueue, the producer writes on a connection of its own: it is a thread
 * of the daemon that is not the store writer, and SQLite's write lock serialises the two.
 */
#include "store/store.h"

#include "store/store_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The row; *fresh = false when the period is already there. SQLite result code. */
static int upload_insert(sqlite3 *db, const struct store_regulator_upload *u, bool *fresh)
{
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(db,
	                            "INSERT INTO regulator_uploads(target, cycle, period_start, "
	                            "period_end, ikey, created, body, quality) VALUES (?1, ?2, ?3, "
	                            "?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
	                            -1, &q, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(q, 1, u->target, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, u->cycle, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, u->period_start_ms);
	sqlite3_bind_int64(q, 4, u->period_end_ms);
	sqlite3_bind_text(q, 5, u->ikey, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, u->created_ms);
	sqlite3_bind_text(q, 7, u->body, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 8, u->quality, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	*fresh = rc == SQLITE_DONE && sqlite3_changes(db) > 0;
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int history_trim(sqlite3 *db, const char *target, int64_t keep_after_ms)
{
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(db,
	                            "DELETE FROM regulator_uploads WHERE target = ?1 AND "
	                            "period_end < ?2",
	                            -1, &q, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(q, 1, target, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, keep_after_ms);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store_regulator_enqueue(const char *path, const struct store_regulator_upload *u,
                            const char *stream, int64_t outbox_max_items, int64_t outbox_max_bytes,
                            int64_t keep_after_ms, char *err, size_t errlen)
{
	if (!path || !u || !u->target || !u->cycle || !u->ikey || !u->body || !u->quality ||
	    !stream)
		return -EINVAL;
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return store_sqlite_errno(rc);
	}
	sqlite3_busy_timeout(db, 10000);
	const struct outbox_limits lim = {.max_items = outbox_max_items,
	                                  .max_bytes = outbox_max_bytes};
	bool fresh = false;
	rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = upload_insert(db, u, &fresh);
	if (rc == SQLITE_OK && fresh) {
		struct outbox_item it = {.stream = stream,
		                         .ikey = u->ikey,
		                         .created_ms = u->created_ms,
		                         .payload = u->body,
		                         .len = strlen(u->body)};
		rc = outbox_put_db(db, &it, &lim, NULL);
	}
	if (rc == SQLITE_OK && fresh && keep_after_ms > 0)
		rc = history_trim(db, u->target, keep_after_ms);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
		         rc == SQLITE_TOOBIG || rc == SQLITE_MISUSE ? sqlite3_errstr(rc)
		                                                    : sqlite3_errmsg(db));
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(db);
		return store_sqlite_errno(rc);
	}
	sqlite3_close(db);
	return fresh ? 1 : 0;
}

int outbox_done_ack(struct outbox *ob, int64_t id, const char *ikey, int64_t acked_ms,
                    const char *answer)
{
	sqlite3 *db = outbox_db(ob);
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = outbox_done_db(ob, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db,
		                        "UPDATE regulator_uploads SET acked = ?2, ack = substr(?3, "
		                        "1, 1024) WHERE ikey = ?1 AND acked IS NULL",
		                        -1, &q, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(q, 1, ikey, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, acked_ms);
		sqlite3_bind_text(q, 3, answer ? answer : "", -1, SQLITE_STATIC);
		rc = sqlite3_step(q);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(q);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return store_sqlite_errno(rc);
}

int store_regulator_last(struct store_reader *r, const char *target, const char *cycle,
                         int64_t *period_start_ms)
{
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(r->db,
	                            "SELECT max(period_start) FROM regulator_uploads WHERE "
	                            "target = ?1 AND cycle = ?2",
	                            -1, &q, NULL);
	if (rc != SQLITE_OK)
		return store_sqlite_errno(rc);
	sqlite3_bind_text(q, 1, target, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, cycle, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	int out = -ENOENT;
	if (rc == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) {
		*period_start_ms = sqlite3_column_int64(q, 0);
		out = 0;
	} else if (rc != SQLITE_ROW) {
		out = store_sqlite_errno(rc);
	}
	sqlite3_finalize(q);
	return out;
}

int store_regulator_list(struct store_reader *r, const char *target, int limit,
                         int (*cb)(void *ctx, const char *target, const char *cycle,
                                   int64_t period_start_ms, int64_t acked_ms, const char *body,
                                   const char *quality),
                         void *ctx)
{
	sqlite3_stmt *q = NULL;
	int rc =
	        sqlite3_prepare_v2(r->db,
	                           "SELECT target, cycle, period_start, coalesce(acked, 0), body, "
	                           "quality FROM regulator_uploads WHERE ?1 IS NULL OR target = ?1 "
	                           "ORDER BY period_start DESC, id DESC LIMIT ?2",
	                           -1, &q, NULL);
	if (rc != SQLITE_OK)
		return store_sqlite_errno(rc);
	if (target)
		sqlite3_bind_text(q, 1, target, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, limit);
	int n = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
#define TXT(i) (sqlite3_column_text(q, i) ? (const char *)sqlite3_column_text(q, i) : "")
		n++;
		if (cb(ctx, TXT(0), TXT(1), sqlite3_column_int64(q, 2), sqlite3_column_int64(q, 3),
		       TXT(4), TXT(5)))
			break;
#undef TXT
	}
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : store_sqlite_errno(rc);
}
