/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Raw Modbus read requests and the checks of their replies (see drivers/modbus_frame.h).
 * Frame layouts: Modbus Application Protocol v1.1b3 (PDU, exceptions 6.1-6.4, 7) and Modbus
 * Messaging on TCP/IP v1.0b (MBAP: transaction id, protocol id 0, length of unit + PDU,
 * unit id); Modbus over Serial Line v1.02 (address, PDU, CRC).
 */
#include "modbus_frame.h"

#include <stdio.h>

void mbf_read_request(uint8_t unit, unsigned fc, uint16_t start, uint16_t count,
                      uint8_t out[MBF_REQUEST_LEN])
{
	out[0] = unit;
	out[1] = (uint8_t)fc;
	out[2] = (uint8_t)(start >> 8);
	out[3] = (uint8_t)start;
	out[4] = (uint8_t)(count >> 8);
	out[5] = (uint8_t)count;
}

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* The header (before the PDU) and trailer (after it) of an ADU. */
static int check_envelope(const uint8_t *adu, size_t len, enum mbf_transport t, uint8_t unit,
                          size_t *pdu, size_t *pdulen, char *why, size_t whylen)
{
	size_t head = t == MBF_TCP ? 7 : 1, tail = t == MBF_TCP ? 0 : 2;

	if (len < head + tail + 2) {
		snprintf(why, whylen, "reply of %zu bytes is too short", len);
		return -1;
	}
	if (t == MBF_TCP) {
		if (be16(adu) != MBF_RAW_TID) {
			snprintf(why, whylen, "reply with transaction id %u, asked %u", be16(adu),
			         MBF_RAW_TID);
			return -1;
		}
		if (be16(adu + 2) != 0) {
			snprintf(why, whylen, "reply with protocol id %u, not Modbus (0)",
			         be16(adu + 2));
			return -1;
		}
		if (be16(adu + 4) != len - 6) {
			snprintf(why, whylen, "MBAP length %u, reply carries %zu", be16(adu + 4),
			         len - 6);
			return -1;
		}
	}
	if (adu[head - 1] != unit) {
		snprintf(why, whylen, "reply from unit %u, asked unit %u", adu[head - 1], unit);
		return -1;
	}
	*pdu = head;
	*pdulen = len - head - tail;
	return 0;
}

int mbf_check_read_reply(const uint8_t *adu, size_t len, enum mbf_transport t, uint8_t unit,
                         unsigned fc, uint16_t count, uint16_t *regs, uint8_t *bits,
                         unsigned *exception, char *why, size_t whylen)
{
	size_t off, n;
	bool bitread = fc == 1 || fc == 2;

	if (check_envelope(adu, len, t, unit, &off, &n, why, whylen))
		return -1;
	const uint8_t *pdu = adu + off;
	if (pdu[0] == (fc | 0x80u)) {
		if (n != 2) {
			snprintf(why, whylen, "exception reply of %zu bytes", n);
			return -1;
		}
		*exception = pdu[1];
		return MBF_EXCEPTION;
	}
	if (pdu[0] != fc) {
		snprintf(why, whylen, "reply with function code %u to a request with fc %u", pdu[0],
		         fc);
		return -1;
	}
	size_t want = bitread ? ((size_t)count + 7) / 8 : 2 * (size_t)count;
	if (pdu[1] != want || n != 2 + want) {
		snprintf(why, whylen, "reply carries %u data bytes (%zu framed), asked %zu", pdu[1],
		         n - 2, want);
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		if (bitread)
			bits[i] = (pdu[2 + i / 8] >> (i % 8)) & 1;
		else
			regs[i] = (uint16_t)be16(pdu + 2 + 2 * i);
	}
	return 0;
}
