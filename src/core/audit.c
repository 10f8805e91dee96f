/* SPDX-License-Identifier: Apache-2.0 */
/* Append-only JSON-lines audit log (see audit.h), built with cJSON so escaping is right. */
#include "core/audit.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

struct audit {
	int fd;
	pthread_mutex_t lock;
};

struct audit *audit_open(const char *path, char *err, unsigned errlen)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct audit *a = calloc(1, sizeof(*a));
	if (!a) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->fd = fd;
	pthread_mutex_init(&a->lock, NULL);
	return a;
}

void audit_close(struct audit *a)
{
	if (!a)
		return;
	close(a->fd);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

int audit_record(struct audit *a, const char *event, const char *subject, const char *object,
                 const char *result)
{
	if (!a)
		return 0;
	struct timeval tv;
	struct tm tm;
	char stamp[40];
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	size_t n = strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + n, sizeof(stamp) - n, ".%03ldZ", (long)(tv.tv_usec / 1000));

	cJSON *j = cJSON_CreateObject();
	if (!j)
		return -ENOMEM;
	cJSON_AddStringToObject(j, "time", stamp);
	cJSON_AddStringToObject(j, "event", event);
	cJSON_AddStringToObject(j, "subject", subject ? subject : "");
	cJSON_AddStringToObject(j, "object", object ? object : "");
	cJSON_AddStringToObject(j, "result", result ? result : "");
	char *line = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (!line)
		return -ENOMEM;
	size_t len = strlen(line);
	line[len] = '\n'; /* replaces the NUL; written with its length below */
	int rc = 0;
	pthread_mutex_lock(&a->lock);
	/* O_APPEND makes each record one atomic append on a local file system. */
	if (write(a->fd, line, len + 1) != (ssize_t)(len + 1))
		rc = -errno;
	pthread_mutex_unlock(&a->lock);
	free(line);
	return rc;
}
