/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `tenants:` config section (tenants.h):
 *
 *   tenants:
 *     - name: acme
 *       title: "ACME Cloud Ltd"
 *       racks: [A1-01, A1-02]
 *       outlets: [{rack: A2-04, outlet: "3"}, {rack: A2-04, outlet: "4", feed: B}]
 *       tariff: shanxi-2025-example
 *       overhead: pue
 *
 * The whole-config check knows the racks from the devices' `rack` labels.
 */
#include "analytics/tariff.h"
#include "analytics/tenants.h"
#include "config/config.h"
#include "config/config_yaml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct tenant *tenant_find(const struct tenants_config *tc, const char *name)
{
	for (size_t i = 0; tc && name && i < tc->n; i++)
		if (strcmp(tc->t[i].name, name) == 0)
			return &tc->t[i];
	return NULL;
}

const char *config_device_label(const struct config *cfg, const char *device, const char *key)
{
	const struct config_device *d = config_device_find(cfg, device);
	for (size_t i = 0; d && i < d->nlabels; i++)
		if (strcmp(d->labels[i].key, key) == 0)
			return d->labels[i].value;
	return NULL;
}

struct outlet_ctx {
	struct tenant_outlet *o;
};

static void outlet_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                        yaml_node_t *knode, yaml_node_t *v)
{
	struct tenant_outlet *o = ctx;
	(void)knode;
	if (strcmp(key, "rack") == 0)
		o->rack = ywant_string(y, v, path);
	else if (strcmp(key, "outlet") == 0)
		o->outlet = ywant_string(y, v, path);
	else if (strcmp(key, "feed") == 0)
		o->feed = ywant_string(y, v, path);
}

static void parse_outlets(struct ydoc *y, struct tenant *t, const char *path, yaml_node_t *v)
{
	static const char *const keys[] = {"rack", "outlet", "feed", NULL};
	if (v->type != YAML_SEQUENCE_NODE) {
		yerr(y, v, path, "expected a list of {rack, outlet[, feed]}, got %s",
		     ynode_kind(v));
		return;
	}
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	t->outlets = config_arena_alloc(y->arena, (n ? n : 1) * sizeof(*t->outlets));
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = ynode(y, v->data.sequence.items.start[i]);
		char p[128];
		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		struct tenant_outlet *o = &t->outlets[t->noutlets];
		*o = (struct tenant_outlet){.line = yline(item)};
		if (!ymap_walk(y, item, p, keys, outlet_pair, o))
			continue;
		if (!o->rack || !o->outlet) {
			yerr(y, item, p, "rack and outlet are required (the outlet's labels)");
			continue;
		}
		t->noutlets++;
	}
}

static void parse_racks(struct ydoc *y, struct tenant *t, const char *path, yaml_node_t *v)
{
	if (v->type != YAML_SEQUENCE_NODE) {
		yerr(y, v, path, "expected a list of rack names, got %s", ynode_kind(v));
		return;
	}
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	t->racks = config_arena_alloc(y->arena, (n ? n : 1) * sizeof(*t->racks));
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = ynode(y, v->data.sequence.items.start[i]);
		const char *s = ywant_string(y, item, path);
		if (s)
			t->racks[t->nracks++] = (struct tenant_rack){s, yline(item)};
	}
}

static void tenant_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                        yaml_node_t *knode, yaml_node_t *v)
{
	struct tenant *t = ctx;
	(void)knode;
	if (strcmp(key, "name") == 0) {
		const char *s = ywant_string(y, v, path);
		if (s && !config_name_ok(s, "_-."))
			yerr(y, v, path, "expected letters, digits and _-.");
		else
			t->name = s;
	} else if (strcmp(key, "title") == 0) {
		t->title = ywant_string(y, v, path);
	} else if (strcmp(key, "racks") == 0) {
		parse_racks(y, t, path, v);
	} else if (strcmp(key, "outlets") == 0) {
		parse_outlets(y, t, path, v);
	} else if (strcmp(key, "tariff") == 0) {
		t->tariff = ywant_string(y, v, path);
	} else if (strcmp(key, "overhead") == 0) {
		const char *s = ywant_string(y, v, path);
		if (s && strcmp(s, "pue") != 0 && strcmp(s, "none") != 0)
			yerr(y, v, path,
			     "expected none, or pue (facility overhead allocated by the month's "
			     "measured PUE, shown apart from the metered kWh)");
		else if (s)
			t->overhead_pue = strcmp(s, "pue") == 0;
	}
}

void tenants_config_parse(struct ydoc *y, struct config *cfg, const char *path, void *node)
{
	static const char *const keys[] = {"name",   "title",    "racks", "outlets",
	                                   "tariff", "overhead", NULL};
	yaml_node_t *v = node;
	if (v->type != YAML_SEQUENCE_NODE) {
		yerr(y, v, path, "expected a list of tenants, got %s", ynode_kind(v));
		return;
	}
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	struct tenants_config *tc = config_arena_alloc(y->arena, sizeof(*tc));
	tc->t = config_arena_alloc(y->arena, (n ? n : 1) * sizeof(*tc->t));
	cfg->tenants = tc;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = ynode(y, v->data.sequence.items.start[i]);
		char p[64];
		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		struct tenant *t = &tc->t[tc->n];
		*t = (struct tenant){.file = y->file, .line = yline(item)};
		if (!ymap_walk(y, item, p, keys, tenant_pair, t))
			continue;
		if (!t->name) {
			yerr(y, item, p, "name: is required");
			continue;
		}
		if (!t->nracks && !t->noutlets) {
			yerr(y, item, p, "%s: give racks or outlets", t->name);
			continue;
		}
		if (tenant_find(tc, t->name)) {
			yerr(y, item, p, "tenant name \"%s\" used twice", t->name);
			continue;
		}
		tc->n++;
	}
}

/* The racks the devices name, and the racks tenants hold whole, sorted for lookups: a site
 * of 5,000 racks checks in milliseconds. */
struct held {
	const char *rack;
	size_t tenant, entry;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_held(const void *a, const void *b)
{
	const struct held *x = a, *y = b;
	int c = strcmp(x->rack, y->rack);
	if (c)
		return c;
	if (x->tenant != y->tenant)
		return x->tenant < y->tenant ? -1 : 1;
	return x->entry < y->entry ? -1 : (x->entry > y->entry);
}

struct check {
	const struct config *cfg;
	const struct tenants_config *tc;
	const char **known; /* sorted rack labels of the devices */
	size_t nknown;
	struct held *held; /* sorted (rack, tenant, entry) */
	size_t nheld;
	struct config_diag *diag;
};

static bool rack_known(const struct check *c, const char *rack)
{
	return c->nknown && bsearch(&rack, c->known, c->nknown, sizeof(*c->known), cmp_str);
}

/* The first tenant entry holding rack whole, or NULL. */
static const struct held *rack_owner(const struct check *c, const char *rack)
{
	size_t lo = 0, hi = c->nheld;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(c->held[mid].rack, rack) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->nheld && strcmp(c->held[lo].rack, rack) == 0 ? &c->held[lo] : NULL;
}

static bool same_feed(const char *a, const char *b)
{
	return !a || !b || strcmp(a, b) == 0;
}

static void check_outlets(const struct check *c, size_t i)
{
	const struct tenants_config *tc = c->tc;
	const struct tenant *t = &tc->t[i];
	for (size_t k = 0; k < t->noutlets; k++) {
		const struct tenant_outlet *o = &t->outlets[k];
		const struct held *h;
		if (!rack_known(c, o->rack)) {
			config_diag_add(
			        c->diag, t->file, o->line,
			        "tenants: %s: outlet %s of rack \"%s\": no device has the label "
			        "rack: %s",
			        t->name, o->outlet, o->rack, o->rack);
			continue;
		}
		if ((h = rack_owner(c, o->rack))) {
			config_diag_add(
			        c->diag, t->file, o->line,
			        "tenants: %s: outlet %s of rack %s is counted twice: tenant %s "
			        "has the whole rack (line %d)",
			        t->name, o->outlet, o->rack, tc->t[h->tenant].name,
			        tc->t[h->tenant].racks[h->entry].line);
			continue;
		}
		/* The same outlet earlier in this tenant or in an earlier one (outlets of shared
		 * racks are few). */
		for (size_t i2 = 0; i2 <= i; i2++) {
			const struct tenant *u = &tc->t[i2];
			for (size_t k2 = 0; k2 < (i2 == i ? k : u->noutlets); k2++) {
				const struct tenant_outlet *q = &u->outlets[k2];
				if (strcmp(q->rack, o->rack) == 0 &&
				    strcmp(q->outlet, o->outlet) == 0 &&
				    same_feed(q->feed, o->feed)) {
					config_diag_add(
					        c->diag, t->file, o->line,
					        "tenants: %s: outlet %s of rack %s is counted "
					        "twice: %s has it already (line %d)",
					        t->name, o->outlet, o->rack, u->name, q->line);
					goto next;
				}
			}
		}
	next:;
	}
}

static void check_racks(const struct check *c)
{
	const struct tenants_config *tc = c->tc;
	for (size_t k = 0; k < c->nheld; k++) {
		const struct held *h = &c->held[k];
		const struct tenant *t = &tc->t[h->tenant];
		const struct tenant_rack *r = &t->racks[h->entry];
		if (!rack_known(c, r->name))
			config_diag_add(c->diag, t->file, r->line,
			                "tenants: %s: unknown rack \"%s\": no device has the label "
			                "rack: %s",
			                t->name, r->name, r->name);
		else if (k > 0 && strcmp(c->held[k - 1].rack, h->rack) == 0) {
			const struct held *p = &c->held[k - 1];
			config_diag_add(c->diag, t->file, r->line,
			                "tenants: rack %s is in two tenants: %s (line %d) and %s",
			                r->name, tc->t[p->tenant].name,
			                tc->t[p->tenant].racks[p->entry].line, t->name);
		}
	}
}

void tenants_config_validate(const struct config *cfg, struct config_diag *diag)
{
	const struct tenants_config *tc = cfg->tenants;
	if (!tc)
		return;
	struct check c = {.cfg = cfg, .tc = tc, .diag = diag};
	size_t nheld = 0;
	for (size_t i = 0; i < tc->n; i++)
		nheld += tc->t[i].nracks;
	c.known = malloc((cfg->ndevices ? cfg->ndevices : 1) * sizeof(*c.known));
	c.held = malloc((nheld ? nheld : 1) * sizeof(*c.held));
	if (!c.known || !c.held) {
		config_diag_add(diag, tc->t ? tc->t[0].file : cfg->file, 0,
		                "tenants: out of memory");
		goto out;
	}
	for (size_t i = 0; i < cfg->ndevices; i++)
		for (size_t j = 0; j < cfg->devices[i].nlabels; j++)
			if (strcmp(cfg->devices[i].labels[j].key, "rack") == 0)
				c.known[c.nknown++] = cfg->devices[i].labels[j].value;
	qsort(c.known, c.nknown, sizeof(*c.known), cmp_str);
	for (size_t i = 0; i < tc->n; i++)
		for (size_t j = 0; j < tc->t[i].nracks; j++)
			c.held[c.nheld++] = (struct held){tc->t[i].racks[j].name, i, j};
	qsort(c.held, c.nheld, sizeof(*c.held), cmp_held);
	for (size_t i = 0; i < tc->n; i++) {
		const struct tenant *t = &tc->t[i];
		if (t->tariff && !tariff_find(cfg->tariffs, t->tariff))
			config_diag_add(diag, t->file, t->line,
			                "tenants: %s: tariff \"%s\" is not in tariffs:", t->name,
			                t->tariff);
	}
	check_racks(&c);
	for (size_t i = 0; i < tc->n; i++)
		check_outlets(&c, i);
out:
	free(c.known);
	free(c.held);
}
