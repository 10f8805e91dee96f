/* SPDX-License-Identifier: Apache-2.0 */
/*
 * greendc: the command-line tool. Validates configs and reads the store through read-only
 * connections (it never writes while the daemon runs; import and report --enqueue say when
 * they write).
 *
 *   greendc [-c FILE | --db PATH] COMMAND [ARGS]
 *
 * This file is the dispatcher: the global options, then the command's row in the one command
 * table (cli_commands.c). `COMMAND --help` prints the row's help and does nothing else; the
 * config is loaded once, as the row asks, the site's time zone is set once (the CLI is
 * single-threaded, so before any thread as time_zone_set() requires), the database is named
 * once, and the row's run() gets them in a struct cli_ctx.
 */
#include "cli/cli.h"

#include "config/config.h"
#include "core/timeutil.h"
#include "daemon/sections.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef GREENDC_VERSION
#define GREENDC_VERSION "unknown"
#endif

#define DEFAULT_CONFIG "/etc/greendc/greendc.yaml"

/* The global options into ctx and *db. -1 to go on with argv[optind] as the command, else
 * the exit code. */
static int parse_global(int argc, char **argv, struct cli_ctx *ctx, const char **db)
{
	/* --commands: the command names, one a line, for the man page test (not documented). */
	static const struct option opts[] = {
	        {"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'd'},
	        {"help", no_argument, NULL, 'h'},         {"version", no_argument, NULL, 'V'},
	        {"commands", no_argument, NULL, 'L'},     {NULL, 0, NULL, 0}};
	int c;
	/* "+": stop at the first non-option, the command parses its own options. */
	while ((c = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			ctx->config_path = optarg;
			ctx->config_given = true;
			break;
		case 'd':
			*db = optarg;
			break;
		case 'h':
			cli_overview(stdout);
			return 0;
		case 'V':
			printf("greendc %s\n", GREENDC_VERSION);
			return 0;
		case 'L':
			for (const struct cli_command *cmd = cli_commands; cmd->name; cmd++)
				puts(cmd->name);
			return 0;
		default:
			fprintf(stderr, "Run 'greendc --help' for the commands and options.\n");
			return 2;
		}
	}
	if (optind >= argc) {
		cli_overview(stderr);
		return 2;
	}
	return -1;
}

/* A mistyped command: the nearest one, not the whole usage. */
static int unknown_command(const char *name)
{
	const struct cli_command *near = cli_command_suggest(name);
	fprintf(stderr, "greendc: unknown command \"%s\"", name);
	if (near)
		fprintf(stderr, "; did you mean \"%s\"?", near->name);
	fprintf(stderr, "\nRun 'greendc --help' for the list of commands.\n");
	return 2;
}

/* -h or --help among the command's arguments (before a "--"). */
static bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	}
	return false;
}

/* Whether the row's command gets a config, given what the user said. */
static bool config_wanted(const struct cli_ctx *ctx, const char *db)
{
	switch (ctx->cmd->config) {
	case CLI_CONFIG_NONE:
		return false;
	case CLI_CONFIG_FOR_DB:
		return ctx->config_given || !db;
	case CLI_CONFIG_OPTIONAL:
		return ctx->config_given || access(ctx->config_path, F_OK) == 0;
	case CLI_CONFIG_REQUIRED:
		return true;
	}
	return true;
}

/* Load the config (once) as the row asks, set the site's zone, name the database: --db,
 * else $GREENDC_DB, else the config's storage.path. 0, or the exit code (said). */
static int ctx_resolve(struct cli_ctx *ctx, const char *db)
{
	const char *env = getenv("GREENDC_DB");
	if (!db && env && *env)
		db = env;
	if (config_wanted(ctx, db)) {
		struct config_diag diag = {0};
		ctx->cfg = greendc_config_load(ctx->config_path, &diag);
		if (!ctx->cfg) {
			fputs(diag.text, stderr);
			if (ctx->cmd->config == CLI_CONFIG_FOR_DB && !db)
				fprintf(stderr, "greendc: cannot find the database: give --db PATH "
				                "or -c FILE\n");
			return 1;
		}
		time_zone_set(ctx->cfg->site.timezone);
	}
	ctx->db = db ? db : ctx->cfg ? ctx->cfg->storage.path : NULL;
	if (ctx->cmd->needs_db && !ctx->db) {
		fprintf(stderr, "greendc %s: cannot find the database: give --db PATH or -c FILE\n",
		        ctx->cmd->name);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cli_ctx ctx = {.config_path = DEFAULT_CONFIG};
	const char *db = NULL;
	int rc = parse_global(argc, argv, &ctx, &db);
	if (rc >= 0)
		return rc;
	ctx.cmd = cli_command_find(argv[optind]);
	if (!ctx.cmd)
		return unknown_command(argv[optind]);
	int cargc = argc - optind;
	char **cargv = argv + optind;
	if (wants_help(cargc, cargv)) {
		cli_help(ctx.cmd, stdout);
		return 0;
	}
	rc = ctx_resolve(&ctx, db);
	if (rc == 0)
		rc = ctx.cmd->run(cargc, cargv, &ctx);
	config_free(ctx.cfg);
	return rc;
}
