/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcsim's command line (docs/dcsim.md, "Options"): what each mode needs, parsed and checked.
 */
#ifndef DCSIM_OPTIONS_H
#define DCSIM_OPTIONS_H

#include <stdio.h>
#include <time.h>

#include "plant.h"

struct options {
	const char *listen, *pidfile, *epw;
	int port, snmp_port;
	double speed, altitude_m;
	time_t start, end;
	int start_set, end_set, model_set;
	int list, once, dump;
	struct plant_params pp;
	/* history, truth and state */
	const char *history, *truth, *state_out, *resume;
	double days;
	int step, fc_step, wrap, replace, gap, gap_min, snmp_views, hold_s;
	time_t replace_at, gap_at;
};

/* The defaults: serve 127.0.0.1:5020 in real time from now; history steps 5m / 1m. */
void options_default(struct options *o);

/* Parse argv into o (after options_default). 0, or -EINVAL with the reason on stderr; --help
 * prints the usage and exits. */
int options_parse(int argc, char **argv, struct options *o);

void options_usage(FILE *out);

#endif
