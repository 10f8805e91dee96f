/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A growable text buffer for building responses and documents. Growth is capped (SBUF_CAP by
 * default, or the cap the owner sets): past it, or when memory runs out, the buffer stops
 * growing and sets oom, so a runaway producer costs a bounded amount of memory and the
 * owner checks one flag at the end.
 */
#ifndef GREENDC_CORE_SBUF_H
#define GREENDC_CORE_SBUF_H

#include <stdbool.h>
#include <stddef.h>

#define SBUF_CAP ((size_t)64 << 20) /* 64 MiB: far above any response greendc builds */

struct sbuf {
	char *s; /* NUL-terminated once anything was added; NULL before */
	size_t len, cap;
	size_t max; /* growth cap in bytes; 0 = SBUF_CAP */
	bool oom;   /* an add failed: the content is incomplete */
};
void sbuf_add(struct sbuf *b, const char *s, size_t n);
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s escaped for HTML text and attribute values (& < > " '); NULL adds nothing. */
void sbuf_put_html(struct sbuf *b, const char *s);
/* Free the text and reset to empty (the cap is kept). NULL-safe. */
void sbuf_free(struct sbuf *b);

#endif
