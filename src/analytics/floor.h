/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The floor: halls, rows, racks, their PDUs (one per feed side, or more) and outlets, as the
 * configured devices' labels (`hall`, `row`, `rack`, `feed`) and the stored series' labels
 * (`outlet`, `phase`) describe them. A rack PDU is a configured device with a `rack` label;
 * its series are classified by metric and labels: energy_kwh (counter) without outlet or
 * phase is its input meter, with an outlet label an outlet's; power_w likewise; current_a
 * with a phase label its phase currents. Groups (groups.h), statements, capacity and the
 * floor view all read this one map. See docs/tenants.md.
 */
#ifndef GREENDC_FLOOR_H
#define GREENDC_FLOOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct config_device;
struct store_reader;

/* A stored series: its id and "device metric{labels}". */
struct floor_series {
	int64_t id; /* 0 = none */
	char *name; /* malloc'ed */
};

struct floor_outlet {
	char *name; /* the outlet label */
	size_t pdu;
	struct floor_series energy, power;
};

#define FLOOR_MAX_PHASES 4

struct floor_pdu {
	const struct config_device *dev; /* borrowed from the config */
	const char *feed;                /* the feed label, "" when none */
	size_t rack;
	struct floor_series energy, power; /* input meter and input power */
	struct floor_series phase_current[FLOOR_MAX_PHASES];
	char phase[FLOOR_MAX_PHASES][16];
	int nphase;
	size_t outlet0, noutlets; /* into floor.outlets */
};

struct floor_rack {
	const char *name, *hall, *row; /* labels; "" when absent */
	size_t pdu0, npdus;            /* into floor.pdus, by feed then device */
	int tenant;                    /* the tenant holding it whole (tenants.h index), -1 */
};

struct floor {
	struct floor_rack *racks; /* by hall, row, rack (natural order: A1-9 before A1-10) */
	size_t nracks;
	struct floor_pdu *pdus;
	size_t npdus;
	struct floor_outlet *outlets;
	size_t noutlets;
	size_t *byname; /* rack indexes sorted by name, for floor_rack_find */
};

/* Build the floor from the config's devices and the store's series (r may be NULL: the
 * layout only, no series). NULL when out of memory or the store fails (why in err). */
struct floor *floor_build(const struct config *cfg, struct store_reader *r, char *err,
                          size_t errlen);
void floor_free(struct floor *fl); /* NULL ok */

/* The rack named name, or -1. */
long floor_rack_find(const struct floor *fl, const char *name);

#endif
