/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Capacity figures (capacity.h), one rack at a time so memory stays a few minute arrays
 * whatever the floor's size: each PDU's power_w as 1-minute means from the store, its peaks,
 * limit and phase currents; the rack's minutes where every PDU has data, summed, and per side
 * (feed), for the rack's peaks and the A/B test.
 */
#include "analytics/capacity.h"
#include "analytics/floor.h"
#include "config/config.h"
#include "store/store.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIN_MS      INT64_C(60000)
#define QUARTER     15
#define MAX_MINUTES (62 * 1440) /* a window longer than two months is cut to its end */

const char *capacity_ab_name(enum capacity_ab ab)
{
	static const char *const n[] = {"single", "ok", "risk", "unknown"};
	return (unsigned)ab <= AB_UNKNOWN ? n[ab] : "unknown";
}

struct minutes {
	double *v; /* kW per minute, NAN = none */
	int64_t from;
	size_t n;
};

static int minute_cb(void *ctx, int64_t bucket, double value, int64_t count)
{
	struct minutes *m = ctx;
	int64_t i = (bucket - m->from) / MIN_MS;
	if (count > 0 && isfinite(value) && i >= 0 && (size_t)i < m->n)
		m->v[i] = value / 1000.0;
	return 0;
}

static int one_cb(void *ctx, int64_t bucket, double value, int64_t count)
{
	(void)bucket;
	if (count > 0 && isfinite(value))
		*(double *)ctx = value;
	return 0;
}

/* Highest minute and the last minute with data of a minute array. */
static void peak_minute(const struct minutes *m, double *now, double *p1, int64_t *p1_at)
{
	*now = *p1 = NAN;
	*p1_at = 0;
	for (size_t i = 0; i < m->n; i++) {
		if (isnan(m->v[i]))
			continue;
		*now = m->v[i];
		if (isnan(*p1) || m->v[i] > *p1) {
			*p1 = m->v[i];
			*p1_at = m->from + (int64_t)i * MIN_MS;
		}
	}
}

/* Highest quarter hour of a quarter array (minutes structure with 15-minute cells). */
static void peak_quarter(const struct minutes *q, double *p15, int64_t *p15_at)
{
	*p15 = NAN;
	*p15_at = 0;
	for (size_t i = 0; i < q->n; i++)
		if (!isnan(q->v[i]) && (isnan(*p15) || q->v[i] > *p15)) {
			*p15 = q->v[i];
			*p15_at = q->from + (int64_t)i * QUARTER * MIN_MS;
		}
}

static int quarter_cb(void *ctx, int64_t bucket, double value, int64_t count)
{
	struct minutes *m = ctx;
	int64_t i = (bucket - m->from) / (QUARTER * MIN_MS);
	if (count > 0 && isfinite(value) && i >= 0 && (size_t)i < m->n)
		m->v[i] = value / 1000.0;
	return 0;
}

static const struct capacity_pdu *pdu_rating(const struct capacity_config *c, const char *device)
{
	for (size_t i = 0; i < c->npdus; i++)
		if (strcmp(c->pdus[i].device, device) == 0)
			return &c->pdus[i];
	return NULL;
}

/* Rating and limit of one PDU: its own entry, else the defaults, else the device's
 * rated_power_w. */
static void pdu_limit(const struct capacity_config *c, const struct floor_pdu *p,
                      struct capacity_pdu_fig *f)
{
	const struct capacity_pdu *own = pdu_rating(c, p->dev->name), *d = &c->defaults;
	double a = own && own->rated_a > 0 ? own->rated_a : 0;
	double kw = own && own->rated_kw > 0 ? own->rated_kw : 0;
	double v = own && own->voltage_v > 0 ? own->voltage_v
	           : d->voltage_v > 0        ? d->voltage_v
	                                     : 230;
	int ph = own && own->phases ? own->phases : d->phases ? d->phases : 1;
	if (!a && !kw) {
		a = d->rated_a;
		kw = d->rated_kw;
	}
	f->rated_kw = f->limit_kw = f->limit_a = NAN;
	f->limit_from = NULL;
	if (a > 0) {
		/* kVA at the nominal voltage, taken as kW (power factor 1: the upper bound). */
		f->rated_kw = a * v * ph / 1000.0;
		f->limit_a = a * c->derating;
		f->limit_from = "rated_a";
	} else if (kw > 0) {
		f->rated_kw = kw;
		f->limit_from = "rated_kw";
	} else if (p->dev->rated_power_w > 0) {
		f->rated_kw = p->dev->rated_power_w / 1000.0;
		f->limit_from = "rated_power_w";
	}
	if (f->limit_from)
		f->limit_kw = f->rated_kw * c->derating;
}

static int pdu_phases(struct store_reader *r, const struct floor_pdu *p, int64_t from, int64_t to,
                      struct capacity_pdu_fig *f)
{
	double sum = 0;
	int n = 0;
	f->nphase = p->nphase;
	f->peak_phase_a = NAN;
	for (int k = 0; k < p->nphase; k++) {
		double mean = NAN, mx = NAN;
		int64_t a = to - QUARTER * MIN_MS > from ? to - QUARTER * MIN_MS : from;
		int rc = store_query(r, p->phase_current[k].id, a, to, to - a, AGG_AVG, one_cb,
		                     &mean);
		if (rc >= 0)
			rc = store_query(r, p->phase_current[k].id, from, to, to - from, AGG_MAX,
			                 one_cb, &mx);
		if (rc < 0)
			return rc;
		f->phase_a[k] = mean;
		if (!(mx <= f->peak_phase_a))
			f->peak_phase_a = isnan(mx) ? f->peak_phase_a : mx;
		if (isfinite(mean)) {
			sum += mean;
			n++;
		}
	}
	f->imbalance_pct = NAN;
	if (n >= 2 && n == p->nphase && sum > 0) {
		double mean = sum / n, dev = 0;
		for (int k = 0; k < n; k++)
			dev = fmax(dev, fabs(f->phase_a[k] - mean));
		f->imbalance_pct = 100.0 * dev / mean;
	}
	return 0;
}

/* One rack's scratch: minute arrays (a PDU, the rack, each side) and quarter-hour arrays
 * (the mean of the samples in each quarter, from the store: exact whatever the sampling). */
struct rack_work {
	struct minutes pdu, sum, side[4];
	struct minutes qpdu, qsum;
	int *cnt, *qcnt;
};

static int pdu_figures(const struct capacity_config *c, const struct floor_pdu *p,
                       struct store_reader *r, struct rack_work *w, int64_t to, unsigned flags,
                       struct capacity_pdu_fig *f)
{
	memset(f, 0, sizeof(*f));
	pdu_limit(c, p, f);
	for (size_t i = 0; i < w->pdu.n; i++)
		w->pdu.v[i] = NAN;
	for (size_t i = 0; i < w->qpdu.n; i++)
		w->qpdu.v[i] = NAN;
	if (p->power.id) {
		int rc = store_query(r, p->power.id, w->pdu.from, to, MIN_MS, AGG_AVG, minute_cb,
		                     &w->pdu);
		if (rc >= 0)
			rc = store_query(r, p->power.id, w->qpdu.from, to, QUARTER * MIN_MS,
			                 AGG_AVG, quarter_cb, &w->qpdu);
		if (rc < 0)
			return rc;
	}
	peak_minute(&w->pdu, &f->now_kw, &f->peak1_kw, &f->peak1_at);
	peak_quarter(&w->qpdu, &f->peak15_kw, &f->peak15_at);
	f->headroom_kw = f->limit_kw - f->peak1_kw;
	f->util = f->peak1_kw / f->limit_kw;
	f->imbalance_pct = f->peak_phase_a = NAN;
	return flags & CAPACITY_NO_PHASES ? 0 : pdu_phases(r, p, w->pdu.from, to, f);
}

static int side_of(struct capacity_rack_fig *rf, const char *feed)
{
	for (int s = 0; s < rf->nsides; s++)
		if (strcmp(rf->sides[s].feed, feed) == 0)
			return s;
	if (rf->nsides == 4)
		return 3; /* more than four sides: the rest count as the fourth */
	struct capacity_side *sd = &rf->sides[rf->nsides];
	memset(sd, 0, sizeof(*sd));
	strncpy(sd->feed, feed, sizeof(sd->feed) - 1);
	return rf->nsides++;
}

static void rack_ab(const struct capacity_config *c, const struct floor_rack *rk,
                    struct capacity_rack_fig *rf)
{
	double weakest = INFINITY;
	bool known = isfinite(rf->peak1_kw);
	for (int s = 0; s < rf->nsides; s++) {
		struct capacity_side *sd = &rf->sides[s];
		sd->carries = isfinite(sd->limit_kw) && sd->limit_kw >= rf->peak1_kw;
		known = known && isfinite(sd->limit_kw);
		weakest = fmin(weakest, sd->limit_kw);
	}
	rf->limit_kw = isfinite(weakest) ? weakest : NAN;
	for (size_t i = 0; i < c->nracks; i++)
		if (strcmp(c->racks[i].rack, rk->name) == 0) {
			rf->limit_kw = c->racks[i].rated_kw * c->derating;
			rf->limit_configured = true;
		}
	rf->headroom_kw = rf->limit_kw - rf->peak1_kw;
	rf->util = rf->peak1_kw / rf->limit_kw;
	if (rf->nsides < 2)
		rf->ab = AB_SINGLE;
	else if (!known)
		rf->ab = AB_UNKNOWN;
	else {
		rf->ab = AB_OK;
		for (int s = 0; s < rf->nsides; s++)
			if (!rf->sides[s].carries)
				rf->ab = AB_RISK;
	}
}

static int rack_figures(const struct config *cfg, const struct floor *fl, size_t k,
                        struct store_reader *r, struct rack_work *w, int64_t to, unsigned flags,
                        struct capacity_result *out)
{
	const struct capacity_config *c = capacity_config_get(cfg);
	const struct floor_rack *rk = &fl->racks[k];
	struct capacity_rack_fig *rf = &out->rack[k];
	size_t n = w->pdu.n;
	memset(rf, 0, sizeof(*rf));
	memset(w->cnt, 0, n * sizeof(int));
	memset(w->qcnt, 0, w->qsum.n * sizeof(int));
	for (size_t i = 0; i < w->qsum.n; i++)
		w->qsum.v[i] = 0;
	for (size_t i = 0; i < n; i++) {
		w->sum.v[i] = 0;
		for (int s = 0; s < 4; s++)
			w->side[s].v[i] = 0;
	}
	for (size_t j = 0; j < rk->npdus; j++) {
		const struct floor_pdu *p = &fl->pdus[rk->pdu0 + j];
		struct capacity_pdu_fig *f = &out->pdu[rk->pdu0 + j];
		int rc = pdu_figures(c, p, r, w, to, flags, f);
		if (rc < 0)
			return rc;
		int s = side_of(rf, p->feed);
		rf->sides[s].limit_kw += f->limit_kw; /* NAN when one is unknown */
		for (size_t i = 0; i < n; i++)
			if (!isnan(w->pdu.v[i])) {
				w->sum.v[i] += w->pdu.v[i];
				w->side[s].v[i] += w->pdu.v[i];
				w->cnt[i]++;
			}
		for (size_t i = 0; i < w->qsum.n; i++)
			if (!isnan(w->qpdu.v[i])) {
				w->qsum.v[i] += w->qpdu.v[i];
				w->qcnt[i]++;
			}
	}
	for (size_t i = 0; i < w->qsum.n; i++)
		if (w->qcnt[i] != (int)rk->npdus || !rk->npdus)
			w->qsum.v[i] = NAN;
	/* A minute counts where every PDU of the rack has data: a missing feed would halve a
	 * dual-fed rack's load. */
	for (size_t i = 0; i < n; i++)
		if (w->cnt[i] != (int)rk->npdus || !rk->npdus) {
			w->sum.v[i] = NAN;
			for (int s = 0; s < 4; s++)
				w->side[s].v[i] = NAN;
		}
	peak_minute(&w->sum, &rf->now_kw, &rf->peak1_kw, &rf->peak1_at);
	peak_quarter(&w->qsum, &rf->peak15_kw, &rf->peak15_at);
	for (int s = 0; s < rf->nsides; s++) {
		double a;
		int64_t ta;
		peak_minute(&w->side[s], &a, &rf->sides[s].peak1_kw, &ta);
	}
	rack_ab(c, rk, rf);
	return 0;
}

int capacity_compute(const struct config *cfg, const struct floor *fl, struct store_reader *r,
                     int64_t from_ms, int64_t to_ms, unsigned flags, struct capacity_result *out)
{
	memset(out, 0, sizeof(*out));
	to_ms -= ((to_ms % MIN_MS) + MIN_MS) % MIN_MS;
	from_ms -= ((from_ms % (QUARTER * MIN_MS)) + QUARTER * MIN_MS) % (QUARTER * MIN_MS);
	if (to_ms - from_ms > MAX_MINUTES * MIN_MS)
		from_ms = to_ms - MAX_MINUTES * MIN_MS;
	if (to_ms <= from_ms)
		return -EINVAL;
	out->from_ms = from_ms;
	out->to_ms = to_ms;
	out->derating = capacity_config_get(cfg)->derating;
	out->npdus = fl->npdus;
	out->nracks = fl->nracks;
	out->pdu = calloc(fl->npdus ? fl->npdus : 1, sizeof(*out->pdu));
	out->rack = calloc(fl->nracks ? fl->nracks : 1, sizeof(*out->rack));
	size_t n = (size_t)((to_ms - from_ms) / MIN_MS), nq = (n + QUARTER - 1) / QUARTER;
	struct rack_work w = {.cnt = calloc(n, sizeof(int)), .qcnt = calloc(nq, sizeof(int))};
	struct minutes *all[] = {&w.pdu,     &w.sum,     &w.side[0], &w.side[1],
	                         &w.side[2], &w.side[3], &w.qpdu,    &w.qsum};
	int rc = out->pdu && out->rack && w.cnt && w.qcnt ? 0 : -ENOMEM;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		size_t len = all[i] == &w.qpdu || all[i] == &w.qsum ? nq : n;
		*all[i] = (struct minutes){calloc(len, sizeof(double)), from_ms, len};
		if (!all[i]->v)
			rc = -ENOMEM;
	}
	for (size_t k = 0; rc == 0 && k < fl->nracks; k++)
		rc = rack_figures(cfg, fl, k, r, &w, to_ms, flags, out);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		free(all[i]->v);
	free(w.cnt);
	free(w.qcnt);
	if (rc < 0)
		capacity_result_free(out);
	return rc;
}

void capacity_result_free(struct capacity_result *res)
{
	if (!res)
		return;
	free(res->pdu);
	free(res->rack);
	res->pdu = NULL;
	res->rack = NULL;
	res->npdus = res->nracks = 0;
}
