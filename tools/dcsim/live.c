/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcsim live mode (live.h): advances the model to the simulated clock in one-second steps,
 * copies the values into the register maps and serves Modbus (and SNMP) requests in between,
 * all on one thread. Signals are blocked except inside pselect(), so none is ever missed.
 */
#include "live.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "regmap.h"
#include "server.h"
#include "snmpagent.h"

#define MAX_CATCH_UP 200000 /* model steps per loop turn before serving requests again */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
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

static void block_signals(sigset_t *orig)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, orig);
	sigdelset(orig, SIGTERM);
	sigdelset(orig, SIGINT);
}

static void print_start(const struct live_opts *o, const struct sim *s)
{
	char iso[32];
	time_t lt = o->clock_start + DCSIM_UTC_OFFSET_S;
	struct tm tm;

	gmtime_r(&lt, &tm);
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%S+08:00", &tm);
	fprintf(stderr,
	        "dcsim: listening on %s:%d, IT %.0f kW, seed %llu, speed %g, start %s, "
	        "weather %s\n",
	        o->listen, o->port, s->pl.pp.it_kw, (unsigned long long)s->pl.pp.seed, o->speed,
	        iso, o->weather_name);
}

/* Sleep until the next model step (batched at high speed) or the next dump. */
static int wait_ms(const struct live_opts *o, const struct sim *s, double real0, double elapsed,
                   double last_dump)
{
	double next = ((double)(s->t + 1 - o->clock_start)) / o->speed;
	double wait = next - (now_mono() - real0);
	int timeout_ms;

	if (o->hold_at && s->t >= o->hold_at)
		wait = 1.0; /* held: nothing to step */

	if (o->dump && last_dump + 1.0 - elapsed < wait)
		wait = last_dump + 1.0 - elapsed;
	timeout_ms = (int)(wait * 1000.0) + 1;
	if (timeout_ms < (o->speed > 50 ? 20 : 1))
		timeout_ms = o->speed > 50 ? 20 : 1;
	if (timeout_ms > 1000)
		timeout_ms = 1000;
	return timeout_ms;
}

static int serve(const struct live_opts *o, struct sim *s, struct regmap *rm, struct server *srv,
                 const sigset_t *orig)
{
	double real0 = now_mono(), last_dump = -1.0;
	int held = 0;

	while (!stop_signal) {
		double elapsed = now_mono() - real0;
		time_t target = (time_t)floor((double)o->clock_start + elapsed * o->speed);

		if (target > s->t + MAX_CATCH_UP)
			target = s->t + MAX_CATCH_UP;
		if (o->hold_at && target >= o->hold_at) {
			target = o->hold_at;
			if (!held && s->t >= o->hold_at) {
				fprintf(stderr, "dcsim: model held at %lld (--hold-after)\n",
				        (long long)s->t);
				held = 1;
			}
		}
		if (target > s->t) {
			if (sim_advance(s, target) < 0)
				fprintf(stderr, "dcsim: truth file: write error, ignoring\n");
			regmap_update(rm, &s->pl.v);
		}
		if (o->dump && elapsed - last_dump >= 1.0) {
			regmap_dump_json(stdout, &s->pl.v);
			last_dump = elapsed;
		}
		if (server_poll(srv, wait_ms(o, s, real0, elapsed, last_dump), orig) < 0 &&
		    errno != EINTR && !stop_signal) {
			fprintf(stderr, "dcsim: select: %s\n", strerror(errno));
			return 1;
		}
	}
	return 0;
}

int live_run(const struct live_opts *o, struct sim *s)
{
	struct regmap rm;
	struct server *srv = NULL;
	sigset_t orig;
	char err[512];
	int rc = 1;

	/* A model behind the clock (resumed from an older state) catches up before serving. */
	if (sim_advance(s, o->clock_start) < 0)
		fprintf(stderr, "dcsim: truth file: write error, ignoring\n");
	if (regmap_init(&rm) < 0) {
		fprintf(stderr, "dcsim: out of memory\n");
		return 1;
	}
	regmap_update(&rm, &s->pl.v);
	block_signals(&orig);
	srv = server_new(o->listen, o->port, &rm, err, sizeof(err));
	if (!srv) {
		fprintf(stderr, "dcsim: %s\n", err);
		goto out_regmap;
	}
	if (o->snmp_port) {
		struct server_hook hook = {snmpagent_prepare, snmpagent_serve, NULL};

		/* The agent reads the plant's live values, which change only between pselect()s. */
		if (snmpagent_start(o->listen, o->snmp_port, &s->pl.v, err, sizeof(err)) < 0) {
			fprintf(stderr, "dcsim: %s\n", err);
			goto out_server;
		}
		server_set_hook(srv, &hook);
		fprintf(stderr, "dcsim: SNMP v1/v2c on udp:%s:%d (community = device name)\n",
		        o->listen, o->snmp_port);
	}
	if (o->pidfile && write_pidfile(o->pidfile) < 0) {
		fprintf(stderr, "dcsim: %s: %s\n", o->pidfile, strerror(errno));
		goto out_server;
	}
	print_start(o, s);
	if (serve(o, s, &rm, srv, &orig) == 0) {
		unsigned long req, unans;

		server_stats(srv, &req, &unans);
		fprintf(stderr, "dcsim: exiting on signal %d, %lu requests, %lu to unknown units\n",
		        (int)stop_signal, req, unans);
		if (o->snmp_port) {
			snmpagent_stats(&req, &unans);
			fprintf(stderr, "dcsim: SNMP: %lu requests, %lu dropped (bad community)\n",
			        req, unans);
		}
	}
	rc = stop_signal ? 0 : 1;
	if (o->pidfile)
		unlink(o->pidfile);
out_server:
	snmpagent_stop();
	server_free(srv);
out_regmap:
	regmap_release(&rm);
	return rc;
}
