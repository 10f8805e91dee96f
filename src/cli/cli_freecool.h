/*
 * `greendc freecool`: the free-cooling calculator from the command line, over an EPW weather
 * year (what-if) or over the site's stored outdoor and plant series (available vs used).
 * src/greendc.c dispatches here.
 */
#ifndef GREENDC_CLI_FREECOOL_H
#define GREENDC_CLI_FREECOOL_H

/* argv[0] is "freecool". config_path is the -c file (may be NULL when none was given, then
 * only --weather works without --db); db the --db override or NULL. Returns the exit code:
 * 0 ok, 1 runtime error, 2 usage error. */
int cli_freecool_main(int argc, char **argv, const char *config_path, const char *db);

#endif
