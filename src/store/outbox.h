/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The outbox: everything that must leave the site (alerts, summaries, reports) as rows of the
 * `outbox` table, each with a stream name, an idempotency key and a JSON payload. Producers
 * write an item in the same SQLite transaction as whatever produced it; the pusher
 * (pusher.c) reads the head of each stream, delivers it, and deletes it only after a 2xx.
 *
 * Two ways in, one contract ("written in the same transaction"):
 *   - inside the daemon, through the store writer: store_outbox() queues the item and the
 *     writer inserts it in its current batch transaction, together with every sample, event
 *     or alert row queued before it (store.h);
 *   - outside it (the CLI's `greendc report --enqueue`), store_report_enqueue() (store.h)
 *     writes the report row and its outbox items in one transaction on its own connection.
 *
 * The outbox is bounded by item count and payload bytes: when an insert would exceed a bound
 * the OLDEST items are dropped (newest state wins) and counted in outbox_stats (`dropped`,
 * `dropped_bytes`); the daemon logs when that counter moves. Library code: never logs.
 * See docs/alerts.md ("Delivery").
 */
#ifndef GREENDC_OUTBOX_H
#define GREENDC_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OUTBOX_DEFAULT_MAX_ITEMS 100000
#define OUTBOX_DEFAULT_MAX_BYTES (256LL * 1024 * 1024)
#define OUTBOX_MAX_PAYLOAD       (4 * 1024 * 1024) /* one item; larger is refused (-EMSGSIZE) */
#define OUTBOX_STREAM_MAX        64                /* bytes of a stream name, with the NUL */

struct outbox_limits {
	int64_t max_items; /* 0 = OUTBOX_DEFAULT_MAX_ITEMS */
	int64_t max_bytes; /* 0 = OUTBOX_DEFAULT_MAX_BYTES */
	/* > 0: the item's stream alone is kept within these too, by dropping ITS oldest items
	 * first (counted per stream as well: outbox_stream_stats). A high-volume stream
	 * (remote-write) is bounded this way so it cannot push alerts and reports out. */
	int64_t stream_max_items, stream_max_bytes;
};

struct outbox_item {
	const char *stream; /* [a-z0-9_-], e.g. "alert", "summary", "report" */
	const char *ikey;   /* idempotency key, unique forever; becomes webhook-id */
	int64_t created_ms;
	const char *payload; /* JSON text */
	size_t len;
	const char *signature; /* a report's detached signature (base64), sent as a header by
	                        * the pusher; NULL or "" = none */
};

/* A short key that is unique for (site, stream, what): "<site>:<stream>:<what>". Returns the
 * length needed, like snprintf. */
size_t outbox_key(char *buf, size_t len, const char *site, const char *stream, const char *what);

/* ---- the delivery side: its own connection (the pusher thread, tests, the CLI) ---- */

struct outbox; /* opaque */

/* Open the database (must exist with the outbox table). NULL with a message in err. */
struct outbox *outbox_open(const char *path, char *err, size_t errlen);
void outbox_close(struct outbox *ob);

/* The head of one stream (lowest id), due or not. Fields point into an internal buffer valid
 * until the next call on ob. 1 found, 0 empty, -errno. */
struct outbox_row {
	int64_t id;
	const char *stream, *ikey;
	int64_t created_ms;
	const char *payload;
	size_t len;
	int attempts;
	int64_t next_attempt_ms;
	const char *signature; /* "" when the item has none (outbox_head only) */
};
int outbox_head(struct outbox *ob, const char *stream, struct outbox_row *row);

/* The first max items of one stream in order, each passed to cb (row valid during the call);
 * cb returns non-zero to stop. Returns the number passed, or -errno. */
int outbox_peek(struct outbox *ob, const char *stream, int max,
                int (*cb)(void *ctx, const struct outbox_row *row), void *ctx);

/* The distinct streams that have items, written into names[max] (caller-owned),
 * in stream order. Returns the count (<= max) or -errno. */
int outbox_streams(struct outbox *ob, char names[][OUTBOX_STREAM_MAX], int max);

/* Delivered (a 2xx): delete the row. 0 or -errno. */
int outbox_done(struct outbox *ob, int64_t id);

/* Delivered and acknowledged by a regulator's platform: delete the row and record the
 * acknowledgement (its time, the answer cut to 1 KiB) in the regulator history row with
 * the same key, in one transaction. 0 or -errno. */
int outbox_done_ack(struct outbox *ob, int64_t id, const char *ikey, int64_t acked_ms,
                    const char *answer);

/* Refused for good (a 4xx other than 429 from a remote-write receiver: retrying cannot
 * help, and the stream must not block): delete the row and count it as rejected. 0 or
 * -errno. */
int outbox_discard(struct outbox *ob, int64_t id);

/* Not delivered: attempts + 1, next_attempt, last_error. 0 or -errno. */
int outbox_defer(struct outbox *ob, int64_t id, int64_t next_attempt_ms, const char *error);

struct outbox_stats {
	int64_t items, bytes, dropped, dropped_bytes, delivered;
};
int outbox_stats(struct outbox *ob, struct outbox_stats *out);

/* One stream's figures: items and bytes held, items and bytes dropped to keep it within its
 * own bounds, items rejected (outbox_discard), since the database was created. 0 or -errno. */
struct outbox_stream_stats {
	int64_t items, bytes, dropped, dropped_bytes, rejected;
};
int outbox_stream_stats(struct outbox *ob, const char *stream, struct outbox_stream_stats *out);

#endif
