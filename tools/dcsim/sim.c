/* SPDX-License-Identifier: Apache-2.0 */
/* dcsim's clock (sim.h): one-second model steps with the weather held per minute. */
#include "sim.h"

#include <errno.h>
#include <string.h>

/* The weather for minute m; on failure (no valid data) the previous sample is kept. */
static void weather_for_minute(struct sim *s, long m)
{
	struct weather_sample nws;

	if (weather_at(s->wx, (time_t)m * 60, &nws) == 0)
		s->ws = nws;
	s->wx_minute = m;
}

int sim_init(struct sim *s, const struct plant_params *pp, const struct weather *wx, time_t t0)
{
	long m = sim_minute_of_step(t0);

	memset(s, 0, sizeof(*s));
	s->wx = wx;
	if (weather_at(wx, (time_t)m * 60, &s->ws) < 0)
		return -EINVAL;
	s->wx_minute = m;
	s->t = t0;
	plant_init(&s->pl, pp, t0, &s->ws);
	return 0;
}

int sim_advance(struct sim *s, time_t to)
{
	int rc = 0;

	while (s->t < to) {
		long m;

		s->t++;
		m = sim_minute_of_step(s->t);
		if (m != s->wx_minute)
			weather_for_minute(s, m);
		plant_step(&s->pl, s->t, 1.0, &s->ws);
		if (truth_add(&s->truth, &s->pl.v, s->t, 1.0, s->truth_out) < 0)
			rc = -EIO;
	}
	plant_display(&s->pl);
	return rc;
}
