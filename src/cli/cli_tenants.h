/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `greendc statement`, `greendc energy` and `greendc capacity`: tenants' monthly statements,
 * energy per outlet, rack, row, hall or tenant, and the floor's capacity and A/B redundancy.
 * See cli_tenants.c and docs/tenants.md.
 */
#ifndef GREENDC_CLI_TENANTS_H
#define GREENDC_CLI_TENANTS_H

#include "cli/cli.h"

/* argv[0] is the command's name; config and database from ctx. Exit codes: 0 ok (also for a
 * statement in progress or with a failed meter check, which say so on stderr), 1 runtime
 * error, 2 usage. */
int cli_statement_main(int argc, char **argv, const struct cli_ctx *ctx);
int cli_group_energy_main(int argc, char **argv, const struct cli_ctx *ctx);
int cli_capacity_main(int argc, char **argv, const struct cli_ctx *ctx);

#endif
