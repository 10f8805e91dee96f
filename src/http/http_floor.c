/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The floor view's API: /api/v1/floor (halls, rows and racks with live kW, % of the derated
 * limit, measured peaks and A/B redundancy), /api/v1/rack (one rack's PDUs, phases and
 * outlets, with the month to date), /api/v1/tenants (every tenant's month to date) and
 * /api/v1/groups (energy per outlet, rack, row, hall or tenant per interval).
 *
 * What takes the store a while (capacity over the window, the tenants' statements) is
 * computed by a thread of its own every capacity.refresh and published as one immutable,
 * reference-counted snapshot; a request adds only the live power from the /metrics snapshot
 * (http_snap_latest). The racks' JSON is rendered on that thread too, all but each rack's
 * live kW and its % (render_racks), so /api/v1/floor writes two numbers a rack between
 * ready pieces and answers in milliseconds for thousands of racks. A snapshot remembers the
 * config it was computed with: after a reload it is not served (503) until the thread has
 * computed it again, and freeing it never touches that config.
 */
#include "analytics/capacity.h"
#include "analytics/floor.h"
#include "analytics/groups.h"
#include "analytics/statement.h"
#include "analytics/tenants.h"
#include "config/config.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "delivery/statement.h"
#include "http/http_internal.h"
#include "http/http_req.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STALE_MS (5 * 60000) /* a power reading older than this is not "now" */
/* Up to this many rack PDUs, the floor thread reads the hour still open too. Reading it
 * scans the store's staging table once per series (docs/internals/store.md): a larger floor
 * takes its peaks and the month to date up to the last hour the store has packed (at most
 * 70 minutes old); its live kW come from the snapshot either way. */
#define LIVE_PDUS 500
#define MAX_CELLS 200000 /* groups x intervals one /api/v1/groups answer may hold */

struct fsnap {
	int refs;     /* under floorview.lock */
	uint64_t seq; /* which computation (floorview.seq) */
	const struct config *cfg;
	int64_t computed_ms, window_ms;
	int64_t upto_ms; /* peaks and the month to date are as known at this instant */
	int64_t took_ms; /* how long the computation took (the floor thread's cost) */
	struct floor *fl;
	struct capacity_result cap;
	bool have_cap;
	char *tenants;        /* the month-to-date answer of /api/v1/tenants, rendered */
	struct rack_text *rt; /* per rack: its pieces of /api/v1/floor in text (render_racks) */
	char *text;
	char err[200];
};

/* An answer of /api/v1/floor, for one computation, one generation of the snapshot's live
 * power (http_snap_generation: about a second) and one hall or all: the requests of that
 * second copy it instead of writing it again. */
struct answer {
	uint64_t seq, gen;
	char hall[64]; /* "" = all halls */
	char *body;    /* NULL = empty slot */
	size_t len;
	char etag[40];
};
#define ANSWERS 4 /* the floor and a few halls */

struct floorview {
	struct http_server *h;
	pthread_t th;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop, kick, started;
	struct fsnap *cur;
	struct store_reader *r;
	uint64_t seq;          /* computations so far (the floor thread's) */
	pthread_mutex_t alock; /* guards ans, next_ans */
	struct answer ans[ANSWERS];
	unsigned next_ans;
};

static void fsnap_free(struct fsnap *s)
{
	if (!s)
		return;
	if (s->have_cap)
		capacity_result_free(&s->cap);
	floor_free(s->fl);
	free(s->tenants);
	free(s->rt);
	free(s->text);
	free(s);
}

static bool floor_configured(const struct config *cfg)
{
	for (size_t i = 0; i < cfg->ndevices; i++)
		for (size_t j = 0; j < cfg->devices[i].nlabels; j++)
			if (strcmp(cfg->devices[i].labels[j].key, "rack") == 0)
				return true;
	return cfg->tenants && cfg->tenants->n;
}

/* The tenants' month to date, as /api/v1/tenants answers it: each tenant's summary from the
 * statement JSON (statement_json), nothing recomputed. */
static char *tenants_summary(const struct config *cfg, struct store_reader *r, int64_t now)
{
	char month[16];
	time_local_label(time_local_floor(now, TIME_MONTH), TIME_MONTH, month, sizeof(month));
	struct statement_set s;
	if (statement_compute(cfg, r, month, NULL, now, &s) < 0)
		return NULL;
	cJSON *all = statement_json(cfg, &s, now), *st, *out = cJSON_CreateObject();
	statement_set_free(&s);
	cJSON_AddItemToObject(out, "period",
	                      cJSON_Duplicate(cJSON_GetObjectItem(all, "period"), 1));
	cJSON_AddItemToObject(out, "in_progress",
	                      cJSON_Duplicate(cJSON_GetObjectItem(all, "in_progress"), 1));
	cJSON_AddItemToObject(out, "elapsed_share",
	                      cJSON_Duplicate(cJSON_GetObjectItem(all, "elapsed_share"), 1));
	cJSON_AddNumberToObject(out, "computed_ms", (double)now);
	cJSON *a = cJSON_AddArrayToObject(out, "tenants");
	cJSON_ArrayForEach(st, cJSON_GetObjectItem(all, "statements"))
	{
		cJSON *o = cJSON_CreateObject(), *e = cJSON_GetObjectItem(st, "energy");
		cJSON *tn = cJSON_GetObjectItem(st, "tenant"), *c = cJSON_GetObjectItem(st, "cost");
		cJSON *pk = cJSON_GetObjectItem(st, "peak_demand");
		static const char *const ek[] = {"kwh", "estimated_kwh", "coverage", "status",
		                                 "derived"};
		cJSON_AddItemToObject(o, "name",
		                      cJSON_Duplicate(cJSON_GetObjectItem(tn, "name"), 1));
		cJSON_AddItemToObject(o, "title",
		                      cJSON_Duplicate(cJSON_GetObjectItem(tn, "title"), 1));
		for (size_t i = 0; i < sizeof(ek) / sizeof(ek[0]); i++)
			cJSON_AddItemToObject(o, ek[i],
			                      cJSON_Duplicate(cJSON_GetObjectItem(e, ek[i]), 1));
		cJSON_AddItemToObject(o, "racks",
		                      cJSON_Duplicate(cJSON_GetObjectItem(e, "racks"), 1));
		cJSON_AddItemToObject(o, "peak_kw",
		                      cJSON_Duplicate(cJSON_GetObjectItem(pk, "kw"), 1));
		if (cJSON_GetObjectItem(pk, "at"))
			cJSON_AddItemToObject(o, "peak_at",
			                      cJSON_Duplicate(cJSON_GetObjectItem(pk, "at"), 1));
		cJSON_AddItemToObject(o, "cost",
		                      cJSON_Duplicate(cJSON_GetObjectItem(c, "total"), 1));
		if (cJSON_GetObjectItem(c, "currency"))
			cJSON_AddItemToObject(
			        o, "currency",
			        cJSON_Duplicate(cJSON_GetObjectItem(c, "currency"), 1));
		cJSON_AddItemToObject(
		        o, "meter_checks_ok",
		        cJSON_Duplicate(cJSON_GetObjectItem(st, "meter_checks_ok"), 1));
		cJSON_AddItemToArray(a, o);
	}
	char *text = cJSON_PrintUnformatted(out);
	cJSON_Delete(out);
	cJSON_Delete(all);
	return text;
}

struct rack_text;
static int render_racks(struct fsnap *s);

/* http_floor_halt was called: a computation under way stops at the next step (a step of a
 * 5,000-rack floor takes a second or two). */
static bool stopping(struct floorview *fv)
{
	pthread_mutex_lock(&fv->lock);
	bool stop = fv->stop;
	pthread_mutex_unlock(&fv->lock);
	return stop;
}

/* One computation with the config now in force (cfg_lock held for reading). */
static struct fsnap *compute(struct floorview *fv, const struct config *cfg)
{
	struct fsnap *s = calloc(1, sizeof(*s));
	int64_t now = util_wall_ms(), t0 = util_mono_ms();
	if (!s)
		return NULL;
	s->cfg = cfg;
	s->seq = ++fv->seq;
	s->computed_ms = now;
	s->window_ms = capacity_config_get(cfg)->window_ms;
	if (!fv->r && !(fv->r = store_reader_open(fv->h->db_path, s->err, sizeof(s->err))))
		return s;
	s->fl = floor_build(cfg, fv->r, s->err, sizeof(s->err));
	if (!s->fl)
		return s;
	if (stopping(fv))
		goto out_unserved;
	/* A packed hour: ended, and 10 minutes of data time past its end (the writer's rule). */
	s->upto_ms = s->fl->npdus <= LIVE_PDUS ? now : (now - 15 * 60000) / 3600000 * 3600000;
	int rc = capacity_compute(cfg, s->fl, fv->r, s->upto_ms - s->window_ms, s->upto_ms, 0,
	                          &s->cap);
	s->have_cap = rc == 0;
	if (rc < 0)
		snprintf(s->err, sizeof(s->err), "capacity: %s", strerror(-rc));
	if (stopping(fv)) /* (the daemon is stopping: not worth the statements) */
		goto out_unserved;
	if (render_racks(s) < 0) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		goto out_unserved;
	}
	/* As known just before upto: a large floor's month to date then reads packed hours
	 * only (an instant on an hour boundary would ask for the hour it opens, raw). */
	if (cfg->tenants && cfg->tenants->n)
		s->tenants = tenants_summary(cfg, fv->r, s->upto_ms == now ? now : s->upto_ms - 1);
	s->took_ms = util_mono_ms() - t0;
	return s;
out_unserved: /* frees the floor: answered 503 until the next computation */
	floor_free(s->fl);
	s->fl = NULL;
	s->took_ms = util_mono_ms() - t0;
	return s;
}

static void publish(struct floorview *fv, struct fsnap *s)
{
	pthread_mutex_lock(&fv->lock);
	struct fsnap *old = fv->cur;
	fv->cur = s;
	bool free_old = old && --old->refs == 0;
	pthread_mutex_unlock(&fv->lock);
	if (free_old)
		fsnap_free(old);
}

static void *floor_main(void *arg)
{
	struct floorview *fv = arg;
	struct http_server *h = fv->h;
	pthread_mutex_lock(&fv->lock);
	while (!fv->stop) {
		fv->kick = false;
		pthread_mutex_unlock(&fv->lock);
		pthread_rwlock_rdlock(&h->cfg_lock);
		const struct config *cfg = h->cfg;
		int64_t every = capacity_config_get(cfg)->refresh_ms;
		struct fsnap *s = floor_configured(cfg) ? compute(fv, cfg) : NULL;
		if (s)
			s->refs = 1;
		pthread_rwlock_unlock(&h->cfg_lock);
		publish(fv, s);
		pthread_mutex_lock(&fv->lock);
		struct timespec t;
		clock_gettime(CLOCK_REALTIME, &t);
		t.tv_sec += every / 1000;
		t.tv_nsec += (every % 1000) * 1000000L;
		if (t.tv_nsec >= 1000000000L) {
			t.tv_sec++;
			t.tv_nsec -= 1000000000L;
		}
		while (!fv->stop && !fv->kick &&
		       pthread_cond_timedwait(&fv->cond, &fv->lock, &t) == 0)
			;
	}
	pthread_mutex_unlock(&fv->lock);
	return NULL;
}

struct floorview *http_floor_start(struct http_server *h, char *err, size_t errlen)
{
	struct floorview *fv = calloc(1, sizeof(*fv));
	if (!fv) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	fv->h = h;
	pthread_mutex_init(&fv->lock, NULL);
	pthread_mutex_init(&fv->alock, NULL);
	pthread_cond_init(&fv->cond, NULL);
	if (pthread_create(&fv->th, NULL, floor_main, fv) != 0) {
		snprintf(err, errlen, "cannot start the floor view thread");
		http_floor_stop(fv);
		return NULL;
	}
	fv->started = true;
	return fv;
}

void http_floor_halt(struct floorview *fv)
{
	if (!fv)
		return;
	pthread_mutex_lock(&fv->lock);
	fv->stop = true;
	pthread_cond_signal(&fv->cond);
	pthread_mutex_unlock(&fv->lock);
}

void http_floor_stop(struct floorview *fv)
{
	if (!fv)
		return;
	if (fv->started) {
		http_floor_halt(fv);
		pthread_join(fv->th, NULL);
	}
	if (fv->cur && --fv->cur->refs == 0)
		fsnap_free(fv->cur);
	store_reader_close(fv->r);
	for (int i = 0; i < ANSWERS; i++)
		free(fv->ans[i].body);
	pthread_mutex_destroy(&fv->alock);
	pthread_mutex_destroy(&fv->lock);
	pthread_cond_destroy(&fv->cond);
	free(fv);
}

void http_floor_kick(struct floorview *fv)
{
	if (!fv)
		return;
	pthread_mutex_lock(&fv->lock);
	fv->kick = true;
	pthread_cond_signal(&fv->cond);
	pthread_mutex_unlock(&fv->lock);
}

/* The published snapshot for a request (a reference: put it back), or NULL with the reply
 * already an error. */
static struct fsnap *take(struct http_req *q)
{
	struct floorview *fv = q->h->floor;
	struct fsnap *s = NULL;
	if (fv) {
		pthread_mutex_lock(&fv->lock);
		s = fv->cur;
		if (s)
			s->refs++;
		pthread_mutex_unlock(&fv->lock);
	}
	if (!s && !floor_configured(q->h->cfg)) {
		http_reply_error(q, 404, "no racks: no device has a rack label (docs/tenants.md)");
		return NULL;
	}
	if (!s || s->cfg != q->h->cfg || !s->fl) {
		http_reply_error(q, 503, "the floor view is being computed%s%s; ask again shortly",
		                 s && s->err[0] ? ": " : "", s ? s->err : "");
		if (s) {
			pthread_mutex_lock(&fv->lock);
			bool last = --s->refs == 0;
			pthread_mutex_unlock(&fv->lock);
			if (last)
				fsnap_free(s);
		}
		return NULL;
	}
	return s;
}

static void put(struct http_req *q, struct fsnap *s)
{
	struct floorview *fv = q->h->floor;
	pthread_mutex_lock(&fv->lock);
	bool last = --s->refs == 0;
	pthread_mutex_unlock(&fv->lock);
	if (last)
		fsnap_free(s);
}

static cJSON *num(double v)
{
	return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

/* Live kW of every PDU (NAN where stale or none). */
static double *live_kw(struct http_req *q, const struct floor *fl)
{
	size_t n = fl->npdus ? fl->npdus : 1;
	int64_t *ids = malloc(n * sizeof(*ids)), *ts = malloc(n * sizeof(*ts));
	double *kw = malloc(n * sizeof(*kw));
	if (!ids || !ts || !kw) {
		free(ids);
		free(ts);
		free(kw);
		return NULL;
	}
	for (size_t i = 0; i < fl->npdus; i++)
		ids[i] = fl->pdus[i].power.id;
	http_snap_latest(q->h->snap, ids, fl->npdus, kw, ts);
	int64_t now = util_wall_ms();
	for (size_t i = 0; i < fl->npdus; i++)
		kw[i] = now - ts[i] <= STALE_MS ? kw[i] / 1000.0 : NAN;
	free(ids);
	free(ts);
	return kw;
}

static const char *tenant_of(const struct config *cfg, const struct floor_rack *rk)
{
	return rk->tenant >= 0 && cfg->tenants ? cfg->tenants->t[rk->tenant].name : NULL;
}

static cJSON *rack_json(const struct config *cfg, const struct fsnap *s, size_t k, const double *kw,
                        int *risk, int *over)
{
	const struct floor_rack *rk = &s->fl->racks[k];
	const struct capacity_rack_fig *f = s->have_cap ? &s->cap.rack[k] : NULL;
	cJSON *o = cJSON_CreateObject(), *feeds = cJSON_CreateArray();
	double sum = rk->npdus ? 0 : NAN;
	for (size_t i = 0; i < rk->npdus; i++)
		sum += kw[rk->pdu0 + i];
	const char *t = tenant_of(cfg, rk);
	cJSON_AddStringToObject(o, "name", rk->name);
	cJSON_AddItemToObject(o, "tenant", t ? cJSON_CreateString(t) : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "kw", num(sum));
	cJSON_AddItemToObject(o, "limit_kw", num(f ? f->limit_kw : NAN));
	cJSON_AddItemToObject(o, "pct", num(f ? sum / f->limit_kw : NAN));
	cJSON_AddItemToObject(o, "peak_1m_kw", num(f ? f->peak1_kw : NAN));
	cJSON_AddItemToObject(o, "peak_15m_kw", num(f ? f->peak15_kw : NAN));
	cJSON_AddItemToObject(o, "peak_pct", num(f ? f->util : NAN));
	cJSON_AddStringToObject(o, "ab", capacity_ab_name(f ? f->ab : AB_UNKNOWN));
	for (int sd = 0; f && sd < f->nsides; sd++) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "feed", f->sides[sd].feed);
		cJSON_AddItemToObject(x, "limit_kw", num(f->sides[sd].limit_kw));
		cJSON_AddItemToObject(x, "peak_1m_kw", num(f->sides[sd].peak1_kw));
		cJSON_AddBoolToObject(x, "carries", f->sides[sd].carries);
		cJSON_AddItemToArray(feeds, x);
	}
	cJSON_AddItemToObject(o, "feeds", feeds);
	cJSON_AddNumberToObject(o, "pdus", (double)rk->npdus);
	*risk += f && f->ab == AB_RISK;
	*over += f && (f->util > 1 || sum > f->limit_kw);
	return o;
}

/* ---- /api/v1/floor written straight from parts rendered by the floor thread ----
 *
 * A rack's JSON is the same as rack_json's, but all of it except the live kW and its % is
 * rendered once per computation (render_racks, on the floor thread), so a request writes
 * two numbers a rack between the pieces instead of building and printing some 30 cJSON
 * items a rack (5,000 racks: a 1.5 MB answer). Numbers and strings go through cJSON's own
 * printer, so the text is the one rack_json's would print. */

/* cJSON's text of a number (null when not finite) or of a string. */
static void put_num(struct sbuf *b, double v)
{
	char t[64];
	cJSON n = {.type = cJSON_Number};
	cJSON_SetNumberHelper(&n, v);
	if (cJSON_PrintPreallocated(&n, t, sizeof(t), false))
		sbuf_puts(b, t);
	else
		b->oom = true;
}

static void put_str(struct sbuf *b, const char *s)
{
	char t[512];
	cJSON n = {.type = cJSON_String, .valuestring = (char *)s};
	if (strlen(s) < 80 && cJSON_PrintPreallocated(&n, t, sizeof(t), false)) {
		sbuf_puts(b, t);
		return;
	}
	char *p = cJSON_PrintUnformatted(&n);
	if (p)
		sbuf_puts(b, p);
	else
		b->oom = true;
	free(p);
}

/* Each rack's pieces: text[pre, mid) before its kW, [mid, post) between kW and %, [post,
 * end) after the %. */
struct rack_text {
	size_t pre, mid, post, end;
};

static int render_racks(struct fsnap *s)
{
	struct sbuf b = {0};
	s->rt = calloc(s->fl->nracks ? s->fl->nracks : 1, sizeof(*s->rt));
	if (!s->rt)
		return -ENOMEM;
	for (size_t k = 0; k < s->fl->nracks; k++) {
		const struct floor_rack *rk = &s->fl->racks[k];
		const struct capacity_rack_fig *f = s->have_cap ? &s->cap.rack[k] : NULL;
		const char *t = tenant_of(s->cfg, rk);
		struct rack_text *x = &s->rt[k];
		x->pre = b.len;
		sbuf_puts(&b, "{\"name\":");
		put_str(&b, rk->name);
		sbuf_puts(&b, ",\"tenant\":");
		if (t)
			put_str(&b, t);
		else
			sbuf_puts(&b, "null");
		sbuf_puts(&b, ",\"kw\":");
		x->mid = b.len;
		sbuf_puts(&b, ",\"limit_kw\":");
		put_num(&b, f ? f->limit_kw : NAN);
		sbuf_puts(&b, ",\"pct\":");
		x->post = b.len;
		sbuf_puts(&b, ",\"peak_1m_kw\":");
		put_num(&b, f ? f->peak1_kw : NAN);
		sbuf_puts(&b, ",\"peak_15m_kw\":");
		put_num(&b, f ? f->peak15_kw : NAN);
		sbuf_puts(&b, ",\"peak_pct\":");
		put_num(&b, f ? f->util : NAN);
		sbuf_puts(&b, ",\"ab\":");
		put_str(&b, capacity_ab_name(f ? f->ab : AB_UNKNOWN));
		sbuf_puts(&b, ",\"feeds\":[");
		for (int sd = 0; f && sd < f->nsides; sd++) {
			sbuf_puts(&b, sd ? ",{\"feed\":" : "{\"feed\":");
			put_str(&b, f->sides[sd].feed);
			sbuf_puts(&b, ",\"limit_kw\":");
			put_num(&b, f->sides[sd].limit_kw);
			sbuf_puts(&b, ",\"peak_1m_kw\":");
			put_num(&b, f->sides[sd].peak1_kw);
			sbuf_puts(&b, f->sides[sd].carries ? ",\"carries\":true}"
			                                   : ",\"carries\":false}");
		}
		sbuf_puts(&b, "],\"pdus\":");
		put_num(&b, (double)rk->npdus);
		sbuf_puts(&b, "}");
		x->end = b.len;
	}
	if (b.oom) {
		sbuf_free(&b);
		return -ENOMEM;
	}
	s->text = b.s;
	return 0;
}

/* A copy of the kept answer for (seq, gen, hall) into out: false when there is none. */
static bool answer_copy(struct floorview *fv, uint64_t seq, uint64_t gen, const char *hall,
                        struct http_reply *out)
{
	bool hit = false;
	pthread_mutex_lock(&fv->alock);
	for (int i = 0; i < ANSWERS && !hit; i++) {
		struct answer *a = &fv->ans[i];
		if (!a->body || a->seq != seq || a->gen != gen || strcmp(a->hall, hall) != 0)
			continue;
		hit = true;
		out->body = malloc(a->len + 1);
		if (out->body) {
			memcpy(out->body, a->body, a->len + 1);
			out->len = a->len;
			out->status = 200;
			memcpy(out->etag, a->etag, sizeof(out->etag));
		}
	}
	pthread_mutex_unlock(&fv->alock);
	return hit && out->body;
}

/* Keep a copy of an answer (body with its NUL) for the requests of the same second. */
static void answer_keep(struct floorview *fv, uint64_t seq, uint64_t gen, const char *hall,
                        const char *body, size_t len, const char *etag)
{
	char *copy = strlen(hall) < sizeof(fv->ans[0].hall) ? malloc(len + 1) : NULL;
	if (!copy)
		return;
	memcpy(copy, body, len + 1);
	pthread_mutex_lock(&fv->alock);
	struct answer *a = NULL;
	for (int i = 0; i < ANSWERS && !a; i++)
		if (fv->ans[i].body && strcmp(fv->ans[i].hall, hall) == 0)
			a = &fv->ans[i]; /* this hall's older answer */
	if (!a)
		a = &fv->ans[fv->next_ans++ % ANSWERS];
	free(a->body);
	*a = (struct answer){.seq = seq, .gen = gen, .body = copy, .len = len};
	snprintf(a->hall, sizeof(a->hall), "%s", hall);
	snprintf(a->etag, sizeof(a->etag), "%s", etag);
	pthread_mutex_unlock(&fv->alock);
}

void http_api_floor(struct http_req *q, struct store_reader *r)
{
	static const char *const known[] = {"hall", NULL};
	(void)r;
	if (!http_req_only(q, known))
		return;
	const char *only = http_req_arg(q, "hall");
	struct fsnap *s = take(q);
	if (!s)
		return;
	uint64_t gen = http_snap_generation(q->h->snap);
	if (answer_copy(q->h->floor, s->seq, gen, only ? only : "", q->out)) {
		put(q, s);
		return;
	}
	int64_t live_ms = util_wall_ms();
	double *kw = s->rt ? live_kw(q, s->fl) : NULL;
	if (!kw) {
		put(q, s);
		http_reply_error(q, 500, "out of memory");
		return;
	}
	struct sbuf h = {0}, b = {0};
	int risk = 0, over = 0, n = 0;
	const char *ch = NULL, *cr = NULL;
	sbuf_puts(&h, "[");
	for (size_t k = 0; k < s->fl->nracks; k++) {
		const struct floor_rack *rk = &s->fl->racks[k];
		const struct capacity_rack_fig *f = s->have_cap ? &s->cap.rack[k] : NULL;
		const struct rack_text *x = &s->rt[k];
		if (only && strcmp(only, rk->hall) != 0)
			continue;
		if (!ch || strcmp(ch, rk->hall) != 0) {
			sbuf_puts(&h, ch ? "]}]},{\"name\":" : "{\"name\":");
			put_str(&h, rk->hall);
			sbuf_puts(&h, ",\"rows\":[");
			ch = rk->hall;
			cr = NULL;
		}
		if (!cr || strcmp(cr, rk->row) != 0) {
			sbuf_puts(&h, cr ? "]},{\"name\":" : "{\"name\":");
			put_str(&h, rk->row);
			sbuf_puts(&h, ",\"racks\":[");
			cr = rk->row;
		} else {
			sbuf_puts(&h, ",");
		}
		double sum = rk->npdus ? 0 : NAN;
		for (size_t i = 0; i < rk->npdus; i++)
			sum += kw[rk->pdu0 + i];
		sbuf_add(&h, s->text + x->pre, x->mid - x->pre);
		put_num(&h, sum);
		sbuf_add(&h, s->text + x->mid, x->post - x->mid);
		put_num(&h, f ? sum / f->limit_kw : NAN);
		sbuf_add(&h, s->text + x->post, x->end - x->post);
		risk += f && f->ab == AB_RISK;
		over += f && (f->util > 1 || sum > f->limit_kw);
		n++;
	}
	sbuf_puts(&h, ch ? "]}]}]" : "]");
	sbuf_puts(&b, "{\"computed_ms\":");
	put_num(&b, (double)s->computed_ms);
	sbuf_puts(&b, ",\"live_ms\":");
	put_num(&b, (double)live_ms);
	sbuf_puts(&b, ",\"peaks_to_ms\":");
	put_num(&b, (double)s->upto_ms);
	sbuf_puts(&b, ",\"compute_took_ms\":");
	put_num(&b, (double)s->took_ms);
	sbuf_puts(&b, ",\"window_s\":");
	put_num(&b, (double)(s->window_ms / 1000));
	sbuf_puts(&b, ",\"derating\":");
	put_num(&b, capacity_config_get(q->h->cfg)->derating);
	sbuf_printf(&b, ",\"counts\":{\"racks\":%d,\"ab_risk\":%d,\"over_limit\":%d},\"halls\":", n,
	            risk, over);
	if (!h.oom)
		sbuf_add(&b, h.s, h.len);
	sbuf_puts(&b, "}\n");
	free(kw);
	bool oom = h.oom || b.oom;
	sbuf_free(&h);
	if (oom) {
		put(q, s);
		sbuf_free(&b);
		http_reply_error(q, 500, "out of memory");
		return;
	}
	uint8_t d[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];
	sha256(b.s, b.len, d);
	sha256_hex(d, hex);
	snprintf(q->out->etag, sizeof(q->out->etag), "\"%.24s\"", hex);
	answer_keep(q->h->floor, s->seq, gen, only ? only : "", b.s, b.len, q->out->etag);
	put(q, s);
	q->out->status = 200;
	q->out->body = b.s;
	q->out->len = b.len;
}

/* One rack's PDUs with their capacity figures and live power. */
static cJSON *pdus_json(const struct fsnap *s, const struct floor_rack *rk, const double *kw)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < rk->npdus; i++) {
		const struct floor_pdu *p = &s->fl->pdus[rk->pdu0 + i];
		const struct capacity_pdu_fig *f = s->have_cap ? &s->cap.pdu[rk->pdu0 + i] : NULL;
		cJSON *o = cJSON_CreateObject(), *ph = cJSON_CreateArray();
		cJSON_AddStringToObject(o, "device", p->dev->name);
		cJSON_AddStringToObject(o, "feed", p->feed);
		cJSON_AddItemToObject(o, "kw", num(kw[rk->pdu0 + i]));
		cJSON_AddItemToObject(o, "limit_kw", num(f ? f->limit_kw : NAN));
		cJSON_AddItemToObject(o, "rated_kw", num(f ? f->rated_kw : NAN));
		if (f && f->limit_from)
			cJSON_AddStringToObject(o, "rated_from", f->limit_from);
		cJSON_AddItemToObject(o, "limit_a", num(f ? f->limit_a : NAN));
		cJSON_AddItemToObject(o, "peak_1m_kw", num(f ? f->peak1_kw : NAN));
		cJSON_AddItemToObject(o, "peak_15m_kw", num(f ? f->peak15_kw : NAN));
		cJSON_AddItemToObject(o, "peak_pct", num(f ? f->util : NAN));
		cJSON_AddItemToObject(o, "peak_phase_a", num(f ? f->peak_phase_a : NAN));
		cJSON_AddItemToObject(o, "imbalance_pct", num(f ? f->imbalance_pct : NAN));
		for (int k = 0; k < p->nphase; k++) {
			cJSON *x = cJSON_CreateObject();
			cJSON_AddStringToObject(x, "phase", p->phase[k]);
			cJSON_AddItemToObject(x, "a", num(f ? f->phase_a[k] : NAN));
			cJSON_AddItemToArray(ph, x);
		}
		cJSON_AddItemToObject(o, "phases", ph);
		cJSON_AddNumberToObject(o, "power_series", (double)p->power.id);
		cJSON_AddNumberToObject(o, "energy_series", (double)p->energy.id);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

/* The rack's outlets: live power and the month to date (groups_compute). */
static cJSON *outlets_json(struct http_req *q, struct store_reader *r, const struct fsnap *s,
                           const struct floor_rack *rk, cJSON **mtd)
{
	int64_t now = util_wall_ms(), from = time_local_floor(now, TIME_MONTH);
	const struct config *cfg = q->h->cfg;
	struct group_energy ge, gr;
	/* Up to the last whole hour (the engine's slots), as known just before it: the hour
	 * open now is not read (the store reads it raw, a scan of staging per series). */
	int64_t to = now - (now - from) % 3600000;
	bool have_o = to > from && groups_compute(cfg, s->fl, r, GROUP_OUTLET, rk->name, from, to,
	                                          STEP_WHOLE, to - 1, &ge) == 0;
	bool have_r = to > from && groups_compute(cfg, s->fl, r, GROUP_RACK, rk->name, from, to,
	                                          STEP_WHOLE, to - 1, &gr) == 0;
	cJSON *a = cJSON_CreateArray();
	*mtd = cJSON_CreateObject();
	if (have_r && gr.n) {
		const struct group_cell *c = group_cell(&gr.acc, 0, gr.acc.niv);
		char b[32];
		time_format_utc(to, b, sizeof(b));
		cJSON_AddStringToObject(*mtd, "to", b);
		cJSON_AddNumberToObject(*mtd, "kwh", c->kwh);
		cJSON_AddNumberToObject(*mtd, "coverage", c->coverage);
		cJSON_AddStringToObject(*mtd, "status", energy_status_name(c->status));
		cJSON_AddStringToObject(*mtd, "source", group_source_name(gr.info[0].source));
	}
	size_t k = 0;
	for (size_t i = 0; i < rk->npdus; i++) {
		const struct floor_pdu *p = &s->fl->pdus[rk->pdu0 + i];
		for (size_t j = 0; j < p->noutlets; j++, k++) {
			const struct floor_outlet *ol = &s->fl->outlets[p->outlet0 + j];
			double w = NAN;
			int64_t ts = 0;
			http_snap_latest(q->h->snap, &ol->power.id, 1, &w, &ts);
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "outlet", ol->name);
			cJSON_AddStringToObject(o, "pdu", p->dev->name);
			cJSON_AddStringToObject(o, "feed", p->feed);
			cJSON_AddItemToObject(o, "kw", num(now - ts <= STALE_MS ? w / 1000 : NAN));
			const struct group_cell *c =
			        have_o && k < ge.n ? group_cell(&ge.acc, k, ge.acc.niv) : NULL;
			cJSON_AddItemToObject(o, "kwh_month", num(c ? c->kwh : NAN));
			cJSON_AddStringToObject(o, "status",
			                        c ? energy_status_name(c->status) : "MISSING");
			cJSON_AddNumberToObject(o, "power_series", (double)ol->power.id);
			cJSON_AddNumberToObject(o, "energy_series", (double)ol->energy.id);
			cJSON_AddItemToArray(a, o);
		}
	}
	if (have_o)
		group_energy_free(&ge);
	if (have_r)
		group_energy_free(&gr);
	return a;
}

void http_api_rack(struct http_req *q, struct store_reader *r)
{
	static const char *const known[] = {"name", NULL};
	if (!http_req_only(q, known))
		return;
	const char *name = http_req_arg(q, "name");
	if (!name) {
		http_reply_error(q, 400, "name: the rack, as its devices' rack label names it");
		return;
	}
	struct fsnap *s = take(q);
	if (!s)
		return;
	long k = floor_rack_find(s->fl, name);
	double *kw = k >= 0 ? live_kw(q, s->fl) : NULL;
	if (!kw) {
		put(q, s);
		if (k < 0)
			http_reply_error(q, 404, "no rack named %.64s", name);
		else
			http_reply_error(q, 500, "out of memory");
		return;
	}
	const struct floor_rack *rk = &s->fl->racks[k];
	int risk = 0, over = 0;
	cJSON *o = rack_json(q->h->cfg, s, (size_t)k, kw, &risk, &over), *mtd;
	cJSON_AddStringToObject(o, "hall", rk->hall);
	cJSON_AddStringToObject(o, "row", rk->row);
	cJSON_AddItemToObject(o, "pdu_list", pdus_json(s, rk, kw));
	cJSON_AddItemToObject(o, "outlets", outlets_json(q, r, s, rk, &mtd));
	cJSON_AddItemToObject(o, "month_to_date", mtd);
	cJSON_AddNumberToObject(o, "computed_ms", (double)s->computed_ms);
	cJSON_AddNumberToObject(o, "window_s", (double)(s->window_ms / 1000));
	free(kw);
	put(q, s);
	http_reply_json(q, 200, o);
}

void http_api_tenants(struct http_req *q, struct store_reader *r)
{
	static const char *const known[] = {NULL};
	(void)r;
	if (!http_req_only(q, known))
		return;
	if (!q->h->cfg->tenants || !q->h->cfg->tenants->n) {
		http_reply_error(q, 404, "no tenants: section in the config (docs/tenants.md)");
		return;
	}
	struct fsnap *s = take(q);
	if (!s)
		return;
	if (!s->tenants) {
		put(q, s);
		http_reply_error(q, 503, "the tenants' month to date is being computed");
		return;
	}
	q->out->status = 200;
	q->out->len = strlen(s->tenants) + 1;
	q->out->body = malloc(q->out->len + 1);
	if (q->out->body)
		snprintf(q->out->body, q->out->len + 1, "%s\n", s->tenants);
	else
		q->out->len = 0;
	put(q, s);
}

static bool groups_range(struct http_req *q, int64_t *from, int64_t *to)
{
	const char *p = http_req_arg(q, "period"), *f = http_req_arg(q, "from");
	const char *t = http_req_arg(q, "to");
	int64_t now = util_wall_ms();
	if (p) {
		struct energy_period ep;
		if (f || t || energy_period_parse(p, &ep) < 0) {
			http_reply_error(q, 400,
			                 "period: 2026, 2026-10 or 2026-10-05 (not with from/to)");
			return false;
		}
		*from = ep.from_ms;
		*to = ep.to_ms;
		return true;
	}
	if (!f || !t || time_parse(f, now, from) < 0 || time_parse(t, now, to) < 0 ||
	    *to <= *from) {
		http_reply_error(q, 400, "give period, or from and to (ISO 8601 or -30d, now)");
		return false;
	}
	return true;
}

void http_api_groups(struct http_req *q, struct store_reader *r)
{
	static const char *const known[] = {"level", "period", "from", "to", "by", "name", NULL};
	static const struct {
		const char *n;
		enum energy_step s;
	} bys[] = {{"15min", STEP_15MIN},
	           {"hour", STEP_HOUR},
	           {"day", STEP_DAY},
	           {"month", STEP_MONTH}};
	enum group_level level = GROUP_RACK;
	enum energy_step by = STEP_WHOLE;
	int64_t from, to;
	if (!http_req_only(q, known))
		return;
	const char *lv = http_req_arg(q, "level"), *b = http_req_arg(q, "by");
	if (lv && group_level_parse(lv, &level) < 0) {
		http_reply_error(q, 400, "level: outlet, rack, row, hall or tenant");
		return;
	}
	bool ok = !b;
	for (size_t i = 0; b && i < sizeof(bys) / sizeof(bys[0]); i++)
		if (strcmp(b, bys[i].n) == 0) {
			by = bys[i].s;
			ok = true;
		}
	if (!ok) {
		http_reply_error(q, 400, "by: 15min, hour, day or month");
		return;
	}
	if (!groups_range(q, &from, &to))
		return;
	if (to - from > 400 * INT64_C(86400000)) {
		http_reply_error(q, 400, "at most 400 days at once");
		return;
	}
	struct fsnap *s = take(q);
	if (!s)
		return;
	struct group_energy g;
	int64_t slot = by == STEP_15MIN ? 900000 : 3600000;
	int rc = (to - from) / slot > MAX_CELLS
	                 ? -E2BIG
	                 : groups_compute(q->h->cfg, s->fl, r, level, http_req_arg(q, "name"), from,
	                                  to, by, util_wall_ms(), &g);
	put(q, s);
	if (rc == 0 && g.n * (g.acc.niv + 1) > MAX_CELLS) {
		group_energy_free(&g);
		rc = -E2BIG;
	}
	if (rc < 0) {
		http_reply_error(q,
		                 rc == -E2BIG    ? 400
		                 : rc == -EINVAL ? 400
		                                 : 500,
		                 "%s",
		                 rc == -E2BIG ? "too many groups x intervals: narrow it" : g.err);
		return;
	}
	cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, "groups");
	cJSON *labels = cJSON_AddArrayToObject(o, "intervals");
	cJSON_AddStringToObject(o, "level", group_level_name(level));
	for (size_t k = 0; k < g.acc.niv; k++)
		cJSON_AddItemToArray(labels, cJSON_CreateString(g.iv[k].label));
	for (size_t i = 0; i < g.n; i++) {
		cJSON *x = cJSON_CreateObject(), *kwh = cJSON_CreateArray(),
		      *st = cJSON_CreateArray();
		cJSON *cov = cJSON_CreateArray();
		cJSON_AddStringToObject(x, "name", g.info[i].name);
		cJSON_AddStringToObject(x, "source", group_source_name(g.info[i].source));
		for (size_t k = 0; k <= g.acc.niv; k++) {
			const struct group_cell *c = group_cell(&g.acc, i, k);
			if (k == g.acc.niv) {
				cJSON *t = cJSON_AddObjectToObject(x, "total");
				cJSON_AddNumberToObject(t, "kwh", c->kwh);
				cJSON_AddNumberToObject(t, "estimated_kwh", c->estimated);
				cJSON_AddNumberToObject(t, "coverage", c->coverage);
				cJSON_AddStringToObject(t, "status", energy_status_name(c->status));
				break;
			}
			cJSON_AddItemToArray(kwh, cJSON_CreateNumber(c->kwh));
			cJSON_AddItemToArray(cov, cJSON_CreateNumber(c->coverage));
			cJSON_AddItemToArray(st, cJSON_CreateString(energy_status_name(c->status)));
		}
		cJSON_AddItemToObject(x, "kwh", kwh);
		cJSON_AddItemToObject(x, "coverage", cov);
		cJSON_AddItemToObject(x, "status", st);
		cJSON_AddItemToArray(a, x);
	}
	group_energy_free(&g);
	http_reply_json(q, 200, o);
}
