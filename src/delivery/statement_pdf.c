/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Statements as PDF: the one place the statement documents meet the reports engine's PDF
 * renderer (src/delivery/report_pdf*, cairo/pango, charts, signatures), which is being built
 * beside this module. Everything a page says is already in the document model
 * (statement_doc.h: title, heading, identity lines, notices with a warn flag, tables with
 * numeric columns and a total row, bar-chart series with labels and units, footer), built
 * here per tenant; the engine only draws it. Until it is wired in, this says so and fails:
 * no second PDF engine lives here.
 */
#include "delivery/statement.h"
#include "delivery/statement_doc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>

int statement_pdf(const cJSON *all, const char *lang, const char *path, char *err, size_t errlen)
{
	const cJSON *s;
	size_t pages = 0;
	/* The documents the engine will draw, one per tenant: built now so that a statement
	 * that cannot be laid out fails the same way it will then. */
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(all, "statements"))
	{
		struct statement_doc *d = statement_doc_build(all, s, lang);
		if (!d) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		pages++;
		statement_doc_free(d);
	}
	snprintf(err, errlen,
	         "%s: PDF needs the reports engine (src/delivery/report_pdf*), which this build "
	         "does not have yet; %zu statement page%s are ready for it: use --format html "
	         "meanwhile",
	         path ? path : "-", pages, pages == 1 ? "" : "s");
	return -ENOSYS;
}
