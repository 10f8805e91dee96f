/*
 * `greendc check-config` and `greendc backup`. check-config reads the file it is given with
 * the full diagnostics (every problem, file:line) and every driver's view of its devices, the
 * same validation the daemon runs before starting or reloading; backup copies the database
 * with the store's online backup.
 */
#include "cli/cli_admin.h"

#include "config/config.h"
#include "daemon/sections.h"
#include "ingest/driver_load.h"
#include "store/store.h"

#include <stdio.h>

int cli_check_config_main(int argc, char **argv, const struct cli_ctx *ctx)
{
	if (argc > 2) {
		cli_help(ctx->cmd, stderr);
		return 2;
	}
	const char *path = argc == 2 ? argv[1] : ctx->config_path;
	struct config_diag diag = {0};
	struct config *cfg = greendc_config_load(path, &diag);
	if (cfg) {
		struct driver_set *ds = driver_set_new(cfg->daemon.drivers_dir);
		driver_validate_config(ds, cfg, &diag);
		driver_set_free(ds);
	}
	if (diag.count) {
		fputs(diag.text, stderr);
		fprintf(stderr, "%s: %u problem%s\n", path, diag.count, diag.count == 1 ? "" : "s");
		config_free(cfg);
		return 1;
	}
	size_t points = 0;
	for (size_t i = 0; i < cfg->nprofiles; i++)
		points += cfg->profiles[i]->npoints;
	printf("%s: ok: site %s, %zu devices, %zu profiles (%zu points), store %s\n", path,
	       cfg->site.id, cfg->ndevices, cfg->nprofiles, points, cfg->storage.path);
	config_free(cfg);
	return 0;
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
