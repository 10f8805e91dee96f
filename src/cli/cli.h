/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CLI's one command table and the one signature every command has. src/cli/main.c parses
 * the global options (-c, --db), finds the command's row here, answers --help from the row
 * without running anything, loads the config once as the row asks, sets the site's time zone
 * once, names the database once, and calls the row's run(). See docs/internals/cli.md.
 */
#ifndef GREENDC_CLI_H
#define GREENDC_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct config;
struct cli_command;

/* What the dispatcher resolved for a command: read-only for the command. */
struct cli_ctx {
	const struct cli_command *cmd; /* the row being run (its name and help) */
	const char *config_path;       /* -c FILE, else /etc/greendc/greendc.yaml */
	bool config_given;             /* -c was given */
	struct config *cfg;            /* loaded as the row's `config` says; may be NULL */
	const char *db;                /* --db, else $GREENDC_DB, else cfg's storage.path; may
	                                  be NULL when none of them names one */
};

/* How much a command needs the config. */
enum cli_config_need {
	CLI_CONFIG_NONE,     /* reads none (check-config reads its FILE itself) */
	CLI_CONFIG_FOR_DB,   /* only to name the database: read when -c is given or neither
	                        --db nor $GREENDC_DB names one */
	CLI_CONFIG_OPTIONAL, /* used when there is one: -c FILE, else the default when it exists */
	CLI_CONFIG_REQUIRED, /* -c FILE, else the default; an error when it cannot be read */
};

/* One command: a row of cli_commands[]. */
struct cli_command {
	const char *name;
	const char *summary; /* one line for `greendc --help` */
	const char *help;    /* `greendc NAME --help`: "usage: ..." then options */
	enum cli_config_need config;
	bool needs_db; /* refuse to start (exit 1) when no database is named */
	/* argv[0] is the command name. Exit code: 0 ok, 1 runtime error, 2 usage (commands may
	 * add their own, documented in their help). */
	int (*run)(int argc, char **argv, const struct cli_ctx *ctx);
};

extern const struct cli_command cli_commands[]; /* ends with a row whose name is NULL */

/* The row named name, or NULL. */
const struct cli_command *cli_command_find(const char *name);

/* The command nearest to a mistyped name: the closest by edit distance (with transpositions)
 * when it is at most 1 for names up to 4 characters and 2 for longer ones, else the only
 * command the name begins; NULL when none is near. */
const struct cli_command *cli_command_suggest(const char *name);

/* Optimal string alignment distance (Levenshtein plus adjacent transpositions) between a and
 * b, for the suggestion above; strings longer than 63 bytes compare as far apart. */
unsigned cli_edit_distance(const char *a, const char *b);

/* Print the command's help text to f. */
void cli_help(const struct cli_command *cmd, FILE *f);

/* `greendc --help`: the synopsis, every command with its summary, the global options. */
void cli_overview(FILE *f);

#endif
