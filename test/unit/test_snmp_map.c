/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for drivers/snmp_map.c: OID parsing, profile keys and their errors with lines,
 * options and USM checks, the secrets file, value mapping (types, exceptions, sentinels,
 * decimal digits) and table index labels. Known answers are worked out by hand from the
 * recordings in test/devices/snmprec/ (e.g. Raritan 7467 with 3 digits is 7.467 A).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "../../drivers/snmp_map.h"

static void test_oid_parse(void **unused)
{
	struct smap_oid o;
	char buf[64];
	(void)unused;

	assert_int_equal(smap_oid_parse("1.3.6.1.2.1.1.3.0", &o), 0);
	assert_int_equal(o.len, 9);
	assert_int_equal(o.id[8], 0);
	assert_int_equal(smap_oid_parse(".1.3.6.1.4.1.13742.4294967295", &o), 0);
	assert_int_equal(o.id[7], 4294967295UL);
	assert_int_equal(smap_oid_format(&o, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1.3.6.1.4.1.13742.4294967295");
	assert_int_equal(smap_oid_format(&o, buf, 10), -ENOSPC);
	const char *bad[] = {"",
	                     "1",
	                     "3.1",
	                     "1..3",
	                     "1.3.",
	                     "1.3.x",
	                     "1.3.4294967296",
	                     "1.3 .6",
	                     "-1.3",
	                     "1.3.6.1.2.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1."
	                     "1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1."
	                     "1.1.1.1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(smap_oid_parse(bad[i], &o), -EINVAL);
}

static void test_oid_cmp_prefix(void **unused)
{
	struct smap_oid col;
	unsigned long a[] = {1, 3, 6, 1, 5}, b[] = {1, 3, 6, 2};
	(void)unused;

	assert_int_equal(smap_oid_parse("1.3.6.1", &col), 0);
	assert_true(smap_oid_has_prefix(a, 5, &col));
	assert_false(smap_oid_has_prefix(a, 4, &col)); /* the column itself is not a row */
	assert_false(smap_oid_has_prefix(b, 4, &col));
	assert_true(smap_oid_cmp(a, 5, b, 4) < 0);
	assert_true(smap_oid_cmp(a, 4, a, 5) < 0);
	assert_int_equal(smap_oid_cmp(a, 5, a, 5), 0);
}

#define PT(...) ((struct gdc_attr[]){__VA_ARGS__})
static int parse_point(const struct gdc_attr *attrs, size_t n, struct smap_point *out, char *err,
                       int *line)
{
	struct gdc_point p = {
	        .metric = "power_w", .scale = 1, .attrs = attrs, .nattrs = n, .line = 7};
	return smap_point_parse(&p, out, err, 256, line);
}

static void test_point_keys(void **unused)
{
	struct smap_point sp;
	char err[256];
	int line;
	(void)unused;

	struct gdc_attr raritan[] = {{"column", "1.3.6.1.4.1.13742.6.5.4.3.1.4", 10},
	                             {"index_labels", "_, outlet", 11},
	                             {"index_suffix", "5", 12},
	                             {"digits_column", "1.3.6.1.4.1.13742.6.3.5.4.1.7", 13}};
	assert_int_equal(parse_point(raritan, 4, &sp, err, &line), 0);
	assert_true(sp.table);
	assert_int_equal(sp.nindex, 2);
	assert_string_equal(sp.index_labels[0], "_");
	assert_string_equal(sp.index_labels[1], "outlet");
	assert_int_equal(sp.suffix.len, 1);
	assert_int_equal(sp.suffix.id[0], 5);
	assert_true(sp.has_digits);

	struct gdc_attr skip[] = {{"oid", "1.3.6.1.4.1.318.1.1.10.4.2.3.1.6.0.2", 3},
	                          {"skip_values", "-1, 2147483647", 4},
	                          {"type", "string", 5}};
	assert_int_equal(parse_point(skip, 3, &sp, err, &line), 0);
	assert_false(sp.table);
	assert_int_equal(sp.nskip, 2);
	assert_true(sp.skip[0] == -1 && sp.skip[1] == 2147483647.0);
	assert_int_equal(sp.want, SMAP_WANT_STRING);

	/* Errors name the key and its line. */
	struct {
		struct gdc_attr a[2];
		size_t n;
		int line;
		const char *msg;
	} bad[] = {
	        {{{"register", "3", 20}}, 1, 20, "register: unknown key"},
	        {{{"oid", "1.3.x", 21}}, 1, 21, "oid: expected a numeric OID"},
	        {{{"oid", "1.3.6", 22}, {"column", "1.3.7", 23}},
	         2,
	         7,
	         "oid: a point needs exactly one"},
	        {{{"column", "1.3.6", 24}}, 1, 24, "index_labels: required"},
	        {{{"oid", "1.3.6", 25}, {"index_labels", "phase", 26}},
	         2,
	         26,
	         "index_labels: only for table"},
	        {{{"column", "1.3.6", 27}, {"index_labels", "a,,b", 28}},
	         2,
	         28,
	         "index_labels: expected"},
	        {{{"oid", "1.3.6", 29}, {"skip_values", "-1,x", 30}},
	         2,
	         30,
	         "skip_values: expected"},
	        {{{"oid", "1.3.6", 31}, {"type", "float", 32}},
	         2,
	         32,
	         "type: expected number or string"},
	        {{{"column", "1.3.6", 33}, {"digits_oid", "1.3.6.9", 34}},
	         2,
	         34,
	         "digits_oid: a table point"},
	        {{{"oid", "1.3.6", 35}}, 0, 7, "oid: a point needs exactly one"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse_point(bad[i].a, bad[i].n, &sp, err, &line), -EINVAL);
		assert_int_equal(line, bad[i].line);
		assert_non_null(strstr(err, bad[i].msg));
	}
}

static int parse_opts(const char *addr, struct gdc_attr *o, size_t n, struct smap_opts *out,
                      char *err, int *line)
{
	struct gdc_device d = {.name = "x", .address = addr, .options = o, .noptions = n};
	return smap_opts_parse(&d, out, err, 256, line);
}

static void test_options(void **unused)
{
	struct smap_opts o;
	char err[256];
	int line;
	(void)unused;

	assert_int_equal(parse_opts("udp:10.0.0.5", NULL, 0, &o, err, &line), 0);
	assert_string_equal(o.peer, "udp:10.0.0.5:161");
	assert_int_equal(o.version, SMAP_V2C);
	assert_string_equal(o.community, "public");
	assert_int_equal(o.max_varbinds, 20);
	assert_int_equal(o.bulk_reps, 10);
	assert_int_equal(parse_opts("udp:[::1]:1161", NULL, 0, &o, err, &line), 0);
	assert_string_equal(o.peer, "udp:[::1]:1161");

	struct gdc_attr q[] = {{"community", "apc_emu", 1},
	                       {"max_varbinds", "5", 2},
	                       {"max_repetitions", "25", 3},
	                       {"no_getbulk", "true", 4},
	                       {"version", "1", 5}};
	assert_int_equal(parse_opts("udp:h:16161", q, 5, &o, err, &line), 0);
	assert_string_equal(o.community, "apc_emu");
	assert_int_equal(o.max_varbinds, 5);
	assert_int_equal(o.bulk_reps, 25);
	assert_true(o.no_getbulk);
	assert_int_equal(o.version, SMAP_V1);

	struct gdc_attr v3[] = {{"version", "3", 1},
	                        {"security_name", "gdc", 2},
	                        {"auth_protocol", "SHA-256", 3},
	                        {"priv_protocol", "AES", 4},
	                        {"security_level", "authPriv", 5},
	                        {"secrets_file", "/etc/s", 6}};
	assert_int_equal(parse_opts("udp:h", v3, 6, &o, err, &line), 0);
	assert_int_equal(o.auth, SMAP_AUTH_SHA256);
	assert_int_equal(o.priv, SMAP_PRIV_AES);
	/* authPriv without a privacy protocol */
	assert_int_equal(parse_opts("udp:h", (struct gdc_attr[]){v3[0], v3[1], v3[2], v3[4], v3[5]},
	                            5, &o, err, &line),
	                 -EINVAL);
	assert_int_equal(line, 5);
	assert_non_null(strstr(err, "authPriv needs priv_protocol"));
	/* USM options with v2c */
	assert_int_equal(parse_opts("udp:h", (struct gdc_attr[]){v3[1]}, 1, &o, err, &line),
	                 -EINVAL);
	assert_non_null(strstr(err, "version 3") ? strstr(err, "version 3")
	                                         : strstr(err, "version: 3"));

	const char *addrs[] = {"tcp://h:161", "udp:",    "udp:h:0",
	                       "udp:h:70000", "udp:h:x", "udp:a b"};
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		assert_int_equal(parse_opts(addrs[i], NULL, 0, &o, err, &line), -EINVAL);
		assert_non_null(strstr(err, "address:"));
	}
	struct gdc_attr badv[] = {{"max_varbinds", "0", 9},
	                          {"auth_protocol", "MD5", 10},
	                          {"version", "2", 11},
	                          {"timeout_s", "3", 12}};
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(parse_opts("udp:h", &badv[i], 1, &o, err, &line), -EINVAL);
		assert_int_equal(line, badv[i].line);
		assert_non_null(strstr(err, badv[i].key));
	}
}

static void test_secrets(void **unused)
{
	char a[64], p[64], err[256];
	(void)unused;

	assert_int_equal(smap_secrets_parse("# greendc\nauth_key: s3cret-auth\n\n  priv_key:   "
	                                    "s3cret-priv  \n",
	                                    a, sizeof(a), p, sizeof(p), err, sizeof(err)),
	                 0);
	assert_string_equal(a, "s3cret-auth");
	assert_string_equal(p, "s3cret-priv");
	/* Errors name the line, never the value. */
	assert_int_equal(smap_secrets_parse("auth_key: short7!\n", a, sizeof(a), p, sizeof(p), err,
	                                    sizeof(err)),
	                 -EINVAL);
	assert_null(strstr(err, "short7"));
	assert_non_null(strstr(err, "line 1"));
	assert_int_equal(smap_secrets_parse("auth_key: longenough\nuser: topsecret1\n", a,
	                                    sizeof(a), p, sizeof(p), err, sizeof(err)),
	                 -EINVAL);
	assert_null(strstr(err, "topsecret1"));
	assert_non_null(strstr(err, "line 2"));
	assert_int_equal(smap_secrets_parse("auth_key longenough\n", a, sizeof(a), p, sizeof(p),
	                                    err, sizeof(err)),
	                 -EINVAL);
	assert_null(strstr(err, "longenough"));
}

static void test_values(void **unused)
{
	struct smap_point sp = {0};
	struct smap_raw r = {0}, d = {0};
	char err[256];
	double v = 0;
	(void)unused;

	/* APC rPDU2DeviceStatusPower 117 hundredths of kW = 1170 W */
	r.type = SMAP_R_INT;
	r.i = 117;
	assert_int_equal(smap_value(&sp, &r, NULL, 10, 0, &v, err, sizeof(err)), 0);
	assert_true(v == 1170);
	/* Gauge32 above 2^31 stays unsigned */
	r.type = SMAP_R_UNSIGNED;
	r.u = 4294967295u;
	assert_int_equal(smap_value(&sp, &r, NULL, 1, 0, &v, err, sizeof(err)), 0);
	assert_true(v == 4294967295.0);
	r.type = SMAP_R_COUNTER64;
	r.u = 18446744073709551615u;
	assert_int_equal(smap_value(&sp, &r, NULL, 1, 0, &v, err, sizeof(err)), 0);
	assert_true(v == 18446744073709551615.0);
	/* Raritan: 7467 with 3 decimal digits = 7.467; 74057676 Wh with 0 digits, scale 0.001 */
	sp.has_digits = true;
	r.type = SMAP_R_UNSIGNED;
	r.u = 7467;
	d.type = SMAP_R_UNSIGNED;
	d.u = 3;
	assert_int_equal(smap_value(&sp, &r, &d, 1, 0, &v, err, sizeof(err)), 0);
	assert_true(fabs(v - 7.467) < 1e-12);
	r.u = 74057676;
	d.u = 0;
	assert_int_equal(smap_value(&sp, &r, &d, 0.001, 0, &v, err, sizeof(err)), 0);
	assert_true(fabs(v - 74057.676) < 1e-9);
	d.u = 10;
	assert_int_equal(smap_value(&sp, &r, &d, 1, 0, &v, err, sizeof(err)), -GDC_EBADRESP);
	d.type = SMAP_R_NOSUCHINSTANCE;
	assert_int_equal(smap_value(&sp, &r, &d, 1, 0, &v, err, sizeof(err)), SMAP_ABSENT);
	assert_int_equal(smap_value(&sp, &r, NULL, 1, 0, &v, err, sizeof(err)), SMAP_ABSENT);
	sp.has_digits = false;
	/* Exceptions are absent values, never data */
	enum smap_raw_type ex[] = {SMAP_R_NOSUCHOBJECT, SMAP_R_NOSUCHINSTANCE, SMAP_R_ENDOFMIBVIEW,
	                           SMAP_R_MISSING};
	for (size_t i = 0; i < 4; i++) {
		r.type = ex[i];
		v = 42;
		assert_int_equal(smap_value(&sp, &r, NULL, 1, 0, &v, err, sizeof(err)),
		                 SMAP_ABSENT);
		assert_true(v == 42);
	}
	/* APC EMU humidity -1 = no probe */
	sp.skip[0] = -1;
	sp.nskip = 1;
	r.type = SMAP_R_INT;
	r.i = -1;
	assert_int_equal(smap_value(&sp, &r, NULL, 1, 0, &v, err, sizeof(err)), SMAP_SKIPPED);
	r.i = 38;
	assert_int_equal(smap_value(&sp, &r, NULL, 0.5, 1, &v, err, sizeof(err)), 0);
	assert_true(v == 20);
	/* Strings only with type: string */
	r.type = SMAP_R_STRING;
	strcpy(r.s, " 21.5 ");
	assert_int_equal(smap_value(&sp, &r, NULL, 1, 0, &v, err, sizeof(err)), -GDC_EBADRESP);
	sp.want = SMAP_WANT_STRING;
	assert_int_equal(smap_value(&sp, &r, NULL, 1, 0, &v, err, sizeof(err)), 0);
	assert_true(v == 21.5);
	strcpy(r.s, "21.5C");
	assert_int_equal(smap_value(&sp, &r, NULL, 1, 0, &v, err, sizeof(err)), -GDC_EBADRESP);
	r.type = SMAP_R_INT;
	assert_int_equal(smap_value(&sp, &r, NULL, 1, 0, &v, err, sizeof(err)), -GDC_EBADRESP);
	sp.want = SMAP_WANT_NUMBER;
	r.type = SMAP_R_OTHER;
	assert_int_equal(smap_value(&sp, &r, NULL, 1, 0, &v, err, sizeof(err)), -GDC_EBADRESP);
}

static void test_index_labels(void **unused)
{
	struct smap_point sp;
	char err[256], vals[SMAP_MAX_INDEX][SMAP_LABEL_LEN];
	struct gdc_label l[SMAP_MAX_INDEX];
	int line;
	(void)unused;

	/* Eaton inputWatts.0.1.1: strapping 0, input 1, phase 1 */
	struct gdc_attr eaton[] = {{"column", "1.3.6.1.4.1.534.6.6.7.3.4.1.4", 1},
	                           {"index_labels", "unit,_,phase", 2}};
	assert_int_equal(parse_point(eaton, 2, &sp, err, &line), 0);
	unsigned long idx[] = {0, 1, 3};
	assert_int_equal(smap_index_labels(&sp, idx, 3, vals, l), 2);
	assert_string_equal(l[0].key, "unit");
	assert_string_equal(l[0].value, "0");
	assert_string_equal(l[1].key, "phase");
	assert_string_equal(l[1].value, "3");
	assert_int_equal(smap_index_labels(&sp, idx, 2, vals, l), -GDC_EBADRESP);

	/* Raritan outlet sensor pdu.outlet.type, keep type 5 only */
	struct gdc_attr rar[] = {{"column", "1.3.6.1.4.1.13742.6.5.4.3.1.4", 1},
	                         {"index_labels", "_,outlet", 2},
	                         {"index_suffix", "5", 3}};
	assert_int_equal(parse_point(rar, 3, &sp, err, &line), 0);
	unsigned long r5[] = {1, 24, 5}, r8[] = {1, 24, 8};
	assert_int_equal(smap_index_labels(&sp, r5, 3, vals, l), 1);
	assert_string_equal(l[0].key, "outlet");
	assert_string_equal(l[0].value, "24");
	assert_int_equal(smap_index_labels(&sp, r8, 3, vals, l), -ENOENT);
	assert_int_equal(smap_index_labels(&sp, r5, 0, vals, l), -ENOENT);
}

/* Dell iDRAC amperageProbeTable: keep the rows whose amperageProbeType (.7) is systemWatts
 * (26), whatever their position in the table; a power-supply current row (type 23) is not
 * taken for watts. */
static void test_select_rows(void **unused)
{
	struct smap_point sp;
	char err[256];
	int line;
	(void)unused;

	struct gdc_attr idrac[] = {{"column", "1.3.6.1.4.1.674.10892.5.4.600.30.1.6", 1},
	                           {"index_labels", "_, _", 2},
	                           {"select_column", "1.3.6.1.4.1.674.10892.5.4.600.30.1.7", 3},
	                           {"select_value", "26", 4}};
	assert_int_equal(parse_point(idrac, 4, &sp, err, &line), 0);
	assert_true(sp.has_select);
	assert_int_equal(sp.select.len, 14);
	assert_int_equal(sp.select.id[13], 7);
	struct smap_raw watts = {.type = SMAP_R_INT, .i = 26};
	struct smap_raw amps = {.type = SMAP_R_INT, .i = 23};
	struct smap_raw gauge = {.type = SMAP_R_UNSIGNED, .u = 26};
	struct smap_raw text = {.type = SMAP_R_STRING, .s = "26W"};
	struct smap_raw none = {.type = SMAP_R_NOSUCHINSTANCE};
	assert_true(smap_row_selected(&sp, &watts));
	assert_true(smap_row_selected(&sp, &gauge));
	assert_false(smap_row_selected(&sp, &amps));
	assert_false(smap_row_selected(&sp, &text));
	assert_false(smap_row_selected(&sp, &none));
	assert_false(smap_row_selected(&sp, NULL));

	/* Inlet temperature: temperatureProbeLocationName (.8) is text; a number compares
	 * with numbers only, a text with OCTET STRINGs only, and exactly. */
	struct gdc_attr inlet[] = {{"column", "1.3.6.1.4.1.674.10892.5.4.700.20.1.6", 1},
	                           {"index_labels", "_, _", 2},
	                           {"select_column", "1.3.6.1.4.1.674.10892.5.4.700.20.1.8", 3},
	                           {"select_value", "System Board Inlet Temp", 4}};
	assert_int_equal(parse_point(inlet, 4, &sp, err, &line), 0);
	struct smap_raw in = {.type = SMAP_R_STRING, .s = "System Board Inlet Temp"};
	struct smap_raw ex = {.type = SMAP_R_STRING, .s = "System Board Exhaust Temp"};
	struct smap_raw pre = {.type = SMAP_R_STRING, .s = "System Board Inlet"};
	assert_true(smap_row_selected(&sp, &in));
	assert_false(smap_row_selected(&sp, &ex));
	assert_false(smap_row_selected(&sp, &pre));
	assert_false(smap_row_selected(&sp, &watts));
	struct smap_raw t26 = {.type = SMAP_R_STRING, .s = "26"};
	idrac[3].value = "26";
	assert_int_equal(parse_point(idrac, 4, &sp, err, &line), 0);
	assert_true(smap_row_selected(&sp, &t26)); /* the text "26" is also exactly "26" */

	/* A point without a selection keeps every row. */
	struct gdc_attr plain[] = {{"column", "1.3.6.1.4.1.674.10892.5.4.600.30.1.6", 1},
	                           {"index_labels", "_, probe", 2}};
	assert_int_equal(parse_point(plain, 2, &sp, err, &line), 0);
	assert_false(sp.has_select);
	assert_true(smap_row_selected(&sp, &amps));
	assert_true(smap_row_selected(&sp, NULL));

	struct {
		struct gdc_attr a[4];
		size_t n;
		int line;
		const char *msg;
	} bad[] = {
	        {{{"column", "1.3.6.1.9", 1},
	          {"index_labels", "i", 2},
	          {"select_column", "1.3.6.1.7", 3}},
	         3,
	         3,
	         "select_column: needs select_value"},
	        {{{"column", "1.3.6.1.9", 1}, {"index_labels", "i", 2}, {"select_value", "2", 4}},
	         3,
	         4,
	         "select_value: needs select_column"},
	        {{{"column", "1.3.6.1.9", 1},
	          {"index_labels", "i", 2},
	          {"select_column", "1.3.6.1.9", 3},
	          {"select_value", "2", 4}},
	         4,
	         3,
	         "select_column: expected the numeric OID of another column"},
	        {{{"column", "1.3.6.1.9", 1},
	          {"index_labels", "i", 2},
	          {"select_column", "1.3.6.1.7", 3},
	          {"select_value", "", 4}},
	         4,
	         4,
	         "select_value: expected a number or a text"},
	        {{{"oid", "1.3.6.1.9.0", 1}, {"select_column", "1.3.6.1.7", 3}},
	         2,
	         3,
	         "select_column: only for table"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse_point(bad[i].a, bad[i].n, &sp, err, &line), -EINVAL);
		assert_int_equal(line, bad[i].line);
		assert_non_null(strstr(err, bad[i].msg));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_oid_parse),    cmocka_unit_test(test_oid_cmp_prefix),
	        cmocka_unit_test(test_point_keys),   cmocka_unit_test(test_options),
	        cmocka_unit_test(test_secrets),      cmocka_unit_test(test_values),
	        cmocka_unit_test(test_index_labels), cmocka_unit_test(test_select_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
