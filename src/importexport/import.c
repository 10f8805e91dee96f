/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `greendc import`: validation, series resolution, overlap rules and the staged write
 * (import.h). Rows of a series must come in time order (series may interleave), which is
 * what every meter export and `greendc export` produce, and what lets a counter's increase
 * between two rows be checked and written as it streams.
 *
 * Where rows go:
 * - a series the database does not have yet: straight to the store writer while parsing;
 * - a series it has: buffered, then compared with the stored samples (store_read_raw):
 *   rows already stored with the same value are unchanged (a re-import writes nothing);
 *   rows after the last stored sample are appended; anything else needs the series' history
 *   rewritten, because the store keeps counters as unwrapped totals and its writer only takes
 *   a reading after the series' last one. Such a series is rebuilt: the stored series is
 *   renamed to "<metric>~replaced@<ms>" (kept for audit, matched by no selector) and the
 *   merged history, chosen by the overlap rule, is replayed in time order into a new series
 *   with the original identity, through the same writer (unwrapping, rollups, events).
 * All of it happens in a copy of the database that replaces the original by rename(2) at
 * the end, so nothing is half-imported (store_stage.h).
 *
 * This file: units, and the run from opening the database to the rename. Reading rows is in
 * import_rows.c and import_wide.c, planning stored series in import_plan.c
 * (import_internal.h); docs/internals/importexport.md is the tour.
 */
#include "importexport/import_internal.h"

#include "config/config.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "store/store_stage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- units ---- */

int import_unit_conv(const char *from, const char *to, double *mul, double *add)
{
	static const struct {
		const char *to, *from;
		double mul, add;
	} t[] = {
	        {"W", "W", 1, 0},
	        {"W", "kW", 1e3, 0},
	        {"W", "MW", 1e6, 0},
	        {"kWh", "Wh", 1e-3, 0},
	        {"kWh", "kWh", 1, 0},
	        {"kWh", "MWh", 1e3, 0},
	        {"kWh", "GWh", 1e6, 0},
	        {"C", "C", 1, 0},
	        {"C", "degC", 1, 0},
	        {"C", "K", 1, -273.15},
	        {"C", "F", 5.0 / 9, -160.0 / 9},
	        {"m3", "m3", 1, 0},
	        {"m3", "L", 1e-3, 0},
	        {"m3", "l", 1e-3, 0},
	};
	*mul = 1;
	*add = 0;
	if (!from || !*from || strcmp(from, to) == 0)
		return 0;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].to, to) == 0 && strcmp(t[i].from, from) == 0) {
			*mul = t[i].mul;
			*add = t[i].add;
			return 0;
		}
	return -EINVAL;
}

/* ---- the staged store ---- */

static struct store *open_store(const struct import_opts *o, const char *path, char *err,
                                size_t errlen)
{
	struct store_opts so = {.path = path,
	                        .commit_ms = 2000,
	                        .queue_cap = 1 << 16,
	                        .raw_retention_ms = o->cfg ? o->cfg->storage.raw_retention_ms : 0};
	return store_open(&so, err, errlen);
}

static int load_existing(void *ctx, const struct store_series_info *info)
{
	struct run *r = ctx;
	char key[1024];
	int kl = snprintf(key, sizeof(key), "%s\x1f%s\x1f%s", info->device, info->metric,
	                  info->labels);
	if (kl < 0 || (size_t)kl >= sizeof(key))
		return 0;
	struct iser *s = import_tab_get(&r->tab, key, (size_t)kl, true);
	if (!s)
		return -ENOMEM;
	s->exist_id = info->id;
	s->kind = info->kind;
	s->cbits = info->counter_bits;
	s->cscale = info->counter_scale;
	s->crate = info->max_rate;
	s->c_have_last = info->have_last;
	s->c_last_raw = info->last_raw;
	s->c_last_total = info->last_total;
	return 0;
}

/* Rebuilt series: the stored one becomes "<metric>~replaced@<ms>" in the staged copy (kept for
 * audit, matched by no selector), in one transaction. The writer must be closed. */
static int rename_rebuilt(struct run *r)
{
	struct store_rename *v = calloc(r->np ? r->np : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	size_t n = 0;
	int rc = 0;
	long long now = (long long)util_wall_ms();
	for (size_t i = 0; rc == 0 && i < r->np; i++) {
		if (r->plans[i].plan != PLAN_REBUILD)
			continue;
		char *name;
		if (asprintf(&name, "%s~replaced@%lld", r->plans[i].s->metric, now) < 0) {
			rc = -ENOMEM;
			break;
		}
		v[n++] = (struct store_rename){r->plans[i].s->exist_id, name};
	}
	char e[512];
	if (rc == 0 && (rc = store_series_rename(store_stage_path(r->sg), v, n, e, sizeof(e))) < 0)
		snprintf(r->err, r->errlen, "renaming replaced series: %s", e);
	for (size_t i = 0; i < n; i++)
		free((char *)v[i].metric);
	free(v);
	return rc;
}

static int write_planned(struct run *r, struct splan *p, size_t np)
{
	for (size_t i = 0; i < np; i++) {
		if (p[i].plan == PLAN_NONE)
			continue;
		struct iser *s = p[i].s;
		s->sid = 0;
		int64_t id = import_series_id(r, s);
		int64_t hour = INT64_MIN;
		for (size_t k = 0; k < p[i].n; k++) {
			import_count_hour(r->sum, &hour, p[i].rows[k].ts);
			r->sum->rows_written++;
			r->batch[r->nbatch++] =
			        (struct store_sample){id, p[i].rows[k].ts, p[i].rows[k].v};
			if (r->nbatch == sizeof(r->batch) / sizeof(r->batch[0]) &&
			    import_flush_batch(r))
				return r->werr;
		}
	}
	return import_flush_batch(r);
}

/* What the database already holds, and (unless a dry run) the staged copy to write. */
static int import_open(struct run *r)
{
	const struct import_opts *o = r->o;
	if (access(o->dbpath, F_OK) == 0) {
		r->rd = store_reader_open(o->dbpath, r->err, r->errlen);
		if (!r->rd)
			return -EIO;
		int rc = store_series_find(r->rd, NULL, load_existing, r);
		if (rc < 0) {
			snprintf(r->err, r->errlen, "listing series: %s", strerror(-rc));
			return rc;
		}
	}
	if (o->dry_run)
		return 0;
	long who;
	int rc = store_stage_begin(o->dbpath, ".import-tmp", &r->sg, &who, r->err, r->errlen);
	if (rc == -EBUSY && who)
		snprintf(r->err, r->errlen,
		         "%s is open by process %ld (is greendcd running on it?): "
		         "stop it before importing",
		         o->dbpath, who);
	if (rc < 0)
		return rc;
	r->st = open_store(o, store_stage_path(r->sg), r->err, r->errlen);
	return r->st ? 0 : -EIO;
}

/* Plan every stored series named by the file (import_plan_series). 0, or -errno with err
 * set. */
static int plan_all(struct run *r, bool *rebuild)
{
	*rebuild = false;
	r->plans = calloc(r->tab.n ? r->tab.n : 1, sizeof(*r->plans));
	if (!r->plans)
		return -ENOMEM;
	for (size_t i = 0; i < r->tab.cap; i++) {
		struct iser *s = r->tab.slot[i];
		if (!s || !s->exist_id || !s->n)
			continue;
		struct splan *p = &r->plans[r->np];
		int rc = import_plan_series(r, r->rd, s, p);
		if (rc == -EEXIST)
			return rc;
		if (rc < 0) {
			snprintf(r->err, r->errlen, "reading %s %s: %s", s->device, s->metric,
			         strerror(-rc));
			return rc;
		}
		if (p->plan == PLAN_REBUILD) {
			*rebuild = true;
			r->sum->series_rebuilt++;
		} else if (p->plan == PLAN_APPEND) {
			r->sum->series_appended++;
		}
		r->np++;
	}
	return 0;
}

/* A dry run counts what would be written. */
static void count_planned(struct run *r)
{
	for (size_t i = 0; i < r->np; i++) {
		if (r->plans[i].plan == PLAN_NONE)
			continue;
		int64_t hour = INT64_MIN;
		for (size_t k = 0; k < r->plans[i].n; k++) {
			import_count_hour(r->sum, &hour, r->plans[i].rows[k].ts);
			r->sum->rows_written++;
		}
	}
}

/* Flush and close the staged store's writer. */
static int close_store(struct run *r)
{
	int rc = 0;
	if (store_flush(r->st) < 0) {
		store_last_error(r->st, r->err, r->errlen);
		rc = -EIO;
	}
	store_close(r->st);
	r->st = NULL;
	return rc;
}

/* Rebuilt series are renamed with the writer closed (its registry caches names), then it is
 * reopened and every series id is resolved again. */
static int rename_for_rebuild(struct run *r)
{
	int rc = close_store(r);
	if (rc == 0)
		rc = rename_rebuilt(r);
	if (rc < 0)
		return rc;
	r->st = open_store(r->o, store_stage_path(r->sg), r->err, r->errlen);
	if (!r->st)
		return -EIO;
	for (size_t i = 0; i < r->tab.cap; i++)
		if (r->tab.slot[i])
			r->tab.slot[i]->sid = 0;
	return 0;
}

/* The planned rows, the import event, and the swap. Everything so far went into the staged
 * copy only; the original changes at the rename in store_stage_commit, or never. */
static int import_write(struct run *r, bool rebuild)
{
	const struct import_opts *o = r->o;
	const struct import_summary *sum = r->sum;
	int rc = rebuild ? rename_for_rebuild(r) : 0;
	if (rc == 0)
		rc = write_planned(r, r->plans, r->np);
	if (rc < 0)
		return rc;
	char detail[512];
	snprintf(detail, sizeof(detail),
	         "source=%s rows=%llu written=%llu unchanged=%llu overlap_dropped=%llu rule=%s "
	         "new=%llu appended=%llu rebuilt=%llu",
	         o->source ? o->source : "-", (unsigned long long)sum->rows_read,
	         (unsigned long long)sum->rows_written, (unsigned long long)sum->rows_unchanged,
	         (unsigned long long)sum->rows_overlap,
	         o->overlap == IMPORT_KEEP_LIVE ? "keep-live" : "keep-imported",
	         (unsigned long long)sum->series_new, (unsigned long long)sum->series_appended,
	         (unsigned long long)sum->series_rebuilt);
	if (sum->rows_written)
		store_event(r->st, util_wall_ms(), 0, "import", detail);
	if ((rc = close_store(r)) < 0 || !sum->rows_written)
		return rc; /* nothing written: the copy is dropped, the original never renamed */
	store_reader_close(r->rd);
	r->rd = NULL;
	long who;
	rc = store_stage_commit(r->sg, &who, r->err, r->errlen);
	if (rc == -EBUSY && who)
		snprintf(r->err, r->errlen,
		         "%s was opened by process %ld during the import: nothing "
		         "imported; stop it and import again",
		         o->dbpath, who);
	return rc;
}

static void run_free(struct run *r)
{
	if (r->st)
		store_close(r->st);
	store_reader_close(r->rd);
	store_stage_free(r->sg); /* deletes the copy unless it was committed */
	for (size_t i = 0; i < r->np; i++)
		if (r->plans[i].plan == PLAN_REBUILD)
			free(r->plans[i].rows);
	free(r->plans);
	for (size_t i = 0; i < r->tab.cap; i++)
		if (r->tab.slot[i]) {
			free(r->tab.slot[i]->rows);
			free(r->tab.slot[i]->key);
			free(r->tab.slot[i]->names);
			free(r->tab.slot[i]);
		}
	free(r->tab.slot);
	for (size_t i = 0; i < r->nwcols; i++)
		free((char *)r->wcols[i].unit);
	free(r->wcols);
	free(r);
}

int import_run(const struct import_opts *o, int fd, struct import_summary *sum, char *err,
               size_t errlen)
{
	struct run *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	memset(sum, 0, sizeof(*sum));
	r->o = o;
	r->sum = sum;
	r->err = err;
	r->errlen = errlen;
	err[0] = '\0';
	/* Timestamps without an offset are in o->tz. The import runs in the CLI before any
	 * thread exists, so it may make that the process zone (core/timeutil.h). */
	if (strcmp(time_zone_name(), o->tz && *o->tz ? o->tz : "UTC") != 0)
		time_zone_set(o->tz);

	bool rebuild;
	int rc = import_open(r);
	if (rc == 0)
		rc = import_records(r, fd);
	if (rc == 0)
		rc = import_flush_batch(r);
	if (rc == 0 && sum->rows_rejected) { /* nothing is written: say so */
		sum->rows_written = sum->hours_recomputed = sum->series_new = 0;
		rc = 1;
	}
	if (rc == 0)
		rc = plan_all(r, &rebuild);
	if (rc == 0 && o->dry_run)
		count_planned(r);
	else if (rc == 0)
		rc = import_write(r, rebuild);
	import_reject_summary(r);
	run_free(r);
	return rc;
}
