/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EPW weather files (EnergyPlus format; DOMAIN.md §7): the hourly outdoor conditions of a
 * typical year, read for the free-cooling what-if (`greendc freecool --weather`). Only what the
 * economizer analysis needs is kept: dry-bulb, dew point, RH and station pressure.
 */
#ifndef GREENDC_EPW_H
#define GREENDC_EPW_H

#include <stddef.h>

/* A typical year is 8760 records (8784 in a leap year); anything longer is refused. */
#define EPW_MAX_RECORDS 8784
/* Lines longer than this are malformed (real records are ~250 characters). */
#define EPW_MAX_LINE     4096
#define EPW_HEADER_LINES 8

struct epw_record {
	int month;   /* 1..12 */
	int day;     /* 1..31 */
	int hour;    /* 1..24: the record covers the hour ending at this time */
	double db_c; /* dry-bulb */
	double dp_c; /* dew point, clamped to the dry-bulb */
	double rh;   /* fraction 0..1 (the file has %); over ice below 0 C per ASHRAE/EPW */
	double p_pa; /* station pressure; NAN when the file has its missing code 999999 */
};

struct epw {
	char city[64];
	char wmo[16];
	double latitude, longitude, elevation_m;
	size_t n;
	size_t nclamped;        /* records whose dew point was above the dry-bulb */
	struct epw_record *rec; /* n records, owned; free with epw_free() */
};

/*
 * Read path into a new struct epw. NULL on error, with "path:line: problem" in err (a missing
 * field, a non-numeric or out-of-range value, too many records, a line too long).
 */
struct epw *epw_read(const char *path, char *err, size_t errlen);

/* Parse an EPW already in memory (the same rules; name is used in messages). */
struct epw *epw_parse(const char *text, size_t len, const char *name, char *err, size_t errlen);

void epw_free(struct epw *w);

#endif
