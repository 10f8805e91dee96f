/*
 * Regulator reports: the monthly energy report (site identity, period, E_DC, E_IT with its
 * category, every KPI, GB 40879 grade, free-cooling hours, temperature set points, coverage
 * and estimated share, methodology version) as JSON (docs/report.schema.json), CSV, and a
 * printable HTML page in Chinese or English. Figures come from the same functions as
 * `greendc pue` / `greendc kpi` (energy_compute + kpi_compute), so they are equal. A report
 * whose coverage is below the energy model's coverage_min is marked incomplete and lists the
 * roles that are short. See docs/reports.md.
 */
#ifndef GREENDC_REPORT_H
#define GREENDC_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REPORT_METHODOLOGY "greendc-energy/1"

struct config;
struct store_reader;
struct cJSON;

/* The `reporting:` section (report_config.c): regulator facts no meter gives. Numbers < 0
 * (reuse_temp_c < -273) are "not given". */
struct report_traffic {
	const char *year;
	double incoming_pb, outgoing_pb;
};
struct report_site {
	const char *owner, *operator_name, *location_code, *type, *start_date;
	double p_dit_kw;
	double area_total_m2, area_computer_m2;
	const char *redundancy_power, *redundancy_cooling;
	double reuse_temp_c;
	struct report_traffic traffic[16];
	size_t ntraffic;
};
struct ydoc;
void report_config_parse(struct ydoc *y, struct config *cfg, const char *path, void *node);

/* Build the report for period ("2026-10", or "2026" for a calendar year) in site time (the
 * process zone, core/timeutil.h). *out gets a cJSON tree (cJSON_Delete) or stays NULL; 0 or -errno
 * with why in err. */
int report_build(const struct config *cfg, struct store_reader *r, const char *period,
                 int64_t generated_ms, struct cJSON **out, char *err, size_t errlen);

/* Render as CSV (one "field,value" row each) or HTML (lang "zh" or "en"). malloc'ed string. */
char *report_csv(const struct cJSON *rep);
char *report_html(const struct cJSON *rep, const char *lang);

/* Free-cooling hours over [from, to) from the stored free-cooling tally (freecool_stored.h),
 * as the report's "free_cooling" object (also used by summaries). Only the time before
 * now_ms is tallied: a period in progress counts what has been observed so far. */
struct cJSON *report_free_cooling(const struct config *cfg, struct store_reader *r, int64_t from_ms,
                                  int64_t to_ms, int64_t now_ms);

/* The month before the one containing now_ms, in site time, as "YYYY-MM". */
void report_previous_month(int64_t now_ms, char *buf, size_t len);

#endif
