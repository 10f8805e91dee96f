/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The metric registry: canonical names with units (docs/metrics.md). Profiles may only use
 * these names; the exporter maps them to Prometheus base units.
 */
#ifndef GREENDC_METRICS_H
#define GREENDC_METRICS_H

#include <stddef.h>

struct metric_def {
	const char *name;
	const char *unit;
	int counter;      /* 1 = monotonically increasing counter */
	const char *help; /* what it measures (docs/metrics.md "meaning"; the Prometheus HELP) */
};

/* NULL when name is not registered. */
const struct metric_def *metric_lookup(const char *name);

/* The whole table, for tests and documentation checks. */
const struct metric_def *metric_table(size_t *n);

#endif
