/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Power by energy role per time bucket and the power ratio (interim PUE) per bucket, for
 * charts: the power_w views of the energy model's selectors (energy_series_role), grouped by
 * the model's roles, with energy_interim()'s rule for the ratio. See energy_power.c.
 */
#ifndef GREENDC_ENERGY_POWER_H
#define GREENDC_ENERGY_POWER_H

#include "analytics/energy.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store_reader;

/* At most this many power series are summed; more set `truncated` (the sums are partial). */
#define ENERGY_POWER_MAX_SERIES 512

struct energy_power {
	int64_t from_ms, step_ms; /* bucket i starts at from_ms + i x step_ms */
	size_t nb;
	/* Mean W per bucket summed over the role's series; NAN where any of them has no data in
	 * the bucket (a partial sum would look like a drop). NULL: the role has no power series. */
	double *w[ROLE_COUNT];
	int nseries[ROLE_COUNT];
	int category; /* from the IT roles with power series (energy_it_role) */
	enum energy_role it_role;
	double *dc, *it, *ratio; /* E_DC side, IT side (W) and dc / it per bucket; NAN = gap */
	/* dc - it - cooling - lighting_other (the roles that have series): power delivery losses
	 * and unmetered loads, W; NAN where a side is unknown or the rest would be negative */
	double *rest;
	bool truncated;
};

/* Fill *out for nb buckets of step_ms from from_ms (the last ends at to_ms) with the store's
 * bucket means (AGG_AVG). 0 or -errno; energy_power_free() either way. */
int energy_power_trend(struct store_reader *r, const struct energy_model *m, int64_t from_ms,
                       int64_t to_ms, int64_t step_ms, size_t nb, struct energy_power *out);
void energy_power_free(struct energy_power *p);

#endif
