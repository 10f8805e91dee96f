/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by every file of the store, writer and readers: the schema and its migrations,
 * time-bucket helpers, the rollup levels, the read connection, and the outbox insert that
 * runs inside a caller's transaction. Not a public header (the writer's own internals are in
 * store_writer.h).
 */
#ifndef GREENDC_STORE_INTERNAL_H
#define GREENDC_STORE_INTERNAL_H

#include "store/outbox.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define MINUTE_MS INT64_C(60000)
#define HOUR_MS   INT64_C(3600000)
#define DAY_MS    INT64_C(86400000)

/* Bucket start of ts for buckets of size p aligned to origin (floor, also for ts < origin). */
static inline int64_t bucket_floor(int64_t ts, int64_t origin, int64_t p)
{
	int64_t d = ts - origin;
	int64_t q = d / p;
	if (d % p < 0)
		q--;
	return origin + q * p;
}

/* The rollup levels, coarsest last; table names are compile-time constants. */
struct rollup_level {
	const char *table;
	int64_t period_ms;
};
#define ROLLUP_LEVELS 3
extern const struct rollup_level rollup_levels[ROLLUP_LEVELS];

/* Schema version this build writes (PRAGMA user_version after migration). */
int store_schema_version(void);

/* Bring db up to store_schema_version(), one transaction per step. 0 or -errno with a message
 * in err. Refuses a database newer than this build. */
int store_schema_migrate(sqlite3 *db, char *err, size_t errlen);

/* Map an SQLite result code to a negative errno. */
int store_sqlite_errno(int rc);

/* One read-only connection (store.h) with its persistent statements; store_read.c opens it,
 * the files that read one table each (store_alerts.c, store_device.c, store_reports.c)
 * borrow it. */
struct store_reader {
	sqlite3 *db;
	sqlite3_stmt *q_series, *q_kind, *q_state, *q_blocks, *q_staging, *q_roll[ROLLUP_LEVELS],
	        *q_prev_block, *q_begin, *q_end, *q_tail, *q_tail_max, *q_last_roll;
	int64_t *ts; /* decode buffers */
	double *v;
	size_t cap;
};

/* Begin / end the read transaction that makes a call that runs several statements see one
 * committed state. A call made of one statement needs none (it is its own snapshot), which
 * keeps its callbacks free to use the reader. 0 or -errno. */
int reader_begin(struct store_reader *r);
void reader_end(struct store_reader *r);

/* Insert one outbox item inside the caller's open write transaction on db, enforcing limits
 * (outbox.h). An item whose key is already present in its stream is a no-op (producers may
 * retry). Returns an SQLite result code (SQLITE_OK, or the failing step's code) so the writer
 * treats it like its other statements; *dropped (may be NULL) gets how many old items the
 * outbox's own bounds dropped to make room (a stream's own bounds drop and count per stream:
 * outbox_stream_stats). Used by the writer (store_outbox.c) and store_report_enqueue. */
int outbox_put_db(sqlite3 *db, const struct outbox_item *it, const struct outbox_limits *lim,
                  int64_t *dropped);

/* The delivery side's connection (outbox.c), for the store files that finish a delivery in
 * the same transaction as its delete (store_regulator.c). */
sqlite3 *outbox_db(struct outbox *ob);
/* outbox_done's delete and its counter inside an open transaction. SQLite result code. */
int outbox_done_db(struct outbox *ob, int64_t id);

#endif
