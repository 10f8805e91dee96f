/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite engine of greendc-receiver (store_engine.h): the embedded default. One file in
 * WAL mode with synchronous=FULL (an acknowledged message survives a power cut); each pooled
 * connection prepares every statement once. Several connections of one process write in
 * turn (busy timeout); several receiver processes on one SQLite file work but serialise on
 * its lock: for more than one host, use PostgreSQL (docs/fleet.md).
 */
#include "store_sql.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sq {
	sqlite3 *db;
	sqlite3_stmt *st[RX_SQL_COUNT];
};

/* Forward migrations; PRAGMA user_version is the number applied. Version 1 is the schema
 * tools/receiver created, so its databases are upgraded in place. */
static const char *const migrations[] = {
        "CREATE TABLE IF NOT EXISTS messages(seq INTEGER PRIMARY KEY, webhook_id TEXT NOT NULL "
        "UNIQUE, site TEXT NOT NULL, site_name TEXT, type TEXT, received_ms INTEGER NOT NULL, "
        "body TEXT NOT NULL, pue REAL, grade INTEGER, period TEXT)",
        /* 2: one message per (site, webhook-id), report facts, registered sites. */
        "CREATE TABLE messages2(seq INTEGER PRIMARY KEY, site TEXT NOT NULL, webhook_id TEXT "
        "NOT NULL, site_name TEXT, type TEXT, received_ms INTEGER NOT NULL, body TEXT NOT NULL, "
        "body_sha BLOB, pue REAL, grade INTEGER, period TEXT, kind TEXT, category INTEGER, "
        "coverage REAL, complete INTEGER, pue_label TEXT, report_sig TEXT, sig_status TEXT, "
        "UNIQUE(site, webhook_id));"
        "INSERT INTO messages2(seq, site, webhook_id, site_name, type, received_ms, body, pue, "
        "grade, period) SELECT seq, site, webhook_id, site_name, type, received_ms, body, pue, "
        "grade, period FROM messages;"
        "DROP TABLE messages; ALTER TABLE messages2 RENAME TO messages;"
        "CREATE INDEX messages_league ON messages(kind, period, site, seq);"
        "CREATE INDEX messages_site ON messages(site, seq);"
        "CREATE TABLE sites(id TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '', region TEXT "
        "NOT NULL DEFAULT '', hmac BLOB, pk BLOB, added_ms INTEGER NOT NULL, revoked_ms "
        "INTEGER)",
};

static int sq_err(sqlite3 *db, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
	return -EIO;
}

static void sq_disconnect(void *conn)
{
	struct sq *q = conn;
	if (!q)
		return;
	for (int i = 0; i < RX_SQL_COUNT; i++)
		sqlite3_finalize(q->st[i]);
	sqlite3_close(q->db);
	free(q);
}

static int sq_connect(const char *spec, void **conn, char *err, size_t errlen)
{
	struct sq *q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	*conn = q;
	if (sqlite3_open_v2(spec, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK)
		return sq_err(q->db, err, errlen, spec);
	sqlite3_busy_timeout(q->db, 10000);
	if (sqlite3_exec(q->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL", NULL, NULL,
	                 NULL) != SQLITE_OK)
		return sq_err(q->db, err, errlen, spec);
	return 0;
}

/* Prepare every statement ("$N" written as SQLite's "?N"). */
static int sq_prepare(struct sq *q, char *err, size_t errlen)
{
	for (int i = 0; i < RX_SQL_COUNT; i++) {
		char *s = strdup(rx_sql[i]);
		if (!s)
			return -ENOMEM;
		for (char *p = s; *p; p++)
			if (*p == '$' && p[1] >= '0' && p[1] <= '9')
				*p = '?';
		int rc = sqlite3_prepare_v3(q->db, s, -1, SQLITE_PREPARE_PERSISTENT, &q->st[i],
		                            NULL);
		free(s);
		if (rc != SQLITE_OK)
			return sq_err(q->db, err, errlen, "prepare");
	}
	return 0;
}

static int sq_migrate(void *conn, char *err, size_t errlen)
{
	struct sq *q = conn;
	size_t n = sizeof(migrations) / sizeof(migrations[0]);
	for (;;) {
		if (sqlite3_exec(q->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			return sq_err(q->db, err, errlen, "migrate");
		sqlite3_stmt *v;
		int ver = -1;
		if (sqlite3_prepare_v2(q->db, "PRAGMA user_version", -1, &v, NULL) == SQLITE_OK &&
		    sqlite3_step(v) == SQLITE_ROW)
			ver = sqlite3_column_int(v, 0);
		sqlite3_finalize(v);
		if (ver < 0 || (size_t)ver > n) {
			sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
			snprintf(err, errlen, "schema version %d is newer than this receiver", ver);
			return -EPROTO;
		}
		if ((size_t)ver == n) {
			sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL);
			break;
		}
		char set[48];
		snprintf(set, sizeof(set), "PRAGMA user_version = %d", ver + 1);
		if (sqlite3_exec(q->db, migrations[ver], NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(q->db, set, NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
			int rc = sq_err(q->db, err, errlen, "migrate");
			sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
	}
	return 0;
}

/* The statement, reset and unbound, ready for this use; prepared on first use so that a
 * connection opened before the migration sees the current schema. */
static sqlite3_stmt *stmt(struct sq *q, enum rx_sql i)
{
	if (!q->st[0]) {
		char err[200];
		if (sq_prepare(q, err, sizeof(err)) < 0)
			return NULL;
	}
	sqlite3_reset(q->st[i]);
	sqlite3_clear_bindings(q->st[i]);
	return q->st[i];
}

static int done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

static void bind_text(sqlite3_stmt *s, int i, const char *t)
{
	if (t && *t)
		sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT);
	else if (t)
		sqlite3_bind_text(s, i, "", 0, SQLITE_STATIC);
}

static void bind_double(sqlite3_stmt *s, int i, double v)
{
	if (!isnan(v))
		sqlite3_bind_double(s, i, v);
}

static int sq_site_put(void *conn, const struct rx_site *site)
{
	sqlite3_stmt *s = stmt(conn, RX_SQL_SITE_PUT);
	if (!s)
		return -EIO;
	bind_text(s, 1, site->id);
	bind_text(s, 2, site->name);
	bind_text(s, 3, site->region);
	if (site->cred.hmac_len)
		sqlite3_bind_blob(s, 4, site->cred.hmac, (int)site->cred.hmac_len, SQLITE_STATIC);
	if (site->cred.has_pk)
		sqlite3_bind_blob(s, 5, site->cred.pk, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, site->added_ms);
	return done(s);
}

static int sq_site_revoke(void *conn, const char *id, int64_t now_ms)
{
	struct sq *q = conn;
	sqlite3_stmt *s = stmt(q, RX_SQL_SITE_REVOKE);
	if (!s)
		return -EIO;
	bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, now_ms);
	int rc = done(s);
	return rc < 0 ? rc : sqlite3_changes(q->db) ? 0 : -ENOENT;
}

static void col_text(sqlite3_stmt *s, int i, char *out, size_t len)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	snprintf(out, len, "%s", t ? (const char *)t : "");
}

static int sq_site_get(void *conn, const char *id, struct rx_site *out)
{
	sqlite3_stmt *s = stmt(conn, RX_SQL_SITE_GET);
	if (!s)
		return -EIO;
	bind_text(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? -ENOENT : -EIO;
	}
	memset(out, 0, sizeof(*out));
	col_text(s, 0, out->id, sizeof(out->id));
	col_text(s, 1, out->name, sizeof(out->name));
	col_text(s, 2, out->region, sizeof(out->region));
	int n = sqlite3_column_bytes(s, 3);
	if (n > 0 && (size_t)n <= sizeof(out->cred.hmac)) {
		memcpy(out->cred.hmac, sqlite3_column_blob(s, 3), (size_t)n);
		out->cred.hmac_len = (size_t)n;
	}
	if (sqlite3_column_bytes(s, 4) == 32) {
		memcpy(out->cred.pk, sqlite3_column_blob(s, 4), 32);
		out->cred.has_pk = true;
	}
	out->added_ms = sqlite3_column_int64(s, 5);
	out->revoked_ms = sqlite3_column_int64(s, 6);
	sqlite3_reset(s);
	return 0;
}

static int sq_insert(void *conn, const struct rx_msg *m)
{
	struct sq *q = conn;
	const struct rx_doc *d = m->doc;
	sqlite3_stmt *s = stmt(q, RX_SQL_INSERT);
	if (!s)
		return -EIO;
	bind_text(s, 1, d->site);
	bind_text(s, 2, m->webhook_id);
	bind_text(s, 3, d->site_name);
	bind_text(s, 4, d->type);
	sqlite3_bind_int64(s, 5, m->received_ms);
	sqlite3_bind_text(s, 6, m->body, (int)m->len, SQLITE_STATIC);
	sqlite3_bind_blob(s, 7, m->body_sha, 32, SQLITE_STATIC);
	if (d->is_report) {
		bind_double(s, 8, d->pue);
		if (d->grade >= 0)
			sqlite3_bind_int(s, 9, d->grade);
		bind_text(s, 10, d->period);
		bind_text(s, 11, d->kind);
		sqlite3_bind_int(s, 12, d->category);
		bind_double(s, 13, d->coverage);
		sqlite3_bind_int(s, 14, d->complete);
		bind_text(s, 15, d->pue_label);
		if (m->report_sig)
			bind_text(s, 16, m->report_sig);
		bind_text(s, 17, m->sig_status);
	}
	int rc = done(s);
	if (rc < 0)
		return rc;
	if (sqlite3_changes(q->db) > 0)
		return 1;
	/* Already there: the same message (a retry or a replay), or another body under the
	 * same id (refused). */
	s = stmt(q, RX_SQL_SAME_BODY);
	bind_text(s, 1, d->site);
	bind_text(s, 2, m->webhook_id);
	rc = sqlite3_step(s);
	bool same = rc == SQLITE_ROW && sqlite3_column_bytes(s, 0) == 32 &&
	            memcmp(sqlite3_column_blob(s, 0), m->body_sha, 32) == 0;
	sqlite3_reset(s);
	return rc != SQLITE_ROW ? -EIO : same ? 0 : -EEXIST;
}

static double col_double(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

static void report_row(sqlite3_stmt *s, struct rx_report_row *r)
{
	memset(r, 0, sizeof(*r));
	r->seq = sqlite3_column_int64(s, 0);
	col_text(s, 1, r->site, sizeof(r->site));
	col_text(s, 2, r->site_name, sizeof(r->site_name));
	col_text(s, 3, r->region, sizeof(r->region));
	col_text(s, 4, r->kind, sizeof(r->kind));
	col_text(s, 5, r->period, sizeof(r->period));
	r->pue = col_double(s, 6);
	r->coverage = col_double(s, 7);
	r->category = sqlite3_column_int(s, 8);
	r->grade = sqlite3_column_type(s, 9) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 9);
	r->complete = sqlite3_column_int(s, 10) != 0;
	col_text(s, 11, r->pue_label, sizeof(r->pue_label));
	col_text(s, 12, r->sig_status, sizeof(r->sig_status));
	r->received_ms = sqlite3_column_int64(s, 13);
}

static int reports_loop(sqlite3_stmt *s, rx_report_cb cb, void *ctx)
{
	int rc, n = 0;
	struct rx_report_row r;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		report_row(s, &r);
		n++;
		if (cb(ctx, &r) < 0)
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : -EIO;
}

static int sites_loop(sqlite3_stmt *s, rx_site_cb cb, void *ctx)
{
	int rc, n = 0;
	struct rx_site_row r;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		col_text(s, RX_SC_SITE, r.site, sizeof(r.site));
		col_text(s, RX_SC_NAME, r.name, sizeof(r.name));
		col_text(s, RX_SC_REGION, r.region, sizeof(r.region));
		r.registered = sqlite3_column_int(s, RX_SC_REGISTERED);
		r.revoked = sqlite3_column_int(s, RX_SC_REVOKED);
		r.messages = sqlite3_column_int64(s, RX_SC_MESSAGES);
		r.last_received_ms = sqlite3_column_int64(s, RX_SC_LAST);
		r.pue = col_double(s, RX_SC_PUE);
		r.grade = sqlite3_column_type(s, RX_SC_GRADE) == SQLITE_NULL
		                  ? -1
		                  : sqlite3_column_int(s, RX_SC_GRADE);
		col_text(s, RX_SC_PERIOD, r.period, sizeof(r.period));
		n++;
		if (cb(ctx, &r) < 0)
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : -EIO;
}

static int sq_sites(void *conn, rx_site_cb cb, void *ctx)
{
	sqlite3_stmt *s = stmt(conn, RX_SQL_SITES);
	return s ? sites_loop(s, cb, ctx) : -EIO;
}

static int sq_active_sites(void *conn, rx_site_cb cb, void *ctx)
{
	sqlite3_stmt *s = stmt(conn, RX_SQL_ACTIVE_SITES);
	return s ? sites_loop(s, cb, ctx) : -EIO;
}

static int sq_league(void *conn, const char *period, rx_report_cb cb, void *ctx)
{
	sqlite3_stmt *s = stmt(conn, RX_SQL_LEAGUE);
	if (!s)
		return -EIO;
	bind_text(s, 1, period);
	return reports_loop(s, cb, ctx);
}

static int sq_site_reports(void *conn, const char *site, const char *from, const char *to,
                           bool latest, rx_report_cb cb, void *ctx)
{
	sqlite3_stmt *s = stmt(conn, latest ? RX_SQL_SITE_REPORTS_LATEST : RX_SQL_SITE_REPORTS);
	if (!s)
		return -EIO;
	bind_text(s, 1, site);
	bind_text(s, 2, from);
	bind_text(s, 3, to);
	return reports_loop(s, cb, ctx);
}

static int sq_report(void *conn, int64_t seq, struct rx_report_row *row, char **body, size_t *len)
{
	sqlite3_stmt *s = stmt(conn, RX_SQL_REPORT);
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, seq);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? -ENOENT : -EIO;
	}
	report_row(s, row);
	int n = sqlite3_column_bytes(s, 14);
	*body = malloc((size_t)n + 1);
	if (*body) {
		memcpy(*body, sqlite3_column_text(s, 14), (size_t)n);
		(*body)[n] = '\0';
		*len = (size_t)n;
	}
	sqlite3_reset(s);
	return *body ? 0 : -ENOMEM;
}

const struct rx_engine rx_engine_sqlite = {
        .name = "sqlite",
        .connect = sq_connect,
        .disconnect = sq_disconnect,
        .migrate = sq_migrate,
        .site_put = sq_site_put,
        .site_revoke = sq_site_revoke,
        .site_get = sq_site_get,
        .insert = sq_insert,
        .sites = sq_sites,
        .league = sq_league,
        .site_reports = sq_site_reports,
        .report = sq_report,
        .active_sites = sq_active_sites,
};
