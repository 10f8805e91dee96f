/* SPDX-License-Identifier: Apache-2.0 */
/* Config parsing, the metric registry and small utilities, without any driver. */
#include "config/config.h"
#include "config/config_yaml.h"
#include "core/metrics.h"
#include "core/util.h"
#include "daemon/sections.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static char dir[64];

static void write_file(const char *rel, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/greendc-cfg.XXXXXX");
	assert_non_null(mkdtemp(dir));
	char p[128];
	snprintf(p, sizeof(p), "%s/profiles", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/profiles/meter", dir);
	mkdir(p, 0755);
	write_file("profiles/meter/m.yaml",
	           "profile: m\nclass: meter\ndriver: modbus\n"
	           "source: test\nquirks: {max_registers: 50}\n"
	           "points:\n"
	           "  - metric: power_w\n    register: 52\n    scale: 0.5\n"
	           "  - metric: energy_kwh\n    register: 72\n"
	           "    labels: {phase: L1}\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static struct config *load(const char *text, struct config_diag *diag)
{
	char path[128];
	write_file("c.yaml", text);
	snprintf(path, sizeof(path), "%s/c.yaml", dir);
	memset(diag, 0, sizeof(*diag));
	return greendc_config_load(path, diag);
}

static void test_good_config(void **state)
{
	(void)state;
	struct config_diag diag;
	struct config *cfg =
	        load("site: {id: s1, name: 'Site 1', altitude_m: 778}\n"
	             "storage: {path: db/x.db, raw_retention: 7d, commit_interval: 250ms}\n"
	             "devices:\n"
	             "  - name: a\n    driver: modbus\n    address: tcp://h:1\n"
	             "    profile: meter/m\n    interval: 5s\n    timeout: 500ms\n"
	             "    labels: {hall: A}\n    options: {unit_id: 7}\n"
	             "    rated_power_w: 1000\n",
	             &diag);
	if (!cfg)
		fprintf(stderr, "%s", diag.text);
	assert_non_null(cfg);
	assert_string_equal(cfg->site.id, "s1");
	assert_true(cfg->site.altitude_m == 778.0);
	assert_int_equal(cfg->storage.raw_retention_ms, 7LL * 86400000);
	assert_int_equal(cfg->storage.commit_ms, 250);
	char want[128];
	snprintf(want, sizeof(want), "%s/db/x.db", dir);
	assert_string_equal(cfg->storage.path, want);
	assert_int_equal(cfg->ndevices, 1);
	const struct config_device *d = config_device_find(cfg, "a");
	assert_non_null(d);
	assert_int_equal(d->interval_ms, 5000);
	assert_int_equal(d->timeout_ms, 500);
	assert_int_equal(d->nlabels, 1);
	assert_string_equal(d->labels[0].key, "hall");
	/* Profile quirks come first, the device's options after them (the driver takes the
	 * last value of a key). */
	assert_int_equal(d->noptions, 2);
	assert_string_equal(d->options[0].key, "max_registers");
	assert_string_equal(d->options[1].key, "unit_id");
	assert_int_equal(d->first_device_option, 1);
	const struct profile *p = d->profile;
	assert_int_equal(p->npoints, 2);
	assert_true(p->points[0].scale == 0.5);
	assert_int_equal(p->points[0].kind, GDC_GAUGE);
	/* energy_kwh is a registered counter: kind defaults to counter, 64-bit. */
	assert_int_equal(p->points[1].kind, GDC_COUNTER);
	assert_int_equal(p->points[1].counter_bits, 64);
	assert_int_equal(p->points[1].nattrs, 1);
	assert_string_equal(p->points[1].attrs[0].key, "register");
	assert_int_equal(p->points[1].attrs[0].line, 11);
	config_free(cfg);
}

static void test_errors_have_lines(void **state)
{
	(void)state;
	struct config_diag diag;
	struct config *cfg = load("site: {id: s1}\n"
	                          "storage: {commit_interval: 2m}\n"
	                          "devices:\n"
	                          "  - name: a\n    driver: modbus\n    address: tcp://h:1\n"
	                          "    profile: meter/m\n    interval: 1s\n    timeout: 5s\n"
	                          "    bogus: 1\n",
	                          &diag);
	assert_null(cfg);
	assert_non_null(strstr(diag.text, "c.yaml:2: storage.commit_interval: at most 60s"));
	assert_non_null(strstr(diag.text, "c.yaml:10: devices[0].bogus: unknown key"));
	assert_non_null(strstr(diag.text, "c.yaml:4: devices[0]: timeout is longer than interval"));
	assert_int_equal(diag.count, 3);
}

static void test_duplicate_key(void **state)
{
	(void)state;
	struct config_diag diag;
	struct config *cfg = load("site: {id: s1}\nsite: {id: s2}\n", &diag);
	assert_null(cfg);
	assert_non_null(strstr(diag.text, "c.yaml:2: site: duplicate key (first at line 1)"));
}

static void test_profile_kind_must_match_registry(void **state)
{
	(void)state;
	struct config_diag diag = {0};
	write_file("profiles/meter/k.yaml", "profile: k\ndriver: modbus\nsource: t\npoints:\n"
	                                    "  - metric: energy_kwh\n    kind: gauge\n"
	                                    "  - metric: no_such_metric\n");
	char pdir[128];
	snprintf(pdir, sizeof(pdir), "%s/profiles", dir);
	struct arena *a = config_arena_new();
	assert_null(profile_load(a, pdir, "meter/k", &diag));
	assert_non_null(
	        strstr(diag.text, "k.yaml:6: points[0]: energy_kwh is registered as a counter"));
	assert_non_null(strstr(
	        diag.text,
	        "k.yaml:7: points[1].metric: \"no_such_metric\" is not in the metric registry"));
	config_arena_free(a);
}

/* Longest dotted prefix wins; "1.3.6.1.4.1.318.1.3.4" must not match "...318.1.3.40". */
static void test_profile_match(void **state)
{
	(void)state;
	struct gdc_attr m1[] = {{"sysobjectid", "1.3.6.1.4.1.318", 1}};
	struct gdc_attr m2[] = {{"sysobjectid", "1.3.6.1.4.1.318.1.3.4", 1}};
	struct gdc_attr m3[] = {{"other", "1.3.6.1.4.1.318.1.3.4.6", 1}};
	struct profile a = {.name = "any-apc", .match = m1, .nmatch = 1};
	struct profile b = {.name = "rpdu2", .match = m2, .nmatch = 1};
	struct profile c = {.name = "other-key", .match = m3, .nmatch = 1};
	const struct profile *cands[] = {&a, &b, &c};
	assert_ptr_equal(profile_match(cands, 3, "sysobjectid=1.3.6.1.4.1.318.1.3.4.6"), &b);
	assert_ptr_equal(profile_match(cands, 3, "sysobjectid=1.3.6.1.4.1.318.1.3.4"), &b);
	assert_ptr_equal(profile_match(cands, 3, "sysobjectid=1.3.6.1.4.1.318.1.3.40"), &a);
	assert_ptr_equal(profile_match(cands, 3, "sysobjectid=1.3.6.1.4.1.3180"), NULL);
	assert_ptr_equal(profile_match(cands, 3, "sysobjectid=1.3.6.1.4.1.705.1"), NULL);
	assert_ptr_equal(profile_match(cands, 3, "no-equals-sign"), NULL);
}

/* Several identity lines: the first key that matches decides, so a vendor's sysObjectID
 * beats a generic profile that claims a standard MIB the agent also answers. */
static void test_profile_match_lines(void **state)
{
	(void)state;
	struct gdc_attr apc[] = {{"sysobjectid", "1.3.6.1.4.1.318.1.3.27", 1}};
	struct gdc_attr upsmib[] = {{"answers", "1.3.6.1.2.1.33.1.1.1", 1}};
	struct gdc_attr pdu[] = {{"answers", "1.3.6.1.4.1.13742.6.5.2.3.1.4", 1},
	                         {"sysobjectid", "1.3.6.1.4.1.13742.6", 2}};
	struct profile a = {.name = "apc-smartups", .match = apc, .nmatch = 1};
	struct profile u = {.name = "ups-mib", .match = upsmib, .nmatch = 1};
	struct profile r = {.name = "raritan", .match = pdu, .nmatch = 2};
	const struct profile *cands[] = {&u, &a, &r};
	/* APC Smart-UPS answers UPS-MIB too: its sysObjectID wins. */
	assert_ptr_equal(profile_match(cands, 3,
	                               "sysobjectid=1.3.6.1.4.1.318.1.3.27\n"
	                               "answers=1.3.6.1.2.1.33.1.1.1"),
	                 &a);
	/* An unknown vendor answering UPS-MIB: the generic profile. */
	assert_ptr_equal(profile_match(cands, 3,
	                               "sysobjectid=1.3.6.1.4.1.705.1\n"
	                               "answers=1.3.6.1.2.1.33.1.1.1"),
	                 &u);
	/* Two standard tables answer: the longer (more specific) OID. */
	assert_ptr_equal(profile_match(cands, 3,
	                               "sysobjectid=1.3.6.1.4.1.99999\n"
	                               "answers=1.3.6.1.2.1.33.1.1.1\n"
	                               "answers=1.3.6.1.4.1.13742.6.5.2.3.1.4"),
	                 &r);
	/* An answer must equal the probe (or extend it on a dot boundary). */
	assert_ptr_equal(
	        profile_match(cands, 3,
	                      "sysobjectid=1.3.6.1.4.1.705.1\nanswers=1.3.6.1.2.1.33.1.1.10"),
	        NULL);
	assert_ptr_equal(profile_match(cands, 3, "sysobjectid=1.3.6.1.4.1.705.1\n"), NULL);
	assert_ptr_equal(profile_match(cands, 3, ""), NULL);
}

static void test_durations(void **state)
{
	(void)state;
	int64_t ms;
	assert_true(util_parse_duration("500ms", &ms) && ms == 500);
	assert_true(util_parse_duration("10s", &ms) && ms == 10000);
	assert_true(util_parse_duration("5m", &ms) && ms == 300000);
	assert_true(util_parse_duration("2h", &ms) && ms == 7200000);
	assert_true(util_parse_duration("30d", &ms) && ms == 30LL * 86400000);
	assert_false(util_parse_duration("10", &ms));
	assert_false(util_parse_duration("-1s", &ms));
	assert_false(util_parse_duration("1.5s", &ms));
	assert_false(util_parse_duration("s", &ms));
	assert_false(util_parse_duration("99999999999999999999d", &ms));
	char buf[32];
	util_format_duration(20000, buf, sizeof(buf));
	assert_string_equal(buf, "20s");
	util_format_duration(300000, buf, sizeof(buf));
	assert_string_equal(buf, "5m");
	util_format_duration(1500, buf, sizeof(buf));
	assert_string_equal(buf, "1500ms");
}

/* docs/metrics.md and src/core/metrics.c must list the same names, kinds, units and meanings
 * (the meaning is the HELP text on /metrics). The registry is the page's first table. */
static void test_registry_matches_docs(void **state)
{
	(void)state;
	const char *top = getenv("GDC_TOP");
	char path[512];
	snprintf(path, sizeof(path), "%s/docs/metrics.md", top ? top : ".");
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(path, sizeof(path), "%s/../docs/metrics.md",
		         getenv("GDC_BUILD") ? getenv("GDC_BUILD") : ".");
		f = fopen(path, "r");
	}
	assert_non_null(f);
	size_t n, seen = 0;
	const struct metric_def *t = metric_table(&n);
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		char name[64], unit[32], kind[16], meaning[300];
		if (strncmp(line, "## ", 3) == 0 && seen)
			break;
		if (sscanf(line, "| `%63[^`]` | %31[^ |] | %15[^ |] | %299[^|]|", name, unit, kind,
		           meaning) != 4)
			continue;
		const struct metric_def *m = metric_lookup(name);
		if (!m)
			fail_msg("docs/metrics.md lists %s, src/metrics.c does not", name);
		assert_int_equal(m->counter, strcmp(kind, "counter") == 0);
		size_t ml = strlen(meaning);
		while (ml && meaning[ml - 1] == ' ')
			meaning[--ml] = '\0';
		if (strcmp(meaning, m->help) != 0)
			fail_msg("%s: docs/metrics.md means \"%s\", src/core/metrics.c \"%s\"",
			         name, meaning, m->help);
		seen++;
	}
	fclose(f);
	assert_int_equal(seen, n);
	(void)t;
}

static void test_utf8(void **state)
{
	(void)state;
	assert_true(config_utf8_ok("abc", 3));
	assert_true(config_utf8_ok("\xe5\xa4\xaa\xe5\x8e\x9f", 6)); /* 太原 */
	assert_true(config_utf8_ok("\xc3\xbf", 2));                 /* U+00FF */
	assert_true(config_utf8_ok("\xf0\x9f\x98\x80", 4));         /* U+1F600 */
	assert_true(config_utf8_ok("", 0));
	assert_false(config_utf8_ok("a\0b", 3));             /* NUL */
	assert_false(config_utf8_ok("\xff", 1));             /* not a lead byte */
	assert_false(config_utf8_ok("\xc3", 1));             /* cut short */
	assert_false(config_utf8_ok("\xc0\xaf", 2));         /* overlong '/' */
	assert_false(config_utf8_ok("\xe0\x80\xaf", 3));     /* overlong */
	assert_false(config_utf8_ok("\xed\xa0\x80", 3));     /* surrogate U+D800 */
	assert_false(config_utf8_ok("\xf4\x90\x80\x80", 4)); /* past U+10FFFF */
	assert_false(config_utf8_ok("\xe5\xa4", 2));         /* cut short */
	assert_false(config_utf8_ok("\x80", 1));             /* stray continuation */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_good_config),
	        cmocka_unit_test(test_utf8),
	        cmocka_unit_test(test_errors_have_lines),
	        cmocka_unit_test(test_duplicate_key),
	        cmocka_unit_test(test_profile_kind_must_match_registry),
	        cmocka_unit_test(test_profile_match),
	        cmocka_unit_test(test_profile_match_lines),
	        cmocka_unit_test(test_durations),
	        cmocka_unit_test(test_registry_matches_docs),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
