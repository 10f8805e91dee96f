/* SPDX-License-Identifier: Apache-2.0 */
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
#include <stdlib.h>
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

bool config_utf8_ok(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	while (p < end) {
		unsigned c = *p++;
		size_t more;
		unsigned min;
		if (c == 0)
			return false;
		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf) {
			more = 1;
			min = 0x80;
			c &= 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			more = 2;
			min = 0x800;
			c &= 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			more = 3;
			min = 0x10000;
			c &= 0x07;
		} else {
			return false;
		}
		if ((size_t)(end - p) < more)
			return false;
		for (size_t i = 0; i < more; i++, p++) {
			if ((*p & 0xc0) != 0x80)
				return false;
			c = c << 6 | (*p & 0x3f);
		}
		/* Overlong forms, UTF-16 surrogates and code points past U+10FFFF. */
		if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
			return false;
	}
	return true;
}

/* A first pass over the events, before libyaml builds the document: nesting deeper than
 * YDOC_MAX_DEPTH, a scalar longer than YDOC_MAX_SCALAR, and a scalar that is not UTF-8 text
 * (a NUL from a "\0" escape) are refused with file:line. libyaml's document loader takes time
 * quadratic in the nesting depth (a label nested 100,000 deep took 37.7 s to reject); this
 * pass stops at the first level too deep. */
static bool ydoc_prepass(struct ydoc *y, const char *file, const unsigned char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0;
	bool ok = true, done = false;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, text, len);
	while (ok && !done) {
		if (!yaml_parser_parse(&parser, &ev))
			break; /* a syntax error: the loader reports it */
		int line = (int)ev.start_mark.line + 1;
		switch (ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > YDOC_MAX_DEPTH) {
				config_diag_add(y->diag, file, line, "nested deeper than %d levels",
				                YDOC_MAX_DEPTH);
				ok = false;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_SCALAR_EVENT:
			if (ev.data.scalar.length > YDOC_MAX_SCALAR) {
				config_diag_add(y->diag, file, line, "a value longer than %d bytes",
				                YDOC_MAX_SCALAR);
				ok = false;
			} else if (!config_utf8_ok((const char *)ev.data.scalar.value,
			                           ev.data.scalar.length)) {
				config_diag_add(
				        y->diag, file, line,
				        "a value that is not UTF-8 text (a NUL or an invalid "
				        "byte sequence)");
				ok = false;
			}
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return ok;
}

/* The whole file, at most YDOC_MAX_FILE bytes. NULL with a diagnostic. */
static unsigned char *slurp(struct ydoc *y, const char *file, size_t *len)
{
	FILE *f = fopen(file, "rbe");
	if (!f) {
		config_diag_add(y->diag, file, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	unsigned char *buf = NULL;
	size_t n = 0, cap = 0;
	const char *why = NULL;
	while (!why) {
		if (n == cap) {
			/* One byte past the limit tells a file that is too large. */
			cap = cap ? cap * 2 : 65536;
			if (cap > (size_t)YDOC_MAX_FILE + 1)
				cap = (size_t)YDOC_MAX_FILE + 1;
			unsigned char *nb = n < cap ? realloc(buf, cap) : NULL;
			if (!nb) {
				why = n < cap ? "out of memory" : "larger than 64 MiB";
				break;
			}
			buf = nb;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0) {
			if (ferror(f))
				why = strerror(EIO);
			break;
		}
	}
	fclose(f);
	if (why) {
		config_diag_add(y->diag, file, 0, "%s", why);
		free(buf);
		return NULL;
	}
	*len = n;
	return buf ? buf : malloc(1);
}

bool ydoc_load(struct ydoc *y, const char *file)
{
	yaml_parser_t parser;
	size_t len = 0;
	unsigned char *text = slurp(y, file, &len);
	if (!text)
		return false;
	if (!ydoc_prepass(y, file, text, len)) {
		free(text);
		return false;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, text, len);
	bool ok = yaml_parser_load(&parser, &y->doc);
	if (!ok) {
		int line = (int)parser.problem_mark.line + 1;
		/* The reader (bad UTF-8, control characters) gives a byte offset, not a mark. */
		if (parser.error == YAML_READER_ERROR) {
			line = 1;
			for (size_t i = 0; i < parser.problem_offset && i < len; i++)
				line += text[i] == '\n';
		}
		config_diag_add(y->diag, file, line, "yaml: %s%s%s",
		                parser.problem ? parser.problem : "syntax error",
		                parser.context ? " " : "", parser.context ? parser.context : "");
	}
	yaml_parser_delete(&parser);
	free(text);
	if (ok && !yaml_document_get_root_node(&y->doc)) {
		config_diag_add(y->diag, file, 0, "empty document");
		yaml_document_delete(&y->doc);
		return false;
	}
	y->file = file;
	return ok;
}
