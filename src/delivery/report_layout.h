/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The regulator report as a printable document (report_doc.h): every section of the JSON
 * (docs/report.schema.json) in the reader's language, each number rounded once by the
 * report's rules (docs/reports.md, "Rounding"), the charts, the signature block, and the
 * SHA-256 of the report's canonical bytes in every page's footer. report_html() and
 * report_pdf() render what this builds, so the two show the same words and numbers.
 */
#ifndef GREENDC_REPORT_LAYOUT_H
#define GREENDC_REPORT_LAYOUT_H

#include <stddef.h>

struct cJSON;
struct doc;

/* The document for rep in lang ("zh" or "en"; anything else is en). NULL when out of
 * memory. */
struct doc *report_layout(const struct cJSON *rep, const char *lang);

/* The report's rounding, the one place it is written down: v with `decimals` decimals,
 * thousands grouped with commas when group is set ("1,045,320.0"); "—" for a non-finite v. */
void report_fmt(char *buf, size_t len, double v, int decimals, int group);

#endif
