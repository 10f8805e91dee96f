/*
 * `greendc report`: the monthly (or annual) regulator report on demand, printed as JSON, CSV
 * or HTML, and with --enqueue stored in the reports table and queued in the outbox for every
 * report target in one transaction. See report.h and docs/reports.md.
 */
#ifndef GREENDC_CLI_REPORT_H
#define GREENDC_CLI_REPORT_H

#include "cli/cli.h"

/* argv[0] is "report"; config and database from ctx. Exit code: 0 ok (also for an incomplete
 * report, which says so), 1 runtime error, 2 usage, 3 --require-complete and the report is
 * incomplete. */
int cli_report_main(int argc, char **argv, const struct cli_ctx *ctx);

#endif
