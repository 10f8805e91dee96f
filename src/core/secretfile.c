/* The one reader of secret files: see secretfile.h. */
#include "core/secretfile.h"

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
