/*
 * `greendc alerts`: the alerts that are firing now and the recent transitions, read from the
 * events the alert engine writes (alerts.h). src/greendc.c dispatches here.
 */
#ifndef GREENDC_CLI_ALERTS_H
#define GREENDC_CLI_ALERTS_H

/* argv[0] is "alerts"; dbpath is the database. Exit code: 0 ok, 1 error, 2 usage. */
int cli_alerts_main(int argc, char **argv, const char *dbpath);

#endif
