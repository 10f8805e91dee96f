/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Staged replacement of a whole database (store_stage.h): copy under the original's write
 * lock, let the caller write the copy, then swap it in with one rename(2). SQLite's atomic
 * commit covers one transaction; this covers a whole run of them (an import writes through
 * the store writer in many batches): until the rename nothing is visible, after it
 * everything is, and a crash at any point leaves one or the other.
 */
#include "store/store_stage.h"

#include "store/store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct store_stage {
	char *db, *tmp;
	sqlite3 *lock; /* holds the original's write lock while the copy is written */
	bool existed, committed;
	bool owns_tmp; /* the copy is ours to delete: never another run's, which holds the lock */
};

long store_db_user(const char *path)
{
	char shm[4096];
	snprintf(shm, sizeof(shm), "%s-shm", path);
	int fd = open(shm, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	/* SQLite's unix VFS keeps a read lock on the "DMS" byte (offset 128) of the -shm file
	 * for as long as any connection has the database open. */
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 128, .l_len = 1};
	long who = 0;
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
		who = fl.l_pid > 0 ? (long)fl.l_pid : -1;
	close(fd);
	return who;
}

static void unlink_db(const char *path)
{
	char p[4200];
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

/* Copy the original (locked by us) to sg->tmp with the backup API, same mode and owner. */
static int stage_copy(struct store_stage *sg, const struct stat *stb, char *err, size_t errlen)
{
	sqlite3 *src = NULL, *dst = NULL;
	int rc = -EIO;
	if (sqlite3_open_v2(sg->db, &src, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_open_v2(sg->tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) ==
	            SQLITE_OK) {
		sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
		if (b && sqlite3_backup_step(b, -1) == SQLITE_DONE)
			rc = 0;
		if (b)
			sqlite3_backup_finish(b);
		if (rc < 0)
			snprintf(err, errlen, "copying %s: %s", sg->db, sqlite3_errmsg(dst));
	} else {
		snprintf(err, errlen, "%s: %s", sg->tmp, dst ? sqlite3_errmsg(dst) : "cannot open");
	}
	sqlite3_close(src);
	sqlite3_close(dst);
	if (rc == 0 && (chmod(sg->tmp, stb->st_mode & 0777) < 0 ||
	                (geteuid() == 0 && chown(sg->tmp, stb->st_uid, stb->st_gid) < 0))) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", sg->tmp, strerror(-rc));
	}
	return rc;
}

int store_stage_begin(const char *path, const char *suffix, struct store_stage **out, long *who,
                      char *err, size_t errlen)
{
	*out = NULL;
	if (who)
		*who = 0;
	struct store_stage *sg = calloc(1, sizeof(*sg));
	if (!sg || !(sg->db = strdup(path)) || asprintf(&sg->tmp, "%s%s", path, suffix) < 0) {
		if (sg)
			sg->tmp = NULL;
		store_stage_free(sg);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	struct stat stb;
	sg->existed = stat(path, &stb) == 0;
	if (!sg->existed) {
		unlink_db(sg->tmp);
		sg->owns_tmp = true;
		*out = sg;
		return 0;
	}
	long user = store_db_user(path);
	if (user) {
		if (who)
			*who = user;
		snprintf(err, errlen, "%s is open by process %ld", path, user);
		store_stage_free(sg);
		return -EBUSY;
	}
	if (sqlite3_open_v2(path, &sg->lock, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_exec(sg->lock, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) !=
	            SQLITE_OK ||
	    sqlite3_exec(sg->lock, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot lock: %s", path, sqlite3_errmsg(sg->lock));
		store_stage_free(sg);
		return -EBUSY;
	}
	unlink_db(sg->tmp); /* a killed run's leftover: we hold the lock, it is ours */
	sg->owns_tmp = true;
	int rc = stage_copy(sg, &stb, err, errlen);
	if (rc < 0) {
		store_stage_free(sg);
		return rc;
	}
	*out = sg;
	return 0;
}

const char *store_stage_path(const struct store_stage *sg)
{
	return sg->tmp;
}

/* fsync the folder holding path, so the rename itself is durable. */
static void sync_dir(const char *path)
{
	char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
	if (!dir)
		return;
	if (slash)
		*slash = '\0';
	int fd = open(slash ? (*dir ? dir : "/") : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

int store_stage_commit(struct store_stage *sg, long *who, char *err, size_t errlen)
{
	if (who)
		*who = 0;
	/* A process that opened the original meanwhile would go on writing the file we
	 * replace. */
	long user = sg->existed ? store_db_user(sg->db) : 0;
	if (user) {
		if (who)
			*who = user;
		snprintf(err, errlen, "%s was opened by process %ld meanwhile", sg->db, user);
		return -EBUSY;
	}
	/* Release the original (its WAL is empty: checkpointed and locked since), then swap. */
	if (sg->lock)
		sqlite3_close(sg->lock);
	sg->lock = NULL;
	int fd = open(sg->tmp, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0) {
		snprintf(err, errlen, "%s: %s", sg->tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	close(fd);
	if (rename(sg->tmp, sg->db) < 0) {
		int e = errno;
		snprintf(err, errlen, "rename %s: %s", sg->tmp, strerror(e));
		return -e;
	}
	sg->committed = true;
	sync_dir(sg->db);
	return 0;
}

void store_stage_free(struct store_stage *sg)
{
	if (!sg)
		return;
	if (sg->lock)
		sqlite3_close(sg->lock); /* rolls back the empty write transaction */
	if (sg->owns_tmp && !sg->committed)
		unlink_db(sg->tmp);
	free(sg->db);
	free(sg->tmp);
	free(sg);
}

int store_series_rename(const char *path, const struct store_rename *v, size_t n, char *err,
                        size_t errlen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	/* One transaction: every series renamed, or (ROLLBACK on close) none. */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "UPDATE series SET metric = ? WHERE id = ?", -1, &q,
		                        NULL);
	for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, v[i].metric, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(q, 2, v[i].id);
		rc = sqlite3_step(q);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(q);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		snprintf(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	sqlite3_close(db);
	return store_sqlite_errno(rc);
}
