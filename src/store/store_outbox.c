/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The writer's way into the outbox (outbox.h): store_outbox() queues an item for one or more
 * streams with an optional event, and the writer inserts all of it in the batch transaction
 * that also commits everything queued before it, so "the alert event and its outbox items"
 * are durable together or not at all.
 */
#include "store/store_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int store_outbox(struct store *st, const struct store_outbox_req *req)
{
	if (!st || !req || !req->ikey || !*req->ikey || !req->payload ||
	    (!req->nstreams && !req->event_kind))
		return -EINVAL;
	if (req->len > OUTBOX_MAX_PAYLOAD ||
	    (st->opts.outbox_max_bytes > 0 && (int64_t)req->len > st->opts.outbox_max_bytes))
		return -EMSGSIZE;
	size_t total = strlen(req->ikey) + 1 + req->len + 1;
	for (size_t i = 0; i < req->nstreams; i++) {
		if (!req->streams[i] || strlen(req->streams[i]) >= OUTBOX_STREAM_MAX)
			return -EINVAL;
		total += strlen(req->streams[i]) + 1 + sizeof(char *);
	}
	if (req->event_kind)
		total += strlen(req->event_kind) + 1 +
		         strlen(req->event_detail ? req->event_detail : "") + 1;
	struct outbox_msg *m = malloc(sizeof(*m) + total);
	if (!m)
		return -ENOMEM;
	memset(m, 0, sizeof(*m));
	m->streams = (char **)(m + 1);
	char *p = (char *)(m->streams + req->nstreams);
	for (size_t i = 0; i < req->nstreams; i++) {
		size_t l = strlen(req->streams[i]) + 1;
		m->streams[i] = memcpy(p, req->streams[i], l);
		p += l;
	}
	m->nstreams = req->nstreams;
	size_t lk = strlen(req->ikey) + 1;
	m->it.ikey = memcpy(p, req->ikey, lk);
	p += lk;
	m->it.payload = p;
	memcpy(p, req->payload, req->len);
	p[req->len] = '\0';
	p += req->len + 1;
	m->it.len = req->len;
	m->it.created_ms = req->created_ms;
	if (req->event_kind) {
		size_t a = strlen(req->event_kind) + 1;
		const char *d = req->event_detail ? req->event_detail : "";
		m->ev_kind = memcpy(p, req->event_kind, a);
		p += a;
		m->ev_detail = memcpy(p, d, strlen(d) + 1);
		m->ev_series = req->event_series;
		m->ev_ts = req->event_ts_ms;
	}
	struct qitem it = {.type = Q_OUTBOX, .ptr = m};
	int rc = queue_push(st, &it);
	if (rc < 0)
		free(m);
	return rc;
}

int outbox_msg_write(struct store *st, const struct outbox_msg *m)
{
	const struct outbox_limits lim = {.max_items = st->opts.outbox_max_items,
	                                  .max_bytes = st->opts.outbox_max_bytes};
	int64_t dropped = 0, d1 = 0;
	int rc = SQLITE_OK;
	if (m->ev_kind)
		rc = event_write(st, m->ev_ts, m->ev_series, m->ev_kind, m->ev_detail);
	for (size_t k = 0; k < m->nstreams && rc == SQLITE_OK; k++) {
		struct outbox_item oi = m->it;
		oi.stream = m->streams[k];
		rc = outbox_put_db(st->db, &oi, &lim, &d1);
		if (rc == SQLITE_TOOBIG || rc == SQLITE_MISUSE)
			rc = SQLITE_OK; /* refused up front by store_outbox */
		dropped += d1;
	}
	/* Counted at every attempt of a batch that may be retried: an upper bound, the table's
	 * outbox_stats row is exact. */
	if (dropped) {
		pthread_mutex_lock(&st->qlock);
		st->stats.outbox_dropped += (uint64_t)dropped;
		pthread_mutex_unlock(&st->qlock);
	}
	return rc;
}
