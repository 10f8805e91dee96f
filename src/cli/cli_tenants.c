/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The floor's commands: `greendc statement` (monthly tenant statements: JSON, CSV, zh/en
 * HTML, PDF through the reports engine), `greendc energy` (energy per outlet, rack, row, hall
 * or tenant per interval) and `greendc capacity` (ratings, measured peaks, headroom, phase
 * imbalance and A/B redundancy per rack and PDU). Figures come from src/analytics
 * (statement.h, groups.h, capacity.h); this file parses options and formats. docs/tenants.md.
 */
#include "cli/cli_tenants.h"

#include "analytics/capacity.h"
#include "analytics/floor.h"
#include "analytics/groups.h"
#include "analytics/statement.h"
#include "config/config.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "delivery/report.h"
#include "delivery/statement.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct store_reader *open_reader(const char *cmd, const struct cli_ctx *ctx)
{
	char err[512];
	struct store_reader *r = store_reader_open(ctx->db, err, sizeof(err));
	if (!r)
		fprintf(stderr, "greendc %s: %s\n", cmd, err);
	return r;
}

/* n bytes of data to output (stdout when NULL); 1 with a message when it cannot. */
static int write_bytes(const char *cmd, const char *output, const void *data, size_t n)
{
	FILE *f = output ? fopen(output, "w") : stdout;
	bool ok = f && data && fwrite(data, 1, n, f) == n;
	if (output && f)
		ok = fclose(f) == 0 && ok;
	else if (f)
		ok = fflush(f) == 0 && ok;
	if (!ok)
		fprintf(stderr, "greendc %s: %s: cannot write\n", cmd, output ? output : "stdout");
	return ok ? 0 : 1;
}

static int write_out(const char *cmd, const char *output, const char *text)
{
	return write_bytes(cmd, output, text, text ? strlen(text) : 0);
}

/* The threads a statement reads with: the online CPUs, two to four. */
static unsigned default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 2 ? 1 : n > 4 ? 4 : (unsigned)n;
}

/* ---- greendc statement ---- */

struct stmt_opts {
	const char *month, *tenant, *fmt, *lang, *output;
	unsigned threads;
};

static int stmt_args(int argc, char **argv, struct stmt_opts *o)
{
	static const struct option lo[] = {
	        {"month", required_argument, NULL, 'm'},  {"tenant", required_argument, NULL, 't'},
	        {"format", required_argument, NULL, 'f'}, {"lang", required_argument, NULL, 'l'},
	        {"output", required_argument, NULL, 'o'}, {"threads", required_argument, NULL, 'j'},
	        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
	int c;
	*o = (struct stmt_opts){.fmt = "json", .lang = "en", .threads = default_threads()};
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'm':
			o->month = optarg;
			break;
		case 't':
			o->tenant = optarg;
			break;
		case 'f':
			o->fmt = optarg;
			break;
		case 'l':
			o->lang = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'j':
			o->threads = (unsigned)atoi(optarg);
			if (o->threads < 1 || o->threads > 8)
				return -1;
			break;
		default:
			return -1;
		}
	}
	if (!o->month || optind < argc)
		return -1;
	static const char *const fmts[] = {"json", "csv", "html", "pdf", NULL};
	bool ok = false;
	for (const char *const *f = fmts; *f; f++)
		ok |= strcmp(o->fmt, *f) == 0;
	return ok && (strcmp(o->lang, "en") == 0 || strcmp(o->lang, "zh") == 0) ? 0 : -1;
}

int cli_statement_main(int argc, char **argv, const struct cli_ctx *ctx)
{
	struct stmt_opts o;
	if (stmt_args(argc, argv, &o) < 0) {
		cli_help(ctx->cmd, stderr);
		return 2;
	}
	if (strcmp(o.fmt, "pdf") == 0 && !o.output) {
		fprintf(stderr, "greendc statement: --format pdf needs --output FILE\n");
		return 2;
	}
	char month[16];
	int64_t now = util_wall_ms();
	if (strcmp(o.month, "previous") == 0)
		report_previous_month(now, month, sizeof(month));
	else
		snprintf(month, sizeof(month), "%s", o.month);
	struct store_reader *r = open_reader("statement", ctx);
	if (!r)
		return 1;
	struct statement_set s;
	int rc = statement_compute_parallel(ctx->cfg, r, ctx->db, o.threads, month, o.tenant, now,
	                                    &s);
	store_reader_close(r);
	if (rc < 0) {
		fprintf(stderr, "greendc statement: %s\n", s.err);
		return rc == -EINVAL ? 2 : 1;
	}
	cJSON *j = statement_json(ctx->cfg, &s, now);
	bool progress = s.in_progress, failed = false;
	for (size_t i = 0; i < s.n; i++)
		failed |= s.t[i].checks_failed;
	statement_set_free(&s);
	int ret = 0;
	if (strcmp(o.fmt, "pdf") == 0) {
		size_t n = 0;
		unsigned char *pdf = statement_pdf(j, o.lang, &n);
		report_render_release(); /* the fonts pango cached for it (leak checkers) */
		if (pdf) {
			ret = write_bytes("statement", o.output, pdf, n);
		} else {
			fprintf(stderr, "greendc statement: cannot render the PDF\n");
			ret = 1;
		}
		free(pdf);
	} else {
		char *text = strcmp(o.fmt, "csv") == 0    ? statement_csv(j)
		             : strcmp(o.fmt, "html") == 0 ? statement_html(j, o.lang)
		                                          : cJSON_Print(j);
		char *line =
		        text && strcmp(o.fmt, "json") == 0 ? realloc(text, strlen(text) + 2) : text;
		if (line != text && line) /* JSON ends with a newline like the other formats */
			strcat(line, "\n");
		text = line ? line : text;
		ret = write_out("statement", o.output, text);
		free(text);
	}
	if (progress)
		fprintf(stderr, "greendc statement: %s is IN PROGRESS: the figures are not final\n",
		        month);
	if (failed)
		fprintf(stderr, "greendc statement: a meter check failed: outlets and input meters "
		                "disagree (see meter_checks)\n");
	cJSON_Delete(j);
	return ret;
}

/* ---- greendc energy ---- */

enum fmt { FMT_TABLE, FMT_CSV, FMT_JSON };

static int parse_fmt(const char *s, enum fmt *f)
{
	if (strcmp(s, "table") == 0)
		*f = FMT_TABLE;
	else if (strcmp(s, "csv") == 0)
		*f = FMT_CSV;
	else if (strcmp(s, "json") == 0)
		*f = FMT_JSON;
	else
		return -1;
	return 0;
}

static int parse_by(const char *s, enum energy_step *by)
{
	static const struct {
		const char *n;
		enum energy_step s;
	} t[] = {{"15min", STEP_15MIN},
	         {"hour", STEP_HOUR},
	         {"day", STEP_DAY},
	         {"month", STEP_MONTH}};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(s, t[i].n) == 0) {
			*by = t[i].s;
			return 0;
		}
	return -1;
}

struct energy_opts {
	const char *group, *period, *from, *to, *name;
	enum energy_step by;
	enum fmt fmt;
};

static int energy_args(int argc, char **argv, struct energy_opts *o)
{
	static const struct option lo[] = {{"group", required_argument, NULL, 'g'},
	                                   {"period", required_argument, NULL, 'p'},
	                                   {"from", required_argument, NULL, 'f'},
	                                   {"to", required_argument, NULL, 't'},
	                                   {"by", required_argument, NULL, 'b'},
	                                   {"name", required_argument, NULL, 'n'},
	                                   {"format", required_argument, NULL, 'F'},
	                                   {"help", no_argument, NULL, 'h'},
	                                   {NULL, 0, NULL, 0}};
	int c;
	*o = (struct energy_opts){.group = "rack", .by = STEP_WHOLE};
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		int bad = 0;
		switch (c) {
		case 'g':
			o->group = optarg;
			break;
		case 'p':
			o->period = optarg;
			break;
		case 'f':
			o->from = optarg;
			break;
		case 't':
			o->to = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'b':
			bad = parse_by(optarg, &o->by);
			break;
		case 'F':
			bad = parse_fmt(optarg, &o->fmt);
			break;
		default:
			bad = -1;
		}
		if (bad)
			return -1;
	}
	return optind < argc || !o->period == !(o->from && o->to) ? -1 : 0;
}

static void energy_print(const struct group_energy *g, enum fmt fmt)
{
	size_t niv = g->acc.niv;
	if (fmt == FMT_JSON) {
		cJSON *j = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(j, "groups");
		cJSON_AddStringToObject(j, "level", group_level_name(g->level));
		for (size_t i = 0; i < g->n; i++) {
			cJSON *o = cJSON_CreateObject(),
			      *iv = cJSON_AddArrayToObject(o, "intervals");
			cJSON_AddStringToObject(o, "name", g->info[i].name);
			cJSON_AddStringToObject(o, "source", group_source_name(g->info[i].source));
			for (size_t k = 0; k <= niv; k++) {
				const struct group_cell *c = group_cell(&g->acc, i, k);
				cJSON *x = cJSON_CreateObject();
				cJSON_AddStringToObject(x, "period",
				                        k < niv ? g->iv[k].label : "total");
				cJSON_AddNumberToObject(x, "kwh", c->kwh);
				cJSON_AddNumberToObject(x, "estimated_kwh", c->estimated);
				cJSON_AddNumberToObject(x, "coverage", c->coverage);
				cJSON_AddStringToObject(x, "status", energy_status_name(c->status));
				cJSON_AddBoolToObject(x, "derived", c->derived);
				if (k < niv)
					cJSON_AddItemToArray(iv, x);
				else
					cJSON_AddItemToObject(o, "total", x);
			}
			cJSON_AddItemToArray(a, o);
		}
		char *s = cJSON_Print(j);
		if (s)
			puts(s);
		free(s);
		cJSON_Delete(j);
		return;
	}
	if (fmt == FMT_CSV)
		puts("group,period,kwh,estimated_kwh,coverage,status,source");
	else
		printf("%-24s %-18s %14s %12s %9s  %-11s %s\n", group_level_name(g->level),
		       "period", "kWh", "estimated", "coverage", "status", "metered by");
	for (size_t i = 0; i < g->n; i++)
		for (size_t k = niv ? 0 : niv; k <= niv; k++) {
			const struct group_cell *c = group_cell(&g->acc, i, k);
			const char *per = k < niv ? g->iv[k].label : "total";
			if (fmt == FMT_CSV)
				printf("%s,%s,%.6f,%.6f,%.6f,%s,%s\n", g->info[i].name, per, c->kwh,
				       c->estimated, c->coverage, energy_status_name(c->status),
				       group_source_name(g->info[i].source));
			else
				printf("%-24s %-18s %14.3f %12.3f %8.2f%%  %-11s %s\n",
				       g->info[i].name, per, c->kwh, c->estimated,
				       100 * c->coverage, energy_status_name(c->status),
				       group_source_name(g->info[i].source));
		}
}

int cli_group_energy_main(int argc, char **argv, const struct cli_ctx *ctx)
{
	struct energy_opts o;
	enum group_level level;
	if (energy_args(argc, argv, &o) < 0 || group_level_parse(o.group, &level) < 0) {
		cli_help(ctx->cmd, stderr);
		return 2;
	}
	int64_t now = util_wall_ms(), from, to;
	if (o.period) {
		struct energy_period p;
		if (energy_period_parse(o.period, &p) < 0) {
			fprintf(stderr,
			        "greendc energy: --period: expected 2026, 2026-10 or 2026-10-05\n");
			return 2;
		}
		from = p.from_ms;
		to = p.to_ms;
	} else if (time_parse(o.from, now, &from) < 0 || time_parse(o.to, now, &to) < 0 ||
	           to <= from) {
		fprintf(stderr,
		        "greendc energy: --from/--to: expected two ISO 8601 times in order\n");
		return 2;
	}
	struct store_reader *r = open_reader("energy", ctx);
	if (!r)
		return 1;
	char err[256];
	struct floor *fl = floor_build(ctx->cfg, r, err, sizeof(err));
	struct group_energy g;
	int rc =
	        fl ? groups_compute(ctx->cfg, fl, r, level, o.name, from, to, o.by, now, &g) : -EIO;
	if (rc == 0)
		energy_print(&g, o.fmt);
	else
		fprintf(stderr, "greendc energy: %s\n", fl ? g.err : err);
	if (rc == 0 && !g.n)
		fprintf(stderr, "greendc energy: no %s on the floor%s%s\n", group_level_name(level),
		        o.name ? " named " : "", o.name ? o.name : "");
	group_energy_free(&g);
	floor_free(fl);
	store_reader_close(r);
	return rc == -EINVAL ? 2 : rc < 0 ? 1 : 0;
}

/* ---- greendc capacity ---- */

static cJSON *num_or_null(double v)
{
	return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static void capacity_json(const struct floor *fl, const struct capacity_result *cr)
{
	cJSON *j = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(j, "racks");
	char b[32];
	time_format_utc(cr->from_ms, b, sizeof(b));
	cJSON_AddStringToObject(j, "from", b);
	time_format_utc(cr->to_ms, b, sizeof(b));
	cJSON_AddStringToObject(j, "to", b);
	cJSON_AddNumberToObject(j, "derating", cr->derating);
	for (size_t k = 0; k < fl->nracks; k++) {
		const struct floor_rack *rk = &fl->racks[k];
		const struct capacity_rack_fig *f = &cr->rack[k];
		cJSON *o = cJSON_CreateObject(), *pd = cJSON_CreateArray();
		cJSON_AddStringToObject(o, "rack", rk->name);
		cJSON_AddStringToObject(o, "hall", rk->hall);
		cJSON_AddStringToObject(o, "row", rk->row);
		cJSON_AddItemToObject(o, "now_kw", num_or_null(f->now_kw));
		cJSON_AddItemToObject(o, "peak_1m_kw", num_or_null(f->peak1_kw));
		cJSON_AddItemToObject(o, "peak_15m_kw", num_or_null(f->peak15_kw));
		cJSON_AddItemToObject(o, "limit_kw", num_or_null(f->limit_kw));
		cJSON_AddItemToObject(o, "headroom_kw", num_or_null(f->headroom_kw));
		cJSON_AddItemToObject(o, "utilisation", num_or_null(f->util));
		cJSON_AddStringToObject(o, "ab", capacity_ab_name(f->ab));
		for (size_t i = 0; i < rk->npdus; i++) {
			const struct floor_pdu *p = &fl->pdus[rk->pdu0 + i];
			const struct capacity_pdu_fig *pf = &cr->pdu[rk->pdu0 + i];
			cJSON *x = cJSON_CreateObject();
			cJSON_AddStringToObject(x, "device", p->dev->name);
			cJSON_AddStringToObject(x, "feed", p->feed);
			cJSON_AddItemToObject(x, "now_kw", num_or_null(pf->now_kw));
			cJSON_AddItemToObject(x, "peak_1m_kw", num_or_null(pf->peak1_kw));
			cJSON_AddItemToObject(x, "peak_15m_kw", num_or_null(pf->peak15_kw));
			cJSON_AddItemToObject(x, "limit_kw", num_or_null(pf->limit_kw));
			cJSON_AddItemToObject(x, "rated_kw", num_or_null(pf->rated_kw));
			if (pf->limit_from)
				cJSON_AddStringToObject(x, "rated_from", pf->limit_from);
			cJSON_AddItemToObject(x, "imbalance_pct", num_or_null(pf->imbalance_pct));
			cJSON_AddItemToArray(pd, x);
		}
		cJSON_AddItemToObject(o, "pdus", pd);
		cJSON_AddItemToArray(a, o);
	}
	char *s = cJSON_Print(j);
	if (s)
		puts(s);
	free(s);
	cJSON_Delete(j);
}

/* A figure in a table column of width w: "—" where unknown. */
static const char *cell(char *buf, size_t len, int w, int d, double v, const char *unit)
{
	if (isfinite(v))
		snprintf(buf, len, "%*.*f%s", w, d, v, unit);
	else
		snprintf(buf, len, "%*s%s", w + (int)strlen(unit) - 1, "", "—");
	return buf;
}

static void capacity_rows(const struct floor *fl, const struct capacity_result *cr, enum fmt fmt)
{
	char b[7][32];
	if (fmt == FMT_CSV)
		puts("rack,hall,row,pdu,feed,now_kw,peak_1m_kw,peak_15m_kw,limit_kw,headroom_kw,"
		     "utilisation,imbalance_pct,ab");
	else
		printf("%-12s %-14s %-4s %8s %8s %8s %8s %8s %6s %6s  %s\n", "rack", "pdu", "feed",
		       "now kW", "peak 1m", "peak 15m", "limit", "headroom", "use", "imbal", "A/B");
	for (size_t k = 0; k < fl->nracks; k++) {
		const struct floor_rack *rk = &fl->racks[k];
		const struct capacity_rack_fig *f = &cr->rack[k];
		if (fmt == FMT_CSV)
			printf("%s,%s,%s,,,%.3f,%.3f,%.3f,%.3f,%.3f,%.4f,,%s\n", rk->name, rk->hall,
			       rk->row, f->now_kw, f->peak1_kw, f->peak15_kw, f->limit_kw,
			       f->headroom_kw, f->util, capacity_ab_name(f->ab));
		else
			printf("%-12s %-14s %-4s %s %s %s %s %s %s %6s  %s\n", rk->name, "(rack)",
			       "", cell(b[0], 32, 8, 2, f->now_kw, ""),
			       cell(b[1], 32, 8, 2, f->peak1_kw, ""),
			       cell(b[2], 32, 8, 2, f->peak15_kw, ""),
			       cell(b[3], 32, 8, 2, f->limit_kw, ""),
			       cell(b[4], 32, 8, 2, f->headroom_kw, ""),
			       cell(b[5], 32, 5, 0, 100 * f->util, "%"), "",
			       capacity_ab_name(f->ab));
		for (size_t i = 0; i < rk->npdus; i++) {
			const struct floor_pdu *p = &fl->pdus[rk->pdu0 + i];
			const struct capacity_pdu_fig *pf = &cr->pdu[rk->pdu0 + i];
			if (fmt == FMT_CSV)
				printf("%s,%s,%s,%s,%s,%.3f,%.3f,%.3f,%.3f,%.3f,%.4f,%.2f,\n",
				       rk->name, rk->hall, rk->row, p->dev->name, p->feed,
				       pf->now_kw, pf->peak1_kw, pf->peak15_kw, pf->limit_kw,
				       pf->headroom_kw, pf->util, pf->imbalance_pct);
			else
				printf("%-12s %-14s %-4s %s %s %s %s %s %s %s\n", "", p->dev->name,
				       p->feed, cell(b[0], 32, 8, 2, pf->now_kw, ""),
				       cell(b[1], 32, 8, 2, pf->peak1_kw, ""),
				       cell(b[2], 32, 8, 2, pf->peak15_kw, ""),
				       cell(b[3], 32, 8, 2, pf->limit_kw, ""),
				       cell(b[4], 32, 8, 2, pf->headroom_kw, ""),
				       cell(b[5], 32, 5, 0, 100 * pf->util, "%"),
				       cell(b[6], 32, 5, 1, pf->imbalance_pct, "%"));
		}
	}
	fflush(stdout);
}

int cli_capacity_main(int argc, char **argv, const struct cli_ctx *ctx)
{
	static const struct option lo[] = {{"window", required_argument, NULL, 'w'},
	                                   {"to", required_argument, NULL, 't'},
	                                   {"format", required_argument, NULL, 'F'},
	                                   {"help", no_argument, NULL, 'h'},
	                                   {NULL, 0, NULL, 0}};
	int64_t now = util_wall_ms(), window = capacity_config_get(ctx->cfg)->window_ms, to = now;
	enum fmt fmt = FMT_TABLE;
	int c, bad = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (c == 'w')
			bad |= time_parse_duration(optarg, &window) < 0;
		else if (c == 't')
			bad |= time_parse(optarg, now, &to) < 0;
		else if (c == 'F')
			bad |= parse_fmt(optarg, &fmt) < 0;
		else
			bad = 1;
	}
	if (bad || optind < argc) {
		cli_help(ctx->cmd, stderr);
		return 2;
	}
	struct store_reader *r = open_reader("capacity", ctx);
	if (!r)
		return 1;
	char err[256];
	struct floor *fl = floor_build(ctx->cfg, r, err, sizeof(err));
	struct capacity_result cr;
	int rc = fl ? capacity_compute(ctx->cfg, fl, r, to - window, to, 0, &cr) : -EIO;
	if (rc < 0)
		fprintf(stderr, "greendc capacity: %s\n", fl ? strerror(-rc) : err);
	else if (fmt == FMT_JSON)
		capacity_json(fl, &cr);
	else
		capacity_rows(fl, &cr, fmt);
	int risky = 0;
	for (size_t k = 0; rc == 0 && k < cr.nracks; k++)
		risky += cr.rack[k].ab == AB_RISK || cr.rack[k].util > 1;
	if (rc == 0 && risky)
		fprintf(stderr, "greendc capacity: %d rack%s over a limit or not A/B redundant\n",
		        risky, risky == 1 ? "" : "s");
	if (rc == 0)
		capacity_result_free(&cr);
	floor_free(fl);
	store_reader_close(r);
	return rc < 0 ? 1 : 0;
}
