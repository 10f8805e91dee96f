/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `tariffs:` config section (tariff.h): a list of tariffs, each with its currency, named
 * source, prices by period and, for time of use, seasons that map months and local times to
 * periods. A season lists the time ranges of each period ("08:00-11:00", crossing midnight
 * allowed, quarter-hour boundaries); time not listed is the season's `rest` period (flat
 * unless said otherwise). Errors carry file:line: an overlap, a month in two seasons, a month
 * in none, a period used without a price.
 */
#include "analytics/tariff.h"
#include "config/config.h"
#include "config/config_yaml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const period_names[TP_COUNT + 1] = {
        [TP_CRITICAL] = "critical",
        [TP_PEAK] = "peak",
        [TP_FLAT] = "flat",
        [TP_VALLEY] = "valley",
        [TP_DEEP_VALLEY] = "deep_valley",
};

const char *tariff_period_name(enum tariff_period p)
{
	return (unsigned)p < TP_COUNT ? period_names[p] : NULL;
}

static int period_index(const char *s)
{
	for (int i = 0; i < TP_COUNT; i++)
		if (strcmp(s, period_names[i]) == 0)
			return i;
	return -1;
}

const struct tariff *tariff_find(const struct tariffs_config *tc, const char *name)
{
	if (!tc || !tc->n)
		return NULL;
	if (!name)
		return &tc->t[0];
	for (size_t i = 0; i < tc->n; i++)
		if (tc->t[i].name && strcmp(tc->t[i].name, name) == 0)
			return &tc->t[i];
	return NULL;
}

enum tariff_period tariff_period_at(const struct tariff *t, int64_t t_ms)
{
	if (!t->tou)
		return TP_FLAT;
	time_t s = (time_t)(t_ms / 1000);
	struct tm tm;
	localtime_r(&s, &tm);
	return (enum tariff_period)t->table[tm.tm_mon][tm.tm_hour * 4 + tm.tm_min / 15];
}

void tariff_periods(const struct tariff *t, int64_t from_ms, int64_t slot_ms, size_t n,
                    uint8_t *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)tariff_period_at(t, from_ms + (int64_t)i * slot_ms);
}

/* ---- parsing ---- */

/* "HH:MM-HH:MM" in quarter hours: *a..*b (b may be <= a: across midnight; 24:00 allowed as
 * an end). false when malformed. */
static bool parse_range(const char *s, int *a, int *b)
{
	int h1, m1, h2, m2, n = 0;
	if (sscanf(s, "%2d:%2d-%2d:%2d%n", &h1, &m1, &h2, &m2, &n) != 4 || s[n])
		return false;
	if (h1 < 0 || h1 > 23 || h2 < 0 || h2 > 24 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59 ||
	    m1 % 15 || m2 % 15 || (h2 == 24 && m2))
		return false;
	*a = h1 * 4 + m1 / 15;
	*b = h2 * 4 + m2 / 15;
	return *a != *b % TARIFF_QUARTERS || (h2 == 24 && h1 == 0);
}

struct season {
	struct tariff *t;
	bool month[12];
	bool have_months;
	int rest; /* period of unlisted time */
	int8_t q[TARIFF_QUARTERS];
	bool used[TP_COUNT];
};

static void season_ranges(struct ydoc *y, struct season *se, int p, const char *path,
                          yaml_node_t *v)
{
	if (v->type != YAML_SEQUENCE_NODE) {
		yerr(y, v, path, "expected a list of \"HH:MM-HH:MM\" ranges, got %s",
		     ynode_kind(v));
		return;
	}
	for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top;
	     i++) {
		yaml_node_t *it = ynode(y, *i);
		const char *s = yscalar(it);
		int a, b;
		if (!s || !parse_range(s, &a, &b)) {
			yerr(y, it, path,
			     "expected \"HH:MM-HH:MM\" on quarter hours (e.g. \"08:00-11:30\", "
			     "\"23:00-07:00\")");
			continue;
		}
		se->used[p] = true;
		int count = ((b - a) % TARIFF_QUARTERS + TARIFF_QUARTERS) % TARIFF_QUARTERS;
		for (int j = 0; j < (count ? count : TARIFF_QUARTERS); j++) {
			int k = (a + j) % TARIFF_QUARTERS;
			if (se->q[k] >= 0) {
				yerr(y, it, path, "%02d:%02d is already %s in this season", k / 4,
				     k % 4 * 15, period_names[se->q[k]]);
				break;
			}
			se->q[k] = (int8_t)p;
		}
	}
}

static void season_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                        yaml_node_t *knode, yaml_node_t *v)
{
	struct season *se = ctx;
	(void)knode;
	if (strcmp(key, "months") == 0) {
		if (v->type != YAML_SEQUENCE_NODE) {
			yerr(y, v, path, "expected a list of months 1..12");
			return;
		}
		se->have_months = true;
		for (yaml_node_item_t *i = v->data.sequence.items.start;
		     i < v->data.sequence.items.top; i++) {
			long long mo;
			if (ywant_int(y, ynode(y, *i), path, 1, 12, &mo))
				se->month[mo - 1] = true;
		}
	} else if (strcmp(key, "rest") == 0) {
		const char *s = ywant_string(y, v, path);
		int p = s ? period_index(s) : -1;
		if (s && p < 0)
			yerr(y, v, path, "expected critical, peak, flat, valley or deep_valley");
		else if (s)
			se->rest = p;
	} else {
		season_ranges(y, se, period_index(key), path, v);
	}
}

struct tariff_ctx {
	struct tariff *t;
	int8_t month_season[12]; /* which season (index) claimed each month, -1 none */
	bool used[TP_COUNT];
	yaml_node_t *seasons;
};

static void parse_seasons(struct ydoc *y, struct tariff_ctx *c, const char *path, yaml_node_t *v)
{
	static const char *const keys[] = {"months", "critical",    "peak", "flat",
	                                   "valley", "deep_valley", "rest", NULL};
	if (v->type != YAML_SEQUENCE_NODE) {
		yerr(y, v, path, "expected a list of seasons, got %s", ynode_kind(v));
		return;
	}
	c->seasons = v;
	c->t->tou = true;
	int idx = 0;
	for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top;
	     i++, idx++) {
		yaml_node_t *item = ynode(y, *i);
		char p[128];
		snprintf(p, sizeof(p), "%s[%d]", path, idx);
		struct season se = {.t = c->t, .rest = TP_FLAT};
		memset(se.q, -1, sizeof(se.q));
		if (!ymap_walk(y, item, p, keys, season_pair, &se))
			continue;
		if (!se.have_months) {
			yerr(y, item, p, "months: is required (e.g. [1, 2, 12])");
			continue;
		}
		for (int k = 0; k < TARIFF_QUARTERS; k++)
			if (se.q[k] < 0)
				se.q[k] = (int8_t)se.rest;
		for (int k = 0; k < TARIFF_QUARTERS; k++)
			c->used[se.q[k]] = true;
		for (int mo = 0; mo < 12; mo++) {
			if (!se.month[mo])
				continue;
			if (c->month_season[mo] >= 0) {
				yerr(y, item, p, "month %d is already in season %d", mo + 1,
				     c->month_season[mo]);
				continue;
			}
			c->month_season[mo] = (int8_t)idx;
			for (int k = 0; k < TARIFF_QUARTERS; k++)
				c->t->table[mo][k] = (uint8_t)se.q[k];
		}
	}
}

static void prices_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                        yaml_node_t *knode, yaml_node_t *v)
{
	struct tariff *t = ctx;
	int p = period_index(key);
	(void)knode;
	if (p >= 0 && ywant_double(y, v, path, &t->price[p])) {
		if (!(t->price[p] >= 0 && t->price[p] < 1e6))
			yerr(y, v, path, "expected a price per kWh >= 0");
		else
			t->have_price[p] = true;
	}
}

static void tariff_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                        yaml_node_t *knode, yaml_node_t *v)
{
	struct tariff_ctx *c = ctx;
	(void)knode;
	if (strcmp(key, "name") == 0) {
		const char *s = ywant_string(y, v, path);
		if (s && !config_name_ok(s, "_-."))
			yerr(y, v, path, "expected letters, digits and _-.");
		else
			c->t->name = s;
	} else if (strcmp(key, "currency") == 0) {
		c->t->currency = ywant_string(y, v, path);
	} else if (strcmp(key, "source") == 0) {
		c->t->source = ywant_string(y, v, path);
	} else if (strcmp(key, "prices") == 0) {
		ymap_walk(y, v, path, period_names, prices_pair, c->t);
	} else if (strcmp(key, "seasons") == 0) {
		parse_seasons(y, c, path, v);
	}
}

/* A parsed tariff's whole-item checks. */
static void tariff_check(struct ydoc *y, struct tariff_ctx *c, yaml_node_t *item, const char *p)
{
	struct tariff *t = c->t;
	if (!t->name || !t->currency || !t->source) {
		yerr(y, item, p,
		     "name, currency and source are required (source: who published the prices, "
		     "and when)");
		return;
	}
	if (!t->tou) {
		if (!t->have_price[TP_FLAT])
			yerr(y, item, p,
			     "a tariff without seasons is flat: give prices: {flat: ...}");
		return;
	}
	for (int mo = 0; mo < 12; mo++)
		if (c->month_season[mo] < 0) {
			yerr(y, c->seasons, p, "month %d is in no season", mo + 1);
			break;
		}
	for (int k = 0; k < TP_COUNT; k++)
		if (c->used[k] && !t->have_price[k])
			yerr(y, item, p, "period %s is used but prices: has no %s", period_names[k],
			     period_names[k]);
}

void tariffs_config_parse(struct ydoc *y, struct config *cfg, const char *path, void *node)
{
	static const char *const keys[] = {"name", "currency", "source", "prices", "seasons", NULL};
	yaml_node_t *v = node;
	if (v->type != YAML_SEQUENCE_NODE) {
		yerr(y, v, path, "expected a list of tariffs, got %s", ynode_kind(v));
		return;
	}
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	struct tariffs_config *tc = config_arena_alloc(y->arena, sizeof(*tc));
	tc->t = config_arena_alloc(y->arena, (n ? n : 1) * sizeof(*tc->t));
	cfg->tariffs = tc;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = ynode(y, v->data.sequence.items.start[i]);
		char p[64];
		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		struct tariff *t = &tc->t[tc->n];
		struct tariff_ctx c = {.t = t};
		memset(c.month_season, -1, sizeof(c.month_season));
		t->file = y->file;
		t->line = yline(item);
		memset(t->table, TP_FLAT, sizeof(t->table));
		if (!ymap_walk(y, item, p, keys, tariff_pair, &c))
			continue;
		tariff_check(y, &c, item, p);
		for (size_t j = 0; t->name && j < tc->n; j++)
			if (strcmp(tc->t[j].name, t->name) == 0)
				yerr(y, item, p, "tariff name \"%s\" used twice", t->name);
		if (t->name)
			tc->n++;
	}
}
