/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared between the HTTP server's files (http.c, http_auth.c, http_guard.c, http_work.c,
 * http_snap.c, http_api.c); not an API.
 */
#ifndef GREENDC_HTTP_INTERNAL_H
#define GREENDC_HTTP_INTERNAL_H

#include "core/sbuf.h"
#include "core/sha256.h"
#include "http/http.h"
#include "http/http_util.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct store_reader;

/* The latest value of each series and the devices' state, refreshed from the store by one
 * thread; /metrics is rendered from it once per refresh. */
struct snap;
struct snap *http_snap_start(struct http_server *h, char *err, size_t errlen);
/* Ask the thread to stop (it gives up a lookup under way), without waiting: http_stop asks
 * every thread first, then waits for each. NULL ok. */
void http_snap_halt(struct snap *s);
void http_snap_stop(struct snap *s);
/* A copy of the rendered /metrics text (malloc'ed, *len set); NULL when none yet or OOM. */
char *http_snap_metrics(struct snap *s, size_t *len);
/* The latest interim PUE (power ratio over 15 min): false when there is none. */
bool http_snap_interim_pue(struct snap *s, double *pue, int *category, int64_t *at_ms);
/* The latest value (W) and its time of each power_w series in ids (0 or an unknown id: NAN
 * and 0), as of the last round; returns how many were found. */
size_t http_snap_latest(struct snap *s, const int64_t *ids, size_t n, double *value,
                        int64_t *ts_ms);
/* Changes whenever http_snap_latest's values may have (once a round, about a second): an
 * answer made of them may be reused while it stays the same. */
uint64_t http_snap_generation(struct snap *s);

/* The floor view's figures (http_floor.c): racks, capacity over capacity.window and the
 * tenants' month to date, computed by a thread of their own every capacity.refresh (and
 * soon after a reload), served with the snapshot's latest power. */
struct floorview;
struct floorview *http_floor_start(struct http_server *h, char *err, size_t errlen);
void http_floor_halt(struct floorview *f); /* ask it to stop, not waiting; NULL ok */
void http_floor_stop(struct floorview *f); /* NULL ok */
void http_floor_kick(struct floorview *f); /* compute again now (a new config) */
struct http_req;
void http_api_floor(struct http_req *q, struct store_reader *r);
void http_api_rack(struct http_req *q, struct store_reader *r);
void http_api_tenants(struct http_req *q, struct store_reader *r);
void http_api_groups(struct http_req *q, struct store_reader *r);

/* libmicrohttpd's result type changed from int to an enum in 0.9.71. */
#if MHD_VERSION < 0x00097002
typedef int MHD_RESULT;
#else
typedef enum MHD_Result MHD_RESULT;
#endif

/* At most this many query parameters (the API takes up to 7); more is a 400 at once. */
#define HTTP_MAX_ARGS 32
/* The longest request target answered (longer is a 414 at once). */
#define HTTP_MAX_URI 4096

/* Connection bookkeeping against slow and greedy clients (http_guard.c): a deadline for each
 * whole request, and room kept for new clients. */
struct http_guard;
struct http_guard_stats {
	uint64_t accepted;  /* connections seen */
	uint64_t timed_out; /* cut: request not complete within request_timeout */
	uint64_t evicted;   /* cut: waiting the longest when a newcomer needed the slot */
	uint64_t refused;   /* cut at once: its address was at per_ip_connections, all busy */
	unsigned open, waiting;
};
struct http_guard *http_guard_new(unsigned max_conns, unsigned per_ip, int64_t timeout_ms);
void http_guard_free(struct http_guard *g); /* after MHD_stop_daemon; NULL ok */
/* MHD_OPTION_NOTIFY_CONNECTION callback (cls = the guard). */
void http_guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                       enum MHD_ConnectionNotificationCode code);
/* A request's headers are complete (no deadline while it is answered) / its response is
 * done (the connection waits for the next request, with a deadline again). */
void http_guard_busy(struct http_guard *g, struct MHD_Connection *c);
void http_guard_idle(struct http_guard *g, struct MHD_Connection *c);
void http_guard_stats(struct http_guard *g, struct http_guard_stats *out);

/* An API request handed to the workers (http_work.c). Argument keys and values point into
 * libmicrohttpd's memory for the connection, which stays put while it is suspended. */
struct http_reply {
	unsigned status;
	char *body; /* malloc'ed */
	size_t len;
	const char *content_type;
	char etag[40]; /* a 200's ETag when the handler knows it (a cached answer); else the
	                * worker hashes the body */
};
struct http_job {
	struct MHD_Connection *conn;
	const char *url;
	struct {
		const char *k, *v;
	} args[HTTP_MAX_ARGS];
	size_t nargs;
	struct sbuf names; /* every argument name, each followed by '\n' */
	struct http_reply rep;
	char etag[40]; /* set for a 200 */
	bool done;     /* set by the worker before it resumes the connection */
	struct http_job *next;
};
struct http_work;
struct http_work *http_work_start(struct http_server *h, unsigned nthreads, unsigned max_jobs,
                                  char *err, size_t errlen);
/* Queue j and suspend its connection (call from the access handler). 0, -EBUSY when the
 * queue is full, -ESHUTDOWN when stopping (the connection is then not suspended). */
int http_work_submit(struct http_work *w, struct http_job *j);
uint64_t http_work_rejected(struct http_work *w);
/* Answer what is queued with 503, resume those connections, join the workers. NULL ok. */
void http_work_stop(struct http_work *w);

/* The bearer token check, with its audit records (http_auth.c). */
bool http_authorized(struct http_server *h, struct MHD_Connection *c, const char *url);

struct http_server {
	pthread_rwlock_t cfg_lock; /* readers: requests and the snapshot; writer: reload */
	const struct config *cfg;
	const char *db_path; /* copied: storage.path cannot change on reload */
	char web_dir[4096];
	struct audit *audit;
	bool need_token;
	uint8_t token_hash[SHA256_LEN];
	pthread_mutex_t pool_lock;
	struct store_reader *pool[16];
	unsigned npool;
	pthread_mutex_t audit_lock;
	struct {
		char ip[64];
		int64_t at_ms;
	} seen[32];                      /* clients whose token success was audited recently */
	struct http_audit_limit rejects; /* rejected tokens: per address, a minute */
	struct snap *snap;
	struct floorview *floor;
	struct http_guard *guard;
	struct http_work *work;
	struct MHD_Daemon *mhd;
	char *tls_cert_pem, *tls_key_pem;
};

struct store_reader *http_reader_get(struct http_server *h, char *err, size_t errlen);
void http_reader_put(struct http_server *h, struct store_reader *r);

/* Route /api/v1/... path with the query arguments got through arg(); names lists every
 * argument name given, each followed by '\n' (unknown ones are a 400). */
void http_api(struct http_server *h, const char *path, const char *(*arg)(void *c, const char *k),
              void *actx, const char *names, struct http_reply *out);

#endif
