/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store writer's internals, shared by the files that make it up (not a public header):
 *   store.c          open / close: the connection, its pragmas, the thread's start and stop
 *   store_queue.c    the bounded producer queue, store_append / store_flush / stats
 *   store_writer.c   the writer thread: batch transactions, retries, prepared statements
 *   store_registry.c the series registry (store_series)
 *   store_state.c    per-series writer state in RAM, series_state rows, crash recovery
 *   store_sample.c   one sample through the writer: counter unwrapping, staging, open hour
 *   store_staging.c  the batch's samples as one compressed blob per shard (the
 *                    acknowledgement), and the readers' side of those blobs
 *   store_blocks.c   packing hours into blocks, spans, late merges, staging trim
 *   store_minutes.c  raw retention: expired blocks become packed 1-minute aggregates
 *   store_rollup.c   rollup rows (1 h, 1 d)
 *   store_events.c, store_device.c, store_outbox.c   the other queued writes
 *   store_tap.c      the commit tap: an output's view of each batch's samples (store.h)
 * Everything here runs on the writer thread unless it says otherwise. Functions that run
 * inside the batch transaction return an SQLite result code, so that the first failing
 * statement's code reaches the retry logic; the others return 0 or -errno.
 * docs/internals/store.md has the design.
 */
#ifndef GREENDC_STORE_WRITER_H
#define GREENDC_STORE_WRITER_H

#include "store/counter.h"
#include "store/outbox.h"
#include "store/store.h"
#include "store/store_codec.h"
#include "store/store_internal.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define NO_HOUR INT64_MIN /* wseries: no open / packed hour */

enum qtype { Q_SAMPLE, Q_SERIES, Q_EVENT, Q_DEVICE, Q_OUTBOX };

struct qitem {
	int type;
	int64_t series;
	int64_t ts;
	double value;
	void *ptr; /* Q_SERIES: struct series_msg; Q_EVENT: struct event_msg; Q_DEVICE: dev_msg;
	            * Q_OUTBOX: struct outbox_msg */
};

struct qbuf {
	struct qitem *items;
	size_t n, cap;
};

struct series_msg {
	int64_t id;
	int kind;
	unsigned bits;
	double max_rate;
	double scale;
	char *device, *metric, *labels; /* point into the same allocation */
};

struct event_msg {
	char *kind, *detail;
};

struct dev_msg {
	struct store_device_state ds; /* strings owned */
};

/* An outbox item for one or more streams, with an optional event recorded in the same
 * transaction; every string points into the same allocation (outbox.h). */
struct outbox_msg {
	struct outbox_item it; /* it.stream unused: streams[] */
	size_t nstreams;
	char **streams;
	char *ev_kind, *ev_detail; /* ev_kind NULL: no event */
	int64_t ev_series, ev_ts;
};

/* The registry: key "device\x1fmetric\x1flabels" -> id, open addressing. */
struct reg_entry {
	char *key;
	int64_t id;
	int kind;
	unsigned bits;
	double max_rate;
	double scale;
};

/* Writer-side state of one series (writer thread only). */
struct wseries {
	bool known;
	int kind;
	unsigned bits;
	double max_rate;
	double scale;
	/* counter state (counter_feed), persisted in series_state at every commit that
	 * changes it */
	struct counter_state cs;
	/* the open hour: samples only in staging (and here) */
	int64_t open_t0;  /* NO_HOUR: none */
	int64_t open_seq; /* staging blobs from this seq on may hold the open hour's samples */
	uint32_t *off;    /* ts - open_t0 */
	double *val;
	double *inc; /* counters only */
	size_t n, cap;
	bool unsorted;
	int64_t packed_t0; /* latest packed hour, NO_HOUR: none */
	bool dirty;        /* series_state needs writing */
};

/* A sample for an hour that is not open: merged into its block at the end of the batch. */
struct late {
	int64_t series, ts;
	double value, inc;
};

struct store {
	struct store_opts opts;
	char *path;
	sqlite3 *db; /* writer thread only, after open */
	pthread_t thread;

	/* queue */
	pthread_mutex_t qlock;
	pthread_cond_t qwake;  /* writer: work or stop */
	pthread_cond_t qspace; /* producers: room in the queue */
	pthread_cond_t qdone;  /* flushers: a commit or a failure happened */
	struct qbuf in;
	struct qbuf spare;        /* the writer's half of the double buffer */
	struct timespec in_first; /* when in went from empty to non-empty */
	uint64_t enq_total, committed_total, fail_count;
	unsigned flush_waiters;
	bool stop;
	char last_error[256];
	struct store_stats stats;

	/* registry */
	pthread_mutex_t rlock;
	struct reg_entry *reg;
	size_t reg_cap, reg_n;
	int64_t next_id;
	/* by id: the entry's key (owned by reg) and kind, for store_tap_series */
	char **byid_key;
	int *byid_kind;
	size_t byid_cap;

	/* the commit tap (store_tap.c); tap_lock is held by the writer for a whole batch */
	pthread_mutex_t tap_lock;
	struct store_tap tap; /* tap.batch NULL: none */
	struct store_tap_sample *tap_buf;
	size_t tap_cap;

	/* writer thread state */
	struct wseries *ws;
	size_t ws_cap;
	int64_t *dirty;
	size_t ndirty, dirty_cap;
	struct late *late;
	size_t nlate, late_cap;
	int64_t clock_ms; /* data time: the latest sample timestamp seen (bounded by wall time) */
	int64_t retention_hour;   /* last data hour a retention pass started for */
	int64_t retention_cursor; /* next series id of the pass under way; 0: none */
	bool packed_any;          /* staging may be trimmed at this commit */
	bool auto_vacuum;         /* auto_vacuum = INCREMENTAL (files made at schema 6 on) */
	bool vacuum_due;          /* pages may have been freed since the last vacuum step */
	int64_t last_seq;         /* the newest staging blob's seq */
	int64_t batch_seq;        /* the first seq this batch's blobs get */
	/* this batch's stored samples (staging.c) */
	struct stage_item *stage;
	size_t nstage, stage_cap;
	size_t stage_flushed; /* stage[0, stage_flushed) are in blobs already */
	int64_t stage_max_id;
	int64_t stage_hour; /* the latest hour a series opened in (see sample_write) */
	struct stage_enc stage_enc;
	/* scratch for encode/merge */
	struct codec *codec;
	int64_t *sts;
	double *sv, *sinc;
	size_t scap;
	uint8_t *blob;
	size_t blob_cap;
	int64_t *ids; /* block ids of a span being compacted */
	size_t ids_cap;

	sqlite3_stmt *q_stage, *q_cover_block, *q_span_blocks, *q_del_block, *q_ins_block,
	        *q_roll[ROLLUP_LEVELS], *q_state, *q_trim, *q_event, *q_device, *q_series,
	        *q_expired, *q_block_by_id, *q_prev_last, *q_min_sel, *q_min_put, *q_vacuum,
	        *q_begin, *q_commit;
};

/* ---- store_writer.c: the thread, statements, small helpers ---- */

/* Start of the writer thread (pthread_create in store_open). */
void *writer_main(void *arg);
/* Prepare / finalize the writer's persistent statements. SQLite result code. */
int writer_prepare(struct store *st);
void writer_finalize(struct store *st);
/* Step a statement that returns no rows, then reset it. SQLite result code. */
int writer_run(sqlite3_stmt *q);
/* Bind v, or NULL when !have or v is not finite. */
void writer_bind_real(sqlite3_stmt *q, int i, double v, bool have);
/* Grow *p (elements of elem bytes) to hold at least need; doubling. 0 or -ENOMEM. */
int writer_grow(void **p, size_t *cap, size_t need, size_t elem);
/* Room for n samples in the scratch arrays sts / sv / sinc. 0 or -ENOMEM. */
int writer_scratch(struct store *st, size_t n);

/* ---- store_queue.c ---- */

/* Queue one item (blocks while the queue is full). 0 or -ESHUTDOWN. Any thread. */
int queue_push(struct store *st, const struct qitem *it);
/* Free the messages of n items (ptr). */
void queue_free_items(struct qitem *it, size_t n);

/* ---- store_registry.c ---- */

/* Load every series row into the registry (at open). SQLite result code. */
int registry_load(struct store *st);
void registry_free(struct store *st);

/* ---- store_state.c ---- */

/* The writer state of series id, grown on demand; NULL for id <= 0 or out of memory. */
struct wseries *state_get(struct store *st, int64_t id);
/* Mark a series' series_state row for writing at this commit. */
void state_mark_dirty(struct store *st, int64_t id, struct wseries *w);
/* Append one sample to a series' open hour in RAM. 0 or -ENOMEM. */
int state_open_append(struct wseries *w, int64_t ts, double v, double inc);
/* Forget all writer state (before recovery, at close). */
void state_reset_all(struct store *st);
/* Write the dirty series_state rows. SQLite result code. */
int state_persist(struct store *st);
/* Rebuild all writer state from the database (at open and after a failed batch). SQLite
 * result code. */
int state_recover(struct store *st);

/* ---- store_staging.c ---- */

/* Add a stored sample to this batch's staging blobs. SQLite result code. */
int staging_add(struct store *st, int64_t id, int64_t ts, double v, double inc);
/* Write this batch's samples not written yet as staging blobs (seqs from last_seq + 1 on).
 * SQLite result code. */
int staging_flush(struct store *st);
/* Forget this batch's samples: after its commit (every sample committed in the batch is in
 * st->stage[0, nstage) until then: the one place to hand them on), or after a failure. */
void staging_clear(struct store *st);

/* ---- store_sample.c ---- */

int sample_write(struct store *st, int64_t id, int64_t ts, double value);
int series_write(struct store *st, const struct series_msg *m);

/* ---- store_blocks.c ---- */

/* Pack a series' open hour into its block and rollups (compacting the span the hour ends, if
 * any). SQLite result code. */
int blocks_pack_open(struct store *st, int64_t id, struct wseries *w);
/* Merge the batch's late samples into their hours' blocks. SQLite result code. */
int blocks_merge_late(struct store *st);
/* Pack open hours that ended more than grace ago in data time. SQLite result code. */
int blocks_sweep(struct store *st, int64_t grace);
/* Range-delete staging blobs no open hour needs any more. SQLite result code. */
int blocks_trim_staging(struct store *st);
/* Give free pages back to the file system, a bounded number per commit (all when closing).
 * SQLite result code. */
int blocks_vacuum(struct store *st, bool closing);
/* Decode the block row q's columns (col: id, t0, t1, data) into the scratch arrays at `at`.
 * Returns samples decoded or -errno. */
long blocks_decode_row(struct store *st, sqlite3_stmt *q, int col, size_t at);

/* ---- store_minutes.c ---- */

/* Raw retention: blocks whose span ended more than raw_retention_ms before data time become
 * packed 1-minute aggregates (rollup_1m), a bounded number of series per commit, one pass
 * per data hour. SQLite result code. */
int minutes_retention(struct store *st);
/* The hour h of a series has expired (raw retention): add n samples (sorted, inside h) to its
 * minute aggregates. SQLite result code. */
int minutes_merge(struct store *st, int64_t series, int64_t h, const int64_t *ts, const double *v,
                  const double *inc, size_t n);
/* Is the hour starting at h past raw retention (in data time)? */
bool minutes_expired(const struct store *st, int64_t h);

/* ---- store_rollup.c ---- */

void rollup_agg_add(struct agg *a, int64_t ts, double v, double inc);
/* Merge aggregate b into a (both of the same bucket). */
void rollup_agg_merge(struct agg *a, const struct agg *b);
/* Add samples (sorted by ts) to the hour and day rollups, as increments (minutes are served
 * from the blocks). SQLite result code. */
int rollup_add(struct store *st, int64_t series, const int64_t *ts, const double *v,
               const double *inc, size_t n);

/* ---- store_tap.c ---- */

/* At the start of a batch's transaction: take the tap lock (held until tap_end); *mark is
 * -1 when there is no tap. SQLite result code. */
int tap_begin(struct store *st, int64_t *mark);
/* Inside the transaction, before staging_clear: hand the batch's samples (st->stage, in
 * arrival order) to the tap. SQLite result code. */
int tap_run(struct store *st, int64_t mark);
/* After commit or rollback: tell the tap, release the lock. */
void tap_end(struct store *st, bool committed);
/* At close, after the last batch: free the tap. */
void tap_free(struct store *st);

/* ---- store_events.c, store_device.c, store_outbox.c ---- */

int event_write(struct store *st, int64_t ts, int64_t series, const char *kind, const char *detail);
int device_write(struct store *st, const struct store_device_state *d);
int outbox_msg_write(struct store *st, const struct outbox_msg *m);

#endif
