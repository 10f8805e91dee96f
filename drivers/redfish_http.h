/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Redfish over HTTPS: one libcurl easy handle per device, kept between polls so that the
 * TCP connection and the TLS session are reused; session login (X-Auth-Token) with Basic as
 * the fallback; every request bounded by min(device timeout, time left to the deadline);
 * every body capped; every reply parsed as JSON before anyone looks at it. Used by
 * drivers/redfish.c; no logging, no global state besides libcurl's one-time init.
 */
#ifndef GREENDC_REDFISH_HTTP_H
#define GREENDC_REDFISH_HTTP_H

#include "redfish_map.h"

#include "core/sbuf.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)

struct rf_http {
	const struct rf_opts *o; /* owned by the device state */
	unsigned timeout_ms;
	char user[128], pass[256]; /* wiped by rf_http_release() */
	void *curl;                /* CURL *, created lazily */
	void *hdrs;                /* struct curl_slist *: the headers of every request */
	bool basic;                /* no session service: Basic on every request */
	char sessions[RF_URI_MAX]; /* the session collection (ServiceRoot Links.Sessions) */
	char token[512];           /* X-Auth-Token, "" when logged out */
	char session[RF_URI_MAX];  /* Location of our session, for the logout */
	struct sbuf body;          /* the last response body, capped at o->max_body */
	bool too_big;
	long status;
	bool last_ok;      /* the last request got an HTTP reply (the BMC is reachable) */
	unsigned requests; /* sent since the state was made (tests, benchmarks) */
};

/* Load the credentials (through core/secretfile.c) and prepare; no I/O. 0 or -errno. */
int rf_http_init(struct rf_http *h, const struct rf_opts *o, unsigned timeout_ms, char *err,
                 size_t errlen);

/*
 * GET path (an absolute path on the BMC) and parse the JSON body into *doc (the caller
 * frees it with cJSON_Delete). Logs in first when needed; a 401 on a session drops the token
 * and logs in again once. Returns 0; -ENOENT for 404 (the tree changed: re-discover);
 * -GDC_EAUTH (401/403, login refused, TLS verification); -ETIMEDOUT; -ECONNREFUSED;
 * -GDC_EBADRESP (invalid JSON, body over max_body); -EIO (other statuses and transport
 * errors). err names the path and the reason.
 */
int rf_http_get(struct rf_http *h, const char *path, bool anonymous, int64_t deadline_ms,
                cJSON **doc, char *err, size_t errlen);

/* Log out (DELETE our session, at most wait_ms, and only if the BMC answered the last
 * request: a dead BMC must not hold up a reload or shutdown), free the handle, wipe the
 * credentials. */
void rf_http_release(struct rf_http *h, unsigned wait_ms);

#pragma GCC visibility pop

#endif
