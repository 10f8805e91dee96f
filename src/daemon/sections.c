/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The optional top-level config sections and the subsystems that own them (see struct
 * config_section in config/config.h). Add a row when a subsystem gains configuration.
 */
#include "daemon/sections.h"

#include "analytics/capacity.h"
#include "analytics/energy.h"
#include "analytics/freecool_config.h"
#include "analytics/tariff.h"
#include "analytics/tenants.h"
#include "config/config.h"
#include "core/privdrop.h"
#include "delivery/alerts.h"
#include "delivery/outputs.h"
#include "delivery/report.h"
#include "http/http.h"

#include <stddef.h>
#include <string.h>
#include <unistd.h>

const struct config_section greendc_sections[] = {
        {"alerts", alerts_config_parse, alerts_config_validate, NULL},
        {"capacity", capacity_config_parse, capacity_config_validate, NULL},
        {"cooling", freecool_config_parse, freecool_config_validate, NULL},
        {"energy", energy_config_parse, energy_config_validate, NULL},
        {"outputs", outputs_config_parse, outputs_config_validate, outputs_config_secrets},
        {"reporting", report_config_parse, NULL, report_config_secrets},
        {"http", http_config_parse, NULL, http_config_secrets},
        {"tariffs", tariffs_config_parse, NULL, NULL},
        {"tenants", tenants_config_parse, tenants_config_validate, NULL},
        {NULL, NULL, NULL, NULL},
};

struct config *greendc_config_load(const char *path, struct config_diag *diag)
{
	return config_load(path, greendc_sections, diag);
}

uid_t greendc_secrets_reader(const struct config *cfg)
{
	if (geteuid() != 0)
		return geteuid();
	/* As root: the user the daemon drops to (daemon/start.c), or root when it cannot. */
	const char *user = cfg->daemon.user ? cfg->daemon.user : "greendc";
	uid_t uid;
	gid_t gid;
	if (strcmp(user, "root") == 0 || privdrop_lookup(user, &uid, &gid) < 0)
		return 0;
	return uid;
}

unsigned greendc_secrets_check(const struct config *cfg, struct config_diag *diag)
{
	return config_secrets_check(cfg, greendc_sections, greendc_secrets_reader(cfg), diag);
}

void greendc_config_warnings(const struct config *cfg, int64_t now_ms, struct config_diag *diag)
{
	report_config_warnings(cfg, now_ms, diag);
}
