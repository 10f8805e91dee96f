/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The poll scheduler: a pool of worker threads sharing one queue of devices ordered by due
 * time. Each poll runs against a deadline; a failing device is marked down and its interval
 * doubles up to daemon.max_backoff, and it recovers on the next good poll. Because workers
 * take whatever device is due next, a dead or slow device costs at most one worker for its
 * own deadline and never holds up the others. Devices on the same serial line ("rtu:" with
 * the same port) are never polled at the same time.
 */
#ifndef GREENDC_POLLER_H
#define GREENDC_POLLER_H

#include "config/config.h"
#include "ingest/driver_load.h"
#include "store/store.h"

#include <stdint.h>

struct poller;

/* Opens every enabled device with its driver (no I/O yet). The poller borrows cfg, ds and st:
 * they must outlive it. NULL with a message on error. */
struct poller *poller_new(const struct config *cfg, struct driver_set *ds, struct store *st,
                          char *err, size_t errlen);
int poller_start(struct poller *p);
/* Stops the workers (each finishes its current poll, bounded by that poll's deadline). */
void poller_stop(struct poller *p);
void poller_free(struct poller *p);

/* How late polls start after their due time, counted in buckets of at most 1, 5, 10, 25, 50,
 * 100, 250, 1000 ms and more. */
#define POLL_DELAY_BUCKETS 8
struct poller_stats {
	unsigned devices;
	unsigned up;
	unsigned down;
	uint64_t polls;
	uint64_t failed_polls;
	uint64_t samples;
	uint64_t late_polls; /* polls started more than one interval after they were due */
	uint64_t start_delay[POLL_DELAY_BUCKETS + 1];
	uint64_t start_delay_max_ms;
};
/* The delay in ms below which a share q (0..1) of the counted polls started: the bucket
 * bound (the largest bound when q falls past it, -1 when nothing was counted). a may be
 * NULL (from zero); the difference b - a is used. */
int64_t poller_delay_quantile(const struct poller_stats *a, const struct poller_stats *b, double q);
void poller_stats(struct poller *p, struct poller_stats *out);

#endif
