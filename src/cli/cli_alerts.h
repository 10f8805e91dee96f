/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `greendc alerts`: the alerts that are firing now and the recent transitions, read from the
 * events the alert engine writes (alerts.h). Run from the command table (cli.h).
 */
#ifndef GREENDC_CLI_ALERTS_H
#define GREENDC_CLI_ALERTS_H

#include "cli/cli.h"

/* argv[0] is "alerts"; the database is ctx->db. Exit code: 0 ok, 1 error, 2 usage. */
int cli_alerts_main(int argc, char **argv, const struct cli_ctx *ctx);

#endif
