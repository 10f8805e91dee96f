/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcsim ground truth (docs/dcsim.md, "Ground truth"): what the simulated site really did, per
 * hour, integrated from the model's own powers before any register quantisation, wrap,
 * scaling or meter replacement: energy per energy role as etc/demo.yaml assigns the demo's
 * series, water, the minutes the plant's controller ran each cooling mode and the minutes the
 * weather made each mode available, and the mean outdoor dry-bulb and wet-bulb. Live dcsim
 * and the history generator write the same CSV.
 */
#ifndef DCSIM_TRUTH_H
#define DCSIM_TRUTH_H

#include <stdio.h>
#include <time.h>

#include "dcsim.h"

/* One hour's accumulators. Energies in kWh, water in litres, times in seconds. */
struct truth_hour {
	time_t hour;    /* UTC start of the hour; 0 before the first step */
	double seconds; /* simulated seconds accumulated (3600 for a whole hour) */
	double feed_kwh[2], pv_kwh, ups_out_kwh, ups_in_kwh, pdu_kwh[2];
	double plant_kwh, crah_kwh[2], other_kwh, reuse_kwh, heat_removed_kwh;
	double water_l, potable_l;
	double mode_s[3];      /* as the plant's controller ran: 0 mechanical, 1 partial, 2 full */
	double avail_s[3];     /* as the weather allowed (an ideal controller, no hysteresis) */
	double edge_s;         /* of which with the wet-bulb within TRUTH_EDGE_K of a threshold */
	double db_sum, wb_sum; /* outdoor dry-bulb and wet-bulb x seconds */
	/* metered racks (racks.h): energy drawn at each PDU's input, per feed, and per quarter
	 * hour (feeds together), before any register truncation */
	double rack_kwh[DCSIM_RACKS][2], rack_q_kwh[DCSIM_RACKS][4];
};

/*
 * A weather station with 0.1 K and 0.1 % RH registers (dcsim's) computes the wet-bulb to
 * within 0.06 K for wet-bulbs of 5-20 C (docs/accuracy.md), so the mode available in a minute
 * whose true wet-bulb lies within this distance of a changeover threshold may differ when
 * computed from the registers: avail_edge_min counts those minutes.
 */
#define TRUTH_EDGE_K 0.1

/* The CSV header line (with its newline). */
void truth_header(FILE *out);

/*
 * Add one model step: the values v the model computed for the interval (t - dt, t]. When that
 * interval starts a new hour, the finished hour is first written to out (if out is not NULL)
 * and the accumulators restart. Returns 0 or -EIO when writing failed.
 */
int truth_add(struct truth_hour *h, const struct sim_values *v, time_t t, double dt, FILE *out);

/* Write the hour being accumulated (possibly partial: its seconds say so), if any. 0 or -EIO. */
int truth_flush(const struct truth_hour *h, FILE *out);

#endif
