/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the files building a report share, and nothing else includes: report.c (head,
 * identity, energy, KPIs, series), report_quality.c (metering register and data quality) and
 * report_eu.c (EU 2024/1364).
 */
#ifndef GREENDC_REPORT_INTERNAL_H
#define GREENDC_REPORT_INTERNAL_H

#include "delivery/report.h"

#include "analytics/energy.h"

#include <stdbool.h>
#include <stdint.h>

struct cJSON;

/* The regulator's rules for the data behind the figures (DOMAIN.md §9). */
#define REPORT_COMPLETENESS_MIN 0.90
#define REPORT_CONSISTENCY_MAX  0.05
#define REPORT_ALIGN_DAY_MS     INT64_C(60000)    /* daily data at 00:00 +-1 min */
#define REPORT_ALIGN_MONTH_MS   INT64_C(86400000) /* monthly data on day 1 +-1 day */
#define REPORT_EVENTS_MAX       200               /* listed; more are counted */

struct report_ctx {
	const struct config *cfg;
	const struct energy_model *m;
	struct store_reader *r;
	struct energy_period p;
	struct energy_report rep; /* intervals by day (monthly) or by month (annual) */
	struct energy_figures f;  /* of rep.total */
	double certs, goo, ppa;   /* certificates credited to the period: all, GoO, PPA */
	bool annual;
	int64_t generated_ms;
	struct cJSON *flags; /* quality.flags: every finding a reader must see */
	bool flags_attached; /* flags now belong to the report (report_quality) */
};

/* A number, or null when !ok or not finite. */
void report_num(struct cJSON *o, const char *k, bool ok, double v);
/* A string, or null. */
void report_str(struct cJSON *o, const char *k, const char *v);
/* Site time "2026-10-01 00:00" of t. */
void report_local(int64_t t_ms, char *buf, size_t len);
/* Add {code, role, subject, text} to c->flags: subject names what the finding is about
 * (a meter id, a config key, a count) for pages that word it themselves; text printf-style. */
void report_flag(struct report_ctx *c, const char *code, const char *role, const char *subject,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The metering register (reporting.meters) as seen by this report: boundary statement, the
 * category and the meters behind E_DC and E_IT, calibration state. */
void report_metering(struct cJSON *j, struct report_ctx *c);
/* Per role completeness, daily sum vs counter delta, alignment, gaps and counter events.
 * 0 or -errno (why in err). */
int report_quality(struct cJSON *j, struct report_ctx *c, char *err, size_t errlen);
/* Delegated Regulation (EU) 2024/1364 annex I, for a calendar year. */
struct cJSON *report_eu_fields(const struct report_ctx *c, const struct cJSON *setpoints);

#endif
