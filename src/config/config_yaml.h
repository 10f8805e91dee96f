/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The YAML layer shared by every config section: see config_yaml.c. A section parser (energy,
 * cooling, alerts, ...) receives its node and walks it with these, so its errors carry
 * file:line like the rest of the config.
 */
#ifndef GREENDC_CONFIG_YAML_H
#define GREENDC_CONFIG_YAML_H

#include "config/config.h"

#include <stdbool.h>
#include <stdint.h>
#include <yaml.h>

struct ydoc {
	yaml_document_t doc;
	const char *file;
	struct config_diag *diag;
	struct arena *arena;
};

typedef void (*pair_fn)(struct ydoc *y, void *ctx, const char *path, const char *key,
                        yaml_node_t *knode, yaml_node_t *value);

/* A mapping of scalar values into key/value arrays (labels, options, quirks). */
struct kv_build {
	struct gdc_attr *attrs;
	size_t n, cap;
};

/* 1-based line of a node. */
int yline(const yaml_node_t *n);

/* Node by index in the document. */
yaml_node_t *ynode(struct ydoc *y, int idx);

/* Report "file:line: path: message" for node n (n may be NULL). */
void yerr(struct ydoc *y, const yaml_node_t *n, const char *path, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* The scalar's text, or NULL when n is not a scalar. */
const char *yscalar(const yaml_node_t *n);

/* "a scalar", "a list", "a mapping": for messages. */
const char *ynode_kind(const yaml_node_t *n);

/* "a, b, c": the NULL-terminated keys into buf (truncated to len). */
void config_keys_list(const char *const *keys, char *buf, size_t len);

/* Call fn for each pair of mapping map after rejecting keys not in allowed (NULL-terminated;
 * NULL = any; the error names the known keys) and duplicate keys. false if map is not a
 * mapping (reported). */
bool ymap_walk(struct ydoc *y, yaml_node_t *map, const char *path, const char *const *allowed,
               pair_fn fn, void *ctx);
/* Typed readers: each reports a clear error at v and returns NULL/false on a bad value.
 * Strings are copied into the arena. */
const char *ywant_string(struct ydoc *y, yaml_node_t *v, const char *path);

bool ywant_double(struct ydoc *y, yaml_node_t *v, const char *path, double *out);

bool ywant_int(struct ydoc *y, yaml_node_t *v, const char *path, long long lo, long long hi,
               long long *out);

bool ywant_duration(struct ydoc *y, yaml_node_t *v, const char *path, int64_t min_ms, int64_t *out);

bool ywant_bool(struct ydoc *y, yaml_node_t *v, const char *path, bool *out);

/* True when s is non-empty letters/digits plus the characters in extra. */
bool config_name_ok(const char *s, const char *extra);

/* Append a key/value (copied into the arena). */
void ykv_push(struct ydoc *y, struct kv_build *b, const char *key, const char *value, int line);

/* A pair_fn that collects scalar values into the struct kv_build passed as ctx. */
void ykv_pair(struct ydoc *y, void *ctx, const char *path, const char *key, yaml_node_t *knode,
              yaml_node_t *v);

/* The collected pairs as labels (arena). */
struct gdc_label *ykv_to_labels(struct ydoc *y, const struct kv_build *b);

/* Limits of what ydoc_load accepts (docs/config.md, "Limits"). */
#define YDOC_MAX_DEPTH  32                 /* nesting of lists and mappings */
#define YDOC_MAX_SCALAR 16384              /* bytes of any one value */
#define YDOC_MAX_FILE   (64 * 1024 * 1024) /* bytes of one file */

/* Parse file into y->doc; on a syntax error, nesting deeper than YDOC_MAX_DEPTH, a value
 * longer than YDOC_MAX_SCALAR or one that is not UTF-8 text, report file:line and return
 * false. */
bool ydoc_load(struct ydoc *y, const char *file);

/* True when s[0..len) is UTF-8 text without NUL bytes (no overlong forms, no surrogates). */
bool config_utf8_ok(const char *s, size_t len);

#endif
