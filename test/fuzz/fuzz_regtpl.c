/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the regulator template (src/delivery/regtpl.h), which parses a file an
 * operator edits and renders what greendc uploads to a regulator's platform.
 *
 * Input: the template text. What must hold besides "no sanitizer finding": a template that
 * parses renders (or refuses an unmapped code with -ENOENT) for every cycle, within bounded
 * memory; a parse error names a line.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "delivery/regtpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct reg_item items[] = {{"01", FIG_E_DC_KWH, 1, 2}, {"02", FIG_PUE, 1, -1}};
	struct reg_target t = {.site_code = "1\"\\\n",
	                       .cycles = REG_15MIN | REG_DAY | REG_MONTH,
	                       .items = items,
	                       .nitems = 2,
	                       .completeness_min = 0.9,
	                       .difference_max = 0.05};
	char err[256];
	if (size > REGTPL_MAX_FILE)
		return 0;
	struct regtpl *tpl = regtpl_parse((const char *)data, size, err, sizeof(err));
	if (!tpl) {
		if (strncmp(err, "line ", 5) != 0 && strcmp(err, "out of memory") != 0)
			abort();
		return 0;
	}
	struct reg_quality q = {.completeness = 0.5, .slots = 2, .slots_ok = 1, .aligned = true};
	double v[] = {1234.5, NAN};
	const char *st[] = {"OK", "MISSING"};
	for (int c = REG_15MIN; c <= REG_MONTH; c <<= 1) {
		struct regtpl_values vals = {.t = &t,
		                             .site_id = "s",
		                             .site_name = "\x01",
		                             .upload_id = "u",
		                             .period_label = "l",
		                             .cycle = (enum reg_cycle)c,
		                             .from_ms = 1790000000000,
		                             .to_ms = 1790000900000,
		                             .generated_ms = 1790000960000,
		                             .status = "OK",
		                             .q = &q,
		                             .value = v,
		                             .istatus = st};
		struct sbuf b = {.max = 16 << 20};
		int rc = regtpl_render(tpl, &vals, &b, err, sizeof(err));
		if (rc < 0 && rc != -ENOENT && rc != -ENOMEM)
			abort();
		sbuf_free(&b);
	}
	regtpl_free(tpl);
	return 0;
}
