/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Configuration and profile parsing with libyaml's document API, which keeps each node's line
 * so every complaint can say file:line. The walk is schema-driven: each mapping lists the keys
 * it accepts, so an unknown or duplicated key is always an error (a typo in a config must never
 * be silently ignored). Everything allocated lives in one arena freed by config_free.
 */
#include "config/config.h"

#include "config/config_yaml.h"
#include "core/metrics.h"
#include "core/util.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

/* ---- arena ---- */

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct arena {
	struct arena_chunk *head;
};

struct arena *config_arena_new(void)
{
	struct arena *a = calloc(1, sizeof(*a));
	if (!a)
		abort();
	return a;
}

void *config_arena_alloc(struct arena *a, size_t n)
{
	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!a->head || a->head->size - a->head->used < n) {
		size_t size = n > 16384 ? n : 16384;
		struct arena_chunk *c = calloc(1, sizeof(*c) + size);
		if (!c)
			abort();
		c->size = size;
		c->next = a->head;
		a->head = c;
	}
	void *p = (char *)a->head->data + a->head->used;
	a->head->used += n;
	return p;
}

char *config_arena_strdup(struct arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = config_arena_alloc(a, n);
	memcpy(p, s, n);
	return p;
}

void config_arena_free(struct arena *a)
{
	if (!a)
		return;
	for (struct arena_chunk *c = a->head, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

/* ---- diagnostics ---- */

void config_diag_add(struct config_diag *d, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	d->count++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (d->len >= sizeof(d->text) - 1)
		return;
	int n = line > 0 ? snprintf(d->text + d->len, sizeof(d->text) - d->len, "%s:%d: %s\n", file,
	                            line, msg)
	                 : snprintf(d->text + d->len, sizeof(d->text) - d->len, "%s: %s\n", file,
	                            msg);
	if (n > 0)
		d->len += (size_t)n < sizeof(d->text) - d->len ? (size_t)n
		                                               : sizeof(d->text) - d->len - 1;
}

/* Labels become series names, API fields and Prometheus labels: keep them short and few. */
#define MAX_LABELS      32
#define MAX_LABEL_KEY   64
#define MAX_LABEL_VALUE 256
#define MAX_NAME        128 /* a device's name */

static void check_labels(struct ydoc *y, yaml_node_t *where, const char *path,
                         const struct kv_build *b)
{
	if (b->n > MAX_LABELS)
		yerr(y, where, path, "%zu labels; at most %d", b->n, MAX_LABELS);
	for (size_t i = 0; i < b->n; i++) {
		if (strlen(b->attrs[i].key) > MAX_LABEL_KEY)
			config_diag_add(y->diag, y->file, b->attrs[i].line,
			                "%s: a label name longer than %d bytes", path,
			                MAX_LABEL_KEY);
		else if (strlen(b->attrs[i].value) > MAX_LABEL_VALUE)
			config_diag_add(y->diag, y->file, b->attrs[i].line,
			                "%s.%s: a label value longer than %d bytes", path,
			                b->attrs[i].key, MAX_LABEL_VALUE);
	}
}

/* ---- profiles ---- */

struct point_ctx {
	struct profile *prof;
	struct gdc_point *pt;
	struct kv_build attrs;
	bool have_metric, have_kind;
	yaml_node_t *kind_node;
};

static void point_pair(struct ydoc *y, void *vctx, const char *path, const char *key,
                       yaml_node_t *knode, yaml_node_t *v)
{
	struct point_ctx *c = vctx;
	struct gdc_point *pt = c->pt;
	long long n;

	if (strcmp(key, "metric") == 0) {
		const char *s = ywant_string(y, v, path);
		if (!s)
			return;
		if (!metric_lookup(s)) {
			yerr(y, v, path, "\"%s\" is not in the metric registry (docs/metrics.md)",
			     s);
			return;
		}
		pt->metric = s;
		c->have_metric = true;
	} else if (strcmp(key, "kind") == 0) {
		const char *s = yscalar(v);
		if (s && strcmp(s, "gauge") == 0)
			pt->kind = GDC_GAUGE;
		else if (s && strcmp(s, "counter") == 0)
			pt->kind = GDC_COUNTER;
		else {
			yerr(y, v, path, "expected gauge or counter");
			return;
		}
		c->have_kind = true;
		c->kind_node = v;
	} else if (strcmp(key, "counter_bits") == 0) {
		if (ywant_int(y, v, path, 16, 64, &n)) {
			if (n != 16 && n != 32 && n != 64)
				yerr(y, v, path, "expected 16, 32 or 64");
			else
				pt->counter_bits = (unsigned)n;
		}
	} else if (strcmp(key, "scale") == 0) {
		ywant_double(y, v, path, &pt->scale);
	} else if (strcmp(key, "offset") == 0) {
		ywant_double(y, v, path, &pt->offset);
	} else if (strcmp(key, "labels") == 0) {
		struct kv_build b = {0};
		if (ymap_walk(y, v, path, NULL, ykv_pair, &b))
			check_labels(y, v, path, &b);
		pt->labels = ykv_to_labels(y, &b);
		pt->nlabels = b.n;
	} else if (strcmp(key, "source") == 0) {
		ywant_string(y, v, path);
	} else {
		/* Driver-specific: validated by the driver's open(). */
		ykv_pair(y, &c->attrs, path, key, knode, v);
	}
}

struct profile_ctx {
	struct profile *prof;
	const char *name_from_file;
	struct gdc_point *points;
	size_t npoints;
};

static void profile_pair(struct ydoc *y, void *vctx, const char *path, const char *key,
                         yaml_node_t *knode, yaml_node_t *v)
{
	struct profile_ctx *c = vctx;
	struct profile *p = c->prof;
	(void)knode;

	if (strcmp(key, "profile") == 0) {
		const char *s = ywant_string(y, v, path);
		if (s && strcmp(s, c->name_from_file) != 0)
			yerr(y, v, path, "\"%s\" does not match the file name \"%s\"", s,
			     c->name_from_file);
	} else if (strcmp(key, "class") == 0) {
		p->class = ywant_string(y, v, path);
	} else if (strcmp(key, "driver") == 0) {
		p->driver = ywant_string(y, v, path);
	} else if (strcmp(key, "source") == 0) {
		p->source = ywant_string(y, v, path);
	} else if (strcmp(key, "description") == 0) {
		ywant_string(y, v, path);
	} else if (strcmp(key, "quirks") == 0) {
		struct kv_build b = {0};
		ymap_walk(y, v, path, NULL, ykv_pair, &b);
		p->quirks = b.attrs;
		p->nquirks = b.n;
	} else if (strcmp(key, "match") == 0) {
		struct kv_build b = {0};
		ymap_walk(y, v, path, NULL, ykv_pair, &b);
		p->match = b.attrs;
		p->nmatch = b.n;
	} else if (strcmp(key, "points") == 0) {
		if (v->type != YAML_SEQUENCE_NODE) {
			yerr(y, v, path, "expected a list of points, got %s", ynode_kind(v));
			return;
		}
		size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
		c->points = config_arena_alloc(y->arena, (n ? n : 1) * sizeof(*c->points));
		for (size_t i = 0; i < n; i++) {
			yaml_node_t *item = ynode(y, v->data.sequence.items.start[i]);
			char sub[512];
			struct gdc_point *pt = &c->points[c->npoints];
			struct point_ctx pc = {.prof = p, .pt = pt};
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			*pt = (struct gdc_point){.scale = 1.0, .line = yline(item)};
			if (!ymap_walk(y, item, sub, NULL, point_pair, &pc))
				continue;
			pt->attrs = pc.attrs.attrs;
			pt->nattrs = pc.attrs.n;
			if (!pc.have_metric) {
				yerr(y, item, sub, "metric is required");
				continue;
			}
			const struct metric_def *m = metric_lookup(pt->metric);
			if (!pc.have_kind)
				pt->kind = m->counter ? GDC_COUNTER : GDC_GAUGE;
			else if ((pt->kind == GDC_COUNTER) != (m->counter != 0))
				yerr(y, pc.kind_node, sub,
				     "%s is registered as a %s; kind must agree", pt->metric,
				     m->counter ? "counter" : "gauge");
			if (pt->kind == GDC_COUNTER && !pt->counter_bits)
				pt->counter_bits = 64;
			if (pt->kind == GDC_GAUGE)
				pt->counter_bits = 0;
			c->npoints++;
		}
	}
}

struct profile *profile_load(struct arena *arena, const char *dir, const char *name,
                             struct config_diag *diag)
{
	static const char *const keys[] = {"profile", "class",  "driver", "source", "description",
	                                   "match",   "quirks", "points", NULL};
	char path[PATH_MAX];
	struct ydoc y = {.diag = diag, .arena = arena};
	unsigned before = diag->count;

	if (!config_name_ok(name, "_-/") || strstr(name, "..") || name[0] == '/') {
		config_diag_add(diag, name, 0, "bad profile name");
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s.yaml", dir, name);
	const char *file = config_arena_strdup(arena, path);
	if (!ydoc_load(&y, file))
		return NULL;

	struct profile *p = config_arena_alloc(arena, sizeof(*p));
	const char *slash = strrchr(name, '/');
	struct profile_ctx c = {.prof = p, .name_from_file = slash ? slash + 1 : name};
	p->name = config_arena_strdup(arena, name);
	p->file = file;
	yaml_node_t *root = yaml_document_get_root_node(&y.doc);
	ymap_walk(&y, root, "", keys, profile_pair, &c);
	p->points = c.points;
	p->npoints = c.npoints;
	if (!p->driver)
		config_diag_add(diag, file, yline(root), "driver: is required");
	if (!p->source)
		config_diag_add(diag, file, yline(root),
		                "source: is required (cite the MIB or manual the profile follows)");
	if (!p->npoints && diag->count == before)
		config_diag_add(diag, file, yline(root), "points: at least one point is required");
	yaml_document_delete(&y.doc);
	return diag->count == before ? p : NULL;
}

/* ---- the config file ---- */

struct dev_list {
	struct config_device *v;
	size_t n, cap;
};

struct load_ctx {
	struct config *cfg;
	const struct config_section *sections; /* the program's table (daemon/sections.h) */
	struct dev_list devs;
	bool conf_d; /* parsing a conf.d fragment: only devices allowed */
	bool have_site_id;
};

static void site_pair(struct ydoc *y, void *vctx, const char *path, const char *key,
                      yaml_node_t *knode, yaml_node_t *v)
{
	struct load_ctx *c = vctx;
	(void)knode;
	if (strcmp(key, "id") == 0) {
		const char *s = ywant_string(y, v, path);
		if (s && !config_name_ok(s, "_-"))
			yerr(y, v, path, "use letters, digits, '_' and '-' only");
		else if (s) {
			c->cfg->site.id = s;
			c->have_site_id = true;
		}
	} else if (strcmp(key, "name") == 0) {
		c->cfg->site.name = ywant_string(y, v, path);
	} else if (strcmp(key, "timezone") == 0) {
		const char *s = ywant_string(y, v, path);
		struct stat sb;
		char zpath[PATH_MAX];
		if (!s)
			return;
		snprintf(zpath, sizeof(zpath), "/usr/share/zoneinfo/%s", s);
		if (strstr(s, "..") ||
		    (stat("/usr/share/zoneinfo", &sb) == 0 && stat(zpath, &sb) != 0))
			yerr(y, v, path,
			     "unknown time zone \"%s\" (use an IANA name such as "
			     "Asia/Shanghai)",
			     s);
		else
			c->cfg->site.timezone = s;
	} else if (strcmp(key, "altitude_m") == 0) {
		double a;
		if (ywant_double(y, v, path, &a)) {
			if (a < -500 || a > 6000)
				yerr(y, v, path, "altitude %.0f m is not plausible", a);
			else
				c->cfg->site.altitude_m = a;
		}
	}
}

static void storage_pair(struct ydoc *y, void *vctx, const char *path, const char *key,
                         yaml_node_t *knode, yaml_node_t *v)
{
	struct load_ctx *c = vctx;
	int64_t ms;
	(void)knode;
	if (strcmp(key, "path") == 0) {
		c->cfg->storage.path = ywant_string(y, v, path);
	} else if (strcmp(key, "raw_retention") == 0) {
		if (ywant_duration(y, v, path, 3600000, &ms))
			c->cfg->storage.raw_retention_ms = ms;
	} else if (strcmp(key, "commit_interval") == 0) {
		if (ywant_duration(y, v, path, 10, &ms)) {
			if (ms > 60000)
				yerr(y, v, path,
				     "at most 60s (samples wait this long to be durable)");
			else
				c->cfg->storage.commit_ms = (unsigned)ms;
		}
	}
}

static void daemon_pair(struct ydoc *y, void *vctx, const char *path, const char *key,
                        yaml_node_t *knode, yaml_node_t *v)
{
	struct load_ctx *c = vctx;
	long long n;
	int64_t ms;
	(void)knode;
	if (strcmp(key, "workers") == 0) {
		if (ywant_int(y, v, path, 1, 256, &n))
			c->cfg->daemon.workers = (unsigned)n;
	} else if (strcmp(key, "max_backoff") == 0) {
		if (ywant_duration(y, v, path, 1000, &ms))
			c->cfg->daemon.max_backoff_ms = ms;
	} else if (strcmp(key, "drivers_dir") == 0) {
		c->cfg->daemon.drivers_dir = ywant_string(y, v, path);
	} else if (strcmp(key, "profiles_dir") == 0) {
		c->cfg->daemon.profiles_dir = ywant_string(y, v, path);
	} else if (strcmp(key, "user") == 0) {
		const char *s = ywant_string(y, v, path);
		if (s && !config_name_ok(s, "_-."))
			yerr(y, v, path, "not a user name");
		else
			c->cfg->daemon.user = s;
	} else if (strcmp(key, "audit_log") == 0) {
		c->cfg->daemon.audit_log = ywant_string(y, v, path);
	} else if (strcmp(key, "log_level") == 0) {
		const char *s = yscalar(v);
		if (!s || (strcmp(s, "error") && strcmp(s, "warning") && strcmp(s, "info") &&
		           strcmp(s, "debug")))
			yerr(y, v, path, "expected error, warning, info or debug");
		else
			c->cfg->daemon.log_level = config_arena_strdup(y->arena, s);
	}
}

struct device_ctx {
	struct config_device *d;
	const char *profile_name;
	yaml_node_t *profile_node;
	struct kv_build labels, options;
};

static void device_pair(struct ydoc *y, void *vctx, const char *path, const char *key,
                        yaml_node_t *knode, yaml_node_t *v)
{
	struct device_ctx *c = vctx;
	struct config_device *d = c->d;
	int64_t ms;
	(void)knode;

	if (strcmp(key, "name") == 0) {
		const char *s = ywant_string(y, v, path);
		if (s && !config_name_ok(s, "_.-"))
			yerr(y, v, path, "use letters, digits, '_', '.' and '-' only");
		else if (s && strlen(s) > MAX_NAME)
			yerr(y, v, path, "longer than %d characters", MAX_NAME);
		else
			d->name = s;
	} else if (strcmp(key, "driver") == 0) {
		const char *s = ywant_string(y, v, path);
		if (s && !config_name_ok(s, "_"))
			yerr(y, v, path, "bad driver name");
		else
			d->driver = s;
	} else if (strcmp(key, "address") == 0) {
		d->address = ywant_string(y, v, path);
	} else if (strcmp(key, "profile") == 0) {
		c->profile_name = ywant_string(y, v, path);
		c->profile_node = v;
	} else if (strcmp(key, "interval") == 0) {
		if (ywant_duration(y, v, path, 100, &ms)) {
			if (ms > 86400000)
				yerr(y, v, path, "at most 1d");
			else
				d->interval_ms = (unsigned)ms;
		}
	} else if (strcmp(key, "timeout") == 0) {
		if (ywant_duration(y, v, path, 10, &ms)) {
			if (ms > 600000)
				yerr(y, v, path, "at most 10m");
			else
				d->timeout_ms = (unsigned)ms;
		}
	} else if (strcmp(key, "labels") == 0) {
		if (ymap_walk(y, v, path, NULL, ykv_pair, &c->labels))
			check_labels(y, v, path, &c->labels);
	} else if (strcmp(key, "options") == 0) {
		ymap_walk(y, v, path, NULL, ykv_pair, &c->options);
	} else if (strcmp(key, "rated_power_w") == 0) {
		double w;
		if (ywant_double(y, v, path, &w)) {
			if (w <= 0)
				yerr(y, v, path, "must be positive");
			else
				d->rated_power_w = w;
		}
	} else if (strcmp(key, "enabled") == 0) {
		ywant_bool(y, v, path, &d->enabled);
	}
}

static const struct profile *find_or_load_profile(struct ydoc *y, struct config *cfg,
                                                  const char *name, yaml_node_t *where,
                                                  const char *path)
{
	for (size_t i = 0; i < cfg->nprofiles; i++)
		if (strcmp(cfg->profiles[i]->name, name) == 0)
			return cfg->profiles[i];
	char probe[PATH_MAX];
	struct stat sb;
	snprintf(probe, sizeof(probe), "%s/%s.yaml", cfg->daemon.profiles_dir, name);
	if (!config_name_ok(name, "_-/") || strstr(name, "..") || stat(probe, &sb) != 0) {
		yerr(y, where, path, "no profile \"%s\" (looked for %s)", name, probe);
		return NULL;
	}
	struct profile *p = profile_load(cfg->arena, cfg->daemon.profiles_dir, name, y->diag);
	if (!p)
		return NULL;
	struct profile **v = config_arena_alloc(cfg->arena, (cfg->nprofiles + 1) * sizeof(*v));
	if (cfg->nprofiles)
		memcpy(v, cfg->profiles, cfg->nprofiles * sizeof(*v));
	v[cfg->nprofiles++] = p;
	cfg->profiles = v;
	return p;
}

/* Every profile under profiles_dir for d's driver that has `match:` keys. */
static void load_candidates(struct ydoc *y, struct config *cfg, struct config_device *d,
                            yaml_node_t *where, const char *path)
{
	char pattern[PATH_MAX];
	glob_t g;
	size_t n = 0;
	snprintf(pattern, sizeof(pattern), "%s/*/*.yaml", cfg->daemon.profiles_dir);
	if (glob(pattern, 0, NULL, &g) == 0) {
		d->candidates = config_arena_alloc(cfg->arena, g.gl_pathc * sizeof(*d->candidates));
		for (size_t i = 0; i < g.gl_pathc; i++) {
			/* "<dir>/<class>/<name>.yaml" -> "<class>/<name>" */
			const char *rel = g.gl_pathv[i] + strlen(cfg->daemon.profiles_dir) + 1;
			char name[256];
			size_t len = strlen(rel);
			if (len <= 5 || len - 5 >= sizeof(name))
				continue;
			memcpy(name, rel, len - 5);
			name[len - 5] = '\0';
			const struct profile *p = find_or_load_profile(y, cfg, name, where, path);
			if (p && p->nmatch && p->driver && strcmp(p->driver, d->driver) == 0)
				d->candidates[n++] = p;
		}
		globfree(&g);
	}
	d->ncandidates = n;
	if (n == 0)
		yerr(y, where, path,
		     "no profile named, and no %s profile in %s has match: keys to identify the "
		     "device with",
		     d->driver, cfg->daemon.profiles_dir);
}

static void parse_devices(struct ydoc *y, struct load_ctx *c, const char *path, yaml_node_t *v)
{
	static const char *const keys[] = {"name",          "driver",  "address", "profile",
	                                   "interval",      "timeout", "labels",  "options",
	                                   "rated_power_w", "enabled", NULL};
	struct config *cfg = c->cfg;

	if (v->type != YAML_SEQUENCE_NODE) {
		yerr(y, v, path, "expected a list of devices, got %s", ynode_kind(v));
		return;
	}
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	     it++) {
		yaml_node_t *item = ynode(y, *it);
		char sub[256];
		snprintf(sub, sizeof(sub), "%s[%zu]", path,
		         (size_t)(it - v->data.sequence.items.start));
		if (c->devs.n == c->devs.cap) {
			size_t cap = c->devs.cap ? c->devs.cap * 2 : 16;
			struct config_device *nv =
			        config_arena_alloc(cfg->arena, cap * sizeof(*nv));
			if (c->devs.n)
				memcpy(nv, c->devs.v, c->devs.n * sizeof(*nv));
			c->devs.v = nv;
			c->devs.cap = cap;
		}
		struct config_device *d = &c->devs.v[c->devs.n];
		*d = (struct config_device){.interval_ms = 10000,
		                            .timeout_ms = 2000,
		                            .enabled = true,
		                            .file = y->file,
		                            .line = yline(item)};
		struct device_ctx dc = {.d = d};
		unsigned before = y->diag->count;
		if (!ymap_walk(y, item, sub, keys, device_pair, &dc))
			continue;
		if (!d->name)
			yerr(y, item, sub, "name is required");
		if (!d->driver)
			yerr(y, item, sub, "driver is required");
		if (!d->address)
			yerr(y, item, sub, "address is required");

		for (size_t i = 0; d->name && i < c->devs.n; i++)
			if (strcmp(c->devs.v[i].name, d->name) == 0)
				yerr(y, item, sub, "duplicate device name \"%s\" (first at %s:%d)",
				     d->name, c->devs.v[i].file, c->devs.v[i].line);
		if (d->timeout_ms > d->interval_ms)
			yerr(y, item, sub, "timeout is longer than interval");
		if (dc.profile_name) {
			char psub[300];
			snprintf(psub, sizeof(psub), "%s.profile", sub);
			d->profile = find_or_load_profile(y, cfg, dc.profile_name, dc.profile_node,
			                                  psub);
		}
		if (!dc.profile_name && d->driver && y->diag->count == before) {
			/* No profile named: the driver identifies the device at run time and the
			 * best `match:` among this driver's profiles is used. */
			load_candidates(y, cfg, d, item, sub);
		}
		if (d->profile && d->driver && d->profile->driver &&
		    strcmp(d->profile->driver, d->driver) != 0)
			yerr(y, dc.profile_node, sub, "profile %s is for driver %s, not %s",
			     d->profile->name, d->profile->driver, d->driver);
		if (y->diag->count != before)
			continue;
		d->labels = ykv_to_labels(y, &dc.labels);
		d->nlabels = dc.labels.n;
		/* Profile quirks first, then the device's options, which win. (A device matched
		 * at run time gets only its own options.) */
		size_t nq = d->profile ? d->profile->nquirks : 0;
		d->noptions = nq + dc.options.n;
		d->options = config_arena_alloc(cfg->arena, (d->noptions ? d->noptions : 1) *
		                                                    sizeof(*d->options));
		if (nq)
			memcpy(d->options, d->profile->quirks, nq * sizeof(*d->options));
		if (dc.options.n)
			memcpy(d->options + nq, dc.options.attrs,
			       dc.options.n * sizeof(*d->options));
		d->first_device_option = nq;
		c->devs.n++;
	}
}

static void top_pair(struct ydoc *y, void *vctx, const char *path, const char *key,
                     yaml_node_t *knode, yaml_node_t *v)
{
	static const char *const site_keys[] = {"id", "name", "timezone", "altitude_m", NULL};
	static const char *const storage_keys[] = {"path", "raw_retention", "commit_interval",
	                                           NULL};
	static const char *const daemon_keys[] = {"workers",      "max_backoff", "drivers_dir",
	                                          "profiles_dir", "log_level",   "user",
	                                          "audit_log",    NULL};
	struct load_ctx *c = vctx;

	if (c->conf_d && strcmp(key, "devices") != 0) {
		yerr(y, knode, path, "a conf.d file may only contain devices");
		return;
	}
	if (strcmp(key, "site") == 0) {
		ymap_walk(y, v, path, site_keys, site_pair, c);
	} else if (strcmp(key, "storage") == 0) {
		ymap_walk(y, v, path, storage_keys, storage_pair, c);
	} else if (strcmp(key, "daemon") == 0) {
		ymap_walk(y, v, path, daemon_keys, daemon_pair, c);
	} else if (strcmp(key, "devices") == 0) {
		parse_devices(y, c, path, v);
	} else {
		const char *known[32] = {"site", "storage", "daemon", "devices"};
		size_t n = 4;
		for (const struct config_section *s = c->sections; s && s->key; s++) {
			if (strcmp(s->key, key) == 0) {
				s->parse(y, c->cfg, path, v);
				return;
			}
			if (n + 1 < sizeof(known) / sizeof(known[0]))
				known[n++] = s->key;
		}
		char list[512];
		config_keys_list(known, list, sizeof(list));
		yerr(y, knode, path, "unknown key (known: %s)", list);
	}
}

static const char *resolve_path(struct arena *a, const char *dir, const char *p)
{
	if (!p || p[0] == '/')
		return p;
	char buf[PATH_MAX], parent[PATH_MAX], real[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s/%s", dir, p);
	/* "../state/x.db" reads better as "/srv/state/x.db": canonicalise the folder when it
	 * exists (the file itself may not exist yet). */
	const char *slash = strrchr(buf, '/');
	if (slash && slash != buf && (size_t)(slash - buf) < sizeof(parent)) {
		memcpy(parent, buf, (size_t)(slash - buf));
		parent[slash - buf] = '\0';
		if (realpath(parent, real) && strlen(real) + strlen(slash) < sizeof(buf)) {
			char out[PATH_MAX * 2];
			snprintf(out, sizeof(out), "%s%s", real, slash);
			return config_arena_strdup(a, out);
		}
	}
	return config_arena_strdup(a, buf);
}

/* Profiles come from the config's own profiles/ folder when it has one (a source tree or a
 * site-local override), else from the installed set. */
static const char *default_profiles_dir(struct arena *a, const char *dir)
{
	char buf[PATH_MAX];
	struct stat sb;
	snprintf(buf, sizeof(buf), "%s/profiles", dir);
	if (stat(buf, &sb) == 0 && S_ISDIR(sb.st_mode))
		return config_arena_strdup(a, buf);
	return PROFILEDIR;
}

/* The top level and its sections, in two passes: sections other than devices first, so that
 * daemon.profiles_dir is known before any device names a profile. */
static void parse_top(struct ydoc *y, struct load_ctx *c, yaml_node_t *root, bool devices)
{
	/* top_pair checks the keys itself: sections come from the caller's table. */
	const char *const *top_keys = NULL;
	if (!root || root->type != YAML_MAPPING_NODE) {
		ymap_walk(y, root, "", top_keys, top_pair, c);
		return;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
	     p++) {
		const char *key = yscalar(ynode(y, p->key));
		bool is_dev = key && strcmp(key, "devices") == 0;
		if (is_dev != devices)
			continue;
		/* Walk a one-pair view so ymap_walk's key checks apply. */
		yaml_node_t view = *root;
		view.data.mapping.pairs.start = p;
		view.data.mapping.pairs.top = p + 1;
		/* Duplicate top-level keys: check against the earlier pairs. */
		for (yaml_node_pair_t *q = root->data.mapping.pairs.start; q < p; q++) {
			const char *prev = yscalar(ynode(y, q->key));
			if (key && prev && strcmp(prev, key) == 0) {
				yerr(y, ynode(y, p->key), key, "duplicate key (first at line %d)",
				     yline(ynode(y, q->key)));
				goto next;
			}
		}
		ymap_walk(y, &view, "", top_keys, top_pair, c);
	next:;
	}
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A device without a name is a config error being reported; it sorts first meanwhile. */
static const char *dev_name(const struct config_device *d)
{
	return d->name ? d->name : "";
}

static int cmp_dev_name(const void *a, const void *b)
{
	const struct config_device *x = *(const struct config_device *const *)a;
	const struct config_device *y = *(const struct config_device *const *)b;
	int c = strcmp(dev_name(x), dev_name(y));
	return c ? c : (x > y) - (x < y); /* equal names keep their order */
}

static void index_devices(struct config *cfg)
{
	if (cfg->ndevices == 0)
		return;
	cfg->by_name = config_arena_alloc(cfg->arena, cfg->ndevices * sizeof(*cfg->by_name));
	for (size_t i = 0; i < cfg->ndevices; i++)
		cfg->by_name[i] = &cfg->devices[i];
	qsort(cfg->by_name, cfg->ndevices, sizeof(*cfg->by_name), cmp_dev_name);
}

struct config *config_load(const char *path, const struct config_section *sections,
                           struct config_diag *diag)
{
	struct arena *arena = config_arena_new();
	struct config *cfg = config_arena_alloc(arena, sizeof(*cfg));
	struct load_ctx c = {.cfg = cfg, .sections = sections};
	struct ydoc y = {.diag = diag, .arena = arena};
	char dirbuf[PATH_MAX];
	unsigned before = diag->count;

	cfg->arena = arena;
	cfg->file = config_arena_strdup(arena, path);
	snprintf(dirbuf, sizeof(dirbuf), "%s", path);
	char *slash = strrchr(dirbuf, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(dirbuf, ".");
	char real[PATH_MAX];
	/* Absolute, so paths resolved against it read well in logs ("/srv/x.db", not
	 * "etc/../x.db") and stay right if the daemon changes directory. */
	cfg->dir = config_arena_strdup(arena, realpath(dirbuf, real) ? real : dirbuf);
	cfg->site.timezone = "UTC";
	cfg->storage.path = "greendc.db";
	cfg->storage.raw_retention_ms = 90LL * 86400000;
	cfg->storage.commit_ms = 1000;
	cfg->daemon.workers = 4;
	cfg->daemon.max_backoff_ms = 300000;
	cfg->daemon.log_level = "info";

	if (!ydoc_load(&y, cfg->file))
		goto fail;
	yaml_node_t *root = yaml_document_get_root_node(&y.doc);
	parse_top(&y, &c, root, false);
	cfg->daemon.profiles_dir = cfg->daemon.profiles_dir
	                                   ? resolve_path(arena, cfg->dir, cfg->daemon.profiles_dir)
	                                   : default_profiles_dir(arena, cfg->dir);
	cfg->daemon.drivers_dir = resolve_path(arena, cfg->dir, cfg->daemon.drivers_dir);
	cfg->daemon.audit_log = resolve_path(arena, cfg->dir, cfg->daemon.audit_log);
	parse_top(&y, &c, root, true);
	if (!c.have_site_id)
		config_diag_add(diag, cfg->file, yline(root), "site.id: is required");
	yaml_document_delete(&y.doc);

	/* conf.d fragments, in name order, may add devices. */
	char pattern[PATH_MAX];
	glob_t g;
	snprintf(pattern, sizeof(pattern), "%s/conf.d/*.yaml", cfg->dir);
	if (glob(pattern, 0, NULL, &g) == 0) {
		qsort(g.gl_pathv, g.gl_pathc, sizeof(char *), str_cmp);
		for (size_t i = 0; i < g.gl_pathc; i++) {
			struct ydoc yf = {.diag = diag, .arena = arena};
			const char *f = config_arena_strdup(arena, g.gl_pathv[i]);
			if (!ydoc_load(&yf, f))
				continue;
			c.conf_d = true;
			parse_top(&yf, &c, yaml_document_get_root_node(&yf.doc), false);
			parse_top(&yf, &c, yaml_document_get_root_node(&yf.doc), true);
			yaml_document_delete(&yf.doc);
		}
		globfree(&g);
	}
	cfg->devices = c.devs.v;
	cfg->ndevices = c.devs.n;
	index_devices(cfg);
	cfg->storage.path = resolve_path(arena, cfg->dir, cfg->storage.path);
	if (diag->count == before)
		for (const struct config_section *s = sections; s && s->key; s++)
			if (s->validate)
				s->validate(cfg, diag);
	if (diag->count != before)
		goto fail;
	return cfg;
fail:
	config_arena_free(arena);
	return NULL;
}

void config_free(struct config *cfg)
{
	if (cfg)
		config_arena_free(cfg->arena);
}

const struct config_device *config_device_find(const struct config *cfg, const char *name)
{
	if (!cfg->by_name) {
		for (size_t i = 0; i < cfg->ndevices; i++)
			if (strcmp(cfg->devices[i].name, name) == 0)
				return &cfg->devices[i];
		return NULL;
	}
	/* The first of equal names (as the scan would find it): a duplicate is a config error
	 * reported elsewhere, but the answer must not depend on the index. */
	size_t lo = 0, hi = cfg->ndevices;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(dev_name(cfg->by_name[mid]), name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < cfg->ndevices && strcmp(dev_name(cfg->by_name[lo]), name) == 0
	               ? cfg->by_name[lo]
	               : NULL;
}

void config_device_to_gdc(const struct config_device *d, const struct profile *p,
                          struct gdc_device *out)
{
	*out = (struct gdc_device){
	        .name = d->name,
	        .address = d->address,
	        .timeout_ms = d->timeout_ms,
	        .options = d->options,
	        .noptions = d->noptions,
	        .points = p ? p->points : NULL,
	        .npoints = p ? p->npoints : 0,
	};
}

/* The candidate whose key matches one "key=value" (no newline) as the longest dotted prefix;
 * *len is that prefix's length. */
static const struct profile *match_one(const struct profile *const *cands, size_t n,
                                       const char *key, size_t klen, const char *value, size_t vlen,
                                       size_t *len)
{
	const struct profile *best = NULL;

	*len = 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < cands[i]->nmatch; j++) {
			const struct gdc_attr *m = &cands[i]->match[j];
			size_t plen = strlen(m->value);
			if (strlen(m->key) != klen || strncmp(m->key, key, klen) != 0)
				continue;
			if (plen > vlen || strncmp(value, m->value, plen) != 0 ||
			    (plen < vlen && value[plen] != '.'))
				continue;
			if (plen > *len) {
				best = cands[i];
				*len = plen;
			}
		}
	}
	return best;
}

const struct profile *profile_match(const struct profile *const *cands, size_t n, const char *ident)
{
	const struct profile *best = NULL;
	size_t best_len = 0, group_klen = 0;
	const char *group_key = NULL;

	/* One "key=value" per line, most telling key first (the driver's order); consecutive
	 * lines with the same key form a group. The first group with a match wins, and in it
	 * the longest prefix. */
	for (const char *line = ident; *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		const char *eq = memchr(line, '=', len);
		if (eq) {
			size_t klen = (size_t)(eq - line), plen;
			if (group_key &&
			    (klen != group_klen || strncmp(line, group_key, klen) != 0)) {
				if (best)
					return best;
			}
			group_key = line;
			group_klen = klen;
			const struct profile *p =
			        match_one(cands, n, line, klen, eq + 1, len - klen - 1, &plen);
			if (p && plen > best_len) {
				best = p;
				best_len = plen;
			}
		}
		line += len + (eol ? 1 : 0);
	}
	return best;
}
