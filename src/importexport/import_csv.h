/*
 * A small strict RFC 4180 CSV reader for `greendc import`: streams records from a file
 * descriptor through one growing buffer, splits them in place (no copy per field) and knows
 * the physical line each record starts on, so every rejected row can be reported by line.
 * Strict: a quote inside an unquoted field, text after a closing quote, or a quoted field
 * left open at end of input is an error for that record, never a guess.
 */
#ifndef GREENDC_IMPORT_CSV_H
#define GREENDC_IMPORT_CSV_H

#include <stddef.h>

#define CSV_MAX_FIELDS 256

struct csv_reader;

/* Read from fd (not closed by the reader). NULL on ENOMEM. */
struct csv_reader *csv_open(int fd);
void csv_close(struct csv_reader *r);

struct csv_record {
	const char *f[CSV_MAX_FIELDS]; /* NUL-terminated, valid until the next csv_next */
	size_t len[CSV_MAX_FIELDS];
	size_t n;
	unsigned long line; /* 1-based physical line where the record starts */
	const char *error;  /* non-NULL: the record is malformed (fields are not valid) */
};

/* Next record: 1, 0 at end of input, -errno on a read error. Empty lines are skipped. */
int csv_next(struct csv_reader *r, struct csv_record *rec);

#endif
