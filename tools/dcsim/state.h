/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcsim model state files: the history generator writes the model's complete state at the
 * end of a history (--state-out) and live dcsim continues from it (--resume-from), so the
 * registers go on exactly where the generated readings stopped — the same counters (after
 * any wrap or meter replacement), the same cooling mode and time in it, the same hour of
 * ground truth — and a history followed by a resumed run gives bit for bit the values of one
 * uninterrupted run. A text file of "key value" lines; doubles in C99 hex ("%a") so nothing
 * is lost. Valid only for the dcsim build that wrote it (the layout line is checked).
 */
#ifndef DCSIM_STATE_H
#define DCSIM_STATE_H

#include <stddef.h>

#include "sim.h"

/* What, besides the model, a resumed run must rebuild: the weather source. */
struct state_weather {
	char epw[4096]; /* the EPW file, or "" for the synthetic Taiyuan weather */
	double altitude_m;
};

/* Write s (after its last step) to path, atomically (a temporary file renamed). 0 or -errno
 * with a message in err. */
int state_write(const char *path, const struct sim *s, const struct state_weather *w, char *err,
                size_t errlen);

/*
 * Read path into s (its weather pointer left NULL: open the weather named in *w, then call
 * state_attach) and *w. 0 or -errno/-EINVAL with a message in err.
 */
int state_read(const char *path, struct sim *s, struct state_weather *w, char *err, size_t errlen);

/* Give a state read by state_read its weather; recomputes the current minute's sample. 0 or
 * -EINVAL. */
int state_attach(struct sim *s, const struct weather *wx);

#endif
