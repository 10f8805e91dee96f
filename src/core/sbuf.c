/* SPDX-License-Identifier: Apache-2.0 */
/* A growable, capped text buffer: see sbuf.h. */
#include "core/sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	size_t max = b->max ? b->max : SBUF_CAP;
	if (n >= max || b->len + n + 1 > max) {
		b->oom = true;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (cap > max)
			cap = max;
		char *p = realloc(b->s, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void sbuf_puts(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		sbuf_add(b, tmp, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		b->oom = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sbuf_add(b, big, (size_t)n);
	free(big);
}

void sbuf_free(struct sbuf *b)
{
	if (!b)
		return;
	size_t max = b->max;
	free(b->s);
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void sbuf_put_html(struct sbuf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			sbuf_puts(b, "&lt;");
			break;
		case '>':
			sbuf_puts(b, "&gt;");
			break;
		case '&':
			sbuf_puts(b, "&amp;");
			break;
		case '"':
			sbuf_puts(b, "&quot;");
			break;
		case '\'':
			sbuf_puts(b, "&#39;");
			break;
		default:
			sbuf_add(b, s, 1);
		}
	}
}
