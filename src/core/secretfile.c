/* SPDX-License-Identifier: Apache-2.0 */
/* The one reader of secret files: see secretfile.h. */
#include "core/secretfile.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Open path for reading a secret that reader will read and check what it is; returns the fd
 * or -errno. */
static int open_checked(const char *path, uid_t reader, size_t max_bytes, char *err, size_t errlen)
{
	if (!path || !*path) {
		snprintf(err, errlen, "no secret file named");
		return -EINVAL;
	}
	/* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		int e = errno;
		if (e == ELOOP)
			snprintf(err, errlen, "%s: is a symbolic link; name the file itself", path);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	struct stat sb;
	const char *why = NULL;
	char buf[128];
	if (fstat(fd, &sb) < 0)
		why = strerror(errno);
	else if (S_ISDIR(sb.st_mode))
		why = "is a directory, not a file";
	else if (!S_ISREG(sb.st_mode))
		why = "is not a regular file (a FIFO, socket or device)";
	else if (reader == geteuid() && sb.st_uid != reader && sb.st_uid != 0) {
		snprintf(buf, sizeof(buf), "is owned by uid %u, neither this user (%u) nor root",
		         (unsigned)sb.st_uid, (unsigned)reader);
		why = buf;
	} else if (reader != geteuid() && sb.st_uid != reader) {
		snprintf(buf, sizeof(buf),
		         "is owned by uid %u, but the daemon runs as uid %u and could not read it",
		         (unsigned)sb.st_uid, (unsigned)reader);
		why = buf;
	} else if (sb.st_mode & 077) {
		snprintf(buf, sizeof(buf),
		         "mode %04o lets group or others read it; chmod 600 (or 400) it",
		         (unsigned)(sb.st_mode & 07777));
		why = buf;
	} else if (sb.st_size == 0)
		why = "is empty";
	else if ((unsigned long long)sb.st_size > max_bytes) {
		snprintf(buf, sizeof(buf), "is larger than %zu bytes", max_bytes);
		why = buf;
	}
	if (why) {
		snprintf(err, errlen, "%s: %s", path, why);
		close(fd);
		return -EPERM;
	}
	return fd;
}

int secretfile_check(const char *path, size_t max_bytes, char *err, size_t errlen)
{
	int fd = open_checked(path, geteuid(), max_bytes, err, errlen);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

int secretfile_read(const char *path, char *buf, size_t len, size_t *outlen, char *err,
                    size_t errlen)
{
	return secretfile_read_for(path, geteuid(), buf, len, outlen, err, errlen);
}

int secretfile_read_for(const char *path, uid_t reader, char *buf, size_t len, size_t *outlen,
                        char *err, size_t errlen)
{
	if (len < 2) {
		snprintf(err, errlen, "%s: no room to read it", path ? path : "");
		return -EINVAL;
	}
	int fd = open_checked(path, reader, len - 1, err, errlen);
	if (fd < 0)
		return fd;
	size_t n = 0;
	for (;;) {
		/* One byte more than fits tells a file that grew since fstat. */
		ssize_t r = read(fd, buf + n, len - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			snprintf(err, errlen, "%s: %s", path, strerror(e));
			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n >= len) {
			snprintf(err, errlen, "%s: is larger than %zu bytes", path, len - 1);
			close(fd);
			buf[0] = '\0';
			return -EFBIG;
		}
	}
	close(fd);
	buf[n] = '\0';
	if (memchr(buf, '\0', n)) {
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		buf[0] = '\0';
		return -EINVAL;
	}
	if (outlen)
		*outlen = n;
	return 0;
}

int secretfile_read_line(const char *path, char *buf, size_t len, char *err, size_t errlen)
{
	int rc = secretfile_read(path, buf, len, NULL, err, errlen);
	if (rc < 0)
		return rc;
	char *nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	size_t l = strlen(buf);
	while (l > 0 && (buf[l - 1] == ' ' || buf[l - 1] == '\r' || buf[l - 1] == '\t'))
		buf[--l] = '\0';
	if (l == 0) {
		snprintf(err, errlen, "%s: the first line is empty", path);
		return -EINVAL;
	}
	return 0;
}

/* The names of the fields, "a, b", for messages. */
static void field_names(const struct secretfile_field *f, size_t n, char *buf, size_t len)
{
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? ", " : "", f[i].key);
}

int secretfile_fields(const char *text, const struct secretfile_field *f, size_t n, char *err,
                      size_t errlen)
{
	int lineno = 0;
	char names[128];

	field_names(f, n, names, sizeof(names));
	for (size_t i = 0; i < n; i++)
		f[i].buf[0] = '\0';
	while (*text) {
		const char *eol = strchr(text, '\n');
		size_t len = eol ? (size_t)(eol - text) : strlen(text);
		const char *s = text, *e = text + len;

		lineno++;
		text = eol ? eol + 1 : text + len;
		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (s == e || *s == '#')
			continue;
		const char *colon = memchr(s, ':', (size_t)(e - s));
		if (!colon) {
			snprintf(err, errlen, "secrets file line %d: expected \"key: value\"",
			         lineno);
			return -EINVAL;
		}
		size_t klen = (size_t)(colon - s);
		const char *v = colon + 1;
		while (v < e && isspace((unsigned char)*v))
			v++;
		size_t vlen = (size_t)(e - v), i;
		for (i = 0; i < n; i++)
			if (strlen(f[i].key) == klen && memcmp(s, f[i].key, klen) == 0)
				break;
		if (i == n) {
			snprintf(err, errlen, "secrets file line %d: unknown key (%s)", lineno,
			         names);
			return -EINVAL;
		}
		size_t min = f[i].min ? f[i].min : 1;
		if (vlen < min || vlen >= f[i].len) {
			snprintf(err, errlen, "secrets file line %d: %s must be %zu to %zu bytes",
			         lineno, f[i].key, min, f[i].len - 1);
			return -EINVAL;
		}
		memcpy(f[i].buf, v, vlen);
		f[i].buf[vlen] = '\0';
	}
	for (size_t i = 0; i < n; i++)
		if (f[i].required && !f[i].buf[0]) {
			snprintf(err, errlen, "secrets file lacks %s", f[i].key);
			return -EINVAL;
		}
	return 0;
}
