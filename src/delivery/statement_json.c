/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Statement figures (analytics/statement.h) as JSON: every number as computed there, times
 * in UTC with the site-time label beside them, statuses and sources as codes. The CSV, HTML
 * and PDF renderings read this tree only, so they cannot disagree with it.
 */
#include "delivery/statement.h"

#include "analytics/floor.h"
#include "analytics/statement.h"
#include "analytics/tenants.h"
#include "config/config.h"
#include "core/timeutil.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static void num(cJSON *o, const char *k, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static void utc(cJSON *o, const char *k, int64_t ms)
{
	char b[32];
	time_format_utc(ms, b, sizeof(b));
	cJSON_AddStringToObject(o, k, b);
}

static void cell_json(cJSON *o, const struct group_cell *c)
{
	num(o, "kwh", c->kwh);
	num(o, "estimated_kwh", c->estimated);
	num(o, "coverage", c->coverage);
	cJSON_AddStringToObject(o, "status", energy_status_name(c->status));
	cJSON_AddBoolToObject(o, "derived", c->derived);
}

static cJSON *tariff_json(const struct tariff *t)
{
	if (!t)
		return cJSON_CreateNull();
	cJSON *o = cJSON_CreateObject(), *p = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", t->name);
	cJSON_AddStringToObject(o, "currency", t->currency);
	cJSON_AddStringToObject(o, "source", t->source);
	cJSON_AddStringToObject(o, "kind", t->tou ? "time_of_use" : "flat");
	for (int k = 0; k < TP_COUNT; k++)
		if (t->have_price[k])
			cJSON_AddNumberToObject(p, tariff_period_name((enum tariff_period)k),
			                        t->price[k]);
	cJSON_AddItemToObject(o, "prices", p);
	return o;
}

static cJSON *overhead_json(const struct statement_set *s, const struct statement_tenant *st)
{
	cJSON *o = cJSON_CreateObject();
	if (!st->t->overhead_pue) {
		cJSON_AddStringToObject(o, "method", "none");
		return o;
	}
	cJSON_AddStringToObject(o, "method", "pue");
	cJSON_AddBoolToObject(o, "allocated", st->overhead);
	if (st->overhead) {
		num(o, "pue", st->pue);
		cJSON_AddStringToObject(o, "pue_label", s->pue_label);
		num(o, "kwh", st->overhead_kwh);
		num(o, "cost", st->overhead_cost);
		cJSON_AddStringToObject(
		        o, "note",
		        "facility overhead allocated as metered kWh x (PUE - 1) by the "
		        "month's measured PUE; not metered, not part of kwh");
	} else {
		cJSON_AddStringToObject(o, "why", st->overhead_why);
	}
	return o;
}

static cJSON *racks_json(const struct statement_tenant *st)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < st->nracks; i++) {
		const struct statement_rack *r = &st->racks[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "rack", r->rack);
		cJSON_AddStringToObject(o, "hall", r->hall);
		cJSON_AddStringToObject(o, "row", r->row);
		cJSON_AddBoolToObject(o, "whole", r->whole);
		if (!r->whole)
			cJSON_AddStringToObject(o, "outlets", r->outlets);
		cell_json(o, &r->month);
		cJSON_AddStringToObject(o, "source", group_source_name(r->source));
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static cJSON *checks_json(const struct statement_tenant *st)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < st->nchecks; i++) {
		const struct statement_check *c = &st->checks[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "pdu", c->pdu);
		cJSON_AddStringToObject(o, "rack", c->rack);
		cJSON_AddStringToObject(o, "feed", c->feed);
		num(o, "input_kwh", c->input.kwh);
		num(o, "outlets_kwh", c->outlets.kwh);
		num(o, "diff_pct", c->diff_pct);
		num(o, "accuracy_pct", c->accuracy_pct);
		cJSON_AddBoolToObject(o, "judged", c->judged);
		cJSON_AddBoolToObject(o, "ok", c->ok);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static cJSON *tenant_json(const struct statement_set *s, const struct statement_tenant *st)
{
	cJSON *o = cJSON_CreateObject(), *x;
	char b[48];
	cJSON_AddStringToObject(o, "kind", "tenant_statement");
	cJSON_AddStringToObject(o, "methodology", STATEMENT_METHODOLOGY);
	x = cJSON_AddObjectToObject(o, "tenant");
	cJSON_AddStringToObject(x, "name", st->t->name);
	cJSON_AddStringToObject(x, "title", st->t->title ? st->t->title : st->t->name);
	bool complete = !s->in_progress && st->month.status != ENERGY_MISSING;
	cJSON_AddBoolToObject(o, "complete", complete);
	x = cJSON_AddObjectToObject(o, "energy");
	cell_json(x, &st->month);
	cJSON_AddNumberToObject(x, "racks", (double)st->nracks);
	cJSON_AddItemToObject(o, "tariff", tariff_json(st->tariff));
	x = cJSON_AddArrayToObject(o, "by_period");
	for (int k = 0; k < TP_COUNT; k++) {
		if (!(st->period_kwh[k] > 0) && !(st->tariff && st->tariff->have_price[k]))
			continue;
		cJSON *p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "period", tariff_period_name((enum tariff_period)k));
		num(p, "kwh", st->period_kwh[k]);
		num(p, "price", st->tariff ? st->tariff->price[k] : NAN);
		num(p, "cost", st->tariff ? st->period_cost[k] : NAN);
		cJSON_AddItemToArray(x, p);
	}
	x = cJSON_AddObjectToObject(o, "peak_demand");
	num(x, "kw", st->peak_kw);
	if (isfinite(st->peak_kw)) {
		utc(x, "at", st->peak_at);
		time_format_local(st->peak_at, b, sizeof(b));
		cJSON_AddStringToObject(x, "at_local", b);
	}
	cJSON_AddNumberToObject(x, "interval_min", 15);
	x = cJSON_AddObjectToObject(o, "cost");
	if (st->tariff)
		cJSON_AddStringToObject(x, "currency", st->tariff->currency);
	num(x, "energy", st->energy_cost);
	num(x, "overhead", st->overhead ? st->overhead_cost : NAN);
	num(x, "total", st->total_cost);
	cJSON_AddItemToObject(o, "overhead", overhead_json(s, st));
	cJSON_AddItemToObject(o, "racks", racks_json(st));
	cJSON_AddItemToObject(o, "meter_checks", checks_json(st));
	cJSON_AddBoolToObject(o, "meter_checks_ok", !st->checks_failed);
	x = cJSON_AddArrayToObject(o, "days");
	for (size_t k = 0; k < s->ndays; k++) {
		cJSON *d = cJSON_CreateObject();
		time_local_label(s->day_from[k], TIME_DAY, b, sizeof(b));
		cJSON_AddStringToObject(d, "date", b);
		num(d, "kwh", st->day_kwh[k]);
		cJSON_AddItemToArray(x, d);
	}
	return o;
}

cJSON *statement_json(const struct config *cfg, const struct statement_set *s, int64_t generated_ms)
{
	cJSON *j = cJSON_CreateObject(), *x;
	cJSON_AddStringToObject(j, "kind", "tenant_statements");
	cJSON_AddStringToObject(j, "methodology", STATEMENT_METHODOLOGY);
	x = cJSON_AddObjectToObject(j, "site");
	cJSON_AddStringToObject(x, "id", cfg->site.id ? cfg->site.id : "");
	cJSON_AddStringToObject(x, "name", cfg->site.name ? cfg->site.name : "");
	cJSON_AddStringToObject(x, "timezone", cfg->site.timezone ? cfg->site.timezone : "UTC");
	x = cJSON_AddObjectToObject(j, "period");
	cJSON_AddStringToObject(x, "label", s->period);
	utc(x, "from", s->from_ms);
	utc(x, "to", s->to_ms);
	char b[32];
	time_format_local(s->from_ms, b, sizeof(b));
	cJSON_AddStringToObject(x, "from_local", b);
	time_format_local(s->to_ms, b, sizeof(b));
	cJSON_AddStringToObject(x, "to_local", b);
	utc(j, "generated", generated_ms);
	cJSON_AddBoolToObject(j, "in_progress", s->in_progress);
	cJSON_AddNumberToObject(j, "elapsed_share",
	                        (double)s->elapsed_ms / (double)(s->to_ms - s->from_ms));
	if (s->pue_known) { /* only asked for when a tenant's overhead is allocated by it */
		x = cJSON_AddObjectToObject(j, "site_pue");
		cJSON_AddBoolToObject(x, "published", s->pue_published);
		if (s->pue_published) {
			num(x, "pue", s->pue);
			cJSON_AddStringToObject(x, "label", s->pue_label);
		} else {
			cJSON_AddStringToObject(x, "why", s->pue_why);
		}
	}
	cJSON_AddNumberToObject(j, "gaps_spread", (double)s->ngaps_total);
	cJSON *a = cJSON_AddArrayToObject(j, "statements");
	for (size_t i = 0; i < s->n; i++)
		cJSON_AddItemToArray(a, tenant_json(s, &s->t[i]));
	return j;
}
