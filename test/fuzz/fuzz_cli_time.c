/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the CLI's time and duration parsers (src/core/timeutil.h), which take
 * operator input straight from the command line (--from, --to, --step).
 *
 * What must hold: no crash and no undefined behaviour (UBSan: signed overflow, shifts); a
 * parse that succeeds formats back without trouble; a duration is positive.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW_MS 1795790096789LL /* 2026-11-28T10:34:56.789Z */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	char buf[64];
	int64_t t, d;

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (time_parse(s, NOW_MS, &t) == 0)
		time_format_utc_ms(t, buf, sizeof(buf));
	if (time_parse_duration(s, &d) == 0 && d <= 0)
		abort();
	free(s);
	return 0;
}
