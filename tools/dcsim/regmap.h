/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcsim register maps: which unit id serves which device, and where each model value sits
 * (function code, address, type, scale). One table drives the served registers, --list and
 * --dump, so the three cannot disagree. docs/dcsim.md is its human-readable twin.
 */
#ifndef DCSIM_REGMAP_H
#define DCSIM_REGMAP_H

#include <stdio.h>

#include <modbus.h>

#include "dcsim.h"

struct regmap {
	/* Indexed by unit id; NULL = no such device (the server stays silent). Owned. */
	modbus_mapping_t *by_unit[256];
};

/* Allocate one mapping per simulated device. 0 or -ENOMEM. */
int regmap_init(struct regmap *rm);

/* Write the model's current values into every mapping. */
void regmap_update(struct regmap *rm, const struct sim_values *v);

/* Print the unit ids and every register (for --list). */
void regmap_list(FILE *out);

/* Print one JSON object, one line, with every value as the registers serve it (for --dump). */
void regmap_dump_json(FILE *out, const struct sim_values *v);

/* One served register (opaque), found by unit id and key (the key column of --list). */
struct reg_def;
const struct reg_def *regmap_find(unsigned unit, const char *key);

/* The value r serves for the model values v, as a poller decodes it: raw x scale after
 * rounding (gauges), truncation and the wrap at the register width (counters). */
double regmap_served(const struct reg_def *r, const struct sim_values *v);

/* The same for a counter as if its register never wrapped (truncated, not wrapped). */
double regmap_served_unwrapped(const struct reg_def *r, const struct sim_values *v);

/* Free the mappings; accepts a zeroed struct. */
void regmap_release(struct regmap *rm);

#endif
