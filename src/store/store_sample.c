/*
 * One queued sample or series row through the store writer: counters are unwrapped and
 * reset-corrected (counter.h) with an event for every discontinuity, and the sample is staged
 * (staging_add: the durable acknowledgement once the batch commits); one for an hour its
 * shard has packed already also goes to the batch's late list.
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
	return event_write(st, ts, id, counter_event_kind(v->outcome), d);
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
		if (counter_is_event(v.outcome) &&
		    (rc = counter_event(st, id, ts, value, w, &before, &v)) != SQLITE_OK)
			return rc;
		state_mark_dirty(st, id, w);
		if (!v.store)
			return SQLITE_OK; /* rejected: not stored */
		value = v.total;
		inc = v.inc;
	}

	if (ts > st->clock_ms)
		st->clock_ms = ts;
	if ((rc = staging_add(st, id, ts, value, inc)) != SQLITE_OK)
		return rc;
	if (ts >= st->shard[staging_shard(id)].until)
		return SQLITE_OK; /* unpacked: its shard's next pass packs it */
	/* Its hour is packed already: merged into its block at the end of the batch (the staged
	 * copy is below its shard's `until`, so no reader takes it twice). */
	if (writer_grow((void **)&st->late, &st->late_cap, st->nlate + 1, sizeof(*st->late)) < 0)
		return SQLITE_NOMEM;
	st->late[st->nlate++] = (struct late){id, ts, value, inc};
	return SQLITE_OK;
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
	w->known = true;
	w->kind = m->kind;
	w->bits = m->bits;
	w->max_rate = m->max_rate;
	w->scale = m->scale;
	return SQLITE_OK;
}
