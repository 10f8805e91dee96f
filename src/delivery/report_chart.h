/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Charts for printed documents, drawn once with cairo (text with pango): chart_draw() paints
 * onto any cairo context — the PDF page (report_pdf.c) — and chart_svg() renders the same
 * drawing to a cairo SVG surface for the HTML page (report_html.c). One implementation, so
 * the two show the same chart. Kinds: a line (with optional horizontal reference lines, e.g.
 * grade limits), stacked bars (parts of a whole per x), plain bars.
 */
#ifndef GREENDC_REPORT_CHART_H
#define GREENDC_REPORT_CHART_H

#include <stdbool.h>
#include <stddef.h>

struct _cairo; /* cairo_t */

#define CHART_MAX_SERIES 8
#define CHART_MAX_REFS   4

enum chart_kind { CHART_LINE, CHART_STACKED, CHART_BARS };

struct chart {
	enum chart_kind kind;
	char *title;     /* above the plot */
	char *y_label;   /* unit, above the y axis */
	size_t n;        /* points along x */
	char **x_labels; /* n; NULL entries are not printed (the axis thins them itself) */
	size_t ns;
	char *names[CHART_MAX_SERIES]; /* legend */
	double *v[CHART_MAX_SERIES];   /* n values each; NAN = no value (a break in a line) */
	size_t nref;
	double ref[CHART_MAX_REFS]; /* horizontal reference lines */
	char *ref_names[CHART_MAX_REFS];
	int decimals; /* of the y axis labels */
};

/* A chart of n points and ns series (values NAN, strings empty). NULL when out of memory. */
struct chart *chart_new(enum chart_kind kind, size_t n, size_t ns);
void chart_free(struct chart *c);
/* Set a string of the chart (copied); false when out of memory. */
bool chart_set(char **field, const char *s);

/* Paint the chart into the rectangle (x, y, w, h) of cr, text in font (a pango family list). */
void chart_draw(const struct chart *c, struct _cairo *cr, double x, double y, double w, double h,
                const char *font);

/* The chart as an SVG document of w x h points (malloc'ed, *len bytes), or NULL. */
char *chart_svg(const struct chart *c, double w, double h, const char *font, size_t *len);

#endif
