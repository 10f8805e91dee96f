/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tenant statements (statement.h). One frame over the month in 15-minute slots and daily
 * intervals; every series of the tenants in scope is read once and added to its tenant (kWh
 * per slot: tariff periods, peak demand), its rack row, and, for a PDU with both an input
 * meter and outlet meters, to that PDU's check. The site PUE for overhead allocation comes
 * from energy_compute()/energy_figures(), as `greendc pue` publishes it.
 */
#include "analytics/statement.h"
#include "analytics/capacity.h"
#include "analytics/energy_frame.h"
#include "analytics/floor.h"
#include "analytics/kpi.h"
#include "analytics/tenants.h"
#include "config/config.h"
#include "store/store.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TARGETS 3

/* One series to read and the groups it adds to. */
struct item {
	size_t tenant; /* whose figures it adds to */
	struct group_series s;
	struct group_target t[MAX_TARGETS];
	size_t nt;
};

#define MAX_THREADS 8

struct build {
	const struct config *cfg;
	const char *db_path; /* for the extra readers */
	unsigned threads;
	struct statement_set *set;
	struct floor *fl;
	bool count;            /* pass 1: count the rows only */
	size_t nrows, nchecks; /* pass 1: totals; pass 2: the next global row / check */
	struct group_acc tenants, racks, check_in, check_out;
	struct item *it;
	size_t nit, cap;
	size_t tenant; /* being planned */
};

static int item_add(struct build *b, const struct group_series *s, struct group_acc *a1, size_t g1,
                    struct group_acc *a2, size_t g2)
{
	if (b->nit == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		struct item *p = realloc(b->it, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		b->it = p;
		b->cap = cap;
	}
	struct item *it = &b->it[b->nit++];
	*it = (struct item){.tenant = b->tenant, .s = *s};
	it->t[it->nt++] = (struct group_target){a1, g1};
	if (a2)
		it->t[it->nt++] = (struct group_target){a2, g2};
	return 0;
}

static double accuracy_of(const struct config *cfg, const char *device)
{
	const struct capacity_config *c = capacity_config_get(cfg);
	for (size_t i = 0; i < c->npdus; i++)
		if (strcmp(c->pdus[i].device, device) == 0 && c->pdus[i].accuracy_pct > 0)
			return c->pdus[i].accuracy_pct;
	return c->defaults.accuracy_pct > 0 ? c->defaults.accuracy_pct : 1;
}

static void row_source(struct statement_rack *row, enum group_source src)
{
	row->source = row->source == SRC_NONE || row->source == src ? src : SRC_MIXED;
}

/* Does the PDU have an input meter and a counter on every outlet? */
static bool checkable(const struct floor *fl, const struct floor_pdu *p)
{
	bool ok = p->energy.id && p->noutlets > 0;
	for (size_t i = 0; ok && i < p->noutlets; i++)
		ok = fl->outlets[p->outlet0 + i].energy.id != 0;
	return ok;
}

/* One PDU of a whole rack: its energy to tenant ti and global rack row gr; with outlet meters
 * beside its input meter, a check too (its outlets are read for the check alone). */
static int plan_pdu(struct build *b, size_t pdu, size_t ti, size_t gr)
{
	const struct floor *fl = b->fl;
	const struct floor_pdu *p = &fl->pdus[pdu];
	bool check = checkable(fl, p);
	if (b->count) {
		b->nchecks += check;
		return 0;
	}
	struct statement_tenant *st = &b->set->t[ti];
	struct statement_rack *row = &b->set->rows[gr];
	size_t cap = 1 + p->noutlets;
	struct group_series *all = malloc(cap * sizeof(*all));
	enum group_source src;
	if (!all)
		return -ENOMEM;
	size_t n = group_pdu_series(fl, pdu, all, cap, &src);
	row_source(row, src);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = item_add(b, &all[i], &b->tenants, ti, &b->racks, gr);
	free(all);
	if (!check || rc < 0)
		return rc;
	size_t gc = b->nchecks++;
	st->nchecks++;
	b->set->checks[gc] =
	        (struct statement_check){.pdu = p->dev->name,
	                                 .rack = fl->racks[p->rack].name,
	                                 .feed = p->feed,
	                                 .accuracy_pct = accuracy_of(b->cfg, p->dev->name)};
	struct item *in = &b->it[b->nit - 1]; /* the input meter, just added */
	in->t[in->nt++] = (struct group_target){&b->check_in, gc};
	for (size_t i = 0; i < p->noutlets && rc == 0; i++) {
		struct group_series os;
		if (group_outlet_series(fl, p->outlet0 + i, &os))
			rc = item_add(b, &os, &b->check_out, gc, NULL, 0);
	}
	return rc;
}

static bool outlet_matches(const struct floor *fl, size_t i, const struct tenant_outlet *o)
{
	const struct floor_outlet *fo = &fl->outlets[i];
	const struct floor_pdu *pd = &fl->pdus[fo->pdu];
	return strcmp(fo->name, o->outlet) == 0 && strcmp(fl->racks[pd->rack].name, o->rack) == 0 &&
	       (!o->feed || strcmp(pd->feed, o->feed) == 0);
}

/* A check of PDU pdu for a tenant billed by some of its outlets: its input meter and every
 * outlet are read for the check alone. */
static int plan_check(struct build *b, size_t pdu, size_t ti)
{
	const struct floor *fl = b->fl;
	const struct floor_pdu *p = &fl->pdus[pdu];
	struct group_series s;
	enum group_source src;
	size_t gc = b->nchecks++;
	b->set->t[ti].nchecks++;
	b->set->checks[gc] =
	        (struct statement_check){.pdu = p->dev->name,
	                                 .rack = fl->racks[p->rack].name,
	                                 .feed = p->feed,
	                                 .accuracy_pct = accuracy_of(b->cfg, p->dev->name)};
	group_pdu_series(fl, pdu, &s, 1, &src);
	int rc = item_add(b, &s, &b->check_in, gc, NULL, 0);
	for (size_t i = 0; i < p->noutlets && rc == 0; i++)
		if (group_outlet_series(fl, p->outlet0 + i, &s))
			rc = item_add(b, &s, &b->check_out, gc, NULL, 0);
	return rc;
}

/* The outlets of shared rack k that tenant ti has: one rack row, and a check of each PDU
 * they are on that has an input meter (an outlet meter off by a few % bills the tenant). */
static int plan_shared_rack(struct build *b, size_t k, size_t ti)
{
	const struct floor *fl = b->fl;
	const struct floor_rack *rk = &fl->racks[k];
	const struct tenant *t = b->set->t[ti].t;
	size_t gr = b->nrows++;
	b->set->t[ti].nracks++;
	struct statement_rack *row = &b->set->rows[gr];
	*row = (struct statement_rack){
	        .rack = rk->name, .hall = rk->hall, .row = rk->row, .source = SRC_OUTLETS};
	size_t len = 0;
	for (size_t p = 0; p < rk->npdus; p++) {
		const struct floor_pdu *pd = &fl->pdus[rk->pdu0 + p];
		bool billed = false;
		for (size_t i = pd->outlet0; i < pd->outlet0 + pd->noutlets; i++)
			for (size_t j = 0; j < t->noutlets; j++) {
				struct group_series s;
				if (!outlet_matches(fl, i, &t->outlets[j]))
					continue;
				billed = true;
				if (len < sizeof(row->outlets))
					len += (size_t)snprintf(
					        row->outlets + len, sizeof(row->outlets) - len,
					        "%s%s%s%s", len ? ", " : "",
					        *pd->feed ? pd->feed : "", *pd->feed ? "/" : "",
					        fl->outlets[i].name);
				if (group_outlet_series(fl, i, &s)) {
					int rc = item_add(b, &s, &b->tenants, ti, &b->racks, gr);
					if (rc < 0)
						return rc;
				}
				break;
			}
		if (billed && checkable(fl, pd)) {
			int rc = plan_check(b, rk->pdu0 + p, ti);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* How many checks plan_shared_rack will make for tenant t on shared rack k. */
static size_t shared_checks(const struct build *b, size_t k, const struct tenant *t)
{
	const struct floor *fl = b->fl;
	const struct floor_rack *rk = &fl->racks[k];
	size_t n = 0;
	for (size_t p = 0; p < rk->npdus; p++) {
		const struct floor_pdu *pd = &fl->pdus[rk->pdu0 + p];
		bool billed = false;
		for (size_t i = pd->outlet0; !billed && i < pd->outlet0 + pd->noutlets; i++)
			for (size_t j = 0; !billed && j < t->noutlets; j++)
				billed = outlet_matches(fl, i, &t->outlets[j]);
		n += billed && checkable(fl, pd);
	}
	return n;
}

/* Every tenant's series (pass 2), or the rows they need (pass 1: b->count). */
static int plan(struct build *b)
{
	struct statement_set *set = b->set;
	const struct floor *fl = b->fl;
	for (size_t ti = 0; ti < set->n; ti++) {
		const struct tenant *t = set->t[ti].t;
		b->tenant = ti;
		if (!b->count) { /* rows are handed out tenant after tenant */
			set->t[ti].racks = set->rows + b->nrows;
			set->t[ti].checks = set->checks + b->nchecks;
		}
		for (size_t j = 0; j < t->nracks; j++) {
			long k = floor_rack_find(fl, t->racks[j].name);
			if (k < 0)
				continue;
			const struct floor_rack *rk = &fl->racks[k];
			size_t gr = b->nrows++;
			if (!b->count) {
				set->t[ti].nracks++;
				set->rows[gr] = (struct statement_rack){.rack = rk->name,
				                                        .hall = rk->hall,
				                                        .row = rk->row,
				                                        .whole = true};
			}
			for (size_t p = 0; p < rk->npdus; p++) {
				int rc = plan_pdu(b, rk->pdu0 + p, ti, gr);
				if (rc < 0)
					return rc;
			}
		}
		for (size_t k = 0; k < fl->nracks; k++) {
			bool any = false;
			for (size_t j = 0; j < t->noutlets && !any; j++)
				any = strcmp(t->outlets[j].rack, fl->racks[k].name) == 0;
			if (!any)
				continue;
			if (b->count) {
				b->nrows++;
				b->nchecks += shared_checks(b, k, t);
				continue;
			}
			int rc = plan_shared_rack(b, k, ti);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* The month's site PUE, once, for tenants whose overhead is allocated by it. */
static void site_pue(const struct config *cfg, struct store_reader *r, struct statement_set *set)
{
	const struct energy_model *m = cfg->energy;
	struct energy_report rep;
	struct energy_figures f;
	set->pue_known = true;
	if (energy_model_problem(m)) {
		snprintf(set->pue_why, sizeof(set->pue_why), "no energy model: %s",
		         energy_model_problem(m));
		return;
	}
	if (energy_compute(r, m, set->from_ms, set->to_ms, STEP_WHOLE, set->now_ms, &rep) < 0) {
		snprintf(set->pue_why, sizeof(set->pue_why), "%s", rep.err);
		return;
	}
	energy_figures(m, &rep, &rep.total, energy_certificates(m, set->from_ms, set->to_ms), &f);
	if (f.published) {
		set->pue_published = true;
		set->pue = f.k.pue.v;
		kpi_label(rep.category, set->period, set->pue, set->pue_label,
		          sizeof(set->pue_label));
	} else {
		snprintf(set->pue_why, sizeof(set->pue_why),
		         "the month's PUE is not published: %.200s", f.why);
	}
	energy_report_free(&rep);
}

/* Tariff periods, cost, peak demand, days and overhead of tenant ti. */
static void tenant_figures(struct build *b, struct energy_frame *f, size_t ti,
                           const uint8_t *periods, struct store_reader *r)
{
	struct statement_set *set = b->set;
	struct statement_tenant *st = &set->t[ti];
	size_t n = b->tenants.nslots, niv = b->tenants.niv;
	const double *v = b->tenants.slots + ti * n;
	int64_t from = energy_frame_from(f), slot = energy_frame_slot_ms(f);
	st->month = *group_cell(&b->tenants, ti, niv);
	st->peak_kw = NAN;
	/* Every slot the month's total has (nothing after now was read). */
	for (size_t i = 0; i < n; i++) {
		if (periods)
			st->period_kwh[periods[i]] += v[i];
		double kw = v[i] * 3600000.0 / (double)slot;
		if (st->month.nseries && !(kw <= st->peak_kw)) {
			st->peak_kw = kw;
			st->peak_at = from + (int64_t)i * slot;
		}
	}
	for (size_t k = 0; k < niv; k++)
		st->day_kwh[k] = group_cell(&b->tenants, ti, k)->kwh;
	st->energy_cost = st->total_cost = NAN;
	if (st->tariff) {
		st->energy_cost = 0;
		for (int p = 0; p < TP_COUNT; p++) {
			st->period_cost[p] = st->period_kwh[p] * st->tariff->price[p];
			st->energy_cost += st->period_cost[p];
		}
		st->total_cost = st->energy_cost;
	}
	if (!st->t->overhead_pue)
		return;
	if (!set->pue_known)
		site_pue(b->cfg, r, set);
	if (!set->pue_published) {
		snprintf(st->overhead_why, sizeof(st->overhead_why), "%.199s", set->pue_why);
		return;
	}
	st->overhead = true;
	st->pue = set->pue;
	st->overhead_kwh = st->month.kwh * (set->pue - 1);
	/* At the tenant's own mean price per metered kWh this month. */
	st->overhead_cost = st->tariff && st->month.kwh > 0
	                            ? st->overhead_kwh * st->energy_cost / st->month.kwh
	                            : NAN;
	if (st->tariff)
		st->total_cost = st->energy_cost + st->overhead_cost;
}

static void checks_figures(struct build *b)
{
	struct statement_set *set = b->set;
	size_t niv = b->tenants.niv;
	for (size_t ti = 0; ti < set->n; ti++) {
		struct statement_tenant *st = &set->t[ti];
		for (size_t c = 0; c < st->nchecks; c++) {
			struct statement_check *k = &st->checks[c];
			size_t gc = (size_t)(k - set->checks);
			k->input = *group_cell(&b->check_in, gc, niv);
			k->outlets = *group_cell(&b->check_out, gc, niv);
			k->diff_pct = k->input.kwh > 0
			                      ? 100 * (k->input.kwh - k->outlets.kwh) / k->input.kwh
			                      : NAN;
			k->judged = k->input.status != ENERGY_MISSING &&
			            k->outlets.status != ENERGY_MISSING && isfinite(k->diff_pct);
			k->ok = !k->judged || fabs(k->diff_pct) <= k->accuracy_pct;
			st->checks_failed |= !k->ok;
		}
		for (size_t i = 0; i < st->nracks; i++)
			st->racks[i].month =
			        *group_cell(&b->racks, (size_t)(st->racks + i - set->rows), niv);
	}
}

static int set_tenants(const struct config *cfg, const char *tenant, struct statement_set *out)
{
	const struct tenants_config *tc = cfg->tenants;
	if (!tc || !tc->n) {
		snprintf(out->err, sizeof(out->err), "no tenants: section in the config");
		return -ENOENT;
	}
	out->t = calloc(tc->n, sizeof(*out->t));
	if (!out->t)
		return -ENOMEM;
	for (size_t i = 0; i < tc->n; i++) {
		if (tenant && strcmp(tc->t[i].name, tenant) != 0)
			continue;
		struct statement_tenant *st = &out->t[out->n++];
		st->t = &tc->t[i];
		st->tariff = tariff_find(cfg->tariffs, tc->t[i].tariff);
	}
	if (!out->n) {
		snprintf(out->err, sizeof(out->err), "no tenant named \"%s\" in the config",
		         tenant);
		return -ENOENT;
	}
	return 0;
}

/* Rows, checks and days for every tenant (pass 1 counted them). */
static int set_alloc(struct build *b, const struct energy_frame *f)
{
	struct statement_set *set = b->set;
	size_t nd = energy_frame_nintervals(f);
	set->rows = calloc(b->nrows ? b->nrows : 1, sizeof(*set->rows));
	set->checks = calloc(b->nchecks ? b->nchecks : 1, sizeof(*set->checks));
	set->days = calloc((set->n ? set->n : 1) * (nd ? nd : 1), sizeof(double));
	set->day_from = calloc(nd ? nd : 1, sizeof(int64_t));
	if (!set->rows || !set->checks || !set->days || !set->day_from)
		return -ENOMEM;
	set->ndays = nd;
	for (size_t k = 0; k < nd; k++)
		set->day_from[k] = energy_frame_intervals(f)[k].from_ms;
	for (size_t i = 0; i < set->n; i++)
		set->t[i].day_kwh = set->days + i * nd;
	int rc = group_acc_init(&b->tenants, f, set->n, true);
	if (rc == 0)
		rc = group_acc_init(&b->racks, f, b->nrows, false);
	if (rc == 0)
		rc = group_acc_init(&b->check_in, f, b->nchecks, false);
	if (rc == 0)
		rc = group_acc_init(&b->check_out, f, b->nchecks, false);
	b->nrows = b->nchecks = 0;
	return rc;
}

/* The period tables of the tariffs in use, one per distinct tariff. */
static int tariff_tables(struct build *b, const struct energy_frame *f, uint8_t **tables)
{
	size_t n = energy_frame_nslots(f);
	for (size_t i = 0; i < b->set->n; i++) {
		const struct tariff *t = b->set->t[i].tariff;
		tables[i] = NULL;
		if (!t)
			continue;
		for (size_t j = 0; j < i && !tables[i]; j++)
			if (b->set->t[j].tariff == t)
				tables[i] = tables[j];
		if (tables[i])
			continue;
		if (!(tables[i] = malloc(n)))
			return -ENOMEM;
		tariff_periods(t, energy_frame_from(f), energy_frame_slot_ms(f), n, tables[i]);
	}
	return 0;
}

static void tariff_tables_free(const struct statement_set *set, uint8_t **tables)
{
	for (size_t i = 0; tables && i < set->n; i++) {
		bool shared = false;
		for (size_t j = 0; j < i && !shared; j++)
			shared = tables[j] == tables[i];
		if (!shared)
			free(tables[i]);
	}
	free(tables);
}

/* A share of the items read by one thread: its own frame and connection. */
struct worker {
	struct build *b;
	size_t from, to; /* items */
	struct store_reader *r;
	struct energy_frame *f;
	int rc;
	char err[200];
	pthread_t th;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	for (size_t i = w->from; w->rc == 0 && i < w->to; i++) {
		struct item *it = &w->b->it[i];
		w->rc = group_read(w->f, w->r, &it->s, it->t, it->nt);
		if (w->rc < 0)
			snprintf(w->err, sizeof(w->err), "reading %s: %s", it->s.name,
			         strerror(-w->rc));
	}
	return NULL;
}

/* Where the n-th share of the items ends: at a tenant's boundary, so that no two threads
 * add to the same tenant, rack row or check. */
static size_t share_end(const struct build *b, size_t k, size_t n)
{
	size_t e = b->nit * (k + 1) / n;
	while (e > 0 && e < b->nit && b->it[e].tenant == b->it[e - 1].tenant)
		e++;
	return e;
}

/* Read every item, by b->threads threads when there is more than one. */
static int read_items(struct build *b, struct store_reader *r, struct energy_frame *f0)
{
	struct statement_set *set = b->set;
	unsigned n = b->threads > 1 && b->db_path ? b->threads : 1;
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	struct worker w[MAX_THREADS];
	memset(w, 0, sizeof(w));
	size_t start = 0;
	int rc = 0;
	for (unsigned k = 0; k < n; k++) {
		w[k].b = b;
		w[k].from = start;
		w[k].to = k + 1 == n ? b->nit : share_end(b, k, n);
		start = w[k].to;
		w[k].r = k ? store_reader_open(b->db_path, w[k].err, sizeof(w[k].err)) : r;
		w[k].f = k ? energy_frame_new(group_model(b->cfg), set->from_ms, set->to_ms,
		                              STEP_DAY, true, set->now_ms, w[k].err,
		                              sizeof(w[k].err))
		           : f0;
		if (!w[k].r || !w[k].f)
			w[k].rc = -EIO;
		else if (k && pthread_create(&w[k].th, NULL, worker_main, &w[k]) != 0)
			w[k].rc = -EAGAIN;
	}
	if (w[0].rc == 0)
		worker_main(&w[0]);
	for (unsigned k = 0; k < n; k++) {
		if (k && w[k].th)
			pthread_join(w[k].th, NULL);
		if (w[k].rc < 0 && rc == 0) {
			rc = w[k].rc;
			snprintf(set->err, sizeof(set->err), "%s", w[k].err);
		}
		size_t ng, total;
		const struct energy_gap *g = w[k].f ? energy_frame_gaps(w[k].f, &ng, &total) : NULL;
		for (size_t i = 0; g && i < ng && set->ngaps < ENERGY_MAX_GAPS; i++)
			set->gaps[set->ngaps++] = g[i];
		set->ngaps_total += g ? total : 0;
		if (k) {
			store_reader_close(w[k].r);
			energy_frame_free(w[k].f);
		}
	}
	return rc;
}

static int compute(struct build *b, struct store_reader *r)
{
	struct statement_set *set = b->set;
	const struct energy_model *m = group_model(b->cfg);
	struct energy_frame *f = energy_frame_new(m, set->from_ms, set->to_ms, STEP_DAY, true,
	                                          set->now_ms, set->err, sizeof(set->err));
	uint8_t **tables = calloc(set->n, sizeof(*tables));
	int rc = f && tables ? 0 : -ENOMEM;
	b->count = true;
	if (rc == 0)
		rc = plan(b);
	b->count = false;
	if (rc == 0)
		rc = set_alloc(b, f);
	if (rc == 0)
		rc = plan(b);
	if (rc == 0)
		rc = tariff_tables(b, f, tables);
	if (rc == 0)
		rc = read_items(b, r, f);
	if (rc == 0) {
		struct group_acc *accs[] = {&b->tenants, &b->racks, &b->check_in, &b->check_out};
		for (size_t i = 0; i < 4; i++)
			group_acc_finish(accs[i], m, f);
		for (size_t i = 0; i < set->n; i++)
			tenant_figures(b, f, i, tables[i], r);
		checks_figures(b);
	}
	tariff_tables_free(set, tables);
	energy_frame_free(f);
	return rc;
}

int statement_compute(const struct config *cfg, struct store_reader *r, const char *month,
                      const char *tenant, int64_t now_ms, struct statement_set *out)
{
	return statement_compute_parallel(cfg, r, NULL, 1, month, tenant, now_ms, out);
}

int statement_compute_parallel(const struct config *cfg, struct store_reader *r,
                               const char *db_path, unsigned threads, const char *month,
                               const char *tenant, int64_t now_ms, struct statement_set *out)
{
	struct energy_period p;
	memset(out, 0, sizeof(*out));
	if (energy_period_parse(month, &p) < 0 || p.kind != STEP_MONTH) {
		snprintf(out->err, sizeof(out->err), "expected a month YYYY-MM, got \"%s\"", month);
		return -EINVAL;
	}
	snprintf(out->period, sizeof(out->period), "%.15s", p.label);
	out->from_ms = p.from_ms;
	out->to_ms = p.to_ms;
	out->now_ms = now_ms;
	out->in_progress = p.to_ms > now_ms;
	out->elapsed_ms =
	        now_ms < p.from_ms ? 0 : (now_ms < p.to_ms ? now_ms : p.to_ms) - p.from_ms;
	int rc = set_tenants(cfg, tenant, out);
	if (rc == 0) {
		char err[200];
		out->fl = floor_build(cfg, r, err, sizeof(err));
		if (!out->fl) {
			snprintf(out->err, sizeof(out->err), "%s", err);
			rc = -EIO;
		}
	}
	struct build b = {
	        .cfg = cfg, .db_path = db_path, .threads = threads, .set = out, .fl = out->fl};
	if (rc == 0)
		rc = compute(&b, r);
	group_acc_free(&b.tenants);
	group_acc_free(&b.racks);
	group_acc_free(&b.check_in);
	group_acc_free(&b.check_out);
	free(b.it);
	if (rc < 0 && !out->err[0])
		snprintf(out->err, sizeof(out->err), "%s", strerror(-rc));
	if (rc < 0) {
		char err[sizeof(out->err)];
		memcpy(err, out->err, sizeof(err));
		statement_set_free(out);
		memcpy(out->err, err, sizeof(err));
	}
	return rc;
}

void statement_set_free(struct statement_set *s)
{
	if (!s)
		return;
	free(s->t);
	free(s->rows);
	free(s->checks);
	free(s->days);
	free(s->day_from);
	floor_free(s->fl);
	memset(s, 0, sizeof(*s));
}
