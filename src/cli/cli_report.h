/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `greendc report`: the monthly (or annual) regulator report on demand, as JSON, CSV, HTML or
 * PDF, signed with reporting.signing_key, and with --enqueue stored in the reports table and
 * queued in the outbox for every report target in one transaction; `report verify` and
 * `report keygen` for its signatures. See report.h, report_sign.h and docs/reports.md.
 */
#ifndef GREENDC_CLI_REPORT_H
#define GREENDC_CLI_REPORT_H

#include "cli/cli.h"

/* argv[0] is "report"; config and database from ctx (verify and keygen need neither). Exit
 * code: 0 ok (also for an incomplete report, which says so), 1 runtime error or a bad
 * signature, 2 usage, 3 --require-complete and the report is incomplete. */
int cli_report_main(int argc, char **argv, const struct cli_ctx *ctx);

#endif
