/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A document (report_doc.h) as A4 PDF pages with cairo and pango: a running header (the
 * document's head_left and head_right: site and period) and footer (foot_left: the source
 * data's SHA-256; "page N of M") on every page, tables split at rows with their header
 * repeated, charts (report_chart.c) drawn straight onto the page, the signature block. Text
 * is laid out by pango in the document font (DOC_FONT), which cairo subsets and embeds, so
 * the PDF reads the same anywhere (pdffonts shows the CJK face embedded).
 *
 * Layout runs twice over the same blocks: once measuring only, to count the pages, then
 * drawing, so every footer can say "of M". Plus report_pdf(), the regulator report's PDF.
 */
#include "delivery/report.h"
#include "delivery/report_chart.h"
#include "delivery/report_doc.h"
#include "delivery/report_layout.h"

#include "core/sbuf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PW      595.276 /* A4, points */
#define PH      841.890
#define ML      48.0
#define MR      48.0
#define MT      62.0
#define MB      60.0
#define CW      (PW - ML - MR)
#define BOTTOM  (PH - MB)
#define PAD     3.0
#define CHART_H 205.0

struct pdf {
	cairo_t *cr;
	const struct doc *d;
	bool draw;
	int page, pages;
	double y;
};

static PangoLayout *lay(struct pdf *p, const char *s, double size, bool bold, double width)
{
	PangoLayout *l = pango_cairo_create_layout(p->cr);
	PangoFontDescription *fd = pango_font_description_from_string(DOC_FONT);
	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(l, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_text(l, s ? s : "", -1);
	return l;
}

static double lay_h(PangoLayout *l)
{
	int w, h;
	pango_layout_get_size(l, &w, &h);
	return (double)h / PANGO_SCALE;
}

/* Text in a box of width w at (x, y); returns its height. */
static double put(struct pdf *p, const char *s, double size, bool bold, double x, double y,
                  double w, bool right)
{
	PangoLayout *l = lay(p, s, size, bold, w);
	if (right)
		pango_layout_set_alignment(l, PANGO_ALIGN_RIGHT);
	double h = lay_h(l);
	if (p->draw) {
		cairo_move_to(p->cr, x, y);
		pango_cairo_show_layout(p->cr, l);
	}
	g_object_unref(l);
	return h;
}

static void rule(struct pdf *p, double y, double width)
{
	if (!p->draw)
		return;
	cairo_set_source_rgb(p->cr, 0.55, 0.55, 0.55);
	cairo_set_line_width(p->cr, width);
	cairo_move_to(p->cr, ML, y);
	cairo_line_to(p->cr, PW - MR, y);
	cairo_stroke(p->cr);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
}

static void new_page(struct pdf *p)
{
	if (p->page > 0 && p->draw)
		cairo_show_page(p->cr);
	p->page++;
	p->y = MT;
	if (!p->draw)
		return;
	char num[96];
	cairo_set_source_rgb(p->cr, 0.3, 0.3, 0.3);
	put(p, p->d->head_left, 7.5, false, ML, 30, CW * 0.55, false);
	put(p, p->d->head_right, 7.5, false, ML + CW * 0.45, 30, CW * 0.55, true);
	rule(p, 44, 0.5);
	rule(p, PH - 48, 0.5);
	cairo_set_source_rgb(p->cr, 0.3, 0.3, 0.3);
	put(p, p->d->foot_left, 6.2, false, ML, PH - 44, CW - 90, false);
	snprintf(num, sizeof(num), p->d->foot_right_fmt ? p->d->foot_right_fmt : "%d / %d", p->page,
	         p->pages);
	put(p, num, 7.5, false, PW - MR - 88, PH - 44, 88, true);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
}

/* Room for h more points on this page, else a new one. */
static void need(struct pdf *p, double h)
{
	if (p->y + h > BOTTOM && p->y > MT)
		new_page(p);
}

/* ---- tables ---- */

static void col_layout(const struct doc_table *t, double *x, double *w)
{
	double sum = 0;
	for (size_t c = 0; c < t->ncols; c++)
		sum += t->widths[c] > 0 ? t->widths[c] : 1;
	double at = ML;
	for (size_t c = 0; c < t->ncols; c++) {
		w[c] = CW * (t->widths[c] > 0 ? t->widths[c] : 1) / sum;
		x[c] = at;
		at += w[c];
	}
}

static double row_height(struct pdf *p, const struct doc_table *t, size_t r, const double *w)
{
	double h = 0;
	for (size_t c = 0; c < t->ncols; c++) {
		bool bold = (t->header && r == 0) || (!t->header && t->ncols == 2 && c == 0);
		PangoLayout *l = lay(p, t->cells[r * t->ncols + c], 7.8, bold, w[c] - 2 * PAD);
		double lh = lay_h(l);
		g_object_unref(l);
		if (lh > h)
			h = lh;
	}
	return h + 2 * PAD;
}

static void row_draw(struct pdf *p, const struct doc_table *t, size_t r, const double *x,
                     const double *w, double h)
{
	bool head = t->header && r == 0;
	if (p->draw) {
		for (size_t c = 0; c < t->ncols; c++) {
			bool shade = head || (!t->header && t->ncols == 2 && c == 0);
			cairo_rectangle(p->cr, x[c], p->y, w[c], h);
			if (shade) {
				cairo_set_source_rgb(p->cr, 0.93, 0.93, 0.93);
				cairo_fill_preserve(p->cr);
			}
			cairo_set_source_rgb(p->cr, 0.6, 0.6, 0.6);
			cairo_set_line_width(p->cr, 0.4);
			cairo_stroke(p->cr);
		}
		cairo_set_source_rgb(p->cr, 0, 0, 0);
	}
	for (size_t c = 0; c < t->ncols; c++) {
		bool bold = head || (!t->header && t->ncols == 2 && c == 0);
		put(p, t->cells[r * t->ncols + c], 7.8, bold, x[c] + PAD, p->y + PAD,
		    w[c] - 2 * PAD, t->numeric[c] && !head);
	}
	p->y += h;
}

static void table_pdf(struct pdf *p, const struct doc_table *t)
{
	double x[DOC_MAX_COLS], w[DOC_MAX_COLS];
	col_layout(t, x, w);
	double hh = t->header && t->nrows ? row_height(p, t, 0, w) : 0;
	for (size_t r = 0; r < t->nrows; r++) {
		double h = row_height(p, t, r, w);
		bool first = r == (t->header ? 1u : 0u);
		/* a header never stands alone at the foot of a page */
		if (p->y + h +
		                    (t->header && r == 0 ? row_height(p, t, 1 < t->nrows ? 1 : 0, w)
		                                         : 0) >
		            BOTTOM &&
		    p->y > MT) {
			new_page(p);
			if (t->header && r > 0)
				row_draw(p, t, 0, x, w, hh);
		}
		(void)first;
		row_draw(p, t, r, x, w, h);
	}
	p->y += 6;
}

/* ---- blocks ---- */

static void signatures_pdf(struct pdf *p, const struct doc_block *k)
{
	need(p, 70);
	double colw = CW / 3;
	for (size_t i = 0; i < k->nsign; i++) {
		double x = ML + colw * (double)i;
		char line[256];
		snprintf(line, sizeof(line), "%s: %s", k->labels[i] ? k->labels[i] : "",
		         k->names[i] ? k->names[i] : "");
		put(p, line, 8.5, false, x, p->y, colw - 12, false);
		put(p, k->date_label, 8.5, false, x, p->y + 36, colw - 12, false);
		if (p->draw) {
			cairo_set_line_width(p->cr, 0.5);
			cairo_move_to(p->cr, x, p->y + 32);
			cairo_line_to(p->cr, x + colw - 16, p->y + 32);
			cairo_move_to(p->cr, x, p->y + 62);
			cairo_line_to(p->cr, x + colw - 16, p->y + 62);
			cairo_stroke(p->cr);
		}
	}
	p->y += 72;
}

static void notice_pdf(struct pdf *p, const char *s)
{
	PangoLayout *l = lay(p, s, 8.8, true, CW - 12);
	double h = lay_h(l) + 10;
	need(p, h);
	if (p->draw) {
		cairo_set_source_rgb(p->cr, 0.67, 0, 0);
		cairo_set_line_width(p->cr, 1.2);
		cairo_rectangle(p->cr, ML, p->y, CW, h);
		cairo_stroke(p->cr);
		cairo_move_to(p->cr, ML + 6, p->y + 5);
		pango_cairo_show_layout(p->cr, l);
		cairo_set_source_rgb(p->cr, 0, 0, 0);
	}
	g_object_unref(l);
	p->y += h + 8;
}

static void block_pdf(struct pdf *p, const struct doc_block *k)
{
	switch (k->kind) {
	case DOC_HEADING: {
		double size = k->level <= 1 ? 12.0 : 10.0;
		need(p, 80); /* keep a heading with what follows */
		p->y += k->level <= 1 ? 8 : 4;
		p->y += put(p, k->text, size, true, ML, p->y, CW, false) + 2;
		if (k->level <= 1)
			rule(p, p->y, 0.5);
		p->y += 4;
		break;
	}
	case DOC_PARA: {
		PangoLayout *l = lay(p, k->text, 8.6, false, CW);
		double h = lay_h(l);
		g_object_unref(l);
		need(p, h);
		put(p, k->text, 8.6, false, ML, p->y, CW, false);
		p->y += h + 5;
		break;
	}
	case DOC_NOTICE:
		notice_pdf(p, k->text);
		break;
	case DOC_TABLE:
		table_pdf(p, k->table);
		break;
	case DOC_CHART:
		need(p, CHART_H);
		if (p->draw)
			chart_draw(k->chart, p->cr, ML, p->y, CW, CHART_H - 8, DOC_FONT);
		p->y += CHART_H;
		break;
	case DOC_SIGNATURES:
		signatures_pdf(p, k);
		break;
	}
}

static void layout(struct pdf *p)
{
	p->page = 0;
	new_page(p);
	p->y += put(p, p->d->title, 16, true, ML, p->y, CW, false) + 8;
	for (size_t i = 0; i < p->d->n; i++)
		block_pdf(p, &p->d->b[i]);
	if (p->draw)
		cairo_show_page(p->cr);
}

static cairo_status_t sbuf_write(void *closure, const unsigned char *data, unsigned int length)
{
	struct sbuf *b = closure;
	sbuf_add(b, (const char *)data, length);
	return b->oom ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

unsigned char *doc_pdf(const struct doc *d, size_t *len)
{
	if (d->oom)
		return NULL;
	struct sbuf b = {.max = (size_t)256 << 20};
	cairo_surface_t *s = cairo_pdf_surface_create_for_stream(sbuf_write, &b, PW, PH);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, d->title ? d->title : "");
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "greendc");
	struct pdf p = {.cr = cairo_create(s), .d = d};
	layout(&p); /* measure: how many pages */
	p.pages = p.page;
	p.draw = true;
	layout(&p);
	cairo_destroy(p.cr);
	cairo_surface_finish(s);
	bool ok = cairo_surface_status(s) == CAIRO_STATUS_SUCCESS && !b.oom && b.s;
	cairo_surface_destroy(s);
	if (!ok) {
		sbuf_free(&b);
		return NULL;
	}
	*len = b.len;
	return (unsigned char *)b.s;
}

unsigned char *report_pdf(const struct cJSON *rep, const char *lang, size_t *len)
{
	struct doc *d = report_layout(rep, lang);
	unsigned char *pdf = d ? doc_pdf(d, len) : NULL;
	doc_free(d);
	return pdf;
}

void report_render_release(void)
{
	pango_cairo_font_map_set_default(NULL);
	cairo_debug_reset_static_data();
	FcFini();
}
