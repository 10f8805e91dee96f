/* SPDX-License-Identifier: Apache-2.0 */
/* The store's block codec: round trips over regular and irregular timestamps, decimal and
 * fallback values, and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_codec.h"

#define T0 INT64_C(1790812800000) /* 2026-10-01T00:00:00Z */

static struct codec *C; /* zstd contexts, for the whole run */

static long roundtrip(const int64_t *ts, const double *v, size_t n, int *mode_out)
{
	size_t cap = codec_bound(n);
	uint8_t *buf = malloc(cap);
	int64_t *ts2 = malloc((n + 1) * sizeof(*ts2));
	double *v2 = malloc((n + 1) * sizeof(*v2));
	assert_non_null(buf);
	long len = codec_encode(C, T0, ts, v, n, buf, cap);
	assert_true(len > 0);
	assert_int_equal(codec_count(buf, (size_t)len), (long)n);
	assert_int_equal(codec_decode(C, T0, buf, (size_t)len, ts2, v2, n), (long)n);
	for (size_t i = 0; i < n; i++) {
		assert_true(ts2[i] == ts[i]);
		/* bit-exact, which also covers NaN payloads, inf and -0 */
		assert_memory_equal(&v2[i], &v[i], sizeof(double));
	}
	if (mode_out)
		*mode_out = buf[0] & 0x0f;
	/* every truncation is rejected, never read past the end */
	for (long cut = 0; cut < len; cut++)
		assert_true(codec_decode(C, T0, buf, (size_t)cut, ts2, v2, n) < 0 || n == 0);
	free(buf);
	free(ts2);
	free(v2);
	return len;
}

static void test_regular_decimal(void **state)
{
	(void)state;
	int64_t ts[360];
	double v[360];
	double x = 4321.5;
	srand(1);
	for (int i = 0; i < 360; i++) {
		ts[i] = T0 + i * 10000;
		x += (rand() % 21 - 10) / 10.0;
		v[i] = round(x * 10) / 10;
	}
	int mode;
	long len = roundtrip(ts, v, 360, &mode);
	assert_int_equal(mode, CODEC_MODE_DECIMAL);
	/* regular spacing costs 1 byte per timestamp, small deltas 1-2 per value */
	assert_true(len < 360 * 3);
}

static void test_irregular_timestamps(void **state)
{
	(void)state;
	int64_t ts[500];
	double v[500];
	int64_t t = T0 + 7;
	srand(2);
	for (int i = 0; i < 500; i++) {
		ts[i] = t;
		v[i] = i % 7;
		t += rand() % 3 == 0 ? 0 : rand() % 20000; /* duplicates and jitter */
	}
	roundtrip(ts, v, 500, NULL);
}

static void test_special_values_fallback(void **state)
{
	(void)state;
	int64_t ts[6];
	double v[6] = {1.5, NAN, INFINITY, -INFINITY, -0.0, 2.25};
	for (int i = 0; i < 6; i++)
		ts[i] = T0 + i * 1000;
	int mode;
	roundtrip(ts, v, 6, &mode);
	assert_int_equal(mode, CODEC_MODE_RAW);
}

static void test_large_and_precise_values(void **state)
{
	(void)state;
	int64_t ts[8];
	double big[8] = {9007199254740992.0, -9007199254740992.0, 1e15, -1e15, 0, 1, -1, 2};
	for (int i = 0; i < 8; i++)
		ts[i] = T0 + i;
	int mode;
	roundtrip(ts, big, 8, &mode);
	assert_int_equal(mode, CODEC_MODE_DECIMAL);

	double huge[3] = {1e300, -1e-300, 3.141592653589793};
	roundtrip(ts, huge, 3, &mode);
	assert_int_equal(mode, CODEC_MODE_RAW);

	double dec[4] = {0.1, 0.2, 0.3, 123456.789};
	roundtrip(ts, dec, 4, &mode);
	assert_int_equal(mode, CODEC_MODE_DECIMAL);
}

static void test_single_and_empty(void **state)
{
	(void)state;
	int64_t ts[1] = {T0 + 3599999};
	double v[1] = {42};
	roundtrip(ts, v, 1, NULL);
	uint8_t buf[32];
	assert_true(codec_encode(C, T0, ts, v, 0, buf, sizeof(buf)) > 0);
	assert_int_equal(codec_count(buf, 3), 0);
}

static void test_rejects_bad_input(void **state)
{
	(void)state;
	int64_t ts[2] = {T0 + 5, T0 + 4};
	double v[2] = {1, 2};
	uint8_t buf[128];
	assert_int_equal(codec_encode(C, T0, ts, v, 2, buf, sizeof(buf)), -EINVAL);
	ts[0] = T0 - 1;
	assert_int_equal(codec_encode(C, T0, ts, v, 1, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(codec_encode(C, T0, ts, v, 2, buf, 4), -ENOBUFS);
	/* garbage never crashes the decoder */
	int64_t ots[64];
	double ov[64];
	srand(3);
	for (int k = 0; k < 20000; k++) {
		size_t len = (size_t)(rand() % 40);
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rand();
		if (len > 0)
			buf[0] = (uint8_t)(0x10 | (rand() % 2));
		if (len > 1)
			buf[1] = (uint8_t)(rand() % 10);
		codec_decode(C, T0, buf, len, ots, ov, 64);
	}
}

/* Mostly decimals with a few values that are not: decimal mode, the rest as exceptions. */
static void test_decimal_with_exceptions(void **state)
{
	(void)state;
	int64_t ts[1000];
	double v[1000];
	srand(4);
	for (int i = 0; i < 1000; i++) {
		ts[i] = T0 + i * 3600;
		v[i] = (double)(rand() % 100000) / 10;
		if (i % 100 == 7)
			v[i] = i % 200 == 7 ? NAN : 1.0 / 3; /* not a decimal at any exponent */
	}
	v[999] = -0.0;
	int mode;
	long len = roundtrip(ts, v, 1000, &mode);
	assert_int_equal(mode, CODEC_MODE_DECIMAL);
	assert_true(len < 1000 * 3);
}

/* A 6 h span of 10 s samples is compressed: about 6 bits per value of a random walk. */
static void test_compressed_span(void **state)
{
	(void)state;
	int64_t ts[2160];
	double v[2160];
	double x = 1234.5;
	srand(5);
	for (int i = 0; i < 2160; i++) {
		ts[i] = T0 + i * 10000;
		x += (rand() % 41 - 20) / 10.0;
		v[i] = round(x * 10) / 10;
	}
	long len = roundtrip(ts, v, 2160, NULL);
	uint8_t *buf = malloc(codec_bound(2160));
	assert_non_null(buf);
	assert_int_equal(codec_encode(C, T0, ts, v, 2160, buf, codec_bound(2160)), len);
	assert_true(buf[1] & CODEC_FLAG_ZSTD);
	assert_true(len < 2160 * 3 / 4);
	free(buf);
}

/* A version 1 block (schemas 1-3) decodes: known answer. */
static void test_version1_known_answer(void **state)
{
	(void)state;
	/* decimal, d = 1, n = 3; times +5 ms, then +10000 twice (dod 0); values 12.3, 12.1,
	 * 12.6 = 123, -2, +5 as zigzag varints */
	const uint8_t blob[] = {0x10, 1, 3, 5, 0xa0, 0x9c, 0x01, 0, 0xf6, 0x01, 3, 10};
	int64_t ts[3];
	double v[3];
	assert_int_equal(codec_count(blob, sizeof(blob)), 3);
	assert_int_equal(codec_decode(C, T0, blob, sizeof(blob), ts, v, 3), 3);
	assert_true(ts[0] == T0 + 5 && ts[1] == T0 + 10005 && ts[2] == T0 + 20005);
	assert_true(v[0] == 12.3 && v[1] == 12.1 && v[2] == 12.6);
}

int main(void)
{
	C = codec_new();
	if (!C)
		return 1;
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_regular_decimal),
	        cmocka_unit_test(test_irregular_timestamps),
	        cmocka_unit_test(test_special_values_fallback),
	        cmocka_unit_test(test_large_and_precise_values),
	        cmocka_unit_test(test_single_and_empty),
	        cmocka_unit_test(test_rejects_bad_input),
	        cmocka_unit_test(test_decimal_with_exceptions),
	        cmocka_unit_test(test_compressed_span),
	        cmocka_unit_test(test_version1_known_answer),
	};
	return cmocka_run_group_tests_name("codec", tests, NULL, NULL);
}
