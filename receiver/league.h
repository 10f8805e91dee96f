/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The regulator's figures, assembled once for every front end of the receiver (the JSON API,
 * the CSV export and the web page all format this; none recomputes): the league table of
 * sites by the month's PUE, the sites that have not reported by the deadline, a site's
 * 12-month trend and its reports. Figures are the sites' own (PUE, category, coverage,
 * GB 40879 grade are computed by each site's greendc and signed); the receiver ranks and
 * lists them.
 */
#ifndef GREENDC_RX_LEAGUE_H
#define GREENDC_RX_LEAGUE_H

#include "rx.h"

#include <cjson/cJSON.h>

/* The month whose reports are due now: the previous month in the receiver's zone. */
void league_default_period(int64_t now_ms, char out[8]);
/* "YYYY-MM" with a month 01..12. */
bool league_period_ok(const char *p);
/* The deadline of period's monthly reports (ms, UTC): the start of the day after
 * deadline_day of the next month, in the receiver's zone. */
int64_t league_deadline(const char *period, int deadline_day);

/* {"period", "deadline", "generated", "sites": [...ranked...], "late": [...]} or NULL. */
cJSON *league_build(struct rx_app *a, const char *period, int64_t now_ms);
/* The same table as CSV (formula-safe cells), malloc'd; NULL on failure. */
char *league_csv(const cJSON *league);
/* {"site", "to", "months": [12 x {period, pue, ...} oldest first]} or NULL. */
cJSON *league_trend(struct rx_app *a, const char *site, const char *to);
/* {"site", "reports": [...newest first...]} or NULL. */
cJSON *league_reports(struct rx_app *a, const char *site);
/* One report row as the API shows it. */
cJSON *league_report_json(const struct rx_report_row *r, int64_t deadline_ms);

#endif
