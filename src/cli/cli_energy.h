/*
 * The CLI's energy commands (`greendc pue`, `greendc kpi`): see cli_energy.c and
 * docs/energy.md. src/greendc.c dispatches here.
 */
#ifndef GREENDC_CLI_ENERGY_H
#define GREENDC_CLI_ENERGY_H

/* argv[0] is "pue" or "kpi". The energy model and timezone come from config_path; the
 * database is dbpath when not NULL, else the config's storage.path. Returns the exit code:
 * 0 ok, 1 runtime error or no publishable figure, 2 usage error. */
int cli_energy_main(int argc, char **argv, const char *config_path, const char *dbpath);

#endif
