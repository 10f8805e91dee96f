/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The interval engine one series at a time: a period cut into slots (1 h, or 15 min) and
 * intervals of `by`, into which series are read one after another with exactly the rules of
 * energy_compute() — counter deltas from the rollups, gaps in the readings spread by the power
 * shape or evenly, a silent meter's last slot, power integrated by the trapezoid rule and
 * marked estimated, coverage as metered time over elapsed time, nothing after now. Groups of
 * series that are not energy roles (an outlet, a rack, a row, a hall, a tenant: groups.h)
 * are sums of such reads; their coverage is the mean of their series' coverage and their
 * status energy_interval_status(), as for a role. Memory does not grow with the number of
 * series: each read overwrites the last.
 */
#ifndef GREENDC_ENERGY_FRAME_H
#define GREENDC_ENERGY_FRAME_H

#include "analytics/energy.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store_reader;
struct energy_frame;

/* One stored series to read. */
struct energy_frame_series {
	int64_t id;
	bool counter;       /* else a power gauge, integrated (estimated) */
	const char *metric; /* the unit comes from its name (energy_unit_factor) */
	const char *name;   /* "device metric{labels}", for the gaps it has */
	int64_t power;      /* a counter's power_w twin (same device and labels), 0 = none:
	                     * gaps are spread by its shape when it has data */
};

/* A frame over [from, to) with intervals of `by` (STEP_WHOLE: the period only), slots of
 * 15 min when by is STEP_15MIN or slot15 is true, else 1 h, as known at now_ms. NULL with a
 * reason in err (a period that is not a whole number of slots, out of memory). */
struct energy_frame *energy_frame_new(const struct energy_model *m, int64_t from_ms, int64_t to_ms,
                                      enum energy_step by, bool slot15, int64_t now_ms, char *err,
                                      size_t errlen);
void energy_frame_free(struct energy_frame *f); /* NULL ok */

size_t energy_frame_nslots(const struct energy_frame *f);
int64_t energy_frame_slot_ms(const struct energy_frame *f);
int64_t energy_frame_from(const struct energy_frame *f);
/* The intervals of `by` (n of them; none for STEP_WHOLE): bounds and site-time labels. */
size_t energy_frame_nintervals(const struct energy_frame *f);
const struct energy_interval *energy_frame_intervals(const struct energy_frame *f);
/* Slots [*i0, *i1) of interval k (k == nintervals: the whole period). */
void energy_frame_interval_slots(const struct energy_frame *f, size_t k, size_t *i0, size_t *i1);
/* The engine's clipped now: slots from here on have not elapsed. */
int64_t energy_frame_now(const struct energy_frame *f);

/* Read one series (0 or -errno). Afterwards, until the next read: */
int energy_frame_read(struct energy_frame *f, struct store_reader *r,
                      const struct energy_frame_series *s);
/* kWh (or litres) per slot, and the part of it that is integrated power. */
const double *energy_frame_values(const struct energy_frame *f);
const double *energy_frame_power_part(const struct energy_frame *f);
/* The series' coverage of interval k (k == nintervals: the whole period), 0..1. */
double energy_frame_coverage(const struct energy_frame *f, size_t k);
/* Energy spread over gaps that interval k does not hold whole (estimated there), and how
 * many such gaps. */
void energy_frame_gap_part(const struct energy_frame *f, size_t k, double *estimated, int *ngaps);

/* Every gap spread since the frame was made (at most ENERGY_MAX_GAPS listed; *total counts
 * all). */
const struct energy_gap *energy_frame_gaps(const struct energy_frame *f, size_t *n, size_t *total);

#endif
