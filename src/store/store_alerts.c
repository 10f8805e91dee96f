/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alerts as the events table records them: every transition of an alert is an event row of
 * kind `alert_firing` or `alert_resolved` whose detail is the alert's JSON (with its
 * "identity": rule|device|metric|labels), written with its outbox items in one writer
 * transaction (store_outbox). "Active" is defined once, here, for every front end. Also the
 * counter-discontinuity events the counter_discontinuity rule counts.
 */
#include "store/store.h"

#include "store/store_internal.h"

#include <errno.h>

/* An alert is active when its identity's newest transition is a firing. */
static const char ACTIVE_SQL[] =
        "SELECT ts, detail FROM events WHERE id IN (SELECT max(id) FROM events "
        "WHERE kind IN ('alert_firing', 'alert_resolved') GROUP BY "
        "json_extract(detail, '$.identity')) AND kind = 'alert_firing' ORDER BY ts, id";

/* Each active alert to cb (NULL: count only). Sets *stopped when cb asked to stop. Returns
 * the rows seen or -errno. */
static int alerts_active(struct store_reader *r,
                         int (*cb)(void *ctx, int64_t ts_ms, const char *detail), void *ctx,
                         bool *stopped)
{
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(r->db, ACTIVE_SQL, -1, &q, NULL);
	if (rc != SQLITE_OK)
		return store_sqlite_errno(rc);
	int n = 0;
	*stopped = false;
	while (!*stopped && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(q, 1);
		n++;
		if (cb)
			*stopped = cb(ctx, sqlite3_column_int64(q, 0), d ? d : "{}") != 0;
	}
	sqlite3_finalize(q);
	return *stopped || rc == SQLITE_DONE ? n : store_sqlite_errno(rc);
}

int store_alerts_active(struct store_reader *r,
                        int (*cb)(void *ctx, int64_t ts_ms, const char *detail), void *ctx)
{
	if (!r)
		return -EINVAL;
	bool stopped;
	return alerts_active(r, cb, ctx, &stopped);
}

struct list_ctx {
	int (*cb)(void *ctx, bool active, int64_t ts_ms, const char *detail);
	void *ctx;
};

static int list_active_cb(void *ctx, int64_t ts_ms, const char *detail)
{
	struct list_ctx *l = ctx;
	return l->cb(l->ctx, true, ts_ms, detail);
}

/* The `recent` newest transitions, newest first. Returns rows seen or -errno. */
static int alerts_recent(struct store_reader *r, int recent, struct list_ctx *l)
{
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(r->db,
	                            "SELECT ts, detail FROM events WHERE kind IN "
	                            "('alert_firing', 'alert_resolved') ORDER BY id DESC LIMIT ?1",
	                            -1, &q, NULL);
	if (rc != SQLITE_OK)
		return store_sqlite_errno(rc);
	sqlite3_bind_int(q, 1, recent);
	int n = 0;
	bool stop = false;
	while (!stop && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(q, 1);
		n++;
		stop = l->cb(l->ctx, false, sqlite3_column_int64(q, 0), d ? d : "{}") != 0;
	}
	sqlite3_finalize(q);
	return stop || rc == SQLITE_DONE ? n : store_sqlite_errno(rc);
}

int store_alerts_list(struct store_reader *r, int recent,
                      int (*cb)(void *ctx, bool active, int64_t ts_ms, const char *detail),
                      void *ctx)
{
	if (!r || !cb)
		return -EINVAL;
	/* One read transaction: the active list and the recent transitions agree. */
	int rc = reader_begin(r);
	if (rc < 0)
		return rc;
	struct list_ctx l = {cb, ctx};
	bool stopped;
	int n = alerts_active(r, list_active_cb, &l, &stopped);
	if (n >= 0 && !stopped) {
		int m = alerts_recent(r, recent, &l);
		n = m < 0 ? m : n + m;
	}
	reader_end(r);
	return n;
}

int store_counter_events(struct store_reader *r, int64_t since_ms,
                         int (*cb)(void *ctx, const char *device, const char *metric,
                                   const char *labels, int events),
                         void *ctx)
{
	if (!r || !cb)
		return -EINVAL;
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(r->db,
	                            "SELECT s.device, s.metric, s.labels, count(*) FROM events ev "
	                            "JOIN series s ON s.id = ev.series WHERE ev.kind IN "
	                            "('counter_reset', 'counter_rejected') AND ev.ts >= ?1 "
	                            "GROUP BY ev.series",
	                            -1, &q, NULL);
	if (rc != SQLITE_OK)
		return store_sqlite_errno(rc);
	sqlite3_bind_int64(q, 1, since_ms);
	int n = 0;
	bool stop = false;
	while (!stop && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		n++;
		stop = cb(ctx, (const char *)sqlite3_column_text(q, 0),
		          (const char *)sqlite3_column_text(q, 1),
		          (const char *)sqlite3_column_text(q, 2), sqlite3_column_int(q, 3)) != 0;
	}
	sqlite3_finalize(q);
	return stop || rc == SQLITE_DONE ? n : store_sqlite_errno(rc);
}
