/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `greendc devices`, `series`, `query` and `tail`: the store from the command line, through a
 * read-only connection (safe while the daemon runs). Options are in the command table
 * (cli_commands.c):
 *
 *   devices [--format table|csv|json]
 *   series [GLOB] [--format table|csv|json]
 *   query SELECTOR [--from T] [--to T] [--step DUR|raw] [--agg A] [--format table|csv|json]
 *   tail [GLOB] [--count N] [--timeout DUR]
 *
 * A series is named "device metric{labels}" (no braces without labels); GLOB is matched
 * against that name (shell wildcards). SELECTOR is a series id or such a glob.
 */
#include "cli/cli_data.h"
#include "core/timeutil.h"

#include "core/util.h"
#include "ingest/device_roster.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXIT_USAGE   2
#define EXIT_RUNTIME 1
#define TAIL_POLL_MS 500

enum format { FMT_TABLE, FMT_CSV, FMT_JSON };

static int64_t now_ms(void)
{
	return util_wall_ms();
}

/* ---- common ---- */

struct series_list {
	struct {
		int64_t id;
		char *name;
		char *device, *metric, *labels;
		enum store_kind kind;
	} * v;
	size_t n, cap;
};

static char *series_name(const struct store_series_info *i)
{
	size_t len = strlen(i->device) + strlen(i->metric) + strlen(i->labels) + 4;
	char *s = malloc(len);
	if (!s)
		return NULL;
	if (*i->labels)
		snprintf(s, len, "%s %s{%s}", i->device, i->metric, i->labels);
	else
		snprintf(s, len, "%s %s", i->device, i->metric);
	return s;
}

static int list_add(void *ctx, const struct store_series_info *i)
{
	struct series_list *l = ctx;
	if (l->n == l->cap) {
		size_t c = l->cap ? l->cap * 2 : 64;
		void *p = realloc(l->v, c * sizeof(*l->v));
		if (!p)
			return 1;
		l->v = p;
		l->cap = c;
	}
	l->v[l->n].id = i->id;
	l->v[l->n].name = series_name(i);
	l->v[l->n].device = strdup(i->device);
	l->v[l->n].metric = strdup(i->metric);
	l->v[l->n].labels = strdup(i->labels);
	l->v[l->n].kind = i->kind;
	if (!l->v[l->n].name || !l->v[l->n].device || !l->v[l->n].metric || !l->v[l->n].labels)
		return 1;
	l->n++;
	return 0;
}

static void list_free(struct series_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].device);
		free(l->v[i].metric);
		free(l->v[i].labels);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int parse_format(const char *s, enum format *f)
{
	if (strcmp(s, "table") == 0)
		*f = FMT_TABLE;
	else if (strcmp(s, "csv") == 0)
		*f = FMT_CSV;
	else if (strcmp(s, "json") == 0)
		*f = FMT_JSON;
	else
		return -EINVAL;
	return 0;
}

static void csv_field(const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static void print_json(cJSON *j)
{
	char *s = cJSON_Print(j);
	if (s) {
		puts(s);
		free(s);
	}
}

static struct store_reader *open_reader(const char *dbpath)
{
	char err[512];
	struct store_reader *r = store_reader_open(dbpath, err, sizeof(err));
	if (!r)
		fprintf(stderr, "greendc: %s\n", err);
	return r;
}

static const char *kind_name(enum store_kind k)
{
	return k == STORE_COUNTER ? "counter" : "gauge";
}

/* ---- series ---- */

int cli_series_main(int argc, char **argv, const struct cli_ctx *ctx)
{
	static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
	                                     {NULL, 0, NULL, 0}};
	enum format fmt = FMT_TABLE;
	int c;
	optind = 0; /* GNU getopt: reinitialise, then scan from argv[1] */
	while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		if (c == 'f' && parse_format(optarg, &fmt) == 0)
			continue;
		if (c == 'f')
			fprintf(stderr, "greendc series: unknown format \"%s\"\n", optarg);
		cli_help(ctx->cmd, stderr);
		return EXIT_USAGE;
	}
	if (argc - optind > 1) {
		cli_help(ctx->cmd, stderr);
		return EXIT_USAGE;
	}
	const char *glob = optind < argc ? argv[optind] : NULL;
	struct store_reader *r = open_reader(ctx->db);
	if (!r)
		return EXIT_RUNTIME;
	struct series_list l = {0};
	int rc = store_series_find(r, glob, list_add, &l);
	store_reader_close(r);
	if (rc < 0) {
		fprintf(stderr, "greendc series: %s\n", strerror(-rc));
		list_free(&l);
		return EXIT_RUNTIME;
	}
	if (fmt == FMT_JSON) {
		cJSON *a = cJSON_CreateArray();
		for (size_t i = 0; i < l.n; i++) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "id", (double)l.v[i].id);
			cJSON_AddStringToObject(o, "name", l.v[i].name);
			cJSON_AddStringToObject(o, "device", l.v[i].device);
			cJSON_AddStringToObject(o, "metric", l.v[i].metric);
			cJSON_AddStringToObject(o, "labels", l.v[i].labels);
			cJSON_AddStringToObject(o, "kind", kind_name(l.v[i].kind));
			cJSON_AddItemToArray(a, o);
		}
		print_json(a);
		cJSON_Delete(a);
	} else if (fmt == FMT_CSV) {
		puts("id,kind,device,metric,labels");
		for (size_t i = 0; i < l.n; i++) {
			printf("%lld,%s,", (long long)l.v[i].id, kind_name(l.v[i].kind));
			csv_field(l.v[i].device);
			putchar(',');
			csv_field(l.v[i].metric);
			putchar(',');
			csv_field(l.v[i].labels);
			putchar('\n');
		}
	} else {
		printf("%-8s %-8s %s\n", "ID", "KIND", "SERIES");
		for (size_t i = 0; i < l.n; i++)
			printf("%-8lld %-8s %s\n", (long long)l.v[i].id, kind_name(l.v[i].kind),
			       l.v[i].name);
	}
	list_free(&l);
	return 0;
}

/* ---- query ---- */

struct point {
	int64_t ts;
	double v;
	int64_t count;
};

struct points {
	struct point *p;
	size_t n, cap;
	bool failed;
};

static int points_add(struct points *ps, int64_t ts, double v, int64_t count)
{
	if (ps->n == ps->cap) {
		size_t c = ps->cap ? ps->cap * 2 : 256;
		void *q = realloc(ps->p, c * sizeof(*ps->p));
		if (!q) {
			ps->failed = true;
			return 1;
		}
		ps->p = q;
		ps->cap = c;
	}
	ps->p[ps->n++] = (struct point){ts, v, count};
	return 0;
}

static int raw_point(void *ctx, int64_t ts, double v)
{
	return points_add(ctx, ts, v, 1);
}

static int agg_point(void *ctx, int64_t ts, double v, int64_t count)
{
	return points_add(ctx, ts, v, count);
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

static void print_value(double v)
{
	if (isnan(v))
		fputs("NaN", stdout);
	else
		printf("%.15g", v);
}

/* What `greendc query` was asked. */
struct query_opts {
	int64_t from, to, step;
	bool raw;
	enum store_agg agg;
	enum format fmt;
	const char *sel;
};

/* The options into q. -1 to go on, else the exit code. */
static int query_parse(int argc, char **argv, const struct cli_ctx *ctx, struct query_opts *q)
{
	static const struct option opts[] = {
	        {"from", required_argument, NULL, 'F'},   {"to", required_argument, NULL, 'T'},
	        {"step", required_argument, NULL, 's'},   {"agg", required_argument, NULL, 'a'},
	        {"format", required_argument, NULL, 'f'}, {NULL, 0, NULL, 0},
	};
	int64_t now = now_ms();
	*q = (struct query_opts){.from = now - 3600000, .to = now, .step = 60000, .agg = AGG_AVG};
	int c;
	while ((c = getopt_long(argc, argv, "F:T:s:a:f:", opts, NULL)) != -1) {
		int bad = 0;
		switch (c) {
		case 'F':
			bad = time_parse(optarg, now, &q->from);
			break;
		case 'T':
			bad = time_parse(optarg, now, &q->to);
			break;
		case 's':
			q->raw = strcmp(optarg, "raw") == 0;
			bad = q->raw ? 0 : time_parse_duration(optarg, &q->step);
			break;
		case 'a':
			bad = parse_agg(optarg, &q->agg);
			break;
		case 'f':
			bad = parse_format(optarg, &q->fmt);
			break;
		default:
			cli_help(ctx->cmd, stderr);
			return EXIT_USAGE;
		}
		if (bad) {
			fprintf(stderr, "greendc query: invalid value \"%s\"\n", optarg);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		cli_help(ctx->cmd, stderr);
		return EXIT_USAGE;
	}
	q->sel = argv[optind];
	if (q->to <= q->from) {
		fprintf(stderr, "greendc query: --to must be after --from\n");
		return EXIT_USAGE;
	}
	/* Times from 1970 to 9999 and steps up to 100 years keep every bucket computation far
	 * from int64 overflow (found by test/fuzz: --step 9223372036854775807ms). */
	if (!time_ms_in_range(q->from) || q->to > TIME_MAX_MS ||
	    q->step > INT64_C(100) * 366 * 86400000) {
		fprintf(stderr, "greendc query: times must lie in 1970..9999 and the step within "
		                "100 years\n");
		return EXIT_USAGE;
	}
	/* Buckets start at multiples of the step (UTC), so that rollups can serve them. */
	if (!q->raw)
		q->from -= ((q->from % q->step) + q->step) % q->step;
	return -1;
}

/* The series a selector names (an id, or a glob) into l. 0, or an exit code (said). */
static int query_select(struct store_reader *r, const char *sel, struct series_list *l)
{
	int rc;
	char *end;
	long long id = strtoll(sel, &end, 10);
	if (*sel && !*end) {
		struct series_list all = {0};
		rc = store_series_find(r, NULL, list_add, &all);
		for (size_t i = 0; rc >= 0 && i < all.n; i++)
			if (all.v[i].id == id) {
				struct store_series_info info = {.id = all.v[i].id,
				                                 .device = all.v[i].device,
				                                 .metric = all.v[i].metric,
				                                 .labels = all.v[i].labels,
				                                 .kind = all.v[i].kind};
				list_add(l, &info);
			}
		list_free(&all);
	} else {
		rc = store_series_find(r, sel, list_add, l);
	}
	if (rc < 0) {
		fprintf(stderr, "greendc query: %s\n", strerror(-rc));
		return EXIT_RUNTIME;
	}
	if (l->n == 0) {
		fprintf(stderr, "greendc query: no series matches \"%s\"\n", sel);
		return EXIT_RUNTIME;
	}
	return 0;
}

/* Each series' points (raw or bucketed) into res[i]. 0, or an exit code (said). */
static int query_read(struct store_reader *r, const struct series_list *l,
                      const struct query_opts *q, struct points *res)
{
	for (size_t i = 0; i < l->n; i++) {
		int rc = q->raw ? store_read_raw(r, l->v[i].id, q->from, q->to, raw_point, &res[i])
		                : store_query(r, l->v[i].id, q->from, q->to, q->step, q->agg,
		                              agg_point, &res[i]);
		if (rc < 0 || res[i].failed) {
			fprintf(stderr, "greendc query: %s: %s\n", l->v[i].name,
			        rc < 0 ? strerror(-rc) : "out of memory");
			return EXIT_RUNTIME;
		}
	}
	return 0;
}

static void query_print_json(const struct series_list *l, const struct points *res, bool raw)
{
	char tbuf[40];
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < l->n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)l->v[i].id);
		cJSON_AddStringToObject(o, "name", l->v[i].name);
		cJSON_AddStringToObject(o, "kind", kind_name(l->v[i].kind));
		cJSON *pts = cJSON_AddArrayToObject(o, "points");
		for (size_t k = 0; k < res[i].n; k++) {
			const struct point *pt = &res[i].p[k];
			cJSON *p = cJSON_CreateArray();
			time_format_utc_ms(pt->ts, tbuf, sizeof(tbuf));
			cJSON_AddItemToArray(p, cJSON_CreateString(tbuf));
			cJSON_AddItemToArray(p, isfinite(pt->v) ? cJSON_CreateNumber(pt->v)
			                                        : cJSON_CreateNull());
			if (!raw)
				cJSON_AddItemToArray(p, cJSON_CreateNumber((double)pt->count));
			cJSON_AddItemToArray(pts, p);
		}
		cJSON_AddItemToArray(a, o);
	}
	print_json(a);
	cJSON_Delete(a);
}

/* One column per series; rows merge the series by time (a series with two samples at one
 * time gets two rows). 0, or an exit code. */
static int query_print_csv(const struct series_list *l, const struct points *res)
{
	char tbuf[40];
	size_t *at = calloc(l->n, sizeof(*at));
	if (!at)
		return EXIT_RUNTIME;
	fputs("ts", stdout);
	for (size_t i = 0; i < l->n; i++) {
		putchar(',');
		csv_field(l->v[i].name);
	}
	putchar('\n');
	for (;;) {
		int64_t t = INT64_MAX;
		for (size_t i = 0; i < l->n; i++)
			if (at[i] < res[i].n && res[i].p[at[i]].ts < t)
				t = res[i].p[at[i]].ts;
		if (t == INT64_MAX)
			break;
		time_format_utc_ms(t, tbuf, sizeof(tbuf));
		fputs(tbuf, stdout);
		for (size_t i = 0; i < l->n; i++) {
			putchar(',');
			if (at[i] < res[i].n && res[i].p[at[i]].ts == t)
				print_value(res[i].p[at[i]++].v);
		}
		putchar('\n');
	}
	free(at);
	return 0;
}

static void query_print_table(const struct series_list *l, const struct points *res, bool raw)
{
	char tbuf[40];
	for (size_t i = 0; i < l->n; i++) {
		if (i > 0)
			putchar('\n');
		printf("# %s (id %lld, %s)\n", l->v[i].name, (long long)l->v[i].id,
		       kind_name(l->v[i].kind));
		for (size_t k = 0; k < res[i].n; k++) {
			time_format_utc_ms(res[i].p[k].ts, tbuf, sizeof(tbuf));
			printf("%-24s ", tbuf);
			print_value(res[i].p[k].v);
			if (!raw)
				printf("  (%lld)", (long long)res[i].p[k].count);
			putchar('\n');
		}
	}
}

int cli_query_main(int argc, char **argv, const struct cli_ctx *ctx)
{
	struct query_opts q;
	optind = 0; /* GNU getopt: reinitialise, then scan from argv[1] */
	int status = query_parse(argc, argv, ctx, &q);
	if (status >= 0)
		return status;
	struct store_reader *r = open_reader(ctx->db);
	if (!r)
		return EXIT_RUNTIME;
	struct series_list l = {0};
	struct points *res = NULL;
	status = query_select(r, q.sel, &l);
	if (!status) {
		res = calloc(l.n, sizeof(*res));
		status = res ? query_read(r, &l, &q, res) : EXIT_RUNTIME;
	}
	store_reader_close(r);
	if (!status && q.fmt == FMT_JSON)
		query_print_json(&l, res, q.raw);
	else if (!status && q.fmt == FMT_CSV)
		status = query_print_csv(&l, res);
	else if (!status)
		query_print_table(&l, res, q.raw);
	for (size_t i = 0; res && i < l.n; i++)
		free(res[i].p);
	free(res);
	list_free(&l);
	return status;
}

/* ---- tail ---- */

struct tail {
	struct store_reader *r;
	const char *glob;
	struct series_list l;
	int64_t max_id_seen;
	long long remaining; /* < 0: unlimited */
	bool failed;
};

static const char *tail_name(struct tail *t, int64_t id)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < t->l.n; i++)
			if (t->l.v[i].id == id)
				return t->l.v[i].name;
		if (pass == 0 && id > t->max_id_seen) {
			/* A series created since the last look: reload the matching list. */
			list_free(&t->l);
			if (store_series_find(t->r, t->glob, list_add, &t->l) < 0)
				t->failed = true;
			t->max_id_seen = id;
		}
	}
	return NULL;
}

static int tail_cb(void *ctx, int64_t series, int64_t ts, double v)
{
	struct tail *t = ctx;
	const char *name = tail_name(t, series);
	if (!name)
		return 0;
	char tbuf[40];
	time_format_utc_ms(ts, tbuf, sizeof(tbuf));
	printf("%-24s %s ", tbuf, name);
	print_value(v);
	putchar('\n');
	if (t->remaining > 0 && --t->remaining == 0)
		return 1;
	return 0;
}

int cli_tail_main(int argc, char **argv, const struct cli_ctx *ctx)
{
	static const struct option opts[] = {{"count", required_argument, NULL, 'n'},
	                                     {"timeout", required_argument, NULL, 't'},
	                                     {NULL, 0, NULL, 0}};
	long long count = -1;
	int64_t timeout = 0;
	int c;
	optind = 0; /* GNU getopt: reinitialise, then scan from argv[1] */
	while ((c = getopt_long(argc, argv, "n:t:", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'n':
			count = strtoll(optarg, &end, 10);
			if (*end || count <= 0) {
				fprintf(stderr, "greendc tail: invalid count \"%s\"\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 't':
			if (time_parse_duration(optarg, &timeout) < 0) {
				fprintf(stderr, "greendc tail: invalid duration \"%s\"\n", optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			cli_help(ctx->cmd, stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		cli_help(ctx->cmd, stderr);
		return EXIT_USAGE;
	}
	struct tail t = {.glob = optind < argc ? argv[optind] : NULL, .remaining = count};
	t.r = open_reader(ctx->db);
	if (!t.r)
		return EXIT_RUNTIME;
	setvbuf(stdout, NULL, _IOLBF, 0);
	int64_t cursor = -1, deadline = timeout ? now_ms() + timeout : INT64_MAX;
	int status = 0;
	if (store_series_find(t.r, t.glob, list_add, &t.l) < 0)
		status = EXIT_RUNTIME;
	for (size_t i = 0; i < t.l.n; i++)
		if (t.l.v[i].id > t.max_id_seen)
			t.max_id_seen = t.l.v[i].id;
	while (!status) {
		int rc;
		do {
			rc = store_tail(t.r, &cursor, 1000, tail_cb, &t);
		} while (rc == 1000 && t.remaining != 0);
		if (rc < 0 || t.failed) {
			fprintf(stderr, "greendc tail: %s\n",
			        rc < 0 ? strerror(-rc) : "reading series");
			status = EXIT_RUNTIME;
			break;
		}
		if (t.remaining == 0 || now_ms() >= deadline)
			break;
		struct timespec ts = {0, TAIL_POLL_MS * 1000000L};
		nanosleep(&ts, NULL);
	}
	list_free(&t.l);
	store_reader_close(t.r);
	return status;
}

/* ---- devices ---- */

struct devices_out {
	enum format fmt;
	cJSON *arr;
};

static int device_row(void *ctx, const struct store_device_state *d, const struct config_device *cd)
{
	(void)cd;
	struct devices_out *o = ctx;
	char last[40] = "-", ok[40] = "-", ivl[32];
	if (d->last_poll_ms)
		time_format_utc_ms(d->last_poll_ms, last, sizeof(last));
	if (d->last_ok_ms)
		time_format_utc_ms(d->last_ok_ms, ok, sizeof(ok));
	util_format_duration(d->interval_ms, ivl, sizeof(ivl));
	switch (o->fmt) {
	case FMT_TABLE:
		printf("%-20s %-7s %-8s %-26s %9.2f %7lld %6s  %s\n", d->name, d->driver, d->state,
		       ok, d->last_duration_s * 1000.0, (long long)d->errors, ivl, d->last_error);
		break;
	case FMT_CSV:
		csv_field(d->name);
		putchar(',');
		csv_field(d->driver);
		putchar(',');
		csv_field(d->address);
		printf(",%s,%s,%s,%.3f,%lld,%u,", d->state, last, ok, d->last_duration_s,
		       (long long)d->errors, d->interval_ms);
		csv_field(d->last_error);
		putchar('\n');
		break;
	case FMT_JSON: {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "name", d->name);
		cJSON_AddStringToObject(j, "driver", d->driver);
		cJSON_AddStringToObject(j, "address", d->address);
		cJSON_AddStringToObject(j, "state", d->state);
		cJSON_AddStringToObject(j, "last_poll", last);
		cJSON_AddStringToObject(j, "last_ok", ok);
		cJSON_AddNumberToObject(j, "last_duration_s", d->last_duration_s);
		cJSON_AddNumberToObject(j, "errors", (double)d->errors);
		cJSON_AddNumberToObject(j, "interval_ms", d->interval_ms);
		cJSON_AddStringToObject(j, "last_error", d->last_error);
		cJSON_AddItemToArray(o->arr, j);
		break;
	}
	}
	return 0;
}

int cli_devices_main(int argc, char **argv, const struct cli_ctx *ctx)
{
	static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
	                                     {NULL, 0, NULL, 0}};
	struct devices_out o = {.fmt = FMT_TABLE};
	int c;
	optind = 0; /* GNU getopt: reinitialise, then scan from argv[1] */
	while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		if (c == 'f' && parse_format(optarg, &o.fmt) == 0)
			continue;
		cli_help(ctx->cmd, stderr);
		return EXIT_USAGE;
	}
	if (optind < argc) {
		cli_help(ctx->cmd, stderr);
		return EXIT_USAGE;
	}
	struct store_reader *r = open_reader(ctx->db);
	if (!r)
		return EXIT_RUNTIME;
	if (o.fmt == FMT_TABLE)
		printf("%-20s %-7s %-8s %-26s %9s %7s %6s  %s\n", "DEVICE", "DRIVER", "STATE",
		       "LAST OK", "POLL (ms)", "ERRORS", "EVERY", "LAST ERROR");
	else if (o.fmt == FMT_CSV)
		printf("device,driver,address,state,last_poll,last_ok,last_duration_s,errors,"
		       "interval_ms,last_error\n");
	else
		o.arr = cJSON_CreateArray();
	int n = device_roster(ctx->cfg, r, device_row, &o);
	if (o.arr) {
		if (n >= 0)
			print_json(o.arr);
		cJSON_Delete(o.arr);
	}
	store_reader_close(r);
	if (n < 0) {
		fprintf(stderr, "greendc devices: %s: %s\n", ctx->db, strerror(-n));
		return EXIT_RUNTIME;
	}
	return 0;
}
