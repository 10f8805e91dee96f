/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcsim plant model: IT load, UPS, PDUs, chiller plant with a waterside economizer and its
 * (deliberately late) changeover controller, CRAH units, lighting, utility feeds. Advanced in
 * fixed one-second steps of simulated time; all energy counters integrate power over those steps
 * (sim.c is the clock).
 */
#ifndef DCSIM_PLANT_H
#define DCSIM_PLANT_H

#include <stdint.h>
#include <time.h>

#include "dcsim.h"
#include "weather.h"

struct plant_params {
	double it_kw;         /* mean IT load */
	uint64_t seed;        /* noise seed */
	double late_k;        /* controller enables free cooling this much later than possible */
	double hysteresis_k;  /* mode-change hysteresis */
	double min_mode_s;    /* minimum time in a mode before changing */
	double chws_set_c;    /* CHW supply setpoint */
	double chwr_design_c; /* CHW return at design load */
	double approach_tower_k, approach_hx_k;
	double tower_min_c;   /* tower leaving water is held at or above this (freeze protection) */
	double pdu_start_kwh; /* PDU-A energy counter at start (PDU-B starts at 20000 kWh) */
	int rh_over_water;    /* weather station reports RH over water below 0 C */
};

/* Defaults as documented in docs/dcsim.md. */
void plant_params_default(struct plant_params *pp);

enum { KNOT_IT, KNOT_CHW, N_KNOTS };

struct plant {
	struct plant_params pp;
	struct weather_sample wx;
	int mode;            /* 0 mechanical, 1 partial, 2 full free cooling */
	double time_in_mode; /* s */
	struct sim_values v;
	struct sim_knots knots[N_KNOTS];          /* noise knots of the per-step noise (a cache) */
	struct sim_knots rack_knots[DCSIM_RACKS]; /* the racks' own noise (racks.c) */
};

/* Set up the plant at time t0 in the mode its controller would choose, counters at their start. */
void plant_init(struct plant *pl, const struct plant_params *pp, time_t t0,
                const struct weather_sample *wx);

/*
 * Advance by dt seconds to time t under weather wx (which may be reused between calls): the
 * powers and the energy counters. The values only shown (temperatures of the CRAHs and the
 * UPS battery, voltages, currents, frequency) are left for plant_display().
 */
void plant_step(struct plant *pl, time_t t, double dt, const struct weather_sample *wx);

/* Bring the shown-only values up to the model's time (after the last plant_step). */
void plant_display(struct plant *pl);

/*
 * A new energy meter on utility feed `feed` (0 = A, 1 = B): its energy registers (total and
 * per phase) restart from 0 at this instant, as after a meter replacement. Only the meter's
 * counters change; the site's energy (and the ground truth) do not.
 */
void plant_replace_feed_meter(struct plant *pl, int feed);

/* The mode an ideal controller (no lateness, no hysteresis, no minimum times) would run. */
int plant_ideal_mode(const struct plant_params *pp, double wetbulb_c);

#endif
