/*
 * The league table, the late list, trends and report lists (league.h), from the store.
 */
#include "league.h"

#include "core/sbuf.h"
#include "core/timeutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void league_default_period(int64_t now_ms, char out[8])
{
	int64_t this_month = time_local_floor(now_ms, TIME_MONTH);
	char label[32];
	time_local_label(time_local_floor(this_month - 1, TIME_MONTH), TIME_MONTH, label,
	                 sizeof(label));
	snprintf(out, 8, "%.7s", label);
}

bool league_period_ok(const char *p)
{
	if (!p || strlen(p) != 7 || p[4] != '-')
		return false;
	for (int i = 0; i < 7; i++)
		if (i != 4 && (p[i] < '0' || p[i] > '9'))
			return false;
	int m = (p[5] - '0') * 10 + (p[6] - '0');
	return m >= 1 && m <= 12 && strncmp(p, "1970", 4) >= 0;
}

int64_t league_deadline(const char *period, int deadline_day)
{
	int y = atoi(period), m = atoi(period + 5) + 1;
	if (m == 13)
		m = 1, y++;
	return time_local_midnight(y, m, deadline_day + 1);
}

/* "2026-10" minus n months. */
static void period_minus(const char *p, int n, char out[8])
{
	int idx = atoi(p) * 12 + atoi(p + 5) - 1 - n;
	/* Periods are checked (league_period_ok): the year has four digits. */
	snprintf(out, 8, "%04u-%02u", (unsigned)(idx / 12) % 10000u, (unsigned)(idx % 12 + 1) % 100u);
}

static void add_num_or_null(cJSON *o, const char *k, double v)
{
	if (isnan(v))
		cJSON_AddNullToObject(o, k);
	else
		cJSON_AddNumberToObject(o, k, v);
}

static void add_time(cJSON *o, const char *k, int64_t ms)
{
	char b[32];
	time_format_utc(ms, b, sizeof(b));
	cJSON_AddStringToObject(o, k, b);
}

cJSON *league_report_json(const struct rx_report_row *r, int64_t deadline_ms)
{
	cJSON *o = cJSON_CreateObject();
	char link[64];
	cJSON_AddStringToObject(o, "site", r->site);
	cJSON_AddStringToObject(o, "name", r->site_name);
	cJSON_AddStringToObject(o, "region", r->region);
	cJSON_AddStringToObject(o, "kind", r->kind);
	cJSON_AddStringToObject(o, "period", r->period);
	add_num_or_null(o, "pue", r->pue);
	if (r->pue_label[0])
		cJSON_AddStringToObject(o, "pue_label", r->pue_label);
	else
		cJSON_AddNullToObject(o, "pue_label");
	cJSON_AddNumberToObject(o, "category", r->category);
	add_num_or_null(o, "coverage", r->coverage);
	cJSON_AddBoolToObject(o, "complete", r->complete);
	add_num_or_null(o, "gb40879_grade", r->grade < 0 ? NAN : r->grade);
	cJSON_AddStringToObject(o, "signature", r->sig_status[0] ? r->sig_status : "none");
	add_time(o, "received", r->received_ms);
	if (deadline_ms)
		cJSON_AddBoolToObject(o, "late", r->received_ms >= deadline_ms);
	cJSON_AddNumberToObject(o, "seq", (double)r->seq);
	snprintf(link, sizeof(link), "/api/v1/reports/%lld.json", (long long)r->seq);
	cJSON_AddStringToObject(o, "json", link);
	snprintf(link, sizeof(link), "/reports/%lld.html", (long long)r->seq);
	cJSON_AddStringToObject(o, "html", link);
	return o;
}

struct collect {
	cJSON *arr;
	int64_t deadline_ms;
	int n;
};

static int collect_report(void *ctx, const struct rx_report_row *r)
{
	struct collect *c = ctx;
	cJSON *o = league_report_json(r, c->deadline_ms);
	if (!o)
		return -1;
	cJSON_AddItemToArray(c->arr, o);
	c->n++;
	return 0;
}

/* PUE ascending (the best first), sites without a published PUE last, then by site. */
static int by_pue(const void *x, const void *y)
{
	const cJSON *a = *(const cJSON *const *)x, *b = *(const cJSON *const *)y;
	const cJSON *pa = cJSON_GetObjectItem(a, "pue"), *pb = cJSON_GetObjectItem(b, "pue");
	bool na = !cJSON_IsNumber(pa), nb = !cJSON_IsNumber(pb);
	if (na != nb)
		return na ? 1 : -1;
	if (!na && pa->valuedouble != pb->valuedouble)
		return pa->valuedouble < pb->valuedouble ? -1 : 1;
	return strcmp(cJSON_GetObjectItem(a, "site")->valuestring,
	              cJSON_GetObjectItem(b, "site")->valuestring);
}

/* Sort the table and number the ranks (ties share a rank; no PUE, no rank). */
static cJSON *rank(cJSON *arr, int n)
{
	cJSON **v = calloc((size_t)n + 1, sizeof(*v));
	cJSON *out = cJSON_CreateArray();
	if (!v || !out) {
		free(v);
		cJSON_Delete(out);
		return NULL;
	}
	int i = 0;
	while (arr->child && i < n)
		v[i++] = cJSON_DetachItemViaPointer(arr, arr->child);
	qsort(v, (size_t)i, sizeof(*v), by_pue);
	double prev = NAN;
	int r = 0;
	for (int k = 0; k < i; k++) {
		const cJSON *p = cJSON_GetObjectItem(v[k], "pue");
		if (cJSON_IsNumber(p)) {
			if (p->valuedouble != prev)
				r = k + 1;
			prev = p->valuedouble;
			cJSON_AddNumberToObject(v[k], "rank", r);
		} else {
			cJSON_AddNullToObject(v[k], "rank");
		}
		cJSON_AddItemToArray(out, v[k]);
	}
	free(v);
	cJSON_Delete(arr);
	return out;
}

struct late_ctx {
	cJSON *late;
	const cJSON *table;
	int64_t now_ms, deadline_ms;
};

static const cJSON *find_site(const cJSON *table, const char *site)
{
	const cJSON *o;
	cJSON_ArrayForEach(o, table)
	{
		const cJSON *s = cJSON_GetObjectItem(o, "site");
		if (cJSON_IsString(s) && strcmp(s->valuestring, site) == 0)
			return o;
	}
	return NULL;
}

/* A registered site that has no report for the period, or sent it after the deadline. */
static int collect_late(void *ctx, const struct rx_site_row *s)
{
	struct late_ctx *c = ctx;
	const cJSON *row = find_site(c->table, s->site);
	const char *status = NULL;
	if (row && cJSON_IsTrue(cJSON_GetObjectItem(row, "late")))
		status = "late";
	else if (!row)
		status = c->now_ms >= c->deadline_ms ? "overdue" : "pending";
	if (!status)
		return 0;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "site", s->site);
	cJSON_AddStringToObject(o, "name", s->name);
	cJSON_AddStringToObject(o, "region", s->region);
	cJSON_AddStringToObject(o, "status", status);
	if (row)
		cJSON_AddStringToObject(o, "received",
		                        cJSON_GetObjectItem(row, "received")->valuestring);
	cJSON_AddItemToArray(c->late, o);
	return 0;
}

cJSON *league_build(struct rx_app *a, const char *period, int64_t now_ms)
{
	int64_t deadline = league_deadline(period, a->o.deadline_day);
	struct collect c = {.arr = cJSON_CreateArray(), .deadline_ms = deadline};
	cJSON *j = cJSON_CreateObject();
	if (!c.arr || !j || rx_store_league(a->store, period, collect_report, &c) < 0) {
		cJSON_Delete(c.arr);
		cJSON_Delete(j);
		return NULL;
	}
	cJSON *table = rank(c.arr, c.n);
	if (!table) {
		cJSON_Delete(j);
		return NULL;
	}
	cJSON_AddStringToObject(j, "period", period);
	add_time(j, "deadline", deadline);
	char zone[80];
	time_format_zone(now_ms, zone, sizeof(zone));
	cJSON_AddStringToObject(j, "timezone", zone);
	add_time(j, "generated", now_ms);
	cJSON_AddItemToObject(j, "sites", table);
	struct late_ctx l = {cJSON_AddArrayToObject(j, "late"), table, now_ms, deadline};
	if (rx_store_active_sites(a->store, collect_late, &l) < 0) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

/* One CSV cell: quoted when needed; a leading = + - @ is defused for spreadsheets. */
static void csv_cell(struct sbuf *b, const char *s, bool last)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL || strchr("=+-@\t", s[0]) != NULL;
	if (quote)
		sbuf_add(b, "\"", 1);
	if (s[0] && strchr("=+-@\t", s[0]))
		sbuf_add(b, "'", 1);
	for (; *s; s++) {
		if (*s == '"')
			sbuf_add(b, "\"", 1);
		sbuf_add(b, s, 1);
	}
	if (quote)
		sbuf_add(b, "\"", 1);
	sbuf_add(b, last ? "\r\n" : ",", last ? 2 : 1);
}

static void csv_field(struct sbuf *b, const cJSON *o, const char *k, bool last)
{
	const cJSON *v = cJSON_GetObjectItem(o, k);
	char num[40];
	if (cJSON_IsString(v))
		csv_cell(b, v->valuestring, last);
	else if (cJSON_IsNumber(v)) {
		snprintf(num, sizeof(num), "%.15g", v->valuedouble);
		csv_cell(b, num, last);
	} else if (cJSON_IsBool(v))
		csv_cell(b, cJSON_IsTrue(v) ? "true" : "false", last);
	else
		csv_cell(b, "", last);
}

char *league_csv(const cJSON *league)
{
	static const char *const cols[] = {"rank",     "site",     "name",          "region",
	                                   "period",   "pue",      "pue_label",     "category",
	                                   "coverage", "complete", "gb40879_grade", "signature",
	                                   "received", "late",     NULL};
	struct sbuf b = {0};
	for (int i = 0; cols[i]; i++)
		csv_cell(&b, cols[i], !cols[i + 1]);
	const cJSON *o;
	cJSON_ArrayForEach(o, cJSON_GetObjectItem(league, "sites"))
	{
		for (int i = 0; cols[i]; i++)
			csv_field(&b, o, cols[i], !cols[i + 1]);
	}
	if (b.oom) {
		sbuf_free(&b);
		return NULL;
	}
	return b.s;
}

cJSON *league_trend(struct rx_app *a, const char *site, const char *to)
{
	char from[8];
	period_minus(to, 11, from);
	struct collect c = {.arr = cJSON_CreateArray()};
	if (!c.arr || rx_store_site_reports(a->store, site, from, to, true, collect_report, &c) <
	                      0) {
		cJSON_Delete(c.arr);
		return NULL;
	}
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "site", site);
	cJSON_AddStringToObject(j, "from", from);
	cJSON_AddStringToObject(j, "to", to);
	cJSON *months = cJSON_AddArrayToObject(j, "months");
	for (int k = 11; k >= 0; k--) {
		char p[8];
		period_minus(to, k, p);
		cJSON *m = NULL, *o;
		cJSON_ArrayForEach(o, c.arr)
		{
			if (strcmp(cJSON_GetObjectItem(o, "kind")->valuestring, "monthly") == 0 &&
			    strcmp(cJSON_GetObjectItem(o, "period")->valuestring, p) == 0) {
				m = cJSON_Duplicate(o, true);
				break;
			}
		}
		if (!m) {
			m = cJSON_CreateObject();
			cJSON_AddStringToObject(m, "period", p);
			cJSON_AddNullToObject(m, "pue");
		}
		cJSON_AddItemToArray(months, m);
	}
	cJSON_Delete(c.arr);
	return j;
}

cJSON *league_reports(struct rx_app *a, const char *site)
{
	struct collect c = {.arr = cJSON_CreateArray()};
	if (!c.arr ||
	    rx_store_site_reports(a->store, site, "0000", "9999", false, collect_report, &c) < 0) {
		cJSON_Delete(c.arr);
		return NULL;
	}
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "site", site);
	cJSON_AddItemToObject(j, "reports", c.arr);
	return j;
}
