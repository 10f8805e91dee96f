/* SPDX-License-Identifier: Apache-2.0 */
/*
 * How a device's counter series are judged (DOMAIN.md §3): the register width and resolution
 * from the profile row, the plausible rate from the device's rated power. One home for it, so
 * that the poller (live samples) and `greendc import` (history) describe the same series the
 * same way and the store unwraps both alike.
 */
#include "config/config.h"

#include "core/labels.h"

#include <string.h>

void config_counter_of(const struct config_device *d, const char *metric,
                       const struct gdc_point *pt, struct config_counter *out)
{
	*out = (struct config_counter){.scale = 1.0};
	if (pt) {
		out->bits = pt->counter_bits;
		/* The driver scaled the reading, so one raw count and the wrap point scale too. */
		if (pt->scale > 0)
			out->scale = pt->scale;
	}
	/* An energy meter can't plausibly count faster than its rated power (DOMAIN §3). */
	if (d && d->rated_power_w > 0 && metric && strcmp(metric, "energy_kwh") == 0)
		out->max_rate = d->rated_power_w / 1000.0 / 3600.0;
}

/* Every fixed label of n pairs is in the canonical label string. */
static bool labels_within(const struct gdc_label *l, size_t n, const char *canon)
{
	char v[512];
	for (size_t i = 0; i < n; i++)
		if (!labels_get(canon, l[i].key, v, sizeof(v)) || strcmp(v, l[i].value) != 0)
			return false;
	return true;
}

/* The most specific counter point of prof for metric within labels; *score its label count,
 * -1 when none. */
static const struct gdc_point *profile_point(const struct profile *prof, const char *metric,
                                             const char *labels, long *score)
{
	const struct gdc_point *best = NULL;
	*score = -1;
	for (size_t i = 0; prof && i < prof->npoints; i++) {
		const struct gdc_point *pt = &prof->points[i];
		if (pt->kind != GDC_COUNTER || strcmp(pt->metric, metric) != 0 ||
		    !labels_within(pt->labels, pt->nlabels, labels))
			continue;
		if ((long)pt->nlabels > *score) {
			best = pt;
			*score = (long)pt->nlabels;
		}
	}
	return best;
}

const struct gdc_point *config_counter_point(const struct config_device *d, const char *metric,
                                             const char *labels)
{
	long score;
	if (!d || !metric || !labels_within(d->labels, d->nlabels, labels ? labels : ""))
		return NULL;
	if (d->profile)
		return profile_point(d->profile, metric, labels, &score);
	/* Matched at run time: usable only when every candidate that has such a point agrees. */
	const struct gdc_point *found = NULL;
	for (size_t i = 0; i < d->ncandidates; i++) {
		const struct gdc_point *pt =
		        profile_point(d->candidates[i], metric, labels, &score);
		if (!pt)
			continue;
		if (found && (found->counter_bits != pt->counter_bits || found->scale != pt->scale))
			return NULL;
		found = pt;
	}
	return found;
}
