/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Modbus decoding and read planning: the pure half of the Modbus driver.
 *
 * drivers/modbus.c owns the I/O (libmodbus); this file owns everything that can be tested
 * without a peer: parsing the profile keys (fc, register, type, order), turning 16-bit
 * registers into numbers, and grouping points into as few block reads as the device allows.
 * Nothing here allocates, does I/O or calls libmodbus. Names start with mbd_ (libmodbus owns
 * the modbus_ prefix).
 *
 * Byte and word order. A Modbus register is 16 bits sent high byte first. A value wider than
 * one register spans consecutive registers; name its bytes A (most significant) to D (least)
 * for 32 bits, A to H for 64 bits. The order says how those bytes appear on the wire, in
 * register-address order:
 *
 *   abcd  A B | C D              big-endian, high word first (Modbus "standard")
 *   cdab  C D | A B              low word first, bytes in a word big-endian ("word swap")
 *   badc  B A | D C              high word first, bytes swapped in each word ("byte swap")
 *   dcba  D C | B A              little-endian
 *
 * For 64 bits the same pattern covers four registers: abcd = AB CD EF GH, cdab = GH EF CD AB,
 * badc = BA DC FE HG, dcba = HG FE DC BA. For 16-bit types the word order is moot: abcd and
 * cdab read the register as it is, badc and dcba swap its two bytes.
 */
#ifndef GREENDC_MODBUS_DECODE_H
#define GREENDC_MODBUS_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Internal to the driver: keep these out of the .so's dynamic symbol table, so that
 * gdc_driver_entry is the only thing a driver exports. Static linking (unit tests) is
 * unaffected. */
#pragma GCC visibility push(hidden)

enum mbd_type {
	MBD_BOOL,
	MBD_INT16,
	MBD_UINT16,
	MBD_INT32,
	MBD_UINT32,
	MBD_INT64,
	MBD_UINT64,
	MBD_FLOAT32,
	MBD_FLOAT64,
};

enum mbd_order {
	MBD_ABCD,
	MBD_CDAB,
	MBD_BADC,
	MBD_DCBA,
};

/* Modbus function codes the driver reads with. */
enum {
	MBD_FC_COILS = 1,
	MBD_FC_DISCRETE_INPUTS = 2,
	MBD_FC_HOLDING_REGISTERS = 3,
	MBD_FC_INPUT_REGISTERS = 4,
};

/* Protocol limits of one read request (Modbus Application Protocol v1.1b3, 6.1 to 6.4). */
#define MBD_MAX_READ_REGISTERS 125
#define MBD_MAX_READ_BITS      2000

/* One point, as the planner and decoder see it. index is the caller's (gdc_device.points). */
struct mbd_point {
	uint32_t index;
	uint8_t fc;
	uint16_t reg; /* 0-based PDU address of the first register or bit */
	enum mbd_type type;
	enum mbd_order order;
};

/* One read request: count registers (or bits) from start with function code fc, serving
 * points[first .. first + npoints) of the sorted point array mbd_plan() was given. */
struct mbd_block {
	uint8_t fc;
	uint16_t start;
	uint16_t count;
	size_t first;
	size_t npoints;
};

/* Per-device limits for merging points into blocks. */
struct mbd_limits {
	unsigned max_registers; /* 1..125: registers per fc 3/4 read */
	unsigned max_bits;      /* 1..2000: bits per fc 1/2 read */
	unsigned max_gap;       /* unused registers (or bits) a merged read may span */
};

/* Parse a type or order name ("float32", "cdab"). Return false if unknown. */
bool mbd_parse_type(const char *s, enum mbd_type *out);
bool mbd_parse_order(const char *s, enum mbd_order *out);
const char *mbd_type_name(enum mbd_type t);

/* Parse an unsigned decimal (leading zeros allowed, still decimal), 0x-prefixed hex or
 * 0o-prefixed octal number (YAML 1.2) in [min, max], with nothing else around it (no sign,
 * no spaces, no trailing text). Return false if malformed or out of range. */
bool mbd_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/* Registers a type occupies (1 for bool: one bit of a bit read). */
unsigned mbd_type_width(enum mbd_type t);

/* Is this type valid for this function code? bool only with fc 1/2, and fc 1/2 only bool. */
bool mbd_type_fits_fc(enum mbd_type t, unsigned fc);

/* Compose nwords (1, 2 or 4) registers into an unsigned integer of 16 * nwords bits, in the
 * given order. words[0] is the register at the lowest address. */
uint64_t mbd_compose(const uint16_t *words, unsigned nwords, enum mbd_order order);

/* Decode the value of a register type at words (mbd_type_width(type) registers) into a double
 * (before scale and offset). Signed types are two's complement; floats are IEEE 754. 64-bit
 * integers beyond 2^53 lose precision in the double. Not for MBD_BOOL. */
double mbd_decode(const uint16_t *words, enum mbd_type type, enum mbd_order order);

/* value = raw * scale + offset (the profile's scale and offset). */
double mbd_scale(double raw, double scale, double offset);

/* Sort points by (fc, reg, index) and group them into blocks: same function code, each
 * block within lim (max_registers for fc 3/4, max_bits for fc 1/2), a point never split
 * across two blocks, and neighbours merged when at most lim->max_gap unused registers lie
 * between them. Overlapping and duplicate points share a block. blocks must have room for
 * npoints entries (the worst case); *nblocks receives the count used.
 * Return 0, or -EINVAL if a point is wider than the limit for its function code, or runs
 * past address 65535, or has a type that does not fit its fc. */
int mbd_plan(struct mbd_point *points, size_t npoints, const struct mbd_limits *lim,
             struct mbd_block *blocks, size_t *nblocks);

#pragma GCC visibility pop

#endif
