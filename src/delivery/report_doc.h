/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A printable document as data, and its two renderers: one self-contained HTML page
 * (report_html.c) and A4 PDF pages (report_pdf.c, cairo + pango, fonts embedded). A document
 * is a title, the running header and footer texts every PDF page repeats, and a list of
 * blocks: headings, paragraphs, notices (warnings), tables, charts (report_chart.h) and a
 * signature block. It knows nothing of energy: the regulator report (report_layout.c) and
 * tenants' statements fill one with their own words, and both renderers show exactly the
 * same text, so the HTML and the PDF can never disagree.
 *
 * Strings are copied in; a document owns everything it holds (doc_free). Building never
 * fails part-way: on out-of-memory the document sets oom and the renderers return NULL.
 */
#ifndef GREENDC_REPORT_DOC_H
#define GREENDC_REPORT_DOC_H

#include <stdbool.h>
#include <stddef.h>

struct chart;

#define DOC_MAX_COLS 8

enum doc_kind { DOC_HEADING, DOC_PARA, DOC_NOTICE, DOC_TABLE, DOC_CHART, DOC_SIGNATURES };

struct doc_table {
	size_t ncols, nrows;
	char **cells;                /* nrows x ncols, row-major; NULL cell = empty */
	double widths[DOC_MAX_COLS]; /* relative column widths (0 = even share) */
	bool header;                 /* row 0 is a header row (repeated on each PDF page) */
	bool numeric[DOC_MAX_COLS];  /* right-aligned columns */
	size_t cap;
};

struct doc_block {
	enum doc_kind kind;
	int level;  /* headings: 1 or 2 */
	char *text; /* heading, paragraph, notice */
	char *id;   /* an HTML id for the block (notices), or NULL */
	struct doc_table *table;
	struct chart *chart;
	/* signature block: labels[i] (prepared by, approved by) with names[i]; date_label */
	char *labels[3], *names[3], *date_label;
	size_t nsign;
};

struct doc {
	char lang[8];         /* "zh" or "en": the HTML lang attribute and the PDF metadata */
	char *title;          /* h1 and the PDF title */
	char *head_left;      /* every PDF page's header: site, ... */
	char *head_right;     /* ... and period */
	char *foot_left;      /* every PDF page's footer: the SHA-256 of the source data */
	char *foot_right_fmt; /* "Page %d of %d" with the page and the page count */
	struct doc_block *b;
	size_t n, cap;
	bool oom;
};

struct doc *doc_new(const char *lang);
void doc_free(struct doc *d);

/* Set one of the document's strings (title, head_left, ...) to a printf result. */
void doc_set(struct doc *d, char **field, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

void doc_heading(struct doc *d, int level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
void doc_para(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A warning shown before what follows (a red box); id names it in the HTML. */
void doc_notice(struct doc *d, const char *id, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* A table of ncols (<= DOC_MAX_COLS) columns added to the document; fill it with doc_row. */
struct doc_table *doc_table(struct doc *d, size_t ncols, bool header);
/* One row: ncols cells (NULL = empty). */
void doc_row(struct doc *d, struct doc_table *t, const char *const *cells);
/* A two-column row: label and printf value. */
void doc_kv(struct doc *d, struct doc_table *t, const char *label, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* A chart; the document takes it (chart_free). */
void doc_chart(struct doc *d, struct chart *c);
/* The signature block: n (<= 3) roles with the configured names (NULL = a blank line to sign
 * on) and a date line. */
void doc_signatures(struct doc *d, size_t n, const char *const *labels, const char *const *names,
                    const char *date_label);

/* The renderings; malloc'ed, *len bytes; NULL when out of memory or on a cairo error. */
char *doc_html(const struct doc *d, size_t *len);
unsigned char *doc_pdf(const struct doc *d, size_t *len);

/* The font family list both renderers ask fontconfig for: a CJK sans-serif that also covers
 * Latin, so zh and en pages use one face and the PDF embeds one subset. */
#define DOC_FONT "Noto Sans CJK SC,WenQuanYi Micro Hei,sans-serif"

#endif
