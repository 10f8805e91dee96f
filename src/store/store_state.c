/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store writer's per-series state: counter state and the open hour in RAM, mirrored in
 * `series_state` rows at every commit that changes them, and rebuilt from the database at
 * open and after a failed batch (the crash-recovery path, docs/internals/store.md).
 */
#include "store/store_writer.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct wseries *state_get(struct store *st, int64_t id)
{
	if (id <= 0)
		return NULL;
	if ((size_t)id >= st->ws_cap) {
		size_t old = st->ws_cap, c = old ? old : 1024;
		while (c <= (size_t)id)
			c *= 2;
		struct wseries *p = realloc(st->ws, c * sizeof(*p));
		if (!p)
			return NULL;
		memset(p + old, 0, (c - old) * sizeof(*p));
		for (size_t i = old; i < c; i++) {
			p[i].open_t0 = NO_HOUR;
			p[i].packed_t0 = NO_HOUR;
		}
		st->ws = p;
		st->ws_cap = c;
	}
	return &st->ws[id];
}

void state_reset_all(struct store *st)
{
	for (size_t i = 0; i < st->ws_cap; i++) {
		struct wseries *w = &st->ws[i];
		free(w->off);
		free(w->val);
		free(w->inc);
		memset(w, 0, sizeof(*w));
		w->open_t0 = NO_HOUR;
		w->packed_t0 = NO_HOUR;
	}
	st->ndirty = 0;
	st->nlate = 0;
	st->packed_any = false;
}

void state_mark_dirty(struct store *st, int64_t id, struct wseries *w)
{
	if (w->dirty)
		return;
	if (writer_grow((void **)&st->dirty, &st->dirty_cap, st->ndirty + 1, sizeof(int64_t)) ==
	    0) {
		st->dirty[st->ndirty++] = id;
		w->dirty = true;
	}
}

int state_open_append(struct wseries *w, int64_t ts, double v, double inc)
{
	if (w->n == w->cap) {
		size_t c = w->cap ? w->cap * 2 : 64;
		uint32_t *o = realloc(w->off, c * sizeof(*o));
		if (!o)
			return -ENOMEM;
		w->off = o;
		double *x = realloc(w->val, c * sizeof(*x));
		if (!x)
			return -ENOMEM;
		w->val = x;
		if (w->kind == STORE_COUNTER) {
			double *y = realloc(w->inc, c * sizeof(*y));
			if (!y)
				return -ENOMEM;
			w->inc = y;
		}
		w->cap = c;
	}
	uint32_t o = (uint32_t)(ts - w->open_t0);
	if (w->n > 0 && o < w->off[w->n - 1])
		w->unsorted = true;
	w->off[w->n] = o;
	w->val[w->n] = v;
	if (w->inc)
		w->inc[w->n] = inc;
	w->n++;
	return 0;
}

static void bind_ts(sqlite3_stmt *q, int i, int64_t v, bool have)
{
	if (have)
		sqlite3_bind_int64(q, i, v);
	else
		sqlite3_bind_null(q, i);
}

int state_persist(struct store *st)
{
	for (size_t i = 0; i < st->ndirty; i++) {
		int64_t id = st->dirty[i];
		struct wseries *w = &st->ws[id];
		sqlite3_stmt *q = st->q_state;
		sqlite3_bind_int64(q, 1, id);
		if (w->open_t0 != NO_HOUR) {
			sqlite3_bind_int64(q, 2, w->open_t0);
			sqlite3_bind_int64(q, 3, w->open_seq);
		} else {
			sqlite3_bind_null(q, 2);
			sqlite3_bind_null(q, 3);
		}
		if (w->packed_t0 != NO_HOUR)
			sqlite3_bind_int64(q, 4, w->packed_t0);
		else
			sqlite3_bind_null(q, 4);
		const struct counter_state *c = &w->cs;
		sqlite3_bind_int(q, 5, c->have);
		writer_bind_real(q, 6, c->raw, c->have);
		writer_bind_real(q, 7, c->total, c->have);
		bind_ts(q, 8, c->last_ts, c->have);
		bind_ts(q, 9, c->chg_ts, c->have);
		writer_bind_real(q, 10, c->pend_raw, c->have_pend);
		bind_ts(q, 11, c->pend_ts, c->have_pend);
		int rc = writer_run(q);
		if (rc != SQLITE_OK)
			return rc;
		w->dirty = false;
	}
	st->ndirty = 0;
	return SQLITE_OK;
}

struct recover_ctx {
	struct store *st;
	int64_t seq; /* of the blob being replayed */
};

/* One series' samples of a staging blob: those of its open hour go back to RAM. */
static int recover_run(void *ctx, const struct stage_run *run)
{
	struct recover_ctx *rx = ctx;
	struct store *st = rx->st;
	int64_t id = run->series;
	for (size_t i = 0; i < run->n; i++)
		if (run->ts[i] > st->clock_ms)
			st->clock_ms = run->ts[i];
	if (id <= 0 || (size_t)id >= st->ws_cap)
		return 0;
	struct wseries *w = &st->ws[id];
	if (!w->known || w->open_t0 == NO_HOUR || rx->seq < w->open_seq)
		return 0;
	if (w->kind == STORE_COUNTER && !w->inc && w->cap) {
		w->inc = calloc(w->cap, sizeof(double));
		if (!w->inc)
			return -ENOMEM;
	}
	for (size_t i = 0; i < run->n; i++) {
		if (bucket_floor(run->ts[i], 0, HOUR_MS) != w->open_t0)
			continue;
		if (state_open_append(w, run->ts[i], run->v[i], run->inc[i]) < 0)
			return -ENOMEM;
	}
	return 0;
}

int state_recover(struct store *st)
{
	state_reset_all(st);
	st->clock_ms = INT64_MIN;
	st->last_seq = 0;
	st->stage_hour = INT64_MIN;
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(st->db,
	                            "SELECT s.id, s.kind, s.counter_bits, s.max_rate, t.open_t0, "
	                            "t.open_rowid, t.packed_t0, t.have_last, t.last_raw, t.total, "
	                            "t.last_ts, s.counter_scale, t.chg_ts, t.pend_raw, t.pend_ts "
	                            "FROM series s LEFT JOIN series_state t ON t.series = s.id",
	                            -1, &q, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(q, 0);
		struct wseries *w = state_get(st, id);
		if (!w) {
			rc = SQLITE_NOMEM;
			break;
		}
		w->known = true;
		w->kind = sqlite3_column_int(q, 1);
		w->bits = (unsigned)sqlite3_column_int(q, 2);
		w->max_rate = sqlite3_column_double(q, 3);
		w->scale = sqlite3_column_double(q, 11);
		if (sqlite3_column_type(q, 4) != SQLITE_NULL) {
			w->open_t0 = sqlite3_column_int64(q, 4);
			w->open_seq = sqlite3_column_int64(q, 5);
		}
		if (sqlite3_column_type(q, 6) != SQLITE_NULL) {
			w->packed_t0 = sqlite3_column_int64(q, 6);
			if (w->packed_t0 + HOUR_MS - 1 > st->clock_ms)
				st->clock_ms = w->packed_t0 + HOUR_MS - 1;
		}
		struct counter_state *c = &w->cs;
		c->have = sqlite3_column_int(q, 7) != 0;
		if (c->have) {
			c->raw = sqlite3_column_double(q, 8);
			c->total = sqlite3_column_double(q, 9);
			c->last_ts = sqlite3_column_int64(q, 10);
			/* a row from before schema 3 has no change time: its last reading's */
			c->chg_ts = sqlite3_column_type(q, 12) == SQLITE_NULL
			                    ? c->last_ts
			                    : sqlite3_column_int64(q, 12);
			c->have_pend = sqlite3_column_type(q, 14) != SQLITE_NULL;
			if (c->have_pend) {
				c->pend_raw = sqlite3_column_double(q, 13);
				c->pend_ts = sqlite3_column_int64(q, 14);
			}
		}
		rc = SQLITE_OK;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE && rc != SQLITE_OK)
		return rc;

	/* The open hours: samples in staging blobs at or after each series' open_seq, in its
	 * open hour. */
	q = NULL;
	rc = sqlite3_prepare_v2(st->db, "SELECT seq, data FROM staging ORDER BY seq", -1, &q, NULL);
	struct stage_dec dec = {0};
	struct recover_ctx rx = {st, 0};
	while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		rx.seq = sqlite3_column_int64(q, 0);
		if (rx.seq > st->last_seq)
			st->last_seq = rx.seq;
		int d = staging_decode(st->codec, &dec, sqlite3_column_blob(q, 1),
		                       (size_t)sqlite3_column_bytes(q, 1), 0, recover_run, &rx);
		rc = d == 0 ? SQLITE_OK : d == -ENOMEM ? SQLITE_NOMEM : SQLITE_CORRUPT;
	}
	sqlite3_finalize(q);
	stage_dec_free(&dec);
	if (rc != SQLITE_DONE && rc != SQLITE_OK)
		return rc;
	st->retention_hour = INT64_MIN;
	return SQLITE_OK;
}
