/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Modbus read requests and replies as raw frames: the part of the Modbus driver that checks
 * what a device answered before any register is believed.
 *
 * libmodbus 3.1.6 (Debian 12) does not compare the unit id of a Modbus TCP reply with the
 * request's, so a gateway that answers for the wrong device (or a misconfigured unit id
 * behind it) would have its registers stored as ours. The driver therefore sends each read
 * with modbus_send_raw_request(), receives the whole reply with
 * modbus_receive_confirmation() (libmodbus still does the framing, the timeouts and, on RTU,
 * the CRC), and checks the reply here: transaction and protocol ids and the MBAP length
 * (TCP), the unit id (both), the function code or an exception, and the byte count. Pure
 * code, no I/O, no libmodbus: tested by test/unit/test_modbus_frame.c.
 */
#ifndef GREENDC_MODBUS_FRAME_H
#define GREENDC_MODBUS_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)

#define MBF_REQUEST_LEN 6 /* unit, fc, start (2), count (2) */
#define MBF_MAX_ADU     260

/* Bytes of the transaction id libmodbus puts in a raw TCP request: it is always 0
 * (modbus_send_raw_request() leaves it so). Safe here because the driver closes the
 * connection after any timeout or bad reply, so an old reply cannot reach a new request. */
#define MBF_RAW_TID 0

enum mbf_transport { MBF_TCP, MBF_RTU };

/* The raw request modbus_send_raw_request() takes for a read of count registers or bits
 * from start with function code fc (1..4) of unit. */
void mbf_read_request(uint8_t unit, unsigned fc, uint16_t start, uint16_t count,
                      uint8_t out[MBF_REQUEST_LEN]);

/* Results of mbf_check_read_reply() besides 0. */
#define MBF_EXCEPTION 1 /* a well-framed exception reply: *exception holds its code */

/*
 * Check adu[0..len) (as modbus_receive_confirmation() returns it: the MBAP header on TCP, the
 * address byte first and the CRC last on RTU) as the reply to mbf_read_request(unit, fc,
 * start, count), and unpack its data: registers into regs (fc 3/4, count words), bits into
 * bits (fc 1/2, one byte 0/1 per bit). Returns 0, MBF_EXCEPTION, or -1 with why (e.g.
 * "reply from unit 2, asked unit 1"). Nothing is unpacked unless 0 is returned.
 */
int mbf_check_read_reply(const uint8_t *adu, size_t len, enum mbf_transport t, uint8_t unit,
                         unsigned fc, uint16_t count, uint16_t *regs, uint8_t *bits,
                         unsigned *exception, char *why, size_t whylen);

#pragma GCC visibility pop

#endif
