/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Periodic summaries (outputs.summary_interval): a small JSON document per completed interval
 * (site, period, device health, energy by role with the PUE, its category and coverage when an
 * energy model exists, the interim power ratio, free-cooling hours, active alerts) queued
 * through the store writer into the outbox for every report target subscribed to "summary".
 * The idempotency key is "<site>:summary:<period start ms>", so a restart that emits the same
 * period again is a no-op in the outbox and a duplicate the receiver drops. docs/reports.md.
 */
#ifndef GREENDC_SUMMARY_H
#define GREENDC_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct store_reader;
struct config;

struct summary_facts {
	unsigned devices, up, down;
	uint64_t samples_stored;
	uint64_t outbox_dropped;
	int active_alerts; /* < 0: unknown */
};

/* The summary period holding t_ms for an interval of iv_ms, [*from_ms, *to_ms): periods are
 * aligned to site time, whatever UTC's or the host's offset. An interval of whole days counts
 * site days from 1970-01-01 (1d: each site day, midnight to midnight); a shorter one restarts
 * at every site midnight (whole intervals from it, the day's last period ends at the next
 * midnight: a 25-hour DST day has 25 hourly summaries). outputs_config_validate refuses
 * other intervals. */
void summary_period(int64_t t_ms, int64_t iv_ms, int64_t *from_ms, int64_t *to_ms);

/* Build the summary of [from_ms, to_ms) and queue it for each subscribed target. r may be
 * NULL (no energy figures). Energy and free cooling come from the same analytics as the
 * monthly report (energy_figures, freecool_stored). Returns the items queued or -errno. */
int summary_emit(struct store *st, struct store_reader *r, const struct config *cfg,
                 const struct summary_facts *f, int64_t from_ms, int64_t to_ms);

#endif
