/* SPDX-License-Identifier: Apache-2.0 */
/* Time: ISO 8601, the CLI/API grammar, and site time. See timeutil.h. */
#include "core/timeutil.h"

#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char zone_name[128] = "UTC";
static unsigned zone_gen = 1; /* bumped by time_zone_set: invalidates cached offsets */

void time_zone_set(const char *tz)
{
	const char *want = tz && *tz ? tz : "UTC";
	snprintf(zone_name, sizeof(zone_name), "%s", want);
	zone_gen++;
	setenv("TZ", want, 1);
	tzset();
}

const char *time_zone_name(void)
{
	return zone_name;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b < 0) ? q - 1 : q;
}

int64_t time_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Read exactly n digits. */
static bool digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		unsigned c = (unsigned char)(*p)[i] - '0';
		if (c > 9)
			return false;
		v = v * 10 + (int)c;
	}
	*p += n;
	*out = v;
	return true;
}

/* Offset (local - UTC, seconds) of the site-time hour y-m-d h, judged at h:30 as a file of
 * readings is (one reading per hour or finer), or why there is none: the hour is skipped or
 * repeated by a DST change. Cached per hour: an import asks the same hour many times. */
static const char *local_offset(int y, int mo, int d, int h, int64_t *off)
{
	static _Thread_local struct {
		long key;
		unsigned gen;
		int64_t off;
		const char *why;
	} cache[64];
	long key = ((long)y * 100 + mo) * 10000 + d * 100 + h;
	size_t slot = (size_t)key % 64;
	if (cache[slot].key == key && cache[slot].gen == zone_gen) {
		*off = cache[slot].off;
		return cache[slot].why;
	}
	struct tm tm = {.tm_year = y - 1900,
	                .tm_mon = mo - 1,
	                .tm_mday = d,
	                .tm_hour = h,
	                .tm_min = 30,
	                .tm_isdst = -1};
	time_t t = mktime(&tm);
	struct tm chk;
	const char *why = NULL;
	int64_t wall = time_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + 1800;
	localtime_r(&t, &chk);
	if (chk.tm_hour != h || chk.tm_mday != d) {
		why = "local time does not exist (daylight saving gap); give an offset";
	} else {
		struct tm a, b;
		time_t tb = t - 3600, ta = t + 3600;
		localtime_r(&tb, &b);
		localtime_r(&ta, &a);
		if ((b.tm_hour == h && b.tm_mday == d) || (a.tm_hour == h && a.tm_mday == d))
			why = "ambiguous local time (repeated daylight saving hour); give an "
			      "offset";
	}
	cache[slot].key = key;
	cache[slot].gen = zone_gen;
	cache[slot].off = *off = wall - (int64_t)t;
	cache[slot].why = why;
	return why;
}

const char *time_parse_iso8601(const char *s, enum time_nozone nz, int64_t *out)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, se = 0, ms = 0;
	if (!s || !digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
	    !digits(&p, 2, &d))
		return "unparseable time (expected ISO 8601, e.g. 2025-01-31T13:00:00+01:00)";
	if (*p == 'T' || *p == ' ') {
		p++;
		if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
			return "unparseable time (expected hh:mm after the date)";
		if (*p == ':') {
			p++;
			if (!digits(&p, 2, &se))
				return "unparseable time (seconds)";
			if (*p == '.') {
				p++;
				int scale = 100;
				if ((unsigned)(*p - '0') > 9)
					return "unparseable time (fraction)";
				for (; (unsigned)(*p - '0') <= 9; p++, scale /= 10)
					ms += (*p - '0') * scale;
			}
		}
	}
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) || h > 23 ||
	    mi > 59 || se > 59)
		return "unparseable time (field out of range)";
	int64_t wall = time_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 +
	               mi * 60 + se;
	int64_t off = 0;
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
		if (!digits(&p, 2, &oh))
			return "unparseable time (offset)";
		if (*p == ':')
			p++;
		if (*p && !digits(&p, 2, &om))
			return "unparseable time (offset minutes)";
		if (oh > 23 || om > 59)
			return "unparseable time (offset out of range)";
		off = sign * (oh * 3600 + om * 60);
	} else if (*p == '\0' && nz == TIME_NOZONE_LOCAL) {
		const char *why = local_offset(y, mo, d, h, &off);
		if (why)
			return why;
	}
	if (*p)
		return "unparseable time (trailing text)";
	*out = (wall - off) * 1000 + ms;
	return NULL;
}

const char *time_parse_format(const char *s, const char *fmt, enum time_nozone nz, int64_t *out)
{
	struct tm tm = {.tm_mday = 1};
	const char *end = s && fmt ? strptime(s, fmt, &tm) : NULL;
	if (!end)
		return "time does not match --time-format";
	if (*end)
		return "time does not match --time-format (trailing text)";
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y = tm.tm_year + 1900, mo = tm.tm_mon + 1, d = tm.tm_mday;
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
		return "unparseable time (field out of range)";
	int64_t wall = time_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	               tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	int64_t off = 0;
	if (strstr(fmt, "%z")) {
		off = tm.tm_gmtoff;
	} else if (nz == TIME_NOZONE_LOCAL) {
		const char *why = local_offset(y, mo, d, tm.tm_hour, &off);
		if (why)
			return why;
	}
	*out = (wall - off) * 1000;
	return NULL;
}

bool time_ms_in_range(int64_t ms)
{
	return ms >= 0 && ms < TIME_MAX_MS;
}

int time_parse_duration(const char *s, int64_t *out)
{
	/* Positive durations only; the grammar is the config's. */
	int64_t ms;
	if (!util_parse_duration(s, &ms) || ms <= 0)
		return -EINVAL;
	*out = ms;
	return 0;
}

int time_parse(const char *s, int64_t now, int64_t *out)
{
	if (!s || !*s)
		return -EINVAL;
	if (strcmp(s, "now") == 0) {
		*out = now;
		return 0;
	}
	if (*s == '-' || *s == '+') {
		int64_t d;
		if (time_parse_duration(s + 1, &d) < 0)
			return -EINVAL;
		/* "+9223372036854775807ms" is a valid duration; found by test/fuzz. */
		if (*s == '-' ? now < INT64_MIN + d : now > INT64_MAX - d)
			return -EINVAL;
		*out = *s == '-' ? now - d : now + d;
		return 0;
	}
	return time_parse_iso8601(s, TIME_NOZONE_UTC, out) ? -EINVAL : 0;
}

static void split_ms(int64_t ms, time_t *sec, int *frac)
{
	*sec = (time_t)floor_div(ms, 1000);
	*frac = (int)(ms - (int64_t)*sec * 1000);
}

void time_format_utc(int64_t ms, char *buf, size_t len)
{
	time_t t;
	int frac;
	struct tm tm;
	split_ms(ms, &t, &frac);
	gmtime_r(&t, &tm);
	if (!strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) && len)
		buf[0] = '\0';
}

void time_format_utc_ms(int64_t ms, char *buf, size_t len)
{
	time_t t;
	int frac;
	struct tm tm;
	char base[32];
	split_ms(ms, &t, &frac);
	gmtime_r(&t, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	if (frac)
		snprintf(buf, len, "%s.%03dZ", base, frac);
	else
		snprintf(buf, len, "%sZ", base);
}

void time_format_local(int64_t ms, char *buf, size_t len)
{
	time_t t;
	int frac;
	struct tm tm;
	split_ms(ms, &t, &frac);
	localtime_r(&t, &tm);
	if (!strftime(buf, len, "%Y-%m-%d %H:%M", &tm) && len)
		buf[0] = '\0';
}

long time_utc_offset_s(int64_t ms)
{
	time_t t;
	int frac;
	struct tm tm;
	split_ms(ms, &t, &frac);
	localtime_r(&t, &tm);
	return tm.tm_gmtoff;
}

void time_format_zone(int64_t ms, char *buf, size_t len)
{
	long off = time_utc_offset_s(ms);
	char sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	snprintf(buf, len, "%s, UTC%c%02ld:%02ld", zone_name, sign, off / 3600, off % 3600 / 60);
}

static int64_t unit_fixed_ms(enum time_unit u)
{
	return u == TIME_15MIN ? 15 * 60000 : u == TIME_HOUR ? 3600000 : 0;
}

int64_t time_local_midnight(int y, int m, int d)
{
	/* Day starts are never ambiguous in practice; where midnight is skipped mktime moves to
	 * the first valid instant. */
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_isdst = -1};
	return (int64_t)mktime(&tm) * 1000;
}

int64_t time_local_floor(int64_t t, enum time_unit u)
{
	time_t s = (time_t)floor_div(t, 1000);
	struct tm tm;
	localtime_r(&s, &tm);
	int64_t fixed = unit_fixed_ms(u);
	if (fixed) {
		/* Sub-hour units in UTC shifted by the current offset: unambiguous in the repeated
		 * hour of a DST change, where a wall-clock mktime is not. */
		int64_t off = (int64_t)tm.tm_gmtoff * 1000;
		return floor_div(t + off, fixed) * fixed - off;
	}
	switch (u) {
	case TIME_DAY:
		return time_local_midnight(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	case TIME_MONTH:
		return time_local_midnight(tm.tm_year + 1900, tm.tm_mon + 1, 1);
	default:
		return time_local_midnight(tm.tm_year + 1900, 1, 1);
	}
}

int64_t time_local_next(int64_t t, enum time_unit u)
{
	int64_t f = time_local_floor(t, u), fixed = unit_fixed_ms(u);
	if (fixed)
		return f + fixed;
	time_t s = (time_t)floor_div(f, 1000);
	struct tm tm;
	localtime_r(&s, &tm);
	switch (u) {
	case TIME_DAY:
		return time_local_midnight(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday + 1);
	case TIME_MONTH:
		return time_local_midnight(tm.tm_year + 1900, tm.tm_mon + 2, 1);
	default:
		return time_local_midnight(tm.tm_year + 1901, 1, 1);
	}
}

void time_local_label(int64_t t, enum time_unit u, char *buf, size_t len)
{
	time_t s = (time_t)floor_div(t, 1000);
	struct tm tm;
	localtime_r(&s, &tm);
	const char *fmt = u == TIME_YEAR    ? "%Y"
	                  : u == TIME_MONTH ? "%Y-%m"
	                  : u == TIME_DAY   ? "%Y-%m-%d"
	                                    : "%Y-%m-%dT%H:%M%z";
	if (!strftime(buf, len, fmt, &tm) && len)
		buf[0] = '\0';
}

int time_period_parse(const char *s, int64_t *from_ms, int64_t *to_ms, enum time_unit *unit)
{
	int y = 0, m = 0, d = 0, n = 0;
	size_t len = strlen(s);
	enum time_unit u;
	if (len == 4 && sscanf(s, "%4d%n", &y, &n) == 1 && n == 4) {
		u = TIME_YEAR;
		m = 1;
		d = 1;
	} else if (len == 7 && sscanf(s, "%4d-%2d%n", &y, &m, &n) == 2 && n == 7) {
		u = TIME_MONTH;
		d = 1;
	} else if (len == 10 && sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10) {
		u = TIME_DAY;
	} else {
		return -EINVAL;
	}
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return -EINVAL;
	int64_t from = time_local_midnight(y, m, d);
	/* Reject 2026-02-31 rather than roll it into March. */
	time_t t = (time_t)(from / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	if (tm.tm_mday != d || tm.tm_mon != m - 1)
		return -EINVAL;
	*from_ms = from;
	*to_ms = time_local_next(from, u);
	*unit = u;
	return 0;
}
