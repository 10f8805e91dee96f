/* SPDX-License-Identifier: Apache-2.0 */
/* The CLI's command table (src/cli/cli_commands.c): edit distances with known answers, the
 * "did you mean" suggestion for typos, and the table's own rules (unique names, a help text
 * that starts with the command's usage line, every row runnable). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "cli/cli.h"

static void test_edit_distance(void **state)
{
	(void)state;
	/* Levenshtein's classic pairs, and transpositions counting as one edit (OSA). */
	assert_int_equal(cli_edit_distance("kitten", "sitting"), 3);
	assert_int_equal(cli_edit_distance("flaw", "lawn"), 2);
	assert_int_equal(cli_edit_distance("", "abc"), 3);
	assert_int_equal(cli_edit_distance("abc", ""), 3);
	assert_int_equal(cli_edit_distance("query", "query"), 0);
	assert_int_equal(cli_edit_distance("qeury", "query"), 1);
	assert_int_equal(cli_edit_distance("ca", "abc"), 3); /* OSA, not full Damerau (2) */
	assert_int_equal(cli_edit_distance("exprot", "export"), 1);
	char big[80];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_true(cli_edit_distance(big, "a") >= 100); /* too long to compare: far apart */
}

static void test_suggest(void **state)
{
	(void)state;
	static const char *pairs[][2] = {
	        {"qeury", "query"},   {"tial", "tail"},         {"kip", "kpi"},
	        {"pu", "pue"},        {"freecol", "freecool"},  {"alert", "alerts"},
	        {"reprot", "report"}, {"chec", "check-config"}, {"check", "check-config"},
	        {"imprt", "import"},  {"deivces", "devices"},   {"backpu", "backup"},
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const struct cli_command *c = cli_command_suggest(pairs[i][0]);
		assert_non_null(c);
		assert_string_equal(c->name, pairs[i][1]);
	}
	assert_null(cli_command_suggest("frobnicate"));
	assert_null(cli_command_suggest("x"));
	assert_null(cli_command_suggest("zzzz"));
}

static void test_table(void **state)
{
	(void)state;
	size_t n = 0;
	for (const struct cli_command *c = cli_commands; c->name; c++, n++) {
		assert_ptr_equal(cli_command_find(c->name), c); /* unique names */
		assert_non_null(c->run);
		assert_non_null(c->summary);
		assert_true(strncmp(c->help, "usage: greendc ", 15) == 0);
		assert_non_null(strstr(strchr(c->help, '\n') ? c->help : "", c->name));
		assert_int_equal(c->help[strlen(c->help) - 1], '\n');
	}
	assert_true(n >= 13);
	assert_null(cli_command_find("nonesuch"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_edit_distance),
	        cmocka_unit_test(test_suggest),
	        cmocka_unit_test(test_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
