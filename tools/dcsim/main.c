/*
 * dcsim: a simulated data centre speaking real Modbus TCP, for the demo and the integration
 * tests (docs/dcsim.md). This file is the command line: it builds the model (fresh, or resumed
 * from a state file) and runs one mode — the live server (live.c), the history generator
 * (history.c), or one of the one-shot prints.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/timeutil.h"
#include "dcsim.h"
#include "history.h"
#include "live.h"
#include "plant.h"
#include "regmap.h"
#include "sim.h"
#include "snmpagent.h"
#include "state.h"
#include "weather.h"

#define MAX_SPEED 100000.0
#define DAY       86400

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

static void usage(FILE *out)
{
	fputs("usage: dcsim [options]                          serve the simulated site live\n"
	      "       dcsim --history FILE|- [options]         write its readings for a span\n"
	      "Serving:\n"
	      "  --listen ADDR          address to listen on (default 127.0.0.1)\n"
	      "  --port N               TCP port (default 5020)\n"
	      "  --snmp-port N          also serve PDUs, UPS and weather over SNMP v1/v2c on\n"
	      "                         udp:ADDR:N, community = device name (default 0 = off)\n"
	      "  --pidfile FILE         write the process id to FILE\n"
	      "  --speed N              simulated seconds per real second (default 1, max 100000)\n"
	      "  --dump                 print the served values as JSON once a second\n"
	      "  --hold-after DUR       stop the model DUR (simulated) after the start; the\n"
	      "                         registers keep serving the last values (for tests)\n"
	      "Model:\n"
	      "  --it-kw KW             mean IT load in kW (default 400)\n"
	      "  --seed N               noise seed (default 1)\n"
	      "  --late-changeover K    controller enables free cooling K kelvin late (default 2,\n"
	      "                         0 = ideal)\n"
	      "  --chws-setpoint C      chilled-water supply setpoint (default 15)\n"
	      "  --start TIME           simulated start (default now)\n"
	      "  --weather FILE.epw     hourly EPW weather instead of the built-in Taiyuan model\n"
	      "  --altitude M           site altitude for station pressure (default 778)\n"
	      "  --pdu-start-kwh N      PDU-A energy counter at start (default 65000; wraps at "
	      "65536)\n"
	      "  --rh-over-water        weather station reports RH over water below 0 C\n"
	      "  --resume-from STATE    continue the model from a state file (--state-out)\n"
	      "Ground truth and history:\n"
	      "  --truth FILE.csv       write the true energy, water and cooling modes per hour\n"
	      "                         (live: appended as hours complete)\n"
	      "  --history FILE|-       write the readings greendcd would have stored, as CSV for\n"
	      "                         greendc import --interval-end, then exit\n"
	      "  --end TIME             end of the history (default now)\n"
	      "  --days N               length of the history (default 45) when --start is not "
	      "given\n"
	      "  --step DUR             time between readings (default 5m; divides 1h)\n"
	      "  --fc-step DUR          the same for the weather station and chiller plant, which\n"
	      "                         free-cooling hours are computed from (default 1m; divides\n"
	      "                         --step)\n"
	      "  --state-out FILE       write the model state at the end (for --resume-from)\n"
	      "  --no-wrap              PDU A's 16-bit kWh register written unwrapped\n"
	      "  --no-replace           no meter replacement (default: utility-b's meter at 1/3)\n"
	      "  --replace-at TIME      when utility-b's meter is replaced\n"
	      "  --no-gap               no gap (default: PDU B silent 40 min at half the span)\n"
	      "  --gap-at TIME          when PDU B falls silent; --gap-minutes N (default 40)\n"
	      "  --no-snmp-views        leave out the demo's SNMP views of the PDUs, UPS, weather\n"
	      "Other:\n"
	      "  --list                 print unit ids and register maps, then exit\n"
	      "  --once                 print the values at the start time as JSON, then exit\n"
	      "  --help                 this text\n"
	      "TIME is site local time (UTC+8) YYYY-MM-DD[THH:MM], ISO 8601 with Z or an offset,\n"
	      "or now.\n",
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

/* YYYY-MM-DD or YYYY-MM-DDTHH:MM in site local time (UTC+8); ISO 8601 with a zone; now. */
static int parse_time(const char *s, time_t *out)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, n = 0;
	int64_t ms;

	if (strcmp(s, "now") == 0) {
		*out = time(NULL);
		return 0;
	}
	if (strchr(s, 'Z') || (strlen(s) > 10 && strpbrk(s + 10, "+-"))) {
		if (time_parse_iso8601(s, TIME_NOZONE_UTC, &ms))
			return -EINVAL;
		*out = (time_t)(ms / 1000);
		return 0;
	}
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

static int parse_step(const char *s, int *out)
{
	int64_t ms;

	if (time_parse_duration(s, &ms) < 0 || ms % 1000 || ms > 3600000 || 3600000 % ms != 0)
		return -EINVAL;
	*out = (int)(ms / 1000);
	return 0;
}

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
	O_TRUTH,
	O_HISTORY,
	O_END,
	O_DAYS,
	O_STEP,
	O_STATE_OUT,
	O_RESUME,
	O_NO_WRAP,
	O_NO_REPLACE,
	O_REPLACE_AT,
	O_NO_GAP,
	O_GAP_AT,
	O_GAP_MIN,
	O_NO_SNMP_VIEWS,
	O_HOLD,
	O_FC_STEP,
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
        {"truth", required_argument, NULL, O_TRUTH},
        {"history", required_argument, NULL, O_HISTORY},
        {"end", required_argument, NULL, O_END},
        {"days", required_argument, NULL, O_DAYS},
        {"step", required_argument, NULL, O_STEP},
        {"state-out", required_argument, NULL, O_STATE_OUT},
        {"resume-from", required_argument, NULL, O_RESUME},
        {"no-wrap", no_argument, NULL, O_NO_WRAP},
        {"no-replace", no_argument, NULL, O_NO_REPLACE},
        {"replace-at", required_argument, NULL, O_REPLACE_AT},
        {"no-gap", no_argument, NULL, O_NO_GAP},
        {"gap-at", required_argument, NULL, O_GAP_AT},
        {"gap-minutes", required_argument, NULL, O_GAP_MIN},
        {"no-snmp-views", no_argument, NULL, O_NO_SNMP_VIEWS},
        {"hold-after", required_argument, NULL, O_HOLD},
        {"fc-step", required_argument, NULL, O_FC_STEP},
        {NULL, 0, NULL, 0},
};

static int parse_port(const char *s, int lo, int *out)
{
	double d;
	int rc = parse_double(s, lo, 65535, &d);

	if (!rc && d != (int)d)
		rc = -EINVAL;
	*out = (int)d;
	return rc;
}

/* The model options: refused with --resume-from, whose state fixes them. */
static int parse_model_opt(int c, const char *arg, struct options *o)
{
	double d;
	int rc = 0;

	o->model_set = 1;
	switch (c) {
	case O_ITKW:
		return parse_double(arg, 1, 1e6, &o->pp.it_kw);
	case O_SEED:
		rc = parse_double(arg, 0, 9007199254740992.0, &d);
		o->pp.seed = (uint64_t)d;
		return rc;
	case O_LATE:
		return parse_double(arg, 0, 20, &o->pp.late_k);
	case O_CHWS:
		rc = parse_double(arg, 5, 25, &o->pp.chws_set_c);
		o->pp.chwr_design_c = o->pp.chws_set_c + 6.0;
		return rc;
	case O_WEATHER:
		o->epw = arg;
		return 0;
	case O_ALT:
		return parse_double(arg, -400, 5000, &o->altitude_m);
	case O_PDU:
		return parse_double(arg, 0, 1e9, &o->pp.pdu_start_kwh);
	case O_RHW:
		o->pp.rh_over_water = 1;
		return 0;
	}
	return -EINVAL;
}

static int parse_opt(int c, const char *arg, struct options *o)
{
	double d;
	int rc = 0;

	switch (c) {
	case O_LISTEN:
		o->listen = arg;
		break;
	case O_PORT:
		return parse_port(arg, 1, &o->port);
	case O_SNMP_PORT:
		return parse_port(arg, 0, &o->snmp_port);
	case O_PIDFILE:
		o->pidfile = arg;
		break;
	case O_SPEED:
		return parse_double(arg, 0.001, MAX_SPEED, &o->speed);
	case O_START:
		o->start_set = 1;
		return parse_time(arg, &o->start);
	case O_END:
		o->end_set = 1;
		return parse_time(arg, &o->end);
	case O_DAYS:
		return parse_double(arg, 1.0 / 24, 3660, &o->days);
	case O_STEP:
		return parse_step(arg, &o->step);
	case O_FC_STEP:
		return parse_step(arg, &o->fc_step);
	case O_LIST:
		o->list = 1;
		break;
	case O_ONCE:
		o->once = 1;
		break;
	case O_DUMP:
		o->dump = 1;
		break;
	case O_TRUTH:
		o->truth = arg;
		break;
	case O_HISTORY:
		o->history = arg;
		break;
	case O_STATE_OUT:
		o->state_out = arg;
		break;
	case O_RESUME:
		o->resume = arg;
		break;
	case O_NO_WRAP:
		o->wrap = 0;
		break;
	case O_NO_REPLACE:
		o->replace = 0;
		break;
	case O_REPLACE_AT:
		return parse_time(arg, &o->replace_at);
	case O_NO_GAP:
		o->gap = 0;
		break;
	case O_GAP_AT:
		return parse_time(arg, &o->gap_at);
	case O_GAP_MIN:
		rc = parse_double(arg, 1, 24 * 60, &d);
		o->gap_min = (int)d;
		return rc || d != (int)d ? -EINVAL : 0;
	case O_NO_SNMP_VIEWS:
		o->snmp_views = 0;
		break;
	case O_HOLD: {
		int64_t ms;

		if (time_parse_duration(arg, &ms) < 0 || ms % 1000)
			return -EINVAL;
		o->hold_s = (int)(ms / 1000);
		break;
	}
	default:
		return parse_model_opt(c, arg, o);
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == O_HELP) {
			usage(stdout);
			exit(0);
		}
		if (c < O_LISTEN) {
			usage(stderr);
			return -EINVAL;
		}
		if (parse_opt(c, optarg, o) < 0) {
			fprintf(stderr, "dcsim: --%s: invalid value \"%s\"\n",
			        longopts[c - O_LISTEN].name, optarg ? optarg : "");
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dcsim: unexpected argument \"%s\"\n", argv[optind]);
		return -EINVAL;
	}
	if (o->resume && o->model_set) {
		fprintf(stderr, "dcsim: --resume-from: the state file fixes the model's options "
		                "(--it-kw, --seed, --weather, ...): give none of them\n");
		return -EINVAL;
	}
	if (o->history && o->state_out && !o->wrap)
		fprintf(stderr,
		        "dcsim: warning: --no-wrap with --state-out: a live dcsim resumed "
		        "from the state serves PDU A's register wrapped, below the history's "
		        "last reading\n");
	if (o->history && (o->once || o->dump || o->list)) {
		fprintf(stderr,
		        "dcsim: --history cannot be combined with --once, --dump, --list\n");
		return -EINVAL;
	}
	return 0;
}

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
	if (o->resume ? state_attach(s, *wx) : sim_init(s, &o->pp, *wx, o->start) < 0) {
		fprintf(stderr, "dcsim: no valid weather at the start time\n");
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = {.listen = "127.0.0.1",
	                    .port = 5020,
	                    .speed = 1.0,
	                    .altitude_m = 778,
	                    .days = 45,
	                    .step = 300,
	                    .wrap = 1,
	                    .replace = 1,
	                    .gap = 1,
	                    .gap_min = 40,
	                    .snmp_views = 1};
	struct weather *wx = NULL;
	struct state_weather sw;
	struct history_opts h;
	struct sim s;
	time_t hstart = 0;
	int rc = 1;

	memset(&s, 0, sizeof(s));
	plant_params_default(&o.pp);
	o.start = time(NULL);
	if (parse_args(argc, argv, &o) < 0)
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
