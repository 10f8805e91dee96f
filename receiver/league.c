/* SPDX-License-Identifier: Apache-2.0 */
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
	snprintf(out, 8, "%04u-%02u", (unsigned)(idx / 12) % 10000u,
	         (unsigned)(idx % 12 + 1) % 100u);
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

/* The period's rows, kept as structs so ranking and the late list cost n log n. */
struct rows {
	struct rx_report_row *v;
	size_t n, cap;
};

static int collect_row(void *ctx, const struct rx_report_row *r)
{
	struct rows *rs = ctx;
	if (rs->n == rs->cap) {
		size_t nc = rs->cap ? rs->cap * 2 : 256;
		struct rx_report_row *nv = realloc(rs->v, nc * sizeof(*nv));
		if (!nv)
			return -1;
		rs->v = nv;
		rs->cap = nc;
	}
	rs->v[rs->n++] = *r;
	return 0;
}

/* PUE ascending (the best first), sites without a published PUE last, then by site. */
static int by_pue(const void *x, const void *y)
{
	const struct rx_report_row *a = x, *b = y;
	bool na = isnan(a->pue), nb = isnan(b->pue);
	if (na != nb)
		return na ? 1 : -1;
	if (!na && a->pue != b->pue)
		return a->pue < b->pue ? -1 : 1;
	return strcmp(a->site, b->site);
}

static int by_site(const void *x, const void *y)
{
	return strcmp(((const struct rx_report_row *)x)->site,
	              ((const struct rx_report_row *)y)->site);
}

struct late_ctx {
	cJSON *late;
	const struct rows *by_site; /* the period's rows in site order */
	int64_t now_ms, deadline_ms;
};

/* A registered site that has no report for the period, or sent it after the deadline. */
static int collect_late(void *ctx, const struct rx_site_row *s)
{
	struct late_ctx *c = ctx;
	struct rx_report_row key;
	snprintf(key.site, sizeof(key.site), "%s", s->site);
	const struct rx_report_row *row =
	        c->by_site->n ? bsearch(&key, c->by_site->v, c->by_site->n, sizeof(key), by_site)
	                      : NULL;
	const char *status = NULL;
	if (row && row->received_ms >= c->deadline_ms)
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
		add_time(o, "received", row->received_ms);
	cJSON_AddItemToArray(c->late, o);
	return 0;
}

/* The ranked table: ties share a rank; no published PUE, no rank. */
static cJSON *ranked(struct rows *rs, int64_t deadline)
{
	cJSON *arr = cJSON_CreateArray();
	qsort(rs->v, rs->n, sizeof(*rs->v), by_pue);
	int rank = 0;
	for (size_t k = 0; arr && k < rs->n; k++) {
		cJSON *o = league_report_json(&rs->v[k], deadline);
		if (!o) {
			cJSON_Delete(arr);
			return NULL;
		}
		if (isnan(rs->v[k].pue)) {
			cJSON_AddNullToObject(o, "rank");
		} else {
			if (k == 0 || rs->v[k].pue != rs->v[k - 1].pue)
				rank = (int)k + 1;
			cJSON_AddNumberToObject(o, "rank", rank);
		}
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

cJSON *league_build(struct rx_app *a, const char *period, int64_t now_ms)
{
	int64_t deadline = league_deadline(period, a->o.deadline_day);
	struct rows rs = {0};
	cJSON *j = cJSON_CreateObject(), *table = NULL;
	if (j && rx_store_league(a->store, period, collect_row, &rs) >= 0)
		table = ranked(&rs, deadline);
	if (!table) {
		free(rs.v);
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
	qsort(rs.v, rs.n, sizeof(*rs.v), by_site);
	struct late_ctx l = {cJSON_AddArrayToObject(j, "late"), &rs, now_ms, deadline};
	int rc = rx_store_active_sites(a->store, collect_late, &l);
	free(rs.v);
	if (rc < 0) {
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
	static const char *const cols[] = {
	        "rank",          "site",      "name",     "region",   "period",
	        "pue",           "pue_label", "category", "coverage", "complete",
	        "gb40879_grade", "signature", "received", "late",     NULL};
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
	if (!c.arr ||
	    rx_store_site_reports(a->store, site, from, to, true, collect_report, &c) < 0) {
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
