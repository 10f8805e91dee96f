/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CLI's history commands: `greendc import` (CSV into the store through import.h) and
 * `greendc export` (raw or rolled-up series as CSV or JSON Lines, and the audit files behind
 * a period's KPIs with --report). The export's CSV is the import's long format, so an export
 * re-imports as it is. See docs/import-export.md.
 */
#include "cli/cli_import.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "daemon/sections.h"

#include "analytics/energy.h"
#include "analytics/kpi.h"
#include "config/config.h"
#include "core/metrics.h"
#include "importexport/import.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct config *load_config(const char *path, bool given, int *rc)
{
	*rc = 0;
	if (!given && access(path, F_OK) != 0)
		return NULL;
	struct config_diag diag = {0};
	struct config *cfg = greendc_config_load(path, &diag);
	if (!cfg) {
		fputs(diag.text, stderr);
		*rc = 1;
	}
	return cfg;
}

static void import_usage(FILE *f)
{
	fprintf(f,
	        "usage: greendc [-c FILE] [--db PATH] import [--format long|wide] [--mapping "
	        "FILE]\n"
	        "       [--tz ZONE] [--on-overlap keep-live|keep-imported] [--interval-end]\n"
	        "       [--columns ROLE=HEADER,...] [--separator ,|;|tab] [--decimal .|,]\n"
	        "       [--time-format STRPTIME] [--max-line-bytes N] [--dry-run] FILE|-\n"
	        "  long: header timestamp,device,metric,value[,labels][,unit]; labels k=v;k=v\n"
	        "  (the time column may be called time, datetime or ts; other names: --columns)\n"
	        "  wide: timestamp column plus one column per series, mapped by --mapping\n"
	        "  separator: detected from the header (',', ';' or tab); with ';' or tab a\n"
	        "  decimal comma is read too\n"
	        "  timestamps: ISO 8601, or --time-format '%%Y/%%m/%%d %%H:%%M' for 2025/1/1 "
	        "0:00;\n"
	        "  without an offset they are in --tz (default: site.timezone, else UTC)\n"
	        "  --interval-end: a reading stamped 00:00 closes the interval before it (meter\n"
	        "  and utility-bill readings): stored 1 ms earlier so its energy counts there\n"
	        "  the daemon must not be running on the database\n");
}

int cli_import_main(int argc, char **argv, const struct cli_ctx *ctx)
{
	const char *config_path = ctx->config_path, *dbpath = ctx->db;
	bool config_given = ctx->config_given;
	static const struct option lo[] = {{"format", required_argument, NULL, 'f'},
	                                   {"mapping", required_argument, NULL, 'm'},
	                                   {"tz", required_argument, NULL, 'z'},
	                                   {"on-overlap", required_argument, NULL, 'o'},
	                                   {"dry-run", no_argument, NULL, 'n'},
	                                   {"help", no_argument, NULL, 'h'},
	                                   {"interval-end", no_argument, NULL, 'e'},
	                                   {"columns", required_argument, NULL, 'C'},
	                                   {"separator", required_argument, NULL, 'S'},
	                                   {"decimal", required_argument, NULL, 'D'},
	                                   {"time-format", required_argument, NULL, 'T'},
	                                   {"max-line-bytes", required_argument, NULL, 'L'},
	                                   {NULL, 0, NULL, 0}};
	struct import_opts o = {
	        .format = IMPORT_LONG, .overlap = IMPORT_KEEP_LIVE, .rejects = stderr};
	const char *tz = NULL;
	int c;
	optind = 0; /* 0: glibc re-initialises, dropping main's "+" ordering */
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "long") == 0)
				o.format = IMPORT_LONG;
			else if (strcmp(optarg, "wide") == 0)
				o.format = IMPORT_WIDE;
			else {
				fprintf(stderr, "greendc import: --format: long or wide\n");
				return 2;
			}
			break;
		case 'm':
			o.mapping = optarg;
			o.format = IMPORT_WIDE;
			break;
		case 'z':
			tz = optarg;
			break;
		case 'o':
			if (strcmp(optarg, "keep-live") == 0)
				o.overlap = IMPORT_KEEP_LIVE;
			else if (strcmp(optarg, "keep-imported") == 0)
				o.overlap = IMPORT_KEEP_IMPORTED;
			else {
				fprintf(stderr, "greendc import: --on-overlap: keep-live or "
				                "keep-imported\n");
				return 2;
			}
			break;
		case 'n':
			o.dry_run = true;
			break;
		case 'e':
			o.interval_end = true;
			break;
		case 'C':
			o.columns = optarg;
			break;
		case 'S':
			if (strcmp(optarg, ",") == 0 || strcmp(optarg, ";") == 0)
				o.separator = optarg[0];
			else if (strcmp(optarg, "tab") == 0 || strcmp(optarg, "\t") == 0)
				o.separator = '\t';
			else {
				fprintf(stderr, "greendc import: --separator: ',', ';' or tab\n");
				return 2;
			}
			break;
		case 'D':
			if (strcmp(optarg, ".") != 0 && strcmp(optarg, ",") != 0) {
				fprintf(stderr, "greendc import: --decimal: '.' or ','\n");
				return 2;
			}
			o.decimal = optarg[0];
			break;
		case 'T':
			o.time_format = optarg;
			break;
		case 'L': {
			long long n;
			if (!util_parse_int(optarg, &n) || n < 64 || n > (1LL << 30)) {
				fprintf(stderr,
				        "greendc import: --max-line-bytes: 64 to 1073741824\n");
				return 2;
			}
			o.max_line = (size_t)n;
			break;
		}
		case 'h':
			import_usage(stdout);
			return 0;
		default:
			import_usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		import_usage(stderr);
		return 2;
	}
	if (o.format == IMPORT_WIDE && !o.mapping) {
		fprintf(stderr, "greendc import: wide format needs --mapping FILE\n");
		return 2;
	}
	int rc;
	struct config *cfg = load_config(config_path, config_given, &rc);
	if (rc)
		return rc;
	o.cfg = cfg;
	o.dbpath = dbpath ? dbpath : cfg ? cfg->storage.path : NULL;
	o.tz = tz ? tz : cfg ? cfg->site.timezone : NULL;
	if (!o.dbpath) {
		fprintf(stderr,
		        "greendc import: cannot find the database: give --db PATH or -c FILE\n");
		config_free(cfg);
		return 2;
	}
	const char *in = argv[optind];
	int fd = strcmp(in, "-") == 0 ? 0 : open(in, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "greendc import: %s: %s\n", in, strerror(errno));
		config_free(cfg);
		return 1;
	}
	o.source = strcmp(in, "-") == 0 ? "stdin" : in;
	struct import_summary s;
	char err[8192];
	rc = import_run(&o, fd, &s, err, sizeof(err));
	if (fd > 0)
		close(fd);
	config_free(cfg);
	if (rc < 0) {
		fprintf(stderr, "greendc import: %s\n", err);
		return rc == -EINVAL ? 2 : 1;
	}
	printf("%s: %llu rows read, %llu written, %llu rejected, %llu unchanged, %llu dropped by "
	       "%s; series: %llu new, %llu appended, %llu rebuilt; %llu series-hours "
	       "recomputed%s\n",
	       o.source, (unsigned long long)s.rows_read, (unsigned long long)s.rows_written,
	       (unsigned long long)s.rows_rejected, (unsigned long long)s.rows_unchanged,
	       (unsigned long long)s.rows_overlap,
	       o.overlap == IMPORT_KEEP_LIVE ? "keep-live" : "keep-imported",
	       (unsigned long long)s.series_new, (unsigned long long)s.series_appended,
	       (unsigned long long)s.series_rebuilt, (unsigned long long)s.hours_recomputed,
	       rc == 1     ? " (nothing imported: fix the rejected lines)"
	       : o.dry_run ? " (dry run: nothing written)"
	                   : "");
	return rc == 1 ? 1 : 0;
}

/* ---- export ---- */

struct xser {
	int64_t id;
	char *device, *metric, *labels;
	enum store_kind kind;
	int role; /* --report: energy role, -1 none */
};

struct xlist {
	struct xser *v;
	size_t n, cap;
	const char *glob;
};

static int xlist_add(void *ctx, const struct store_series_info *i)
{
	struct xlist *l = ctx;
	if (!l->glob && strchr(i->metric, '~'))
		return 0; /* series replaced by an import: only on request */
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 32;
		struct xser *nv = realloc(l->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n++] = (struct xser){
	        i->id, strdup(i->device), strdup(i->metric), strdup(i->labels), i->kind, -1};
	return 0;
}

static void xlist_free(struct xlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].device);
		free(l->v[i].metric);
		free(l->v[i].labels);
	}
	free(l->v);
}

/* Shortest text that reads back as the same double. */
static void fmt_double(double v, char *buf, size_t len)
{
	snprintf(buf, len, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, len, "%.17g", v);
}

static void csv_str(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

struct xout {
	FILE *f;
	bool json;
	const struct xser *s;
	const char *unit;
	const char *agg;   /* NULL = raw */
	const char *extra; /* extra CSV columns' values (report), or NULL */
	uint64_t rows, skipped_nan;
};

static void xrow(struct xout *x, int64_t ts, double v, int64_t count)
{
	char t[40], val[40];
	if (!isfinite(v)) {
		x->skipped_nan++;
		return;
	}
	time_format_utc_ms(ts, t, sizeof(t));
	fmt_double(v, val, sizeof(val));
	x->rows++;
	if (x->json) {
		fprintf(x->f, "{\"timestamp\":\"%s\",\"device\":", t);
		json_str(x->f, x->s->device);
		fputs(",\"metric\":", x->f);
		json_str(x->f, x->s->metric);
		fputs(",\"labels\":", x->f);
		json_str(x->f, x->s->labels);
		fprintf(x->f, ",\"value\":%s,\"unit\":\"%s\"", val, x->unit);
		if (x->agg)
			fprintf(x->f, ",\"agg\":\"%s\",\"count\":%lld", x->agg, (long long)count);
		fputs("}\n", x->f);
		return;
	}
	fprintf(x->f, "%s,", t);
	csv_str(x->f, x->s->device);
	fputc(',', x->f);
	csv_str(x->f, x->s->metric);
	fputc(',', x->f);
	csv_str(x->f, x->s->labels);
	fprintf(x->f, ",%s,%s", val, x->unit);
	if (x->agg)
		fprintf(x->f, ",%s,%lld", x->agg, (long long)count);
	if (x->extra)
		fprintf(x->f, ",%s", x->extra);
	fputc('\n', x->f);
}

static int xraw_cb(void *ctx, int64_t ts, double v)
{
	xrow(ctx, ts, v, 1);
	return 0;
}

static int xagg_cb(void *ctx, int64_t ts, double v, int64_t count)
{
	xrow(ctx, ts, v, count);
	return 0;
}

static const char *unit_of_metric(const char *metric)
{
	const struct metric_def *d = metric_lookup(metric);
	return d ? d->unit : "";
}

static void export_usage(FILE *f)
{
	fprintf(f, "usage: greendc [-c FILE] [--db PATH] export [SELECTOR] [--from T] [--to T]\n"
	           "       [--step raw|DUR] [--agg avg|min|max|sum|last|count|delta]\n"
	           "       [--format csv|jsonl] [--output FILE]\n"
	           "       greendc -c FILE export --report PERIOD [--out-dir DIR]\n"
	           "  SELECTOR is a glob over \"device metric{labels}\" (default: every series)\n"
	           "  raw CSV is the import's long format: an export re-imports as it is\n");
}

static int parse_agg(const char *s, enum store_agg *a)
{
	static const char *names[] = {"avg", "min", "max", "sum", "last", "count", "delta"};
	for (int i = 0; i < 7; i++)
		if (strcmp(s, names[i]) == 0) {
			*a = (enum store_agg)i;
			return 0;
		}
	return -EINVAL;
}

static int export_report(const char *period, const char *dir, const char *config_path,
                         const char *dbpath);

/* `greendc export`'s options. */
struct export_args {
	const char *from, *to, *step, *agg, *output, *report, *outdir, *glob;
	bool json;
	bool extra; /* more than one SELECTOR */
};

/* Parse the options into a; -1 to go on, else the exit code (help, usage error). */
static int export_parse(int argc, char **argv, struct export_args *a)
{
	static const struct option lo[] = {
	        {"from", required_argument, NULL, 'f'},   {"to", required_argument, NULL, 't'},
	        {"step", required_argument, NULL, 's'},   {"agg", required_argument, NULL, 'a'},
	        {"format", required_argument, NULL, 'F'}, {"output", required_argument, NULL, 'o'},
	        {"report", required_argument, NULL, 'r'}, {"out-dir", required_argument, NULL, 'd'},
	        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
	*a = (struct export_args){.step = "raw", .outdir = "."};
	int c;
	optind = 0; /* 0: glibc re-initialises, dropping main's "+" ordering */
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'f':
			a->from = optarg;
			break;
		case 't':
			a->to = optarg;
			break;
		case 's':
			a->step = optarg;
			break;
		case 'a':
			a->agg = optarg;
			break;
		case 'o':
			a->output = optarg;
			break;
		case 'r':
			a->report = optarg;
			break;
		case 'd':
			a->outdir = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "jsonl") == 0 || strcmp(optarg, "json") == 0)
				a->json = true;
			else if (strcmp(optarg, "csv") != 0) {
				fprintf(stderr, "greendc export: --format: csv or jsonl\n");
				return 2;
			}
			break;
		case 'h':
			export_usage(stdout);
			return 0;
		default:
			export_usage(stderr);
			return 2;
		}
	}
	a->extra = optind + 1 < argc;
	a->glob = optind < argc ? argv[optind] : NULL;
	return -1;
}

/* Every selected series through one reader into fo: raw samples, or step buckets of agg
 * (default: delta for counters, avg for gauges). 0 or 1. */
static int export_rows(struct store_reader *r, FILE *fo, const struct export_args *a, int64_t f,
                       int64_t t, int64_t step, enum store_agg agg)
{
	static const char *aggn[] = {"avg", "min", "max", "sum", "last", "count", "delta"};
	struct xlist l = {.glob = a->glob};
	int rc = 1;
	if (store_series_find(r, l.glob, xlist_add, &l) < 0) {
		fprintf(stderr, "greendc export: cannot list series\n");
		goto out;
	}
	if (!a->json)
		fprintf(fo, "timestamp,device,metric,labels,value,unit%s\n",
		        step ? ",agg,count" : "");
	uint64_t rows = 0, nan = 0;
	for (size_t i = 0; i < l.n; i++) {
		enum store_agg sa = a->agg                         ? agg
		                    : l.v[i].kind == STORE_COUNTER ? AGG_DELTA
		                                                   : AGG_AVG;
		struct xout x = {.f = fo,
		                 .json = a->json,
		                 .s = &l.v[i],
		                 .unit = unit_of_metric(l.v[i].metric),
		                 .agg = step ? aggn[sa] : NULL};
		int q = step ? store_query(r, l.v[i].id, f, t, step, sa, xagg_cb, &x)
		             : store_read_raw(r, l.v[i].id, f, t, xraw_cb, &x);
		if (q < 0) {
			fprintf(stderr, "greendc export: reading series %lld: %s\n",
			        (long long)l.v[i].id, strerror(-q));
			goto out;
		}
		rows += x.rows;
		nan += x.skipped_nan;
	}
	rc = 0;
	fprintf(stderr, "greendc export: %llu rows from %zu series%s", (unsigned long long)rows,
	        l.n, nan ? "" : "\n");
	if (nan)
		fprintf(stderr, " (%llu NaN samples left out)\n", (unsigned long long)nan);
out:
	xlist_free(&l);
	return rc;
}

/* The series export: times and step checked, then export_rows into the output. */
static int export_series(const char *db, const struct export_args *a)
{
	int64_t now = (int64_t)time(NULL) * 1000, f = INT64_MIN / 4, t = INT64_MAX / 4, st = 0;
	enum store_agg agg = AGG_AVG;
	if ((a->from && time_parse(a->from, now, &f) < 0) ||
	    (a->to && time_parse(a->to, now, &t) < 0) || t <= f) {
		fprintf(stderr, "greendc export: --from/--to: ISO 8601 times, from before to\n");
		return 2;
	}
	if (strcmp(a->step, "raw") != 0) {
		if (time_parse_duration(a->step, &st) < 0 ||
		    (a->agg && parse_agg(a->agg, &agg) < 0)) {
			fprintf(stderr,
			        "greendc export: --step DUR|raw, --agg avg|min|max|sum|last|"
			        "count|delta\n");
			return 2;
		}
		if (!a->from)
			f = 0;
		f -= ((f % st) + st) % st; /* buckets on multiples of the step, as query does */
	}
	FILE *fo = a->output ? fopen(a->output, "w") : stdout;
	if (!fo) {
		fprintf(stderr, "greendc export: %s: %s\n", a->output, strerror(errno));
		return 1;
	}
	char err[512];
	struct store_reader *r = store_reader_open(db, err, sizeof(err));
	int rc = 1;
	if (!r)
		fprintf(stderr, "greendc export: %s\n", err);
	else
		rc = export_rows(r, fo, a, f, t, st, agg);
	if (fflush(fo) != 0 || (fo != stdout && fclose(fo) != 0)) {
		fprintf(stderr, "greendc export: write error: %s\n", strerror(errno));
		rc = 1;
	}
	store_reader_close(r);
	return rc;
}

int cli_export_main(int argc, char **argv, const struct cli_ctx *ctx)
{
	const char *config_path = ctx->config_path, *dbpath = ctx->db;
	bool config_given = ctx->config_given;
	struct export_args a;
	int rc = export_parse(argc, argv, &a);
	if (rc >= 0)
		return rc;
	struct config *cfg = load_config(config_path, config_given || a.report, &rc);
	if (rc)
		return rc;
	char *db = strdup(dbpath ? dbpath : cfg ? cfg->storage.path : "");
	config_free(cfg);
	if (!db || !*db) {
		fprintf(stderr,
		        "greendc export: cannot find the database: give --db PATH or -c FILE\n");
		free(db);
		return 2;
	}
	if (a.report) {
		rc = export_report(a.report, a.outdir, config_path, db);
	} else if (a.extra) {
		export_usage(stderr);
		rc = 2;
	} else {
		rc = export_series(db, &a);
	}
	free(db);
	return rc;
}

/* ---- --report: the files behind a period's KPIs ---- */

/* Same rule as the energy engine: metric equal, device equal when given, every label pair
 * present ("" = absent). Labels are compared on the canonical string. */
static bool label_is(const char *labels, const char *key, const char *value)
{
	size_t kl = strlen(key);
	for (const char *p = labels; *p;) {
		const char *e = p;
		while (*e && !(*e == ',' && e[-1] != '\\'))
			e++;
		if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
			char v[256];
			size_t n = 0;
			for (const char *q = p + kl + 1; q < e && n + 1 < sizeof(v); q++) {
				if (*q == '\\' && q + 1 < e)
					q++;
				v[n++] = *q;
			}
			v[n] = '\0';
			return strcmp(v, value) == 0;
		}
		p = *e ? e + 1 : e;
	}
	return !*value;
}

static bool sel_match(const struct energy_selector *sel, const struct xser *s)
{
	if (strcmp(sel->metric, s->metric) != 0 || (sel->device && strcmp(sel->device, s->device)))
		return false;
	for (size_t j = 0; j < sel->nlabels; j++)
		if (!label_is(s->labels, sel->label_keys[j], sel->label_values[j]))
			return false;
	return true;
}

struct lastv {
	int64_t ts;
	double v;
	bool have;
};

static int last_cb(void *ctx, int64_t ts, double v)
{
	struct lastv *l = ctx;
	l->ts = ts;
	l->v = v;
	l->have = true;
	return 0;
}

static int last_agg_cb(void *ctx, int64_t ts, double v, int64_t count)
{
	(void)count;
	return last_cb(ctx, ts, v);
}

struct cnt {
	int64_t n;
};

static int cnt_raw(void *ctx, int64_t ts, double v)
{
	(void)ts;
	((struct cnt *)ctx)->n += isfinite(v);
	return 0;
}

static int cnt_roll(void *ctx, int64_t ts, double v, int64_t count)
{
	(void)ts;
	(void)v;
	((struct cnt *)ctx)->n += count;
	return 0;
}

static FILE *report_file(const char *dir, const char *period, const char *what, char *path,
                         size_t len)
{
	snprintf(path, len, "%s/greendc-report-%s-%s.csv", dir, period, what);
	FILE *f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "greendc export: %s: %s\n", path, strerror(errno));
	return f;
}

/* 1. Interval energy per role: what every KPI of the period sums. */
static void report_intervals(FILE *fi, const struct energy_report *rep)
{
	fprintf(fi, "from,to,label,role,value,unit,estimated,coverage,status,series\n");
	for (size_t i = 0; i < rep->n; i++) {
		const struct energy_interval *iv = &rep->iv[i];
		char a[40], b[40], v[40], e[40];
		time_format_utc_ms(iv->from_ms, a, sizeof(a));
		time_format_utc_ms(iv->to_ms, b, sizeof(b));
		for (int k = 0; k < ROLE_COUNT; k++) {
			const struct energy_role_total *t = &iv->role[k];
			if (!t->nseries)
				continue;
			fmt_double(t->value, v, sizeof(v));
			fmt_double(t->estimated, e, sizeof(e));
			fprintf(fi, "%s,%s,%s,%s,%s,%s,%s,%.6f,%s,%d\n", a, b, iv->label,
			        energy_role_name((enum energy_role)k), v,
			        k == ROLE_WATER_INTAKE || k == ROLE_WATER_POTABLE ? "L" : "kWh", e,
			        t->coverage, energy_status_name(t->status), t->nseries);
		}
	}
}

/* One series' readings: the one before the period (a counter's first increase in the period
 * is measured from it), then every reading in it. 0 or -errno. */
static int report_series_readings(FILE *fr, struct store_reader *r, struct xser *s,
                                  const struct energy_period *p)
{
	char extra[96];
	struct lastv lv = {0};
	struct cnt rc_raw = {0}, rc_roll = {0};
	struct xout x = {.f = fr, .s = s, .unit = unit_of_metric(s->metric), .extra = extra};
	const char *role = energy_role_name((enum energy_role)s->role);
	/* Raw samples older than storage.raw_retention are gone; their hours are still in the
	 * 1 h rollups, whose `last` is the reading an auditor needs for a counter. */
	int rc = store_read_raw(r, s->id, p->from_ms, p->to_ms, cnt_raw, &rc_raw);
	if (rc >= 0)
		rc = store_query(r, s->id, p->from_ms, p->to_ms, 3600000, AGG_COUNT, cnt_roll,
		                 &rc_roll);
	if (rc < 0)
		return rc;
	bool raw = rc_raw.n >= rc_roll.n;
	int64_t back = p->from_ms - 400LL * 86400000;
	back -= ((back % 3600000) + 3600000) % 3600000;
	if (raw)
		store_read_raw(r, s->id, back, p->from_ms, last_cb, &lv);
	else
		store_query(r, s->id, back, p->from_ms, 3600000, AGG_LAST, last_agg_cb, &lv);
	const char *src = raw ? "raw" : "rollup_1h_last";
	snprintf(extra, sizeof(extra), "%s,0,%s", role, src);
	if (lv.have)
		xrow(&x, lv.ts, lv.v, 1);
	snprintf(extra, sizeof(extra), "%s,1,%s", role, src);
	rc = raw ? store_read_raw(r, s->id, p->from_ms, p->to_ms, xraw_cb, &x)
	         : store_query(r, s->id, p->from_ms, p->to_ms, 3600000, AGG_LAST, xagg_cb, &x);
	return rc < 0 ? rc : 0;
}

/* 2. The raw readings of every series in the model, with its role. 0 or -errno. */
static int report_readings(FILE *fr, struct store_reader *r, const struct energy_model *m,
                           const struct energy_period *p)
{
	struct xlist l = {.glob = NULL};
	int rc = store_series_find(r, NULL, xlist_add, &l);
	if (rc >= 0)
		fprintf(fr, "timestamp,device,metric,labels,value,unit,role,in_period,source\n");
	for (size_t i = 0; rc >= 0 && i < l.n; i++) {
		struct xser *s = &l.v[i];
		for (int k = 0; k < ROLE_COUNT && s->role < 0; k++)
			for (size_t j = 0; j < m->nsel[k] && s->role < 0; j++)
				if (sel_match(&m->sel[k][j], s))
					s->role = k;
		if (s->role >= 0)
			rc = report_series_readings(fr, r, s, p);
	}
	xlist_free(&l);
	return rc < 0 ? rc : 0;
}

/* 3. Totals and KPIs with their formulas, as `greendc kpi` computes them. */
static void report_summary(FILE *fs, const struct energy_report *whole,
                           const struct energy_model *m, const struct energy_period *p)
{
	const struct energy_interval *t = &whole->total;
	struct kpi_inputs in;
	energy_kpi_inputs(m, whole->it_role, t, energy_certificates(m, p->from_ms, p->to_ms), &in);
	struct kpi_results k;
	kpi_compute(&in, &k);
	fprintf(fs, "item,value,unit,formula\n");
	for (int q = 0; q < ROLE_COUNT; q++)
		if (t->role[q].nseries) {
			char v[40];
			fmt_double(t->role[q].value, v, sizeof(v));
			fprintf(fs,
			        "%s,%s,%s,sum of the role's rows in intervals.csv (coverage %.6f, "
			        "%s)\n",
			        energy_role_name((enum energy_role)q), v,
			        q == ROLE_WATER_INTAKE || q == ROLE_WATER_POTABLE ? "L" : "kWh",
			        t->role[q].coverage, energy_status_name(t->role[q].status));
		}
	fprintf(fs, "it_role,%s,,category %d: E_IT is this role\n",
	        energy_role_name(whole->it_role), whole->category);
	fprintf(fs, "certificates,%.17g,kWh,renewable_certificates for periods inside %s\n",
	        in.e_certificates, p->label);
	fprintf(fs, "E_DC,%.17g,kWh,facility_input + backup_generation + onsite_renewable\n",
	        k.e_dc);
	const struct {
		const char *name, *unit, *formula;
		const struct kpi_value *v;
	} kv[] = {
	        {"PUE", "", "E_DC / E_IT", &k.pue},
	        {"DCiE", "%", "100 / PUE", &k.dcie},
	        {"pPUE_cooling", "", "(cooling + E_IT) / E_IT", &k.ppue_cooling},
	        {"WUE", "L/kWh", "water_intake / E_IT", &k.wue},
	        {"CUE", "kgCO2/kWh",
	         "(facility_input x grid factor + backup x backup factor) / E_IT", &k.cue},
	        {"ERF", "", "reused_heat / E_DC", &k.erf},
	        {"REF", "", "(onsite_renewable + certificates) / E_DC", &k.ref},
	        {"CER", "", "heat_removed / cooling", &k.cer},
	};
	for (size_t q = 0; q < sizeof(kv) / sizeof(kv[0]); q++) {
		if (!kv[q].v->applicable && !kv[q].v->ok)
			continue;
		if (kv[q].v->ok)
			fprintf(fs, "%s,%.17g,%s,%s\n", kv[q].name, kv[q].v->v, kv[q].unit,
			        kv[q].formula);
		else
			fprintf(fs, "%s,,%s,\"%s: error: %s\"\n", kv[q].name, kv[q].unit,
			        kv[q].formula, kv[q].v->why);
	}
}

/* --report: the model checked, the period computed by hour and as a whole, then the three
 * files. */
static int export_report(const char *period, const char *dir, const char *config_path,
                         const char *dbpath)
{
	struct config_diag diag = {0};
	struct config *cfg = greendc_config_load(config_path, &diag);
	if (!cfg) {
		fputs(diag.text, stderr);
		return 1;
	}
	time_zone_set(cfg->site.timezone); /* the period is site time */
	const struct energy_model *m = cfg->energy;
	const char *problem = energy_model_problem(m);
	struct energy_period p;
	struct energy_report rep = {0}, whole = {0};
	struct store_reader *r = NULL;
	FILE *fi = NULL, *fr = NULL, *fs = NULL;
	char pi[4200], pr[4200], ps[4200], err[512];
	int rc = 1;
	if (problem) {
		fprintf(stderr, "greendc export: %s: energy model: %s\n", config_path, problem);
		goto out;
	}
	if (energy_period_parse(period, &p) < 0) {
		fprintf(stderr, "greendc export: --report: expected YYYY, YYYY-MM or YYYY-MM-DD\n");
		rc = 2;
		goto out;
	}
	r = store_reader_open(dbpath, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "greendc export: %s\n", err);
		goto out;
	}
	int64_t now = util_wall_ms();
	if (energy_compute(r, m, p.from_ms, p.to_ms, STEP_HOUR, now, &rep) < 0 ||
	    energy_compute(r, m, p.from_ms, p.to_ms, STEP_WHOLE, now, &whole) < 0) {
		fprintf(stderr, "greendc export: %s\n", rep.err[0] ? rep.err : whole.err);
		goto out;
	}
	if (!(fi = report_file(dir, period, "intervals", pi, sizeof(pi))) ||
	    !(fr = report_file(dir, period, "readings", pr, sizeof(pr))) ||
	    !(fs = report_file(dir, period, "summary", ps, sizeof(ps))))
		goto out;
	report_intervals(fi, &rep);
	if (report_readings(fr, r, m, &p) < 0)
		goto out;
	report_summary(fs, &whole, m, &p);
	rc = 0;
	printf("%s\n%s\n%s\n", pi, pr, ps);
out:
	if ((fi && fclose(fi) != 0) | (fr && fclose(fr) != 0) | (fs && fclose(fs) != 0))
		rc = 1;
	energy_report_free(&rep);
	energy_report_free(&whole);
	store_reader_close(r);
	config_free(cfg);
	return rc;
}
