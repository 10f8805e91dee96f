/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `greendc import --format wide`: a timestamp column plus one column per series, mapped to
 * device, metric, labels and unit by a small YAML file (docs/import-export.md). Mapping
 * errors carry file:line like the config's.
 */
#include "importexport/import_internal.h"

#include "config/config.h"
#include "config/config_yaml.h"
#include "core/labels.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mapctx {
	struct run *r;
	struct ydoc *y;
	const struct csv_record *h;
	const char *ts_col;
};

struct colmap {
	const char *device, *metric, *unit;
	struct kv_build labels;
};

static void colmap_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                        yaml_node_t *knode, yaml_node_t *v)
{
	struct colmap *c = ctx;
	(void)knode;
	if (strcmp(key, "device") == 0)
		c->device = ywant_string(y, v, path);
	else if (strcmp(key, "metric") == 0)
		c->metric = ywant_string(y, v, path);
	else if (strcmp(key, "unit") == 0)
		c->unit = ywant_string(y, v, path);
	else if (strcmp(key, "labels") == 0)
		ymap_walk(y, v, path, NULL, ykv_pair, &c->labels);
}

static void column_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                        yaml_node_t *knode, yaml_node_t *v)
{
	struct mapctx *m = ctx;
	struct run *r = m->r;
	static const char *const allowed[] = {"device", "metric", "labels", "unit", NULL};
	struct colmap c = {0};
	char p[256];
	snprintf(p, sizeof(p), "%s.%s", path, key);
	if (!ymap_walk(y, v, p, allowed, colmap_pair, &c))
		return;
	if (!c.device || !c.metric) {
		yerr(y, knode, p, "needs device and metric");
		return;
	}
	int col = import_col_index(m->h, key);
	if (col < 0)
		return; /* mapped but not in this file: fine */
	const char *keys[32], *vals[32];
	char lab[512];
	size_t n = c.labels.n < 32 ? c.labels.n : 32;
	for (size_t i = 0; i < n; i++) {
		keys[i] = c.labels.attrs[i].key;
		vals[i] = c.labels.attrs[i].value;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
			const char *k = keys[j], *vv = vals[j];
			keys[j] = keys[j - 1];
			vals[j] = vals[j - 1];
			keys[j - 1] = k;
			vals[j - 1] = vv;
		}
	labels_canon(keys, vals, n, lab, sizeof(lab));
	struct iser *s = import_resolve(r, c.device, c.metric, lab);
	if (!s) {
		yerr(y, knode, p, "series name too long");
		return;
	}
	if (s->bad) {
		yerr(y, knode, p, "%s", s->bad);
		return;
	}
	r->wcols[col].s = s;
	r->wcols[col].unit = c.unit ? c.unit : "";
	if (import_unit_of(s, r->wcols[col].unit))
		yerr(y, knode, p, "unit \"%s\" cannot be converted to %s's unit", c.unit, c.metric);
}

static void map_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                     yaml_node_t *knode, yaml_node_t *v)
{
	struct mapctx *m = ctx;
	(void)knode;
	if (strcmp(key, "timestamp") == 0)
		m->ts_col = ywant_string(y, v, path);
	else if (strcmp(key, "columns") == 0)
		ymap_walk(y, v, "columns", NULL, column_pair, m);
}

int import_wide_header(struct run *r, const struct csv_record *h)
{
	struct config_diag diag = {0};
	struct ydoc y = {.diag = &diag, .arena = config_arena_new()};
	struct mapctx m = {.r = r, .y = &y, .h = h};
	static const char *const allowed[] = {"timestamp", "columns", NULL};
	int rc = 0;
	r->nwcols = h->n;
	r->wcols = calloc(h->n, sizeof(*r->wcols));
	if (!r->wcols || !y.arena) {
		config_arena_free(y.arena);
		return -ENOMEM;
	}
	if (!r->o->mapping) {
		snprintf(r->err, r->errlen, "wide format needs --mapping FILE");
		config_arena_free(y.arena);
		return -EINVAL;
	}
	if (ydoc_load(&y, r->o->mapping)) {
		ymap_walk(&y, yaml_document_get_root_node(&y.doc), "mapping", allowed, map_pair,
		          &m);
		r->w_ts = m.ts_col ? import_col_index(h, m.ts_col) : 0;
		if (r->w_ts < 0)
			config_diag_add(&diag, r->o->mapping, 0,
			                "timestamp column \"%s\" not in the "
			                "header",
			                m.ts_col);
		yaml_document_delete(&y.doc);
	}
	if (diag.count) {
		snprintf(r->err, r->errlen, "%s", diag.text);
		rc = -EINVAL;
	} else {
		for (size_t i = 0; i < h->n; i++)
			if ((int)i != r->w_ts && !r->wcols[i].s)
				import_reject(r, h->line,
				              "column \"%s\" is an unknown series: no mapping "
				              "for it in %s",
				              h->f[i], r->o->mapping);
	}
	/* labels and units were copied: the series table owns its keys; units live on */
	for (size_t i = 0; i < h->n; i++)
		if (r->wcols[i].unit)
			r->wcols[i].unit = strdup(r->wcols[i].unit);
	config_arena_free(y.arena);
	return rc;
}

int import_wide_row(struct run *r, const struct csv_record *rec)
{
	char why[300];
	int64_t ts;
	const char *e;
	if (rec->n != r->nwcols) {
		import_reject(r, rec->line, "%zu fields, the header has %zu", rec->n, r->nwcols);
		return 0;
	}
	if ((e = import_parse_time(r, rec->f[r->w_ts], &ts, why, sizeof(why)))) {
		import_reject(r, rec->line, "%s", e);
		return 0;
	}
	double v[CSV_MAX_FIELDS];
	for (size_t i = 0; i < rec->n; i++) { /* all cells first: a bad line adds nothing */
		struct iser *s = r->wcols[i].s;
		if (!s || !rec->len[i])
			continue;
		if ((e = import_parse_value(r, rec->f[i], &v[i]))) {
			import_reject(r, rec->line, "%s: \"%.40s\" in column %zu", e, rec->f[i],
			              i + 1);
			return 0;
		}
		import_unit_of(s, r->wcols[i].unit);
		v[i] = v[i] * s->mul + s->add;
		if ((e = import_check_value(s, v[i]))) {
			import_reject(r, rec->line, "%s: \"%.40s\" in column %zu", e, rec->f[i],
			              i + 1);
			return 0;
		}
		if ((e = import_check(s, ts, why, sizeof(why)))) {
			import_reject(r, rec->line, "%s", e);
			return 0;
		}
	}
	for (size_t i = 0; i < rec->n; i++) {
		struct iser *s = r->wcols[i].s;
		if (!s || !rec->len[i])
			continue;
		int rc = import_add(r, s, ts, v[i], rec->line);
		if (rc < 0)
			return rc;
	}
	return 0;
}
