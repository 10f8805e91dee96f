/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The devices table: store_device_state() queues a device's live state and the writer
 * upserts its row; store_devices_list() reads them back for `greendc devices` and
 * /api/v1/devices.
 */
#include "store/store_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int device_write(struct store *st, const struct store_device_state *d)
{
	sqlite3_stmt *q = st->q_device;
	sqlite3_bind_text(q, 1, d->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, d->driver, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, d->address, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, d->state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, d->last_poll_ms);
	sqlite3_bind_int64(q, 6, d->last_ok_ms);
	sqlite3_bind_double(q, 7, d->last_duration_s);
	sqlite3_bind_int64(q, 8, d->errors);
	sqlite3_bind_int64(q, 9, d->interval_ms);
	sqlite3_bind_text(q, 10, d->last_error, -1, SQLITE_STATIC);
	return writer_run(q);
}

int store_device_state(struct store *st, const struct store_device_state *ds)
{
	if (!st || !ds || !ds->name || !*ds->name)
		return -EINVAL;
	const char *strs[] = {ds->name, ds->driver, ds->address, ds->state, ds->last_error};
	size_t len[5], total = 0;
	for (int i = 0; i < 5; i++)
		total += len[i] = strlen(strs[i] ? strs[i] : "") + 1;
	struct dev_msg *m = malloc(sizeof(*m) + total);
	if (!m)
		return -ENOMEM;
	m->ds = *ds;
	char *p = (char *)(m + 1);
	const char **dst[] = {&m->ds.name, &m->ds.driver, &m->ds.address, &m->ds.state,
	                      &m->ds.last_error};
	for (int i = 0; i < 5; i++) {
		memcpy(p, strs[i] ? strs[i] : "", len[i]);
		*dst[i] = p;
		p += len[i];
	}
	struct qitem it = {.type = Q_DEVICE, .ptr = m};
	int rc = queue_push(st, &it);
	if (rc < 0)
		free(m);
	return rc;
}

int store_devices_list(struct store_reader *r,
                       int (*cb)(void *ctx, const struct store_device_state *ds), void *ctx)
{
	sqlite3_stmt *q = NULL;
	int rc =
	        sqlite3_prepare_v2(r->db,
	                           "SELECT name, driver, address, state, last_poll_ms, last_ok_ms, "
	                           "last_duration_s, errors, interval_ms, last_error FROM devices "
	                           "ORDER BY name",
	                           -1, &q, NULL);
	if (rc != SQLITE_OK)
		return store_sqlite_errno(rc);
	int n = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
#define TXT(i) (sqlite3_column_text(q, i) ? (const char *)sqlite3_column_text(q, i) : "")
		struct store_device_state ds = {
		        .name = TXT(0),
		        .driver = TXT(1),
		        .address = TXT(2),
		        .state = TXT(3),
		        .last_poll_ms = sqlite3_column_int64(q, 4),
		        .last_ok_ms = sqlite3_column_int64(q, 5),
		        .last_duration_s = sqlite3_column_double(q, 6),
		        .errors = sqlite3_column_int64(q, 7),
		        .interval_ms = (unsigned)sqlite3_column_int64(q, 8),
		        .last_error = TXT(9),
		};
#undef TXT
		n++;
		if (cb(ctx, &ds))
			break;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : store_sqlite_errno(rc);
}
