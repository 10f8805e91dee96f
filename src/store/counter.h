/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Counter unwrapping, reset correction and plausibility (DOMAIN.md §3), as pure functions with
 * the state passed in and out by the caller: no statics, so the store's writer, the importer
 * (which replays a file to know the totals the store holds for it), tests and any offline
 * tool get identical answers. Doubles throughout, so float32 kWh registers work too.
 *
 * Two layers: counter_step() judges one pair of readings; counter_feed() is the policy the
 * store applies to a series' readings in time order (baseline, time of the last change, a
 * rejected reading held as a candidate new baseline).
 */
#ifndef GREENDC_COUNTER_H
#define GREENDC_COUNTER_H

#include <stdbool.h>
#include <stdint.h>

enum counter_outcome {
	COUNTER_OK = 0,   /* the value rose (or stayed): delta = new - prev */
	COUNTER_WRAP,     /* the value dropped and a wrap at 2^bits explains it: not an event */
	COUNTER_RESET,    /* the value dropped and no wrap explains it: an event */
	COUNTER_REJECTED, /* the increase is implausible (above what the meter can count in the
	                   * time, see counter_step), or the reading is not a finite number, or
	                   * time went backwards: an event */
};

struct counter_result {
	double delta; /* increase to add to the unwrapped total; never negative */
	enum counter_outcome outcome;
};

/* Headroom on max_rate x elapsed before an increase is implausible (DOMAIN.md §3). */
#define COUNTER_RATE_SLACK 1.1

/*
 * Work out the increase between two readings of a counter bits wide (16, 32 or 64; 0 means a
 * counter that never wraps, e.g. a float register), with max_rate the largest plausible
 * increase per second (0 = no limit) and elapsed_s the time since prev_raw was first read
 * (the counter's last change: a register that shows the same value for several polls has been
 * counting all that time).
 *
 * Plausible: delta <= max_rate x elapsed x 1.1 + one resolution step (scale; 1 for
 * counter_step). The step is there because a register shows its count truncated (or rounded)
 * to its resolution q: between two readings a real meter counts less than P x elapsed + q, so
 * one step (a 1 kWh register stepping within a 5 s poll at 194 kW, which "looks like" 720 kW)
 * is always plausible and a jump far above the rate never is.
 *
 * - rose: delta = new - prev; implausible: REJECTED with delta 0.
 * - dropped, bits 16/32: the wrapped delta new + 2^bits x scale - prev is a WRAP if
 *   plausible, or, with no max_rate, when it is under a quarter of the counter's range.
 *   Otherwise a RESET.
 * - dropped, bits 64 or 0: always a RESET (a 64-bit counter does not wrap in a lifetime).
 * - RESET: the meter restarted from zero, so delta = new; if that is itself implausible the
 *   increase is unknown and delta is 0.
 * - a NaN/inf reading, or elapsed_s < 0: REJECTED, delta 0.
 */
struct counter_result counter_step(unsigned bits, double prev_raw, double new_raw, double elapsed_s,
                                   double max_rate);

/* The same for a counter whose readings were scaled (value = raw count x scale, e.g. a
 * 32-bit Wh register read as kWh with scale 0.001): it wraps at 2^bits x scale, and one
 * step of it is scale. scale <= 0 means 1. */
struct counter_result counter_step_scaled(unsigned bits, double scale, double prev_raw,
                                          double new_raw, double elapsed_s, double max_rate);

/* True for outcomes that are discontinuities and must be recorded as events. */
static inline bool counter_is_event(enum counter_outcome o)
{
	return o == COUNTER_RESET || o == COUNTER_REJECTED;
}

/* "counter_reset", "counter_rejected", or NULL for outcomes that are not events. */
const char *counter_event_kind(enum counter_outcome o);

/* What a counter series is: its register width, one raw count in value units, and the
 * largest plausible increase per second (0 = no limit). */
struct counter_params {
	unsigned bits;
	double scale;
	double max_rate;
};

/* What the store keeps per counter series between readings (and persists across restarts). */
struct counter_state {
	bool have;       /* a first reading was taken */
	double raw;      /* the baseline: the last accepted raw reading */
	double total;    /* the unwrapped cumulative total at the baseline */
	int64_t last_ts; /* the latest reading judged, accepted or not (ms) */
	int64_t chg_ts;  /* when the baseline's value was first read: the last accepted change */
	bool have_pend;  /* a rejected reading, held as a candidate new baseline */
	double pend_raw;
	int64_t pend_ts;
};

/* The verdict on one reading. */
struct counter_verdict {
	enum counter_outcome outcome;
	bool store;      /* store the reading: its total and its increase over the previous one */
	double total;    /* unwrapped cumulative total to store */
	double inc;      /* exactly total - the previous stored total */
	bool rebased;    /* accepted by continuing from the held rejected reading (the meter's
	                  * level really moved: replaced, or preset); not an event */
	bool not_after;  /* rejected because its time is not after the latest reading's */
	double prev_raw; /* what it was judged against, for the event's detail */
	double elapsed_s;
};

/*
 * Judge a reading at ts (ms) against state s and update s. The store's policy:
 * - the first finite reading is the baseline, stored as its own total;
 * - a reading not after the latest one judged is REJECTED (nothing changes);
 * - otherwise counter_step() against the baseline over the time since its last change;
 *   OK / WRAP / RESET are stored (RESET is an event);
 * - an implausible reading is REJECTED (an event), not stored, and held as a candidate: if
 *   the next reading is plausible from the baseline, the rejected one was a glitch (one event
 *   in all); if it is plausible only from the held reading, the meter's level really moved (a
 *   replaced meter with a higher count): the held reading becomes the baseline (the jump
 *   itself is not counted, no second event) and the increase after it is counted.
 * Returns the verdict in v; v->outcome is an event when counter_is_event().
 */
void counter_feed(struct counter_state *s, const struct counter_params *p, int64_t ts, double raw,
                  struct counter_verdict *v);

#endif
