/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcsim live mode: serve the model over Modbus TCP (and SNMP) while advancing it with the
 * simulated clock, on one thread, until SIGTERM or SIGINT.
 */
#ifndef DCSIM_LIVE_H
#define DCSIM_LIVE_H

#include <time.h>

#include "sim.h"

struct live_opts {
	const char *listen, *pidfile;
	int port, snmp_port;
	double speed;
	time_t clock_start; /* the simulated clock reads this at launch (the model may be behind:
	                     * it catches up first) */
	time_t hold_at; /* the model stops advancing here (0 = never); the registers keep serving */
	int dump;
	const char *weather_name; /* for the start line */
};

/* Run until a signal; the exit status for main(). */
int live_run(const struct live_opts *o, struct sim *s);

#endif
