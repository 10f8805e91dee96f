/*
 * The optional top-level config sections and the subsystems that own them (see struct
 * config_section in config.h). Add a row when a subsystem gains configuration.
 */
#include "config.h"
#include "energy.h"
#include "freecool_config.h"

#include <stddef.h>

const struct config_section config_sections[] = {
	{"cooling", freecool_config_parse, freecool_config_validate},
	{"energy", energy_config_parse, energy_config_validate},
	{NULL, NULL, NULL},
};
