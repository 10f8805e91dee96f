/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device roster (device_roster.h): the stored rows joined with the configured devices.
 * The rows are copied out of the reader's callback (its strings live only for the call),
 * the configured devices without a row added as "unknown", then all sorted by name.
 */
#include "ingest/device_roster.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct roster_row {
	struct store_device_state ds;
	const struct config_device *cd;
	char *strings; /* the copied row's strings, NULL for a row made from the config */
};

struct roster {
	const struct config *cfg;
	bool *seen; /* per configured device: it has a stored row */
	struct roster_row *v;
	size_t n, cap;
};

static struct roster_row *roster_add(struct roster *r)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct roster_row *v = realloc(r->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		r->v = v;
		r->cap = cap;
	}
	struct roster_row *row = &r->v[r->n++];
	memset(row, 0, sizeof(*row));
	return row;
}

/* One stored row: kept (copied) when its device is configured, or when there is no config. */
static int collect(void *ctx, const struct store_device_state *ds)
{
	struct roster *r = ctx;
	const struct config_device *cd = NULL;
	if (r->cfg) {
		cd = config_device_find(r->cfg, ds->name);
		if (!cd)
			return 0;
		r->seen[cd - r->cfg->devices] = true;
	}
	const char *src[] = {ds->name, ds->driver, ds->address, ds->state, ds->last_error};
	size_t len[5], total = 0;
	for (int i = 0; i < 5; i++)
		total += len[i] = strlen(src[i] ? src[i] : "") + 1;
	char *buf = malloc(total);
	struct roster_row *row = buf ? roster_add(r) : NULL;
	if (!row) {
		free(buf);
		return -ENOMEM;
	}
	row->ds = *ds;
	row->cd = cd;
	row->strings = buf;
	const char **dst[] = {&row->ds.name, &row->ds.driver, &row->ds.address, &row->ds.state,
	                      &row->ds.last_error};
	for (int i = 0; i < 5; i++) {
		memcpy(buf, src[i] ? src[i] : "", len[i]);
		*dst[i] = buf;
		buf += len[i];
	}
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct roster_row *)a)->ds.name,
	              ((const struct roster_row *)b)->ds.name);
}

int device_roster(const struct config *cfg, struct store_reader *sr,
                  int (*cb)(void *ctx, const struct store_device_state *ds,
                            const struct config_device *cd),
                  void *ctx)
{
	struct roster r = {.cfg = cfg};
	if (cfg && cfg->ndevices && !(r.seen = calloc(cfg->ndevices, sizeof(*r.seen))))
		return -ENOMEM;
	int rc = store_devices_list(sr, collect, &r);
	for (size_t i = 0; rc >= 0 && cfg && i < cfg->ndevices; i++) {
		const struct config_device *cd = &cfg->devices[i];
		if (r.seen[i] || !cd->name)
			continue;
		struct roster_row *row = roster_add(&r);
		if (!row) {
			rc = -ENOMEM;
			break;
		}
		row->cd = cd;
		row->ds = (struct store_device_state){
		        .name = cd->name,
		        .driver = cd->driver ? cd->driver : "",
		        .address = cd->address ? cd->address : "",
		        .state = "unknown",
		        .interval_ms = cd->interval_ms,
		        .last_error = "",
		};
	}
	int listed = 0;
	if (rc >= 0) {
		qsort(r.v, r.n, sizeof(*r.v), by_name);
		for (size_t i = 0; i < r.n; i++) {
			struct roster_row *row = &r.v[i];
			if (row->cd && !row->cd->enabled)
				row->ds.state = "disabled";
			int c = cb(ctx, &row->ds, row->cd);
			if (c < 0) {
				rc = c;
				break;
			}
			listed++;
		}
	}
	for (size_t i = 0; i < r.n; i++)
		free(r.v[i].strings);
	free(r.v);
	free(r.seen);
	return rc < 0 ? rc : listed;
}
