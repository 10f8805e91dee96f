/* SPDX-License-Identifier: Apache-2.0 */
/* setgroups/setgid/setuid in the only safe order, then prove the drop stuck. */
#include "core/privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int privdrop_lookup(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return -ENOENT;
	*uid = pw.pw_uid;
	*gid = pw.pw_gid;
	return 0;
}

int privdrop_to(const char *user, char *err, size_t errlen)
{
	uid_t uid;
	gid_t gid;
	if (privdrop_lookup(user, &uid, &gid) < 0) {
		snprintf(err, errlen, "no user \"%s\"", user);
		return -ENOENT;
	}
	if (uid == 0) {
		snprintf(err, errlen, "user \"%s\" is root", user);
		return -EPERM;
	}
	/* Groups first: after setuid we could no longer change them. */
	if (initgroups(user, gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
		int e = errno;
		snprintf(err, errlen, "cannot become %s: %s", user, strerror(e));
		return -e;
	}
	if (setuid(0) == 0 || geteuid() == 0) {
		snprintf(err, errlen, "root could be regained after dropping to %s", user);
		return -EPERM;
	}
	return 0;
}
