/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The outbox table (outbox.h): the insert that producers run inside their own transaction,
 * with the count/bytes bound, and the delivery side the pusher uses on its own connection.
 * Every statement is prepared with bound parameters.
 */
#include "store/outbox.h"

#include "store/store_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int stat_add(sqlite3 *db, const char *k, int64_t v)
{
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(db,
	                            "INSERT INTO outbox_stats(k, v) VALUES (?1, ?2) "
	                            "ON CONFLICT(k) DO UPDATE SET v = v + excluded.v",
	                            -1, &q, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(q, 1, k, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, v);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Count and bytes currently held: all of them, or one stream's (stream not NULL). */
static int totals(sqlite3 *db, const char *stream, int64_t *items, int64_t *bytes)
{
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(db,
	                            stream ? "SELECT count(*), coalesce(sum(length(payload)), 0) "
	                                     "FROM outbox WHERE stream = ?1"
	                                   : "SELECT count(*), coalesce(sum(length(payload)), 0) "
	                                     "FROM outbox",
	                            -1, &q, NULL);
	if (rc != SQLITE_OK)
		return rc;
	if (stream)
		sqlite3_bind_text(q, 1, stream, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*items = sqlite3_column_int64(q, 0);
		*bytes = sqlite3_column_int64(q, 1);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(q);
	return rc;
}

/* "<what>:<stream>", the key of a per-stream counter in outbox_stats. */
static const char *stream_key(char *buf, size_t len, const char *what, const char *stream)
{
	snprintf(buf, len, "%s:%s", what, stream);
	return buf;
}

/* Drop the oldest items (of one stream, or of all) until one more item of len bytes fits
 * within max_items and max_bytes; adds what it dropped to *ndrop, *bdrop and to the
 * per-stream counters of the streams it came from. */
static int make_room(sqlite3 *db, const char *stream, int64_t max_items, int64_t max_bytes,
                     size_t len, int64_t *ndrop, int64_t *bdrop)
{
	int64_t items = 0, bytes = 0;
	char k[OUTBOX_STREAM_MAX + 32], from[OUTBOX_STREAM_MAX];
	int rc = totals(db, stream, &items, &bytes);
	while (rc == SQLITE_OK && items > 0 &&
	       (items + 1 > max_items || bytes + (int64_t)len > max_bytes)) {
		sqlite3_stmt *q;
		rc = sqlite3_prepare_v2(
		        db,
		        stream ? "DELETE FROM outbox WHERE id = (SELECT min(id) FROM outbox "
		                 "WHERE stream = ?1) RETURNING length(payload), stream"
		               : "DELETE FROM outbox WHERE id = (SELECT min(id) FROM outbox) "
		                 "RETURNING length(payload), stream",
		        -1, &q, NULL);
		if (rc != SQLITE_OK)
			break;
		if (stream)
			sqlite3_bind_text(q, 1, stream, -1, SQLITE_STATIC);
		rc = sqlite3_step(q);
		int64_t b = -1;
		if (rc == SQLITE_ROW) {
			const unsigned char *sn = sqlite3_column_text(q, 1);
			b = sqlite3_column_int64(q, 0);
			snprintf(from, sizeof(from), "%s", sn ? (const char *)sn : "");
			rc = sqlite3_step(q);
		}
		sqlite3_finalize(q);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		if (rc != SQLITE_OK || b < 0)
			break;
		(*ndrop)++;
		*bdrop += b;
		items--;
		bytes -= b;
		rc = stat_add(db, stream_key(k, sizeof(k), "dropped", from), 1);
		if (rc == SQLITE_OK)
			rc = stat_add(db, stream_key(k, sizeof(k), "dropped_bytes", from), b);
	}
	return rc;
}

static bool stream_ok(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') ||
		      strchr("_-/.", s[n])))
			return false;
	return n > 0 && n < OUTBOX_STREAM_MAX;
}

int outbox_put_db(sqlite3 *db, const struct outbox_item *it, const struct outbox_limits *lim,
                  int64_t *dropped)
{
	int64_t max_items = lim && lim->max_items > 0 ? lim->max_items : OUTBOX_DEFAULT_MAX_ITEMS;
	int64_t max_bytes = lim && lim->max_bytes > 0 ? lim->max_bytes : OUTBOX_DEFAULT_MAX_BYTES;
	int64_t ndrop = 0, bdrop = 0;
	sqlite3_stmt *q;
	int rc = SQLITE_OK;

	if (dropped)
		*dropped = 0;
	if (!it || !it->stream || !it->ikey || !*it->ikey || !it->payload || !stream_ok(it->stream))
		return SQLITE_MISUSE;
	if (it->len > OUTBOX_MAX_PAYLOAD || (int64_t)it->len > max_bytes ||
	    (lim && lim->stream_max_bytes > 0 && (int64_t)it->len > lim->stream_max_bytes))
		return SQLITE_TOOBIG;

	/* A stream with bounds of its own makes room within them first. */
	if (lim && (lim->stream_max_items > 0 || lim->stream_max_bytes > 0))
		rc = make_room(db, it->stream,
		               lim->stream_max_items > 0 ? lim->stream_max_items : INT64_MAX,
		               lim->stream_max_bytes > 0 ? lim->stream_max_bytes : INT64_MAX,
		               it->len, &ndrop, &bdrop);
	/* Then the whole outbox: drop the oldest rows, as the newest state is what a receiver
	 * needs (a fresh alert, this month's report) when the link has been down this long. */
	int64_t nstream = ndrop;
	if (rc == SQLITE_OK)
		rc = make_room(db, NULL, max_items, max_bytes, it->len, &ndrop, &bdrop);
	if (rc == SQLITE_OK && ndrop) {
		rc = stat_add(db, "dropped", ndrop);
		if (rc == SQLITE_OK)
			rc = stat_add(db, "dropped_bytes", bdrop);
	}
	if (rc != SQLITE_OK)
		return rc;

	rc = sqlite3_prepare_v2(db,
	                        "INSERT INTO outbox(stream, ikey, created, payload, signature) "
	                        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(stream, ikey) DO NOTHING",
	                        -1, &q, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(q, 1, it->stream, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, it->ikey, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, it->created_ms);
	sqlite3_bind_blob(q, 4, it->payload, (int)it->len, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, it->signature ? it->signature : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	int changed = sqlite3_changes(db);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return rc;
	rc = SQLITE_OK;
	if (changed)
		rc = stat_add(db, "enqueued", 1);
	if (rc == SQLITE_OK && dropped)
		*dropped = ndrop - nstream; /* the outbox's bounds; a stream's own are per stream */
	return rc;
}

size_t outbox_key(char *buf, size_t len, const char *site, const char *stream, const char *what)
{
	int n = snprintf(buf, len, "%s:%s:%s", site ? site : "", stream ? stream : "",
	                 what ? what : "");
	return n < 0 ? 0 : (size_t)n;
}

/* ---- delivery side ---- */

struct outbox {
	sqlite3 *db;
	sqlite3_stmt *q_head, *q_done, *q_defer, *q_streams;
	char *buf;
	size_t cap;
};

struct outbox *outbox_open(const char *path, char *err, size_t errlen)
{
	struct outbox *ob = calloc(1, sizeof(*ob));
	if (!ob) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	int rc = sqlite3_open_v2(path, &ob->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK) {
		/* The store writer holds the write lock for one batch at a time. */
		sqlite3_busy_timeout(ob->db, 10000);
		rc = sqlite3_exec(ob->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL", NULL,
		                  NULL, NULL);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(ob->db,
		                        "SELECT id, stream, ikey, created, payload, attempts, "
		                        "next_attempt, signature FROM outbox WHERE stream = ?1 "
		                        "ORDER BY id LIMIT 1",
		                        -1, &ob->q_head, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(ob->db, "DELETE FROM outbox WHERE id = ?1", -1, &ob->q_done,
		                        NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(ob->db,
		                        "UPDATE outbox SET attempts = attempts + 1, "
		                        "next_attempt = ?2, last_error = ?3 WHERE id = ?1",
		                        -1, &ob->q_defer, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
		        ob->db, "SELECT stream FROM outbox GROUP BY stream ORDER BY min(id)", -1,
		        &ob->q_streams, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s", ob->db ? sqlite3_errmsg(ob->db) : "cannot open");
		outbox_close(ob);
		return NULL;
	}
	return ob;
}

void outbox_close(struct outbox *ob)
{
	if (!ob)
		return;
	sqlite3_finalize(ob->q_head);
	sqlite3_finalize(ob->q_done);
	sqlite3_finalize(ob->q_defer);
	sqlite3_finalize(ob->q_streams);
	sqlite3_close(ob->db);
	free(ob->buf);
	free(ob);
}

int outbox_head(struct outbox *ob, const char *stream, struct outbox_row *row)
{
	sqlite3_stmt *q = ob->q_head;
	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, stream, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(q);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(q);
		return store_sqlite_errno(rc);
	}
	const char *s = (const char *)sqlite3_column_text(q, 1);
	const char *k = (const char *)sqlite3_column_text(q, 2);
	const void *p = sqlite3_column_blob(q, 4);
	const char *sg = (const char *)sqlite3_column_text(q, 7);
	size_t ls = strlen(s ? s : "") + 1, lk = strlen(k ? k : "") + 1;
	size_t lp = (size_t)sqlite3_column_bytes(q, 4), lg = strlen(sg ? sg : "") + 1;
	size_t need = ls + lk + lp + 1 + lg;
	if (need > ob->cap) {
		char *nb = realloc(ob->buf, need);
		if (!nb) {
			sqlite3_reset(q);
			return -ENOMEM;
		}
		ob->buf = nb;
		ob->cap = need;
	}
	char *b = ob->buf;
	memcpy(b, s ? s : "", ls);
	memcpy(b + ls, k ? k : "", lk);
	if (lp)
		memcpy(b + ls + lk, p, lp);
	b[ls + lk + lp] = '\0';
	memcpy(b + ls + lk + lp + 1, sg ? sg : "", lg);
	row->signature = b + ls + lk + lp + 1;
	row->id = sqlite3_column_int64(q, 0);
	row->stream = b;
	row->ikey = b + ls;
	row->created_ms = sqlite3_column_int64(q, 3);
	row->payload = b + ls + lk;
	row->len = lp;
	row->attempts = sqlite3_column_int(q, 5);
	row->next_attempt_ms = sqlite3_column_int64(q, 6);
	sqlite3_reset(q);
	return 1;
}

int outbox_peek(struct outbox *ob, const char *stream, int max,
                int (*cb)(void *ctx, const struct outbox_row *row), void *ctx)
{
	sqlite3_stmt *q;
	int rc =
	        sqlite3_prepare_v2(ob->db,
	                           "SELECT id, ikey, created, payload, attempts, next_attempt FROM "
	                           "outbox WHERE stream = ?1 ORDER BY id LIMIT ?2",
	                           -1, &q, NULL);
	if (rc != SQLITE_OK)
		return store_sqlite_errno(rc);
	sqlite3_bind_text(q, 1, stream, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, 2, max);
	int n = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct outbox_row row = {
		        .id = sqlite3_column_int64(q, 0),
		        .stream = stream,
		        .ikey = (const char *)sqlite3_column_text(q, 1),
		        .created_ms = sqlite3_column_int64(q, 2),
		        .payload = (const char *)sqlite3_column_text(q, 3),
		        .len = (size_t)sqlite3_column_bytes(q, 3),
		        .attempts = sqlite3_column_int(q, 4),
		        .next_attempt_ms = sqlite3_column_int64(q, 5),
		        .signature = "",
		};
		n++;
		if (cb(ctx, &row))
			break;
	}
	sqlite3_finalize(q);
	return n;
}

int outbox_streams(struct outbox *ob, char names[][OUTBOX_STREAM_MAX], int max)
{
	sqlite3_stmt *q = ob->q_streams;
	int n = 0, rc;
	sqlite3_reset(q);
	while (n < max && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(q, 0);
		snprintf(names[n++], OUTBOX_STREAM_MAX, "%s", s ? s : "");
	}
	if (n < max && rc != SQLITE_DONE) {
		sqlite3_reset(q);
		return store_sqlite_errno(rc);
	}
	sqlite3_reset(q);
	return n;
}

sqlite3 *outbox_db(struct outbox *ob)
{
	return ob->db;
}

int outbox_done_db(struct outbox *ob, int64_t id)
{
	sqlite3_reset(ob->q_done);
	sqlite3_bind_int64(ob->q_done, 1, id);
	int rc = sqlite3_step(ob->q_done);
	sqlite3_reset(ob->q_done);
	rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	if (rc == SQLITE_OK)
		rc = stat_add(ob->db, "delivered", 1);
	return rc;
}

int outbox_done(struct outbox *ob, int64_t id)
{
	/* The delete and the counter in one transaction: a crash between them cannot make the
	 * delivered count disagree with what left the table. */
	int rc = sqlite3_exec(ob->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = outbox_done_db(ob, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(ob->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK && !sqlite3_get_autocommit(ob->db))
		sqlite3_exec(ob->db, "ROLLBACK", NULL, NULL, NULL);
	return store_sqlite_errno(rc);
}

int outbox_discard(struct outbox *ob, int64_t id)
{
	/* Delete and count in one transaction, like outbox_done. */
	char k[OUTBOX_STREAM_MAX + 32], stream[OUTBOX_STREAM_MAX] = "";
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_exec(ob->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(ob->db, "DELETE FROM outbox WHERE id = ?1 RETURNING stream",
		                        -1, &q, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, id);
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW) {
			const unsigned char *sn = sqlite3_column_text(q, 0);
			snprintf(stream, sizeof(stream), "%s", sn ? (const char *)sn : "");
			rc = sqlite3_step(q);
		}
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(q);
	if (rc == SQLITE_OK && stream[0]) {
		rc = stat_add(ob->db, "rejected", 1);
		if (rc == SQLITE_OK)
			rc = stat_add(ob->db, stream_key(k, sizeof(k), "rejected", stream), 1);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(ob->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK && !sqlite3_get_autocommit(ob->db))
		sqlite3_exec(ob->db, "ROLLBACK", NULL, NULL, NULL);
	return store_sqlite_errno(rc);
}

int outbox_defer(struct outbox *ob, int64_t id, int64_t next_attempt_ms, const char *error)
{
	sqlite3_stmt *q = ob->q_defer;
	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, next_attempt_ms);
	sqlite3_bind_text(q, 3, error ? error : "", -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_sqlite_errno(rc);
}

static int64_t stat_get(sqlite3 *db, const char *k)
{
	sqlite3_stmt *q;
	int64_t v = 0;
	if (sqlite3_prepare_v2(db, "SELECT v FROM outbox_stats WHERE k = ?1", -1, &q, NULL) !=
	    SQLITE_OK)
		return 0;
	sqlite3_bind_text(q, 1, k, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

int outbox_stats(struct outbox *ob, struct outbox_stats *out)
{
	memset(out, 0, sizeof(*out));
	int rc = totals(ob->db, NULL, &out->items, &out->bytes);
	if (rc != SQLITE_OK)
		return store_sqlite_errno(rc);
	out->dropped = stat_get(ob->db, "dropped");
	out->dropped_bytes = stat_get(ob->db, "dropped_bytes");
	out->delivered = stat_get(ob->db, "delivered");
	return 0;
}

int outbox_stream_stats(struct outbox *ob, const char *stream, struct outbox_stream_stats *out)
{
	char k[OUTBOX_STREAM_MAX + 32];
	memset(out, 0, sizeof(*out));
	int rc = totals(ob->db, stream, &out->items, &out->bytes);
	if (rc != SQLITE_OK)
		return store_sqlite_errno(rc);
	out->dropped = stat_get(ob->db, stream_key(k, sizeof(k), "dropped", stream));
	out->dropped_bytes = stat_get(ob->db, stream_key(k, sizeof(k), "dropped_bytes", stream));
	out->rejected = stat_get(ob->db, stream_key(k, sizeof(k), "rejected", stream));
	return 0;
}
