/*
 * Counter unwrapping and reset correction (DOMAIN.md §3), as one pure function with the state
 * passed in and out by the caller: no statics, so the store's writer, tests and any offline
 * tool get identical answers. Doubles throughout, so float32 kWh registers work too.
 */
#ifndef GREENDC_COUNTER_H
#define GREENDC_COUNTER_H

#include <stdbool.h>

enum counter_outcome {
	COUNTER_OK = 0,   /* the value rose (or stayed): delta = new - prev */
	COUNTER_WRAP,     /* the value dropped and a wrap at 2^bits explains it: not an event */
	COUNTER_RESET,    /* the value dropped and no wrap explains it: an event */
	COUNTER_REJECTED, /* the increase is implausible (above max_rate x elapsed x 1.1), or the
	                   * reading is not a finite number, or time went backwards: an event */
};

struct counter_result {
	double delta; /* increase to add to the unwrapped total; never negative */
	enum counter_outcome outcome;
};

/* Headroom on max_rate x elapsed before an increase is implausible (DOMAIN.md §3). */
#define COUNTER_RATE_SLACK 1.1

/*
 * Work out the increase between two readings of a counter bits wide (16, 32 or 64; 0 means a
 * counter that never wraps, e.g. a float register), elapsed_s apart, with max_rate the largest
 * plausible increase per second (0 = no limit).
 *
 * - rose: delta = new - prev; if max_rate > 0 and delta > max_rate x elapsed x 1.1, REJECTED
 *   with delta 0.
 * - dropped, bits 16/32: the wrapped delta new + 2^bits - prev is a WRAP if plausible: within
 *   max_rate x elapsed x 1.1 when max_rate > 0, else (no rate known) when it is under a quarter
 *   of the counter's range. Otherwise a RESET.
 * - dropped, bits 64 or 0: always a RESET (a 64-bit counter does not wrap in a lifetime).
 * - RESET: the meter restarted from zero, so delta = new; if that is itself implausible the
 *   increase is unknown and delta is 0.
 * - a NaN/inf reading, or elapsed_s < 0: REJECTED, delta 0.
 * What the caller does with the baseline afterwards is its policy (the store moves it to new).
 */
struct counter_result counter_step(unsigned bits, double prev_raw, double new_raw, double elapsed_s,
                                   double max_rate);

/* The same for a counter whose readings were scaled (value = raw count x scale, e.g. a
 * 32-bit Wh register read as kWh with scale 0.001): it wraps at 2^bits x scale. */
struct counter_result counter_step_scaled(unsigned bits, double scale, double prev_raw,
                                          double new_raw, double elapsed_s, double max_rate);

/* True for outcomes that are discontinuities and must be recorded as events. */
static inline bool counter_is_event(enum counter_outcome o)
{
	return o == COUNTER_RESET || o == COUNTER_REJECTED;
}

/* "counter_reset", "counter_rejected", or NULL for outcomes that are not events. */
const char *counter_event_kind(enum counter_outcome o);

#endif
