/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tenants (the `tenants:` config section): who is billed for which racks, or for single
 * outlets of shared racks, at which tariff, and whether facility overhead is allocated to
 * them by the month's measured PUE. Racks are the `rack` labels of the configured devices;
 * an outlet is picked by its labels (rack, outlet, and optionally feed). The whole-config
 * check refuses a rack in two tenants, an unknown rack, an outlet counted twice and an
 * unknown tariff, with file:line. See docs/tenants.md.
 */
#ifndef GREENDC_TENANTS_H
#define GREENDC_TENANTS_H

#include <stdbool.h>
#include <stddef.h>

struct config;
struct config_diag;
struct ydoc;

struct tenant_outlet {
	const char *rack, *outlet;
	const char *feed; /* NULL: the outlet of that name on every feed of the rack */
	int line;
};

struct tenant_rack {
	const char *name;
	int line;
};

struct tenant {
	const char *name;  /* [A-Za-z0-9_.-] */
	const char *title; /* shown on statements; NULL = name */
	struct tenant_rack *racks;
	size_t nracks;
	struct tenant_outlet *outlets;
	size_t noutlets;
	const char *tariff; /* NULL: the first tariff */
	bool overhead_pue;  /* allocate facility overhead by the month's measured PUE */
	const char *file;
	int line;
};

struct tenants_config {
	struct tenant *t;
	size_t n;
};

void tenants_config_parse(struct ydoc *y, struct config *cfg, const char *path, void *node);
void tenants_config_validate(const struct config *cfg, struct config_diag *diag);

/* The tenant named name, or NULL. */
const struct tenant *tenant_find(const struct tenants_config *tc, const char *name);

/* The value of label key on the configured device, or NULL. */
const char *config_device_label(const struct config *cfg, const char *device, const char *key);

#endif
