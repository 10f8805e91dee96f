/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CLI's energy commands (`greendc pue`, `greendc kpi`): see cli_energy.c and
 * docs/energy.md. Run from the command table (cli.h).
 */
#ifndef GREENDC_CLI_ENERGY_H
#define GREENDC_CLI_ENERGY_H

#include "cli/cli.h"

/* argv[0] is "pue" or "kpi". The energy model and timezone come from ctx's config; the
 * database is ctx->db. Returns the exit code: 0 ok, 1 runtime error or no publishable figure,
 * 2 usage error. */
int cli_energy_main(int argc, char **argv, const struct cli_ctx *ctx);

#endif
