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
#include "store/store_codec.h"

#include <sqlite3.h>
#include <stdbool.h>
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

/* The rollup levels, coarsest last; table names are compile-time constants. Level 0 (one
 * minute) has no rows of its own while raw blocks exist: its buckets are folded from the
 * blocks; `rollup_1m` holds them packed per hour once raw retention removed the blocks
 * (store_minutes.c). Levels 1 and 2 are plain rows. */
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
/* The same up to version target only (tests build databases of earlier versions with it). */
int store_schema_migrate_to(sqlite3 *db, int target, char *err, size_t errlen);

/* Schema 3 -> 4's data step (store_migrate.c): staging rows of open hours become staging
 * blobs, minute rows of hours without raw blocks become packs. Runs in the migration's
 * transaction. SQLite result code. */
int store_migrate_v6(sqlite3 *db);

/* Map an SQLite result code to a negative errno. */
int store_sqlite_errno(int rc);

/* Aggregates of a run of samples: what a rollup row holds (store_rollup.c). */
struct agg {
	int64_t count; /* finite samples */
	double min, max, sum, last, delta;
	int64_t last_ts;
	bool any; /* any sample (even non-finite) */
};

/* ---- minute aggregates packed per hour (store_minutes.c) ---- */

/* Pack the minute aggregates a[60] of the hour h into out (replaced). 0 or -ENOMEM. */
int minutes_pack(struct codec *c, struct codec_buf *out, int64_t h, const struct agg *a);
/* Decode a rollup_1m blob of the hour h into a[60] (minutes without data: any false).
 * 0 or -errno. */
int minutes_decode(struct codec *c, const uint8_t *blob, size_t len, int64_t h, struct agg *a);

/* ---- staging blobs (store_staging.c) ---- */

/* Series are spread over this many shards of staging blobs (a power of two). */
#define STAGING_SHARDS 256
/* The shard of a series: 16 consecutive ids share one, so a device's series do. */
int staging_shard(int64_t series);

/* A stored sample on its way into a staging blob. */
struct stage_item {
	int64_t series, ts;
	double value, inc;
};
/* Encoder scratch (codec set by the owner; stage_enc_free frees the rest). */
struct stage_enc {
	struct codec *codec;
	struct codec_buf body, blob, run;
	int64_t *ts;
	double *v, *inc;
	size_t cap;
};
void stage_enc_free(struct stage_enc *e);
/* Write n items (arrival order; ids at most max_id) as blobs, one per shard (split past a
 * size), through ins = "INSERT INTO staging(seq, shard, n, data) VALUES (?, ?, ?, ?)", with
 * seqs from *seq + 1 on (*seq ends at the last one). SQLite result code. */
int staging_write(struct stage_enc *e, sqlite3_stmt *ins, const struct stage_item *items, size_t n,
                  int64_t max_id, int64_t *seq);

/* One series' samples in a staging blob, in arrival order (inc: counter increases, else 0). */
struct stage_run {
	int64_t series;
	size_t n;
	const int64_t *ts;
	const double *v, *inc;
};
/* Decode buffers for staging_decode, owned by the caller (stage_dec_free). */
struct stage_dec {
	int64_t *ts;
	double *v, *inc;
	size_t cap;
};
/* Decode a staging blob: cb for each run (ascending series), or only for series `only` (when
 * > 0). cb returns non-zero to stop, which is returned. 0, cb's value, or -errno. */
int staging_decode(struct codec *c, struct stage_dec *d, const uint8_t *blob, size_t len,
                   int64_t only, int (*cb)(void *ctx, const struct stage_run *run), void *ctx);
void stage_dec_free(struct stage_dec *d);

/* One read-only connection (store.h) with its persistent statements; store_read.c opens it,
 * the files that read one table each (store_alerts.c, store_device.c, store_reports.c,
 * store_staging.c, store_minutes.c) borrow it. */
struct store_reader {
	sqlite3 *db;
	sqlite3_stmt *q_series, *q_kind, *q_state, *q_blocks, *q_staging, *q_roll[ROLLUP_LEVELS],
	        *q_prev_roll, *q_begin, *q_end, *q_tail, *q_tail_max, *q_last_roll;
	struct codec *codec;
	struct stage_dec dec;
	int64_t *ts; /* decode buffers */
	double *v;
	size_t cap;
};

/* The longest span a block covers (store_blocks.c): readers look this far back for blocks
 * that reach into a range. */
#define STORE_MAX_SPAN_MS (24 * HOUR_MS)

typedef int (*raw_cb)(void *ctx, int64_t ts_ms, double value);
/* store_read_raw inside a read transaction: samples in [from, to) in time order. Returns the
 * samples given to cb or -errno; *stopped when cb asked to stop. */
int reader_raw_locked(struct store_reader *r, int64_t series, int64_t from, int64_t to, raw_cb cb,
                      void *ctx, bool *stopped);
/* Where a series' open hour is: *open_t0 = INT64_MIN when it has none, else its first staging
 * seq in *seq. SQLite result code. */
int reader_open_state(struct store_reader *r, int64_t series, int64_t *open_t0, int64_t *seq);

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
