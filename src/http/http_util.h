/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pure helpers of the HTTP server (no sockets, no store), kept apart so unit tests cover
 * them: safe static paths, the query downsampling step, the bearer token's parsing and hash
 * check, and the audit log's per-address rate limit. The Prometheus mapping of stored series
 * is analytics/prom.h (remote-write uses it too).
 */
#ifndef GREENDC_HTTP_UTIL_H
#define GREENDC_HTTP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when a URL path (already percent-decoded) is safe to map under the web folder: it
 * starts with '/', has no "..", "." or empty segment beyond the root, no backslash, no
 * segment starting with '.', and no control characters. */
bool http_path_safe(const char *path);

/* The bucket width a query uses: at least step_ms, and wide enough that [from, to) makes at
 * most width buckets (so min+max series give at most two points per pixel). Rounded up to a
 * whole second, to a whole minute once above one, and to whole hours above 20 minutes, so
 * the store's 1-minute and 1-hour rollups serve it (fewer points, never more). */
int64_t http_query_step(int64_t from_ms, int64_t to_ms, int64_t step_ms, unsigned width);

/* The token of an Authorization header value "Bearer <token>": the scheme is matched without
 * regard to case (RFC 9110 section 11.1), then one or more spaces; NULL for any other scheme
 * or an empty token. */
const char *http_bearer_token(const char *authorization);

/* The configured token hash (64 hex digits, surrounding blanks and a newline allowed) into
 * out. -EINVAL with why when it is not 64 hex digits, or when it is the hash of the empty
 * string: that is what `printf %s "$token" | sha256sum` gives when $token is unset, and it
 * would let an empty bearer token in. */
int http_token_hash_parse(const char *text, uint8_t out[32], char *why, size_t whylen);

/* Rate limit of the audit log's records of rejected tokens, per client address, so one
 * client cannot use up the budget and hide everyone else's failures: each address gets
 * HTTP_AUDIT_PER_IP records a minute; the table holds HTTP_AUDIT_IPS addresses, and addresses
 * beyond it (a flood from many) share one more budget of HTTP_AUDIT_PER_IP a minute. */
#define HTTP_AUDIT_IPS    128
#define HTTP_AUDIT_PER_IP 10
struct http_audit_limit {
	struct {
		char ip[48];
		int64_t window_ms; /* start of its current minute */
		unsigned count, dropped, dropped_before;
	} e[HTTP_AUDIT_IPS], others;
};
/* Whether a rejection from ip at now_ms may be recorded. When true, *dropped is how many of
 * this address's (or the others') records were left out in its previous minute (say so in
 * the record). */
bool http_audit_admit(struct http_audit_limit *l, const char *ip, int64_t now_ms,
                      unsigned *dropped);

/* The text cJSON_PrintUnformatted gives a number (cJSON 1.7's print_number), written into out
 * (HTTP_JSON_NUMBER_MAX bytes with the NUL): "null" for NaN and infinities, otherwise %1.15g
 * when that reads back within DBL_EPSILON, else %1.17g. A 30-day
 * chart is 5,000 numbers per series, and printf's exact decimal conversion done two or three
 * times per number was a third of /api/v1/power; here the usual values (integers below 1e15,
 * others between 1e-5 and 1e15) get their digits from 128-bit integer arithmetic, rounded
 * half to even as printf does, and only the read-back is strtod. Anything else goes through
 * the same printf and scanf calls as cJSON. test_http_util checks it against cJSON itself.
 * Returns the length. */
#define HTTP_JSON_NUMBER_MAX 32
size_t http_json_number(char *out, double v);

#endif
