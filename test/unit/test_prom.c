/* SPDX-License-Identifier: Apache-2.0 */
/* The Prometheus exposition's names against their documentation: every registry metric's
 * family (prom_family) is the one docs/metrics.md lists beside it, no two metrics share
 * a family or a HELP text, every HELP says what the metric measures (the registry's meaning),
 * and cooling_mode is a state set named like the API's modes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/prom.h"
#include "core/metrics.h"
#include "core/sbuf.h"

static FILE *open_doc(const char *rel)
{
	char path[512];
	const char *top = getenv("GDC_TOP");
	snprintf(path, sizeof(path), "%s/%s", top ? top : ".", rel);
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(path, sizeof(path), "%s/../%s",
		         getenv("GDC_BUILD") ? getenv("GDC_BUILD") : ".", rel);
		f = fopen(path, "r");
	}
	return f;
}

/* Cell i (0-based) of a markdown table row, trimmed and without backticks, into out. */
static bool cell(const char *line, int i, char *out, size_t len)
{
	const char *p = strchr(line, '|');
	for (int k = 0; p && k < i; k++)
		p = strchr(p + 1, '|');
	const char *end = p ? strchr(p + 1, '|') : NULL;
	if (!end)
		return false;
	p++;
	while (p < end && (*p == ' ' || *p == '`'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '`'))
		end--;
	if ((size_t)(end - p) >= len)
		return false;
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = '\0';
	return true;
}

/* The registry table's rows: | `metric` | unit | kind | meaning | `family` | */
static void test_families_match_docs(void **state)
{
	(void)state;
	FILE *f = open_doc("docs/metrics.md");
	assert_non_null(f);
	size_t n, seen = 0;
	metric_table(&n);
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "## ", 3) == 0 && seen)
			break; /* the registry table is the first one */
		char name[64], fam[160], want[160];
		if (strncmp(line, "| `", 3) != 0 || !cell(line, 0, name, sizeof(name)) ||
		    !cell(line, 4, fam, sizeof(fam)))
			continue;
		const struct metric_def *m = metric_lookup(name);
		if (!m)
			fail_msg("docs/metrics.md lists %s, the registry does not", name);
		double scale;
		const char *type;
		assert_true(prom_family(name, m->counter, want, sizeof(want), &scale, &type));
		/* an enum is documented as its state set: `greendc_cooling_mode{state}` */
		if (prom_nstates(name))
			strcat(want, "{state}");
		if (strcmp(fam, want) != 0)
			fail_msg("%s: docs/metrics.md says %s, /metrics has %s", name, fam, want);
		seen++;
	}
	fclose(f);
	assert_int_equal(seen, n);
}

static void test_unique_families_and_help(void **state)
{
	(void)state;
	size_t n;
	const struct metric_def *t = metric_table(&n);
	char fam[64][160];
	char *help[64];
	assert_true(n <= 64);
	for (size_t i = 0; i < n; i++) {
		double scale;
		const char *type;
		struct sbuf b = {0};
		assert_true(prom_family(t[i].name, t[i].counter, fam[i], sizeof(fam[i]), &scale,
		                        &type));
		prom_help(t[i].name, t[i].counter, &b);
		assert_false(b.oom);
		help[i] = b.s;
		/* It says what it measures and where it comes from. */
		assert_non_null(strstr(help[i], t[i].help + 1));
		assert_non_null(strstr(help[i], t[i].name));
		assert_null(strchr(help[i], '\n'));
		for (size_t j = 0; j < i; j++) {
			if (strcmp(fam[i], fam[j]) == 0)
				fail_msg("%s and %s are both %s", t[i].name, t[j].name, fam[i]);
			if (strcmp(help[i], help[j]) == 0)
				fail_msg("%s and %s share the HELP \"%s\"", t[i].name, t[j].name,
				         help[i]);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(help[i]);
}

static void test_help_texts(void **state)
{
	(void)state;
	struct sbuf b = {0};
	prom_help("energy_kwh", true, &b);
	assert_string_equal(b.s, "Active energy imported / consumed, unwrapped and "
	                         "reset-corrected. Stored as energy_kwh in kWh.");
	sbuf_free(&b);
	prom_help("power_w", false, &b);
	assert_string_equal(b.s, "Active (real) power. Stored as power_w in W.");
	sbuf_free(&b);
	prom_help("not\\registered\nx", false, &b); /* escaped: one line */
	assert_string_equal(b.s, "Stored as not\\\\registered\\nx.");
	sbuf_free(&b);
}

static void test_cooling_mode_state_set(void **state)
{
	(void)state;
	assert_int_equal(prom_nstates("cooling_mode"), 3);
	assert_string_equal(prom_state("cooling_mode", 0), "mechanical");
	assert_string_equal(prom_state("cooling_mode", 1), "partial");
	assert_string_equal(prom_state("cooling_mode", 2), "free");
	assert_null(prom_state("cooling_mode", 3));
	assert_int_equal(prom_nstates("power_w"), 0);
	assert_null(prom_state("power_w", 0));
	struct sbuf b = {0};
	prom_help("cooling_mode", false, &b);
	assert_non_null(strstr(b.s, "(mechanical, partial, free)"));
	sbuf_free(&b);
}

static void label_join(void *ctx, const char *name, const char *value)
{
	struct sbuf *b = ctx;
	sbuf_printf(b, "%s%s=%s", b->len ? "," : "", name, value);
}

/* The labels /metrics and remote-write give a series: ours first, a series label that
 * collides with one of ours or is reserved by Prometheus renamed, role and PUE side. */
static void test_series_labels(void **state)
{
	(void)state;
	struct sbuf b = {0};
	prom_series_labels("pdu-a", "1st=x,__meta=y,instance=z,phase=L1,site=q", ROLE_IT_PDU_OUTPUT,
	                   2, ROLE_IT_PDU_OUTPUT, "ty-dc1", label_join, &b);
	assert_string_equal(b.s, "device=pdu-a,_1st=x,exported___meta=y,exported_instance=z,"
	                         "phase=L1,exported_site=q,energy_role=it_pdu_output,pue=it,"
	                         "site=ty-dc1");
	sbuf_free(&b);
	/* a facility feed is on the DC side at any category; no category, no pue label */
	prom_series_labels("utility", "", ROLE_FACILITY_INPUT, 1, ROLE_IT_UPS_OUTPUT, "s",
	                   label_join, &b);
	assert_string_equal(b.s, "device=utility,energy_role=facility_input,pue=dc,site=s");
	sbuf_free(&b);
	prom_series_labels("utility", "", ROLE_FACILITY_INPUT, 0, ROLE_IT_UPS_OUTPUT, "s",
	                   label_join, &b);
	assert_string_equal(b.s, "device=utility,energy_role=facility_input,site=s");
	sbuf_free(&b);
	/* IT at UPS output while the category is 2: a role, not a side of the PUE */
	prom_series_labels("ups", "", ROLE_IT_UPS_OUTPUT, 2, ROLE_IT_PDU_OUTPUT, "s", label_join,
	                   &b);
	assert_string_equal(b.s, "device=ups,energy_role=it_ups_output,site=s");
	sbuf_free(&b);
	prom_series_labels("crah", "", -1, 2, ROLE_IT_PDU_OUTPUT, "s", label_join, &b);
	assert_string_equal(b.s, "device=crah,site=s");
	sbuf_free(&b);

	int n[ROLE_COUNT] = {0};
	enum energy_role it;
	n[ROLE_IT_UPS_OUTPUT] = 1;
	n[ROLE_IT_PDU_OUTPUT] = 2;
	assert_int_equal(prom_pue_category(NULL, n, &it), 0);
	assert_int_equal(it, ROLE_IT_PDU_OUTPUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_families_match_docs),
	        cmocka_unit_test(test_unique_families_and_help),
	        cmocka_unit_test(test_help_texts),
	        cmocka_unit_test(test_cooling_mode_state_set),
	        cmocka_unit_test(test_series_labels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
