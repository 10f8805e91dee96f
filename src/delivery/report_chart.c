/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Charts (report_chart.h): one drawing routine over cairo, text laid out by pango so CJK
 * labels render with the document's font. The SVG for HTML comes from the same routine on a
 * cairo SVG surface (text as glyph outlines: the page needs no font).
 */
#include "delivery/report_chart.h"

#include "core/sbuf.h"

#include <cairo-svg.h>
#include <cairo.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double palette[CHART_MAX_SERIES][3] = {
        {0.16, 0.42, 0.70}, {0.90, 0.49, 0.13}, {0.20, 0.63, 0.17}, {0.84, 0.15, 0.16},
        {0.58, 0.40, 0.74}, {0.55, 0.34, 0.29}, {0.89, 0.47, 0.76}, {0.50, 0.50, 0.50},
};

struct chart *chart_new(enum chart_kind kind, size_t n, size_t ns)
{
	if (ns > CHART_MAX_SERIES)
		return NULL;
	struct chart *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->kind = kind;
	c->n = n;
	c->ns = ns;
	c->decimals = 0;
	c->x_labels = calloc(n ? n : 1, sizeof(char *));
	bool ok = c->x_labels != NULL;
	for (size_t s = 0; ok && s < ns; s++) {
		c->v[s] = malloc((n ? n : 1) * sizeof(double));
		ok = c->v[s] != NULL;
		for (size_t i = 0; ok && i < n; i++)
			c->v[s][i] = NAN;
	}
	if (!ok) {
		chart_free(c);
		return NULL;
	}
	return c;
}

void chart_free(struct chart *c)
{
	if (!c)
		return;
	free(c->title);
	free(c->y_label);
	for (size_t i = 0; c->x_labels && i < c->n; i++)
		free(c->x_labels[i]);
	free(c->x_labels);
	for (size_t s = 0; s < CHART_MAX_SERIES; s++) {
		free(c->names[s]);
		free(c->v[s]);
	}
	for (size_t r = 0; r < CHART_MAX_REFS; r++)
		free(c->ref_names[r]);
	free(c);
}

bool chart_set(char **field, const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		return false;
	free(*field);
	*field = d;
	return true;
}

/* ---- drawing ---- */

enum align { LEFT, CENTER, RIGHT };

/* Text at (x, y) (top of the line), aligned on x; returns its width. */
static double text(cairo_t *cr, const char *font, double size, bool bold, double x, double y,
                   enum align al, const char *s)
{
	PangoLayout *l = pango_cairo_create_layout(cr);
	PangoFontDescription *fd = pango_font_description_from_string(font);
	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(l, fd);
	pango_layout_set_text(l, s, -1);
	int w, h;
	pango_layout_get_size(l, &w, &h);
	double tw = (double)w / PANGO_SCALE;
	cairo_move_to(cr, al == LEFT ? x : al == CENTER ? x - tw / 2 : x - tw, y);
	pango_cairo_show_layout(cr, l);
	pango_font_description_free(fd);
	g_object_unref(l);
	return tw;
}

/* 1, 2 or 5 times a power of ten near span / 5. */
static double nice_step(double span)
{
	double raw = span / 5, p = pow(10, floor(log10(raw))), f = raw / p;
	return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

/* The value range to show: the data (stacks summed), 0 for bars, the reference lines. */
static bool y_range(const struct chart *c, double *lo, double *hi)
{
	double a = INFINITY, b = -INFINITY;
	for (size_t i = 0; i < c->n; i++) {
		double stack = 0;
		for (size_t s = 0; s < c->ns; s++) {
			double v = c->v[s][i];
			if (!isfinite(v))
				continue;
			if (c->kind == CHART_STACKED)
				stack += v > 0 ? v : 0;
			else {
				a = fmin(a, v);
				b = fmax(b, v);
			}
		}
		if (c->kind == CHART_STACKED) {
			a = fmin(a, 0);
			b = fmax(b, stack);
		}
	}
	if (!isfinite(a))
		return false;
	for (size_t r = 0; r < c->nref; r++) {
		a = fmin(a, c->ref[r]);
		b = fmax(b, c->ref[r]);
	}
	if (c->kind != CHART_LINE)
		a = fmin(a, 0);
	if (b - a < 1e-9) {
		a -= 0.5;
		b += 0.5;
	}
	double step = nice_step(b - a);
	*lo = floor(a / step) * step;
	*hi = ceil(b / step) * step;
	if (c->kind == CHART_LINE && *lo == a && a > 0)
		*lo -= step;
	return true;
}

struct plot {
	double x, y, w, h, lo, hi;
};

static double py(const struct plot *p, double v)
{
	return p->y + p->h - (v - p->lo) / (p->hi - p->lo) * p->h;
}

static void axes(const struct chart *c, cairo_t *cr, const struct plot *p, const char *font)
{
	double step = nice_step(p->hi - p->lo);
	char lab[32];
	cairo_set_line_width(cr, 0.4);
	for (double v = p->lo; v <= p->hi + step * 1e-6; v += step) {
		double yy = py(p, v);
		cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
		cairo_move_to(cr, p->x, yy);
		cairo_line_to(cr, p->x + p->w, yy);
		cairo_stroke(cr);
		cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
		snprintf(lab, sizeof(lab), "%.*f", c->decimals, v);
		text(cr, font, 6.5, false, p->x - 3, yy - 4, RIGHT, lab);
	}
	cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
	cairo_set_line_width(cr, 0.6);
	cairo_move_to(cr, p->x, p->y);
	cairo_line_to(cr, p->x, p->y + p->h);
	cairo_line_to(cr, p->x + p->w, p->y + p->h);
	cairo_stroke(cr);
	/* x labels, thinned to what fits (about 26 pt each) */
	size_t every = 1;
	while (c->n / every * 26.0 > p->w)
		every++;
	double slot = c->n ? p->w / (double)c->n : p->w;
	for (size_t i = 0; i < c->n; i += every)
		if (c->x_labels[i])
			text(cr, font, 6.5, false, p->x + slot * ((double)i + 0.5), p->y + p->h + 2,
			     CENTER, c->x_labels[i]);
}

static void draw_line(const struct chart *c, cairo_t *cr, const struct plot *p)
{
	double slot = p->w / (double)c->n;
	for (size_t r = 0; r < c->nref; r++) {
		double yy = py(p, c->ref[r]);
		static const double dash[] = {3, 2};
		cairo_set_source_rgb(cr, 0.6, 0.1, 0.1);
		cairo_set_line_width(cr, 0.6);
		cairo_set_dash(cr, dash, 2, 0);
		cairo_move_to(cr, p->x, yy);
		cairo_line_to(cr, p->x + p->w, yy);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
	}
	for (size_t s = 0; s < c->ns; s++) {
		cairo_set_source_rgb(cr, palette[s][0], palette[s][1], palette[s][2]);
		cairo_set_line_width(cr, 1.2);
		bool pen = false;
		for (size_t i = 0; i < c->n; i++) {
			double v = c->v[s][i];
			if (!isfinite(v)) {
				pen = false;
				continue;
			}
			double xx = p->x + slot * ((double)i + 0.5), yy = py(p, v);
			if (pen)
				cairo_line_to(cr, xx, yy);
			else
				cairo_move_to(cr, xx, yy);
			pen = true;
		}
		cairo_stroke(cr);
		for (size_t i = 0; i < c->n; i++)
			if (isfinite(c->v[s][i])) {
				cairo_arc(cr, p->x + slot * ((double)i + 0.5), py(p, c->v[s][i]),
				          1.3, 0, 2 * M_PI);
				cairo_fill(cr);
			}
	}
}

static void draw_bars(const struct chart *c, cairo_t *cr, const struct plot *p)
{
	double slot = p->w / (double)c->n, bw = slot * 0.7;
	for (size_t i = 0; i < c->n; i++) {
		double base = 0;
		for (size_t s = 0; s < c->ns; s++) {
			double v = c->v[s][i];
			if (!isfinite(v) || v <= 0)
				continue;
			double x0 = p->x + slot * (double)i + (slot - bw) / 2, w = bw;
			double from = base, to = v;
			if (c->kind == CHART_STACKED) {
				to = base + v;
				base = to;
			} else {
				w = bw / (double)c->ns;
				x0 += w * (double)s;
				from = 0;
			}
			cairo_set_source_rgb(cr, palette[s][0], palette[s][1], palette[s][2]);
			cairo_rectangle(cr, x0, py(p, to), w, py(p, from) - py(p, to));
			cairo_fill(cr);
		}
	}
}

/* The legend row: a swatch and a name per series, then the reference lines. */
static void legend(const struct chart *c, cairo_t *cr, double x, double y, const char *font)
{
	for (size_t s = 0; s < c->ns; s++) {
		cairo_set_source_rgb(cr, palette[s][0], palette[s][1], palette[s][2]);
		cairo_rectangle(cr, x, y + 2, 7, 7);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
		x += 10 + text(cr, font, 7, false, x + 10, y, LEFT, c->names[s] ? c->names[s] : "");
		x += 10;
	}
	for (size_t r = 0; r < c->nref; r++) {
		cairo_set_source_rgb(cr, 0.6, 0.1, 0.1);
		cairo_set_line_width(cr, 0.8);
		cairo_move_to(cr, x, y + 5.5);
		cairo_line_to(cr, x + 10, y + 5.5);
		cairo_stroke(cr);
		x += 13 + text(cr, font, 7, false, x + 13, y, LEFT,
		               c->ref_names[r] ? c->ref_names[r] : "");
		x += 8;
	}
}

void chart_draw(const struct chart *c, struct _cairo *cr, double x, double y, double w, double h,
                const char *font)
{
	cairo_save(cr);
	cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
	text(cr, font, 9, true, x, y, LEFT, c->title ? c->title : "");
	legend(c, cr, x, y + 14, font);
	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	text(cr, font, 6.5, false, x, y + 28, LEFT, c->y_label ? c->y_label : "");
	struct plot p = {.x = x + 36, .y = y + 40, .w = w - 42, .h = h - 40 - 14};
	if (c->n == 0 || !y_range(c, &p.lo, &p.hi)) {
		text(cr, font, 9, false, p.x + p.w / 2, p.y + p.h / 2 - 6, CENTER, "—");
		cairo_restore(cr);
		return;
	}
	axes(c, cr, &p, font);
	if (c->kind == CHART_LINE)
		draw_line(c, cr, &p);
	else
		draw_bars(c, cr, &p);
	cairo_restore(cr);
}

static cairo_status_t sbuf_write(void *closure, const unsigned char *data, unsigned int length)
{
	struct sbuf *b = closure;
	sbuf_add(b, (const char *)data, length);
	return b->oom ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

char *chart_svg(const struct chart *c, double w, double h, const char *font, size_t *len)
{
	struct sbuf b = {0};
	cairo_surface_t *s = cairo_svg_surface_create_for_stream(sbuf_write, &b, w, h);
	cairo_t *cr = cairo_create(s);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	chart_draw(c, cr, 4, 4, w - 8, h - 8, font);
	cairo_destroy(cr);
	cairo_surface_finish(s);
	bool ok = cairo_surface_status(s) == CAIRO_STATUS_SUCCESS && !b.oom && b.s;
	cairo_surface_destroy(s);
	if (!ok) {
		sbuf_free(&b);
		return NULL;
	}
	*len = b.len;
	return b.s;
}
