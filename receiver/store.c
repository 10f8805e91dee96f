/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The storage interface (store.h): picks the engine from the spec and keeps the connection
 * pool. Each call borrows one connection for its duration; a caller waits while all are
 * busy (the pool is as large as the HTTP worker pool, so in practice it never does).
 */
#include "store_engine.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rx_store {
	const struct rx_engine *e;
	void **conn;
	bool *busy;
	unsigned n;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static bool is_pg(const char *spec)
{
	return strncmp(spec, "postgresql://", 13) == 0 || strncmp(spec, "postgres://", 11) == 0 ||
	       strchr(spec, '=') != NULL;
}

void rx_store_close(struct rx_store *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < s->n; i++)
		if (s->conn[i])
			s->e->disconnect(s->conn[i]);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s->conn);
	free(s->busy);
	free(s);
}

int rx_store_open(const char *spec, unsigned pool, struct rx_store **out, char *err, size_t errlen)
{
	struct rx_store *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (strncmp(spec, "sqlite:", 7) == 0)
		spec += 7;
	s->e = is_pg(spec) ? &rx_engine_pg : &rx_engine_sqlite;
	s->n = pool ? pool : 1;
	s->conn = calloc(s->n, sizeof(*s->conn));
	s->busy = calloc(s->n, sizeof(*s->busy));
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (!s->conn || !s->busy) {
		rx_store_close(s);
		return -ENOMEM;
	}
	/* The first connection migrates the schema; the others find it current. */
	for (unsigned i = 0; i < s->n; i++) {
		int rc = s->e->connect(spec, &s->conn[i], err, errlen);
		if (rc == 0 && i == 0)
			rc = s->e->migrate(s->conn[0], err, errlen);
		if (rc < 0) {
			rx_store_close(s);
			return rc;
		}
	}
	*out = s;
	return 0;
}

const char *rx_store_engine(const struct rx_store *s)
{
	return s->e->name;
}

static unsigned borrow(struct rx_store *s)
{
	pthread_mutex_lock(&s->mu);
	for (;;) {
		for (unsigned i = 0; i < s->n; i++)
			if (!s->busy[i]) {
				s->busy[i] = true;
				pthread_mutex_unlock(&s->mu);
				return i;
			}
		pthread_cond_wait(&s->cv, &s->mu);
	}
}

static void give_back(struct rx_store *s, unsigned i)
{
	pthread_mutex_lock(&s->mu);
	s->busy[i] = false;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* Run an engine call on a borrowed connection. */
#define WITH_CONN(s, call)                                                                         \
	do {                                                                                       \
		unsigned i_ = borrow(s);                                                           \
		void *c_ = (s)->conn[i_];                                                          \
		int rc_ = (call);                                                                  \
		give_back(s, i_);                                                                  \
		return rc_;                                                                        \
	} while (0)

int rx_store_site_put(struct rx_store *s, const struct rx_site *site)
{
	WITH_CONN(s, s->e->site_put(c_, site));
}

int rx_store_site_revoke(struct rx_store *s, const char *id, int64_t now_ms)
{
	WITH_CONN(s, s->e->site_revoke(c_, id, now_ms));
}

int rx_store_site_get(struct rx_store *s, const char *id, struct rx_site *out)
{
	WITH_CONN(s, s->e->site_get(c_, id, out));
}

int rx_store_insert(struct rx_store *s, const struct rx_msg *m)
{
	WITH_CONN(s, s->e->insert(c_, m));
}

int rx_store_sites(struct rx_store *s, rx_site_cb cb, void *ctx)
{
	WITH_CONN(s, s->e->sites(c_, cb, ctx));
}

int rx_store_league(struct rx_store *s, const char *period, rx_report_cb cb, void *ctx)
{
	WITH_CONN(s, s->e->league(c_, period, cb, ctx));
}

int rx_store_site_reports(struct rx_store *s, const char *site, const char *from, const char *to,
                          bool latest, rx_report_cb cb, void *ctx)
{
	WITH_CONN(s, s->e->site_reports(c_, site, from, to, latest, cb, ctx));
}

int rx_store_report(struct rx_store *s, int64_t seq, struct rx_report_row *row, char **body,
                    size_t *len)
{
	WITH_CONN(s, s->e->report(c_, seq, row, body, len));
}

int rx_store_active_sites(struct rx_store *s, rx_site_cb cb, void *ctx)
{
	WITH_CONN(s, s->e->active_sites(c_, cb, ctx));
}
