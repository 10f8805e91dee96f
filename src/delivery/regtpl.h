/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The regulator template (docs/regulator.md): a JSON request body with placeholders, so that
 * a province's field names and codes are data, not C. A small, closed syntax rendered here:
 * no expressions, no code, no file or environment access; every string is JSON-escaped.
 *
 *   {{site_code}} {{site_id}} {{site_name}} {{upload_id}} {{status}} {{period_label}}
 *   {{period_start}} {{period_end}} {{generated}}   ISO 8601 site time with offset, or
 *   {{period_start:%Y%m%d%H%M%S}}                   a strftime format in site time
 *   {{cycle}}  "15m" | "1d" | "1mo";  {{cycle:15m=1,1d=2,1mo=3}}  the platform's own codes
 *   {{value:CODE}} {{status:CODE}}   the figure an energy-type code carries (number or null)
 *   {{completeness}} {{difference}} {{aligned}} {{quality_ok}} {{quality}} {{category}}
 *   {{#each items}} ... {{code}} {{figure}} {{value}} {{status}} {{comma}} ... {{/each}}
 *
 * Strings render escaped without quotes (the template has them: "{{site_code}}"); numbers,
 * true/false, null and {{quality}} (an object) render as JSON values.
 */
#ifndef GREENDC_REGTPL_H
#define GREENDC_REGTPL_H

#include "core/sbuf.h"
#include "delivery/regulator.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct regtpl; /* parsed; opaque */

#define REGTPL_MAX_FILE (256 * 1024)

/* Parse template text. NULL with "line N: what" in err. */
struct regtpl *regtpl_parse(const char *text, size_t len, char *err, size_t errlen);
void regtpl_free(struct regtpl *t);

/* Read and parse path, then check it against the target (every {{value:CODE}} names one
 * of its codes, every cycle map names the target's cycles) and that a rendering with sample
 * figures is JSON. NULL with the reason in err. */
struct regtpl *regtpl_load(const char *path, const struct reg_target *t, char *err, size_t errlen);

/* What one upload renders from. */
struct regtpl_values {
	const struct reg_target *t;
	const char *site_id, *site_name;
	const char *upload_id;
	const char *period_label;
	enum reg_cycle cycle;
	int64_t from_ms, to_ms, generated_ms;
	const char *status; /* of E_DC and E_IT: OK, ESTIMATED, MISSING */
	int category;       /* PUE category, 0 none */
	const struct reg_quality *q;
	const double *value;        /* per t->items[i], already scaled; NaN = none */
	const char *const *istatus; /* per item */
};

/* Render into b. 0, -ENOMEM, or -ENOENT when a code is not one of the target's (why in
 * err). */
int regtpl_render(const struct regtpl *tpl, const struct regtpl_values *v, struct sbuf *b,
                  char *err, size_t errlen);

#endif
