/* SPDX-License-Identifier: Apache-2.0 */
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
	/* 10 s at 1/s: up to 11 plus one step (1) is plausible, 13 is not */
	struct counter_result r = counter_step(32, 100, 112, 10, 1);
	assert_int_equal(r.outcome, COUNTER_OK);
	assert_true(r.delta == 12);
	r = counter_step(32, 100, 113, 10, 1);
	assert_int_equal(r.outcome, COUNTER_REJECTED);
	assert_true(r.delta == 0);
	assert_string_equal(counter_event_kind(r.outcome), "counter_rejected");
	/* a 0.1 kWh register: the step is 0.1 */
	r = counter_step_scaled(32, 0.1, 100, 111.1, 10, 1);
	assert_int_equal(r.outcome, COUNTER_OK);
	r = counter_step_scaled(32, 0.1, 100, 111.2, 10, 1);
	assert_int_equal(r.outcome, COUNTER_REJECTED);
}

#define KW(x) ((x) / 3600.0) /* rated power in kW as kWh per second */

/* The demo's PDU A (issue 13): a 16-bit whole-kWh register polled every 5 s, rated 300 kW,
 * drawing 194 kW. One step within one poll "looks like" 720 kW, yet it is what a real meter
 * shows: always plausible. A 1000 kWh step is not. */
static void test_one_step_always_plausible(void **state)
{
	(void)state;
	struct counter_result r = counter_step(16, 65006, 65007, 5, KW(300));
	assert_int_equal(r.outcome, COUNTER_OK);
	assert_true(r.delta == 1);
	/* even after a 1 s poll, and across the wrap */
	r = counter_step(16, 65535, 0, 1, KW(300));
	assert_int_equal(r.outcome, COUNTER_WRAP);
	assert_true(r.delta == 1);
	r = counter_step(16, 65006, 66006 - 65536, 5, KW(300));
	assert_int_equal(r.outcome, COUNTER_RESET); /* 1000 kWh in 5 s: no wrap explains it */
	r = counter_step(16, 65006, 66006, 5, KW(300));
	assert_int_equal(r.outcome, COUNTER_REJECTED);
	/* CRAH: 0.1 kWh steps, rated 30 kW, polled every 10 s (one step = 36 kW) */
	r = counter_step_scaled(32, 0.1, 812.3, 812.4, 10, KW(30));
	assert_int_equal(r.outcome, COUNTER_OK);
	assert_true(fabs(r.delta - 0.1) < 1e-9);
	/* at the rated power, 5 steps of 0.1 kWh in 10 s would be 180 kW */
	r = counter_step_scaled(32, 0.1, 812.3, 812.8, 10, KW(30));
	assert_int_equal(r.outcome, COUNTER_REJECTED);
}

static const struct counter_params PDU_A = {16, 1.0, KW(300)};

/* Feed readings (ts in s, raw) and count events; the last verdict is left in *last. */
static int feed(struct counter_state *s, const struct counter_params *p, const double (*rd)[2],
                size_t n, double *total, struct counter_verdict *last)
{
	int events = 0;
	for (size_t i = 0; i < n; i++) {
		counter_feed(s, p, (int64_t)(rd[i][0] * 1000), rd[i][1], last);
		events += counter_is_event(last->outcome);
		if (last->store)
			*total = last->total;
		assert_true(last->inc >= 0);
	}
	return events;
}

/* Judged over the time since the last change, not since the last poll: a meter that updates
 * its register once a minute, polled every 5 s, shows 5 kWh at once at 300 kW. */
static void test_rate_since_last_change(void **state)
{
	(void)state;
	struct counter_state s = {0};
	struct counter_verdict v;
	double total = 0;
	const double rd[][2] = {{0, 1000}, {5, 1000}, {10, 1000}, {55, 1000}, {60, 1005}};
	assert_int_equal(feed(&s, &PDU_A, rd, 5, &total, &v), 0);
	assert_true(total == 1005);
	assert_true(v.elapsed_s == 60);
	/* since the last poll (5 s) the same step would be implausible */
	assert_int_equal(counter_step(16, 1000, 1005, 5, KW(300)).outcome, COUNTER_REJECTED);
	assert_true(s.chg_ts == 60000);
}

/* 194 kW on PDU A for an hour of 5 s polls: every step counted, no event. */
static void test_pdu_a_hour(void **state)
{
	(void)state;
	struct counter_state s = {0};
	struct counter_verdict v;
	double total = 0, energy = 65006.4;
	int events = 0;
	for (int k = 0; k <= 720; k++) {
		double raw = fmod(floor(energy), 65536);
		counter_feed(&s, &PDU_A, (int64_t)k * 5000, raw, &v);
		events += counter_is_event(v.outcome);
		if (v.store)
			total = v.total;
		energy += 194.0 * 5 / 3600;
	}
	assert_int_equal(events, 0);
	assert_true(total == floor(energy - 194.0 * 5 / 3600)); /* unwrapped across 65536 */
}

/* A real jump is caught once: a glitch that comes back is one event and costs nothing; a
 * meter replaced by one with a higher count is one event, then counted from its new level. */
static void test_jump_caught_once(void **state)
{
	(void)state;
	struct counter_state s = {0};
	struct counter_verdict v;
	double total = 0;
	/* 1000 kWh after 5 s: rejected, one event; back to normal: no second event */
	const double glitch[][2] = {{0, 100}, {5, 100}, {10, 1100}, {15, 101}, {20, 101}};
	assert_int_equal(feed(&s, &PDU_A, glitch, 5, &total, &v), 1);
	assert_true(total == 101);
	assert_false(s.have_pend);

	/* replaced by a meter reading 5000: rejected once, then its level is the baseline */
	struct counter_state r = {0};
	total = 0;
	const double repl[][2] = {{0, 100}, {5, 100}, {10, 5000}, {15, 5000}, {20, 5001}};
	assert_int_equal(feed(&r, &PDU_A, repl, 5, &total, &v), 1);
	assert_true(total == 101); /* 100 + the 1 kWh after the new level; the jump unknown */
	assert_true(r.raw == 5001);

	/* a value that keeps jumping: an event each time, nothing counted */
	struct counter_state j = {0};
	total = 0;
	const double noise[][2] = {{0, 100}, {5, 9000}, {10, 100}, {15, 30000}, {20, 100}};
	assert_int_equal(feed(&j, &PDU_A, noise, 5, &total, &v), 2);
	assert_true(total == 100);
}

/* Readings must come in time order; one that does not is an event and changes nothing. */
static void test_feed_time_order(void **state)
{
	(void)state;
	struct counter_state s = {0};
	struct counter_verdict v;
	double total = 0;
	const double rd[][2] = {{0, 100}, {10, 101}, {10, 102}, {5, 103}, {20, 102}};
	assert_int_equal(feed(&s, &PDU_A, rd, 5, &total, &v), 2);
	assert_true(total == 102);
	counter_feed(&s, &PDU_A, 30000, NAN, &v); /* not a number: an event, not stored */
	assert_int_equal(v.outcome, COUNTER_REJECTED);
	assert_false(v.store);
	assert_false(s.have_pend);
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
	        cmocka_unit_test(test_one_step_always_plausible),
	        cmocka_unit_test(test_rate_since_last_change),
	        cmocka_unit_test(test_pdu_a_hour),
	        cmocka_unit_test(test_jump_caught_once),
	        cmocka_unit_test(test_feed_time_order),
	        cmocka_unit_test(test_wrap_implausible_is_reset),
	        cmocka_unit_test(test_float_counter),
	        cmocka_unit_test(test_never_negative),
	        cmocka_unit_test(test_scaled_32bit_wrap),
	        cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests_name("counter", tests, NULL, NULL);
}
