/* SPDX-License-Identifier: Apache-2.0 */
/* The Modbus driver's TCP transport (modbus_tcp.h): sockets waited on with poll(2). */
#include "modbus_tcp.h"

#include "modbus_frame.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MBAP_LEN 7 /* transaction id, protocol id, length, unit id */

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on fd until the deadline: 0, or -ETIMEDOUT / -errno. */
static int wait_fd(int fd, short events, int64_t deadline_ms)
{
	for (;;) {
		int64_t left = deadline_ms - mono_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		struct pollfd p = {.fd = fd, .events = events};
		int n = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return 0; /* readable / writable, or an error the next call reports */
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static int connect_one(const struct addrinfo *ai, int64_t deadline_ms)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	                ai->ai_protocol);
	if (fd < 0)
		return -errno;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	int rc = 0;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		rc = errno == EINPROGRESS ? wait_fd(fd, POLLOUT, deadline_ms) : -errno;
		if (rc == 0) {
			int e = 0;
			socklen_t l = sizeof(e);
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l) != 0)
				e = errno;
			rc = -e;
		}
	}
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

int mbt_connect(const char *host, const char *port, int64_t deadline_ms)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0)
		return rc == EAI_SYSTEM ? -errno : -EHOSTUNREACH;
	rc = -EHOSTUNREACH;
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		rc = connect_one(ai, deadline_ms);
		if (rc >= 0 || rc == -ETIMEDOUT)
			break;
	}
	freeaddrinfo(res);
	return rc;
}

/* Write all of buf before the deadline. 0 or -errno. */
static int send_all(int fd, const uint8_t *buf, size_t len, int64_t deadline_ms)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int rc = wait_fd(fd, POLLOUT, deadline_ms);
			if (rc < 0)
				return rc;
			continue;
		}
		return n < 0 ? -errno : -ECONNRESET;
	}
	return 0;
}

/* Read exactly len bytes before the deadline (the whole reply shares one deadline, so a peer
 * that trickles bytes cannot stretch it). 0 or -errno. */
static int recv_all(int fd, uint8_t *buf, size_t len, int64_t deadline_ms)
{
	while (len > 0) {
		ssize_t n = recv(fd, buf, len, 0);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n == 0)
			return -ECONNRESET; /* the peer closed */
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		int rc = wait_fd(fd, POLLIN, deadline_ms);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int mbt_transact(int fd, const uint8_t *req, size_t len, uint8_t *adu, size_t cap,
                 int64_t deadline_ms)
{
	uint8_t out[MBAP_LEN - 1 + MBF_REQUEST_LEN];
	if (len < 2 || len > MBF_REQUEST_LEN || cap < MBAP_LEN)
		return -EINVAL;
	out[0] = (uint8_t)(MBF_RAW_TID >> 8);
	out[1] = (uint8_t)(MBF_RAW_TID & 0xff);
	out[2] = out[3] = 0; /* protocol: Modbus */
	out[4] = (uint8_t)(len >> 8);
	out[5] = (uint8_t)len; /* unit id + PDU */
	memcpy(out + 6, req, len);
	int rc = send_all(fd, out, 6 + len, deadline_ms);
	if (rc < 0)
		return rc;
	if ((rc = recv_all(fd, adu, MBAP_LEN, deadline_ms)) < 0)
		return rc;
	size_t follow = (size_t)adu[4] << 8 | adu[5]; /* unit id + PDU */
	if (follow < 2 || MBAP_LEN - 1 + follow > cap || MBAP_LEN - 1 + follow > MBF_MAX_ADU)
		return -EPROTO;
	if ((rc = recv_all(fd, adu + MBAP_LEN, follow - 1, deadline_ms)) < 0)
		return rc;
	return (int)(MBAP_LEN - 1 + follow);
}
