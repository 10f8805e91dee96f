/*
 * greendc: the command-line tool. Validates configs and reads the store (read-only
 * connections; it never writes while the daemon runs).
 *
 *   greendc check-config FILE
 *   greendc [-c FILE | --db PATH] devices|series|query|tail ...
 */
#include "cli/cli_alerts.h"
#include "cli/cli_data.h"
#include "cli/cli_energy.h"
#include "cli/cli_freecool.h"
#include "cli/cli_import.h"
#include "cli/cli_report.h"
#include "config/config.h"
#include "daemon/sections.h"
#include "ingest/driver_load.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: greendc [-c FILE | --db PATH] COMMAND [ARGS]\n"
	        "commands:\n"
	        "  check-config [FILE]       validate a configuration, its profiles and drivers\n"
	        "  devices [--format F]      state of each device (up/down, last poll, errors)\n"
	        "  series [GLOB]             list stored series (\"device metric{labels}\")\n"
	        "  query SELECTOR --from T --to T --step D --agg A\n"
	        "                            aggregate series over time (table, csv or json)\n"
	        "  tail [GLOB]               print new samples as they are stored\n"
	        "  backup FILE               consistent online copy of the database (0600)\n"
	        "  pue --period P | --from T --to T [--by day]\n"
	        "                            categorised PUE from metered energy\n"
	        "  kpi --period P            PUE, pPUE, WUE, CUE, ERF, REF, CER, GB 40879 grade\n"
	        "  freecool --weather F.epw | --period YYYY-MM\n"
	        "                            free-cooling hours, what-if and schedule\n"
	        "  alerts [--recent N]       firing alerts and recent transitions\n"
	        "  report --month YYYY-MM|previous | --year YYYY [--format json|csv|html]\n"
	        "                            regulator report (zh/en HTML); --enqueue to send\n"
	        "  import [--mapping M] FILE|-  history from CSV (long or wide), staged, "
	        "idempotent\n"
	        "  export [SELECTOR] | --report P  series as CSV/JSON Lines; a period's audit "
	        "files\n"
	        "options:\n"
	        "  -c, --config FILE  configuration (default /etc/greendc/greendc.yaml); the\n"
	        "                     database is its storage.path\n"
	        "      --db PATH      read this database instead\n"
	        "Run 'greendc COMMAND --help' for a command's options.\n");
}

static int check_config(const char *path)
{
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

/* The database path from --db, else from the config's storage.path. */
static char *db_from(const char *db, const char *config_path)
{
	if (db)
		return strdup(db);
	const char *env = getenv("GREENDC_DB");
	if (env && *env)
		return strdup(env);
	struct config_diag diag = {0};
	struct config *cfg = greendc_config_load(config_path, &diag);
	if (!cfg) {
		fputs(diag.text, stderr);
		fprintf(stderr, "greendc: cannot find the database: give --db PATH or -c FILE\n");
		return NULL;
	}
	char *path = strdup(cfg->storage.path);
	config_free(cfg);
	return path;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
	                                     {"db", required_argument, NULL, 'd'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *config_path = "/etc/greendc/greendc.yaml", *db = NULL;
	bool config_given = false;
	int c;

	/* Stop at the first non-option: the command parses its own options. */
	while ((c = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			config_given = true;
			break;
		case 'd':
			db = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[optind];
	if (strcmp(cmd, "check-config") == 0) {
		if (optind + 1 < argc)
			return check_config(argv[optind + 1]);
		return check_config(config_path);
	}
	if (strcmp(cmd, "devices") == 0 || strcmp(cmd, "series") == 0 ||
	    strcmp(cmd, "query") == 0 || strcmp(cmd, "tail") == 0) {
		(void)config_given;
		for (int i = optind + 1; i < argc; i++)
			if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
				return cli_data_main(argc - optind, argv + optind, "");
		char *path = db_from(db, config_path);
		if (!path)
			return 1;
		int rc = cli_data_main(argc - optind, argv + optind, path);
		free(path);
		return rc;
	}
	if (strcmp(cmd, "report") == 0)
		return cli_report_main(argc - optind, argv + optind, config_path, db);
	if (strcmp(cmd, "alerts") == 0) {
		char *path = db_from(db, config_path);
		if (!path)
			return 1;
		int rc = cli_alerts_main(argc - optind, argv + optind, path);
		free(path);
		return rc;
	}
	if (strcmp(cmd, "freecool") == 0)
		return cli_freecool_main(argc - optind, argv + optind,
		                         config_given ? config_path : NULL, db);
	if (strcmp(cmd, "pue") == 0 || strcmp(cmd, "kpi") == 0) {
		const char *env = getenv("GREENDC_DB");
		return cli_energy_main(argc - optind, argv + optind, config_path,
		                       db ? db : (env && *env ? env : NULL));
	}
	if (strcmp(cmd, "import") == 0)
		return cli_import_main(argc - optind, argv + optind, config_path, config_given, db);
	if (strcmp(cmd, "export") == 0)
		return cli_export_main(argc - optind, argv + optind, config_path, config_given, db);
	if (strcmp(cmd, "backup") == 0) {
		if (optind + 2 != argc) {
			fprintf(stderr, "usage: greendc [-c FILE | --db PATH] backup FILE\n");
			return 2;
		}
		char *path = db_from(db, config_path);
		if (!path)
			return 1;
		char err[512];
		int rc = store_backup(path, argv[optind + 1], err, sizeof(err));
		if (rc < 0)
			fprintf(stderr, "greendc backup: %s\n", err);
		else
			printf("%s: backed up to %s (integrity ok)\n", path, argv[optind + 1]);
		free(path);
		return rc < 0 ? 1 : 0;
	}
	fprintf(stderr, "greendc: unknown command \"%s\"\n", cmd);
	usage(stderr);
	return 2;
}
