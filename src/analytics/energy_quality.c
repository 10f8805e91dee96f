/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The data-quality evidence behind a report's figures (energy.h, energy_quality): per role,
 * the counters' register increase over the period, and how well interval boundaries line up
 * with the readings. It reads the same series as energy_compute (energy_resolve) and only
 * what it needs: one rollup query per counter for the increase, and one "latest reading
 * before" lookup per counter and boundary (store_last_before: raw samples, the open hour or
 * the hourly rollups' last_ts, so it answers beyond raw retention).
 */
#include "analytics/energy_internal.h"

#include "store/store.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define HOUR_MS INT64_C(3600000)

static int delta_cb(void *ctx, int64_t bucket, double value, int64_t count)
{
	(void)bucket;
	if (count > 0 && isfinite(value))
		*(double *)ctx += value;
	return 0;
}

/* One counter at every boundary: offsets into q. The latest reading up to b + tol is the one
 * nearest b within the tolerance when there is one (a meter read at 00:00:00 exactly is
 * aligned), else the latest before b, and its distance from b says by how much it misses. */
static int align_series(struct store_reader *r, const struct matched *mt, int64_t from, int64_t end,
                        enum energy_step by, int64_t tol, struct energy_quality_role *q)
{
	for (int64_t b = from, prev = from; b <= end;) {
		int64_t next = energy_local_next(b, by), ts;
		/* No reading in the whole interval before b: nothing there is aligned. */
		int64_t span = b > from ? b - prev : next - b;
		int rc = store_last_before(r, mt->id, b + tol + 1, &ts);
		if (rc < 0 && rc != -ENOENT)
			return rc;
		q->boundaries++;
		if (rc == -ENOENT || b - ts > span) {
			q->no_reading++;
		} else {
			int64_t off = ts > b ? ts - b : b - ts;
			q->aligned += off <= tol;
			if (off > q->worst_ms)
				q->worst_ms = off;
			if (b == from && off > q->start_ms)
				q->start_ms = off;
			if ((next > end || b == end) && off > q->end_ms)
				q->end_ms = off;
		}
		prev = b;
		b = next;
	}
	return 0;
}

int energy_quality(struct store_reader *r, const struct energy_model *m, int64_t from_ms,
                   int64_t to_ms, enum energy_step by, int64_t now_ms, int64_t tol_ms,
                   struct energy_quality_role out[ROLE_COUNT], char *err, size_t errlen)
{
	struct matched *v = NULL;
	size_t n = 0;
	for (int i = 0; i < ROLE_COUNT; i++)
		out[i] = (struct energy_quality_role){.worst_ms = -1, .start_ms = -1, .end_ms = -1};
	if (to_ms <= from_ms || (by != STEP_DAY && by != STEP_MONTH)) {
		snprintf(err, errlen,
		         "energy_quality: an empty period or a step other than day or "
		         "month");
		return -EINVAL;
	}
	int rc = energy_resolve(r, m, &v, &n, err, errlen);
	if (rc < 0)
		return rc;
	int64_t end = now_ms < to_ms ? now_ms : to_ms;
	for (size_t j = 0; rc >= 0 && j < n && end > from_ms; j++) {
		struct energy_quality_role *q = &out[v[j].role];
		if (!v[j].counter) {
			q->gauges++;
			continue;
		}
		q->counters++;
		double d = 0;
		/* Hourly buckets: the rollups serve whole hours, raw samples the hour in progress.
		 */
		rc = store_query(r, v[j].id, from_ms, end, HOUR_MS, AGG_DELTA, delta_cb, &d);
		if (rc >= 0) {
			q->counter_delta += d * v[j].factor;
			rc = align_series(r, &v[j], from_ms, end, by, tol_ms, q);
		}
		if (rc < 0)
			snprintf(err, errlen, "%s: %s", v[j].name, strerror(-rc));
	}
	energy_matched_free(v, n);
	return rc < 0 ? rc : 0;
}
