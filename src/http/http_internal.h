/*
 * Shared between the HTTP server's files (http.c, http_snap.c, http_api.c); not an API.
 */
#ifndef GREENDC_HTTP_INTERNAL_H
#define GREENDC_HTTP_INTERNAL_H

#include "core/sha256.h"
#include "http/http.h"
#include "http/http_util.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct store_reader;

/* The latest value of each series and the devices' state, refreshed from the store by one
 * thread; /metrics is rendered from it once per refresh. */
struct snap;
struct snap *http_snap_start(struct http_server *h, char *err, size_t errlen);
void http_snap_stop(struct snap *s);
/* A copy of the rendered /metrics text (malloc'ed, *len set); NULL when none yet or OOM. */
char *http_snap_metrics(struct snap *s, size_t *len);
/* The latest interim PUE (power ratio over 15 min): false when there is none. */
bool http_snap_interim_pue(struct snap *s, double *pue, int *category, int64_t *at_ms);

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
	} seen[32]; /* clients whose token success was audited recently */
	/* Rejected tokens are audited at most 30 times per minute. */
	int64_t reject_window_ms;
	int reject_count;
	struct snap *snap;
	void *mhd;
	char *tls_cert_pem, *tls_key_pem;
};

struct store_reader *http_reader_get(struct http_server *h, char *err, size_t errlen);
void http_reader_put(struct http_server *h, struct store_reader *r);

/* An API answer: status and JSON (or text) body, malloc'ed. */
struct http_reply {
	unsigned status;
	char *body;
	size_t len;
	const char *content_type;
};

/* Route /api/v1/... path with the query arguments got through arg(); names lists every
 * argument name given, each followed by '\n' (unknown ones are a 400). */
void http_api(struct http_server *h, const char *path, const char *(*arg)(void *c, const char *k),
              void *actx, const char *names, struct http_reply *out);

#endif
