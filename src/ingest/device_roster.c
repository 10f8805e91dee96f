/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device roster (device_roster.h): a merge of two lists already in name order, the
 * store's rows (ORDER BY name: SQLite's BINARY collation is strcmp's order) and the config's
 * devices by name (config's by_name index). Each row is handed on while the reader holds it;
 * the configured devices that sort before it and have no row are handed on first, as
 * "unknown". Nothing is copied or sorted again.
 */
#include "ingest/device_roster.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct roster {
	const struct config *cfg;
	const struct config_device *const *by_name; /* the config's devices in name order */
	size_t n, next;                             /* next: the first not yet handed on */
	int (*cb)(void *ctx, const struct store_device_state *ds, const struct config_device *cd);
	void *ctx;
	int listed;
	int err; /* a negative errno from cb, which stops the store's walk too */
};

static int emit(struct roster *r, struct store_device_state ds, const struct config_device *cd)
{
	if (cd && !cd->enabled)
		ds.state = "disabled";
	int rc = r->cb(r->ctx, &ds, cd);
	if (rc == 0)
		r->listed++;
	return rc < 0 ? rc : 0;
}

/* Hand on the configured devices without a row that sort before name (all when NULL). */
static int emit_unpolled(struct roster *r, const char *name)
{
	for (; r->next < r->n; r->next++) {
		const struct config_device *cd = r->by_name[r->next];
		if (name && strcmp(cd->name, name) >= 0)
			break;
		struct store_device_state ds = {
		        .name = cd->name,
		        .driver = cd->driver ? cd->driver : "",
		        .address = cd->address ? cd->address : "",
		        .state = "unknown",
		        .interval_ms = cd->interval_ms,
		        .last_error = "",
		};
		int rc = emit(r, ds, cd);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int on_row(void *ctx, const struct store_device_state *ds)
{
	struct roster *r = ctx;
	if (!r->cfg)
		return r->err = emit(r, *ds, NULL);
	if ((r->err = emit_unpolled(r, ds->name)) < 0)
		return r->err;
	if (r->next == r->n || strcmp(r->by_name[r->next]->name, ds->name) != 0)
		return 0; /* a device the config no longer has */
	return r->err = emit(r, *ds, r->by_name[r->next++]);
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(const struct config_device *const *)a)->name,
	              (*(const struct config_device *const *)b)->name);
}

int device_roster(const struct config *cfg, struct store_reader *sr,
                  int (*cb)(void *ctx, const struct store_device_state *ds,
                            const struct config_device *cd),
                  void *ctx)
{
	struct roster r = {.cfg = cfg, .cb = cb, .ctx = ctx};
	const struct config_device **own = NULL;
	if (cfg) {
		r.n = cfg->ndevices;
		r.by_name = cfg->by_name;
		if (!r.by_name && r.n) { /* a config not made by config_load (tests) */
			if (!(own = malloc(r.n * sizeof(*own))))
				return -ENOMEM;
			for (size_t i = 0; i < r.n; i++)
				own[i] = &cfg->devices[i];
			qsort(own, r.n, sizeof(*own), by_name);
			r.by_name = own;
		}
	}
	int rc = store_devices_list(sr, on_row, &r);
	if (rc >= 0)
		rc = r.err < 0 ? r.err : emit_unpolled(&r, NULL);
	free(own);
	return rc < 0 ? rc : r.listed;
}
