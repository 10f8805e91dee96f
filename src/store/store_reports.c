/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The reports table: regulator reports stored by `greendc report --enqueue` together with
 * their outbox items, and listed for /api/v1/reports. The CLI is a process of its own beside
 * the daemon, so the enqueue opens its own write connection rather than going through the
 * daemon's writer; SQLite's write lock serialises the two.
 */
#include "store/store.h"

#include "store/store_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The report row; *fresh = false when its ikey was already stored. SQLite result code. */
static int report_insert(sqlite3 *db, const struct store_report *rep, bool *fresh)
{
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(db,
	                            "INSERT INTO reports(kind, period, generated, complete, ikey, "
	                            "json, signature) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
	                            "ON CONFLICT(ikey) DO NOTHING",
	                            -1, &q, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(q, 1, rep->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, rep->period, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, rep->generated_ms);
	sqlite3_bind_int(q, 4, rep->complete);
	sqlite3_bind_text(q, 5, rep->ikey, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, rep->json, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, rep->signature ? rep->signature : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	*fresh = rc == SQLITE_DONE && sqlite3_changes(db) > 0;
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store_report_enqueue(const char *path, const struct store_report *rep,
                         const char *const *streams, size_t nstreams, int64_t outbox_max_items,
                         int64_t outbox_max_bytes, char *err, size_t errlen)
{
	if (!path || !rep || !rep->kind || !rep->period || !rep->ikey || !rep->json ||
	    (nstreams && !streams))
		return -EINVAL;
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return store_sqlite_errno(rc);
	}
	sqlite3_busy_timeout(db, 10000);
	/* The CLI may be newer than the database (greendcd not restarted since an upgrade): bring
	 * it to this build's schema first, as the writer does when it opens it. */
	char why[256];
	int mrc = store_schema_migrate(db, why, sizeof(why));
	if (mrc < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		sqlite3_close(db);
		return mrc;
	}
	/* Durable together: BEGIN IMMEDIATE takes the write lock up front, the report row and
	 * every outbox item are written inside it, and only COMMIT makes any of them visible;
	 * any failure rolls all of it back (and a crash before COMMIT leaves none of it). */
	const struct outbox_limits lim = {.max_items = outbox_max_items,
	                                  .max_bytes = outbox_max_bytes};
	bool fresh = false;
	rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = report_insert(db, rep, &fresh);
	for (size_t i = 0; fresh && i < nstreams && rc == SQLITE_OK; i++) {
		struct outbox_item it = {.stream = streams[i],
		                         .ikey = rep->ikey,
		                         .created_ms = rep->generated_ms,
		                         .payload = rep->json,
		                         .len = strlen(rep->json),
		                         .signature = rep->signature};
		rc = outbox_put_db(db, &it, &lim, NULL);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		/* TOOBIG / MISUSE come from outbox_put_db's own checks, not from SQLite. */
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

int store_reports_list(struct store_reader *r, int limit,
                       int (*cb)(void *ctx, const char *kind, const char *period,
                                 int64_t generated_ms, bool complete, const char *json),
                       void *ctx)
{
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(r->db,
	                            "SELECT kind, period, generated, complete, json FROM reports "
	                            "ORDER BY generated DESC, id DESC LIMIT ?1",
	                            -1, &q, NULL);
	if (rc != SQLITE_OK)
		return store_sqlite_errno(rc);
	sqlite3_bind_int(q, 1, limit);
	int n = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
#define TXT(i) (sqlite3_column_text(q, i) ? (const char *)sqlite3_column_text(q, i) : "")
		n++;
		if (cb(ctx, TXT(0), TXT(1), sqlite3_column_int64(q, 2),
		       sqlite3_column_int(q, 3) != 0, TXT(4)))
			break;
#undef TXT
	}
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : store_sqlite_errno(rc);
}

int store_report_revision(struct store_reader *r, const char *kind, const char *period,
                          const char *ikey, int *revision)
{
	if (!r || !kind || !period || !ikey || !revision)
		return -EINVAL;
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(r->db,
	                            "SELECT ikey FROM reports WHERE kind = ?1 AND period = ?2 "
	                            "ORDER BY id",
	                            -1, &q, NULL);
	if (rc != SQLITE_OK)
		return store_sqlite_errno(rc);
	sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, period, -1, SQLITE_STATIC);
	int n = 0, found = 0;
	while (!found && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(q, 0);
		n++;
		if (k && strcmp(k, ikey) == 0)
			found = n;
	}
	sqlite3_finalize(q);
	if (!found && rc != SQLITE_DONE)
		return store_sqlite_errno(rc);
	*revision = found ? found : n + 1;
	return 0;
}
