/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the pure half of the Modbus driver (drivers/modbus_decode.h): read
 * planning and register decoding, driven the way drivers/modbus.c drives them.
 *
 * Input layout (every byte is used, short inputs are padded with zeros):
 *   3 bytes   limits: max_registers (1..125), max_bits (1..2000, scaled), max_gap (0..255)
 *   1 byte    npoints (0..64)
 *   4 bytes   per point: fc (1..4), register (16 bits, big-endian), type | order << 4
 *   the rest  the device's reply: 16-bit registers (big-endian) / one byte per bit
 * The whole input, as a C string, also goes through the profile-key parsers.
 *
 * What must hold: mbd_plan() returns 0 or -EINVAL; on 0 every point is in exactly one
 * block of its function code, every block is within the limits, and decoding each point
 * from a reply buffer of exactly the block's size stays inside it (ASan sees any over-read).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modbus_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_POINTS 64

static uint8_t byte_at(const uint8_t *data, size_t size, size_t i)
{
	return i < size ? data[i] : 0;
}

static void fuzz_parsers(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	unsigned long u;
	enum mbd_type t;
	enum mbd_order o;

	if (!s)
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)mbd_parse_uint(s, 0, 65535, &u);
	(void)mbd_parse_uint(s, 1, ~0UL, &u);
	if (mbd_parse_type(s, &t) && !mbd_type_name(t))
		abort();
	(void)mbd_parse_order(s, &o);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mbd_point points[MAX_POINTS];
	struct mbd_block blocks[MAX_POINTS];
	unsigned seen[MAX_POINTS] = {0};
	size_t nblocks = 0, at = 4;

	fuzz_parsers(data, size);

	struct mbd_limits lim = {
	        .max_registers = 1 + byte_at(data, size, 0) % MBD_MAX_READ_REGISTERS,
	        .max_bits = 1 + (byte_at(data, size, 1) * 8u) % MBD_MAX_READ_BITS,
	        .max_gap = byte_at(data, size, 2),
	};
	size_t npoints = byte_at(data, size, 3) % (MAX_POINTS + 1);
	for (size_t i = 0; i < npoints; i++, at += 4) {
		uint8_t to = byte_at(data, size, at + 3);
		points[i] = (struct mbd_point){
		        .index = (uint32_t)i,
		        .fc = (uint8_t)(1 + byte_at(data, size, at) % 4),
		        .reg = (uint16_t)(byte_at(data, size, at + 1) << 8 |
		                          byte_at(data, size, at + 2)),
		        .type = (enum mbd_type)((to & 0x0f) % (MBD_FLOAT64 + 1)),
		        .order = (enum mbd_order)((to >> 4) % (MBD_DCBA + 1)),
		};
	}
	const uint8_t *reply = at < size ? data + at : NULL;
	size_t reply_len = at < size ? size - at : 0;

	int rc = mbd_plan(points, npoints, &lim, blocks, &nblocks);
	if (rc == -22) /* -EINVAL: a point the limits or its fc cannot take */
		return 0;
	if (rc != 0 || nblocks > npoints)
		abort();

	size_t covered = 0;
	for (size_t k = 0; k < nblocks; k++) {
		const struct mbd_block *b = &blocks[k];
		unsigned limit = b->fc <= MBD_FC_DISCRETE_INPUTS ? lim.max_bits : lim.max_registers;
		if (b->count == 0 || b->count > limit || (uint32_t)b->start + b->count > 65536u ||
		    b->npoints == 0 || b->first != covered || b->first + b->npoints > npoints)
			abort();
		covered += b->npoints;

		/* The reply buffer is exactly the block's size, as libmodbus fills it. */
		uint16_t *regs = malloc(b->count * sizeof(*regs));
		uint8_t *bits = malloc(b->count);
		if (!regs || !bits)
			abort();
		for (size_t r = 0; r < b->count; r++) {
			size_t j = 2 * r;
			regs[r] = (uint16_t)(reply_len ? reply[j % reply_len] << 8 |
			                                         reply[(j + 1) % reply_len]
			                               : 0);
			bits[r] = reply_len ? reply[r % reply_len] & 1 : 0;
		}
		for (size_t q = b->first; q < b->first + b->npoints; q++) {
			const struct mbd_point *p = &points[q];
			unsigned w = mbd_type_width(p->type);
			if (p->fc != b->fc || p->reg < b->start ||
			    (uint32_t)p->reg + w > (uint32_t)b->start + b->count ||
			    p->index >= npoints || seen[p->index]++)
				abort();
			size_t off = (size_t)(p->reg - b->start);
			if (p->type == MBD_BOOL) {
				volatile uint8_t bit = bits[off];
				(void)bit;
			} else {
				volatile double raw = mbd_decode(regs + off, p->type, p->order);
				volatile double v = mbd_scale(raw, 0.001, -40.0);
				(void)v;
			}
		}
		free(regs);
		free(bits);
	}
	if (covered != npoints)
		abort();
	return 0;
}
