/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `greendc freecool`: the free-cooling calculator from the command line, over an EPW weather
 * year (what-if) or over the site's stored outdoor and plant series (available vs used).
 * Run from the command table (cli.h).
 */
#ifndef GREENDC_CLI_FREECOOL_H
#define GREENDC_CLI_FREECOOL_H

#include "cli/cli.h"

/* argv[0] is "freecool". The config is ctx's (may be NULL when there is none: then only
 * --weather works without a database); the database is ctx->db. Returns the exit code:
 * 0 ok, 1 runtime error, 2 usage error. */
int cli_freecool_main(int argc, char **argv, const struct cli_ctx *ctx);

#endif
