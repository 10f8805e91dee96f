/*
 * The optional top-level config sections and the subsystems that own them (see struct
 * config_section in config.h). Add a row when a subsystem gains configuration.
 */
#include "config.h"

#include <stddef.h>

const struct config_section config_sections[] = {
	{NULL, NULL, NULL},
};
