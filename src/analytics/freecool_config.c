/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parser of the `cooling:` section (freecool_config.h). Setpoints and approaches default to
 * freecool_plant_defaults(); every value is range-checked with file:line, and series globs
 * naming a device (no wildcard in the device part) must name a configured device.
 */
#include "analytics/freecool_config.h"
#include "config/config.h"
#include "config/config_yaml.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const char *const series_keys[FC_S_COUNT] = {
        [FC_S_DRY_BULB] = "dry_bulb",          [FC_S_RH] = "rh",
        [FC_S_DEW_POINT] = "dew_point",        [FC_S_PRESSURE] = "pressure",
        [FC_S_VALVE_PCT] = "free_cooling_pct", [FC_S_COMPRESSOR_W] = "compressor_power_w",
        [FC_S_MODE] = "cooling_mode",          [FC_S_COOLING_W] = "cooling_power_w",
        [FC_S_IT_INLET] = "it_inlet",          [FC_S_IT_RH] = "it_rh",
};

const char *freecool_series_key(enum fc_series s)
{
	return (unsigned)s < FC_S_COUNT ? series_keys[s] : NULL;
}

void freecool_config_defaults(struct fc_config *fc)
{
	memset(fc, 0, sizeof(*fc));
	freecool_plant_defaults(&fc->plant);
	freecool_ctl_defaults(&fc->ctl);
	fc->ashrae_class = FC_A1;
	fc->derate_from_m = 900.0;
	fc->altitude_m = NAN;
	fc->cop = 5.0;
	fc->rate_limit_k_per_h = 20.0;
	fc->rh_over = PSYCHRO_RH_ICE;
}

/* A number within [lo, hi] into *out. */
static void want_range(struct ydoc *y, yaml_node_t *v, const char *path, double lo, double hi,
                       double *out)
{
	double d;

	if (!ywant_double(y, v, path, &d))
		return;
	if (d < lo || d > hi) {
		yerr(y, v, path, "%g is out of range %g..%g", d, lo, hi);
		return;
	}
	*out = d;
}

static void series_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                        yaml_node_t *knode, yaml_node_t *v)
{
	struct fc_config *fc = ctx;

	(void)knode;
	if (strcmp(key, "rh_over") == 0) {
		const char *s = ywant_string(y, v, path);

		if (s && strcmp(s, "ice") == 0)
			fc->rh_over = PSYCHRO_RH_ICE;
		else if (s && strcmp(s, "water") == 0)
			fc->rh_over = PSYCHRO_RH_WATER;
		else if (s)
			yerr(y, v, path, "expected ice or water");
		return;
	}
	for (unsigned i = 0; i < FC_S_COUNT; i++)
		if (strcmp(key, series_keys[i]) == 0) {
			const char *s = ywant_string(y, v, path);

			if (s && (!strchr(s, ' ') || strlen(s) > 200))
				yerr(y, v, path,
				     "expected \"DEVICE METRIC\" (globs allowed, as `greendc "
				     "series` "
				     "prints them)");
			else
				fc->series[i] = s;
			return;
		}
}

static void cooling_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                         yaml_node_t *knode, yaml_node_t *v)
{
	static const char *const outdoor_keys[] = {"dry_bulb",  "rh",       "rh_over",
	                                           "dew_point", "pressure", NULL};
	static const char *const plant_keys[] = {"free_cooling_pct",
	                                         "compressor_power_w",
	                                         "cooling_mode",
	                                         "cooling_power_w",
	                                         "it_inlet",
	                                         "it_rh",
	                                         NULL};
	struct fc_config *fc = ctx;
	struct fc_plant *p = &fc->plant;
	int64_t ms;
	const char *s;

	(void)knode;
	if (strcmp(key, "economizer") == 0) {
		s = ywant_string(y, v, path);
		if (s && freecool_economizer_parse(s, &p->type) < 0)
			yerr(y, v, path,
			     "expected direct-air, indirect-air, indirect-evap, tower or "
			     "dry-cooler");
	} else if (strcmp(key, "piping") == 0) {
		s = ywant_string(y, v, path);
		if (s && strcmp(s, "integrated") == 0)
			p->piping = FC_INTEGRATED;
		else if (s && strcmp(s, "parallel") == 0)
			p->piping = FC_PARALLEL;
		else if (s)
			yerr(y, v, path, "expected integrated or parallel");
	} else if (strcmp(key, "chw_supply_c") == 0) {
		want_range(y, v, path, 4, 30, &p->chws_c);
	} else if (strcmp(key, "chw_return_c") == 0) {
		want_range(y, v, path, 5, 40, &p->chwr_c);
	} else if (strcmp(key, "supply_air_c") == 0) {
		want_range(y, v, path, 10, 35, &p->supply_air_c);
	} else if (strcmp(key, "return_air_c") == 0) {
		want_range(y, v, path, 15, 50, &p->return_air_c);
	} else if (strcmp(key, "approach_tower_k") == 0) {
		want_range(y, v, path, 0, 15, &p->approach_tower_k);
	} else if (strcmp(key, "approach_hx_k") == 0) {
		want_range(y, v, path, 0, 10, &p->approach_hx_k);
	} else if (strcmp(key, "approach_dry_k") == 0) {
		want_range(y, v, path, 0, 20, &p->approach_dry_k);
	} else if (strcmp(key, "approach_air_k") == 0) {
		want_range(y, v, path, 0, 20, &p->approach_air_k);
	} else if (strcmp(key, "evap_effectiveness") == 0) {
		want_range(y, v, path, 0, 1, &p->evap_effectiveness);
	} else if (strcmp(key, "tower_min_c") == 0) {
		want_range(y, v, path, -5, 15, &p->tower_min_c);
	} else if (strcmp(key, "inlet_over_supply_k") == 0) {
		want_range(y, v, path, 0, 20, &p->inlet_over_supply_k);
	} else if (strcmp(key, "ashrae_class") == 0) {
		s = ywant_string(y, v, path);
		if (s && freecool_class_parse(s, &fc->ashrae_class) < 0)
			yerr(y, v, path, "expected A1, A2, A3, A4 or H1");
	} else if (strcmp(key, "envelope") == 0) {
		s = ywant_string(y, v, path);
		if (s && strcmp(s, "recommended") == 0)
			fc->allowable = false;
		else if (s && strcmp(s, "allowable") == 0)
			fc->allowable = true;
		else if (s)
			yerr(y, v, path, "expected recommended or allowable");
	} else if (strcmp(key, "altitude_derating") == 0) {
		ywant_bool(y, v, path, &fc->derate);
	} else if (strcmp(key, "derate_from_m") == 0) {
		want_range(y, v, path, 0, 5000, &fc->derate_from_m);
	} else if (strcmp(key, "altitude_m") == 0) {
		want_range(y, v, path, -500, 6000, &fc->altitude_m);
	} else if (strcmp(key, "cop") == 0) {
		want_range(y, v, path, 1, 15, &fc->cop);
	} else if (strcmp(key, "rate_limit_k_per_h") == 0) {
		want_range(y, v, path, 1, 100, &fc->rate_limit_k_per_h);
	} else if (strcmp(key, "hysteresis_k") == 0) {
		want_range(y, v, path, 0, 5, &fc->ctl.hysteresis_k);
	} else if (strcmp(key, "min_on") == 0) {
		if (ywant_duration(y, v, path, 0, &ms))
			fc->ctl.min_on_s = (double)ms / 1000.0;
	} else if (strcmp(key, "min_off") == 0) {
		if (ywant_duration(y, v, path, 0, &ms))
			fc->ctl.min_off_s = (double)ms / 1000.0;
	} else if (strcmp(key, "outdoor") == 0) {
		ymap_walk(y, v, path, outdoor_keys, series_pair, fc);
	} else if (strcmp(key, "plant") == 0) {
		ymap_walk(y, v, path, plant_keys, series_pair, fc);
	}
}

void freecool_config_parse(struct ydoc *y, struct config *cfg, const char *path, void *node)
{
	static const char *const keys[] = {"economizer",
	                                   "piping",
	                                   "chw_supply_c",
	                                   "chw_return_c",
	                                   "supply_air_c",
	                                   "return_air_c",
	                                   "approach_tower_k",
	                                   "approach_hx_k",
	                                   "approach_dry_k",
	                                   "approach_air_k",
	                                   "evap_effectiveness",
	                                   "tower_min_c",
	                                   "inlet_over_supply_k",
	                                   "ashrae_class",
	                                   "envelope",
	                                   "altitude_derating",
	                                   "derate_from_m",
	                                   "altitude_m",
	                                   "cop",
	                                   "rate_limit_k_per_h",
	                                   "hysteresis_k",
	                                   "min_on",
	                                   "min_off",
	                                   "outdoor",
	                                   "plant",
	                                   NULL};
	yaml_node_t *n = node;
	struct fc_config *fc = config_arena_alloc(y->arena, sizeof(*fc));

	freecool_config_defaults(fc);
	fc->file = y->file;
	fc->line = yline(n);
	if (!ymap_walk(y, n, path, keys, cooling_pair, fc))
		return;
	if (fc->plant.chwr_c <= fc->plant.chws_c)
		yerr(y, n, path, "chw_return_c (%g) must be above chw_supply_c (%g)",
		     fc->plant.chwr_c, fc->plant.chws_c);
	if (fc->plant.return_air_c <= fc->plant.supply_air_c)
		yerr(y, n, path, "return_air_c (%g) must be above supply_air_c (%g)",
		     fc->plant.return_air_c, fc->plant.supply_air_c);
	cfg->cooling = fc;
}

/* Series whose device part has no wildcard must name a configured device. */
void freecool_config_validate(const struct config *cfg, struct config_diag *diag)
{
	const struct fc_config *fc = cfg->cooling;

	if (!fc)
		return;
	for (unsigned i = 0; i < FC_S_COUNT; i++) {
		const char *s = fc->series[i], *w;
		char dev[128];
		size_t l;

		if (!s)
			continue;
		l = strcspn(s, " ");
		w = strpbrk(s, "*?[");
		if (l >= sizeof(dev) || (w && w - s < (ptrdiff_t)l))
			continue;
		memcpy(dev, s, l);
		dev[l] = '\0';
		if (!config_device_find(cfg, dev))
			config_diag_add(diag, fc->file, fc->line,
			                "cooling: %s: \"%s\" names no configured device",
			                series_keys[i], dev);
	}
	if (!fc->series[FC_S_DRY_BULB] != !(fc->series[FC_S_RH] || fc->series[FC_S_DEW_POINT]))
		config_diag_add(diag, fc->file, fc->line,
		                "cooling: outdoor: give dry_bulb together with rh or dew_point");
}
