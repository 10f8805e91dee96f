/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcsim Modbus TCP server (see server.h). Single-threaded: the model and the server share one
 * thread, so a mapping is never read while it is being written. modbus_receive() reads one
 * whole request from whichever client socket is set on the shared context; a client that sends
 * half a request stalls the loop for at most the byte timeout (0.2 s) and is then dropped.
 */
#include "server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <modbus.h>

#define MAX_CLIENTS 1000 /* select() caps fds at FD_SETSIZE (1024) anyway */

struct server {
	modbus_t *ctx;
	int listen_fd;
	int clients[MAX_CLIENTS]; /* -1 = free slot */
	const struct regmap *rm;
	unsigned long requests, unanswered;
	struct server_hook hook;
};

struct server *server_new(const char *addr, int port, const struct regmap *rm, char *err,
                          size_t errlen)
{
	struct server *s;
	int i;

	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (i = 0; i < MAX_CLIENTS; i++)
		s->clients[i] = -1;
	s->rm = rm;
	s->listen_fd = -1;
	s->ctx = modbus_new_tcp(addr, port);
	if (!s->ctx) {
		snprintf(err, errlen, "%s:%d: %s", addr, port, modbus_strerror(errno));
		goto out_free;
	}
	modbus_set_byte_timeout(s->ctx, 0, 200000);
	s->listen_fd = modbus_tcp_listen(s->ctx, 64);
	if (s->listen_fd < 0) {
		snprintf(err, errlen, "cannot listen on %s:%d: %s", addr, port,
		         modbus_strerror(errno));
		goto out_free;
	}
	return s;

out_free:
	server_free(s);
	return NULL;
}

static void drop_client(struct server *s, int slot)
{
	close(s->clients[slot]);
	s->clients[slot] = -1;
}

static void accept_client(struct server *s)
{
	int fd, i;

	fd = accept(s->listen_fd, NULL, NULL);
	if (fd < 0)
		return;
	for (i = 0; i < MAX_CLIENTS; i++) {
		if (s->clients[i] < 0 && fd < FD_SETSIZE) {
			s->clients[i] = fd;
			return;
		}
	}
	close(fd); /* full: refuse */
}

static void serve_client(struct server *s, int slot)
{
	uint8_t req[MODBUS_TCP_MAX_ADU_LENGTH];
	modbus_mapping_t *map;
	int rc;

	modbus_set_socket(s->ctx, s->clients[slot]);
	rc = modbus_receive(s->ctx, req);
	if (rc < 0) {
		drop_client(s, slot); /* closed by the peer, or garbage */
		return;
	}
	if (rc == 0)
		return;
	s->requests++;
	/* MBAP header: transaction (2), protocol (2), length (2), unit id (1). */
	map = s->rm->by_unit[req[6]];
	if (!map) {
		s->unanswered++;
		return;
	}
	if (modbus_reply(s->ctx, req, rc, map) < 0)
		drop_client(s, slot);
}

int server_poll(struct server *s, int timeout_ms, const sigset_t *sigmask)
{
	struct timespec ts;
	fd_set rfds;
	int maxfd = s->listen_fd, i, rc;

	FD_ZERO(&rfds);
	FD_SET(s->listen_fd, &rfds);
	for (i = 0; i < MAX_CLIENTS; i++) {
		if (s->clients[i] >= 0) {
			FD_SET(s->clients[i], &rfds);
			if (s->clients[i] > maxfd)
				maxfd = s->clients[i];
		}
	}
	if (s->hook.prepare)
		s->hook.prepare(s->hook.arg, &rfds, &maxfd, &timeout_ms);
	ts.tv_sec = timeout_ms / 1000;
	ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
	rc = pselect(maxfd + 1, &rfds, NULL, NULL, &ts, sigmask);
	if (rc < 0)
		return -errno;
	if (s->hook.serve)
		s->hook.serve(s->hook.arg, &rfds, rc);
	if (rc == 0)
		return 0;
	if (FD_ISSET(s->listen_fd, &rfds))
		accept_client(s);
	for (i = 0; i < MAX_CLIENTS; i++) {
		if (s->clients[i] >= 0 && FD_ISSET(s->clients[i], &rfds))
			serve_client(s, i);
	}
	return 0;
}

void server_set_hook(struct server *s, const struct server_hook *hook)
{
	s->hook = *hook;
}

void server_stats(const struct server *s, unsigned long *requests, unsigned long *unanswered)
{
	*requests = s->requests;
	*unanswered = s->unanswered;
}

void server_free(struct server *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < MAX_CLIENTS; i++) {
		if (s->clients[i] >= 0)
			close(s->clients[i]);
	}
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->ctx)
		modbus_free(s->ctx);
	free(s);
}
