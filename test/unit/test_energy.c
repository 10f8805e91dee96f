/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Energy analytics with known answers: fixed sample streams written through the real store,
 * then energy per role, coverage, status and the KPIs, compared with figures worked out by
 * hand in the comments (not by the code under test). Scenarios: an exact month (PUE, WUE, CUE,
 * ERF, REF, pPUE, CER), a 16-bit wrap and a meter replacement, a 6-hour gap spread evenly, a
 * 3-hour gap spread by a power shape and evenly with exact totals (and periods cut inside it
 * adding up), a 40-minute gap across an hour boundary (by power shape and evenly), a gap
 * beginning mid-slot spread by the meter's phase, steady 15 min, 5 s and 1 min meters without
 * false gaps, a month half over and an hour at 3 minutes of 60 (IN_PROGRESS), power-only
 * metering against the trapezoid rule, a month across the Europe/Berlin DST change, and
 * impossible inputs (PUE < 1, a model with no IT meter) rejected with reasons.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analytics/energy.h"
#include "analytics/kpi.h"
#include "config/config.h"
#include "core/timeutil.h"
#include "daemon/sections.h"
#include "store/store.h"

#define T_OCT       INT64_C(1790812800000) /* 2026-10-01T00:00:00Z */
#define Q_MS        INT64_C(900000)        /* 15 min */
#define H_MS        INT64_C(3600000)
#define OCT_SAMPLES 2976                      /* 31 days x 96 quarter hours */
#define LATER       (T_OCT + 400 * 24 * H_MS) /* "now" for periods that have ended */

/* |a - b| <= eps, printing both (this cmocka has no double assertion). */
#define assert_near(a, b, eps)                                                                     \
	do {                                                                                       \
		double a_ = (a), b_ = (b);                                                         \
		if (!(fabs(a_ - b_) <= (eps)))                                                     \
			fail_msg("%s = %.12g, expected %.12g (+- %g)", #a, a_, b_, (double)(eps)); \
	} while (0)

struct fixture {
	char dir[64];
	char path[128];
	struct store *st;
	struct energy_model m;
	struct energy_selector sel[ROLE_COUNT][2];
};

/* Site time is the process zone, set before the store's writer thread starts (as the daemon
 * and the CLI do). */
static int setup_in(void **state, const char *zone)
{
	time_zone_set(zone);
	struct fixture *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/greendc-energy-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
	char err[256] = "";
	struct store_opts o = {.path = f->path, .commit_ms = 1000, .queue_cap = 8192};
	f->st = store_open(&o, err, sizeof(err));
	if (!f->st) {
		fprintf(stderr, "store_open: %s\n", err);
		return -1;
	}
	f->m.present = true;
	f->m.coverage_min = 0.95;
	f->m.max_gap_ms = 300000;
	f->m.grade[0] = 1.20;
	f->m.grade[1] = 1.30;
	f->m.grade[2] = 1.50;
	f->m.co2_kg_per_kwh = 0.5366;
	f->m.co2_source = "MEE/NBS China national grid";
	f->m.co2_year = 2022;
	f->m.backup_co2_kg_per_kwh = -1;
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_in(state, "UTC");
}

static int setup_berlin(void **state)
{
	return setup_in(state, "Europe/Berlin");
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char p[160];
	const char *suffix[] = {"", "-wal", "-shm", "-journal"};
	if (f->st)
		store_close(f->st);
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, suffix[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Select device `dev`'s `metric` for role. */
static void model_add(struct fixture *f, enum energy_role role, const char *dev, const char *metric)
{
	struct energy_selector *s = &f->sel[role][f->m.nsel[role]];
	s->device = dev;
	s->metric = metric;
	f->m.sel[role] = f->sel[role];
	f->m.nsel[role]++;
}

static int64_t series(struct fixture *f, const char *dev, const char *metric, bool counter,
                      unsigned bits)
{
	struct store_series_desc d = {.device = dev,
	                              .metric = metric,
	                              .labels = "",
	                              .kind = counter ? STORE_COUNTER : STORE_GAUGE,
	                              .counter_bits = counter ? bits : 0,
	                              .max_rate = counter ? 0.1 : 0};
	int64_t id = store_series(f->st, &d);
	assert_true(id > 0);
	return id;
}

/* A counter rising by `step` every 15 min from `start`, from 2026-09-30T23:45Z through
 * 2026-10-31T23:45Z (OCT_SAMPLES increments inside October). */
static void counter_month(struct fixture *f, int64_t id, double start, double step)
{
	for (int i = 0; i <= OCT_SAMPLES; i++) {
		struct store_sample s = {id, T_OCT - Q_MS + i * Q_MS, start + step * i};
		assert_int_equal(store_append(f->st, &s, 1), 0);
	}
}

static struct store_reader *finish(struct fixture *f)
{
	store_close(f->st);
	f->st = NULL;
	char err[256] = "";
	struct store_reader *r = store_reader_open(f->path, err, sizeof(err));
	assert_non_null(r);
	return r;
}

static void inputs_from(const struct energy_report *rep, const struct energy_interval *iv,
                        double certs, struct kpi_inputs *in)
{
	memset(in, 0, sizeof(*in));
	in->e_facility = iv->role[ROLE_FACILITY_INPUT].value;
	in->e_backup = iv->role[ROLE_BACKUP_GENERATION].value;
	in->e_onsite = iv->role[ROLE_ONSITE_RENEWABLE].value;
	in->e_it = iv->role[rep->it_role].value;
	in->e_cooling = iv->role[ROLE_COOLING].value;
	in->have_cooling = iv->role[ROLE_COOLING].nseries > 0;
	in->e_reuse = iv->role[ROLE_REUSED_HEAT].value;
	in->have_reuse = iv->role[ROLE_REUSED_HEAT].nseries > 0;
	in->e_heat_removed = iv->role[ROLE_HEAT_REMOVED].value;
	in->have_heat_removed = iv->role[ROLE_HEAT_REMOVED].nseries > 0;
	in->water_l = iv->role[ROLE_WATER_INTAKE].value;
	in->have_water = iv->role[ROLE_WATER_INTAKE].nseries > 0;
	in->e_certificates = certs;
	in->cef = 0.5366;
	in->backup_cef = -1;
}

/*
 * October 2026 (UTC), 15-min counter readings at constant loads:
 *   utility 130 kW = 32.5 kWh/15 min -> 2976 x 32.5 = 96,720 kWh
 *   PV on site 2 kW = 0.5            ->  1,488 kWh
 *   UPS output 100 kW = 25           -> 74,400 kWh (E_IT, category 1)
 *   cooling 20 kW = 5                -> 14,880 kWh
 *   reused heat 10 kW = 2.5          ->  7,440 kWh
 *   heat removed 110 kW = 27.5       -> 81,840 kWh
 *   water 2 m3/h = 0.5 m3/15 min     ->  1,488 m3 = 1,488,000 L
 *   certificates for 2026-10: 9,672 kWh
 * E_DC = 96,720 + 1,488 = 98,208; PUE = 98,208 / 74,400 = 1.32; DCiE = 75.7576 %;
 * WUE = 1,488,000 / 74,400 = 20 L/kWh; CUE = 96,720 x 0.5366 / 74,400 = 0.69758;
 * ERF = 7,440 / 98,208 = 0.0757576; REF = (1,488 + 9,672) / 98,208 = 0.1136364;
 * pPUE cooling = (14,880 + 74,400) / 74,400 = 1.2; CER = 81,840 / 14,880 = 5.5.
 */
static void test_exact_month(void **state)
{
	struct fixture *f = *state;
	struct energy_certificate cert = {"2026-10", 9672, "goo"};
	counter_month(f, series(f, "utility", "energy_kwh", true, 64), 1000, 32.5);
	counter_month(f, series(f, "pv", "energy_kwh", true, 64), 0, 0.5);
	counter_month(f, series(f, "ups", "energy_kwh", true, 64), 50, 25);
	counter_month(f, series(f, "chiller", "energy_kwh", true, 64), 7, 5);
	counter_month(f, series(f, "reuse", "heat_kwh", true, 64), 0, 2.5);
	counter_month(f, series(f, "plant", "heat_kwh", true, 64), 0, 27.5);
	counter_month(f, series(f, "water", "water_m3", true, 64), 12, 0.5);
	model_add(f, ROLE_FACILITY_INPUT, "utility", "energy_kwh");
	model_add(f, ROLE_ONSITE_RENEWABLE, "pv", "energy_kwh");
	model_add(f, ROLE_IT_UPS_OUTPUT, "ups", "energy_kwh");
	model_add(f, ROLE_COOLING, "chiller", "energy_kwh");
	model_add(f, ROLE_REUSED_HEAT, "reuse", "heat_kwh");
	model_add(f, ROLE_HEAT_REMOVED, "plant", "heat_kwh");
	model_add(f, ROLE_WATER_INTAKE, "water", "water_m3");
	f->m.certs = &cert;
	f->m.ncerts = 1;
	struct store_reader *r = finish(f);

	struct energy_period p;
	assert_int_equal(energy_period_parse("2026-10", &p), 0);
	assert_true(p.from_ms == T_OCT && p.to_ms == T_OCT + 31 * 24 * H_MS);
	/* The running periods by name (the API's period= and the CLI's --period), at
	 * 2026-10-16 03:00 site time (UTC here). */
	struct energy_period q;
	int64_t at = T_OCT + 15 * 24 * H_MS + 3 * H_MS;
	assert_int_equal(energy_period_parse_at("today", at, &q), 0);
	assert_true(q.from_ms == T_OCT + 15 * 24 * H_MS && q.to_ms == q.from_ms + 24 * H_MS);
	assert_int_equal(q.kind, STEP_DAY);
	assert_string_equal(q.label, "2026-10-16");
	assert_int_equal(energy_period_parse_at("month", at, &q), 0);
	assert_true(q.from_ms == p.from_ms && q.to_ms == p.to_ms && q.kind == STEP_MONTH);
	assert_string_equal(q.label, "2026-10");
	assert_int_equal(energy_period_parse_at("2026-10", at, &q), 0);
	assert_true(q.from_ms == p.from_ms && q.to_ms == p.to_ms);
	assert_int_equal(energy_period_parse_at("week", at, &q), -EINVAL);
	struct energy_report rep;
	assert_int_equal(energy_compute(r, &f->m, p.from_ms, p.to_ms, STEP_DAY, LATER, &rep), 0);
	assert_int_equal(rep.category, 1);
	assert_int_equal(rep.n, 31);
	const struct energy_interval *t = &rep.total;
	assert_near(t->role[ROLE_FACILITY_INPUT].value, 96720, 1e-6);
	assert_near(t->role[ROLE_IT_UPS_OUTPUT].value, 74400, 1e-6);
	assert_near(t->role[ROLE_WATER_INTAKE].value, 1488000, 1e-6);
	assert_near(t->role[ROLE_FACILITY_INPUT].coverage, 1, 0);
	assert_int_equal(t->role[ROLE_FACILITY_INPUT].status, ENERGY_OK);
	assert_int_equal(t->months, 1);
	/* Day 1 gets 96 increments: 00:00 .. 23:45, the first one from Sep 30 23:45. */
	assert_near(rep.iv[0].role[ROLE_FACILITY_INPUT].value, 3120, 1e-9);
	assert_string_equal(rep.iv[30].label, "2026-10-31");

	double certs = energy_certificates(&f->m, p.from_ms, p.to_ms);
	assert_near(certs, 9672, 0);
	struct kpi_inputs in;
	struct kpi_results k;
	inputs_from(&rep, t, certs, &in);
	kpi_compute(&in, &k);
	assert_true(k.pue.ok);
	assert_near(k.e_dc, 98208, 1e-6);
	assert_near(k.pue.v, 1.32, 1e-12);
	assert_near(k.dcie.v, 75.757575757, 1e-6);
	assert_near(k.wue.v, 20, 1e-12);
	assert_near(k.cue.v, 0.69758, 1e-9);
	assert_near(k.erf.v, 0.0757575758, 1e-9);
	assert_near(k.ref.v, 0.1136363636, 1e-9);
	assert_near(k.ppue_cooling.v, 1.2, 1e-12);
	assert_near(k.cer.v, 5.5, 1e-12);
	char label[64];
	kpi_label(rep.category, p.label, k.pue.v, label, sizeof(label));
	assert_string_equal(label, "PUE1, 2026-10, 1.320"); /* three decimals, ISO/IEC 30134-2 */
	energy_report_free(&rep);
	store_reader_close(r);
}

/*
 * A 16-bit utility register (kWh) starting at 60,000 wraps at 65,536 about 171 readings in;
 * the IT meter (32-bit) is replaced after reading 1,500 (2026-10-15T12:00Z): the new meter
 * reads 3 kWh at the next reading and then rises 25 per 15 min. E_DC is still
 * 2976 x 32.5 = 96,720; E_IT = 2975 x 25 + 3 = 74,378 (the replaced interval counts the 3 kWh
 * the new meter saw: the old meter's last part is lost, and the event says so).
 */
static void test_wrap_and_replacement(void **state)
{
	struct fixture *f = *state;
	int64_t util = series(f, "utility", "energy_kwh", true, 16);
	int64_t it = series(f, "ups", "energy_kwh", true, 32);
	for (int i = 0; i <= OCT_SAMPLES; i++) {
		int64_t ts = T_OCT - Q_MS + i * Q_MS;
		double u = fmod(60000 + 32.5 * i, 65536);
		double v = i <= 1500 ? 40000 + 25.0 * i : 3 + 25.0 * (i - 1501);
		struct store_sample s[2] = {{util, ts, u}, {it, ts, v}};
		assert_int_equal(store_append(f->st, s, 2), 0);
	}
	model_add(f, ROLE_FACILITY_INPUT, "utility", "energy_kwh");
	model_add(f, ROLE_IT_UPS_OUTPUT, "ups", "energy_kwh");
	struct store_reader *r = finish(f);

	struct energy_report rep;
	assert_int_equal(
	        energy_compute(r, &f->m, T_OCT, T_OCT + 31 * 24 * H_MS, STEP_WHOLE, LATER, &rep),
	        0);
	assert_near(rep.total.role[ROLE_FACILITY_INPUT].value, 96720, 1e-6);
	assert_near(rep.total.role[ROLE_IT_UPS_OUTPUT].value, 74378, 1e-6);
	energy_report_free(&rep);
	store_reader_close(r);

	/* The replacement is an event; the wrap is not. */
	sqlite3 *db;
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT series, count(*) FROM events WHERE kind = "
	                                    "'counter_reset' GROUP BY series",
	                                    -1, &q, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(q, 0), it);
	assert_int_equal(sqlite3_column_int64(q, 1), 1);
	assert_int_equal(sqlite3_step(q), SQLITE_DONE);
	sqlite3_finalize(q);
	sqlite3_close(db);
}

/*
 * The utility meter is silent from 2026-10-10T06:00Z to 12:00Z (no readings at 06:00 ..
 * 11:45). A counter integrates: the 12:00 reading carries the gap's 25 x 32.5 = 812.5 kWh, so
 * any interval holding the whole gap is exactly metered — the month and the day 2026-10-10
 * (coverage 1, OK, exact). The hour 12:00 holds the delta 05:45 -> 12:45 = 28 x 32.5 =
 * 910 kWh; the engine spreads it evenly over the 7 h it spans, each slot's edges shifted back
 * 15 min like its neighbours' (whose readings run :00 .. :45): 06:00 .. 12:00 get 130 kWh
 * each, ESTIMATED (the gap named), and the 8 hours 05:00 .. 12:00 as a whole are OK and exact:
 * 8 x 130 = 1,040 kWh.
 * (This test used to assert the defect of issue 13: the six hours MISSING with 0 kWh and
 * hour 12:00 OK with all 910 kWh, so that its PUE read "E_IT exceeds E_DC" the other way.)
 */
static void test_six_hour_gap(void **state)
{
	struct fixture *f = *state;
	int64_t util = series(f, "utility", "energy_kwh", true, 64);
	int64_t gap0 = T_OCT + 9 * 24 * H_MS + 6 * H_MS, gap1 = gap0 + 6 * H_MS;
	for (int i = 0; i <= OCT_SAMPLES; i++) {
		int64_t ts = T_OCT - Q_MS + i * Q_MS;
		if (ts >= gap0 && ts < gap1)
			continue;
		struct store_sample s = {util, ts, 1000 + 32.5 * i};
		assert_int_equal(store_append(f->st, &s, 1), 0);
	}
	counter_month(f, series(f, "ups", "energy_kwh", true, 64), 0, 25);
	model_add(f, ROLE_FACILITY_INPUT, "utility", "energy_kwh");
	model_add(f, ROLE_IT_UPS_OUTPUT, "ups", "energy_kwh");
	struct store_reader *r = finish(f);

	struct energy_report rep;
	assert_int_equal(
	        energy_compute(r, &f->m, T_OCT, T_OCT + 31 * 24 * H_MS, STEP_DAY, LATER, &rep), 0);
	const struct energy_role_total *fac = &rep.total.role[ROLE_FACILITY_INPUT];
	assert_near(fac->value, 96720, 1e-6);
	assert_near(fac->coverage, 1, 0);
	assert_near(fac->estimated, 0, 0);
	assert_int_equal(fac->status, ENERGY_OK);
	assert_int_equal(rep.iv[9].role[ROLE_FACILITY_INPUT].status, ENERGY_OK);
	assert_near(rep.iv[9].role[ROLE_FACILITY_INPUT].coverage, 1, 0);
	assert_near(rep.iv[9].role[ROLE_FACILITY_INPUT].value, 96 * 32.5, 1e-9);
	assert_int_equal(rep.iv[8].role[ROLE_FACILITY_INPUT].status, ENERGY_OK);
	assert_int_equal(rep.iv[10].role[ROLE_FACILITY_INPUT].status, ENERGY_OK);
	assert_int_equal(rep.ngaps, 1);
	energy_report_free(&rep);

	assert_int_equal(energy_compute(r, &f->m, gap0 - H_MS, gap1 + H_MS, STEP_HOUR, LATER, &rep),
	                 0);
	assert_int_equal(rep.n, 8);
	assert_int_equal(rep.iv[0].role[ROLE_FACILITY_INPUT].status, ENERGY_OK);
	assert_near(rep.iv[0].role[ROLE_FACILITY_INPUT].value, 130, 1e-9);
	for (int h = 1; h <= 7; h++) {
		const struct energy_role_total *t = &rep.iv[h].role[ROLE_FACILITY_INPUT];
		assert_int_equal(t->status, ENERGY_ESTIMATED);
		assert_near(t->value, 130, 1e-9);
		assert_near(t->estimated, 130, 1e-9);
		assert_near(t->coverage, 1, 0);
		/* The IT meter ran on: its hours are OK, and no hour's PUE fails. */
		assert_int_equal(rep.iv[h].role[ROLE_IT_UPS_OUTPUT].status, ENERGY_OK);
		struct energy_figures fg;
		energy_figures(&f->m, &rep, &rep.iv[h], 0, &fg);
		assert_true(fg.published);
		assert_near(fg.k.pue.v, 1.3, 1e-9);
	}
	/* The 8 hours as a whole hold the gap: exact and OK. */
	assert_near(rep.total.role[ROLE_FACILITY_INPUT].value, 1040, 1e-9);
	assert_int_equal(rep.total.role[ROLE_FACILITY_INPUT].status, ENERGY_OK);
	assert_near(rep.total.role[ROLE_FACILITY_INPUT].coverage, 1, 0);
	/* The gap is named: last reading 05:45, next 12:00, spread evenly (no power series). */
	assert_int_equal(rep.ngaps, 1);
	assert_true(rep.gaps[0].last_ms == gap0 - Q_MS && rep.gaps[0].next_ms == gap1);
	assert_false(rep.gaps[0].by_power);
	assert_near(rep.gaps[0].value, 910, 1e-9);
	char method[300];
	energy_interval_method(&rep, &rep.iv[3], method, sizeof(method));
	assert_string_equal(method,
	                    "spread over the gap 2026-10-10T05:45:00Z..2026-10-10T12:00:00Z "
	                    "in utility energy_kwh evenly");
	energy_interval_method(&rep, &rep.total, method, sizeof(method));
	assert_string_equal(method, "");
	energy_report_free(&rep);
	store_reader_close(r);
}

/* Write a 15-min counter for 2026-10-05 00:00Z .. 23:45Z (and 2026-10-04T23:45Z before it)
 * whose load is kw(hour) kW, leaving out the readings in [skip0, skip1). */
static void counter_day(struct fixture *f, int64_t id, int64_t day, const double kw[24],
                        int64_t skip0, int64_t skip1)
{
	double c = 5000;
	for (int i = 0; i <= 96; i++) {
		int64_t ts = day - Q_MS + i * Q_MS;
		if (i > 0)
			c += kw[(i - 1) / 4] / 4; /* the quarter hour (ts - 15 min, ts] */
		if (ts >= skip0 && ts < skip1)
			continue;
		struct store_sample s = {id, ts, c};
		assert_int_equal(store_append(f->st, &s, 1), 0);
	}
}

/*
 * A 3-hour gap on 2026-10-05 (UTC), no readings 13:00 .. 15:45, in two meters:
 * - utility, 130 kW except 100 / 200 / 300 kW in hours 13 / 14 / 15, with a power_w series of
 *   its own read every minute: the delta its 16:00 reading ends with, 12:45 -> 16:45 =
 *   32.5 + 100 + 200 + 300 + 97.5 = 730 kWh, is spread by the power shape: the slots
 *   (12:45, 13:45], (13:45, 14:45], (14:45, 15:45], (15:45, 16:45] weigh 100, 200, 300 and
 *   130 kW x 1 h, so hours 13, 14, 15, 16 get 100, 200, 300, 130 kWh;
 * - ups, 90 kW throughout, no power series: its 360 kWh over the same 4 h are spread evenly,
 *   90 kWh an hour.
 * The day holds both gaps: OK and exact (utility 21 x 130 + 600 = 3,330 kWh). Periods cut
 * inside the gap are ESTIMATED and still add up: [12, 14) + [14, 18) = [12, 18).
 */
static void test_gap_spread(void **state)
{
	struct fixture *f = *state;
	int64_t day = T_OCT + 4 * 24 * H_MS, g0 = day + 13 * H_MS, g1 = day + 16 * H_MS;
	double util_kw[24], ups_kw[24];
	for (int h = 0; h < 24; h++) {
		util_kw[h] = h == 13 ? 100 : h == 14 ? 200 : h == 15 ? 300 : 130;
		ups_kw[h] = 90;
	}
	int64_t util = series(f, "utility", "energy_kwh", true, 64);
	int64_t ups = series(f, "ups", "energy_kwh", true, 64);
	int64_t pw = series(f, "utility", "power_w", false, 0);
	counter_day(f, util, day, util_kw, g0, g1);
	counter_day(f, ups, day, ups_kw, g0, g1);
	for (int i = 0; i < 24 * 60; i++) {
		struct store_sample s = {pw, day + i * INT64_C(60000), 1000 * util_kw[i / 60]};
		assert_int_equal(store_append(f->st, &s, 1), 0);
	}
	model_add(f, ROLE_FACILITY_INPUT, "utility", "energy_kwh");
	model_add(f, ROLE_IT_UPS_OUTPUT, "ups", "energy_kwh");
	struct store_reader *r = finish(f);

	/* What the store says the engine works from. */
	int64_t t;
	assert_int_equal(store_last_before(r, util, g0, &t), 0);
	assert_true(t == g0 - Q_MS);
	assert_int_equal(store_last_before(r, util, day - Q_MS, &t), -ENOENT);

	struct energy_report rep;
	assert_int_equal(energy_compute(r, &f->m, day, day + 24 * H_MS, STEP_HOUR, LATER, &rep), 0);
	const double fac[24] = {[12] = 130, [13] = 100, [14] = 200, [15] = 300, [16] = 130};
	for (int h = 12; h <= 16; h++) {
		const struct energy_role_total *u = &rep.iv[h].role[ROLE_FACILITY_INPUT];
		const struct energy_role_total *i = &rep.iv[h].role[ROLE_IT_UPS_OUTPUT];
		assert_near(u->value, fac[h], 1e-9);
		assert_near(i->value, 90, 1e-9);
		assert_int_equal(u->status, h == 12 ? ENERGY_OK : ENERGY_ESTIMATED);
		assert_int_equal(i->status, h == 12 ? ENERGY_OK : ENERGY_ESTIMATED);
		assert_near(u->estimated, h == 12 ? 0 : fac[h], 1e-9);
	}
	const struct energy_role_total *u = &rep.total.role[ROLE_FACILITY_INPUT];
	assert_near(u->value, 21 * 130 + 600, 1e-9);
	assert_near(u->estimated, 0, 0);
	assert_int_equal(u->status, ENERGY_OK);
	assert_near(rep.total.role[ROLE_IT_UPS_OUTPUT].value, 24 * 90, 1e-9);
	assert_int_equal(rep.ngaps, 2);
	for (size_t k = 0; k < 2; k++) {
		const struct energy_gap *g = &rep.gaps[k];
		bool is_util = g->series == util;
		assert_true(is_util || g->series == ups);
		assert_true(g->last_ms == g0 - Q_MS && g->next_ms == g1);
		assert_true(g->by_power == is_util);
		assert_near(g->value, is_util ? 730 : 360, 1e-9);
	}
	char method[300];
	energy_interval_method(&rep, &rep.iv[14], method, sizeof(method));
	assert_true(strstr(method, "spread over the gap 2026-10-05T12:45:00Z..2026-10-05T16:00:00Z "
	                           "in ") != NULL);
	assert_true(strstr(method, "(and 1 more gap)") != NULL);
	energy_report_free(&rep);

	/* Cut inside the gap: each side gets its part, estimated, and the parts add up. */
	struct energy_report a, b, whole;
	assert_int_equal(
	        energy_compute(r, &f->m, day + 12 * H_MS, day + 14 * H_MS, STEP_WHOLE, LATER, &a),
	        0);
	assert_int_equal(
	        energy_compute(r, &f->m, day + 14 * H_MS, day + 18 * H_MS, STEP_WHOLE, LATER, &b),
	        0);
	assert_int_equal(energy_compute(r, &f->m, day + 12 * H_MS, day + 18 * H_MS, STEP_WHOLE,
	                                LATER, &whole),
	                 0);
	assert_near(a.total.role[ROLE_FACILITY_INPUT].value, 130 + 100, 1e-9);
	assert_near(a.total.role[ROLE_FACILITY_INPUT].estimated, 100, 1e-9);
	assert_int_equal(a.total.role[ROLE_FACILITY_INPUT].status, ENERGY_ESTIMATED);
	assert_near(b.total.role[ROLE_FACILITY_INPUT].value, 200 + 300 + 130 + 130, 1e-9);
	assert_near(b.total.role[ROLE_FACILITY_INPUT].estimated, 200 + 300 + 130, 1e-9);
	assert_near(whole.total.role[ROLE_FACILITY_INPUT].value, 990, 1e-9);
	assert_int_equal(whole.total.role[ROLE_FACILITY_INPUT].status, ENERGY_OK);
	assert_near(a.total.role[ROLE_IT_UPS_OUTPUT].value + b.total.role[ROLE_IT_UPS_OUTPUT].value,
	            whole.total.role[ROLE_IT_UPS_OUTPUT].value, 1e-9);
	assert_near(whole.total.role[ROLE_IT_UPS_OUTPUT].value, 6 * 90, 1e-9);
	energy_report_free(&a);
	energy_report_free(&b);
	energy_report_free(&whole);
	store_reader_close(r);
}

/* A counter read every minute on `day` whose load is kw(hour) kW: the reading at the minute's
 * end t = day + i min (i = 0 .. 1440) counts the minute (t - 1 min, t]. Stamped t - 1 ms with
 * `interval_end` (as `greendc import --interval-end` stores an export stamped at interval
 * ends: the hour's last minute stays in the hour), else t. Minute ends strictly between skip0
 * and skip1 are left out (the meter is silent). */
static void counter_minutes(struct fixture *f, int64_t id, int64_t day, const double kw[24],
                            bool interval_end, int64_t skip0, int64_t skip1)
{
	double c = 7000;
	for (int i = 0; i <= 24 * 60; i++) {
		int64_t t = day + i * INT64_C(60000);
		if (i > 0)
			c += kw[(i - 1) / 60] / 60;
		if (t > skip0 && t < skip1)
			continue;
		struct store_sample s = {id, t - (interval_end ? 1 : 0), c};
		assert_int_equal(store_append(f->st, &s, 1), 0);
	}
}

/*
 * A 40-minute gap across an hour boundary (issue 13, part G3), as in the demo's imported
 * history: on 2026-10-05 (UTC) the PDU and UPS meters, read every minute and imported with
 * --interval-end, are silent from the reading of 10:40 to the one of 11:20; the load is
 * 120 kW in hour 10 and 240 kW in hour 11 (120 kW the rest of the day), the facility's
 * 150 kW and 270 kW (150 kW the rest). The 11:20 reading carries (10:40, 11:20] =
 * 20 min x 2 + 20 min x 4 kWh/min = 120 kWh. Before, it stayed in hour 11: the PDU's hour 10
 * held 40 min (80 kWh) and hour 11 280 kWh > the facility's 270, both OK ("E_IT exceeds
 * E_DC"). Now that delta alone is spread over (10:39:59.999, 11:19:59.999], the hour
 * boundary at 10:59:59.999 (the meter's phase: 1 ms, not the 20 min it fell silent before
 * the hour's end): 20 min in each hour.
 * - pdu, with a power_w series (silent too; its hour means are 120 and 240 kW): 20 x 120 :
 *   20 x 240 gives 40 and 80 kWh, hours 10 and 11 = 80 + 40 = 120 and 160 + 80 = 240 kWh,
 *   the true figures; their estimated parts 40 and 80;
 * - ups, the same meter without a power series: evenly, 60 and 60: 140 and 220 kWh.
 * Both hours ESTIMATED with the gap named; the two hours together (360 kWh) and the day
 * (22 x 120 + 120 + 240 = 3,000 kWh) hold the whole gap: OK and exact. Hours 10 and 11 have
 * PUE 150/120 = 1.25 and 270/240 = 1.125.
 */
static void test_short_gap(void **state)
{
	struct fixture *f = *state;
	int64_t day = T_OCT + 4 * 24 * H_MS, g0 = day + 10 * H_MS + 40 * 60000,
	        g1 = day + 11 * H_MS + 20 * 60000;
	double it_kw[24], fac_kw[24];
	for (int h = 0; h < 24; h++) {
		it_kw[h] = h == 11 ? 240 : 120;
		fac_kw[h] = h == 11 ? 270 : 150;
	}
	int64_t util = series(f, "utility", "energy_kwh", true, 64);
	int64_t pdu = series(f, "pdu", "energy_kwh", true, 64);
	int64_t ups = series(f, "ups", "energy_kwh", true, 64);
	int64_t pw = series(f, "pdu", "power_w", false, 0);
	counter_minutes(f, util, day, fac_kw, true, 0, 0);
	counter_minutes(f, pdu, day, it_kw, true, g0, g1);
	counter_minutes(f, ups, day, it_kw, true, g0, g1);
	for (int i = 0; i < 24 * 60; i++) {
		int64_t t = day + i * INT64_C(60000);
		if (t > g0 && t < g1)
			continue;
		struct store_sample s = {pw, t, 1000 * it_kw[i / 60]};
		assert_int_equal(store_append(f->st, &s, 1), 0);
	}
	model_add(f, ROLE_FACILITY_INPUT, "utility", "energy_kwh");
	model_add(f, ROLE_IT_PDU_OUTPUT, "pdu", "energy_kwh");
	model_add(f, ROLE_IT_UPS_OUTPUT, "ups", "energy_kwh");
	struct store_reader *r = finish(f);

	struct energy_report rep;
	assert_int_equal(energy_compute(r, &f->m, day, day + 24 * H_MS, STEP_HOUR, LATER, &rep), 0);
	const double pdu_kwh[24] = {[9] = 120, [10] = 120, [11] = 240, [12] = 120};
	const double pdu_est[24] = {[10] = 40, [11] = 80};
	const double ups_kwh[24] = {[9] = 120, [10] = 140, [11] = 220, [12] = 120};
	for (int h = 9; h <= 12; h++) {
		const struct energy_role_total *p = &rep.iv[h].role[ROLE_IT_PDU_OUTPUT];
		const struct energy_role_total *u = &rep.iv[h].role[ROLE_IT_UPS_OUTPUT];
		enum energy_status want = h == 10 || h == 11 ? ENERGY_ESTIMATED : ENERGY_OK;
		assert_near(p->value, pdu_kwh[h], 1e-9);
		assert_near(p->estimated, pdu_est[h], 1e-9);
		assert_int_equal(p->status, want);
		assert_near(p->coverage, 1, 0);
		assert_near(u->value, ups_kwh[h], 1e-9);
		assert_near(u->estimated, want == ENERGY_OK ? 0 : 60, 1e-9);
		assert_int_equal(u->status, want);
		assert_int_equal(rep.iv[h].role[ROLE_FACILITY_INPUT].status, ENERGY_OK);
		struct energy_figures fg;
		energy_figures(&f->m, &rep, &rep.iv[h], 0, &fg);
		assert_true(fg.published);
		assert_near(fg.k.pue.v, h == 11 ? 1.125 : 1.25, 1e-9);
	}
	const struct energy_role_total *p = &rep.total.role[ROLE_IT_PDU_OUTPUT];
	assert_near(p->value, 3000, 1e-9);
	assert_near(p->estimated, 0, 0);
	assert_int_equal(p->status, ENERGY_OK);
	assert_near(rep.total.role[ROLE_IT_UPS_OUTPUT].value, 3000, 1e-9);
	assert_int_equal(rep.total.role[ROLE_IT_UPS_OUTPUT].status, ENERGY_OK);
	/* Both gaps named: last reading 10:39:59.999, next 11:19:59.999, 120 kWh each. */
	assert_int_equal(rep.ngaps, 2);
	for (size_t k = 0; k < 2; k++) {
		const struct energy_gap *g = &rep.gaps[k];
		bool is_pdu = g->series == pdu;
		assert_true(is_pdu || g->series == ups);
		assert_true(g->last_ms == g0 - 1 && g->next_ms == g1 - 1);
		assert_true(g->by_power == is_pdu);
		assert_near(g->value, 120, 1e-9);
	}
	char method[300];
	energy_interval_method(&rep, &rep.iv[10], method, sizeof(method));
	assert_true(strstr(method, "spread over the gap 2026-10-05T10:39:59Z..2026-10-05T11:19:59Z "
	                           "in ") != NULL);
	assert_true(strstr(method, "(and 1 more gap)") != NULL);
	energy_report_free(&rep);

	/* The two hours as a whole hold the gap: exact, OK. */
	assert_int_equal(
	        energy_compute(r, &f->m, day + 10 * H_MS, day + 12 * H_MS, STEP_WHOLE, LATER, &rep),
	        0);
	assert_near(rep.total.role[ROLE_IT_PDU_OUTPUT].value, 360, 1e-9);
	assert_int_equal(rep.total.role[ROLE_IT_PDU_OUTPUT].status, ENERGY_OK);
	assert_near(rep.total.role[ROLE_IT_UPS_OUTPUT].value, 360, 1e-9);
	assert_int_equal(rep.total.role[ROLE_IT_UPS_OUTPUT].status, ENERGY_OK);
	energy_report_free(&rep);
	/* A period ending inside the gap gets its part, estimated: hour 10 alone, whose next
	 * reading is the first after the period. */
	assert_int_equal(
	        energy_compute(r, &f->m, day + 10 * H_MS, day + 11 * H_MS, STEP_WHOLE, LATER, &rep),
	        0);
	assert_near(rep.total.role[ROLE_IT_PDU_OUTPUT].value, 120, 1e-9);
	assert_near(rep.total.role[ROLE_IT_PDU_OUTPUT].estimated, 40, 1e-9);
	assert_int_equal(rep.total.role[ROLE_IT_PDU_OUTPUT].status, ENERGY_ESTIMATED);
	assert_near(rep.total.role[ROLE_IT_UPS_OUTPUT].value, 140, 1e-9);
	energy_report_free(&rep);
	store_reader_close(r);
}

/*
 * A gap of more than a slot that begins mid-slot: on 2026-10-05 (UTC) the utility meter, read
 * every minute (stamped at whole minutes) at a steady 120 kW, is silent after its 10:20
 * reading until 12:40. The 12:00 slot holds (10:20, 12:59] = 159 min x 2 kWh/min = 318 kWh.
 * Its edges move back by the meter's phase, 1 min (its hours hold (h-1:59, h:59]), not by the
 * 40 min it fell silent before 11:00: hour 10 gets (10:20, 10:59] = 39 min, hours 11 and 12
 * 60 min each, so each holds 120 kWh (hour 10: 21 readings x 2 + 78). Shifted by 40 min they
 * were 42, 120 and 198 kWh.
 */
static void test_gap_from_mid_slot(void **state)
{
	struct fixture *f = *state;
	int64_t day = T_OCT + 4 * 24 * H_MS;
	double kw[24], ups_kw[24];
	for (int h = 0; h < 24; h++) {
		kw[h] = 120;
		ups_kw[h] = 100;
	}
	int64_t util = series(f, "utility", "energy_kwh", true, 64);
	counter_minutes(f, util, day, kw, false, day + 10 * H_MS + 20 * 60000,
	                day + 12 * H_MS + 40 * 60000);
	counter_day(f, series(f, "ups", "energy_kwh", true, 64), day, ups_kw, 0, 0);
	model_add(f, ROLE_FACILITY_INPUT, "utility", "energy_kwh");
	model_add(f, ROLE_IT_UPS_OUTPUT, "ups", "energy_kwh");
	struct store_reader *r = finish(f);

	struct energy_report rep;
	assert_int_equal(energy_compute(r, &f->m, day, day + 24 * H_MS, STEP_HOUR, LATER, &rep), 0);
	for (int h = 9; h <= 13; h++) {
		const struct energy_role_total *u = &rep.iv[h].role[ROLE_FACILITY_INPUT];
		assert_near(u->value, 120, 1e-9);
		assert_int_equal(u->status, h >= 10 && h <= 12 ? ENERGY_ESTIMATED : ENERGY_OK);
	}
	assert_near(rep.iv[10].role[ROLE_FACILITY_INPUT].estimated, 78, 1e-9);
	/* The day: the readings' difference, 00:00 -> 23:59, exact and OK. */
	assert_near(rep.total.role[ROLE_FACILITY_INPUT].value, (24 * 60 - 1) * 2.0, 1e-9);
	assert_int_equal(rep.total.role[ROLE_FACILITY_INPUT].status, ENERGY_OK);
	assert_int_equal(rep.ngaps, 1);
	assert_true(rep.gaps[0].last_ms == day + 10 * H_MS + 20 * 60000);
	assert_true(rep.gaps[0].next_ms == day + 12 * H_MS + 40 * 60000);
	energy_report_free(&rep);
	store_reader_close(r);
}

/* Latest reading before `end` in a sorted list of times (the list's first when none). */
static size_t latest_before(const int64_t *ts, size_t n, int64_t end)
{
	size_t i = 0;
	while (i + 1 < n && ts[i + 1] < end)
		i++;
	return i;
}

/*
 * No false gaps: three meters on 2026-10-05 (UTC) read at their own steady intervals stay OK,
 * not estimated, with no gap listed, hour by hour:
 * - utility: every 15 min at :00 .. :45, 130 kW: each hour (h-1:45, h:45] = 130 kWh;
 * - pdu: polled every 5 s with up to 0.9 s of jitter, 120 kW, and missing its polls for
 *   2 min across 11:00 (10:59 .. 11:01, under max_gap: a poller's hiccup, not a gap): each
 *   hour is 120 kW x (its latest reading - the previous hour's latest), from the list here;
 * - crah: a 1-minute import stamped at interval ends, 20 kW, silent for 20 min inside hour 14
 *   (14:20 .. 14:40: no boundary crossed, the counter integrates): 20 kWh every hour.
 */
static void test_no_false_gaps(void **state)
{
	struct fixture *f = *state;
	int64_t day = T_OCT + 4 * 24 * H_MS;
	double kw_util[24], kw_crah[24];
	for (int h = 0; h < 24; h++) {
		kw_util[h] = 130;
		kw_crah[h] = 20;
	}
	counter_day(f, series(f, "utility", "energy_kwh", true, 64), day, kw_util, 0, 0);
	counter_minutes(f, series(f, "crah", "energy_kwh", true, 64), day, kw_crah, true,
	                day + 14 * H_MS + 20 * 60000, day + 14 * H_MS + 40 * 60000);
	int64_t pdu = series(f, "pdu", "energy_kwh", true, 64);
	size_t np = 0, cap = 24 * 720 + 64;
	int64_t *ts = calloc(cap, sizeof(*ts));
	assert_non_null(ts);
	for (int64_t i = 0; i < (int64_t)cap - 1; i++) {
		int64_t t = day - 60000 + i * 5000 + (i * 7919) % 900;
		if (t >= day + 24 * H_MS)
			break;
		if (t > day + 11 * H_MS - 60000 && t < day + 11 * H_MS + 60000)
			continue;
		ts[np++] = t;
		struct store_sample s = {pdu, t, 100 + 120.0 * (double)(t - day) / 3.6e6};
		assert_int_equal(store_append(f->st, &s, 1), 0);
	}
	model_add(f, ROLE_FACILITY_INPUT, "utility", "energy_kwh");
	model_add(f, ROLE_IT_PDU_OUTPUT, "pdu", "energy_kwh");
	model_add(f, ROLE_COOLING, "crah", "energy_kwh");
	struct store_reader *r = finish(f);

	struct energy_report rep;
	assert_int_equal(energy_compute(r, &f->m, day, day + 24 * H_MS, STEP_HOUR, LATER, &rep), 0);
	assert_int_equal(rep.ngaps_total, 0);
	for (int h = 0; h < 24; h++) {
		int64_t a = day + h * H_MS;
		double want_pdu = 120.0 *
		                  (double)(ts[latest_before(ts, np, a + H_MS)] -
		                           ts[latest_before(ts, np, a)]) /
		                  3.6e6;
		const struct energy_role_total *t = rep.iv[h].role;
		assert_near(t[ROLE_FACILITY_INPUT].value, 130, 1e-9);
		assert_near(t[ROLE_IT_PDU_OUTPUT].value, want_pdu, 1e-6);
		assert_near(t[ROLE_COOLING].value, 20, 1e-9);
		const enum energy_role roles[] = {ROLE_FACILITY_INPUT, ROLE_IT_PDU_OUTPUT,
		                                  ROLE_COOLING};
		for (size_t k = 0; k < 3; k++) {
			assert_int_equal(t[roles[k]].status, ENERGY_OK);
			assert_near(t[roles[k]].estimated, 0, 0);
			assert_near(t[roles[k]].coverage, 1, 0);
		}
		assert_int_equal(rep.iv[h].ngaps, 0);
	}
	energy_report_free(&rep);
	free(ts);
	store_reader_close(r);
}

/*
 * October 2026 (UTC) half over: "now" is 2026-10-16T00:03Z. Utility (130 kW) and UPS output
 * (100 kW) counters read every 15 min up to 2026-10-15T23:45Z, then every minute 00:00 ..
 * 00:03. The month has 15 days and 3 min of 31 days elapsed: IN_PROGRESS, coverage of the
 * elapsed time 100 %, E_DC 15 x 3,120 + 18 min x 130 kW: no PUE is published, the ratio so
 * far (1.3) is provisional. The hour 00:00 holds 3 minutes of data at 3 minutes elapsed: 3 min
 * of 60, coverage 100 %, IN_PROGRESS (it used to say "coverage 100.00 %, OK"). At 00:30 with
 * no more readings the same hour is 10 % covered.
 */
static void test_in_progress(void **state)
{
	struct fixture *f = *state;
	int64_t now = T_OCT + 15 * 24 * H_MS + 3 * 60000;
	int64_t u = series(f, "utility", "energy_kwh", true, 64);
	int64_t it = series(f, "ups", "energy_kwh", true, 64);
	int nq = 15 * 96;
	for (int i = 0; i <= nq; i++) {
		int64_t ts = T_OCT - Q_MS + i * Q_MS;
		struct store_sample s[2] = {{u, ts, 32.5 * i}, {it, ts, 25.0 * i}};
		assert_int_equal(store_append(f->st, s, 2), 0);
	}
	for (int k = 0; k <= 3; k++) { /* 00:00 .. 00:03 */
		int64_t ts = T_OCT + 15 * 24 * H_MS + k * 60000;
		double min = 15 + k; /* minutes since the 23:45 reading */
		struct store_sample s[2] = {{u, ts, 32.5 * nq + 130.0 * min / 60},
		                            {it, ts, 25.0 * nq + 100.0 * min / 60}};
		assert_int_equal(store_append(f->st, s, 2), 0);
	}
	model_add(f, ROLE_FACILITY_INPUT, "utility", "energy_kwh");
	model_add(f, ROLE_IT_UPS_OUTPUT, "ups", "energy_kwh");
	struct store_reader *r = finish(f);

	struct energy_period p;
	struct energy_report rep;
	struct energy_figures fg;
	assert_int_equal(energy_period_parse("2026-10", &p), 0);
	assert_int_equal(energy_compute(r, &f->m, p.from_ms, p.to_ms, STEP_DAY, now, &rep), 0);
	const struct energy_interval *t = &rep.total;
	assert_true(t->in_progress);
	assert_true(t->elapsed_ms == 15 * 24 * H_MS + 3 * 60000);
	assert_int_equal(t->role[ROLE_FACILITY_INPUT].status, ENERGY_IN_PROGRESS);
	assert_near(t->role[ROLE_FACILITY_INPUT].coverage, 1, 1e-12);
	assert_near(t->role[ROLE_FACILITY_INPUT].value, 15 * 3120 + 18 * 130.0 / 60, 1e-9);
	assert_int_equal(t->months, 0);
	energy_figures(&f->m, &rep, t, 0, &fg);
	assert_int_equal(fg.status, ENERGY_IN_PROGRESS);
	assert_false(fg.published);
	assert_true(fg.provisional);
	assert_near(fg.k.pue.v, 1.3, 1e-9);
	assert_string_equal(fg.why, "in progress: 15.0 days of 31 elapsed; not final");
	assert_string_equal(energy_status_name(fg.status), "IN_PROGRESS");
	/* Days: the 15th has ended (OK), the 16th is running, the 20th has not started. */
	assert_int_equal(rep.iv[14].role[ROLE_FACILITY_INPUT].status, ENERGY_OK);
	assert_false(rep.iv[14].in_progress);
	assert_true(rep.iv[15].in_progress && rep.iv[15].elapsed_ms == 3 * 60000);
	assert_int_equal(rep.iv[15].role[ROLE_FACILITY_INPUT].status, ENERGY_IN_PROGRESS);
	assert_true(rep.iv[19].in_progress && rep.iv[19].elapsed_ms == 0);
	assert_near(rep.iv[19].role[ROLE_FACILITY_INPUT].coverage, 0, 0);
	energy_figures(&f->m, &rep, &rep.iv[19], 0, &fg);
	assert_false(fg.published || fg.provisional);
	assert_string_equal(fg.why, "not started: 0.0 h of 24 elapsed");
	energy_report_free(&rep);

	/* The hour in progress: 3 min of data at 3 min elapsed. */
	int64_t h0 = T_OCT + 15 * 24 * H_MS;
	assert_int_equal(energy_compute(r, &f->m, h0, h0 + H_MS, STEP_WHOLE, now, &rep), 0);
	assert_int_equal(rep.total.role[ROLE_FACILITY_INPUT].status, ENERGY_IN_PROGRESS);
	assert_near(rep.total.role[ROLE_FACILITY_INPUT].coverage, 1, 1e-12);
	assert_near(rep.total.role[ROLE_FACILITY_INPUT].value, 18 * 130.0 / 60, 1e-9);
	energy_figures(&f->m, &rep, &rep.total, 0, &fg);
	assert_false(fg.published);
	assert_string_equal(fg.why, "in progress: 3 min of 60 elapsed; not final");
	energy_report_free(&rep);
	/* At 00:30, with nothing since 00:03: 3 of 30 elapsed minutes metered. */
	assert_int_equal(energy_compute(r, &f->m, h0, h0 + H_MS, STEP_WHOLE, h0 + 30 * 60000, &rep),
	                 0);
	assert_near(rep.total.role[ROLE_FACILITY_INPUT].coverage, 0.1, 1e-12);
	energy_figures(&f->m, &rep, &rep.total, 0, &fg);
	assert_false(fg.published || fg.provisional);
	assert_true(strstr(fg.why, "coverage of the elapsed time 10.0 % is below 95.0 %") != NULL);
	energy_report_free(&rep);
	/* Once the hour has ended (now = 01:00), with the meters silent since 00:03, it has
	 * metered 23:45 .. 00:03 (18 min, like any hour of a 15-min meter holds its own 60): 30 %
	 * covered, MISSING. A reading at 00:03 no longer "brackets" the hour. */
	assert_int_equal(energy_compute(r, &f->m, h0, h0 + H_MS, STEP_WHOLE, h0 + H_MS, &rep), 0);
	assert_false(rep.total.in_progress);
	assert_near(rep.total.role[ROLE_FACILITY_INPUT].coverage, 0.3, 1e-12);
	assert_int_equal(rep.total.role[ROLE_FACILITY_INPUT].status, ENERGY_MISSING);
	energy_report_free(&rep);
	store_reader_close(r);
}

/*
 * Power-only IT metering on 2026-10-05 (UTC): a smooth load P(t) = 80 kW + 5 kW sin(w t) read
 * every 60 s shifted by 0/7/14 s, with a 10-minute hole (not bridged: max_gap 5 min), a
 * reading exactly at each end of the day. The expected energy is the exact integral of P over
 * the metered time (the day but the hole), not a trapezoid sum: the trapezoid rule the product
 * uses is off from it by at most dt^2/12 max|P''| per unit time (docs/accuracy.md), dt <= 74 s.
 */
static void test_power_only(void **state)
{
	struct fixture *f = *state;
	int64_t day = T_OCT + 4 * 24 * H_MS, end = day + 24 * H_MS;
	int64_t pw = series(f, "pdu", "power_w", false, 0);
	int64_t util = series(f, "utility", "energy_kwh", true, 64);
	const double w = 0.01 / 60; /* rad/s */
	int64_t first = 0, last = 0, hole_from = 0, hole_to = 0;
	for (int i = 0; i <= 1440; i++) {
		int64_t t = day + i * INT64_C(60000) + (i % 3) * INT64_C(7000);
		if (i >= 600 &&
		    i < 610) /* 10:00 .. 10:09: the hole (10:10:07 - 09:59:00 > 5 min) */
			continue;
		first = i == 0 ? t : first;
		hole_from = i == 599 ? t : hole_from;
		hole_to = i == 610 ? t : hole_to;
		last = t;
		struct store_sample s = {pw, t, 80000 + 5000 * sin(w * (double)(t - day) / 1000)};
		assert_int_equal(store_append(f->st, &s, 1), 0);
	}
	for (int i = 0; i <= 96; i++) {
		struct store_sample s = {util, day - Q_MS + i * Q_MS, 500 + 30.0 * i};
		assert_int_equal(store_append(f->st, &s, 1), 0);
	}
	/* The integral of P from a to b (ms), in W s. */
#define EXACT(a, b)                                                                                \
	(80000 * (double)((b) - (a)) / 1000 -                                                      \
	 5000 / w * (cos(w * (double)((b)-day) / 1000) - cos(w * (double)((a)-day) / 1000)))
	double covered = (double)(last - first - (hole_to - hole_from)); /* ms */
	double expect_kwh = (EXACT(first, hole_from) + EXACT(hole_to, last)) / 3.6e6;
#undef EXACT
	/* dt <= 74 s, |P''| <= 5000 w^2, over the covered seconds; in kWh. */
	double trapezoid_bound = 74.0 * 74.0 / 12 * 5000 * w * w * covered / 1000 / 3.6e6;
	model_add(f, ROLE_FACILITY_INPUT, "utility", "energy_kwh");
	model_add(f, ROLE_IT_PDU_OUTPUT, "pdu", "power_w");
	struct store_reader *r = finish(f);

	struct energy_report rep;
	assert_int_equal(energy_compute(r, &f->m, day, end, STEP_HOUR, LATER, &rep), 0);
	assert_int_equal(rep.category, 2);
	const struct energy_role_total *itr = &rep.total.role[ROLE_IT_PDU_OUTPUT];
	assert_near(itr->value, expect_kwh, trapezoid_bound);
	assert_near(itr->estimated, itr->value, 0);
	assert_true(trapezoid_bound < 1e-4 * expect_kwh); /* tight: ~0.6 Wh of ~1,900 kWh */
	assert_int_equal(itr->status, ENERGY_ESTIMATED);
	assert_near(itr->coverage, covered / (24.0 * 3600000), 1e-12);
	assert_true(strstr(rep.method, "trapezoid") != NULL);
	assert_near(rep.total.role[ROLE_FACILITY_INPUT].value, 96 * 30.0, 1e-9);
	assert_int_equal(rep.total.role[ROLE_FACILITY_INPUT].status, ENERGY_OK);
	/* The hole runs from reading 599 (09:59:14) to reading 610 (10:10:07): it takes 46 s
	 * of hour 9 and 607 s of hour 10. */
	int64_t before = day + 599 * INT64_C(60000) + (599 % 3) * INT64_C(7000);
	int64_t after = day + 610 * INT64_C(60000) + (610 % 3) * INT64_C(7000);
	double hole_in_10 = (double)(after - (day + 10 * H_MS)) / (double)H_MS;
	double hole_in_9 = (double)(day + 10 * H_MS - before) / (double)H_MS;
	assert_near(rep.iv[10].role[ROLE_IT_PDU_OUTPUT].coverage, 1 - hole_in_10, 1e-12);
	assert_near(rep.iv[9].role[ROLE_IT_PDU_OUTPUT].coverage, 1 - hole_in_9, 1e-12);
	energy_report_free(&rep);
	store_reader_close(r);
}

/*
 * October 2026 in Europe/Berlin: 2026-09-30T22:00Z .. 2026-10-31T23:00Z, 745 hours (DST ends
 * 2026-10-25 at 03:00 CEST). At 130 kW facility and 100 kW IT: 96,850 and 74,500 kWh; the
 * 25th has 25 hours: 3,250 kWh facility; 31 daily intervals.
 */
static void test_dst_month(void **state)
{
	struct fixture *f = *state;
	struct energy_period p;
	assert_int_equal(energy_period_parse("2026-10", &p), 0);
	assert_true(p.from_ms == T_OCT - 2 * H_MS);            /* 00:00 CEST = 22:00Z */
	assert_true(p.to_ms == T_OCT + 31 * 24 * H_MS - H_MS); /* 00:00 CET = 23:00Z */
	assert_true(p.to_ms - p.from_ms == 745 * H_MS);
	int64_t u = series(f, "utility", "energy_kwh", true, 64);
	int64_t it = series(f, "ups", "energy_kwh", true, 64);
	int nq = 745 * 4;
	for (int i = 0; i <= nq + 4; i++) {
		int64_t ts = p.from_ms - Q_MS + i * Q_MS;
		struct store_sample s[2] = {{u, ts, 32.5 * i}, {it, ts, 25.0 * i}};
		assert_int_equal(store_append(f->st, s, 2), 0);
	}
	model_add(f, ROLE_FACILITY_INPUT, "utility", "energy_kwh");
	model_add(f, ROLE_IT_UPS_OUTPUT, "ups", "energy_kwh");
	struct store_reader *r = finish(f);

	struct energy_report rep;
	assert_int_equal(energy_compute(r, &f->m, p.from_ms, p.to_ms, STEP_DAY, LATER, &rep), 0);
	assert_int_equal(rep.n, 31);
	assert_near(rep.total.role[ROLE_FACILITY_INPUT].value, 96850, 1e-6);
	assert_near(rep.total.role[ROLE_IT_UPS_OUTPUT].value, 74500, 1e-6);
	assert_string_equal(rep.iv[24].label, "2026-10-25");
	assert_true(rep.iv[24].to_ms - rep.iv[24].from_ms == 25 * H_MS);
	assert_near(rep.iv[24].role[ROLE_FACILITY_INPUT].value, 3250, 1e-9);
	assert_near(rep.iv[23].role[ROLE_FACILITY_INPUT].value, 3120, 1e-9);
	assert_int_equal(rep.total.months, 1);
	energy_report_free(&rep);

	/* The year 2026 with only October metered: 12 monthly intervals, one month with data,
	 * so it is no annual figure (the CLI labels it "partial (1 of 12 months)"). */
	struct energy_period yr;
	assert_int_equal(energy_period_parse("2026", &yr), 0);
	assert_true(yr.to_ms - yr.from_ms == 8760 * H_MS);
	assert_int_equal(energy_compute(r, &f->m, yr.from_ms, yr.to_ms, STEP_MONTH, LATER, &rep),
	                 0);
	assert_int_equal(rep.n, 12);
	assert_int_equal(rep.total.months, 1);
	assert_int_equal(rep.iv[9].months, 1);
	assert_string_equal(rep.iv[9].label, "2026-10");
	assert_near(rep.iv[9].role[ROLE_FACILITY_INPUT].value, 96850, 1e-6);
	assert_int_equal(rep.iv[8].role[ROLE_FACILITY_INPUT].status, ENERGY_MISSING);
	assert_int_equal(rep.total.role[ROLE_FACILITY_INPUT].status, ENERGY_MISSING);
	energy_report_free(&rep);

	/* March: the 29th has 23 hours. */
	assert_int_equal(energy_period_parse("2026-03-29", &p), 0);
	assert_true(p.to_ms - p.from_ms == 23 * H_MS);
	assert_int_equal(energy_period_parse("2026-02-30", &p), -EINVAL);
	store_reader_close(r);
}

/* PUE < 1 (E_IT > E_DC) and other impossible figures are errors with reasons. */
static void test_impossible(void **state)
{
	(void)state;
	struct kpi_value v;
	kpi_pue(1000, 1100, &v);
	assert_false(v.ok);
	assert_true(strstr(v.why, "exceeds E_DC") != NULL);
	assert_true(strstr(v.why, "PUE 0.9091 < 1") != NULL);
	kpi_pue(1000, 0, &v);
	assert_false(v.ok);
	kpi_pue(1300, 1000, &v);
	assert_true(v.ok);
	assert_near(v.v, 1.3, 1e-12);

	struct kpi_inputs in = {.e_facility = 1000,
	                        .e_it = 800,
	                        .e_certificates = 1200,
	                        .have_water = true,
	                        .water_l = 100,
	                        .have_potable = true,
	                        .potable_l = 150,
	                        .cef = 0.5,
	                        .backup_cef = -1,
	                        .e_backup = 10,
	                        .have_reuse = true,
	                        .e_reuse = 2000};
	struct kpi_results k;
	kpi_compute(&in, &k);
	assert_true(k.pue.ok);
	assert_near(k.pue.v, 1010.0 / 800, 1e-12);
	assert_false(k.ref.ok);
	assert_true(strstr(k.ref.why, "exceeds E_DC") != NULL);
	assert_false(k.wue.ok);
	assert_true(strstr(k.wue.why, "potable") != NULL);
	assert_false(k.cue.ok); /* backup generation without a factor */
	assert_false(k.erf.ok);
	in.e_it = 2000; /* now PUE < 1: nothing downstream is published */
	kpi_compute(&in, &k);
	assert_false(k.pue.ok);
	assert_false(k.dcie.ok);
	assert_false(k.cue.ok);

	/* GB 40879 grades against the default (unconfirmed) limits. */
	const double lim[3] = {1.20, 1.30, 1.50};
	assert_int_equal(kpi_gb40879_grade(1.20, lim), 1);
	assert_int_equal(kpi_gb40879_grade(1.25, lim), 2);
	assert_int_equal(kpi_gb40879_grade(1.31, lim), 3);
	assert_int_equal(kpi_gb40879_grade(1.51, lim), 0);
}

/* check-config rejects a model that cannot produce a PUE, at the section's line. */
static void test_config_rejects(void **state)
{
	struct fixture *f = *state;
	char cfgp[160];
	snprintf(cfgp, sizeof(cfgp), "%s/g.yaml", f->dir);
	FILE *fp = fopen(cfgp, "w");
	assert_non_null(fp);
	fputs("site: {id: t}\n"
	      "energy:\n"
	      "  roles:\n"
	      "    facility_input:\n"
	      "      - {labels: {role: facility_input}, metric: energy_kwh}\n"
	      "  co2: {kg_per_kwh: 0.5366, source: \"MEE/NBS\", year: 2022}\n",
	      fp);
	fclose(fp);
	struct config_diag d = {0};
	struct config *cfg = greendc_config_load(cfgp, &d);
	assert_null(cfg);
	assert_true(strstr(d.text, "g.yaml:3: energy: no IT energy selector") != NULL);

	fp = fopen(cfgp, "w");
	fputs("site: {id: t}\n"
	      "energy:\n"
	      "  roles:\n"
	      "    facility_input:\n"
	      "      - {labels: {role: facility_input}, metric: energy_kwh}\n"
	      "    it_pdu_output:\n"
	      "      - {labels: {role: pdu}, metric: energy_kwh, zone: hall-a}\n"
	      "  co2: {kg_per_kwh: 0.5366, source: \"MEE/NBS\", year: 2022}\n"
	      "  renewable_certificates: [{period: 2026-10, kwh: 5, kind: goo}]\n"
	      "  gb40879_grades: [1.2, 1.3, 1.5]\n",
	      fp);
	fclose(fp);
	memset(&d, 0, sizeof(d));
	cfg = greendc_config_load(cfgp, &d);
	if (!cfg)
		fprintf(stderr, "%s", d.text);
	assert_non_null(cfg);
	assert_non_null(cfg->energy);
	assert_int_equal(cfg->energy->nsel[ROLE_IT_PDU_OUTPUT], 1);
	assert_string_equal(cfg->energy->sel[ROLE_IT_PDU_OUTPUT][0].zone, "hall-a");
	assert_int_equal(cfg->energy->ncerts, 1);
	config_free(cfg);

	fp = fopen(cfgp, "w");
	fputs("site: {id: t}\n"
	      "energy:\n"
	      "  roles:\n"
	      "    facility_input: [{device: nope, metric: energy_kwh}]\n"
	      "    it_input: [{labels: {a: b}, metric: energy_kwh}]\n",
	      fp);
	fclose(fp);
	memset(&d, 0, sizeof(d));
	cfg = greendc_config_load(cfgp, &d);
	assert_null(cfg);
	assert_true(strstr(d.text, "co2: is required") != NULL);
	unlink(cfgp);
}

/* The role a series plays, as /metrics labels it: the selector's own metric (exact), power_w
 * of the same device and labels (the interim PUE's view), an empty label value asking for the
 * label's absence; and the category from the IT roles that have series. */
static void test_series_role_and_category(void **state)
{
	(void)state;
	static const char *const fk[] = {"role", "phase"}, *const fv[] = {"facility", ""};
	static const char *const pk[] = {"role"}, *const pv[] = {"pdu"};
	struct energy_selector fac = {
	        .metric = "energy_kwh", .label_keys = fk, .label_values = fv, .nlabels = 2};
	struct energy_selector ups = {.device = "ups", .metric = "energy_kwh"};
	struct energy_selector pdu = {
	        .metric = "energy_kwh", .label_keys = pk, .label_values = pv, .nlabels = 1};
	struct energy_selector water = {.device = "water", .metric = "water_m3"};
	struct energy_model m = {.present = true};
	m.sel[ROLE_FACILITY_INPUT] = &fac;
	m.nsel[ROLE_FACILITY_INPUT] = 1;
	m.sel[ROLE_IT_UPS_OUTPUT] = &ups;
	m.nsel[ROLE_IT_UPS_OUTPUT] = 1;
	m.sel[ROLE_IT_PDU_OUTPUT] = &pdu;
	m.nsel[ROLE_IT_PDU_OUTPUT] = 1;
	m.sel[ROLE_WATER_INTAKE] = &water;
	m.nsel[ROLE_WATER_INTAKE] = 1;
	bool exact;
	assert_int_equal(energy_series_role(&m, "util-a", "energy_kwh", "role=facility", &exact),
	                 ROLE_FACILITY_INPUT);
	assert_true(exact);
	assert_int_equal(energy_series_role(&m, "util-a", "power_w", "role=facility", &exact),
	                 ROLE_FACILITY_INPUT);
	assert_false(exact);
	/* a per-phase series is not the meter's total */
	assert_int_equal(
	        energy_series_role(&m, "util-a", "energy_kwh", "phase=L1,role=facility", &exact),
	        -1);
	assert_int_equal(energy_series_role(&m, "util-a", "current_a", "role=facility", &exact),
	                 -1);
	assert_int_equal(energy_series_role(&m, "ups", "energy_kwh", "side=output", &exact),
	                 ROLE_IT_UPS_OUTPUT);
	assert_int_equal(energy_series_role(&m, "pdu-7", "power_w", "role=pdu,row=1", &exact),
	                 ROLE_IT_PDU_OUTPUT);
	assert_int_equal(energy_series_role(&m, "water", "water_m3", "", &exact),
	                 ROLE_WATER_INTAKE);
	assert_int_equal(energy_series_role(&m, "water", "water_flow_m3h", "", &exact), -1);
	assert_int_equal(energy_series_role(NULL, "ups", "energy_kwh", "", &exact), -1);

	int n[ROLE_COUNT] = {0}, cat;
	assert_int_equal(energy_it_role(n, &cat), ROLE_IT_UPS_OUTPUT);
	assert_int_equal(cat, 0);
	n[ROLE_IT_UPS_OUTPUT] = 1;
	assert_int_equal(energy_it_role(n, &cat), ROLE_IT_UPS_OUTPUT);
	assert_int_equal(cat, 1);
	n[ROLE_IT_PDU_OUTPUT] = 4;
	assert_int_equal(energy_it_role(n, &cat), ROLE_IT_PDU_OUTPUT);
	assert_int_equal(cat, 2);
	n[ROLE_IT_INPUT] = 40;
	assert_int_equal(energy_it_role(n, &cat), ROLE_IT_INPUT);
	assert_int_equal(cat, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_exact_month, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_wrap_and_replacement, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_six_hour_gap, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_gap_spread, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_short_gap, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_gap_from_mid_slot, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_no_false_gaps, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_in_progress, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_power_only, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_dst_month, setup_berlin, teardown),
	        cmocka_unit_test_setup_teardown(test_impossible, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_config_rejects, setup, teardown),
	        cmocka_unit_test(test_series_role_and_category),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
