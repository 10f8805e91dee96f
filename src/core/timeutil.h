/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Time, the one module for it: ISO 8601 parsing and formatting, the CLI/API time grammar
 * ("now", "-1h", ISO 8601), and the conversion between UTC and site time.
 *
 * Site time uses the C library's tz database through the process time zone (TZ). setenv is
 * not thread-safe, so the zone is set once, with time_zone_set(), before any thread starts:
 * the daemon does it right after loading its config (a reload keeps the zone: a site does
 * not move), the CLI right after reading its config. Every local-time function below then
 * reads that zone and is safe from any thread. Times are int64 milliseconds since the Unix
 * epoch (UTC) everywhere else in greendc.
 */
#ifndef GREENDC_CORE_TIMEUTIL_H
#define GREENDC_CORE_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Set the process time zone (an IANA name, "" or NULL = UTC). Only before threads start. */
void time_zone_set(const char *tz);
/* The zone time_zone_set() last set ("UTC" when never called). */
const char *time_zone_name(void);

/* What a time without a zone designator means. */
enum time_nozone {
	TIME_NOZONE_UTC,   /* the CLI and API: "2026-10-01T12:00" is UTC */
	TIME_NOZONE_LOCAL, /* files from site systems: site time; DST gaps and repeats refused */
};

/* Parse ISO 8601 "YYYY-MM-DD", "YYYY-MM-DDThh:mm[:ss[.fff]]" (or a space for T) with an
 * optional "Z" or "+hh[:mm]"/"-hh[:mm]". Years 1970..9999. Returns NULL and sets *out_ms, or
 * a reason for the user ("field out of range", ...). */
const char *time_parse_iso8601(const char *s, enum time_nozone nz, int64_t *out_ms);

/* Parse s with the strptime(3) format fmt, e.g. "%Y/%m/%d %H:%M" for a spreadsheet's
 * "2025/1/1 0:00"; the whole of s must match. Without %z in fmt the time is in the zone nz
 * says (local: DST gaps and repeats refused, as above). Years 1970..9999, whole seconds.
 * Returns NULL and sets *out_ms, or a reason for the user. */
const char *time_parse_format(const char *s, const char *fmt, enum time_nozone nz, int64_t *out_ms);

/* The instants greendc stores and queries: from 1970-01-01T00:00:00Z up to, not including,
 * the year 10000 (the CLI/API grammar's range; bucket arithmetic stays far from overflow). */
#define TIME_MAX_MS INT64_C(253402300800000)
bool time_ms_in_range(int64_t ms);

/* The CLI and API grammar: "now", "-<duration>"/"+<duration>" relative to now_ms, or ISO 8601
 * without a zone meaning UTC. 0 or -EINVAL. */
int time_parse(const char *s, int64_t now_ms, int64_t *out_ms);

/* A positive duration: integer + unit ms, s, m, h, d or w ("10s", "1h"). 0 or -EINVAL. */
int time_parse_duration(const char *s, int64_t *out_ms);

/* ISO 8601 UTC in whole seconds, "2026-10-01T12:00:00Z" (len >= 21), rounding down. */
void time_format_utc(int64_t ms, char *buf, size_t len);
/* The same with ".123" when the milliseconds are not zero (len >= 25). */
void time_format_utc_ms(int64_t ms, char *buf, size_t len);

/* Site time "2026-10-01 08:00" (len >= 17). */
void time_format_local(int64_t ms, char *buf, size_t len);
/* The site zone as people read it: "Asia/Shanghai, UTC+08:00" at instant ms (len >= 64). */
void time_format_zone(int64_t ms, char *buf, size_t len);
/* The site zone's offset from UTC at instant ms, in seconds (28800 for UTC+08:00). */
long time_utc_offset_s(int64_t ms);

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
int64_t time_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Calendar units in site time. */
enum time_unit { TIME_15MIN, TIME_HOUR, TIME_DAY, TIME_MONTH, TIME_YEAR };

/* Start of the site-time unit containing t, and the start of the next one (DST-aware). */
int64_t time_local_floor(int64_t t_ms, enum time_unit u);
int64_t time_local_next(int64_t t_ms, enum time_unit u);
/* Label of the unit starting at t: "2026", "2026-10", "2026-10-05", "2026-10-05T13:00+0800". */
void time_local_label(int64_t t_ms, enum time_unit u, char *buf, size_t len);
/* Site midnight at the start of y-m-d (m 1..12); d may run past the month's end (it rolls). */
int64_t time_local_midnight(int y, int m, int d);

/* "2026", "2026-10" or "2026-10-05" as a site-time period [from, to) and its unit.
 * 0 or -EINVAL (also for 2026-02-31). */
int time_period_parse(const char *s, int64_t *from_ms, int64_t *to_ms, enum time_unit *unit);

#endif
