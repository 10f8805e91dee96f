/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the two files laying out the report's pages share: report_layout.c (document, identity,
 * KPIs, grade, energy, charts) and report_layout_evidence.c (metering register, data quality,
 * free cooling, EU 2024/1364, signatures). Nothing else includes it.
 */
#ifndef GREENDC_REPORT_LAYOUT_INTERNAL_H
#define GREENDC_REPORT_LAYOUT_INTERNAL_H

#include "delivery/report_layout.h"

#include <stdbool.h>
#include <stddef.h>

struct cJSON;

struct lay {
	struct doc *d;
	const struct cJSON *rep;
	bool zh;
	char hex[65]; /* SHA-256 of the report's canonical bytes */
};

/* English or Chinese, by the layout x in scope. */
#define L(en, cn) (x->zh ? (cn) : (en))

/* The value at a dotted path ("kpi.pue"), as JSON, string (NULL) or number (NAN). */
const struct cJSON *rl_get(const struct cJSON *o, const char *path);
const char *rl_gs(const struct cJSON *o, const char *path);
double rl_gn(const struct cJSON *o, const char *path);
/* report_fmt of v with decimals, thousands grouped, and the unit after a space; "—". */
const char *rl_nu(char *buf, size_t len, double v, int dec, const char *unit);
/* s, or "not given" in the page's language. */
const char *rl_given(const struct lay *x, const char *s);

void sec_metering(struct lay *x);
void sec_quality(struct lay *x);
void sec_cooling(struct lay *x);
void sec_eu(struct lay *x);
void sec_signatures(struct lay *x);

#endif
