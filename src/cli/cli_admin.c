/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `greendc check-config` and `greendc backup`. check-config reads the file it is given with
 * the full diagnostics (every problem, file:line), every driver's view of its devices and
 * every secret file it names, the same validation the daemon runs before starting or
 * reloading, and can write the systemd drop-in for serial devices; backup copies the database
 * with the store's online backup.
 */
#include "cli/cli_admin.h"

#include "config/config.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "daemon/sections.h"
#include "ingest/driver_load.h"
#include "store/store.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The serial device of an address ("rtu:/dev/ttyUSB0" and the like), into buf; false when it
 * names none. Any driver's address that names a path under /dev/ counts. */
static bool serial_device(const char *addr, char *buf, size_t len)
{
	const char *p = addr ? strstr(addr, "/dev/") : NULL;
	if (!p)
		return false;
	size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_.-");
	if (n <= 5 || n >= len)
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return true;
}

/* --systemd-dropin DIR: DIR/serial.conf gives greendcd.service the serial devices of the
 * config's devices and the dialout group; with none, the file is removed, so the service
 * keeps DevicePolicy=closed with no device and no extra group (systemd/greendcd.service.in).
 * 0, or 1 with the reason printed. */
static int write_dropin(const struct config *cfg, const char *dir)
{
	char path[PATH_MAX], tmp[PATH_MAX], dev[256];
	struct sbuf b = {0};
	size_t n = 0;
	snprintf(path, sizeof(path), "%s/serial.conf", dir);
	snprintf(tmp, sizeof(tmp), "%s/.serial.conf.tmp", dir);
	sbuf_puts(&b,
	          "# Written by `greendc check-config --systemd-dropin`: the serial devices of\n"
	          "# the configuration's Modbus RTU devices. Run it again after changing them,\n"
	          "# then `systemctl daemon-reload`.\n[Service]\nSupplementaryGroups=dialout\n");
	for (size_t i = 0; i < cfg->ndevices; i++) {
		if (!cfg->devices[i].enabled ||
		    !serial_device(cfg->devices[i].address, dev, sizeof(dev)))
			continue;
		sbuf_printf(&b, "DeviceAllow=%s rw\n", dev);
		n++;
	}
	if (n == 0) {
		sbuf_free(&b);
		if (unlink(path) < 0 && errno != ENOENT) {
			fprintf(stderr, "greendc check-config: %s: %s\n", path, strerror(errno));
			return 1;
		}
		printf("%s: no serial devices; no drop-in\n", path);
		return 0;
	}
	FILE *f = b.oom ? NULL : fopen(tmp, "we");
	bool ok = f && fwrite(b.s, 1, b.len, f) == b.len;
	ok = f && fclose(f) == 0 && ok;
	sbuf_free(&b);
	if (!ok || chmod(tmp, 0644) < 0 || rename(tmp, path) < 0) {
		fprintf(stderr, "greendc check-config: %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return 1;
	}
	printf("%s: %zu serial device%s and the dialout group\n", path, n, n == 1 ? "" : "s");
	return 0;
}

int cli_check_config_main(int argc, char **argv, const struct cli_ctx *ctx)
{
	static const struct option opts[] = {{"no-secrets", no_argument, NULL, 'n'},
	                                     {"systemd-dropin", required_argument, NULL, 'd'},
	                                     {"strict", no_argument, NULL, 's'},
	                                     {NULL, 0, NULL, 0}};
	bool secrets = true, strict = false;
	const char *dropin = NULL;
	int c;
	optind = 0; /* GNU getopt: reinitialise, then scan from argv[1] */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'n') {
			secrets = false;
		} else if (c == 's') {
			strict = true;
		} else if (c == 'd') {
			dropin = optarg;
		} else {
			cli_help(ctx->cmd, stderr);
			return 2;
		}
	}
	if (argc - optind > 1) {
		cli_help(ctx->cmd, stderr);
		return 2;
	}
	const char *path = optind < argc ? argv[optind] : ctx->config_path;
	struct config_diag diag = {0};
	struct config *cfg = greendc_config_load(path, &diag);
	if (cfg) {
		struct driver_set *ds = driver_set_new(cfg->daemon.drivers_dir);
		driver_validate_config(ds, cfg, &diag);
		driver_set_free(ds);
		if (secrets)
			greendc_secrets_check(cfg, &diag);
	}
	/* Warnings: valid, but short of what a regulator's report needs (errors with --strict). */
	struct config_diag warn = {0};
	if (cfg && !diag.count)
		greendc_config_warnings(cfg, util_wall_ms(), &warn);
	if (strict && warn.count) {
		fputs(warn.text, stderr);
		fprintf(stderr, "%s: %u problem%s (--strict)\n", path, warn.count,
		        warn.count == 1 ? "" : "s");
		config_free(cfg);
		return 1;
	}
	if (diag.count) {
		fputs(diag.text, stderr);
		fprintf(stderr, "%s: %u problem%s\n", path, diag.count, diag.count == 1 ? "" : "s");
		config_free(cfg);
		return 1;
	}
	if (warn.count) {
		/* "file:line: warning: key: ..." per line */
		for (const char *l = warn.text; *l;) {
			size_t n = strcspn(l, "\n");
			const char *colon = memchr(l, ':', n);
			colon = colon ? memchr(colon + 1, ':', (size_t)(l + n - colon - 1)) : NULL;
			if (colon)
				fprintf(stderr, "%.*s: warning:%.*s\n", (int)(colon - l), l,
				        (int)(l + n - colon - 1), colon + 1);
			else
				fprintf(stderr, "warning: %.*s\n", (int)n, l);
			l += n + (l[n] == '\n');
		}
	}
	size_t points = 0;
	for (size_t i = 0; i < cfg->nprofiles; i++)
		points += cfg->profiles[i]->npoints;
	printf("%s: ok: site %s, %zu devices, %zu profiles (%zu points), store %s%s\n", path,
	       cfg->site.id, cfg->ndevices, cfg->nprofiles, points, cfg->storage.path,
	       secrets ? "" : " (secret files not checked)");
	int rc = dropin ? write_dropin(cfg, dropin) : 0;
	config_free(cfg);
	return rc;
}

int cli_backup_main(int argc, char **argv, const struct cli_ctx *ctx)
{
	if (argc != 2) {
		cli_help(ctx->cmd, stderr);
		return 2;
	}
	char err[512];
	int rc = store_backup(ctx->db, argv[1], err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "greendc backup: %s\n", err);
		return 1;
	}
	printf("%s: backed up to %s (integrity ok)\n", ctx->db, argv[1]);
	return 0;
}
