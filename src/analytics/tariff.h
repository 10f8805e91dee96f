/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Electricity tariffs (the `tariffs:` config section): a flat price, or time-of-use periods
 * (critical peak, peak, flat, valley, deep valley) by quarter hour of the site's day and by
 * month, as Chinese provincial tables and many others are published. Every tariff names its
 * source; the table changes by province and year, so it is configuration, never code
 * (DOMAIN.md §12). See docs/tenants.md.
 */
#ifndef GREENDC_TARIFF_H
#define GREENDC_TARIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct config_diag;
struct ydoc;

enum tariff_period { TP_CRITICAL, TP_PEAK, TP_FLAT, TP_VALLEY, TP_DEEP_VALLEY, TP_COUNT };

/* "critical", "peak", "flat", "valley", "deep_valley"; NULL out of range. */
const char *tariff_period_name(enum tariff_period p);

#define TARIFF_QUARTERS 96 /* quarter hours of a day */

struct tariff {
	const char *name, *currency, *source;
	double price[TP_COUNT]; /* per kWh */
	bool have_price[TP_COUNT];
	bool tou;                           /* seasons given: time of use; else flat */
	uint8_t table[12][TARIFF_QUARTERS]; /* period by month and local quarter hour */
	const char *file;
	int line;
};

struct tariffs_config {
	struct tariff *t;
	size_t n;
};

void tariffs_config_parse(struct ydoc *y, struct config *cfg, const char *path, void *node);

/* The tariff named name (NULL: the first one), or NULL. */
const struct tariff *tariff_find(const struct tariffs_config *tc, const char *name);

/* The period of the quarter hour starting at t_ms in site time (the process zone). */
enum tariff_period tariff_period_at(const struct tariff *t, int64_t t_ms);

/* The period of each of n slots of slot_ms from from_ms (one local-time lookup per slot, so
 * a statement computes it once per tariff, not per tenant). */
void tariff_periods(const struct tariff *t, int64_t from_ms, int64_t slot_ms, size_t n,
                    uint8_t *out);

#endif
