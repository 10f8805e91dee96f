/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The regulator's web page of greendc-receiver (web.c, web_page.c): a single page in the
 * dashboard's style (dark cards, no external assets, zh/en), whose JavaScript reads only the
 * /api/v1 endpoints, and a printable HTML rendering of one stored report.
 */
#ifndef GREENDC_RX_WEB_H
#define GREENDC_RX_WEB_H

#include "rx.h"

/* GET of anything outside /api: the page, its script and style, a report's HTML, or 404. */
int web_get(struct rx_app *a, struct MHD_Connection *c, const char *url);

/* The embedded page assets (web_page.c). */
extern const char web_index_html[], web_app_js[], web_style_css[];

#endif
