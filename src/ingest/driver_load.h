/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loading protocol drivers (drivers/<name>.so) and validating devices against them.
 */
#ifndef GREENDC_DRIVER_LOAD_H
#define GREENDC_DRIVER_LOAD_H

#include "config/config.h"

#include <greendc/driver.h>

struct driver_set; /* the loaded drivers; opaque */

/* Where to look: cfg_dir (daemon.drivers_dir) if set, else "drivers/" beside the running
 * executable (a build tree), else the compiled-in DRIVERDIR. */
struct driver_set *driver_set_new(const char *cfg_dir);
void driver_set_free(struct driver_set *ds);

/* Load (once) and return the named driver, or NULL with a message: missing file, missing
 * symbol, or an ABI version / struct size that differs from this daemon's. */
const struct gdc_driver *driver_get(struct driver_set *ds, const char *name, char *err,
                                    size_t errlen);

/* Check every enabled device of cfg: its driver loads and accepts the device (open() then
 * close(), no I/O). Problems go to diag as file:line. Returns the number of problems. */
unsigned driver_validate_config(struct driver_set *ds, const struct config *cfg,
                                struct config_diag *diag);

#endif
