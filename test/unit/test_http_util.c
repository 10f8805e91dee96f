/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP server's pure parts: SHA-256 against FIPS 180-4 examples and hashlib-computed
 * padding edges, Prometheus family names and escaping, canonical label splitting, static path
 * safety, the downsampling step bound (never more than width buckets), and numbers printed
 * byte for byte as cJSON prints them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/prom.h"
#include "core/labels.h"
#include "core/sha256.h"
#include "http/http_util.h"

static void hex_of(const char *msg, size_t len, char out[65])
{
	uint8_t d[SHA256_LEN];
	sha256(msg, len, d);
	sha256_hex(d, out);
}

static void test_sha256_fips(void **state)
{
	char h[65];
	(void)state;
	hex_of("abc", 3, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hex_of("", 0, h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	hex_of(m448, strlen(m448), h);
	assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	char *mil = malloc(1000000);
	assert_non_null(mil);
	memset(mil, 'a', 1000000);
	hex_of(mil, 1000000, h);
	free(mil);
	assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_sha256_padding_edges(void **state)
{
	/* Lengths around the 55/56 and 64-byte block boundaries, from Python's hashlib. */
	static const struct {
		size_t n;
		const char *hex;
	} v[] = {
	        {55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"},
	        {56, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"},
	        {63, "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2"},
	        {64, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"},
	        {65, "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9"},
	        {119, "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c"},
	        {120, "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98"},
	};
	char buf[128], h[65];
	(void)state;
	memset(buf, 'x', sizeof(buf));
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		hex_of(buf, v[i].n, h);
		assert_string_equal(h, v[i].hex);
	}
}

static void test_sha256_hex_and_equal(void **state)
{
	uint8_t a[SHA256_LEN], b[SHA256_LEN];
	char h[65];
	(void)state;
	sha256("token", 5, a);
	sha256_hex(a, h);
	assert_true(sha256_parse_hex(h, b));
	assert_true(sha256_equal(a, b));
	b[31] ^= 1;
	assert_false(sha256_equal(a, b));
	b[31] ^= 1;
	b[0] ^= 0x80;
	assert_false(sha256_equal(a, b));
	assert_false(sha256_parse_hex("abc", b));
	h[10] = 'g';
	assert_false(sha256_parse_hex(h, b));
	char longer[70];
	sha256_hex(a, longer);
	strcat(longer, "00");
	assert_false(sha256_parse_hex(longer, b));
}

static void family(const char *metric, int counter, const char *want, double scale,
                   const char *type)
{
	char name[128];
	double s;
	const char *t;
	assert_true(prom_family(metric, counter, name, sizeof(name), &s, &t));
	assert_string_equal(name, want);
	assert_true(s == scale);
	assert_string_equal(t, type);
}

static void test_bearer_token(void **state)
{
	(void)state;
	assert_string_equal(http_bearer_token("Bearer abc"), "abc");
	assert_string_equal(http_bearer_token("bearer abc"), "abc");
	assert_string_equal(http_bearer_token("BEARER   abc"), "abc");
	assert_string_equal(http_bearer_token("BeArEr a b"), "a b");
	assert_null(http_bearer_token("Bearer"));
	assert_null(http_bearer_token("Bearer "));
	assert_null(http_bearer_token("Bearer    "));
	assert_null(http_bearer_token("Bearerabc"));
	assert_null(http_bearer_token("Basic abc"));
	assert_null(http_bearer_token(" Bearer abc"));
	assert_null(http_bearer_token(NULL));
}

static void test_token_hash_parse(void **state)
{
	uint8_t h[SHA256_LEN], want[SHA256_LEN];
	char why[256];
	(void)state;
	sha256("secret", 6, want);
	assert_int_equal(
	        http_token_hash_parse(
	                "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b\n", h,
	                why, sizeof(why)),
	        0);
	assert_memory_equal(h, want, SHA256_LEN);
	assert_int_equal(
	        http_token_hash_parse(
	                "  2BB80D537B1DA3E38BD30361AA855686BDE0EACD7162FEF6A25FE97BF527A25B  ", h,
	                why, sizeof(why)),
	        0);
	/* `printf %s "$unset" | sha256sum`: the empty string's hash is refused. */
	assert_int_equal(
	        http_token_hash_parse(
	                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n", h,
	                why, sizeof(why)),
	        -EINVAL);
	assert_non_null(strstr(why, "empty string"));
	assert_int_equal(http_token_hash_parse(
	                         "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
	                         h, why, sizeof(why)),
	                 -EINVAL);
	assert_int_equal(http_token_hash_parse("abc", h, why, sizeof(why)), -EINVAL);
	assert_int_equal(
	        http_token_hash_parse(
	                "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b x", h,
	                why, sizeof(why)),
	        -EINVAL);
	assert_int_equal(http_token_hash_parse(
	                         "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25g",
	                         h, why, sizeof(why)),
	                 -EINVAL);
}

static void test_audit_limit_per_address(void **state)
{
	static struct http_audit_limit l;
	unsigned dropped, n;
	(void)state;
	memset(&l, 0, sizeof(l));
	/* One address floods: HTTP_AUDIT_PER_IP records a minute, then nothing... */
	n = 0;
	for (int i = 0; i < 100; i++)
		n += http_audit_admit(&l, "10.0.0.1", 1000 + i, &dropped);
	assert_int_equal(n, HTTP_AUDIT_PER_IP);
	/* ...and another address still gets its records. */
	assert_true(http_audit_admit(&l, "10.0.0.2", 1200, &dropped));
	assert_int_equal(dropped, 0);
	/* The next minute: the flooder is heard again, and told how many were left out. */
	assert_true(http_audit_admit(&l, "10.0.0.1", 61000, &dropped));
	assert_int_equal(dropped, 100 - HTTP_AUDIT_PER_IP);
	assert_true(http_audit_admit(&l, "10.0.0.1", 61001, &dropped));
	assert_int_equal(dropped, 0);
	/* Many addresses: the table fills, the rest share one more budget. */
	memset(&l, 0, sizeof(l));
	char ip[48];
	n = 0;
	for (int i = 0; i < HTTP_AUDIT_IPS + 50; i++) {
		snprintf(ip, sizeof(ip), "10.1.%d.%d", i / 256, i % 256);
		n += http_audit_admit(&l, ip, 5000, &dropped);
	}
	assert_int_equal(n, HTTP_AUDIT_IPS + HTTP_AUDIT_PER_IP);
	/* Two minutes later the quiet entries are reused. */
	assert_true(http_audit_admit(&l, "10.9.9.9", 5000 + 120000, &dropped));
}

static void test_prom_family(void **state)
{
	(void)state;
	family("energy_kwh", 1, "greendc_energy_joules_total", 3.6e6, "counter");
	family("power_w", 0, "greendc_power_watts", 1, "gauge");
	family("outdoor_temp_c", 0, "greendc_outdoor_temp_celsius", 1, "gauge");
	family("fan_speed_pct", 0, "greendc_fan_speed_ratio", 0.01, "gauge");
	family("greendc_poll_duration_s", 0, "greendc_poll_duration_seconds", 1, "gauge");
	family("latency_ms", 0, "greendc_latency_seconds", 0.001, "gauge");
	family("water_m3", 1, "greendc_water_cubic_meters_total", 1, "counter");
	family("water_flow_m3h", 0, "greendc_water_flow_cubic_meters_per_second", 1.0 / 3600,
	       "gauge");
	family("current_a", 0, "greendc_current_amperes", 1, "gauge");
	family("voltage_v", 0, "greendc_voltage_volts", 1, "gauge");
	family("apparent_power_va", 0, "greendc_apparent_power_volt_amperes", 1, "gauge");
	family("outdoor_pressure_pa", 0, "greendc_outdoor_pressure_pascals", 1, "gauge");
	family("load_kw", 0, "greendc_load_watts", 1000, "gauge");
	family("x-y.z", 0, "greendc_x_y_z", 1, "gauge");
	char small[8];
	double s;
	const char *t;
	assert_false(prom_family("energy_kwh", 1, small, sizeof(small), &s, &t));
}

static void test_prom_escape_and_names(void **state)
{
	struct sbuf b = {0};
	char n[32];
	(void)state;
	prom_escape(&b, "a\"b\\c\nd");
	assert_string_equal(b.s, "a\\\"b\\\\c\\nd");
	sbuf_free(&b);
	prom_label_name("row", n, sizeof(n));
	assert_string_equal(n, "row");
	prom_label_name("1st-floor", n, sizeof(n));
	assert_string_equal(n, "_1st_floor");
	prom_label_name("", n, sizeof(n));
	assert_string_equal(n, "_");
}

struct pairs {
	char buf[256];
};

static void collect(void *ctx, const char *k, const char *v)
{
	struct pairs *p = ctx;
	strcat(p->buf, k);
	strcat(p->buf, "|");
	strcat(p->buf, v);
	strcat(p->buf, ";");
}

static void test_labels_each(void **state)
{
	struct pairs p = {""};
	(void)state;
	labels_each("feed=A,hall=A,role=facility_input", ",", collect, &p);
	assert_string_equal(p.buf, "feed|A;hall|A;role|facility_input;");
	p.buf[0] = '\0';
	labels_each("k=a\\,b\\=c,z=", ",", collect, &p);
	assert_string_equal(p.buf, "k|a,b=c;z|;");
	p.buf[0] = '\0';
	labels_each("", ",", collect, &p);
	labels_each(NULL, ",", collect, &p);
	assert_string_equal(p.buf, "");
}

static void test_path_safe(void **state)
{
	(void)state;
	assert_true(http_path_safe("/index.html"));
	assert_true(http_path_safe("/vendor/uPlot.iife.min.js"));
	assert_false(http_path_safe("/../etc/passwd"));
	assert_false(http_path_safe("/vendor/../../x"));
	assert_false(http_path_safe("/vendor/.."));
	assert_false(http_path_safe("/./index.html"));
	assert_false(http_path_safe("//etc/passwd"));
	assert_false(http_path_safe("/.git/config"));
	assert_false(http_path_safe("/a\\..\\b"));
	assert_false(http_path_safe("/index.html\x01.js"));
	assert_false(http_path_safe("index.html"));
	assert_false(http_path_safe(""));
	assert_false(http_path_safe(NULL));
}

static void test_query_step_bounds(void **state)
{
	(void)state;
	assert_int_equal(http_query_step(0, 3600000, 0, 60), 60000);
	assert_int_equal(http_query_step(0, 600000, 1000, 5000), 1000);
	/* 30 days at width 1000: 2592 s, over 20 min, so a whole hour (1-hour rollups). */
	assert_int_equal(http_query_step(0, 30LL * 86400000, 60000, 1000), 3600000);
	/* 30 days at width 5000: 518.4 s rounded up to 9 min (1-minute rollups). */
	assert_int_equal(http_query_step(0, 30LL * 86400000, 60000, 5000), 540000);
	static const int64_t ranges[] = {1,
	                                 999,
	                                 1000,
	                                 59999,
	                                 60001,
	                                 3600000,
	                                 86400001,
	                                 30LL * 86400000 + 17,
	                                 400LL * 86400000};
	static const unsigned widths[] = {1, 2, 3, 7, 100, 999, 1000, 5000};
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		for (size_t j = 0; j < sizeof(widths) / sizeof(widths[0]); j++) {
			int64_t from = 1795869600123, to = from + ranges[i];
			int64_t st = http_query_step(from, to, 0, widths[j]);
			assert_true(st >= 1000);
			assert_true((to - from + st - 1) / st <= (int64_t)widths[j]);
		}
}

/* http_json_number against cJSON's own print_number (the known answer): chosen edges, then
 * random doubles of every magnitude the API sends, values n / 2^k whose decimals end (ties
 * at the 15th and 17th digit), and sums of averages like a role's watts. */
static void check_number(double v)
{
	char mine[HTTP_JSON_NUMBER_MAX];
	size_t n = http_json_number(mine, v);
	cJSON *c = cJSON_CreateNumber(v);
	char *theirs = cJSON_PrintUnformatted(c);
	assert_non_null(theirs);
	if (strcmp(mine, theirs) != 0 || n != strlen(theirs))
		fail_msg("%a: %s, cJSON %s", v, mine, theirs);
	free(theirs);
	cJSON_Delete(c);
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static void test_json_number_as_cjson(void **state)
{
	(void)state;
	static const double edges[] = {0,
	                               -0.0,
	                               1,
	                               -1,
	                               0.1,
	                               0.2,
	                               0.3,
	                               1.0 / 3,
	                               2.0 / 3,
	                               -2.0 / 3,
	                               123456.789,
	                               194400.5,
	                               2147483647.0,
	                               2147483648.0,
	                               -2147483648.0,
	                               -2147483649.0,
	                               2147483647.5,
	                               1e-5,
	                               1.0000000000000001e-5,
	                               9.9999999999999991e-6,
	                               0.0001,
	                               0.00009999999999999999,
	                               0.000123456789012345678,
	                               999999999999999.9,
	                               99999999999999.99,
	                               999999999999999.0,
	                               1e15,
	                               1e15 + 1,
	                               1e16,
	                               1e300,
	                               -1e-300,
	                               5e-324,
	                               1764736200000.0,
	                               1764736200000.5,
	                               0.5,
	                               0.25,
	                               9.5,
	                               0.95,
	                               0.995,
	                               12345678901234.5,
	                               1234567890123.45,
	                               NAN,
	                               INFINITY,
	                               -INFINITY};
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		check_number(edges[i]);
	for (int i = 0; i < 200000; i++) {
		uint64_t b = rnd();
		/* exponents from 2^-30 to 2^60 around the fast range's edges, any mantissa */
		uint64_t e = 1023 - 30 + rnd() % 91;
		b = (b & 0x800fffffffffffffULL) | (e << 52);
		double v;
		memcpy(&v, &b, sizeof(v));
		check_number(v);
	}
	for (int i = 0; i < 100000; i++) {
		double v = ldexp((double)(rnd() % (1ULL << 53)), -(int)(rnd() % 60));
		check_number(v);
		check_number(-v);
	}
	for (int i = 0; i < 20000; i++) { /* a role's sum of per-series averages */
		double s = 0;
		for (int k = 0; k < 5; k++)
			s += (double)(rnd() % 20000000) / (double)(1 + rnd() % 60);
		check_number(s);
		check_number(s / 1000.0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_sha256_fips),
	        cmocka_unit_test(test_sha256_padding_edges),
	        cmocka_unit_test(test_sha256_hex_and_equal),
	        cmocka_unit_test(test_prom_family),
	        cmocka_unit_test(test_prom_escape_and_names),
	        cmocka_unit_test(test_labels_each),
	        cmocka_unit_test(test_path_safe),
	        cmocka_unit_test(test_query_step_bounds),
	        cmocka_unit_test(test_bearer_token),
	        cmocka_unit_test(test_token_hash_parse),
	        cmocka_unit_test(test_audit_limit_per_address),
	        cmocka_unit_test(test_json_number_as_cjson),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
