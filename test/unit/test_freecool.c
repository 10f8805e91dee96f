/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for src/freecool.c and src/epw.c: the economizer modes and partial fraction at
 * points worked by hand from DOMAIN.md §6, the changeover controller's hysteresis and minimum
 * on/off times on synthetic ramps, the what-if's hour counts on a synthetic year, the ASHRAE
 * envelope with altitude derating, and the EPW reader's clamping and error messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/epw.h"
#include "analytics/freecool.h"

#define assert_near(actual, expected, tol)                                                         \
	do {                                                                                       \
		double a_ = (actual), e_ = (expected), t_ = (tol);                                 \
		if (!(fabs(a_ - e_) <= t_))                                                        \
			fail_msg("%s = %.9g, expected %.9g +/- %g", #actual, a_, e_, t_);          \
	} while (0)

/* An outdoor state given directly (wet-bulb and dew point chosen, not computed). */
static struct fc_outdoor od(double db, double wb, double dp)
{
	struct fc_outdoor o = {.db_c = db, .wb_c = wb, .dp_c = dp};
	return o;
}

static void tower_plant(struct fc_plant *p)
{
	freecool_plant_defaults(p);
	p->type = FC_TOWER_HX;
	p->chws_c = 15;
	p->chwr_c = 21;
	p->approach_tower_k = 4;
	p->approach_hx_k = 2;
}

/* Tower + HX, 15/21 C, 4 + 2 K: HX leaving = WB + 6, full at WB <= 9, partial below WB 15. */
static void test_tower_modes(void **state)
{
	struct fc_plant p;
	struct fc_outdoor o;
	double f, full, part;
	const char *gov;
	(void)state;

	tower_plant(&p);
	o = od(20, 9.0, 5);
	assert_int_equal(freecool_available(&p, &o, &f), FC_FREE);
	assert_near(f, 1.0, 0);
	o = od(20, 12.0, 5); /* leaving 18: f = (21 - 18) / 6 */
	assert_int_equal(freecool_available(&p, &o, &f), FC_PARTIAL);
	assert_near(f, 0.5, 1e-12);
	o = od(20, 14.0, 5); /* leaving 20: f = 1/6 */
	assert_int_equal(freecool_available(&p, &o, &f), FC_PARTIAL);
	assert_near(f, 1.0 / 6.0, 1e-12);
	o = od(20, 9.5, 5); /* leaving 15.5: f = 5.5/6 */
	assert_int_equal(freecool_available(&p, &o, &f), FC_PARTIAL);
	assert_near(f, 5.5 / 6.0, 1e-12);
	o = od(25, 15.0, 5); /* leaving = return: nothing left to do */
	assert_int_equal(freecool_available(&p, &o, &f), FC_MECHANICAL);
	assert_near(f, 0.0, 0);
	o = od(NAN, NAN, NAN);
	assert_int_equal(freecool_available(&p, &o, &f), FC_MECHANICAL);

	freecool_thresholds(&p, &full, &part, &gov);
	assert_near(full, 9.0, 1e-12);
	assert_near(part, 15.0, 1e-12);
	assert_string_equal(gov, "wet-bulb");

	/* Parallel piping: full or nothing. */
	p.piping = FC_PARALLEL;
	o = od(20, 12.0, 5);
	assert_int_equal(freecool_available(&p, &o, &f), FC_MECHANICAL);
	o = od(20, 8.0, 5);
	assert_int_equal(freecool_available(&p, &o, &f), FC_FREE);

	/* Raising the setpoint moves the threshold one-for-one. */
	p.piping = FC_INTEGRATED;
	freecool_plant_raise(&p, 3);
	freecool_thresholds(&p, &full, &part, &gov);
	assert_near(full, 12.0, 1e-12);
	assert_near(part, 18.0, 1e-12);

	/* Freeze floor: tower water held at 5 C, so leaving = 7 C at any wet-bulb below 1 C. */
	tower_plant(&p);
	p.tower_min_c = 5;
	o = od(-10, -12, -20);
	assert_near(freecool_leaving_c(&p, &o), 7.0, 1e-12);
}

static void test_other_economizers(void **state)
{
	struct fc_plant p;
	struct fc_outdoor o;
	double f, full, part;
	const char *gov;
	(void)state;

	/* Dry cooler, approach 6 K: full at DB <= 9; partial f = (21 - (12 + 6)) / 6 at DB 12. */
	tower_plant(&p);
	p.type = FC_DRY_COOLER;
	p.approach_dry_k = 6;
	o = od(9, 0, 0);
	assert_int_equal(freecool_available(&p, &o, &f), FC_FREE);
	o = od(12, 0, 0);
	assert_int_equal(freecool_available(&p, &o, &f), FC_PARTIAL);
	assert_near(f, 0.5, 1e-12);
	freecool_thresholds(&p, &full, &part, &gov);
	assert_near(full, 9, 1e-12);
	assert_string_equal(gov, "dry-bulb");

	/* Indirect evaporative: 30 - 0.7 (30 - 18) + 4 = 25.6 against supply 24, return 36. */
	freecool_plant_defaults(&p);
	p.type = FC_INDIRECT_EVAP;
	p.evap_effectiveness = 0.7;
	p.approach_air_k = 4;
	p.supply_air_c = 24;
	p.return_air_c = 36;
	o = od(30, 18, 12);
	assert_near(freecool_leaving_c(&p, &o), 25.6, 1e-12);
	assert_int_equal(freecool_available(&p, &o, &f), FC_PARTIAL);
	assert_near(f, (36 - 25.6) / 12, 1e-12);
	freecool_thresholds(&p, &full, &part, &gov);
	assert_true(isnan(full));

	/* Indirect airside: DB + 4 <= 24. */
	p.type = FC_INDIRECT_AIR;
	o = od(20, 10, 5);
	assert_int_equal(freecool_available(&p, &o, &f), FC_FREE);
	o = od(20.5, 10, 5);
	assert_int_equal(freecool_available(&p, &o, &f), FC_PARTIAL);

	/* Direct airside: DB <= 24 and dew point inside -9..15. */
	p.type = FC_DIRECT_AIR;
	o = od(10, 5, 2);
	assert_int_equal(freecool_available(&p, &o, &f), FC_FREE);
	o = od(10, 0, -15); /* too dry: would need humidification */
	assert_int_equal(freecool_available(&p, &o, &f), FC_MECHANICAL);
	o = od(23, 20, 18); /* too humid */
	assert_int_equal(freecool_available(&p, &o, &f), FC_MECHANICAL);
	o = od(30, 15, 10); /* f = (36 - 30) / 12 */
	assert_int_equal(freecool_available(&p, &o, &f), FC_PARTIAL);
	assert_near(f, 0.5, 1e-12);
	/* IT inlet estimate: supply air + 1 K by default. */
	assert_near(freecool_inlet_c(&p), 25, 1e-12);
	tower_plant(&p);
	assert_near(freecool_inlet_c(&p), 23, 1e-12);
}

static void test_names(void **state)
{
	enum fc_economizer t;
	enum fc_ashrae_class c;
	(void)state;

	for (int i = 0; i < FC_ECONOMIZER_COUNT; i++) {
		assert_int_equal(freecool_economizer_parse(freecool_economizer_name(i), &t), 0);
		assert_int_equal(t, i);
	}
	assert_int_equal(freecool_economizer_parse("chiller", &t), -EINVAL);
	assert_int_equal(freecool_class_parse("a3", &c), 0);
	assert_int_equal(c, FC_A3);
	assert_int_equal(freecool_class_parse("A5", &c), -EINVAL);
}

/*
 * A slow ramp of the wet-bulb down through the thresholds and back up, plus noise of +-0.4 K
 * (less than the 1 K hysteresis) with a 10-minute period: the controller must enter full free
 * cooling only at WB <= 8 (leaving 14 = 15 - H), leave it only above WB 9 (leaving > 15), and
 * change mode a bounded number of times with at least 20 minutes between changes.
 */
static void test_controller_ramp(void **state)
{
	struct fc_plant p;
	struct fc_ctl_params cp;
	struct fc_ctl c = {0};
	const double dt = 60.0;
	double last_change = -1e9, t = 0, wb;
	unsigned changes = 0, into_free = 0, out_of_free = 0;
	enum fc_mode prev;
	(void)state;

	tower_plant(&p);
	freecool_ctl_defaults(&cp);
	struct fc_outdoor o = od(20, 20, 10);
	prev = freecool_ctl_step(&c, &cp, &p, &o, dt);
	assert_int_equal(prev, FC_MECHANICAL);
	/* 20 C -> 0 C over 20 h, then back up over 20 h. */
	for (int i = 1; i <= 2400; i++) {
		t = i * dt;
		double base = i <= 1200 ? 20.0 - 20.0 * i / 1200.0 : 20.0 * (i - 1200) / 1200.0;
		wb = base + 0.4 * sin(2 * M_PI * t / 600.0);
		o = od(25, wb, 0);
		enum fc_mode m = freecool_ctl_step(&c, &cp, &p, &o, dt);
		if (m != prev) {
			changes++;
			assert_true(t - last_change >= 20 * 60 - 1e-9);
			last_change = t;
			if (m == FC_FREE) {
				into_free++;
				assert_true(wb + 6 <= 15 - 1 + 1e-9);
			}
			if (prev == FC_FREE) {
				out_of_free++;
				assert_true(wb + 6 > 15);
			}
			if (prev == FC_MECHANICAL && m == FC_PARTIAL)
				assert_true(wb + 6 < 21 - 1);
			if (m == FC_MECHANICAL)
				assert_true(wb + 6 >= 21);
		}
		prev = m;
	}
	/* Down: mechanical -> partial -> full; up: full -> partial -> mechanical. */
	assert_int_equal(into_free, 1);
	assert_int_equal(out_of_free, 1);
	assert_int_equal(changes, 4);
	assert_int_equal(prev, FC_MECHANICAL);
}

/* Step change: the minimum off and on times hold the mode for exactly 20 minutes. */
static void test_controller_min_times(void **state)
{
	struct fc_plant p;
	struct fc_ctl_params cp;
	struct fc_ctl c = {0};
	struct fc_outdoor hot = od(30, 20, 15), cold = od(0, -2, -5);
	int i;
	(void)state;

	tower_plant(&p);
	freecool_ctl_defaults(&cp);
	assert_int_equal(freecool_ctl_step(&c, &cp, &p, &hot, 60), FC_MECHANICAL);
	/* Cold from now on: 19 minutes later still mechanical, at 20 it goes straight to full. */
	for (i = 1; i < 20; i++)
		assert_int_equal(freecool_ctl_step(&c, &cp, &p, &cold, 60), FC_MECHANICAL);
	assert_int_equal(freecool_ctl_step(&c, &cp, &p, &cold, 60), FC_FREE);
	/* Back to hot after 5 minutes: full is held until 20 minutes on. */
	for (i = 1; i <= 5; i++)
		assert_int_equal(freecool_ctl_step(&c, &cp, &p, &cold, 60), FC_FREE);
	for (i = 6; i < 20; i++)
		assert_int_equal(freecool_ctl_step(&c, &cp, &p, &hot, 60), FC_FREE);
	assert_int_equal(freecool_ctl_step(&c, &cp, &p, &hot, 60), FC_MECHANICAL);

	/* Zero minimum times and hysteresis: follows availability at once. */
	cp.min_on_s = cp.min_off_s = 0;
	cp.hysteresis_k = 0;
	assert_int_equal(freecool_ctl_step(&c, &cp, &p, &cold, 60), FC_FREE);
	struct fc_outdoor mid = od(20, 12, 5);
	assert_int_equal(freecool_ctl_step(&c, &cp, &p, &mid, 60), FC_PARTIAL);
}

/* A synthetic year: month m has 10 hours at WB m - 2 (one value per month, DB 20). */
static void test_whatif(void **state)
{
	struct fc_plant p;
	struct fc_ctl_params cp;
	struct fc_hour h[120];
	struct fc_whatif *w = malloc(sizeof(*w));
	(void)state;

	assert_non_null(w);
	tower_plant(&p);
	freecool_ctl_defaults(&cp);
	for (int i = 0; i < 120; i++) {
		h[i].month = i / 10 + 1;
		h[i].o = od(20, h[i].month - 2.0, -5);
	}
	assert_int_equal(freecool_whatif(&p, &cp, h, 120, 3, w), 0);
	/* Base: full while WB <= 9 (months 1..11), partial for WB 10 (month 12). */
	assert_near(w->m[0][0].hours, 120, 0);
	assert_near(w->m[0][0].free_h, 110, 0);
	assert_near(w->m[0][0].partial_h, 10, 0);
	assert_near(w->m[0][12].free_equiv_h, 10 * (21.0 - 16.0) / 6.0, 1e-9);
	/* Marginal hours: leaving within 1 K of 15 = WB 8..10 = months 10, 11, 12. */
	assert_near(w->m[0][0].marginal_h, 30, 0);
	/* +1 K: month 12 (WB 10) becomes full. */
	assert_near(w->m[1][0].free_h, 120, 0);
	assert_near(w->m[1][12].free_h, 10, 0);
	assert_near(w->m[3][0].free_equiv_h, 120, 1e-9);
	/* The controller, stepping an hour at a time, runs what is available here. */
	assert_near(w->m[0][0].ctl_free_h, 110, 0);
	assert_int_equal(freecool_whatif(&p, &cp, h, 120, FC_MAX_STEPS + 1, w), -EINVAL);
	h[5].month = 13;
	assert_int_equal(freecool_whatif(&p, &cp, h, 120, 1, w), -EINVAL);
	free(w);
}

static void test_envelope(void **state)
{
	struct fc_envelope e;
	(void)state;

	freecool_envelope(FC_A1, false, false, 0, 900, &e);
	assert_near(e.t_min_c, 18, 0);
	assert_near(e.t_max_c, 27, 0);
	assert_near(e.dp_max_c, 15, 0);
	freecool_envelope(FC_A2, true, false, 1500, 900, &e);
	assert_near(e.t_max_c, 35, 0);
	assert_near(e.dp_max_c, 21, 0);
	/* 1 K per 300 m above 900 m: 1200 m takes 1 K off A1's 32 C. */
	freecool_envelope(FC_A1, true, true, 1200, 900, &e);
	assert_near(e.t_max_c, 31, 1e-12);
	freecool_envelope(FC_A1, true, true, 778, 900, &e);
	assert_near(e.t_max_c, 32, 0);
	freecool_envelope(FC_H1, false, false, 0, 900, &e);
	assert_near(e.t_max_c, 22, 0);
}

/* ---- EPW ---- */

static const char header[] =
        "LOCATION,Testville,XX,CHN,TEST,123450,37.78,112.55,8.0,778.3\n"
        "DESIGN CONDITIONS,0\nTYPICAL/EXTREME PERIODS,0\nGROUND TEMPERATURES,0\n"
        "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0\nCOMMENTS 1,x\nCOMMENTS 2,y\n"
        "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31\n";

static struct epw *parse(const char *body, char *err, size_t errlen)
{
	static char buf[8192];

	snprintf(buf, sizeof(buf), "%s%s", header, body);
	return epw_parse(buf, strlen(buf), "t.epw", err, errlen);
}

static void test_epw_ok(void **state)
{
	char err[256] = "";
	struct epw *w;
	(void)state;

	w = parse("2005,1,1,1,0,?9?9,-4.5,-8.7,70,93670,9999\r\n"
	          "2005,1,1,2,0,?9?9,-7.0,-6.6,101,999999,9999\n"
	          "\n"
	          "2005,7,15,14,0,A7,30.2,18.0,48,92100\n",
	          err, sizeof(err));
	assert_non_null(w);
	assert_string_equal(w->city, "Testville");
	assert_string_equal(w->wmo, "123450");
	assert_near(w->elevation_m, 778.3, 1e-9);
	assert_int_equal(w->n, 3);
	assert_near(w->rec[0].db_c, -4.5, 0);
	assert_near(w->rec[0].dp_c, -8.7, 0);
	assert_near(w->rec[0].rh, 0.70, 1e-12);
	assert_near(w->rec[0].p_pa, 93670, 0);
	/* Dew point above the dry-bulb is clamped; RH over 100 % capped; missing pressure NAN. */
	assert_near(w->rec[1].dp_c, -7.0, 0);
	assert_near(w->rec[1].rh, 1.0, 0);
	assert_true(isnan(w->rec[1].p_pa));
	assert_int_equal(w->nclamped, 1);
	assert_int_equal(w->rec[2].month, 7);
	assert_int_equal(w->rec[2].day, 15);
	assert_int_equal(w->rec[2].hour, 14);
	epw_free(w);
	epw_free(NULL);
}

static void expect_error(const char *body, const char *msg)
{
	char err[256] = "";
	struct epw *w = parse(body, err, sizeof(err));

	assert_null(w);
	if (!strstr(err, msg))
		fail_msg("error \"%s\" does not contain \"%s\"", err, msg);
}

static void test_epw_errors(void **state)
{
	char err[256] = "";
	(void)state;

	expect_error("2005,1,1,1,0,x,-4.5,-8.7\n", "t.epw:9: 8 fields");
	expect_error("2005,1,1,1,0,x,1,0,50,93000\n2005,1,1,2,0,x,abc,-8.7,70,93670\n",
	             "t.epw:10: field 7 (dry-bulb): not a number");
	expect_error("2005,1,1,1,0,x,99.9,-8.7,70,93670\n", "t.epw:9: field 7 (dry-bulb) 99.9");
	expect_error("2005,1,1,1,0,x,5,-8.7,999,93670\n", "t.epw:9: field 9");
	expect_error("2005,13,1,1,0,x,5,-8.7,50,93670\n", "t.epw:9: bad month");
	expect_error("2005,1,1,1,0,x,5,-8.7,50,500\n", "t.epw:9: field 10");
	expect_error("", "no hourly records");
	assert_null(epw_parse("hello\n", 6, "x.epw", err, sizeof(err)));
	assert_non_null(strstr(err, "x.epw:1: not an EPW file"));

	/* A line longer than the bound. */
	size_t n = strlen(header) + EPW_MAX_LINE + 100;
	char *big = malloc(n);
	assert_non_null(big);
	memset(big, 'a', n);
	memcpy(big, header, strlen(header));
	assert_null(epw_parse(big, n, "big.epw", err, sizeof(err)));
	assert_non_null(strstr(err, "big.epw:9: line longer"));
	free(big);

	/* More records than a leap year: refused at the first one too many. */
	const char *rec = "2005,1,1,1,0,x,5.0,1.0,50,93000\n";
	size_t rl = strlen(rec), hl = strlen(header), nrec = EPW_MAX_RECORDS + 1;
	char *many = malloc(hl + rl * nrec);
	assert_non_null(many);
	memcpy(many, header, hl);
	for (size_t i = 0; i < nrec; i++)
		memcpy(many + hl + i * rl, rec, rl);
	assert_null(epw_parse(many, hl + rl * nrec, "many.epw", err, sizeof(err)));
	assert_non_null(strstr(err, "many.epw:8793: more than 8784"));
	/* Exactly the bound is fine. */
	struct epw *w = epw_parse(many, hl + rl * EPW_MAX_RECORDS, "many.epw", err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(w->n, EPW_MAX_RECORDS);
	epw_free(w);
	free(many);

	assert_null(epw_read("/nonexistent/x.epw", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/x.epw: No such file"));
}

/* Outdoor state from an EPW-style record agrees with the psychrometrics layer. */
static void test_outdoor(void **state)
{
	struct fc_outdoor a, b;
	(void)state;

	freecool_outdoor_from_dp(&a, 7.0, psychro_dew_point(7.0, 0.61, PSYCHRO_RH_ICE), 100000);
	assert_near(a.wb_c, 3.93, 0.005); /* DOMAIN.md §4 self-check */
	freecool_outdoor_from_rh(&b, 7.0, 0.61, 100000, PSYCHRO_RH_ICE);
	assert_near(a.wb_c, b.wb_c, 1e-5);
	assert_near(a.dp_c, b.dp_c, 1e-6);
	/* A dew point above the dry-bulb counts as saturated. */
	freecool_outdoor_from_dp(&a, 5.0, 5.4, 92318);
	assert_near(a.wb_c, 5.0, 1e-5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_tower_modes),
	        cmocka_unit_test(test_other_economizers),
	        cmocka_unit_test(test_names),
	        cmocka_unit_test(test_controller_ramp),
	        cmocka_unit_test(test_controller_min_times),
	        cmocka_unit_test(test_whatif),
	        cmocka_unit_test(test_envelope),
	        cmocka_unit_test(test_epw_ok),
	        cmocka_unit_test(test_epw_errors),
	        cmocka_unit_test(test_outdoor),
	};

	return cmocka_run_group_tests_name("freecool", tests, NULL, NULL);
}
