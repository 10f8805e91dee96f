/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The JSON API under /api/v1/ (see docs/api.md): site, devices and their state, series search,
 * downsampled queries, power by role, PUE with its category and coverage, and free cooling. Every
 * parameter is checked before the store is touched: a bad one is a 400 with a message, an unknown
 * path a 404. The store is only ever read (through pooled read-only connections), so no request can
 * change anything; globs go to fnmatch, never into SQL.
 */
#include "analytics/energy.h"
#include "analytics/energy_power.h"
#include "analytics/freecool.h"
#include "analytics/freecool_config.h"
#include "analytics/freecool_stored.h"
#include "analytics/kpi.h"
#include "config/config.h"
#include "core/labels.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "http/http_internal.h"
#include "http/http_req.h"
#include "ingest/device_roster.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RANGE_MS (400LL * 86400000LL)
#define MAX_WIDTH    10000 /* a year of hourly buckets (free-cooling heatmap) */
#define MAX_SERIES   50

static cJSON *labels_obj(const char *canon);
static void lab_cb(void *ctx, const char *k, const char *v)
{
	cJSON_AddStringToObject(ctx, k, v);
}
static cJSON *labels_obj(const char *canon)
{
	cJSON *o = cJSON_CreateObject();
	labels_each(canon, ",", lab_cb, o);
	return o;
}

static void api_site(struct http_req *q)
{
	static const char *const known[] = {NULL};
	const struct config *cfg = q->h->cfg;
	if (!http_req_only(q, known))
		return;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", cfg->site.id ? cfg->site.id : "");
	cJSON_AddStringToObject(o, "name", cfg->site.name ? cfg->site.name : "");
	cJSON_AddStringToObject(o, "timezone", cfg->site.timezone ? cfg->site.timezone : "UTC");
	/* The zone as people read it ("Asia/Shanghai, UTC+08:00") and its offset now, so a page
	 * shows site time whatever the browser's zone is. */
	char zone[96];
	int64_t now = util_wall_ms();
	time_format_zone(now, zone, sizeof(zone));
	cJSON_AddStringToObject(o, "zone_text", zone);
	cJSON_AddNumberToObject(o, "utc_offset_min", (double)time_utc_offset_s(now) / 60);
	cJSON_AddNumberToObject(o, "altitude_m", cfg->site.altitude_m);
	cJSON_AddNumberToObject(o, "devices", (double)cfg->ndevices);
	cJSON_AddNumberToObject(o, "now_ms", (double)util_wall_ms());
	cJSON_AddBoolToObject(o, "energy_model", cfg->energy && !energy_model_problem(cfg->energy));
	cJSON_AddBoolToObject(o, "cooling", cfg->cooling != NULL);
	http_reply_json(q, 200, o);
}

/* One device of the roster, with its configured labels (role, hall, ...) for grouping on
 * screen. */
static int dev_cb(void *ctx, const struct store_device_state *ds, const struct config_device *cd)
{
	cJSON *arr = ctx;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", ds->name);
	cJSON_AddStringToObject(o, "driver", ds->driver);
	cJSON_AddStringToObject(o, "address", ds->address);
	cJSON_AddStringToObject(o, "state", ds->state);
	cJSON_AddNumberToObject(o, "last_poll_ms", (double)ds->last_poll_ms);
	cJSON_AddNumberToObject(o, "last_ok_ms", (double)ds->last_ok_ms);
	cJSON_AddNumberToObject(o, "last_duration_s", ds->last_duration_s);
	cJSON_AddNumberToObject(o, "errors", (double)ds->errors);
	cJSON_AddNumberToObject(o, "interval_ms", ds->interval_ms);
	cJSON_AddStringToObject(o, "last_error", ds->last_error);
	cJSON *l = cJSON_AddObjectToObject(o, "labels");
	for (size_t i = 0; cd && i < cd->nlabels; i++)
		cJSON_AddStringToObject(l, cd->labels[i].key, cd->labels[i].value);
	cJSON_AddItemToArray(arr, o);
	return 0;
}

/* ---- alerts and reports ---- */

struct alerts_out {
	cJSON *active, *recent;
};

static int alert_cb(void *ctx, bool active, int64_t ts, const char *detail)
{
	struct alerts_out *o = ctx;
	cJSON *j = cJSON_Parse(detail);
	if (!j)
		return 0; /* a malformed row is skipped, never served half-parsed */
	cJSON_AddNumberToObject(j, "event_ms", (double)ts);
	cJSON_AddItemToArray(active ? o->active : o->recent, j);
	return 0;
}

static void api_alerts(struct http_req *q, struct store_reader *r)
{
	static const char *const known[] = {"recent", NULL};
	if (!http_req_only(q, known))
		return;
	int recent = 20;
	const char *rs = http_req_arg(q, "recent");
	if (rs) {
		long long v;
		if (!util_parse_int(rs, &v) || v < 0 || v > 1000) {
			http_reply_error(q, 400, "recent: a whole number from 0 to 1000");
			return;
		}
		recent = (int)v;
	}
	cJSON *o = cJSON_CreateObject();
	struct alerts_out ao = {cJSON_AddArrayToObject(o, "active"),
	                        cJSON_AddArrayToObject(o, "recent")};
	int rc = store_alerts_list(r, recent, alert_cb, &ao);
	if (rc < 0) {
		cJSON_Delete(o);
		http_reply_error(q, 500, "alerts: %s", strerror(-rc));
		return;
	}
	http_reply_json(q, 200, o);
}

static int report_cb(void *ctx, const char *kind, const char *period, int64_t generated,
                     bool complete, const char *json)
{
	cJSON *arr = ctx;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "kind", kind);
	cJSON_AddStringToObject(o, "period", period);
	cJSON_AddNumberToObject(o, "generated_ms", (double)generated);
	cJSON_AddBoolToObject(o, "complete", complete);
	cJSON *rep = cJSON_Parse(json);
	if (rep)
		cJSON_AddItemToObject(o, "report", rep);
	cJSON_AddItemToArray(arr, o);
	return 0;
}

static void api_reports(struct http_req *q, struct store_reader *r)
{
	static const char *const known[] = {"limit", NULL};
	if (!http_req_only(q, known))
		return;
	int limit = 12;
	const char *ls = http_req_arg(q, "limit");
	if (ls) {
		long long v;
		if (!util_parse_int(ls, &v) || v < 1 || v > 120) {
			http_reply_error(q, 400, "limit: a whole number from 1 to 120");
			return;
		}
		limit = (int)v;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(o, "reports");
	int rc = store_reports_list(r, limit, report_cb, arr);
	if (rc < 0) {
		cJSON_Delete(o);
		http_reply_error(q, 500, "reports: %s", strerror(-rc));
		return;
	}
	http_reply_json(q, 200, o);
}

static void api_devices(struct http_req *q, struct store_reader *r)
{
	static const char *const known[] = {NULL};
	if (!http_req_only(q, known))
		return;
	cJSON *arr = cJSON_CreateArray();
	int rc = device_roster(q->h->cfg, r, dev_cb, arr);
	if (rc < 0) {
		cJSON_Delete(arr);
		http_reply_error(q, 500, "store: %s", strerror(-rc));
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "devices", arr);
	http_reply_json(q, 200, o);
}

static bool parse_limit(struct http_req *q, const char *name, long long lo, long long hi,
                        long long def, long long *out)
{
	const char *s = http_req_arg(q, name);
	*out = def;
	if (!s)
		return true;
	if (!util_parse_int(s, out) || *out < lo || *out > hi) {
		http_reply_error(q, 400, "%s: expected an integer %lld..%lld", name, lo, hi);
		return false;
	}
	return true;
}

static bool glob_ok(struct http_req *q, const char *g)
{
	if (strlen(g) > 256) {
		http_reply_error(q, 400, "match: longer than 256 characters");
		return false;
	}
	for (const char *p = g; *p; p++)
		if ((unsigned char)*p < 0x20) {
			http_reply_error(q, 400, "match: control character");
			return false;
		}
	return true;
}

struct find {
	cJSON *arr;
	long long limit, n;
	int64_t ids[MAX_SERIES];
	int64_t want_id; /* > 0: only this series */
	bool truncated;
};

static int find_cb(void *ctx, const struct store_series_info *info)
{
	struct find *f = ctx;
	if (f->want_id > 0 && info->id != f->want_id)
		return 0;
	if (f->n >= f->limit) {
		f->truncated = true;
		return 1;
	}
	if (f->n < MAX_SERIES)
		f->ids[f->n] = info->id;
	f->n++;
	if (!f->arr)
		return 0;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)info->id);
	cJSON_AddStringToObject(o, "device", info->device);
	cJSON_AddStringToObject(o, "metric", info->metric);
	cJSON_AddItemToObject(o, "labels", labels_obj(info->labels));
	cJSON_AddStringToObject(o, "kind", info->kind == STORE_COUNTER ? "counter" : "gauge");
	cJSON_AddItemToArray(f->arr, o);
	return 0;
}

static void api_series(struct http_req *q, struct store_reader *r)
{
	static const char *const known[] = {"match", "limit", NULL};
	long long limit;
	const char *g = http_req_arg(q, "match");
	if (!http_req_only(q, known) || !parse_limit(q, "limit", 1, 100000, 10000, &limit) ||
	    (g && !glob_ok(q, g)))
		return;
	struct find f = {.arr = cJSON_CreateArray(), .limit = limit};
	int rc = store_series_find(r, g, find_cb, &f);
	if (rc < 0) {
		cJSON_Delete(f.arr);
		http_reply_error(q, 500, "store: %s", strerror(-rc));
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "series", f.arr);
	cJSON_AddBoolToObject(o, "truncated", f.truncated);
	http_reply_json(q, 200, o);
}

/* from/to/step/width shared by the range endpoints. */
struct range {
	int64_t from, to, step;
	unsigned width;
	size_t nb; /* buckets */
};

static bool parse_range(struct http_req *q, struct range *rg, int64_t def_span)
{
	int64_t now = util_wall_ms();
	const char *f = http_req_arg(q, "from"), *t = http_req_arg(q, "to"),
	           *st = http_req_arg(q, "step");
	long long w;
	rg->to = now;
	rg->from = now - def_span;
	if (t && time_parse(t, now, &rg->to) < 0) {
		http_reply_error(q, 400,
		                 "to: expected ISO 8601, \"now\" or a relative time like -1h");
		return false;
	}
	if (f && time_parse(f, now, &rg->from) < 0) {
		http_reply_error(q, 400,
		                 "from: expected ISO 8601, \"now\" or a relative time like -1h");
		return false;
	}
	if (rg->to <= rg->from) {
		http_reply_error(q, 400, "from must be before to");
		return false;
	}
	if (rg->to - rg->from > MAX_RANGE_MS) {
		http_reply_error(q, 400, "range longer than 400 days");
		return false;
	}
	rg->step = 0;
	if (st && (time_parse_duration(st, &rg->step) < 0 || rg->step <= 0)) {
		http_reply_error(q, 400, "step: expected a duration like 1m, 1h");
		return false;
	}
	if (rg->step > rg->to - rg->from) {
		http_reply_error(q, 400, "step is longer than the range");
		return false;
	}
	if (!parse_limit(q, "width", 1, MAX_WIDTH, 1000, &w))
		return false;
	rg->width = (unsigned)w;
	/* Buckets align to multiples of the step (so a refresh gets the same buckets and the
	 * ETag holds). Aligning adds at most one bucket, so the step is sized for width - 1;
	 * width 1 is one bucket over the range as given. */
	int64_t from = rg->from;
	rg->step = http_query_step(from, rg->to, rg->step, rg->width > 1 ? rg->width - 1 : 1);
	rg->from = rg->width > 1 ? from / rg->step * rg->step : from;
	rg->nb = (size_t)((rg->to - rg->from + rg->step - 1) / rg->step);
	return true;
}

struct fill {
	double *v;
	int64_t from, step;
	size_t nb;
};

static int fill_cb(void *ctx, int64_t bucket, double value, int64_t count)
{
	struct fill *f = ctx;
	(void)count;
	if (bucket < f->from)
		return 0;
	size_t i = (size_t)((bucket - f->from) / f->step);
	if (i < f->nb && isfinite(value))
		f->v[i] = value;
	return 0;
}

static cJSON *num_or_null(double v)
{
	return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

/* A number of a long array, as the text cJSON would print for it (http_json_number, the same
 * bytes without printf's cost): the arrays below are only ever printed. */
static cJSON *num_text(double v)
{
	char b[HTTP_JSON_NUMBER_MAX];
	http_json_number(b, v);
	return cJSON_CreateRaw(b);
}

static cJSON *num_array(const double *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, isnan(v[i]) ? cJSON_CreateNull() : num_text(v[i]));
	return a;
}

static cJSON *time_array(const struct range *rg)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < rg->nb; i++)
		cJSON_AddItemToArray(a, num_text((double)(rg->from + (int64_t)i * rg->step)));
	return a;
}

static int query_into(struct store_reader *r, int64_t id, const struct range *rg,
                      enum store_agg agg, double *v)
{
	for (size_t i = 0; i < rg->nb; i++)
		v[i] = NAN;
	struct fill f = {v, rg->from, rg->step, rg->nb};
	return store_query(r, id, rg->from, rg->to, rg->step, agg, fill_cb, &f);
}

static bool parse_agg(struct http_req *q, enum store_agg *agg, bool *minmax)
{
	static const struct {
		const char *name;
		enum store_agg agg;
	} t[] = {{"avg", AGG_AVG},     {"min", AGG_MIN},   {"max", AGG_MAX},
	         {"sum", AGG_SUM},     {"last", AGG_LAST}, {"count", AGG_COUNT},
	         {"delta", AGG_DELTA}, {"minmax", AGG_MIN}};
	const char *s = http_req_arg(q, "agg");
	*agg = AGG_AVG;
	*minmax = false;
	if (!s)
		return true;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(s, t[i].name) == 0) {
			*agg = t[i].agg;
			*minmax = strcmp(s, "minmax") == 0;
			return true;
		}
	http_reply_error(q, 400, "agg: expected avg, min, max, sum, last, count, delta or minmax");
	return false;
}

static void api_query(struct http_req *q, struct store_reader *r)
{
	static const char *const known[] = {"match", "series", "from",  "to",
	                                    "step",  "agg",    "width", NULL};
	const char *g = http_req_arg(q, "match"), *sid = http_req_arg(q, "series");
	enum store_agg agg;
	bool minmax;
	struct range rg;
	long long id = 0;
	if (!http_req_only(q, known) || !parse_agg(q, &agg, &minmax) ||
	    !parse_range(q, &rg, 3600000))
		return;
	if (!g == !sid) {
		http_reply_error(q, 400,
		                 "give exactly one of match (a series glob) or series (an id)");
		return;
	}
	if (sid && (!util_parse_int(sid, &id) || id <= 0)) {
		http_reply_error(q, 400, "series: expected a positive integer id");
		return;
	}
	if (g && !glob_ok(q, g))
		return;
	struct find f = {.arr = cJSON_CreateArray(), .limit = MAX_SERIES, .want_id = id};
	int rc = store_series_find(r, g, find_cb, &f);
	if (rc < 0) {
		cJSON_Delete(f.arr);
		http_reply_error(q, 500, "store: %s", strerror(-rc));
		return;
	}
	if (f.truncated && g) {
		cJSON_Delete(f.arr);
		http_reply_error(q, 400, "match names more than %d series; narrow it", MAX_SERIES);
		return;
	}
	cJSON *out = cJSON_CreateArray();
	double *v = malloc(rg.nb * sizeof(double) * 2);
	if (!v) {
		cJSON_Delete(f.arr);
		cJSON_Delete(out);
		http_reply_error(q, 500, "out of memory");
		return;
	}
	cJSON *s;
	cJSON_ArrayForEach(s, f.arr)
	{
		int64_t sidv = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(s, "id"));
		cJSON *o = cJSON_Duplicate(s, 1);
		rc = query_into(r, sidv, &rg, agg, v);
		if (rc >= 0 && minmax)
			rc = query_into(r, sidv, &rg, AGG_MAX, v + rg.nb);
		if (rc < 0) {
			cJSON_Delete(o);
			break;
		}
		if (minmax) {
			cJSON_AddItemToObject(o, "min", num_array(v, rg.nb));
			cJSON_AddItemToObject(o, "max", num_array(v + rg.nb, rg.nb));
		} else {
			cJSON_AddItemToObject(o, "values", num_array(v, rg.nb));
		}
		cJSON_AddItemToArray(out, o);
	}
	free(v);
	cJSON_Delete(f.arr);
	if (rc < 0) {
		cJSON_Delete(out);
		http_reply_error(q, 500, "store: %s", strerror(-rc));
		return;
	}
	if (cJSON_GetArraySize(out) == 0) {
		cJSON_Delete(out);
		if (sid)
			http_reply_error(q, 404, "no series with id %lld", id);
		else
			http_reply_error(q, 404, "no series matches");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "from_ms", (double)rg.from);
	cJSON_AddNumberToObject(o, "to_ms", (double)rg.to);
	cJSON_AddNumberToObject(o, "step_ms", (double)rg.step);
	cJSON_AddNumberToObject(o, "width", rg.width);
	cJSON_AddItemToObject(o, "t", time_array(&rg));
	cJSON_AddItemToObject(o, "series", out);
	http_reply_json(q, 200, o);
}

/* Power by role: every power_w series with a role label (UPS input sides and per-phase series
 * excluded, so nothing is counted twice), averaged per bucket and summed per role. A bucket where
 * any series of a role has no data is a gap for that role: a partial sum would look like a real
 * drop. */
struct role_acc {
	char role[48];
	double *sum;
	size_t nseries;
};

struct power_find {
	int64_t ids[256];
	char roles[256][48];
	size_t n;
	bool truncated;
};

struct role_copy {
	char role[48];
	bool input_side; /* or a phase: not added to the role's total */
};

static void role_copy_cb(void *ctx, const char *k, const char *v)
{
	struct role_copy *c = ctx;
	if (strcmp(k, "role") == 0)
		snprintf(c->role, sizeof(c->role), "%s", v);
	else if ((strcmp(k, "side") == 0 && strcmp(v, "input") == 0) || strcmp(k, "phase") == 0)
		c->input_side = true; /* per-phase series repeat the device total */
}

static int power_cb(void *ctx, const struct store_series_info *info)
{
	struct power_find *p = ctx;
	struct role_copy c = {0};
	if (strcmp(info->metric, "power_w") != 0)
		return 0;
	labels_each(info->labels, ",", role_copy_cb, &c);
	if (!c.role[0] || c.input_side)
		return 0;
	if (p->n >= sizeof(p->ids) / sizeof(p->ids[0])) {
		p->truncated = true; /* said in the answer: a sum over part of a role is wrong */
		return 0;
	}
	p->ids[p->n] = info->id;
	memcpy(p->roles[p->n], c.role, sizeof(c.role));
	p->n++;
	return 0;
}

/* roles=a,b: only those roles (the PUE trend needs two); NULL = all. */
static bool role_wanted(const char *roles, const char *role)
{
	size_t n = strlen(role);
	for (const char *p = roles; p && *p;) {
		size_t m = strcspn(p, ",");
		if (m == n && strncmp(p, role, n) == 0)
			return true;
		p += m + (p[m] == ',');
	}
	return !roles;
}

/* by=energy: the energy model's roles (energy_power_trend), with the E_DC and IT sides and
 * their ratio per bucket; series no selector picks (second views) are not counted. */
static void power_energy(struct http_req *q, struct store_reader *r, const struct range *rg,
                         const char *roles)
{
	const struct energy_model *m = q->h->cfg->energy;
	const char *problem = energy_model_problem(m);
	if (problem) {
		http_reply_error(q, 409, "energy model: %s", problem);
		return;
	}
	struct energy_power ep;
	int rc = energy_power_trend(r, m, rg->from, rg->to, rg->step, rg->nb, &ep);
	if (rc < 0) {
		http_reply_error(q, 500, "power: %s", strerror(-rc));
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "by", "energy");
	cJSON *jroles = cJSON_AddObjectToObject(o, "roles");
	for (int k = 0; k < ROLE_COUNT; k++) {
		if (!ep.w[k] || !role_wanted(roles, energy_role_name(k)))
			continue;
		cJSON *ro = cJSON_AddObjectToObject(jroles, energy_role_name(k));
		cJSON_AddNumberToObject(ro, "series", ep.nseries[k]);
		cJSON_AddItemToObject(ro, "watts", num_array(ep.w[k], rg->nb));
	}
	cJSON_AddNumberToObject(o, "category", ep.category);
	cJSON_AddStringToObject(o, "it_role", ep.category ? energy_role_name(ep.it_role) : "");
	cJSON_AddItemToObject(o, "dc_w", num_array(ep.dc, rg->nb));
	cJSON_AddItemToObject(o, "it_w", num_array(ep.it, rg->nb));
	cJSON_AddItemToObject(o, "ratio", num_array(ep.ratio, rg->nb));
	cJSON_AddItemToObject(o, "rest_w", num_array(ep.rest, rg->nb));
	cJSON_AddNumberToObject(o, "from_ms", (double)rg->from);
	cJSON_AddNumberToObject(o, "to_ms", (double)rg->to);
	cJSON_AddNumberToObject(o, "step_ms", (double)rg->step);
	cJSON_AddBoolToObject(o, "truncated", ep.truncated);
	cJSON_AddItemToObject(o, "t", time_array(rg));
	energy_power_free(&ep);
	http_reply_json(q, 200, o);
}

static void api_power(struct http_req *q, struct store_reader *r)
{
	static const char *const known[] = {"from", "to", "step", "width", "roles", "by", NULL};
	struct range rg;
	const char *roles = http_req_arg(q, "roles"), *by = http_req_arg(q, "by");
	if (!http_req_only(q, known) || !parse_range(q, &rg, 86400000))
		return;
	if (roles && (strlen(roles) > 200 ||
	              strspn(roles, "abcdefghijklmnopqrstuvwxyz0123456789_,") != strlen(roles))) {
		http_reply_error(q, 400, "roles: expected role names separated by commas");
		return;
	}
	if (by && strcmp(by, "energy") != 0 && strcmp(by, "label") != 0) {
		http_reply_error(q, 400, "by: expected energy or label");
		return;
	}
	if (by && strcmp(by, "energy") == 0) {
		power_energy(q, r, &rg, roles);
		return;
	}
	struct power_find *pf = calloc(1, sizeof(*pf));
	struct role_acc acc[16];
	size_t nacc = 0;
	double *v = malloc(rg.nb * sizeof(double));
	/* No glob: power_cb picks the metric itself, and a glob costs a name and an fnmatch
	 * for every series of the site (5,000 racks: 10,000 of them). */
	int rc = pf && v ? store_series_find(r, NULL, power_cb, pf) : -ENOMEM;
	for (size_t i = 0; rc >= 0 && i < pf->n; i++) {
		size_t k;
		if (!role_wanted(roles, pf->roles[i]))
			continue;
		for (k = 0; k < nacc && strcmp(acc[k].role, pf->roles[i]) != 0; k++)
			;
		if (k == nacc) {
			if (nacc == sizeof(acc) / sizeof(acc[0]))
				continue;
			snprintf(acc[k].role, sizeof(acc[k].role), "%s", pf->roles[i]);
			acc[k].sum = calloc(rg.nb, sizeof(double));
			acc[k].nseries = 0;
			nacc++;
			if (!acc[k].sum) {
				rc = -ENOMEM;
				break;
			}
		}
		rc = query_into(r, pf->ids[i], &rg, AGG_AVG, v);
		for (size_t b = 0; rc >= 0 && b < rg.nb; b++)
			acc[k].sum[b] += v[b]; /* NaN stays NaN: a gap */
		acc[k].nseries++;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON *jroles = cJSON_AddObjectToObject(o, "roles");
	for (size_t k = 0; k < nacc; k++) {
		if (rc >= 0 && acc[k].sum) {
			cJSON *ro = cJSON_AddObjectToObject(jroles, acc[k].role);
			cJSON_AddNumberToObject(ro, "series", (double)acc[k].nseries);
			cJSON_AddItemToObject(ro, "watts", num_array(acc[k].sum, rg.nb));
		}
		free(acc[k].sum);
	}
	bool truncated = pf && pf->truncated;
	free(v);
	free(pf);
	if (rc < 0) {
		cJSON_Delete(o);
		http_reply_error(q, 500, "store: %s", strerror(-rc));
		return;
	}
	cJSON_AddStringToObject(o, "by", "label");
	cJSON_AddNumberToObject(o, "from_ms", (double)rg.from);
	cJSON_AddNumberToObject(o, "to_ms", (double)rg.to);
	cJSON_AddNumberToObject(o, "step_ms", (double)rg.step);
	cJSON_AddBoolToObject(o, "truncated", truncated);
	cJSON_AddItemToObject(o, "t", time_array(&rg));
	http_reply_json(q, 200, o);
}

/* Why an interval has no published PUE, as a code with its parameters for a page that
 * translates it (the English is "error"): docs/api.md lists the codes. */
static void reason_params(cJSON *o, const char *code, const struct energy_figures *f,
                          const struct energy_model *m)
{
	cJSON_AddStringToObject(o, "code", code);
	if (strcmp(code, "coverage_below") == 0) {
		cJSON_AddNumberToObject(o, "coverage", f->coverage);
		cJSON_AddNumberToObject(o, "min", m->coverage_min);
	} else if (strcmp(code, "it_exceeds_dc") == 0) {
		cJSON_AddNumberToObject(o, "e_it_kwh", f->e_it);
		cJSON_AddNumberToObject(o, "e_dc_kwh", f->k.e_dc);
	}
}

static cJSON *reason_json(const struct energy_figures *f, const struct energy_model *m,
                          const struct energy_interval *iv)
{
	cJSON *o = cJSON_CreateObject();
	reason_params(o, f->code ? f->code : "not_published", f, m);
	if (f->status == ENERGY_IN_PROGRESS) {
		cJSON_AddNumberToObject(o, "elapsed_ms", (double)iv->elapsed_ms);
		cJSON_AddNumberToObject(o, "span_ms", (double)(iv->to_ms - iv->from_ms));
		if (f->code_more)
			reason_params(cJSON_AddObjectToObject(o, "more"), f->code_more, f, m);
	}
	return o;
}

/* E_DC by use (energy_uses): what a stacked energy chart draws. */
static cJSON *uses_json(const struct energy_report *rep, const struct energy_interval *iv)
{
	struct energy_uses u;
	energy_uses(rep, iv, &u);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "e_dc", num_or_null(u.e_dc));
	cJSON_AddItemToObject(o, "it", num_or_null(u.it));
	cJSON_AddItemToObject(o, "cooling", num_or_null(u.cooling));
	cJSON_AddItemToObject(o, "lighting_other", num_or_null(u.other));
	cJSON_AddItemToObject(o, "rest", num_or_null(u.rest));
	return o;
}

/* One PUE figure for an interval, published only when coverage and validation allow
 * (energy_figures: the same gate as `greendc pue` and the report). */
static cJSON *pue_json(const struct energy_report *rep, const struct energy_model *m,
                       const struct energy_interval *iv, const char *label)
{
	struct energy_figures f;
	cJSON *o = cJSON_CreateObject();

	energy_figures(m, rep, iv, energy_certificates(m, iv->from_ms, iv->to_ms), &f);
	cJSON_AddStringToObject(o, "period", label);
	cJSON_AddNumberToObject(o, "from_ms", (double)iv->from_ms);
	cJSON_AddNumberToObject(o, "to_ms", (double)iv->to_ms);
	cJSON_AddNumberToObject(o, "category", rep->category);
	cJSON_AddNumberToObject(o, "e_dc_kwh", f.k.e_dc);
	cJSON_AddNumberToObject(o, "e_it_kwh", f.e_it);
	cJSON_AddNumberToObject(o, "coverage", f.coverage);
	cJSON_AddNumberToObject(o, "estimated_share", f.est_share);
	cJSON_AddStringToObject(o, "status", energy_status_name(f.status));
	/* An interval still running has no final PUE: "pue" stays null, the ratio so far is
	 * "provisional_pue", and "error" says in progress and how much has elapsed. */
	cJSON_AddBoolToObject(o, "in_progress", iv->in_progress);
	if (iv->in_progress)
		cJSON_AddNumberToObject(o, "elapsed_ms", (double)iv->elapsed_ms);
	if (f.published) {
		char lab[96];
		cJSON_AddNumberToObject(o, "pue", f.k.pue.v);
		kpi_label(rep->category, label, f.k.pue.v, lab, sizeof(lab));
		cJSON_AddStringToObject(o, "label", lab);
	} else {
		cJSON_AddNullToObject(o, "pue");
		if (f.provisional)
			cJSON_AddNumberToObject(o, "provisional_pue", f.k.pue.v);
		cJSON_AddStringToObject(o, "error", f.why);
		cJSON_AddItemToObject(o, "reason", reason_json(&f, m, iv));
	}
	cJSON_AddItemToObject(o, "kwh", uses_json(rep, iv));
	char method[320];
	energy_interval_method(rep, iv, method, sizeof(method));
	if (method[0])
		cJSON_AddStringToObject(o, "estimate_method", method);
	return o;
}

/* period= as a site-time period: today and month are the ones running now. */
static bool pue_period(struct http_req *q, const char *period, int64_t now, struct energy_period *p)
{
	if (!period)
		period = "today";
	if (strlen(period) > 10 || energy_period_parse_at(period, now, p) < 0) {
		http_reply_error(q, 400,
		                 "period: expected today, month, YYYY, YYYY-MM or YYYY-MM-DD");
		return false;
	}
	return true;
}

static bool pue_by(struct http_req *q, const char *by, const struct energy_period *p,
                   enum energy_step *step)
{
	static const struct {
		const char *name;
		enum energy_step step;
	} t[] = {{"hour", STEP_HOUR}, {"day", STEP_DAY}, {"month", STEP_MONTH}};

	*step = STEP_WHOLE;
	if (!by)
		return true;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(by, t[i].name) == 0)
			*step = t[i].step;
	if (*step == STEP_WHOLE) {
		http_reply_error(q, 400, "by: expected hour, day or month");
		return false;
	}
	if (*step == STEP_HOUR && p->to_ms - p->from_ms > 32LL * 86400000) {
		http_reply_error(q, 400, "by=hour is limited to a month");
		return false;
	}
	return true;
}

/* last=N with by=B: the N intervals of B up to the one running now (the dashboard's "PUE by
 * day, last 30 days" and "by month, last 12"). */
static bool pue_last(struct http_req *q, const char *last, const char *by, int64_t now,
                     struct energy_period *p)
{
	static const struct {
		const char *by;
		enum energy_step step;
		long long max;
	} t[] = {{"hour", STEP_HOUR, 744}, {"day", STEP_DAY, 400}, {"month", STEP_MONTH, 24}};
	long long n;
	if (!by || http_req_arg(q, "period")) {
		http_reply_error(q, 400, "last: needs by (hour, day or month) and no period");
		return false;
	}
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(by, t[i].by) != 0)
			continue;
		if (!util_parse_int(last, &n) || n < 1 || n > t[i].max) {
			http_reply_error(q, 400, "last: a whole number from 1 to %lld with by=%s",
			                 t[i].max, by);
			return false;
		}
		return energy_period_last(now, t[i].step, (unsigned)n, p) == 0;
	}
	http_reply_error(q, 400, "by: expected hour, day or month");
	return false;
}

static void api_pue(struct http_req *q, struct store_reader *r)
{
	static const char *const known[] = {"period", "by", "last", NULL};
	const struct config *cfg = q->h->cfg;
	const char *period = http_req_arg(q, "period"), *by = http_req_arg(q, "by"),
	           *last = http_req_arg(q, "last");
	struct energy_period p;
	enum energy_step step;
	int64_t now = util_wall_ms();
	if (!http_req_only(q, known))
		return;
	const char *problem = energy_model_problem(cfg->energy);
	if (problem) {
		http_reply_error(q, 409, "energy model: %s", problem);
		return;
	}
	if (last ? !pue_last(q, last, by, now, &p) : !pue_period(q, period, now, &p))
		return;
	if (!pue_by(q, by, &p, &step))
		return;
	/* An interval still running is IN_PROGRESS, its coverage over the time elapsed. */
	if (now <= p.from_ms) {
		http_reply_error(q, 400, "period %s has not started", p.label);
		return;
	}
	struct energy_report rep = {0};
	int rc = energy_compute(r, cfg->energy, p.from_ms, p.to_ms, step, now, &rep);
	if (rc < 0) {
		http_reply_error(q, 500, "energy: %s", rep.err[0] ? rep.err : strerror(-rc));
		energy_report_free(&rep);
		return;
	}
	cJSON *o = pue_json(&rep, cfg->energy, &rep.total, p.label);
	cJSON_AddStringToObject(o, "category_text", kpi_category_text(rep.category));
	cJSON_AddBoolToObject(o, "complete", p.to_ms <= now);
	if (by) {
		cJSON *arr = cJSON_AddArrayToObject(o, "intervals");
		for (size_t i = 0; i < rep.n; i++) {
			if (rep.iv[i].from_ms >= now)
				break;
			cJSON_AddItemToArray(
			        arr, pue_json(&rep, cfg->energy, &rep.iv[i], rep.iv[i].label));
		}
	}
	energy_report_free(&rep);
	double ip;
	int icat;
	int64_t at;
	if (q->h->snap && http_snap_interim_pue(q->h->snap, &ip, &icat, &at)) {
		cJSON *in = cJSON_AddObjectToObject(o, "interim");
		cJSON_AddNumberToObject(in, "pue", ip);
		cJSON_AddNumberToObject(in, "category", icat);
		cJSON_AddNumberToObject(in, "at_ms", (double)at);
		cJSON_AddStringToObject(in, "note",
		                        "power ratio over the last 15 min, not an energy PUE");
	}
	http_reply_json(q, 200, o);
}

/* Free cooling from the stored tally (freecool_stored.h, the same figures as `greendc freecool
 * --period`, the report and the free_cooling_unused alert) over the range's buckets: the mode
 * now and what the outdoor air allows now (the newest bucket with data), the thresholds, and
 * the hours available vs used with the missed compressor kWh. */

static cJSON *freecool_now(const struct fc_config *fc, const struct fc_stored *s)
{
	const struct fc_stored_bucket *o = NULL, *u = NULL;
	double full_c, partial_c;
	const char *governs;
	cJSON *j = cJSON_CreateObject();

	for (size_t i = s->nb; i-- > 0 && (!o || !u);) {
		if (!o && s->b[i].outdoor)
			o = &s->b[i];
		if (!u && s->b[i].used >= 0)
			u = &s->b[i];
	}
	cJSON_AddStringToObject(j, "economizer", freecool_economizer_name(fc->plant.type));
	cJSON_AddItemToObject(j, "mode_now", u ? cJSON_CreateNumber(u->used) : cJSON_CreateNull());
	cJSON_AddItemToObject(j, "available_now",
	                      o ? cJSON_CreateNumber(o->avail) : cJSON_CreateNull());
	cJSON *out = cJSON_AddObjectToObject(j, "outdoor");
	cJSON_AddItemToObject(out, "dry_bulb_c", num_or_null(o ? o->o.db_c : NAN));
	cJSON_AddItemToObject(out, "wet_bulb_c", num_or_null(o ? o->o.wb_c : NAN));
	cJSON_AddItemToObject(out, "dew_point_c", num_or_null(o ? o->o.dp_c : NAN));
	freecool_thresholds(&fc->plant, &full_c, &partial_c, &governs);
	cJSON *th = cJSON_AddObjectToObject(j, "threshold");
	cJSON_AddItemToObject(th, "full_c", num_or_null(full_c));
	cJSON_AddItemToObject(th, "partial_c", num_or_null(partial_c));
	cJSON_AddStringToObject(th, "governs", governs ? governs : "");
	return j;
}

static cJSON *freecool_history(const struct fc_stored *s, const struct range *rg)
{
	const struct fc_tally *t = &s->total;
	cJSON *h = cJSON_CreateObject();
	cJSON *wb = cJSON_CreateArray(), *av = cJSON_CreateArray(), *mode = cJSON_CreateArray();

	cJSON_AddNumberToObject(h, "available_h", t->avail_free_h + t->avail_partial_h);
	cJSON_AddNumberToObject(h, "used_h", t->used_free_h + t->used_partial_h);
	cJSON_AddNumberToObject(h, "missed_kwh", t->missed_kwh);
	cJSON_AddNumberToObject(h, "data_h", t->data_h);
	cJSON_AddNumberToObject(h, "available_free_h", t->avail_free_h);
	cJSON_AddNumberToObject(h, "available_partial_h", t->avail_partial_h);
	cJSON_AddNumberToObject(h, "available_free_equiv_h", t->avail_equiv_h);
	cJSON_AddNumberToObject(h, "plant_data_h", t->plant_data_h);
	cJSON_AddNumberToObject(h, "used_free_h", t->used_free_h);
	cJSON_AddNumberToObject(h, "used_partial_h", t->used_partial_h);
	cJSON_AddNumberToObject(h, "missed_h", t->missed_h);
	cJSON_AddNumberToObject(h, "compressor_kwh", t->compressor_kwh);
	cJSON_AddNumberToObject(h, "step_ms", (double)rg->step);
	cJSON_AddItemToObject(h, "t", time_array(rg));
	for (size_t i = 0; i < s->nb; i++) {
		const struct fc_stored_bucket *b = &s->b[i];
		cJSON_AddItemToArray(wb, num_or_null(b->o.wb_c));
		cJSON_AddItemToArray(av, b->outdoor ? cJSON_CreateNumber(b->avail)
		                                    : cJSON_CreateNull());
		cJSON_AddItemToArray(mode, b->used >= 0 ? cJSON_CreateNumber(b->used)
		                                        : cJSON_CreateNull());
	}
	cJSON_AddItemToObject(h, "wet_bulb_c", wb);
	cJSON_AddItemToObject(h, "available", av);
	cJSON_AddItemToObject(h, "mode", mode);
	return h;
}

/* The site-time days and months of the range with their tallies: the month-by-month hours
 * chart and the missed hours and kWh per day. */
static cJSON *tallies_json(const struct fc_tally *t, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "label", t[i].label);
		cJSON_AddNumberToObject(o, "data_h", t[i].data_h);
		cJSON_AddNumberToObject(o, "available_free_h", t[i].avail_free_h);
		cJSON_AddNumberToObject(o, "available_partial_h", t[i].avail_partial_h);
		cJSON_AddNumberToObject(o, "available_mechanical_h", t[i].avail_mech_h);
		cJSON_AddNumberToObject(o, "plant_data_h", t[i].plant_data_h);
		cJSON_AddNumberToObject(o, "used_free_h", t[i].used_free_h);
		cJSON_AddNumberToObject(o, "used_partial_h", t[i].used_partial_h);
		cJSON_AddNumberToObject(o, "used_mechanical_h", t[i].used_mech_h);
		cJSON_AddNumberToObject(o, "missed_h", t[i].missed_h);
		cJSON_AddNumberToObject(o, "missed_kwh", t[i].missed_kwh);
		cJSON_AddNumberToObject(o, "compressor_kwh", t[i].compressor_kwh);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

/* last=N&by=day|month: the N site-time days or months up to now in buckets of step (default
 * 1 h, the monthly report's), so the days and months tallied are whole and the per-bucket
 * arrays line up with site-time hours (the heatmap). */
static bool fc_last(struct http_req *q, struct range *rg, const char *last, const char *by)
{
	long long n, max = by && strcmp(by, "month") == 0 ? 12 : 400;
	enum energy_step step = by && strcmp(by, "month") == 0 ? STEP_MONTH : STEP_DAY;
	const char *st = http_req_arg(q, "step");
	struct energy_period p;
	int64_t now = util_wall_ms();
	if (!by || (strcmp(by, "day") != 0 && strcmp(by, "month") != 0) ||
	    http_req_arg(q, "from") || http_req_arg(q, "to") || http_req_arg(q, "width")) {
		http_reply_error(q, 400, "last: needs by (day or month), and no from, to or width");
		return false;
	}
	if (!util_parse_int(last, &n) || n < 1 || n > max) {
		http_reply_error(q, 400, "last: a whole number from 1 to %lld with by=%s", max, by);
		return false;
	}
	rg->step = 3600000;
	if (st && (time_parse_duration(st, &rg->step) < 0 || rg->step < 60000)) {
		http_reply_error(q, 400, "step: expected a duration of at least 1m");
		return false;
	}
	if (energy_period_last(now, step, (unsigned)n, &p) < 0) {
		http_reply_error(q, 400, "last: no such period");
		return false;
	}
	rg->from = p.from_ms;
	rg->to = p.to_ms < now ? p.to_ms : now; /* time not yet elapsed is not observed */
	rg->nb = (size_t)((rg->to - rg->from + rg->step - 1) / rg->step);
	if (rg->nb > MAX_WIDTH) {
		http_reply_error(q, 400, "more than %d buckets: use a longer step", MAX_WIDTH);
		return false;
	}
	rg->width = (unsigned)rg->nb;
	return true;
}

static void api_freecool(struct http_req *q, struct store_reader *r)
{
	static const char *const known[] = {"from", "to", "step", "width", "last", "by", NULL};
	const struct config *cfg = q->h->cfg;
	const struct fc_config *fc = cfg->cooling;
	const char *last = http_req_arg(q, "last"), *by = http_req_arg(q, "by");
	struct range rg;
	struct fc_stored s;
	if (!http_req_only(q, known))
		return;
	if (by && !last) {
		http_reply_error(q, 400, "by: only with last");
		return;
	}
	if (last ? !fc_last(q, &rg, last, by) : !parse_range(q, &rg, 86400000))
		return;
	if (!fc) {
		http_reply_error(q, 409, "no cooling: section in the configuration");
		return;
	}
	int rc = freecool_stored(r, fc, cfg->site.altitude_m, rg.from, rg.to, rg.step,
	                         FC_STORED_BUCKETS, &s);
	if (rc < 0) {
		http_reply_error(q, 500, "free cooling: %s", s.err);
		return;
	}
	cJSON *o = freecool_now(fc, &s);
	cJSON_AddItemToObject(o, "history", freecool_history(&s, &rg));
	cJSON_AddItemToObject(o, "days", tallies_json(s.days, s.ndays));
	cJSON_AddItemToObject(o, "months", tallies_json(s.months, s.nmonths));
	freecool_stored_free(&s);
	http_reply_json(q, 200, o);
}

void http_api(struct http_server *h, const char *path, const char *(*argf)(void *c, const char *k),
              void *actx, const char *names, struct http_reply *out)
{
	struct http_req q = {.h = h, .arg = argf, .actx = actx, .out = out, .names = names};
	static const struct {
		const char *path;
		void (*fn)(struct http_req *q, struct store_reader *r);
	} routes[] = {
	        {"/api/v1/devices", api_devices},
	        {"/api/v1/series", api_series},
	        {"/api/v1/query", api_query},
	        {"/api/v1/power", api_power},
	        {"/api/v1/pue", api_pue},
	        {"/api/v1/freecool", api_freecool},
	        {"/api/v1/alerts", api_alerts},
	        {"/api/v1/reports", api_reports},
	        {"/api/v1/floor", http_api_floor},
	        {"/api/v1/rack", http_api_rack},
	        {"/api/v1/tenants", http_api_tenants},
	        {"/api/v1/groups", http_api_groups},
	};
	out->content_type = "application/json";
	if (strcmp(path, "/api/v1/site") == 0 || strcmp(path, "/api/v1/") == 0 ||
	    strcmp(path, "/api/v1") == 0) {
		api_site(&q);
		return;
	}
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(path, routes[i].path) != 0)
			continue;
		char err[256];
		struct store_reader *r = http_reader_get(h, err, sizeof(err));
		if (!r) {
			http_reply_error(&q, 503, "store: %s", err);
			return;
		}
		routes[i].fn(&q, r);
		http_reader_put(h, r);
		return;
	}
	http_reply_error(&q, 404, "no such endpoint: see docs/api.md");
}
