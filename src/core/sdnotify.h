/* SPDX-License-Identifier: Apache-2.0 */
/*
 * systemd's notify protocol (sd_notify(3)) written directly: one datagram to $NOTIFY_SOCKET.
 * No-op when the variable is unset, so the daemon runs the same outside systemd.
 */
#ifndef GREENDC_SDNOTIFY_H
#define GREENDC_SDNOTIFY_H

#include <stdint.h>

/* Send state, e.g. "READY=1" or "STATUS=polling 12 devices". 0, or -errno. */
int sdnotify(const char *state);
/* WATCHDOG_USEC from the environment in ms (0 when no watchdog is requested). */
int64_t sdnotify_watchdog_ms(void);

#endif
