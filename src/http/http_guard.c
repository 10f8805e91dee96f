/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP server's connection guard: what libmicrohttpd's limits do not do against slow and
 * greedy clients (docs/internals/http.md, "Hostile clients").
 *
 * libmicrohttpd's connection timeout is an idle timeout: a client that sends one header line
 * every few seconds keeps its connection, and its slot, forever. So every connection that is
 * waiting for a request (a new one, or a keep-alive one after its last response) gets a
 * deadline for the whole request: if its headers are not complete within request_timeout,
 * the socket is shut down. And the server keeps room for new clients: a new connection that
 * takes the server above its soft limit (max_connections less a quarter), or its address
 * above per_ip_connections, makes the oldest connection that is only waiting (slow headers,
 * idle keep-alive) give up its slot; a connection whose request is being answered is never
 * cut. A newcomer over its address's limit with nothing to evict is refused.
 *
 * Connections are tracked from libmicrohttpd's connection notifications; the socket is shut
 * down (not closed: libmicrohttpd owns it and closes it, after telling us) under the guard's
 * lock, and libmicrohttpd reports the close before the descriptor is released, so a reused
 * descriptor number is never shut by mistake.
 */
#include "core/util.h"
#include "http/http_internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

struct guard_conn {
	struct guard_conn *prev, *next;
	int fd;
	bool cut;             /* shut down already; waiting for libmicrohttpd's close */
	int64_t waiting_ms;   /* monotonic time it started waiting for a request; 0 = busy */
	unsigned char ip[16]; /* the client's address (IPv4 in the first 4 bytes) */
	unsigned char iplen;
};

struct http_guard {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t reaper;
	bool running, stop;
	struct guard_conn *head, *tail; /* in order of arrival */
	unsigned open;
	unsigned max_conns, soft_conns, per_ip;
	int64_t timeout_ms;
	struct http_guard_stats stats;
};

static void conn_ip(struct MHD_Connection *c, struct guard_conn *gc)
{
	const union MHD_ConnectionInfo *ci =
	        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	gc->iplen = 0;
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET) {
		memcpy(gc->ip, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		gc->iplen = 4;
	} else if (sa->sa_family == AF_INET6) {
		memcpy(gc->ip, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		gc->iplen = 16;
	}
}

static bool same_ip(const struct guard_conn *a, const struct guard_conn *b)
{
	return a->iplen == b->iplen && memcmp(a->ip, b->ip, a->iplen) == 0;
}

/* Shut a connection down; libmicrohttpd sees the end of the stream and closes it. */
static void cut(struct guard_conn *gc)
{
	if (gc->cut)
		return;
	gc->cut = true;
	shutdown(gc->fd, SHUT_RDWR);
}

/* The connection that has been waiting longest for a request (of ip's address when ip is
 * given), other than except; NULL when every one is busy. */
static struct guard_conn *oldest_waiting(struct http_guard *g, const struct guard_conn *ip,
                                         const struct guard_conn *except)
{
	struct guard_conn *best = NULL;
	for (struct guard_conn *p = g->head; p; p = p->next) {
		if (p == except || p->cut || !p->waiting_ms || (ip && !same_ip(p, ip)))
			continue;
		if (!best || p->waiting_ms < best->waiting_ms)
			best = p;
	}
	return best;
}

/* A new connection: make room for it, or refuse it. */
static void admit(struct http_guard *g, struct guard_conn *gc)
{
	unsigned same = 0, live = 0;
	for (struct guard_conn *p = g->head; p; p = p->next) {
		if (p->cut)
			continue;
		live++;
		if (p != gc && same_ip(p, gc))
			same++;
	}
	if (same >= g->per_ip) {
		struct guard_conn *v = oldest_waiting(g, gc, gc);
		if (v) {
			cut(v);
			g->stats.evicted++;
			live--;
		} else {
			cut(gc);
			g->stats.refused++;
			return;
		}
	}
	if (live > g->soft_conns) {
		struct guard_conn *v = oldest_waiting(g, NULL, gc);
		if (v) {
			cut(v);
			g->stats.evicted++;
		}
	}
}

void http_guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                       enum MHD_ConnectionNotificationCode code)
{
	struct http_guard *g = cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		struct guard_conn *gc = calloc(1, sizeof(*gc));
		const union MHD_ConnectionInfo *ci =
		        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context = gc;
		if (!gc || !ci)
			return;
		gc->fd = ci->connect_fd;
		gc->waiting_ms = util_mono_ms();
		conn_ip(c, gc);
		pthread_mutex_lock(&g->lock);
		gc->prev = g->tail;
		if (g->tail)
			g->tail->next = gc;
		else
			g->head = gc;
		g->tail = gc;
		g->open++;
		g->stats.accepted++;
		admit(g, gc);
		pthread_mutex_unlock(&g->lock);
		return;
	}
	struct guard_conn *gc = *socket_context;
	if (!gc)
		return;
	pthread_mutex_lock(&g->lock);
	if (gc->prev || g->head == gc) {
		if (gc->prev)
			gc->prev->next = gc->next;
		else
			g->head = gc->next;
		if (gc->next)
			gc->next->prev = gc->prev;
		else
			g->tail = gc->prev;
		g->open--;
	}
	pthread_mutex_unlock(&g->lock);
	*socket_context = NULL;
	free(gc);
}

static struct guard_conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

void http_guard_busy(struct http_guard *g, struct MHD_Connection *c)
{
	struct guard_conn *gc = conn_of(c);
	if (!gc)
		return;
	pthread_mutex_lock(&g->lock);
	gc->waiting_ms = 0;
	pthread_mutex_unlock(&g->lock);
}

void http_guard_idle(struct http_guard *g, struct MHD_Connection *c)
{
	struct guard_conn *gc = conn_of(c);
	if (!gc)
		return;
	pthread_mutex_lock(&g->lock);
	gc->waiting_ms = util_mono_ms();
	pthread_mutex_unlock(&g->lock);
}

static void *reaper_main(void *arg)
{
	struct http_guard *g = arg;
	pthread_mutex_lock(&g->lock);
	while (!g->stop) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000000L; /* deadlines are kept to a tenth of a second */
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&g->wake, &g->lock, &ts);
		int64_t now = util_mono_ms();
		for (struct guard_conn *p = g->head; p; p = p->next) {
			if (!p->cut && p->waiting_ms && now - p->waiting_ms > g->timeout_ms) {
				cut(p);
				g->stats.timed_out++;
			}
		}
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

struct http_guard *http_guard_new(unsigned max_conns, unsigned per_ip, int64_t timeout_ms)
{
	struct http_guard *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_cond_init(&g->wake, &ca);
	pthread_condattr_destroy(&ca);
	g->max_conns = max_conns;
	/* A quarter of the slots is kept for newcomers (at least one). */
	g->soft_conns = max_conns - (max_conns / 4 ? max_conns / 4 : 1);
	if (g->soft_conns == 0)
		g->soft_conns = 1;
	g->per_ip = per_ip;
	g->timeout_ms = timeout_ms;
	if (pthread_create(&g->reaper, NULL, reaper_main, g) != 0) {
		http_guard_free(g);
		return NULL;
	}
	g->running = true;
	return g;
}

void http_guard_stats(struct http_guard *g, struct http_guard_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	*out = g->stats;
	out->open = g->open;
	for (struct guard_conn *p = g->head; p; p = p->next)
		out->waiting += p->waiting_ms != 0;
	pthread_mutex_unlock(&g->lock);
}

void http_guard_free(struct http_guard *g)
{
	if (!g)
		return;
	if (g->running) {
		pthread_mutex_lock(&g->lock);
		g->stop = true;
		pthread_cond_signal(&g->wake);
		pthread_mutex_unlock(&g->lock);
		pthread_join(g->reaper, NULL);
	}
	/* libmicrohttpd has stopped and reported every close by now. */
	for (struct guard_conn *p = g->head, *n; p; p = n) {
		n = p->next;
		free(p);
	}
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->lock);
	free(g);
}
