/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `greendc import`, the fields of a row as users' files come: the long format's columns
 * (the usual names in any case, or named with --columns), a value as a strict decimal number
 * in the file's decimal mark, and a time (ISO 8601 or --time-format) within the range that
 * query and export accept. Anything else is a rejected line with its reason, never a guess:
 * strtod alone would take "0x10", "inf" or "1e308", and a spreadsheet's "1.234,5" is
 * ambiguous.
 */
#include "importexport/import_internal.h"

#include "core/timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the header ---- */

enum { COL_TS, COL_DEV, COL_MET, COL_VAL, COL_LAB, COL_UNIT, COL_AGG, NCOLS };

static const char *const role_names[NCOLS] = {"timestamp", "device", "metric", "value",
                                              "labels",    "unit",   "agg"};
/* Names a column of each role goes by when --columns does not name it. */
static const char *const aliases[NCOLS][5] = {
        {"timestamp", "time", "datetime", "ts", NULL},
        {"device", NULL},
        {"metric", NULL},
        {"value", NULL},
        {"labels", NULL},
        {"unit", NULL},
        {"agg", NULL},
};

/* A header field equals name, ignoring case and surrounding blanks. */
static bool header_is(const char *field, const char *name, size_t nlen)
{
	while (*field == ' ' || *field == '\t')
		field++;
	size_t n = strlen(field);
	while (n && (field[n - 1] == ' ' || field[n - 1] == '\t'))
		n--;
	return n == nlen && strncasecmp(field, name, n) == 0;
}

/* The column of h called name (nlen bytes); -1 absent, -2 more than one. */
static int find_col(const struct csv_record *h, const char *name, size_t nlen)
{
	int at = -1;
	for (size_t i = 0; i < h->n; i++)
		if (header_is(h->f[i], name, nlen))
			at = at == -1 ? (int)i : -2;
	return at;
}

/* --columns "role=name,role=name": the name each role's column has. */
static int parse_columns(struct run *r, const char *spec, const char *named[NCOLS],
                         size_t nlen[NCOLS])
{
	const char *p = spec;
	while (p && *p) {
		const char *end = strchr(p, ','),
		           *eq = memchr(p, '=', end ? (size_t)(end - p) : strlen(p));
		size_t len = end ? (size_t)(end - p) : strlen(p);
		int role = -1;
		for (int k = 0; eq && k < NCOLS; k++)
			if ((size_t)(eq - p) == strlen(role_names[k]) &&
			    strncasecmp(p, role_names[k], (size_t)(eq - p)) == 0)
				role = k;
		if (role < 0 || eq + 1 >= p + len) {
			snprintf(r->err, r->errlen,
			         "--columns: \"%.*s\" is not ROLE=HEADER with ROLE one of "
			         "timestamp, "
			         "device, metric, value, labels, unit",
			         (int)len, p);
			return -EINVAL;
		}
		named[role] = eq + 1;
		nlen[role] = len - (size_t)(eq + 1 - p);
		p = end ? end + 1 : NULL;
	}
	return 0;
}

int import_long_header(struct run *r, const struct csv_record *h)
{
	const char *named[NCOLS] = {0};
	size_t nlen[NCOLS] = {0};
	int col[NCOLS];
	if (parse_columns(r, r->o->columns, named, nlen) < 0)
		return -EINVAL;
	for (int k = 0; k < NCOLS; k++) {
		col[k] = -1;
		if (named[k]) {
			col[k] = find_col(h, named[k], nlen[k]);
			if (col[k] == -1) {
				snprintf(r->err, r->errlen,
				         "line %lu: --columns names %s \"%.*s\", which is not in "
				         "the "
				         "header",
				         h->line, role_names[k], (int)nlen[k], named[k]);
				return -EINVAL;
			}
			if (col[k] == -2)
				break;
			continue;
		}
		for (int a = 0; aliases[k][a]; a++) {
			int c = find_col(h, aliases[k][a], strlen(aliases[k][a]));
			if (c == -1)
				continue;
			if (c == -2 || col[k] >= 0) {
				col[k] = -2;
				break;
			}
			col[k] = c;
		}
		if (col[k] == -2)
			break;
	}
	for (int k = 0; k < NCOLS; k++)
		if (col[k] == -2) {
			snprintf(r->err, r->errlen,
			         "line %lu: more than one column could be the %s: name it with "
			         "--columns %s=HEADER",
			         h->line, role_names[k], role_names[k]);
			return -EINVAL;
		}
	if (col[COL_TS] < 0 || col[COL_DEV] < 0 || col[COL_MET] < 0 || col[COL_VAL] < 0) {
		snprintf(r->err, r->errlen,
		         "line %lu: long format needs a header with columns timestamp (or time, "
		         "datetime, ts), device, metric, value (labels, unit optional); other "
		         "names: --columns timestamp=...,value=...",
		         h->line);
		return -EINVAL;
	}
	r->c_ts = col[COL_TS];
	r->c_dev = col[COL_DEV];
	r->c_met = col[COL_MET];
	r->c_val = col[COL_VAL];
	r->c_lab = col[COL_LAB];
	r->c_unit = col[COL_UNIT];
	r->c_agg = col[COL_AGG];
	return 0;
}

/* ---- values ---- */

static const char no_comma[] = "non-numeric value: ',' is not the decimal mark (--decimal ,)";
static const char no_point[] = "non-numeric value: '.' is not the decimal mark (--decimal .)";
static const char two_marks[] = "non-numeric value: two decimal marks";
static const char both_marks[] =
        "non-numeric value: both '.' and ',' (thousands separators are not read)";

const char *import_parse_value(const struct run *r, const char *text, double *v)
{
	char buf[80];
	const char *p = text;
	size_t k = 0, digits = 0;
	char mark = 0; /* the decimal mark seen */
	if (*p == '+' || *p == '-')
		buf[k++] = *p++;
	for (; *p && k < sizeof(buf) - 8; p++) {
		if (isdigit((unsigned char)*p)) {
			buf[k++] = *p;
			digits++;
		} else if ((*p == '.' || *p == ',') && !mark) {
			if (r->decimal && *p != r->decimal)
				return *p == ',' ? no_comma : no_point;
			mark = *p;
			buf[k++] = '.';
		} else if (*p == '.' || *p == ',') {
			return *p == mark ? two_marks : both_marks;
		} else {
			break;
		}
	}
	if (!digits)
		return "non-numeric value";
	if (*p == 'e' || *p == 'E') {
		buf[k++] = *p++;
		if (*p == '+' || *p == '-')
			buf[k++] = *p++;
		size_t ed = 0;
		for (; isdigit((unsigned char)*p) && k < sizeof(buf) - 1; p++, ed++)
			buf[k++] = *p;
		if (!ed)
			return "non-numeric value: exponent without digits";
	}
	if (*p)
		return k >= sizeof(buf) - 8 ? "non-numeric value: too long"
		                            : "non-numeric value (plain decimal digits expected)";
	buf[k] = '\0';
	errno = 0;
	double x = strtod(buf, NULL);
	if (errno == ERANGE || !(x >= -IMPORT_VALUE_MAX && x <= IMPORT_VALUE_MAX))
		return "value out of range (magnitude up to 1e15)";
	*v = x;
	return NULL;
}

/* ---- times ---- */

const char *import_parse_time(const struct run *r, const char *text, int64_t *ts, char *why,
                              size_t wl)
{
	const char *e = r->o->time_format
	                        ? time_parse_format(text, r->o->time_format, TIME_NOZONE_LOCAL, ts)
	                        : time_parse_iso8601(text, TIME_NOZONE_LOCAL, ts);
	if (e) {
		snprintf(why, wl, "%s: \"%.40s\"", e, text);
		return why;
	}
	*ts -= r->o->interval_end;
	if (!time_ms_in_range(*ts)) {
		snprintf(why, wl,
		         "time outside 1970-01-01T00:00:00Z..9999 (the range query and export "
		         "read): \"%.40s\"",
		         text);
		return why;
	}
	return NULL;
}
