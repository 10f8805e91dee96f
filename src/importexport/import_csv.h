/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small strict RFC 4180 CSV reader for `greendc import`: streams records from a file
 * descriptor through one buffer, splits them in place (no copy per field) and knows the
 * physical line each record starts on, so every rejected row can be reported by line.
 * Strict: a quote inside an unquoted field, text after a closing quote, a quoted field left
 * open at end of input, or a NUL byte is an error for that record, never a guess. The
 * separator is ',' or what a spreadsheet locale writes (';', tab), and a record is at most
 * max_record bytes: a longer one is an error, skipped to the next line without buffering it
 * (memory stays about twice that bound, whatever the input).
 */
#ifndef GREENDC_IMPORT_CSV_H
#define GREENDC_IMPORT_CSV_H

#include <stddef.h>

#define CSV_MAX_FIELDS         256
#define CSV_MAX_RECORD_DEFAULT (4u << 20) /* bytes */

struct csv_reader;

struct csv_opts {
	char sep;          /* ',', ';' or '\t'; 0: the one the first record uses most (',' when
	                    * none) */
	size_t max_record; /* bytes; 0: CSV_MAX_RECORD_DEFAULT */
};

/* Read from fd (not closed by the reader), with options o (NULL: ',', the default bound).
 * NULL on ENOMEM. */
struct csv_reader *csv_open_opts(int fd, const struct csv_opts *o);
/* csv_open_opts(fd, NULL). */
struct csv_reader *csv_open(int fd);
void csv_close(struct csv_reader *r);
/* The separator in use (known after the first csv_next when detected). */
char csv_separator(const struct csv_reader *r);

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
