/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the pusher's files share (not an API): the pusher and its per-target state.
 * pusher.c runs the threads and delivers to report endpoints, Alertmanager and chat robots;
 * pusher_data.c delivers remote-write requests and regulator uploads.
 */
#ifndef GREENDC_PUSHER_INTERNAL_H
#define GREENDC_PUSHER_INTERNAL_H

#include "core/log.h"
#include "delivery/outputs.h"
#include "delivery/whsign.h"
#include "store/outbox.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PUSHER_IDLE_MS 500

/* The first 4 KiB of an answer's body (what a log line or an acknowledgement check reads),
 * gathered by pusher_answer_write as libcurl's CURLOPT_WRITEFUNCTION; the rest is dropped. */
struct pusher_answer {
	char buf[4096];
	size_t len;
};
size_t pusher_answer_write(char *ptr, size_t size, size_t n, void *ud);

struct pusher;

struct ptarget {
	struct out_target t; /* strings below are owned copies */
	struct pusher *p;
	pthread_t thread;
	bool started;
	uint64_t rng;
	char redacted[160];
	char site_hdr[160]; /* "greendc-site: <site.id>" when the target asks for it; "" none */
	uint8_t key[WHSIGN_MAX_KEY];
	size_t keylen;
	bool usable;
	struct log_complaint complaint;
	/* chat robots */
	char *chat_url;        /* from url_file; never logged */
	char chat_secret[256]; /* signing secret (DingTalk, Feishu) */
	int64_t sent[256];     /* send times within the rate window, oldest first */
	size_t nsent;
	/* remote_write and regulator */
	char auth[4128];              /* "Authorization: Bearer <token>"; "" none */
	char basic_pw[1024];          /* basic auth password (t.basic_user); "" none */
	char *ack_field, *ack_equals; /* regulator: what acknowledges an upload */
	int64_t drops_logged; /* remote_write: requests dropped at the stream's bound, logged */
	int64_t next_stats_ms;
};

struct pusher {
	char *dbpath;
	struct ptarget tg[OUTPUTS_MAX_TARGETS];
	size_t ntg;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	int64_t stop_ms;              /* monotonic time of the stop request */
	struct ptarget *orphans;      /* the thread that reports streams with no target */
	struct log_complaint unknown; /* items for targets no longer configured */
};

/* A uniform draw in [0, 1) for backoff jitter (xorshift64*: not security); per target, as
 * each has its own thread. */
double pusher_rnd(struct ptarget *pt);

/* Whether the pusher is stopping (requests in flight are then abandoned). */
bool pusher_stopping(struct pusher *p);

/* The server's Retry-After after a request on c, capped at the target's retry_after_max. */
void pusher_retry_after_read(const struct ptarget *pt, CURL *c, int64_t *retry_after_ms);

/* The TLS settings every request of pt uses: verification always on, a private CA, a client
 * certificate; protocols http and https only; no redirects; its timeouts. */
void pusher_curl_tls(const struct ptarget *pt, CURL *c);

/* remote_write and regulator (pusher_data.c): read pt's bearer token or basic-auth password
 * and, for a regulator, copy its acknowledgement rule. 0, or -errno with why. */
int pusher_data_setup(struct ptarget *pt, char *why, size_t whylen);
/* Deliver the head row of one of pt's streams; the ms until it is next due (0: now). */
int64_t pusher_serve_rw(struct ptarget *pt, struct outbox *ob, const struct outbox_row *row);
int64_t pusher_serve_regulator(struct ptarget *pt, struct outbox *ob, const struct outbox_row *row);
/* remote_write: log when its stream has dropped requests at its outbox bound. */
void pusher_rw_drops(struct ptarget *pt, struct outbox *ob, const char *stream);
/* Forget pt's secrets (at stop). */
void pusher_data_clear(struct ptarget *pt);

#endif
