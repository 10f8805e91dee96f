/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The commit tap (store.h): one output sees every batch's samples inside the batch's own
 * transaction and queues outbox items there, so what leaves the site is exactly what was
 * committed. The samples are the batch's staged samples in arrival order (every stored
 * sample, counters already unwrapped: the one place that decides what is stored stays
 * store_sample.c), as staging_add kept them for the batch's staging blobs.
 *
 * The writer holds tap_lock from the start of a batch to its end, so store_set_tap swaps
 * taps between batches and the old one is freed when no batch can be using it.
 */
#include "store/store_writer.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct store_tap_batch {
	struct store *st;
	int rc; /* the first failing statement's SQLite result code */
};

void store_set_tap(struct store *st, const struct store_tap *tap)
{
	if (!st)
		return;
	struct store_tap old;
	pthread_mutex_lock(&st->tap_lock);
	old = st->tap;
	if (tap && tap->batch)
		st->tap = *tap;
	else
		memset(&st->tap, 0, sizeof(st->tap));
	pthread_mutex_unlock(&st->tap_lock);
	if (old.free)
		old.free(old.ctx);
}

void tap_free(struct store *st)
{
	store_set_tap(st, NULL);
	free(st->tap_buf);
	st->tap_buf = NULL;
	st->tap_cap = 0;
}

int tap_begin(struct store *st, int64_t *mark)
{
	pthread_mutex_lock(&st->tap_lock);
	*mark = st->tap.batch ? 0 : -1;
	return SQLITE_OK;
}

int tap_run(struct store *st, int64_t mark)
{
	if (mark < 0 || !st->tap.batch || st->nstage == 0)
		return SQLITE_OK;
	size_t n = st->nstage;
	if (writer_grow((void **)&st->tap_buf, &st->tap_cap, n, sizeof(*st->tap_buf)) < 0)
		return SQLITE_NOMEM;
	for (size_t i = 0; i < n; i++)
		st->tap_buf[i] = (struct store_tap_sample){.series = st->stage[i].series,
		                                           .ts_ms = st->stage[i].ts,
		                                           .value = st->stage[i].value};
	struct store_tap_batch b = {.st = st, .rc = SQLITE_OK};
	int trc = st->tap.batch(st->tap.ctx, &b, st->tap_buf, n);
	if (b.rc != SQLITE_OK)
		return b.rc;
	return trc == 0 ? SQLITE_OK : trc == -ENOMEM ? SQLITE_NOMEM : SQLITE_ERROR;
}

void tap_end(struct store *st, bool committed)
{
	if (st->tap.done)
		st->tap.done(st->tap.ctx, committed);
	pthread_mutex_unlock(&st->tap_lock);
}

int store_tap_series(struct store_tap_batch *b, int64_t id, struct store_series_info *info,
                     char *buf, size_t len)
{
	struct store *st = b->st;
	int rc = -ENOENT;
	pthread_mutex_lock(&st->rlock);
	if (id > 0 && (size_t)id < st->byid_cap && st->byid_key[id]) {
		/* key = "device\x1fmetric\x1flabels" */
		const char *k = st->byid_key[id];
		size_t l = strlen(k) + 1;
		rc = -ENOSPC;
		if (l <= len) {
			memcpy(buf, k, l);
			char *m = strchr(buf, '\x1f'), *lb = m ? strchr(m + 1, '\x1f') : NULL;
			rc = -ENOENT;
			if (lb) {
				*m = *lb = '\0';
				*info = (struct store_series_info){.id = id,
				                                   .device = buf,
				                                   .metric = m + 1,
				                                   .labels = lb + 1,
				                                   .kind = st->byid_kind[id]};
				rc = 0;
			}
		}
	}
	pthread_mutex_unlock(&st->rlock);
	return rc;
}

int store_tap_outbox(struct store_tap_batch *b, const struct outbox_item *it,
                     const struct outbox_limits *lim)
{
	struct store *st = b->st;
	struct outbox_limits l = lim ? *lim : (struct outbox_limits){0};
	l.max_items = st->opts.outbox_max_items;
	l.max_bytes = st->opts.outbox_max_bytes;
	int64_t dropped = 0;
	int rc = outbox_put_db(st->db, it, &l, &dropped);
	if (rc == SQLITE_TOOBIG || rc == SQLITE_MISUSE)
		return rc == SQLITE_TOOBIG ? -EMSGSIZE : -EINVAL;
	if (rc != SQLITE_OK) {
		if (b->rc == SQLITE_OK)
			b->rc = rc;
		return store_sqlite_errno(rc);
	}
	if (dropped) {
		/* An upper bound across retries of a batch, as in outbox_msg_write. */
		pthread_mutex_lock(&st->qlock);
		st->stats.outbox_dropped += (uint64_t)dropped;
		pthread_mutex_unlock(&st->qlock);
	}
	return 0;
}
