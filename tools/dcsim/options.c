/* SPDX-License-Identifier: Apache-2.0 */
/* dcsim's command line (options.h). */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "dcsim.h"

#define MAX_SPEED 100000.0

void options_default(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->listen = "127.0.0.1";
	o->port = 5020;
	o->speed = 1.0;
	o->altitude_m = 778;
	o->days = 45;
	o->step = 300;
	o->wrap = 1;
	o->replace = 1;
	o->gap = 1;
	o->gap_min = 40;
	o->snmp_views = 1;
	plant_params_default(&o->pp);
	o->start = time(NULL);
}

void options_usage(FILE *out)
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

int options_parse(int argc, char **argv, struct options *o)
{
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == O_HELP) {
			options_usage(stdout);
			exit(0);
		}
		if (c < O_LISTEN) {
			options_usage(stderr);
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
