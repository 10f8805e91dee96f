/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small helpers shared by the core: clocks, duration parsing, string building.
 */
#ifndef GREENDC_UTIL_H
#define GREENDC_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* CLOCK_MONOTONIC and CLOCK_REALTIME in milliseconds. */
int64_t util_mono_ms(void);
int64_t util_wall_ms(void);

/* Parse "500ms", "10s", "5m", "1h", "30d", "2w" into milliseconds. false if malformed, negative or
 * overflowing. */
bool util_parse_duration(const char *s, int64_t *out_ms);

/* Format a duration compactly ("10s", "2m30s", "500ms") into buf. */
void util_format_duration(int64_t ms, char *buf, size_t len);

/* Parse a whole decimal integer (optional sign; leading zeros are decimal); false on
 * anything else, trailing junk or overflow. For HTTP parameters, CSV fields and the CLI. */
bool util_parse_int(const char *s, long long *out);
/* A YAML 1.2 core-schema integer: decimal as above, 0x<hex> or 0o<octal>. For config. */
bool util_parse_yaml_int(const char *s, long long *out);
/* Parse a whole finite double; false on trailing junk. */
bool util_parse_double(const char *s, double *out);

/* Sleep until the monotonic clock reaches ms, or return early; used by tests and tools. */
void util_sleep_ms(int64_t ms);

#endif
