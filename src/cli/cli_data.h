/*
 * The CLI's data commands (`greendc series|query|tail`), reading the store through a read-only
 * connection. src/greendc.c dispatches here.
 */
#ifndef GREENDC_CLI_DATA_H
#define GREENDC_CLI_DATA_H

#include <stdint.h>

/* argv[0] is "series", "query" or "tail". Returns the exit code: 0 ok, 1 runtime error,
 * 2 usage error (messages go to stderr). */
int cli_data_main(int argc, char **argv, const char *dbpath);

#endif
