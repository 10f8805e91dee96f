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

/* Parse an ISO 8601 time ("2026-10-01", "2026-10-01T12:00:00Z", "...+08:00"; no zone = UTC)
 * or a relative one ("now", "-1h", "-30d") against now_ms. 0 or -EINVAL. */
int cli_parse_time(const char *s, int64_t now_ms, int64_t *out_ms);

/* Parse a duration: a positive integer and a unit ms, s, m, h, d or w ("10s", "1h"). */
int cli_parse_duration(const char *s, int64_t *out_ms);

/* Format ms since the epoch as ISO 8601 UTC ("2026-10-01T12:00:00Z", with ".123" when the
 * milliseconds are not zero) into buf (at least 32 bytes). */
void cli_format_time(int64_t ms, char *buf, unsigned len);

#endif
