/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CLI's data commands (`greendc devices|series|query|tail`), reading the store through a
 * read-only connection. Run from the command table (cli.h).
 */
#ifndef GREENDC_CLI_DATA_H
#define GREENDC_CLI_DATA_H

#include "cli/cli.h"

/* argv[0] is the command; the database is ctx->db. Each returns the exit code: 0 ok,
 * 1 runtime error, 2 usage error (messages go to stderr). */
int cli_devices_main(int argc, char **argv, const struct cli_ctx *ctx);
int cli_series_main(int argc, char **argv, const struct cli_ctx *ctx);
int cli_query_main(int argc, char **argv, const struct cli_ctx *ctx);
int cli_tail_main(int argc, char **argv, const struct cli_ctx *ctx);

#endif
