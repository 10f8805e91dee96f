/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The label codec: the one way label sets are written and read everywhere (store, poller,
 * energy selectors, import, HTTP). The canonical form is "k=v,k=v" with keys sorted and
 * ',', '=' and '\\' inside keys or values escaped with '\\'; "" is the empty set. The store
 * keys series by this exact string, so two spellings of one label set are one series.
 */
#ifndef GREENDC_CORE_LABELS_H
#define GREENDC_CORE_LABELS_H

#include <stdbool.h>
#include <stddef.h>

#define LABELS_MAX 64 /* pairs in one set; more are ignored by labels_canon */

/* Canonical label string from pairs: keys sorted, "k=v" joined by ",". Writes at most len
 * bytes including the NUL; returns the length needed (like snprintf). NULL keys or values
 * are taken as "". */
size_t labels_canon(const char *const *keys, const char *const *values, size_t n, char *buf,
                    size_t len);

/* Call cb for each pair of a label string, unescaped. seps names the pair separators: ","
 * for the canonical form, ",;" for text a user typed ("k=v;k=v"). Keys longer than 127 and
 * values longer than 511 bytes are cut. Returns 0, or -EINVAL when a pair has no '=' or an
 * empty key (cb has then been called for the pairs before it). NULL or "" is the empty set. */
int labels_each(const char *text, const char *seps,
                void (*cb)(void *ctx, const char *key, const char *value), void *ctx);

/* The unescaped value of key in a canonical label string into buf; false when absent. */
bool labels_get(const char *canon, const char *key, char *buf, size_t len);

/* Parse a label string (seps as for labels_each) and write its canonical form into buf.
 * Returns the length needed (as labels_canon), or -1 when the text is malformed or has
 * more than LABELS_MAX pairs. */
long labels_canon_text(const char *text, const char *seps, char *buf, size_t len);

#endif
