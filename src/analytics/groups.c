/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Energy per group (groups.h): which series make a PDU's, an outlet's, a rack's, a row's, a
 * hall's or a tenant's energy, each read once through an energy_frame and added to its
 * groups; coverage and status by the energy engine's rules.
 */
#include "analytics/groups.h"
#include "analytics/energy_frame.h"
#include "analytics/floor.h"
#include "analytics/tenants.h"
#include "config/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const level_names[] = {"outlet", "rack", "row", "hall", "tenant"};

const char *group_level_name(enum group_level l)
{
	return (unsigned)l <= GROUP_TENANT ? level_names[l] : "?";
}

int group_level_parse(const char *s, enum group_level *out)
{
	for (int i = 0; i <= GROUP_TENANT; i++)
		if (s && strcmp(s, level_names[i]) == 0) {
			*out = (enum group_level)i;
			return 0;
		}
	return -EINVAL;
}

const char *group_source_name(enum group_source s)
{
	static const char *const n[] = {"none", "pdu_input", "outlets", "power", "mixed"};
	return (unsigned)s <= SRC_MIXED ? n[s] : "none";
}

static const struct energy_model defaults = {
        .present = true, .coverage_min = 0.95, .max_gap_ms = 300000};

const struct energy_model *group_model(const struct config *cfg)
{
	return cfg && cfg->energy && cfg->energy->present ? cfg->energy : &defaults;
}

size_t group_outlet_series(const struct floor *fl, size_t outlet, struct group_series *out)
{
	const struct floor_outlet *o = &fl->outlets[outlet];
	if (o->energy.id) {
		*out = (struct group_series){o->energy.id, true, "energy_kwh", o->energy.name,
		                             o->power.id};
		return 1;
	}
	if (o->power.id) {
		*out = (struct group_series){o->power.id, false, "power_w", o->power.name, 0};
		return 1;
	}
	return 0;
}

size_t group_pdu_series(const struct floor *fl, size_t pdu, struct group_series *out, size_t cap,
                        enum group_source *src)
{
	const struct floor_pdu *p = &fl->pdus[pdu];
	size_t n = 0;
	*src = SRC_NONE;
	if (p->energy.id && cap) {
		out[0] = (struct group_series){p->energy.id, true, "energy_kwh", p->energy.name,
		                               p->power.id};
		*src = SRC_INPUT_METER;
		return 1;
	}
	bool all = p->noutlets > 0;
	for (size_t i = 0; i < p->noutlets; i++)
		all = all && fl->outlets[p->outlet0 + i].energy.id;
	if (all) {
		for (size_t i = 0; i < p->noutlets && n < cap; i++)
			n += group_outlet_series(fl, p->outlet0 + i, &out[n]);
		*src = SRC_OUTLETS;
		return n;
	}
	if (p->power.id && cap) {
		out[0] = (struct group_series){p->power.id, false, "power_w", p->power.name, 0};
		*src = SRC_POWER;
		return 1;
	}
	for (size_t i = 0; i < p->noutlets && n < cap; i++)
		n += group_outlet_series(fl, p->outlet0 + i, &out[n]);
	*src = n ? SRC_OUTLETS : SRC_NONE;
	return n;
}

int group_acc_init(struct group_acc *a, const struct energy_frame *f, size_t ngroups, bool slots)
{
	memset(a, 0, sizeof(*a));
	a->ngroups = ngroups;
	a->niv = energy_frame_nintervals(f);
	a->nslots = energy_frame_nslots(f);
	a->cells = calloc((ngroups ? ngroups : 1) * (a->niv + 1), sizeof(*a->cells));
	if (slots)
		a->slots = calloc((ngroups ? ngroups : 1) * a->nslots, sizeof(double));
	if (!a->cells || (slots && !a->slots)) {
		group_acc_free(a);
		return -ENOMEM;
	}
	return 0;
}

void group_acc_free(struct group_acc *a)
{
	if (!a)
		return;
	free(a->cells);
	free(a->slots);
	a->cells = NULL;
	a->slots = NULL;
}

/* What one series gave each interval: its energy, estimated part, coverage and gaps. */
struct part {
	double kwh, est, cov;
	int ngaps;
};

int group_read(struct energy_frame *f, struct store_reader *r, const struct group_series *s,
               const struct group_target *t, size_t nt)
{
	struct energy_frame_series fs = {s->id, s->counter, s->metric, s->name, s->power};
	int rc = energy_frame_read(f, r, &fs);
	if (rc < 0)
		return rc;
	size_t niv = energy_frame_nintervals(f), n = energy_frame_nslots(f);
	const double *v = energy_frame_values(f), *pw = energy_frame_power_part(f);
	struct part stack[64], *p = niv + 1 <= 64 ? stack : malloc((niv + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	for (size_t k = 0; k <= niv; k++) {
		size_t i0, i1;
		double ge;
		energy_frame_interval_slots(f, k, &i0, &i1);
		p[k] = (struct part){0};
		for (size_t i = i0; i < i1; i++) {
			p[k].kwh += v[i];
			p[k].est += pw[i];
		}
		energy_frame_gap_part(f, k, &ge, &p[k].ngaps);
		p[k].est += ge;
		p[k].cov = energy_frame_coverage(f, k);
	}
	for (size_t j = 0; j < nt; j++) {
		struct group_acc *a = t[j].acc;
		for (size_t k = 0; k <= niv; k++) {
			struct group_cell *c = group_cell(a, t[j].g, k);
			c->kwh += p[k].kwh;
			c->estimated += p[k].est;
			c->coverage += p[k].cov; /* a sum until group_acc_finish */
			c->ngaps += p[k].ngaps;
			c->nseries++;
			c->derived |= !s->counter;
		}
		if (a->slots) {
			double *dst = a->slots + t[j].g * n;
			for (size_t i = 0; i < n; i++)
				dst[i] += v[i];
		}
	}
	if (p != stack)
		free(p);
	return 0;
}

void group_acc_finish(struct group_acc *a, const struct energy_model *m,
                      const struct energy_frame *f)
{
	const struct energy_interval *iv = energy_frame_intervals(f);
	int64_t now = energy_frame_now(f);
	int64_t end =
	        energy_frame_from(f) + (int64_t)energy_frame_nslots(f) * energy_frame_slot_ms(f);
	for (size_t g = 0; g < a->ngroups; g++)
		for (size_t k = 0; k <= a->niv; k++) {
			struct group_cell *c = group_cell(a, g, k);
			int64_t to = k < a->niv ? iv[k].to_ms : end;
			c->coverage = c->nseries ? c->coverage / c->nseries : 0;
			if (c->coverage > 1 - 1e-9)
				c->coverage = 1;
			/* A group nobody meters is not "OK with 0 kWh": its coverage is 0. */
			c->status = energy_interval_status(m, to > now, c->nseries ? c->nseries : 1,
			                                   c->coverage, c->estimated, c->ngaps);
		}
}

/* ---- one level at a time ---- */

struct plan {
	struct group_series *s;
	size_t *g;
	size_t n, cap;
};

static int plan_add(struct plan *p, const struct group_series *s, size_t n, size_t g)
{
	if (p->n + n > p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		while (cap < p->n + n)
			cap *= 2;
		struct group_series *ns = realloc(p->s, cap * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		p->s = ns;
		size_t *ng = realloc(p->g, cap * sizeof(*ng));
		if (!ng)
			return -ENOMEM;
		p->g = ng;
		p->cap = cap;
	}
	for (size_t i = 0; i < n; i++) {
		p->s[p->n] = s[i];
		p->g[p->n++] = g;
	}
	return 0;
}

static enum group_source merge_src(enum group_source a, enum group_source b)
{
	return a == SRC_NONE ? b : b == SRC_NONE || a == b ? a : SRC_MIXED;
}

/* A rack's series into the plan as group g. */
static int plan_rack(struct plan *p, const struct floor *fl, size_t rack, size_t g,
                     enum group_source *src)
{
	const struct floor_rack *rk = &fl->racks[rack];
	for (size_t j = 0; j < rk->npdus; j++) {
		const struct floor_pdu *pd = &fl->pdus[rk->pdu0 + j];
		size_t cap = 1 + pd->noutlets;
		struct group_series buf[64], *s = cap <= 64 ? buf : malloc(cap * sizeof(*s));
		enum group_source ps;
		if (!s)
			return -ENOMEM;
		size_t n = group_pdu_series(fl, rk->pdu0 + j, s, cap, &ps);
		*src = merge_src(*src, ps);
		int rc = plan_add(p, s, n, g);
		if (s != buf)
			free(s);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Does floor outlet i match a tenant's outlet entry? */
static bool outlet_is(const struct floor *fl, size_t i, const struct tenant_outlet *o)
{
	const struct floor_outlet *fo = &fl->outlets[i];
	const struct floor_pdu *pd = &fl->pdus[fo->pdu];
	return strcmp(fo->name, o->outlet) == 0 && strcmp(fl->racks[pd->rack].name, o->rack) == 0 &&
	       (!o->feed || strcmp(pd->feed, o->feed) == 0);
}

/* The group named name: racks come by hall then row, so a row's or a hall's racks are
 * consecutive and only the last group can be it. */
static int find_or_add(struct group_energy *out, size_t *cap, const char *name)
{
	if (out->n && strcmp(out->info[out->n - 1].name, name) == 0)
		return (int)out->n - 1;
	if (out->n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		struct group_info *ni = realloc(out->info, c * sizeof(*ni));
		if (!ni)
			return -ENOMEM;
		out->info = ni;
		*cap = c;
	}
	struct group_info *gi = &out->info[out->n];
	memset(gi, 0, sizeof(*gi));
	snprintf(gi->name, sizeof(gi->name), "%s", name);
	return (int)out->n++;
}

/* The groups of the level and their series. */
static int plan_level(struct plan *p, struct group_energy *out, const struct config *cfg,
                      const struct floor *fl, const char *only)
{
	size_t cap = 0;
	char name[96];
	int g, rc = 0;
	if (out->level == GROUP_TENANT) {
		const struct tenants_config *tc = cfg->tenants;
		for (size_t t = 0; tc && t < tc->n && rc >= 0; t++) {
			if (only && strcmp(only, tc->t[t].name) != 0)
				continue;
			if ((g = find_or_add(out, &cap, tc->t[t].name)) < 0)
				return g;
			for (size_t j = 0; j < tc->t[t].nracks && rc >= 0; j++) {
				long k = floor_rack_find(fl, tc->t[t].racks[j].name);
				if (k >= 0)
					rc = plan_rack(p, fl, (size_t)k, (size_t)g,
					               &out->info[g].source);
			}
			for (size_t i = 0; i < fl->noutlets && rc >= 0; i++)
				for (size_t j = 0; j < tc->t[t].noutlets; j++) {
					struct group_series s;
					if (!outlet_is(fl, i, &tc->t[t].outlets[j]) ||
					    !group_outlet_series(fl, i, &s))
						continue;
					out->info[g].source =
					        merge_src(out->info[g].source, SRC_OUTLETS);
					rc = plan_add(p, &s, 1, (size_t)g);
					break;
				}
		}
		return rc;
	}
	for (size_t k = 0; k < fl->nracks && rc >= 0; k++) {
		const struct floor_rack *rk = &fl->racks[k];
		if (out->level == GROUP_OUTLET) {
			if (only && strcmp(only, rk->name) != 0)
				continue;
			for (size_t j = 0; j < rk->npdus && rc >= 0; j++) {
				const struct floor_pdu *pd = &fl->pdus[rk->pdu0 + j];
				for (size_t i = 0; i < pd->noutlets && rc >= 0; i++) {
					size_t oi = pd->outlet0 + i;
					struct group_series s;
					snprintf(name, sizeof(name), "%s/%s/%s", rk->name,
					         *pd->feed ? pd->feed : pd->dev->name,
					         fl->outlets[oi].name);
					if ((g = find_or_add(out, &cap, name)) < 0)
						return g;
					out->info[g].rack = rk->name;
					out->info[g].hall = rk->hall;
					out->info[g].row = rk->row;
					out->info[g].source = SRC_OUTLETS;
					if (group_outlet_series(fl, oi, &s))
						rc = plan_add(p, &s, 1, (size_t)g);
				}
			}
			continue;
		}
		if (out->level == GROUP_RACK)
			snprintf(name, sizeof(name), "%s", rk->name);
		else if (out->level == GROUP_ROW)
			snprintf(name, sizeof(name), "%s/%s", rk->hall, rk->row);
		else
			snprintf(name, sizeof(name), "%s", rk->hall);
		if (only && strcmp(only, name) != 0)
			continue;
		if ((g = find_or_add(out, &cap, name)) < 0)
			return g;
		out->info[g].hall = rk->hall;
		out->info[g].row = out->level == GROUP_HALL ? NULL : rk->row;
		out->info[g].rack = out->level == GROUP_RACK ? rk->name : NULL;
		rc = plan_rack(p, fl, k, (size_t)g, &out->info[g].source);
	}
	return rc;
}

int groups_compute(const struct config *cfg, const struct floor *fl, struct store_reader *r,
                   enum group_level level, const char *only, int64_t from_ms, int64_t to_ms,
                   enum energy_step by, int64_t now_ms, struct group_energy *out)
{
	memset(out, 0, sizeof(*out));
	out->level = level;
	out->from_ms = from_ms;
	out->to_ms = to_ms;
	out->now_ms = now_ms;
	const struct energy_model *m = group_model(cfg);
	struct energy_frame *f =
	        energy_frame_new(m, from_ms, to_ms, by, false, now_ms, out->err, sizeof(out->err));
	if (!f)
		return -EINVAL;
	struct plan p = {0};
	int rc = plan_level(&p, out, cfg, fl, only);
	if (rc >= 0)
		rc = group_acc_init(&out->acc, f, out->n, false);
	size_t niv = energy_frame_nintervals(f);
	if (rc >= 0 && niv) {
		out->iv = malloc(niv * sizeof(*out->iv));
		if (!out->iv)
			rc = -ENOMEM;
		else
			memcpy(out->iv, energy_frame_intervals(f), niv * sizeof(*out->iv));
	}
	for (size_t i = 0; rc >= 0 && i < p.n; i++) {
		struct group_target t = {&out->acc, p.g[i]};
		rc = group_read(f, r, &p.s[i], &t, 1);
		if (rc < 0)
			snprintf(out->err, sizeof(out->err), "reading %s: %s", p.s[i].name,
			         strerror(-rc));
	}
	if (rc >= 0)
		group_acc_finish(&out->acc, m, f);
	else if (!out->err[0])
		snprintf(out->err, sizeof(out->err), "%s", strerror(-rc));
	free(p.s);
	free(p.g);
	energy_frame_free(f);
	if (rc < 0)
		group_energy_free(out);
	return rc < 0 ? rc : 0;
}

void group_energy_free(struct group_energy *g)
{
	if (!g)
		return;
	group_acc_free(&g->acc);
	free(g->info);
	free(g->iv);
	g->info = NULL;
	g->iv = NULL;
	g->n = 0;
}
