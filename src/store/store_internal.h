/*
 * Shared between the store's writer (store.c) and readers (store_read.c): the schema and its
 * migrations, time-bucket helpers and the rollup levels. Not a public header.
 */
#ifndef GREENDC_STORE_INTERNAL_H
#define GREENDC_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define MINUTE_MS INT64_C(60000)
#define HOUR_MS   INT64_C(3600000)
#define DAY_MS    INT64_C(86400000)

/* Bucket start of ts for buckets of size p aligned to origin (floor, also for ts < origin). */
static inline int64_t bucket_floor(int64_t ts, int64_t origin, int64_t p)
{
	int64_t d = ts - origin;
	int64_t q = d / p;
	if (d % p < 0)
		q--;
	return origin + q * p;
}

/* The rollup levels, coarsest last; table names are compile-time constants. */
struct rollup_level {
	const char *table;
	int64_t period_ms;
};
#define ROLLUP_LEVELS 3
extern const struct rollup_level rollup_levels[ROLLUP_LEVELS];

/* Schema version this build writes (PRAGMA user_version after migration). */
int store_schema_version(void);

/* Bring db up to store_schema_version(), one transaction per step. 0 or -errno with a message
 * in err. Refuses a database newer than this build. */
int store_schema_migrate(sqlite3 *db, char *err, size_t errlen);

/* Map an SQLite result code to a negative errno. */
int store_sqlite_errno(int rc);

#endif
