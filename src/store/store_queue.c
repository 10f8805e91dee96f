/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's producer queue: a bounded double buffer of items behind one mutex. Producers
 * (pollers, the alert engine, the importer) append and block while it is full; the writer
 * thread swaps the buffers and commits the whole batch (store_writer.c). store_flush waits
 * until every item queued before the call is committed.
 */
#include "store/store_writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* Caller holds qlock. Waits for room; false when the store is stopping. */
static bool queue_wait_room(struct store *st)
{
	if (st->in.n >= st->in.cap && !st->stop)
		st->stats.full_waits++;
	while (st->in.n >= st->in.cap && !st->stop)
		pthread_cond_wait(&st->qspace, &st->qlock);
	return !st->stop;
}

static void queue_push_locked(struct store *st, const struct qitem *it)
{
	if (st->in.n == 0)
		clock_gettime(CLOCK_MONOTONIC, &st->in_first);
	st->in.items[st->in.n++] = *it;
	st->enq_total++;
	if (st->in.n == st->in.cap / 2 || st->in.n == 1)
		pthread_cond_signal(&st->qwake);
}

int queue_push(struct store *st, const struct qitem *it)
{
	pthread_mutex_lock(&st->qlock);
	if (!queue_wait_room(st)) {
		pthread_mutex_unlock(&st->qlock);
		return -ESHUTDOWN;
	}
	queue_push_locked(st, it);
	pthread_mutex_unlock(&st->qlock);
	return 0;
}

void queue_free_items(struct qitem *it, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(it[i].ptr);
}

int store_append(struct store *st, const struct store_sample *s, size_t n)
{
	if (!st || (!s && n))
		return -EINVAL;
	pthread_mutex_lock(&st->rlock);
	int64_t next = st->next_id;
	pthread_mutex_unlock(&st->rlock);
	for (size_t i = 0; i < n; i++)
		if (s[i].series <= 0 || s[i].series >= next)
			return -EINVAL;

	pthread_mutex_lock(&st->qlock);
	for (size_t i = 0; i < n; i++) {
		if (!queue_wait_room(st)) {
			pthread_mutex_unlock(&st->qlock);
			return -ESHUTDOWN;
		}
		if (st->in.n == 0)
			clock_gettime(CLOCK_MONOTONIC, &st->in_first);
		size_t room = st->in.cap - st->in.n, k = n - i < room ? n - i : room;
		struct qitem *dst = st->in.items + st->in.n;
		for (size_t j = 0; j < k; j++)
			dst[j] = (struct qitem){.type = Q_SAMPLE,
			                        .series = s[i + j].series,
			                        .ts = s[i + j].ts_ms,
			                        .value = s[i + j].value};
		bool wake = st->in.n == 0 ||
		            (st->in.n < st->in.cap / 2 && st->in.n + k >= st->in.cap / 2);
		st->in.n += k;
		st->enq_total += k;
		if (wake)
			pthread_cond_signal(&st->qwake);
		i += k - 1;
	}
	pthread_mutex_unlock(&st->qlock);
	return 0;
}

int store_flush(struct store *st)
{
	if (!st)
		return -EINVAL;
	pthread_mutex_lock(&st->qlock);
	uint64_t target = st->enq_total, fails = st->fail_count;
	st->flush_waiters++;
	pthread_cond_signal(&st->qwake);
	int rc = 0;
	while (st->committed_total < target) {
		if (st->fail_count != fails) {
			rc = -EIO;
			break;
		}
		pthread_cond_wait(&st->qdone, &st->qlock);
	}
	st->flush_waiters--;
	pthread_mutex_unlock(&st->qlock);
	return rc;
}

void store_last_error(struct store *st, char *buf, size_t len)
{
	if (!len)
		return;
	if (!st) {
		buf[0] = '\0';
		return;
	}
	pthread_mutex_lock(&st->qlock);
	snprintf(buf, len, "%s", st->last_error);
	pthread_mutex_unlock(&st->qlock);
}

void store_stats(struct store *st, struct store_stats *out)
{
	if (!st || !out)
		return;
	pthread_mutex_lock(&st->qlock);
	*out = st->stats;
	out->queue_depth = st->in.n;
	pthread_mutex_unlock(&st->qlock);
}
