/* SPDX-License-Identifier: Apache-2.0 */
/*
 * redfish: the Redfish driver, for servers' BMCs (iDRAC, iLO, XClarity, OpenBMC, ...).
 *
 * A device is one chassis of one BMC. The first poll discovers the resource tree from the
 * service root: the Chassis collection, the chassis to read (the `chassis` option, else the
 * first that links power data and contains a computer system), and for every figure the
 * profile asks for, where it lives: the current schemas first (EnvironmentMetrics,
 * PowerSubsystem with PowerSupplies and their Metrics, ThermalSubsystem/ThermalMetrics, a
 * Sensor whose ReadingType is an energy), then the deprecated Power and Thermal resources
 * (the `prefer_legacy` quirk swaps the order). The tree is cached; later polls GET only the
 * resources that hold the readings, each at most once per poll. A 404 means the tree changed
 * (firmware update, a replaced power supply): the cache is dropped and the tree discovered
 * again within the same poll.
 *
 * Energy: a counter from the BMC (EnvironmentMetrics.EnergykWh, or an energy Sensor) is the
 * `energy` reading; when a BMC has none, an `energy_derived` row integrates the power
 * readings (trapezoid rule) into a counter of its own, a distinct metric, so that derived
 * energy is never taken for metered energy.
 *
 * HTTP, sessions and limits are in drivers/redfish_http.c; JSON mapping in
 * drivers/redfish_map.c (pure, unit-tested). See docs/drivers/redfish.md.
 */
#include <greendc/driver.h>

#include "redfish_http.h"
#include "redfish_map.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum src { SRC_NONE = 0, SRC_NEW, SRC_LEGACY, SRC_SENSOR, SRC_DERIVED };

struct rf_psu {
	char id[64];
	char metrics[RF_URI_MAX]; /* PowerSupplyMetrics (current schema) */
	double efficiency;        /* EfficiencyRatings[0] (static), NAN if none */
};

/* The discovered tree: reset on a 404 or a failed discovery. */
struct rf_tree {
	bool done;
	char chassis[RF_URI_MAX];
	char env[RF_URI_MAX];     /* EnvironmentMetrics */
	char tm[RF_URI_MAX];      /* ThermalSubsystem/ThermalMetrics */
	char power[RF_URI_MAX];   /* legacy Power */
	char thermal[RF_URI_MAX]; /* legacy Thermal */
	char energy_sensor[RF_URI_MAX];
	enum src power_src, energy_src, psu_src, inlet_src;
	struct rf_psu psu[RF_MAX_PSU];
	size_t npsu;
};

struct rf_state {
	struct rf_opts o;
	struct rf_http http;
	struct rf_point *pts;
	double *scale, *offset;
	size_t npoints;
	bool want_power, want_energy, want_derived, want_psu, want_inlet;
	struct rf_tree t;
	struct rf_integrator integ;
};

/* Documents fetched during one poll, so each resource is read at most once. */
#define RF_POLL_DOCS 24
struct rf_docs {
	char uri[RF_POLL_DOCS][RF_URI_MAX];
	cJSON *doc[RF_POLL_DOCS];
	size_t n;
};

static int64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void note(char *err, size_t errlen, const char *msg)
{
	size_t used = strnlen(err, errlen);

	if (used + 3 >= errlen)
		return;
	snprintf(err + used, errlen - used, "%s%s", used ? "; " : "", msg);
}

static void rf_close(void *state);

static int rf_open(void *state, const struct gdc_device *dev, char *err, size_t errlen,
                   int *bad_line)
{
	struct rf_state *st = state;
	int dummy = 0, rc;

	if (!bad_line)
		bad_line = &dummy;
	*bad_line = 0;
	if (errlen)
		err[0] = '\0';
	memset(st, 0, sizeof(*st));
	if (dev->npoints == 0 || dev->npoints > 10000) {
		snprintf(err, errlen, "no points to read, or too many");
		return -EINVAL;
	}
	rc = rf_opts_parse(dev, &st->o, err, errlen, bad_line);
	if (rc)
		return rc;
	st->pts = calloc(dev->npoints, sizeof(*st->pts));
	st->scale = calloc(dev->npoints, sizeof(*st->scale));
	st->offset = calloc(dev->npoints, sizeof(*st->offset));
	if (!st->pts || !st->scale || !st->offset) {
		rf_close(st);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	st->npoints = dev->npoints;
	for (size_t i = 0; i < dev->npoints; i++) {
		rc = rf_point_parse(&dev->points[i], &st->pts[i], err, errlen, bad_line);
		if (rc) {
			rf_close(st);
			return rc;
		}
		st->scale[i] = dev->points[i].scale;
		st->offset[i] = dev->points[i].offset;
		switch (st->pts[i].reading) {
		case RF_POWER:
			st->want_power = true;
			break;
		case RF_ENERGY:
			st->want_energy = true;
			break;
		case RF_ENERGY_DERIVED:
			st->want_energy = st->want_derived = true;
			break;
		case RF_PSU_INPUT_POWER:
		case RF_PSU_OUTPUT_POWER:
		case RF_PSU_EFFICIENCY:
			st->want_psu = true;
			break;
		case RF_INLET_TEMP:
			st->want_inlet = true;
			break;
		case RF_PROPERTY:
			break;
		}
	}
	rc = rf_http_init(&st->http, &st->o, dev->timeout_ms, err, errlen);
	if (rc) {
		gdc_attr_get(dev->options, dev->noptions, "secrets_file", bad_line);
		rf_close(st);
		return rc;
	}
	return 0;
}

static void rf_close(void *state)
{
	struct rf_state *st = state;

	rf_http_release(&st->http, 500);
	free(st->pts);
	free(st->scale);
	free(st->offset);
	st->pts = NULL;
	st->scale = st->offset = NULL;
	st->npoints = 0;
}

/* ---- discovery ---- */

static void copy_uri(char *dst, const char *src)
{
	snprintf(dst, RF_URI_MAX, "%s", src ? src : "");
}

/* The chassis to read: the one named by the `chassis` option, else the best candidate. */
static int find_chassis(struct rf_state *st, const cJSON *coll, int64_t dl, char *err,
                        size_t errlen)
{
	int n = rf_nmembers(coll), best = -1, rc = 0;

	for (int i = 0; i < n && i < 32; i++) {
		const char *uri = rf_member(coll, i);
		const char *slash = uri ? strrchr(uri, '/') : NULL;
		if (!uri)
			continue;
		if (st->o.chassis[0]) {
			if (slash && !strcmp(slash + 1, st->o.chassis)) {
				copy_uri(st->t.chassis, uri);
				return 0;
			}
			continue;
		}
		cJSON *ch = NULL;
		rc = rf_http_get(&st->http, uri, false, dl, &ch, err, errlen);
		if (rc)
			return rc;
		int score = 0;
		rf_chassis_has_power(ch, &score);
		cJSON_Delete(ch);
		if (score >= 2 && score > best) {
			best = score;
			copy_uri(st->t.chassis, uri);
		}
	}
	if (!st->t.chassis[0]) {
		if (st->o.chassis[0])
			snprintf(err, errlen, "no chassis \"%s\" in the Chassis collection",
			         st->o.chassis);
		else
			snprintf(err, errlen, "no chassis links power data");
		return -GDC_ENOVALUE;
	}
	return 0;
}

/* Power supplies of the current schema: PowerSubsystem -> PowerSupplies -> each -> Metrics. */
static int find_psus(struct rf_state *st, const char *subsystem, int64_t dl, char *err,
                     size_t errlen)
{
	cJSON *ps = NULL, *coll = NULL;
	int rc = rf_http_get(&st->http, subsystem, false, dl, &ps, err, errlen);
	const char *uri = rc ? NULL : rf_link(ps, "PowerSupplies");

	if (uri)
		rc = rf_http_get(&st->http, uri, false, dl, &coll, err, errlen);
	cJSON_Delete(ps);
	int n = rc ? 0 : rf_nmembers(coll);
	for (int i = 0; i < n && st->t.npsu < RF_MAX_PSU; i++) {
		cJSON *psu = NULL;
		const char *m = rf_member(coll, i);
		if (!m || (rc = rf_http_get(&st->http, m, false, dl, &psu, err, errlen)) != 0)
			break;
		struct rf_psu *p = &st->t.psu[st->t.npsu];
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(psu, "Id"));
		snprintf(p->id, sizeof(p->id), "%s", id ? id : strrchr(m, '/') + 1);
		copy_uri(p->metrics, rf_link(psu, "Metrics"));
		p->efficiency = NAN;
		rf_psu_efficiency(psu, &p->efficiency);
		cJSON_Delete(psu);
		if (p->metrics[0])
			st->t.npsu++;
	}
	cJSON_Delete(coll);
	return rc;
}

/* An energy Sensor in the chassis' Sensors collection (ReadingType EnergykWh/Wh/Joules). */
static int find_energy_sensor(struct rf_state *st, const char *sensors, int64_t dl, char *err,
                              size_t errlen)
{
	cJSON *coll = NULL;
	int rc = rf_http_get(&st->http, sensors, false, dl, &coll, err, errlen);
	int n = rc ? 0 : rf_nmembers(coll);

	/* Bounded: a BMC may list hundreds of sensors; energy ones are named so in practice,
	 * so members whose Id mentions energy are read first. */
	for (int pass = 0; pass < 2 && !st->t.energy_sensor[0] && rc == 0; pass++) {
		for (int i = 0, read = 0; i < n && read < 64; i++) {
			const char *m = rf_member(coll, i);
			const char *id = m ? strrchr(m, '/') : NULL;
			bool named = id && (strstr(id, "nergy") || strstr(id, "NERGY"));
			if (!m || named != (pass == 0))
				continue;
			cJSON *sen = NULL;
			double kwh;
			read++;
			if ((rc = rf_http_get(&st->http, m, false, dl, &sen, err, errlen)) != 0)
				break;
			bool hit = rf_sensor_energy(sen, &kwh);
			cJSON_Delete(sen);
			if (hit) {
				copy_uri(st->t.energy_sensor, m);
				break;
			}
		}
	}
	cJSON_Delete(coll);
	return rc;
}

/* Which resource serves each wanted figure, new schema first (or legacy first). */
static int choose_sources(struct rf_state *st, const cJSON *ch, int64_t dl, char *err,
                          size_t errlen)
{
	struct rf_tree *t = &st->t;
	cJSON *env = NULL, *tm = NULL, *ts = NULL;
	double v;
	int rc = 0;

	copy_uri(t->power, rf_link(ch, "Power"));
	copy_uri(t->thermal, rf_link(ch, "Thermal"));
	if (rf_link(ch, "EnvironmentMetrics")) {
		copy_uri(t->env, rf_link(ch, "EnvironmentMetrics"));
		rc = rf_http_get(&st->http, t->env, false, dl, &env, err, errlen);
	}
	bool legacy_first = st->o.prefer_legacy;
	if (rc == 0 && st->want_power) {
		bool nw = env && rf_env_power(env, &v), old = t->power[0] != '\0';
		t->power_src = nw && (!legacy_first || !old) ? SRC_NEW
		               : old                         ? SRC_LEGACY
		                                             : SRC_NONE;
	}
	if (rc == 0 && st->want_energy) {
		if (env && rf_env_energy(env, &v))
			t->energy_src = SRC_NEW;
		else if (rf_link(ch, "Sensors") &&
		         (rc = find_energy_sensor(st, rf_link(ch, "Sensors"), dl, err, errlen)) ==
		                 0 &&
		         t->energy_sensor[0])
			t->energy_src = SRC_SENSOR;
		else if (rc == 0 && st->want_derived)
			t->energy_src = SRC_DERIVED;
	}
	cJSON_Delete(env);
	if (rc == 0 && st->want_psu) {
		if (rf_link(ch, "PowerSubsystem") && !(legacy_first && t->power[0]))
			rc = find_psus(st, rf_link(ch, "PowerSubsystem"), dl, err, errlen);
		t->psu_src = t->npsu ? SRC_NEW : t->power[0] ? SRC_LEGACY : SRC_NONE;
	}
	if (rc == 0 && st->want_inlet) {
		const char *sub = rf_link(ch, "ThermalSubsystem");
		if (sub && !(legacy_first && t->thermal[0]) &&
		    (rc = rf_http_get(&st->http, sub, false, dl, &ts, err, errlen)) == 0 &&
		    rf_link(ts, "ThermalMetrics")) {
			copy_uri(t->tm, rf_link(ts, "ThermalMetrics"));
			rc = rf_http_get(&st->http, t->tm, false, dl, &tm, err, errlen);
		}
		bool nw = rc == 0 && tm && rf_thermal_metrics_inlet(tm, &st->o, &v);
		t->inlet_src = nw ? SRC_NEW : t->thermal[0] ? SRC_LEGACY : SRC_NONE;
	}
	cJSON_Delete(ts);
	cJSON_Delete(tm);
	return rc;
}

static int discover(struct rf_state *st, int64_t dl, char *err, size_t errlen)
{
	cJSON *root = NULL, *coll = NULL, *ch = NULL;
	const char *uri;

	memset(&st->t, 0, sizeof(st->t));
	int rc = rf_http_get(&st->http, "/redfish/v1/", true, dl, &root, err, errlen);
	if (rc)
		return rc;
	const cJSON *links = cJSON_GetObjectItemCaseSensitive(root, "Links");
	if ((uri = rf_link(links, "Sessions")) != NULL)
		copy_uri(st->http.sessions, uri);
	uri = rf_link(root, "Chassis");
	if (!uri) {
		cJSON_Delete(root);
		snprintf(err, errlen, "the service root links no Chassis collection");
		return -GDC_ENOVALUE;
	}
	rc = rf_http_get(&st->http, uri, false, dl, &coll, err, errlen);
	cJSON_Delete(root);
	if (rc == 0)
		rc = find_chassis(st, coll, dl, err, errlen);
	cJSON_Delete(coll);
	if (rc == 0)
		rc = rf_http_get(&st->http, st->t.chassis, false, dl, &ch, err, errlen);
	if (rc == 0)
		rc = choose_sources(st, ch, dl, err, errlen);
	cJSON_Delete(ch);
	st->t.done = rc == 0;
	return rc;
}

/* ---- reading ---- */

static void docs_free(struct rf_docs *d)
{
	for (size_t i = 0; i < d->n; i++)
		cJSON_Delete(d->doc[i]);
	d->n = 0;
}

/* The document at uri for this poll; NULL with *rc set when it cannot be read. */
static const cJSON *doc_get(struct rf_state *st, struct rf_docs *d, const char *uri, int64_t dl,
                            int *rc, char *err, size_t errlen)
{
	char msg[300];

	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->uri[i], uri))
			return d->doc[i];
	if (d->n == RF_POLL_DOCS) {
		*rc = -E2BIG;
		note(err, errlen, "too many resources in one poll");
		return NULL;
	}
	cJSON *doc = NULL;
	int r = rf_http_get(&st->http, uri, false, dl, &doc, msg, sizeof(msg));
	if (r) {
		if (!*rc || r == -ENOENT)
			*rc = r;
		note(err, errlen, msg);
		return NULL;
	}
	copy_uri(d->uri[d->n], uri);
	d->doc[d->n] = doc;
	return d->doc[d->n++];
}

struct emitter {
	const struct gdc_sink *sink;
	const struct rf_state *st;
	int64_t now;
	size_t n;
};

static void emit(struct emitter *e, size_t i, double raw, const char *psu)
{
	struct gdc_label l = {.key = "psu", .value = psu};
	struct gdc_sample s = {.point = (uint32_t)i,
	                       .value = raw * e->st->scale[i] + e->st->offset[i],
	                       .ts_ms = e->now,
	                       .labels = psu ? &l : NULL,
	                       .nlabels = psu ? 1 : 0};
	if (!isfinite(raw))
		return;
	e->sink->emit(e->sink->ctx, &s);
	e->n++;
}

/* The chassis power, from wherever discovery found it; NAN if unread. */
static double read_power(struct rf_state *st, struct rf_docs *d, int64_t dl, int *rc, char *err,
                         size_t errlen)
{
	double w = NAN;
	const cJSON *doc;

	if (st->t.power_src == SRC_NEW && (doc = doc_get(st, d, st->t.env, dl, rc, err, errlen)))
		rf_env_power(doc, &w);
	else if (st->t.power_src == SRC_LEGACY &&
	         (doc = doc_get(st, d, st->t.power, dl, rc, err, errlen)))
		rf_legacy_power(doc, &w);
	return w;
}

static void read_energy(struct rf_state *st, struct rf_docs *d, struct emitter *e, size_t i,
                        int64_t dl, int *rc, char *err, size_t errlen)
{
	const cJSON *doc;
	double kwh = NAN;
	bool derived = st->pts[i].reading == RF_ENERGY_DERIVED;

	if (derived != (st->t.energy_src == SRC_DERIVED))
		return; /* a counter exists (or not): only one of the two rows speaks */
	if (st->t.energy_src == SRC_NEW && (doc = doc_get(st, d, st->t.env, dl, rc, err, errlen)))
		rf_env_energy(doc, &kwh);
	else if (st->t.energy_src == SRC_SENSOR &&
	         (doc = doc_get(st, d, st->t.energy_sensor, dl, rc, err, errlen)))
		rf_sensor_energy(doc, &kwh);
	else if (st->t.energy_src == SRC_DERIVED && st->integ.have)
		kwh = st->integ.kwh;
	emit(e, i, kwh, NULL);
}

static void read_psus(struct rf_state *st, struct rf_docs *d, struct emitter *e, size_t i,
                      int64_t dl, int *rc, char *err, size_t errlen)
{
	enum rf_reading r = st->pts[i].reading;
	const cJSON *doc;
	char id[64];
	double in, out, eff;

	if (st->t.psu_src == SRC_NEW) {
		for (size_t k = 0; k < st->t.npsu; k++) {
			const struct rf_psu *p = &st->t.psu[k];
			double v = NAN;
			if (r == RF_PSU_EFFICIENCY)
				v = p->efficiency;
			else if ((doc = doc_get(st, d, p->metrics, dl, rc, err, errlen)))
				rf_psu_metrics_power(doc, r == RF_PSU_INPUT_POWER, &v);
			emit(e, i, v, p->id);
		}
	} else if (st->t.psu_src == SRC_LEGACY &&
	           (doc = doc_get(st, d, st->t.power, dl, rc, err, errlen))) {
		for (int k = 0; k < rf_legacy_npsu(doc) && k < RF_MAX_PSU; k++)
			if (rf_legacy_psu(doc, k, id, sizeof(id), &in, &out, &eff))
				emit(e, i,
				     r == RF_PSU_INPUT_POWER    ? in
				     : r == RF_PSU_OUTPUT_POWER ? out
				                                : eff,
				     id);
	}
}

static void read_point(struct rf_state *st, struct rf_docs *d, struct emitter *e, size_t i,
                       double power, int64_t dl, int *rc, char *err, size_t errlen)
{
	const struct rf_point *p = &st->pts[i];
	const cJSON *doc;
	double v = NAN;
	char uri[RF_URI_MAX];

	switch (p->reading) {
	case RF_POWER:
		emit(e, i, power, NULL);
		break;
	case RF_ENERGY:
	case RF_ENERGY_DERIVED:
		read_energy(st, d, e, i, dl, rc, err, errlen);
		break;
	case RF_PSU_INPUT_POWER:
	case RF_PSU_OUTPUT_POWER:
	case RF_PSU_EFFICIENCY:
		read_psus(st, d, e, i, dl, rc, err, errlen);
		break;
	case RF_INLET_TEMP:
		if (st->t.inlet_src == SRC_NEW &&
		    (doc = doc_get(st, d, st->t.tm, dl, rc, err, errlen)))
			rf_thermal_metrics_inlet(doc, &st->o, &v);
		else if (st->t.inlet_src == SRC_LEGACY &&
		         (doc = doc_get(st, d, st->t.thermal, dl, rc, err, errlen)))
			rf_legacy_inlet(doc, &st->o, &v);
		emit(e, i, v, NULL);
		break;
	case RF_PROPERTY:
		if (p->resource[0] == '/')
			snprintf(uri, sizeof(uri), "%s", p->resource);
		else if ((size_t)snprintf(uri, sizeof(uri), "%.*s/%.*s", RF_URI_MAX / 2 - 1,
		                          st->t.chassis, RF_URI_MAX / 2 - 1,
		                          p->resource) >= sizeof(uri))
			break;
		if ((doc = doc_get(st, d, uri, dl, rc, err, errlen)) &&
		    !rf_pointer(doc, p->property, &v))
			note(err, errlen, "a property: point found no number");
		emit(e, i, v, NULL);
		break;
	}
}

/* Read every point once from the discovered tree. 0, or the first error (-ENOENT first). */
static int read_all(struct rf_state *st, const struct gdc_sink *sink, size_t *emitted, int64_t dl,
                    char *err, size_t errlen)
{
	struct rf_docs d = {.n = 0};
	struct emitter e = {.sink = sink, .st = st, .now = clock_ms(CLOCK_REALTIME)};
	int rc = 0;
	double power = NAN;

	if (st->want_power || st->t.energy_src == SRC_DERIVED)
		power = read_power(st, &d, dl, &rc, err, errlen);
	if (st->t.energy_src == SRC_DERIVED)
		rf_integrate(&st->integ, power, e.now, st->o.derive_max_gap_ms);
	for (size_t i = 0; i < st->npoints && rc != -ENOENT; i++)
		read_point(st, &d, &e, i, power, dl, &rc, err, errlen);
	docs_free(&d);
	*emitted = e.n;
	return rc;
}

static int rf_poll(void *state, int64_t deadline_ms, const struct gdc_sink *sink, char *err,
                   size_t errlen)
{
	struct rf_state *st = state;
	size_t emitted = 0;
	int rc = 0;

	if (errlen)
		err[0] = '\0';
	/* A 404 while reading: the tree changed. Discover it again, once, in this poll. */
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!st->t.done) {
			rc = discover(st, deadline_ms, err, errlen);
			if (rc)
				return rc;
		}
		rc = read_all(st, sink, &emitted, deadline_ms, err, errlen);
		if (rc != -ENOENT || emitted)
			break;
		st->t.done = false;
		if (attempt == 0 && errlen)
			err[0] = '\0';
	}
	if (rc == -ENOENT)
		st->t.done = false; /* partly read: discover again at the next poll */
	if (emitted)
		return 0;
	if (rc)
		return rc;
	if (!err[0])
		snprintf(err, errlen, "the BMC answered but no point had a value");
	return -GDC_ENOVALUE;
}

/* Who this BMC is, for profile matching: "vendor=<ServiceRoot Vendor>" (or the name of its
 * Oem object), then "service=redfish". Reads only the service root, which needs no login. */
static int rf_identify(const struct gdc_device *dev, int64_t deadline_ms, char *out, size_t outlen,
                       char *err, size_t errlen)
{
	struct rf_state *st = calloc(1, sizeof(*st));
	int bad_line = 0, rc;
	cJSON *root = NULL;

	if (outlen)
		out[0] = '\0';
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = rf_opts_parse(dev, &st->o, err, errlen, &bad_line);
	if (rc == 0)
		rc = rf_http_init(&st->http, &st->o, dev->timeout_ms, err, errlen);
	if (rc == 0)
		rc = rf_http_get(&st->http, "/redfish/v1/", true, deadline_ms, &root, err, errlen);
	if (rc == 0) {
		const char *vendor =
		        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "Vendor"));
		const cJSON *oem = cJSON_GetObjectItemCaseSensitive(root, "Oem");
		if (!vendor && oem && oem->child)
			vendor = oem->child->string;
		if (vendor && *vendor && !strpbrk(vendor, "\n="))
			snprintf(out, outlen, "vendor=%s\nservice=redfish", vendor);
		else
			snprintf(out, outlen, "service=redfish");
	}
	cJSON_Delete(root);
	rf_http_release(&st->http, 0);
	free(st);
	return rc;
}

const struct gdc_driver gdc_driver_entry = {
        .abi_version = GDC_DRIVER_ABI,
        .struct_size = sizeof(struct gdc_driver),
        .name = "redfish",
        .state_size = sizeof(struct rf_state),
        .open = rf_open,
        .poll = rf_poll,
        .close = rf_close,
        .identify = rf_identify,
};
