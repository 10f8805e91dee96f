/*
 * Pure helpers of the HTTP server (no sockets, no store), kept apart so unit tests cover
 * them: the mapping of stored metric names to Prometheus families in
 * base units, label escaping, safe static paths, and the query downsampling step.
 */
#ifndef GREENDC_HTTP_UTIL_H
#define GREENDC_HTTP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"

/* A stored metric as a Prometheus family: "energy_kwh" counter -> greendc_energy_joules_total
 * (scale 3.6e6), "power_w" -> greendc_power_watts, "*_c" -> _celsius, "*_pct" -> _ratio
 * (scale 0.01); other counters get _total. name holds the family name; *scale multiplies
 * the stored value; *type is "counter" or "gauge". false when name does not fit. */
bool http_prom_family(const char *metric, bool counter, char *name, size_t len, double *scale,
                      const char **type);

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

#endif
