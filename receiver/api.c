/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GET: the receiver's read side. /api/v1/... (JSON and CSV) for the regulator's tools and the
 * web page; /sites (JSON) as tools/receiver had it; everything else is web.c's page.
 *
 *   /api/v1/league[.csv]?period=YYYY-MM     league table + late list (default: last month)
 *   /api/v1/sites                           every site with its latest figures (= /sites)
 *   /api/v1/sites/<id>/trend?to=YYYY-MM     12 months of monthly reports ending at `to`
 *   /api/v1/sites/<id>/reports              every report received, newest first
 *   /api/v1/reports/<seq>.json              one report exactly as the site signed it
 */
#include "league.h"
#include "rx.h"
#include "web.h"

#include "core/util.h"

#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

static int reply_json(struct MHD_Connection *c, cJSON *j)
{
	char *s = j ? cJSON_PrintUnformatted(j) : NULL;
	cJSON_Delete(j);
	if (!s)
		return rx_reply_text(c, 500, "cannot build the answer\n");
	int rc = rx_reply(c, 200, "application/json", s, strlen(s), NULL);
	free(s);
	return rc;
}

static int add_site(void *ctx, const struct rx_site_row *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "site", r->site);
	cJSON_AddStringToObject(o, "name", r->name);
	cJSON_AddStringToObject(o, "region", r->region);
	cJSON_AddBoolToObject(o, "registered", r->registered);
	cJSON_AddBoolToObject(o, "revoked", r->revoked);
	cJSON_AddNumberToObject(o, "last_received_ms", (double)r->last_received_ms);
	cJSON_AddNumberToObject(o, "messages", (double)r->messages);
	if (isnan(r->pue)) {
		cJSON_AddNullToObject(o, "pue");
	} else {
		cJSON_AddNumberToObject(o, "pue", r->pue);
		cJSON_AddStringToObject(o, "period", r->period);
	}
	if (r->grade >= 0)
		cJSON_AddNumberToObject(o, "gb40879_grade", r->grade);
	else
		cJSON_AddNullToObject(o, "gb40879_grade");
	cJSON_AddItemToArray(ctx, o);
	return 0;
}

static const char *arg(struct MHD_Connection *c, const char *k)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, k);
}

/* The period argument, or the month now due; NULL when given and malformed. */
static const char *period_arg(struct MHD_Connection *c, const char *k, char buf[8])
{
	const char *p = arg(c, k);
	if (!p) {
		league_default_period(util_wall_ms(), buf);
		return buf;
	}
	return league_period_ok(p) ? p : NULL;
}

/* /api/v1/sites/<id>/<what>: the id into site (checked), the rest returned. */
static const char *site_path(const char *rest, char site[RX_SITE_MAX + 1])
{
	const char *slash = strchr(rest, '/');
	size_t n = slash ? (size_t)(slash - rest) : 0;
	if (!slash || n == 0 || n > RX_SITE_MAX)
		return NULL;
	memcpy(site, rest, n);
	site[n] = '\0';
	return rx_site_id_ok(site) ? slash + 1 : NULL;
}

static int get_api(struct rx_app *a, struct MHD_Connection *c, const char *url)
{
	char pbuf[8], site[RX_SITE_MAX + 1];
	const char *p;
	if (strcmp(url, "/api/v1/league") == 0 || strcmp(url, "/api/v1/league.csv") == 0) {
		if (!(p = period_arg(c, "period", pbuf)))
			return rx_reply_text(c, 400, "period: YYYY-MM\n");
		cJSON *j = league_build(a, p, util_wall_ms());
		if (!j || !strstr(url, ".csv"))
			return reply_json(c, j);
		char *csv = league_csv(j);
		cJSON_Delete(j);
		if (!csv)
			return rx_reply_text(c, 500, "cannot build the answer\n");
		int rc = rx_reply(c, 200, "text/csv; charset=utf-8", csv, strlen(csv), NULL);
		free(csv);
		return rc;
	}
	if (strcmp(url, "/api/v1/sites") == 0) {
		cJSON *arr = cJSON_CreateArray();
		if (rx_store_sites(a->store, add_site, arr) < 0) {
			cJSON_Delete(arr);
			arr = NULL;
		}
		return reply_json(c, arr);
	}
	if (strncmp(url, "/api/v1/sites/", 14) == 0) {
		const char *what = site_path(url + 14, site);
		if (what && strcmp(what, "trend") == 0) {
			if (!(p = period_arg(c, "to", pbuf)))
				return rx_reply_text(c, 400, "to: YYYY-MM\n");
			return reply_json(c, league_trend(a, site, p));
		}
		if (what && strcmp(what, "reports") == 0)
			return reply_json(c, league_reports(a, site));
		return rx_reply_text(c, 404, "not found\n");
	}
	if (strncmp(url, "/api/v1/reports/", 16) == 0) {
		char *end;
		long long seq = strtoll(url + 16, &end, 10);
		if (end == url + 16 || strcmp(end, ".json") != 0)
			return rx_reply_text(c, 404, "not found\n");
		struct rx_report_row row;
		char *body = NULL;
		size_t len = 0;
		int rc = rx_store_report(a->store, seq, &row, &body, &len);
		if (rc < 0)
			return rx_reply_text(c, rc == -ENOENT ? 404 : 500,
			                     rc == -ENOENT ? "no such report\n" : "cannot read\n");
		rc = rx_reply(c, 200, "application/json", body, len, NULL);
		free(body);
		return rc;
	}
	return rx_reply_text(c, 404, "not found\n");
}

int rx_get(struct rx_app *a, struct MHD_Connection *c, const char *url)
{
	rx_reqlog(a, "GET", url, 200, "get", NULL);
	if (strcmp(url, "/sites") == 0 || strcmp(url, "/sites.json") == 0)
		return get_api(a, c, "/api/v1/sites");
	if (strncmp(url, "/api/", 5) == 0)
		return get_api(a, c, url);
	return web_get(a, c, url);
}
