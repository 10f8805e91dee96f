/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The top-level config sections of greendc and the subsystems that own them: the one place
 * that sees every subsystem's configuration (docs/architecture.md). The daemon and the CLI
 * load their config through here.
 */
#ifndef GREENDC_DAEMON_SECTIONS_H
#define GREENDC_DAEMON_SECTIONS_H

#include "config/config.h"

#include <stdint.h>
#include <sys/types.h>

extern const struct config_section greendc_sections[]; /* terminated by a NULL key */

/* config_load with greendc's sections. */
struct config *greendc_config_load(const char *path, struct config_diag *diag);

/* The user greendcd reads its secrets as: this user, or, when this is root, the user the
 * daemon drops to (daemon.user, default "greendc"; root when there is none). */
uid_t greendc_secrets_reader(const struct config *cfg);

/* Check every secret file the config names (config_secrets_check) as that user reads them.
 * The number of problems, each in diag with file:line. */
unsigned greendc_secrets_check(const struct config *cfg, struct config_diag *diag);

/* What a valid config still lacks for its purpose, as of now_ms: the identity fields a
 * regulator's report requires, meters overdue for calibration (report_config_warnings).
 * `greendc check-config` prints them as warnings, or counts them as errors with --strict. */
void greendc_config_warnings(const struct config *cfg, int64_t now_ms, struct config_diag *diag);

#endif
