/*
 * The top-level config sections of greendc and the subsystems that own them: the one place
 * that sees every subsystem's configuration (docs/architecture.md). The daemon and the CLI
 * load their config through here.
 */
#ifndef GREENDC_DAEMON_SECTIONS_H
#define GREENDC_DAEMON_SECTIONS_H

#include "config/config.h"

extern const struct config_section greendc_sections[]; /* terminated by a NULL key */

/* config_load with greendc's sections. */
struct config *greendc_config_load(const char *path, struct config_diag *diag);

#endif
