/*
 * The monthly report on a fixed scenario written through the real store writer: October 2026
 * in Asia/Shanghai, 15-minute cumulative counters for a utility feed (1310 kWh/h plus a daily
 * ramp), UPS output (1000 kWh/h) and cooling (250 kWh/h). Known answers: E_DC, E_IT, PUE,
 * pPUE cooling, CUE, the category, complete = true; then a month whose IT meter stops three
 * days before its end is incomplete and names the role it is missing. An hourly summary of
 * the same data carries that hour's E_DC, E_IT and PUE; the same month reported half way
 * through is IN_PROGRESS and publishes no ratio. With GDC_REPORT_FIXTURE set, the
 * full database is also left at that path for test/integration/test_report.sh (which checks
 * the CLI's `greendc pue`/`kpi` agree and validates against docs/report.schema.json).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "core/timeutil.h"
#include "daemon/sections.h"
#include "delivery/outputs.h"
#include "delivery/report.h"
#include "delivery/summary.h"
#include "store/outbox.h"
#include "store/store.h"

#define OCT1  INT64_C(1790784000000) /* 2026-10-01T00:00+08:00 */
#define Q15   INT64_C(900000)
#define SLOTS (31 * 96)

static const char yaml[] =
        "site: {id: taiyuan-1, name: \"Taiyuan DC 1\", timezone: Asia/Shanghai}\n"
        "storage: {path: greendc.db}\n"
        "devices: []\n"
        "energy:\n"
        "  roles:\n"
        "    facility_input: [{labels: {role: facility_input}, metric: energy_kwh}]\n"
        "    it_ups_output: [{labels: {role: ups_output}, metric: energy_kwh}]\n"
        "    cooling: [{labels: {role: cooling}, metric: energy_kwh}]\n"
        "  co2: {kg_per_kwh: 0.7096, source: \"Shanxi provincial grid\", year: 2022}\n";

/* kWh of the facility feed in 15-min slot i: 327.5 + a ramp over the day. */
static double fac_slot(int i)
{
	return 327.5 + (double)(i % 96) * 0.5;
}

/* Write the scenario; skip_it_from/to: IT samples omitted for slots in [from, to). */
static void write_fixture(const char *dir, int skip_from, int skip_to)
{
	char path[256], err[256];
	snprintf(path, sizeof(path), "%s/greendc.yaml", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(yaml, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/greendc.db", dir);
	struct store_opts o = {.path = path, .commit_ms = 200, .queue_cap = 1 << 16};
	struct store *st = store_open(&o, err, sizeof(err));
	assert_non_null(st);
	struct store_series_desc d[3] = {
	        {"utility-a", "energy_kwh", "role=facility_input", STORE_COUNTER, 64, 0, 0},
	        {"ups", "energy_kwh", "role=ups_output", STORE_COUNTER, 64, 0, 0},
	        {"chiller", "energy_kwh", "role=cooling", STORE_COUNTER, 64, 0, 0},
	};
	int64_t id[3];
	for (int k = 0; k < 3; k++)
		assert_true((id[k] = store_series(st, &d[k])) > 0);
	double v[3] = {1000, 500, 100};
	/* One sample before and one after the month so every slot's increase is known. */
	for (int i = -1; i <= SLOTS; i++) {
		int64_t ts = OCT1 + (int64_t)i * Q15;
		for (int k = 0; k < 3; k++) {
			if (k == 1 && i >= skip_from && i < skip_to)
				continue;
			struct store_sample s = {id[k], ts, v[k]};
			assert_int_equal(store_append(st, &s, 1), 0);
		}
		v[0] += fac_slot(i + 1);
		v[1] += 250;
		v[2] += 62.5;
	}
	assert_int_equal(store_flush(st), 0);
	store_close(st);
}

static cJSON *build_at(const char *dir, int64_t generated_ms);

static cJSON *build(const char *dir)
{
	return build_at(dir, OCT1 + 40 * 86400000LL);
}

static cJSON *build_at(const char *dir, int64_t generated_ms)
{
	char path[256], err[512];
	snprintf(path, sizeof(path), "%s/greendc.yaml", dir);
	struct config_diag diag = {0};
	struct config *cfg = greendc_config_load(path, &diag);
	if (!cfg)
		fail_msg("%s", diag.text);
	snprintf(path, sizeof(path), "%s/greendc.db", dir);
	struct store_reader *r = store_reader_open(path, err, sizeof(err));
	assert_non_null(r);
	cJSON *rep = NULL;
	assert_int_equal(report_build(cfg, r, "2026-10", generated_ms, &rep, err, sizeof(err)), 0);
	store_reader_close(r);
	config_free(cfg);
	return rep;
}

static double num(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItem(o, a);
	if (b)
		v = cJSON_GetObjectItem(v, b);
	assert_true(cJSON_IsNumber(v));
	return v->valuedouble;
}

static void test_complete_month(void **state)
{
	(void)state;
	char dir[] = "/tmp/greendc-report-XXXXXX";
	assert_non_null(mkdtemp(dir));
	write_fixture(dir, -10, -10);
	cJSON *rep = build(dir);
	/* Known answers: sums of the per-slot increases inside the month. */
	double e_dc = 0;
	for (int i = 0; i < SLOTS; i++) /* the readings inside the month carry slots 0..SLOTS-1 */
		e_dc += fac_slot(i);
	double e_it = 250.0 * SLOTS, e_cool = 62.5 * SLOTS;
	assert_true(fabs(num(rep, "energy", "e_dc_kwh") - e_dc) < 1e-6 * e_dc);
	assert_true(fabs(num(rep, "energy", "e_it_kwh") - e_it) < 1e-6 * e_it);
	assert_true(fabs(num(rep, "kpi", "pue") - e_dc / e_it) < 1e-9);
	assert_true(fabs(num(rep, "kpi", "ppue_cooling") - (e_cool + e_it) / e_it) < 1e-9);
	assert_true(fabs(num(rep, "kpi", "cue") - 0.7096 * e_dc / e_it) < 1e-9);
	assert_int_equal((int)num(rep, "energy", "category"), 1);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(rep, "complete")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(rep, "missing")), 0);
	char label[64];
	snprintf(label, sizeof(label), "PUE1, 2026-10, %.3f", e_dc / e_it);
	assert_string_equal(
	        cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "kpi"), "pue_label")->valuestring,
	        label);
	/* A month is graded only indicatively (GB 40879 grades a year). */
	assert_true(
	        cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "gb40879"), "grade")));
	/* PUE = (327.5 + 23.75) / 250 = 1.405: above 1.30, within 1.50 -> grade 3. */
	assert_true(fabs(e_dc / e_it - 1.405) < 1e-9);
	assert_int_equal((int)num(rep, "gb40879", "indicative_grade"), 3);
	char *html = report_html(rep, "zh");
	assert_non_null(strstr(html, "数据中心能效报告"));
	assert_null(strstr(html, "不完整"));
	free(html);
	char *csv = report_csv(rep);
	assert_non_null(strstr(csv, "energy.category,1\n"));
	free(csv);
	cJSON_Delete(rep);

	/* An hourly summary of 1 Oct 10:00-11:00 local (slots 40..43) through the outbox. */
	{
		char path[256], err[256];
		snprintf(path, sizeof(path), "%s/greendc.yaml", dir);
		struct config_diag diag = {0};
		struct config *cfg = greendc_config_load(path, &diag);
		assert_non_null(cfg);
		struct outputs o = {.nreport = 1};
		o.report[0] = (struct out_target){.name = "c", .kinds = OUT_SUMMARY};
		cfg->outputs = &o;
		struct store_opts so = {.path = cfg->storage.path, .commit_ms = 50};
		struct store *st = store_open(&so, err, sizeof(err));
		struct store_reader *r = store_reader_open(cfg->storage.path, err, sizeof(err));
		assert_non_null(st);
		assert_non_null(r);
		struct summary_facts f = {.devices = 3, .up = 3, .active_alerts = 0};
		int64_t from = OCT1 + 10 * 3600000LL;
		assert_int_equal(summary_emit(st, r, cfg, &f, from, from + 3600000LL), 1);
		assert_int_equal(store_flush(st), 0);
		store_close(st);
		store_reader_close(r);
		struct outbox *ob = outbox_open(cfg->storage.path, err, sizeof(err));
		assert_non_null(ob);
		struct outbox_row row;
		assert_int_equal(outbox_head(ob, "c/summary", &row), 1);
		cJSON *sj = cJSON_Parse(row.payload);
		/* A counter's increase belongs to the slot of the reading that shows it: the
		 * readings at 10:00, 10:15, 10:30, 10:45 carry fac_slot(40..43). */
		double fac = 0;
		for (int i = 40; i < 44; i++)
			fac += fac_slot(i);
		assert_true(fabs(num(sj, "energy", "e_dc_kwh") - fac) < 1e-6);
		assert_true(fabs(num(sj, "energy", "e_it_kwh") - 1000.0) < 1e-6);
		assert_true(fabs(num(sj, "energy", "pue") - fac / 1000.0) < 1e-9);
		assert_int_equal((int)num(sj, "energy", "category"), 1);
		assert_int_equal((int)num(sj, "active_alerts", NULL), 0);
		cJSON_Delete(sj);
		assert_int_equal(outbox_done(ob, row.id), 0); /* leave the fixture's outbox empty */
		outbox_close(ob);
		cfg->outputs = NULL;
		config_free(cfg);
	}

	const char *keep = getenv("GDC_REPORT_FIXTURE");
	char cmd[512];
	if (keep && *keep)
		snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mv '%s' '%s'", keep, dir, keep);
	else
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_hole_is_incomplete(void **state)
{
	(void)state;
	char dir[] = "/tmp/greendc-report-XXXXXX";
	assert_non_null(mkdtemp(dir));
	/* The IT meter falls silent from 29 Oct to past the month's end: with no reading at the
	 * end, 3 of 31 days are unmetered (coverage 90.3 %). (A hole with readings on both sides
	 * is fully metered: the counter's difference covers it.) */
	write_fixture(dir, 96 * 28, SLOTS + 1);
	cJSON *rep = build(dir);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(rep, "complete")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "kpi"), "pue")));
	const cJSON *m = cJSON_GetArrayItem(cJSON_GetObjectItem(rep, "missing"), 0);
	assert_non_null(m);
	assert_string_equal(cJSON_GetObjectItem(m, "role")->valuestring, "it_ups_output");
	assert_true(num(m, "missing_hours", NULL) > 60 && num(m, "missing_hours", NULL) < 80);
	char *html = report_html(rep, "en");
	assert_non_null(strstr(html, "INCOMPLETE"));
	assert_non_null(strstr(html, "it_ups_output"));
	free(html);
	html = report_html(rep, "zh");
	assert_non_null(strstr(html, "不完整"));
	free(html);
	cJSON_Delete(rep);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/*
 * The October report generated on 16 Oct 12:00 local, half way through the month: IN
 * PROGRESS, not complete, no ratio published (kpi.pue null, its error says how much has
 * elapsed), E_DC what the readings up to 12:00 metered, and the HTML says so
 * before anything else. (A report made during its month used to read complete and OK.)
 */
static void test_in_progress(void **state)
{
	(void)state;
	char dir[] = "/tmp/greendc-report-XXXXXX";
	assert_non_null(mkdtemp(dir));
	write_fixture(dir, -10, -10);
	cJSON *rep = build_at(dir, OCT1 + 15 * 86400000LL + 12 * 3600000LL);
	double e_dc = 0;
	for (int i = 0; i <= 1488; i++) /* the readings up to and including 12:00 */
		e_dc += fac_slot(i);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(rep, "complete")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(rep, "in_progress")));
	assert_string_equal(cJSON_GetObjectItem(rep, "status")->valuestring, "IN_PROGRESS");
	assert_true(fabs(num(rep, "elapsed_share", NULL) - 0.5) < 1e-12);
	assert_true(fabs(num(rep, "coverage", NULL) - 1) < 1e-12);
	if (fabs(num(rep, "energy", "e_dc_kwh") - e_dc) > 1e-6)
		fail_msg("e_dc %.6f, expected %.6f", num(rep, "energy", "e_dc_kwh"), e_dc);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "kpi"), "pue")));
	assert_true(
	        cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "kpi"), "pue_label")));
	const cJSON *why = cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "kpi_errors"), "pue");
	assert_string_equal(why->valuestring, "in progress: 15.5 days of 31 elapsed; not final");
	char *html = report_html(rep, "en");
	const char *warn = strstr(html, "IN PROGRESS: this period has not ended");
	assert_non_null(warn);
	assert_true(warn < strstr(html, "<table>"));
	assert_null(strstr(html, "INCOMPLETE"));
	free(html);
	cJSON_Delete(rep);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	/* The fixture's site.timezone, set as the CLI and the daemon do: once, first. */
	time_zone_set("Asia/Shanghai");
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_complete_month),
	        cmocka_unit_test(test_hole_is_incomplete),
	        cmocka_unit_test(test_in_progress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
