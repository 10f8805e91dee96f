/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcsim's clock: the one place the model is advanced, shared by the live server and the
 * history generator so both produce the same values at the same simulated second.
 *
 * Time convention: model step t (a whole unix second) covers the interval (t - 1, t]; after
 * it, the registers show that second's powers and the counters include its energy. The
 * weather is evaluated once per simulated minute, at the minute's start, and holds for the
 * steps inside it: step t uses the weather at 60 * floor((t - 1) / 60). So a reading taken at
 * a whole minute describes the minute that just ended, its counters close it, and cooling
 * modes change only on the first step of a minute.
 */
#ifndef DCSIM_SIM_H
#define DCSIM_SIM_H

#include <stdio.h>
#include <time.h>

#include "plant.h"
#include "truth.h"
#include "weather.h"

struct sim {
	struct plant pl;
	const struct weather *wx; /* borrowed */
	struct weather_sample ws; /* the weather of minute wx_minute */
	long wx_minute;           /* unix minute of ws */
	time_t t;                 /* the last step taken */
	struct truth_hour truth;  /* the hour being accumulated */
	FILE *truth_out;          /* finished hours go here; NULL = not written */
};

/* The weather minute of step t. */
static inline long sim_minute_of_step(time_t t)
{
	time_t s = t - 1;

	return (long)((s - ((s % 60) + 60) % 60) / 60);
}

/* Set up the model at t0 (as if step t0 had just been taken). -EINVAL when the weather has no
 * valid sample for t0's minute. */
int sim_init(struct sim *s, const struct plant_params *pp, const struct weather *wx, time_t t0);

/* Take the steps up to and including `to` (nothing when to <= s->t). 0, or -EIO when the
 * truth file could not be written. */
int sim_advance(struct sim *s, time_t to);

#endif
