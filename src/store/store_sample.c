/*
 * One queued sample or series row through the store writer: counters are unwrapped and
 * reset-corrected (counter.h) with an event for every discontinuity, the sample is staged
 * (the durable acknowledgement) and goes to its series' open hour in RAM, or to the batch's
 * late list when its hour is not the open one.
 */
#include "store/store_writer.h"

#include "store/counter.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int sample_write(struct store *st, int64_t id, int64_t ts, double value)
{
	struct wseries *w = state_get(st, id);
	if (!w || !w->known)
		return SQLITE_OK; /* store_append validated ids; a vanished one is dropped */
	double inc = 0;
	int rc;

	if (w->kind == STORE_COUNTER) {
		if (!w->have_last) {
			if (!isfinite(value)) {
				return event_write(st, ts, id, "counter_rejected",
				                   "first reading is not a finite number");
			}
			w->have_last = true;
			w->total = value;
		} else if (ts <= w->last_ts) {
			char d[128];
			snprintf(d, sizeof(d), "reading %.17g at %lld is not after %lld", value,
			         (long long)ts, (long long)w->last_ts);
			return event_write(st, ts, id, "counter_rejected", d);
		} else {
			struct counter_result r = counter_step_scaled(
			        w->bits, w->scale, w->last_raw, value,
			        (double)(ts - w->last_ts) / 1000.0, w->max_rate);
			/* A wrap is counted exactly and is no discontinuity, but the register's
			 * history shows it: a report lists it among its counter events. */
			const char *ev = r.outcome == COUNTER_WRAP ? "register_wrap"
			                                           : counter_event_kind(r.outcome);
			if (ev) {
				char d[160];
				snprintf(d, sizeof(d),
				         "raw %.17g -> %.17g after %.3f s, counted %.17g",
				         w->last_raw, value, (double)(ts - w->last_ts) / 1000.0,
				         r.delta);
				if ((rc = event_write(st, ts, id, ev, d)) != SQLITE_OK)
					return rc;
			}
			if (r.outcome == COUNTER_REJECTED) {
				/* The sample is dropped; a finite reading becomes the new baseline
				 * (see counter.h: a later plausible increase is then counted). */
				if (isfinite(value)) {
					w->last_raw = value;
					w->last_ts = ts;
					state_mark_dirty(st, id, w);
				}
				return SQLITE_OK;
			}
			double t = w->total + r.delta;
			inc = t - w->total; /* exactly the difference of the stored totals */
			w->total = t;
		}
		w->last_raw = value;
		w->last_ts = ts;
		value = w->total;
		state_mark_dirty(st, id, w);
	}

	sqlite3_stmt *q = st->q_stage;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, ts);
	sqlite3_bind_double(q, 3, value); /* NaN binds as NULL */
	sqlite3_bind_double(q, 4, inc);
	if ((rc = writer_run(q)) != SQLITE_OK)
		return rc;
	int64_t rowid = sqlite3_last_insert_rowid(st->db);
	st->last_rowid = rowid;

	int64_t h = bucket_floor(ts, 0, HOUR_MS);
	if (ts > st->clock_ms)
		st->clock_ms = ts;
	if (w->open_t0 != NO_HOUR && h == w->open_t0)
		return state_open_append(w, ts, value, inc) < 0 ? SQLITE_NOMEM : SQLITE_OK;
	bool late = w->open_t0 != NO_HOUR ? h < w->open_t0
	                                  : (w->packed_t0 != NO_HOUR && h <= w->packed_t0);
	if (late) {
		if (writer_grow((void **)&st->late, &st->late_cap, st->nlate + 1,
		                sizeof(*st->late)) < 0)
			return SQLITE_NOMEM;
		st->late[st->nlate++] = (struct late){id, ts, value, inc};
		return SQLITE_OK;
	}
	if ((rc = blocks_pack_open(st, id, w)) != SQLITE_OK)
		return rc;
	w->open_t0 = h;
	w->open_rowid = rowid;
	state_mark_dirty(st, id, w);
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
