/* SPDX-License-Identifier: Apache-2.0 */
/*
 * greendc-receiver's storage, one interface over two engines (docs/fleet.md):
 *   store_sqlite.c  SQLite in WAL mode, the embedded default (one file, one host);
 *   store_pg.c      PostgreSQL through libpq, for production: several receiver processes
 *                   may share one database.
 * Each engine keeps a fixed pool of connections (one per HTTP worker), migrates its schema
 * forward at open (PRAGMA user_version / a schema_version table under an advisory lock), and
 * stores a message once per (site, webhook-id) with INSERT ... ON CONFLICT DO NOTHING, so a
 * retry, a replay or two receivers racing on the same message leave one row. Every query is
 * a prepared statement with bound parameters. Functions return 0 (or a count) or -errno and
 * never log.
 */
#ifndef GREENDC_RX_STORE_H
#define GREENDC_RX_STORE_H

#include "auth.h"
#include "check.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rx_store;

struct rx_site {
	char id[RX_SITE_MAX + 1];
	char name[RX_NAME_MAX + 1];
	char region[RX_NAME_MAX + 1];
	struct rx_cred cred;
	int64_t added_ms;
	int64_t revoked_ms; /* 0 = active */
};

/* One verified, validated message to store. */
struct rx_msg {
	const char *webhook_id;
	const struct rx_doc *doc;
	const char *body;
	size_t len;
	uint8_t body_sha[32];
	int64_t received_ms;
	const char *report_sig; /* the header as received, or NULL */
	const char *sig_status; /* valid | invalid | none */
};

/* A stored report as the regulator's view lists it. */
struct rx_report_row {
	int64_t seq;
	char site[RX_SITE_MAX + 1];
	char site_name[RX_NAME_MAX + 1];
	char region[RX_NAME_MAX + 1];
	char kind[8];
	char period[16];
	double pue, coverage; /* NAN = null */
	int category, grade;  /* grade -1 = none */
	bool complete;
	char pue_label[RX_LABEL_MAX + 1];
	char sig_status[8];
	int64_t received_ms;
};

/* The /sites listing: every site known by registration or by messages. */
struct rx_site_row {
	char site[RX_SITE_MAX + 1];
	char name[RX_NAME_MAX + 1];
	char region[RX_NAME_MAX + 1];
	bool registered, revoked;
	int64_t messages, last_received_ms;
	double pue; /* the latest report's, NAN = none */
	int grade;
	char period[16];
};

typedef int (*rx_report_cb)(void *ctx, const struct rx_report_row *r);
typedef int (*rx_site_cb)(void *ctx, const struct rx_site_row *r);

/* spec: a file path (SQLite, "sqlite:" prefix optional) or a libpq connection string
 * ("postgresql://...", "postgres://..." or "host=... dbname=..."). pool = connections. */
int rx_store_open(const char *spec, unsigned pool, struct rx_store **out, char *err, size_t errlen);
void rx_store_close(struct rx_store *s);
const char *rx_store_engine(const struct rx_store *s); /* "sqlite" | "postgresql" */

/* Add a site or replace its credential (un-revoking it). */
int rx_store_site_put(struct rx_store *s, const struct rx_site *site);
/* 0, or -ENOENT for no such (active) site. */
int rx_store_site_revoke(struct rx_store *s, const char *id, int64_t now_ms);
/* 0 with the site (revoked ones too: check revoked_ms), or -ENOENT. */
int rx_store_site_get(struct rx_store *s, const char *id, struct rx_site *out);

/* 1 stored, 0 a duplicate of the same body, -EEXIST the same (site, id) with another body,
 * other -errno on failure. */
int rx_store_insert(struct rx_store *s, const struct rx_msg *m);

int rx_store_sites(struct rx_store *s, rx_site_cb cb, void *ctx);
/* The latest monthly report per site for period ("2026-10"), site order. */
int rx_store_league(struct rx_store *s, const char *period, rx_report_cb cb, void *ctx);
/* A site's reports with period in [from, to] (labels compare as text), newest first; the
 * latest revision per (kind, period) only when latest is true. */
int rx_store_site_reports(struct rx_store *s, const char *site, const char *from, const char *to,
                          bool latest, rx_report_cb cb, void *ctx);
/* One stored report: its row and body (malloc'd, caller frees). -ENOENT if none. */
int rx_store_report(struct rx_store *s, int64_t seq, struct rx_report_row *row, char **body,
                    size_t *len);
/* Active registered sites (for the late list), site order. */
int rx_store_active_sites(struct rx_store *s, rx_site_cb cb, void *ctx);

#endif
