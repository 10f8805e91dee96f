/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store writer's hour blocks: packing a series' open hour (RAM + staging) into one
 * compressed row of `blocks` with its rollups; merging late samples into an already packed
 * hour; packing hours that went silent; range-deleting staging rows no open hour needs; and
 * raw retention. All of it inside the current batch transaction (docs/internals/store.md,
 * "Where a sample lives").
 */
#include "store/store_writer.h"

#include "store/store_codec.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int scratch(struct store *st, size_t n)
{
	if (n <= st->scap)
		return 0;
	size_t c = st->scap ? st->scap : 1024;
	while (c < n)
		c *= 2;
	int64_t *a = realloc(st->sts, c * sizeof(*a));
	if (!a)
		return -ENOMEM;
	st->sts = a;
	double *b = realloc(st->sv, c * sizeof(*b));
	if (!b)
		return -ENOMEM;
	st->sv = b;
	double *d = realloc(st->sinc, c * sizeof(*d));
	if (!d)
		return -ENOMEM;
	st->sinc = d;
	st->scap = c;
	return 0;
}

/*
 * Write the hour t0 of a series as one block: the samples already stored for that hour (if
 * any) merged with n new ones (sorted), which also go into the rollups. SQLite result code.
 */
static int block_merge(struct store *st, int64_t series, int64_t t0, const int64_t *ts,
                       const double *v, const double *inc, size_t n)
{
	int rc = rollup_add(st, series, ts, v, inc, n);
	if (rc != SQLITE_OK)
		return rc;

	/* Existing samples of this hour go to the front of the scratch arrays. */
	size_t have = 0;
	sqlite3_stmt *q = st->q_sel_block;
	sqlite3_bind_int64(q, 1, series);
	sqlite3_bind_int64(q, 2, t0);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const uint8_t *data = sqlite3_column_blob(q, 1);
		size_t len = (size_t)sqlite3_column_bytes(q, 1);
		long m = codec_count(data, len);
		if (m < 0 || scratch(st, have + (size_t)m + n) < 0) {
			sqlite3_reset(q);
			return m < 0 ? SQLITE_CORRUPT : SQLITE_NOMEM;
		}
		data = sqlite3_column_blob(q, 1);
		m = codec_decode(t0, data, len, st->sts + have, st->sv + have, (size_t)m);
		if (m < 0) {
			sqlite3_reset(q);
			return SQLITE_CORRUPT;
		}
		have += (size_t)m;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return rc;
	if (scratch(st, have + n) < 0)
		return SQLITE_NOMEM;

	int64_t *mts = st->sts;
	double *mv = st->sv;
	if (have > 0) {
		/* Merge in place from the back: existing first among equal timestamps. */
		size_t i = have, j = n, k = have + n;
		while (j > 0) {
			if (i > 0 && mts[i - 1] > ts[j - 1]) {
				k--;
				i--;
				mts[k] = mts[i];
				mv[k] = mv[i];
			} else {
				k--;
				j--;
				mts[k] = ts[j];
				mv[k] = v[j];
			}
		}
		sqlite3_bind_int64(st->q_del_block, 1, series);
		sqlite3_bind_int64(st->q_del_block, 2, t0);
		if ((rc = writer_run(st->q_del_block)) != SQLITE_OK)
			return rc;
	} else if (mts != ts) {
		memcpy(mts, ts, n * sizeof(*mts));
		memcpy(mv, v, n * sizeof(*mv));
	}
	size_t total = have + n;

	if (writer_grow((void **)&st->blob, &st->blob_cap, codec_bound(total), 1) < 0)
		return SQLITE_NOMEM;
	long len = codec_encode(t0, mts, mv, total, st->blob, st->blob_cap);
	if (len < 0)
		return SQLITE_INTERNAL;

	struct agg a = {0};
	for (size_t i = 0; i < total; i++)
		rollup_agg_add(&a, mts[i], mv[i], 0);
	double first = NAN;
	for (size_t i = 0; i < total; i++)
		if (isfinite(mv[i])) {
			first = mv[i];
			break;
		}
	q = st->q_ins_block;
	sqlite3_bind_int64(q, 1, series);
	sqlite3_bind_int64(q, 2, t0);
	sqlite3_bind_int64(q, 3, (int64_t)total);
	sqlite3_bind_int64(q, 4, a.count);
	sqlite3_bind_int64(q, 5, mts[0]);
	sqlite3_bind_int64(q, 6, mts[total - 1]);
	writer_bind_real(q, 7, first, a.count > 0);
	writer_bind_real(q, 8, a.last, a.count > 0);
	writer_bind_real(q, 9, a.min, a.count > 0);
	writer_bind_real(q, 10, a.max, a.count > 0);
	sqlite3_bind_double(q, 11, a.count > 0 ? a.sum : 0);
	sqlite3_bind_blob(q, 12, st->blob, (int)len, SQLITE_STATIC);
	rc = writer_run(q);
	sqlite3_bind_null(q, 12);
	return rc;
}

/* Pack a series' open hour into its block and rollups. */
int blocks_pack_open(struct store *st, int64_t id, struct wseries *w)
{
	if (w->open_t0 == NO_HOUR)
		return SQLITE_OK;
	size_t n = w->n;
	if (w->unsorted) {
		/* Stable insertion sort: open hours are nearly always already in order. */
		for (size_t i = 1; i < n; i++) {
			uint32_t o = w->off[i];
			double v = w->val[i], c = w->inc ? w->inc[i] : 0;
			size_t j = i;
			while (j > 0 && w->off[j - 1] > o) {
				w->off[j] = w->off[j - 1];
				w->val[j] = w->val[j - 1];
				if (w->inc)
					w->inc[j] = w->inc[j - 1];
				j--;
			}
			w->off[j] = o;
			w->val[j] = v;
			if (w->inc)
				w->inc[j] = c;
		}
	}
	int rc = SQLITE_OK;
	if (n > 0) {
		/* block_merge builds the merged hour in the scratch arrays: the input must be
		 * separate arrays. */
		int64_t *ts = malloc(n * sizeof(*ts));
		double *v = malloc(n * sizeof(*v));
		double *inc = w->inc ? malloc(n * sizeof(*inc)) : NULL;
		if (!ts || !v || (w->inc && !inc)) {
			free(ts);
			free(v);
			free(inc);
			return SQLITE_NOMEM;
		}
		for (size_t i = 0; i < n; i++) {
			ts[i] = w->open_t0 + w->off[i];
			v[i] = w->val[i];
			if (inc)
				inc[i] = w->inc[i];
		}
		rc = block_merge(st, id, w->open_t0, ts, v, inc, n);
		free(ts);
		free(v);
		free(inc);
	}
	if (rc != SQLITE_OK)
		return rc;
	if (w->packed_t0 == NO_HOUR || w->open_t0 > w->packed_t0)
		w->packed_t0 = w->open_t0;
	w->open_t0 = NO_HOUR;
	w->n = 0;
	w->unsorted = false;
	st->packed_any = true;
	state_mark_dirty(st, id, w);
	return SQLITE_OK;
}

static int cmp_late(const void *a, const void *b)
{
	const struct late *x = a, *y = b;
	int64_t hx = bucket_floor(x->ts, 0, HOUR_MS), hy = bucket_floor(y->ts, 0, HOUR_MS);
	if (x->series != y->series)
		return x->series < y->series ? -1 : 1;
	if (hx != hy)
		return hx < hy ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x < y ? -1 : (x > y); /* stable enough: arrival order among equal timestamps */
}

int blocks_merge_late(struct store *st)
{
	if (st->nlate == 0)
		return SQLITE_OK;
	qsort(st->late, st->nlate, sizeof(*st->late), cmp_late);
	size_t i = 0;
	while (i < st->nlate) {
		int64_t s = st->late[i].series, h = bucket_floor(st->late[i].ts, 0, HOUR_MS);
		size_t j = i;
		while (j < st->nlate && st->late[j].series == s &&
		       bucket_floor(st->late[j].ts, 0, HOUR_MS) == h)
			j++;
		size_t n = j - i;
		int64_t *ts = malloc(n * sizeof(*ts));
		double *v = malloc(n * sizeof(*v)), *inc = malloc(n * sizeof(*inc));
		int rc = SQLITE_NOMEM;
		if (ts && v && inc) {
			for (size_t k = 0; k < n; k++) {
				ts[k] = st->late[i + k].ts;
				v[k] = st->late[i + k].value;
				inc[k] = st->late[i + k].inc;
			}
			rc = block_merge(st, s, h, ts, v, inc, n);
		}
		free(ts);
		free(v);
		free(inc);
		if (rc != SQLITE_OK)
			return rc;
		struct wseries *w = state_get(st, s);
		if (w && w->open_t0 == NO_HOUR && (w->packed_t0 == NO_HOUR || h > w->packed_t0)) {
			w->packed_t0 = h;
			state_mark_dirty(st, s, w);
		}
		i = j;
	}
	st->nlate = 0;
	return SQLITE_OK;
}

/* Pack open hours that ended more than `grace` ago in data time (all of them at grace 0
 * when `all`: at close, hours that are complete). */
int blocks_sweep(struct store *st, int64_t grace)
{
	if (st->clock_ms == INT64_MIN)
		return SQLITE_OK; /* no data yet */
	int64_t limit = st->clock_ms - grace;
	for (size_t i = 1; i < st->ws_cap; i++) {
		struct wseries *w = &st->ws[i];
		if (w->known && w->open_t0 != NO_HOUR && w->open_t0 + HOUR_MS <= limit) {
			int rc = blocks_pack_open(st, (int64_t)i, w);
			if (rc != SQLITE_OK)
				return rc;
		}
	}
	return SQLITE_OK;
}

/* Delete staging rows no longer needed: everything before the oldest open hour's first row
 * (the very last row is kept so that rowids never restart, which `tail` relies on). */
int blocks_trim_staging(struct store *st)
{
	if (!st->packed_any)
		return SQLITE_OK;
	st->packed_any = false;
	int64_t min = st->last_rowid;
	for (size_t i = 1; i < st->ws_cap; i++) {
		struct wseries *w = &st->ws[i];
		if (w->open_t0 != NO_HOUR && w->open_rowid < min)
			min = w->open_rowid;
	}
	sqlite3_bind_int64(st->q_trim, 1, min);
	return writer_run(st->q_trim);
}

int blocks_retention(struct store *st)
{
	if (st->opts.raw_retention_ms <= 0 || st->clock_ms == INT64_MIN)
		return SQLITE_OK;
	int64_t hour = bucket_floor(st->clock_ms, 0, HOUR_MS);
	if (hour == st->retention_hour)
		return SQLITE_OK;
	st->retention_hour = hour;
	int64_t cutoff = st->clock_ms - st->opts.raw_retention_ms - HOUR_MS;
	for (size_t i = 1; i < st->ws_cap; i++) {
		if (!st->ws[i].known)
			continue;
		sqlite3_bind_int64(st->q_retain, 1, (int64_t)i);
		sqlite3_bind_int64(st->q_retain, 2, cutoff);
		int rc = writer_run(st->q_retain);
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}
