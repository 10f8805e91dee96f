/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Raw retention and the 1-minute aggregates it leaves behind. While a series' raw blocks
 * exist, readers fold its minute buckets from them (no rows of their own). When a block ends
 * more than storage.raw_retention before data time, the writer turns it into one `rollup_1m`
 * row per hour: that hour's minute aggregates (count, min, max, sum, last, its time, delta)
 * packed and compressed, so a query at 1-minute steps still answers after the raw samples are
 * gone. Hour and day rollups are plain rows kept for years (store_rollup.c).
 *
 * A pack (rollup_1m.data):
 *   byte 0   version (1) << 4 | flags (bit 0: the body is a zstd frame without its magic)
 *   uvarint  m, the minutes present
 *   body     time stream of the minutes' starts (base: the hour), m uvarint counts, time stream
 *            of their latest samples (base: the hour), value streams of min, max, sum, last
 *            and delta (store_codec.h; a minute with no finite sample has NaN there)
 */
#include "store/store_writer.h"

#include "store/store_codec.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define PACK_VERSION    1
#define PACK_ZSTD_LEVEL 3
/* A retention pass converts at most this many blocks per commit, so that the first pass
 * over years of expired data never holds the writer up for long. */
#define RETENTION_BLOCKS_PER_COMMIT 4096
/* ... and looks at this many series per commit. */
#define RETENTION_SERIES_PER_COMMIT 8192

#define MINUTES 60

bool minutes_expired(const struct store *st, int64_t h)
{
	return st->opts.raw_retention_ms > 0 && st->clock_ms != INT64_MIN &&
	       h + HOUR_MS <= st->clock_ms - st->opts.raw_retention_ms;
}

/* ---- the pack format ---- */

int minutes_pack(struct codec *c, struct codec_buf *out, int64_t h, const struct agg *a)
{
	int64_t t[MINUTES], last_ts[MINUTES];
	double f[5][MINUTES];
	size_t m = 0;
	for (int k = 0; k < MINUTES; k++) {
		if (!a[k].any || (a[k].count == 0 && a[k].delta == 0))
			continue;
		bool have = a[k].count > 0;
		t[m] = h + k * MINUTE_MS;
		last_ts[m] = have ? a[k].last_ts : t[m];
		f[0][m] = have ? a[k].min : NAN;
		f[1][m] = have ? a[k].max : NAN;
		f[2][m] = have ? a[k].sum : NAN;
		f[3][m] = have ? a[k].last : NAN;
		f[4][m] = a[k].delta;
		m++;
	}
	struct codec_buf body = {0};
	codec_put_times(&body, h, t, m);
	for (size_t i = 0, k = 0; i < m; i++) {
		while (!a[k].any || (a[k].count == 0 && a[k].delta == 0))
			k++;
		codec_put_uvarint(&body, (uint64_t)a[k++].count);
	}
	codec_put_times(&body, h, last_ts, m);
	for (int j = 0; j < 5; j++)
		codec_put_values(&body, f[j], m);
	out->len = 0;
	out->oom = false;
	uint8_t hdr = PACK_VERSION << 4;
	codec_buf_add(out, &hdr, 1);
	codec_put_uvarint(out, m);
	size_t at = out->len;
	if (codec_zstd_put(c, out, body.p, body.len, PACK_ZSTD_LEVEL) && out->len - at < body.len) {
		out->p[0] |= CODEC_FLAG_ZSTD;
	} else {
		out->len = at;
		codec_buf_add(out, body.p, body.len);
	}
	bool oom = body.oom || out->oom;
	codec_buf_free(&body);
	return oom ? -ENOMEM : 0;
}

int minutes_decode(struct codec *c, const uint8_t *blob, size_t len, int64_t h, struct agg *a)
{
	memset(a, 0, MINUTES * sizeof(*a));
	const uint8_t *p = blob, *end = blob + len;
	uint64_t m;
	if (len < 2 || (p[0] >> 4) != PACK_VERSION || (p[0] & 0x0f & ~CODEC_FLAG_ZSTD))
		return -EBADMSG;
	bool packed = p[0] & CODEC_FLAG_ZSTD;
	if (!(p = codec_get_uvarint(p + 1, end, &m)) || m > MINUTES)
		return -EBADMSG;
	if (packed) {
		const uint8_t *body;
		long blen = codec_zstd_get(c, p, (size_t)(end - p), 64 * 100, &body);
		if (blen < 0)
			return (int)blen;
		p = body;
		end = body + blen;
	}
	int64_t t[MINUTES], last_ts[MINUTES];
	uint64_t count[MINUTES];
	double f[5][MINUTES];
	if (!(p = codec_get_times(p, end, h, t, m)))
		return -EBADMSG;
	for (size_t i = 0; i < m; i++)
		if (!(p = codec_get_uvarint(p, end, &count[i])) || count[i] > INT64_MAX)
			return -EBADMSG;
	if (!(p = codec_get_times(p, end, h, last_ts, m)))
		return -EBADMSG;
	for (int j = 0; j < 5; j++)
		if (!(p = codec_get_values(p, end, f[j], m)))
			return -EBADMSG;
	if (p != end)
		return -EBADMSG;
	for (size_t i = 0; i < m; i++) {
		uint64_t off = (uint64_t)t[i] - (uint64_t)h; /* no overflow on hostile times */
		if (t[i] < h || off >= (uint64_t)HOUR_MS || off % MINUTE_MS)
			return -EBADMSG;
		size_t k = (size_t)(off / MINUTE_MS);
		if (a[k].any)
			return -EBADMSG;
		a[k] = (struct agg){.count = (int64_t)count[i],
		                    .min = f[0][i],
		                    .max = f[1][i],
		                    .sum = f[2][i],
		                    .last = f[3][i],
		                    .delta = f[4][i],
		                    .last_ts = last_ts[i],
		                    .any = true};
	}
	return 0;
}

/* ---- the writer's side ---- */

int minutes_merge(struct store *st, int64_t series, int64_t h, const int64_t *ts, const double *v,
                  const double *inc, size_t n)
{
	struct agg a[MINUTES], b[MINUTES];
	memset(b, 0, sizeof(b));
	for (size_t i = 0; i < n; i++) {
		int64_t k = (ts[i] - h) / MINUTE_MS;
		if (k < 0 || k >= MINUTES)
			return SQLITE_INTERNAL;
		rollup_agg_add(&b[k], ts[i], v[i], inc ? inc[i] : 0);
	}
	sqlite3_stmt *q = st->q_min_sel;
	sqlite3_bind_int64(q, 1, series);
	sqlite3_bind_int64(q, 2, h);
	int rc = sqlite3_step(q);
	memset(a, 0, sizeof(a));
	if (rc == SQLITE_ROW && minutes_decode(st->codec, sqlite3_column_blob(q, 0),
	                                       (size_t)sqlite3_column_bytes(q, 0), h, a) < 0)
		rc = SQLITE_CORRUPT;
	sqlite3_reset(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return rc;
	for (int k = 0; k < MINUTES; k++)
		rollup_agg_merge(&a[k], &b[k]);
	struct codec_buf out = {0};
	if (minutes_pack(st->codec, &out, h, a) < 0) {
		codec_buf_free(&out);
		return SQLITE_NOMEM;
	}
	q = st->q_min_put;
	sqlite3_bind_int64(q, 1, series);
	sqlite3_bind_int64(q, 2, h);
	sqlite3_bind_blob(q, 3, out.p, (int)out.len, SQLITE_STATIC);
	rc = writer_run(q);
	sqlite3_bind_null(q, 3);
	codec_buf_free(&out);
	return rc;
}

/* The latest stored value of a counter before t (its increases are differences of the
 * stored totals), NaN when none: the hour rollups hold it. */
static int prev_total(struct store *st, int64_t series, int64_t t, double *out)
{
	sqlite3_stmt *q = st->q_prev_last;
	sqlite3_bind_int64(q, 1, series);
	sqlite3_bind_int64(q, 2, t);
	*out = NAN;
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL)
		*out = sqlite3_column_double(q, 0);
	sqlite3_reset(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Turn the n samples decoded into the scratch arrays (one expired block) into minute
 * aggregates, hour by hour. SQLite result code. */
static int convert_block(struct store *st, int64_t series, int64_t t0, size_t n)
{
	const struct wseries *w = state_get(st, series);
	bool counter = w && w->kind == STORE_COUNTER;
	double prev = NAN;
	int rc = SQLITE_OK;
	if (counter && n > 0 && (rc = prev_total(st, series, t0, &prev)) != SQLITE_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		double v = st->sv[i];
		st->sinc[i] = 0;
		if (counter && isfinite(v)) {
			if (isfinite(prev))
				st->sinc[i] = v - prev; /* what the writer stored as the increase */
			prev = v;
		}
	}
	for (size_t i = 0; i < n && rc == SQLITE_OK;) {
		int64_t h = bucket_floor(st->sts[i], 0, HOUR_MS);
		size_t j = i;
		while (j < n && st->sts[j] < h + HOUR_MS)
			j++;
		rc = minutes_merge(st, series, h, st->sts + i, st->sv + i, st->sinc + i, j - i);
		i = j;
	}
	return rc;
}

/* One series' expired blocks, at most *budget of them. SQLite result code; *more when some
 * are left for the next commit. */
static int retain_series(struct store *st, int64_t series, int64_t cutoff, size_t *budget,
                         bool *more)
{
	sqlite3_stmt *q = st->q_expired;
	sqlite3_bind_int64(q, 1, series);
	sqlite3_bind_int64(q, 2, cutoff);
	int rc;
	size_t nids = 0;
	*more = false;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (sqlite3_column_int64(q, 2) > cutoff)
			continue; /* a span that is not over yet */
		if (nids == *budget) {
			*more = true;
			break;
		}
		if (writer_grow((void **)&st->ids, &st->ids_cap, nids + 1, sizeof(*st->ids)) < 0) {
			rc = SQLITE_NOMEM;
			break;
		}
		st->ids[nids++] = sqlite3_column_int64(q, 0);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return rc;
	*budget -= nids;
	/* Convert each block (read again by id: the ids array is the only state kept). */
	for (size_t k = 0; k < nids; k++) {
		sqlite3_stmt *b = st->q_block_by_id;
		sqlite3_bind_int64(b, 1, st->ids[k]);
		rc = sqlite3_step(b);
		long n = 0;
		int64_t t0 = 0;
		if (rc == SQLITE_ROW) {
			t0 = sqlite3_column_int64(b, 1);
			n = blocks_decode_row(st, b, 0, 0);
		}
		sqlite3_reset(b);
		if (rc != SQLITE_ROW)
			return rc == SQLITE_DONE ? SQLITE_INTERNAL : rc;
		if (n < 0)
			return n == -ENOMEM ? SQLITE_NOMEM : SQLITE_CORRUPT;
		if ((rc = convert_block(st, series, t0, (size_t)n)) != SQLITE_OK)
			return rc;
		sqlite3_bind_int64(st->q_del_block, 1, st->ids[k]);
		if ((rc = writer_run(st->q_del_block)) != SQLITE_OK)
			return rc;
		st->vacuum_due = true;
	}
	return SQLITE_OK;
}

int minutes_retention(struct store *st)
{
	if (st->opts.raw_retention_ms <= 0 || st->clock_ms == INT64_MIN)
		return SQLITE_OK;
	int64_t hour = bucket_floor(st->clock_ms, 0, HOUR_MS);
	if (hour != st->retention_hour) {
		st->retention_hour = hour;
		st->retention_cursor = 1; /* a new pass */
	}
	if (st->retention_cursor <= 0)
		return SQLITE_OK;
	int64_t cutoff = st->clock_ms - st->opts.raw_retention_ms;
	size_t budget = RETENTION_BLOCKS_PER_COMMIT, looked = 0;
	int64_t id = st->retention_cursor;
	for (; (size_t)id < st->ws_cap && looked < RETENTION_SERIES_PER_COMMIT; id++, looked++) {
		if (!st->ws[id].known)
			continue;
		bool more;
		int rc = retain_series(st, id, cutoff, &budget, &more);
		if (rc != SQLITE_OK)
			return rc;
		if (more)
			break; /* this series again at the next commit */
	}
	st->retention_cursor = (size_t)id >= st->ws_cap ? 0 : id;
	return SQLITE_OK;
}
