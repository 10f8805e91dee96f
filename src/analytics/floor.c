/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The floor map (floor.h): rack PDUs from the config's devices, grouped by their `rack`
 * label and ordered naturally by hall, row and rack; their series from one pass over the
 * store's registry (store_series_find), looked up by device name in a sorted table.
 */
#include "analytics/floor.h"
#include "analytics/tenants.h"
#include "config/config.h"
#include "core/labels.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *dev_label(const struct config_device *d, const char *key)
{
	for (size_t i = 0; i < d->nlabels; i++)
		if (strcmp(d->labels[i].key, key) == 0)
			return d->labels[i].value;
	return "";
}

/* Natural order ("A1-9" < "A1-10"), ties broken plainly. */
static int natcmp(const char *a, const char *b)
{
	int c = strverscmp(a, b);
	return c ? c : strcmp(a, b);
}

struct dev_ref {
	const struct config_device *d;
	const char *rack, *hall, *row, *feed;
};

static int cmp_dev_rack(const void *pa, const void *pb)
{
	const struct dev_ref *a = pa, *b = pb;
	int c = natcmp(a->rack, b->rack);
	if (!c)
		c = natcmp(a->feed, b->feed);
	return c ? c : natcmp(a->d->name, b->d->name);
}

struct rack_ref {
	size_t first, n; /* into the sorted dev_refs */
	const char *name, *hall, *row;
};

static int cmp_rack(const void *pa, const void *pb)
{
	const struct rack_ref *a = pa, *b = pb;
	int c = natcmp(a->hall, b->hall);
	if (!c)
		c = natcmp(a->row, b->row);
	return c ? c : natcmp(a->name, b->name);
}

/* Device name -> PDU index, sorted by name. */
struct by_name {
	const char *name;
	size_t pdu;
};

static int cmp_by_name(const void *a, const void *b)
{
	return strcmp(((const struct by_name *)a)->name, ((const struct by_name *)b)->name);
}

struct tmp_outlet {
	size_t pdu;
	char *name;
	struct floor_series energy, power;
};

struct scan {
	struct floor *fl;
	struct by_name *idx;
	size_t nidx;
	struct tmp_outlet *out;
	size_t nout, cap;
	int rc;
};

static int set_series(struct floor_series *s, const struct store_series_info *info)
{
	if (s->id)
		return 0; /* the first one wins (a second meter of the same kind is ignored) */
	char buf[512];
	snprintf(buf, sizeof(buf), "%s %s%s%s%s", info->device, info->metric,
	         *info->labels ? "{" : "", info->labels, *info->labels ? "}" : "");
	s->name = strdup(buf);
	if (!s->name)
		return -ENOMEM;
	s->id = info->id;
	return 0;
}

static struct tmp_outlet *outlet_of(struct scan *sc, size_t pdu, const char *name)
{
	for (size_t i = sc->nout; i-- > 0;)
		if (sc->out[i].pdu == pdu && strcmp(sc->out[i].name, name) == 0)
			return &sc->out[i];
	if (sc->nout == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 64;
		struct tmp_outlet *p = realloc(sc->out, cap * sizeof(*p));
		if (!p)
			return NULL;
		sc->out = p;
		sc->cap = cap;
	}
	struct tmp_outlet *o = &sc->out[sc->nout];
	*o = (struct tmp_outlet){.pdu = pdu, .name = strdup(name)};
	if (!o->name)
		return NULL;
	sc->nout++;
	return o;
}

static int scan_cb(void *ctx, const struct store_series_info *info)
{
	struct scan *sc = ctx;
	struct by_name key = {info->device, 0}, *hit;
	hit = sc->nidx ? bsearch(&key, sc->idx, sc->nidx, sizeof(key), cmp_by_name) : NULL;
	if (!hit)
		return 0;
	struct floor_pdu *p = &sc->fl->pdus[hit->pdu];
	char outlet[128], phase[16];
	bool is_outlet = labels_get(info->labels, "outlet", outlet, sizeof(outlet));
	bool is_phase = labels_get(info->labels, "phase", phase, sizeof(phase));
	bool counter = info->kind == STORE_COUNTER;
	bool energy = counter && strcmp(info->metric, "energy_kwh") == 0;
	bool power = !counter && strcmp(info->metric, "power_w") == 0;
	int rc = 0;
	if ((energy || power) && is_outlet) {
		struct tmp_outlet *o = outlet_of(sc, hit->pdu, outlet);
		rc = !o ? -ENOMEM : set_series(energy ? &o->energy : &o->power, info);
	} else if ((energy || power) && !is_phase) {
		rc = set_series(energy ? &p->energy : &p->power, info);
	} else if (!counter && !is_outlet && is_phase && strcmp(info->metric, "current_a") == 0 &&
	           p->nphase < FLOOR_MAX_PHASES) {
		snprintf(p->phase[p->nphase], sizeof(p->phase[0]), "%s", phase);
		rc = set_series(&p->phase_current[p->nphase], info);
		p->nphase += rc == 0;
	}
	if (rc < 0) {
		sc->rc = rc;
		return 1;
	}
	return 0;
}

static int cmp_outlet(const void *pa, const void *pb)
{
	const struct tmp_outlet *a = pa, *b = pb;
	if (a->pdu != b->pdu)
		return a->pdu < b->pdu ? -1 : 1;
	return natcmp(a->name, b->name);
}

static int cmp_byname(const void *a, const void *b, void *racks)
{
	const struct floor_rack *r = racks;
	return strcmp(r[*(const size_t *)a].name, r[*(const size_t *)b].name);
}

/* Racks and PDUs from the devices with a `rack` label. */
static int layout(struct floor *fl, const struct config *cfg)
{
	struct dev_ref *dv = calloc(cfg->ndevices ? cfg->ndevices : 1, sizeof(*dv));
	struct rack_ref *rk = calloc(cfg->ndevices ? cfg->ndevices : 1, sizeof(*rk));
	size_t nd = 0, nr = 0;
	if (!dv || !rk)
		goto oom;
	for (size_t i = 0; i < cfg->ndevices; i++) {
		const struct config_device *d = &cfg->devices[i];
		const char *rack = dev_label(d, "rack");
		if (*rack)
			dv[nd++] = (struct dev_ref){d, rack, dev_label(d, "hall"),
			                            dev_label(d, "row"), dev_label(d, "feed")};
	}
	qsort(dv, nd, sizeof(*dv), cmp_dev_rack);
	for (size_t i = 0; i < nd; i++) {
		if (nr && strcmp(rk[nr - 1].name, dv[i].rack) == 0) {
			rk[nr - 1].n++;
			continue;
		}
		rk[nr++] = (struct rack_ref){i, 1, dv[i].rack, dv[i].hall, dv[i].row};
	}
	qsort(rk, nr, sizeof(*rk), cmp_rack);
	fl->racks = calloc(nr ? nr : 1, sizeof(*fl->racks));
	fl->pdus = calloc(nd ? nd : 1, sizeof(*fl->pdus));
	if (!fl->racks || !fl->pdus)
		goto oom;
	for (size_t k = 0; k < nr; k++) {
		struct floor_rack *r = &fl->racks[fl->nracks++];
		*r = (struct floor_rack){rk[k].name, rk[k].hall, rk[k].row, fl->npdus, rk[k].n, -1};
		for (size_t j = 0; j < rk[k].n; j++) {
			const struct dev_ref *x = &dv[rk[k].first + j];
			fl->pdus[fl->npdus++] =
			        (struct floor_pdu){.dev = x->d, .feed = x->feed, .rack = k};
		}
	}
	fl->byname = malloc((nr ? nr : 1) * sizeof(*fl->byname));
	if (!fl->byname)
		goto oom;
	for (size_t k = 0; k < nr; k++)
		fl->byname[k] = k;
	qsort_r(fl->byname, nr, sizeof(*fl->byname), cmp_byname, fl->racks);
	free(dv);
	free(rk);
	return 0;
oom:
	free(dv);
	free(rk);
	return -ENOMEM;
}

static void mark_tenants(struct floor *fl, const struct config *cfg)
{
	const struct tenants_config *tc = cfg->tenants;
	for (size_t t = 0; tc && t < tc->n; t++)
		for (size_t j = 0; j < tc->t[t].nracks; j++) {
			long k = floor_rack_find(fl, tc->t[t].racks[j].name);
			if (k >= 0 && fl->racks[k].tenant < 0)
				fl->racks[k].tenant = (int)t;
		}
}

/* Outlets found by the scan, ordered by PDU then naturally, into fl->outlets. */
static int outlets_place(struct floor *fl, struct scan *sc)
{
	if (sc->nout) /* (sc->out is NULL when no PDU has outlets: qsort's pointer must not be) */
		qsort(sc->out, sc->nout, sizeof(*sc->out), cmp_outlet);
	fl->outlets = calloc(sc->nout ? sc->nout : 1, sizeof(*fl->outlets));
	if (!fl->outlets)
		return -ENOMEM;
	for (size_t i = 0; i < sc->nout; i++) {
		struct floor_pdu *p = &fl->pdus[sc->out[i].pdu];
		if (!p->noutlets)
			p->outlet0 = i;
		p->noutlets++;
		fl->outlets[i] = (struct floor_outlet){sc->out[i].name, sc->out[i].pdu,
		                                       sc->out[i].energy, sc->out[i].power};
	}
	fl->noutlets = sc->nout;
	sc->nout = 0; /* the strings now belong to fl */
	return 0;
}

struct floor *floor_build(const struct config *cfg, struct store_reader *r, char *err,
                          size_t errlen)
{
	struct floor *fl = calloc(1, sizeof(*fl));
	struct scan sc = {.fl = fl};
	int rc = fl ? layout(fl, cfg) : -ENOMEM;
	if (rc == 0 && r) {
		sc.idx = malloc((fl->npdus ? fl->npdus : 1) * sizeof(*sc.idx));
		rc = sc.idx ? 0 : -ENOMEM;
		for (size_t i = 0; rc == 0 && i < fl->npdus; i++)
			sc.idx[sc.nidx++] = (struct by_name){fl->pdus[i].dev->name, i};
		if (rc == 0) {
			qsort(sc.idx, sc.nidx, sizeof(*sc.idx), cmp_by_name);
			rc = store_series_find(r, NULL, scan_cb, &sc);
			if (rc >= 0)
				rc = sc.rc < 0 ? sc.rc : 0;
		}
		if (rc == 0)
			rc = outlets_place(fl, &sc);
	}
	for (size_t i = 0; i < sc.nout; i++) {
		free(sc.out[i].name);
		free(sc.out[i].energy.name);
		free(sc.out[i].power.name);
	}
	free(sc.out);
	free(sc.idx);
	if (rc < 0) {
		snprintf(err, errlen, "floor: %s", strerror(-rc));
		floor_free(fl);
		return NULL;
	}
	mark_tenants(fl, cfg);
	return fl;
}

void floor_free(struct floor *fl)
{
	if (!fl)
		return;
	for (size_t i = 0; i < fl->npdus; i++) {
		struct floor_pdu *p = &fl->pdus[i];
		free(p->energy.name);
		free(p->power.name);
		for (int k = 0; k < p->nphase; k++)
			free(p->phase_current[k].name);
	}
	for (size_t i = 0; i < fl->noutlets; i++) {
		free(fl->outlets[i].name);
		free(fl->outlets[i].energy.name);
		free(fl->outlets[i].power.name);
	}
	free(fl->racks);
	free(fl->byname);
	free(fl->pdus);
	free(fl->outlets);
	free(fl);
}

long floor_rack_find(const struct floor *fl, const char *name)
{
	size_t lo = 0, hi = fl->nracks;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(fl->racks[fl->byname[mid]].name, name);
		if (c == 0)
			return (long)fl->byname[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}
