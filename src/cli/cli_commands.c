/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The table of greendc's commands: name, one-line summary, help text, what each needs (config,
 * database) and the function that runs it. The dispatcher (main.c), `greendc --help`,
 * `greendc help`, the "did you mean" of a mistyped command and the man page test
 * (test/integration/test_man_commands.sh) all read this one table. Add a command here.
 */
#include "cli/cli.h"

#include "cli/cli_admin.h"
#include "cli/cli_alerts.h"
#include "cli/cli_data.h"
#include "cli/cli_energy.h"
#include "cli/cli_freecool.h"
#include "cli/cli_import.h"
#include "cli/cli_report.h"
#include "cli/cli_tenants.h"

#include <string.h>

#define CLI_GLOBAL "greendc [-c FILE | --db PATH] "

static int help_main(int argc, char **argv, const struct cli_ctx *ctx);

const struct cli_command cli_commands[] = {
        {"check-config", "validate a configuration, its profiles and drivers",
         "usage: greendc check-config [--no-secrets] [--strict] [--systemd-dropin DIR]\n"
         "         [FILE]\n"
         "       greendc -c FILE check-config\n"
         "Validate FILE (default: -c FILE, else /etc/greendc/greendc.yaml), its conf.d/\n"
         "files, every profile it names, every driver's view of its devices and every\n"
         "secret file it names (as the daemon's user will read them), without starting\n"
         "anything. Problems are printed as file:line: key: problem.\n"
         "  --no-secrets          do not check the secret files (a config checked on\n"
         "                        another machine than the one that runs it)\n"
         "  --systemd-dropin DIR  write DIR/serial.conf giving greendcd.service the serial\n"
         "                        devices of Modbus RTU devices and the dialout group\n"
         "                        (removed when there are none)\n"
         "  --strict              count the warnings as problems: identity fields a\n"
         "                        regulator's report requires, meters overdue for\n"
         "                        calibration (reporting:)\n"
         "Exit 0 when valid (warnings are printed), 1 when not.\n",
         CLI_CONFIG_NONE, false, cli_check_config_main},
        {"devices", "state of each device (up/down, last poll, errors, backoff)",
         "usage: " CLI_GLOBAL "devices [--format table|csv|json]\n"
         "The state of each device as the daemon last recorded it: up or down, the last\n"
         "good poll, poll duration, errors, the current interval (backoff included) and\n"
         "the last error. With a config, every configured device is listed: \"unknown\"\n"
         "before its first poll, \"disabled\" with enabled: false; with --db alone, every\n"
         "device the store has a row for.\n",
         CLI_CONFIG_FOR_DB, true, cli_devices_main},
        {"series", "list stored series (\"device metric{labels}\")",
         "usage: " CLI_GLOBAL "series [GLOB] [--format table|csv|json]\n"
         "The stored series whose name \"device metric{labels}\" matches GLOB (shell\n"
         "wildcards; default every series), with their id and kind (gauge or counter).\n",
         CLI_CONFIG_FOR_DB, true, cli_series_main},
        {"query", "aggregate series over time (table, csv or json)",
         "usage: " CLI_GLOBAL "query SELECTOR [--from T] [--to T]\n"
         "         [--step DUR|raw] [--agg avg|min|max|sum|last|count|delta]\n"
         "         [--format table|csv|json]\n"
         "  SELECTOR  a series id or a glob over \"device metric{labels}\"\n"
         "  T         ISO 8601 (2026-10-01, 2026-10-01T12:00:00Z, ...+08:00) or now,\n"
         "            -1h, -30d (default: the last hour)\n"
         "  DUR       10s, 1m, 1h, 1d; raw for the samples themselves (default 1m)\n"
         "  --agg     per bucket; delta is a counter's increase (default avg)\n"
         "Empty buckets are not printed: gaps stay gaps. Times are printed in UTC.\n",
         CLI_CONFIG_FOR_DB, true, cli_query_main},
        {"tail", "print new samples as they are stored",
         "usage: " CLI_GLOBAL "tail [GLOB] [--count N] [--timeout DUR]\n"
         "Print samples of the series matching GLOB as the daemon commits them, until\n"
         "interrupted, N samples were printed, or DUR (10s, 1m, ...) has passed.\n",
         CLI_CONFIG_FOR_DB, true, cli_tail_main},
        {"backup", "consistent online copy of the database (0600)",
         "usage: " CLI_GLOBAL "backup FILE\n"
         "Copy the database to FILE (mode 0600) with SQLite's online backup, safe while\n"
         "the daemon runs, then check the copy's integrity. FILE must not exist.\n",
         CLI_CONFIG_FOR_DB, true, cli_backup_main},
        {"pue", "categorised PUE from metered energy",
         "usage: " CLI_GLOBAL "pue (--period P | --from T --to T)\n"
         "         [--by 15min|hour|day|month] [--format table|csv|json]\n"
         "       " CLI_GLOBAL "pue --interim [--format table|csv|json]\n"
         "PUE (ISO/IEC 30134-2) with its category, period, coverage and status, from the\n"
         "energy model of the config's energy: section. A figure that fails validation is\n"
         "printed as an error with its reason, never as a number.\n"
         "  P          a period in the site's time zone: 2026, 2026-10 or 2026-10-05, or\n"
         "             today or month (the one running now, labelled in progress)\n"
         "  T          ISO 8601 (no zone = UTC) on an hour boundary\n"
         "  --by       one row per 15 min, hour, day or month of the period\n"
         "  --interim  a power ratio over the last 15 minutes, not an energy PUE\n"
         "Exit 1 also when no publishable figure results.\n",
         CLI_CONFIG_REQUIRED, true, cli_energy_main},
        {"kpi", "PUE, pPUE, WUE, CUE, ERF, REF, CER, GB 40879 grade",
         "usage: " CLI_GLOBAL "kpi (--period P | --from T --to T)\n"
         "         [--by 15min|hour|day|month] [--format table|csv|json]\n"
         "The ISO/IEC 30134 KPIs of the energy model over a period (PUE, pPUE, WUE, CUE,\n"
         "ERF, REF, CER) and the GB 40879 energy-efficiency grade, each with its status;\n"
         "a KPI the site cannot compute is printed as n/a with the reason.\n"
         "  P     a period in the site's time zone: 2026, 2026-10 or 2026-10-05, or\n"
         "        today or month (the one running now, labelled in progress)\n"
         "  T     ISO 8601 (no zone = UTC) on an hour boundary\n"
         "  --by  one row per 15 min, hour, day or month of the period\n",
         CLI_CONFIG_REQUIRED, true, cli_energy_main},
        {"freecool", "free-cooling hours: what-if on a weather year, or stored data",
         "usage: greendc [-c FILE] freecool --weather FILE.epw [options]\n"
         "       " CLI_GLOBAL "freecool\n"
         "         (--period YYYY-MM | --from T --to T) [options]\n"
         "Free-cooling hours available and used, missed hours and kWh: over a typical\n"
         "weather year (what-if, with a recommended schedule) or over the site's stored\n"
         "series.\n"
         "plant (override the config's cooling: section):\n"
         "  --economizer T       tower (default), dry-cooler, direct-air, indirect-air,\n"
         "                       indirect-evap\n"
         "  --piping P           integrated (default) or parallel\n"
         "  --chws C --chwr C    chilled-water supply setpoint / return (15 / 21)\n"
         "  --supply-air C --return-air C   airside setpoints (24 / 36)\n"
         "  --approach-tower K --approach-hx K --approach-dry K --approach-air K\n"
         "  --effectiveness E    indirect evaporative effectiveness (0.7)\n"
         "  --tower-min C        tower water freeze floor (none)\n"
         "  --altitude M         standard-atmosphere pressure at M metres instead of the\n"
         "                       file's station pressure\n"
         "  --class A1..A4|H1 --allowable --derate   IT inlet envelope (A1 recommended)\n"
         "what-if:\n"
         "  --steps N            setpoint steps of 1 K (10, at most 30)\n"
         "  --cooling-kw KW      cooling load for kWh figures (else the stored mean)\n"
         "  --cop X              chiller COP for kWh figures (5)\n"
         "stored data:\n"
         "  --period YYYY-MM | --from T --to T   interval (site local months and days)\n"
         "  --step DUR           interval the series are averaged over (1m)\n"
         "  --format table|csv|json\n",
         CLI_CONFIG_OPTIONAL, false, cli_freecool_main},
        {"alerts", "firing alerts and recent transitions",
         "usage: " CLI_GLOBAL "alerts [--recent N] [--format table|json]\n"
         "The alerts firing now and the last N transitions (default 20), as the daemon's\n"
         "alert engine recorded them.\n",
         CLI_CONFIG_FOR_DB, true, cli_alerts_main},
        {"report", "regulator report (JSON, CSV, zh/en HTML and PDF), signed; verify",
         "usage: " CLI_GLOBAL "report\n"
         "         (--month YYYY-MM|previous | --year YYYY|previous)\n"
         "         [--format json|csv|html|pdf] [--lang zh|en] [--output FILE]\n"
         "         [--signature FILE] [--out-dir DIR] [--enqueue] [--require-complete]\n"
         "         [--no-sign]\n"
         "       greendc report verify FILE.json SIG [--public-key PUB]\n"
         "       greendc report keygen --out FILE\n"
         "The monthly (or annual) regulator report on demand: identity, metering register,\n"
         "data-quality evidence, KPIs with their inputs, charts. With reporting.signing_key\n"
         "the report carries its key and is signed (Ed25519 over the JSON's exact bytes).\n"
         "  --output FILE       write there instead of stdout (a JSON file gets FILE.sig)\n"
         "  --signature FILE    write the detached signature there\n"
         "  --out-dir DIR       write the whole set: JSON (+ .sig), PDF and HTML in zh and\n"
         "                      en, CSV, named after the report ID and revision\n"
         "  --enqueue           also store it and queue it in the outbox for every report\n"
         "                      target (the daemon delivers it with its signature)\n"
         "  --require-complete  exit 3 when coverage is below the threshold\n"
         "  --no-sign           do not sign even with reporting.signing_key\n"
         "verify: exit 0 when SIG is a good signature of FILE.json by PUB, else by the key\n"
         "  the report embeds (compare its fingerprint with the site's); 1 otherwise.\n"
         "keygen: a new Ed25519 key: FILE (private, 0600) and FILE.pub.\n",
         CLI_CONFIG_OPTIONAL, false, cli_report_main},
        {"statement", "tenants' monthly kWh statements (tariff periods, peak, cost)",
         "usage: " CLI_GLOBAL "statement --month YYYY-MM|previous\n"
         "         [--tenant T] [--format json|csv|html|pdf] [--lang en|zh]\n"
         "         [--output FILE] [--threads N]\n"
         "Each tenant's electricity statement for a month in site time: kWh by tariff\n"
         "period (tariffs: section), peak demand (highest 15-minute mean kW) and when,\n"
         "cost, facility overhead by the month's PUE where the tenant asks for it (shown\n"
         "apart), the racks and outlets billed, coverage and status, and a check that\n"
         "each PDU's outlets add up to its input meter within its stated accuracy.\n"
         "  --tenant T   only tenant T (default: every tenant of the tenants: section)\n"
         "  --format     json (default), csv line items, html (a page per tenant), pdf\n"
         "               (through the reports engine; needs --output)\n"
         "  --threads N  read the store with N connections at once (default: the CPUs,\n"
         "               2 to 4)\n"
         "A month in progress or a failed meter check is said on stderr; exit 0.\n",
         CLI_CONFIG_REQUIRED, true, cli_statement_main},
        {"energy", "energy per outlet, rack, row, hall or tenant per interval",
         "usage: " CLI_GLOBAL "energy [--group outlet|rack|row|hall|tenant]\n"
         "         (--period P | --from T --to T) [--by 15min|hour|day|month]\n"
         "         [--name NAME] [--format table|csv|json]\n"
         "kWh per group and interval from outlet or rack counters where the PDUs have\n"
         "them, else integrated power (derived, estimated), with coverage and status\n"
         "by the rules of the site PUE (docs/energy.md).\n"
         "  --group   default rack; outlets are named RACK/FEED/OUTLET, rows HALL/ROW\n"
         "  --name    one group only (for --group outlet: the outlets of that rack)\n"
         "  P         2026, 2026-10 or 2026-10-05 in site time; T ISO 8601 (no zone = UTC)\n",
         CLI_CONFIG_REQUIRED, true, cli_group_energy_main},
        {"capacity", "rack and PDU headroom, peaks, phase imbalance, A/B redundancy",
         "usage: " CLI_GLOBAL "capacity [--window DUR] [--to T]\n"
         "         [--format table|csv|json]\n"
         "Per rack and PDU: the rated capacity derated (capacity: section, 80 % by\n"
         "default), the highest 1-minute and 15-minute mean power over the window\n"
         "(default capacity.window, 24h) ending at T (default now), headroom, phase\n"
         "imbalance, and for dual-fed racks whether each feed alone could carry the\n"
         "rack's measured peak. Racks over a limit or at risk are counted on stderr.\n",
         CLI_CONFIG_REQUIRED, true, cli_capacity_main},
        {"import", "history from CSV (long or wide), staged, idempotent",
         "usage: " CLI_GLOBAL "import [--format long|wide]\n"
         "         [--mapping FILE]\n"
         "         [--tz ZONE] [--on-overlap keep-live|keep-imported] [--interval-end]\n"
         "         [--dry-run] FILE|-\n"
         "  long: header timestamp,device,metric,value[,labels][,unit]; labels k=v;k=v\n"
         "  wide: timestamp column plus one column per series, mapped by --mapping\n"
         "  timestamps without an offset are in --tz (default: site.timezone, else UTC)\n"
         "  --interval-end: a reading stamped 00:00 closes the interval before it (meter\n"
         "  and utility-bill readings): stored 1 ms earlier so its energy counts there\n"
         "  the daemon must not be running on the database\n",
         CLI_CONFIG_OPTIONAL, false, cli_import_main},
        {"export", "series as CSV/JSON Lines; a period's audit files",
         "usage: " CLI_GLOBAL "export [SELECTOR] [--from T] [--to T]\n"
         "         [--step raw|DUR] [--agg avg|min|max|sum|last|count|delta]\n"
         "         [--format csv|jsonl] [--output FILE]\n"
         "       greendc -c FILE export --report PERIOD [--out-dir DIR]\n"
         "  SELECTOR is a glob over \"device metric{labels}\" (default: every series)\n"
         "  raw CSV is the import's long format: an export re-imports as it is\n"
         "  --report writes the rows behind the period's KPIs to DIR (3 CSV files)\n",
         CLI_CONFIG_OPTIONAL, false, cli_export_main},
        {"help", "print a command's help, or this list",
         "usage: greendc help [COMMAND]\n"
         "The help of COMMAND (as greendc COMMAND --help prints it), or the list of\n"
         "commands.\n",
         CLI_CONFIG_NONE, false, help_main},
        {NULL, NULL, NULL, CLI_CONFIG_NONE, false, NULL},
};

const struct cli_command *cli_command_find(const char *name)
{
	for (const struct cli_command *c = cli_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

unsigned cli_edit_distance(const char *a, const char *b)
{
	enum { MAXLEN = 63 };
	size_t m = strlen(a), n = strlen(b);
	if (m > MAXLEN || n > MAXLEN)
		return 1000;
	/* d[i][j]: distance between the first i bytes of a and the first j of b. */
	unsigned d[MAXLEN + 1][MAXLEN + 1];
	for (size_t i = 0; i <= m; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= n; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= m; i++) {
		for (size_t j = 1; j <= n; j++) {
			unsigned cost = a[i - 1] != b[j - 1];
			unsigned best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < best)
				best = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[m][n];
}

const struct cli_command *cli_command_suggest(const char *name)
{
	const struct cli_command *best = NULL, *prefixed = NULL;
	unsigned best_d = strlen(name) <= 4 ? 2 : 3; /* one more than allowed */
	size_t nprefixed = 0, len = strlen(name);
	for (const struct cli_command *c = cli_commands; c->name; c++) {
		unsigned d = cli_edit_distance(name, c->name);
		if (d < best_d) {
			best_d = d;
			best = c;
		}
		if (len >= 2 && strncmp(c->name, name, len) == 0) {
			prefixed = c;
			nprefixed++;
		}
	}
	if (best)
		return best;
	return nprefixed == 1 ? prefixed : NULL;
}

void cli_help(const struct cli_command *cmd, FILE *f)
{
	fputs(cmd->help, f);
}

/* `greendc help [COMMAND]`. */
static int help_main(int argc, char **argv, const struct cli_ctx *ctx)
{
	(void)ctx;
	if (argc > 2) {
		cli_help(cli_command_find("help"), stderr);
		return 2;
	}
	if (argc == 1) {
		cli_overview(stdout);
		return 0;
	}
	const struct cli_command *c = cli_command_find(argv[1]);
	if (!c) {
		const struct cli_command *near = cli_command_suggest(argv[1]);
		fprintf(stderr, "greendc help: no command \"%s\"", argv[1]);
		if (near)
			fprintf(stderr, "; did you mean \"%s\"?", near->name);
		fputc('\n', stderr);
		return 2;
	}
	cli_help(c, stdout);
	return 0;
}

void cli_overview(FILE *f)
{
	fprintf(f, "usage: greendc [-c FILE | --db PATH] COMMAND [ARGS]\n"
	           "commands:\n");
	for (const struct cli_command *c = cli_commands; c->name; c++)
		fprintf(f, "  %-13s %s\n", c->name, c->summary);
	fprintf(f, "options:\n"
	           "  -c, --config FILE  configuration (default /etc/greendc/greendc.yaml); the\n"
	           "                     database is its storage.path\n"
	           "      --db PATH      read this database instead (also $GREENDC_DB)\n"
	           "  -V, --version      print the version and exit\n"
	           "  -h, --help         print this list and exit\n"
	           "Run 'greendc COMMAND --help' for a command's options.\n");
}
