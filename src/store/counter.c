/* SPDX-License-Identifier: Apache-2.0 */
/* Counter unwrapping, reset correction and plausibility: see counter.h and DOMAIN.md §3. */
#include "store/counter.h"

#include <math.h>
#include <stddef.h>

/* Within what a meter counting at most max_rate can show after elapsed_s, give or take one
 * step of its register (counter.h). */
static bool plausible(double delta, double elapsed_s, double max_rate, double step)
{
	if (max_rate <= 0)
		return true;
	return delta <= max_rate * elapsed_s * COUNTER_RATE_SLACK + step;
}

struct counter_result counter_step(unsigned bits, double prev_raw, double new_raw, double elapsed_s,
                                   double max_rate)
{
	return counter_step_scaled(bits, 1.0, prev_raw, new_raw, elapsed_s, max_rate);
}

struct counter_result counter_step_scaled(unsigned bits, double scale, double prev_raw,
                                          double new_raw, double elapsed_s, double max_rate)
{
	struct counter_result r = {0, COUNTER_REJECTED};
	double q = scale > 0 ? scale : 1.0;

	if (!isfinite(new_raw) || !isfinite(prev_raw) || !(elapsed_s >= 0))
		return r;

	if (new_raw >= prev_raw) {
		double d = new_raw - prev_raw;
		if (!plausible(d, elapsed_s, max_rate, q))
			return r;
		r.delta = d;
		r.outcome = COUNTER_OK;
		return r;
	}

	if (bits == 16 || bits == 32) {
		double range = ldexp(1.0, (int)bits) * q;
		double w = new_raw + range - prev_raw;
		bool ok = w >= 0 &&
		          (max_rate > 0 ? plausible(w, elapsed_s, max_rate, q) : w < range / 4);
		if (ok) {
			r.delta = w;
			r.outcome = COUNTER_WRAP;
			return r;
		}
	}

	r.outcome = COUNTER_RESET;
	r.delta = new_raw > 0 && plausible(new_raw, elapsed_s, max_rate, q) ? new_raw : 0;
	return r;
}

const char *counter_event_kind(enum counter_outcome o)
{
	switch (o) {
	case COUNTER_RESET:
		return "counter_reset";
	case COUNTER_REJECTED:
		return "counter_rejected";
	default:
		return NULL;
	}
}

static double secs(int64_t from_ms, int64_t to_ms)
{
	return (double)(to_ms - from_ms) / 1000.0;
}

void counter_feed(struct counter_state *s, const struct counter_params *p, int64_t ts, double raw,
                  struct counter_verdict *v)
{
	*v = (struct counter_verdict){.outcome = COUNTER_REJECTED, .prev_raw = s->raw};
	if (!s->have) {
		if (!isfinite(raw))
			return;
		*s = (struct counter_state){
		        .have = true, .raw = raw, .total = raw, .last_ts = ts, .chg_ts = ts};
		*v = (struct counter_verdict){
		        .outcome = COUNTER_OK, .store = true, .total = raw, .prev_raw = raw};
		return;
	}
	if (ts <= s->last_ts) {
		v->not_after = true;
		return;
	}
	v->elapsed_s = secs(s->chg_ts, ts);
	struct counter_result r =
	        counter_step_scaled(p->bits, p->scale, s->raw, raw, v->elapsed_s, p->max_rate);
	if (r.outcome == COUNTER_REJECTED && s->have_pend && isfinite(raw)) {
		struct counter_result r2 = counter_step_scaled(p->bits, p->scale, s->pend_raw, raw,
		                                               secs(s->pend_ts, ts), p->max_rate);
		if (r2.outcome == COUNTER_OK || r2.outcome == COUNTER_WRAP) {
			/* The held reading was the meter's new level: continue from it. */
			s->raw = s->pend_raw;
			s->chg_ts = s->pend_ts;
			v->rebased = true;
			v->prev_raw = s->pend_raw;
			v->elapsed_s = secs(s->pend_ts, ts);
			r = r2;
		}
	}
	s->last_ts = ts;
	v->outcome = r.outcome;
	if (r.outcome == COUNTER_REJECTED) {
		if (isfinite(raw)) {
			s->have_pend = true;
			s->pend_raw = raw;
			s->pend_ts = ts;
		}
		return;
	}
	s->have_pend = false;
	double t = s->total + r.delta;
	v->store = true;
	v->inc = t - s->total; /* exactly the difference of the stored totals */
	v->total = s->total = t;
	if (raw != s->raw)
		s->chg_ts = ts;
	s->raw = raw;
}
