/* SPDX-License-Identifier: Apache-2.0 */
/* The label codec: see labels.h. */
#include "core/labels.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t put_escaped(const char *s, char *buf, size_t len, size_t at)
{
	for (; *s; s++) {
		if (*s == ',' || *s == '=' || *s == '\\') {
			if (at + 1 < len)
				buf[at] = '\\';
			at++;
		}
		if (at + 1 < len)
			buf[at] = *s;
		at++;
	}
	return at;
}

size_t labels_canon(const char *const *keys, const char *const *values, size_t n, char *buf,
                    size_t len)
{
	size_t at = 0;
	/* Insertion sort of an index array: label sets are small. */
	size_t idx[LABELS_MAX];
	size_t m = n < LABELS_MAX ? n : LABELS_MAX;
	for (size_t i = 0; i < m; i++)
		idx[i] = i;
	for (size_t i = 1; i < m; i++) {
		size_t x = idx[i], j = i;
		while (j > 0 && strcmp(keys[idx[j - 1]] ? keys[idx[j - 1]] : "",
		                       keys[x] ? keys[x] : "") > 0) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = x;
	}
	for (size_t i = 0; i < m; i++) {
		if (i > 0) {
			if (at + 1 < len)
				buf[at] = ',';
			at++;
		}
		at = put_escaped(keys[idx[i]] ? keys[idx[i]] : "", buf, len, at);
		if (at + 1 < len)
			buf[at] = '=';
		at++;
		at = put_escaped(values[idx[i]] ? values[idx[i]] : "", buf, len, at);
	}
	if (len > 0)
		buf[at < len ? at : len - 1] = '\0';
	return at;
}

int labels_each(const char *text, const char *seps,
                void (*cb)(void *ctx, const char *key, const char *value), void *ctx)
{
	char k[128], v[512];
	size_t kl = 0, vl = 0;
	bool in_v = false;
	if (!text || !*text)
		return 0;
	for (const char *p = text;; p++) {
		char c = *p;
		if (c == '\\' && p[1]) {
			c = *++p;
		} else if (c == '\0' || strchr(seps, c)) {
			if (!in_v || kl == 0)
				return -EINVAL;
			k[kl] = '\0';
			v[vl] = '\0';
			cb(ctx, k, v);
			kl = vl = 0;
			in_v = false;
			if (c == '\0')
				return 0;
			continue;
		} else if (c == '=' && !in_v) {
			in_v = true;
			continue;
		}
		if (in_v && vl + 1 < sizeof(v))
			v[vl++] = c;
		else if (!in_v && kl + 1 < sizeof(k))
			k[kl++] = c;
	}
}

struct get_ctx {
	const char *key;
	char *buf;
	size_t len;
	bool found;
};

static void get_cb(void *ctx, const char *k, const char *v)
{
	struct get_ctx *g = ctx;
	if (!g->found && strcmp(k, g->key) == 0) {
		g->found = true;
		if (g->len)
			snprintf(g->buf, g->len, "%s", v);
	}
}

bool labels_get(const char *canon, const char *key, char *buf, size_t len)
{
	struct get_ctx g = {.key = key, .buf = buf, .len = len};
	labels_each(canon, ",", get_cb, &g);
	return g.found;
}

struct collect_ctx {
	char *keys[LABELS_MAX], *vals[LABELS_MAX];
	size_t n;
	bool overflow, oom;
};

static void collect_cb(void *ctx, const char *k, const char *v)
{
	struct collect_ctx *c = ctx;
	if (c->n == LABELS_MAX) {
		c->overflow = true;
		return;
	}
	c->keys[c->n] = strdup(k);
	c->vals[c->n] = strdup(v);
	if (!c->keys[c->n] || !c->vals[c->n])
		c->oom = true;
	c->n++;
}

long labels_canon_text(const char *text, const char *seps, char *buf, size_t len)
{
	struct collect_ctx c = {.n = 0};
	int rc = labels_each(text, seps, collect_cb, &c);
	long out = -1;
	if (rc == 0 && !c.overflow && !c.oom)
		out = (long)labels_canon((const char *const *)c.keys, (const char *const *)c.vals,
		                         c.n, buf, len);
	for (size_t i = 0; i < c.n; i++) {
		free(c.keys[i]);
		free(c.vals[i]);
	}
	return out;
}
