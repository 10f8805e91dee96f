/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Online backup through SQLite's backup API: a consistent copy of a live database, taken in
 * small steps so the daemon's writer is never held up for long, then checked with
 * PRAGMA integrity_check before it is declared good.
 */
#include "store/store.h"

#include "store/store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int store_backup(const char *src_path, const char *dest_path, char *err, size_t errlen)
{
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_backup *b = NULL;
	int rc;

	/* Create the file ourselves: exclusive (never overwrite a backup) and private. */
	int fd = open(dest_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", dest_path, strerror(errno));
		return -errno;
	}
	close(fd);
	rc = sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", src_path, sqlite3_errstr(rc));
		goto out;
	}
	rc = sqlite3_open_v2(dest_path, &dst, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", dest_path, sqlite3_errstr(rc));
		goto out;
	}
	b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b) {
		rc = sqlite3_errcode(dst);
		snprintf(err, errlen, "backup: %s", sqlite3_errmsg(dst));
		goto out;
	}
	/* 1,024 pages (4 MiB) a step; a writer that commits meanwhile makes the backup restart
	 * from the changed pages, which SQLite handles. */
	do {
		rc = sqlite3_backup_step(b, 1024);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
			struct timespec ts = {0, 5000000};
			nanosleep(&ts, NULL);
		}
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	int frc = sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE || frc != SQLITE_OK) {
		snprintf(err, errlen, "backup: %s", sqlite3_errstr(rc != SQLITE_DONE ? rc : frc));
		rc = rc != SQLITE_DONE ? rc : frc;
		goto out;
	}
	sqlite3_stmt *q;
	rc = sqlite3_prepare_v2(dst, "PRAGMA integrity_check", -1, &q, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(q);
		const char *res = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(q, 0) : NULL;
		if (!res || strcmp(res, "ok") != 0) {
			snprintf(err, errlen, "backup failed its integrity check: %s",
			         res ? res : sqlite3_errmsg(dst));
			rc = SQLITE_CORRUPT;
		} else {
			rc = SQLITE_OK;
		}
		sqlite3_finalize(q);
	}
out:
	sqlite3_close(src);
	sqlite3_close(dst);
	if (rc != SQLITE_OK)
		unlink(dest_path);
	return rc == SQLITE_OK ? 0 : store_sqlite_errno(rc);
}
