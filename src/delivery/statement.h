/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tenant statements as documents: the figures of analytics/statement.h as JSON (the one
 * machine form: CSV, HTML and PDF are rendered from it), CSV line items for billing systems,
 * and a document model (statement_doc.h) rendered as HTML here and as PDF by the reports
 * engine. Front ends (CLI, API) only call these. See docs/tenants.md.
 */
#ifndef GREENDC_DELIVERY_STATEMENT_H
#define GREENDC_DELIVERY_STATEMENT_H

#include <stddef.h>
#include <stdint.h>

struct cJSON;
struct config;
struct statement_set;
struct statement_doc;

/* {"kind": "tenant_statements", "site", "period", "generated", "statements": [...]}: one
 * object per tenant (docs/tenants.md, "JSON"). cJSON_Delete; NULL when out of memory. */
struct cJSON *statement_json(const struct config *cfg, const struct statement_set *s,
                             int64_t generated_ms);

/* One line item per row: tenant, period, line (energy by tariff period, overhead, peak
 * demand, rack, meter check, total), with kWh, kW, price, cost, currency, coverage, status.
 * malloc'ed; NULL when out of memory. */
char *statement_csv(const struct cJSON *all);

/* Every statement of `all` as one HTML page (a printed page per tenant), in "en" or "zh".
 * malloc'ed; NULL when out of memory. */
char *statement_html(const struct cJSON *all, const char *lang);

/* The same statements as PDF (A4, fonts embedded), drawn by the reports engine
 * (report_doc.h, report_pdf.c) from the same document model as the HTML page: malloc'ed,
 * *len bytes; NULL when out of memory or on a cairo error. */
unsigned char *statement_pdf(const struct cJSON *all, const char *lang, size_t *len);

#endif
