/* SPDX-License-Identifier: Apache-2.0 */
/* The import's strict CSV reader (RFC 4180 cases, line numbers, records across buffer
 * refills, NUL bytes, over-long lines, separators), its timestamp parsers (offsets, local time
 * in a DST zone, gaps and repeats, --time-format) and unit conversions, against
 * hand-computed answers; and whole imports of users' files (header names, ';' with decimal
 * commas, values and times that must be rejected, rejections capped). */
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
#include "store/store.h"

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

/* The reader's own rejections: a NUL inside a field (it used to cut "imp1<NUL>x" to
 * "imp1"), and a record longer than the bound, skipped without buffering it. */
static void test_csv_nul_and_long(void **state)
{
	(void)state;
	static const char in[] = "a,b\n"
	                         "imp1\0x,1\n"
	                         "\"q\0\",2\n"
	                         "long,123456789012345678901234567890\n"
	                         "ok,3\n";
	FILE *f;
	struct csv_reader *r = reader_for(in, sizeof(in) - 1, &f);
	csv_close(r);
	rewind(f);
	r = csv_open_opts(fileno(f), &(struct csv_opts){.sep = ',', .max_record = 20});
	struct csv_record rec;
	assert_int_equal(csv_next(r, &rec), 1);
	assert_null(rec.error);
	assert_int_equal(csv_next(r, &rec), 1);
	assert_int_equal(rec.line, 2);
	assert_string_equal(rec.error, "NUL byte in a field");
	assert_int_equal(csv_next(r, &rec), 1);
	assert_int_equal(rec.line, 3);
	assert_string_equal(rec.error, "NUL byte in a field");
	assert_int_equal(csv_next(r, &rec), 1);
	assert_int_equal(rec.line, 4);
	assert_non_null(strstr(rec.error, "longer than 20 bytes"));
	assert_int_equal(csv_next(r, &rec), 1);
	assert_null(rec.error);
	assert_int_equal(rec.line, 5);
	assert_string_equal(rec.f[0], "ok");
	assert_int_equal(csv_next(r, &rec), 0);
	csv_close(r);
	fclose(f);

	/* 8 MiB in one line, bound 64 KiB: rejected, and the line after it is read */
	size_t big = 8u << 20;
	char *s = malloc(big + 64);
	assert_non_null(s);
	size_t n = (size_t)sprintf(s, "a,b\nx,");
	memset(s + n, '7', big);
	n += big;
	n += (size_t)sprintf(s + n, "\ny,2\n");
	r = reader_for(s, n, &f);
	csv_close(r);
	rewind(f);
	r = csv_open_opts(fileno(f), &(struct csv_opts){.sep = 0, .max_record = 65536});
	assert_int_equal(csv_next(r, &rec), 1);
	assert_int_equal(csv_next(r, &rec), 1);
	assert_int_equal(rec.line, 2);
	assert_non_null(rec.error);
	assert_int_equal(csv_next(r, &rec), 1);
	assert_null(rec.error);
	assert_int_equal(rec.line, 3);
	assert_string_equal(rec.f[0], "y");
	assert_int_equal(csv_next(r, &rec), 0);
	csv_close(r);
	fclose(f);
	free(s);
}

/* The separator a spreadsheet locale writes, detected from the header. */
static void test_csv_separator(void **state)
{
	(void)state;
	static const char in[] = "Zeit;Gerät;\"a;b\";Wert\n"
	                         "2025-01-01 00:00;imp1;x;1234,5\n";
	FILE *f;
	struct csv_reader *r = reader_for(in, sizeof(in) - 1, &f);
	csv_close(r);
	rewind(f);
	r = csv_open_opts(fileno(f), &(struct csv_opts){0});
	struct csv_record rec;
	assert_int_equal(csv_next(r, &rec), 1);
	assert_int_equal(csv_separator(r), ';');
	assert_int_equal(rec.n, 4);
	assert_string_equal(rec.f[2], "a;b");
	assert_int_equal(csv_next(r, &rec), 1);
	assert_int_equal(rec.n, 4);
	assert_string_equal(rec.f[3], "1234,5");
	csv_close(r);
	fclose(f);
	static const char tab[] = "time\tdevice\tmetric\tvalue\nt\td\tm\t1,5\n";
	r = reader_for(tab, sizeof(tab) - 1, &f);
	csv_close(r);
	rewind(f);
	r = csv_open_opts(fileno(f), &(struct csv_opts){0});
	assert_int_equal(csv_next(r, &rec), 1);
	assert_int_equal(csv_separator(r), '\t');
	assert_int_equal(rec.n, 4);
	csv_close(r);
	fclose(f);
}

/* Spreadsheet times with --time-format, in site time. */
static void test_time_format(void **state)
{
	(void)state;
	int64_t t;
	time_zone_set("Asia/Shanghai");
	assert_null(time_parse_format("2025/1/1 0:00", "%Y/%m/%d %H:%M", TIME_NOZONE_LOCAL, &t));
	assert_true(t == 1735660800000LL); /* 2024-12-31T16:00:00Z */
	assert_null(time_parse_format("31.12.2025 23:59:59", "%d.%m.%Y %H:%M:%S", TIME_NOZONE_LOCAL,
	                              &t));
	assert_true(t == 1767196799000LL);
	assert_null(time_parse_format("2025/1/1 0:00 +0100", "%Y/%m/%d %H:%M %z", TIME_NOZONE_LOCAL,
	                              &t));
	assert_true(t == 1735686000000LL);
	assert_non_null(
	        time_parse_format("2025/2/30 0:00", "%Y/%m/%d %H:%M", TIME_NOZONE_LOCAL, &t));
	assert_non_null(
	        time_parse_format("1900/1/1 0:00", "%Y/%m/%d %H:%M", TIME_NOZONE_LOCAL, &t));
	assert_non_null(
	        time_parse_format("2025/1/1 0:00x", "%Y/%m/%d %H:%M", TIME_NOZONE_LOCAL, &t));
	time_zone_set("Europe/Berlin");
	assert_non_null(
	        strstr(time_parse_format("2026/3/29 2:30", "%Y/%m/%d %H:%M", TIME_NOZONE_LOCAL, &t),
	               "does not exist"));
	time_zone_set(NULL);
	assert_true(time_ms_in_range(0) && !time_ms_in_range(-1));
	assert_true(time_ms_in_range(TIME_MAX_MS - 1) && !time_ms_in_range(TIME_MAX_MS));
}

/* ---- whole imports (import_run) into a temporary database ---- */

struct imp {
	char dir[64], db[96];
	char out[8192]; /* what was printed for rejected lines */
	struct import_summary sum;
};

static int run_import(struct imp *im, const char *csv, size_t len, struct import_opts *o)
{
	if (!im->dir[0]) {
		snprintf(im->dir, sizeof(im->dir), "/tmp/greendc-imp-XXXXXX");
		assert_non_null(mkdtemp(im->dir));
		snprintf(im->db, sizeof(im->db), "%s/t.db", im->dir);
	}
	FILE *in = tmpfile(), *rej = tmpfile();
	assert_non_null(in);
	assert_non_null(rej);
	assert_int_equal(fwrite(csv, 1, len, in), len);
	fflush(in);
	rewind(in);
	o->dbpath = im->db;
	o->source = "f.csv";
	o->rejects = rej;
	char err[512];
	int rc = import_run(o, fileno(in), &im->sum, err, sizeof(err));
	if (rc < 0)
		snprintf(im->out, sizeof(im->out), "error: %s", err);
	else {
		rewind(rej);
		size_t n = fread(im->out, 1, sizeof(im->out) - 1, rej);
		im->out[n] = '\0';
	}
	fclose(in);
	fclose(rej);
	return rc;
}

static void imp_free(struct imp *im)
{
	char p[160];
	const char *suffix[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", im->db, suffix[i]);
		unlink(p);
	}
	rmdir(im->dir);
}

#define IMPORT(im, text, ...)                                                                      \
	run_import(im, text, sizeof(text) - 1, &(struct import_opts){__VA_ARGS__})

/* Header names users' files have: time, timestamp, datetime, ts (any case), or --columns. */
static void test_import_headers(void **state)
{
	(void)state;
	struct imp im = {0};
	static const char *const heads[] = {"time", "Timestamp", "DATETIME", " ts "};
	for (size_t i = 0; i < 4; i++) {
		char csv[256];
		int n = snprintf(csv, sizeof(csv),
		                 "%s,device,metric,value\n2025-01-01T00:00:00Z,d1,power_w,1\n",
		                 heads[i]);
		assert_int_equal(
		        run_import(&im, csv, (size_t)n, &(struct import_opts){.dry_run = 1}), 0);
		assert_int_equal(im.sum.rows_written, 1);
	}
	/* two columns could be the time: say which */
	assert_int_equal(IMPORT(&im, "time,timestamp,device,metric,value\n", .dry_run = 1),
	                 -EINVAL);
	assert_non_null(strstr(im.out, "--columns timestamp=HEADER"));
	assert_int_equal(IMPORT(&im, "Zeit,Gerät,Größe,Wert\n2025-01-01T00:00:00Z,d1,power_w,1\n",
	                        .dry_run = 1,
	                        .columns = "timestamp=Zeit,device=Gerät,metric=Größe,value=Wert"),
	                 0);
	assert_int_equal(im.sum.rows_written, 1);
	assert_int_equal(IMPORT(&im, "a,b\n", .dry_run = 1, .columns = "timestamp=x"), -EINVAL);
	assert_int_equal(IMPORT(&im, "a,b\n", .dry_run = 1, .columns = "when=a"), -EINVAL);
	imp_free(&im);
}

struct got {
	double v[8];
	int64_t ts[8];
	size_t n;
};

static int got_cb(void *ctx, int64_t ts, double v)
{
	struct got *g = ctx;
	if (g->n < 8) {
		g->ts[g->n] = ts;
		g->v[g->n] = v;
	}
	g->n++;
	return 0;
}

static int first_series(void *ctx, const struct store_series_info *i)
{
	*(int64_t *)ctx = i->id;
	return 1;
}

/* ';' separators with decimal commas, and local times as a spreadsheet writes them. */
static void test_import_locale(void **state)
{
	(void)state;
	struct imp im = {0};
	time_zone_set(NULL);
	assert_int_equal(IMPORT(&im,
	                        "Zeit;device;metric;value\n"
	                        "2025/1/1 0:00;d1;power_w;1234,5\n"
	                        "2025/1/1 13:05;d1;power_w;-0,25\n"
	                        "2025/1/2 0:00;d1;power_w;7\n",
	                        .columns = "timestamp=Zeit", .tz = "Asia/Shanghai",
	                        .time_format = "%Y/%m/%d %H:%M"),
	                 0);
	assert_int_equal(im.sum.rows_written, 3);
	char err[256];
	struct store_reader *r = store_reader_open(im.db, err, sizeof(err));
	assert_non_null(r);
	int64_t id = 0;
	assert_true(store_series_find(r, NULL, first_series, &id) >= 0);
	struct got g = {0};
	assert_true(store_read_raw(r, id, 0, INT64_MAX / 2, got_cb, &g) >= 0);
	assert_int_equal(g.n, 3);
	assert_true(g.v[0] == 1234.5 && g.v[1] == -0.25 && g.v[2] == 7);
	assert_true(g.ts[0] == 1735660800000LL &&
	            g.ts[1] == 1735660800000LL + 13 * 3600000LL + 5 * 60000);
	store_reader_close(r);
	/* "1.234,5" is ambiguous; with --decimal . a comma is not a decimal mark */
	assert_int_equal(IMPORT(&im, "time;device;metric;value\n2025-01-03;d1;power_w;1.234,5\n"),
	                 1);
	assert_non_null(strstr(im.out, "f.csv:2: non-numeric value: both"));
	assert_int_equal(IMPORT(&im, "time;device;metric;value\n2025-01-03;d1;power_w;1,5\n",
	                        .decimal = '.'),
	                 1);
	imp_free(&im);
}

/* Issue 20 item 6: values and times that used to be stored as something else. Each line is
 * rejected with its number, and nothing is written. */
static void test_import_rejects_bad_values(void **state)
{
	(void)state;
	struct imp im = {0};
	time_zone_set(NULL);
	static const char csv[] = "timestamp,device,metric,value\n"
	                          "2025-01-01T00:00:00Z,imp1\0x,power_w,1\n" /* 2 */
	                          "2025-01-01T00:00:00Z,imp1,energy_kwh,110\n"
	                          "2025-01-01T01:00:00Z,imp1,energy_kwh,-5\n"  /* 4 */
	                          "2025-01-01T02:00:00Z,imp1,power_w,0x10\n"   /* 5 */
	                          "2025-01-01T03:00:00Z,imp1,power_w,1e308\n"  /* 6 */
	                          "2025-01-01T04:00:00Z,imp1,power_w,inf\n"    /* 7 */
	                          "2025-01-01T05:00:00Z,imp1,power_w,nan\n"    /* 8 */
	                          "2025-01-01T06:00:00Z,imp1,power_w, 5\n"     /* 9 */
	                          "1900-01-01,imp1,power_w,1\n"                /* 10 */
	                          "1970-01-01T00:00:00+08:00,imp1,power_w,1\n" /* 11 */
	                          "2025-01-01T07:00:00Z,imp1,power_w,1.5e3\n";
	assert_int_equal(run_import(&im, csv, sizeof(csv) - 1, &(struct import_opts){0}), 1);
	assert_int_equal(im.sum.rows_rejected, 9);
	assert_int_equal(im.sum.rows_written, 0);
	static const char *const want[] = {
	        "f.csv:2: malformed CSV: NUL byte", "f.csv:4: negative reading for a counter",
	        "f.csv:5: non-numeric value",       "f.csv:6: value out of range",
	        "f.csv:7: non-numeric value",       "f.csv:8: non-numeric value",
	        "f.csv:9: non-numeric value",       "f.csv:10: unparseable time",
	        "f.csv:11: time outside 1970",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(im.out, want[i]))
			fail_msg("missing \"%s\" in:\n%s", want[i], im.out);
	assert_int_equal(access(im.db, F_OK), -1); /* nothing half-imported */
	/* with --interval-end, 1970-01-01T00:00:00Z is 1 ms before 1970 */
	assert_int_equal(IMPORT(&im,
	                        "timestamp,device,metric,value\n1970-01-01T00:00:00Z,d,power_w,1\n",
	                        .interval_end = true),
	                 1);
	imp_free(&im);
}

/* A million rejected lines cost 20 lines and one count per kind (issue 13 item 4). */
static void test_import_rejects_capped(void **state)
{
	(void)state;
	struct imp im = {0};
	size_t cap = 1 << 20, n = 0;
	char *csv = malloc(cap);
	assert_non_null(csv);
	n += (size_t)sprintf(csv, "timestamp,device,metric,value\n");
	for (int i = 0; i < 5000; i++)
		n += (size_t)sprintf(csv + n, "2025-01-01T00:00:00Z,d%d,nosuch_metric,1\n", i);
	n += (size_t)sprintf(csv + n, "2025-01-01T00:00:00Z,d1,power_w,x\n");
	struct import_opts o = {0};
	assert_int_equal(run_import(&im, csv, n, &o), 1);
	assert_int_equal(im.sum.rows_rejected, 5001);
	size_t lines = 0;
	for (const char *p = im.out; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, IMPORT_SHOWN_REJECTS + 3);
	assert_non_null(strstr(im.out, "f.csv:21: unknown metric"));
	assert_null(strstr(im.out, "f.csv:22:"));
	assert_non_null(strstr(im.out, "f.csv: 4981 more rejected lines not shown, by kind:"));
	assert_non_null(strstr(im.out, "f.csv:   4980 x unknown metric"));
	assert_non_null(strstr(im.out, "(first at line 22)"));
	assert_non_null(
	        strstr(im.out, "f.csv:   1 x non-numeric value: \"x\" (first at line 5002)"));
	free(csv);
	imp_free(&im);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_csv_rfc4180),
	        cmocka_unit_test(test_csv_strict_errors),
	        cmocka_unit_test(test_csv_refill),
	        cmocka_unit_test(test_time),
	        cmocka_unit_test(test_units),
	        cmocka_unit_test(test_csv_nul_and_long),
	        cmocka_unit_test(test_csv_separator),
	        cmocka_unit_test(test_time_format),
	        cmocka_unit_test(test_import_headers),
	        cmocka_unit_test(test_import_locale),
	        cmocka_unit_test(test_import_rejects_bad_values),
	        cmocka_unit_test(test_import_rejects_capped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
