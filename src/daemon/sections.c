/*
 * The optional top-level config sections and the subsystems that own them (see struct
 * config_section in config/config.h). Add a row when a subsystem gains configuration.
 */
#include "daemon/sections.h"

#include "analytics/energy.h"
#include "analytics/freecool_config.h"
#include "config/config.h"
#include "delivery/alerts.h"
#include "delivery/outputs.h"
#include "delivery/report.h"
#include "http/http.h"

#include <stddef.h>

const struct config_section greendc_sections[] = {
        {"alerts", alerts_config_parse, alerts_config_validate},
        {"cooling", freecool_config_parse, freecool_config_validate},
        {"energy", energy_config_parse, energy_config_validate},
        {"outputs", outputs_config_parse, outputs_config_validate},
        {"reporting", report_config_parse, NULL},
        {"http", http_config_parse, NULL},
        {NULL, NULL, NULL},
};

struct config *greendc_config_load(const char *path, struct config_diag *diag)
{
	return config_load(path, greendc_sections, diag);
}
