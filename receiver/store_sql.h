/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQL both storage engines share (store_sqlite.c, store_pg.c): the queries are written
 * once, in the dialect common to SQLite and PostgreSQL, with numbered parameters ($1 in
 * PostgreSQL is ?1 in SQLite: the SQLite engine rewrites "$" to "?" when it prepares them).
 * The schemas differ only in column types and live with their engine.
 */
#ifndef GREENDC_RX_STORE_SQL_H
#define GREENDC_RX_STORE_SQL_H

#include "store_engine.h"

enum rx_sql {
	RX_SQL_SITE_PUT,
	RX_SQL_SITE_REVOKE,
	RX_SQL_SITE_GET,
	RX_SQL_INSERT,
	RX_SQL_SAME_BODY,
	RX_SQL_SITES,
	RX_SQL_LEAGUE,
	RX_SQL_SITE_REPORTS,
	RX_SQL_SITE_REPORTS_LATEST,
	RX_SQL_REPORT,
	RX_SQL_ACTIVE_SITES,
	RX_SQL_COUNT
};

extern const char *const rx_sql[RX_SQL_COUNT];

/* Columns of RX_SQL_SITES and RX_SQL_ACTIVE_SITES. */
enum {
	RX_SC_SITE,
	RX_SC_NAME,
	RX_SC_REGION,
	RX_SC_REGISTERED,
	RX_SC_REVOKED,
	RX_SC_MESSAGES,
	RX_SC_LAST,
	RX_SC_PUE,
	RX_SC_GRADE,
	RX_SC_PERIOD
};

#endif
