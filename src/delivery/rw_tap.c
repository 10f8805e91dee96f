/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The remote-write tap (remote_write.h): on the store writer's thread, inside each batch
 * transaction, the batch's samples become remote-write requests in the outbox.
 *
 *   - grouped by series, then by time (samples per series must be in time order);
 *   - a sample not after the last one sent for its series is skipped (counted, logged):
 *     Prometheus would refuse the whole request for it (400 "out of order sample");
 *   - NaN and infinities are skipped: a device's "not installed" is no value to send;
 *   - each series named and labelled as /metrics names it (analytics/prom.h: family in base
 *     units, device, own labels, energy_role, pue, site) plus __name__ and `instance`,
 *     sorted, no empty values; an enum metric is its state set, as on /metrics;
 *   - requests of at most max_samples_per_send samples, one outbox item each, in the
 *     target's own bounded stream "<name>/rw".
 *
 * The last-sent times only move when the batch commits (done()), so a retried batch is
 * shown the same way again. Labels are cached per series id.
 */
#include "delivery/remote_write.h"

#include "analytics/energy.h"
#include "analytics/prom.h"
#include "config/config.h"
#include "core/log.h"
#include "core/util.h"
#include "delivery/outputs.h"
#include "store/outbox.h"
#include "store/store.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rw_tgt {
	char stream[OUTBOX_STREAM_MAX];
	char *instance; /* NULL: no instance label */
	size_t max_samples;
	struct outbox_limits lim;
};

/* One stored series as exported: labels sorted, once per variant (per state of an enum
 * metric), without `instance`, which goes at position inst. */
struct rw_ser {
	unsigned char state; /* 0 not looked up yet, 1 exported, 2 not exported */
	double scale;
	size_t nvar; /* 1, or the states of an enum metric */
	size_t nl;   /* labels per variant */
	size_t inst;
	struct rw_label *labels; /* nvar * nl */
	char *strings;
};

/* A run of kept samples of one series' variant: offsets into the kept arrays. */
struct run {
	const struct rw_ser *ser;
	size_t var;
	size_t ts_off, v_off, n;
};

struct rw_tap {
	struct rw_tgt tg[OUTPUTS_MAX_TARGETS];
	size_t ntg;
	char *site;
	const struct energy_model *m; /* borrowed: see rw_tap_install */
	int nseries[ROLE_COUNT];      /* series each role reads, as /metrics counts them */
	int category;
	enum energy_role it;
	int64_t counted_upto; /* series ids above this are counted as they are first seen */
	bool relabel;         /* the category changed: rebuild every label set after this batch */

	struct rw_ser *ser; /* by series id */
	size_t ser_cap;
	int64_t *last; /* by series id: time of the last sample sent (committed); INT64_MIN */
	size_t last_cap;
	struct pend {
		int64_t id, ts;
	} * pend; /* this batch's new last times, applied when it commits */
	size_t npend, pend_cap;

	/* scratch, reused batch to batch */
	size_t *order;
	size_t order_cap;
	int64_t *kts;
	double *kv;
	size_t kts_cap, kv_cap;
	struct run *runs;
	size_t nruns, runs_cap;
	struct rw_series *cs;
	size_t cs_cap;
	struct rw_label *cl;
	size_t cl_cap;
	struct rw_enc enc;

	int64_t start_ms; /* with seq: outbox keys unique across restarts */
	uint64_t seq;
	uint64_t skipped_order, skipped_nan, logged_order;
	struct log_complaint order_c, size_c;
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

/* grow() with the new part zeroed. */
static int grow_zero(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t old = *cap;
	if (grow(p, cap, need, elem) < 0)
		return -ENOMEM;
	if (*cap > old)
		memset((char *)*p + old * elem, 0, (*cap - old) * elem);
	return 0;
}

static void ser_clear(struct rw_ser *e)
{
	free(e->labels);
	free(e->strings);
	memset(e, 0, sizeof(*e));
}

static void tap_free(void *ctx)
{
	struct rw_tap *t = ctx;
	if (!t)
		return;
	for (size_t i = 0; i < t->ser_cap; i++)
		ser_clear(&t->ser[i]);
	for (size_t i = 0; i < t->ntg; i++)
		free(t->tg[i].instance);
	free(t->ser);
	free(t->last);
	free(t->pend);
	free(t->order);
	free(t->kts);
	free(t->kv);
	free(t->runs);
	free(t->cs);
	free(t->cl);
	rw_enc_free(&t->enc);
	free(t->site);
	free(t);
}

/* ---- label sets ---- */

struct lent {
	size_t name, value; /* offsets into lbuild.text */
	size_t idx;         /* emission order: of equal names, the first wins */
};

struct lbuild {
	struct lent l[96];
	size_t n;
	char text[8192];
	size_t len;
	bool full;
};

static size_t lb_str(struct lbuild *b, const char *s)
{
	size_t l = strlen(s) + 1, at = b->len;
	if (b->len + l > sizeof(b->text)) {
		b->full = true;
		return 0;
	}
	memcpy(b->text + b->len, s, l);
	b->len += l;
	return at;
}

static void lb_push(struct lbuild *b, const char *name, const char *value)
{
	if (b->n == sizeof(b->l) / sizeof(b->l[0])) {
		b->full = true;
		return;
	}
	b->l[b->n] = (struct lent){lb_str(b, name), lb_str(b, value), b->n};
	b->n++;
}

static void lb_add(void *ctx, const char *name, const char *value)
{
	/* Remote-write: no empty values (Prometheus reads an empty value as no label). */
	if (value && *value)
		lb_push(ctx, name, value);
}

static int lb_cmp(const void *a, const void *b, void *ctx)
{
	const struct lent *x = a, *y = b;
	const char *text = ctx;
	int c = strcmp(text + x->name, text + y->name);
	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* Describe series id and build its label sets (e->state 1), or mark it not exported (2).
 * 0, or -ENOMEM. */
static int ser_build(struct rw_tap *t, struct store_tap_batch *b, int64_t id, struct rw_ser *e)
{
	char buf[4096], fam[200];
	struct store_series_info info;
	const char *type;
	e->state = 2;
	if (store_tap_series(b, id, &info, buf, sizeof(buf)) < 0 ||
	    !prom_family(info.metric, info.kind == STORE_COUNTER, fam, sizeof(fam), &e->scale,
	                 &type))
		return 0;
	bool exact = false;
	int role = energy_series_role(t->m, info.device, info.metric, info.labels, &exact);
	if (id > t->counted_upto) {
		/* A series new since install may lower the PUE category (/metrics counts every
		 * stored series; so do we). Earlier label sets are rebuilt after this batch. */
		t->counted_upto = id;
		if (role >= 0 && exact) {
			t->nseries[role]++;
			enum energy_role it;
			int cat = prom_pue_category(t->m, t->nseries, &it);
			if (cat != t->category || it != t->it) {
				t->category = cat;
				t->it = it;
				t->relabel = true;
			}
		}
	}
	struct lbuild *lb = calloc(1, sizeof(*lb));
	if (!lb)
		return -ENOMEM;
	lb_add(lb, "__name__", fam);
	prom_series_labels(info.device, info.labels, role, t->category, t->it, t->site, lb_add, lb);
	size_t nst = prom_nstates(info.metric);
	if (nst)
		lb_push(lb, "state", ""); /* its place; the value is set per variant below */
	if (lb->full) {
		free(lb);
		return 0; /* a label set this large is no series to send */
	}
	qsort_r(lb->l, lb->n, sizeof(lb->l[0]), lb_cmp, lb->text);
	/* Drop later duplicates of a name ("a-b" and "a_b" both become a_b). */
	size_t k = 0;
	for (size_t i = 0; i < lb->n; i++)
		if (k == 0 || strcmp(lb->text + lb->l[k - 1].name, lb->text + lb->l[i].name) != 0)
			lb->l[k++] = lb->l[i];
	lb->n = k;
	e->nvar = nst ? nst : 1;
	e->nl = lb->n;
	e->strings = malloc(lb->len + 1);
	e->labels = calloc(e->nvar * e->nl, sizeof(*e->labels));
	if (!e->strings || !e->labels) {
		free(lb);
		ser_clear(e);
		return -ENOMEM;
	}
	memcpy(e->strings, lb->text, lb->len);
	e->inst = e->nl;
	for (size_t i = 0; i < e->nl; i++) {
		const char *name = e->strings + lb->l[i].name;
		if (e->inst == e->nl && strcmp(name, "instance") > 0)
			e->inst = i;
		for (size_t v = 0; v < e->nvar; v++) {
			const char *val = e->strings + lb->l[i].value;
			if (nst && strcmp(name, "state") == 0)
				val = prom_state(info.metric, v);
			e->labels[v * e->nl + i] = (struct rw_label){name, val};
		}
	}
	free(lb);
	e->state = 1;
	return 0;
}

static struct rw_ser *ser_get(struct rw_tap *t, struct store_tap_batch *b, int64_t id, int *rc)
{
	*rc = 0;
	if (id <= 0)
		return NULL;
	if (grow_zero((void **)&t->ser, &t->ser_cap, (size_t)id + 1, sizeof(*t->ser)) < 0) {
		*rc = -ENOMEM;
		return NULL;
	}
	struct rw_ser *e = &t->ser[id];
	if (e->state == 0 && (*rc = ser_build(t, b, id, e)) < 0)
		return NULL;
	return e->state == 1 ? e : NULL;
}

/* ---- one batch ---- */

static int order_cmp(const void *a, const void *b, void *ctx)
{
	const struct store_tap_sample *s = ctx;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	if (s[i].series != s[j].series)
		return s[i].series < s[j].series ? -1 : 1;
	if (s[i].ts_ms != s[j].ts_ms)
		return s[i].ts_ms < s[j].ts_ms ? -1 : 1;
	return (i > j) - (i < j);
}

static int64_t last_of(const struct rw_tap *t, int64_t id)
{
	return (size_t)id < t->last_cap ? t->last[id] : INT64_MIN;
}

/* The batch's samples into runs: per series, in time order, after the last one sent, finite;
 * an enum metric's as one run per state. 0 or -ENOMEM. */
static int collect(struct rw_tap *t, struct store_tap_batch *b, const struct store_tap_sample *s,
                   size_t n)
{
	size_t nk = 0, nv = 0;
	t->nruns = 0;
	t->npend = 0;
	for (size_t i = 0, j; i < n; i = j) {
		int64_t id = s[t->order[i]].series;
		for (j = i; j < n && s[t->order[j]].series == id; j++)
			;
		int rc;
		const struct rw_ser *e = ser_get(t, b, id, &rc);
		if (rc < 0)
			return rc;
		if (!e)
			continue;
		size_t m = j - i;
		if (grow((void **)&t->kts, &t->kts_cap, nk + m, sizeof(*t->kts)) < 0 ||
		    grow((void **)&t->kv, &t->kv_cap, nv + m * (e->nvar + 1), sizeof(*t->kv)) < 0 ||
		    grow((void **)&t->runs, &t->runs_cap, t->nruns + e->nvar, sizeof(*t->runs)) <
		            0 ||
		    grow((void **)&t->pend, &t->pend_cap, t->npend + 1, sizeof(*t->pend)) < 0)
			return -ENOMEM;
		int64_t last = last_of(t, id);
		size_t kept = 0;
		for (size_t k = i; k < j; k++) {
			const struct store_tap_sample *x = &s[t->order[k]];
			if (!isfinite(x->value)) {
				t->skipped_nan++;
			} else if (x->ts_ms <= last) {
				t->skipped_order++;
			} else {
				last = x->ts_ms;
				t->kts[nk + kept] = x->ts_ms;
				t->kv[nv + kept] = x->value;
				kept++;
			}
		}
		if (!kept)
			continue;
		t->pend[t->npend++] = (struct pend){id, last};
		if (e->nvar == 1) {
			for (size_t k = 0; k < kept; k++)
				t->kv[nv + k] *= e->scale;
			t->runs[t->nruns++] = (struct run){e, 0, nk, nv, kept};
			nv += kept;
		} else {
			/* A state set, as /metrics renders it: 1 for the current state, 0 for
			 * the others; state v's values follow the stored codes. */
			const double *code = t->kv + nv;
			double *out = t->kv + nv + kept;
			for (size_t v = 0; v < e->nvar; v++) {
				for (size_t k = 0; k < kept; k++)
					out[v * kept + k] = round(code[k]) == (double)v;
				t->runs[t->nruns++] =
				        (struct run){e, v, nk, nv + kept + v * kept, kept};
			}
			nv += kept * (e->nvar + 1);
		}
		nk += kept;
	}
	return 0;
}

/* The labels of run r for target g (instance inserted at its sorted place). */
static int run_labels(struct rw_tap *t, const struct rw_tgt *g, const struct run *r, size_t *at)
{
	const struct rw_ser *e = r->ser;
	const struct rw_label *l = e->labels + r->var * e->nl;
	size_t need = *at + e->nl + 1;
	if (grow((void **)&t->cl, &t->cl_cap, need, sizeof(*t->cl)) < 0)
		return -ENOMEM;
	struct rw_label *o = t->cl + *at;
	size_t k = 0;
	for (size_t i = 0; i < e->nl; i++) {
		if (i == e->inst && g->instance)
			o[k++] = (struct rw_label){"instance", g->instance};
		o[k++] = l[i];
	}
	if (e->inst == e->nl && g->instance)
		o[k++] = (struct rw_label){"instance", g->instance};
	*at += k;
	return (int)k;
}

/* Encode runs [from, to) (the first starting at first_k, the last ending at last_k samples
 * into it) for target g and queue it. 0 or -errno. */
static int send_chunk(struct rw_tap *t, struct store_tap_batch *b, const struct rw_tgt *g,
                      size_t from, size_t first_k, size_t to, size_t last_k)
{
	size_t nser = to - from, at = 0, nsamples = 0;
	int64_t tmin = INT64_MAX, tmax = INT64_MIN;
	if (grow((void **)&t->cs, &t->cs_cap, nser, sizeof(*t->cs)) < 0 ||
	    grow((void **)&t->cl, &t->cl_cap, nser * 8, sizeof(*t->cl)) < 0)
		return -ENOMEM;
	/* Labels first (cl may move as it grows), then the series pointing into it. */
	size_t *loff = calloc(nser + 1, sizeof(*loff));
	if (!loff)
		return -ENOMEM;
	for (size_t i = 0; i < nser; i++) {
		loff[i] = at;
		if (run_labels(t, g, &t->runs[from + i], &at) < 0) {
			free(loff);
			return -ENOMEM;
		}
	}
	loff[nser] = at;
	for (size_t i = 0; i < nser; i++) {
		const struct run *r = &t->runs[from + i];
		size_t a = i == 0 ? first_k : 0, z = i + 1 == nser ? last_k : r->n;
		t->cs[i] = (struct rw_series){t->cl + loff[i], loff[i + 1] - loff[i],
		                              t->kts + r->ts_off + a, t->kv + r->v_off + a, z - a};
		nsamples += z - a;
		if (z > a) {
			if (t->kts[r->ts_off + a] < tmin)
				tmin = t->kts[r->ts_off + a];
			if (t->kts[r->ts_off + z - 1] > tmax)
				tmax = t->kts[r->ts_off + z - 1];
		}
	}
	free(loff);
	if (nsamples == 0)
		return 0;
	int rc = rw_encode(&t->enc, t->cs, nser);
	if (rc < 0)
		return rc;
	/* The key says what the request holds: the pusher logs it when a receiver refuses it. */
	char key[128];
	snprintf(key, sizeof(key), "rw:%lld.%llu:%zu:%lld-%lld", (long long)t->start_ms,
	         (unsigned long long)++t->seq, nsamples, (long long)tmin, (long long)tmax);
	struct outbox_item it = {.stream = g->stream,
	                         .ikey = key,
	                         .created_ms = util_wall_ms(),
	                         .payload = (const char *)t->enc.out,
	                         .len = t->enc.len};
	rc = store_tap_outbox(b, &it, &g->lim);
	if (rc == -EMSGSIZE) {
		/* Larger than one outbox item may be (4 MiB, or the stream's max_bytes): it
		 * cannot be queued; say so rather than fail every batch. */
		log_complain(
		        &t->size_c, LOG_LVL_WARN,
		        "remote_write %s: a request of %zu samples is %zu bytes, more than the "
		        "outbox takes; dropped (lower max_samples_per_send or raise max_bytes)",
		        g->stream, nsamples, t->enc.len);
		return 0;
	}
	return rc;
}

/* Every run for target g, max_samples per request (a long run is split). 0 or -errno. */
static int send_target(struct rw_tap *t, struct store_tap_batch *b, const struct rw_tgt *g)
{
	size_t from = 0, first_k = 0, room = g->max_samples;
	for (size_t i = 0; i < t->nruns;) {
		size_t k = i == from ? first_k : 0, left = t->runs[i].n - k;
		if (left <= room) {
			room -= left;
			i++;
			if (i < t->nruns && room > 0)
				continue;
			int rc = send_chunk(t, b, g, from, first_k, i, t->runs[i - 1].n);
			if (rc < 0)
				return rc;
			from = i;
			first_k = 0;
		} else {
			/* This run does not fit: send up to its room'th sample, go on from there.
			 */
			int rc = send_chunk(t, b, g, from, first_k, i + 1, k + room);
			if (rc < 0)
				return rc;
			from = i;
			first_k = k + room;
		}
		room = g->max_samples;
	}
	return 0;
}

static int tap_batch(void *ctx, struct store_tap_batch *b, const struct store_tap_sample *s,
                     size_t n)
{
	struct rw_tap *t = ctx;
	if (grow((void **)&t->order, &t->order_cap, n, sizeof(*t->order)) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		t->order[i] = i;
	qsort_r(t->order, n, sizeof(*t->order), order_cmp, (void *)s);
	/* Room for the largest id now: runs point into t->ser, which must not move. */
	int64_t maxid = s[t->order[n - 1]].series;
	if (maxid > 0 &&
	    grow_zero((void **)&t->ser, &t->ser_cap, (size_t)maxid + 1, sizeof(*t->ser)) < 0)
		return -ENOMEM;
	int rc = collect(t, b, s, n);
	for (size_t g = 0; rc == 0 && g < t->ntg; g++)
		rc = send_target(t, b, &t->tg[g]);
	return rc;
}

static void tap_done(void *ctx, bool committed)
{
	struct rw_tap *t = ctx;
	if (committed) {
		for (size_t i = 0; i < t->npend; i++) {
			int64_t id = t->pend[i].id;
			size_t old = t->last_cap;
			if (grow((void **)&t->last, &t->last_cap, (size_t)id + 1,
			         sizeof(*t->last)) < 0)
				continue; /* not remembered: a later sample is checked by the
				             receiver */
			for (size_t k = old; k < t->last_cap; k++)
				t->last[k] = INT64_MIN;
			t->last[id] = t->pend[i].ts;
		}
		if (t->skipped_order > t->logged_order) {
			log_complain(&t->order_c, LOG_LVL_WARN,
			             "remote_write: %llu sample(s) not after one already sent for "
			             "their series were not sent (receivers refuse a whole request "
			             "for one)",
			             (unsigned long long)(t->skipped_order - t->logged_order));
			t->logged_order = t->skipped_order;
		}
	}
	t->npend = 0;
	if (t->relabel) {
		for (size_t i = 0; i < t->ser_cap; i++)
			ser_clear(&t->ser[i]);
		t->relabel = false;
	}
}

/* ---- install ---- */

static int count_cb(void *ctx, const struct store_series_info *info)
{
	struct rw_tap *t = ctx;
	char fam[200];
	double scale;
	const char *type;
	bool exact;
	/* As /metrics counts them: series it exports, by the role that reads them. */
	if (info->id > t->counted_upto)
		t->counted_upto = info->id;
	if (!prom_family(info->metric, info->kind == STORE_COUNTER, fam, sizeof(fam), &scale,
	                 &type))
		return 0;
	int role = energy_series_role(t->m, info->device, info->metric, info->labels, &exact);
	if (role >= 0 && exact)
		t->nseries[role]++;
	return 0;
}

int rw_tap_install(struct store *st, const struct config *cfg, struct store_reader *reader,
                   char *err, size_t errlen)
{
	const struct outputs *o = cfg->outputs;
	size_t n = 0;
	for (size_t i = 0; o && i < o->nreport; i++)
		n += o->report[i].type == OUT_T_REMOTE_WRITE;
	if (n == 0) {
		store_set_tap(st, NULL);
		return 0;
	}
	struct rw_tap *t = calloc(1, sizeof(*t));
	if (!t || !(t->site = strdup(cfg->site.id ? cfg->site.id : ""))) {
		free(t);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	t->m = cfg->energy && cfg->energy->present ? cfg->energy : NULL;
	t->start_ms = util_wall_ms();
	for (size_t i = 0; i < o->nreport; i++) {
		const struct out_target *s = &o->report[i];
		if (s->type != OUT_T_REMOTE_WRITE)
			continue;
		struct rw_tgt *g = &t->tg[t->ntg++];
		snprintf(g->stream, sizeof(g->stream), "%s%s", s->name, RW_STREAM_SUFFIX);
		g->max_samples = s->max_samples > 0 ? (size_t)s->max_samples : 5000;
		g->lim = (struct outbox_limits){.stream_max_items = s->stream_max_items,
		                                .stream_max_bytes = s->stream_max_bytes};
		if (s->instance && *s->instance && !(g->instance = strdup(s->instance))) {
			tap_free(t);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
	}
	if (reader) {
		int rc = store_series_find(reader, NULL, count_cb, t);
		if (rc < 0) {
			snprintf(err, errlen, "cannot list the stored series: %s", strerror(-rc));
			tap_free(t);
			return rc;
		}
	}
	t->category = prom_pue_category(t->m, t->nseries, &t->it);
	struct store_tap tap = {.batch = tap_batch, .done = tap_done, .free = tap_free, .ctx = t};
	store_set_tap(st, &tap);
	return 0;
}
