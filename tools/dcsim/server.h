/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcsim Modbus TCP server: one listening socket, many clients multiplexed with pselect(), each
 * request answered from the mapping of its unit id. An unknown unit id gets no reply at all,
 * like a gateway whose slave is dead, so the poller sees a timeout.
 */
#ifndef DCSIM_SERVER_H
#define DCSIM_SERVER_H

#include <signal.h>
#include <stddef.h>
#include <sys/select.h>

#include "regmap.h"

struct server;

/* Listen on addr:port. NULL on failure with a message in err. */
struct server *server_new(const char *addr, int port, const struct regmap *rm, char *err,
                          size_t errlen);

/*
 * Wait up to timeout_ms for traffic (signals in sigmask unblocked meanwhile) and serve it.
 * Returns 0, or -EINTR when a signal arrived, or another negative errno on a fatal error.
 */
int server_poll(struct server *s, int timeout_ms, const sigset_t *sigmask);

/*
 * More sockets served in the same pselect() (dcsim's SNMP agent): prepare adds its fds to
 * rfds, raises *maxfd and may lower *timeout_ms; serve runs after pselect() with its result
 * (> 0, or 0 on timeout). NULL functions = no hook.
 */
struct server_hook {
	void (*prepare)(void *arg, fd_set *rfds, int *maxfd, int *timeout_ms);
	void (*serve)(void *arg, fd_set *rfds, int nready);
	void *arg;
};

void server_set_hook(struct server *s, const struct server_hook *hook);

/* Counters for the exit line. */
void server_stats(const struct server *s, unsigned long *requests, unsigned long *unanswered);

/* Close every socket; accepts NULL. */
void server_free(struct server *s);

#endif
