/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `greendc import` and `greendc export` (docs/import-export.md). Run from the command table
 * (cli.h).
 */
#ifndef GREENDC_CLI_IMPORT_H
#define GREENDC_CLI_IMPORT_H

#include "cli/cli.h"

/* argv[0] is "import" / "export". ctx's config is read when -c was given or the default
 * exists; the database is ctx->db (may be NULL without a config). Exit codes: 0, 1 runtime
 * error or rejected rows, 2 usage. */
int cli_import_main(int argc, char **argv, const struct cli_ctx *ctx);
int cli_export_main(int argc, char **argv, const struct cli_ctx *ctx);

#endif
