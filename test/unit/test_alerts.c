/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The alert state machine (alert_step): `for` delays firing and restarts when the condition
 * lapses; a firing alert fires once, resolves only when clear by the hysteresis margin, and a
 * value that wobbles around the limit neither flaps nor fires twice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "core/util.h"
#include "daemon/sections.h"
#include "delivery/alerts.h"
#include "store/store.h"

/* Threshold above 27 with hysteresis 1, as the engine judges it. */
static int step_value(struct alert_state *s, double v, int64_t now, int64_t for_ms)
{
	return alert_step(s, v > 27.0, v <= 26.0, now, for_ms);
}

static void test_for_and_hysteresis(void **state)
{
	(void)state;
	struct alert_state s = {0};
	/* Above for 4 s only, then below: never fires with for = 5 s. */
	assert_int_equal(step_value(&s, 28, 0, 5000), 0);
	assert_int_equal(step_value(&s, 28, 4000, 5000), 0);
	assert_int_equal(step_value(&s, 26.5, 4500, 5000), 0);
	assert_int_equal(s.pending_since, 0);
	/* Above again: the 5 s count restarts at 6000. */
	assert_int_equal(step_value(&s, 28, 6000, 5000), 0);
	assert_int_equal(step_value(&s, 28, 10999, 5000), 0);
	assert_int_equal(step_value(&s, 28, 11000, 5000), 1);
	assert_true(s.firing);
	assert_int_equal(s.started_ms, 6000);
	/* Wobbling between 26.1 and 27.5: stays firing, never fires again. */
	const double wob[] = {26.5, 27.5, 26.1, 27.2, 26.9, 28};
	for (int i = 0; i < 6; i++)
		assert_int_equal(step_value(&s, wob[i], 12000 + i * 1000, 5000), 0);
	assert_true(s.firing);
	/* Clear by the margin: resolves once. */
	assert_int_equal(step_value(&s, 26.0, 20000, 5000), -1);
	assert_false(s.firing);
	assert_int_equal(step_value(&s, 25.0, 21000, 5000), 0);
}

static void test_zero_for_fires_at_once(void **state)
{
	(void)state;
	struct alert_state s = {0};
	assert_int_equal(alert_step(&s, true, false, 100, 0), 1);
	assert_int_equal(s.started_ms, 100);
	assert_int_equal(alert_step(&s, true, false, 200, 0), 0);
	assert_int_equal(alert_step(&s, false, true, 300, 0), -1);
}

static const char yaml[] =
        "site: {id: t, name: T}\n"
        "storage: {path: greendc.db}\n"
        "devices: []\n"
        "energy:\n"
        "  roles:\n"
        "    facility_input: [{labels: {role: facility_input}, metric: energy_kwh}]\n"
        "    it_ups_output: [{labels: {role: ups_output}, metric: energy_kwh}]\n"
        "  co2: {kg_per_kwh: 0.5366, source: test, year: 2022}\n"
        "cooling:\n"
        "  economizer: tower\n"
        "  ashrae_class: A1\n"
        "  envelope: recommended\n"
        "  outdoor: {dry_bulb: \"weathe* outdoor_temp_c*\", rh: \"weathe* outdoor_rh_pct*\"}\n"
        "  plant: {free_cooling_pct: \"plan* free_cooling_pct*\", it_inlet: \"rack-* "
        "inlet_temp_c*\"}\n"
        "alerts:\n"
        "  interval: 200ms\n"
        "  rules:\n"
        "    - {name: inlet, type: ashrae_inlet}\n"
        "    - {name: pue_hi, type: pue_above, above: 1.3, window: 5m}\n"
        "    - {name: pue_lax, type: pue_above, above: 2.0, window: 5m}\n"
        "    - {name: fc_unused, type: free_cooling_unused}\n";

static int count_firing(const char *db, const char *like)
{
	sqlite3 *d;
	sqlite3_stmt *q;
	int n = -1;
	assert_int_equal(sqlite3_open(db, &d), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(d,
	                                    "SELECT count(*) FROM events WHERE kind = "
	                                    "'alert_firing' AND json_extract(detail, '$.identity') "
	                                    "LIKE ?1",
	                                    -1, &q, NULL),
	                 SQLITE_OK);
	sqlite3_bind_text(q, 1, like, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(d);
	return n;
}

static void test_engine_site_rules(void **state)
{
	(void)state;
	char dir[] = "/tmp/greendc-alerts-XXXXXX", path[128], err[512];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/greendc.yaml", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(yaml, f);
	fclose(f);
	struct config_diag diag = {0};
	struct config *cfg = greendc_config_load(path, &diag);
	if (!cfg)
		fail_msg("%s", diag.text);
	struct store_opts o = {.path = cfg->storage.path, .commit_ms = 50, .queue_cap = 4096};
	struct store *st = store_open(&o, err, sizeof(err));
	assert_non_null(st);
	struct {
		struct store_series_desc d;
		double v;
	} s[] = {
	        {{"rack-1", "inlet_temp_c", "", STORE_GAUGE, 0, 0, 0}, 29.0}, /* above 27 */
	        {{"rack-2", "inlet_temp_c", "", STORE_GAUGE, 0, 0, 0}, 22.0}, /* inside */
	        {{"utility-a", "power_w", "role=facility_input", STORE_GAUGE, 0, 0, 0}, 1400},
	        {{"ups", "power_w", "role=ups_output", STORE_GAUGE, 0, 0, 0}, 1000},
	        {{"weather", "outdoor_temp_c", "", STORE_GAUGE, 0, 0, 0}, 2.0},
	        {{"weather", "outdoor_rh_pct", "", STORE_GAUGE, 0, 0, 0}, 50.0},
	        {{"plant", "free_cooling_pct", "", STORE_GAUGE, 0, 0, 0}, 0.0},
	};
	int64_t now = util_wall_ms();
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		int64_t id = store_series(st, &s[i].d);
		assert_true(id > 0);
		for (int k = 0; k < 10; k++) {
			struct store_sample x = {id, now - 200000 + k * 20000, s[i].v};
			assert_int_equal(store_append(st, &x, 1), 0);
		}
	}
	assert_int_equal(store_flush(st), 0);
	struct alerts_engine *e = alerts_start(cfg, st, err, sizeof(err));
	assert_non_null(e);
	struct timespec t = {1, 200000000};
	nanosleep(&t, NULL);
	alerts_stop(e);
	assert_int_equal(store_flush(st), 0);
	store_close(st);
	assert_int_equal(count_firing(cfg->storage.path, "inlet|rack-1|%"), 1);
	assert_int_equal(count_firing(cfg->storage.path, "inlet|rack-2|%"), 0);
	assert_int_equal(count_firing(cfg->storage.path, "pue_hi|%"), 1);
	assert_int_equal(count_firing(cfg->storage.path, "pue_lax|%"), 0);
	assert_int_equal(count_firing(cfg->storage.path, "fc_unused|%"), 1);
	config_free(cfg);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_engine_site_rules),
	        cmocka_unit_test(test_for_and_hysteresis),
	        cmocka_unit_test(test_zero_for_fires_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
