/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcsim history generator (docs/dcsim.md, "History"): the readings greendcd would have
 * stored polling dcsim with etc/demo.yaml, for any span, as a CSV that `greendc import`
 * reads (long format: timestamp,device,metric,value,labels). Every value is what the
 * register (Modbus) or variable (SNMP) shows at that simulated second, decoded as the
 * device's profile decodes it: counters truncated to their resolution, PDU A's 16-bit kWh
 * register wrapping at 65536, float32 meters rounded to float; gauges rounded. Optionally a
 * meter replacement (utility feed B's meter restarts at 0) and a gap (PDU B silent).
 *
 * A reading at time t describes the interval that ends at t (sim.h): its counters close it
 * and its gauges show the minute just ended. Import with `greendc import --interval-end` so
 * each reading lands in the interval it closes.
 */
#ifndef DCSIM_HISTORY_H
#define DCSIM_HISTORY_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "sim.h"

struct history_opts {
	time_t end;        /* readings at s->t (the start), s->t + step, ..., end */
	int step;          /* seconds between readings; divides 3600 */
	int fc_step;       /* the same for the free-cooling inputs (weather station, chiller
	                    * plant): divides step */
	int wrap;          /* PDU A's 16-bit kWh register wraps (else written unwrapped) */
	time_t replace_at; /* utility-b's meter is replaced right after this reading; 0 = never */
	time_t gap_from;   /* PDU B (Modbus and SNMP) silent after this reading ... */
	int gap_s;         /* ... for this long (no reading strictly inside); 0 = no gap */
	int snmp_views;    /* also the demo's SNMP views of the PDUs, UPS and weather station */
	int skip_first;    /* no reading at the start (a resumed history: its state's history
	                    * already wrote it) */
};

/* The counts a run wrote, for the summary line. */
struct history_stats {
	unsigned long readings; /* sample instants */
	unsigned long rows;     /* CSV data rows */
	unsigned series;        /* distinct series written */
};

/*
 * Advance s (already at the start instant) to o->end, writing the header and one row per
 * series per reading to out. 0, or -EIO with a message in err when writing failed.
 */
int history_write(struct sim *s, const struct history_opts *o, FILE *out, struct history_stats *st,
                  char *err, size_t errlen);

#endif
