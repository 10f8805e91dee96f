/* SPDX-License-Identifier: Apache-2.0 */
/* The core modules every layer shares: integer parsing (decimal only; YAML 1.2 for config),
 * the time module (ISO 8601 round trips, the CLI grammar, site-time units across DST), the
 * label codec, the capped text buffer, and the one secret-file reader against every kind of
 * file it must refuse (FIFO, directory, symlink, empty, oversized, group/other-readable). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/labels.h"
#include "core/sbuf.h"
#include "core/secretfile.h"
#include "core/timeutil.h"
#include "core/util.h"

static void test_parse_int_decimal_only(void **state)
{
	long long v;
	(void)state;
	assert_true(util_parse_int("010", &v));
	assert_int_equal(v, 10);
	assert_true(util_parse_int("022471", &v));
	assert_int_equal(v, 22471);
	assert_true(util_parse_int("-7", &v));
	assert_int_equal(v, -7);
	assert_false(util_parse_int("0x10", &v));
	assert_false(util_parse_int(" 5", &v));
	assert_false(util_parse_int("5 ", &v));
	assert_false(util_parse_int("", &v));
	assert_false(util_parse_int("+", &v));
	assert_false(util_parse_int("99999999999999999999", &v));
	/* YAML 1.2: decimal with leading zeros, 0x hex, 0o octal; not YAML 1.1's 010 octal. */
	assert_true(util_parse_yaml_int("010", &v));
	assert_int_equal(v, 10);
	assert_true(util_parse_yaml_int("0x0BF3", &v));
	assert_int_equal(v, 0x0BF3);
	assert_true(util_parse_yaml_int("0o17", &v));
	assert_int_equal(v, 15);
	assert_false(util_parse_yaml_int("0x", &v));
	assert_false(util_parse_yaml_int("0o8", &v));
	assert_false(util_parse_yaml_int("1_000", &v));
}

static void test_time_iso8601(void **state)
{
	int64_t t;
	char buf[40];
	(void)state;
	time_zone_set("UTC");
	assert_null(time_parse_iso8601("2026-10-01T12:00:00Z", TIME_NOZONE_UTC, &t));
	assert_int_equal(t, INT64_C(1790856000000));
	time_format_utc(t, buf, sizeof(buf));
	assert_string_equal(buf, "2026-10-01T12:00:00Z");
	assert_null(time_parse_iso8601("2026-10-01T20:00:00.250+08:00", TIME_NOZONE_UTC, &t));
	time_format_utc_ms(t, buf, sizeof(buf));
	assert_string_equal(buf, "2026-10-01T12:00:00.250Z");
	time_format_utc(-1, buf, sizeof(buf)); /* rounds down, not toward zero */
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
	assert_non_null(time_parse_iso8601("1900-01-01", TIME_NOZONE_UTC, &t));
	assert_non_null(time_parse_iso8601("2026-02-29", TIME_NOZONE_UTC, &t));
	assert_non_null(time_parse_iso8601(" 2026-01-01", TIME_NOZONE_UTC, &t));
	assert_non_null(time_parse_iso8601("+2026-01-01", TIME_NOZONE_UTC, &t));
	/* The CLI grammar: relative times and durations. */
	assert_int_equal(time_parse("-1h", 7200000, &t), 0);
	assert_int_equal(t, 3600000);
	assert_int_equal(time_parse("now", 5, &t), 0);
	assert_int_equal(t, 5);
	assert_int_equal(time_parse("yesterday", 5, &t), -EINVAL);
	assert_int_equal(time_parse_duration("0s", &t), -EINVAL);
}

static void test_time_site_units(void **state)
{
	int64_t from, to, t;
	enum time_unit u;
	char buf[64];
	(void)state;
	time_zone_set("Asia/Shanghai");
	assert_int_equal(time_period_parse("2026-10", &from, &to, &u), 0);
	assert_int_equal(u, TIME_MONTH);
	time_format_utc(from, buf, sizeof(buf));
	assert_string_equal(buf, "2026-09-30T16:00:00Z");
	time_format_utc(to, buf, sizeof(buf));
	assert_string_equal(buf, "2026-10-31T16:00:00Z");
	time_format_local(from, buf, sizeof(buf));
	assert_string_equal(buf, "2026-10-01 00:00");
	time_format_zone(from, buf, sizeof(buf));
	assert_string_equal(buf, "Asia/Shanghai, UTC+08:00");
	assert_int_equal(time_period_parse("2026-02-31", &from, &to, &u), -EINVAL);
	/* Local times without a zone: site time. */
	assert_null(time_parse_iso8601("2026-10-01 08:00", TIME_NOZONE_LOCAL, &t));
	time_format_utc(t, buf, sizeof(buf));
	assert_string_equal(buf, "2026-10-01T00:00:00Z");
	/* Europe/Berlin: the October day of the DST change has 25 hours, the gap and the
	 * repeated hour are refused without an offset. */
	time_zone_set("Europe/Berlin");
	assert_int_equal(time_period_parse("2026-10-25", &from, &to, &u), 0);
	assert_int_equal(to - from, INT64_C(25) * 3600000);
	assert_int_equal(time_local_next(from, TIME_HOUR) - from, 3600000);
	assert_non_null(time_parse_iso8601("2026-03-29 02:30", TIME_NOZONE_LOCAL, &t));
	assert_non_null(time_parse_iso8601("2026-10-25 02:30", TIME_NOZONE_LOCAL, &t));
	time_zone_set(NULL);
	assert_string_equal(time_zone_name(), "UTC");
}

static void collect(void *ctx, const char *k, const char *v)
{
	char *buf = ctx;
	strcat(buf, k);
	strcat(buf, "|");
	strcat(buf, v);
	strcat(buf, ";");
}

static void test_labels(void **state)
{
	const char *k[] = {"phase", "feed", "x"}, *v[] = {"L1", "A,B", "a=b\\c"};
	char buf[128], got[256] = "";
	(void)state;
	size_t n = labels_canon(k, v, 3, buf, sizeof(buf));
	assert_string_equal(buf, "feed=A\\,B,phase=L1,x=a\\=b\\\\c");
	assert_int_equal(n, strlen(buf));
	assert_int_equal(labels_each(buf, ",", collect, got), 0);
	assert_string_equal(got, "feed|A,B;phase|L1;x|a=b\\c;");
	assert_true(labels_get(buf, "phase", got, sizeof(got)));
	assert_string_equal(got, "L1");
	assert_false(labels_get(buf, "hall", got, sizeof(got)));
	/* User text: ';' separates too, keys are sorted, malformed text is refused. */
	assert_int_equal(labels_canon_text("z=1;a=2", ",;", buf, sizeof(buf)), 7);
	assert_string_equal(buf, "a=2,z=1");
	assert_int_equal(labels_canon_text("novalue", ",;", buf, sizeof(buf)), -1);
	assert_int_equal(labels_canon_text("=v", ",;", buf, sizeof(buf)), -1);
}

static void test_sbuf_html(void **state)
{
	(void)state;
	struct sbuf b = {0};
	sbuf_put_html(&b, "<a href=\"x\">Tom's & Jerry's</a>");
	sbuf_put_html(&b, NULL);
	assert_string_equal(b.s,
	                    "&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; Jerry&#39;s&lt;/a&gt;");
	sbuf_free(&b);
}

static void test_sbuf_cap(void **state)
{
	struct sbuf b = {.max = 64};
	(void)state;
	sbuf_puts(&b, "0123456789");
	assert_false(b.oom);
	for (int i = 0; i < 10; i++)
		sbuf_puts(&b, "0123456789");
	assert_true(b.oom);
	assert_true(b.len < 64);
	sbuf_free(&b);
	assert_int_equal(b.max, 64);
	sbuf_free(NULL);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_secretfile(void **state)
{
	char dir[] = "/tmp/greendc-secret-XXXXXX", p[256], buf[64], err[256];
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/ok", dir);
	write_file(p, "whsec_abc \nsecond\n", 0600);
	assert_int_equal(secretfile_read_line(p, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, "whsec_abc");
	chmod(p, 0640);
	assert_int_equal(secretfile_read_line(p, buf, sizeof(buf), err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "0640"));
	/* A FIFO must not block (O_NONBLOCK) and is refused as not a regular file. */
	snprintf(p, sizeof(p), "%s/fifo", dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(secretfile_read(p, buf, sizeof(buf), NULL, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "not a regular file"));
	unlink(p);
	snprintf(p, sizeof(p), "%s/sub", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_true(secretfile_read(p, buf, sizeof(buf), NULL, err, sizeof(err)) < 0);
	rmdir(p);
	char target[256];
	snprintf(target, sizeof(target), "%s/ok", dir);
	chmod(target, 0600);
	snprintf(p, sizeof(p), "%s/link", dir);
	assert_int_equal(symlink(target, p), 0);
	assert_int_equal(secretfile_read(p, buf, sizeof(buf), NULL, err, sizeof(err)), -ELOOP);
	assert_non_null(strstr(err, "symbolic link"));
	unlink(p);
	snprintf(p, sizeof(p), "%s/empty", dir);
	write_file(p, "", 0600);
	assert_int_equal(secretfile_read(p, buf, sizeof(buf), NULL, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "empty"));
	unlink(p);
	snprintf(p, sizeof(p), "%s/blank", dir);
	write_file(p, "\n", 0600);
	assert_int_equal(secretfile_read_line(p, buf, sizeof(buf), err, sizeof(err)), -EINVAL);
	unlink(p);
	snprintf(p, sizeof(p), "%s/big", dir);
	char big[200];
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	write_file(p, big, 0400);
	assert_int_equal(secretfile_read(p, buf, sizeof(buf), NULL, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "larger than"));
	assert_int_equal(secretfile_check(p, 1024, err, sizeof(err)), 0);
	unlink(p);
	unlink(target);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_parse_int_decimal_only),
	        cmocka_unit_test(test_time_iso8601),
	        cmocka_unit_test(test_time_site_units),
	        cmocka_unit_test(test_labels),
	        cmocka_unit_test(test_sbuf_html),
	        cmocka_unit_test(test_sbuf_cap),
	        cmocka_unit_test(test_secretfile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
