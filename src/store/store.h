/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The time-series store: SQLite in WAL mode, one writer thread, readers on their own
 * connections. Raw samples are packed per series per hour into compressed blocks; every
 * acknowledged sample is first appended to a staging table in the same transaction, so a
 * crash never loses one. Rollups (1 min, 1 h, 1 day) are plain rows any SQLite client reads.
 * Counters are unwrapped and reset-corrected here, before anything is stored, and every
 * discontinuity becomes an event. See docs/internals/store.md.
 *
 * Timestamps are int64 milliseconds since the Unix epoch (UTC) throughout.
 */
#ifndef GREENDC_STORE_H
#define GREENDC_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;        /* the writer side: owns the writer thread; opaque */
struct store_reader; /* one read-only connection; use from one thread at a time; opaque */

struct store_opts {
	const char *path;         /* database file; created and migrated if needed */
	int64_t raw_retention_ms; /* raw blocks older than this are deleted; 0 = keep forever */
	unsigned commit_ms;       /* longest time a sample waits before its transaction commits */
	size_t queue_cap;         /* samples the writer queue holds before store_append blocks */
	int64_t outbox_max_items; /* outbox bounds (outbox.h); 0 = the defaults */
	int64_t outbox_max_bytes;
};

enum store_kind { STORE_GAUGE = 0, STORE_COUNTER = 1 };

/* Identity of a series: device + metric + labels. labels is canonical "k=v,k=v" with keys
 * sorted (core/labels.h), "" for none. */
struct store_series_desc {
	const char *device;
	const char *metric;
	const char *labels;
	enum store_kind kind;
	unsigned counter_bits; /* 16/32/64 for counters, else 0 */
	double max_rate;       /* counters: largest plausible increase per second; 0 = no limit */
	double counter_scale;  /* counters: value units per raw count (the profile's scale), so a
	                        * 16/32-bit counter wraps at 2^bits x this; 0 means 1 */
};

struct store_sample {
	int64_t series;
	int64_t ts_ms;
	double value; /* counters: the raw reading; the store unwraps it */
};

/* Open (creating or migrating) the database and start the writer thread. NULL on error with
 * a message in err. */
struct store *store_open(const struct store_opts *opts, char *err, size_t errlen);

/* Flush everything queued, pack open blocks that are complete, stop the writer, close. NULL ok. */
void store_close(struct store *st);

/* Get or create the id of a series. Thread-safe; cheap after the first call for a key. */
int64_t store_series(struct store *st, const struct store_series_desc *desc);

/* Queue samples for the writer. Blocks while the queue is full. Thread-safe. 0 or -errno. */
int store_append(struct store *st, const struct store_sample *s, size_t n);

/* Wait until everything queued before this call is committed (durable). 0 or -errno. */
int store_flush(struct store *st);

/* Record an event (e.g. "counter_reset", "device_down"). series may be 0. Queued like samples. */
int store_event(struct store *st, int64_t ts_ms, int64_t series, const char *kind,
                const char *detail);

/* Queue an outbox item (outbox.h) for one or more streams (one row each, same key), with an
 * optional event (e.g. "alert_firing") recorded next to it. The writer inserts all of it in
 * the batch transaction that also commits everything queued before it, so "the alert event
 * and its outbox items" or "the samples a summary covers and the summary" are durable
 * together or not at all. A key already in a stream is a no-op there. store_flush() makes it
 * durable. 0 or -errno (-EMSGSIZE: payload too large). */
struct store_outbox_req {
	const char *const *streams; /* "<target>/<kind>" */
	size_t nstreams;            /* may be 0 when only the event is wanted */
	const char *ikey;
	int64_t created_ms;
	const char *payload;
	size_t len;
	const char *event_kind; /* NULL: no event */
	const char *event_detail;
	int64_t event_series, event_ts_ms;
};
int store_outbox(struct store *st, const struct store_outbox_req *req);

/*
 * The commit tap: an output that sees samples as the store commits them (remote-write,
 * src/delivery/remote_write.c) and queues what it makes of them in the outbox in the SAME
 * transaction, so the outbox holds exactly what was committed: a crash keeps both or
 * neither, and nothing is read back from the store later. One tap at a time; the daemon
 * installs it before polling starts, so no commit is missed.
 */
struct store_tap_sample {
	int64_t series;
	int64_t ts_ms;
	double value; /* as stored: counters as their unwrapped cumulative total; NaN */
};
struct store_tap_batch; /* what a tap may do during its call; opaque */
struct outbox_item;
struct outbox_limits;
struct store_series_info;
struct store_tap {
	/* On the writer thread, inside each batch transaction that stored samples: those
	 * samples (n > 0) in the order they were stored. 0, or -errno to fail the batch, which
	 * is then rolled back and retried like one that met an I/O error (-ENOMEM). */
	int (*batch)(void *ctx, struct store_tap_batch *b, const struct store_tap_sample *s,
	             size_t n);
	/* After every batch transaction while installed (also one without samples): committed,
	 * or rolled back (then the same samples come again). May be NULL. */
	void (*done)(void *ctx, bool committed);
	void (*free)(void *ctx); /* may be NULL */
	void *ctx;
};
/* Install a copy of *tap (NULL: none) in place of the current one, from any thread; the next
 * batch uses it. The store owns tap->ctx from then on: it calls tap->free when the tap is
 * replaced (once no batch uses it) or after the last batch at store_close. */
void store_set_tap(struct store *st, const struct store_tap *tap);
/* During a tap's call: the identity of a series (also one created in this batch), its
 * strings copied into buf. 0, -ENOENT, or -ENOSPC when buf is too small. */
int store_tap_series(struct store_tap_batch *b, int64_t id, struct store_series_info *info,
                     char *buf, size_t len);
/* During a tap's call: insert an outbox item in the batch's transaction (outbox_put_db, with
 * the store's outbox bounds and the stream's own in lim: stream_max_items/bytes). 0 or
 * -errno; a failed insert fails the batch. */
int store_tap_outbox(struct store_tap_batch *b, const struct outbox_item *it,
                     const struct outbox_limits *lim);

/* Upsert the live state of a device for `greendc devices`. Queued like samples. */
struct store_device_state {
	const char *name;
	const char *driver;
	const char *address;
	const char *state;    /* "up", "down", "stale", "unknown" */
	int64_t last_poll_ms; /* wall clock of the last poll attempt */
	int64_t last_ok_ms;   /* wall clock of the last successful poll */
	double last_duration_s;
	int64_t errors;         /* failed polls since start */
	unsigned interval_ms;   /* current interval, including backoff */
	const char *last_error; /* "" when none */
};
int store_device_state(struct store *st, const struct store_device_state *ds);

/* Last SQLite/IO error the writer hit (e.g. disk full), "" if none; for the daemon to log. */
void store_last_error(struct store *st, char *buf, size_t len);

/* Writer statistics for the daemon's own health series and for benchmarks. */
struct store_stats {
	uint64_t samples_committed;
	uint64_t commits;
	uint64_t queue_depth;
	uint64_t write_errors;
	uint64_t outbox_dropped; /* outbox items dropped to stay within its bounds */
	uint64_t full_waits;     /* times a producer found the queue full and waited (backlog) */
	uint64_t batch_max;      /* the largest batch the writer took */
};
void store_stats(struct store *st, struct store_stats *out);

/* Take a consistent online copy of the database at src_path into dest_path (which must not
 * exist; created 0600) with SQLite's backup API, then run integrity_check on the copy. Safe
 * while the daemon writes. 0, or -errno with a message (the partial copy is removed). */
int store_backup(const char *src_path, const char *dest_path, char *err, size_t errlen);

/* A regulator report for store_report_enqueue (`greendc report --enqueue`). */
struct store_report {
	const char *kind;   /* "monthly" or "annual" */
	const char *period; /* the period's label, e.g. "2026-10" */
	const char *ikey;   /* idempotency key: one per report content (docs/reports.md) */
	int64_t generated_ms;
	bool complete;
	const char *json;      /* the whole report: the exact bytes that were signed */
	const char *signature; /* its detached signature (base64), or NULL / "" when unsigned */
};
/* Store a report row and one outbox item per stream ("<target>/report") in ONE write
 * transaction on a connection of its own (the CLI runs beside the daemon: whichever takes the
 * write lock first makes the other wait, up to a busy timeout), so the report row and its
 * outbox items are durable together or not at all. A report whose ikey is already stored
 * queues nothing. outbox_max_items / outbox_max_bytes bound the outbox (0: the defaults,
 * outbox.h). Returns 1 stored and queued, 0 already stored, or -errno with a message in err. */
int store_report_enqueue(const char *path, const struct store_report *rep,
                         const char *const *streams, size_t nstreams, int64_t outbox_max_items,
                         int64_t outbox_max_bytes, char *err, size_t errlen);

/* One regulator upload (docs/regulator.md): the local history row and what is queued. */
struct store_regulator_upload {
	const char *target; /* outputs.regulator[].name */
	const char *cycle;  /* "15m", "1d", "1mo" */
	int64_t period_start_ms, period_end_ms;
	const char *ikey;
	int64_t created_ms;
	const char *body;    /* JSON */
	const char *quality; /* JSON */
};
/* Store the history row and queue its outbox item in stream (bounded like the outbox
 * everywhere) in ONE write transaction on a connection of its own; history rows of this
 * target whose period ended before keep_after_ms are deleted in the same transaction. A
 * period already stored for (target, cycle) queues nothing. 1 stored, 0 already there, or
 * -errno with a message in err. */
int store_regulator_enqueue(const char *path, const struct store_regulator_upload *u,
                            const char *stream, int64_t outbox_max_items, int64_t outbox_max_bytes,
                            int64_t keep_after_ms, char *err, size_t errlen);

/* ---- readers ---- */

struct store_reader *store_reader_open(const char *path, char *err, size_t errlen);
void store_reader_close(struct store_reader *r);

struct store_series_info {
	int64_t id;
	const char *device;
	const char *metric;
	const char *labels;
	enum store_kind kind;
	unsigned counter_bits; /* counters: as in store_series_desc */
	double max_rate;
	double counter_scale;
	/* counters: the latest stored reading as it was read (raw) and as it is stored (the
	 * unwrapped total); have_last false when there is none */
	bool have_last;
	double last_raw, last_total;
};
/* Call cb for each series whose "device metric{labels}" matches glob (NULL = all).
 * cb returns non-zero to stop. Returns count or -errno. */
int store_series_find(struct store_reader *r, const char *glob,
                      int (*cb)(void *ctx, const struct store_series_info *info), void *ctx);

/* Raw samples of one series in [from, to): counters come back unwrapped (cumulative). */
int store_read_raw(struct store_reader *r, int64_t series, int64_t from_ms, int64_t to_ms,
                   int (*cb)(void *ctx, int64_t ts_ms, double value), void *ctx);

/* Each device's live state (the `devices` table), ordered by name. Returns count or -errno. */
int store_devices_list(struct store_reader *r,
                       int (*cb)(void *ctx, const struct store_device_state *ds), void *ctx);

/* The active alerts: each alert identity whose newest transition in the events table is an
 * `alert_firing`, oldest first; detail is the alert's JSON. The one definition of "active"
 * that every front end uses: `greendc alerts`, /api/v1/alerts, the summary's count and the
 * alert engine's restore at start. cb may be NULL (count only); it returns non-zero to stop.
 * One statement, so cb may use the reader. Returns the active alerts seen or -errno. */
int store_alerts_active(struct store_reader *r,
                        int (*cb)(void *ctx, int64_t ts_ms, const char *detail), void *ctx);

/* Alerts from the events table, in one read transaction: first the active ones
 * (store_alerts_active) with active = true; then the `recent` newest transitions. cb returns
 * non-zero to stop. Returns rows seen or -errno. */
int store_alerts_list(struct store_reader *r, int recent,
                      int (*cb)(void *ctx, bool active, int64_t ts_ms, const char *detail),
                      void *ctx);

/* Series whose counter had a discontinuity (a `counter_reset` or `counter_rejected` event) at
 * or after since_ms: cb once per series with the number of such events. cb returns non-zero
 * to stop; one statement, so cb may use the reader. Returns series seen or -errno. */
int store_counter_events(struct store_reader *r, int64_t since_ms,
                         int (*cb)(void *ctx, const char *device, const char *metric,
                                   const char *labels, int events),
                         void *ctx);

/* The revision a report of (kind, period) whose content key is ikey has or would have: the
 * position (from 1) of the stored report with that key among those of the same kind and
 * period in the order they were stored, else one more than their count. 0 or -errno. */
int store_report_revision(struct store_reader *r, const char *kind, const char *period,
                          const char *ikey, int *revision);

/* Counter events of series in [from, to), oldest first: meter resets or replacements
 * (`counter_reset`), rejected readings (`counter_rejected`) and register wraps
 * (`register_wrap`, not a discontinuity). cb returns non-zero to stop; one statement, so cb
 * may not use the reader. Returns the events seen or -errno. */
struct store_series_event {
	int64_t ts_ms, series;
	const char *device, *metric, *labels, *kind, *detail;
};
int store_series_events(struct store_reader *r, int64_t from_ms, int64_t to_ms,
                        int (*cb)(void *ctx, const struct store_series_event *ev), void *ctx);

/* Stored regulator reports, newest first, at most limit. json is the whole report. */
int store_reports_list(struct store_reader *r, int limit,
                       int (*cb)(void *ctx, const char *kind, const char *period,
                                 int64_t generated_ms, bool complete, const char *json),
                       void *ctx);

/* The start of the latest period stored for (target, cycle): 0 with *period_start_ms set,
 * -ENOENT when there is none, or -errno. */
int store_regulator_last(struct store_reader *r, const char *target, const char *cycle,
                         int64_t *period_start_ms);

/* The regulator history, newest period first, at most limit rows of target (NULL: all).
 * acked_ms 0: not acknowledged. cb returns non-zero to stop. Returns rows seen or -errno. */
int store_regulator_list(struct store_reader *r, const char *target, int limit,
                         int (*cb)(void *ctx, const char *target, const char *cycle,
                                   int64_t period_start_ms, int64_t acked_ms, const char *body,
                                   const char *quality),
                         void *ctx);

enum store_agg { AGG_AVG, AGG_MIN, AGG_MAX, AGG_SUM, AGG_LAST, AGG_COUNT, AGG_DELTA, AGG_LAST_TS };
/* Aggregate one series into buckets of step_ms starting at from_ms (aligned to from_ms),
 * choosing the coarsest rollup that divides the step (1d, 1h, 1m) else raw. Buckets with no
 * data are not reported (gaps stay gaps). AGG_DELTA is the counter increase in the bucket.
 * AGG_LAST_TS is the time (ms since the epoch, as a double: exact below 2^53) of the bucket's
 * latest finite sample, i.e. up to when a counter's delta metered (the energy engine spreads a
 * delta that spans a gap in the readings from it). */
int store_query(struct store_reader *r, int64_t series, int64_t from_ms, int64_t to_ms,
                int64_t step_ms, enum store_agg agg,
                int (*cb)(void *ctx, int64_t bucket_ms, double value, int64_t count), void *ctx);

/* The latest finite sample in [from_ms, to_ms) of each of n series: what store_query over
 * that one range gives as AGG_LAST and AGG_LAST_TS, for many series in one read transaction.
 * The open hours come from one pass over the staging blobs of each shard that holds one of
 * them, not a scan per series; the packed hours from each series' blocks. value[i] = NAN and
 * ts_ms[i] = INT64_MIN where a series (or id 0) has none. cancel (may be NULL) is asked between
 * staging blobs and between series; when it returns true the call gives up with -ECANCELED (e.g.
 * the daemon is stopping). Returns how many of the n had a sample, or -errno. */
int store_latest(struct store_reader *r, const int64_t *ids, size_t n, int64_t from_ms,
                 int64_t to_ms, double *value, int64_t *ts_ms, bool (*cancel)(void *ctx),
                 void *ctx);

/* The time of a series' latest finite sample before before_ms: 0 with *ts_ms set, -ENOENT
 * when there is none, or -errno. From raw samples in before_ms's hour or the open hour, else
 * from the hourly rollups, which are kept for years: it answers beyond raw retention. The
 * energy engine asks it where a counter's readings resumed after a gap that began before the
 * period it computes. */
int store_last_before(struct store_reader *r, int64_t series, int64_t before_ms, int64_t *ts_ms);

/* Samples in commit order after a cursor, for `greendc tail`: cb gets each (counters as their
 * cumulative value) and *cursor advances past it. A *cursor < 0 starts at the newest commit
 * (nothing is returned the first time). At most max samples per call. Returns the count or
 * -errno. */
int store_tail(struct store_reader *r, int64_t *cursor, size_t max,
               int (*cb)(void *ctx, int64_t series, int64_t ts_ms, double value), void *ctx);

#endif
