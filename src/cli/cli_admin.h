/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CLI's two administrative commands: `greendc check-config` (validate without starting)
 * and `greendc backup` (an online copy of the database). Run from the command table (cli.h).
 */
#ifndef GREENDC_CLI_ADMIN_H
#define GREENDC_CLI_ADMIN_H

#include "cli/cli.h"

/* argv[0] is "check-config"; then --no-secrets, --systemd-dropin DIR and the file (else
 * ctx->config_path). Exit code: 0 valid, 1 not, 2 usage. */
int cli_check_config_main(int argc, char **argv, const struct cli_ctx *ctx);

/* argv[0] is "backup", argv[1] the copy to write. Exit code: 0 ok, 1 error, 2 usage. */
int cli_backup_main(int argc, char **argv, const struct cli_ctx *ctx);

#endif
