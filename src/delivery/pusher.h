/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pusher: one daemon thread that delivers the outbox (outbox.h) over libcurl to the
 * `outputs:` report targets (outputs.h). Per stream it only ever tries the head item, so order
 * is kept; it deletes an item only after a 2xx. Failures back off exponentially with jitter
 * up to the target's cap; a 429/503 with Retry-After waits at least that long. TLS
 * verification is always on; a private CA and a client certificate are configurable. Each
 * report item is signed per Standard Webhooks with webhook-id = its idempotency key.
 * URLs are logged redacted to scheme://host:port. See docs/alerts.md ("Delivery").
 */
#ifndef GREENDC_PUSHER_H
#define GREENDC_PUSHER_H

#include <stddef.h>
#include <stdint.h>

struct pusher;
struct outputs;

/* Copy what it needs from o (the caller may free its config), read the secrets, and start
 * the thread on its own connection to the database at dbpath. Targets whose secret cannot be
 * read are logged and skipped (their items wait). NULL with a message on a fatal error. */
struct pusher *pusher_start(const struct outputs *o, const char *site_id, const char *dbpath,
                            char *err, size_t errlen);

/* Stop the thread (an in-flight request finishes or times out) and free. NULL ok. */
void pusher_stop(struct pusher *p);

/* Write "scheme://host[:port]/…" of url into buf: never the path, query or userinfo, where
 * webhook tokens live. */
void pusher_redact_url(const char *url, char *buf, size_t len);

/* The delay before attempt number `attempts` (1 = after the first failure): min * 2^(n-1)
 * capped at max, then "equal jitter" (a uniform draw in [d/2, d]) from r in [0, 1). */
int64_t pusher_backoff_ms(int attempts, int64_t min_ms, int64_t max_ms, double r);

/* The wait a server's Retry-After asks for, ra_s seconds as libcurl parses it (from seconds or
 * an HTTP-date; <= 0 = none), in ms and never more than cap_ms: a "Retry-After: 3153600000"
 * (a century) must not stall a stream, nor overflow. 0 when there is none. */
int64_t pusher_retry_after_ms(long long ra_s, int64_t cap_ms);

#endif
