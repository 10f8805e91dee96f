/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Dropping root: a daemon started as root (by hand, or by an init system without User=)
 * switches to an unprivileged user before it opens the store or talks to any device.
 */
#ifndef GREENDC_PRIVDROP_H
#define GREENDC_PRIVDROP_H

#include <stddef.h>
#include <sys/types.h>

/* Look up user: 0 with uid/gid filled, -ENOENT if there is no such user. */
int privdrop_lookup(const char *user, uid_t *uid, gid_t *gid);

/* Become user (supplementary groups, gid, then uid) and check that root cannot be regained.
 * Only call as root. 0, or -errno with a message. */
int privdrop_to(const char *user, char *err, size_t errlen);

#endif
