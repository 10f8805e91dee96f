/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one reader of secret files for the whole product (webhook keys, chat robot URLs, SNMPv3
 * and Redfish credentials, TLS private keys, API token hashes, signing keys). A secret file
 * must be a regular file (not a FIFO, device, directory or symlink: it is opened with
 * O_NONBLOCK | O_NOFOLLOW so a FIFO can never block the caller), owned by the user reading it
 * or by root, readable by nobody else (no group or other permission bits), non-empty and at
 * most the caller's buffer in size. Errors name the file and what is wrong with it, never its
 * contents. Self-contained (libc only) so drivers link it too.
 */
#ifndef GREENDC_CORE_SECRETFILE_H
#define GREENDC_CORE_SECRETFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The whole file into buf (NUL-terminated; *outlen bytes, may be NULL). A file of len bytes
 * or more is refused as too large. 0, or -errno with a message in err. */
int secretfile_read(const char *path, char *buf, size_t len, size_t *outlen, char *err,
                    size_t errlen);

/* The first line of the file with trailing blanks removed (a key, a URL, a hash): refused
 * when that line is empty. 0, or -errno with a message in err. */
int secretfile_read_line(const char *path, char *buf, size_t len, char *err, size_t errlen);

/* Only the checks (type, owner, mode, size up to max_bytes), for check-config. 0 or -errno. */
int secretfile_check(const char *path, size_t max_bytes, char *err, size_t errlen);

/* secretfile_read on behalf of another user: root checking, before it drops privileges, the
 * files the daemon will read as `reader`. The file must then be owned by reader itself (a
 * root-owned file of mode 0600 could not be read by it); reader == geteuid() is
 * secretfile_read. */
int secretfile_read_for(const char *path, uid_t reader, char *buf, size_t len, size_t *outlen,
                        char *err, size_t errlen);

/* One "key: value" field of a credentials file. */
struct secretfile_field {
	const char *key;
	char *buf;     /* receives the value, NUL-terminated; "" when the file lacks it */
	size_t len;    /* size of buf */
	size_t min;    /* shortest value accepted, in bytes (at least 1) */
	bool required; /* a file without it is refused */
};

/* Parse a credentials file's text ("key: value" lines, # comments, blank lines; values
 * trimmed) into fields[0..n). An unknown key, a line without ':', a value outside
 * [min, len - 1] bytes or a missing required key is -EINVAL with the line (or key) named in
 * err, never a value. The SNMPv3 keys and the Redfish login are read with it. */
int secretfile_fields(const char *text, const struct secretfile_field *fields, size_t n, char *err,
                      size_t errlen);

#endif
