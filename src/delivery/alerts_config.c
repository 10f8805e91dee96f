/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parser of the `alerts:` section (alerts.h):
 *
 *   alerts:
 *     interval: 15s
 *     rules:
 *       - {name: inlet_hot, type: threshold, series: "rack-* inlet_temp_c*", above: 27,
 *          hysteresis: 1, for: 5m, lookback: 5m, severity: warning}
 *       - {name: supply_ramp, type: rate, series: "crah-* supply_temp_c*", above: 5,
 *          window: 15m}                       # K per hour
 *       - {name: device_down, type: device_down, for: 1m, severity: critical}
 *       - {name: meter_jump, type: counter_discontinuity, window: 1h}
 *       - {name: inlet_envelope, type: ashrae_inlet, hysteresis: 0.5, for: 5m}
 *       - {name: pue_high, type: pue_above, above: 1.35, window: 1h, for: 1h}
 *       - {name: fc_unused, type: free_cooling_unused, for: 4h}
 *       - {name: capacity, type: capacity, above: 1.0, hysteresis: 0.05, lookback: 15m}
 */
#include "delivery/alerts.h"

#include "analytics/energy.h"
#include "analytics/freecool_config.h"
#include "config/config.h"
#include "config/config_yaml.h"

#include <math.h>
#include <string.h>

static const char *const type_names[] = {
        [ALERT_THRESHOLD] = "threshold",
        [ALERT_RATE] = "rate",
        [ALERT_DEVICE_DOWN] = "device_down",
        [ALERT_COUNTER_DISCONTINUITY] = "counter_discontinuity",
        [ALERT_ASHRAE_INLET] = "ashrae_inlet",
        [ALERT_PUE_ABOVE] = "pue_above",
        [ALERT_FREE_COOLING_UNUSED] = "free_cooling_unused",
        [ALERT_CAPACITY] = "capacity",
};

const char *alert_type_name(enum alert_type t)
{
	return (size_t)t < sizeof(type_names) / sizeof(type_names[0]) ? type_names[t] : "unknown";
}

static void rule_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                      yaml_node_t *knode, yaml_node_t *v)
{
	struct alert_rule *r = ctx;
	(void)knode;
	if (strcmp(key, "name") == 0) {
		const char *s = ywant_string(y, v, path);
		if (s && !config_name_ok(s, "_-.:"))
			yerr(y, v, path, "expected letters, digits and _-.:");
		else
			r->name = s;
	} else if (strcmp(key, "type") == 0) {
		const char *s = ywant_string(y, v, path);
		int t = -1;
		for (size_t i = 0; s && i < sizeof(type_names) / sizeof(type_names[0]); i++)
			if (strcmp(s, type_names[i]) == 0)
				t = (int)i;
		if (s && t < 0)
			yerr(y, v, path,
			     "expected threshold, rate, device_down, counter_discontinuity, "
			     "ashrae_inlet, pue_above, free_cooling_unused or capacity");
		else if (s)
			r->type = (enum alert_type)t;
	} else if (strcmp(key, "series") == 0) {
		const char *s = ywant_string(y, v, path);
		if (s && !strchr(s, ' '))
			yerr(y, v, path, "expected \"DEVICE METRIC\" (globs allowed)");
		else
			r->series = s;
	} else if (strcmp(key, "above") == 0) {
		r->have_above = ywant_double(y, v, path, &r->above);
	} else if (strcmp(key, "below") == 0) {
		r->have_below = ywant_double(y, v, path, &r->below);
	} else if (strcmp(key, "hysteresis") == 0) {
		if (ywant_double(y, v, path, &r->hysteresis) && r->hysteresis < 0)
			yerr(y, v, path, "must not be negative");
	} else if (strcmp(key, "for") == 0) {
		ywant_duration(y, v, path, 0, &r->for_ms);
	} else if (strcmp(key, "lookback") == 0) {
		ywant_duration(y, v, path, 1000, &r->lookback_ms);
	} else if (strcmp(key, "window") == 0) {
		ywant_duration(y, v, path, 1000, &r->window_ms);
	} else if (strcmp(key, "severity") == 0) {
		r->severity = ywant_string(y, v, path);
	} else if (strcmp(key, "summary") == 0) {
		r->summary = ywant_string(y, v, path);
	}
}

static void parse_rule(struct ydoc *y, struct alerts_config *a, yaml_node_t *n, const char *path)
{
	static const char *const keys[] = {"name",   "type",       "series",  "above",
	                                   "below",  "hysteresis", "for",     "lookback",
	                                   "window", "severity",   "summary", NULL};
	if (a->nrules >= ALERTS_MAX_RULES) {
		yerr(y, n, path, "at most %d rules", ALERTS_MAX_RULES);
		return;
	}
	struct alert_rule *r = &a->rules[a->nrules];
	*r = (struct alert_rule){.type = ALERT_THRESHOLD,
	                         .hysteresis = NAN, /* not given: the type's default below */
	                         .lookback_ms = 300000,
	                         .window_ms = 3600000,
	                         .severity = "warning",
	                         .file = y->file,
	                         .line = yline(n)};
	if (!ymap_walk(y, n, path, keys, rule_pair, r))
		return;
	if (!r->name) {
		yerr(y, n, path, "a rule needs a name");
		return;
	}
	bool needs_series = r->type == ALERT_THRESHOLD || r->type == ALERT_RATE;
	if (needs_series && !r->series)
		yerr(y, n, path, "%s: a %s rule needs series", r->name, type_names[r->type]);
	if (needs_series && !r->have_above && !r->have_below)
		yerr(y, n, path, "%s: give above or below", r->name);
	/* A capacity rule compares utilisation (peak / derated limit): 1 is the limit itself;
	 * it clears 5 points below unless told otherwise. */
	if (r->type == ALERT_CAPACITY && !r->have_above) {
		r->have_above = true;
		r->above = 1.0;
	}
	if (isnan(r->hysteresis))
		r->hysteresis = r->type == ALERT_CAPACITY ? 0.05 : 0;
	if (r->type == ALERT_CAPACITY && (r->have_below || !(r->above > 0 && r->above <= 2)))
		yerr(y, n, path,
		     "%s: capacity takes above: a utilisation of the derated limit "
		     "(0..2, default 1.0)",
		     r->name);
	if (r->type == ALERT_PUE_ABOVE && (!r->have_above || r->above <= 1))
		yerr(y, n, path, "%s: pue_above needs above: the target PUE (> 1)", r->name);
	if (r->have_above && r->have_below && r->below >= r->above)
		yerr(y, n, path, "%s: below must be less than above", r->name);
	for (size_t i = 0; i < a->nrules; i++)
		if (strcmp(a->rules[i].name, r->name) == 0)
			yerr(y, n, path, "rule name \"%s\" used twice", r->name);
	a->nrules++;
}

static void alerts_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                        yaml_node_t *knode, yaml_node_t *v)
{
	struct alerts_config *a = ctx;
	(void)knode;
	if (strcmp(key, "interval") == 0) {
		ywant_duration(y, v, path, 200, &a->interval_ms);
	} else if (strcmp(key, "rules") == 0) {
		if (v->type != YAML_SEQUENCE_NODE) {
			yerr(y, v, path, "expected a list of rules; got %s", ynode_kind(v));
			return;
		}
		for (yaml_node_item_t *i = v->data.sequence.items.start;
		     i < v->data.sequence.items.top; i++)
			parse_rule(y, a, ynode(y, *i), path);
	}
}

void alerts_config_parse(struct ydoc *y, struct config *cfg, const char *path, void *node)
{
	static const char *const keys[] = {"interval", "rules", NULL};
	struct alerts_config *a = config_arena_alloc(y->arena, sizeof(*a));
	a->interval_ms = 15000;
	if (!ymap_walk(y, node, path, keys, alerts_pair, a))
		return;
	cfg->alerts = a;
}

static bool floor_has_racks(const struct config *cfg)
{
	for (size_t i = 0; i < cfg->ndevices; i++)
		for (size_t j = 0; j < cfg->devices[i].nlabels; j++)
			if (strcmp(cfg->devices[i].labels[j].key, "rack") == 0)
				return true;
	return false;
}

/* Rules that need another section's data say so at check-config time. */
void alerts_config_validate(const struct config *cfg, struct config_diag *diag)
{
	const struct alerts_config *a = cfg->alerts;
	for (size_t i = 0; a && i < a->nrules; i++) {
		const struct alert_rule *r = &a->rules[i];
		const char *need = NULL;
		if (r->type == ALERT_ASHRAE_INLET && !r->series &&
		    !(cfg->cooling && cfg->cooling->series[FC_S_IT_INLET]))
			need = "cooling.plant.it_inlet (or series:)";
		else if (r->type == ALERT_FREE_COOLING_UNUSED &&
		         !(cfg->cooling && cfg->cooling->series[FC_S_DRY_BULB] &&
		           (cfg->cooling->series[FC_S_RH] ||
		            cfg->cooling->series[FC_S_DEW_POINT]) &&
		           (cfg->cooling->series[FC_S_MODE] ||
		            cfg->cooling->series[FC_S_VALVE_PCT])))
			need = "cooling.outdoor.dry_bulb, rh (or dew_point) and "
			       "cooling.plant.cooling_mode (or free_cooling_pct)";
		else if (r->type == ALERT_PUE_ABOVE && !(cfg->energy && cfg->energy->present))
			need = "an energy: section";
		else if (r->type == ALERT_CAPACITY && !floor_has_racks(cfg))
			need = "devices with a rack label (rack PDUs)";
		if (need)
			config_diag_add(diag, r->file, r->line, "alerts.rules: %s: needs %s",
			                r->name, need);
	}
}
