/*
 * dcsim: a simulated data centre speaking real Modbus TCP, for the demo and the integration
 * tests (docs/dcsim.md). This file is the command line and the main loop: it advances the
 * plant model in one-second steps of simulated time, copies the values into the register maps
 * and serves Modbus requests in between, all on one thread.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analytics/psychro.h"
#include "dcsim.h"
#include "plant.h"
#include "regmap.h"
#include "server.h"
#include "snmpagent.h"
#include "weather.h"

#define MAX_SPEED    100000.0
#define MAX_CATCH_UP 200000 /* model steps per loop turn before we give up catching up */

struct options {
	const char *listen, *pidfile, *epw;
	int port, snmp_port;
	double speed, altitude_m;
	time_t start;
	int list, once, dump;
	struct plant_params pp;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *out)
{
	fputs("usage: dcsim [options]\n"
	      "  --listen ADDR          address to listen on (default 127.0.0.1)\n"
	      "  --port N               TCP port (default 5020)\n"
	      "  --snmp-port N          also serve PDUs, UPS and weather over SNMP v1/v2c on\n"
	      "                         udp:ADDR:N, community = device name (default 0 = off)\n"
	      "  --pidfile FILE         write the process id to FILE\n"
	      "  --it-kw KW             mean IT load in kW (default 400)\n"
	      "  --seed N               noise seed (default 1)\n"
	      "  --late-changeover K    controller enables free cooling K kelvin late (default 2,\n"
	      "                         0 = ideal)\n"
	      "  --chws-setpoint C      chilled-water supply setpoint (default 15)\n"
	      "  --speed N              simulated seconds per real second (default 1, max 100000)\n"
	      "  --start DATE[THH:MM]   simulated start, site local time UTC+8 (default now)\n"
	      "  --weather FILE.epw     hourly EPW weather instead of the built-in Taiyuan model\n"
	      "  --altitude M           site altitude for station pressure (default 778)\n"
	      "  --pdu-start-kwh N      PDU-A energy counter at start (default 65000; wraps at "
	      "65536)\n"
	      "  --rh-over-water        weather station reports RH over water below 0 C\n"
	      "  --list                 print unit ids and register maps, then exit\n"
	      "  --once                 print the values at the start time as JSON, then exit\n"
	      "  --dump                 print the served values as JSON once a second\n"
	      "  --help                 this text\n",
	      out);
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		return -EINVAL;
	*out = v;
	return 0;
}

/* YYYY-MM-DD or YYYY-MM-DDTHH:MM, in site local time (UTC+8). */
static int parse_start(const char *s, time_t *out)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, n = 0;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
		return -EINVAL;
	if (s[n] == 'T' || s[n] == ' ') {
		int n2 = 0;

		if (sscanf(s + n + 1, "%2d:%2d%n", &h, &mi, &n2) != 2)
			return -EINVAL;
		n += 1 + n2;
	}
	if (s[n] || y < 1971 || y > 2100 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59)
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	*out = timegm(&tm) - DCSIM_UTC_OFFSET_S;
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	enum {
		O_LISTEN = 256,
		O_PORT,
		O_PIDFILE,
		O_ITKW,
		O_SEED,
		O_LATE,
		O_CHWS,
		O_SPEED,
		O_START,
		O_WEATHER,
		O_ALT,
		O_PDU,
		O_RHW,
		O_LIST,
		O_ONCE,
		O_DUMP,
		O_HELP,
		O_SNMP_PORT,
	};
	static const struct option longopts[] = {
	        {"listen", required_argument, NULL, O_LISTEN},
	        {"port", required_argument, NULL, O_PORT},
	        {"pidfile", required_argument, NULL, O_PIDFILE},
	        {"it-kw", required_argument, NULL, O_ITKW},
	        {"seed", required_argument, NULL, O_SEED},
	        {"late-changeover", required_argument, NULL, O_LATE},
	        {"chws-setpoint", required_argument, NULL, O_CHWS},
	        {"speed", required_argument, NULL, O_SPEED},
	        {"start", required_argument, NULL, O_START},
	        {"weather", required_argument, NULL, O_WEATHER},
	        {"altitude", required_argument, NULL, O_ALT},
	        {"pdu-start-kwh", required_argument, NULL, O_PDU},
	        {"rh-over-water", no_argument, NULL, O_RHW},
	        {"list", no_argument, NULL, O_LIST},
	        {"once", no_argument, NULL, O_ONCE},
	        {"dump", no_argument, NULL, O_DUMP},
	        {"help", no_argument, NULL, O_HELP},
	        {"snmp-port", required_argument, NULL, O_SNMP_PORT},
	        {NULL, 0, NULL, 0},
	};
	double d;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		int rc = 0;

		switch (c) {
		case O_LISTEN:
			o->listen = optarg;
			break;
		case O_PORT:
			rc = parse_double(optarg, 1, 65535, &d);
			o->port = (int)d;
			if (!rc && d != (int)d)
				rc = -EINVAL;
			break;
		case O_SNMP_PORT:
			rc = parse_double(optarg, 0, 65535, &d);
			o->snmp_port = (int)d;
			if (!rc && d != (int)d)
				rc = -EINVAL;
			break;
		case O_PIDFILE:
			o->pidfile = optarg;
			break;
		case O_ITKW:
			rc = parse_double(optarg, 1, 1e6, &o->pp.it_kw);
			break;
		case O_SEED:
			rc = parse_double(optarg, 0, 9007199254740992.0, &d);
			o->pp.seed = (uint64_t)d;
			break;
		case O_LATE:
			rc = parse_double(optarg, 0, 20, &o->pp.late_k);
			break;
		case O_CHWS:
			rc = parse_double(optarg, 5, 25, &o->pp.chws_set_c);
			o->pp.chwr_design_c = o->pp.chws_set_c + 6.0;
			break;
		case O_SPEED:
			rc = parse_double(optarg, 0.001, MAX_SPEED, &o->speed);
			break;
		case O_START:
			rc = parse_start(optarg, &o->start);
			break;
		case O_WEATHER:
			o->epw = optarg;
			break;
		case O_ALT:
			rc = parse_double(optarg, -400, 5000, &o->altitude_m);
			break;
		case O_PDU:
			rc = parse_double(optarg, 0, 1e9, &o->pp.pdu_start_kwh);
			break;
		case O_RHW:
			o->pp.rh_over_water = 1;
			break;
		case O_LIST:
			o->list = 1;
			break;
		case O_ONCE:
			o->once = 1;
			break;
		case O_DUMP:
			o->dump = 1;
			break;
		case O_HELP:
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
		if (rc < 0) {
			fprintf(stderr, "dcsim: --%s: invalid value \"%s\"\n",
			        longopts[c - O_LISTEN].name, optarg);
			return rc;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dcsim: unexpected argument \"%s\"\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int write_pidfile(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0)
		return -errno;
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = {.listen = "127.0.0.1", .port = 5020, .speed = 1.0, .altitude_m = 778};
	struct weather *wx = NULL;
	struct weather_sample ws;
	struct regmap rm;
	struct server *srv = NULL;
	struct plant pl;
	struct sigaction sa;
	sigset_t block, orig;
	char err[512];
	double real0, last_dump = -1.0;
	time_t model_t;
	long wx_minute;
	int rc = 1;

	plant_params_default(&o.pp);
	o.start = time(NULL);
	if (parse_args(argc, argv, &o) < 0)
		return 2;
	if (o.list) {
		regmap_list(stdout);
		snmpagent_list(stdout);
		return 0;
	}

	wx = o.epw ? weather_new_epw(o.epw, err, sizeof(err))
	           : weather_new_synthetic(o.pp.seed, o.altitude_m);
	if (!wx) {
		fprintf(stderr, "dcsim: %s\n", o.epw ? err : "out of memory");
		return 1;
	}
	if (weather_at(wx, o.start, &ws) < 0) {
		fprintf(stderr, "dcsim: no valid weather at the start time\n");
		goto out_weather;
	}
	plant_init(&pl, &o.pp, o.start, &ws);
	if (regmap_init(&rm) < 0) {
		fprintf(stderr, "dcsim: out of memory\n");
		goto out_weather;
	}
	regmap_update(&rm, &pl.v);
	if (o.once) {
		regmap_dump_json(stdout, &pl.v);
		rc = 0;
		goto out_regmap;
	}

	/* Signals are blocked except while waiting in pselect(), so none is ever missed. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigdelset(&orig, SIGTERM);
	sigdelset(&orig, SIGINT);

	srv = server_new(o.listen, o.port, &rm, err, sizeof(err));
	if (!srv) {
		fprintf(stderr, "dcsim: %s\n", err);
		goto out_regmap;
	}
	if (o.snmp_port) {
		struct server_hook hook = {snmpagent_prepare, snmpagent_serve, NULL};

		/* The agent reads the plant's live values, which change only between pselect()s. */
		if (snmpagent_start(o.listen, o.snmp_port, &pl.v, err, sizeof(err)) < 0) {
			fprintf(stderr, "dcsim: %s\n", err);
			goto out_server;
		}
		server_set_hook(srv, &hook);
		fprintf(stderr, "dcsim: SNMP v1/v2c on udp:%s:%d (community = device name)\n",
		        o.listen, o.snmp_port);
	}
	if (o.pidfile && write_pidfile(o.pidfile) < 0) {
		fprintf(stderr, "dcsim: %s: %s\n", o.pidfile, strerror(errno));
		goto out_server;
	}
	{
		char iso[32];
		time_t lt = o.start + DCSIM_UTC_OFFSET_S;
		struct tm tm;

		gmtime_r(&lt, &tm);
		strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%S+08:00", &tm);
		fprintf(stderr,
		        "dcsim: listening on %s:%d, IT %.0f kW, seed %llu, speed %g, start %s, "
		        "weather %s\n",
		        o.listen, o.port, o.pp.it_kw, (unsigned long long)o.pp.seed, o.speed, iso,
		        o.epw ? o.epw : "synthetic Taiyuan");
	}

	real0 = now_mono();
	model_t = o.start;
	wx_minute = (long)(model_t / 60);
	while (!stop_signal) {
		double elapsed = now_mono() - real0;
		double sim_now = (double)o.start + elapsed * o.speed;
		double next, wait;
		int steps = 0, timeout_ms;

		while ((double)(model_t + 1) <= sim_now && steps < MAX_CATCH_UP) {
			model_t++;
			/* Weather changes slowly: evaluate it once per simulated minute. */
			if ((long)(model_t / 60) != wx_minute) {
				struct weather_sample nws;

				wx_minute = (long)(model_t / 60);
				if (weather_at(wx, model_t, &nws) == 0)
					ws = nws;
			}
			plant_step(&pl, model_t, 1.0, &ws);
			steps++;
		}
		if (steps)
			regmap_update(&rm, &pl.v);
		if (o.dump && elapsed - last_dump >= 1.0) {
			regmap_dump_json(stdout, &pl.v);
			last_dump = elapsed;
		}

		/* Sleep until the next model step (batched at high speed) or the next dump. */
		next = ((double)(model_t + 1 - o.start)) / o.speed;
		wait = next - (now_mono() - real0);
		if (o.dump && last_dump + 1.0 - elapsed < wait)
			wait = last_dump + 1.0 - elapsed;
		timeout_ms = (int)(wait * 1000.0) + 1;
		if (timeout_ms < (o.speed > 50 ? 20 : 1))
			timeout_ms = o.speed > 50 ? 20 : 1;
		if (timeout_ms > 1000)
			timeout_ms = 1000;
		if (server_poll(srv, timeout_ms, &orig) < 0 && errno != EINTR && !stop_signal) {
			fprintf(stderr, "dcsim: select: %s\n", strerror(errno));
			break;
		}
	}
	{
		unsigned long req, unans;

		server_stats(srv, &req, &unans);
		fprintf(stderr, "dcsim: exiting on signal %d, %lu requests, %lu to unknown units\n",
		        (int)stop_signal, req, unans);
		if (o.snmp_port) {
			snmpagent_stats(&req, &unans);
			fprintf(stderr, "dcsim: SNMP: %lu requests, %lu dropped (bad community)\n",
			        req, unans);
		}
	}
	rc = stop_signal ? 0 : 1;
	if (o.pidfile)
		unlink(o.pidfile);
out_server:
	snmpagent_stop();
	server_free(srv);
out_regmap:
	regmap_release(&rm);
out_weather:
	weather_free(wx);
	return rc;
}
