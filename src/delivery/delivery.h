/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The daemon's delivery glue, so greendcd.c only needs a start/tick/reload/stop block: it owns
 * the alert evaluation thread (alerts.h), the regulator uploads' producer (regulator.h),
 * the remote-write tap on the store (remote_write.h), the pusher thread (pusher.h), writes
 * the periodic summaries (summary.h) from the main
 * thread's tick, and logs when the outbox drops items to stay within its bounds.
 */
#ifndef GREENDC_DELIVERY_H
#define GREENDC_DELIVERY_H

#include <stddef.h>

struct config;
struct store;
struct poller;
struct delivery;

/* Start delivering for cfg (nothing runs without an `outputs:` section). NULL with a message
 * in err on a fatal error; a config without outputs gives a valid, idle object. */
struct delivery *delivery_start(const struct config *cfg, struct store *st, char *err,
                                size_t errlen);

/* Install the outputs that follow the store's commits (remote-write: remote_write.h) for
 * cfg, replacing any; call it after store_open and before polling starts, so no commit is
 * missed (delivery_reload calls it again). The store owns them from then on and the last
 * batch at store_close still goes through them, so free cfg only after store_close. 0 or
 * -errno (logged). */
int delivery_attach(struct store *st, const struct config *cfg);

/* Called from the main loop about once a second: summaries that are due, drop logging. */
void delivery_tick(struct delivery *d, const struct config *cfg, struct store *st,
                   struct poller *p);

/* A new config is about to be swapped in: restart the alert engine and the pusher with it.
 * Call before the old config is freed (the engine borrows parts of the config it runs on). */
void delivery_reload(struct delivery *d, const struct config *cfg);

/* Stop the pusher and free. NULL ok. */
void delivery_stop(struct delivery *d);

#endif
