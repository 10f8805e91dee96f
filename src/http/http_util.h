/*
 * Pure helpers of the HTTP server (no sockets, no store), kept apart so unit tests cover
 * them: the mapping of stored metric names to Prometheus families in base units with their
 * HELP texts and state sets, label escaping, safe static paths, and the query downsampling
 * step.
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

#endif
