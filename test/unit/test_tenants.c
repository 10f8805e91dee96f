/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tenants, tariffs, groups, statements and capacity on a fixed floor written through the
 * real store writer: October 2026 in Asia/Shanghai (no DST), readings every 15 minutes.
 *
 *   rack R1: PDUs A (2 kW, +4 kWh in 14:00-14:15 on the 15th) and B (1 kW), power every 60 s
 *   rack R2: one PDU with an input meter (4 kW) and outlets 1 (2.5 kW) and 2 (1.45 kW): the
 *            outlets are 1.25 % short of the input, outside the 1 % accuracy
 *   rack R3: a PDU with power only (3 kW): derived energy
 *   rack R4: a PDU with outlet meters only: 1 (2.5 kW, tenant beta) and 2 (1 kW, nobody's)
 *
 * Tenants: acme (R1, R2; time of use), beta (outlet 1 of R4; flat 0.7), gamma (R3; overhead
 * by PUE). Known answers are computed here from those loads and the tariff table, not by the
 * code under test. Also: the tariff table and its errors, the tenants' config errors, groups
 * equal energy_compute() for the same series (with a gap spread), and A/B redundancy.
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
#include <sys/stat.h>
#include <unistd.h>

#include "analytics/capacity.h"
#include "analytics/energy.h"
#include "analytics/floor.h"
#include "analytics/groups.h"
#include "analytics/statement.h"
#include "analytics/tariff.h"
#include "analytics/tenants.h"
#include "config/config.h"
#include "core/timeutil.h"
#include "daemon/sections.h"
#include "store/store.h"

#define OCT1  INT64_C(1790784000000) /* 2026-10-01T00:00+08:00 */
#define NOV1  (OCT1 + 31 * 86400000LL)
#define Q15   INT64_C(900000)
#define SLOTS (31 * 96)
#define SPIKE (14 * 96 + 56) /* 2026-10-15 14:00 local */

static char dir[256];

static void write_file(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

#define DEV(name, rack, feed)                                                                      \
	"  - {name: " name ", driver: modbus, address: \"tcp://h:1\", profile: pdu/p, "            \
	"labels: {hall: H, row: \"1\", rack: " rack ", feed: " feed ", role: rack_pdu}}\n"

static const char base_yaml[] =
        "site: {id: t, name: T, timezone: Asia/Shanghai}\n"
        "storage: {path: greendc.db}\n"
        "daemon: {profiles_dir: profiles}\n"
        "devices:\n" DEV("rpdu-r1-a", "R1", "A") DEV("rpdu-r1-b", "R1", "B") DEV(
                "rpdu-r2-a", "R2", "A") DEV("rpdu-r3-a", "R3", "A")
                DEV("rpdu-r4-a", "R4",
                    "A") "  - {name: utility, driver: modbus, address: \"tcp://h:1\", profile: "
                         "pdu/p}\n"
                         "energy:\n"
                         "  roles:\n"
                         "    facility_input: [{device: utility, metric: energy_kwh}]\n"
                         "    it_input: [{labels: {role: rack_pdu, outlet: \"\"}, metric: "
                         "energy_kwh}]\n"
                         "  co2: {kg_per_kwh: 0.5, source: test, year: 2022}\n"
                         "tariffs:\n"
                         "  - name: tou\n"
                         "    currency: CNY\n"
                         "    source: \"test table\"\n"
                         "    prices: {peak: 1.0, flat: 0.6, valley: 0.3}\n"
                         "    seasons:\n"
                         "      - months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]\n"
                         "        peak: [\"08:00-11:00\", \"17:00-21:00\"]\n"
                         "        valley: [\"23:00-07:00\"]\n"
                         "  - {name: flat, currency: CNY, source: contract, prices: {flat: 0.7}}\n"
                         "capacity:\n"
                         "  pdus:\n"
                         "    - {device: rpdu-r1-a, rated_kw: 10}\n"
                         "    - {device: rpdu-r1-b, rated_kw: 3}\n";

static const char tenants_yaml[] = "tenants:\n"
                                   "  - {name: acme, title: \"ACME Ltd\", racks: [R1, R2], "
                                   "tariff: tou}\n"
                                   "  - {name: beta, outlets: [{rack: R4, outlet: \"1\"}], "
                                   "tariff: flat}\n"
                                   "  - {name: gamma, racks: [R3], tariff: flat, overhead: pue}\n";

static struct config *load(const char *extra, struct config_diag *diag)
{
	char path[512], *text = malloc(strlen(base_yaml) + strlen(extra) + 1);
	strcpy(text, base_yaml);
	strcat(text, extra);
	write_file("c.yaml", text);
	free(text);
	snprintf(path, sizeof(path), "%s/c.yaml", dir);
	memset(diag, 0, sizeof(*diag));
	return greendc_config_load(path, diag);
}

struct ser {
	const char *dev, *metric, *labels;
	bool counter;
	double kw;
	int64_t id;
};

#define L(rack, feed, extra) "feed=" feed ",hall=H," extra "rack=" rack ",role=rack_pdu,row=1"

static struct ser sers[] = {
        {"rpdu-r1-a", "energy_kwh", L("R1", "A", ""), true, 2, 0},
        {"rpdu-r1-b", "energy_kwh", L("R1", "B", ""), true, 1, 0},
        {"rpdu-r2-a", "energy_kwh", L("R2", "A", ""), true, 4, 0},
        {"rpdu-r2-a", "energy_kwh", L("R2", "A", "outlet=1,"), true, 2.5, 0},
        {"rpdu-r2-a", "energy_kwh", L("R2", "A", "outlet=2,"), true, 1.45, 0},
        {"rpdu-r4-a", "energy_kwh", L("R4", "A", "outlet=1,"), true, 2.5, 0},
        {"rpdu-r4-a", "energy_kwh", L("R4", "A", "outlet=2,"), true, 1, 0},
        {"utility", "energy_kwh", "", true, 15, 0},
        {"rpdu-r1-a", "power_w", L("R1", "A", ""), false, 2, 0},
        {"rpdu-r1-b", "power_w", L("R1", "B", ""), false, 1, 0},
        {"rpdu-r3-a", "power_w", L("R3", "A", ""), false, 3, 0},
};
#define NSER (sizeof(sers) / sizeof(sers[0]))

/* skip: R1-A's energy readings omitted for slots [skip_from, skip_to). */
static void write_store(int skip_from, int skip_to)
{
	char path[512], err[256];
	snprintf(path, sizeof(path), "%s/greendc.db", dir);
	unlink(path);
	struct store_opts o = {.path = path, .commit_ms = 200, .queue_cap = 1 << 16};
	struct store *st = store_open(&o, err, sizeof(err));
	assert_non_null(st);
	double v[NSER];
	for (size_t k = 0; k < NSER; k++) {
		struct store_series_desc d = {sers[k].dev,
		                              sers[k].metric,
		                              sers[k].labels,
		                              sers[k].counter ? STORE_COUNTER : STORE_GAUGE,
		                              sers[k].counter ? 64 : 0,
		                              0,
		                              0};
		assert_true((sers[k].id = store_series(st, &d)) > 0);
		v[k] = 1000;
	}
	/* Counters: a reading at the start of slot i carries slot i's energy (the store puts a
	 * delta in the bucket of its later reading); one before and one after the month. Power:
	 * every minute from 15 min before to 15 min after. */
	for (int64_t t = OCT1 - Q15; t <= NOV1 + Q15; t += 60000) {
		int64_t i = (t - OCT1) / Q15;
		bool quarter = (t - OCT1) % Q15 == 0;
		for (size_t k = 0; k < NSER; k++) {
			if (!sers[k].counter) {
				struct store_sample s = {sers[k].id, t, sers[k].kw * 1000};
				assert_int_equal(store_append(st, &s, 1), 0);
				continue;
			}
			if (!quarter || i < -1 || i > SLOTS)
				continue;
			v[k] += sers[k].kw / 4 + (k == 0 && i == SPIKE ? 4 : 0);
			if (k == 0 && i >= skip_from && i < skip_to)
				continue;
			struct store_sample s = {sers[k].id, t, v[k]};
			assert_int_equal(store_append(st, &s, 1), 0);
		}
	}
	assert_int_equal(store_flush(st), 0);
	store_close(st);
}

static struct store_reader *reader(void)
{
	char path[512], err[256];
	snprintf(path, sizeof(path), "%s/greendc.db", dir);
	struct store_reader *r = store_reader_open(path, err, sizeof(err));
	assert_non_null(r);
	return r;
}

static int setup(void **state)
{
	(void)state;
	/* GDC_TENANTS_FIXTURE: build (and keep) the scenario there, for a look with the CLI. */
	const char *keep = getenv("GDC_TENANTS_FIXTURE");
	if (keep)
		snprintf(dir, sizeof(dir), "%s", keep);
	else
		snprintf(dir, sizeof(dir), "/tmp/gdc-tenants-%d", (int)getpid());
	mkdir(dir, 0700);
	char p[512];
	snprintf(p, sizeof(p), "%s/profiles", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/profiles/pdu", dir);
	mkdir(p, 0700);
	write_file("profiles/pdu/p.yaml",
	           "profile: p\nclass: pdu\ndriver: modbus\nsource: t\npoints:\n"
	           "  - {metric: power_w, fc: 3, register: 0, type: uint16}\n");
	time_zone_set("Asia/Shanghai");
	write_store(-100, -100);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[600];
	if (getenv("GDC_TENANTS_FIXTURE")) { /* the last config loaded has the tenants */
		snprintf(cmd, sizeof(cmd), "cp %s/c.yaml %s/greendc.yaml", dir, dir);
		return system(cmd);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* Hours per day in each period of the test's table, counted here from its ranges. */
static void hours_per_day(double *peak, double *flat, double *valley)
{
	*peak = *flat = *valley = 0;
	for (int h = 0; h < 24; h++) {
		if ((h >= 8 && h < 11) || (h >= 17 && h < 21))
			(*peak)++;
		else if (h >= 23 || h < 7)
			(*valley)++;
		else
			(*flat)++;
	}
}

static void test_tariff_table(void **state)
{
	(void)state;
	struct config_diag diag;
	struct config *cfg = load("", &diag);
	if (!cfg)
		fail_msg("%s", diag.text);
	const struct tariff *t = tariff_find(cfg->tariffs, "tou");
	assert_non_null(t);
	assert_true(t->tou);
	/* 2026-10-01 local: 07:45 flat, 08:00 peak, 10:45 peak, 11:00 flat, 23:00 valley. */
	assert_int_equal(tariff_period_at(t, OCT1 + 7 * 3600000 + 45 * 60000), TP_FLAT);
	assert_int_equal(tariff_period_at(t, OCT1 + 8 * 3600000), TP_PEAK);
	assert_int_equal(tariff_period_at(t, OCT1 + 10 * 3600000 + 45 * 60000), TP_PEAK);
	assert_int_equal(tariff_period_at(t, OCT1 + 11 * 3600000), TP_FLAT);
	assert_int_equal(tariff_period_at(t, OCT1 + 23 * 3600000), TP_VALLEY);
	assert_int_equal(tariff_period_at(t, OCT1 + 6 * 3600000 + 45 * 60000), TP_VALLEY);
	assert_int_equal(tariff_period_at(tariff_find(cfg->tariffs, "flat"), OCT1 + 9 * 3600000),
	                 TP_FLAT);
	assert_ptr_equal(tariff_find(cfg->tariffs, NULL), t);
	config_free(cfg);

	static const struct {
		const char *yaml, *want;
	} bad[] = {
	        {"tariffs:\n  - {name: x, currency: CNY, source: s, prices: {flat: 1},\n"
	         "     seasons: [{months: [1,2,3,4,5,6,7,8,9,10,11,12], peak: [\"08:00-12:00\"],\n"
	         "                valley: [\"11:00-13:00\"]}]}\n",
	         "11:00 is already peak"},
	        {"tariffs:\n  - {name: x, currency: CNY, source: s, prices: {flat: 1, peak: 2},\n"
	         "     seasons: [{months: [1,2,3,4,5,6,7,8,9,10,11], peak: [\"08:00-12:00\"]}]}\n",
	         "month 12 is in no season"},
	        {"tariffs:\n  - {name: x, currency: CNY, source: s, prices: {flat: 1},\n"
	         "     seasons: [{months: [1,2,3,4,5,6,7,8,9,10,11,12], peak: "
	         "[\"08:00-12:00\"]}]}\n",
	         "period peak is used but prices: has no peak"},
	        {"tariffs:\n  - {name: x, currency: CNY, prices: {flat: 1}}\n",
	         "source are required"},
	        {"tariffs:\n  - {name: x, currency: CNY, source: s, prices: {flat: 1},\n"
	         "     seasons: [{months: [1,2,3,4,5,6,7,8,9,10,11,12], peak: "
	         "[\"08:10-12:00\"]}]}\n",
	         "quarter hours"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* A second tariffs: section would be a duplicate key: replace the base one. */
		char *text = strdup(base_yaml);
		char *cut = strstr(text, "tariffs:\n");
		char *end = strstr(cut, "capacity:\n");
		memmove(cut, end, strlen(end) + 1);
		char *full = malloc(strlen(text) + strlen(bad[i].yaml) + 1);
		strcpy(full, text);
		strcat(full, bad[i].yaml);
		write_file("bad.yaml", full);
		char path[512];
		snprintf(path, sizeof(path), "%s/bad.yaml", dir);
		memset(&diag, 0, sizeof(diag));
		cfg = greendc_config_load(path, &diag);
		if (cfg || !strstr(diag.text, bad[i].want))
			fail_msg("case %zu: want \"%s\", got: %s", i, bad[i].want, diag.text);
		assert_non_null(strstr(diag.text, "bad.yaml:"));
		free(text);
		free(full);
	}
}

static void test_tenant_errors(void **state)
{
	(void)state;
	static const struct {
		const char *yaml, *want;
	} bad[] = {
	        {"tenants:\n  - {name: a, racks: [R1]}\n  - {name: b, racks: [R2, R1]}\n",
	         "tenants: rack R1 is in two tenants: a (line %d) and b"},
	        {"tenants:\n  - {name: a, racks: [R9]}\n",
	         "c.yaml:%d: tenants: a: unknown rack \"R9\""},
	        {"tenants:\n  - {name: a, racks: [R4]}\n  - {name: b, outlets: [{rack: R4, outlet: "
	         "\"1\"}]}\n",
	         "outlet 1 of rack R4 is counted twice: tenant a has the whole rack (line %d)"},
	        {"tenants:\n  - {name: a, outlets: [{rack: R4, outlet: \"1\"}]}\n"
	         "  - {name: b, outlets: [{rack: R4, outlet: \"1\", feed: A}]}\n",
	         "tenants: b: outlet 1 of rack R4 is counted twice: a has it already (line %d)"},
	        {"tenants:\n  - {name: a, racks: [R1], tariff: nope}\n", "tariff \"nope\" is not"},
	        {"tenants:\n  - {name: a}\n", "give racks or outlets"},
	};
	/* The tenants: section starts after the base config's lines. */
	int n0 = 0;
	for (const char *p = base_yaml; *p; p++)
		n0 += *p == '\n';
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct config_diag diag;
		struct config *cfg = load(bad[i].yaml, &diag);
		char want[300];
		snprintf(want, sizeof(want), bad[i].want, n0 + 2, n0 + 3);
		if (cfg || !strstr(diag.text, want))
			fail_msg("case %zu: want \"%s\", got: %s", i, want, diag.text);
	}
	struct config_diag diag;
	struct config *cfg = load(tenants_yaml, &diag);
	if (!cfg)
		fail_msg("%s", diag.text);
	config_free(cfg);
}

static void test_statement(void **state)
{
	(void)state;
	struct config_diag diag;
	struct config *cfg = load(tenants_yaml, &diag);
	if (!cfg)
		fail_msg("%s", diag.text);
	struct store_reader *r = reader();
	struct statement_set s;
	int rc = statement_compute(cfg, r, "2026-10", NULL, NOV1 + 86400000, &s);
	if (rc)
		fail_msg("%s", s.err);
	assert_int_equal(s.n, 3);
	assert_false(s.in_progress);
	double hp, hf, hv;
	hours_per_day(&hp, &hf, &hv);

	/* acme: R1 (2 + 1 kW, + 4 kWh at 14:00 on the 15th, a flat hour) and R2's input 4 kW. */
	const struct statement_tenant *a = &s.t[0];
	assert_string_equal(a->t->name, "acme");
	assert_true(fabs(a->month.kwh - (7 * 744 + 4)) < 1e-6);
	assert_true(fabs(a->period_kwh[TP_PEAK] - 7 * hp * 31) < 1e-6);
	assert_true(fabs(a->period_kwh[TP_FLAT] - (7 * hf * 31 + 4)) < 1e-6);
	assert_true(fabs(a->period_kwh[TP_VALLEY] - 7 * hv * 31) < 1e-6);
	double cost = 7 * hp * 31 * 1.0 + (7 * hf * 31 + 4) * 0.6 + 7 * hv * 31 * 0.3;
	assert_true(fabs(a->energy_cost - cost) < 1e-6);
	assert_true(fabs(a->peak_kw - (7 * 0.25 + 4) * 4) < 1e-9);
	assert_int_equal(a->peak_at, OCT1 + (int64_t)SPIKE * Q15);
	assert_int_equal(a->month.status, ENERGY_OK);
	assert_true(a->month.coverage == 1);
	assert_int_equal(a->nracks, 2);
	assert_string_equal(a->racks[0].rack, "R1");
	assert_true(fabs(a->racks[0].month.kwh - (3 * 744 + 4)) < 1e-6);
	assert_int_equal(a->racks[0].source, SRC_INPUT_METER);
	assert_true(fabs(a->racks[1].month.kwh - 4 * 744) < 1e-6);
	/* R2's outlets are 1.25 % short of its input: flagged at 1 %. */
	assert_int_equal(a->nchecks, 1);
	assert_true(fabs(a->checks[0].diff_pct - 1.25) < 1e-9);
	assert_false(a->checks[0].ok);
	assert_true(a->checks_failed);
	assert_true(fabs(a->day_kwh[14] - (7 * 24 + 4)) < 1e-6);
	assert_true(fabs(a->day_kwh[0] - 7 * 24) < 1e-6);

	/* beta: outlet 1 of R4, 2.5 kW, flat 0.7. */
	const struct statement_tenant *b = &s.t[1];
	assert_true(fabs(b->month.kwh - 2.5 * 744) < 1e-6);
	assert_true(fabs(b->energy_cost - 2.5 * 744 * 0.7) < 1e-6);
	assert_int_equal(b->nracks, 1);
	assert_false(b->racks[0].whole);
	assert_string_equal(b->racks[0].outlets, "A/1");
	assert_int_equal(b->month.status, ENERGY_OK);

	/* gamma: R3's power integrated (derived, ESTIMATED), overhead by the month's PUE:
	 * facility 15 kW over E_IT = the input meters of R1 and R2 (3 + 4 kW, + 4 kWh). */
	const struct statement_tenant *g = &s.t[2];
	assert_true(fabs(g->month.kwh - 3 * 744) < 1e-6);
	assert_true(g->month.derived);
	assert_int_equal(g->month.status, ENERGY_ESTIMATED);
	assert_int_equal(g->racks[0].source, SRC_POWER);
	double pue = 15.0 * 744 / (7 * 744 + 4);
	assert_true(g->overhead);
	assert_true(fabs(g->pue - pue) < 1e-9);
	assert_true(fabs(g->overhead_kwh - 3 * 744 * (pue - 1)) < 1e-6);
	assert_true(fabs(g->overhead_cost - g->overhead_kwh * 0.7) < 1e-6);
	assert_true(fabs(g->total_cost - (3 * 744 * 0.7 + g->overhead_cost)) < 1e-6);
	statement_set_free(&s);

	/* One tenant, half way through the month: in progress, what has elapsed. */
	rc = statement_compute(cfg, r, "2026-10", "beta", OCT1 + 10 * 86400000LL - 1, &s);
	assert_int_equal(rc, 0);
	assert_int_equal(s.n, 1);
	assert_true(s.in_progress);
	assert_int_equal(s.t[0].month.status, ENERGY_IN_PROGRESS);
	assert_true(fabs(s.t[0].month.kwh - 2.5 * 240) < 1e-6);
	statement_set_free(&s);
	assert_int_equal(statement_compute(cfg, r, "2026-10", "nobody", NOV1, &s), -ENOENT);
	store_reader_close(r);
	config_free(cfg);
}

/* A rack's group energy is energy_compute()'s for a role made of the same series, interval
 * by interval (value, estimated part, coverage, status), with a gap spread over 3 hours. */
static void test_groups_equal_engine(void **state)
{
	(void)state;
	write_store(5 * 96 + 40, 5 * 96 + 52);
	struct config_diag diag;
	struct config *cfg = load(tenants_yaml, &diag);
	assert_non_null(cfg);
	struct store_reader *r = reader();
	char err[200];
	struct floor *fl = floor_build(cfg, r, err, sizeof(err));
	assert_non_null(fl);
	struct group_energy ge;
	int64_t now = OCT1 + 20 * 86400000LL + 3600000 * 5;
	assert_int_equal(
	        groups_compute(cfg, fl, r, GROUP_RACK, "R1", OCT1, NOV1, STEP_DAY, now, &ge), 0);
	assert_int_equal(ge.n, 1);
	static const char *const k[] = {"rack"}, *const v[] = {"R1"};
	struct energy_selector sel = {
	        .metric = "energy_kwh", .label_keys = k, .label_values = v, .nlabels = 1};
	struct energy_model m = *cfg->energy;
	memset(m.sel, 0, sizeof(m.sel));
	memset(m.nsel, 0, sizeof(m.nsel));
	m.sel[ROLE_FACILITY_INPUT] = &sel;
	m.nsel[ROLE_FACILITY_INPUT] = 1;
	m.sel[ROLE_IT_INPUT] = &sel;
	m.nsel[ROLE_IT_INPUT] = 1;
	struct energy_report rep;
	assert_int_equal(energy_compute(r, &m, OCT1, NOV1, STEP_DAY, now, &rep), 0);
	assert_int_equal(rep.n, ge.acc.niv);
	int estimated = 0;
	for (size_t i = 0; i <= rep.n; i++) {
		const struct energy_role_total *t = i < rep.n
		                                            ? &rep.iv[i].role[ROLE_FACILITY_INPUT]
		                                            : &rep.total.role[ROLE_FACILITY_INPUT];
		const struct group_cell *c = group_cell(&ge.acc, 0, i);
		if (fabs(t->value - c->kwh) > 1e-9 || fabs(t->estimated - c->estimated) > 1e-9 ||
		    fabs(t->coverage - c->coverage) > 1e-12 || t->status != c->status)
			fail_msg("interval %zu: engine %.6f/%.6f/%.6f/%s, group %.6f/%.6f/%.6f/%s",
			         i, t->value, t->estimated, t->coverage,
			         energy_status_name(t->status), c->kwh, c->estimated, c->coverage,
			         energy_status_name(c->status));
		estimated += t->status == ENERGY_ESTIMATED;
	}
	/* The gap lies inside day 6, which holds it whole: exact, not estimated. */
	assert_int_equal(estimated, 0);
	assert_true(fabs(group_cell(&ge.acc, 0, 5)->kwh - 3 * 24) < 1e-9);
	assert_int_equal(group_cell(&ge.acc, 0, 20)->status, ENERGY_IN_PROGRESS);
	energy_report_free(&rep);
	group_energy_free(&ge);

	/* By hour over the day of the gap: the gap's hours are ESTIMATED in both. */
	int64_t d6 = OCT1 + 5 * 86400000LL;
	assert_int_equal(groups_compute(cfg, fl, r, GROUP_RACK, "R1", d6, d6 + 86400000, STEP_HOUR,
	                                NOV1, &ge),
	                 0);
	assert_int_equal(energy_compute(r, &m, d6, d6 + 86400000, STEP_HOUR, NOV1, &rep), 0);
	estimated = 0;
	for (size_t i = 0; i < rep.n; i++) {
		const struct energy_role_total *t = &rep.iv[i].role[ROLE_FACILITY_INPUT];
		const struct group_cell *c = group_cell(&ge.acc, 0, i);
		assert_true(fabs(t->value - c->kwh) < 1e-9);
		assert_int_equal(t->status, c->status);
		estimated += c->status == ENERGY_ESTIMATED;
	}
	assert_true(estimated >= 3);
	energy_report_free(&rep);
	group_energy_free(&ge);
	floor_free(fl);
	store_reader_close(r);
	config_free(cfg);
	write_store(-100, -100);
}

static void test_capacity(void **state)
{
	(void)state;
	struct config_diag diag;
	struct config *cfg = load(tenants_yaml, &diag);
	assert_non_null(cfg);
	struct store_reader *r = reader();
	char err[200];
	struct floor *fl = floor_build(cfg, r, err, sizeof(err));
	assert_non_null(fl);
	assert_int_equal(fl->nracks, 4);
	assert_string_equal(fl->racks[0].name, "R1");
	assert_int_equal(fl->racks[0].npdus, 2);
	assert_int_equal(fl->racks[0].tenant, 0);
	assert_int_equal(fl->racks[3].tenant, -1);
	assert_int_equal(fl->pdus[fl->racks[1].pdu0].noutlets, 2);
	struct capacity_result cr;
	int64_t to = OCT1 + 2 * 86400000LL;
	assert_int_equal(capacity_compute(cfg, fl, r, to - 86400000, to, 0, &cr), 0);
	const struct capacity_rack_fig *r1 = &cr.rack[0];
	assert_true(fabs(r1->peak1_kw - 3) < 1e-9 && fabs(r1->now_kw - 3) < 1e-9);
	assert_true(fabs(r1->peak15_kw - 3) < 1e-9);
	assert_int_equal(r1->nsides, 2);
	/* A: rated 10 kW -> 8 kW carries 3 kW; B: 3 kW -> 2.4 kW does not. */
	assert_true(fabs(r1->sides[0].limit_kw - 8) < 1e-9 && r1->sides[0].carries);
	assert_true(fabs(r1->sides[1].limit_kw - 2.4) < 1e-9 && !r1->sides[1].carries);
	assert_int_equal(r1->ab, AB_RISK);
	assert_true(fabs(r1->limit_kw - 2.4) < 1e-9);
	const struct capacity_pdu_fig *pa = &cr.pdu[fl->racks[0].pdu0];
	assert_true(fabs(pa->limit_kw - 8) < 1e-9 && fabs(pa->util - 0.25) < 1e-9);
	assert_string_equal(pa->limit_from, "rated_kw");
	assert_int_equal(cr.rack[2].ab, AB_SINGLE);
	capacity_result_free(&cr);
	floor_free(fl);
	store_reader_close(r);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_tariff_table), cmocka_unit_test(test_tenant_errors),
	        cmocka_unit_test(test_statement),    cmocka_unit_test(test_groups_equal_engine),
	        cmocka_unit_test(test_capacity),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
