/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Modbus driver's TCP transport: connect, send a read request framed with its MBAP header,
 * and receive the whole reply within a deadline, waiting with poll(2).
 *
 * Why not libmodbus here: libmodbus 3.1.6 waits with select(2), which cannot watch a socket
 * numbered 1024 or above (glibc aborts the process: "bit out of range 0 - FD_SETSIZE"). A site
 * of a thousand Modbus TCP devices holds a thousand connections, so its sockets go past that.
 * The framing is the 7-byte MBAP header (RFC-like spec: Modbus Messaging on TCP/IP, 1.0b);
 * what the reply says is still checked by modbus_frame.c, and serial lines keep libmodbus.
 */
#ifndef GREENDC_MODBUS_TCP_H
#define GREENDC_MODBUS_TCP_H

#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)

/* Connect to host:port (numeric port) before the monotonic deadline. A socket (>= 0, non-
 * blocking, TCP_NODELAY) or -errno (-ETIMEDOUT, -ECONNREFUSED, -EHOSTUNREACH, ...). */
int mbt_connect(const char *host, const char *port, int64_t deadline_ms);

/* Send req[0..len) (unit id, function code, data: what mbf_read_request() builds) with an
 * MBAP header (transaction id MBF_RAW_TID, protocol 0), and receive the reply's whole ADU (its
 * MBAP header and PDU) into adu[0..cap) before the monotonic deadline. Returns the ADU's
 * length, or -errno: -ETIMEDOUT, -ECONNRESET (the peer closed), -EPROTO (a header whose length
 * is impossible), or the socket's error. The caller closes the socket after any error: a
 * reply may still be on its way. */
int mbt_transact(int fd, const uint8_t *req, size_t len, uint8_t *adu, size_t cap,
                 int64_t deadline_ms);

#pragma GCC visibility pop

#endif
