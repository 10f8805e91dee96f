/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store writer's blocks: packing a series' open hour (RAM + staging) into a compressed
 * row of `blocks` with its rollups; compacting the hours of a span into one block once the
 * span is complete; merging late samples into the block that covers their hour; packing
 * hours that went silent; range-deleting staging blobs no open hour needs; and giving free
 * pages back. All of it inside the current batch transaction (docs/internals/store.md,
 * "Where a sample lives").
 *
 * Spans: a block costs about 40 bytes of header and entropy tables whatever it holds, which
 * is a tenth of an hour of 10 s samples. So the hours of a series are compacted into one
 * block per span of 3, 6, 12 or 24 hours (a chain of divisors of a day: spans nest), the
 * shortest that holds BLOCK_TARGET_SAMPLES at the series' rate: 6 h at 10 s, 24 h at 1 min,
 * an hour at 1 s. The span is compacted when its last hour is packed: the earlier hours'
 * blocks are read back, decoded, and written again as one with the last hour.
 */
#include "store/store_writer.h"

#include "store/store_codec.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Samples a span should hold (the block overhead is then under 3 %). */
#define BLOCK_TARGET_SAMPLES 2048
/* Free pages kept for reuse before the vacuum step gives any back. */
#define VACUUM_KEEP_PAGES 1024

/* The span whose hours an hour of n samples is compacted with. */
static int64_t span_for(size_t n)
{
	static const int64_t hours[] = {1, 3, 6, 12, 24};
	for (size_t k = 0; k < sizeof(hours) / sizeof(hours[0]); k++)
		if (n * (size_t)hours[k] >= BLOCK_TARGET_SAMPLES)
			return hours[k] * HOUR_MS;
	return 24 * HOUR_MS;
}

long blocks_decode_row(struct store *st, sqlite3_stmt *q, int col, size_t at)
{
	int64_t t0 = sqlite3_column_int64(q, col + 1);
	const uint8_t *data = sqlite3_column_blob(q, col + 3);
	size_t len = (size_t)sqlite3_column_bytes(q, col + 3);
	long m = codec_count(data, len);
	if (m < 0)
		return m;
	if (writer_scratch(st, at + (size_t)m) < 0)
		return -ENOMEM;
	data = sqlite3_column_blob(q, col + 3);
	return codec_decode(st->codec, t0, data, len, st->sts + at, st->sv + at, (size_t)m);
}

/* Insert the block [t0, t1) of n sorted samples. SQLite result code. */
static int block_insert(struct store *st, int64_t series, int64_t t0, int64_t t1, const int64_t *ts,
                        const double *v, size_t n)
{
	if (writer_grow((void **)&st->blob, &st->blob_cap, codec_bound(n), 1) < 0)
		return SQLITE_NOMEM;
	long len = codec_encode(st->codec, t0, ts, v, n, st->blob, st->blob_cap);
	if (len < 0)
		return len == -ENOMEM ? SQLITE_NOMEM : SQLITE_INTERNAL;
	sqlite3_stmt *q = st->q_ins_block;
	sqlite3_bind_int64(q, 1, series);
	sqlite3_bind_int64(q, 2, t0);
	sqlite3_bind_int64(q, 3, t1);
	sqlite3_bind_int64(q, 4, (int64_t)n);
	sqlite3_bind_blob(q, 5, st->blob, (int)len, SQLITE_STATIC);
	int rc = writer_run(q);
	sqlite3_bind_null(q, 5);
	return rc;
}

static int block_delete(struct store *st, int64_t id)
{
	st->vacuum_due = true;
	sqlite3_bind_int64(st->q_del_block, 1, id);
	return writer_run(st->q_del_block);
}

/*
 * Add n samples (sorted, all in the hour h; already in the rollups) to the block that covers
 * h, or to a new block of that hour. SQLite result code.
 */
static int block_merge(struct store *st, int64_t series, int64_t h, const int64_t *ts,
                       const double *v, const double *inc, size_t n)
{
	int rc;
	if (minutes_expired(st, h)) /* past raw retention: kept as minutes only */
		return minutes_merge(st, series, h, ts, v, inc, n);

	/* The block covering h, decoded to the front of the scratch arrays. */
	int64_t id = 0, t0 = h, t1 = h + HOUR_MS;
	size_t have = 0;
	sqlite3_stmt *q = st->q_cover_block;
	sqlite3_bind_int64(q, 1, series);
	sqlite3_bind_int64(q, 2, h);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && sqlite3_column_int64(q, 2) > h) {
		id = sqlite3_column_int64(q, 0);
		t0 = sqlite3_column_int64(q, 1);
		t1 = sqlite3_column_int64(q, 2);
		long m = blocks_decode_row(st, q, 0, 0);
		if (m < 0) {
			sqlite3_reset(q);
			return m == -ENOMEM ? SQLITE_NOMEM : SQLITE_CORRUPT;
		}
		have = (size_t)m;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return rc;
	if (writer_scratch(st, have + n) < 0)
		return SQLITE_NOMEM;

	/* Merge in place from the back: existing first among equal timestamps. */
	int64_t *mts = st->sts;
	double *mv = st->sv;
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
	if (id && (rc = block_delete(st, id)) != SQLITE_OK)
		return rc;
	return block_insert(st, series, t0, t1, mts, mv, have + n);
}

/*
 * The hour h is the last of the span [s0, h + 1 h): write the span's blocks and this hour's
 * n samples (sorted; already in the rollups) as one block, from the first block's start (the
 * hours before it may have had no data, or have expired). *done is false when the span cannot
 * be compacted (no earlier block, or a block that reaches past it). SQLite result code.
 */
static int block_compact(struct store *st, int64_t series, int64_t s0, int64_t h, const int64_t *ts,
                         const double *v, size_t n, bool *done)
{
	*done = false;
	size_t have = 0, nids = 0;
	int64_t first = h;
	bool fits = true;
	sqlite3_stmt *q = st->q_span_blocks;
	sqlite3_bind_int64(q, 1, series);
	sqlite3_bind_int64(q, 2, s0);
	sqlite3_bind_int64(q, 3, h + HOUR_MS);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (sqlite3_column_int64(q, 2) > h) {
			fits = false; /* reaches into this hour or past the span */
			break;
		}
		long m = blocks_decode_row(st, q, 0, have);
		if (m < 0 ||
		    writer_grow((void **)&st->ids, &st->ids_cap, nids + 1, sizeof(*st->ids)) < 0) {
			sqlite3_reset(q);
			return m == -EBADMSG ? SQLITE_CORRUPT : SQLITE_NOMEM;
		}
		if (nids == 0)
			first = sqlite3_column_int64(q, 1);
		st->ids[nids++] = sqlite3_column_int64(q, 0);
		have += (size_t)m;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return rc;
	if (!fits || nids == 0)
		return SQLITE_OK;
	if (writer_scratch(st, have + n) < 0)
		return SQLITE_NOMEM;
	memcpy(st->sts + have, ts, n * sizeof(*ts));
	memcpy(st->sv + have, v, n * sizeof(*v));
	for (size_t k = 0; k < nids; k++)
		if ((rc = block_delete(st, st->ids[k])) != SQLITE_OK)
			return rc;
	*done = true;
	return block_insert(st, series, first, h + HOUR_MS, st->sts, st->sv, have + n);
}

/* Sort the open hour by time (stable insertion sort: it is nearly always in order). */
static void open_sort(struct wseries *w)
{
	for (size_t i = 1; i < w->n; i++) {
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

/* Pack a series' open hour into its block (or its span's) and rollups. */
int blocks_pack_open(struct store *st, int64_t id, struct wseries *w)
{
	if (w->open_t0 == NO_HOUR)
		return SQLITE_OK;
	size_t n = w->n;
	if (w->unsorted)
		open_sort(w);
	int rc = SQLITE_OK;
	if (n > 0) {
		/* block_merge and block_compact build the block in the scratch arrays: the
		 * input must be separate arrays. */
		int64_t *ts = malloc(n * sizeof(*ts));
		double *v = malloc(n * sizeof(*v));
		if (!ts || !v) {
			free(ts);
			free(v);
			return SQLITE_NOMEM;
		}
		for (size_t i = 0; i < n; i++)
			ts[i] = w->open_t0 + w->off[i];
		memcpy(v, w->val, n * sizeof(*v));
		int64_t h = w->open_t0, span = span_for(n);
		bool done = false;
		rc = rollup_add(st, id, ts, v, w->inc, n);
		if (rc == SQLITE_OK && span > HOUR_MS && (h + HOUR_MS) % span == 0 &&
		    !minutes_expired(st, h))
			rc = block_compact(st, id, h + HOUR_MS - span, h, ts, v, n, &done);
		if (rc == SQLITE_OK && !done)
			rc = block_merge(st, id, h, ts, v, w->inc, n);
		free(ts);
		free(v);
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
			rc = rollup_add(st, s, ts, v, inc, n);
			if (rc == SQLITE_OK)
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

/* Pack open hours that ended more than `grace` ago in data time (at close, grace 0: every
 * complete hour). */
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

/* Delete staging blobs no longer needed: every one before the oldest open hour's first (the
 * newest is always kept, so that seqs never restart, which `tail` relies on). */
int blocks_trim_staging(struct store *st)
{
	if (!st->packed_any)
		return SQLITE_OK;
	st->packed_any = false;
	int64_t min = st->last_seq;
	for (size_t i = 1; i < st->ws_cap; i++) {
		struct wseries *w = &st->ws[i];
		if (w->open_t0 != NO_HOUR && w->open_seq < min)
			min = w->open_seq;
	}
	st->vacuum_due = true;
	sqlite3_bind_int64(st->q_trim, 1, min);
	return writer_run(st->q_trim);
}

/* How many pages are free in the file. */
static int freelist_pages(struct store *st, int64_t *n)
{
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(st->db, "PRAGMA freelist_count", -1, &q, NULL);
	if (rc != SQLITE_OK)
		return rc;
	*n = 0;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/*
 * Compaction and trimming free pages that later blocks reuse; a freelist much larger than
 * that is given back to the file system a bounded step per commit (incremental_vacuum moves
 * pages from the end of the file into the holes), and all of it at close. A database created
 * before schema 6 has no auto_vacuum: there this does nothing.
 */
int blocks_vacuum(struct store *st, bool closing)
{
	if (!st->auto_vacuum || (!closing && !st->vacuum_due))
		return SQLITE_OK;
	st->vacuum_due = false;
	int64_t free_pages;
	int rc = freelist_pages(st, &free_pages);
	if (rc != SQLITE_OK || free_pages == 0)
		return rc;
	if (closing)
		return sqlite3_exec(st->db, "PRAGMA incremental_vacuum", NULL, NULL, NULL);
	if (free_pages <= VACUUM_KEEP_PAGES)
		return SQLITE_OK;
	st->vacuum_due = true; /* more next time */
	return writer_run(st->q_vacuum);
}
