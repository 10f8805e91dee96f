/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for EPW weather file parsing (src/epw.h, epw_parse): a file downloaded
 * from a weather service and handed to `greendc freecool --weather` must give a year of
 * records or an error message, never a crash, a leak or an over-read. The input is copied
 * into a buffer of exactly its size (not NUL-terminated), as epw_parse takes (text, len).
 *
 * What must hold: NULL with a message, or at most EPW_MAX_RECORDS records whose fields are
 * in the documented ranges.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/epw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "";
	char *text = malloc(size ? size : 1);

	if (!text)
		abort();
	memcpy(text, data, size);
	struct epw *w = epw_parse(text, size, "fuzz.epw", err, sizeof(err));
	if (!w) {
		if (!err[0])
			abort();
	} else {
		if (w->n > EPW_MAX_RECORDS || (w->n && !w->rec))
			abort();
		for (size_t i = 0; i < w->n; i++) {
			const struct epw_record *r = &w->rec[i];
			if (r->month < 1 || r->month > 12 || r->day < 1 || r->day > 31 ||
			    r->hour < 1 || r->hour > 24 || !(r->rh >= 0 && r->rh <= 1) ||
			    r->dp_c > r->db_c)
				abort();
		}
		epw_free(w);
	}
	free(text);
	return 0;
}
