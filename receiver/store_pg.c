/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PostgreSQL engine of greendc-receiver (store_engine.h), on libpq: for production, and
 * for several receiver processes serving one database. Each pooled connection prepares the
 * statements of store_sql.c by name; a connection found broken is reset (and re-prepared)
 * once before its next statement, so a database restart costs the requests in flight, not
 * the process. Migrations run under a transaction-level advisory lock, so receivers
 * starting together apply each step once. Uniqueness of (site, webhook_id) is the
 * database's: two receivers racing on one message leave one row (ON CONFLICT DO NOTHING).
 */
#include "store_sql.h"

#include <errno.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pg {
	PGconn *c;
	bool prepared;
};

/* Forward migrations; schema_version holds the number applied. */
static const char *const migrations[] = {
        "CREATE TABLE messages(seq bigserial PRIMARY KEY, site text NOT NULL, webhook_id text "
        "NOT NULL, site_name text, type text, received_ms bigint NOT NULL, body text NOT NULL, "
        "body_sha bytea, pue double precision, grade integer, period text, kind text, "
        "category integer, coverage double precision, complete smallint, pue_label text, "
        "report_sig text, sig_status text, UNIQUE(site, webhook_id));"
        "CREATE INDEX messages_league ON messages(kind, period, site, seq);"
        "CREATE INDEX messages_site ON messages(site, seq);"
        "CREATE TABLE sites(id text PRIMARY KEY, name text NOT NULL DEFAULT '', region text "
        "NOT NULL DEFAULT '', hmac bytea, pk bytea, added_ms bigint NOT NULL, revoked_ms "
        "bigint)",
};

/* An arbitrary constant naming the receiver's migration lock. */
#define RX_PG_LOCK "7464652700"

static void pg_disconnect(void *conn)
{
	struct pg *p = conn;
	if (!p)
		return;
	PQfinish(p->c);
	free(p);
}

static int pg_connect(const char *spec, void **conn, char *err, size_t errlen)
{
	struct pg *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	*conn = p;
	p->c = PQconnectdb(spec);
	if (PQstatus(p->c) != CONNECTION_OK) {
		snprintf(err, errlen, "postgresql: %s", PQerrorMessage(p->c));
		return -ECONNREFUSED;
	}
	PQclear(PQexec(p->c, "SET client_min_messages = warning"));
	return 0;
}

static bool ok(PGresult *r)
{
	ExecStatusType s = PQresultStatus(r);
	return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

static bool exec_ok(struct pg *p, const char *sql)
{
	PGresult *r = PQexec(p->c, sql);
	bool good = ok(r);
	PQclear(r);
	return good;
}

/* The schema version applied, -1 on error. */
static long version(struct pg *p)
{
	PGresult *r = PQexec(p->c, "SELECT coalesce(max(version), 0) FROM schema_version");
	long v = ok(r) && PQntuples(r) == 1 ? strtol(PQgetvalue(r, 0, 0), NULL, 10) : -1;
	PQclear(r);
	return v;
}

/* Under a session advisory lock, so that receivers starting together take turns: each
 * step in its own transaction with the version it brings. */
static int pg_migrate(void *conn, char *err, size_t errlen)
{
	struct pg *p = conn;
	long n = (long)(sizeof(migrations) / sizeof(migrations[0]));
	if (!exec_ok(p, "SELECT pg_advisory_lock(" RX_PG_LOCK ")")) {
		snprintf(err, errlen, "postgresql: %s", PQerrorMessage(p->c));
		return -EIO;
	}
	int rc = -EIO;
	long ver = -1;
	if (exec_ok(p, "CREATE TABLE IF NOT EXISTS schema_version(version integer NOT NULL)")) {
		while ((ver = version(p)) >= 0 && ver < n) {
			char set[96];
			snprintf(set, sizeof(set),
			         "DELETE FROM schema_version; INSERT INTO schema_version VALUES "
			         "(%ld)",
			         ver + 1);
			if (!exec_ok(p, "BEGIN") || !exec_ok(p, migrations[ver]) ||
			    !exec_ok(p, set) || !exec_ok(p, "COMMIT")) {
				exec_ok(p, "ROLLBACK");
				ver = -1;
				break;
			}
		}
		rc = ver == n ? 0 : ver > n ? -EPROTO : -EIO;
	}
	if (rc == -EPROTO)
		snprintf(err, errlen, "postgresql: schema version %ld is newer than this receiver",
		         ver);
	else if (rc < 0)
		snprintf(err, errlen, "postgresql: migrate: %s", PQerrorMessage(p->c));
	exec_ok(p, "SELECT pg_advisory_unlock(" RX_PG_LOCK ")");
	return rc;
}

/* Ready the connection: reset a broken one, prepare the statements once per session. */
static bool ready(struct pg *p)
{
	if (PQstatus(p->c) != CONNECTION_OK) {
		PQreset(p->c);
		p->prepared = false;
		if (PQstatus(p->c) != CONNECTION_OK)
			return false;
	}
	if (p->prepared)
		return true;
	for (int i = 0; i < RX_SQL_COUNT; i++) {
		char name[8];
		snprintf(name, sizeof(name), "q%d", i);
		PGresult *r = PQprepare(p->c, name, rx_sql[i], 0, NULL);
		bool good = ok(r);
		PQclear(r);
		if (!good)
			return false;
	}
	p->prepared = true;
	return true;
}

/* Execute statement i with n parameters (NULL = SQL NULL; lens/fmts for binary ones). */
static PGresult *run(struct pg *p, enum rx_sql i, int n, const char *const *v, const int *lens,
                     const int *fmts)
{
	if (!ready(p))
		return NULL;
	char name[8];
	snprintf(name, sizeof(name), "q%d", (int)i);
	PGresult *r = PQexecPrepared(p->c, name, n, v, lens, fmts, 0);
	if (!ok(r)) {
		PQclear(r);
		return NULL;
	}
	return r;
}

static int pg_site_put(void *conn, const struct rx_site *site)
{
	char added[24];
	snprintf(added, sizeof(added), "%lld", (long long)site->added_ms);
	const char *v[6] = {site->id,
	                    site->name,
	                    site->region,
	                    site->cred.hmac_len ? (const char *)site->cred.hmac : NULL,
	                    site->cred.has_pk ? (const char *)site->cred.pk : NULL,
	                    added};
	int lens[6] = {0, 0, 0, (int)site->cred.hmac_len, 32, 0};
	int fmts[6] = {0, 0, 0, 1, 1, 0};
	PGresult *r = run(conn, RX_SQL_SITE_PUT, 6, v, lens, fmts);
	PQclear(r);
	return r ? 0 : -EIO;
}

static int pg_site_revoke(void *conn, const char *id, int64_t now_ms)
{
	char t[24];
	snprintf(t, sizeof(t), "%lld", (long long)now_ms);
	const char *v[2] = {id, t};
	PGresult *r = run(conn, RX_SQL_SITE_REVOKE, 2, v, NULL, NULL);
	int rc = !r ? -EIO : strcmp(PQcmdTuples(r), "0") == 0 ? -ENOENT : 0;
	PQclear(r);
	return rc;
}

/* A bytea column in text format ("\x0a1b..."), decoded into out. Bytes, or -1. */
static int bytea(PGresult *r, int row, int col, uint8_t *out, size_t cap)
{
	if (PQgetisnull(r, row, col))
		return 0;
	size_t n = 0;
	unsigned char *b = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col), &n);
	int rc = b && n <= cap ? (int)n : -1;
	if (rc > 0)
		memcpy(out, b, n);
	PQfreemem(b);
	return rc;
}

static void col_text(PGresult *r, int row, int i, char *out, size_t len)
{
	snprintf(out, len, "%s", PQgetvalue(r, row, i));
}

static int pg_site_get(void *conn, const char *id, struct rx_site *out)
{
	const char *v[1] = {id};
	PGresult *r = run(conn, RX_SQL_SITE_GET, 1, v, NULL, NULL);
	if (!r)
		return -EIO;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return -ENOENT;
	}
	memset(out, 0, sizeof(*out));
	col_text(r, 0, 0, out->id, sizeof(out->id));
	col_text(r, 0, 1, out->name, sizeof(out->name));
	col_text(r, 0, 2, out->region, sizeof(out->region));
	int n = bytea(r, 0, 3, out->cred.hmac, sizeof(out->cred.hmac));
	out->cred.hmac_len = n > 0 ? (size_t)n : 0;
	out->cred.has_pk = bytea(r, 0, 4, out->cred.pk, sizeof(out->cred.pk)) == 32;
	out->added_ms = strtoll(PQgetvalue(r, 0, 5), NULL, 10);
	out->revoked_ms = strtoll(PQgetvalue(r, 0, 6), NULL, 10);
	PQclear(r);
	return 0;
}

static int pg_insert(void *conn, const struct rx_msg *m)
{
	const struct rx_doc *d = m->doc;
	char recv[24], pue[32], grade[16], cat[16], cov[32], comp[4];
	snprintf(recv, sizeof(recv), "%lld", (long long)m->received_ms);
	snprintf(pue, sizeof(pue), "%.17g", d->pue);
	snprintf(grade, sizeof(grade), "%d", d->grade);
	snprintf(cat, sizeof(cat), "%d", d->category);
	snprintf(cov, sizeof(cov), "%.17g", d->coverage);
	snprintf(comp, sizeof(comp), "%d", d->complete);
	bool rep = d->is_report;
	const char *v[17] = {d->site,
	                     m->webhook_id,
	                     d->site_name,
	                     d->type,
	                     recv,
	                     m->body,
	                     (const char *)m->body_sha,
	                     rep && !isnan(d->pue) ? pue : NULL,
	                     rep && d->grade >= 0 ? grade : NULL,
	                     rep ? d->period : NULL,
	                     rep ? d->kind : NULL,
	                     rep ? cat : NULL,
	                     rep && !isnan(d->coverage) ? cov : NULL,
	                     rep ? comp : NULL,
	                     rep ? d->pue_label : NULL,
	                     rep ? m->report_sig : NULL,
	                     rep ? m->sig_status : NULL};
	int lens[17] = {[5] = (int)m->len, [6] = 32};
	int fmts[17] = {[6] = 1};
	/* The body is text and was checked to hold no NUL: sent as a C string. */
	PGresult *r = run(conn, RX_SQL_INSERT, 17, v, lens, fmts);
	if (!r)
		return -EIO;
	bool stored = strcmp(PQcmdTuples(r), "1") == 0;
	PQclear(r);
	if (stored)
		return 1;
	const char *k[2] = {d->site, m->webhook_id};
	r = run(conn, RX_SQL_SAME_BODY, 2, k, NULL, NULL);
	if (!r)
		return -EIO;
	uint8_t sha[32];
	bool same = PQntuples(r) == 1 && bytea(r, 0, 0, sha, sizeof(sha)) == 32 &&
	            memcmp(sha, m->body_sha, 32) == 0;
	PQclear(r);
	return same ? 0 : -EEXIST;
}

static double col_double(PGresult *r, int row, int i)
{
	return PQgetisnull(r, row, i) ? NAN : strtod(PQgetvalue(r, row, i), NULL);
}

static void report_row(PGresult *r, int row, struct rx_report_row *o)
{
	memset(o, 0, sizeof(*o));
	o->seq = strtoll(PQgetvalue(r, row, 0), NULL, 10);
	col_text(r, row, 1, o->site, sizeof(o->site));
	col_text(r, row, 2, o->site_name, sizeof(o->site_name));
	col_text(r, row, 3, o->region, sizeof(o->region));
	col_text(r, row, 4, o->kind, sizeof(o->kind));
	col_text(r, row, 5, o->period, sizeof(o->period));
	o->pue = col_double(r, row, 6);
	o->coverage = col_double(r, row, 7);
	o->category = atoi(PQgetvalue(r, row, 8));
	o->grade = PQgetisnull(r, row, 9) ? -1 : atoi(PQgetvalue(r, row, 9));
	o->complete = atoi(PQgetvalue(r, row, 10)) != 0;
	col_text(r, row, 11, o->pue_label, sizeof(o->pue_label));
	col_text(r, row, 12, o->sig_status, sizeof(o->sig_status));
	o->received_ms = strtoll(PQgetvalue(r, row, 13), NULL, 10);
}

static int reports_loop(PGresult *r, rx_report_cb cb, void *ctx)
{
	if (!r)
		return -EIO;
	int n = PQntuples(r);
	struct rx_report_row row;
	for (int i = 0; i < n; i++) {
		report_row(r, i, &row);
		if (cb(ctx, &row) < 0)
			break;
	}
	PQclear(r);
	return n;
}

static int sites_loop(PGresult *r, rx_site_cb cb, void *ctx)
{
	if (!r)
		return -EIO;
	int n = PQntuples(r);
	struct rx_site_row o;
	for (int i = 0; i < n; i++) {
		memset(&o, 0, sizeof(o));
		col_text(r, i, RX_SC_SITE, o.site, sizeof(o.site));
		col_text(r, i, RX_SC_NAME, o.name, sizeof(o.name));
		col_text(r, i, RX_SC_REGION, o.region, sizeof(o.region));
		o.registered = atoi(PQgetvalue(r, i, RX_SC_REGISTERED)) != 0;
		o.revoked = atoi(PQgetvalue(r, i, RX_SC_REVOKED)) != 0;
		o.messages = strtoll(PQgetvalue(r, i, RX_SC_MESSAGES), NULL, 10);
		o.last_received_ms = strtoll(PQgetvalue(r, i, RX_SC_LAST), NULL, 10);
		o.pue = col_double(r, i, RX_SC_PUE);
		o.grade = PQgetisnull(r, i, RX_SC_GRADE) ? -1 : atoi(PQgetvalue(r, i, RX_SC_GRADE));
		col_text(r, i, RX_SC_PERIOD, o.period, sizeof(o.period));
		if (cb(ctx, &o) < 0)
			break;
	}
	PQclear(r);
	return n;
}

static int pg_sites(void *conn, rx_site_cb cb, void *ctx)
{
	return sites_loop(run(conn, RX_SQL_SITES, 0, NULL, NULL, NULL), cb, ctx);
}

static int pg_active_sites(void *conn, rx_site_cb cb, void *ctx)
{
	return sites_loop(run(conn, RX_SQL_ACTIVE_SITES, 0, NULL, NULL, NULL), cb, ctx);
}

static int pg_league(void *conn, const char *period, rx_report_cb cb, void *ctx)
{
	const char *v[1] = {period};
	return reports_loop(run(conn, RX_SQL_LEAGUE, 1, v, NULL, NULL), cb, ctx);
}

static int pg_site_reports(void *conn, const char *site, const char *from, const char *to,
                           bool latest, rx_report_cb cb, void *ctx)
{
	const char *v[3] = {site, from, to};
	return reports_loop(run(conn, latest ? RX_SQL_SITE_REPORTS_LATEST : RX_SQL_SITE_REPORTS, 3,
	                        v, NULL, NULL),
	                    cb, ctx);
}

static int pg_report(void *conn, int64_t seq, struct rx_report_row *row, char **body, size_t *len)
{
	char s[24];
	snprintf(s, sizeof(s), "%lld", (long long)seq);
	const char *v[1] = {s};
	PGresult *r = run(conn, RX_SQL_REPORT, 1, v, NULL, NULL);
	if (!r)
		return -EIO;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return -ENOENT;
	}
	report_row(r, 0, row);
	*len = (size_t)PQgetlength(r, 0, 14);
	*body = malloc(*len + 1);
	if (*body)
		memcpy(*body, PQgetvalue(r, 0, 14), *len + 1);
	PQclear(r);
	return *body ? 0 : -ENOMEM;
}

const struct rx_engine rx_engine_pg = {
        .name = "postgresql",
        .connect = pg_connect,
        .disconnect = pg_disconnect,
        .migrate = pg_migrate,
        .site_put = pg_site_put,
        .site_revoke = pg_site_revoke,
        .site_get = pg_site_get,
        .insert = pg_insert,
        .sites = pg_sites,
        .league = pg_league,
        .site_reports = pg_site_reports,
        .report = pg_report,
        .active_sites = pg_active_sites,
};
