/*
 * Pure helpers of the HTTP server (no sockets, no store), kept apart so unit tests cover
 * them: the mapping of stored metric names to Prometheus families in base units with their
 * HELP texts and state sets, label escaping, safe static paths, the query downsampling step,
 * the bearer token's parsing and hash check, and the audit log's per-address rate limit.
 */
#ifndef GREENDC_HTTP_UTIL_H
#define GREENDC_HTTP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"

/* A stored metric as a Prometheus family in base units (DOMAIN.md section 8; the table is in
 * docs/metrics.md): "energy_kwh" counter -> greendc_energy_joules_total (scale 3.6e6),
 * "power_w" -> greendc_power_watts, "current_a" -> _amperes, "voltage_v" -> _volts,
 * "apparent_power_va" -> _volt_amperes, "*_c" -> _celsius, "*_pa" -> _pascals,
 * "water_flow_m3h" -> _cubic_meters_per_second (scale 1/3600), "water_m3" counter ->
 * _cubic_meters_total, "*_pct" -> _ratio (scale 0.01); other counters get _total. name holds
 * the family name; *scale multiplies the stored value; *type is "counter" or "gauge". false
 * when name does not fit. (Prometheus remote-write uses the same mapping.) */
bool http_prom_family(const char *metric, bool counter, char *name, size_t len, double *scale,
                      const char **type);

/* A metric stored as an enum code is exported as a state set (one series per state, label
 * state="<name>", 1 for the current state and 0 for the others): the number of states (0 when
 * the metric is not an enum) and the name of state i, the same name the API and the CLI
 * print (cooling_mode: freecool_mode_name). */
size_t http_prom_nstates(const char *metric);
const char *http_prom_state(const char *metric, size_t i);

/* The HELP text of a stored metric's family, escaped for text format 0.0.4: what it measures
 * (the registry's meaning, core/metrics.h), and the stored name and unit it comes from. */
void http_prom_help(const char *metric, bool counter, struct sbuf *b);

/* Label value escaped per text format 0.0.4 (backslash, double quote, newline). */
void http_prom_escape(struct sbuf *b, const char *v);

/* A label name made valid ([a-zA-Z_][a-zA-Z0-9_]*, other characters become '_'). */
void http_prom_label_name(const char *in, char *out, size_t len);

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

#endif
