/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The document model of a tenant statement: what a page says — title, identity lines,
 * notices, tables, chart series — in one language, apart from how it is drawn. HTML
 * (statement_html.c) and PDF (statement_pdf.c, through the reports engine) draw the same
 * model, so the two cannot say different things. Built from the statement's JSON only.
 */
#ifndef GREENDC_STATEMENT_DOC_H
#define GREENDC_STATEMENT_DOC_H

#include <stdbool.h>
#include <stddef.h>

struct cJSON;

struct statement_doc_table {
	char *title;
	size_t ncols, nrows;
	char **head;        /* ncols */
	char **cells;       /* nrows x ncols, row after row */
	bool *numeric;      /* ncols: right-aligned figures */
	bool last_is_total; /* the last row sums the others (drawn bold) */
};

/* A bar chart: one value per label. */
struct statement_doc_chart {
	char *title, *unit;
	size_t n;
	char **labels;
	double *values; /* NAN: no bar (nothing metered) */
};

struct statement_doc_line {
	char *key, *value;
};

struct statement_doc_note {
	char *text;
	bool warn; /* a banner the reader must not miss (in progress, incomplete, a failed check) */
};

struct statement_doc {
	char lang[3];  /* "en", "zh" */
	char *title;   /* "Electricity statement" */
	char *heading; /* "ACME Cloud Ltd — 2026-10" */
	struct statement_doc_line *ident;
	size_t nident;
	struct statement_doc_note *notes;
	size_t nnotes;
	struct statement_doc_table *tables;
	size_t ntables;
	struct statement_doc_chart *charts;
	size_t ncharts;
	char *footer;
};

/* The document of one statement (an element of all.statements) in lang ("en" or "zh"; other
 * values mean "en"). all gives the site and period. NULL when out of memory. */
struct statement_doc *statement_doc_build(const struct cJSON *all, const struct cJSON *statement,
                                          const char *lang);
void statement_doc_free(struct statement_doc *d); /* NULL ok */

#endif
