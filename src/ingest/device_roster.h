/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device roster: every configured device with the state the poller last stored for it,
 * for /api/v1/devices and `greendc devices`. The store only has a row for a device once it
 * has been polled, so right after a start (a 60 s device waits up to a minute for its first
 * poll) the rows alone would list part of the site and count "6 of 6 up" where 6 of 40 are.
 */
#ifndef GREENDC_DEVICE_ROSTER_H
#define GREENDC_DEVICE_ROSTER_H

#include "config/config.h"
#include "store/store.h"

/* Calls cb once per device, in name order (strcmp), with the device's config (NULL when cfg
 * is NULL) and its state:
 *  - a configured, enabled device: its stored row, or state "unknown" (never polled: times
 *    and errors 0, driver, address and interval from the config) when it has none;
 *  - a configured device with `enabled: false`: state "disabled", whatever its old row says;
 *  - a stored row of a device the config no longer has: left out; with cfg NULL (no config
 *    given) every stored row is listed as it is.
 * A negative return from cb (an errno) stops the walk and is returned. Returns the number of
 * devices listed, or a negative errno (store error, out of memory). */
int device_roster(const struct config *cfg, struct store_reader *r,
                  int (*cb)(void *ctx, const struct store_device_state *ds,
                            const struct config_device *cd),
                  void *ctx);

#endif
