/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for drivers/modbus_decode.c: register decoding in every type and word order
 * against known register images, and the block planner.
 *
 * The register images were produced independently of the C code, with Python's struct
 * module: pack the value big-endian (A B C D ...), cut it into 16-bit words, reverse the word
 * list for cdab/dcba and swap the bytes in each word for badc/dcba.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "../../drivers/modbus_decode.h"

struct vector {
	enum mbd_type type;
	enum mbd_order order;
	uint16_t w[4];
	double want;
};

#define F32_123_456 ((double)123.456f)

/* clang-format off: one register image per line reads better than reflowed */
static const struct vector vectors[] = {
        /* float32 123.456 = 0x42F6E979 */
        {MBD_FLOAT32, MBD_ABCD, {0x42F6, 0xE979}, F32_123_456},
        {MBD_FLOAT32, MBD_CDAB, {0xE979, 0x42F6}, F32_123_456},
        {MBD_FLOAT32, MBD_BADC, {0xF642, 0x79E9}, F32_123_456},
        {MBD_FLOAT32, MBD_DCBA, {0x79E9, 0xF642}, F32_123_456},
        /* float32 -0.0 and a high word >= 0x8000 */
        {MBD_FLOAT32, MBD_ABCD, {0x8000, 0x0000}, -0.0},
        {MBD_FLOAT32, MBD_DCBA, {0x0000, 0x0080}, -0.0},
        /* int32 -2 */
        {MBD_INT32, MBD_ABCD, {0xFFFF, 0xFFFE}, -2},
        {MBD_INT32, MBD_CDAB, {0xFFFE, 0xFFFF}, -2},
        {MBD_INT32, MBD_BADC, {0xFFFF, 0xFEFF}, -2},
        {MBD_INT32, MBD_DCBA, {0xFEFF, 0xFFFF}, -2},
        /* int32 minimum */
        {MBD_INT32, MBD_ABCD, {0x8000, 0x0000}, -2147483648.0},
        {MBD_INT32, MBD_CDAB, {0x0000, 0x8000}, -2147483648.0},
        {MBD_INT32, MBD_BADC, {0x0080, 0x0000}, -2147483648.0},
        {MBD_INT32, MBD_DCBA, {0x0000, 0x0080}, -2147483648.0},
        /* int32 maximum */
        {MBD_INT32, MBD_ABCD, {0x7FFF, 0xFFFF}, 2147483647.0},
        /* uint32 0x89ABCDEF: high word >= 0x8000 must stay positive */
        {MBD_UINT32, MBD_ABCD, {0x89AB, 0xCDEF}, 2309737967.0},
        {MBD_UINT32, MBD_CDAB, {0xCDEF, 0x89AB}, 2309737967.0},
        {MBD_UINT32, MBD_BADC, {0xAB89, 0xEFCD}, 2309737967.0},
        {MBD_UINT32, MBD_DCBA, {0xEFCD, 0xAB89}, 2309737967.0},
        {MBD_UINT32, MBD_ABCD, {0xFFFF, 0xFFFF}, 4294967295.0},
        /* int16 / uint16: word order is moot, badc/dcba swap the bytes */
        {MBD_INT16, MBD_ABCD, {0x8000}, -32768},
        {MBD_INT16, MBD_CDAB, {0x8000}, -32768},
        {MBD_INT16, MBD_BADC, {0x0080}, -32768},
        {MBD_INT16, MBD_DCBA, {0x0080}, -32768},
        {MBD_INT16, MBD_ABCD, {0xFFFF}, -1},
        {MBD_INT16, MBD_ABCD, {0x7FFF}, 32767},
        {MBD_UINT16, MBD_ABCD, {0xFFFE}, 65534},
        {MBD_UINT16, MBD_CDAB, {0xFFFE}, 65534},
        {MBD_UINT16, MBD_BADC, {0xFEFF}, 65534},
        {MBD_UINT16, MBD_DCBA, {0xFEFF}, 65534},
        /* int64 -1, -2, minimum, and the Schneider iEM3xxx energy image 123456789 Wh */
        {MBD_INT64, MBD_ABCD, {0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF}, -1},
        {MBD_INT64, MBD_ABCD, {0xFFFF, 0xFFFF, 0xFFFF, 0xFFFE}, -2},
        {MBD_INT64, MBD_CDAB, {0xFFFE, 0xFFFF, 0xFFFF, 0xFFFF}, -2},
        {MBD_INT64, MBD_BADC, {0xFFFF, 0xFFFF, 0xFFFF, 0xFEFF}, -2},
        {MBD_INT64, MBD_DCBA, {0xFEFF, 0xFFFF, 0xFFFF, 0xFFFF}, -2},
        {MBD_INT64, MBD_ABCD, {0x8000, 0x0000, 0x0000, 0x0000}, -9223372036854775808.0},
        {MBD_INT64, MBD_CDAB, {0x0000, 0x0000, 0x0000, 0x8000}, -9223372036854775808.0},
        {MBD_INT64, MBD_BADC, {0x0080, 0x0000, 0x0000, 0x0000}, -9223372036854775808.0},
        {MBD_INT64, MBD_DCBA, {0x0000, 0x0000, 0x0000, 0x0080}, -9223372036854775808.0},
        {MBD_INT64, MBD_ABCD, {0x0000, 0x0000, 0x075B, 0xCD15}, 123456789},
        {MBD_INT64, MBD_CDAB, {0xCD15, 0x075B, 0x0000, 0x0000}, 123456789},
        {MBD_INT64, MBD_BADC, {0x0000, 0x0000, 0x5B07, 0x15CD}, 123456789},
        {MBD_INT64, MBD_DCBA, {0x15CD, 0x5B07, 0x0000, 0x0000}, 123456789},
        /* uint64 maximum (rounds to 2^64 in a double) */
        {MBD_UINT64, MBD_ABCD, {0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF}, 18446744073709551616.0},
        {MBD_UINT64, MBD_ABCD, {0x8000, 0x0000, 0x0000, 0x0000}, 9223372036854775808.0},
        /* float64 123.456 = 0x405EDD2F1A9FBE77 and -1.5e300 */
        {MBD_FLOAT64, MBD_ABCD, {0x405E, 0xDD2F, 0x1A9F, 0xBE77}, 123.456},
        {MBD_FLOAT64, MBD_CDAB, {0xBE77, 0x1A9F, 0xDD2F, 0x405E}, 123.456},
        {MBD_FLOAT64, MBD_BADC, {0x5E40, 0x2FDD, 0x9F1A, 0x77BE}, 123.456},
        {MBD_FLOAT64, MBD_DCBA, {0x77BE, 0x9F1A, 0x2FDD, 0x5E40}, 123.456},
        {MBD_FLOAT64, MBD_ABCD, {0xFE41, 0xEB2D, 0x6600, 0x5835}, -1.5e300},
        {MBD_FLOAT64, MBD_DCBA, {0x3558, 0x0066, 0x2DEB, 0x41FE}, -1.5e300},
};
/* clang-format on */

static void test_decode_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const struct vector *v = &vectors[i];
		double got = mbd_decode(v->w, v->type, v->order);
		if (got != v->want || signbit(got) != signbit(v->want))
			fail_msg("vector %zu (%s): got %.17g, want %.17g", i,
			         mbd_type_name(v->type), got, v->want);
	}
}

/* Exact 64-bit composition, where a double would round. */
static void test_compose_uint64_exact(void **state)
{
	static const uint16_t abcd[] = {0x0102, 0x0304, 0x0506, 0x0708};
	static const uint16_t cdab[] = {0x0708, 0x0506, 0x0304, 0x0102};
	static const uint16_t badc[] = {0x0201, 0x0403, 0x0605, 0x0807};
	static const uint16_t dcba[] = {0x0807, 0x0605, 0x0403, 0x0201};
	static const uint16_t ones[] = {0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF};
	(void)state;

	assert_true(mbd_compose(abcd, 4, MBD_ABCD) == UINT64_C(0x0102030405060708));
	assert_true(mbd_compose(cdab, 4, MBD_CDAB) == UINT64_C(0x0102030405060708));
	assert_true(mbd_compose(badc, 4, MBD_BADC) == UINT64_C(0x0102030405060708));
	assert_true(mbd_compose(dcba, 4, MBD_DCBA) == UINT64_C(0x0102030405060708));
	assert_true(mbd_compose(ones, 4, MBD_ABCD) == UINT64_MAX);
	assert_true(mbd_compose(abcd, 2, MBD_ABCD) == UINT64_C(0x01020304));
	assert_true(mbd_compose(abcd, 2, MBD_CDAB) == UINT64_C(0x03040102));
	assert_true(mbd_compose(abcd, 1, MBD_BADC) == UINT64_C(0x0201));
	/* uint64 just below 2^53 is exact in a double */
	static const uint16_t p53[] = {0x001F, 0xFFFF, 0xFFFF, 0xFFFF};
	assert_true(mbd_decode(p53, MBD_UINT64, MBD_ABCD) == 9007199254740991.0);
}

static void test_nan_passes_through(void **state)
{
	static const uint16_t qnan[] = {0x7FC0, 0x0000};
	static const uint16_t inf[] = {0x0000, 0x7F80};
	(void)state;
	assert_true(isnan(mbd_decode(qnan, MBD_FLOAT32, MBD_ABCD)));
	assert_true(isinf(mbd_decode(inf, MBD_FLOAT32, MBD_CDAB)));
}

static void test_scale_offset(void **state)
{
	(void)state;
	/* Schneider iEM3xxx: kW * 1000 -> W; Wh * 0.001 -> kWh */
	static const uint16_t kw[] = {0x4120, 0x0000}; /* 10.0f */
	assert_true(mbd_scale(mbd_decode(kw, MBD_FLOAT32, MBD_ABCD), 1000, 0) == 10000.0);
	static const uint16_t wh[] = {0x0000, 0x0000, 0x075B, 0xCD15};
	assert_float_equal(mbd_scale(mbd_decode(wh, MBD_INT64, MBD_ABCD), 0.001, 0), 123456.789,
	                   1e-9);
	/* Carlo Gavazzi: int32 low word first, W x 10: 0x0001E240 = 123456 -> 12345.6 W */
	static const uint16_t cg[] = {0xE240, 0x0001};
	assert_float_equal(mbd_scale(mbd_decode(cg, MBD_INT32, MBD_CDAB), 0.1, 0), 12345.6, 1e-9);
	/* EVCO-style int16 x 0.1 with an offset */
	static const uint16_t t[] = {0xFF9C}; /* -100 */
	assert_float_equal(mbd_scale(mbd_decode(t, MBD_INT16, MBD_ABCD), 0.1, 273.15), 263.15,
	                   1e-9);
	assert_true(mbd_scale(5, 1, 0) == 5);
	assert_true(mbd_scale(5, 2, -1) == 9);
}

static void test_parse(void **state)
{
	unsigned long v;
	enum mbd_type t;
	enum mbd_order o;
	(void)state;

	assert_true(mbd_parse_uint("0x0034", 0, 65535, &v) && v == 0x34);
	assert_true(mbd_parse_uint("0XBF3", 0, 65535, &v) && v == 0xBF3);
	assert_true(mbd_parse_uint("19026", 0, 65535, &v) && v == 19026);
	assert_true(mbd_parse_uint("65535", 0, 65535, &v) && v == 65535);
	assert_true(mbd_parse_uint("0", 0, 65535, &v) && v == 0);
	/* YAML 1.2: a leading zero is decimal (unit_id: 010 is unit 10, never 8); 0o is octal. */
	assert_true(mbd_parse_uint("010", 0, 247, &v) && v == 10);
	assert_true(mbd_parse_uint("0o10", 0, 247, &v) && v == 8);
	assert_false(mbd_parse_uint("0o8", 0, 247, &v));
	assert_false(mbd_parse_uint("0o", 0, 247, &v));
	assert_false(mbd_parse_uint("0b1", 0, 247, &v));
	assert_false(mbd_parse_uint("65536", 0, 65535, &v));
	assert_false(mbd_parse_uint("99999999999999999999999", 0, 65535, &v));
	assert_false(mbd_parse_uint("-1", 0, 65535, &v));
	assert_false(mbd_parse_uint("12a", 0, 65535, &v));
	assert_false(mbd_parse_uint("0x", 0, 65535, &v));
	assert_false(mbd_parse_uint("", 0, 65535, &v));
	assert_false(mbd_parse_uint(" 1", 0, 65535, &v));
	assert_false(mbd_parse_uint("9", 1, 4, &v));
	assert_false(mbd_parse_uint("0", 1, 4, &v));
	assert_true(mbd_parse_type("float32", &t) && t == MBD_FLOAT32);
	assert_true(mbd_parse_type("bool", &t) && t == MBD_BOOL);
	assert_false(mbd_parse_type("float", &t));
	assert_false(mbd_parse_type("FLOAT32", &t));
	assert_true(mbd_parse_order("cdab", &o) && o == MBD_CDAB);
	assert_false(mbd_parse_order("big", &o));
	assert_true(mbd_type_fits_fc(MBD_BOOL, 1));
	assert_true(mbd_type_fits_fc(MBD_BOOL, 2));
	assert_false(mbd_type_fits_fc(MBD_BOOL, 3));
	assert_false(mbd_type_fits_fc(MBD_UINT16, 1));
	assert_true(mbd_type_fits_fc(MBD_FLOAT64, 4));
}

/* ---- planner ---- */

#define P(i, f, r, t)                                                                              \
	{                                                                                          \
		.index = (i), .fc = (f), .reg = (r), .type = (t), .order = MBD_ABCD                \
	}

static const struct mbd_limits defaults = {.max_registers = 125, .max_bits = 2000, .max_gap = 8};

static void test_plan_merge_within_gap(void **state)
{
	/* SDM630-like: three float32 phases, contiguous; then a gap of 8 (merged) */
	struct mbd_point p[] = {
	        P(0, 4, 0x0010, MBD_FLOAT32), P(1, 4, 0x000C, MBD_FLOAT32),
	        P(2, 4, 0x000E, MBD_FLOAT32), P(3, 4, 0x001A, MBD_FLOAT32), /* gap 8 */
	};
	struct mbd_block b[4];
	size_t nb;
	(void)state;

	assert_int_equal(mbd_plan(p, 4, &defaults, b, &nb), 0);
	assert_int_equal(nb, 1);
	assert_int_equal(b[0].fc, 4);
	assert_int_equal(b[0].start, 0x000C);
	assert_int_equal(b[0].count, 0x001C - 0x000C);
	assert_int_equal(b[0].first, 0);
	assert_int_equal(b[0].npoints, 4);
	/* sorted by register; index kept */
	assert_int_equal(p[0].index, 1);
	assert_int_equal(p[1].index, 2);
	assert_int_equal(p[2].index, 0);
	assert_int_equal(p[3].index, 3);
}

static void test_plan_split_over_gap(void **state)
{
	struct mbd_point p[] = {
	        P(0, 4, 0x000C, MBD_FLOAT32), /* ends at 0x000E */
	        P(1, 4, 0x0017, MBD_FLOAT32), /* gap 9 > 8 */
	};
	struct mbd_block b[2];
	size_t nb;
	(void)state;

	assert_int_equal(mbd_plan(p, 2, &defaults, b, &nb), 0);
	assert_int_equal(nb, 2);
	assert_int_equal(b[0].start, 0x000C);
	assert_int_equal(b[0].count, 2);
	assert_int_equal(b[1].start, 0x0017);
	assert_int_equal(b[1].count, 2);

	/* max_gap 0: only touching registers merge */
	struct mbd_limits nogap = defaults;
	nogap.max_gap = 0;
	struct mbd_point q[] = {P(0, 3, 10, MBD_UINT16), P(1, 3, 11, MBD_UINT16),
	                        P(2, 3, 13, MBD_UINT16)};
	assert_int_equal(mbd_plan(q, 3, &nogap, b, &nb), 0);
	assert_int_equal(nb, 2);
	assert_int_equal(b[0].start, 10);
	assert_int_equal(b[0].count, 2);
	assert_int_equal(b[1].start, 13);
	assert_int_equal(b[1].count, 1);
}

static void test_plan_max_registers_split(void **state)
{
	/* 60 float32 back to back = 120 registers; with max_registers 50 that is 3 blocks of at
	 * most 50 registers (25 floats each, then 10) */
	struct mbd_point p[60];
	struct mbd_block b[60];
	struct mbd_limits lim = defaults;
	size_t nb, total = 0;
	(void)state;

	lim.max_registers = 50;
	for (uint32_t i = 0; i < 60; i++)
		p[i] = (struct mbd_point)P(i, 4, (uint16_t)(i * 2), MBD_FLOAT32);
	assert_int_equal(mbd_plan(p, 60, &lim, b, &nb), 0);
	assert_int_equal(nb, 3);
	for (size_t i = 0; i < nb; i++) {
		assert_true(b[i].count <= 50);
		total += b[i].npoints;
	}
	assert_int_equal(b[0].count, 50);
	assert_int_equal(b[1].start, 50);
	assert_int_equal(b[2].start, 100);
	assert_int_equal(b[2].count, 20);
	assert_int_equal(total, 60);
}

static void test_plan_int64_at_block_edge(void **state)
{
	/* max_registers 10: uint16 at 0..5 use registers 0..5; an int64 at 6..9 fits exactly;
	 * an int64 at 7..10 would straddle the edge and must start a new block whole. */
	struct mbd_limits lim = defaults;
	struct mbd_block b[4];
	size_t nb;
	(void)state;

	lim.max_registers = 10;
	struct mbd_point fits[] = {P(0, 3, 0, MBD_UINT16), P(1, 3, 5, MBD_UINT16),
	                           P(2, 3, 6, MBD_INT64)};
	assert_int_equal(mbd_plan(fits, 3, &lim, b, &nb), 0);
	assert_int_equal(nb, 1);
	assert_int_equal(b[0].count, 10);

	struct mbd_point straddles[] = {P(0, 3, 0, MBD_UINT16), P(1, 3, 5, MBD_UINT16),
	                                P(2, 3, 7, MBD_INT64)};
	assert_int_equal(mbd_plan(straddles, 3, &lim, b, &nb), 0);
	assert_int_equal(nb, 2);
	assert_int_equal(b[0].start, 0);
	assert_int_equal(b[0].count, 6);
	assert_int_equal(b[1].start, 7);
	assert_int_equal(b[1].count, 4);
	assert_int_equal(b[1].npoints, 1);

	/* an int64 ending exactly at 65535 is fine, one running past it is not */
	struct mbd_point top[] = {P(0, 3, 65532, MBD_INT64)};
	assert_int_equal(mbd_plan(top, 1, &lim, b, &nb), 0);
	assert_int_equal(b[0].count, 4);
	struct mbd_point past[] = {P(0, 3, 65533, MBD_INT64)};
	assert_int_equal(mbd_plan(past, 1, &lim, b, &nb), -EINVAL);

	/* wider than the device allows */
	lim.max_registers = 3;
	struct mbd_point wide[] = {P(0, 3, 0, MBD_FLOAT64)};
	assert_int_equal(mbd_plan(wide, 1, &lim, b, &nb), -EINVAL);
}

static void test_plan_fc_boundaries(void **state)
{
	/* same registers, different function codes: never one read */
	struct mbd_point p[] = {
	        P(0, 3, 100, MBD_UINT16), P(1, 4, 100, MBD_UINT16), P(2, 3, 101, MBD_UINT16),
	        P(3, 1, 0, MBD_BOOL),     P(4, 1, 15, MBD_BOOL),    P(5, 2, 3, MBD_BOOL),
	};
	struct mbd_block b[6];
	size_t nb;
	(void)state;

	assert_int_equal(mbd_plan(p, 6, &defaults, b, &nb), 0);
	assert_int_equal(nb, 5);
	/* ordered by fc: coils 0 and 15 are 14 bits apart (> max_gap 8) -> two blocks */
	assert_int_equal(b[0].fc, 1);
	assert_int_equal(b[0].start, 0);
	assert_int_equal(b[0].count, 1);
	assert_int_equal(b[1].fc, 1);
	assert_int_equal(b[1].start, 15);
	assert_int_equal(b[2].fc, 2);
	assert_int_equal(b[3].fc, 3);
	assert_int_equal(b[3].start, 100);
	assert_int_equal(b[3].count, 2);
	assert_int_equal(b[3].npoints, 2);
	assert_int_equal(b[4].fc, 4);
	assert_int_equal(b[4].count, 1);

	/* bits use max_bits, not max_registers */
	struct mbd_limits lim = defaults;
	lim.max_registers = 1;
	lim.max_bits = 8;
	struct mbd_point bits[] = {P(0, 2, 0, MBD_BOOL), P(1, 2, 7, MBD_BOOL),
	                           P(2, 2, 8, MBD_BOOL)};
	assert_int_equal(mbd_plan(bits, 3, &lim, b, &nb), 0);
	assert_int_equal(nb, 2);
	assert_int_equal(b[0].count, 8);
	assert_int_equal(b[1].start, 8);

	/* a type that does not fit its fc is refused */
	struct mbd_point bad[] = {P(0, 1, 0, MBD_UINT16)};
	assert_int_equal(mbd_plan(bad, 1, &defaults, b, &nb), -EINVAL);
}

static void test_plan_duplicates_and_overlaps(void **state)
{
	/* the same register read twice (e.g. two labels or scales) and a uint16 inside a
	 * float32: one block, every point kept, sorted by (register, index) */
	struct mbd_point p[] = {
	        P(0, 3, 0x0BF3, MBD_FLOAT32),
	        P(1, 3, 0x0BF3, MBD_FLOAT32),
	        P(2, 3, 0x0BF4, MBD_UINT16),
	};
	struct mbd_block b[3];
	size_t nb;
	(void)state;

	assert_int_equal(mbd_plan(p, 3, &defaults, b, &nb), 0);
	assert_int_equal(nb, 1);
	assert_int_equal(b[0].start, 0x0BF3);
	assert_int_equal(b[0].count, 2);
	assert_int_equal(b[0].npoints, 3);
	assert_int_equal(p[0].index, 0);
	assert_int_equal(p[1].index, 1);
	assert_int_equal(p[2].index, 2);

	/* no points, no blocks */
	assert_int_equal(mbd_plan(p, 0, &defaults, b, &nb), 0);
	assert_int_equal(nb, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_decode_vectors),
	        cmocka_unit_test(test_compose_uint64_exact),
	        cmocka_unit_test(test_nan_passes_through),
	        cmocka_unit_test(test_scale_offset),
	        cmocka_unit_test(test_parse),
	        cmocka_unit_test(test_plan_merge_within_gap),
	        cmocka_unit_test(test_plan_split_over_gap),
	        cmocka_unit_test(test_plan_max_registers_split),
	        cmocka_unit_test(test_plan_int64_at_block_edge),
	        cmocka_unit_test(test_plan_fc_boundaries),
	        cmocka_unit_test(test_plan_duplicates_and_overlaps),
	};
	return cmocka_run_group_tests_name("modbus_decode", tests, NULL, NULL);
}
