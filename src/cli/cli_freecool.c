/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `greendc freecool`: the free-cooling calculator (docs/freecooling.md).
 *
 *   freecool --weather FILE.epw [plant options] [--steps N] [--cooling-kw KW] [--format F]
 *       what-if over a typical year: hours per month in each mode, the outdoor thresholds,
 *       the hours and kWh gained per 1 K of setpoint, a recommended schedule per month.
 *   freecool --period YYYY-MM | --from T --to T [--step DUR] [--format F]
 *       the site's stored outdoor and plant series (the config's cooling: section): per day
 *       and month the hours free cooling was available vs used, the chiller kWh it could have
 *       avoided, and the IT inlet envelope checks. The figures are freecool_stored()'s, the
 *       same as the report's, the API's and the free_cooling_unused alert's; this file only
 *       formats them.
 *
 * Plant options override the config's cooling: section, which overrides the defaults.
 */
#include "cli/cli_freecool.h"
#include "core/timeutil.h"
#include "daemon/sections.h"

#include "analytics/epw.h"
#include "analytics/freecool.h"
#include "analytics/freecool_config.h"
#include "analytics/freecool_stored.h"
#include "analytics/psychro.h"
#include "config/config.h"
#include "core/util.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE   2
#define EXIT_RUNTIME 1

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

static const struct option long_opts[] = {{"weather", required_argument, NULL, O_WEATHER},
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

/* A numeric plant option: its name, range and field. */
struct num_opt {
	int code;
	const char *name;
	double lo, hi;
	size_t off; /* offset of the double in struct fc_plant */
};

static const struct num_opt plant_nums[] = {
        {O_CHWS, "--chws", 4, 30, offsetof(struct fc_plant, chws_c)},
        {O_CHWR, "--chwr", 5, 40, offsetof(struct fc_plant, chwr_c)},
        {O_SUPA, "--supply-air", 10, 35, offsetof(struct fc_plant, supply_air_c)},
        {O_RETA, "--return-air", 15, 50, offsetof(struct fc_plant, return_air_c)},
        {O_AT, "--approach-tower", 0, 15, offsetof(struct fc_plant, approach_tower_k)},
        {O_AHX, "--approach-hx", 0, 10, offsetof(struct fc_plant, approach_hx_k)},
        {O_ADRY, "--approach-dry", 0, 20, offsetof(struct fc_plant, approach_dry_k)},
        {O_AAIR, "--approach-air", 0, 20, offsetof(struct fc_plant, approach_air_k)},
        {O_EFF, "--effectiveness", 0, 1, offsetof(struct fc_plant, evap_effectiveness)},
        {O_TMIN, "--tower-min", -5, 15, offsetof(struct fc_plant, tower_min_c)},
};

/* An option of the plant or its envelope into fc: 0, -EINVAL, or 1 when c is not one. */
static int parse_plant_opt(int c, const char *arg, struct fc_config *fc)
{
	for (size_t i = 0; i < sizeof(plant_nums) / sizeof(plant_nums[0]); i++)
		if (plant_nums[i].code == c)
			return parse_num(plant_nums[i].name, arg, plant_nums[i].lo,
			                 plant_nums[i].hi,
			                 (double *)((char *)&fc->plant + plant_nums[i].off));
	switch (c) {
	case O_ECON:
		if (freecool_economizer_parse(arg, &fc->plant.type) == 0)
			return 0;
		fprintf(stderr, "greendc freecool: --economizer: unknown \"%s\"\n", arg);
		return -EINVAL;
	case O_PIPING:
		if (strcmp(arg, "integrated") == 0)
			fc->plant.piping = FC_INTEGRATED;
		else if (strcmp(arg, "parallel") == 0)
			fc->plant.piping = FC_PARALLEL;
		else
			return -EINVAL;
		return 0;
	case O_CLASS:
		if (freecool_class_parse(arg, &fc->ashrae_class) == 0)
			return 0;
		fprintf(stderr, "greendc freecool: --class: expected A1..A4 or H1\n");
		return -EINVAL;
	case O_ALLOW:
		fc->allowable = true;
		return 0;
	case O_DERATE:
		fc->derate = true;
		return 0;
	case O_COP:
		return parse_num("--cop", arg, 1, 15, &fc->cop);
	default:
		return 1;
	}
}

static int parse_format(const char *arg, enum format *fmt)
{
	static const char *const names[] = {
	        [FMT_TABLE] = "table", [FMT_CSV] = "csv", [FMT_JSON] = "json"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(arg, names[i]) == 0) {
			*fmt = (enum format)i;
			return 0;
		}
	return -EINVAL;
}

/* An option of what to run into o: 0, -EINVAL, or 1 when c is not one. */
static int parse_run_opt(int c, const char *arg, struct opts *o)
{
	double d = 0;
	int r;

	switch (c) {
	case O_WEATHER:
		o->weather = arg;
		return 0;
	case O_ALT:
		return parse_num("--altitude", arg, -500, 6000, &o->altitude);
	case O_STEPS:
		r = parse_num("--steps", arg, 0, FC_MAX_STEPS, &d);
		o->steps = (unsigned)d;
		return r == 0 && d != floor(d) ? -EINVAL : r;
	case O_KW:
		return parse_num("--cooling-kw", arg, 0, 1e6, &o->cooling_kw);
	case O_PERIOD:
		o->period = arg;
		return 0;
	case O_FROM:
		o->from = arg;
		return 0;
	case O_TO:
		o->to = arg;
		return 0;
	case O_STEP:
		return time_parse_duration(arg, &o->step_ms);
	case O_FORMAT:
		return parse_format(arg, &o->fmt);
	default:
		return 1;
	}
}

static int parse_args(int argc, char **argv, struct opts *o, struct fc_config *fc)
{
	int c, r = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1 && r == 0) {
		if (c == O_HELP || c == 'h') {
			usage(stdout);
			return 1;
		}
		r = parse_plant_opt(c, optarg, fc);
		if (r == 1)
			r = parse_run_opt(c, optarg, o);
		if (r == 1)
			r = -EINVAL; /* getopt's '?' */
	}
	if (r == 0 && optind < argc) {
		fprintf(stderr, "greendc freecool: unexpected argument \"%s\"\n", argv[optind]);
		r = -EINVAL;
	}
	if (r == 0 && fc->plant.chwr_c <= fc->plant.chws_c) {
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

/* Everything the what-if prints, computed once for both renderings. */
struct whatif_view {
	const struct opts *o;
	const struct fc_config *fc;
	const struct epw *e;
	const char *psrc; /* where the pressure came from */
	const struct fc_whatif *w;
	const struct climate *cl;
	double cooling_kw;
	const char *kw_src;
	double full, part; /* thresholds at the base setpoint */
	const char *gov;
	struct fc_envelope env;
	struct sched_row sched[13];
};

static void whatif_json_head(cJSON *root, const struct whatif_view *v)
{
	const struct fc_plant *p = &v->fc->plant;
	cJSON *x = cJSON_AddObjectToObject(root, "weather");

	cJSON_AddStringToObject(x, "city", v->e->city);
	cJSON_AddStringToObject(x, "wmo", v->e->wmo);
	jnum(x, "elevation_m", v->e->elevation_m);
	jnum(x, "hours", (double)v->e->n);
	cJSON_AddStringToObject(x, "pressure", v->psrc);
	jnum(x, "dew_point_clamped", (double)v->e->nclamped);
	x = cJSON_AddObjectToObject(root, "plant");
	cJSON_AddStringToObject(x, "economizer", freecool_economizer_name(p->type));
	cJSON_AddStringToObject(x, "piping",
	                        p->piping == FC_INTEGRATED ? "integrated" : "parallel");
	jnum(x, "supply_c", freecool_supply_c(p));
	jnum(x, "return_c", freecool_return_c(p));
	jnum(x, "approach_tower_k", p->approach_tower_k);
	jnum(x, "approach_hx_k", p->approach_hx_k);
	jnum(x, "hysteresis_k", v->fc->ctl.hysteresis_k);
	x = cJSON_AddObjectToObject(root, "thresholds");
	cJSON_AddStringToObject(x, "governs", v->gov);
	jnum(x, "full_c", v->full);
	jnum(x, "partial_c", v->part);
	x = cJSON_AddObjectToObject(root, "envelope");
	cJSON_AddStringToObject(x, "class", freecool_class_name(v->fc->ashrae_class));
	cJSON_AddStringToObject(x, "range", v->fc->allowable ? "allowable" : "recommended");
	jnum(x, "t_min_c", v->env.t_min_c);
	jnum(x, "t_max_c", v->env.t_max_c);
}

static void whatif_json_months(cJSON *root, const struct whatif_view *v)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "months");

	for (int mo = 0; mo <= 12; mo++) {
		const struct fc_month *m = &v->w->m[0][mo];
		cJSON *x = cJSON_CreateObject();
		char k[24];

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
			jnum(x, k, v->cl->db_below[mo][b]);
			snprintf(k, sizeof(k), "wb_below_%g", wb_bins[b]);
			jnum(x, k, v->cl->wb_below[mo][b]);
		}
	}
}

/* Chiller kWh saved by step s over the base: cooling load x extra load-hours / COP. */
static double kwh_saved(const struct whatif_view *v, unsigned s)
{
	return v->cooling_kw * (v->w->m[s][0].free_equiv_h - v->w->m[0][0].free_equiv_h) /
	       v->fc->cop;
}

static void whatif_json_setpoints(cJSON *root, const struct whatif_view *v)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "setpoints"), *x;

	for (unsigned s = 0; s <= v->w->steps; s++) {
		const struct fc_month *m = &v->w->m[s][0], *b = &v->w->m[0][0];
		struct fc_plant ps = v->fc->plant;

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
		jnum(x, "kwh_saved", kwh_saved(v, s));
	}
	x = cJSON_AddObjectToObject(root, "load");
	jnum(x, "cooling_kw", v->cooling_kw);
	cJSON_AddStringToObject(x, "source", v->kw_src);
	jnum(x, "cop", v->fc->cop);
}

static void whatif_json_schedule(cJSON *root, const struct whatif_view *v)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "schedule");

	for (int mo = 1; mo <= 12; mo++) {
		const struct sched_row *r = &v->sched[mo];
		cJSON *x = cJSON_CreateObject();

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
}

static void whatif_table_head(const struct whatif_view *v)
{
	const struct fc_plant *p = &v->fc->plant;
	const struct epw *e = v->e;

	printf("weather: %s (WMO %s), %zu hours, %.0f m, pressure: %s", e->city, e->wmo, e->n,
	       e->elevation_m, v->psrc);
	if (e->nclamped)
		printf(", %zu dew points clamped to the dry-bulb", e->nclamped);
	printf("\nplant: %s, %s piping, supply %.1f C, return %.1f C",
	       freecool_economizer_name(p->type),
	       p->piping == FC_INTEGRATED ? "integrated" : "parallel", freecool_supply_c(p),
	       freecool_return_c(p));
	if (p->type == FC_TOWER_HX)
		printf(", approaches tower %.1f K + HX %.1f K", p->approach_tower_k,
		       p->approach_hx_k);
	printf("\nthresholds: full free cooling at %s <= %.1f C", v->gov, v->full);
	if (p->piping == FC_INTEGRATED)
		printf(", partial below %.1f C", v->part);
	printf(" (hysteresis %.1f K, min on/off %.0f/%.0f min)\n\n", v->fc->ctl.hysteresis_k,
	       v->fc->ctl.min_on_s / 60, v->fc->ctl.min_off_s / 60);
}

static void whatif_table_months(const struct whatif_view *v, bool csv)
{
	if (csv)
		printf("month,hours,free_h,partial_h,mechanical_h,free_equiv_h,controller_free_h,"
		       "controller_partial_h,db_below_10,db_below_15,db_below_18,wb_below_5,"
		       "wb_below_10,wb_below_12\n");
	else
		printf("%-5s %5s %6s %7s %6s %8s %6s %6s %6s %6s %6s %6s\n", "month", "hours",
		       "free", "partial", "mech", "free-eq", "db<10", "db<15", "db<18", "wb<5",
		       "wb<10", "wb<12");
	for (int i = 1; i <= 13; i++) {
		int mo = i % 13;
		const struct fc_month *m = &v->w->m[0][mo];
		const unsigned *db = v->cl->db_below[mo], *wb = v->cl->wb_below[mo];

		if (csv)
			printf("%s,%.0f,%.0f,%.0f,%.0f,%.2f,%.0f,%.0f,%u,%u,%u,%u,%u,%u\n",
			       month_names[mo], m->hours, m->free_h, m->partial_h, m->mech_h,
			       m->free_equiv_h, m->ctl_free_h, m->ctl_partial_h, db[0], db[1],
			       db[2], wb[0], wb[1], wb[2]);
		else
			printf("%-5s %5.0f %6.0f %7.0f %6.0f %8.1f %6u %6u %6u %6u %6u %6u\n",
			       month_names[mo], m->hours, m->free_h, m->partial_h, m->mech_h,
			       m->free_equiv_h, db[0], db[1], db[2], wb[0], wb[1], wb[2]);
	}
}

static void whatif_table_setpoints(const struct whatif_view *v, bool csv)
{
	if (csv)
		printf("\nraise_k,supply_c,return_c,inlet_c,free_h,partial_h,mechanical_h,"
		       "free_equiv_h,free_gained_h,kwh_saved\n");
	else
		printf("\nraising the setpoint (cooling load %.0f kW, %s; COP %.1f):\n"
		       "%6s %7s %7s %7s %6s %7s %6s %8s %7s %10s\n",
		       v->cooling_kw, v->kw_src, v->fc->cop, "raise", "supply", "return", "inlet",
		       "free", "partial", "mech", "free-eq", "gained", "kWh saved");
	for (unsigned s = 0; s <= v->w->steps; s++) {
		const struct fc_month *m = &v->w->m[s][0], *b = &v->w->m[0][0];
		struct fc_plant ps = v->fc->plant;
		double kwh = kwh_saved(v, s);

		freecool_plant_raise(&ps, s);
		printf(csv ? "%u,%.1f,%.1f,%.1f,%.0f,%.0f,%.0f,%.2f,%.0f,%.1f\n"
		           : "+%4uK %7.1f %7.1f %7.1f %6.0f %7.0f %6.0f %8.1f %7.0f %10.0f\n",
		       s, freecool_supply_c(&ps), freecool_return_c(&ps), freecool_inlet_c(&ps),
		       m->free_h, m->partial_h, m->mech_h, m->free_equiv_h, m->free_h - b->free_h,
		       isfinite(kwh) ? kwh : 0.0);
	}
}

static void whatif_table_schedule(const struct whatif_view *v, bool csv)
{
	const struct fc_config *fc = v->fc;

	if (csv)
		printf("\nmonth,supply_c,inlet_c,full_enable_below_c,full_disable_above_c,"
		       "partial_enable_below_c,partial_disable_above_c,free_h,free_equiv_h,"
		       "at_risk_h\n");
	else
		printf("\nrecommended schedule (IT inlet inside %s %s: %.1f-%.1f C; thresholds on "
		       "%s):\n%-5s %7s %6s %13s %13s %6s %8s %8s\n",
		       freecool_class_name(fc->ashrae_class),
		       fc->allowable ? "allowable" : "recommended", v->env.t_min_c, v->env.t_max_c,
		       v->gov, "month", "supply", "inlet", "full on/off", "partial on/off", "free",
		       "free-eq", "at-risk");
	for (int mo = 1; mo <= 12; mo++) {
		const struct sched_row *r = &v->sched[mo];

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
		       "of the setpoint), where the IT inlet can exceed its estimate by up to "
		       "%.1f K for up to the minimum on-time.\n",
		       fc->ctl.hysteresis_k, fc->ctl.hysteresis_k);
}

static int print_whatif(struct whatif_view *v)
{
	const struct fc_config *fc = v->fc;
	double altitude = isfinite(v->o->altitude) ? v->o->altitude : v->e->elevation_m;

	freecool_thresholds(&fc->plant, &v->full, &v->part, &v->gov);
	freecool_envelope(fc->ashrae_class, fc->allowable, fc->derate, altitude, fc->derate_from_m,
	                  &v->env);
	for (int mo = 1; mo <= 12; mo++)
		schedule_month(fc, &v->env, v->w, mo, &v->sched[mo]);
	if (v->o->fmt == FMT_JSON) {
		cJSON *root = cJSON_CreateObject();

		whatif_json_head(root, v);
		whatif_json_months(root, v);
		whatif_json_setpoints(root, v);
		whatif_json_schedule(root, v);
		return print_json(root);
	}
	bool csv = v->o->fmt == FMT_CSV;
	if (!csv)
		whatif_table_head(v);
	whatif_table_months(v, csv);
	whatif_table_setpoints(v, csv);
	whatif_table_schedule(v, csv);
	return 0;
}

/* The site's stored cooling load over the last 30 days, in kW; NAN when none. */
static double stored_cooling_kw(const struct fc_config *fc, const char *dbpath)
{
	char err[256];
	struct store_reader *r = store_reader_open(dbpath, err, sizeof(err));
	double kw;

	if (!r)
		return NAN;
	kw = freecool_stored_cooling_kw(r, fc, util_wall_ms(), 30 * 86400000LL);
	store_reader_close(r);
	return kw;
}

/* Hourly outdoor states of the file, and the dry-/wet-bulb bins per month. */
static void weather_hours(const struct opts *o, const struct epw *e, struct fc_hour *h,
                          struct climate *cl, const char **psrc)
{
	double p_alt =
	        psychro_pressure_at_altitude(isfinite(o->altitude) ? o->altitude : e->elevation_m);
	bool used_alt = false;

	*psrc = isfinite(o->altitude) ? "standard atmosphere at --altitude" : "station (file)";
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
			unsigned d = freecool_below(r->db_c, db_bins[b]),
			         wb = freecool_below(h[i].o.wb_c, wb_bins[b]);

			cl->db_below[r->month][b] += d;
			cl->db_below[0][b] += d;
			cl->wb_below[r->month][b] += wb;
			cl->wb_below[0][b] += wb;
		}
	}
	if (used_alt)
		*psrc = "station (file), standard atmosphere where missing";
}

static int run_weather(const struct opts *o, struct fc_config *fc, const char *dbpath)
{
	char err[512];
	struct epw *e = epw_read(o->weather, err, sizeof(err));
	struct fc_hour *h;
	struct fc_whatif *w;
	struct climate cl = {0};
	struct whatif_view v = {.o = o, .fc = fc, .e = e, .cl = &cl};
	int rc = EXIT_RUNTIME;

	if (!e) {
		fprintf(stderr, "greendc freecool: %s\n", err);
		return EXIT_RUNTIME;
	}
	h = calloc(e->n, sizeof(*h));
	w = malloc(sizeof(*w));
	if (!h || !w) {
		fprintf(stderr, "greendc freecool: out of memory\n");
		goto out_free;
	}
	weather_hours(o, e, h, &cl, &v.psrc);
	if (freecool_whatif(&fc->plant, &fc->ctl, h, e->n, o->steps, w) < 0) {
		fprintf(stderr, "greendc freecool: bad what-if input\n");
		goto out_free;
	}
	v.w = w;
	v.cooling_kw = o->cooling_kw;
	v.kw_src = "--cooling-kw";
	if (!isfinite(v.cooling_kw)) {
		v.cooling_kw = dbpath ? stored_cooling_kw(fc, dbpath) : NAN;
		v.kw_src = "stored mean of the last 30 days";
		if (!isfinite(v.cooling_kw)) {
			v.cooling_kw = 0.0;
			v.kw_src = "none given: use --cooling-kw";
		}
	}
	rc = print_whatif(&v);
out_free:
	free(w);
	free(h);
	epw_free(e);
	return rc;
}

/* ---- stored data: freecool_stored() formatted ---- */

static cJSON *tally_json(const struct fc_tally *t)
{
	cJSON *x = cJSON_CreateObject();

	cJSON_AddStringToObject(x, "period", t->label);
	jnum(x, "data_h", t->data_h);
	jnum(x, "available_free_h", t->avail_free_h);
	jnum(x, "available_partial_h", t->avail_partial_h);
	jnum(x, "available_free_equiv_h", t->avail_equiv_h);
	jnum(x, "plant_data_h", t->plant_data_h);
	jnum(x, "used_free_h", t->used_free_h);
	jnum(x, "used_partial_h", t->used_partial_h);
	jnum(x, "used_free_equiv_h", t->used_equiv_h);
	jnum(x, "missed_h", t->missed_h);
	jnum(x, "compressor_kwh", t->compressor_kwh);
	jnum(x, "missed_kwh", t->missed_kwh);
	return x;
}

static void tally_print(const struct fc_tally *t, bool csv)
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

static cJSON *inlet_json(const struct fc_inlet_check *c)
{
	cJSON *y = cJSON_CreateObject();

	cJSON_AddStringToObject(y, "series", c->series);
	jnum(y, "min_c", c->min_c);
	jnum(y, "max_c", c->max_c);
	jnum(y, "below_h", c->below_h);
	jnum(y, "above_h", c->above_h);
	jnum(y, "max_rate_k_per_h", c->max_rate_k_per_h);
	jnum(y, "rate_exceeded_h", c->rate_over_h);
	if (c->rh_series[0] && isfinite(c->dp_min_c)) {
		cJSON_AddStringToObject(y, "rh_series", c->rh_series);
		jnum(y, "dew_point_min_c", c->dp_min_c);
		jnum(y, "dew_point_max_c", c->dp_max_c);
		jnum(y, "dew_point_below_h", c->dp_below_h);
		jnum(y, "dew_point_above_h", c->dp_above_h);
		jnum(y, "rh_above_h", c->rh_above_h);
	}
	return y;
}

static int stored_json(const struct fc_config *fc, const struct fc_stored *s)
{
	cJSON *root = cJSON_CreateObject(), *arr, *x;
	char a[40], b[40];

	time_format_utc_ms(s->from_ms, a, sizeof(a));
	time_format_utc_ms(s->to_ms, b, sizeof(b));
	cJSON_AddStringToObject(root, "from", a);
	cJSON_AddStringToObject(root, "to", b);
	jnum(root, "step_s", (double)s->step_ms / 1000.0);
	cJSON_AddStringToObject(root, "economizer", freecool_economizer_name(fc->plant.type));
	cJSON_AddItemToObject(root, "total", tally_json(&s->total));
	arr = cJSON_AddArrayToObject(root, "months");
	for (size_t i = 0; i < s->nmonths; i++)
		cJSON_AddItemToArray(arr, tally_json(&s->months[i]));
	arr = cJSON_AddArrayToObject(root, "days");
	for (size_t i = 0; i < s->ndays; i++)
		cJSON_AddItemToArray(arr, tally_json(&s->days[i]));
	x = cJSON_AddObjectToObject(root, "envelope");
	cJSON_AddStringToObject(x, "class", freecool_class_name(fc->ashrae_class));
	cJSON_AddStringToObject(x, "range", fc->allowable ? "allowable" : "recommended");
	jnum(x, "t_min_c", s->env.t_min_c);
	jnum(x, "t_max_c", s->env.t_max_c);
	jnum(x, "rate_limit_k_per_h", fc->rate_limit_k_per_h);
	jnum(x, "dew_point_min_c", s->env.dp_min_c);
	jnum(x, "dew_point_max_c", s->env.dp_max_c);
	jnum(x, "rh_max_pct", 100.0 * s->env.rh_max);
	arr = cJSON_AddArrayToObject(x, "inlets");
	for (size_t i = 0; i < s->ninlets; i++)
		cJSON_AddItemToArray(arr, inlet_json(&s->inlets[i]));
	return print_json(root);
}

static void stored_table_inlets(const struct fc_config *fc, const struct fc_stored *s, bool csv)
{
	const struct fc_envelope *env = &s->env;

	printf(csv ? "\nseries,min_c,max_c,below_h,above_h,max_rate_k_per_h,rate_exceeded_h\n"
	           : "\nIT inlet envelope (%s %s %.1f-%.1f C, rate limit %.0f K/h):\n",
	       freecool_class_name(fc->ashrae_class), fc->allowable ? "allowable" : "recommended",
	       env->t_min_c, env->t_max_c, fc->rate_limit_k_per_h);
	if (!s->ninlets && !csv)
		printf("  no it_inlet series configured or stored\n");
	for (size_t i = 0; i < s->ninlets; i++) {
		const struct fc_inlet_check *c = &s->inlets[i];

		printf(csv ? "%s,%.2f,%.2f,%.4f,%.4f,%.2f,%.4f\n"
		           : "  %-40s min %.1f max %.1f C, %.2f h below, %.2f h above, max rate "
		             "%.1f K/h (%.2f h over the limit)\n",
		       c->series, c->min_c, c->max_c, c->below_h, c->above_h, c->max_rate_k_per_h,
		       c->rate_over_h);
	}
	for (size_t i = 0; !csv && i < s->ninlets; i++) {
		const struct fc_inlet_check *c = &s->inlets[i];

		if (c->rh_series[0] && isfinite(c->dp_min_c))
			printf("  %-40s dew point %.1f..%.1f C (envelope %.1f..%.1f), %.2f h "
			       "below, %.2f h above, %.2f h over %.0f %% RH\n",
			       c->series, c->dp_min_c, c->dp_max_c, env->dp_min_c, env->dp_max_c,
			       c->dp_below_h, c->dp_above_h, c->rh_above_h, 100.0 * env->rh_max);
	}
}

static void stored_table(const struct fc_config *fc, const struct fc_stored *s, bool csv)
{
	const char *hdr =
	        csv ? "period,data_h,available_free_h,available_partial_h,"
	              "available_free_equiv_h,used_free_h,used_partial_h,missed_h,"
	              "compressor_kwh,missed_kwh\n"
	            : "period        data  av-free  av-part   av-eq  used-fr used-pt  missed  "
	              "comp-kWh missed-kWh\n";

	printf("%s", hdr);
	for (size_t i = 0; i < s->nmonths; i++)
		tally_print(&s->months[i], csv);
	tally_print(&s->total, csv);
	printf("\n%s", hdr);
	for (size_t i = 0; i < s->ndays; i++)
		tally_print(&s->days[i], csv);
	stored_table_inlets(fc, s, csv);
}

/* --period (a site-time calendar period) or --from/--to. */
static int period_bounds(const struct opts *o, int64_t *from, int64_t *to)
{
	int64_t now = util_wall_ms();
	enum time_unit u;

	if (o->period)
		return time_period_parse(o->period, from, to, &u);
	if (time_parse(o->from, now, from) < 0 || time_parse(o->to, now, to) < 0 || *to <= *from)
		return -EINVAL;
	return 0;
}

static int run_stored(const struct opts *o, const struct fc_config *fc, const struct config *cfg,
                      const char *dbpath)
{
	struct fc_stored s;
	struct store_reader *r;
	int64_t from, to;
	char err[256];
	int rc;

	if (period_bounds(o, &from, &to) < 0) {
		fprintf(stderr, "greendc freecool: bad --period or --from/--to\n");
		return EXIT_USAGE;
	}
	/* Time not yet elapsed is not observed: a period in progress is tallied up to now, its
	 * last bucket for the part before now (the report does the same). */
	int64_t now = util_wall_ms();
	if (now <= from) {
		fprintf(stderr, "greendc freecool: the period has not started\n");
		return EXIT_USAGE;
	}
	if (now < to)
		to = now;
	if (!fc->series[FC_S_DRY_BULB]) {
		fprintf(stderr, "greendc freecool: the config has no cooling: outdoor: dry_bulb "
		                "series (docs/freecooling.md)\n");
		return EXIT_USAGE;
	}
	r = store_reader_open(dbpath, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "greendc freecool: %s\n", err);
		return EXIT_RUNTIME;
	}
	rc = freecool_stored(r, fc, cfg ? cfg->site.altitude_m : 0.0, from, to, o->step_ms,
	                     FC_STORED_ENVELOPE, &s);
	store_reader_close(r);
	if (rc < 0) {
		fprintf(stderr, "greendc freecool: %s\n", s.err);
		return rc == -E2BIG ? EXIT_USAGE : EXIT_RUNTIME;
	}
	if (o->fmt == FMT_JSON)
		rc = stored_json(fc, &s);
	else
		stored_table(fc, &s, o->fmt == FMT_CSV);
	freecool_stored_free(&s);
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
	/* Site time for days and months: the one zone of the process, set before anything reads
	 * it (without a config, UTC). */
	time_zone_set(cfg ? cfg->site.timezone : NULL);
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
