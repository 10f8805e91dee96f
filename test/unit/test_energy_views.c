/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the dashboard reads from the energy engine, with known answers: the last N site-time
 * days and months (energy_period_last, across a DST change), E_DC split by use
 * (energy_uses), the reasons as codes beside the English (energy_figures, kpi_pue), and power
 * by the model's roles with the ratio per bucket (energy_power_trend): a second view of a
 * metered PDU that no selector picks is not counted, a bucket a series lacks is a gap, and the
 * ratio is E_DC side over the category's IT side, computed here by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analytics/energy.h"
#include "analytics/energy_power.h"
#include "analytics/kpi.h"
#include "core/timeutil.h"
#include "store/store.h"

#define H_MS INT64_C(3600000)
#define D_MS (24 * H_MS)

#define assert_near(a, b, eps)                                                                     \
	do {                                                                                       \
		double a_ = (a), b_ = (b);                                                         \
		if (!(fabs(a_ - b_) <= (eps)))                                                     \
			fail_msg("%s = %.12g, expected %.12g (+- %g)", #a, a_, b_, (double)(eps)); \
	} while (0)

static int64_t iso(const char *s)
{
	int64_t t;
	assert_null(time_parse_iso8601(s, TIME_NOZONE_UTC, &t));
	return t;
}

static void test_period_last(void **state)
{
	(void)state;
	struct energy_period p;
	time_zone_set("Asia/Shanghai");
	/* 2026-12-03 04:20 site time: the 30 days are 2026-11-04 .. 2026-12-03 (site midnights
	 * are 16:00Z the day before). */
	int64_t now = iso("2026-12-02T20:20:00Z");
	assert_int_equal(energy_period_last(now, STEP_DAY, 30, &p), 0);
	assert_true(p.from_ms == iso("2026-11-03T16:00:00Z"));
	assert_true(p.to_ms == iso("2026-12-03T16:00:00Z"));
	assert_string_equal(p.label, "2026-11-04..2026-12-03");
	/* 12 months: 2026-01 .. 2026-12 */
	assert_int_equal(energy_period_last(now, STEP_MONTH, 12, &p), 0);
	assert_true(p.from_ms == iso("2025-12-31T16:00:00Z"));
	assert_true(p.to_ms == iso("2026-12-31T16:00:00Z"));
	assert_string_equal(p.label, "2026-01..2026-12");
	/* one day: the label is the day */
	assert_int_equal(energy_period_last(now, STEP_DAY, 1, &p), 0);
	assert_string_equal(p.label, "2026-12-03");
	assert_true(p.to_ms - p.from_ms == D_MS);
	/* hours: 3 up to 04:xx = 02:00 .. 05:00 site time */
	assert_int_equal(energy_period_last(now, STEP_HOUR, 3, &p), 0);
	assert_true(p.from_ms == iso("2026-12-02T18:00:00Z") &&
	            p.to_ms == iso("2026-12-02T21:00:00Z"));
	assert_int_equal(energy_period_last(now, STEP_DAY, 0, &p), -EINVAL);
	assert_int_equal(energy_period_last(now, STEP_YEAR, 2, &p), -EINVAL);
	/* Across the end of DST in Berlin (2026-10-25 has 25 hours): 3 days up to the 26th. */
	time_zone_set("Europe/Berlin");
	assert_int_equal(energy_period_last(iso("2026-10-26T12:00:00Z"), STEP_DAY, 3, &p), 0);
	assert_true(p.from_ms == iso("2026-10-23T22:00:00Z"));
	assert_true(p.to_ms == iso("2026-10-26T23:00:00Z"));
	assert_true(p.to_ms - p.from_ms == 3 * D_MS + H_MS);
	time_zone_set("UTC");
}

/* E_DC = 1,000 + 30 (backup) + 20 (PV) = 1,050; IT 800 at PDU output (category 2); cooling
 * 150; other 20: rest = 1,050 - 970 = 80. */
static void test_uses(void **state)
{
	(void)state;
	struct energy_report rep = {.it_role = ROLE_IT_PDU_OUTPUT, .category = 2};
	struct energy_interval iv = {0};
	struct energy_uses u;
	iv.role[ROLE_FACILITY_INPUT] = (struct energy_role_total){.value = 1000, .nseries = 2};
	iv.role[ROLE_BACKUP_GENERATION] = (struct energy_role_total){.value = 30, .nseries = 1};
	iv.role[ROLE_ONSITE_RENEWABLE] = (struct energy_role_total){.value = 20, .nseries = 1};
	iv.role[ROLE_IT_UPS_OUTPUT] = (struct energy_role_total){.value = 830, .nseries = 1};
	iv.role[ROLE_IT_PDU_OUTPUT] = (struct energy_role_total){.value = 800, .nseries = 2};
	iv.role[ROLE_COOLING] = (struct energy_role_total){.value = 150, .nseries = 3};
	iv.role[ROLE_LIGHTING_OTHER] = (struct energy_role_total){.value = 20, .nseries = 1};
	energy_uses(&rep, &iv, &u);
	assert_near(u.e_dc, 1050, 0);
	assert_near(u.it, 800, 0);
	assert_near(u.cooling, 150, 0);
	assert_near(u.other, 20, 0);
	assert_near(u.rest, 80, 1e-12);
	/* no lighting meter: NAN, and the rest holds it */
	iv.role[ROLE_LIGHTING_OTHER] = (struct energy_role_total){0};
	energy_uses(&rep, &iv, &u);
	assert_true(isnan(u.other));
	assert_near(u.rest, 100, 1e-12);
	/* meters that add up to more than E_DC: no rest, never a negative one */
	iv.role[ROLE_COOLING].value = 400;
	energy_uses(&rep, &iv, &u);
	assert_true(isnan(u.rest));
}

static void test_codes(void **state)
{
	(void)state;
	struct kpi_value v;
	kpi_pue(1000, 1100, &v);
	assert_string_equal(v.code, "it_exceeds_dc");
	kpi_pue(1000, 0, &v);
	assert_string_equal(v.code, "no_it_energy");
	kpi_pue(NAN, 10, &v);
	assert_string_equal(v.code, "invalid_totals");
	kpi_pue(1300, 1000, &v);
	assert_null(v.code);

	/* One day half metered (IT 12 of 24 h), then the day in progress at 6 h of 24 with 3 h
	 * metered, then ended but impossible (E_IT > E_DC). */
	struct energy_model m = {.present = true, .coverage_min = 0.95};
	struct energy_report rep = {.it_role = ROLE_IT_UPS_OUTPUT, .category = 1};
	struct energy_interval iv = {.from_ms = 0, .to_ms = D_MS};
	struct energy_figures f;
	iv.role[ROLE_FACILITY_INPUT] =
	        (struct energy_role_total){.value = 130, .coverage = 1, .nseries = 1};
	iv.role[ROLE_IT_UPS_OUTPUT] = (struct energy_role_total){
	        .value = 50, .coverage = 0.5, .nseries = 1, .status = ENERGY_MISSING};
	energy_figures(&m, &rep, &iv, 0, &f);
	assert_false(f.published);
	assert_string_equal(f.code, "coverage_below");
	assert_null(f.code_more);
	assert_string_equal(f.why, "coverage 50.0 % is below 95.0 %: not published");

	iv.in_progress = true;
	iv.elapsed_ms = 6 * H_MS;
	iv.role[ROLE_FACILITY_INPUT].status = ENERGY_IN_PROGRESS;
	iv.role[ROLE_IT_UPS_OUTPUT].status = ENERGY_IN_PROGRESS;
	energy_figures(&m, &rep, &iv, 0, &f);
	assert_string_equal(f.code, "in_progress");
	assert_string_equal(f.code_more, "coverage_below");
	assert_string_equal(f.why, "in progress: 6.0 h of 24 elapsed; not final; coverage of the "
	                           "elapsed time 50.0 % is below 95.0 %");

	iv.in_progress = false;
	iv.role[ROLE_FACILITY_INPUT] =
	        (struct energy_role_total){.value = 100, .coverage = 1, .nseries = 1};
	iv.role[ROLE_IT_UPS_OUTPUT] =
	        (struct energy_role_total){.value = 120, .coverage = 1, .nseries = 1};
	energy_figures(&m, &rep, &iv, 0, &f);
	assert_string_equal(f.code, "it_exceeds_dc");
	iv.role[ROLE_IT_UPS_OUTPUT].value = 80;
	energy_figures(&m, &rep, &iv, 0, &f);
	assert_true(f.published);
	assert_null(f.code);
}

/*
 * Power by role over 2026-10-05 00:00..03:00Z in 1-hour buckets, one reading a minute:
 *   util-a 60 kW and util-b 40 kW (role facility_input): 100 kW
 *   pv 10 kW (onsite_renewable): E_DC side 110 kW
 *   pdu-1 40 kW, pdu-2 48 kW (it_pdu_output): 88 kW, category 2; ratio 110 / 88 = 1.25
 *   ups output 90 kW (it_ups_output)
 *   crah 12 kW (cooling), lights 2 kW (lighting_other): rest = 110 - 88 - 12 - 2 = 8 kW
 *   pdu-1-snmp 40 kW with role=snmp_view: picked by no selector, never counted
 * pdu-2 is silent in the second hour: it_pdu_output, the IT side, the ratio and the rest are
 * gaps there, the facility is not.
 */
static void test_power_trend(void **state)
{
	(void)state;
	char dir[] = "/tmp/greendc-views-XXXXXX", path[96], err[256] = "";
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/store.db", dir);
	time_zone_set("UTC");
	struct store_opts o = {.path = path, .commit_ms = 1000, .queue_cap = 8192};
	struct store *st = store_open(&o, err, sizeof(err));
	assert_non_null(st);
	static const struct {
		const char *dev, *labels;
		double w;
	} s[] = {
	        {"util-a", "role=facility_input", 60e3},
	        {"util-b", "role=facility_input", 40e3},
	        {"pv", "", 10e3},
	        {"pdu-1", "role=pdu_output", 40e3},
	        {"pdu-2", "role=pdu_output", 48e3},
	        {"ups", "side=output", 90e3},
	        {"ups", "side=input", 95e3},
	        {"crah", "role=cooling", 12e3},
	        {"lights", "", 2e3},
	        {"pdu-1-snmp", "role=snmp_view", 40e3},
	};
	int64_t id[10], t0 = iso("2026-10-05T00:00:00Z");
	for (size_t i = 0; i < 10; i++) {
		struct store_series_desc d = {.device = s[i].dev,
		                              .metric = "power_w",
		                              .labels = s[i].labels,
		                              .kind = STORE_GAUGE};
		id[i] = store_series(st, &d);
		assert_true(id[i] > 0);
	}
	for (int k = 0; k < 180; k++)
		for (size_t i = 0; i < 10; i++) {
			if (i == 4 && k >= 60 && k < 120)
				continue;
			struct store_sample x = {id[i], t0 + k * INT64_C(60000), s[i].w};
			assert_int_equal(store_append(st, &x, 1), 0);
		}
	store_close(st);
	struct store_reader *r = store_reader_open(path, err, sizeof(err));
	assert_non_null(r);

	static const char *const fk[] = {"role"}, *const fv[] = {"facility_input"};
	static const char *const pk[] = {"role"}, *const pv[] = {"pdu_output"};
	static const char *const uk[] = {"side"}, *const uv[] = {"output"};
	static const char *const ck[] = {"role"}, *const cv[] = {"cooling"};
	struct energy_selector fac = {
	        .metric = "energy_kwh", .label_keys = fk, .label_values = fv, .nlabels = 1};
	struct energy_selector pdu = {
	        .metric = "energy_kwh", .label_keys = pk, .label_values = pv, .nlabels = 1};
	struct energy_selector ups = {.device = "ups",
	                              .metric = "energy_kwh",
	                              .label_keys = uk,
	                              .label_values = uv,
	                              .nlabels = 1};
	struct energy_selector cool = {
	        .metric = "energy_kwh", .label_keys = ck, .label_values = cv, .nlabels = 1};
	struct energy_selector pvs = {.device = "pv", .metric = "energy_kwh"};
	struct energy_selector lights = {.device = "lights", .metric = "energy_kwh"};
	struct energy_model m = {.present = true};
	m.sel[ROLE_FACILITY_INPUT] = &fac;
	m.sel[ROLE_IT_PDU_OUTPUT] = &pdu;
	m.sel[ROLE_IT_UPS_OUTPUT] = &ups;
	m.sel[ROLE_COOLING] = &cool;
	m.sel[ROLE_ONSITE_RENEWABLE] = &pvs;
	m.sel[ROLE_LIGHTING_OTHER] = &lights;
	m.nsel[ROLE_FACILITY_INPUT] = m.nsel[ROLE_IT_PDU_OUTPUT] = m.nsel[ROLE_IT_UPS_OUTPUT] =
	        m.nsel[ROLE_COOLING] = m.nsel[ROLE_ONSITE_RENEWABLE] = m.nsel[ROLE_LIGHTING_OTHER] =
	                1;

	struct energy_power p;
	assert_int_equal(energy_power_trend(r, &m, t0, t0 + 3 * H_MS, H_MS, 3, &p), 0);
	assert_int_equal(p.category, 2);
	assert_int_equal(p.it_role, ROLE_IT_PDU_OUTPUT);
	assert_int_equal(p.nseries[ROLE_FACILITY_INPUT], 2);
	assert_int_equal(p.nseries[ROLE_IT_PDU_OUTPUT], 2); /* not pdu-1-snmp */
	assert_int_equal(p.nseries[ROLE_IT_UPS_OUTPUT], 1); /* not the input side */
	assert_false(p.truncated);
	for (int b = 0; b < 3; b += 2) {
		assert_near(p.w[ROLE_FACILITY_INPUT][b], 100e3, 1e-6);
		assert_near(p.dc[b], 110e3, 1e-6);
		assert_near(p.it[b], 88e3, 1e-6);
		assert_near(p.ratio[b], 1.25, 1e-12);
		assert_near(p.rest[b], 8e3, 1e-6);
		assert_near(p.w[ROLE_IT_UPS_OUTPUT][b], 90e3, 1e-6);
	}
	assert_near(p.w[ROLE_FACILITY_INPUT][1], 100e3, 1e-6);
	assert_true(isnan(p.w[ROLE_IT_PDU_OUTPUT][1]) && isnan(p.it[1]) && isnan(p.ratio[1]) &&
	            isnan(p.rest[1]));
	assert_null(p.w[ROLE_BACKUP_GENERATION]);
	energy_power_free(&p);
	energy_power_free(&p); /* twice is harmless */
	store_reader_close(r);
	char f[128];
	const char *suffix[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(f, sizeof(f), "%s%s", path, suffix[i]);
		unlink(f);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_period_last),
	        cmocka_unit_test(test_uses),
	        cmocka_unit_test(test_codes),
	        cmocka_unit_test(test_power_trend),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
