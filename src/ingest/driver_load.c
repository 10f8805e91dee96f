/* SPDX-License-Identifier: Apache-2.0 */
/* dlopen()s protocol drivers and refuses any whose ABI differs from ours. */
#include "ingest/driver_load.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct loaded {
	char *name;
	void *handle;
	const struct gdc_driver *drv;
};

struct driver_set {
	char dir[PATH_MAX];
	struct loaded *v;
	size_t n;
};

static void default_dir(char *out, size_t len)
{
	char exe[PATH_MAX - 16];
	struct stat sb;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(out, len, "%s/drivers", exe);
			if (stat(out, &sb) == 0 && S_ISDIR(sb.st_mode))
				return;
		}
	}
	snprintf(out, len, "%s", DRIVERDIR);
}

struct driver_set *driver_set_new(const char *cfg_dir)
{
	struct driver_set *ds = calloc(1, sizeof(*ds));
	if (!ds)
		return NULL;
	const char *env = getenv("GREENDC_DRIVERS");
	if (cfg_dir)
		snprintf(ds->dir, sizeof(ds->dir), "%s", cfg_dir);
	else if (env && *env)
		snprintf(ds->dir, sizeof(ds->dir), "%s", env);
	else
		default_dir(ds->dir, sizeof(ds->dir));
	return ds;
}

void driver_set_free(struct driver_set *ds)
{
	if (!ds)
		return;
	/* Drivers stay mapped until the process exits: libraries they pull in (net-snmp) keep
	 * process-wide state that can be neither unloaded safely nor fully freed, and unmapping
	 * them would only turn that state into leak reports without stack traces. */
	for (size_t i = 0; i < ds->n; i++)
		free(ds->v[i].name);
	free(ds->v);
	free(ds);
}

const struct gdc_driver *driver_get(struct driver_set *ds, const char *name, char *err,
                                    size_t errlen)
{
	char path[PATH_MAX + 300];

	for (size_t i = 0; i < ds->n; i++)
		if (strcmp(ds->v[i].name, name) == 0)
			return ds->v[i].drv;
	snprintf(path, sizeof(path), "%s/%s.so", ds->dir, name);
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errlen, "driver \"%s\": cannot load %s: %s", name, path, dlerror());
		return NULL;
	}
	const struct gdc_driver *drv = dlsym(h, GDC_DRIVER_SYMBOL);
	if (!drv) {
		snprintf(err, errlen, "driver \"%s\": %s has no symbol %s", name, path,
		         GDC_DRIVER_SYMBOL);
		goto out_close;
	}
	if (drv->abi_version != GDC_DRIVER_ABI || drv->struct_size != sizeof(struct gdc_driver)) {
		snprintf(err, errlen,
		         "driver \"%s\": %s was built for driver ABI %u (struct size %u); this "
		         "daemon needs ABI %u (struct size %zu): rebuild the driver",
		         name, path, drv->abi_version, drv->struct_size, GDC_DRIVER_ABI,
		         sizeof(struct gdc_driver));
		goto out_close;
	}
	if (!drv->open || !drv->poll || !drv->close || !drv->name) {
		snprintf(err, errlen, "driver \"%s\": %s leaves open/poll/close/name empty", name,
		         path);
		goto out_close;
	}
	struct loaded *v = realloc(ds->v, (ds->n + 1) * sizeof(*v));
	if (!v) {
		snprintf(err, errlen, "out of memory");
		goto out_close;
	}
	ds->v = v;
	ds->v[ds->n++] = (struct loaded){strdup(name), h, drv};
	return drv;
out_close:
	dlclose(h);
	return NULL;
}

unsigned driver_validate_config(struct driver_set *ds, const struct config *cfg,
                                struct config_diag *diag)
{
	unsigned before = diag->count;
	for (size_t i = 0; i < cfg->ndevices; i++) {
		const struct config_device *d = &cfg->devices[i];
		char err[512] = "";
		const struct gdc_driver *drv = driver_get(ds, d->driver, err, sizeof(err));
		if (!drv) {
			config_diag_add(diag, d->file, d->line, "devices[%zu] (%s): %s", i, d->name,
			                err);
			continue;
		}
		if (!d->profile && !drv->identify) {
			config_diag_add(diag, d->file, d->line,
			                "device %s: the %s driver cannot identify devices; name a "
			                "profile",
			                d->name, d->driver);
			continue;
		}
		/* A device matched at run time is checked against every candidate. */
		const struct profile *one[1] = {d->profile};
		const struct profile *const *profs = d->profile ? one : d->candidates;
		size_t nprofs = d->profile ? 1 : d->ncandidates;
		for (size_t k = 0; k < nprofs; k++) {
			struct gdc_device gd;
			config_device_to_gdc(d, profs[k], &gd);
			void *state = calloc(1, drv->state_size ? drv->state_size : 1);
			if (!state)
				abort();
			int bad_line = 0;
			int rc = drv->open(state, &gd, err, sizeof(err), &bad_line);
			if (rc < 0) {
				const char *file = profs[k]->file;
				if (bad_line > 0)
					for (size_t o = d->first_device_option; o < d->noptions;
					     o++)
						if (d->options[o].line == bad_line)
							file = d->file;
				if (bad_line > 0)
					config_diag_add(diag, file, bad_line, "device %s: %s",
					                d->name, err);
				else
					config_diag_add(diag, d->file, d->line, "device %s: %s",
					                d->name, err[0] ? err : strerror(-rc));
			} else {
				drv->close(state);
			}
			free(state);
		}
	}
	return diag->count - before;
}
