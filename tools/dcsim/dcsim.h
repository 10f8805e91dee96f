/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcsim: a simulated data centre speaking real Modbus TCP (docs/dcsim.md). This header holds
 * what every part shares: the model's outputs (struct sim_values, written by plant.c, read by
 * regmap.c) and a seeded, position-addressable noise source so that any simulated instant has
 * the same values whatever the speed or the order in which it is reached.
 */
#ifndef DCSIM_H
#define DCSIM_H

#include <math.h>
#include <stdint.h>

/* Taiyuan is UTC+8 all year (Asia/Shanghai, no DST); local time drives the daily cycles. */
#define DCSIM_UTC_OFFSET_S (8 * 3600)

/* Metered racks (racks.h): eight, two rack PDUs each (feed A and B), four outlets metered on
 * the PDUs of the racks that have them. */
#define DCSIM_RACKS        8
#define DCSIM_RACK_OUTLETS 4

/* Everything the registers expose, in SI / display units (W, kWh, C, %, Pa). */
struct sim_values {
	double sim_time; /* unix seconds */

	/* weather station */
	double out_temp_c, out_rh_pct, out_dew_c, out_pressure_pa, out_wetbulb_c;

	/* IT load (sum of PDU outputs) */
	double it_w;

	/* UPS */
	double ups_in_w, ups_out_w, ups_in_kwh, ups_out_kwh, ups_load_pct, ups_batt_pct;
	double ups_batt_temp_c, ups_runtime_s;

	/* PDUs */
	double pdu_w[2], pdu_kwh[2];

	/* chiller plant */
	double comp_w, aux_w, plant_w, cooling_w, free_w, chws_c, chwr_c, valve_pct, mode;
	double ideal_mode, plant_kwh;
	double ideal_margin_k; /* HX leaving water's distance from the nearest mode threshold */

	/* CRAH units */
	double crah_fan_w[2], crah_supply_c[2], crah_return_c[2], crah_inlet_c[2];
	double crah_fan_pct[2], crah_kwh[2], crah_rh_pct[2];

	/* lighting and other loads */
	double other_w, other_kwh;

	/* site meters for the energy KPIs: on-site PV behind the utility meters, cooling-tower
	 * make-up water (intake and its potable part), heat handed over for reuse, heat removed
	 * by the chiller plant */
	double pv_w, pv_kwh, water_m3h, water_m3, potable_m3, reuse_w, reuse_kwh;
	double cooling_kwh;

	/* utility feeds: [0] Eastron SDM630, [1] Schneider iEM3xxx */
	double feed_w[2], feed_phase_w[2][3], feed_kwh[2], feed_phase_kwh[2][3];
	double feed_v[2][3], feed_a[2][3], feed_hz[2];

	/* metered racks, per rack and feed (0 = A, 1 = B): PDU input power and energy, phase
	 * currents, and the outlets as their meters read them */
	double rack_w[DCSIM_RACKS][2], rack_kwh[DCSIM_RACKS][2];
	double rack_phase_a[DCSIM_RACKS][2][3];
	double outlet_w[DCSIM_RACKS][2][DCSIM_RACK_OUTLETS];
	double outlet_kwh[DCSIM_RACKS][2][DCSIM_RACK_OUTLETS];

	/* totals, for --dump only */
	double facility_w, facility_kwh;
};

/* splitmix64: a well-mixed 64-bit hash of a 64-bit value. */
static inline uint64_t sim_hash(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* A standard normal deviate fixed by (seed, stream, k). */
static inline double sim_gauss(uint64_t seed, uint64_t stream, int64_t k)
{
	uint64_t h1 = sim_hash(seed ^ sim_hash(stream * 0x100000001b3ULL ^ (uint64_t)k));
	uint64_t h2 = sim_hash(h1);
	double u1 = ((double)(h1 >> 11) + 0.5) / 9007199254740992.0;
	double u2 = (double)(h2 >> 11) / 9007199254740992.0;

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/*
 * Smooth noise: independent normal values at knots `period` seconds apart, joined by a
 * cosine ease, times sigma. A pure function of t, so values never depend on the step size.
 */
static inline double sim_noise(uint64_t seed, uint64_t stream, double t, double period,
                               double sigma)
{
	double x = t / period, k = floor(x), f = x - k;
	double a = sim_gauss(seed, stream, (int64_t)k), b = sim_gauss(seed, stream, (int64_t)k + 1);
	double e = 0.5 - 0.5 * cos(M_PI * f);

	return sigma * (a + (b - a) * e);
}

/* The two knots of one noise stream around the last time asked (a cache for sim_noise_cached). */
struct sim_knots {
	int valid;
	int64_t k;
	double a, b;
};

/* sim_noise with the knots' normal deviates cached: the same value, bit for bit. */
static inline double sim_noise_cached(struct sim_knots *c, uint64_t seed, uint64_t stream, double t,
                                      double period, double sigma)
{
	double x = t / period, k = floor(x), f = x - k;
	double e = 0.5 - 0.5 * cos(M_PI * f);

	if (!c->valid || c->k != (int64_t)k) {
		c->a = sim_gauss(seed, stream, (int64_t)k);
		c->b = sim_gauss(seed, stream, (int64_t)k + 1);
		c->k = (int64_t)k;
		c->valid = 1;
	}
	return sigma * (c->a + (c->b - c->a) * e);
}

#endif
