/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `capacity:` config section (capacity.h):
 *
 *   capacity:
 *     derating: 0.8                 # share of a rating that may be used
 *     window: 24h                   # measured peaks of the floor view
 *     refresh: 1m
 *     defaults: {rated_a: 16, phases: 3, voltage_v: 230, accuracy_pct: 1}
 *     pdus:  [{device: rpdu-a1-01-a, rated_a: 32, phases: 1, voltage_v: 230}]
 *     racks: [{rack: A1-01, rated_kw: 8}]
 */
#include "analytics/capacity.h"
#include "config/config.h"
#include "config/config_yaml.h"

#include <stdio.h>
#include <string.h>

static const struct capacity_config defaults_only = {
        .derating = 0.8,
        .window_ms = 24 * INT64_C(3600000),
        .refresh_ms = 60000,
        .defaults = {.voltage_v = 230, .phases = 1, .accuracy_pct = 1},
};

const struct capacity_config *capacity_config_get(const struct config *cfg)
{
	return cfg && cfg->capacity ? cfg->capacity : &defaults_only;
}

static void pdu_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                     yaml_node_t *knode, yaml_node_t *v)
{
	struct capacity_pdu *p = ctx;
	long long n;
	(void)knode;
	if (strcmp(key, "device") == 0) {
		p->device = ywant_string(y, v, path);
	} else if (strcmp(key, "phases") == 0) {
		if (ywant_int(y, v, path, 1, 3, &n))
			p->phases = (int)n;
	} else {
		double *dst = strcmp(key, "rated_a") == 0     ? &p->rated_a
		              : strcmp(key, "rated_kw") == 0  ? &p->rated_kw
		              : strcmp(key, "voltage_v") == 0 ? &p->voltage_v
		                                              : &p->accuracy_pct;
		if (ywant_double(y, v, path, dst) && !(*dst > 0 && *dst < 1e6))
			yerr(y, v, path, "expected a number > 0");
	}
}

static void pdu_check(struct ydoc *y, const struct capacity_pdu *p, yaml_node_t *n,
                      const char *path)
{
	if (p->rated_a > 0 && p->rated_kw > 0)
		yerr(y, n, path, "give rated_a (per phase) or rated_kw, not both");
	if (p->accuracy_pct > 20)
		yerr(y, n, path,
		     "accuracy_pct: expected the meter's accuracy class in %% (e.g. 1)");
}

static void rack_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                      yaml_node_t *knode, yaml_node_t *v)
{
	struct capacity_rack *r = ctx;
	(void)knode;
	if (strcmp(key, "rack") == 0)
		r->rack = ywant_string(y, v, path);
	else if (strcmp(key, "rated_kw") == 0 && ywant_double(y, v, path, &r->rated_kw) &&
	         !(r->rated_kw > 0 && r->rated_kw < 1e6))
		yerr(y, v, path, "expected a number > 0");
}

static void parse_list(struct ydoc *y, struct capacity_config *c, bool racks, const char *path,
                       yaml_node_t *v)
{
	static const char *const pdu_keys[] = {"device",    "rated_a",      "rated_kw", "phases",
	                                       "voltage_v", "accuracy_pct", NULL};
	static const char *const rack_keys[] = {"rack", "rated_kw", NULL};
	if (v->type != YAML_SEQUENCE_NODE) {
		yerr(y, v, path, "expected a list, got %s", ynode_kind(v));
		return;
	}
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (racks)
		c->racks = config_arena_alloc(y->arena, (n ? n : 1) * sizeof(*c->racks));
	else
		c->pdus = config_arena_alloc(y->arena, (n ? n : 1) * sizeof(*c->pdus));
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = ynode(y, v->data.sequence.items.start[i]);
		char p[96];
		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		if (racks) {
			struct capacity_rack *r = &c->racks[c->nracks];
			*r = (struct capacity_rack){.line = yline(item)};
			if (!ymap_walk(y, item, p, rack_keys, rack_pair, r))
				continue;
			if (!r->rack || !(r->rated_kw > 0)) {
				yerr(y, item, p, "rack and rated_kw are required");
				continue;
			}
			c->nracks++;
		} else {
			struct capacity_pdu *d = &c->pdus[c->npdus];
			*d = (struct capacity_pdu){.line = yline(item)};
			if (!ymap_walk(y, item, p, pdu_keys, pdu_pair, d))
				continue;
			pdu_check(y, d, item, p);
			if (!d->device) {
				yerr(y, item, p, "device: is required");
				continue;
			}
			c->npdus++;
		}
	}
}

static void top_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                     yaml_node_t *knode, yaml_node_t *v)
{
	static const char *const def_keys[] = {"rated_a",   "rated_kw",     "phases",
	                                       "voltage_v", "accuracy_pct", NULL};
	struct capacity_config *c = ctx;
	(void)knode;
	if (strcmp(key, "derating") == 0) {
		if (ywant_double(y, v, path, &c->derating) &&
		    !(c->derating > 0 && c->derating <= 1))
			yerr(y, v, path, "expected a share in (0, 1] (0.8: 80 %% of the rating)");
	} else if (strcmp(key, "window") == 0) {
		ywant_duration(y, v, path, 15 * 60000, &c->window_ms);
	} else if (strcmp(key, "refresh") == 0) {
		ywant_duration(y, v, path, 5000, &c->refresh_ms);
	} else if (strcmp(key, "defaults") == 0) {
		if (ymap_walk(y, v, path, def_keys, pdu_pair, &c->defaults))
			pdu_check(y, &c->defaults, v, path);
	} else if (strcmp(key, "pdus") == 0) {
		parse_list(y, c, false, path, v);
	} else if (strcmp(key, "racks") == 0) {
		parse_list(y, c, true, path, v);
	}
}

void capacity_config_parse(struct ydoc *y, struct config *cfg, const char *path, void *node)
{
	static const char *const keys[] = {"derating", "window", "refresh", "defaults",
	                                   "pdus",     "racks",  NULL};
	struct capacity_config *c = config_arena_alloc(y->arena, sizeof(*c));
	*c = defaults_only;
	c->file = y->file;
	c->line = yline(node);
	cfg->capacity = c;
	ymap_walk(y, node, path, keys, top_pair, c);
}

void capacity_config_validate(const struct config *cfg, struct config_diag *diag)
{
	const struct capacity_config *c = cfg->capacity;
	for (size_t i = 0; c && i < c->npdus; i++) {
		const struct config_device *d = config_device_find(cfg, c->pdus[i].device);
		if (!d)
			config_diag_add(diag, c->file, c->pdus[i].line,
			                "capacity.pdus: device \"%s\" is not configured",
			                c->pdus[i].device);
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->pdus[j].device, c->pdus[i].device) == 0)
				config_diag_add(diag, c->file, c->pdus[i].line,
				                "capacity.pdus: device %s is rated twice (line %d)",
				                c->pdus[i].device, c->pdus[j].line);
	}
	for (size_t i = 0; c && i < c->nracks; i++) {
		bool known = false;
		for (size_t k = 0; !known && k < cfg->ndevices; k++)
			for (size_t j = 0; j < cfg->devices[k].nlabels; j++)
				known |= strcmp(cfg->devices[k].labels[j].key, "rack") == 0 &&
				         strcmp(cfg->devices[k].labels[j].value,
				                c->racks[i].rack) == 0;
		if (!known)
			config_diag_add(
			        diag, c->file, c->racks[i].line,
			        "capacity.racks: unknown rack \"%s\": no device has the label "
			        "rack: %s",
			        c->racks[i].rack, c->racks[i].rack);
	}
}
