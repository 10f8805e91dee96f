/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store writer's rollups: rows of count / min / max / sum / last / delta per series per
 * UTC hour and day, written as increments (upserts) when an hour is packed or a late sample is
 * merged, so a rollup row always holds exactly the packed samples of its bucket. Minutes are
 * folded from the blocks by readers (and packed per hour by raw retention, store_minutes.c):
 * a row per minute used to cost four times the raw samples on disk.
 */
#include "store/store_writer.h"

#include <math.h>

void rollup_agg_add(struct agg *a, int64_t ts, double v, double inc)
{
	if (!a->any) {
		a->any = true;
		a->last_ts = INT64_MIN;
	}
	a->delta += inc;
	if (!isfinite(v))
		return;
	if (a->count == 0 || v < a->min)
		a->min = v;
	if (a->count == 0 || v > a->max)
		a->max = v;
	a->sum += v;
	if (a->count == 0 || ts >= a->last_ts) {
		a->last = v;
		a->last_ts = ts;
	}
	a->count++;
}

void rollup_agg_merge(struct agg *a, const struct agg *b)
{
	if (!b->any)
		return;
	if (!a->any) {
		*a = *b;
		return;
	}
	a->delta += b->delta;
	if (b->count == 0)
		return;
	if (a->count == 0 || b->min < a->min)
		a->min = b->min;
	if (a->count == 0 || b->max > a->max)
		a->max = b->max;
	a->sum += b->sum;
	if (a->count == 0 || b->last_ts >= a->last_ts) {
		a->last = b->last;
		a->last_ts = b->last_ts;
	}
	a->count += b->count;
}

static int agg_write(struct store *st, int level, int64_t series, int64_t bucket,
                     const struct agg *a)
{
	if (a->count == 0 && a->delta == 0)
		return SQLITE_OK;
	sqlite3_stmt *q = st->q_roll[level];
	sqlite3_bind_int64(q, 1, series);
	sqlite3_bind_int64(q, 2, bucket);
	sqlite3_bind_int64(q, 3, a->count);
	writer_bind_real(q, 4, a->min, a->count > 0);
	writer_bind_real(q, 5, a->max, a->count > 0);
	sqlite3_bind_double(q, 6, a->count > 0 ? a->sum : 0);
	writer_bind_real(q, 7, a->last, a->count > 0);
	sqlite3_bind_double(q, 8, a->delta);
	sqlite3_bind_int64(q, 9, a->count > 0 ? a->last_ts : bucket);
	return writer_run(q);
}

/* Add samples (sorted by ts) to the rollups of every level, as increments. */
int rollup_add(struct store *st, int64_t series, const int64_t *ts, const double *v,
               const double *inc, size_t n)
{
	for (int l = 1; l < ROLLUP_LEVELS; l++) {
		int64_t p = rollup_levels[l].period_ms;
		size_t i = 0;
		while (i < n) {
			int64_t b = bucket_floor(ts[i], 0, p);
			struct agg a = {0};
			for (; i < n && ts[i] < b + p; i++)
				rollup_agg_add(&a, ts[i], v[i], inc ? inc[i] : 0);
			int rc = agg_write(st, l, series, b, &a);
			if (rc != SQLITE_OK)
				return rc;
		}
	}
	return SQLITE_OK;
}
