/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A document (report_doc.h) as one self-contained printable HTML page: inline CSS, every
 * chart as an SVG image embedded in the page (a data: URI, so each chart's glyph and clip ids
 * stay its own), the running header and the source data's SHA-256 on the page itself. Plus
 * report_html(), the regulator report's page (report_layout.c builds its document).
 */
#include "delivery/report.h"
#include "delivery/report_chart.h"
#include "delivery/report_doc.h"
#include "delivery/report_layout.h"

#include "core/sbuf.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Document text: HTML-escaped, a line break kept as <br>. */
static void esc(struct sbuf *b, const char *s)
{
	while (s && *s) {
		const char *nl = strchr(s, '\n');
		if (!nl) {
			sbuf_put_html(b, s);
			return;
		}
		char *line = strndup(s, (size_t)(nl - s));
		if (!line) {
			b->oom = true;
			return;
		}
		sbuf_put_html(b, line);
		free(line);
		sbuf_puts(b, "<br>");
		s = nl + 1;
	}
}

static void table_html(struct sbuf *b, const struct doc_table *t)
{
	sbuf_puts(b, "<table>\n");
	for (size_t r = 0; r < t->nrows; r++) {
		bool head = t->header && r == 0;
		sbuf_puts(b, "<tr>");
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];
			/* a key-value table's first column is its header */
			const char *tag =
			        head || (!t->header && t->ncols == 2 && c == 0) ? "th" : "td";
			sbuf_printf(b, "<%s%s>", tag,
			            t->numeric[c] && !head ? " class=\"num\"" : "");
			esc(b, cell);
			sbuf_printf(b, "</%s>", tag);
		}
		sbuf_puts(b, "</tr>\n");
	}
	sbuf_puts(b, "</table>\n");
}

static void chart_html(struct sbuf *b, const struct chart *c)
{
	size_t n = 0;
	char *svg = chart_svg(c, 500, 210, DOC_FONT, &n);
	if (!svg) {
		b->oom = true;
		return;
	}
	char *b64 = malloc(4 * ((n + 2) / 3) + 1);
	if (!b64) {
		free(svg);
		b->oom = true;
		return;
	}
	EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)svg, (int)n);
	sbuf_puts(b, "<figure><img class=\"chart\" alt=\"");
	esc(b, c->title);
	sbuf_puts(b, "\" src=\"data:image/svg+xml;base64,");
	sbuf_puts(b, b64);
	sbuf_puts(b, "\"></figure>\n");
	free(b64);
	free(svg);
}

static void signatures_html(struct sbuf *b, const struct doc_block *k)
{
	sbuf_puts(b, "<table class=\"sign\"><tr>");
	for (size_t i = 0; i < k->nsign; i++) {
		sbuf_puts(b, "<td>");
		esc(b, k->labels[i]);
		sbuf_puts(b, ": ");
		esc(b, k->names[i]);
		sbuf_puts(b, "<div class=\"line\"></div>");
		esc(b, k->date_label);
		sbuf_puts(b, "<div class=\"line\"></div></td>");
	}
	sbuf_puts(b, "</tr></table>\n");
}

char *doc_html(const struct doc *d, size_t *len)
{
	if (d->oom)
		return NULL;
	struct sbuf b = {0};
	sbuf_printf(&b, "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\"><title>",
	            strcmp(d->lang, "zh") == 0 ? "zh-CN" : "en");
	esc(&b, d->title);
	sbuf_puts(&b,
	          "</title><style>"
	          "body{font-family:\"Noto Sans CJK SC\",\"WenQuanYi Micro Hei\",sans-serif;"
	          "font-size:10pt;max-width:52em;margin:2em auto;color:#111}"
	          "h1{font-size:16pt}h2{font-size:12.5pt;margin-top:1.4em;border-bottom:1px solid "
	          "#999}table{border-collapse:collapse;width:100%;margin:.4em 0}"
	          "td,th{border:1px solid #999;padding:.2em .4em;text-align:left;"
	          "vertical-align:top}th{background:#eee}td.num{text-align:right}"
	          ".warn{color:#a00;font-weight:bold;border:1.5px solid #a00;padding:.4em}"
	          ".head{display:flex;justify-content:space-between;color:#555;"
	          "border-bottom:1px solid #999}.foot{color:#555;font-size:8pt;"
	          "border-top:1px solid #999;margin-top:2em;word-break:break-all}"
	          "img.chart{width:100%;max-width:500pt}figure{margin:.5em 0}"
	          "table.sign td{border:none;width:33%}.line{border-bottom:1px solid #333;"
	          "height:2em;margin-bottom:.3em}"
	          "@media print{body{margin:0;max-width:none}}</style></head><body>\n");
	sbuf_puts(&b, "<div class=\"head\"><span>");
	esc(&b, d->head_left);
	sbuf_puts(&b, "</span><span>");
	esc(&b, d->head_right);
	sbuf_puts(&b, "</span></div>\n<h1>");
	esc(&b, d->title);
	sbuf_puts(&b, "</h1>\n");
	for (size_t i = 0; i < d->n && !b.oom; i++) {
		const struct doc_block *k = &d->b[i];
		switch (k->kind) {
		case DOC_HEADING:
			sbuf_printf(&b, "<h%d>", k->level + 1);
			esc(&b, k->text);
			sbuf_printf(&b, "</h%d>\n", k->level + 1);
			break;
		case DOC_PARA:
			sbuf_puts(&b, "<p>");
			esc(&b, k->text);
			sbuf_puts(&b, "</p>\n");
			break;
		case DOC_NOTICE:
			sbuf_puts(&b, "<p class=\"warn\"");
			if (k->id) {
				sbuf_puts(&b, " id=\"");
				esc(&b, k->id);
				sbuf_puts(&b, "\"");
			}
			sbuf_puts(&b, ">");
			esc(&b, k->text);
			sbuf_puts(&b, "</p>\n");
			break;
		case DOC_TABLE:
			table_html(&b, k->table);
			break;
		case DOC_CHART:
			chart_html(&b, k->chart);
			break;
		case DOC_SIGNATURES:
			signatures_html(&b, k);
			break;
		}
	}
	sbuf_puts(&b, "<div class=\"foot\">");
	esc(&b, d->foot_left);
	sbuf_puts(&b, "</div>\n</body></html>\n");
	if (b.oom) {
		sbuf_free(&b);
		return NULL;
	}
	*len = b.len;
	return b.s;
}

char *report_html(const struct cJSON *rep, const char *lang)
{
	struct doc *d = report_layout(rep, lang);
	size_t n = 0;
	char *s = d ? doc_html(d, &n) : NULL;
	doc_free(d);
	return s;
}
