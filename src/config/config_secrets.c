/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The secrets check (config_secrets_check in config.h): every secret file the config names,
 * read once with the product's one secret-file reader, so `greendc check-config` and the
 * daemon's start and reload refuse a FIFO, a symlink, a world-readable key or a malformed
 * token hash with file:line, instead of the daemon finding out later on a worker thread (or
 * blocking on a FIFO) and quietly piling up the outbox.
 */
#include "config/config.h"

#include "core/secretfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct check_ctx {
	uid_t reader;
	struct config_diag *diag;
	unsigned problems;
};

static void check_one(void *vctx, const struct config_secret *s)
{
	struct check_ctx *c = vctx;
	char err[512], why[256];
	size_t cap = s->max_bytes ? s->max_bytes : 4096;
	char *buf = malloc(cap + 1);
	if (!buf) {
		config_diag_add(c->diag, s->file, s->line, "%s: out of memory", s->key);
		c->problems++;
		return;
	}
	int rc = secretfile_read_for(s->path, c->reader, buf, cap + 1, NULL, err, sizeof(err));
	if (rc == 0 && s->first_line) {
		buf[strcspn(buf, "\n")] = '\0';
		size_t l = strlen(buf);
		while (l > 0 && (buf[l - 1] == ' ' || buf[l - 1] == '\r' || buf[l - 1] == '\t'))
			buf[--l] = '\0';
		if (l == 0) {
			snprintf(err, sizeof(err), "%s: the first line is empty", s->path);
			rc = -1;
		}
	}
	const char *bad = NULL;
	if (rc == 0 && s->content_ok && (bad = s->content_ok(buf, why, sizeof(why)))) {
		snprintf(err, sizeof(err), "%s: %s", s->path, bad);
		rc = -1;
	}
	/* The secret itself goes no further than this buffer. */
	memset(buf, 0, cap + 1);
	free(buf);
	if (rc < 0) {
		config_diag_add(c->diag, s->file, s->line, "%s: %s", s->key, err);
		c->problems++;
	}
}

unsigned config_secrets_check(const struct config *cfg, const struct config_section *sections,
                              uid_t reader, struct config_diag *diag)
{
	struct check_ctx c = {.reader = reader, .diag = diag};
	for (const struct config_section *s = sections; s && s->key; s++)
		if (s->secrets)
			s->secrets(cfg, check_one, &c);
	return c.problems;
}
