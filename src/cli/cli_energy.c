/*
 * The CLI's energy commands, `greendc pue` and `greendc kpi`: the energy model and timezone
 * come from the config, energy from the store through the interval engine (energy.h), the
 * figures from kpi.h. Every figure is printed with its category, period, coverage and status;
 * a figure that fails validation is printed as an error with its reason, never as a number.
 * src/greendc.c dispatches here. See docs/energy.md.
 */
#include "cli/cli_energy.h"
#include "core/timeutil.h"
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

static void usage(FILE *f, const char *cmd)
{
	fprintf(f,
	        "usage: greendc [-c FILE] [--db PATH] %s (--period P | --from T --to T)\n"
	        "       [--by 15min|hour|day|month] [--format table|csv|json]\n"
	        "       greendc [-c FILE] pue --interim   power ratio over the last 15 min\n"
	        "  P is a local calendar period in the site's timezone: 2026, 2026-10 or "
	        "2026-10-05\n"
	        "  T is ISO 8601 (no zone = UTC) and must fall on an hour boundary\n",
	        cmd);
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

/* The worst of two statuses (MISSING > ESTIMATED > OK). */
static enum energy_status worst(enum energy_status a, enum energy_status b)
{
	return a > b ? a : b;
}

struct row {
	const char *label;
	int64_t from, to;
	double e_dc, e_it, coverage, est_share;
	enum energy_status status;
	struct kpi_results k;
	bool published;
	char why[240];
};

static void row_build(const struct energy_report *rep, const struct energy_model *m,
                      const struct energy_interval *iv, double certs, const char *label,
                      struct row *w)
{
	const struct energy_role_total *fac = &iv->role[ROLE_FACILITY_INPUT];
	const struct energy_role_total *it = &iv->role[rep->it_role];
	struct kpi_inputs in;
	energy_kpi_inputs(m, rep->it_role, iv, certs, &in);
	memset(w, 0, sizeof(*w));
	w->label = label;
	w->from = iv->from_ms;
	w->to = iv->to_ms;
	kpi_compute(&in, &w->k);
	w->e_dc = w->k.e_dc;
	w->e_it = it->value;
	w->coverage = fmin(fac->coverage, it->coverage);
	double est = 0, tot = 0;
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (r == ROLE_WATER_INTAKE || r == ROLE_WATER_POTABLE)
			continue;
		est += iv->role[r].estimated;
		tot += iv->role[r].value;
	}
	w->est_share = tot > 0 ? est / tot : 0;
	w->status = worst(fac->status, it->status);
	/* Both are part of E_DC. */
	w->status = worst(w->status, iv->role[ROLE_BACKUP_GENERATION].status);
	w->status = worst(w->status, iv->role[ROLE_ONSITE_RENEWABLE].status);
	if (w->status == ENERGY_MISSING)
		snprintf(w->why, sizeof(w->why), "coverage %.1f %% is below %.1f %%: not published",
		         100 * w->coverage, 100 * m->coverage_min);
	else if (!w->k.pue.ok)
		snprintf(w->why, sizeof(w->why), "%s", w->k.pue.why);
	else
		w->published = true;
}

static void fmt_num(char *buf, size_t len, bool ok, double v, int prec)
{
	if (ok)
		snprintf(buf, len, "%.*f", prec, v);
	else
		snprintf(buf, len, "-");
}

static const char *category_text(int c)
{
	switch (c) {
	case 1:
		return "category 1: E_IT at UPS output";
	case 2:
		return "category 2: E_IT at PDU output";
	case 3:
		return "category 3: E_IT at IT equipment input";
	default:
		return "no IT metering";
	}
}

static cJSON *row_json(const struct row *w, int category)
{
	cJSON *o = cJSON_CreateObject();
	char t[40];
	cJSON_AddStringToObject(o, "period", w->label);
	time_format_utc_ms(w->from, t, sizeof(t));
	cJSON_AddStringToObject(o, "from", t);
	time_format_utc_ms(w->to, t, sizeof(t));
	cJSON_AddStringToObject(o, "to", t);
	cJSON_AddNumberToObject(o, "category", category);
	cJSON_AddNumberToObject(o, "e_dc_kwh", w->e_dc);
	cJSON_AddNumberToObject(o, "e_it_kwh", w->e_it);
	if (w->published) {
		char label[96];
		cJSON_AddNumberToObject(o, "pue", w->k.pue.v);
		kpi_label(category, w->label, w->k.pue.v, label, sizeof(label));
		cJSON_AddStringToObject(o, "label", label);
	} else {
		cJSON_AddNullToObject(o, "pue");
		cJSON_AddStringToObject(o, "error", w->why);
	}
	cJSON_AddNumberToObject(o, "coverage", w->coverage);
	cJSON_AddNumberToObject(o, "estimated_share", w->est_share);
	cJSON_AddStringToObject(o, "status", energy_status_name(w->status));
	return o;
}

static void print_rows(const struct row *rows, size_t n, int category, enum format fmt,
                       const char *method, cJSON *root)
{
	char a[40], b[40], dc[32], it[32], pue[32];
	if (fmt == FMT_CSV)
		printf("period,from,to,category,e_dc_kwh,e_it_kwh,pue,coverage,estimated_share,"
		       "status,error\n");
	else if (fmt == FMT_TABLE)
		printf("%-22s %-21s %-21s %14s %14s %7s %9s %6s %-9s\n", "period", "from (UTC)",
		       "to (UTC)", "E_DC kWh", "E_IT kWh", "PUE", "coverage", "est", "status");
	cJSON *arr = root ? cJSON_AddArrayToObject(root, "intervals") : NULL;
	for (size_t i = 0; i < n; i++) {
		const struct row *w = &rows[i];
		time_format_utc_ms(w->from, a, sizeof(a));
		time_format_utc_ms(w->to, b, sizeof(b));
		snprintf(dc, sizeof(dc), "%.3f", w->e_dc);
		snprintf(it, sizeof(it), "%.3f", w->e_it);
		fmt_num(pue, sizeof(pue), w->published, w->k.pue.v, fmt == FMT_TABLE ? 3 : 6);
		if (fmt == FMT_JSON) {
			cJSON_AddItemToArray(arr, row_json(w, category));
		} else if (fmt == FMT_CSV) {
			printf("%s,%s,%s,%d,%s,%s,%s,%.6f,%.6f,%s,\"%s\"\n", w->label, a, b,
			       category, dc, it, w->published ? pue : "", w->coverage, w->est_share,
			       energy_status_name(w->status), w->why);
		} else {
			printf("%-22s %-21s %-21s %14s %14s %7s %8.2f%% %5.1f%% %-9s%s%s\n",
			       w->label, a, b, dc, it, pue, 100 * w->coverage, 100 * w->est_share,
			       energy_status_name(w->status), w->why[0] ? " " : "", w->why);
		}
	}
	if (fmt == FMT_TABLE && method && *method)
		printf("estimated energy: %s\n", method);
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
	const char *problem = energy_model_problem(c->cfg->energy);
	if (problem) {
		fprintf(stderr, "greendc: %s: energy model: %s\n", config_path, problem);
		return 1;
	}
	const char *tz = c->cfg->site.timezone;
	if (o->period) {
		if (energy_period_parse(o->period, tz, &c->p) < 0) {
			fprintf(stderr,
			        "greendc: --period: expected YYYY, YYYY-MM or YYYY-MM-DD\n");
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
	if (energy_compute(c->r, c->cfg->energy, tz, c->p.from_ms, c->p.to_ms, o->by, &c->rep) <
	    0) {
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
	const char *tz = c->cfg->site.timezone;
	size_t n = c->rep.n + 1;
	struct row *rows = calloc(n, sizeof(*rows));
	char total_label[64];
	if (!rows)
		return 1;
	for (size_t i = 0; i < c->rep.n; i++) {
		const struct energy_interval *iv = &c->rep.iv[i];
		row_build(&c->rep, m, iv, energy_certificates(m, tz, iv->from_ms, iv->to_ms),
		          iv->label, &rows[i]);
	}
	period_label(&c->p, &c->rep.total, total_label, sizeof(total_label));
	struct row *tot = &rows[c->rep.n];
	row_build(&c->rep, m, &c->rep.total, energy_certificates(m, tz, c->p.from_ms, c->p.to_ms),
	          total_label, tot);

	cJSON *root = NULL;
	if (o->fmt == FMT_TABLE) {
		char label[128];
		if (tot->published) {
			kpi_label(c->rep.category, total_label, tot->k.pue.v, label, sizeof(label));
			printf("%s  (%s; coverage %.2f %%, estimated %.1f %%, %s)\n", label,
			       category_text(c->rep.category), 100 * tot->coverage,
			       100 * tot->est_share, energy_status_name(tot->status));
		} else {
			printf("PUE%d, %s: no figure: %s\n", c->rep.category, total_label,
			       tot->why);
		}
	} else if (o->fmt == FMT_JSON) {
		root = cJSON_CreateObject();
		cJSON_AddStringToObject(root, "site", c->cfg->site.id);
		cJSON_AddStringToObject(root, "timezone", tz);
		cJSON_AddNumberToObject(root, "category", c->rep.category);
		cJSON_AddStringToObject(root, "category_basis", category_text(c->rep.category));
		cJSON_AddItemToObject(root, "total", row_json(tot, c->rep.category));
		if (c->rep.method[0])
			cJSON_AddStringToObject(root, "estimate_method", c->rep.method);
	}
	if (o->fmt != FMT_TABLE || c->rep.n)
		print_rows(c->rep.n ? rows : tot, c->rep.n ? c->rep.n : 1, c->rep.category, o->fmt,
		           c->rep.method, root);
	else if (c->rep.method[0])
		printf("estimated energy: %s\n", c->rep.method);
	if (root) {
		char *s = cJSON_Print(root);
		if (s)
			puts(s);
		free(s);
		cJSON_Delete(root);
	}
	int rc = tot->published ? 0 : 1;
	free(rows);
	return rc;
}

struct kpi_line {
	const char *name, *unit, *standard;
	struct kpi_value *v;
	char note[160];
};

static int cmd_kpi(const struct opts *o, struct ctx *c)
{
	const struct energy_model *m = c->cfg->energy;
	const char *tz = c->cfg->site.timezone;
	char total_label[64];
	struct row w;
	period_label(&c->p, &c->rep.total, total_label, sizeof(total_label));
	row_build(&c->rep, m, &c->rep.total, energy_certificates(m, tz, c->p.from_ms, c->p.to_ms),
	          total_label, &w);
	bool annual = c->p.kind == STEP_YEAR && c->rep.total.months == 12;

	struct kpi_value eeue = {0}, pue0 = {0}, pue = w.k.pue;
	if (!w.published && pue.ok) {
		pue.ok = false;
		snprintf(pue.why, sizeof(pue.why), "%.199s", w.why);
	}
	if (!pue.ok)
		snprintf(eeue.why, sizeof(eeue.why), "no valid PUE");
	else if (!annual)
		snprintf(eeue.why, sizeof(eeue.why),
		         "GB 40879 needs a full calendar year of metering (have %d months)",
		         c->rep.total.months);
	else
		eeue = pue;
	eeue.applicable = true;
	if (!annual)
		snprintf(pue0.why, sizeof(pue0.why), "PUE0 is the peak over 12 months (have %d)",
		         c->rep.total.months);
	else
		kpi_pue(c->rep.total.peak_fac_kwh, c->rep.total.peak_it_kwh, &pue0);
	pue0.applicable = true;

	struct kpi_line lines[] = {
	        {"PUE", "", "ISO/IEC 30134-2", &pue, ""},
	        {"DCiE", "%", "ISO/IEC 30134-2", &w.k.dcie, ""},
	        {"pPUE cooling", "", "ISO/IEC 30134-2", &w.k.ppue_cooling, ""},
	        {"WUE", "L/kWh", "ISO/IEC 30134-9", &w.k.wue, ""},
	        {"CUE", "kgCO2/kWh", "ISO/IEC 30134-8", &w.k.cue, ""},
	        {"ERF", "", "ISO/IEC 30134-6", &w.k.erf, ""},
	        {"REF", "", "ISO/IEC 30134-3", &w.k.ref, ""},
	        {"CER", "", "ISO/IEC 30134-7", &w.k.cer, ""},
	        {"PUE0", "", "Green Grid PUE0", &pue0, ""},
	        {"EEUE", "", "GB 40879-2021", &eeue, ""},
	};
	size_t nl = sizeof(lines) / sizeof(lines[0]);
	snprintf(lines[0].note, sizeof(lines[0].note), "PUE%d (%s)", c->rep.category,
	         category_text(c->rep.category));
	snprintf(lines[4].note, sizeof(lines[4].note), "location-based, %.4f kgCO2/kWh, %s %d",
	         m->co2_kg_per_kwh, m->co2_source ? m->co2_source : "?", m->co2_year);
	if (eeue.ok) {
		int g = kpi_gb40879_grade(eeue.v, m->grade);
		if (g)
			snprintf(lines[9].note, sizeof(lines[9].note),
			         "grade %d (limits %.2f/%.2f/%.2f, unconfirmed)", g, m->grade[0],
			         m->grade[1], m->grade[2]);
		else
			snprintf(lines[9].note, sizeof(lines[9].note),
			         "above the grade 3 limit %.2f: not compliant", m->grade[2]);
	}

	/* A period below the coverage threshold publishes nothing: every ratio would rest on
	 * the same incomplete totals. */
	if (!w.published) {
		for (size_t i = 1; i < nl; i++) {
			struct kpi_value *v = lines[i].v;
			if (v->ok || v->applicable) {
				v->ok = false;
				v->applicable = true;
				snprintf(v->why, sizeof(v->why), "%.199s", w.why);
			}
		}
	}

	/* pPUE per zone. */
	struct kpi_value zv[16];
	char zname[16][48];
	for (size_t z = 0; z < c->rep.nzones; z++) {
		kpi_ppue(c->rep.zones[z].infra, c->rep.zones[z].it, &zv[z]);
		if (!w.published) {
			zv[z].ok = false;
			snprintf(zv[z].why, sizeof(zv[z].why), "%.199s", w.why);
		}
		snprintf(zname[z], sizeof(zname[z]), "pPUE %s", c->rep.zones[z].name);
	}

	if (o->fmt == FMT_JSON) {
		cJSON *root = cJSON_CreateObject();
		cJSON_AddStringToObject(root, "site", c->cfg->site.id);
		cJSON_AddStringToObject(root, "period", total_label);
		cJSON_AddNumberToObject(root, "category", c->rep.category);
		cJSON_AddNumberToObject(root, "coverage", w.coverage);
		cJSON_AddNumberToObject(root, "estimated_share", w.est_share);
		cJSON_AddStringToObject(root, "status", energy_status_name(w.status));
		cJSON_AddNumberToObject(root, "e_dc_kwh", w.e_dc);
		cJSON_AddNumberToObject(root, "e_it_kwh", w.e_it);
		cJSON *k = cJSON_AddObjectToObject(root, "kpi");
		for (size_t i = 0; i < nl + c->rep.nzones; i++) {
			bool zone = i >= nl;
			const struct kpi_value *v = zone ? &zv[i - nl] : lines[i].v;
			cJSON *e = cJSON_AddObjectToObject(k, zone ? zname[i - nl] : lines[i].name);
			if (v->ok)
				cJSON_AddNumberToObject(e, "value", v->v);
			else
				cJSON_AddNullToObject(e, "value");
			if (!v->ok)
				cJSON_AddStringToObject(
				        e, v->applicable ? "error" : "not_applicable", v->why);
			if (!zone && lines[i].note[0])
				cJSON_AddStringToObject(e, "note", lines[i].note);
		}
		char *s = cJSON_Print(root);
		if (s)
			puts(s);
		free(s);
		cJSON_Delete(root);
		return 0;
	}
	if (o->fmt == FMT_CSV)
		printf("kpi,value,unit,standard,note\n");
	else
		printf("site %s, %s, %s; coverage %.2f %%, estimated %.1f %%, status %s\n"
		       "E_DC %.3f kWh, E_IT %.3f kWh\n",
		       c->cfg->site.id, total_label, category_text(c->rep.category),
		       100 * w.coverage, 100 * w.est_share, energy_status_name(w.status), w.e_dc,
		       w.e_it);
	for (size_t i = 0; i < nl + c->rep.nzones; i++) {
		bool zone = i >= nl;
		const struct kpi_value *v = zone ? &zv[i - nl] : lines[i].v;
		const char *name = zone ? zname[i - nl] : lines[i].name;
		const char *unit = zone ? "" : lines[i].unit;
		const char *std = zone ? "ISO/IEC 30134-2" : lines[i].standard;
		const char *note = v->ok ? (zone ? "" : lines[i].note) : v->why;
		char val[32];
		fmt_num(val, sizeof(val), v->ok, v->v, 4);
		if (o->fmt == FMT_CSV)
			printf("%s,%s,%s,%s,\"%s\"\n", name, v->ok ? val : "", unit, std, note);
		else
			printf("  %-14s %10s %-10s %-18s %s%s\n", name, val, unit, std,
			       v->ok ? "" : (v->applicable ? "error: " : "n/a: "), note);
	}
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
