/* Counter unwrapping and reset correction: the known answers of DOMAIN.md §3 and the edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>

#include "store/counter.h"

static void test_known_16bit_wrap(void **state)
{
	(void)state;
	struct counter_result r = counter_step(16, 65535, 5, 10, 0);
	assert_int_equal(r.outcome, COUNTER_WRAP);
	assert_true(r.delta == 6);
	assert_false(counter_is_event(r.outcome));
}

static void test_known_32bit_wrap(void **state)
{
	(void)state;
	struct counter_result r = counter_step(32, 4294967290.0, 4, 10, 0);
	assert_int_equal(r.outcome, COUNTER_WRAP);
	assert_true(r.delta == 10);
	/* also with a rate limit that allows it */
	r = counter_step(32, 4294967290.0, 4, 10, 5);
	assert_int_equal(r.outcome, COUNTER_WRAP);
	assert_true(r.delta == 10);
}

static void test_known_replacement(void **state)
{
	(void)state;
	for (unsigned bits = 16; bits <= 64; bits *= 2) {
		struct counter_result r = counter_step(bits, 1000, 3, 10, 0);
		assert_int_equal(r.outcome, COUNTER_RESET);
		assert_true(r.delta == 3);
		assert_true(counter_is_event(r.outcome));
		assert_string_equal(counter_event_kind(r.outcome), "counter_reset");
	}
}

static void test_plain_increase(void **state)
{
	(void)state;
	struct counter_result r = counter_step(32, 100, 150, 10, 0);
	assert_int_equal(r.outcome, COUNTER_OK);
	assert_true(r.delta == 50);
	r = counter_step(32, 100, 100, 10, 1);
	assert_int_equal(r.outcome, COUNTER_OK);
	assert_true(r.delta == 0);
}

static void test_rate_rejection(void **state)
{
	(void)state;
	/* 10 s at 1/s: up to 11 is plausible, 12 is not */
	struct counter_result r = counter_step(32, 100, 111, 10, 1);
	assert_int_equal(r.outcome, COUNTER_OK);
	r = counter_step(32, 100, 112, 10, 1);
	assert_int_equal(r.outcome, COUNTER_REJECTED);
	assert_true(r.delta == 0);
	assert_string_equal(counter_event_kind(r.outcome), "counter_rejected");
}

static void test_wrap_implausible_is_reset(void **state)
{
	(void)state;
	/* 16-bit 65000 -> 100: wrapped delta 636 but only 10/s x 10 s x 1.1 = 110 plausible:
	 * a reset, and the new value (100) is a plausible increase since reset. */
	struct counter_result r = counter_step(16, 65000, 100, 10, 10);
	assert_int_equal(r.outcome, COUNTER_RESET);
	assert_true(r.delta == 100);
	/* reset whose new value is itself implausible: counted 0 */
	r = counter_step(16, 65000, 5000, 10, 10);
	assert_int_equal(r.outcome, COUNTER_RESET);
	assert_true(r.delta == 0);
	/* 64-bit never wraps */
	r = counter_step(64, 18446744073709551615.0, 5, 10, 0);
	assert_int_equal(r.outcome, COUNTER_RESET);
	assert_true(r.delta == 5);
	/* no rate known: a wrap over more than a quarter of the range is a reset */
	r = counter_step(16, 40000, 3, 10, 0);
	assert_int_equal(r.outcome, COUNTER_RESET);
	assert_true(r.delta == 3);
}

static void test_float_counter(void **state)
{
	(void)state;
	/* a float32 kWh register: fractional increases, no wrap width */
	struct counter_result r = counter_step(0, 1234.5, 1234.75, 60, 0.01);
	assert_int_equal(r.outcome, COUNTER_OK);
	assert_true(fabs(r.delta - 0.25) < 1e-12);
	r = counter_step(0, 1234.5, 0.5, 60, 0);
	assert_int_equal(r.outcome, COUNTER_RESET);
	assert_true(r.delta == 0.5);
}

static void test_never_negative(void **state)
{
	(void)state;
	const double vals[] = {0, 1, 3, 1000, 65535, 65536, 4294967295.0, 1e18, -5, 0.5};
	const unsigned widths[] = {0, 16, 32, 64};
	for (size_t w = 0; w < 4; w++)
		for (size_t i = 0; i < 10; i++)
			for (size_t j = 0; j < 10; j++)
				for (double rate = 0; rate <= 100; rate += 50) {
					struct counter_result r =
					        counter_step(widths[w], vals[i], vals[j], 10, rate);
					assert_true(r.delta >= 0);
				}
}

/* A 32-bit Wh register read as kWh (scale 0.001) wraps at 2^32 Wh = 4294967.296 kWh. */
static void test_scaled_32bit_wrap(void **state)
{
	(void)state;
	struct counter_result r = counter_step_scaled(32, 0.001, 4294967.290, 0.004, 10, 0);
	assert_int_equal(r.outcome, COUNTER_WRAP);
	assert_true(fabs(r.delta - 0.010) < 1e-9);
	/* A signed INT32 of kWh x 10 rolling over from 2^31 - 1 to -2^31 (Carlo Gavazzi). */
	r = counter_step_scaled(32, 0.1, 214748364.7, -214748364.8, 10, 0);
	assert_int_equal(r.outcome, COUNTER_WRAP);
	assert_true(fabs(r.delta - 0.1) < 1e-6);
	/* Unscaled, the same drop is a reset: the scale matters. */
	r = counter_step(32, 4294967.290, 0.004, 10, 0);
	assert_int_equal(r.outcome, COUNTER_RESET);
}

static void test_bad_input(void **state)
{
	(void)state;
	struct counter_result r = counter_step(32, 10, NAN, 10, 0);
	assert_int_equal(r.outcome, COUNTER_REJECTED);
	r = counter_step(32, 10, INFINITY, 10, 0);
	assert_int_equal(r.outcome, COUNTER_REJECTED);
	r = counter_step(32, 10, 20, -1, 0);
	assert_int_equal(r.outcome, COUNTER_REJECTED);
	assert_true(r.delta == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_known_16bit_wrap),
	        cmocka_unit_test(test_known_32bit_wrap),
	        cmocka_unit_test(test_known_replacement),
	        cmocka_unit_test(test_plain_increase),
	        cmocka_unit_test(test_rate_rejection),
	        cmocka_unit_test(test_wrap_implausible_is_reset),
	        cmocka_unit_test(test_float_counter),
	        cmocka_unit_test(test_never_negative),
	        cmocka_unit_test(test_scaled_32bit_wrap),
	        cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests_name("counter", tests, NULL, NULL);
}
