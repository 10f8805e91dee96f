/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's series registry: "device, metric, labels" -> id in an in-memory hash (open
 * addressing), loaded at open and behind its own lock. A new series gets the next id at once
 * (ids only grow) and its row is upserted by the writer through the queue, ahead of any
 * sample that uses the id, so store_series never waits for a commit.
 */
#include "store/store_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ULL;
	return h;
}

/* Remember id's key and kind for store_tap_series (ids are dense: they only grow). */
static int byid_set(struct store *st, int64_t id, char *key, int kind)
{
	if (id <= 0)
		return 0;
	if ((size_t)id >= st->byid_cap) {
		size_t c = st->byid_cap ? st->byid_cap : 1024;
		while (c <= (size_t)id)
			c *= 2;
		char **k = realloc(st->byid_key, c * sizeof(*k));
		if (!k)
			return -ENOMEM;
		st->byid_key = k;
		int *kd = realloc(st->byid_kind, c * sizeof(*kd));
		if (!kd)
			return -ENOMEM;
		st->byid_kind = kd;
		memset(k + st->byid_cap, 0, (c - st->byid_cap) * sizeof(*k));
		memset(kd + st->byid_cap, 0, (c - st->byid_cap) * sizeof(*kd));
		st->byid_cap = c;
	}
	st->byid_key[id] = key;
	st->byid_kind[id] = kind;
	return 0;
}

static int reg_insert(struct store *st, char *key, int64_t id, int kind, unsigned bits,
                      double max_rate, double scale)
{
	if (byid_set(st, id, key, kind) < 0)
		return -ENOMEM;
	if ((st->reg_n + 1) * 2 > st->reg_cap) {
		size_t c = st->reg_cap ? st->reg_cap * 2 : 1024;
		struct reg_entry *r = calloc(c, sizeof(*r));
		if (!r)
			return -ENOMEM;
		for (size_t i = 0; i < st->reg_cap; i++) {
			if (!st->reg[i].key)
				continue;
			size_t j = hash_str(st->reg[i].key) & (c - 1);
			while (r[j].key)
				j = (j + 1) & (c - 1);
			r[j] = st->reg[i];
		}
		free(st->reg);
		st->reg = r;
		st->reg_cap = c;
	}
	size_t j = hash_str(key) & (st->reg_cap - 1);
	while (st->reg[j].key)
		j = (j + 1) & (st->reg_cap - 1);
	st->reg[j] = (struct reg_entry){key, id, kind, bits, max_rate, scale};
	st->reg_n++;
	return 0;
}

static struct reg_entry *reg_find(struct store *st, const char *key)
{
	if (!st->reg_cap)
		return NULL;
	size_t j = hash_str(key) & (st->reg_cap - 1);
	while (st->reg[j].key) {
		if (strcmp(st->reg[j].key, key) == 0)
			return &st->reg[j];
		j = (j + 1) & (st->reg_cap - 1);
	}
	return NULL;
}

static char *make_key(const char *device, const char *metric, const char *labels)
{
	size_t a = strlen(device), b = strlen(metric), c = strlen(labels);
	char *k = malloc(a + b + c + 3);
	if (!k)
		return NULL;
	memcpy(k, device, a);
	k[a] = '\x1f';
	memcpy(k + a + 1, metric, b);
	k[a + b + 1] = '\x1f';
	memcpy(k + a + b + 2, labels, c + 1);
	return k;
}

int registry_load(struct store *st)
{
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(st->db,
	                            "SELECT id, device, metric, labels, kind, counter_bits, "
	                            "max_rate, counter_scale FROM series",
	                            -1, &q, NULL);
	if (rc != SQLITE_OK)
		return rc;
	st->next_id = 1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(q, 0);
		char *key = make_key((const char *)sqlite3_column_text(q, 1),
		                     (const char *)sqlite3_column_text(q, 2),
		                     (const char *)sqlite3_column_text(q, 3));
		if (!key ||
		    reg_insert(st, key, id, sqlite3_column_int(q, 4),
		               (unsigned)sqlite3_column_int(q, 5), sqlite3_column_double(q, 6),
		               sqlite3_column_double(q, 7)) < 0) {
			free(key);
			sqlite3_finalize(q);
			return SQLITE_NOMEM;
		}
		if (id >= st->next_id)
			st->next_id = id + 1;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int64_t store_series(struct store *st, const struct store_series_desc *d)
{
	if (!st || !d || !d->device || !d->metric || !*d->device || !*d->metric)
		return -EINVAL;
	if (d->kind != STORE_GAUGE && d->kind != STORE_COUNTER)
		return -EINVAL;
	unsigned bits = d->kind == STORE_COUNTER ? d->counter_bits : 0;
	if (d->kind == STORE_COUNTER && bits != 0 && bits != 16 && bits != 32 && bits != 64)
		return -EINVAL;
	double max_rate = d->kind == STORE_COUNTER && d->max_rate > 0 ? d->max_rate : 0;
	double scale = d->kind == STORE_COUNTER && d->counter_scale > 0 ? d->counter_scale : 1.0;
	const char *labels = d->labels ? d->labels : "";
	char *key = make_key(d->device, d->metric, labels);
	if (!key)
		return -ENOMEM;

	pthread_mutex_lock(&st->rlock);
	struct reg_entry *e = reg_find(st, key);
	if (e && e->kind == (int)d->kind && e->bits == bits && e->max_rate == max_rate &&
	    e->scale == scale) {
		int64_t id = e->id;
		pthread_mutex_unlock(&st->rlock);
		free(key);
		return id;
	}
	/* New, or its description changed: the writer upserts the row. The id is ours to give
	 * (ids only grow), so the caller never waits for a commit. */
	int64_t id = e ? e->id : st->next_id;
	size_t a = strlen(d->device) + 1, b = strlen(d->metric) + 1, c = strlen(labels) + 1;
	struct series_msg *m = malloc(sizeof(*m) + a + b + c);
	if (!m) {
		pthread_mutex_unlock(&st->rlock);
		free(key);
		return -ENOMEM;
	}
	m->id = id;
	m->kind = d->kind;
	m->bits = bits;
	m->max_rate = max_rate;
	m->scale = scale;
	m->device = (char *)(m + 1);
	m->metric = m->device + a;
	m->labels = m->metric + b;
	memcpy(m->device, d->device, a);
	memcpy(m->metric, d->metric, b);
	memcpy(m->labels, labels, c);
	struct qitem it = {.type = Q_SERIES, .series = id, .ptr = m};
	int rc = queue_push(st, &it);
	if (rc == 0 && e) {
		byid_set(st, e->id, e->key, d->kind); /* the slot exists: cannot fail */
		e->kind = d->kind;
		e->bits = bits;
		e->max_rate = max_rate;
		e->scale = scale;
		free(key);
	} else if (rc == 0) {
		rc = reg_insert(st, key, id, d->kind, bits, max_rate, scale);
		if (rc == 0)
			st->next_id++;
		else
			free(key);
	} else {
		free(m);
		free(key);
	}
	pthread_mutex_unlock(&st->rlock);
	return rc < 0 ? rc : id;
}

void registry_free(struct store *st)
{
	for (size_t i = 0; i < st->reg_cap; i++)
		free(st->reg[i].key);
	free(st->reg);
	st->reg = NULL;
	st->reg_cap = st->reg_n = 0;
	free(st->byid_key);
	free(st->byid_kind);
	st->byid_key = NULL;
	st->byid_kind = NULL;
	st->byid_cap = 0;
}
