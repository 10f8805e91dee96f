/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The alert evaluation thread (alerts.h). Every interval: for each rule, find the candidate
 * alerts (matching series, devices, or series with counter events), decide cond/clear for
 * each from the store (read-only connections), and step its state machine. Transitions are
 * queued through the store writer with their event and outbox items in one transaction.
 * State lives in a bounded table keyed by fingerprint; it is rebuilt from the events table at
 * start, so a restart neither re-fires nor forgets a firing alert.
 */
#include "delivery/alerts.h"
#include "core/timeutil.h"

#include "analytics/capacity.h"
#include "analytics/energy.h"
#include "analytics/floor.h"
#include "analytics/freecool_config.h"
#include "analytics/freecool_stored.h"
#include "config/config.h"
#include "core/log.h"
#include "core/util.h"
#include "delivery/outputs.h"
#include "delivery/summary.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_ALERTS 4096
#define FP_LEN     320
#define FLOOR_MS   (5 * 60000)

int alert_step(struct alert_state *s, bool cond, bool clear, int64_t now_ms, int64_t for_ms)
{
	if (!s->firing) {
		if (!cond) {
			s->pending_since = 0;
			return 0;
		}
		if (!s->pending_since)
			s->pending_since = now_ms;
		if (now_ms - s->pending_since >= for_ms) {
			s->firing = true;
			s->started_ms = s->pending_since;
			s->pending_since = 0;
			return 1;
		}
		return 0;
	}
	/* Firing: only a clear-by-the-margin value resolves (hysteresis); "no longer above the
	 * limit but within the margin" keeps it firing. */
	if (clear) {
		s->firing = false;
		return -1;
	}
	return 0;
}

struct alert {
	char fp[FP_LEN]; /* rule|device|metric|labels */
	size_t rule;
	struct alert_state st;
	bool seen;         /* a candidate in this round */
	int64_t last_sent; /* alertmanager re-sends */
	double value;
	double peak_kw, limit_kw; /* capacity: what the utilisation (value) is of */
	char device[128], metric[64], labels[256];
};

struct alerts_engine {
	struct alerts_config rules; /* strings below are owned copies */
	char *site_id, *site_name, *dbpath;
	char streams[OUTPUTS_MAX_TARGETS][64]; /* every target subscribed to alerts */
	size_t nstreams;
	char am_streams[OUTPUTS_MAX_TARGETS][64]; /* the Alertmanager ones: re-sent while firing */
	size_t nam;
	int64_t resend_ms;
	/* Borrowed from the config this engine was started with: delivery_reload() stops the
	 * engine before that config is freed. */
	const struct config *cfg; /* the floor and its ratings (capacity rules) */
	const struct energy_model *energy;
	const struct fc_config *cooling;
	struct fc_envelope env;
	double altitude_m; /* the site's, for the free-cooling tally */
	struct store *st;
	struct store_reader *r; /* this thread's read-only connection */
	struct alert *a;
	size_t n;
	struct floor *floor; /* capacity rules: rebuilt every FLOOR_MS (new series) */
	int64_t floor_at;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop, started;
	struct log_complaint full;
};

static char *sdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static struct alert *find_or_add(struct alerts_engine *e, size_t rule, const char *device,
                                 const char *metric, const char *labels)
{
	char fp[FP_LEN];
	snprintf(fp, sizeof(fp), "%s|%s|%s|%s", e->rules.rules[rule].name, device, metric, labels);
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->a[i].fp, fp) == 0)
			return &e->a[i];
	if (e->n >= MAX_ALERTS) {
		log_complain(&e->full, LOG_LVL_WARN,
		             "alerts: more than %d alert candidates, "
		             "ignoring new ones",
		             MAX_ALERTS);
		return NULL;
	}
	struct alert *al = &e->a[e->n++];
	memset(al, 0, sizeof(*al));
	snprintf(al->fp, sizeof(al->fp), "%s", fp);
	al->rule = rule;
	snprintf(al->device, sizeof(al->device), "%s", device);
	snprintf(al->metric, sizeof(al->metric), "%s", metric);
	snprintf(al->labels, sizeof(al->labels), "%s", labels);
	al->value = NAN;
	return al;
}

/* A capacity alert in words: the device is a rack (ab_redundancy, rack_capacity) or a PDU
 * (pdu_capacity); labels name the feed. */
static void capacity_text(const struct alert *al, char *buf, size_t len)
{
	char feed[32] = "";
	const char *f = strstr(al->labels, "feed=");
	if (f)
		snprintf(feed, sizeof(feed), "%.*s", (int)strcspn(f + 5, ","), f + 5);
	if (strcmp(al->metric, "ab_redundancy") == 0)
		snprintf(buf, len,
		         "rack %s: feed %s alone (limit %.2f kW) could not carry the rack's peak "
		         "%.2f kW (%.0f %% of its limit): not A/B redundant",
		         al->device, feed, al->limit_kw, al->peak_kw, 100 * al->value);
	else if (strcmp(al->metric, "rack_capacity") == 0)
		snprintf(buf, len, "rack %s: peak %.2f kW is %.0f %% of its derated limit %.2f kW",
		         al->device, al->peak_kw, 100 * al->value, al->limit_kw);
	else
		snprintf(buf, len,
		         "PDU %s (feed %s): peak %.2f kW is %.0f %% of its derated limit %.2f kW",
		         al->device, feed, al->peak_kw, 100 * al->value, al->limit_kw);
}

/* The alert's JSON (Alertmanager-like: labels, annotations, startsAt, endsAt) and queue it:
 * a transition to every alert stream with its event; a re-send (resend > 0: its sequence
 * number) of a firing alert to the Alertmanager streams only, without an event. */
static void emit_to(struct alerts_engine *e, struct alert *al, bool firing, int64_t now,
                    int64_t resend)
{
	const struct alert_rule *r = &e->rules.rules[al->rule];
	char ts[32], fp_hash[24];
	uint64_t h = 1469598103934665603ULL;
	for (const char *p = al->fp; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ULL;
	snprintf(fp_hash, sizeof(fp_hash), "%016llx", (unsigned long long)h);

	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "type", "alert");
	cJSON_AddStringToObject(j, "status", firing ? "firing" : "resolved");
	cJSON_AddStringToObject(j, "fingerprint", fp_hash);
	cJSON_AddStringToObject(j, "identity", al->fp);
	cJSON *site = cJSON_AddObjectToObject(j, "site");
	cJSON_AddStringToObject(site, "id", e->site_id);
	cJSON_AddStringToObject(site, "name", e->site_name);
	cJSON *lb = cJSON_AddObjectToObject(j, "labels");
	cJSON_AddStringToObject(lb, "alertname", r->name);
	cJSON_AddStringToObject(lb, "severity", r->severity);
	cJSON_AddStringToObject(lb, "site", e->site_id);
	if (al->device[0])
		cJSON_AddStringToObject(lb, "device", al->device);
	if (al->metric[0])
		cJSON_AddStringToObject(lb, "metric", al->metric);
	if (al->labels[0])
		cJSON_AddStringToObject(lb, "series_labels", al->labels);
	cJSON *an = cJSON_AddObjectToObject(j, "annotations");
	char text[512];
	if (r->summary)
		snprintf(text, sizeof(text), "%s", r->summary);
	else if (r->type == ALERT_DEVICE_DOWN)
		snprintf(text, sizeof(text), "%s is down or stale", al->device);
	else if (r->type == ALERT_PUE_ABOVE)
		snprintf(text, sizeof(text), "interim PUE %.3f over %lld min above the target %.2f",
		         al->value, (long long)(r->window_ms / 60000), r->above);
	else if (r->type == ALERT_FREE_COOLING_UNUSED)
		snprintf(text, sizeof(text),
		         "the outdoor air allows more free cooling than the plant runs "
		         "(free-cooling share %.0f %% over the last %lld min)",
		         al->value, (long long)(r->lookback_ms / 60000));
	else if (r->type == ALERT_ASHRAE_INLET)
		snprintf(text, sizeof(text),
		         "%s %s{%s} = %.1f C outside the ASHRAE envelope "
		         "%.1f..%.1f C",
		         al->device, al->metric, al->labels, al->value, e->env.t_min_c,
		         e->env.t_max_c);
	else if (r->type == ALERT_CAPACITY)
		capacity_text(al, text, sizeof(text));
	else if (r->type == ALERT_COUNTER_DISCONTINUITY)
		snprintf(text, sizeof(text), "%s %s{%s}: counter reset or rejected jump",
		         al->device, al->metric, al->labels);
	else
		snprintf(text, sizeof(text), "%s %s{%s} = %g (%s %g)", al->device, al->metric,
		         al->labels, al->value, r->have_above ? "above" : "below",
		         r->have_above ? r->above : r->below);
	cJSON_AddStringToObject(an, "summary", text);
	/* The summary's facts as a code and numbers, for front ends that word it in another
	 * language (the dashboard); custom: the summary is the rule's own text from the config. */
	cJSON_AddStringToObject(j, "code", alert_type_name(r->type));
	cJSON *pa = cJSON_AddObjectToObject(j, "params");
	cJSON_AddBoolToObject(pa, "custom", r->summary != NULL);
	if (r->have_above)
		cJSON_AddNumberToObject(pa, "above", r->above);
	if (r->have_below)
		cJSON_AddNumberToObject(pa, "below", r->below);
	if (r->type == ALERT_PUE_ABOVE || r->type == ALERT_RATE ||
	    r->type == ALERT_COUNTER_DISCONTINUITY)
		cJSON_AddNumberToObject(pa, "window_min", (double)(r->window_ms / 60000));
	if (r->type == ALERT_FREE_COOLING_UNUSED)
		cJSON_AddNumberToObject(pa, "lookback_min", (double)(r->lookback_ms / 60000));
	if (r->type == ALERT_CAPACITY) {
		cJSON_AddStringToObject(pa, "kind", al->metric);
		if (isfinite(al->peak_kw))
			cJSON_AddNumberToObject(pa, "peak_kw", al->peak_kw);
		if (isfinite(al->limit_kw))
			cJSON_AddNumberToObject(pa, "limit_kw", al->limit_kw);
	}
	if (r->type == ALERT_ASHRAE_INLET) {
		cJSON_AddNumberToObject(pa, "t_min_c", e->env.t_min_c);
		cJSON_AddNumberToObject(pa, "t_max_c", e->env.t_max_c);
	}
	time_format_utc(al->st.started_ms, ts, sizeof(ts));
	cJSON_AddStringToObject(j, "startsAt", ts);
	cJSON_AddNumberToObject(j, "startsAt_ms", (double)al->st.started_ms);
	if (!firing) {
		time_format_utc(now, ts, sizeof(ts));
		cJSON_AddStringToObject(j, "endsAt", ts);
	}
	if (isfinite(al->value))
		cJSON_AddNumberToObject(j, "value", al->value);
	char *body = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (!body)
		return;

	char key[200];
	if (resend)
		snprintf(key, sizeof(key), "%s:alert:%s:%lld:resend:%lld", e->site_id, fp_hash,
		         (long long)al->st.started_ms, (long long)resend);
	else
		snprintf(key, sizeof(key), "%s:alert:%s:%lld:%s", e->site_id, fp_hash,
		         (long long)al->st.started_ms, firing ? "firing" : "resolved");
	const char *streams[OUTPUTS_MAX_TARGETS];
	size_t ns = resend ? e->nam : e->nstreams;
	for (size_t i = 0; i < ns; i++)
		streams[i] = resend ? e->am_streams[i] : e->streams[i];
	al->last_sent = now;
	if (resend) {
		struct store_outbox_req rr = {.streams = streams,
		                              .nstreams = ns,
		                              .ikey = key,
		                              .created_ms = now,
		                              .payload = body,
		                              .len = strlen(body)};
		if (ns)
			store_outbox(e->st, &rr);
		free(body);
		return;
	}
	struct store_outbox_req req = {.streams = streams,
	                               .nstreams = ns,
	                               .ikey = key,
	                               .created_ms = now,
	                               .payload = body,
	                               .len = strlen(body),
	                               .event_kind = firing ? "alert_firing" : "alert_resolved",
	                               .event_detail = body,
	                               .event_ts_ms = now};
	int rc = store_outbox(e->st, &req);
	if (rc < 0)
		log_warn("alerts: %s: cannot record the transition: %s", r->name, strerror(-rc));
	else
		log_info("alert %s: %s", firing ? "firing" : "resolved", text);
	free(body);
}

static void emit(struct alerts_engine *e, struct alert *al, bool firing, int64_t now)
{
	emit_to(e, al, firing, now, 0);
}

/* ---- candidates and their conditions ---- */

struct last_ctx {
	int64_t ts0, ts;
	double v0, v;
	int n;
};

static int last_cb(void *ctx, int64_t ts, double v)
{
	struct last_ctx *c = ctx;
	if (!isfinite(v))
		return 0;
	if (c->n++ == 0) {
		c->ts0 = ts;
		c->v0 = v;
	}
	c->ts = ts;
	c->v = v;
	return 0;
}

struct series_ctx {
	struct alerts_engine *e;
	size_t rule;
	int64_t now;
};

static void judge(const struct alert_rule *r, double v, bool *cond, bool *clear)
{
	*cond = (r->have_above && v > r->above) || (r->have_below && v < r->below);
	bool in_above = !r->have_above || v <= r->above - r->hysteresis;
	bool in_below = !r->have_below || v >= r->below + r->hysteresis;
	*clear = in_above && in_below;
}

static int series_cb(void *ctx, const struct store_series_info *info)
{
	struct series_ctx *c = ctx;
	struct alert_rule rr = c->e->rules.rules[c->rule];
	const struct alert_rule *r = &rr;
	if (r->type == ALERT_ASHRAE_INLET) {
		/* The envelope's dry-bulb limits act as below/above. */
		rr.have_above = rr.have_below = true;
		rr.above = c->e->env.t_max_c;
		rr.below = c->e->env.t_min_c;
	}
	int64_t span = r->type == ALERT_RATE ? r->window_ms : r->lookback_ms;
	struct last_ctx l = {0};
	if (store_read_raw(c->e->r, info->id, c->now - span, c->now + 1, last_cb, &l) < 0 || !l.n)
		return 0; /* no recent data: state unchanged (device_down covers silence) */
	double v = l.v;
	if (r->type == ALERT_RATE) {
		if (l.ts - l.ts0 < span / 4)
			return 0; /* too short a history to call a rate */
		v = (l.v - l.v0) / ((double)(l.ts - l.ts0) / 3600000.0);
	}
	struct alert *al = find_or_add(c->e, c->rule, info->device, info->metric, info->labels);
	if (!al)
		return 0;
	bool cond, clear;
	judge(r, v, &cond, &clear);
	al->seen = true;
	al->value = v;
	int t = alert_step(&al->st, cond, clear, c->now, r->for_ms);
	if (t)
		emit(c->e, al, t > 0, c->now);
	return 0;
}

static int device_cb(void *ctx, const struct store_device_state *ds)
{
	struct series_ctx *c = ctx;
	const struct alert_rule *r = &c->e->rules.rules[c->rule];
	struct alert *al = find_or_add(c->e, c->rule, ds->name, "", "");
	if (!al)
		return 0;
	bool bad = strcmp(ds->state, "down") == 0 || strcmp(ds->state, "stale") == 0;
	al->seen = true;
	int t = alert_step(&al->st, bad, strcmp(ds->state, "up") == 0, c->now, r->for_ms);
	if (t)
		emit(c->e, al, t > 0, c->now);
	return 0;
}

static int counter_cb(void *ctx, const char *device, const char *metric, const char *labels,
                      int events)
{
	struct series_ctx *c = ctx;
	struct alert *al = find_or_add(c->e, c->rule, device, metric, labels);
	if (!al)
		return 0;
	al->seen = true;
	al->value = events;
	int t = alert_step(&al->st, true, false, c->now, c->e->rules.rules[c->rule].for_ms);
	if (t)
		emit(c->e, al, true, c->now);
	return 0;
}

static void eval_counter_events(struct alerts_engine *e, size_t rule, int64_t now)
{
	const struct alert_rule *r = &e->rules.rules[rule];
	struct series_ctx c = {e, rule, now};
	if (store_counter_events(e->r, now - r->window_ms, counter_cb, &c) < 0)
		return;
	/* Alerts of this rule with no event left in the window are clear. */
	for (size_t i = 0; i < e->n; i++) {
		struct alert *al = &e->a[i];
		if (al->rule == rule && !al->seen && alert_step(&al->st, false, true, now, 0) < 0)
			emit(e, al, false, now);
	}
}

static void step_site(struct alerts_engine *e, size_t k, bool known, bool cond, bool clear,
                      double value, int64_t now)
{
	const struct alert_rule *r = &e->rules.rules[k];
	struct alert *al = find_or_add(e, k, "", "", "");
	if (!al || !known)
		return; /* no data: state unchanged */
	al->seen = true;
	al->value = value;
	int t = alert_step(&al->st, cond, clear, now, r->for_ms);
	if (t)
		emit(e, al, t > 0, now);
}

/* Interim PUE (a power ratio) over the rule's window against its target. */
static void eval_pue(struct alerts_engine *e, size_t k, int64_t now)
{
	const struct alert_rule *r = &e->rules.rules[k];
	double dc = NAN, it = NAN;
	int cat = 0;
	bool known = e->energy &&
	             energy_interim(e->r, e->energy, now, r->window_ms, &dc, &it, &cat) == 0 &&
	             it > 0 && isfinite(dc);
	double ratio = known ? dc / it : NAN;
	step_site(e, k, known, known && ratio > r->above,
	          known && ratio <= r->above - r->hysteresis, ratio, now);
}

int alert_free_cooling_view(struct store_reader *r, const struct fc_config *fc,
                            double site_altitude_m, int64_t now_ms, int64_t lookback_ms,
                            bool *known, bool *cond, double *share_pct)
{
	struct fc_stored s;
	int rc = freecool_stored(r, fc, site_altitude_m, now_ms - lookback_ms, now_ms, lookback_ms,
	                         0, &s);

	*known = *cond = false;
	*share_pct = NAN;
	if (rc < 0)
		return rc;
	/* One bucket: its hours are either all missed or none. */
	*known = s.total.plant_data_h > 0;
	*cond = *known && s.total.missed_h > 0;
	if (*known)
		*share_pct = 100.0 * s.total.used_equiv_h / s.total.plant_data_h;
	freecool_stored_free(&s);
	return 0;
}

/* The stored free-cooling tally's missed hours, now: the outdoor air allowed a freer mode than
 * the plant ran over the rule's lookback (freecool_stored.h; the same rule as the report, the
 * API and `greendc freecool --period`). */
static void eval_free_cooling(struct alerts_engine *e, size_t k, int64_t now)
{
	const struct alert_rule *r = &e->rules.rules[k];
	bool known, cond;
	double share;

	if (!e->cooling || alert_free_cooling_view(e->r, e->cooling, e->altitude_m, now,
	                                           r->lookback_ms, &known, &cond, &share) < 0)
		return;
	step_site(e, k, known, cond, !cond, share, now);
}

/* One capacity condition: utilisation u = peak / limit against the rule. */
static void capacity_step(struct alerts_engine *e, size_t k, const char *device, const char *kind,
                          const char *feed, double peak, double limit, int64_t now)
{
	const struct alert_rule *r = &e->rules.rules[k];
	char labels[64] = "";
	double u = peak / limit;
	if (!isfinite(u))
		return; /* no peak in the lookback, or no known limit: state unchanged */
	if (feed && *feed)
		snprintf(labels, sizeof(labels), "feed=%s", feed);
	struct alert *al = find_or_add(e, k, device, kind, labels);
	if (!al)
		return;
	al->seen = true;
	al->value = u;
	al->peak_kw = peak;
	al->limit_kw = limit;
	int t = alert_step(&al->st, u > r->above, u <= r->above - r->hysteresis, now, r->for_ms);
	if (t)
		emit(e, al, t > 0, now);
}

/* Every rack PDU against its derated limit, every rack with a configured rating against it,
 * and each feed of a dual-fed rack against the rack's peak (A/B redundancy), over the rule's
 * lookback (capacity_compute: the same figures as the floor view and `greendc capacity`). */
static void eval_capacity(struct alerts_engine *e, size_t k, int64_t now)
{
	const struct alert_rule *r = &e->rules.rules[k];
	char err[200];
	/* Rebuilt every FLOOR_MS, and every 30 s while a rack PDU has no power series yet (a
	 * fresh store: the first polls have not been stored). */
	bool partial = false;
	for (size_t i = 0; e->floor && i < e->floor->npdus; i++)
		partial |= !e->floor->pdus[i].power.id;
	if (!e->floor || now - e->floor_at >= (partial ? 30000 : FLOOR_MS)) {
		struct floor *fl = floor_build(e->cfg, e->r, err, sizeof(err));
		if (!fl)
			return;
		floor_free(e->floor);
		e->floor = fl;
		e->floor_at = now;
	}
	const struct floor *fl = e->floor;
	struct capacity_result cr;
	if (capacity_compute(e->cfg, fl, e->r, now - r->lookback_ms, now, CAPACITY_NO_PHASES, &cr) <
	    0)
		return;
	for (size_t i = 0; i < fl->npdus; i++)
		capacity_step(e, k, fl->pdus[i].dev->name, "pdu_capacity", fl->pdus[i].feed,
		              cr.pdu[i].peak1_kw, cr.pdu[i].limit_kw, now);
	for (size_t i = 0; i < fl->nracks; i++) {
		const struct capacity_rack_fig *f = &cr.rack[i];
		if (f->limit_configured)
			capacity_step(e, k, fl->racks[i].name, "rack_capacity", NULL, f->peak1_kw,
			              f->limit_kw, now);
		for (int sd = 0; f->nsides >= 2 && sd < f->nsides; sd++)
			capacity_step(e, k, fl->racks[i].name, "ab_redundancy", f->sides[sd].feed,
			              f->peak1_kw, f->sides[sd].limit_kw, now);
	}
	capacity_result_free(&cr);
}

static void evaluate(struct alerts_engine *e)
{
	int64_t now = util_wall_ms();
	for (size_t i = 0; i < e->n; i++)
		e->a[i].seen = false;
	for (size_t k = 0; k < e->rules.nrules; k++) {
		const struct alert_rule *r = &e->rules.rules[k];
		struct series_ctx c = {.e = e, .rule = k, .now = now};
		switch (r->type) {
		case ALERT_THRESHOLD:
		case ALERT_RATE:
			store_series_find(e->r, r->series, series_cb, &c);
			break;
		case ALERT_DEVICE_DOWN:
			store_devices_list(e->r, device_cb, &c);
			break;
		case ALERT_COUNTER_DISCONTINUITY:
			eval_counter_events(e, k, now);
			break;
		case ALERT_ASHRAE_INLET:
			store_series_find(
			        e->r,
			        r->series ? r->series
			                  : (e->cooling ? e->cooling->series[FC_S_IT_INLET] : NULL),
			        series_cb, &c);
			break;
		case ALERT_PUE_ABOVE:
			eval_pue(e, k, now);
			break;
		case ALERT_FREE_COOLING_UNUSED:
			eval_free_cooling(e, k, now);
			break;
		case ALERT_CAPACITY:
			eval_capacity(e, k, now);
			break;
		}
	}
	/* Alertmanager forgets an alert not re-sent within its resolve_timeout. */
	for (size_t i = 0; e->nam && i < e->n; i++) {
		struct alert *al = &e->a[i];
		if (al->st.firing && now - al->last_sent >= e->resend_ms)
			emit_to(e, al, true, now, now / e->resend_ms);
	}
}

/* One active alert as the events table left it (store_alerts_active): firing again. */
static int restore_cb(void *ctx, int64_t ts_ms, const char *detail)
{
	(void)ts_ms;
	struct alerts_engine *e = ctx;
	cJSON *j = cJSON_Parse(detail);
	const cJSON *id = cJSON_GetObjectItem(j, "identity");
	const cJSON *st = cJSON_GetObjectItem(j, "startsAt_ms");
	if (cJSON_IsString(id) && cJSON_IsNumber(st)) {
		/* identity = rule|device|metric|labels */
		char buf[FP_LEN], *f[4] = {0};
		snprintf(buf, sizeof(buf), "%s", id->valuestring);
		char *p = buf;
		for (int i = 0; i < 4 && p; i++) {
			f[i] = p;
			p = strchr(p, '|');
			if (p && i < 3)
				*p++ = '\0';
		}
		for (size_t k = 0; f[3] && k < e->rules.nrules; k++) {
			if (strcmp(e->rules.rules[k].name, f[0]) != 0)
				continue;
			struct alert *al = find_or_add(e, k, f[1], f[2], f[3]);
			if (al) {
				al->st.firing = true;
				al->st.started_ms = (int64_t)st->valuedouble;
			}
		}
	}
	cJSON_Delete(j);
	return 0;
}

static void *alerts_main(void *arg)
{
	struct alerts_engine *e = arg;
	char err[256];
	pthread_mutex_lock(&e->lock);
	while (!e->stop) {
		pthread_mutex_unlock(&e->lock);
		if (!e->r && (e->r = store_reader_open(e->dbpath, err, sizeof(err)))) {
			/* A restart neither re-fires nor forgets a firing alert. */
			store_alerts_active(e->r, restore_cb, e);
		}
		if (e->r)
			evaluate(e);
		pthread_mutex_lock(&e->lock);
		if (e->stop)
			break;
		struct timespec t;
		clock_gettime(CLOCK_REALTIME, &t);
		int64_t ms = e->rules.interval_ms;
		t.tv_sec += ms / 1000;
		t.tv_nsec += (ms % 1000) * 1000000L;
		if (t.tv_nsec >= 1000000000L) {
			t.tv_sec++;
			t.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&e->wake, &e->lock, &t);
	}
	pthread_mutex_unlock(&e->lock);
	return NULL;
}

struct alerts_engine *alerts_start(const struct config *cfg, struct store *st, char *err,
                                   size_t errlen)
{
	if (!cfg->alerts || cfg->alerts->nrules == 0)
		return NULL;
	struct alerts_engine *e = calloc(1, sizeof(*e));
	if (!e || !(e->a = calloc(MAX_ALERTS, sizeof(*e->a)))) {
		free(e);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->rules = *cfg->alerts;
	for (size_t k = 0; k < e->rules.nrules; k++) {
		struct alert_rule *r = &e->rules.rules[k];
		r->name = sdup(r->name);
		r->series = sdup(r->series);
		r->severity = sdup(r->severity);
		r->summary = sdup(r->summary);
		r->file = NULL;
	}
	e->site_id = sdup(cfg->site.id ? cfg->site.id : "");
	e->site_name = sdup(cfg->site.name ? cfg->site.name : "");
	e->dbpath = sdup(cfg->storage.path);
	e->st = st;
	e->cfg = cfg;
	e->energy = cfg->energy && cfg->energy->present ? cfg->energy : NULL;
	e->cooling = cfg->cooling;
	double alt = cfg->site.altitude_m;
	if (e->cooling) {
		if (isfinite(e->cooling->altitude_m))
			alt = e->cooling->altitude_m;
		freecool_envelope(e->cooling->ashrae_class, e->cooling->allowable,
		                  e->cooling->derate, alt, e->cooling->derate_from_m, &e->env);
	} else {
		/* ASHRAE A1 recommended (DOMAIN.md §5) when no cooling: section says otherwise. */
		freecool_envelope(FC_A1, false, false, 0, 900, &e->env);
	}
	e->altitude_m = cfg->site.altitude_m;
	e->resend_ms = INT64_MAX;
	for (size_t i = 0; cfg->outputs && i < cfg->outputs->nreport; i++) {
		const struct out_target *t = &cfg->outputs->report[i];
		if (!(t->kinds & OUT_ALERT))
			continue;
		snprintf(e->streams[e->nstreams++], sizeof(e->streams[0]), "%s/alert", t->name);
		if (t->type == OUT_T_ALERTMANAGER) {
			snprintf(e->am_streams[e->nam++], sizeof(e->am_streams[0]), "%s/alert",
			         t->name);
			if (t->resend_ms < e->resend_ms)
				e->resend_ms = t->resend_ms;
		}
	}
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->wake, NULL);
	if (pthread_create(&e->thread, NULL, alerts_main, e) != 0) {
		snprintf(err, errlen, "cannot start the alert thread");
		alerts_stop(e);
		return NULL;
	}
	e->started = true;
	return e;
}

void alerts_stop(struct alerts_engine *e)
{
	if (!e)
		return;
	if (e->started) {
		pthread_mutex_lock(&e->lock);
		e->stop = true;
		pthread_cond_signal(&e->wake);
		pthread_mutex_unlock(&e->lock);
		pthread_join(e->thread, NULL);
	}
	for (size_t k = 0; k < e->rules.nrules; k++) {
		struct alert_rule *r = &e->rules.rules[k];
		free((char *)r->name);
		free((char *)r->series);
		free((char *)r->severity);
		free((char *)r->summary);
	}
	floor_free(e->floor);
	store_reader_close(e->r);
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->wake);
	free(e->site_id);
	free(e->site_name);
	free(e->dbpath);
	free(e->a);
	free(e);
}
