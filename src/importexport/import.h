/* SPDX-License-Identifier: Apache-2.0 */
/*
 * History import for `greendc import` (docs/import-export.md): CSV rows in long format
 * (timestamp, device, metric, value[, labels][, unit]) or wide format (timestamp plus one
 * column per series, mapped by a small YAML file) are validated line by line and written
 * through the store's own writer (store.h), so counters are unwrapped and rolled up exactly
 * like live polling. The whole import is staged in a copy of the database that replaces the
 * original with one rename(2) only when everything succeeded: a failed or killed import
 * leaves the store as it was.
 */
#ifndef GREENDC_IMPORT_H
#define GREENDC_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct config;

enum import_format { IMPORT_LONG, IMPORT_WIDE };
/* What wins where imported rows and stored rows of one series overlap in time. */
enum import_overlap { IMPORT_KEEP_LIVE, IMPORT_KEEP_IMPORTED };

struct import_opts {
	const char *dbpath;
	const char *tz;           /* timezone of timestamps without an offset (site.timezone) */
	const struct config *cfg; /* devices known to the site; may be NULL */
	enum import_format format;
	const char *mapping; /* wide format: the mapping file */
	enum import_overlap overlap;
	bool dry_run;
	bool interval_end;  /* timestamps close the metered interval: stored 1 ms earlier */
	const char *source; /* file name for messages and the import event */
	FILE *rejects;      /* "FILE:LINE: reason" for the first IMPORT_SHOWN_REJECTS rejected
	                     * rows, then one count per kind of reason */
	/* Users' files (docs/import-export.md, "Input formats"): */
	const char *columns;     /* long format: "role=header,..." naming the columns (timestamp,
	                          * device, metric, value, labels, unit); NULL: the usual names */
	char separator;          /* ',', ';', '\t'; 0: detected from the header line */
	char decimal;            /* '.' or ','; 0: '.' with ',' separators, either otherwise */
	const char *time_format; /* strptime(3) format of the timestamps; NULL: ISO 8601 */
	size_t max_line;         /* longest record in bytes; 0: CSV_MAX_RECORD_DEFAULT */
};

/* Rejected rows printed one by one before the rest are only counted by kind. */
#define IMPORT_SHOWN_REJECTS 20
/* Largest magnitude of an imported value: integers stay exact in a double up to 2^53
 * (9.0e15), and no meter reads a petawatt-hour. */
#define IMPORT_VALUE_MAX 1e15

struct import_summary {
	uint64_t rows_read;    /* data rows (long) or cells with a value (wide) */
	uint64_t rows_written; /* samples queued to the store (replayed history included) */
	uint64_t rows_rejected;
	uint64_t rows_unchanged; /* already stored with the same value: idempotent re-import */
	uint64_t rows_overlap;   /* dropped by the overlap rule (differing value) */
	uint64_t series_new, series_appended, series_rebuilt;
	uint64_t hours_recomputed; /* series x hours whose blocks and rollups were (re)written */
};

/* Read CSV from fd. 0 when the import was written (or validated, with dry_run), 1 when rows
 * were rejected (nothing written), -errno on a runtime error with err set; a usage problem
 * (bad mapping, header) is -EINVAL with err set. */
int import_run(const struct import_opts *o, int fd, struct import_summary *sum, char *err,
               size_t errlen);

/* Factor and offset taking a value in unit `from` to the metric's unit `to`
 * (v' = v x mul + add). -EINVAL when there is no conversion. */
int import_unit_conv(const char *from, const char *to, double *mul, double *add);

#endif
