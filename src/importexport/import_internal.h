/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the files of `greendc import` share (not a public header; import.h is the API):
 *   import_rows.c  the series table, row checks, the long format, the record loop
 *   import_wide.c  the wide format and its YAML column mapping
 *   import_plan.c  stored series: compare with the file, then unchanged / append / rebuild
 *   import.c       units, the staged store (store_stage.h) and the run from open to rename
 * docs/internals/importexport.md has the design.
 */
#ifndef GREENDC_IMPORT_INTERNAL_H
#define GREENDC_IMPORT_INTERNAL_H

#include "importexport/import.h"
#include "importexport/import_csv.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct metric_def;
struct store_stage;

struct pt {
	int64_t ts;
	double v;
};

struct iser {
	char *key;   /* device \x1f metric \x1f labels */
	char *names; /* the same split by NULs: device, metric, labels */
	const char *device, *metric, *labels;
	const struct metric_def *def;
	enum store_kind kind;
	unsigned cbits; /* counters: width, resolution and rate (store_series_desc) */
	double cscale, crate;
	bool c_have_last; /* stored counters: the latest reading, raw and total */
	double c_last_raw, c_last_total;
	int64_t exist_id; /* in the original database; 0 = new */
	int64_t sid;      /* in the staged store; 0 = not yet */
	const char *bad;  /* every row of this series is rejected with this reason */
	bool resolved;
	bool in_file;
	int64_t last_ts, hour;
	unsigned long last_line;
	char unit[16];
	double mul, add;
	struct pt *rows; /* buffered rows (series that exist) */
	size_t n, cap;
};

struct tab {
	struct iser **slot;
	size_t cap, n;
};

struct wcol { /* wide format: one mapped column */
	struct iser *s;
	const char *unit;
};

enum plan { PLAN_NONE, PLAN_APPEND, PLAN_REBUILD };

struct splan {
	struct iser *s;
	enum plan plan;
	struct pt *rows; /* APPEND: the new rows; REBUILD: the merged history */
	size_t n;
};

/* Rejected rows past the first IMPORT_SHOWN_REJECTS, counted by kind (import_reject.c). */
#define IMPORT_REJECT_KINDS 24
struct rejkind {
	bool other; /* the last slot: every kind beyond the others */
	uint64_t n;
	unsigned long first_line;
	char example[200]; /* the first hidden one, formatted */
};

struct run {
	const struct import_opts *o;
	struct import_summary *sum;
	struct tab tab;
	struct store *st; /* staged store while streaming; NULL in dry runs */
	struct store_sample batch[4096];
	size_t nbatch;
	int werr;
	/* long format columns */
	int c_ts, c_dev, c_met, c_val, c_lab, c_unit, c_agg;
	char decimal; /* '.', ',' or 0 for either (not both in one value) */
	uint64_t shown;
	struct rejkind kinds[IMPORT_REJECT_KINDS];
	size_t nkinds;
	/* wide format */
	int w_ts;
	struct wcol *wcols; /* indexed by column */
	size_t nwcols;
	char lab_in[512], lab_out[512];
	struct store_reader *rd; /* the original database, when it exists */
	struct store_stage *sg;  /* the staged copy; NULL in dry runs */
	struct splan *plans;     /* stored series named by the file (plan_all) */
	size_t np;
	char *err;
	size_t errlen;
};

/* ---- import_reject.c ---- */

/* Count a rejected line; print "FILE:LINE: reason" to o->rejects for the first
 * IMPORT_SHOWN_REJECTS, count the rest by kind (the reason up to its first ':' or '"'). */
void import_reject(struct run *r, unsigned long line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* After the run: one line per kind of the rejections not printed. */
void import_reject_summary(struct run *r);

/* ---- import_fields.c ---- */

/* The long format's columns from header h: the usual names (case-insensitive; the time as
 * timestamp, time, datetime or ts) or those o->columns gives. 0, or -EINVAL with err set. */
int import_long_header(struct run *r, const struct csv_record *h);
/* A value: a plain decimal number (the run's decimal mark, an optional exponent; no hex,
 * inf, nan, spaces or thousands separators), |v| <= IMPORT_VALUE_MAX. NULL, or why not. */
const char *import_parse_value(const struct run *r, const char *text, double *v);
/* A row's time: ISO 8601 or o->time_format, local times in o->tz, minus 1 ms with
 * --interval-end, within what query and export accept. NULL, or why not (in why[wl]). */
const char *import_parse_time(const struct run *r, const char *text, int64_t *ts, char *why,
                              size_t wl);

/* ---- import_rows.c ---- */

/* The series of key (device \x1f metric \x1f labels, klen bytes), created when asked. NULL
 * when absent (or out of memory). */
struct iser *import_tab_get(struct tab *t, const char *key, size_t klen, bool create);
/* Queue the batched samples to the staged store. 0 or the first writer error. */
int import_flush_batch(struct run *r);
/* Count ts's hour in hours_recomputed when it differs from *hour. */
void import_count_hour(struct import_summary *sum, int64_t *hour, int64_t ts);
/* The series' id in the staged store, registered on first use. */
int64_t import_series_id(struct run *r, struct iser *s);
/* Why a value at ts cannot be added to s (NULL: it can); why[wl] is scratch. */
const char *import_check(struct iser *s, int64_t ts, char *why, size_t wl);
/* Append (ts, val) to a growable array of points. 0 or -ENOMEM. */
int import_pts_push(struct pt **v, size_t *n, size_t *cap, int64_t ts, double val);
/* A checked value: buffered for a stored series, queued for a new one. 0 or -errno. */
int import_add(struct run *r, struct iser *s, int64_t ts, double v, unsigned long line);
/* The series a row names, resolved (metric, device, kind) the first time. */
struct iser *import_resolve(struct run *r, const char *dev, const char *met, const char *labels);
/* Set s's conversion from unit (NULL/"" = the metric's); the reason when impossible. */
const char *import_unit_of(struct iser *s, const char *unit);
/* A header's column called name, -1 when absent. */
int import_col_index(const struct csv_record *h, const char *name);
/* Why value v cannot be series s's (a counter's reading is never negative); NULL: it can. */
const char *import_check_value(const struct iser *s, double v);
/* Every record of fd: header, then rows, rejects counted. 0 or -errno with err set. */
int import_records(struct run *r, int fd);

/* ---- import_wide.c ---- */

int import_wide_header(struct run *r, const struct csv_record *h);
int import_wide_row(struct run *r, const struct csv_record *rec);

/* ---- import_plan.c ---- */

/* Decide what stored series s needs (unchanged, append, rebuild) from its stored samples read
 * through rd, counting unchanged and overlap rows. 0, -EEXIST with err set (refused), or
 * -errno. */
int import_plan_series(struct run *r, struct store_reader *rd, struct iser *s, struct splan *out);

#endif
