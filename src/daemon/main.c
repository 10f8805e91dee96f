/* SPDX-License-Identifier: Apache-2.0 */
/*
 * greendcd: the daemon. Loads the config, opens the store, starts the poll workers, then the
 * main thread waits for signals: SIGHUP reloads (build a new config, validate it, swap; a bad
 * one keeps the old), SIGTERM/SIGINT stop cleanly (workers finish, the writer flushes, exit 0).
 * It also logs a status line every minute and feeds the systemd watchdog.
 *
 * This file reads the command line; the steps are start.c, loop.c and reload.c (daemon.h).
 */
#include "daemon/daemon.h"

#include "core/util.h"

#include <getopt.h>
#include <stdio.h>

#ifndef GREENDC_VERSION
#define GREENDC_VERSION "unknown"
#endif

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: greendcd [-c FILE] [--log-level LEVEL] [--status-interval DURATION]\n"
	        "                [--allow-root]\n"
	        "  -c, --config FILE        configuration (default /etc/greendc/greendc.yaml)\n"
	        "      --log-level LEVEL    error, warning, info or debug (overrides the config)\n"
	        "      --status-interval D  how often to log a status line (default 60s)\n"
	        "      --allow-root         started as root without daemon.user: stay root\n"
	        "                           (otherwise it drops to the user greendc, and outside\n"
	        "                           systemd refuses to run when there is none)\n"
	        "  -V, --version            print the version and exit\n"
	        "  -h, --help               print this and exit\n");
}

/* The options into o. -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, struct daemon_opts *o)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
	                                     {"log-level", required_argument, NULL, 'l'},
	                                     {"status-interval", required_argument, NULL, 's'},
	                                     {"allow-root", no_argument, NULL, 'R'},
	                                     {"version", no_argument, NULL, 'V'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "c:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config_path = optarg;
			break;
		case 'l':
			o->log_level = optarg;
			break;
		case 's':
			if (!util_parse_duration(optarg, &o->status_ms) || o->status_ms < 1000) {
				fprintf(stderr, "greendcd: --status-interval: bad duration\n");
				return 2;
			}
			break;
		case 'R':
			o->allow_root = true;
			break;
		case 'V':
			printf("greendcd %s\n", GREENDC_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct daemon_opts o = {.config_path = "/etc/greendc/greendc.yaml", .status_ms = 60000};
	int rc = parse_args(argc, argv, &o);
	if (rc >= 0)
		return rc;
	struct daemon d;
	if (daemon_start(&d, &o) != 0)
		return 1;
	rc = daemon_loop(&d);
	daemon_stop(&d, rc);
	return rc;
}
