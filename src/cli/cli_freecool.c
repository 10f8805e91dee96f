/*
 * `greendc freecool`: the free-cooling calculator (docs/freecooling.md).
 *
 *   freecool --weather FILE.epw [plant options] [--steps N] [--cooling-kw KW] [--format F]
 *       what-if over a typical year: hours per month in each mode, the outdoor thresholds,
 *       the hours and kWh gained per 1 K of setpoint, a recommended schedule per month.
 *   freecool --period YYYY-MM | --from T --to T [--step DUR] [--format F]
 *       the site's stored outdoor and plant series (the config's cooling: section): per day
 *       and month the hours free cooling was available vs used, the chiller kWh it could have
 *       avoided, and the IT inlet envelope checks.
 *
 * Plant options override the config's cooling: section, which overrides the defaults.
 */
#include "cli/cli_freecool.h"
#include "core/timeutil.h"
#include "daemon/sections.h"

#include "analytics/epw.h"
#include "analytics/freecool.h"
#include "analytics/freecool_config.h"
#include "analytics/psychro.h"
#include "config/config.h"
#include "core/util.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXIT_USAGE   2
#define EXIT_RUNTIME 1
#define MAX_BUCKETS  (2u << 20) /* ~2 years of 1-minute buckets */
#define MAX_INLETS   64

enum format { FMT_TABLE, FMT_CSV, FMT_JSON };

static const double db_bins[] = {10, 15, 18};
static const double wb_bins[] = {5, 10, 12};
#define NBINS 3

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: greendc [-c FILE] freecool --weather FILE.epw [options]\n"
	        "       greendc [-c FILE | --db PATH] freecool --period YYYY-MM | --from T --to T\n"
	        "plant (override the config's cooling: section):\n"
	        "  --economizer T       tower (default), dry-cooler, direct-air, indirect-air,\n"
	        "                       indirect-evap\n"
	        "  --piping P           integrated (default) or parallel\n"
	        "  --chws C --chwr C    chilled-water supply setpoint / return (15 / 21)\n"
	        "  --supply-air C --return-air C   airside setpoints (24 / 36)\n"
	        "  --approach-tower K --approach-hx K --approach-dry K --approach-air K\n"
	        "  --effectiveness E    indirect evaporative effectiveness (0.7)\n"
	        "  --tower-min C        tower water freeze floor (none)\n"
	        "  --altitude M         standard-atmosphere pressure at M metres instead of the\n"
	        "                       file's station pressure\n"
	        "  --class A1..A4|H1 --allowable --derate   IT inlet envelope (A1 recommended)\n"
	        "what-if:\n"
	        "  --steps N            setpoint steps of 1 K (10, at most 30)\n"
	        "  --cooling-kw KW      cooling load for kWh figures (else the site's stored "
	        "mean)\n"
	        "  --cop X              chiller COP for kWh figures (5)\n"
	        "stored data:\n"
	        "  --period YYYY-MM | --from T --to T   interval (site local months and days)\n"
	        "  --step DUR           interval the series are averaged over (1m)\n"
	        "  --format table|csv|json\n");
}

struct opts {
	const char *weather, *period, *from, *to;
	enum format fmt;
	unsigned steps;
	double cooling_kw; /* NAN = not given */
	double altitude;   /* NAN = not given */
	int64_t step_ms;
};

/* ---- small output helpers ---- */

static void jnum(cJSON *o, const char *k, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static int print_json(cJSON *root)
{
	char *s = cJSON_Print(root);

	if (!s) {
		cJSON_Delete(root);
		return EXIT_RUNTIME;
	}
	puts(s);
	free(s);
	cJSON_Delete(root);
	return 0;
}

/* ---- option parsing ---- */

static int parse_num(const char *opt, const char *s, double lo, double hi, double *out)
{
	double d;

	if (!util_parse_double(s, &d) || d < lo || d > hi) {
		fprintf(stderr, "greendc freecool: %s: expected a number in %g..%g, got \"%s\"\n",
		        opt, lo, hi, s);
		return -EINVAL;
	}
	*out = d;
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o, struct fc_config *fc)
{
	enum {
		O_WEATHER = 256,
		O_ECON,
		O_PIPING,
		O_CHWS,
		O_CHWR,
		O_SUPA,
		O_RETA,
		O_AT,
		O_AHX,
		O_ADRY,
		O_AAIR,
		O_EFF,
		O_TMIN,
		O_ALT,
		O_CLASS,
		O_ALLOW,
		O_DERATE,
		O_STEPS,
		O_KW,
		O_COP,
		O_PERIOD,
		O_FROM,
		O_TO,
		O_STEP,
		O_FORMAT,
		O_HELP
	};
	static const struct option lo[] = {{"weather", required_argument, NULL, O_WEATHER},
	                                   {"economizer", required_argument, NULL, O_ECON},
	                                   {"piping", required_argument, NULL, O_PIPING},
	                                   {"chws", required_argument, NULL, O_CHWS},
	                                   {"chwr", required_argument, NULL, O_CHWR},
	                                   {"supply-air", required_argument, NULL, O_SUPA},
	                                   {"return-air", required_argument, NULL, O_RETA},
	                                   {"approach-tower", required_argument, NULL, O_AT},
	                                   {"approach-hx", required_argument, NULL, O_AHX},
	                                   {"approach-dry", required_argument, NULL, O_ADRY},
	                                   {"approach-air", required_argument, NULL, O_AAIR},
	                                   {"effectiveness", required_argument, NULL, O_EFF},
	                                   {"tower-min", required_argument, NULL, O_TMIN},
	                                   {"altitude", required_argument, NULL, O_ALT},
	                                   {"class", required_argument, NULL, O_CLASS},
	                                   {"allowable", no_argument, NULL, O_ALLOW},
	                                   {"derate", no_argument, NULL, O_DERATE},
	                                   {"steps", required_argument, NULL, O_STEPS},
	                                   {"cooling-kw", required_argument, NULL, O_KW},
	                                   {"cop", required_argument, NULL, O_COP},
	                                   {"period", required_argument, NULL, O_PERIOD},
	                                   {"from", required_argument, NULL, O_FROM},
	                                   {"to", required_argument, NULL, O_TO},
	                                   {"step", required_argument, NULL, O_STEP},
	                                   {"format", required_argument, NULL, O_FORMAT},
	                                   {"help", no_argument, NULL, O_HELP},
	                                   {NULL, 0, NULL, 0}};
	struct fc_plant *p = &fc->plant;
	double d = 0;
	int c, r = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1 && r == 0) {
		switch (c) {
		case O_WEATHER:
			o->weather = optarg;
			break;
		case O_ECON:
			if (freecool_economizer_parse(optarg, &p->type) < 0) {
				fprintf(stderr, "greendc freecool: --economizer: unknown \"%s\"\n",
				        optarg);
				r = -EINVAL;
			}
			break;
		case O_PIPING:
			if (strcmp(optarg, "integrated") == 0)
				p->piping = FC_INTEGRATED;
			else if (strcmp(optarg, "parallel") == 0)
				p->piping = FC_PARALLEL;
			else
				r = -EINVAL;
			break;
		case O_CHWS:
			r = parse_num("--chws", optarg, 4, 30, &p->chws_c);
			break;
		case O_CHWR:
			r = parse_num("--chwr", optarg, 5, 40, &p->chwr_c);
			break;
		case O_SUPA:
			r = parse_num("--supply-air", optarg, 10, 35, &p->supply_air_c);
			break;
		case O_RETA:
			r = parse_num("--return-air", optarg, 15, 50, &p->return_air_c);
			break;
		case O_AT:
			r = parse_num("--approach-tower", optarg, 0, 15, &p->approach_tower_k);
			break;
		case O_AHX:
			r = parse_num("--approach-hx", optarg, 0, 10, &p->approach_hx_k);
			break;
		case O_ADRY:
			r = parse_num("--approach-dry", optarg, 0, 20, &p->approach_dry_k);
			break;
		case O_AAIR:
			r = parse_num("--approach-air", optarg, 0, 20, &p->approach_air_k);
			break;
		case O_EFF:
			r = parse_num("--effectiveness", optarg, 0, 1, &p->evap_effectiveness);
			break;
		case O_TMIN:
			r = parse_num("--tower-min", optarg, -5, 15, &p->tower_min_c);
			break;
		case O_ALT:
			r = parse_num("--altitude", optarg, -500, 6000, &o->altitude);
			break;
		case O_CLASS:
			if (freecool_class_parse(optarg, &fc->ashrae_class) < 0) {
				fprintf(stderr,
				        "greendc freecool: --class: expected A1..A4 or H1\n");
				r = -EINVAL;
			}
			break;
		case O_ALLOW:
			fc->allowable = true;
			break;
		case O_DERATE:
			fc->derate = true;
			break;
		case O_STEPS:
			r = parse_num("--steps", optarg, 0, FC_MAX_STEPS, &d);
			o->steps = (unsigned)d;
			if (!r && d != floor(d))
				r = -EINVAL;
			break;
		case O_KW:
			r = parse_num("--cooling-kw", optarg, 0, 1e6, &o->cooling_kw);
			break;
		case O_COP:
			r = parse_num("--cop", optarg, 1, 15, &fc->cop);
			break;
		case O_PERIOD:
			o->period = optarg;
			break;
		case O_FROM:
			o->from = optarg;
			break;
		case O_TO:
			o->to = optarg;
			break;
		case O_STEP:
			r = time_parse_duration(optarg, &o->step_ms);
			break;
		case O_FORMAT:
			if (strcmp(optarg, "table") == 0)
				o->fmt = FMT_TABLE;
			else if (strcmp(optarg, "csv") == 0)
				o->fmt = FMT_CSV;
			else if (strcmp(optarg, "json") == 0)
				o->fmt = FMT_JSON;
			else
				r = -EINVAL;
			break;
		case O_HELP:
		case 'h':
			usage(stdout);
			return 1;
		default:
			r = -EINVAL;
		}
	}
	if (r == 0 && optind < argc) {
		fprintf(stderr, "greendc freecool: unexpected argument \"%s\"\n", argv[optind]);
		r = -EINVAL;
	}
	if (r == 0 && p->chwr_c <= p->chws_c) {
		fprintf(stderr, "greendc freecool: --chwr must be above --chws\n");
		r = -EINVAL;
	}
	if (r == 0 && !o->weather && !o->period && !(o->from && o->to)) {
		fprintf(stderr, "greendc freecool: give --weather FILE.epw, --period YYYY-MM or "
		                "--from T --to T\n");
		r = -EINVAL;
	}
	return r;
}

/* ---- what-if over an EPW year ---- */

struct climate {
	unsigned db_below[13][NBINS], wb_below[13][NBINS];
};

struct sched_row {
	unsigned step;
	double chws_c, inlet_c, full_on, full_off, part_on, part_off;
	double free_h, free_equiv_h, at_risk_h, inlet_edge_c;
};

/*
 * The recommended setpoint of a month: the lowest step reaching the most free-cooling
 * load-hours among the steps whose IT inlet estimate stays inside the envelope (a warmer
 * inlet than needed only costs server fan power). at_risk_h: hours at the changeover edge
 * (leaving temperature within the hysteresis band of the setpoint), where the supply can
 * overshoot by up to H for up to the minimum on-time.
 */
static void schedule_month(const struct fc_config *fc, const struct fc_envelope *env,
                           const struct fc_whatif *w, int mo, struct sched_row *row)
{
	double best = -1.0, full, part;
	unsigned bs = 0;
	const char *gov;
	struct fc_plant ps;

	for (unsigned s = 0; s <= w->steps; s++) {
		ps = fc->plant;
		freecool_plant_raise(&ps, s);
		if (freecool_inlet_c(&ps) > env->t_max_c + 1e-9)
			break;
		if (w->m[s][mo].free_equiv_h > best + 1e-9) {
			best = w->m[s][mo].free_equiv_h;
			bs = s;
		}
	}
	ps = fc->plant;
	freecool_plant_raise(&ps, bs);
	freecool_thresholds(&ps, &full, &part, &gov);
	row->step = bs;
	row->chws_c = freecool_supply_c(&ps);
	row->inlet_c = freecool_inlet_c(&ps);
	row->inlet_edge_c = row->inlet_c + fc->ctl.hysteresis_k;
	row->full_on = full - fc->ctl.hysteresis_k;
	row->full_off = full;
	row->part_on = ps.piping == FC_INTEGRATED ? part - fc->ctl.hysteresis_k : NAN;
	row->part_off = ps.piping == FC_INTEGRATED ? part : NAN;
	row->free_h = w->m[bs][mo].free_h;
	row->free_equiv_h = w->m[bs][mo].free_equiv_h;
	row->at_risk_h = w->m[bs][mo].marginal_h;
	if (best < 0) /* even the base setpoint is outside the envelope */
		row->at_risk_h = w->m[bs][mo].hours;
}

static const char *const month_names[13] = {"year", "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul",  "Aug", "Sep", "Oct", "Nov", "Dec"};

static int print_whatif(const struct opts *o, const struct fc_config *fc, const struct epw *e,
                        const char *psrc, const struct fc_whatif *w, const struct climate *cl,
                        double cooling_kw, const char *kw_src)
{
	const struct fc_plant *p = &fc->plant;
	double full, part, altitude = isfinite(o->altitude) ? o->altitude : e->elevation_m;
	const char *gov;
	struct fc_envelope env;
	struct sched_row sched[13];

	freecool_thresholds(p, &full, &part, &gov);
	freecool_envelope(fc->ashrae_class, fc->allowable, fc->derate, altitude, fc->derate_from_m,
	                  &env);
	for (int mo = 1; mo <= 12; mo++)
		schedule_month(fc, &env, w, mo, &sched[mo]);

	if (o->fmt == FMT_JSON) {
		cJSON *root = cJSON_CreateObject(), *x, *arr;

		x = cJSON_AddObjectToObject(root, "weather");
		cJSON_AddStringToObject(x, "city", e->city);
		cJSON_AddStringToObject(x, "wmo", e->wmo);
		jnum(x, "elevation_m", e->elevation_m);
		jnum(x, "hours", (double)e->n);
		cJSON_AddStringToObject(x, "pressure", psrc);
		jnum(x, "dew_point_clamped", (double)e->nclamped);
		x = cJSON_AddObjectToObject(root, "plant");
		cJSON_AddStringToObject(x, "economizer", freecool_economizer_name(p->type));
		cJSON_AddStringToObject(x, "piping",
		                        p->piping == FC_INTEGRATED ? "integrated" : "parallel");
		jnum(x, "supply_c", freecool_supply_c(p));
		jnum(x, "return_c", freecool_return_c(p));
		jnum(x, "approach_tower_k", p->approach_tower_k);
		jnum(x, "approach_hx_k", p->approach_hx_k);
		jnum(x, "hysteresis_k", fc->ctl.hysteresis_k);
		x = cJSON_AddObjectToObject(root, "thresholds");
		cJSON_AddStringToObject(x, "governs", gov);
		jnum(x, "full_c", full);
		jnum(x, "partial_c", part);
		x = cJSON_AddObjectToObject(root, "envelope");
		cJSON_AddStringToObject(x, "class", freecool_class_name(fc->ashrae_class));
		cJSON_AddStringToObject(x, "range", fc->allowable ? "allowable" : "recommended");
		jnum(x, "t_min_c", env.t_min_c);
		jnum(x, "t_max_c", env.t_max_c);
		arr = cJSON_AddArrayToObject(root, "months");
		for (int mo = 0; mo <= 12; mo++) {
			const struct fc_month *m = &w->m[0][mo];
			char k[24];

			x = cJSON_CreateObject();
			cJSON_AddItemToArray(arr, x);
			cJSON_AddStringToObject(x, "month", month_names[mo]);
			jnum(x, "hours", m->hours);
			jnum(x, "free_h", m->free_h);
			jnum(x, "partial_h", m->partial_h);
			jnum(x, "mechanical_h", m->mech_h);
			jnum(x, "free_equiv_h", m->free_equiv_h);
			jnum(x, "controller_free_h", m->ctl_free_h);
			jnum(x, "controller_partial_h", m->ctl_partial_h);
			jnum(x, "controller_changes", m->changes);
			for (int b = 0; b < NBINS; b++) {
				snprintf(k, sizeof(k), "db_below_%g", db_bins[b]);
				jnum(x, k, cl->db_below[mo][b]);
				snprintf(k, sizeof(k), "wb_below_%g", wb_bins[b]);
				jnum(x, k, cl->wb_below[mo][b]);
			}
		}
		arr = cJSON_AddArrayToObject(root, "setpoints");
		for (unsigned s = 0; s <= w->steps; s++) {
			const struct fc_month *m = &w->m[s][0], *b = &w->m[0][0];
			struct fc_plant ps = *p;

			freecool_plant_raise(&ps, s);
			x = cJSON_CreateObject();
			cJSON_AddItemToArray(arr, x);
			jnum(x, "raise_k", s);
			jnum(x, "supply_c", freecool_supply_c(&ps));
			jnum(x, "return_c", freecool_return_c(&ps));
			jnum(x, "inlet_c", freecool_inlet_c(&ps));
			jnum(x, "free_h", m->free_h);
			jnum(x, "partial_h", m->partial_h);
			jnum(x, "mechanical_h", m->mech_h);
			jnum(x, "free_equiv_h", m->free_equiv_h);
			jnum(x, "free_gained_h", m->free_h - b->free_h);
			jnum(x, "kwh_saved",
			     cooling_kw * (m->free_equiv_h - b->free_equiv_h) / fc->cop);
		}
		x = cJSON_AddObjectToObject(root, "load");
		jnum(x, "cooling_kw", cooling_kw);
		cJSON_AddStringToObject(x, "source", kw_src);
		jnum(x, "cop", fc->cop);
		arr = cJSON_AddArrayToObject(root, "schedule");
		for (int mo = 1; mo <= 12; mo++) {
			const struct sched_row *r = &sched[mo];

			x = cJSON_CreateObject();
			cJSON_AddItemToArray(arr, x);
			cJSON_AddStringToObject(x, "month", month_names[mo]);
			jnum(x, "supply_c", r->chws_c);
			jnum(x, "inlet_c", r->inlet_c);
			jnum(x, "full_enable_below_c", r->full_on);
			jnum(x, "full_disable_above_c", r->full_off);
			jnum(x, "partial_enable_below_c", r->part_on);
			jnum(x, "partial_disable_above_c", r->part_off);
			jnum(x, "free_h", r->free_h);
			jnum(x, "free_equiv_h", r->free_equiv_h);
			jnum(x, "at_risk_h", r->at_risk_h);
			jnum(x, "inlet_at_changeover_c", r->inlet_edge_c);
		}
		return print_json(root);
	}

	bool csv = o->fmt == FMT_CSV;
	if (!csv) {
		printf("weather: %s (WMO %s), %zu hours, %.0f m, pressure: %s", e->city, e->wmo,
		       e->n, e->elevation_m, psrc);
		if (e->nclamped)
			printf(", %zu dew points clamped to the dry-bulb", e->nclamped);
		printf("\nplant: %s, %s piping, supply %.1f C, return %.1f C",
		       freecool_economizer_name(p->type),
		       p->piping == FC_INTEGRATED ? "integrated" : "parallel", freecool_supply_c(p),
		       freecool_return_c(p));
		if (p->type == FC_TOWER_HX)
			printf(", approaches tower %.1f K + HX %.1f K", p->approach_tower_k,
			       p->approach_hx_k);
		printf("\nthresholds: full free cooling at %s <= %.1f C", gov, full);
		if (p->piping == FC_INTEGRATED)
			printf(", partial below %.1f C", part);
		printf(" (hysteresis %.1f K, min on/off %.0f/%.0f min)\n\n", fc->ctl.hysteresis_k,
		       fc->ctl.min_on_s / 60, fc->ctl.min_off_s / 60);
		printf("%-5s %5s %6s %7s %6s %8s %6s %6s %6s %6s %6s %6s\n", "month", "hours",
		       "free", "partial", "mech", "free-eq", "db<10", "db<15", "db<18", "wb<5",
		       "wb<10", "wb<12");
	} else {
		printf("month,hours,free_h,partial_h,mechanical_h,free_equiv_h,controller_free_h,"
		       "controller_partial_h,db_below_10,db_below_15,db_below_18,wb_below_5,"
		       "wb_below_10,wb_below_12\n");
	}
	for (int i = 1; i <= 13; i++) {
		int mo = i % 13;
		const struct fc_month *m = &w->m[0][mo];

		if (csv)
			printf("%s,%.0f,%.0f,%.0f,%.0f,%.2f,%.0f,%.0f,%u,%u,%u,%u,%u,%u\n",
			       month_names[mo], m->hours, m->free_h, m->partial_h, m->mech_h,
			       m->free_equiv_h, m->ctl_free_h, m->ctl_partial_h,
			       cl->db_below[mo][0], cl->db_below[mo][1], cl->db_below[mo][2],
			       cl->wb_below[mo][0], cl->wb_below[mo][1], cl->wb_below[mo][2]);
		else
			printf("%-5s %5.0f %6.0f %7.0f %6.0f %8.1f %6u %6u %6u %6u %6u %6u\n",
			       month_names[mo], m->hours, m->free_h, m->partial_h, m->mech_h,
			       m->free_equiv_h, cl->db_below[mo][0], cl->db_below[mo][1],
			       cl->db_below[mo][2], cl->wb_below[mo][0], cl->wb_below[mo][1],
			       cl->wb_below[mo][2]);
	}
	if (csv)
		printf("\nraise_k,supply_c,return_c,inlet_c,free_h,partial_h,mechanical_h,"
		       "free_equiv_h,free_gained_h,kwh_saved\n");
	else
		printf("\nraising the setpoint (cooling load %.0f kW, %s; COP %.1f):\n"
		       "%6s %7s %7s %7s %6s %7s %6s %8s %7s %10s\n",
		       cooling_kw, kw_src, fc->cop, "raise", "supply", "return", "inlet", "free",
		       "partial", "mech", "free-eq", "gained", "kWh saved");
	for (unsigned s = 0; s <= w->steps; s++) {
		const struct fc_month *m = &w->m[s][0], *b = &w->m[0][0];
		struct fc_plant ps = *p;
		double kwh;

		freecool_plant_raise(&ps, s);
		kwh = cooling_kw * (m->free_equiv_h - b->free_equiv_h) / fc->cop;
		printf(csv ? "%u,%.1f,%.1f,%.1f,%.0f,%.0f,%.0f,%.2f,%.0f,%.1f\n"
		           : "+%4uK %7.1f %7.1f %7.1f %6.0f %7.0f %6.0f %8.1f %7.0f %10.0f\n",
		       s, freecool_supply_c(&ps), freecool_return_c(&ps), freecool_inlet_c(&ps),
		       m->free_h, m->partial_h, m->mech_h, m->free_equiv_h, m->free_h - b->free_h,
		       isfinite(kwh) ? kwh : 0.0);
	}
	if (csv)
		printf("\nmonth,supply_c,inlet_c,full_enable_below_c,full_disable_above_c,"
		       "partial_enable_below_c,partial_disable_above_c,free_h,free_equiv_h,"
		       "at_risk_h\n");
	else
		printf("\nrecommended schedule (IT inlet inside %s %s: %.1f-%.1f C; thresholds on "
		       "%s):\n%-5s %7s %6s %13s %13s %6s %8s %8s\n",
		       freecool_class_name(fc->ashrae_class),
		       fc->allowable ? "allowable" : "recommended", env.t_min_c, env.t_max_c, gov,
		       "month", "supply", "inlet", "full on/off", "partial on/off", "free",
		       "free-eq", "at-risk");
	for (int mo = 1; mo <= 12; mo++) {
		const struct sched_row *r = &sched[mo];

		if (csv)
			printf("%s,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.0f,%.2f,%.0f\n", month_names[mo],
			       r->chws_c, r->inlet_c, r->full_on, r->full_off, r->part_on,
			       r->part_off, r->free_h, r->free_equiv_h, r->at_risk_h);
		else
			printf("%-5s %7.1f %6.1f %6.1f/%-6.1f %6.1f/%-6.1f %6.0f %8.1f %8.0f\n",
			       month_names[mo], r->chws_c, r->inlet_c, r->full_on, r->full_off,
			       r->part_on, r->part_off, r->free_h, r->free_equiv_h, r->at_risk_h);
	}
	if (!csv)
		printf("at-risk: hours at the changeover edge (leaving temperature within %.1f K "
		       "of "
		       "the setpoint), where the IT inlet can exceed its estimate by up to %.1f K "
		       "for up to the minimum on-time.\n",
		       fc->ctl.hysteresis_k, fc->ctl.hysteresis_k);
	return 0;
}

/* Mean of the summed cooling-power series over the last 30 days, in kW; NAN when none. */
static double stored_cooling_kw(const struct fc_config *fc, const char *dbpath);

static int run_weather(const struct opts *o, struct fc_config *fc, const char *dbpath)
{
	char err[512];
	struct epw *e = epw_read(o->weather, err, sizeof(err));
	struct fc_hour *h;
	struct fc_whatif *w;
	struct climate cl = {0};
	const char *psrc = "station (file)";
	double p_alt, kw = o->cooling_kw;
	const char *kw_src = "--cooling-kw";
	int rc = EXIT_RUNTIME;
	bool used_alt = false;

	if (!e) {
		fprintf(stderr, "greendc freecool: %s\n", err);
		return EXIT_RUNTIME;
	}
	p_alt = psychro_pressure_at_altitude(isfinite(o->altitude) ? o->altitude : e->elevation_m);
	if (isfinite(o->altitude))
		psrc = "standard atmosphere at --altitude";
	h = calloc(e->n, sizeof(*h));
	w = malloc(sizeof(*w));
	if (!h || !w) {
		fprintf(stderr, "greendc freecool: out of memory\n");
		goto out_free;
	}
	for (size_t i = 0; i < e->n; i++) {
		const struct epw_record *r = &e->rec[i];
		double p = r->p_pa;

		if (isfinite(o->altitude) || !isfinite(p)) {
			used_alt |= !isfinite(o->altitude);
			p = p_alt;
		}
		h[i].month = r->month;
		freecool_outdoor_from_dp(&h[i].o, r->db_c, r->dp_c, p);
		for (int b = 0; b < NBINS; b++) {
			unsigned d = r->db_c < db_bins[b], wb = h[i].o.wb_c < wb_bins[b];

			cl.db_below[r->month][b] += d;
			cl.db_below[0][b] += d;
			cl.wb_below[r->month][b] += wb;
			cl.wb_below[0][b] += wb;
		}
	}
	if (used_alt)
		psrc = "station (file), standard atmosphere where missing";
	if (freecool_whatif(&fc->plant, &fc->ctl, h, e->n, o->steps, w) < 0) {
		fprintf(stderr, "greendc freecool: bad what-if input\n");
		goto out_free;
	}
	if (!isfinite(kw)) {
		kw = dbpath ? stored_cooling_kw(fc, dbpath) : NAN;
		kw_src = "stored mean of the last 30 days";
		if (!isfinite(kw)) {
			kw = 0.0;
			kw_src = "none given: use --cooling-kw";
		}
	}
	rc = print_whatif(o, fc, e, psrc, w, &cl, kw, kw_src);
out_free:
	free(w);
	free(h);
	epw_free(e);
	return rc;
}

/* ---- stored data ---- */

/* One configured series kind gathered into buckets: mean of the matching series' bucket
 * averages (temperatures, RH, mode) or their sum (powers). */
struct gather {
	double *sum; /* per bucket */
	unsigned *n; /* series contributing per bucket */
	int64_t from, step;
	size_t nb;
};

static int gather_cb(void *ctx, int64_t bucket_ms, double value, int64_t count)
{
	struct gather *g = ctx;
	int64_t i = (bucket_ms - g->from) / g->step;

	(void)count;
	if (i < 0 || (size_t)i >= g->nb || !isfinite(value))
		return 0;
	g->sum[i] += value;
	g->n[i]++;
	return 0;
}

struct ids {
	int64_t id[MAX_INLETS];
	char name[MAX_INLETS][96];
	size_t n;
};

static int ids_cb(void *ctx, const struct store_series_info *info)
{
	struct ids *s = ctx;

	if (s->n >= MAX_INLETS)
		return 1;
	s->id[s->n] = info->id;
	snprintf(s->name[s->n], sizeof(s->name[0]), "%s %s%s%s%s", info->device, info->metric,
	         *info->labels ? "{" : "", info->labels, *info->labels ? "}" : "");
	s->n++;
	return 0;
}

/* Bucket averages of every series matching glob into g (sum and count per bucket). */
static int gather_glob(struct store_reader *r, const char *glob, struct gather *g,
                       struct ids *found)
{
	int rc = store_series_find(r, glob, ids_cb, found);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < found->n; i++) {
		rc = store_query(r, found->id[i], g->from, g->from + (int64_t)g->nb * g->step,
		                 g->step, AGG_AVG, gather_cb, g);
		if (rc < 0)
			return rc;
	}
	return (int)found->n;
}

static double bucket(const struct gather *g, size_t i, bool sum)
{
	if (!g->sum || !g->n[i])
		return NAN;
	return sum ? g->sum[i] : g->sum[i] / g->n[i];
}

static double stored_cooling_kw(const struct fc_config *fc, const char *dbpath)
{
	const char *glob = fc->series[FC_S_COOLING_W];
	char err[256];
	struct store_reader *r;
	double total = 0.0;
	size_t nb = 0;

	if (!glob)
		return NAN;
	r = store_reader_open(dbpath, err, sizeof(err));
	if (!r)
		return NAN;
	/* 1-minute buckets up to now: the current hour has no hourly rollup yet. */
	struct gather g = {.step = 60000, .nb = 30 * 1440};
	struct ids found = {0};
	int64_t end = util_wall_ms();

	end += g.step - end % g.step;
	g.from = end - (int64_t)g.nb * g.step;
	g.sum = calloc(g.nb, sizeof(double));
	g.n = calloc(g.nb, sizeof(unsigned));
	if (g.sum && g.n && gather_glob(r, glob, &g, &found) > 0)
		for (size_t i = 0; i < g.nb; i++)
			if (g.n[i] == found.n) {
				total += g.sum[i];
				nb++;
			}
	free(g.sum);
	free(g.n);
	store_reader_close(r);
	return nb ? total / nb / 1000.0 : NAN;
}

/* Availability vs use over one day or month. */
struct tally {
	char label[16];
	double data_h; /* hours with outdoor data */
	double avail_free_h, avail_partial_h, avail_equiv_h;
	double used_free_h, used_partial_h, used_known_h;
	double missed_h; /* a freer mode was available than the plant ran */
	double compressor_kwh, missed_kwh;
};

static void tally_add(struct tally *t, double dt_h, enum fc_mode av, double fav, int act,
                      double fact, double comp_kw)
{
	t->data_h += dt_h;
	t->avail_free_h += (av == FC_FREE) * dt_h;
	t->avail_partial_h += (av == FC_PARTIAL) * dt_h;
	t->avail_equiv_h += fav * dt_h;
	if (act < 0)
		return;
	t->used_known_h += dt_h;
	t->used_free_h += (act == FC_FREE) * dt_h;
	t->used_partial_h += (act == FC_PARTIAL) * dt_h;
	if ((int)av > act)
		t->missed_h += dt_h;
	if (isfinite(comp_kw)) {
		/* The share of the compressors' load the economizer could have taken on top of
		 * what it already carried. */
		double avoid = fact < 1.0 ? (fav - fact) / (1.0 - fact) : 0.0;

		avoid = avoid < 0 ? 0 : avoid > 1 ? 1 : avoid;
		t->compressor_kwh += comp_kw * dt_h;
		t->missed_kwh += comp_kw * avoid * dt_h;
	}
}

struct envcheck {
	char name[96];
	double min_c, max_c, below_h, above_h, max_rate, rate_over_h;
	/* Dew point from the inlet temperature and the RH series of the same device. */
	char rh_name[96]; /* "" when no RH series is paired */
	double dp_min_c, dp_max_c, dp_below_h, dp_above_h, rh_above_h;
};

/* The device part of "device metric{labels}". */
static size_t device_len(const char *name)
{
	return strcspn(name, " ");
}

static cJSON *tally_json(const struct tally *t)
{
	cJSON *x = cJSON_CreateObject();

	cJSON_AddStringToObject(x, "period", t->label);
	jnum(x, "data_h", t->data_h);
	jnum(x, "available_free_h", t->avail_free_h);
	jnum(x, "available_partial_h", t->avail_partial_h);
	jnum(x, "available_free_equiv_h", t->avail_equiv_h);
	jnum(x, "plant_data_h", t->used_known_h);
	jnum(x, "used_free_h", t->used_free_h);
	jnum(x, "used_partial_h", t->used_partial_h);
	jnum(x, "missed_h", t->missed_h);
	jnum(x, "compressor_kwh", t->compressor_kwh);
	jnum(x, "missed_kwh", t->missed_kwh);
	return x;
}

static void tally_print(const struct tally *t, bool csv)
{
	if (csv)
		printf("%s,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.3f,%.3f\n", t->label, t->data_h,
		       t->avail_free_h, t->avail_partial_h, t->avail_equiv_h, t->used_free_h,
		       t->used_partial_h, t->missed_h, t->compressor_kwh, t->missed_kwh);
	else
		printf("%-10s %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f %10.1f %10.1f\n", t->label,
		       t->data_h, t->avail_free_h, t->avail_partial_h, t->avail_equiv_h,
		       t->used_free_h, t->used_partial_h, t->missed_h, t->compressor_kwh,
		       t->missed_kwh);
}

static int period_bounds(const struct opts *o, int64_t *from, int64_t *to)
{
	if (o->period) {
		struct tm tm = {0};
		int y, m;
		char tail;

		if (sscanf(o->period, "%4d-%2d%c", &y, &m, &tail) != 2 || m < 1 || m > 12 ||
		    y < 1970 || y > 2200)
			return -EINVAL;
		tm.tm_year = y - 1900;
		tm.tm_mon = m - 1;
		tm.tm_mday = 1;
		tm.tm_isdst = -1;
		*from = (int64_t)mktime(&tm) * 1000;
		tm.tm_mon++;
		tm.tm_isdst = -1;
		*to = (int64_t)mktime(&tm) * 1000;
		return 0;
	}
	int64_t now = util_wall_ms();
	if (time_parse(o->from, now, from) < 0 || time_parse(o->to, now, to) < 0 || *to <= *from)
		return -EINVAL;
	return 0;
}

enum { G_DB, G_RH, G_DP, G_P, G_VALVE, G_COMP, G_MODE, G_COUNT };

static int run_stored(const struct opts *o, const struct fc_config *fc, const struct config *cfg,
                      const char *dbpath)
{
	static const enum fc_series kinds[G_COUNT] = {
	        [G_DB] = FC_S_DRY_BULB, [G_RH] = FC_S_RH,           [G_DP] = FC_S_DEW_POINT,
	        [G_P] = FC_S_PRESSURE,  [G_VALVE] = FC_S_VALVE_PCT, [G_COMP] = FC_S_COMPRESSOR_W,
	        [G_MODE] = FC_S_MODE};
	struct gather g[G_COUNT] = {0}, gin[MAX_INLETS], grh[MAX_INLETS];
	struct ids rhs = {0};
	size_t rh_of[MAX_INLETS]; /* index into rhs for inlet s, or SIZE_MAX */
	struct ids inlets = {0};
	struct envcheck ec[MAX_INLETS];
	struct tally *days = NULL, months[64];
	size_t ndays = 0, nmonths = 0;
	struct fc_envelope env;
	struct store_reader *r;
	int64_t from, to;
	char err[256];
	int rc = EXIT_RUNTIME;
	double altitude = isfinite(fc->altitude_m) ? fc->altitude_m
	                  : cfg                    ? cfg->site.altitude_m
	                                           : 0;
	double p_std = psychro_pressure_at_altitude(altitude);
	double dt_h = (double)o->step_ms / 3600000.0;

	if (cfg && cfg->site.timezone && *cfg->site.timezone)
		setenv("TZ", cfg->site.timezone, 1);
	tzset();
	if (period_bounds(o, &from, &to) < 0) {
		fprintf(stderr, "greendc freecool: bad --period or --from/--to\n");
		return EXIT_USAGE;
	}
	if (!fc->series[FC_S_DRY_BULB]) {
		fprintf(stderr, "greendc freecool: the config has no cooling: outdoor: dry_bulb "
		                "series (docs/freecooling.md)\n");
		return EXIT_USAGE;
	}
	if ((to - from) / o->step_ms > MAX_BUCKETS) {
		fprintf(stderr, "greendc freecool: more than %u intervals: use a larger --step\n",
		        MAX_BUCKETS);
		return EXIT_USAGE;
	}
	r = store_reader_open(dbpath, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "greendc freecool: %s\n", err);
		return EXIT_RUNTIME;
	}
	size_t nb = (size_t)((to - from + o->step_ms - 1) / o->step_ms);
	for (int k = 0; k < G_COUNT; k++) {
		struct ids found = {0};

		g[k].from = from;
		g[k].step = o->step_ms;
		g[k].nb = nb;
		if (!fc->series[kinds[k]])
			continue;
		g[k].sum = calloc(nb, sizeof(double));
		g[k].n = calloc(nb, sizeof(unsigned));
		if (!g[k].sum || !g[k].n ||
		    gather_glob(r, fc->series[kinds[k]], &g[k], &found) < 0) {
			fprintf(stderr, "greendc freecool: cannot read %s\n", fc->series[kinds[k]]);
			goto out_free;
		}
	}
	/* IT inlet series one by one for the envelope checks. */
	memset(gin, 0, sizeof(gin));
	memset(grh, 0, sizeof(grh));
	if (fc->series[FC_S_IT_INLET] &&
	    store_series_find(r, fc->series[FC_S_IT_INLET], ids_cb, &inlets) < 0)
		goto out_free;
	for (size_t s = 0; s < inlets.n; s++) {
		gin[s] = (struct gather){.from = from, .step = o->step_ms, .nb = nb};
		gin[s].sum = calloc(nb, sizeof(double));
		gin[s].n = calloc(nb, sizeof(unsigned));
		if (!gin[s].sum || !gin[s].n ||
		    store_query(r, inlets.id[s], from, from + (int64_t)nb * o->step_ms, o->step_ms,
		                AGG_AVG, gather_cb, &gin[s]) < 0)
			goto out_free;
	}
	/* Room RH, paired with each inlet by device, for the dew-point half of the envelope. */
	if (fc->series[FC_S_IT_RH] &&
	    store_series_find(r, fc->series[FC_S_IT_RH], ids_cb, &rhs) < 0)
		goto out_free;
	for (size_t s = 0; s < inlets.n; s++) {
		rh_of[s] = SIZE_MAX;
		size_t dl = device_len(inlets.name[s]);
		for (size_t k = 0; k < rhs.n && rh_of[s] == SIZE_MAX; k++)
			if (device_len(rhs.name[k]) == dl &&
			    strncmp(rhs.name[k], inlets.name[s], dl) == 0)
				rh_of[s] = k;
		if (rh_of[s] == SIZE_MAX)
			continue;
		grh[s] = (struct gather){.from = from, .step = o->step_ms, .nb = nb};
		grh[s].sum = calloc(nb, sizeof(double));
		grh[s].n = calloc(nb, sizeof(unsigned));
		if (!grh[s].sum || !grh[s].n ||
		    store_query(r, rhs.id[rh_of[s]], from, from + (int64_t)nb * o->step_ms,
		                o->step_ms, AGG_AVG, gather_cb, &grh[s]) < 0)
			goto out_free;
	}
	days = calloc(nb * (size_t)o->step_ms / 86400000 + 2, sizeof(*days));
	if (!days)
		goto out_free;
	size_t maxdays = nb * (size_t)o->step_ms / 86400000 + 2;

	memset(months, 0, sizeof(months));
	for (size_t i = 0; i < nb; i++) {
		int64_t ts = from + (int64_t)i * o->step_ms;
		time_t tt = (time_t)(ts / 1000);
		struct tm tm;
		char dlabel[16], mlabel[16];
		struct fc_outdoor od;
		double db = bucket(&g[G_DB], i, false), rh = bucket(&g[G_RH], i, false);
		double dp = bucket(&g[G_DP], i, false), p = bucket(&g[G_P], i, false), f, fact;
		double mode = bucket(&g[G_MODE], i, false), valve = bucket(&g[G_VALVE], i, false);
		double comp = bucket(&g[G_COMP], i, true) / 1000.0;
		enum fc_mode av;
		int act = -1;

		if (!isfinite(db) || (!isfinite(rh) && !isfinite(dp)))
			continue;
		if (!isfinite(p))
			p = p_std;
		if (isfinite(rh))
			freecool_outdoor_from_rh(&od, db, fmin(rh / 100.0, 1.0), p, fc->rh_over);
		else
			freecool_outdoor_from_dp(&od, db, dp, p);
		av = freecool_available(&fc->plant, &od, &f);
		if (isfinite(mode))
			act = (int)lround(mode);
		else if (isfinite(valve))
			act = valve >= 99.5 ? FC_FREE : valve > 0.5 ? FC_PARTIAL : FC_MECHANICAL;
		if (act > FC_FREE || act < -1)
			act = -1;
		fact = act == FC_FREE      ? 1.0
		       : act == FC_PARTIAL ? (isfinite(valve) ? fmin(valve / 100.0, 1.0) : 0.0)
		                           : 0.0;
		localtime_r(&tt, &tm);
		strftime(dlabel, sizeof(dlabel), "%Y-%m-%d", &tm);
		strftime(mlabel, sizeof(mlabel), "%Y-%m", &tm);
		if (!ndays || strcmp(days[ndays - 1].label, dlabel) != 0) {
			if (ndays == maxdays)
				continue;
			snprintf(days[ndays++].label, sizeof(days[0].label), "%s", dlabel);
		}
		if (!nmonths || strcmp(months[nmonths - 1].label, mlabel) != 0) {
			if (nmonths == sizeof(months) / sizeof(months[0]))
				continue;
			snprintf(months[nmonths++].label, sizeof(months[0].label), "%s", mlabel);
		}
		tally_add(&days[ndays - 1], dt_h, av, f, act, fact, comp);
		tally_add(&months[nmonths - 1], dt_h, av, f, act, fact, comp);
	}

	/* Envelope checks per IT inlet series. */
	freecool_envelope(fc->ashrae_class, fc->allowable, fc->derate, altitude, fc->derate_from_m,
	                  &env);
	size_t lag = o->step_ms >= 3600000 ? 1 : (size_t)(3600000 / o->step_ms);
	for (size_t s = 0; s < inlets.n; s++) {
		struct envcheck *c = &ec[s];

		memset(c, 0, sizeof(*c));
		snprintf(c->name, sizeof(c->name), "%s", inlets.name[s]);
		c->min_c = INFINITY;
		c->max_c = -INFINITY;
		c->dp_min_c = INFINITY;
		c->dp_max_c = -INFINITY;
		if (rh_of[s] != SIZE_MAX)
			snprintf(c->rh_name, sizeof(c->rh_name), "%s", rhs.name[rh_of[s]]);
		for (size_t i = 0; i < nb; i++) {
			double v = bucket(&gin[s], i, false);

			if (!isfinite(v))
				continue;
			double rh = c->rh_name[0] ? bucket(&grh[s], i, false) : NAN;
			if (isfinite(rh) && rh > 0) {
				/* Room sensors report RH over water; inlets are well above 0 C. */
				double dp = psychro_dew_point_from_pw(psychro_vapour_pressure(
				        v, fmin(rh, 100.0) / 100.0, PSYCHRO_RH_WATER));
				if (isfinite(dp)) {
					c->dp_min_c = fmin(c->dp_min_c, dp);
					c->dp_max_c = fmax(c->dp_max_c, dp);
					c->dp_below_h += (dp < env.dp_min_c) * dt_h;
					c->dp_above_h += (dp > env.dp_max_c) * dt_h;
					c->rh_above_h += (rh / 100.0 > env.rh_max) * dt_h;
				}
			}
			c->min_c = fmin(c->min_c, v);
			c->max_c = fmax(c->max_c, v);
			c->below_h += (v < env.t_min_c) * dt_h;
			c->above_h += (v > env.t_max_c) * dt_h;
			if (i >= lag && isfinite(bucket(&gin[s], i - lag, false))) {
				double rate = fabs(v - bucket(&gin[s], i - lag, false)) *
				              (3600000.0 / ((double)lag * o->step_ms));

				c->max_rate = fmax(c->max_rate, rate);
				c->rate_over_h += (rate > fc->rate_limit_k_per_h) * dt_h;
			}
		}
	}

	struct tally total = {0};
	snprintf(total.label, sizeof(total.label), "total");
	for (size_t i = 0; i < nmonths; i++) {
		const struct tally *m = &months[i];

		total.data_h += m->data_h;
		total.avail_free_h += m->avail_free_h;
		total.avail_partial_h += m->avail_partial_h;
		total.avail_equiv_h += m->avail_equiv_h;
		total.used_free_h += m->used_free_h;
		total.used_partial_h += m->used_partial_h;
		total.used_known_h += m->used_known_h;
		total.missed_h += m->missed_h;
		total.compressor_kwh += m->compressor_kwh;
		total.missed_kwh += m->missed_kwh;
	}
	if (o->fmt == FMT_JSON) {
		cJSON *root = cJSON_CreateObject(), *arr, *x;
		char a[40], b[40];

		time_format_utc_ms(from, a, sizeof(a));
		time_format_utc_ms(to, b, sizeof(b));
		cJSON_AddStringToObject(root, "from", a);
		cJSON_AddStringToObject(root, "to", b);
		jnum(root, "step_s", (double)o->step_ms / 1000.0);
		cJSON_AddStringToObject(root, "economizer",
		                        freecool_economizer_name(fc->plant.type));
		cJSON_AddItemToObject(root, "total", tally_json(&total));
		arr = cJSON_AddArrayToObject(root, "months");
		for (size_t i = 0; i < nmonths; i++)
			cJSON_AddItemToArray(arr, tally_json(&months[i]));
		arr = cJSON_AddArrayToObject(root, "days");
		for (size_t i = 0; i < ndays; i++)
			cJSON_AddItemToArray(arr, tally_json(&days[i]));
		x = cJSON_AddObjectToObject(root, "envelope");
		cJSON_AddStringToObject(x, "class", freecool_class_name(fc->ashrae_class));
		cJSON_AddStringToObject(x, "range", fc->allowable ? "allowable" : "recommended");
		jnum(x, "t_min_c", env.t_min_c);
		jnum(x, "t_max_c", env.t_max_c);
		jnum(x, "rate_limit_k_per_h", fc->rate_limit_k_per_h);
		jnum(x, "dew_point_min_c", env.dp_min_c);
		jnum(x, "dew_point_max_c", env.dp_max_c);
		jnum(x, "rh_max_pct", 100.0 * env.rh_max);
		arr = cJSON_AddArrayToObject(x, "inlets");
		for (size_t s = 0; s < inlets.n; s++) {
			cJSON *y = cJSON_CreateObject();

			cJSON_AddItemToArray(arr, y);
			cJSON_AddStringToObject(y, "series", ec[s].name);
			jnum(y, "min_c", ec[s].min_c);
			jnum(y, "max_c", ec[s].max_c);
			jnum(y, "below_h", ec[s].below_h);
			jnum(y, "above_h", ec[s].above_h);
			jnum(y, "max_rate_k_per_h", ec[s].max_rate);
			jnum(y, "rate_exceeded_h", ec[s].rate_over_h);
			if (ec[s].rh_name[0] && isfinite(ec[s].dp_min_c)) {
				cJSON_AddStringToObject(y, "rh_series", ec[s].rh_name);
				jnum(y, "dew_point_min_c", ec[s].dp_min_c);
				jnum(y, "dew_point_max_c", ec[s].dp_max_c);
				jnum(y, "dew_point_below_h", ec[s].dp_below_h);
				jnum(y, "dew_point_above_h", ec[s].dp_above_h);
				jnum(y, "rh_above_h", ec[s].rh_above_h);
			}
		}
		rc = print_json(root);
		goto out_free;
	}
	bool csv = o->fmt == FMT_CSV;
	const char *hdr =
	        csv ? "period,data_h,available_free_h,available_partial_h,"
	              "available_free_equiv_h,used_free_h,used_partial_h,missed_h,"
	              "compressor_kwh,missed_kwh\n"
	            : "period        data  av-free  av-part   av-eq  used-fr used-pt  missed  "
	              "comp-kWh missed-kWh\n";
	printf("%s", hdr);
	for (size_t i = 0; i < nmonths; i++)
		tally_print(&months[i], csv);
	tally_print(&total, csv);
	printf("\n%s", hdr);
	for (size_t i = 0; i < ndays; i++)
		tally_print(&days[i], csv);
	printf(csv ? "\nseries,min_c,max_c,below_h,above_h,max_rate_k_per_h,rate_exceeded_h\n"
	           : "\nIT inlet envelope (%s %s %.1f-%.1f C, rate limit %.0f K/h):\n",
	       freecool_class_name(fc->ashrae_class), fc->allowable ? "allowable" : "recommended",
	       env.t_min_c, env.t_max_c, fc->rate_limit_k_per_h);
	if (!inlets.n && !csv)
		printf("  no it_inlet series configured or stored\n");
	for (size_t s = 0; s < inlets.n; s++)
		printf(csv ? "%s,%.2f,%.2f,%.4f,%.4f,%.2f,%.4f\n"
		           : "  %-40s min %.1f max %.1f C, %.2f h below, %.2f h above, max rate "
		             "%.1f K/h (%.2f h over the limit)\n",
		       ec[s].name, ec[s].min_c, ec[s].max_c, ec[s].below_h, ec[s].above_h,
		       ec[s].max_rate, ec[s].rate_over_h);
	for (size_t s = 0; !csv && s < inlets.n; s++)
		if (ec[s].rh_name[0] && isfinite(ec[s].dp_min_c))
			printf("  %-40s dew point %.1f..%.1f C (envelope %.1f..%.1f), %.2f h "
			       "below, "
			       "%.2f h above, %.2f h over %.0f %% RH\n",
			       ec[s].name, ec[s].dp_min_c, ec[s].dp_max_c, env.dp_min_c,
			       env.dp_max_c, ec[s].dp_below_h, ec[s].dp_above_h, ec[s].rh_above_h,
			       100.0 * env.rh_max);
	rc = 0;
out_free:
	for (int k = 0; k < G_COUNT; k++) {
		free(g[k].sum);
		free(g[k].n);
	}
	for (size_t s = 0; s < inlets.n; s++) {
		free(gin[s].sum);
		free(gin[s].n);
		free(grh[s].sum);
		free(grh[s].n);
	}
	free(days);
	store_reader_close(r);
	return rc;
}

int cli_freecool_main(int argc, char **argv, const struct cli_ctx *ctx)
{
	const char *config_path = ctx->cfg ? ctx->config_path : NULL, *db = ctx->db;
	struct opts o = {.fmt = FMT_TABLE,
	                 .steps = 10,
	                 .cooling_kw = NAN,
	                 .altitude = NAN,
	                 .step_ms = 60000};
	struct fc_config fc;
	struct config *cfg = NULL;
	char *dbpath = NULL;
	int rc;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
	/* The config's cooling: section first, so options override it. */
	freecool_config_defaults(&fc);
	if (config_path) {
		struct config_diag diag = {0};

		cfg = greendc_config_load(config_path, &diag);
		if (!cfg) {
			fputs(diag.text, stderr);
			return EXIT_RUNTIME;
		}
		if (cfg->cooling)
			fc = *cfg->cooling;
	}
	rc = parse_args(argc, argv, &o, &fc);
	if (rc) {
		config_free(cfg);
		if (rc > 0)
			return 0;
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!db && getenv("GREENDC_DB") && *getenv("GREENDC_DB"))
		db = getenv("GREENDC_DB");
	if (db)
		dbpath = strdup(db);
	else if (cfg)
		dbpath = strdup(cfg->storage.path);
	if (o.weather) {
		rc = run_weather(&o, &fc, dbpath);
	} else if (!dbpath) {
		fprintf(stderr, "greendc freecool: stored data needs -c FILE or --db PATH\n");
		rc = EXIT_USAGE;
	} else {
		rc = run_stored(&o, &fc, cfg, dbpath);
	}
	free(dbpath);
	config_free(cfg);
	return rc;
}
