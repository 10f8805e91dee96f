/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reads behind a regulator report's data-quality evidence (docs/reports.md, "Data quality"):
 * the counter events of a period — meter resets and replacements, rejected readings and
 * register wraps — with the series they happened to. The writer records them
 * (store_sample.c); the report lists them with their times.
 */
#include "store/store.h"

#include "store/store_internal.h"

#include <errno.h>
#include <stdbool.h>

int store_series_events(struct store_reader *r, int64_t from_ms, int64_t to_ms,
                        int (*cb)(void *ctx, const struct store_series_event *ev), void *ctx)
{
	if (!r || !cb)
		return -EINVAL;
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(
	        r->db,
	        "SELECT ev.ts, ev.series, s.device, s.metric, s.labels, ev.kind, "
	        "ev.detail FROM events ev JOIN series s ON s.id = ev.series "
	        "WHERE ev.ts >= ?1 AND ev.ts < ?2 AND ev.kind IN "
	        "('counter_reset', 'counter_rejected', 'register_wrap') "
	        "ORDER BY ev.ts, ev.id",
	        -1, &q, NULL);
	if (rc != SQLITE_OK)
		return store_sqlite_errno(rc);
	sqlite3_bind_int64(q, 1, from_ms);
	sqlite3_bind_int64(q, 2, to_ms);
	int n = 0;
	bool stop = false;
#define TXT(i) (sqlite3_column_text(q, i) ? (const char *)sqlite3_column_text(q, i) : "")
	while (!stop && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_series_event ev = {.ts_ms = sqlite3_column_int64(q, 0),
		                                .series = sqlite3_column_int64(q, 1),
		                                .device = TXT(2),
		                                .metric = TXT(3),
		                                .labels = TXT(4),
		                                .kind = TXT(5),
		                                .detail = TXT(6)};
		n++;
		stop = cb(ctx, &ev) != 0;
	}
#undef TXT
	sqlite3_finalize(q);
	return stop || rc == SQLITE_DONE ? n : store_sqlite_errno(rc);
}
