/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The stored-data free-cooling tally (analytics/freecool_stored.c) and the front ends that
 * must show its figures unchanged:
 *  - eight hand-made hours across a site-time midnight: each exercises one rule (RH in % and
 *    as a fraction averaged together, the dew-point fallback, no outdoor data, the standard
 *    atmosphere, the mode series, the valve fallback, an unknown plant) with the hours, the
 *    missed hours and kWh worked out bucket by bucket;
 *  - a generated month: the free_cooling_unused alert rule's view, evaluated hour by hour,
 *    fires on exactly the tally's missed hours, and the report's free_cooling object carries
 *    the tally's totals. test/integration/test_freecool_stored.sh compares the CLI, the
 *    report and /api/v1/freecool on an imported month against an independent recomputation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analytics/freecool.h"
#include "analytics/freecool_config.h"
#include "analytics/freecool_stored.h"
#include "analytics/psychro.h"
#include "config/config.h"
#include "core/timeutil.h"
#include "delivery/alerts.h"
#include "delivery/report.h"
#include "store/store.h"

#define H_MS INT64_C(3600000)
/* 2026-04-20T20:00+08:00: four hours before a site-time midnight. */
#define T0 INT64_C(1776686400000)

#define assert_near(actual, expected, tol)                                                         \
	do {                                                                                       \
		double a_ = (actual), e_ = (expected), t_ = (tol);                                 \
		if (!(fabs(a_ - e_) <= t_))                                                        \
			fail_msg("%s = %.9g, expected %.9g +/- %g", #actual, a_, e_, t_);          \
	} while (0)

enum { S_DB, S_RH_PCT, S_RH_FRAC, S_DP, S_P, S_MODE, S_VALVE, S_COMP, S_N };

static const struct store_series_desc descs[S_N] = {
        [S_DB] = {"weather", "outdoor_temp_c", "", STORE_GAUGE, 0, 0, 0},
        [S_RH_PCT] = {"weather", "outdoor_rh_pct", "", STORE_GAUGE, 0, 0, 0},
        [S_RH_FRAC] = {"weather", "outdoor_rh", "sensor=b", STORE_GAUGE, 0, 0, 0},
        [S_DP] = {"weather", "outdoor_dewpoint_c", "", STORE_GAUGE, 0, 0, 0},
        [S_P] = {"weather", "outdoor_pressure_pa", "", STORE_GAUGE, 0, 0, 0},
        [S_MODE] = {"plant", "cooling_mode", "", STORE_GAUGE, 0, 0, 0},
        [S_VALVE] = {"plant", "free_cooling_pct", "", STORE_GAUGE, 0, 0, 0},
        [S_COMP] = {"plant", "compressor_power_w", "", STORE_GAUGE, 0, 0, 0},
};

struct fx {
	char dir[64], path[128];
	struct store *st;
	int64_t id[S_N];
	struct fc_config fc;
};

/* Tower + plate HX, 15/21 C, approaches 4 + 2 K (the defaults): full at wet-bulb <= 9 C,
 * partial below 15 C. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];

	time_zone_set("Asia/Shanghai"); /* before the store's writer thread starts */
	snprintf(f->dir, sizeof(f->dir), "/tmp/greendc-fcs-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
	struct store_opts o = {.path = f->path, .commit_ms = 200, .queue_cap = 1 << 16};
	f->st = store_open(&o, err, sizeof(err));
	if (!f->st)
		return -1;
	for (int k = 0; k < S_N; k++)
		f->id[k] = store_series(f->st, &descs[k]);
	freecool_config_defaults(&f->fc);
	f->fc.series[FC_S_DRY_BULB] = "weather outdoor_temp_c*";
	f->fc.series[FC_S_RH] = "weather outdoor_rh*";
	f->fc.series[FC_S_DEW_POINT] = "weather outdoor_dewpoint_c*";
	f->fc.series[FC_S_PRESSURE] = "weather outdoor_pressure_pa*";
	f->fc.series[FC_S_MODE] = "plant cooling_mode*";
	f->fc.series[FC_S_VALVE_PCT] = "plant free_cooling_pct*";
	f->fc.series[FC_S_COMPRESSOR_W] = "plant compressor_power_w*";
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	if (f->st)
		store_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void put(struct fx *f, int k, int64_t ts, double v)
{
	struct store_sample s = {f->id[k], ts, v};
	assert_int_equal(store_append(f->st, &s, 1), 0);
}

static struct store_reader *reader(struct fx *f)
{
	char err[256];

	assert_int_equal(store_flush(f->st), 0);
	struct store_reader *r = store_reader_open(f->path, err, sizeof(err));
	assert_non_null(r);
	return r;
}

/* What the model says for an outdoor state: the availability and its load share. */
static enum fc_mode avail_rh(const struct fc_config *fc, double db, double rh, double p, double *fr)
{
	struct fc_outdoor o;
	freecool_outdoor_from_rh(&o, db, rh, p, PSYCHRO_RH_ICE);
	return freecool_available(&fc->plant, &o, fr);
}

static void test_hand_made_hours(void **state)
{
	struct fx *f = *state;
	const double p0 = 92000, alt = 778, p_std = psychro_pressure_at_altitude(alt);
	double fr;

	/* h0: 4 and 6 C (mean 5), RH 50 %: full available; mode 2, compressors off. */
	put(f, S_DB, T0, 4.0);
	put(f, S_DB, T0 + H_MS / 2, 6.0);
	put(f, S_RH_PCT, T0, 50);
	put(f, S_P, T0, p0);
	put(f, S_MODE, T0, 2);
	put(f, S_COMP, T0, 0);
	/* h1: the same air; the plant mechanical at 100 kW: missed, 100 kWh avoidable. */
	int64_t t = T0 + H_MS;
	put(f, S_DB, t, 5.0);
	put(f, S_RH_PCT, t, 50);
	put(f, S_P, t, p0);
	put(f, S_MODE, t, 0);
	put(f, S_COMP, t, 100000);
	/* h2: 15 C, RH 60 %: partial available; no mode series, valve 30 %: partial used with
	 * 0.3 of the load; 50 kW of compressors. Not missed (the same mode). */
	t += H_MS;
	put(f, S_DB, t, 15.0);
	put(f, S_RH_PCT, t, 60);
	put(f, S_P, t, p0);
	put(f, S_VALVE, t, 30);
	put(f, S_COMP, t, 50000);
	/* h3 (local 23:00): 30 C, RH 50 %: mechanical; mode 0 at 200 kW. */
	t += H_MS;
	put(f, S_DB, t, 30.0);
	put(f, S_RH_PCT, t, 50);
	put(f, S_P, t, p0);
	put(f, S_MODE, t, 0);
	put(f, S_COMP, t, 200000);
	/* h4 (the next local day): no RH: dew point 0 C at 5 C dry-bulb, full; mode 1 without a
	 * valve reading (carrying 0 of the load): missed, all 80 kW avoidable. */
	t += H_MS;
	put(f, S_DB, t, 5.0);
	put(f, S_DP, t, 0.0);
	put(f, S_P, t, p0);
	put(f, S_MODE, t, 1);
	put(f, S_COMP, t, 80000);
	/* h5: a dry-bulb but neither RH nor dew point: not counted at all. */
	t += H_MS;
	put(f, S_DB, t, 5.0);
	put(f, S_MODE, t, 2);
	/* h6: no pressure (the standard atmosphere at 778 m), no plant data: data only. */
	t += H_MS;
	put(f, S_DB, t, 14.0);
	put(f, S_RH_PCT, t, 70);
	/* h7: RH 40 % and 0.6 (a fraction series) average to 0.5; valve 100 %: full used. */
	t += H_MS;
	put(f, S_DB, t, 5.0);
	put(f, S_RH_PCT, t, 40);
	put(f, S_RH_FRAC, t, 0.6);
	put(f, S_P, t, p0);
	put(f, S_VALVE, t, 100);
	put(f, S_COMP, t, 1000);

	struct store_reader *r = reader(f);
	struct fc_stored s;
	assert_int_equal(
	        freecool_stored(r, &f->fc, alt, T0, T0 + 8 * H_MS, H_MS, FC_STORED_BUCKETS, &s), 0);
	assert_int_equal(s.nb, 8);
	assert_int_equal(s.nseries[FC_S_RH], 2);
	assert_near(s.p_std_pa, p_std, 1e-9);

	/* The model's own answers for the three outdoor states that are not plainly full. */
	double f2 = 0, f6 = 0;
	assert_int_equal(avail_rh(&f->fc, 15.0, 0.6, p0, &f2), FC_PARTIAL);
	assert_true(f2 > 0.05 && f2 < 0.95);
	enum fc_mode m6 = avail_rh(&f->fc, 14.0, 0.7, p_std, &f6);
	assert_int_equal(avail_rh(&f->fc, 30.0, 0.5, p0, &fr), FC_MECHANICAL);
	assert_int_equal(avail_rh(&f->fc, 5.0, 0.5, p0, &fr), FC_FREE);

	const struct fc_stored_bucket *b = s.b;
	assert_true(b[0].outdoor && b[0].avail == FC_FREE && b[0].used == FC_FREE);
	assert_near(b[0].o.db_c, 5.0, 1e-12);
	assert_true(b[1].avail == FC_FREE && b[1].used == FC_MECHANICAL);
	assert_true(b[2].avail == FC_PARTIAL && b[2].used == FC_PARTIAL);
	assert_near(b[2].f_avail, f2, 1e-12);
	assert_near(b[2].f_used, 0.3, 1e-12);
	assert_true(b[3].avail == FC_MECHANICAL && b[3].used == FC_MECHANICAL);
	assert_true(b[4].outdoor && b[4].avail == FC_FREE && b[4].used == FC_PARTIAL);
	assert_near(b[4].o.dp_c, 0.0, 1e-9);
	assert_false(b[5].outdoor);
	assert_true(b[6].outdoor && b[6].avail == m6 && b[6].used == -1);
	assert_true(b[7].avail == FC_FREE && b[7].used == FC_FREE);
	/* RH 40 % and 0.6 average to 0.5: the same outdoor state as h1. */
	assert_near(b[7].o.wb_c, b[1].o.wb_c, 1e-9);

	const struct fc_tally *T = &s.total;
	double equiv = 1 + 1 + f2 + 0 + 1 + f6 + 1;
	assert_near(T->data_h, 7, 1e-12);
	assert_near(T->avail_free_h, 4 + (m6 == FC_FREE), 1e-12);
	assert_near(T->avail_partial_h, 1 + (m6 == FC_PARTIAL), 1e-12);
	assert_near(T->avail_equiv_h, equiv, 1e-12);
	assert_near(T->plant_data_h, 6, 1e-12);
	assert_near(T->used_free_h, 2, 1e-12);
	assert_near(T->used_partial_h, 2, 1e-12);
	assert_near(T->used_equiv_h, 1 + 0.3 + 0 + 1, 1e-12);
	assert_near(T->missed_h, 2, 1e-12);
	assert_near(T->compressor_kwh, 0 + 100 + 50 + 200 + 80 + 1, 1e-9);
	/* h1: all 100; h2: 50 x (f2 - 0.3) / 0.7 when the economizer could take more; h4: 80. */
	double h2 = f2 > 0.3 ? 50 * (f2 - 0.3) / 0.7 : 0;
	assert_near(T->missed_kwh, 100 + h2 + 80, 1e-9);

	/* Site-time days: 20:00..23:00 on the 20th, 00:00..03:00 on the 21st. */
	assert_int_equal(s.ndays, 2);
	assert_string_equal(s.days[0].label, "2026-04-20");
	assert_string_equal(s.days[1].label, "2026-04-21");
	assert_near(s.days[0].data_h, 4, 1e-12);
	assert_near(s.days[0].missed_h, 1, 1e-12);
	assert_near(s.days[1].data_h, 3, 1e-12);
	assert_near(s.days[1].missed_kwh, 80, 1e-9);
	assert_int_equal(s.nmonths, 1);
	assert_string_equal(s.months[0].label, "2026-04");
	assert_near(s.months[0].missed_kwh, T->missed_kwh, 1e-12);
	freecool_stored_free(&s);

	/* A last bucket cut short by to counts for its own length. */
	assert_int_equal(freecool_stored(r, &f->fc, alt, T0, T0 + H_MS / 2, H_MS, 0, &s), 0);
	assert_near(s.total.data_h, 0.5, 1e-12);
	freecool_stored_free(&s);
	/* No dry-bulb series configured: no hour has data, the plant's modes are still read. */
	struct fc_config none = f->fc;
	none.series[FC_S_DRY_BULB] = NULL;
	assert_int_equal(
	        freecool_stored(r, &none, alt, T0, T0 + 8 * H_MS, H_MS, FC_STORED_BUCKETS, &s), 0);
	assert_near(s.total.data_h, 0, 0);
	assert_false(s.b[0].outdoor);
	assert_int_equal(s.b[0].used, FC_FREE);
	assert_int_equal(s.b[1].used, FC_MECHANICAL);
	freecool_stored_free(&s);
	/* An empty range is an error, not zero hours. */
	assert_int_equal(freecool_stored(r, &f->fc, alt, T0, T0, H_MS, 0, &s), -EINVAL);
	store_reader_close(r);
}

/* A deterministic month: hourly readings with gaps, a plant that changes over three hours
 * late (so hours are missed), and compressors that follow its mode. */
static double lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(*x >> 11) / 9007199254740992.0;
}

static void write_month(struct fx *f, int64_t from, int hours)
{
	uint64_t x = 42;
	int *avail = calloc((size_t)hours, sizeof(int));

	assert_non_null(avail);
	for (int h = 0; h < hours; h++) {
		int64_t t = from + h * H_MS;
		double db = 11 + 8 * sin(2 * M_PI * (h - 9) / 24.0) + 6 * lcg(&x) - 3;
		double rh = 35 + 55 * lcg(&x), fr;

		put(f, S_DB, t, db);
		if (h % 13 != 5)
			put(f, S_RH_PCT, t, rh);
		else if (h % 26 != 5)
			put(f, S_DP, t, psychro_dew_point(db, rh / 100, PSYCHRO_RH_ICE));
		if (h % 11 != 7)
			put(f, S_P, t, 92300 + 200 * lcg(&x));
		avail[h] = avail_rh(&f->fc, db, rh / 100, 92300, &fr);
		int mode = h >= 3 ? avail[h - 3] : 0;
		if (h % 19 != 4 && h % 7 != 2)
			put(f, S_MODE, t, mode);
		if (h % 19 != 4)
			put(f, S_VALVE, t, mode == 2 ? 100 : mode == 1 ? 20 + 60 * lcg(&x) : 0);
		if (h % 23 != 6)
			put(f, S_COMP, t, mode == 2 ? 500 : mode == 1 ? 80000 : 200000 * lcg(&x));
	}
	free(avail);
}

static void test_month_alert_and_report(void **state)
{
	struct fx *f = *state;
	int64_t from, to;
	enum time_unit u;
	struct fc_stored s;

	assert_int_equal(time_period_parse("2026-04", &from, &to, &u), 0);
	int hours = (int)((to - from) / H_MS);
	assert_int_equal(hours, 720);
	write_month(f, from, hours);
	struct store_reader *r = reader(f);
	assert_int_equal(freecool_stored(r, &f->fc, 778, from, to, H_MS, 0, &s), 0);
	assert_true(s.total.missed_h > 10 && s.total.missed_h < s.total.plant_data_h);
	assert_true(s.total.avail_partial_h > 10 && s.total.avail_free_h > 10);
	assert_int_equal(s.ndays, 30);

	/* The alert rule, evaluated at the end of every hour with a 1 h lookback. */
	double known = 0, fired = 0, share = 0;
	for (int h = 0; h < hours; h++) {
		bool k, cond;
		double pct;
		assert_int_equal(alert_free_cooling_view(r, &f->fc, 778, from + (h + 1) * H_MS,
		                                         H_MS, &k, &cond, &pct),
		                 0);
		known += k;
		fired += cond;
		share += k ? pct / 100 : 0;
	}
	assert_near(known, s.total.plant_data_h, 1e-9);
	assert_near(fired, s.total.missed_h, 1e-9);
	assert_near(share, s.total.used_equiv_h, 1e-9);

	/* The report's (and the summary's) free_cooling object. */
	struct config cfg = {.cooling = &f->fc};
	cfg.site.altitude_m = 778;
	cJSON *o = report_free_cooling(&cfg, r, from, to, to);
	const struct {
		const char *key;
		double want;
	} want[] = {
	        {"equivalent_full_hours", s.total.used_equiv_h},
	        {"hours_any", s.total.used_free_h + s.total.used_partial_h},
	        {"hours_with_data", s.total.plant_data_h},
	        {"data_h", s.total.data_h},
	        {"available_free_h", s.total.avail_free_h},
	        {"available_partial_h", s.total.avail_partial_h},
	        {"available_free_equiv_h", s.total.avail_equiv_h},
	        {"missed_h", s.total.missed_h},
	        {"compressor_kwh", s.total.compressor_kwh},
	        {"missed_kwh", s.total.missed_kwh},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const cJSON *v = cJSON_GetObjectItem(o, want[i].key);
		if (!cJSON_IsNumber(v))
			fail_msg("report free_cooling.%s missing", want[i].key);
		assert_near(v->valuedouble, want[i].want, 1e-9);
	}
	cJSON_Delete(o);
	freecool_stored_free(&s);

	/* The report made 30 s into the month counts the 30 s observed, not the first hour's
	 * mean x 1 h (issue 13: it said 1.0 h where `freecool --period` said 0.07), and agrees
	 * with the tally at the CLI's 1 min step up to the same now. */
	o = report_free_cooling(&cfg, r, from, to, from + 30000);
	assert_near(cJSON_GetObjectItem(o, "data_h")->valuedouble, 30.0 / 3600, 1e-12);
	assert_int_equal(freecool_stored(r, &f->fc, 778, from, from + 30000, 60000, 0, &s), 0);
	assert_near(s.total.data_h, 30.0 / 3600, 1e-12);
	assert_near(cJSON_GetObjectItem(o, "hours_any")->valuedouble,
	            s.total.used_free_h + s.total.used_partial_h, 1e-12);
	freecool_stored_free(&s);
	cJSON_Delete(o);
	o = report_free_cooling(&cfg, r, from, to, from - 1);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "equivalent_full_hours")));
	cJSON_Delete(o);
	store_reader_close(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_hand_made_hours, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_month_alert_and_report, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
