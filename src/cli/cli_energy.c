/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CLI's energy commands, `greendc pue` and `greendc kpi`: the energy model and timezone
 * come from the config, energy from the store through the interval engine (energy.h), the
 * figures from kpi.h. Every figure is printed with its category, period, coverage and status;
 * a figure that fails validation is printed as an error with its reason, never as a number.
 * src/greendc.c dispatches here. See docs/energy.md.
 */
#include "cli/cli_energy.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "daemon/sections.h"

#include "analytics/energy.h"
#include "analytics/kpi.h"
#include "config/config.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum format { FMT_TABLE, FMT_CSV, FMT_JSON };

struct opts {
	const char *period;
	const char *from, *to;
	enum energy_step by;
	enum format fmt;
	bool interim;
};

/* The command's help, as `greendc CMD --help` prints it (cli_commands.c). */
static void usage(FILE *f, const char *cmd)
{
	const struct cli_command *c = cli_command_find(cmd);
	if (c)
		cli_help(c, f);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	        {"period", required_argument, NULL, 'p'}, {"from", required_argument, NULL, 'f'},
	        {"to", required_argument, NULL, 't'},     {"by", required_argument, NULL, 'b'},
	        {"format", required_argument, NULL, 'F'}, {"interim", no_argument, NULL, 'i'},
	        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
	int c;
	o->by = STEP_WHOLE;
	o->fmt = FMT_TABLE;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->period = optarg;
			break;
		case 'f':
			o->from = optarg;
			break;
		case 't':
			o->to = optarg;
			break;
		case 'b':
			if (strcmp(optarg, "15min") == 0)
				o->by = STEP_15MIN;
			else if (strcmp(optarg, "hour") == 0)
				o->by = STEP_HOUR;
			else if (strcmp(optarg, "day") == 0)
				o->by = STEP_DAY;
			else if (strcmp(optarg, "month") == 0)
				o->by = STEP_MONTH;
			else {
				fprintf(stderr,
				        "greendc: --by: expected 15min, hour, day or month\n");
				return 2;
			}
			break;
		case 'F':
			if (strcmp(optarg, "table") == 0)
				o->fmt = FMT_TABLE;
			else if (strcmp(optarg, "csv") == 0)
				o->fmt = FMT_CSV;
			else if (strcmp(optarg, "json") == 0)
				o->fmt = FMT_JSON;
			else {
				fprintf(stderr, "greendc: --format: expected table, csv or json\n");
				return 2;
			}
			break;
		case 'i':
			o->interim = true;
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		default:
			usage(stderr, argv[0]);
			return 2;
		}
	}
	if (o->interim && !o->period && !o->from && !o->to && optind == argc)
		return -1;
	if (optind < argc || (!o->period == !(o->from && o->to)) ||
	    (o->period && (o->from || o->to))) {
		usage(stderr, argv[0]);
		return 2;
	}
	return -1;
}

struct row {
	const char *label;
	int64_t from, to, elapsed;
	bool in_progress;
	struct energy_figures f; /* the published figures and the gate, as everywhere */
	char method[320];        /* energy_interval_method: how its estimated kWh came about */
};

static void row_build(const struct energy_report *rep, const struct energy_model *m,
                      const struct energy_interval *iv, const char *label, struct row *w)
{
	memset(w, 0, sizeof(*w));
	w->label = label;
	w->from = iv->from_ms;
	w->to = iv->to_ms;
	w->elapsed = iv->elapsed_ms;
	w->in_progress = iv->in_progress;
	energy_figures(m, rep, iv, energy_certificates(m, iv->from_ms, iv->to_ms), &w->f);
	energy_interval_method(rep, iv, w->method, sizeof(w->method));
}

static void fmt_num(char *buf, size_t len, bool ok, double v, int prec)
{
	if (ok)
		snprintf(buf, len, "%.*f", prec, v);
	else
		snprintf(buf, len, "-");
}

static cJSON *row_json(const struct row *w, int category)
{
	const struct energy_figures *f = &w->f;
	cJSON *o = cJSON_CreateObject();
	char t[40];
	cJSON_AddStringToObject(o, "period", w->label);
	time_format_utc_ms(w->from, t, sizeof(t));
	cJSON_AddStringToObject(o, "from", t);
	time_format_utc_ms(w->to, t, sizeof(t));
	cJSON_AddStringToObject(o, "to", t);
	cJSON_AddNumberToObject(o, "category", category);
	cJSON_AddNumberToObject(o, "e_dc_kwh", f->k.e_dc);
	cJSON_AddNumberToObject(o, "e_it_kwh", f->e_it);
	if (f->published) {
		char label[96];
		cJSON_AddNumberToObject(o, "pue", f->k.pue.v);
		kpi_label(category, w->label, f->k.pue.v, label, sizeof(label));
		cJSON_AddStringToObject(o, "label", label);
	} else {
		cJSON_AddNullToObject(o, "pue");
		cJSON_AddStringToObject(o, "error", f->why);
	}
	cJSON_AddNumberToObject(o, "coverage", f->coverage);
	cJSON_AddNumberToObject(o, "estimated_share", f->est_share);
	cJSON_AddStringToObject(o, "status", energy_status_name(f->status));
	cJSON_AddBoolToObject(o, "in_progress", w->in_progress);
	if (w->in_progress) {
		cJSON_AddNumberToObject(o, "elapsed_s", (double)w->elapsed / 1000.0);
		if (f->provisional)
			cJSON_AddNumberToObject(o, "provisional_pue", f->k.pue.v);
	}
	if (w->method[0])
		cJSON_AddStringToObject(o, "estimate_method", w->method);
	return o;
}

/* The gaps in counter readings whose deltas were spread (energy.h, struct energy_gap). */
static void print_gaps(const struct energy_report *rep, cJSON *root)
{
	cJSON *arr = root ? cJSON_AddArrayToObject(root, "gaps") : NULL;
	for (size_t i = 0; i < rep->ngaps; i++) {
		const struct energy_gap *g = &rep->gaps[i];
		char a[40], b[40];
		time_format_utc(g->last_ms, a, sizeof(a));
		time_format_utc(g->next_ms, b, sizeof(b));
		if (!arr) {
			printf("gap in %s (%s): no reading %s..%s; its %.3f %s spread %s, %.3f in "
			       "this "
			       "period\n",
			       g->name, energy_role_name(g->role), a, b, g->value,
			       g->role == ROLE_WATER_INTAKE || g->role == ROLE_WATER_POTABLE
			               ? "L"
			               : "kWh",
			       g->by_power ? "by its power shape" : "evenly", g->in_period);
			continue;
		}
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "series", g->name);
		cJSON_AddStringToObject(o, "role", energy_role_name(g->role));
		cJSON_AddStringToObject(o, "last_reading", a);
		cJSON_AddStringToObject(o, "next_reading", b);
		cJSON_AddStringToObject(o, "method", g->by_power ? "power shape" : "evenly");
		cJSON_AddNumberToObject(o, "value", g->value);
		cJSON_AddNumberToObject(o, "in_period", g->in_period);
		cJSON_AddItemToArray(arr, o);
	}
	if (!arr && rep->ngaps_total > rep->ngaps)
		printf("(and %zu more gaps)\n", rep->ngaps_total - rep->ngaps);
}

/* One line per interval; method is the whole period's (energy_interval_method). */
static void print_rows(const struct row *rows, size_t n, int category, enum format fmt,
                       const char *method, cJSON *root)
{
	char a[40], b[40], dc[32], it[32], pue[32];
	if (fmt == FMT_CSV)
		printf("period,from,to,category,e_dc_kwh,e_it_kwh,pue,coverage,estimated_share,"
		       "status,error,estimate_method\n");
	else if (fmt == FMT_TABLE)
		printf("%-22s %-21s %-21s %14s %14s %7s %9s %6s %-9s\n", "period", "from (UTC)",
		       "to (UTC)", "E_DC kWh", "E_IT kWh", "PUE", "coverage", "est", "status");
	cJSON *arr = root ? cJSON_AddArrayToObject(root, "intervals") : NULL;
	for (size_t i = 0; i < n; i++) {
		const struct row *w = &rows[i];
		const struct energy_figures *f = &w->f;
		time_format_utc_ms(w->from, a, sizeof(a));
		time_format_utc_ms(w->to, b, sizeof(b));
		snprintf(dc, sizeof(dc), "%.3f", f->k.e_dc);
		snprintf(it, sizeof(it), "%.3f", f->e_it);
		fmt_num(pue, sizeof(pue), f->published, f->k.pue.v, fmt == FMT_TABLE ? 3 : 6);
		if (fmt == FMT_JSON) {
			cJSON_AddItemToArray(arr, row_json(w, category));
		} else if (fmt == FMT_CSV) {
			printf("%s,%s,%s,%d,%s,%s,%s,%.6f,%.6f,%s,\"%s\",\"%s\"\n", w->label, a, b,
			       category, dc, it, f->published ? pue : "", f->coverage, f->est_share,
			       energy_status_name(f->status), f->why, w->method);
		} else {
			printf("%-22s %-21s %-21s %14s %14s %7s %8.2f%% %5.1f%% %-9s%s%s\n",
			       w->label, a, b, dc, it, pue, 100 * f->coverage, 100 * f->est_share,
			       energy_status_name(f->status), f->why[0] ? " " : "", f->why);
		}
	}
	if (fmt == FMT_TABLE && method && *method)
		printf("estimated energy (period): %s\n", method);
}

/* The label of the whole period: "2026-10", "2026 (annual)" only with 12 months. */
static void period_label(const struct energy_period *p, const struct energy_interval *t, char *buf,
                         size_t len)
{
	if (p->kind == STEP_YEAR && t->months == 12)
		snprintf(buf, len, "%.8s annual", p->label);
	else if (p->kind == STEP_YEAR)
		snprintf(buf, len, "%.8s partial (%d of 12 months)", p->label, t->months);
	else
		snprintf(buf, len, "%.47s", p->label);
}

struct ctx {
	struct config *cfg;
	struct store_reader *r;
	struct energy_period p;
	struct energy_report rep;
};

static int prepare(struct ctx *c, const struct opts *o, const char *config_path, const char *dbpath)
{
	struct config_diag diag = {0};
	c->cfg = greendc_config_load(config_path, &diag);
	if (!c->cfg) {
		fputs(diag.text, stderr);
		return 1;
	}
	/* Periods and intervals are site time: the process zone, set once before use. */
	time_zone_set(c->cfg->site.timezone);
	const char *problem = energy_model_problem(c->cfg->energy);
	if (problem) {
		fprintf(stderr, "greendc: %s: energy model: %s\n", config_path, problem);
		return 1;
	}
	if (o->period) {
		if (energy_period_parse_at(o->period, (int64_t)time(NULL) * 1000, &c->p) < 0) {
			fprintf(stderr,
			        "greendc: --period: expected today, month, YYYY, YYYY-MM or "
			        "YYYY-MM-DD\n");
			return 2;
		}
	} else {
		int64_t now = (int64_t)time(NULL) * 1000;
		if (time_parse(o->from, now, &c->p.from_ms) < 0 ||
		    time_parse(o->to, now, &c->p.to_ms) < 0 || c->p.to_ms <= c->p.from_ms) {
			fprintf(stderr, "greendc: --from/--to: expected two ISO 8601 times, from "
			                "before to\n");
			return 2;
		}
		char a[40], b[40];
		time_format_utc_ms(c->p.from_ms, a, sizeof(a));
		time_format_utc_ms(c->p.to_ms, b, sizeof(b));
		snprintf(c->p.label, sizeof(c->p.label), "%.20s..%.20s", a, b);
		c->p.kind = STEP_WHOLE;
	}
	char err[512];
	c->r = store_reader_open(dbpath ? dbpath : c->cfg->storage.path, err, sizeof(err));
	if (!c->r) {
		fprintf(stderr, "greendc: %s\n", err);
		return 1;
	}
	if (energy_compute(c->r, c->cfg->energy, c->p.from_ms, c->p.to_ms, o->by, util_wall_ms(),
	                   &c->rep) < 0) {
		fprintf(stderr, "greendc: %s\n", c->rep.err);
		return 1;
	}
	return 0;
}

static void release(struct ctx *c)
{
	energy_report_free(&c->rep);
	store_reader_close(c->r);
	config_free(c->cfg);
}

static int cmd_pue(const struct opts *o, struct ctx *c)
{
	const struct energy_model *m = c->cfg->energy;
	size_t n = c->rep.n + 1;
	struct row *rows = calloc(n, sizeof(*rows));
	char total_label[64];
	if (!rows)
		return 1;
	for (size_t i = 0; i < c->rep.n; i++)
		row_build(&c->rep, m, &c->rep.iv[i], c->rep.iv[i].label, &rows[i]);
	period_label(&c->p, &c->rep.total, total_label, sizeof(total_label));
	struct row *tot = &rows[c->rep.n];
	row_build(&c->rep, m, &c->rep.total, total_label, tot);

	cJSON *root = NULL;
	if (o->fmt == FMT_TABLE) {
		char label[128];
		if (tot->f.published) {
			kpi_label(c->rep.category, total_label, tot->f.k.pue.v, label,
			          sizeof(label));
			printf("%s  (%s; coverage %.2f %%, estimated %.1f %%, %s)\n", label,
			       kpi_category_text(c->rep.category), 100 * tot->f.coverage,
			       100 * tot->f.est_share, energy_status_name(tot->f.status));
		} else if (tot->f.provisional) {
			/* Never a final-looking figure: the label says in progress first. */
			char el[48];
			energy_elapsed_text(&c->rep.total, el, sizeof(el));
			printf("PUE%d, %s: IN PROGRESS (%s elapsed): %.3f so far, not final  (%s; "
			       "coverage of the elapsed time %.2f %%, estimated %.1f %%)\n",
			       c->rep.category, total_label, el, tot->f.k.pue.v,
			       kpi_category_text(c->rep.category), 100 * tot->f.coverage,
			       100 * tot->f.est_share);
		} else {
			printf("PUE%d, %s: no figure: %s\n", c->rep.category, total_label,
			       tot->f.why);
		}
	} else if (o->fmt == FMT_JSON) {
		root = cJSON_CreateObject();
		cJSON_AddStringToObject(root, "site", c->cfg->site.id);
		cJSON_AddStringToObject(root, "timezone", c->cfg->site.timezone);
		cJSON_AddNumberToObject(root, "category", c->rep.category);
		cJSON_AddStringToObject(root, "category_basis", kpi_category_text(c->rep.category));
		cJSON_AddItemToObject(root, "total", row_json(tot, c->rep.category));
		if (tot->method[0])
			cJSON_AddStringToObject(root, "estimate_method", tot->method);
	}
	if (o->fmt != FMT_TABLE || c->rep.n)
		print_rows(c->rep.n ? rows : tot, c->rep.n ? c->rep.n : 1, c->rep.category, o->fmt,
		           tot->method, root);
	else if (tot->method[0])
		printf("estimated energy: %s\n", tot->method);
	if (o->fmt != FMT_CSV)
		print_gaps(&c->rep, root);
	if (root) {
		char *s = cJSON_Print(root);
		if (s)
			puts(s);
		free(s);
		cJSON_Delete(root);
	}
	int rc = tot->f.published ? 0 : 1;
	free(rows);
	return rc;
}

/* ---- greendc kpi ---- */

struct kpi_line {
	const char *name, *unit, *standard;
	struct kpi_value *v;
	char note[160];
};

enum { KL_PUE, KL_DCIE, KL_PPUE, KL_WUE, KL_CUE, KL_ERF, KL_REF, KL_CER, KL_PUE0, KL_EEUE, KL_N };

/* Every KPI of the period, then pPUE per zone, each with its value or the reason for none. */
struct kpi_sheet {
	char label[64];
	struct row w;
	struct kpi_value pue, pue0, eeue;
	struct kpi_line lines[KL_N];
	struct kpi_value zv[16];
	char zname[16][48];
	size_t nzones;
	/* A period in progress publishes no KPI; what it would be so far, labelled so. */
	double prov[KL_N];
	bool has_prov[KL_N];
};

/* PUE0 and EEUE (GB 40879) need a full calendar year; PUE is withheld when unpublished. */
static void kpi_annual(struct kpi_sheet *ks, const struct ctx *c)
{
	bool annual = c->p.kind == STEP_YEAR && c->rep.total.months == 12;
	const struct energy_figures *f = &ks->w.f;

	ks->pue = f->k.pue;
	if (!f->published && ks->pue.ok) {
		ks->pue.ok = false;
		snprintf(ks->pue.why, sizeof(ks->pue.why), "%.199s", f->why);
	}
	if (!ks->pue.ok)
		snprintf(ks->eeue.why, sizeof(ks->eeue.why), "no valid PUE");
	else if (!annual)
		snprintf(ks->eeue.why, sizeof(ks->eeue.why),
		         "GB 40879 needs a full calendar year of metering (have %d months)",
		         c->rep.total.months);
	else
		ks->eeue = ks->pue;
	ks->eeue.applicable = true;
	if (!annual)
		snprintf(ks->pue0.why, sizeof(ks->pue0.why),
		         "PUE0 is the peak over 12 months (have %d)", c->rep.total.months);
	else
		kpi_pue(c->rep.total.peak_fac_kwh, c->rep.total.peak_it_kwh, &ks->pue0);
	ks->pue0.applicable = true;
}

static void kpi_sheet_build(struct kpi_sheet *ks, const struct ctx *c)
{
	const struct energy_model *m = c->cfg->energy;
	struct energy_figures *f = &ks->w.f;

	period_label(&c->p, &c->rep.total, ks->label, sizeof(ks->label));
	row_build(&c->rep, m, &c->rep.total, ks->label, &ks->w);
	kpi_annual(ks, c);
	const struct kpi_line lines[KL_N] = {
	        [KL_PUE] = {"PUE", "", "ISO/IEC 30134-2", &ks->pue, ""},
	        [KL_DCIE] = {"DCiE", "%", "ISO/IEC 30134-2", &f->k.dcie, ""},
	        [KL_PPUE] = {"pPUE cooling", "", "ISO/IEC 30134-2", &f->k.ppue_cooling, ""},
	        [KL_WUE] = {"WUE", "L/kWh", "ISO/IEC 30134-9", &f->k.wue, ""},
	        [KL_CUE] = {"CUE", "kgCO2/kWh", "ISO/IEC 30134-8", &f->k.cue, ""},
	        [KL_ERF] = {"ERF", "", "ISO/IEC 30134-6", &f->k.erf, ""},
	        [KL_REF] = {"REF", "", "ISO/IEC 30134-3", &f->k.ref, ""},
	        [KL_CER] = {"CER", "", "ISO/IEC 30134-7", &f->k.cer, ""},
	        [KL_PUE0] = {"PUE0", "", "Green Grid PUE0", &ks->pue0, ""},
	        [KL_EEUE] = {"EEUE", "", "GB 40879-2021", &ks->eeue, ""},
	};
	memcpy(ks->lines, lines, sizeof(lines));
	snprintf(ks->lines[KL_PUE].note, sizeof(ks->lines[0].note), "PUE%d (%s)", c->rep.category,
	         kpi_category_text(c->rep.category));
	snprintf(ks->lines[KL_CUE].note, sizeof(ks->lines[0].note),
	         "location-based, %.4f kgCO2/kWh, %s %d", m->co2_kg_per_kwh,
	         m->co2_source ? m->co2_source : "?", m->co2_year);
	if (ks->eeue.ok) {
		int g = kpi_gb40879_grade(ks->eeue.v, m->grade);
		if (g)
			snprintf(ks->lines[KL_EEUE].note, sizeof(ks->lines[0].note),
			         "grade %d (limits %.2f/%.2f/%.2f, unconfirmed)", g, m->grade[0],
			         m->grade[1], m->grade[2]);
		else
			snprintf(ks->lines[KL_EEUE].note, sizeof(ks->lines[0].note),
			         "above the grade 3 limit %.2f: not compliant", m->grade[2]);
	}
	/* A period below the coverage threshold publishes nothing: every ratio would rest on
	 * the same incomplete totals. One in progress keeps its ratios so far as provisional. */
	if (f->provisional) {
		ks->prov[KL_PUE] = f->k.pue.v;
		ks->has_prov[KL_PUE] = true;
	}
	for (size_t i = 1; !f->published && i < KL_N; i++) {
		struct kpi_value *v = ks->lines[i].v;
		if (f->provisional && v->ok) {
			ks->prov[i] = v->v;
			ks->has_prov[i] = true;
		}
		if (v->ok || v->applicable) {
			v->ok = false;
			v->applicable = true;
			snprintf(v->why, sizeof(v->why), "%.199s", f->why);
		}
	}
	for (size_t z = 0; z < c->rep.nzones && z < 16; z++) {
		kpi_ppue(c->rep.zones[z].infra, c->rep.zones[z].it, &ks->zv[z]);
		if (!f->published) {
			ks->zv[z].ok = false;
			snprintf(ks->zv[z].why, sizeof(ks->zv[z].why), "%.199s", f->why);
		}
		snprintf(ks->zname[z], sizeof(ks->zname[z]), "pPUE %s", c->rep.zones[z].name);
		ks->nzones = z + 1;
	}
}

static void kpi_print_json(const struct kpi_sheet *ks, const struct ctx *c)
{
	const struct energy_figures *f = &ks->w.f;
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "site", c->cfg->site.id);
	cJSON_AddStringToObject(root, "period", ks->label);
	cJSON_AddNumberToObject(root, "category", c->rep.category);
	cJSON_AddNumberToObject(root, "coverage", f->coverage);
	cJSON_AddNumberToObject(root, "estimated_share", f->est_share);
	cJSON_AddStringToObject(root, "status", energy_status_name(f->status));
	cJSON_AddBoolToObject(root, "in_progress", ks->w.in_progress);
	cJSON_AddNumberToObject(root, "e_dc_kwh", f->k.e_dc);
	cJSON_AddNumberToObject(root, "e_it_kwh", f->e_it);
	cJSON *k = cJSON_AddObjectToObject(root, "kpi");
	for (size_t i = 0; i < KL_N + ks->nzones; i++) {
		bool zone = i >= KL_N;
		const struct kpi_value *v = zone ? &ks->zv[i - KL_N] : ks->lines[i].v;
		cJSON *e =
		        cJSON_AddObjectToObject(k, zone ? ks->zname[i - KL_N] : ks->lines[i].name);
		if (v->ok)
			cJSON_AddNumberToObject(e, "value", v->v);
		else
			cJSON_AddNullToObject(e, "value");
		if (!zone && ks->has_prov[i])
			cJSON_AddNumberToObject(e, "provisional_value", ks->prov[i]);
		if (!v->ok)
			cJSON_AddStringToObject(e, v->applicable ? "error" : "not_applicable",
			                        v->why);
		if (!zone && ks->lines[i].note[0])
			cJSON_AddStringToObject(e, "note", ks->lines[i].note);
	}
	char *s = cJSON_Print(root);
	if (s)
		puts(s);
	free(s);
	cJSON_Delete(root);
}

static void kpi_print_text(const struct kpi_sheet *ks, const struct ctx *c, bool csv)
{
	const struct energy_figures *f = &ks->w.f;
	if (csv)
		printf("kpi,value,unit,standard,note\n");
	else
		printf("site %s, %s, %s; coverage %.2f %%, estimated %.1f %%, status %s\n"
		       "E_DC %.3f kWh, E_IT %.3f kWh\n",
		       c->cfg->site.id, ks->label, kpi_category_text(c->rep.category),
		       100 * f->coverage, 100 * f->est_share, energy_status_name(f->status),
		       f->k.e_dc, f->e_it);
	for (size_t i = 0; i < KL_N + ks->nzones; i++) {
		bool zone = i >= KL_N;
		const struct kpi_value *v = zone ? &ks->zv[i - KL_N] : ks->lines[i].v;
		const char *name = zone ? ks->zname[i - KL_N] : ks->lines[i].name;
		const char *unit = zone ? "" : ks->lines[i].unit;
		const char *std = zone ? "ISO/IEC 30134-2" : ks->lines[i].standard;
		const char *note = v->ok ? (zone ? "" : ks->lines[i].note) : v->why;
		char val[32], so_far[48] = "";
		fmt_num(val, sizeof(val), v->ok, v->v, 4);
		if (!zone && ks->has_prov[i])
			snprintf(so_far, sizeof(so_far), " (so far %.4f, provisional)",
			         ks->prov[i]);
		if (csv)
			printf("%s,%s,%s,%s,\"%s\"\n", name, v->ok ? val : "", unit, std, note);
		else
			printf("  %-14s %10s %-10s %-18s %s%s%s\n", name, val, unit, std,
			       v->ok ? "" : (v->applicable ? "error: " : "n/a: "), note, so_far);
	}
}

static int cmd_kpi(const struct opts *o, struct ctx *c)
{
	struct kpi_sheet *ks = calloc(1, sizeof(*ks));
	if (!ks)
		return 1;
	kpi_sheet_build(ks, c);
	if (o->fmt == FMT_JSON)
		kpi_print_json(ks, c);
	else
		kpi_print_text(ks, c, o->fmt == FMT_CSV);
	free(ks);
	return 0;
}

/* Interim PUE: a power ratio over the last 15 minutes, for a site whose energy meters have
 * not yet covered a period; labelled so it cannot pass for an energy PUE. */
static int cmd_interim(const struct opts *o, const char *config_path, const char *dbpath)
{
	struct config_diag diag = {0};
	struct config *cfg = greendc_config_load(config_path, &diag);
	if (!cfg) {
		fputs(diag.text, stderr);
		return 1;
	}
	int rc = 1;
	const char *problem = energy_model_problem(cfg->energy);
	char err[512];
	struct store_reader *r = NULL;
	if (problem) {
		fprintf(stderr, "greendc: %s: energy model: %s\n", config_path, problem);
		goto out;
	}
	r = store_reader_open(dbpath ? dbpath : cfg->storage.path, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "greendc: %s\n", err);
		goto out;
	}
	double dc, it;
	int cat;
	int64_t now = (int64_t)time(NULL) * 1000;
	int e = energy_interim(r, cfg->energy, now, 15 * 60000, &dc, &it, &cat);
	if (e < 0) {
		fprintf(stderr, "greendc: interim PUE: %s\n",
		        e == -ENOENT ? "no power_w data in the last 15 min for the facility or IT "
		                       "meters"
		                     : strerror(-e));
		goto out;
	}
	struct kpi_value v;
	kpi_pue(dc, it, &v);
	if (o->fmt == FMT_JSON) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "kind", "interim power ratio (not an energy PUE)");
		cJSON_AddNumberToObject(j, "category", cat);
		cJSON_AddNumberToObject(j, "dc_w", dc);
		cJSON_AddNumberToObject(j, "it_w", it);
		if (v.ok)
			cJSON_AddNumberToObject(j, "interim_pue", v.v);
		else
			cJSON_AddStringToObject(j, "error", v.why);
		char *s = cJSON_Print(j);
		if (s)
			puts(s);
		free(s);
		cJSON_Delete(j);
	} else if (o->fmt == FMT_CSV) {
		char val[32] = "";
		if (v.ok)
			snprintf(val, sizeof(val), "%.6f", v.v);
		printf("kind,category,dc_w,it_w,interim_pue,error\n"
		       "interim,%d,%.1f,%.1f,%s,\"%s\"\n",
		       cat, dc, it, val, v.ok ? "" : v.why);
	} else if (v.ok) {
		printf("interim PUE%d (power ratio, last 15 min mean, not an energy PUE): %.3f "
		       "(%.1f kW / %.1f kW)\n",
		       cat, v.v, dc / 1000, it / 1000);
	} else {
		printf("interim PUE%d: no figure: %s\n", cat, v.why);
	}
	rc = v.ok ? 0 : 1;
out:
	store_reader_close(r);
	config_free(cfg);
	return rc;
}

int cli_energy_main(int argc, char **argv, const struct cli_ctx *ctx)
{
	const char *config_path = ctx->config_path, *dbpath = ctx->db;
	struct opts o = {0};
	int rc = parse_args(argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (o.interim)
		return cmd_interim(&o, config_path, dbpath);
	struct ctx c = {0};
	rc = prepare(&c, &o, config_path, dbpath);
	if (rc == 0)
		rc = strcmp(argv[0], "kpi") == 0 ? cmd_kpi(&o, &c) : cmd_pue(&o, &c);
	release(&c);
	return rc;
}
