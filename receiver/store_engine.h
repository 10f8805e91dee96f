/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a storage engine of greendc-receiver provides (store.h is the interface the rest of
 * the receiver uses; store.c pools the connections and calls these). One const struct per
 * engine; every function takes one connection of the engine's own type.
 */
#ifndef GREENDC_RX_STORE_ENGINE_H
#define GREENDC_RX_STORE_ENGINE_H

#include "store.h"

struct rx_engine {
	const char *name;
	int (*connect)(const char *spec, void **conn, char *err, size_t errlen);
	void (*disconnect)(void *conn);
	/* Bring the schema to the current version (safe with several processes at once). */
	int (*migrate)(void *conn, char *err, size_t errlen);
	int (*site_put)(void *conn, const struct rx_site *site);
	int (*site_revoke)(void *conn, const char *id, int64_t now_ms);
	int (*site_get)(void *conn, const char *id, struct rx_site *out);
	int (*insert)(void *conn, const struct rx_msg *m);
	int (*sites)(void *conn, rx_site_cb cb, void *ctx);
	int (*league)(void *conn, const char *period, rx_report_cb cb, void *ctx);
	int (*site_reports)(void *conn, const char *site, const char *from, const char *to,
	                    bool latest, rx_report_cb cb, void *ctx);
	int (*report)(void *conn, int64_t seq, struct rx_report_row *row, char **body, size_t *len);
	int (*active_sites)(void *conn, rx_site_cb cb, void *ctx);
};

extern const struct rx_engine rx_engine_sqlite;
extern const struct rx_engine rx_engine_pg;

/* The report columns both engines select, in this order (store_sql.c reads them). */
#define RX_REPORT_COLS                                                                             \
	"m.seq, m.site, m.site_name, coalesce(s.region, ''), m.kind, m.period, m.pue, "            \
	"m.coverage, m.category, m.grade, m.complete, m.pue_label, m.sig_status, m.received_ms"

#endif
