/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `cooling:` config section: the plant model the free-cooling calculator uses (economizer
 * type, piping, setpoints, approaches, the white space's ASHRAE class) and which stored series
 * give the outdoor conditions and the plant's actual state. Parsed by freecool_config.c onto
 * the config's arena; see docs/freecooling.md.
 */
#ifndef GREENDC_FREECOOL_CONFIG_H
#define GREENDC_FREECOOL_CONFIG_H

#include "analytics/freecool.h"

#include <stdbool.h>

/* The series of the section: each a glob over "device metric{labels}" as `greendc series`
 * prints it; several matching series are averaged (temperatures) or summed (powers). */
enum fc_series {
	FC_S_DRY_BULB,     /* outdoor dry-bulb, C */
	FC_S_RH,           /* outdoor RH, % */
	FC_S_DEW_POINT,    /* outdoor dew point, C (used when there is no RH) */
	FC_S_PRESSURE,     /* station pressure, Pa */
	FC_S_VALVE_PCT,    /* free-cooling valve / economizer share, % */
	FC_S_COMPRESSOR_W, /* chiller compressor power, W (summed) */
	FC_S_MODE,         /* plant cooling mode 0/1/2 */
	FC_S_COOLING_W,    /* cooling delivered, W (summed) */
	FC_S_IT_INLET,     /* IT inlet air temperature, C (each series checked) */
	FC_S_IT_RH,        /* room RH at the inlets, %: paired with an inlet by device */
	FC_S_COUNT
};

struct fc_config {
	struct fc_plant plant;
	struct fc_ctl_params ctl;
	enum fc_ashrae_class ashrae_class;
	bool allowable; /* envelope: allowable instead of recommended */
	bool derate;    /* altitude derating of the maximum inlet temperature */
	double derate_from_m;
	double altitude_m; /* NAN = the site's */
	double cop;        /* chiller COP for kWh estimates when no compressor power is metered */
	double rate_limit_k_per_h; /* 5 with tape drives, 20 otherwise */
	enum psychro_rh_ref rh_over;
	const char *series[FC_S_COUNT]; /* NULL = not configured */
	const char *file;
	int line;
};

/* Name of a series key in the config ("dry_bulb", "compressor_power_w", ...). */
const char *freecool_series_key(enum fc_series s);

/* Defaults for everything (no series): what the CLI uses without a cooling: section. */
void freecool_config_defaults(struct fc_config *fc);

struct ydoc;
struct config;
struct config_diag;
/* The config_sections[] entry points: parse the node into cfg->cooling; cross-check. */
void freecool_config_parse(struct ydoc *y, struct config *cfg, const char *path, void *node);
void freecool_config_validate(const struct config *cfg, struct config_diag *diag);

#endif
