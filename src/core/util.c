/* SPDX-License-Identifier: Apache-2.0 */
/* Clocks, duration and number parsing shared by the daemon, the CLI and the tools. */
#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t clock_ms(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t util_mono_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

int64_t util_wall_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

bool util_parse_duration(const char *s, int64_t *out_ms)
{
	static const struct {
		const char *suffix;
		int64_t ms;
	} units[] = {{"ms", 1},      {"s", 1000},     {"m", 60000},
	             {"h", 3600000}, {"d", 86400000}, {"w", 7 * INT64_C(86400000)}};
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long long n = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].suffix) == 0) {
			if (n > (unsigned long long)(INT64_MAX / units[i].ms))
				return false;
			*out_ms = (int64_t)n * units[i].ms;
			return true;
		}
	}
	return false;
}

void util_format_duration(int64_t ms, char *buf, size_t len)
{
	if (ms % 1000 != 0 || ms == 0)
		snprintf(buf, len, "%lldms", (long long)ms);
	else if (ms % 86400000 == 0)
		snprintf(buf, len, "%lldd", (long long)(ms / 86400000));
	else if (ms % 3600000 == 0)
		snprintf(buf, len, "%lldh", (long long)(ms / 3600000));
	else if (ms % 60000 == 0)
		snprintf(buf, len, "%lldm", (long long)(ms / 60000));
	else
		snprintf(buf, len, "%llds", (long long)(ms / 1000));
}

bool util_parse_int(const char *s, long long *out)
{
	/* Decimal only: "010" is ten and "0x10" is refused (strtoll's base 0 would read them
	 * as octal and hex, so a port or an id could silently mean another number). */
	char *end;
	if (!s || !*s ||
	    !(isdigit((unsigned char)*s) ||
	      ((*s == '-' || *s == '+') && isdigit((unsigned char)s[1]))))
		return false;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end != '\0')
		return false;
	*out = v;
	return true;
}

bool util_parse_yaml_int(const char *s, long long *out)
{
	/* YAML 1.2 core schema: [-+]?[0-9]+ (decimal, leading zeros included), 0o[0-7]+, and
	 * 0x[0-9a-fA-F]+; nothing else (no YAML 1.1 "010" octal, no "1_000"). */
	char *end;
	int base = 10;
	const char *p = s;
	if (!s || !*s)
		return false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
		base = s[1] == 'x' ? 16 : 8;
		p = s + 2;
		if (!isxdigit((unsigned char)*p))
			return false;
	} else {
		return util_parse_int(s, out);
	}
	errno = 0;
	unsigned long long v = strtoull(p, &end, base);
	if (errno || *end != '\0' || v > (unsigned long long)LLONG_MAX)
		return false;
	*out = (long long)v;
	return true;
}

bool util_parse_double(const char *s, double *out)
{
	char *end;
	if (!s || !*s)
		return false;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end != '\0' || !isfinite(v))
		return false;
	*out = v;
	return true;
}

void util_sleep_ms(int64_t ms)
{
	if (ms <= 0)
		return;
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}
