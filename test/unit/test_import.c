/* The import's strict CSV reader (RFC 4180 cases, line numbers, records across buffer
 * refills), its timestamp parser (offsets, local time in a DST zone, gaps and repeats) and
 * unit conversions, against hand-computed answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "importexport/import.h"
#include "importexport/import_csv.h"

/* A reader over a temporary file holding s. */
static struct csv_reader *reader_for(const char *s, size_t n, FILE **keep)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, n, f), n);
	fflush(f);
	rewind(f);
	*keep = f;
	struct csv_reader *r = csv_open(fileno(f));
	assert_non_null(r);
	return r;
}

static void test_csv_rfc4180(void **state)
{
	(void)state;
	static const char in[] = "a,b,c\r\n"
	                         "\"x,1\",\"say \"\"hi\"\"\",\n"
	                         "\n"
	                         "\"two\nlines\",2,3\n"
	                         "last,,\"\"";
	FILE *f;
	struct csv_reader *r = reader_for(in, sizeof(in) - 1, &f);
	struct csv_record rec;
	assert_int_equal(csv_next(r, &rec), 1);
	assert_null(rec.error);
	assert_int_equal(rec.line, 1);
	assert_int_equal(rec.n, 3);
	assert_string_equal(rec.f[2], "c"); /* CR of CRLF is not data */
	assert_int_equal(csv_next(r, &rec), 1);
	assert_int_equal(rec.line, 2);
	assert_int_equal(rec.n, 3);
	assert_string_equal(rec.f[0], "x,1");
	assert_string_equal(rec.f[1], "say \"hi\"");
	assert_string_equal(rec.f[2], ""); /* trailing comma: an empty last field */
	assert_int_equal(csv_next(r, &rec), 1);
	assert_int_equal(rec.line, 4); /* the empty line 3 is skipped */
	assert_string_equal(rec.f[0], "two\nlines");
	assert_int_equal(rec.len[0], 9);
	assert_int_equal(csv_next(r, &rec), 1);
	assert_int_equal(rec.line, 6); /* line 4 held two physical lines */
	assert_int_equal(rec.n, 3);
	assert_string_equal(rec.f[0], "last");
	assert_string_equal(rec.f[1], "");
	assert_string_equal(rec.f[2], "");
	assert_int_equal(csv_next(r, &rec), 0);
	csv_close(r);
	fclose(f);
}

static void test_csv_strict_errors(void **state)
{
	(void)state;
	static const char in[] = "ok,1\n"
	                         "bad\"quote,1\n"
	                         "\"closed\"junk,1\n"
	                         "fine,2\n"
	                         "\"never closed,1\n";
	FILE *f;
	struct csv_reader *r = reader_for(in, sizeof(in) - 1, &f);
	struct csv_record rec;
	assert_int_equal(csv_next(r, &rec), 1);
	assert_null(rec.error);
	assert_int_equal(csv_next(r, &rec), 1);
	assert_int_equal(rec.line, 2);
	assert_string_equal(rec.error, "quote inside an unquoted field");
	assert_int_equal(csv_next(r, &rec), 1);
	assert_int_equal(rec.line, 3);
	assert_string_equal(rec.error, "text after a closing quote");
	assert_int_equal(csv_next(r, &rec), 1);
	assert_int_equal(rec.line, 4);
	assert_null(rec.error);
	assert_string_equal(rec.f[0], "fine");
	assert_int_equal(csv_next(r, &rec), 1);
	assert_int_equal(rec.line, 5);
	assert_string_equal(rec.error, "quoted field not closed");
	assert_int_equal(csv_next(r, &rec), 0);
	csv_close(r);
	fclose(f);
}

/* Records straddling the 1 MiB buffer, and one record larger than it. */
static void test_csv_refill(void **state)
{
	(void)state;
	size_t cap = 6u << 20, n = 0;
	char *s = malloc(cap);
	assert_non_null(s);
	unsigned rows = 0;
	while (n < (3u << 20)) {
		n += (size_t)sprintf(s + n, "2025-01-01T00:00:00Z,dev%u,energy_kwh,%u.5\n", rows,
		                     rows);
		rows++;
	}
	size_t big_at = n;
	s[n++] = '"';
	memset(s + n, 'x', (3u << 19));
	n += 3u << 19;
	n += (size_t)sprintf(s + n, "\",end\n");
	FILE *f;
	struct csv_reader *r = reader_for(s, n, &f);
	struct csv_record rec;
	for (unsigned i = 0; i < rows; i++) {
		char want[32];
		assert_int_equal(csv_next(r, &rec), 1);
		assert_null(rec.error);
		assert_int_equal(rec.line, i + 1);
		assert_int_equal(rec.n, 4);
		snprintf(want, sizeof(want), "dev%u", i);
		assert_string_equal(rec.f[1], want);
	}
	assert_int_equal(csv_next(r, &rec), 1);
	assert_null(rec.error);
	assert_int_equal(rec.line, rows + 1);
	assert_int_equal(rec.len[0], 3u << 19);
	assert_string_equal(rec.f[1], "end");
	assert_int_equal(csv_next(r, &rec), 0);
	(void)big_at;
	csv_close(r);
	fclose(f);
	free(s);
}

static void test_time(void **state)
{
	(void)state;
	int64_t t;
	time_zone_set("Europe/Berlin");
	assert_null(time_parse_iso8601("2025-01-01T00:00:00Z", TIME_NOZONE_LOCAL, &t));
	assert_true(t == 1735689600000LL);
	assert_null(time_parse_iso8601("2025-01-01T01:00:00+01:00", TIME_NOZONE_LOCAL, &t));
	assert_true(t == 1735689600000LL);
	assert_null(time_parse_iso8601("2025-01-01T05:30:00.5+0530", TIME_NOZONE_LOCAL, &t));
	assert_true(t == 1735689600500LL);
	/* local: CEST is UTC+2 in July, CET UTC+1 in January */
	assert_null(time_parse_iso8601("2025-07-01 12:00", TIME_NOZONE_LOCAL, &t));
	assert_true(t == 1751364000000LL);
	assert_null(time_parse_iso8601("2025-01-01", TIME_NOZONE_LOCAL, &t));
	assert_true(t == 1735689600000LL - 3600000);
	/* 2026-03-29 02:30 does not exist in Berlin; 2026-10-25 02:30 happens twice */
	assert_non_null(strstr(time_parse_iso8601("2026-03-29 02:30", TIME_NOZONE_LOCAL, &t),
	                       "does not exist"));
	assert_non_null(strstr(time_parse_iso8601("2026-10-25T02:30:00", TIME_NOZONE_LOCAL, &t),
	                       "ambiguous"));
	assert_null(time_parse_iso8601("2026-10-25T02:30:00+01:00", TIME_NOZONE_LOCAL, &t));
	assert_true(t == 1792891800000LL);
	assert_non_null(time_parse_iso8601("2025-02-29T00:00:00Z", TIME_NOZONE_LOCAL, &t));
	assert_null(time_parse_iso8601("2024-02-29T00:00:00Z", TIME_NOZONE_LOCAL, &t));
	assert_non_null(time_parse_iso8601("2025-01-01T24:00:00Z", TIME_NOZONE_LOCAL, &t));
	assert_non_null(time_parse_iso8601("1735689600", TIME_NOZONE_LOCAL, &t));
	assert_non_null(time_parse_iso8601("2025-01-01T00:00:00Zjunk", TIME_NOZONE_LOCAL, &t));
	assert_non_null(time_parse_iso8601("", TIME_NOZONE_LOCAL, &t));
	time_zone_set(NULL); /* UTC */
	assert_null(time_parse_iso8601("2025-07-01 12:00", TIME_NOZONE_LOCAL, &t));
	assert_true(t == 1751371200000LL);
}

static void test_units(void **state)
{
	(void)state;
	double m, a;
	assert_int_equal(import_unit_conv("kW", "W", &m, &a), 0);
	assert_true(m == 1000 && a == 0);
	assert_int_equal(import_unit_conv("Wh", "kWh", &m, &a), 0);
	assert_true(m == 1e-3);
	assert_int_equal(import_unit_conv("MWh", "kWh", &m, &a), 0);
	assert_true(m == 1000);
	assert_int_equal(import_unit_conv("F", "C", &m, &a), 0);
	assert_true(fabs(212 * m + a - 100) < 1e-12 && fabs(32 * m + a) < 1e-12);
	assert_int_equal(import_unit_conv("", "kWh", &m, &a), 0);
	assert_true(m == 1 && a == 0);
	assert_int_equal(import_unit_conv("kWh", "W", &m, &a), -EINVAL);
	assert_int_equal(import_unit_conv("furlongs", "C", &m, &a), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_csv_rfc4180), cmocka_unit_test(test_csv_strict_errors),
	        cmocka_unit_test(test_csv_refill),  cmocka_unit_test(test_time),
	        cmocka_unit_test(test_units),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
