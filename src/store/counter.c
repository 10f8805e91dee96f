/* Counter unwrapping and reset correction: see counter.h and DOMAIN.md §3. */
#include "store/counter.h"

#include <math.h>
#include <stddef.h>

static bool plausible(double delta, double elapsed_s, double max_rate)
{
	if (max_rate <= 0)
		return true;
	return delta <= max_rate * elapsed_s * COUNTER_RATE_SLACK;
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

	if (!isfinite(new_raw) || !isfinite(prev_raw) || !(elapsed_s >= 0))
		return r;

	if (new_raw >= prev_raw) {
		double d = new_raw - prev_raw;
		if (!plausible(d, elapsed_s, max_rate))
			return r;
		r.delta = d;
		r.outcome = COUNTER_OK;
		return r;
	}

	if (bits == 16 || bits == 32) {
		double range = ldexp(1.0, (int)bits) * (scale > 0 ? scale : 1.0);
		double w = new_raw + range - prev_raw;
		bool ok = w >= 0 &&
		          (max_rate > 0 ? plausible(w, elapsed_s, max_rate) : w < range / 4);
		if (ok) {
			r.delta = w;
			r.outcome = COUNTER_WRAP;
			return r;
		}
	}

	r.outcome = COUNTER_RESET;
	r.delta = new_raw > 0 && plausible(new_raw, elapsed_s, max_rate) ? new_raw : 0;
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
