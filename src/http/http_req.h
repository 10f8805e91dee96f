/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One API request as the handlers of /api/v1/ see it (http_api.c, http_floor.c): its
 * arguments and the reply it fills, with the helpers every handler answers through.
 * Internal to src/http/.
 */
#ifndef GREENDC_HTTP_REQ_H
#define GREENDC_HTTP_REQ_H

#include <stdbool.h>

struct cJSON;
struct http_server;
struct http_reply;

struct http_req {
	struct http_server *h;
	const char *(*arg)(void *c, const char *k);
	void *actx;
	struct http_reply *out;
	const char *names; /* every argument name given, each followed by '\n' */
	char msg[256];
};

/* Reply with o (taken over; NULL: an empty body) as JSON and a trailing newline. */
void http_reply_json(struct http_req *q, unsigned status, struct cJSON *o);
/* Reply {"error": "...", "status": N}. */
void http_reply_error(struct http_req *q, unsigned status, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* The argument k, or NULL when absent or empty. */
const char *http_req_arg(struct http_req *q, const char *k);
/* Reject any parameter not in known (NULL-terminated), so a typo is a 400, not a silently
 * ignored filter. false when the reply is already an error. */
bool http_req_only(struct http_req *q, const char *const *known);

#endif
