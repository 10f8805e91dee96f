/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP server's in-memory snapshot: one thread keeps the latest value of every series by
 * tailing the store's commit log (store_tail), refreshes the devices' state, and renders the
 * whole /metrics text once a second. A scrape then only copies a buffer, so a site of 5,000
 * devices scrapes in milliseconds and never waits on SQLite. Values appear once committed
 * (storage.commit_ms), which is as fresh as any reader of the store sees them.
 */
#include "analytics/energy.h"
#include "analytics/prom.h"
#include "config/config.h"
#include "core/labels.h"
#include "core/util.h"
#include "http/http_internal.h"
#include "store/outbox.h"
#include "store/store.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef GREENDC_VERSION
#define GREENDC_VERSION "unknown"
#endif

struct sser {
	int64_t id;
	char *family; /* greendc_power_watts */
	char *metric; /* power_w: for the HELP text and state names */
	const char *type;
	char *labels; /* rendered: device="x",hall="A",energy_role="...",pue="it",site="ty-dc1" */
	double scale;
	double value;
	int64_t ts_ms;
	bool have;
};

struct sdev {
	char *name, *driver, *state;
	double duration_s;
	int64_t errors, last_ok_ms;
};

/* A power series' latest value, published once a round for the floor view. */
struct snap_val {
	int64_t id;
	double value;
	int64_t ts_ms;
};

struct snap {
	struct http_server *h;
	pthread_t thread;
	pthread_mutex_t lock; /* guards text, pue */
	pthread_cond_t cond;
	bool stop;
	char *text;
	size_t len;
	double pue;
	int category;
	int64_t pue_at;
	bool have_pue;
	struct snap_val *pub; /* power_w series by id (guarded by lock) */
	size_t npub;
	uint64_t pub_gen; /* counts publications of pub (guarded by lock) */
	/* owned by the thread */
	char *site_label;   /* site="ty-dc1", escaped; NULL until the first rebuild */
	int model_category; /* the PUE category of the model over the stored series; 0 = none */
	struct store_reader *r;
	struct sser *ser; /* sorted by family then labels */
	size_t nser;
	size_t *byid; /* open addressing: index+1 into ser, 0 = empty */
	size_t idcap;
	struct sdev *dev;
	size_t ndev;
	int64_t cursor;
	bool unknown_seen;
	/* the alert/report outbox (outbox.h), read every 5 s; absent in an old database */
	struct outbox *ob;
	struct outbox_stats obs;
	bool have_obs;
	int64_t next_ob_open;
};

static size_t id_slot(const struct snap *s, int64_t id)
{
	return (size_t)((uint64_t)id * 11400714819323198485ull) & (s->idcap - 1);
}

static struct sser *find_id(struct snap *s, int64_t id)
{
	if (!s->idcap)
		return NULL;
	for (size_t i = id_slot(s, id), n = 0; n < s->idcap; i = (i + 1) & (s->idcap - 1), n++) {
		if (!s->byid[i])
			return NULL;
		if (s->ser[s->byid[i] - 1].id == id)
			return &s->ser[s->byid[i] - 1];
	}
	return NULL;
}

/* Text format: name="escaped value", comma-separated. */
static void label_text(void *ctx, const char *name, const char *value)
{
	struct sbuf *b = ctx;
	if (b->len)
		sbuf_puts(b, ",");
	sbuf_puts(b, name);
	sbuf_puts(b, "=\"");
	prom_escape(b, value);
	sbuf_puts(b, "\"");
}

struct build {
	struct sser *v;
	size_t n, cap;
	int rc;
	const struct energy_model *m; /* NULL: no energy: section (cfg_lock held) */
	signed char *role;            /* per series: energy_role or -1 (capacity cap) */
	char **raw;                   /* per series: "device\0labels", until finish_labels */
	int nseries[ROLE_COUNT];      /* series energy_compute reads, per role */
};

static int series_cb(void *ctx, const struct store_series_info *info)
{
	struct build *b = ctx;
	char fam[200];
	double scale;
	const char *type;
	if (!prom_family(info->metric, info->kind == STORE_COUNTER, fam, sizeof(fam), &scale,
	                 &type))
		return 0;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		struct sser *p = realloc(b->v, cap * sizeof(*p));
		if (p)
			b->v = p;
		signed char *r = realloc(b->role, cap);
		if (r)
			b->role = r;
		char **raw = realloc(b->raw, cap * sizeof(*raw));
		if (raw)
			b->raw = raw;
		if (!p || !r || !raw) {
			b->rc = -ENOMEM;
			return 1;
		}
		b->cap = cap;
	}
	size_t ld = strlen(info->device) + 1, ll = strlen(info->labels) + 1;
	struct sser *x = &b->v[b->n];
	memset(x, 0, sizeof(*x));
	x->id = info->id;
	x->family = strdup(fam);
	x->metric = strdup(info->metric);
	x->type = type;
	x->scale = scale;
	b->raw[b->n] = malloc(ld + ll);
	if (!x->family || !x->metric || !b->raw[b->n]) {
		free(x->family);
		free(x->metric);
		free(b->raw[b->n]);
		b->rc = -ENOMEM;
		return 1;
	}
	memcpy(b->raw[b->n], info->device, ld);
	memcpy(b->raw[b->n] + ld, info->labels, ll);
	bool exact;
	int role = energy_series_role(b->m, info->device, info->metric, info->labels, &exact);
	b->role[b->n] = (signed char)role;
	if (role >= 0 && exact)
		b->nseries[role]++;
	b->n++;
	return 0;
}

/* Every series' labels as /metrics prints them (prom_series_labels: the device, the series'
 * own labels, its role in the energy model and side of the PUE at the model's category, the
 * site). */
static int finish_labels(struct build *b, const char *site, int category, enum energy_role it)
{
	for (size_t i = 0; i < b->n; i++) {
		struct sser *x = &b->v[i];
		const char *device = b->raw[i], *labels = device + strlen(device) + 1;
		struct sbuf lb = {0};
		prom_series_labels(device, labels, b->role[i], category, it, site, label_text, &lb);
		if (lb.oom) {
			sbuf_free(&lb);
			return -ENOMEM;
		}
		x->labels = lb.s;
	}
	return 0;
}

static int cmp_ser(const void *a, const void *b)
{
	const struct sser *x = a, *y = b;
	int c = strcmp(x->family, y->family);
	return c ? c : strcmp(x->labels, y->labels);
}

static void free_series(struct sser *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].family);
		free(v[i].metric);
		free(v[i].labels);
	}
	free(v);
}

/* The snapshot is stopping (http_snap_stop): a long lookup gives up. */
static bool stopping(void *ctx)
{
	struct snap *s = ctx;
	pthread_mutex_lock(&s->lock);
	bool stop = s->stop;
	pthread_mutex_unlock(&s->lock);
	return stop;
}

/* Keep the values already known; seed the other series with their last value of the past
 * 15 minutes and when it was read (the floor view tells live from stale by it), all in one
 * store_latest: one pass over the open hours in staging, not a scan of it per series. 0,
 * -ECANCELED when the snapshot is stopping, or -errno. */
static int seed(struct snap *s, struct sser *v, size_t n)
{
	size_t cap = n ? n : 1, m = 0;
	int64_t *ids = malloc(cap * sizeof(*ids)), *ts = malloc(cap * sizeof(*ts));
	double *val = malloc(cap * sizeof(*val));
	size_t *at = malloc(cap * sizeof(*at));
	int rc = ids && ts && val && at ? 0 : -ENOMEM;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct sser *old = find_id(s, v[i].id);
		if (old && old->have) {
			v[i].value = old->value;
			v[i].ts_ms = old->ts_ms;
			v[i].have = true;
		} else {
			ids[m] = v[i].id;
			at[m++] = i;
		}
	}
	int64_t now = util_wall_ms();
	if (rc == 0 && m)
		rc = store_latest(s->r, ids, m, now - 900000, now + 1000, val, ts, stopping, s);
	for (size_t k = 0; rc >= 0 && k < m; k++) {
		if (ts[k] == INT64_MIN)
			continue;
		v[at[k]].value = val[k];
		v[at[k]].ts_ms = ts[k];
		v[at[k]].have = true;
	}
	free(ids);
	free(ts);
	free(val);
	free(at);
	return rc < 0 ? rc : 0;
}

/* site="<site.id>" (escaped), malloc'ed. */
static char *site_label_of(const struct config *cfg)
{
	struct sbuf b = {0};
	sbuf_puts(&b, "site=\"");
	prom_escape(&b, cfg->site.id ? cfg->site.id : "");
	sbuf_puts(&b, "\"");
	if (b.oom) {
		sbuf_free(&b);
		return NULL;
	}
	return b.s;
}

/* Re-read the series list, keeping the values already known; new series are seeded with
 * their last value of the past 15 minutes (seed). The energy model and site come from the running
 * config (a reload shows here at the next rebuild, within 30 s). */
static int rebuild(struct snap *s)
{
	struct build b = {0};
	pthread_rwlock_rdlock(&s->h->cfg_lock);
	const struct energy_model *m = s->h->cfg->energy;
	b.m = m && m->present ? m : NULL;
	char *site = site_label_of(s->h->cfg);
	char *site_id = strdup(s->h->cfg->site.id ? s->h->cfg->site.id : "");
	int rc = site && site_id ? store_series_find(s->r, NULL, series_cb, &b) : -ENOMEM;
	enum energy_role it;
	int category = prom_pue_category(b.m, b.nseries, &it);
	pthread_rwlock_unlock(&s->h->cfg_lock);
	if (rc >= 0 && b.rc >= 0)
		b.rc = finish_labels(&b, site_id, category, it);
	free(b.role);
	for (size_t i = 0; i < b.n; i++)
		free(b.raw[i]);
	free(b.raw);
	free(site_id);
	if (rc < 0 || b.rc < 0) {
		free_series(b.v, b.n);
		free(site);
		return rc < 0 ? rc : b.rc;
	}
	free(s->site_label);
	s->site_label = site;
	s->model_category = category;
	if (b.n)
		qsort(b.v, b.n, sizeof(*b.v), cmp_ser);
	int seeded = seed(s, b.v, b.n);
	if (seeded < 0) {
		free_series(b.v, b.n);
		return seeded;
	}
	size_t cap = 16;
	while (cap < b.n * 2)
		cap *= 2;
	size_t *byid = calloc(cap, sizeof(*byid));
	if (!byid) {
		free_series(b.v, b.n);
		return -ENOMEM;
	}
	free_series(s->ser, s->nser);
	free(s->byid);
	s->ser = b.v;
	s->nser = b.n;
	s->byid = byid;
	s->idcap = cap;
	for (size_t i = 0; i < b.n; i++) {
		size_t j = id_slot(s, b.v[i].id);
		while (byid[j])
			j = (j + 1) & (cap - 1);
		byid[j] = i + 1;
	}
	return 0;
}

static int tail_cb(void *ctx, int64_t series, int64_t ts_ms, double value)
{
	struct snap *s = ctx;
	struct sser *x = find_id(s, series);
	if (!x) {
		s->unknown_seen = true;
		return 0;
	}
	if (!x->have || ts_ms >= x->ts_ms) {
		x->value = value;
		x->ts_ms = ts_ms;
		x->have = true;
	}
	return 0;
}

struct devbuild {
	struct sdev *v;
	size_t n, cap;
};

static int dev_cb(void *ctx, const struct store_device_state *ds)
{
	struct devbuild *b = ctx;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct sdev *p = realloc(b->v, cap * sizeof(*p));
		if (!p)
			return 1;
		b->v = p;
		b->cap = cap;
	}
	struct sdev *d = &b->v[b->n++];
	d->name = strdup(ds->name);
	d->driver = strdup(ds->driver);
	d->state = strdup(ds->state);
	d->duration_s = ds->last_duration_s;
	d->errors = ds->errors;
	d->last_ok_ms = ds->last_ok_ms;
	if (!d->name || !d->driver || !d->state) {
		free(d->name);
		free(d->driver);
		free(d->state);
		b->n--;
		return 1;
	}
	return 0;
}

static void free_devs(struct sdev *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].driver);
		free(v[i].state);
	}
	free(v);
}

static void family_head(struct sbuf *b, const char *name, const char *type, const char *help)
{
	sbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void put_num(struct sbuf *b, double v)
{
	if (isnan(v))
		sbuf_puts(b, "NaN");
	else if (isinf(v))
		sbuf_puts(b, v > 0 ? "+Inf" : "-Inf");
	else {
		/* Shortest of %.15g and %.17g that reads back exactly. */
		char t[40];
		snprintf(t, sizeof(t), "%.15g", v);
		if (strtod(t, NULL) != v)
			snprintf(t, sizeof(t), "%.17g", v);
		sbuf_puts(b, t);
	}
}

/* One stored series: a sample, or for an enum one sample per state (1 for the current). */
static void render_series(struct sbuf *b, const struct sser *x)
{
	size_t nst = prom_nstates(x->metric);
	if (!nst) {
		sbuf_printf(b, "%s{%s} ", x->family, x->labels);
		put_num(b, x->value * x->scale);
		sbuf_puts(b, "\n");
		return;
	}
	double cur = isfinite(x->value) ? round(x->value) : -1;
	for (size_t i = 0; i < nst; i++)
		sbuf_printf(b, "%s{%s,state=\"%s\"} %d\n", x->family, x->labels,
		            prom_state(x->metric, i), cur == (double)i);
}

static void render_stored(struct snap *s, struct sbuf *b)
{
	const char *fam = NULL;
	for (size_t i = 0; i < s->nser; i++) {
		struct sser *x = &s->ser[i];
		if (!x->have)
			continue;
		if (!fam || strcmp(fam, x->family) != 0) {
			fam = x->family;
			sbuf_printf(b, "# HELP %s ", x->family);
			prom_help(x->metric, strcmp(x->type, "counter") == 0, b);
			sbuf_printf(b, "\n# TYPE %s %s\n", x->family, x->type);
		}
		render_series(b, x);
	}
}

/* The devices table: errors and last success per device (greendc_device_up and
 * greendc_poll_duration_seconds are the poller's own stored series, rendered above). */
static void render_devices(struct snap *s, struct sbuf *b, const char *site)
{
	static const struct {
		const char *name, *type, *help;
	} dfam[] = {
	        {"greendc_device_poll_errors_total", "counter",
	         "Failed polls of the device since the daemon started."},
	        {"greendc_device_last_success_timestamp_seconds", "gauge",
	         "Wall clock of the device's last successful poll (0 = never)."},
	};
	for (size_t f = 0; f < sizeof(dfam) / sizeof(dfam[0]); f++) {
		if (!s->ndev)
			break;
		family_head(b, dfam[f].name, dfam[f].type, dfam[f].help);
		for (size_t i = 0; i < s->ndev; i++) {
			struct sdev *d = &s->dev[i];
			sbuf_printf(b, "%s{device=\"", dfam[f].name);
			prom_escape(b, d->name);
			sbuf_puts(b, "\",driver=\"");
			prom_escape(b, d->driver);
			sbuf_printf(b, "\",%s} ", site);
			double v = f == 0 ? (double)d->errors : (double)d->last_ok_ms / 1000.0;
			put_num(b, v);
			sbuf_puts(b, "\n");
		}
	}
}

static void render_outbox(struct snap *s, struct sbuf *b, const char *site)
{
	if (!s->have_obs)
		return;
	static const struct {
		const char *name, *type, *help;
	} of[] = {
	        {"greendc_outbox_items", "gauge", "Items waiting in the outbox."},
	        {"greendc_outbox_bytes", "gauge", "Payload bytes waiting in the outbox."},
	        {"greendc_outbox_dropped_total", "counter",
	         "Items dropped because the outbox was full (oldest first)."},
	        {"greendc_outbox_dropped_bytes_total", "counter",
	         "Payload bytes dropped because the outbox was full."},
	        {"greendc_outbox_delivered_total", "counter", "Items delivered (2xx)."},
	};
	const int64_t v[] = {s->obs.items, s->obs.bytes, s->obs.dropped, s->obs.dropped_bytes,
	                     s->obs.delivered};
	for (size_t f = 0; f < sizeof(of) / sizeof(of[0]); f++) {
		family_head(b, of[f].name, of[f].type, of[f].help);
		sbuf_printf(b, "%s{%s} %lld\n", of[f].name, site, (long long)v[f]);
	}
}

static void render(struct snap *s, struct sbuf *b)
{
	const char *site = s->site_label ? s->site_label : "site=\"\"";
	render_stored(s, b);
	render_devices(s, b, site);
	render_outbox(s, b, site);
	family_head(b, "greendc_build_info", "gauge",
	            "Always 1; the labels say which greendcd build is running.");
	sbuf_puts(b, "greendc_build_info{version=\"");
	prom_escape(b, GREENDC_VERSION);
	sbuf_printf(b, "\",%s} 1\n", site);
	family_head(b, "greendc_series", "gauge", "Series known to the store.");
	sbuf_printf(b, "greendc_series{%s} %zu\n", site, s->nser);
	if (s->model_category) {
		family_head(b, "greendc_pue_category", "gauge",
		            "PUE category of the energy model: the lowest metered IT level with "
		            "stored series (1 UPS output, 2 PDU output, 3 IT equipment input); "
		            "its series carry pue=\"it\".");
		sbuf_printf(b, "greendc_pue_category{%s} %d\n", site, s->model_category);
	}
	pthread_mutex_lock(&s->lock);
	bool have = s->have_pue;
	double pue = s->pue;
	int cat = s->category;
	pthread_mutex_unlock(&s->lock);
	if (have) {
		family_head(
		        b, "greendc_pue_interim_ratio", "gauge",
		        "Interim PUE: facility over IT mean power of the last 15 min "
		        "(a power ratio, not an energy PUE); category is the IT metering level.");
		sbuf_printf(b, "greendc_pue_interim_ratio{category=\"%d\",%s} ", cat, site);
		put_num(b, pue);
		sbuf_puts(b, "\n");
	}
}

static void interim(struct snap *s)
{
	double dc = 0, it = 0;
	int cat = 0;
	int rc = -ENOENT;
	pthread_rwlock_rdlock(&s->h->cfg_lock);
	const struct energy_model *m = s->h->cfg->energy;
	if (m && !energy_model_problem(m))
		rc = energy_interim(s->r, m, util_wall_ms(), 900000, &dc, &it, &cat);
	pthread_rwlock_unlock(&s->h->cfg_lock);
	pthread_mutex_lock(&s->lock);
	s->have_pue = rc == 0 && it > 0 && dc >= it;
	if (s->have_pue) {
		s->pue = dc / it;
		s->category = cat;
		s->pue_at = util_wall_ms();
	}
	pthread_mutex_unlock(&s->lock);
}

static void outbox_refresh(struct snap *s, int64_t now)
{
	char err[200];
	if (!s->ob && now >= s->next_ob_open) {
		s->ob = outbox_open(s->h->db_path, err, sizeof(err));
		s->next_ob_open = now + 60000; /* an old database without the table: retry slowly */
	}
	s->have_obs = s->ob && outbox_stats(s->ob, &s->obs) == 0;
}

static int cmp_val(const void *a, const void *b)
{
	int64_t x = ((const struct snap_val *)a)->id, y = ((const struct snap_val *)b)->id;
	return x < y ? -1 : x > y;
}

/* The latest value of every power_w series, sorted by id, for http_snap_latest(). */
static void publish_power(struct snap *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nser; i++)
		n += s->ser[i].have && strcmp(s->ser[i].metric, "power_w") == 0;
	struct snap_val *v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		return;
	n = 0;
	for (size_t i = 0; i < s->nser; i++)
		if (s->ser[i].have && strcmp(s->ser[i].metric, "power_w") == 0)
			v[n++] = (struct snap_val){s->ser[i].id, s->ser[i].value, s->ser[i].ts_ms};
	qsort(v, n, sizeof(*v), cmp_val);
	pthread_mutex_lock(&s->lock);
	free(s->pub);
	s->pub = v;
	s->npub = n;
	s->pub_gen++;
	pthread_mutex_unlock(&s->lock);
}

uint64_t http_snap_generation(struct snap *s)
{
	pthread_mutex_lock(&s->lock);
	uint64_t g = s->pub_gen;
	pthread_mutex_unlock(&s->lock);
	return g;
}

size_t http_snap_latest(struct snap *s, const int64_t *ids, size_t n, double *value, int64_t *ts_ms)
{
	size_t found = 0;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < n; i++) {
		struct snap_val key = {.id = ids[i]}, *hit = NULL;
		if (ids[i] && s->npub)
			hit = bsearch(&key, s->pub, s->npub, sizeof(key), cmp_val);
		value[i] = hit ? hit->value : NAN;
		ts_ms[i] = hit ? hit->ts_ms : 0;
		found += hit != NULL;
	}
	pthread_mutex_unlock(&s->lock);
	return found;
}

static void *snap_main(void *arg)
{
	struct snap *s = arg;
	int64_t next_rebuild = 0, next_pue = 0, next_ob = 0;
	for (;;) {
		int64_t now = util_mono_ms();
		if (now >= next_rebuild || s->unknown_seen) {
			s->unknown_seen = false;
			int rc = rebuild(s);
			if (rc == 0)
				next_rebuild = now + 30000;
			else if (rc == -ECANCELED)
				break; /* http_snap_stop during the lookup */
		}
		for (int i = 0; i < 20; i++) /* bounded: at most 20 x 50,000 samples a round */
			if (store_tail(s->r, &s->cursor, 50000, tail_cb, s) < 50000)
				break;
		publish_power(s);
		struct devbuild db = {0};
		if (store_devices_list(s->r, dev_cb, &db) >= 0) {
			free_devs(s->dev, s->ndev);
			s->dev = db.v;
			s->ndev = db.n;
		} else {
			free_devs(db.v, db.n);
		}
		if (now >= next_pue) {
			interim(s);
			next_pue = now + 15000;
		}
		if (now >= next_ob) {
			outbox_refresh(s, now);
			next_ob = now + 5000;
		}
		struct sbuf b = {0};
		render(s, &b);
		pthread_mutex_lock(&s->lock);
		if (!b.oom) {
			free(s->text);
			s->text = b.s;
			s->len = b.len;
		} else {
			sbuf_free(&b);
		}
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		while (!s->stop && pthread_cond_timedwait(&s->cond, &s->lock, &ts) == 0)
			;
		bool stop = s->stop;
		pthread_mutex_unlock(&s->lock);
		if (stop)
			break;
	}
	return NULL;
}

struct snap *http_snap_start(struct http_server *h, char *err, size_t errlen)
{
	struct snap *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->h = h;
	s->cursor = -1;
	s->r = store_reader_open(h->db_path, err, errlen);
	if (!s->r) {
		free(s);
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	if (pthread_create(&s->thread, NULL, snap_main, s) != 0) {
		snprintf(err, errlen, "cannot start the snapshot thread");
		store_reader_close(s->r);
		free(s);
		return NULL;
	}
	return s;
}

void http_snap_halt(struct snap *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

void http_snap_stop(struct snap *s)
{
	if (!s)
		return;
	http_snap_halt(s);
	pthread_join(s->thread, NULL);
	store_reader_close(s->r);
	outbox_close(s->ob);
	free_series(s->ser, s->nser);
	free(s->byid);
	free_devs(s->dev, s->ndev);
	free(s->site_label);
	free(s->text);
	free(s->pub);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s);
}

char *http_snap_metrics(struct snap *s, size_t *len)
{
	char *out = NULL;
	pthread_mutex_lock(&s->lock);
	if (s->text) {
		out = malloc(s->len + 1);
		if (out) {
			memcpy(out, s->text, s->len + 1);
			*len = s->len;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return out;
}

bool http_snap_interim_pue(struct snap *s, double *pue, int *category, int64_t *at_ms)
{
	pthread_mutex_lock(&s->lock);
	bool have = s->have_pue;
	*pue = s->pue;
	*category = s->category;
	*at_ms = s->pue_at;
	pthread_mutex_unlock(&s->lock);
	return have;
}
