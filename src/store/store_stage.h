/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Whole-database operations for tools that run while no daemon has the database open
 * (`greendc import`): a staged copy that replaces the original with one rename(2), so that a
 * failed or killed run leaves the original as it was, and edits of such a copy that need no
 * writer thread. The daemon's API is store.h; see docs/internals/importexport.md.
 */
#ifndef GREENDC_STORE_STAGE_H
#define GREENDC_STORE_STAGE_H

#include <stddef.h>
#include <stdint.h>

/* The process that has the database at path open through SQLite's WAL index (a daemon, a
 * `greendc tail`), 0 when none, -1 when one does but its pid is unknown. */
long store_db_user(const char *path);

struct store_stage; /* opaque */

/*
 * Stage a replacement of the database at path: "<path><suffix>" (removed first if a killed
 * run left it). When path exists: refuse (-EBUSY, *who = its pid) if another process has it
 * open; take its write lock after a WAL checkpoint and hold it until commit or free, so nobody
 * writes the original meanwhile; copy it with SQLite's backup API; give the copy the
 * original's mode and owner. When path does not exist, the copy starts empty. The caller
 * writes the copy (store_open on store_stage_path) and closes it before committing.
 * 0 with *out set, or -errno with a message in err (*out NULL). who may be NULL.
 */
int store_stage_begin(const char *path, const char *suffix, struct store_stage **out, long *who,
                      char *err, size_t errlen);

/* The staged copy's path, to open and write. */
const char *store_stage_path(const struct store_stage *sg);

/* Replace the original by the copy: refuse (-EBUSY, *who = its pid) if a process opened the
 * original meanwhile (it would go on writing the replaced file); release the lock; fsync the
 * copy, rename(2) it over the original, fsync the folder. Afterwards, store_stage_free
 * only frees. 0 or -errno with a message in err. */
int store_stage_commit(struct store_stage *sg, long *who, char *err, size_t errlen);

/* Abandon (unless committed): release the original's lock and delete the copy. Frees. NULL
 * ok. */
void store_stage_free(struct store_stage *sg);

/* Give series new metric names, all in one transaction on a database that no store writer
 * has open (a staged copy: the writer's registry would not see it). 0, or -errno with a
 * message in err and nothing renamed. */
struct store_rename {
	int64_t id;
	const char *metric;
};
int store_series_rename(const char *path, const struct store_rename *v, size_t n, char *err,
                        size_t errlen);

#endif
