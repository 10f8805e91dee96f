/* SPDX-License-Identifier: Apache-2.0 */
/* sd_notify without libsystemd: a single sendto() on an AF_UNIX datagram socket. */
#include "core/sdnotify.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int sdnotify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len;

	if (!path || !*path)
		return 0;
	len = strlen(path);
	if (len >= sizeof(sa.sun_path) || (path[0] != '/' && path[0] != '@'))
		return -EINVAL;
	memcpy(sa.sun_path, path, len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0'; /* abstract namespace */
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ssize_t n = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa,
	                   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
	int rc = n < 0 ? -errno : 0;
	close(fd);
	return rc;
}

int64_t sdnotify_watchdog_ms(void)
{
	const char *s = getenv("WATCHDOG_USEC");
	if (!s)
		return 0;
	long long us = strtoll(s, NULL, 10);
	return us > 0 ? us / 1000 : 0;
}
