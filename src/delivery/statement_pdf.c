/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Statements as PDF: each tenant's statement document (statement_doc.h, the model the HTML
 * page draws too) poured into the reports engine's printable document (report_doc.h) and
 * rendered by its PDF renderer (report_pdf.c: cairo and pango, fonts embedded, A4). One
 * engine for every PDF greendc writes; here only the mapping of one model onto the other.
 */
#include "delivery/report_chart.h"
#include "delivery/report_doc.h"
#include "delivery/statement.h"
#include "delivery/statement_doc.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>

static void table_into(struct doc *out, const struct statement_doc_table *t)
{
	size_t nc = t->ncols < DOC_MAX_COLS ? t->ncols : DOC_MAX_COLS;
	if (t->title)
		doc_heading(out, 2, "%s", t->title);
	bool head = false; /* a table of label and value has no column titles */
	for (size_t c = 0; c < nc; c++)
		head |= t->head[c] && t->head[c][0];
	struct doc_table *dt = doc_table(out, nc, head);
	if (!dt)
		return;
	for (size_t c = 0; c < nc; c++)
		dt->numeric[c] = t->numeric[c];
	if (head)
		doc_row(out, dt, (const char *const *)t->head);
	for (size_t r = 0; r < t->nrows; r++)
		doc_row(out, dt, (const char *const *)t->cells + r * t->ncols);
}

static void chart_into(struct doc *out, const struct statement_doc_chart *sc)
{
	if (sc->n == 0)
		return;
	struct chart *c = chart_new(CHART_BARS, sc->n, 1);
	if (!c) {
		out->oom = true;
		return;
	}
	bool ok = chart_set(&c->title, sc->title ? sc->title : "") &&
	          chart_set(&c->y_label, sc->unit ? sc->unit : "") &&
	          chart_set(&c->names[0], sc->unit ? sc->unit : "");
	for (size_t i = 0; ok && i < sc->n; i++) {
		ok = chart_set(&c->x_labels[i], sc->labels[i] ? sc->labels[i] : "");
		c->v[0][i] = sc->values[i];
	}
	c->decimals = 0;
	if (!ok) {
		chart_free(c);
		out->oom = true;
		return;
	}
	doc_chart(out, c); /* the document owns it now */
}

/* One tenant's statement, as the blocks of the whole document. */
static void statement_into(struct doc *out, const struct statement_doc *d)
{
	doc_heading(out, 1, "%s", d->heading ? d->heading : "");
	if (d->nident) {
		struct doc_table *id = doc_table(out, 2, false);
		for (size_t i = 0; id && i < d->nident; i++)
			doc_kv(out, id, d->ident[i].key, "%s", d->ident[i].value);
	}
	for (size_t i = 0; i < d->nnotes; i++) {
		if (d->notes[i].warn)
			doc_notice(out, NULL, "%s", d->notes[i].text);
		else
			doc_para(out, "%s", d->notes[i].text);
	}
	for (size_t i = 0; i < d->ntables; i++)
		table_into(out, &d->tables[i]);
	for (size_t i = 0; i < d->ncharts; i++)
		chart_into(out, &d->charts[i]);
	if (d->footer)
		doc_para(out, "%s", d->footer);
}

unsigned char *statement_pdf(const cJSON *all, const char *lang, size_t *len)
{
	struct doc *out = doc_new(lang && lang[0] == 'z' ? "zh" : "en");
	if (!out)
		return NULL;
	const cJSON *s;
	const cJSON *site = cJSON_GetObjectItemCaseSensitive(all, "site");
	const cJSON *sname = cJSON_GetObjectItemCaseSensitive(site, "name");
	const cJSON *month = cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(all, "period"), "label");
	bool zh = out->lang[0] == 'z';
	doc_set(out, &out->head_left, "%s", cJSON_IsString(sname) ? sname->valuestring : "");
	doc_set(out, &out->head_right, "%s", cJSON_IsString(month) ? month->valuestring : "");
	doc_set(out, &out->foot_right_fmt, "%s", zh ? "第 %d 页，共 %d 页" : "Page %d of %d");
	bool titled = false;
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(all, "statements"))
	{
		struct statement_doc *d = statement_doc_build(all, s, lang);
		if (!d) {
			out->oom = true;
			break;
		}
		if (!titled) {
			doc_set(out, &out->title, "%s", d->title ? d->title : "");
			titled = true;
		}
		statement_into(out, d);
		statement_doc_free(d);
	}
	if (!titled)
		doc_set(out, &out->title, "%s", zh ? "电费结算单" : "Electricity statement");
	unsigned char *pdf = out->oom ? NULL : doc_pdf(out, len);
	doc_free(out);
	return pdf;
}
