/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Building a document (report_doc.h): blocks appended in order, every string copied in.
 * Out-of-memory sets d->oom once and turns every later call into a no-op, so builders need
 * no error paths; the renderers refuse an oom document.
 */
#include "delivery/report_doc.h"

#include "delivery/report_chart.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct doc *doc_new(const char *lang)
{
	struct doc *d = calloc(1, sizeof(*d));
	if (d)
		snprintf(d->lang, sizeof(d->lang), "%s", lang ? lang : "en");
	return d;
}

static void table_free(struct doc_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

void doc_free(struct doc *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		struct doc_block *b = &d->b[i];
		free(b->text);
		free(b->id);
		table_free(b->table);
		chart_free(b->chart);
		for (size_t k = 0; k < b->nsign; k++) {
			free(b->labels[k]);
			free(b->names[k]);
		}
		free(b->date_label);
	}
	free(d->b);
	free(d->title);
	free(d->head_left);
	free(d->head_right);
	free(d->foot_left);
	free(d->foot_right_fmt);
	free(d);
}

static char *vfmt(struct doc *d, const char *fmt, va_list ap)
{
	char *s = NULL;
	if (d->oom || vasprintf(&s, fmt, ap) < 0) {
		d->oom = true;
		return NULL;
	}
	return s;
}

static char *dup(struct doc *d, const char *s)
{
	if (!s || d->oom)
		return NULL;
	char *c = strdup(s);
	if (!c)
		d->oom = true;
	return c;
}

void doc_set(struct doc *d, char **field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vfmt(d, fmt, ap);
	va_end(ap);
	if (!s)
		return;
	free(*field);
	*field = s;
}

static struct doc_block *add(struct doc *d, enum doc_kind kind)
{
	if (d->oom)
		return NULL;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;
		struct doc_block *nb = realloc(d->b, cap * sizeof(*nb));
		if (!nb) {
			d->oom = true;
			return NULL;
		}
		d->b = nb;
		d->cap = cap;
	}
	struct doc_block *b = &d->b[d->n++];
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	return b;
}

void doc_heading(struct doc *d, int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vfmt(d, fmt, ap);
	va_end(ap);
	struct doc_block *b = s ? add(d, DOC_HEADING) : NULL;
	if (!b) {
		free(s);
		return;
	}
	b->level = level;
	b->text = s;
}

void doc_para(struct doc *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vfmt(d, fmt, ap);
	va_end(ap);
	struct doc_block *b = s ? add(d, DOC_PARA) : NULL;
	if (!b) {
		free(s);
		return;
	}
	b->text = s;
}

void doc_notice(struct doc *d, const char *id, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vfmt(d, fmt, ap);
	va_end(ap);
	struct doc_block *b = s ? add(d, DOC_NOTICE) : NULL;
	if (!b) {
		free(s);
		return;
	}
	b->text = s;
	b->id = dup(d, id);
}

struct doc_table *doc_table(struct doc *d, size_t ncols, bool header)
{
	if (ncols == 0 || ncols > DOC_MAX_COLS)
		return NULL;
	struct doc_block *b = add(d, DOC_TABLE);
	if (!b)
		return NULL;
	b->table = calloc(1, sizeof(*b->table));
	if (!b->table) {
		d->oom = true;
		return NULL;
	}
	b->table->ncols = ncols;
	b->table->header = header;
	return b->table;
}

void doc_row(struct doc *d, struct doc_table *t, const char *const *cells)
{
	if (!t || d->oom)
		return;
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **nc = realloc(t->cells, cap * t->ncols * sizeof(*nc));
		if (!nc) {
			d->oom = true;
			return;
		}
		t->cells = nc;
		t->cap = cap;
	}
	for (size_t i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = cells[i] ? dup(d, cells[i]) : NULL;
	t->nrows++;
}

void doc_kv(struct doc *d, struct doc_table *t, const char *label, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vfmt(d, fmt, ap);
	va_end(ap);
	const char *cells[2] = {label, s};
	if (s && t && t->ncols == 2)
		doc_row(d, t, cells);
	free(s);
}

void doc_chart(struct doc *d, struct chart *c)
{
	struct doc_block *b = c ? add(d, DOC_CHART) : NULL;
	if (!b) {
		chart_free(c);
		return;
	}
	b->chart = c;
}

void doc_signatures(struct doc *d, size_t n, const char *const *labels, const char *const *names,
                    const char *date_label)
{
	struct doc_block *b = add(d, DOC_SIGNATURES);
	if (!b)
		return;
	b->nsign = n > 3 ? 3 : n;
	for (size_t i = 0; i < b->nsign; i++) {
		b->labels[i] = dup(d, labels[i]);
		b->names[i] = dup(d, names[i]);
	}
	b->date_label = dup(d, date_label);
}
