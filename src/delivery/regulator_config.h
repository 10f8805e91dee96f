/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parsing the regulator-only keys of an `outputs.regulator[]` entry (regulator.h has the
 * struct); outputs_config.c walks the entry and hands these keys over.
 */
#ifndef GREENDC_REGULATOR_CONFIG_H
#define GREENDC_REGULATOR_CONFIG_H

#include "delivery/regulator.h"

#include <stdbool.h>
#include <yaml.h>

struct ydoc;
struct config;

/* The defaults of a regulator target (every cycle, delay 2m, catch_up 7d, history 400d,
 * completeness at least 90 %, parts within 5 % of the whole). */
void regulator_config_defaults(struct reg_target *r);

/* One key of the entry: template, site_code, cycles, energy_types, ack, quality, delay,
 * catch_up, history, start. false when key is none of them. */
bool regulator_config_pair(struct ydoc *y, struct config *cfg, struct reg_target *r,
                           const char *path, const char *key, yaml_node_t *v);

/* After the entry: what is required, and the template loads and renders JSON. */
void regulator_config_finish(struct ydoc *y, yaml_node_t *n, const char *path, const char *name,
                             const struct reg_target *r);

#endif
