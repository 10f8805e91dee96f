/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `staging` table: every acknowledged sample, durable at the commit of its batch, until
 * its hour is packed into a block. The writer stores one commit as one compressed blob per
 * shard of series (a shard is 16 consecutive series ids out of every 4,096, so a device's
 * series share one), instead of one row per sample: a commit costs a few inserts, and a
 * reader of one series' open hour decodes only its shard's blobs, found through the
 * (shard, seq) index. Blob format below; the writer's side (staging_add, staging_flush) runs
 * in the batch transaction, the readers' side (staging_decode, store_tail) on any
 * connection (the open hour's samples: store_read.c). docs/internals/store.md, "Where a sample
 * lives".
 *
 *   byte 0   version (1) << 4 | flags (bit 0: the body is a zstd frame without its magic)
 *   uvarint  total samples in the blob
 *   zigzag   base: the smallest timestamp
 *   body     runs, ascending by series id:
 *              uvarint series id - previous run's (the first: the id itself)
 *              uvarint length of the rest of the run
 *              uvarint count; byte flags (bit 0: counter increases follow)
 *              time stream (relative to base, arrival order), value stream, [inc stream]
 *            (streams as in store_codec.h)
 */
#include "store/store_writer.h"

#include "store/store_codec.h"
#include "store/store_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define STAGE_VERSION    1
#define STAGE_FLAG_INC   0x01
#define STAGE_ZSTD_LEVEL 1
/* A shard's part of a big batch is split into blobs of about this many samples (1-2 KB):
 * several fit in a page, so pages stay full as blobs come and go. */
#define STAGE_BLOB_SAMPLES 1024
/* What a reader accepts in one blob. */
#define STAGE_BLOB_MAX 65536

int staging_shard(int64_t series)
{
	return (int)(((uint64_t)series >> 4) & (STAGING_SHARDS - 1));
}

/* ---- writer ---- */

int staging_add(struct store *st, int64_t id, int64_t ts, double v, double inc)
{
	if (writer_grow((void **)&st->stage, &st->stage_cap, st->nstage + 1, sizeof(*st->stage)) <
	    0)
		return SQLITE_NOMEM;
	st->stage[st->nstage++] = (struct stage_item){id, ts, v, inc};
	if (id > st->stage_max_id)
		st->stage_max_id = id;
	return SQLITE_OK;
}

/* Position of every item in shard-major, then series, then arrival order (a counting sort
 * over the dense ids, at most max_id). 0 or -ENOMEM. */
static int stage_order(const struct stage_item *items, size_t n, int64_t max_id, size_t **order_out)
{
	size_t nid = (size_t)max_id + 1;
	size_t *start = calloc(nid + 1, sizeof(*start));
	size_t *order = malloc((n ? n : 1) * sizeof(*order));
	if (!start || !order) {
		free(start);
		free(order);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		start[items[i].series]++;
	/* prefix sums, ids visited shard by shard */
	size_t pos = 0;
	for (int s = 0; s < STAGING_SHARDS; s++) {
		for (size_t b = (size_t)s * 16; b < nid; b += (size_t)STAGING_SHARDS * 16) {
			for (size_t id = b; id < b + 16 && id < nid; id++) {
				size_t c = start[id];
				start[id] = pos;
				pos += c;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		order[start[items[i].series]++] = i;
	free(start);
	*order_out = order;
	return 0;
}

static int enc_room(struct stage_enc *e, size_t n)
{
	if (n <= e->cap)
		return 0;
	size_t cap = e->cap ? e->cap : 256;
	while (cap < n)
		cap *= 2;
	int64_t *a = realloc(e->ts, cap * sizeof(*a));
	if (a)
		e->ts = a;
	double *b = realloc(e->v, cap * sizeof(*b));
	if (b)
		e->v = b;
	double *c = realloc(e->inc, cap * sizeof(*c));
	if (c)
		e->inc = c;
	if (!a || !b || !c)
		return -ENOMEM;
	e->cap = cap;
	return 0;
}

/* Encode items[order[lo, hi)] (one shard, sorted by series) as one blob into e->blob. */
static int stage_encode(struct stage_enc *e, const struct stage_item *items, const size_t *order,
                        size_t lo, size_t hi)
{
	struct codec_buf *body = &e->body, *blob = &e->blob, *run = &e->run;
	body->len = blob->len = 0;
	body->oom = blob->oom = false;
	if (enc_room(e, hi - lo) < 0)
		return -ENOMEM;
	int64_t base = INT64_MAX, prev_id = 0;
	for (size_t k = lo; k < hi; k++)
		if (items[order[k]].ts < base)
			base = items[order[k]].ts;
	for (size_t k = lo; k < hi;) {
		int64_t id = items[order[k]].series;
		size_t j = k;
		bool inc = false;
		for (; j < hi && items[order[j]].series == id; j++) {
			const struct stage_item *it = &items[order[j]];
			e->ts[j - k] = it->ts;
			e->v[j - k] = it->value;
			e->inc[j - k] = it->inc;
			inc |= it->inc != 0;
		}
		size_t n = j - k;
		run->len = 0;
		run->oom = false;
		codec_put_uvarint(run, n);
		codec_put_uvarint(run, inc ? STAGE_FLAG_INC : 0);
		codec_put_times(run, base, e->ts, n);
		codec_put_values(run, e->v, n);
		if (inc)
			codec_put_values(run, e->inc, n);
		if (run->oom)
			return -ENOMEM;
		codec_put_uvarint(body, (uint64_t)(id - prev_id));
		codec_put_uvarint(body, run->len);
		codec_buf_add(body, run->p, run->len);
		prev_id = id;
		k = j;
	}
	uint8_t hdr = STAGE_VERSION << 4;
	codec_buf_add(blob, &hdr, 1);
	codec_put_uvarint(blob, hi - lo);
	codec_put_svarint(blob, base);
	size_t at = blob->len;
	if (codec_zstd_put(e->codec, blob, body->p, body->len, STAGE_ZSTD_LEVEL) &&
	    blob->len - at < body->len) {
		blob->p[0] |= CODEC_FLAG_ZSTD;
	} else {
		blob->len = at;
		codec_buf_add(blob, body->p, body->len);
	}
	return blob->oom || body->oom ? -ENOMEM : 0;
}

int staging_write(struct stage_enc *e, sqlite3_stmt *ins, const struct stage_item *items, size_t n,
                  int64_t max_id, int64_t *seq)
{
	if (n == 0)
		return SQLITE_OK;
	size_t *order;
	if (stage_order(items, n, max_id, &order) < 0)
		return SQLITE_NOMEM;
	int rc = SQLITE_OK;
	for (size_t k = 0; k < n && rc == SQLITE_OK;) {
		int shard = staging_shard(items[order[k]].series);
		size_t j = k;
		/* (a series' samples may continue in the next blob: blobs are read in seq order) */
		while (j < n && j - k < STAGE_BLOB_SAMPLES &&
		       staging_shard(items[order[j]].series) == shard)
			j++;
		if (stage_encode(e, items, order, k, j) < 0) {
			rc = SQLITE_NOMEM;
			break;
		}
		sqlite3_bind_int64(ins, 1, ++*seq);
		sqlite3_bind_int(ins, 2, shard);
		sqlite3_bind_int64(ins, 3, (int64_t)(j - k));
		sqlite3_bind_blob(ins, 4, e->blob.p, (int)e->blob.len, SQLITE_STATIC);
		rc = sqlite3_step(ins);
		sqlite3_reset(ins);
		sqlite3_bind_null(ins, 4);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		k = j;
	}
	free(order);
	return rc;
}

void stage_enc_free(struct stage_enc *e)
{
	codec_buf_free(&e->body);
	codec_buf_free(&e->blob);
	codec_buf_free(&e->run);
	free(e->ts);
	free(e->v);
	free(e->inc);
	memset(e, 0, sizeof(*e));
}

int staging_flush(struct store *st)
{
	size_t from = st->stage_flushed;
	if (from == st->nstage)
		return SQLITE_OK; /* nothing new (and st->stage may be NULL: no offset to add) */
	st->stage_flushed = st->nstage;
	return staging_write(&st->stage_enc, st->q_stage, st->stage + from, st->nstage - from,
	                     st->stage_max_id, &st->last_seq);
}

void staging_clear(struct store *st)
{
	st->nstage = 0;
	st->stage_flushed = 0;
	st->stage_max_id = 0;
}

/* ---- readers ---- */

int staging_decode(struct codec *c, struct stage_dec *d, const uint8_t *blob, size_t len,
                   int64_t only, int (*cb)(void *ctx, const struct stage_run *run), void *ctx)
{
	const uint8_t *p = blob, *end = blob + len;
	uint64_t total, u;
	int64_t base;
	if (len < 1 || (p[0] >> 4) != STAGE_VERSION || (p[0] & ~(0xf0 | CODEC_FLAG_ZSTD)))
		return -EBADMSG;
	bool packed = p[0] & CODEC_FLAG_ZSTD;
	p++;
	if (!(p = codec_get_uvarint(p, end, &total)) || !(p = codec_get_svarint(p, end, &base)) ||
	    total > STAGE_BLOB_MAX)
		return -EBADMSG;
	if (packed) {
		const uint8_t *body;
		/* every sample: at most 10 bytes of time, 18 of value, 18 of increase; every run
		 * at most 30 bytes of header */
		long blen = codec_zstd_get(c, p, (size_t)(end - p), total * 76 + 32, &body);
		if (blen < 0)
			return (int)blen;
		p = body;
		end = body + blen;
	}
	int64_t id = 0;
	size_t seen = 0;
	while (p < end) {
		uint64_t rlen, n, f;
		/* ids ascend from 1: every delta is at least 1 */
		if (!(p = codec_get_uvarint(p, end, &u)) ||
		    !(p = codec_get_uvarint(p, end, &rlen)) || rlen > (uint64_t)(end - p) ||
		    u == 0 || u > (uint64_t)(INT64_MAX - id))
			return -EBADMSG;
		id = (int64_t)((uint64_t)id + u);
		const uint8_t *r = p, *rend = p + rlen;
		p = rend;
		if (only > 0 && id < only)
			continue;
		if (only > 0 && id > only)
			return 0; /* runs are sorted: it is not here */
		if (!(r = codec_get_uvarint(r, rend, &n)) ||
		    !(r = codec_get_uvarint(r, rend, &f)) || n == 0 || n > total - seen ||
		    (f & ~(uint64_t)STAGE_FLAG_INC))
			return -EBADMSG;
		seen += n;
		if (n > d->cap) {
			size_t cap = d->cap ? d->cap : 256;
			while (cap < n)
				cap *= 2;
			int64_t *a = realloc(d->ts, cap * sizeof(*a));
			if (a)
				d->ts = a;
			double *b = realloc(d->v, cap * sizeof(*b));
			if (b)
				d->v = b;
			double *e = realloc(d->inc, cap * sizeof(*e));
			if (e)
				d->inc = e;
			if (!a || !b || !e)
				return -ENOMEM;
			d->cap = cap;
		}
		if (!(r = codec_get_times(r, rend, base, d->ts, n)) ||
		    !(r = codec_get_values(r, rend, d->v, n)))
			return -EBADMSG;
		if (f & STAGE_FLAG_INC) {
			if (!(r = codec_get_values(r, rend, d->inc, n)))
				return -EBADMSG;
		} else {
			memset(d->inc, 0, n * sizeof(*d->inc));
		}
		if (r != rend)
			return -EBADMSG;
		struct stage_run run = {id, n, d->ts, d->v, d->inc};
		int rc = cb(ctx, &run);
		if (rc)
			return rc;
		if (only > 0)
			return 0;
	}
	return 0;
}

void stage_dec_free(struct stage_dec *d)
{
	free(d->ts);
	free(d->v);
	free(d->inc);
	memset(d, 0, sizeof(*d));
}

/* ---- tail ---- */

/* A tail cursor is the seq of a blob and how many of its samples were delivered. */
#define CURSOR_POS_BITS 24
#define CURSOR_POS_MASK ((INT64_C(1) << CURSOR_POS_BITS) - 1)

struct tail_ctx {
	int (*cb)(void *ctx, int64_t series, int64_t ts_ms, double value);
	void *ctx;
	int64_t seq, skip, index; /* samples of this blob to skip, samples seen so far */
	size_t max, count;
	int64_t *cursor;
};

static int tail_run(void *ctx, const struct stage_run *run)
{
	struct tail_ctx *t = ctx;
	for (size_t k = 0; k < run->n; k++) {
		if (t->index++ < t->skip)
			continue;
		*t->cursor = t->seq << CURSOR_POS_BITS | t->index;
		t->count++;
		if (t->cb(t->ctx, run->series, run->ts[k], run->v[k]) || t->count == t->max)
			return 1;
	}
	return 0;
}

int store_tail(struct store_reader *r, int64_t *cursor, size_t max,
               int (*cb)(void *ctx, int64_t series, int64_t ts_ms, double value), void *ctx)
{
	if (!r || !cursor || !cb)
		return -EINVAL;
	if (max == 0)
		return 0;
	int rc = reader_begin(r);
	if (rc < 0)
		return rc;
	/* The writer never deletes the newest staging blob, so seqs never restart; a cursor
	 * beyond the newest blob means another database: start over at its end. */
	int64_t newest = 0;
	rc = sqlite3_step(r->q_tail_max);
	if (rc == SQLITE_ROW)
		newest = sqlite3_column_int64(r->q_tail_max, 0);
	sqlite3_reset(r->q_tail_max);
	if (rc != SQLITE_ROW) {
		reader_end(r);
		return store_sqlite_errno(rc);
	}
	if (*cursor < 0 || (*cursor >> CURSOR_POS_BITS) > newest) {
		*cursor = newest << CURSOR_POS_BITS | CURSOR_POS_MASK;
		reader_end(r);
		return 0;
	}
	struct tail_ctx t = {.cb = cb, .ctx = ctx, .max = max, .cursor = cursor};
	int64_t from = *cursor >> CURSOR_POS_BITS, skip = *cursor & CURSOR_POS_MASK;
	sqlite3_stmt *q = r->q_tail;
	sqlite3_bind_int64(q, 1, from);
	int d = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		t.seq = sqlite3_column_int64(q, 0);
		t.skip = t.seq == from ? skip : 0;
		t.index = 0;
		d = staging_decode(r->codec, &r->dec, sqlite3_column_blob(q, 1),
		                   (size_t)sqlite3_column_bytes(q, 1), 0, tail_run, &t);
		if (d != 0)
			break;
		if (t.index > t.skip) /* every sample of it delivered */
			*cursor = t.seq << CURSOR_POS_BITS | t.index;
	}
	sqlite3_reset(q);
	reader_end(r);
	if (d < 0)
		return d;
	if (d == 0 && rc != SQLITE_DONE)
		return store_sqlite_errno(rc);
	return (int)t.count;
}
