/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcsim's metered racks (docs/dcsim.md, "Racks"): eight racks in two rows of hall A, each
 * fed from two sides (feed A and feed B) by a three-phase rack PDU per side with an input
 * power register, an input energy counter (Wh, 32 bits) and a current per phase; the PDUs of
 * two racks also meter four outlets each (power and energy). A rack's load is a share of the
 * hall's IT load with noise of its own, split between its feeds, phases and outlets as the
 * table in racks.c says; a PDU draws its outlets plus its controller's 8 W. One outlet meter
 * reads 15 % low (a worn current transformer), so the outlet check has something to find.
 * Powers and counters advance with the plant's 1 s steps (sim.c); the truth sums them per
 * rack, per feed and per quarter hour.
 */
#ifndef DCSIM_RACKS_H
#define DCSIM_RACKS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "dcsim.h"

#define RACK_UNIT0   60 /* Modbus unit of the first rack PDU: 60 + 2 x rack + feed */
#define RACK_OUTLETS DCSIM_RACK_OUTLETS /* outlets metered on an outlet-metered PDU */
#define RACK_CTRL_W  8.0                /* a PDU's own consumption, before its outlets */
#define RACK_PHASE_V 230.0
#define RACK_PF      0.98

/* One rack as the demo configures it. */
struct rack_def {
	const char *name; /* the rack label, "A1-01" */
	const char *row;  /* "1" or "2" (hall A) */
	double share;     /* of the hall's IT load */
	double feed_a;    /* share of the rack carried by feed A (B carries the rest) */
	int outlets;      /* its PDUs meter RACK_OUTLETS outlets */
};

extern const struct rack_def rack_defs[DCSIM_RACKS];

/* The PDU device name for rack r, feed f (0 = A, 1 = B): "rpdu-a1-01-a". */
void rack_pdu_name(size_t r, int f, char *buf, size_t len);

/* Powers of every rack PDU at time t from the hall's IT power (v->it_w): input, phase
 * currents, outlets. */
void racks_compute(struct sim_values *v, uint64_t seed, double t, struct sim_knots *knots);

/* Integrate the counters over a step of dt seconds (after racks_compute). */
void racks_integrate(struct sim_values *v, double dt);

/* Counters at their start (a rack has run for a while). */
void racks_init(struct sim_values *v);

/* The outlet meter that reads low: its rack, feed and outlet, and the factor. */
#define RACK_LOW_RACK   4 /* A2-01 */
#define RACK_LOW_FEED   1 /* B */
#define RACK_LOW_OUTLET 3 /* outlet 4 */
#define RACK_LOW_FACTOR 0.85

#endif
