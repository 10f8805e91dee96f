/* SPDX-License-Identifier: Apache-2.0 */
/* dcsim's metered racks (racks.h): loads, splits and counters. */
#include "racks.h"

#include <stdio.h>
#include <string.h>

/* Rack A1-04 is the heavy one (about 10 kW, 11 kW at the afternoon peak): the demo rates its
 * feed A PDU at 16 A, which alone cannot carry that (A/B risk). A1-02 leans on feed A. */
const struct rack_def rack_defs[DCSIM_RACKS] = {
        {"A1-01", "1", 0.016, 0.50, 1}, {"A1-02", "1", 0.014, 0.62, 0},
        {"A1-03", "1", 0.018, 0.50, 0}, {"A1-04", "1", 0.025, 0.50, 0},
        {"A2-01", "2", 0.015, 0.50, 1}, {"A2-02", "2", 0.017, 0.50, 0},
        {"A2-03", "2", 0.012, 0.50, 0}, {"A2-04", "2", 0.018, 0.48, 0},
};

/* Phase split of each PDU; rack A2-02's feed B is unbalanced. */
static const double phase_split[2][3] = {{1.0 / 3, 1.0 / 3, 1.0 / 3}, {0.40, 0.33, 0.27}};
/* Outlets' shares of a PDU's outlet power. */
static const double outlet_split[RACK_OUTLETS] = {0.30, 0.30, 0.25, 0.15};

enum { NOISE_RACK = 300 };

void rack_pdu_name(size_t r, int f, char *buf, size_t len)
{
	const char *n = rack_defs[r].name; /* "A1-01" -> "rpdu-a1-01-a" */
	snprintf(buf, len, "rpdu-%c%s-%c", n[0] - 'A' + 'a', n + 1, f ? 'b' : 'a');
}

void racks_compute(struct sim_values *v, uint64_t seed, double t, struct sim_knots *knots)
{
	for (size_t r = 0; r < DCSIM_RACKS; r++) {
		const struct rack_def *d = &rack_defs[r];
		/* 2 % of the rack's own load variation on 5-minute knots. */
		double load =
		        v->it_w * d->share *
		        (1.0 + sim_noise_cached(&knots[r], seed, NOISE_RACK + r, t, 300.0, 0.02));
		for (int f = 0; f < 2; f++) {
			double out = load * (f ? 1.0 - d->feed_a : d->feed_a);
			const double *ph = phase_split[r == 5 && f == 1];
			v->rack_w[r][f] = out + RACK_CTRL_W;
			for (int p = 0; p < 3; p++)
				v->rack_phase_a[r][f][p] =
				        v->rack_w[r][f] * ph[p] / (RACK_PHASE_V * RACK_PF);
			/* What the outlets' meters read: one of them 15 % low. */
			for (int o = 0; o < RACK_OUTLETS; o++) {
				double k = r == RACK_LOW_RACK && f == RACK_LOW_FEED &&
				                           o == RACK_LOW_OUTLET
				                   ? RACK_LOW_FACTOR
				                   : 1.0;
				v->outlet_w[r][f][o] = d->outlets ? k * out * outlet_split[o] : 0.0;
			}
		}
	}
}

void racks_integrate(struct sim_values *v, double dt)
{
	const double kwh = dt / 3.6e6;
	for (size_t r = 0; r < DCSIM_RACKS; r++)
		for (int f = 0; f < 2; f++) {
			v->rack_kwh[r][f] += v->rack_w[r][f] * kwh;
			for (int o = 0; o < RACK_OUTLETS; o++)
				v->outlet_kwh[r][f][o] += v->outlet_w[r][f][o] * kwh;
		}
}

void racks_init(struct sim_values *v)
{
	for (size_t r = 0; r < DCSIM_RACKS; r++)
		for (int f = 0; f < 2; f++) {
			v->rack_kwh[r][f] = 30000.0 + 1000.0 * (double)r + 500.0 * f;
			for (int o = 0; o < RACK_OUTLETS; o++)
				v->outlet_kwh[r][f][o] =
				        rack_defs[r].outlets ? 5000.0 + 100.0 * o : 0.0;
		}
}
