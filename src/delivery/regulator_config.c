/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The keys of an `outputs.regulator[]` entry that only regulator targets have (the HTTP ones
 * are outputs_config.c's), the names of cycles and figures, and the check that the target's
 * template loads and renders JSON with its codes (regtpl_load), so `greendc check-config`
 * finds a broken template before the first upload does.
 */
#include "delivery/regulator_config.h"

#include "config/config.h"
#include "config/config_yaml.h"
#include "core/timeutil.h"
#include "delivery/regtpl.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

static const char *const cycle_names[REG_CYCLES] = {"15m", "1d", "1mo"};

const char *reg_cycle_name(enum reg_cycle c)
{
	switch (c) {
	case REG_15MIN:
		return cycle_names[0];
	case REG_DAY:
		return cycle_names[1];
	case REG_MONTH:
		return cycle_names[2];
	}
	return NULL;
}

enum reg_cycle reg_cycle_parse(const char *s)
{
	for (int i = 0; s && i < REG_CYCLES; i++)
		if (strcmp(s, cycle_names[i]) == 0)
			return (enum reg_cycle)(1 << i);
	return 0;
}

static const char *const figure_names[FIG_COUNT] = {"e_dc_kwh",
                                                    "it_kwh",
                                                    "facility_input_kwh",
                                                    "backup_generation_kwh",
                                                    "onsite_renewable_kwh",
                                                    "cooling_kwh",
                                                    "lighting_other_kwh",
                                                    "reused_heat_kwh",
                                                    "water_m3",
                                                    "water_potable_m3",
                                                    "pue"};

const char *reg_figure_name(enum reg_figure f)
{
	return (unsigned)f < FIG_COUNT ? figure_names[f] : NULL;
}

int reg_figure_parse(const char *s)
{
	for (int i = 0; s && i < FIG_COUNT; i++)
		if (strcmp(s, figure_names[i]) == 0)
			return i;
	return -1;
}

struct item_ctx {
	struct reg_item *it;
};

static void item_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                      yaml_node_t *knode, yaml_node_t *v)
{
	struct reg_item *it = ((struct item_ctx *)ctx)->it;
	long long n;
	(void)knode;
	if (strcmp(key, "code") == 0) {
		const char *s = ywant_string(y, v, path);
		if (s && (!*s || strlen(s) > 64 || strpbrk(s, "\"\\")))
			yerr(y, v, path, "expected a code of 1 to 64 characters, without quotes");
		else
			it->code = s;
	} else if (strcmp(key, "figure") == 0) {
		const char *s = yscalar(v);
		int f = reg_figure_parse(s);
		if (f < 0) {
			char known[400] = "";
			for (int i = 0; i < FIG_COUNT; i++)
				snprintf(known + strlen(known), sizeof(known) - strlen(known),
				         "%s%s", i ? ", " : "", figure_names[i]);
			yerr(y, v, path, "expected one of %s", known);
		} else {
			it->figure = (enum reg_figure)f;
		}
	} else if (strcmp(key, "scale") == 0) {
		if (ywant_double(y, v, path, &it->scale) && !(it->scale > 0))
			yerr(y, v, path, "expected a positive number");
	} else if (strcmp(key, "decimals") == 0) {
		if (ywant_int(y, v, path, 0, 12, &n))
			it->decimals = (int)n;
	}
}

static void items_parse(struct ydoc *y, struct reg_target *r, yaml_node_t *v, const char *path)
{
	static const char *const keys[] = {"code", "figure", "scale", "decimals", NULL};
	if (v->type != YAML_SEQUENCE_NODE) {
		yerr(y, v, path, "expected a list of {code, figure}; got %s", ynode_kind(v));
		return;
	}
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	r->items = config_arena_alloc(y->arena, (n ? n : 1) * sizeof(*r->items));
	r->nitems = 0;
	for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top;
	     i++) {
		yaml_node_t *e = ynode(y, *i);
		struct reg_item *it = &r->items[r->nitems];
		*it = (struct reg_item){.figure = FIG_COUNT, .scale = 1, .decimals = -1};
		struct item_ctx c = {it};
		if (!ymap_walk(y, e, path, keys, item_pair, &c))
			continue;
		if (!it->code || it->figure == FIG_COUNT) {
			yerr(y, e, path, "an energy type needs code and figure");
			continue;
		}
		for (size_t k = 0; k < r->nitems; k++)
			if (strcmp(r->items[k].code, it->code) == 0)
				yerr(y, e, path, "code \"%s\" listed twice", it->code);
		r->nitems++;
	}
}

static void ack_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                     yaml_node_t *knode, yaml_node_t *v)
{
	struct reg_target *r = ctx;
	(void)knode;
	if (strcmp(key, "field") == 0)
		r->ack_field = ywant_string(y, v, path);
	else
		r->ack_equals = ywant_string(y, v, path);
}

static void quality_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                         yaml_node_t *knode, yaml_node_t *v)
{
	struct reg_target *r = ctx;
	double d;
	(void)knode;
	if (!ywant_double(y, v, path, &d))
		return;
	if (!(d >= 0 && d <= 1)) {
		yerr(y, v, path, "expected a share between 0 and 1");
		return;
	}
	if (strcmp(key, "completeness_min") == 0)
		r->completeness_min = d;
	else
		r->difference_max = d;
}

bool regulator_config_pair(struct ydoc *y, struct config *cfg, struct reg_target *r,
                           const char *path, const char *key, yaml_node_t *v)
{
	if (strcmp(key, "template") == 0) {
		const char *s = ywant_string(y, v, path);
		if (s && s[0] != '/' && cfg->dir) {
			char buf[PATH_MAX];
			snprintf(buf, sizeof(buf), "%s/%s", cfg->dir, s);
			s = config_arena_strdup(y->arena, buf);
		}
		r->template_file = s;
	} else if (strcmp(key, "site_code") == 0) {
		const char *s = ywant_string(y, v, path);
		if (s && (!*s || strlen(s) > 128))
			yerr(y, v, path,
			     "expected the unit's code on the platform (1 to 128 bytes)");
		else
			r->site_code = s;
	} else if (strcmp(key, "cycles") == 0) {
		if (v->type != YAML_SEQUENCE_NODE) {
			yerr(y, v, path, "expected a list of 15m, 1d, 1mo; got %s", ynode_kind(v));
			return true;
		}
		r->cycles = 0;
		for (yaml_node_item_t *i = v->data.sequence.items.start;
		     i < v->data.sequence.items.top; i++) {
			yaml_node_t *e = ynode(y, *i);
			enum reg_cycle c = reg_cycle_parse(yscalar(e));
			if (!c)
				yerr(y, e, path, "expected 15m, 1d or 1mo");
			r->cycles |= (unsigned)c;
		}
	} else if (strcmp(key, "energy_types") == 0) {
		items_parse(y, r, v, path);
	} else if (strcmp(key, "ack") == 0) {
		static const char *const keys[] = {"field", "equals", NULL};
		ymap_walk(y, v, path, keys, ack_pair, r);
		if ((r->ack_field == NULL) != (r->ack_equals == NULL))
			yerr(y, v, path, "field and equals go together");
	} else if (strcmp(key, "quality") == 0) {
		static const char *const keys[] = {"completeness_min", "difference_max", NULL};
		ymap_walk(y, v, path, keys, quality_pair, r);
	} else if (strcmp(key, "delay") == 0) {
		ywant_duration(y, v, path, 0, &r->delay_ms);
	} else if (strcmp(key, "catch_up") == 0) {
		ywant_duration(y, v, path, 15 * 60000, &r->catch_up_ms);
	} else if (strcmp(key, "history") == 0) {
		/* Published operating rules: at least 6 months of local history. */
		if (ywant_duration(y, v, path, 1000, &r->history_ms) &&
		    r->history_ms < 183LL * 86400000)
			yerr(y, v, path,
			     "at least 183d: the rules ask for 6 months of local history");
	} else if (strcmp(key, "start") == 0) {
		const char *s = ywant_string(y, v, path);
		int64_t ms;
		const char *why = s ? time_parse_iso8601(s, TIME_NOZONE_UTC, &ms) : NULL;
		if (why)
			yerr(y, v, path, "expected a date or time in ISO 8601 (site time): %s",
			     why);
		else
			r->start = s;
	} else {
		return false;
	}
	return true;
}

void regulator_config_defaults(struct reg_target *r)
{
	*r = (struct reg_target){.cycles = REG_15MIN | REG_DAY | REG_MONTH,
	                         .delay_ms = 120000,
	                         .catch_up_ms = 7 * 86400000LL,
	                         .history_ms = 400 * 86400000LL,
	                         .completeness_min = 0.9,
	                         .difference_max = 0.05};
}

void regulator_config_finish(struct ydoc *y, yaml_node_t *n, const char *path, const char *name,
                             const struct reg_target *r)
{
	if (!r->template_file || !r->site_code || !r->nitems) {
		yerr(y, n, path,
		     "%s: a regulator target needs template, site_code and energy_types",
		     name ? name : "?");
		return;
	}
	if (!r->cycles) {
		yerr(y, n, path, "%s: no cycles", name ? name : "?");
		return;
	}
	char err[512];
	struct regtpl *t = regtpl_load(r->template_file, r, err, sizeof(err));
	if (!t)
		yerr(y, n, path, "%s: template %s", name ? name : "?", err);
	regtpl_free(t);
}
