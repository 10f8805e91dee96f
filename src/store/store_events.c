/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The events table on the writer side: store_event() queues an event (a counter reset, a
 * device going down, an import) and the writer inserts it in its batch transaction.
 */
#include "store/store_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int event_write(struct store *st, int64_t ts, int64_t series, const char *kind, const char *detail)
{
	sqlite3_stmt *q = st->q_event;
	sqlite3_bind_int64(q, 1, ts);
	sqlite3_bind_int64(q, 2, series);
	sqlite3_bind_text(q, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, detail, -1, SQLITE_STATIC);
	return writer_run(q);
}

int store_event(struct store *st, int64_t ts_ms, int64_t series, const char *kind,
                const char *detail)
{
	if (!st || !kind || !*kind)
		return -EINVAL;
	size_t a = strlen(kind) + 1, b = strlen(detail ? detail : "") + 1;
	struct event_msg *m = malloc(sizeof(*m) + a + b);
	if (!m)
		return -ENOMEM;
	m->kind = (char *)(m + 1);
	m->detail = m->kind + a;
	memcpy(m->kind, kind, a);
	memcpy(m->detail, detail ? detail : "", b);
	struct qitem it = {.type = Q_EVENT, .series = series, .ts = ts_ms, .ptr = m};
	int rc = queue_push(st, &it);
	if (rc < 0)
		free(m);
	return rc;
}
