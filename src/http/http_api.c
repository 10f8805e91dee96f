/*
 * The JSON API under /api/v1/ (see docs/api.md): site, devices and their state, series search,
 * downsampled queries, power by role, PUE with its category and coverage, and free cooling. Every
 * parameter is checked before the store is touched: a bad one is a 400 with a message, an unknown
 * path a 404. The store is only ever read (through pooled read-only connections), so no request can
 * change anything; globs go to fnmatch, never into SQL.
 */
#include "analytics/energy.h"
#include "analytics/freecool.h"
#include "analytics/freecool_config.h"
#include "analytics/kpi.h"
#include "analytics/psychro.h"
#include "config/config.h"
#include "core/labels.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "http/http_internal.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RANGE_MS (400LL * 86400000LL)
#define MAX_WIDTH    5000
#define MAX_SERIES   50

struct req {
	struct http_server *h;
	const char *(*arg)(void *c, const char *k);
	void *actx;
	struct http_reply *out;
	const char *names;
	char msg[256];
};

static void reply_json(struct req *q, unsigned status, cJSON *o)
{
	char *s = o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	q->out->status = status;
	if (s) {
		size_t n = strlen(s);
		char *b = realloc(s, n + 2);
		if (b) {
			b[n] = '\n';
			b[n + 1] = '\0';
			s = b;
			n++;
		}
		q->out->body = s;
		q->out->len = n;
	}
}

static void reply_error(struct req *q, unsigned status, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void reply_error(struct req *q, unsigned status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q->msg, sizeof(q->msg), fmt, ap);
	va_end(ap);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "error", q->msg);
	cJSON_AddNumberToObject(o, "status", status);
	reply_json(q, status, o);
}

static const char *arg(struct req *q, const char *k)
{
	const char *v = q->arg(q->actx, k);
	return v && *v ? v : NULL;
}

/* Reject any parameter we do not know, so a typo is a 400, not a silently ignored filter. */
static bool only_args(struct req *q, const char *const *known)
{
	for (const char *p = q->names; p && *p;) {
		size_t n = strcspn(p, "\n");
		bool ok = false;
		for (const char *const *k = known; *k; k++)
			ok |= strlen(*k) == n && strncmp(*k, p, n) == 0;
		if (!ok) {
			reply_error(q, 400, "parameter %.*s is not accepted here",
			            (int)(n > 40 ? 40 : n), p);
			return false;
		}
		p += n + (p[n] == '\n');
	}
	return true;
}

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

static void api_site(struct req *q)
{
	static const char *const known[] = {NULL};
	const struct config *cfg = q->h->cfg;
	if (!only_args(q, known))
		return;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", cfg->site.id ? cfg->site.id : "");
	cJSON_AddStringToObject(o, "name", cfg->site.name ? cfg->site.name : "");
	cJSON_AddStringToObject(o, "timezone", cfg->site.timezone ? cfg->site.timezone : "UTC");
	cJSON_AddNumberToObject(o, "altitude_m", cfg->site.altitude_m);
	cJSON_AddNumberToObject(o, "devices", (double)cfg->ndevices);
	cJSON_AddNumberToObject(o, "now_ms", (double)util_wall_ms());
	cJSON_AddBoolToObject(o, "energy_model", cfg->energy && !energy_model_problem(cfg->energy));
	cJSON_AddBoolToObject(o, "cooling", cfg->cooling != NULL);
	reply_json(q, 200, o);
}

static int dev_cb(void *ctx, const struct store_device_state *ds)
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

static void api_alerts(struct req *q, struct store_reader *r)
{
	static const char *const known[] = {"recent", NULL};
	if (!only_args(q, known))
		return;
	int recent = 20;
	const char *rs = arg(q, "recent");
	if (rs) {
		char *end;
		long v = strtol(rs, &end, 10);
		if (*end || v < 0 || v > 1000) {
			reply_error(q, 400, "recent: a whole number from 0 to 1000");
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
		reply_error(q, 500, "alerts: %s", strerror(-rc));
		return;
	}
	reply_json(q, 200, o);
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

static void api_reports(struct req *q, struct store_reader *r)
{
	static const char *const known[] = {"limit", NULL};
	if (!only_args(q, known))
		return;
	int limit = 12;
	const char *ls = arg(q, "limit");
	if (ls) {
		char *end;
		long v = strtol(ls, &end, 10);
		if (*end || v < 1 || v > 120) {
			reply_error(q, 400, "limit: a whole number from 1 to 120");
			return;
		}
		limit = (int)v;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(o, "reports");
	int rc = store_reports_list(r, limit, report_cb, arr);
	if (rc < 0) {
		cJSON_Delete(o);
		reply_error(q, 500, "reports: %s", strerror(-rc));
		return;
	}
	reply_json(q, 200, o);
}

static void api_devices(struct req *q, struct store_reader *r)
{
	static const char *const known[] = {NULL};
	if (!only_args(q, known))
		return;
	cJSON *arr = cJSON_CreateArray();
	int rc = store_devices_list(r, dev_cb, arr);
	if (rc < 0) {
		cJSON_Delete(arr);
		reply_error(q, 500, "store: %s", strerror(-rc));
		return;
	}
	/* Add each configured device's labels (role, hall, ...) for grouping on screen. */
	cJSON *d;
	cJSON_ArrayForEach(d, arr)
	{
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(d, "name"));
		const struct config_device *cd = name ? config_device_find(q->h->cfg, name) : NULL;
		cJSON *l = cJSON_AddObjectToObject(d, "labels");
		for (size_t i = 0; cd && i < cd->nlabels; i++)
			cJSON_AddStringToObject(l, cd->labels[i].key, cd->labels[i].value);
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "devices", arr);
	reply_json(q, 200, o);
}

static bool parse_limit(struct req *q, const char *name, long long lo, long long hi, long long def,
                        long long *out)
{
	const char *s = arg(q, name);
	*out = def;
	if (!s)
		return true;
	if (!util_parse_int(s, out) || *out < lo || *out > hi) {
		reply_error(q, 400, "%s: expected an integer %lld..%lld", name, lo, hi);
		return false;
	}
	return true;
}

static bool glob_ok(struct req *q, const char *g)
{
	if (strlen(g) > 256) {
		reply_error(q, 400, "match: longer than 256 characters");
		return false;
	}
	for (const char *p = g; *p; p++)
		if ((unsigned char)*p < 0x20) {
			reply_error(q, 400, "match: control character");
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

static void api_series(struct req *q, struct store_reader *r)
{
	static const char *const known[] = {"match", "limit", NULL};
	long long limit;
	const char *g = arg(q, "match");
	if (!only_args(q, known) || !parse_limit(q, "limit", 1, 100000, 10000, &limit) ||
	    (g && !glob_ok(q, g)))
		return;
	struct find f = {.arr = cJSON_CreateArray(), .limit = limit};
	int rc = store_series_find(r, g, find_cb, &f);
	if (rc < 0) {
		cJSON_Delete(f.arr);
		reply_error(q, 500, "store: %s", strerror(-rc));
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "series", f.arr);
	cJSON_AddBoolToObject(o, "truncated", f.truncated);
	reply_json(q, 200, o);
}

/* from/to/step/width shared by the range endpoints. */
struct range {
	int64_t from, to, step;
	unsigned width;
	size_t nb; /* buckets */
};

static bool parse_range(struct req *q, struct range *rg, int64_t def_span)
{
	int64_t now = util_wall_ms();
	const char *f = arg(q, "from"), *t = arg(q, "to"), *st = arg(q, "step");
	long long w;
	rg->to = now;
	rg->from = now - def_span;
	if (t && time_parse(t, now, &rg->to) < 0) {
		reply_error(q, 400, "to: expected ISO 8601, \"now\" or a relative time like -1h");
		return false;
	}
	if (f && time_parse(f, now, &rg->from) < 0) {
		reply_error(q, 400, "from: expected ISO 8601, \"now\" or a relative time like -1h");
		return false;
	}
	if (rg->to <= rg->from) {
		reply_error(q, 400, "from must be before to");
		return false;
	}
	if (rg->to - rg->from > MAX_RANGE_MS) {
		reply_error(q, 400, "range longer than 400 days");
		return false;
	}
	rg->step = 0;
	if (st && (time_parse_duration(st, &rg->step) < 0 || rg->step <= 0)) {
		reply_error(q, 400, "step: expected a duration like 1m, 1h");
		return false;
	}
	if (rg->step > rg->to - rg->from) {
		reply_error(q, 400, "step is longer than the range");
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

static cJSON *num_array(const double *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a,
		                     isnan(v[i]) ? cJSON_CreateNull() : cJSON_CreateNumber(v[i]));
	return a;
}

static cJSON *time_array(const struct range *rg)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < rg->nb; i++)
		cJSON_AddItemToArray(
		        a, cJSON_CreateNumber((double)(rg->from + (int64_t)i * rg->step)));
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

static bool parse_agg(struct req *q, enum store_agg *agg, bool *minmax)
{
	static const struct {
		const char *name;
		enum store_agg agg;
	} t[] = {{"avg", AGG_AVG},     {"min", AGG_MIN},   {"max", AGG_MAX},
	         {"sum", AGG_SUM},     {"last", AGG_LAST}, {"count", AGG_COUNT},
	         {"delta", AGG_DELTA}, {"minmax", AGG_MIN}};
	const char *s = arg(q, "agg");
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
	reply_error(q, 400, "agg: expected avg, min, max, sum, last, count, delta or minmax");
	return false;
}

static void api_query(struct req *q, struct store_reader *r)
{
	static const char *const known[] = {"match", "series", "from",  "to",
	                                    "step",  "agg",    "width", NULL};
	const char *g = arg(q, "match"), *sid = arg(q, "series");
	enum store_agg agg;
	bool minmax;
	struct range rg;
	long long id = 0;
	if (!only_args(q, known) || !parse_agg(q, &agg, &minmax) || !parse_range(q, &rg, 3600000))
		return;
	if (!g == !sid) {
		reply_error(q, 400, "give exactly one of match (a series glob) or series (an id)");
		return;
	}
	if (sid && (!util_parse_int(sid, &id) || id <= 0)) {
		reply_error(q, 400, "series: expected a positive integer id");
		return;
	}
	if (g && !glob_ok(q, g))
		return;
	struct find f = {.arr = cJSON_CreateArray(), .limit = MAX_SERIES, .want_id = id};
	int rc = store_series_find(r, g, find_cb, &f);
	if (rc < 0) {
		cJSON_Delete(f.arr);
		reply_error(q, 500, "store: %s", strerror(-rc));
		return;
	}
	if (f.truncated && g) {
		cJSON_Delete(f.arr);
		reply_error(q, 400, "match names more than %d series; narrow it", MAX_SERIES);
		return;
	}
	cJSON *out = cJSON_CreateArray();
	double *v = malloc(rg.nb * sizeof(double) * 2);
	if (!v) {
		cJSON_Delete(f.arr);
		cJSON_Delete(out);
		reply_error(q, 500, "out of memory");
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
		reply_error(q, 500, "store: %s", strerror(-rc));
		return;
	}
	if (cJSON_GetArraySize(out) == 0) {
		cJSON_Delete(out);
		if (sid)
			reply_error(q, 404, "no series with id %lld", id);
		else
			reply_error(q, 404, "no series matches");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "from_ms", (double)rg.from);
	cJSON_AddNumberToObject(o, "to_ms", (double)rg.to);
	cJSON_AddNumberToObject(o, "step_ms", (double)rg.step);
	cJSON_AddNumberToObject(o, "width", rg.width);
	cJSON_AddItemToObject(o, "t", time_array(&rg));
	cJSON_AddItemToObject(o, "series", out);
	reply_json(q, 200, o);
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

static void api_power(struct req *q, struct store_reader *r)
{
	static const char *const known[] = {"from", "to", "step", "width", "roles", NULL};
	struct range rg;
	const char *roles = arg(q, "roles");
	if (!only_args(q, known) || !parse_range(q, &rg, 86400000))
		return;
	if (roles && (strlen(roles) > 200 ||
	              strspn(roles, "abcdefghijklmnopqrstuvwxyz0123456789_,") != strlen(roles))) {
		reply_error(q, 400, "roles: expected role names separated by commas");
		return;
	}
	struct power_find *pf = calloc(1, sizeof(*pf));
	struct role_acc acc[16];
	size_t nacc = 0;
	double *v = malloc(rg.nb * sizeof(double));
	int rc = pf && v ? store_series_find(r, "* power_w*", power_cb, pf) : -ENOMEM;
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
		reply_error(q, 500, "store: %s", strerror(-rc));
		return;
	}
	cJSON_AddNumberToObject(o, "from_ms", (double)rg.from);
	cJSON_AddNumberToObject(o, "to_ms", (double)rg.to);
	cJSON_AddNumberToObject(o, "step_ms", (double)rg.step);
	cJSON_AddBoolToObject(o, "truncated", truncated);
	cJSON_AddItemToObject(o, "t", time_array(&rg));
	reply_json(q, 200, o);
}

static const char *category_text(int c)
{
	switch (c) {
	case 1:
		return "E_IT at UPS output";
	case 2:
		return "E_IT at PDU output";
	case 3:
		return "E_IT at IT equipment input";
	default:
		return "no IT metering";
	}
}

/* One PUE figure for an interval, published only when coverage and validation allow. */
static cJSON *pue_json(const struct energy_report *rep, const struct energy_model *m,
                       const struct energy_interval *iv, const char *label)
{
	const struct energy_role_total *fac = &iv->role[ROLE_FACILITY_INPUT];
	const struct energy_role_total *it = &iv->role[rep->it_role];
	struct kpi_inputs in = {.e_facility = fac->value,
	                        .e_backup = iv->role[ROLE_BACKUP_GENERATION].value,
	                        .e_onsite = iv->role[ROLE_ONSITE_RENEWABLE].value,
	                        .e_it = it->value,
	                        .cef = m->co2_kg_per_kwh,
	                        .backup_cef = m->backup_co2_kg_per_kwh};
	struct kpi_results k;
	kpi_compute(&in, &k);
	enum energy_status st = fac->status > it->status ? fac->status : it->status;
	for (int role = ROLE_BACKUP_GENERATION; role <= ROLE_ONSITE_RENEWABLE;
	     role += ROLE_ONSITE_RENEWABLE - ROLE_BACKUP_GENERATION)
		if (iv->role[role].status > st)
			st = iv->role[role].status;
	double cov = fmin(fac->coverage, it->coverage);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "period", label);
	cJSON_AddNumberToObject(o, "from_ms", (double)iv->from_ms);
	cJSON_AddNumberToObject(o, "to_ms", (double)iv->to_ms);
	cJSON_AddNumberToObject(o, "category", rep->category);
	cJSON_AddNumberToObject(o, "e_dc_kwh", k.e_dc);
	cJSON_AddNumberToObject(o, "e_it_kwh", it->value);
	cJSON_AddNumberToObject(o, "coverage", cov);
	cJSON_AddStringToObject(o, "status", energy_status_name(st));
	if (st != ENERGY_MISSING && k.pue.ok) {
		char lab[96];
		cJSON_AddNumberToObject(o, "pue", k.pue.v);
		kpi_label(rep->category, label, k.pue.v, lab, sizeof(lab));
		cJSON_AddStringToObject(o, "label", lab);
	} else {
		char why[240];
		if (st == ENERGY_MISSING)
			snprintf(why, sizeof(why),
			         "coverage %.1f %% is below %.1f %%: not published", 100 * cov,
			         100 * m->coverage_min);
		else
			snprintf(why, sizeof(why), "%s", k.pue.why);
		cJSON_AddNullToObject(o, "pue");
		cJSON_AddStringToObject(o, "error", why);
	}
	return o;
}

static void api_pue(struct req *q, struct store_reader *r)
{
	static const char *const known[] = {"period", "by", NULL};
	const struct config *cfg = q->h->cfg;
	const char *period = arg(q, "period"), *by = arg(q, "by");
	if (!only_args(q, known))
		return;
	const char *problem = energy_model_problem(cfg->energy);
	if (problem) {
		reply_error(q, 409, "energy model: %s", problem);
		return;
	}
	const char *tz = cfg->site.timezone;
	struct energy_period p;
	enum energy_step step = STEP_WHOLE;
	int64_t now = util_wall_ms();
	if (!period || strcmp(period, "today") == 0 || strcmp(period, "month") == 0) {
		enum energy_step k = period && strcmp(period, "month") == 0 ? STEP_MONTH : STEP_DAY;
		pthread_mutex_lock(&q->h->energy_lock);
		p.from_ms = energy_local_floor(now, k, tz);
		p.to_ms = energy_local_next(now, k, tz);
		energy_local_label(p.from_ms, k, tz, p.label, sizeof(p.label));
		pthread_mutex_unlock(&q->h->energy_lock);
		p.kind = k;
	} else {
		if (strlen(period) > 10) {
			reply_error(q, 400,
			            "period: expected today, month, YYYY, YYYY-MM or YYYY-MM-DD");
			return;
		}
		pthread_mutex_lock(&q->h->energy_lock);
		int rc = energy_period_parse(period, tz, &p);
		pthread_mutex_unlock(&q->h->energy_lock);
		if (rc < 0) {
			reply_error(q, 400,
			            "period: expected today, month, YYYY, YYYY-MM or YYYY-MM-DD");
			return;
		}
	}
	if (by) {
		if (strcmp(by, "hour") == 0)
			step = STEP_HOUR;
		else if (strcmp(by, "day") == 0)
			step = STEP_DAY;
		else if (strcmp(by, "month") == 0)
			step = STEP_MONTH;
		else {
			reply_error(q, 400, "by: expected hour, day or month");
			return;
		}
		if (step == STEP_HOUR && p.to_ms - p.from_ms > 32LL * 86400000) {
			reply_error(q, 400, "by=hour is limited to a month");
			return;
		}
	}
	/* An interval still running is computed up to now (coverage says how much is there). */
	int64_t to = p.to_ms > now ? now : p.to_ms;
	if (to <= p.from_ms) {
		reply_error(q, 400, "period %s has not started", p.label);
		return;
	}
	struct energy_report rep = {0};
	pthread_mutex_lock(&q->h->energy_lock);
	int rc = energy_compute(r, cfg->energy, tz, p.from_ms, p.to_ms, step, &rep);
	pthread_mutex_unlock(&q->h->energy_lock);
	if (rc < 0) {
		reply_error(q, 500, "energy: %s", rep.err[0] ? rep.err : strerror(-rc));
		energy_report_free(&rep);
		return;
	}
	cJSON *o = pue_json(&rep, cfg->energy, &rep.total, p.label);
	cJSON_AddStringToObject(o, "category_text", category_text(rep.category));
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
	reply_json(q, 200, o);
}

/* Free cooling from the `cooling:` section's series: the mode now and the mode the outdoor
 * air allows now (freecool_available on the latest dry-bulb, RH and pressure), the threshold,
 * and over the range: hours available vs used and the compressor energy spent while full free
 * cooling was available (missed kWh). Buckets missing an input count as neither. */
enum { FCQ_DB, FCQ_RH, FCQ_P, FCQ_MODE, FCQ_COMP, FCQ_N };

struct first_match {
	int64_t id;
	char metric[96];
};

static int first_cb(void *ctx, const struct store_series_info *info)
{
	struct first_match *m = ctx;
	m->id = info->id;
	snprintf(m->metric, sizeof(m->metric), "%s", info->metric);
	return 1;
}

static double last_value(const double *v, size_t n)
{
	for (size_t i = n; i-- > 0;)
		if (!isnan(v[i]))
			return v[i];
	return NAN;
}

static cJSON *num_or_null(double v)
{
	return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static void api_freecool(struct req *q, struct store_reader *r)
{
	static const char *const known[] = {"from", "to", "step", "width", NULL};
	static const enum fc_series keys[FCQ_N] = {FC_S_DRY_BULB, FC_S_RH, FC_S_PRESSURE, FC_S_MODE,
	                                           FC_S_COMPRESSOR_W};
	const struct fc_config *fc = q->h->cfg->cooling;
	struct range rg;
	if (!only_args(q, known) || !parse_range(q, &rg, 86400000))
		return;
	if (!fc) {
		reply_error(q, 409, "no cooling: section in the configuration");
		return;
	}
	double *v = malloc(rg.nb * FCQ_N * sizeof(double));
	if (!v) {
		reply_error(q, 500, "out of memory");
		return;
	}
	bool pct_rh = false;
	int rc = 0;
	for (int k = 0; k < FCQ_N; k++) {
		double *a = v + (size_t)k * rg.nb;
		struct first_match m = {0};
		for (size_t i = 0; i < rg.nb; i++)
			a[i] = NAN;
		if (!fc->series[keys[k]])
			continue;
		rc = store_series_find(r, fc->series[keys[k]], first_cb, &m);
		if (rc < 0)
			break;
		if (!m.id)
			continue;
		size_t ml = strlen(m.metric);
		if (k == FCQ_RH)
			pct_rh = ml > 4 && strcmp(m.metric + ml - 4, "_pct") == 0;
		rc = query_into(r, m.id, &rg, k == FCQ_MODE ? AGG_LAST : AGG_AVG, a);
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		free(v);
		reply_error(q, 500, "store: %s", strerror(-rc));
		return;
	}
	double *db = v, *rh = v + rg.nb, *pr = v + 2 * rg.nb, *mode = v + 3 * rg.nb,
	       *comp = v + 4 * rg.nb;
	double alt = isfinite(fc->altitude_m) ? fc->altitude_m : q->h->cfg->site.altitude_m;
	double p_std = psychro_pressure_at_altitude(alt);
	double step_h = (double)rg.step / 3600000.0, avail_h = 0, used_h = 0, missed = 0;
	cJSON *wb_arr = cJSON_CreateArray(), *av_arr = cJSON_CreateArray();
	for (size_t i = 0; i < rg.nb; i++) {
		struct fc_outdoor o = {NAN, NAN, NAN};
		double frac = 0;
		if (!isnan(db[i]) && !isnan(rh[i]))
			freecool_outdoor_from_rh(&o, db[i], pct_rh ? rh[i] / 100 : rh[i],
			                         isnan(pr[i]) ? p_std : pr[i], fc->rh_over);
		bool known_o = isfinite(o.wb_c);
		enum fc_mode av =
		        known_o ? freecool_available(&fc->plant, &o, &frac) : FC_MECHANICAL;
		cJSON_AddItemToArray(wb_arr, num_or_null(o.wb_c));
		cJSON_AddItemToArray(av_arr, known_o ? cJSON_CreateNumber(av) : cJSON_CreateNull());
		if (!known_o || isnan(mode[i]))
			continue;
		int used = (int)lround(mode[i]);
		avail_h += av != FC_MECHANICAL ? step_h : 0;
		used_h += used != FC_MECHANICAL ? step_h : 0;
		if (av == FC_FREE && used != FC_FREE && !isnan(comp[i]))
			missed += comp[i] / 1000.0 * step_h;
	}
	double full_c, partial_c;
	const char *governs;
	freecool_thresholds(&fc->plant, &full_c, &partial_c, &governs);
	size_t n = rg.nb;
	struct fc_outdoor now = {NAN, NAN, NAN};
	double ldb = last_value(db, n), lrh = last_value(rh, n), lp = last_value(pr, n);
	double lmode = last_value(mode, n), frac = 0;
	if (!isnan(ldb) && !isnan(lrh))
		freecool_outdoor_from_rh(&now, ldb, pct_rh ? lrh / 100 : lrh,
		                         isnan(lp) ? p_std : lp, fc->rh_over);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "economizer", freecool_economizer_name(fc->plant.type));
	cJSON_AddItemToObject(o, "mode_now",
	                      isnan(lmode) ? cJSON_CreateNull()
	                                   : cJSON_CreateNumber((double)lround(lmode)));
	cJSON_AddItemToObject(
	        o, "available_now",
	        isfinite(now.wb_c) ? cJSON_CreateNumber(freecool_available(&fc->plant, &now, &frac))
	                           : cJSON_CreateNull());
	cJSON *out = cJSON_AddObjectToObject(o, "outdoor");
	cJSON_AddItemToObject(out, "dry_bulb_c", num_or_null(now.db_c));
	cJSON_AddItemToObject(out, "wet_bulb_c", num_or_null(now.wb_c));
	cJSON_AddItemToObject(out, "dew_point_c", num_or_null(now.dp_c));
	cJSON *th = cJSON_AddObjectToObject(o, "threshold");
	cJSON_AddItemToObject(th, "full_c", num_or_null(full_c));
	cJSON_AddItemToObject(th, "partial_c", num_or_null(partial_c));
	cJSON_AddStringToObject(th, "governs", governs ? governs : "");
	cJSON *h = cJSON_AddObjectToObject(o, "history");
	cJSON_AddNumberToObject(h, "available_h", avail_h);
	cJSON_AddNumberToObject(h, "used_h", used_h);
	cJSON_AddNumberToObject(h, "missed_kwh", missed);
	cJSON_AddNumberToObject(h, "step_ms", (double)rg.step);
	cJSON_AddItemToObject(h, "t", time_array(&rg));
	cJSON_AddItemToObject(h, "wet_bulb_c", wb_arr);
	cJSON_AddItemToObject(h, "available", av_arr);
	cJSON_AddItemToObject(h, "mode", num_array(mode, n));
	free(v);
	reply_json(q, 200, o);
}

void http_api(struct http_server *h, const char *path, const char *(*argf)(void *c, const char *k),
              void *actx, const char *names, struct http_reply *out)
{
	struct req q = {.h = h, .arg = argf, .actx = actx, .out = out, .names = names};
	static const struct {
		const char *path;
		void (*fn)(struct req *q, struct store_reader *r);
	} routes[] = {
	        {"/api/v1/devices", api_devices}, {"/api/v1/series", api_series},
	        {"/api/v1/query", api_query},     {"/api/v1/power", api_power},
	        {"/api/v1/pue", api_pue},         {"/api/v1/freecool", api_freecool},
	        {"/api/v1/alerts", api_alerts},   {"/api/v1/reports", api_reports},
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
			reply_error(&q, 503, "store: %s", err);
			return;
		}
		routes[i].fn(&q, r);
		http_reader_put(h, r);
		return;
	}
	reply_error(&q, 404, "no such endpoint: see docs/api.md");
}
