/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EPW reader (see epw.h). Header line 1 (LOCATION) gives the station; lines 2-8 are skipped;
 * every later non-empty line is one hourly record: fields 2-4 month, day, hour and 7-10
 * dry-bulb C, dew point C, RH %, station pressure Pa (1-based). EPW's missing codes (99.9 for
 * temperatures, 999 RH, 999999 pressure) are refused for temperatures and RH, since a
 * typical-year file has none and silently skipping hours would bias the hour counts; a missing
 * pressure becomes NAN so the caller falls back to the altitude's standard pressure.
 */
#include "analytics/epw.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EPW_MAX_FILE (16u << 20) /* a typical year is ~1.8 MB */
#define NFIELDS      10

static void set_err(char *err, size_t errlen, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Split line (modified in place) on commas into at most max fields; returns the count. */
static int split(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;

	while (n < max) {
		f[n++] = p;
		p = strchr(p, ',');
		if (!p)
			break;
		*p++ = '\0';
	}
	return n;
}

static bool num(const char *s, double *out)
{
	char *end;

	while (*s == ' ')
		s++;
	if (!*s)
		return false;
	errno = 0;
	*out = strtod(s, &end);
	while (*end == ' ' || *end == '\r')
		end++;
	return !errno && *end == '\0' && isfinite(*out);
}

static void copy_field(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src);
	dst[strcspn(dst, "\r")] = '\0';
}

static int parse_location(struct epw *w, char *line)
{
	char *f[NFIELDS + 1];
	int n = split(line, f, NFIELDS);

	if (n < 10 || strcmp(f[0], "LOCATION") != 0)
		return -EINVAL;
	copy_field(w->city, sizeof(w->city), f[1]);
	copy_field(w->wmo, sizeof(w->wmo), f[5]);
	if (!num(f[6], &w->latitude) || !num(f[7], &w->longitude) || !num(f[9], &w->elevation_m))
		return -EINVAL;
	return 0;
}

/* One record; on error a message without the location prefix in msg. */
static int parse_record(struct epw_record *r, char *line, char *msg, size_t msglen, bool *clamped)
{
	char *f[NFIELDS + 1];
	int n = split(line, f, NFIELDS + 1);
	double v[NFIELDS];
	static const char *const names[NFIELDS] = {"year",
	                                           "month",
	                                           "day",
	                                           "hour",
	                                           "minute",
	                                           "flags",
	                                           "dry-bulb",
	                                           "dew point",
	                                           "relative humidity",
	                                           "station pressure"};

	if (n < NFIELDS) {
		set_err(msg, msglen, "%d fields, expected at least %d", n, NFIELDS);
		return -EINVAL;
	}
	for (int i = 0; i < NFIELDS; i++) {
		if (i == 5)
			continue; /* data source flags: free text */
		if (!num(f[i], &v[i])) {
			set_err(msg, msglen, "field %d (%s): not a number: \"%.32s\"", i + 1,
			        names[i], f[i]);
			return -EINVAL;
		}
	}
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] < 1 || v[3] > 24 ||
	    v[1] != floor(v[1]) || v[2] != floor(v[2]) || v[3] != floor(v[3])) {
		set_err(msg, msglen, "bad month/day/hour %g/%g/%g", v[1], v[2], v[3]);
		return -EINVAL;
	}
	if (v[6] < -70 || v[6] >= 70) {
		set_err(msg, msglen, "field 7 (dry-bulb) %g C out of range or missing (99.9)",
		        v[6]);
		return -EINVAL;
	}
	if (v[7] < -90 || v[7] >= 70) {
		set_err(msg, msglen, "field 8 (dew point) %g C out of range or missing (99.9)",
		        v[7]);
		return -EINVAL;
	}
	if (v[8] < 0 || v[8] > 110) {
		set_err(msg, msglen, "field 9 (relative humidity) %g %% out of range or missing",
		        v[8]);
		return -EINVAL;
	}
	if (v[9] != 999999 && (v[9] < 31000 || v[9] > 120000)) {
		set_err(msg, msglen, "field 10 (station pressure) %g Pa out of range", v[9]);
		return -EINVAL;
	}
	r->month = (int)v[1];
	r->day = (int)v[2];
	r->hour = (int)v[3];
	r->db_c = v[6];
	/* Rounding in the source data puts some dew points a few tenths above the dry-bulb. */
	*clamped = v[7] > v[6];
	r->dp_c = *clamped ? v[6] : v[7];
	r->rh = fmin(v[8], 100.0) / 100.0;
	r->p_pa = v[9] == 999999 ? NAN : v[9];
	return 0;
}

struct epw *epw_parse(const char *text, size_t len, const char *name, char *err, size_t errlen)
{
	struct epw *w = calloc(1, sizeof(*w));
	char line[EPW_MAX_LINE + 2], msg[160];
	size_t pos = 0, cap = 0;
	int lineno = 0;

	if (!w) {
		set_err(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;

		lineno++;
		if (l > EPW_MAX_LINE) {
			set_err(err, errlen, "%s:%d: line longer than %d characters", name, lineno,
			        EPW_MAX_LINE);
			goto out_free;
		}
		memcpy(line, text + pos, l);
		line[l] = '\0';
		pos += l + 1;
		if (l && line[l - 1] == '\r')
			line[l - 1] = '\0';
		if (lineno == 1) {
			if (parse_location(w, line) < 0) {
				set_err(err, errlen,
				        "%s:1: not an EPW file: expected a LOCATION line with 10 "
				        "fields",
				        name);
				goto out_free;
			}
			continue;
		}
		if (lineno <= EPW_HEADER_LINES || line[0] == '\0')
			continue;
		if (w->n >= EPW_MAX_RECORDS) {
			set_err(err, errlen, "%s:%d: more than %d hourly records", name, lineno,
			        EPW_MAX_RECORDS);
			goto out_free;
		}
		if (w->n == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			struct epw_record *nr;

			if (ncap > EPW_MAX_RECORDS)
				ncap = EPW_MAX_RECORDS;
			nr = realloc(w->rec, ncap * sizeof(*nr));
			if (!nr) {
				set_err(err, errlen, "%s: out of memory", name);
				goto out_free;
			}
			w->rec = nr;
			cap = ncap;
		}
		bool clamped = false;
		if (parse_record(&w->rec[w->n], line, msg, sizeof(msg), &clamped) < 0) {
			set_err(err, errlen, "%s:%d: %s", name, lineno, msg);
			goto out_free;
		}
		w->nclamped += clamped;
		w->n++;
	}
	if (lineno < EPW_HEADER_LINES || w->n == 0) {
		set_err(err, errlen, "%s:%d: no hourly records after the %d header lines", name,
		        lineno, EPW_HEADER_LINES);
		goto out_free;
	}
	return w;

out_free:
	epw_free(w);
	return NULL;
}

struct epw *epw_read(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct epw *w = NULL;
	char *buf;
	size_t n;

	if (!f) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(EPW_MAX_FILE + 1);
	if (!buf) {
		set_err(err, errlen, "%s: out of memory", path);
		goto out_close;
	}
	n = fread(buf, 1, EPW_MAX_FILE + 1, f);
	if (ferror(f))
		set_err(err, errlen, "%s: read error", path);
	else if (n > EPW_MAX_FILE)
		set_err(err, errlen, "%s: larger than %u bytes, not a one-year EPW file", path,
		        EPW_MAX_FILE);
	else
		w = epw_parse(buf, n, path, err, errlen);
	free(buf);
out_close:
	fclose(f);
	return w;
}

void epw_free(struct epw *w)
{
	if (!w)
		return;
	free(w->rec);
	free(w);
}
