/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stored series as Prometheus data: the one mapping every exporter uses, so a series has the
 * same name, unit, labels and value on /metrics (src/http/http_snap.c) and in remote-write
 * (src/delivery/remote_write.c). Pure functions: the family in base units with its HELP text,
 * the state sets of enum metrics, label names and escaping, and the labels greendc adds (the
 * device, the series' role in the energy model and its side of the PUE, the site). The table
 * of families is in docs/metrics.md; DOMAIN.md section 8 has the rules.
 */
#ifndef GREENDC_ANALYTICS_PROM_H
#define GREENDC_ANALYTICS_PROM_H

#include "analytics/energy.h"
#include "core/sbuf.h"

#include <stdbool.h>
#include <stddef.h>

/* A stored metric as a Prometheus family in base units (DOMAIN.md section 8; the table is in
 * docs/metrics.md): "energy_kwh" counter -> greendc_energy_joules_total (scale 3.6e6),
 * "power_w" -> greendc_power_watts, "current_a" -> _amperes, "voltage_v" -> _volts,
 * "apparent_power_va" -> _volt_amperes, "*_c" -> _celsius, "*_pa" -> _pascals,
 * "water_flow_m3h" -> _cubic_meters_per_second (scale 1/3600), "water_m3" counter ->
 * _cubic_meters_total, "*_pct" -> _ratio (scale 0.01); other counters get _total. name holds
 * the family name; *scale multiplies the stored value; *type is "counter" or "gauge". false
 * when name does not fit. */
bool prom_family(const char *metric, bool counter, char *name, size_t len, double *scale,
                 const char **type);

/* A metric stored as an enum code is exported as a state set (one series per state, label
 * state="<name>", 1 for the current state and 0 for the others): the number of states (0 when
 * the metric is not an enum) and the name of state i, the same name the API and the CLI
 * print (cooling_mode: freecool_mode_name). */
size_t prom_nstates(const char *metric);
const char *prom_state(const char *metric, size_t i);

/* The HELP text of a stored metric's family, escaped for text format 0.0.4: what it measures
 * (the registry's meaning, core/metrics.h), and the stored name and unit it comes from. */
void prom_help(const char *metric, bool counter, struct sbuf *b);

/* Label value escaped per text format 0.0.4 (backslash, double quote, newline). */
void prom_escape(struct sbuf *b, const char *v);

/* A label name made valid ([a-zA-Z_][a-zA-Z0-9_]*, other characters become '_'). */
void prom_label_name(const char *in, char *out, size_t len);

/* The PUE category the `pue` labels follow: the model's (energy_it_role over nseries, the
 * series each role reads, as energy_compute counts them), or 0 (no `pue` labels) when there
 * is no model or it cannot produce a PUE. *it gets the IT role of that category. */
int prom_pue_category(const struct energy_model *m, const int nseries[ROLE_COUNT],
                      enum energy_role *it);

/*
 * The labels of one stored series as greendc exports it, each passed to cb in this order
 * (not sorted): device; the series' own labels (core/labels.h "k=v,k=v"), each name made
 * valid, and kept as exported_<name> when greendc sets that name itself (device, kind, site,
 * energy_role, pue, state, instance) or it starts with "__" (reserved by Prometheus);
 * energy_role when role >= 0 (energy_series_role); pue ("dc" for facility input, backup
 * generation and on-site renewable, "it" for the category's IT role) when category > 0;
 * site. Values are raw (escape them for text format).
 */
void prom_series_labels(const char *device, const char *labels, int role, int category,
                        enum energy_role it, const char *site,
                        void (*cb)(void *ctx, const char *name, const char *value), void *ctx);

#endif
