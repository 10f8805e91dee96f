/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One queued sample or series row through the store writer: counters are unwrapped and
 * reset-corrected (counter.h) with an event for every discontinuity, the sample is staged
 * (staging_add: the durable acknowledgement once the batch commits) and goes to its series'
 * open hour in RAM, or to the batch's late list when its hour is not the open one.
 */
#include "store/store_writer.h"

#include "store/counter.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* The event for a counter reading that is a discontinuity (counter.h), if any. */
static int counter_event(struct store *st, int64_t id, int64_t ts, double value,
                         const struct wseries *w, const struct counter_state *before,
                         const struct counter_verdict *v)
{
	char d[256];
	if (v->not_after) {
		snprintf(d, sizeof(d), "reading %.17g at %lld is not after %lld", value,
		         (long long)ts, (long long)before->last_ts);
	} else if (!before->have) {
		snprintf(d, sizeof(d), "first reading is not a finite number");
	} else if (v->outcome == COUNTER_REJECTED) {
		snprintf(d, sizeof(d),
		         "raw %.17g -> %.17g after %.3f s since its last change: above %.17g/s "
		         "x 1.1 + one step %.17g; not counted, held: if the next reading "
		         "continues from it, it becomes the baseline",
		         v->prev_raw, value, v->elapsed_s, w->max_rate,
		         w->scale > 0 ? w->scale : 1);
	} else {
		snprintf(d, sizeof(d), "raw %.17g -> %.17g after %.3f s, counted %.17g",
		         v->prev_raw, value, v->elapsed_s, v->inc);
	}
	return event_write(
	        st, ts, id,
	        v->outcome == COUNTER_WRAP ? "register_wrap" : counter_event_kind(v->outcome), d);
}

int sample_write(struct store *st, int64_t id, int64_t ts, double value)
{
	struct wseries *w = state_get(st, id);
	if (!w || !w->known)
		return SQLITE_OK; /* store_append validated ids; a vanished one is dropped */
	double inc = 0;
	int rc;

	if (w->kind == STORE_COUNTER) {
		const struct counter_params p = {w->bits, w->scale, w->max_rate};
		struct counter_verdict v;
		struct counter_state before = w->cs;
		counter_feed(&w->cs, &p, ts, value, &v);
		/* A wrap is counted exactly and is no discontinuity, but the register's history
		 * shows it: a report lists it among its counter events (register_wrap). */
		if ((counter_is_event(v.outcome) || v.outcome == COUNTER_WRAP) &&
		    (rc = counter_event(st, id, ts, value, w, &before, &v)) != SQLITE_OK)
			return rc;
		state_mark_dirty(st, id, w);
		if (!v.store)
			return SQLITE_OK; /* rejected: not stored */
		value = v.total;
		inc = v.inc;
	}

	int64_t h = bucket_floor(ts, 0, HOUR_MS);
	if (ts > st->clock_ms)
		st->clock_ms = ts;
	bool late = w->open_t0 != NO_HOUR ? h < w->open_t0
	                                  : (w->packed_t0 != NO_HOUR && h <= w->packed_t0);
	bool opens = h != w->open_t0 && !late;
	if (opens && h > st->stage_hour) {
		/* The first series to open this hour: what is staged so far goes into blobs of
		 * its own, so that once the earlier hours are packed, those blobs can be trimmed
		 * whole (a big batch would otherwise keep them alive with the new hour's). */
		if ((rc = staging_flush(st)) != SQLITE_OK)
			return rc;
		st->batch_seq = st->last_seq + 1;
		st->stage_hour = h;
	}
	if ((rc = staging_add(st, id, ts, value, inc)) != SQLITE_OK)
		return rc;
	if (late) {
		if (writer_grow((void **)&st->late, &st->late_cap, st->nlate + 1,
		                sizeof(*st->late)) < 0)
			return SQLITE_NOMEM;
		st->late[st->nlate++] = (struct late){id, ts, value, inc};
		return SQLITE_OK;
	}
	if (opens) {
		if ((rc = blocks_pack_open(st, id, w)) != SQLITE_OK)
			return rc;
		w->open_t0 = h;
		w->open_seq = st->batch_seq;
		state_mark_dirty(st, id, w);
	}
	return state_open_append(w, ts, value, inc) < 0 ? SQLITE_NOMEM : SQLITE_OK;
}

int series_write(struct store *st, const struct series_msg *m)
{
	sqlite3_stmt *q = st->q_series;
	sqlite3_bind_int64(q, 1, m->id);
	sqlite3_bind_text(q, 2, m->device, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, m->metric, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, m->labels, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 5, m->kind);
	sqlite3_bind_int(q, 6, (int)m->bits);
	sqlite3_bind_double(q, 7, m->max_rate);
	sqlite3_bind_double(q, 8, m->scale);
	int rc = writer_run(q);
	if (rc != SQLITE_OK)
		return rc;
	struct wseries *w = state_get(st, m->id);
	if (!w)
		return SQLITE_NOMEM;
	if (w->known && w->kind != m->kind && w->n > 0) {
		/* A kind change closes the hour stored under the old kind. */
		if ((rc = blocks_pack_open(st, m->id, w)) != SQLITE_OK)
			return rc;
	}
	w->known = true;
	if (m->kind == STORE_COUNTER && !w->inc && w->cap) {
		w->inc = calloc(w->cap, sizeof(double));
		if (!w->inc)
			return SQLITE_NOMEM;
	}
	w->kind = m->kind;
	w->bits = m->bits;
	w->max_rate = m->max_rate;
	w->scale = m->scale;
	return SQLITE_OK;
}
