/*
 * `greendc import` and `greendc export` (docs/import-export.md). src/greendc.c dispatches
 * here.
 */
#ifndef GREENDC_CLI_IMPORT_H
#define GREENDC_CLI_IMPORT_H

#include <stdbool.h>

/* argv[0] is "import" / "export". config_path is read when config_given or when it exists;
 * dbpath (may be NULL) overrides the config's storage.path. Exit codes: 0, 1 runtime error or
 * rejected rows, 2 usage. */
int cli_import_main(int argc, char **argv, const char *config_path, bool config_given,
                    const char *dbpath);
int cli_export_main(int argc, char **argv, const char *config_path, bool config_given,
                    const char *dbpath);

#endif
