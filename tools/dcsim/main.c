/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcsim: a simulated data centre speaking real Modbus TCP, for the demo and the integration
 * tests (docs/dcsim.md). This file runs the command line (options.c): it builds the model
 * (fresh, or resumed from a state file), plans a history's span and events, and runs one mode
 * — the live server (live.c), the history generator (history.c), or one of the one-shot prints.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/timeutil.h"
#include "dcsim.h"
#include "history.h"
#include "live.h"
#include "options.h"
#include "plant.h"
#include "regmap.h"
#include "sim.h"
#include "snmpagent.h"
#include "state.h"
#include "weather.h"

#define DAY 86400

/* Local midnight (UTC+8) of the day holding t. */
static time_t local_midnight(time_t t)
{
	time_t lt = t + DCSIM_UTC_OFFSET_S;

	return lt - ((lt % DAY) + DAY) % DAY - DCSIM_UTC_OFFSET_S;
}

static time_t floor_to(time_t t, int step)
{
	return t - ((t % step) + step) % step;
}

/* The history's span and events from the options; the model starts at *start. */
static int history_plan(struct options *o, const struct sim *resumed, time_t *start,
                        struct history_opts *h)
{
	time_t span;

	h->step = o->step;
	h->fc_step = o->fc_step ? o->fc_step : o->step < 60 ? o->step : 60;
	if (o->step % h->fc_step) {
		fprintf(stderr, "dcsim: --fc-step must divide --step\n");
		return -EINVAL;
	}
	h->end = floor_to(o->end_set ? o->end : time(NULL), o->step);
	if (resumed)
		*start = resumed->t;
	else if (o->start_set)
		*start = floor_to(o->start, o->step);
	else
		*start = floor_to(h->end - (time_t)(o->days * DAY), o->step);
	if (*start % h->fc_step) {
		fprintf(stderr, "dcsim: the state's time is not a multiple of --fc-step (the "
		                "history that wrote it had another step)\n");
		return -EINVAL;
	}
	if (h->end <= *start) {
		fprintf(stderr, "dcsim: --history: the end is not after the start\n");
		return -EINVAL;
	}
	span = h->end - *start;
	h->skip_first = resumed != NULL;
	h->wrap = o->wrap;
	h->snmp_views = o->snmp_views;
	h->replace_at = 0;
	if (o->replace)
		h->replace_at =
		        floor_to(o->replace_at ? o->replace_at
		                               : local_midnight(*start + span / 3) + 14 * 3600,
		                 o->step);
	if (h->replace_at <= *start || h->replace_at >= h->end)
		h->replace_at = 0;
	h->gap_s = 0;
	if (o->gap) {
		h->gap_from = floor_to(o->gap_at ? o->gap_at
		                                 : local_midnight(*start + span / 2) + 10 * 3600 +
		                                           40 * 60,
		                       o->step);
		h->gap_s = o->gap_min * 60;
		if (h->gap_from <= *start || h->gap_from + h->gap_s >= h->end)
			h->gap_s = 0;
	}
	return 0;
}

static void fmt_local(time_t t, char *buf, size_t len)
{
	time_t lt = t + DCSIM_UTC_OFFSET_S;
	struct tm tm;

	gmtime_r(&lt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M+08:00", &tm);
}

static int run_history(struct options *o, struct sim *s, const struct history_opts *h, time_t start,
                       const struct state_weather *sw)
{
	FILE *out = strcmp(o->history, "-") == 0 ? stdout : fopen(o->history, "w");
	struct history_stats st;
	char err[512], a[32], b[32];
	double kwh0 = s->pl.v.pdu_kwh[0];
	int rc;

	if (!out) {
		fprintf(stderr, "dcsim: %s: %s\n", o->history, strerror(errno));
		return 1;
	}
	setvbuf(out, NULL, _IOFBF, 1 << 20);
	rc = history_write(s, h, out, &st, err, sizeof(err));
	if (fflush(out) != 0 || (out != stdout && fclose(out) != 0)) {
		snprintf(err, sizeof(err), "%s: %s", o->history, strerror(errno));
		rc = -EIO;
	}
	if (rc < 0) {
		fprintf(stderr, "dcsim: %s\n", err);
		return 1;
	}
	fmt_local(start, a, sizeof(a));
	fmt_local(h->end, b, sizeof(b));
	fprintf(stderr,
	        "dcsim: history %s .. %s, step %d s (%d s for the free-cooling inputs): %lu "
	        "readings, %lu rows, %u series; "
	        "PDU A's 16-bit register %s %d times",
	        a, b, h->step, h->fc_step, st.readings, st.rows, st.series,
	        h->wrap ? "wrapped" : "(written unwrapped) would have wrapped",
	        (int)(floor(s->pl.v.pdu_kwh[0] / 65536.0) - floor(kwh0 / 65536.0)));
	if (h->replace_at) {
		fmt_local(h->replace_at, a, sizeof(a));
		fprintf(stderr, "; utility-b's meter replaced at %s", a);
	}
	if (h->gap_s) {
		fmt_local(h->gap_from, a, sizeof(a));
		fprintf(stderr, "; pdu-b silent %d min after %s", h->gap_s / 60, a);
	}
	fputc('\n', stderr);
	/* The last hour: written when complete (or when no state continues it), else carried
	 * in the state for the resumed run to finish. */
	if (s->truth.seconds >= 3600 || !o->state_out) {
		if (truth_flush(&s->truth, s->truth_out) < 0)
			return 1;
		memset(&s->truth, 0, sizeof(s->truth));
	}
	if (o->state_out && state_write(o->state_out, s, sw, err, sizeof(err)) < 0) {
		fprintf(stderr, "dcsim: %s\n", err);
		return 1;
	}
	return 0;
}

/* Open the truth file: a new file (history) or appended to (live), header when empty. */
static FILE *open_truth(const char *path, int append)
{
	FILE *f = fopen(path, append ? "a" : "w");

	if (!f) {
		fprintf(stderr, "dcsim: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (ftell(f) == 0)
		truth_header(f);
	return f;
}

/* The model: fresh at start, or resumed from o->resume. *wx is the weather it reads. */
static int build_model(struct options *o, struct sim *s, struct weather **wx,
                       struct state_weather *sw)
{
	char err[512];

	memset(sw, 0, sizeof(*sw));
	if (o->resume) {
		if (state_read(o->resume, s, sw, err, sizeof(err)) < 0) {
			fprintf(stderr, "dcsim: %s\n", err);
			return -EINVAL;
		}
		o->pp = s->pl.pp;
		o->epw = sw->epw[0] ? sw->epw : NULL;
		o->altitude_m = sw->altitude_m;
	} else {
		snprintf(sw->epw, sizeof(sw->epw), "%s", o->epw ? o->epw : "");
		sw->altitude_m = o->altitude_m;
	}
	*wx = o->epw ? weather_new_epw(o->epw, err, sizeof(err))
	             : weather_new_synthetic(o->pp.seed, o->altitude_m);
	if (!*wx) {
		fprintf(stderr, "dcsim: %s\n", o->epw ? err : "out of memory");
		return -EINVAL;
	}
	if ((o->resume ? state_attach(s, *wx) : sim_init(s, &o->pp, *wx, o->start)) < 0) {
		fprintf(stderr, "dcsim: no valid weather at the start time\n");
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	struct weather *wx = NULL;
	struct state_weather sw;
	struct history_opts h;
	struct sim s;
	time_t hstart = 0;
	int rc = 1;

	memset(&s, 0, sizeof(s));
	options_default(&o);
	if (options_parse(argc, argv, &o) < 0)
		return 2;
	if (o.list) {
		regmap_list(stdout);
		snmpagent_list(stdout);
		return 0;
	}
	if (o.history && !o.resume) {
		if (history_plan(&o, NULL, &hstart, &h) < 0)
			return 2;
		o.start = hstart;
	}
	if (build_model(&o, &s, &wx, &sw) < 0)
		goto out;
	if (o.history && o.resume && history_plan(&o, &s, &hstart, &h) < 0) {
		rc = 2;
		goto out;
	}
	if (o.truth && !(s.truth_out = open_truth(o.truth, !o.history)))
		goto out;
	if (o.history) {
		rc = run_history(&o, &s, &h, hstart, &sw);
	} else if (o.once) {
		/* A resumed model is advanced to --start (if later) before printing. */
		if (o.resume && o.start_set)
			sim_advance(&s, o.start);
		regmap_dump_json(stdout, &s.pl.v);
		rc = 0;
	} else {
		struct live_opts lo = {.listen = o.listen,
		                       .pidfile = o.pidfile,
		                       .port = o.port,
		                       .snmp_port = o.snmp_port,
		                       .speed = o.speed,
		                       .clock_start = o.start,
		                       .dump = o.dump,
		                       .weather_name = o.epw ? o.epw : "synthetic Taiyuan"};

		if (o.resume && lo.clock_start < s.t)
			lo.clock_start = s.t; /* a state in the future: the clock starts there */
		if (o.hold_s)
			lo.hold_at = lo.clock_start + o.hold_s;
		rc = live_run(&lo, &s);
		/* The hour in progress, with its seconds, so nothing simulated goes unreported. */
		if (truth_flush(&s.truth, s.truth_out) < 0)
			rc = 1;
	}
out:
	if (s.truth_out && fclose(s.truth_out) != 0)
		rc = 1;
	weather_free(wx);
	return rc;
}
