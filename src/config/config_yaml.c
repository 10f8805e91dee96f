/*
 * The YAML layer under the config and profile parsers: libyaml's document API, a
 * schema-driven mapping walker that rejects unknown and duplicate keys, and typed readers
 * that report `file:line: path: problem`. Shared by every config section (config_yaml.h).
 */
#include "config/config_yaml.h"

#include "core/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- YAML walking ---- */

int yline(const yaml_node_t *n)
{
	return (int)n->start_mark.line + 1;
}

yaml_node_t *ynode(struct ydoc *y, int idx)
{
	return yaml_document_get_node(&y->doc, idx);
}

void yerr(struct ydoc *y, const yaml_node_t *n, const char *path, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	config_diag_add(y->diag, y->file, n ? yline(n) : 0, "%s: %s", path, msg);
}

const char *yscalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

const char *ynode_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a scalar";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

/* Walks a mapping: calls fn(key, value) for each pair after checking the key against allowed
 * (NULL-terminated; NULL = any key) and rejecting duplicates. An unknown key's error lists the
 * known ones, so a typo is easy to fix (and test_man_config.sh reads the parsers' keys from
 * it to compare them with greendc.yaml(5)). */

void config_keys_list(const char *const *keys, char *buf, size_t len)
{
	size_t o = 0;
	if (!len)
		return;
	buf[0] = '\0';
	for (const char *const *a = keys; *a && o < len; a++) {
		int n = snprintf(buf + o, len - o, "%s%s", a == keys ? "" : ", ", *a);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

bool ymap_walk(struct ydoc *y, yaml_node_t *map, const char *path, const char *const *allowed,
               pair_fn fn, void *ctx)
{
	if (!map || map->type != YAML_MAPPING_NODE) {
		yerr(y, map, path, "expected a mapping, got %s", map ? ynode_kind(map) : "nothing");
		return false;
	}
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = ynode(y, p->key), *v = ynode(y, p->value);
		const char *key = yscalar(k);
		char sub[512];
		if (!key) {
			yerr(y, k, path, "keys must be plain scalars");
			continue;
		}
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
		for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
			const char *prev = yscalar(ynode(y, q->key));
			if (prev && strcmp(prev, key) == 0) {
				yerr(y, k, sub, "duplicate key (first at line %d)",
				     yline(ynode(y, q->key)));
				goto next;
			}
		}
		if (allowed) {
			bool ok = false;
			for (const char *const *a = allowed; *a; a++)
				ok = ok || strcmp(*a, key) == 0;
			if (!ok) {
				char known[1024];
				config_keys_list(allowed, known, sizeof(known));
				yerr(y, k, sub, "unknown key (known: %s)", known);
				continue;
			}
		}
		fn(y, ctx, sub, key, k, v);
	next:;
	}
	return true;
}

const char *ywant_string(struct ydoc *y, yaml_node_t *v, const char *path)
{
	const char *s = yscalar(v);
	if (!s) {
		yerr(y, v, path, "expected a string, got %s", ynode_kind(v));
		return NULL;
	}
	return config_arena_strdup(y->arena, s);
}

bool ywant_double(struct ydoc *y, yaml_node_t *v, const char *path, double *out)
{
	const char *s = yscalar(v);
	if (!s || !util_parse_double(s, out)) {
		yerr(y, v, path, "expected a number, got %s%s%s", s ? "\"" : ynode_kind(v),
		     s ? s : "", s ? "\"" : "");
		return false;
	}
	return true;
}

bool ywant_int(struct ydoc *y, yaml_node_t *v, const char *path, long long lo, long long hi,
               long long *out)
{
	const char *s = yscalar(v);
	if (!s || !util_parse_yaml_int(s, out) || *out < lo || *out > hi) {
		yerr(y, v, path, "expected a whole number from %lld to %lld, got %s%s%s", lo, hi,
		     s ? "\"" : ynode_kind(v), s ? s : "", s ? "\"" : "");
		return false;
	}
	return true;
}

bool ywant_duration(struct ydoc *y, yaml_node_t *v, const char *path, int64_t min_ms, int64_t *out)
{
	const char *s = yscalar(v);
	if (!s || !util_parse_duration(s, out)) {
		yerr(y, v, path, "expected a duration such as 10s, 5m or 500ms, got %s%s%s",
		     s ? "\"" : ynode_kind(v), s ? s : "", s ? "\"" : "");
		return false;
	}
	if (*out < min_ms) {
		char buf[32];
		util_format_duration(min_ms, buf, sizeof(buf));
		yerr(y, v, path, "must be at least %s", buf);
		return false;
	}
	return true;
}

bool ywant_bool(struct ydoc *y, yaml_node_t *v, const char *path, bool *out)
{
	const char *s = yscalar(v);
	if (s && (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0)) {
		*out = true;
		return true;
	}
	if (s && (strcmp(s, "false") == 0 || strcmp(s, "no") == 0)) {
		*out = false;
		return true;
	}
	yerr(y, v, path, "expected true or false");
	return false;
}

bool config_name_ok(const char *s, const char *extra)
{
	if (!*s)
		return false;
	for (const char *p = s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9'))
			continue;
		if (!strchr(extra, *p))
			return false;
	}
	return true;
}

void ykv_push(struct ydoc *y, struct kv_build *b, const char *key, const char *value, int line)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;
		struct gdc_attr *a = config_arena_alloc(y->arena, cap * sizeof(*a));
		if (b->n)
			memcpy(a, b->attrs, b->n * sizeof(*a));
		b->attrs = a;
		b->cap = cap;
	}
	b->attrs[b->n++] = (struct gdc_attr){config_arena_strdup(y->arena, key),
	                                     config_arena_strdup(y->arena, value), line};
}

void ykv_pair(struct ydoc *y, void *ctx, const char *path, const char *key, yaml_node_t *knode,
              yaml_node_t *v)
{
	(void)knode;
	const char *s = yscalar(v);
	if (!s) {
		yerr(y, v, path, "expected a scalar value, got %s", ynode_kind(v));
		return;
	}
	ykv_push(y, ctx, key, s, yline(v));
}

struct gdc_label *ykv_to_labels(struct ydoc *y, const struct kv_build *b)
{
	struct gdc_label *l = config_arena_alloc(y->arena, (b->n ? b->n : 1) * sizeof(*l));
	for (size_t i = 0; i < b->n; i++)
		l[i] = (struct gdc_label){b->attrs[i].key, b->attrs[i].value};
	return l;
}

bool ydoc_load(struct ydoc *y, const char *file)
{
	FILE *f = fopen(file, "rb");
	yaml_parser_t parser;

	if (!f) {
		config_diag_add(y->diag, file, 0, "cannot open: %s", strerror(errno));
		return false;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	bool ok = yaml_parser_load(&parser, &y->doc);
	if (!ok) {
		config_diag_add(y->diag, file, (int)parser.problem_mark.line + 1, "yaml: %s%s%s",
		                parser.problem ? parser.problem : "syntax error",
		                parser.context ? " " : "", parser.context ? parser.context : "");
	}
	yaml_parser_delete(&parser);
	fclose(f);
	if (ok && !yaml_document_get_root_node(&y->doc)) {
		config_diag_add(y->diag, file, 0, "empty document");
		yaml_document_delete(&y->doc);
		return false;
	}
	y->file = file;
	return ok;
}
