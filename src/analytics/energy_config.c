/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `energy:` config section: roles assigned to series selectors, certificates, the grid
 * CO2 factor, GB 40879 thresholds and coverage rules, parsed into a struct energy_model on the
 * config's arena. The whole-config check rejects a model that cannot produce a PUE and
 * selectors that name unknown devices, with file:line. See docs/energy.md.
 */
#include "analytics/energy.h"
#include "config/config.h"
#include "config/config_yaml.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* NULL-terminated ([ROLE_COUNT]): also the keys ymap_walk accepts under energy.roles. */
static const char *const role_names[ROLE_COUNT + 1] = {
        [ROLE_FACILITY_INPUT] = "facility_input",
        [ROLE_BACKUP_GENERATION] = "backup_generation",
        [ROLE_IT_UPS_OUTPUT] = "it_ups_output",
        [ROLE_IT_PDU_OUTPUT] = "it_pdu_output",
        [ROLE_IT_INPUT] = "it_input",
        [ROLE_COOLING] = "cooling",
        [ROLE_LIGHTING_OTHER] = "lighting_other",
        [ROLE_ONSITE_RENEWABLE] = "onsite_renewable",
        [ROLE_REUSED_HEAT] = "reused_heat",
        [ROLE_HEAT_REMOVED] = "heat_removed",
        [ROLE_WATER_INTAKE] = "water_intake",
        [ROLE_WATER_POTABLE] = "water_potable",
};

const char *energy_role_name(enum energy_role role)
{
	return (unsigned)role < ROLE_COUNT ? role_names[role] : NULL;
}

struct sel_ctx {
	struct energy_selector *s;
	struct kv_build labels;
};

static void sel_pair(struct ydoc *y, void *vctx, const char *path, const char *key,
                     yaml_node_t *knode, yaml_node_t *v)
{
	struct sel_ctx *c = vctx;
	(void)knode;
	if (strcmp(key, "device") == 0)
		c->s->device = ywant_string(y, v, path);
	else if (strcmp(key, "metric") == 0)
		c->s->metric = ywant_string(y, v, path);
	else if (strcmp(key, "zone") == 0)
		c->s->zone = ywant_string(y, v, path);
	else if (strcmp(key, "labels") == 0)
		ymap_walk(y, v, path, NULL, ykv_pair, &c->labels);
}

static void parse_selectors(struct ydoc *y, struct energy_model *m, enum energy_role role,
                            const char *path, yaml_node_t *v)
{
	static const char *const keys[] = {"device", "metric", "labels", "zone", NULL};
	if (v->type != YAML_SEQUENCE_NODE) {
		yerr(y, v, path, "expected a list of selectors, got %s", ynode_kind(v));
		return;
	}
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	m->sel[role] = config_arena_alloc(y->arena, (n ? n : 1) * sizeof(*m->sel[role]));
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = ynode(y, v->data.sequence.items.start[i]);
		char p[128];
		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		struct energy_selector *s = &m->sel[role][m->nsel[role]];
		struct sel_ctx c = {.s = s};
		s->file = y->file;
		s->line = yline(item);
		if (!ymap_walk(y, item, p, keys, sel_pair, &c))
			continue;
		if (!s->metric) {
			yerr(y, item, p,
			     "metric: is required (e.g. energy_kwh, power_w, water_m3)");
			continue;
		}
		if (!s->device && !c.labels.n) {
			yerr(y, item, p,
			     "give a device or labels (a bare metric would match every "
			     "device)");
			continue;
		}
		const char **k = config_arena_alloc(y->arena, (c.labels.n + 1) * sizeof(*k));
		const char **val = config_arena_alloc(y->arena, (c.labels.n + 1) * sizeof(*val));
		for (size_t j = 0; j < c.labels.n; j++) {
			k[j] = c.labels.attrs[j].key;
			val[j] = c.labels.attrs[j].value;
		}
		s->label_keys = k;
		s->label_values = val;
		s->nlabels = c.labels.n;
		m->nsel[role]++;
	}
}

static void roles_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                       yaml_node_t *knode, yaml_node_t *v)
{
	struct energy_model *m = ctx;
	(void)knode;
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (strcmp(key, role_names[r]) == 0) {
			parse_selectors(y, m, (enum energy_role)r, path, v);
			return;
		}
	}
}

struct cert_ctx {
	struct energy_certificate *c;
	yaml_node_t *node;
};

static void cert_pair(struct ydoc *y, void *vctx, const char *path, const char *key,
                      yaml_node_t *knode, yaml_node_t *v)
{
	struct cert_ctx *c = vctx;
	(void)knode;
	if (strcmp(key, "period") == 0) {
		c->c->period = ywant_string(y, v, path);
		struct energy_period p;
		/* Only the syntax and the calendar date are checked: neither depends on the
		 * zone, and parsing never changes it (a reload runs among threads). */
		if (c->c->period && energy_period_parse(c->c->period, &p) < 0)
			yerr(y, v, path, "expected YYYY or YYYY-MM");
	} else if (strcmp(key, "kwh") == 0) {
		if (ywant_double(y, v, path, &c->c->kwh) && !(c->c->kwh >= 0))
			yerr(y, v, path, "must be >= 0");
	} else if (strcmp(key, "kind") == 0) {
		c->c->kind = ywant_string(y, v, path);
		if (c->c->kind && strcmp(c->c->kind, "goo") != 0 && strcmp(c->c->kind, "ppa") != 0)
			yerr(y, v, path, "expected goo or ppa");
	}
}

static void parse_certs(struct ydoc *y, struct energy_model *m, const char *path, yaml_node_t *v)
{
	static const char *const keys[] = {"period", "kwh", "kind", NULL};
	if (v->type != YAML_SEQUENCE_NODE) {
		yerr(y, v, path, "expected a list, got %s", ynode_kind(v));
		return;
	}
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	m->certs = config_arena_alloc(y->arena, (n ? n : 1) * sizeof(*m->certs));
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = ynode(y, v->data.sequence.items.start[i]);
		char p[128];
		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		struct cert_ctx c = {.c = &m->certs[m->ncerts], .node = item};
		if (!ymap_walk(y, item, p, keys, cert_pair, &c))
			continue;
		if (!c.c->period || !c.c->kind) {
			yerr(y, item, p, "period, kwh and kind are required");
			continue;
		}
		m->ncerts++;
	}
}

struct co2_ctx {
	struct energy_model *m;
	bool have_factor;
};

static void co2_pair(struct ydoc *y, void *vctx, const char *path, const char *key,
                     yaml_node_t *knode, yaml_node_t *v)
{
	struct co2_ctx *c = vctx;
	long long year;
	(void)knode;
	if (strcmp(key, "kg_per_kwh") == 0) {
		if (ywant_double(y, v, path, &c->m->co2_kg_per_kwh)) {
			if (!(c->m->co2_kg_per_kwh >= 0 && c->m->co2_kg_per_kwh < 2))
				yerr(y, v, path, "expected 0..2 kgCO2/kWh");
			else
				c->have_factor = true;
		}
	} else if (strcmp(key, "source") == 0) {
		c->m->co2_source = ywant_string(y, v, path);
	} else if (strcmp(key, "year") == 0) {
		if (ywant_int(y, v, path, 1990, 2100, &year))
			c->m->co2_year = (int)year;
	} else if (strcmp(key, "backup_kg_per_kwh") == 0) {
		if (ywant_double(y, v, path, &c->m->backup_co2_kg_per_kwh) &&
		    !(c->m->backup_co2_kg_per_kwh >= 0))
			yerr(y, v, path, "must be >= 0");
	}
}

struct top_ctx {
	struct energy_model *m;
	yaml_node_t *co2;
};

static void top_pair(struct ydoc *y, void *vctx, const char *path, const char *key,
                     yaml_node_t *knode, yaml_node_t *v)
{
	static const char *const co2_keys[] = {"kg_per_kwh", "source", "year", "backup_kg_per_kwh",
	                                       NULL};
	struct top_ctx *c = vctx;
	struct energy_model *m = c->m;
	(void)knode;
	if (strcmp(key, "roles") == 0) {
		ymap_walk(y, v, path, role_names, roles_pair, m);
	} else if (strcmp(key, "renewable_certificates") == 0) {
		parse_certs(y, m, path, v);
	} else if (strcmp(key, "co2") == 0) {
		struct co2_ctx cc = {.m = m};
		c->co2 = v;
		if (ymap_walk(y, v, path, co2_keys, co2_pair, &cc) &&
		    (!cc.have_factor || !m->co2_source || !m->co2_year))
			yerr(y, v, path,
			     "kg_per_kwh, source and year are all required (e.g. 0.5366, "
			     "\"MEE/NBS China national grid\", 2022)");
	} else if (strcmp(key, "gb40879_grades") == 0) {
		if (v->type != YAML_SEQUENCE_NODE ||
		    v->data.sequence.items.top - v->data.sequence.items.start != 3) {
			yerr(y, v, path,
			     "expected a list of three limits [grade1, grade2, grade3]");
			return;
		}
		for (int i = 0; i < 3; i++)
			if (!ywant_double(y, ynode(y, v->data.sequence.items.start[i]), path,
			                  &m->grade[i]))
				return;
		if (!(m->grade[0] >= 1 && m->grade[0] < m->grade[1] && m->grade[1] < m->grade[2]))
			yerr(y, v, path, "limits must rise and be >= 1");
	} else if (strcmp(key, "coverage_min") == 0) {
		if (ywant_double(y, v, path, &m->coverage_min) &&
		    !(m->coverage_min > 0 && m->coverage_min <= 1))
			yerr(y, v, path, "expected a share in (0, 1]");
	} else if (strcmp(key, "max_gap") == 0) {
		ywant_duration(y, v, path, 1000, &m->max_gap_ms);
	} else if (strcmp(key, "boundary") == 0) {
		m->boundary = ywant_string(y, v, path);
	}
}

void energy_config_parse(struct ydoc *y, struct config *cfg, const char *path, void *node)
{
	static const char *const keys[] = {"roles",        "renewable_certificates",
	                                   "co2",          "gb40879_grades",
	                                   "coverage_min", "max_gap",
	                                   "boundary",     NULL};
	yaml_node_t *v = node;
	struct energy_model *m = config_arena_alloc(y->arena, sizeof(*m));
	struct top_ctx c = {.m = m};

	m->present = true;
	m->backup_co2_kg_per_kwh = -1;
	/* GB 40879-2021 limits as commonly cited (unconfirmed against table 1): configurable. */
	m->grade[0] = 1.20;
	m->grade[1] = 1.30;
	m->grade[2] = 1.50;
	m->coverage_min = 0.95;
	m->max_gap_ms = 300000;
	m->file = y->file;
	m->line = yline(v);
	cfg->energy = m;
	if (!ymap_walk(y, v, path, keys, top_pair, &c))
		return;
	if (!c.co2)
		yerr(y, v, path,
		     "co2: is required: name the grid factor, its source and year (e.g. "
		     "{kg_per_kwh: 0.5366, source: \"MEE/NBS China national grid\", year: 2022})");
}

const char *energy_model_problem(const struct energy_model *m)
{
	if (!m || !m->present)
		return "no energy: section";
	if (!m->nsel[ROLE_FACILITY_INPUT])
		return "no facility_input selector: E_DC (energy at the site boundary) is unknown, "
		       "so no PUE can be computed";
	if (!m->nsel[ROLE_IT_UPS_OUTPUT] && !m->nsel[ROLE_IT_PDU_OUTPUT] && !m->nsel[ROLE_IT_INPUT])
		return "no IT energy selector (it_ups_output, it_pdu_output or it_input): E_IT is "
		       "unknown, so no PUE can be computed";
	return NULL;
}

void energy_config_validate(const struct config *cfg, struct config_diag *diag)
{
	const struct energy_model *m = cfg->energy;
	if (!m)
		return;
	const char *why = energy_model_problem(m);
	if (why)
		config_diag_add(diag, m->file, m->line, "energy: %s", why);
	for (int r = 0; r < ROLE_COUNT; r++) {
		for (size_t i = 0; i < m->nsel[r]; i++) {
			const struct energy_selector *s = &m->sel[r][i];
			if (s->device && !config_device_find(cfg, s->device))
				config_diag_add(diag, s->file, s->line,
				                "energy.roles.%s: device \"%s\" is not configured",
				                role_names[r], s->device);
		}
	}
}
