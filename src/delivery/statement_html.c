/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Statements as one printable HTML page (statement.h): each tenant's document model
 * (statement_doc.h) drawn as a page of its own — identity lines, notices, tables, and the
 * daily kWh as an inline SVG bar chart — with no script and no external asset, so it prints
 * and archives as it is.
 */
#include "delivery/statement.h"
#include "delivery/statement_doc.h"

#include "core/sbuf.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static void chart_svg(struct sbuf *b, const struct statement_doc_chart *c)
{
	const double w = 640, h = 160, left = 48, bottom = 18;
	double max = 0;
	for (size_t i = 0; i < c->n; i++)
		if (isfinite(c->values[i]))
			max = fmax(max, c->values[i]);
	sbuf_puts(b, "<figure><figcaption>");
	sbuf_put_html(b, c->title);
	sbuf_printf(b,
	            "</figcaption><svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n",
	            w, h);
	double bw = c->n ? (w - left) / (double)c->n : 0, ph = h - bottom - 8;
	if (max > 0)
		sbuf_printf(b,
		            "<text x=\"%.0f\" y=\"12\" text-anchor=\"end\">%.0f %s</text>"
		            "<line x1=\"%.0f\" y1=\"8\" x2=\"%.0f\" y2=\"8\" class=\"grid\"/>\n",
		            left - 4, max, c->unit ? c->unit : "", left, w);
	for (size_t i = 0; i < c->n; i++) {
		double x = left + (double)i * bw;
		if (isfinite(c->values[i]) && max > 0) {
			double bh = ph * c->values[i] / max;
			sbuf_printf(b,
			            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			            "data-value=\"%.6g\"><title>",
			            x + 1, 8 + ph - bh, bw - 2 > 1 ? bw - 2 : 1, bh, c->values[i]);
			sbuf_put_html(b, c->labels[i]);
			sbuf_printf(b, ": %.1f %s</title></rect>\n", c->values[i],
			            c->unit ? c->unit : "");
		}
		if (c->n <= 31 && (i % 2 == 0 || c->n <= 16)) {
			sbuf_printf(b, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">",
			            x + bw / 2, h - 4);
			sbuf_put_html(b, c->labels[i]);
			sbuf_puts(b, "</text>\n");
		}
	}
	sbuf_puts(b, "</svg></figure>\n");
}

static void table_html(struct sbuf *b, const struct statement_doc_table *t)
{
	sbuf_puts(b, "<h3>");
	sbuf_put_html(b, t->title);
	sbuf_puts(b, "</h3>\n<table>\n");
	bool head = false;
	for (size_t c = 0; c < t->ncols; c++)
		head |= t->head[c] && *t->head[c];
	for (size_t c = 0; head && c < t->ncols; c++) {
		sbuf_puts(b, c ? "" : "<tr>");
		sbuf_puts(b, t->numeric[c] ? "<th class=\"n\">" : "<th>");
		sbuf_put_html(b, t->head[c]);
		sbuf_puts(b, c + 1 < t->ncols ? "</th>" : "</th></tr>\n");
	}
	for (size_t r = 0; r < t->nrows; r++) {
		bool total = t->last_is_total && r + 1 == t->nrows;
		sbuf_puts(b, total ? "<tr class=\"total\">" : "<tr>");
		for (size_t c = 0; c < t->ncols; c++) {
			sbuf_puts(b, t->numeric[c] ? "<td class=\"n\">" : "<td>");
			sbuf_put_html(b, t->cells[r * t->ncols + c]);
			sbuf_puts(b, "</td>");
		}
		sbuf_puts(b, "</tr>\n");
	}
	sbuf_puts(b, "</table>\n");
}

static void page(struct sbuf *b, const struct statement_doc *d, const char *tenant)
{
	sbuf_puts(b, "<section class=\"page\" data-tenant=\"");
	sbuf_put_html(b, tenant);
	sbuf_puts(b, "\">\n<h1>");
	sbuf_put_html(b, d->title);
	sbuf_puts(b, "</h1>\n<h2>");
	sbuf_put_html(b, d->heading);
	sbuf_puts(b, "</h2>\n<dl>\n");
	for (size_t i = 0; i < d->nident; i++) {
		sbuf_puts(b, "<dt>");
		sbuf_put_html(b, d->ident[i].key);
		sbuf_puts(b, "</dt><dd>");
		sbuf_put_html(b, d->ident[i].value);
		sbuf_puts(b, "</dd>\n");
	}
	sbuf_puts(b, "</dl>\n");
	for (size_t i = 0; i < d->nnotes; i++) {
		sbuf_puts(b, d->notes[i].warn ? "<p class=\"warn\">" : "<p class=\"note\">");
		sbuf_put_html(b, d->notes[i].text);
		sbuf_puts(b, "</p>\n");
	}
	for (size_t i = 0; i < d->ntables; i++)
		table_html(b, &d->tables[i]);
	for (size_t i = 0; i < d->ncharts; i++)
		chart_svg(b, &d->charts[i]);
	sbuf_puts(b, "<footer>");
	sbuf_put_html(b, d->footer);
	sbuf_puts(b, "</footer>\n</section>\n");
}

char *statement_html(const cJSON *all, const char *lang)
{
	struct sbuf b = {0};
	bool zh = lang && strcmp(lang, "zh") == 0;
	const cJSON *site = cJSON_GetObjectItemCaseSensitive(all, "site");
	const cJSON *per = cJSON_GetObjectItemCaseSensitive(all, "period"), *s;
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(site, "name");
	const cJSON *label = cJSON_GetObjectItemCaseSensitive(per, "label");
	sbuf_printf(&b, "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\"><title>",
	            zh ? "zh-CN" : "en");
	sbuf_put_html(&b, cJSON_IsString(name) ? name->valuestring : "");
	sbuf_puts(&b, " — ");
	sbuf_put_html(&b, zh ? "用电结算单" : "electricity statements");
	sbuf_puts(&b, " ");
	sbuf_put_html(&b, cJSON_IsString(label) ? label->valuestring : "");
	sbuf_puts(
	        &b,
	        "</title><style>body{font-family:\"Noto Sans CJK SC\",\"WenQuanYi Micro Hei\","
	        "sans-serif;max-width:52em;margin:2em auto;color:#111}h1{font-size:1.4em;margin:0}"
	        "h2{font-size:1.15em;margin:.2em 0 .8em}h3{font-size:1em;margin:1.2em 0 .3em}"
	        "dl{display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em;margin:0}"
	        "dt{color:#555}dd{margin:0}table{border-collapse:collapse;width:100%}"
	        "td,th{border:1px solid #999;padding:.2em .45em;text-align:left}"
	        ".n{text-align:right;font-variant-numeric:tabular-nums}tr.total td{font-weight:"
	        "bold}.warn{color:#a00;font-weight:bold}.note{color:#333}svg.chart{width:100%;"
	        "height:auto}svg rect{fill:#3a6ea5}svg text{font-size:9px;fill:#444}"
	        "svg .grid{stroke:#ccc}figure{margin:1em 0}figcaption{font-weight:bold}"
	        "footer{margin-top:1.5em;font-size:.8em;color:#666}.page{break-after:page}"
	        "@media print{body{margin:0}}</style></head><body>\n");
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(all, "statements"))
	{
		struct statement_doc *d = statement_doc_build(all, s, lang);
		if (!d) {
			b.oom = true;
			break;
		}
		const cJSON *tn = cJSON_GetObjectItemCaseSensitive(
		        cJSON_GetObjectItemCaseSensitive(s, "tenant"), "name");
		page(&b, d, cJSON_IsString(tn) ? tn->valuestring : "");
		statement_doc_free(d);
	}
	sbuf_puts(&b, "</body></html>\n");
	if (b.oom) {
		sbuf_free(&b);
		return NULL;
	}
	return b.s;
}
