/* SPDX-License-Identifier: Apache-2.0 */
/* Regulator uploads (regulator.h, regtpl.h) with known answers: the template renders a body
 * worked out by hand (JSON escaping, cycle codes, site time, a loop over the energy types with
 * commas, null for a missing figure, the quality object); broken templates are refused with
 * their line; the data-quality self-check counts 15-minute slots, compares the parts with the
 * whole and checks alignment to site time; an answer acknowledges only with the configured
 * field; `greendc check-config` refuses a template naming a code it does not map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/timeutil.h"
#include "daemon/sections.h"
#include "delivery/regtpl.h"
#include "delivery/regulator.h"

static struct reg_item items[] = {
        {"01", FIG_E_DC_KWH, 1, 1},
        {"02", FIG_WATER_M3, 1, -1},
        {"30", FIG_PUE, 1, 3},
};

static struct reg_target target(void)
{
	struct reg_target t = {.site_code = "14010\"01",
	                       .cycles = REG_15MIN | REG_DAY | REG_MONTH,
	                       .items = items,
	                       .nitems = 3,
	                       .completeness_min = 0.9,
	                       .difference_max = 0.05};
	return t;
}

static void test_render(void **state)
{
	(void)state;
	const char *text = "{\"unit\":\"{{site_code}}\",\"name\":\"{{ site_name }}\","
	                   "\"type\":\"{{cycle:15m=1,1d=2,1mo=3}}\",\"cycle\":\"{{cycle}}\",\n"
	                   "\"start\":\"{{period_start}}\",\"day\":\"{{period_start:%Y%m%d%H%M}}\","
	                   "\"end\":\"{{period_end}}\",\n"
	                   "\"items\":[{{#each "
	                   "items}}{\"code\":\"{{code}}\",\"f\":\"{{figure}}\",\"v\":{{value}},"
	                   "\"s\":\"{{status}}\"}{{comma}}{{/each}}],\n"
	                   "\"e01\":{{value:01}},\"s02\":\"{{status:02}}\",\"q\":{{quality}},"
	                   "\"ok\":{{quality_ok}},\"c\":{{completeness}},\"d\":{{difference}},"
	                   "\"a\":{{aligned}},\"id\":\"{{upload_id}}\",\"st\":\"{{status}}\","
	                   "\"cat\":{{category}}}";
	char err[200];
	struct regtpl *tpl = regtpl_parse(text, strlen(text), err, sizeof(err));
	if (!tpl)
		fail_msg("%s", err);
	struct reg_target t = target();
	struct reg_quality q = {.completeness = 0.96875,
	                        .slots = 96,
	                        .slots_ok = 93,
	                        .have_difference = true,
	                        .difference = 0.0125,
	                        .aligned = true,
	                        .ok = true};
	double v[] = {1234.5678, NAN, 1.3125};
	const char *st[] = {"OK", "MISSING", "ESTIMATED"};
	int64_t from = time_local_midnight(2026, 10, 5); /* Asia/Shanghai: 2026-10-04T16:00Z */
	struct regtpl_values vals = {.t = &t,
	                             .site_id = "ty-dc1",
	                             .site_name = "Taiyuan \"DC1\"\n",
	                             .upload_id = "ty-dc1:reg:prov:1d:2026-10-05",
	                             .period_label = "2026-10-05",
	                             .cycle = REG_DAY,
	                             .from_ms = from,
	                             .to_ms = from + 86400000,
	                             .generated_ms = from + 86400000 + 120000,
	                             .status = "OK",
	                             .category = 2,
	                             .q = &q,
	                             .value = v,
	                             .istatus = st};
	struct sbuf b = {0};
	assert_int_equal(regtpl_render(tpl, &vals, &b, err, sizeof(err)), 0);
	assert_string_equal(
	        b.s,
	        "{\"unit\":\"14010\\\"01\",\"name\":\"Taiyuan \\\"DC1\\\"\\n\","
	        "\"type\":\"2\",\"cycle\":\"1d\",\n"
	        "\"start\":\"2026-10-05T00:00:00+08:00\",\"day\":\"202610050000\","
	        "\"end\":\"2026-10-06T00:00:00+08:00\",\n"
	        "\"items\":[{\"code\":\"01\",\"f\":\"e_dc_kwh\",\"v\":1234.6,\"s\":\"OK\"},"
	        "{\"code\":\"02\",\"f\":\"water_m3\",\"v\":null,\"s\":\"MISSING\"},"
	        "{\"code\":\"30\",\"f\":\"pue\",\"v\":1.312,\"s\":\"ESTIMATED\"}],\n"
	        "\"e01\":1234.6,\"s02\":\"MISSING\",\"q\":{\"ok\":true,\"completeness\":0.96875,"
	        "\"slots\":96,\"slots_with_data\":93,\"completeness_min\":0.9,"
	        "\"difference\":0.0125,\"difference_max\":0.05,\"aligned\":true},"
	        "\"ok\":true,\"c\":0.96875,\"d\":0.0125,\"a\":true,"
	        "\"id\":\"ty-dc1:reg:prov:1d:2026-10-05\",\"st\":\"OK\",\"cat\":2}");
	sbuf_free(&b);
	/* A code the target does not map: refused when rendered (regtpl_load checks it). */
	regtpl_free(tpl);
	tpl = regtpl_parse("{{value:99}}", 12, err, sizeof(err));
	assert_non_null(tpl);
	assert_true(regtpl_render(tpl, &vals, &b, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "\"99\" is not in energy_types"));
	sbuf_free(&b);
	regtpl_free(tpl);
}

static void test_parse_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text, *why;
	} bad[] = {
	        {"{\n\"a\": {{nope}}}", "line 2: unknown placeholder {{nope}}"},
	        {"{{#each items}}{{#each items}}{{/each}}",
	         "line 1: {{#each items}} inside another"},
	        {"{{/each}}", "line 1: {{/each}} without {{#each items}}"},
	        {"x\n{{#each items}}", "line 2: {{#each items}} without {{/each}}"},
	        {"{{code}}", "line 1: {{code}} only inside {{#each items}}"},
	        {"{{value}}", "line 1: {{value}}: needs an argument"},
	        {"{{site_code:x}}", "line 1: {{site_code:...}}: takes no argument"},
	        {"{{site_code", "line 1: \"{{\" without \"}}\" on the same line"},
	        {"{{system:rm -rf /}}", "line 1: unknown placeholder {{system}}"},
	};
	char err[200];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct regtpl *t = regtpl_parse(bad[i].text, strlen(bad[i].text), err, sizeof(err));
		assert_null(t);
		if (strncmp(err, bad[i].why, strlen(bad[i].why)) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"", bad[i].text, err, bad[i].why);
	}
}

/* A report of n intervals of E_DC `each` kWh, the whole `whole`, `missing` slots MISSING. */
static void report(struct energy_report *r, struct energy_interval *iv, size_t n, double each,
                   double whole, size_t missing)
{
	memset(r, 0, sizeof(*r));
	memset(iv, 0, n * sizeof(*iv));
	r->iv = iv;
	r->n = n;
	r->it_role = ROLE_IT_PDU_OUTPUT;
	for (size_t i = 0; i < n; i++) {
		iv[i].role[ROLE_FACILITY_INPUT].value = each;
		if (i < missing)
			iv[i].role[ROLE_IT_PDU_OUTPUT].status = ENERGY_MISSING;
	}
	r->total.role[ROLE_FACILITY_INPUT].value = whole;
}

static void test_quality(void **state)
{
	(void)state;
	struct reg_target t = target();
	static struct energy_interval iv[96];
	struct energy_report r;
	struct reg_quality q;
	int64_t day = time_local_midnight(2026, 10, 5);

	/* 96 slots, 9 without data: 87/96 = 0.90625 >= 0.9; parts 96 kWh against 95 kWh:
	 * |96 - 95| / 95 = 0.0105 <= 0.05; midnight to midnight: aligned. */
	report(&r, iv, 96, 1.0, 95.0, 9);
	reg_quality_check(&t, REG_DAY, day, day + 86400000, &r, &r, &q);
	assert_int_equal(q.slots, 96);
	assert_int_equal(q.slots_ok, 87);
	assert_true(q.completeness == 87.0 / 96);
	assert_true(q.have_difference);
	assert_true(fabs(q.difference - 1.0 / 95) < 1e-15);
	assert_true(q.aligned);
	assert_true(q.ok);
	/* 10 without data: 86/96 = 0.896 < 0.9. */
	report(&r, iv, 96, 1.0, 95.0, 10);
	reg_quality_check(&t, REG_DAY, day, day + 86400000, &r, &r, &q);
	assert_false(q.ok);
	/* Parts 96 against 90: 6.7 % apart. */
	report(&r, iv, 96, 1.0, 90.0, 0);
	reg_quality_check(&t, REG_DAY, day, day + 86400000, &r, &r, &q);
	assert_true(q.difference > 0.05);
	assert_false(q.ok);
	/* A minute off midnight, or a counter gap spread across the edge: not aligned. */
	report(&r, iv, 96, 1.0, 96.0, 0);
	reg_quality_check(&t, REG_DAY, day + 60000, day + 86400000 + 60000, &r, &r, &q);
	assert_false(q.aligned);
	r.total.ngaps = 1;
	reg_quality_check(&t, REG_DAY, day, day + 86400000, &r, &r, &q);
	assert_false(q.aligned);
	assert_false(q.ok);
	/* 15 minutes: one slot, no parts to compare. */
	report(&r, iv, 1, 2.0, 2.0, 0);
	reg_quality_check(&t, REG_15MIN, day + 900000, day + 1800000, &r, &r, &q);
	assert_false(q.have_difference);
	assert_true(q.completeness == 1 && q.aligned && q.ok);
	/* A month is day 1 to day 1 in site time (October: 31 days). */
	int64_t oct = time_local_midnight(2026, 10, 1), nov = time_local_midnight(2026, 11, 1);
	report(&r, iv, 31, 3.0, 93.0, 0);
	reg_quality_check(&t, REG_MONTH, oct, nov, &r, &r, &q);
	assert_true(q.aligned && q.difference == 0);
	reg_quality_check(&t, REG_MONTH, oct, nov - 86400000, &r, &r, &q);
	assert_false(q.aligned);
}

static void test_ack(void **state)
{
	(void)state;
	char why[200];
	assert_true(reg_ack_ok(NULL, NULL, "anything", 8, why, sizeof(why)));
	const char *a = "{\"code\":0,\"msg\":\"ok\"}";
	assert_true(reg_ack_ok("code", "0", a, strlen(a), why, sizeof(why)));
	a = "{\"result\":{\"code\":\"0000\",\"ok\":true}}";
	assert_true(reg_ack_ok("result.code", "0000", a, strlen(a), why, sizeof(why)));
	assert_true(reg_ack_ok("result.ok", "true", a, strlen(a), why, sizeof(why)));
	assert_false(reg_ack_ok("result.code", "0", a, strlen(a), why, sizeof(why)));
	assert_string_equal(why, "the answer's \"result.code\" is 0000, not 0");
	assert_false(reg_ack_ok("code", "0", a, strlen(a), why, sizeof(why)));
	assert_string_equal(why, "the answer has no \"code\"");
	assert_false(reg_ack_ok("code", "0", "<html>", 6, why, sizeof(why)));
	assert_string_equal(why, "the answer is not JSON");
}

static void test_config(void **state)
{
	(void)state;
	char dir[] = "/tmp/greendc-reg-XXXXXX", path[160], tpl[160];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/greendc.yaml", dir);
	snprintf(tpl, sizeof(tpl), "%s/t.json", dir);
	const char *yaml =
	        "site: {id: s, name: S, timezone: Asia/Shanghai}\n"
	        "storage: {path: db}\n"
	        "devices: []\n"
	        "energy:\n"
	        "  roles:\n"
	        "    facility_input: [{labels: {role: facility_input}, metric: energy_kwh}]\n"
	        "    it_pdu_output: [{labels: {role: pdu_output}, metric: energy_kwh}]\n"
	        "  co2: {kg_per_kwh: 0.5366, source: test, year: 2022}\n"
	        "outputs:\n"
	        "  regulator:\n"
	        "    - {name: prov, url: \"http://127.0.0.1:9/up\", template: t.json, site_code: "
	        "\"1\",\n"
	        "       cycles: [1d], energy_types: [{code: \"01\", figure: e_dc_kwh}],\n"
	        "       ack: {field: code, equals: \"0\"}, history: 200d}\n";
	FILE *f = fopen(path, "w");
	fputs(yaml, f);
	fclose(f);
	f = fopen(tpl, "w");
	fputs("{\"v\": {{value:01}}, \"w\": {{value:02}}}", f);
	fclose(f);
	struct config_diag d = {0};
	struct config *cfg = greendc_config_load(path, &d);
	assert_null(cfg);
	assert_non_null(strstr(d.text, "prov: template"));
	assert_non_null(strstr(d.text, "\"02\" is not in energy_types"));
	f = fopen(tpl, "w");
	fputs("{\"v\": {{value:01}}, \"c\": {{cycle:15m=1}}}", f); /* 1d unmapped */
	fclose(f);
	memset(&d, 0, sizeof(d));
	assert_null(greendc_config_load(path, &d));
	assert_non_null(strstr(d.text, "has no code for 1d"));
	f = fopen(tpl, "w");
	fputs("{\"v\": {{value:01}}, \"c\": \"{{cycle:1d=2}}\"}", f);
	fclose(f);
	memset(&d, 0, sizeof(d));
	cfg = greendc_config_load(path, &d);
	if (!cfg)
		fail_msg("%s", d.text);
	config_free(cfg);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	time_zone_set("Asia/Shanghai");
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_render),  cmocka_unit_test(test_parse_errors),
	        cmocka_unit_test(test_quality), cmocka_unit_test(test_ack),
	        cmocka_unit_test(test_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
