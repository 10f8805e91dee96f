/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Modbus decoding and read planning (see modbus_decode.h for the byte/word order contract).
 *
 * Values wider than a register are composed as unsigned integers from the 16-bit words and
 * only then reinterpreted: memcpy for IEEE floats, an explicit two's complement conversion
 * for signed integers. (libmodbus's MODBUS_GET_INT32_FROM_INT16 shifts a signed int and is
 * undefined for high words >= 0x8000.)
 */
#include "modbus_decode.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {
        [MBD_BOOL] = "bool",     [MBD_INT16] = "int16",     [MBD_UINT16] = "uint16",
        [MBD_INT32] = "int32",   [MBD_UINT32] = "uint32",   [MBD_INT64] = "int64",
        [MBD_UINT64] = "uint64", [MBD_FLOAT32] = "float32", [MBD_FLOAT64] = "float64",
};

static const char *const order_names[] = {
        [MBD_ABCD] = "abcd",
        [MBD_CDAB] = "cdab",
        [MBD_BADC] = "badc",
        [MBD_DCBA] = "dcba",
};

bool mbd_parse_type(const char *s, enum mbd_type *out)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
		if (strcmp(s, type_names[i]) == 0) {
			*out = (enum mbd_type)i;
			return true;
		}
	}
	return false;
}

bool mbd_parse_order(const char *s, enum mbd_order *out)
{
	for (size_t i = 0; i < sizeof(order_names) / sizeof(order_names[0]); i++) {
		if (strcmp(s, order_names[i]) == 0) {
			*out = (enum mbd_order)i;
			return true;
		}
	}
	return false;
}

const char *mbd_type_name(enum mbd_type t)
{
	if ((size_t)t < sizeof(type_names) / sizeof(type_names[0]))
		return type_names[t];
	return "?";
}

bool mbd_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned base = 10;
	unsigned long v = 0;

	if (s == NULL)
		return false;
	/* YAML 1.2 integers: decimal (leading zeros are still decimal: "010" is ten, never
	 * octal), 0x hex, 0o octal. */
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && s[1] == 'o') {
		base = 8;
		s += 2;
	}
	if (*s == '\0')
		return false;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= (base == 8 ? '7' : '9'))
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		if (d > max || v > (max - d) / base) /* v * base + d > max, no overflow */
			return false;
		v = v * base + d;
	}
	if (v < min)
		return false;
	*out = v;
	return true;
}

unsigned mbd_type_width(enum mbd_type t)
{
	switch (t) {
	case MBD_BOOL:
	case MBD_INT16:
	case MBD_UINT16:
		return 1;
	case MBD_INT32:
	case MBD_UINT32:
	case MBD_FLOAT32:
		return 2;
	case MBD_INT64:
	case MBD_UINT64:
	case MBD_FLOAT64:
		return 4;
	}
	return 1;
}

bool mbd_type_fits_fc(enum mbd_type t, unsigned fc)
{
	if (fc == MBD_FC_COILS || fc == MBD_FC_DISCRETE_INPUTS)
		return t == MBD_BOOL;
	if (fc == MBD_FC_HOLDING_REGISTERS || fc == MBD_FC_INPUT_REGISTERS)
		return t != MBD_BOOL;
	return false;
}

uint64_t mbd_compose(const uint16_t *words, unsigned nwords, enum mbd_order order)
{
	/* cdab and dcba send the least significant word first; badc and dcba swap the two
	 * bytes inside each word. The other two properties are their complements. */
	bool words_reversed = order == MBD_CDAB || order == MBD_DCBA;
	bool bytes_swapped = order == MBD_BADC || order == MBD_DCBA;
	uint64_t v = 0;

	for (unsigned i = 0; i < nwords; i++) {
		uint16_t w = words[words_reversed ? nwords - 1 - i : i];
		if (bytes_swapped)
			w = (uint16_t)((w >> 8) | (w << 8));
		v = (v << 16) | w;
	}
	return v;
}

double mbd_decode(const uint16_t *words, enum mbd_type type, enum mbd_order order)
{
	uint64_t u = mbd_compose(words, mbd_type_width(type), order);

	switch (type) {
	case MBD_BOOL:
		return u ? 1.0 : 0.0;
	case MBD_UINT16:
	case MBD_UINT32:
	case MBD_UINT64:
		return (double)u;
	case MBD_INT16:
		return u >= 0x8000u ? (double)((int64_t)u - 0x10000) : (double)u;
	case MBD_INT32:
		return u >= 0x80000000u ? (double)((int64_t)u - 0x100000000LL) : (double)u;
	case MBD_INT64:
		/* u - 2^64 = -(~u + 1), computed without overflowing int64_t. */
		if (u > (uint64_t)INT64_MAX)
			return (double)(-(int64_t)~u - 1);
		return (double)(int64_t)u;
	case MBD_FLOAT32: {
		uint32_t u32 = (uint32_t)u;
		float f;
		memcpy(&f, &u32, sizeof f);
		return (double)f;
	}
	case MBD_FLOAT64: {
		double d;
		memcpy(&d, &u, sizeof d);
		return d;
	}
	}
	return 0.0;
}

double mbd_scale(double raw, double scale, double offset)
{
	return raw * scale + offset;
}

static int point_cmp(const void *a, const void *b)
{
	const struct mbd_point *x = a, *y = b;

	if (x->fc != y->fc)
		return x->fc < y->fc ? -1 : 1;
	if (x->reg != y->reg)
		return x->reg < y->reg ? -1 : 1;
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return 0;
}

static unsigned limit_for(const struct mbd_limits *lim, unsigned fc)
{
	bool bits = fc == MBD_FC_COILS || fc == MBD_FC_DISCRETE_INPUTS;
	unsigned cap = bits ? MBD_MAX_READ_BITS : MBD_MAX_READ_REGISTERS;
	unsigned l = bits ? lim->max_bits : lim->max_registers;

	return l == 0 || l > cap ? cap : l;
}

int mbd_plan(struct mbd_point *points, size_t npoints, const struct mbd_limits *lim,
             struct mbd_block *blocks, size_t *nblocks)
{
	size_t nb = 0;
	uint32_t end = 0; /* one past the last register of the open block */

	*nblocks = 0;
	for (size_t i = 0; i < npoints; i++) {
		const struct mbd_point *p = &points[i];
		if (!mbd_type_fits_fc(p->type, p->fc))
			return -EINVAL;
		if (mbd_type_width(p->type) > limit_for(lim, p->fc))
			return -EINVAL;
		if ((uint32_t)p->reg + mbd_type_width(p->type) > 65536u)
			return -EINVAL;
	}
	if (npoints == 0)
		return 0;
	qsort(points, npoints, sizeof(points[0]), point_cmp);

	for (size_t i = 0; i < npoints; i++) {
		const struct mbd_point *p = &points[i];
		uint32_t pend = (uint32_t)p->reg + mbd_type_width(p->type);
		struct mbd_block *b = nb ? &blocks[nb - 1] : NULL;

		if (b && b->fc == p->fc && p->reg <= (uint64_t)end + lim->max_gap) {
			uint32_t nend = pend > end ? pend : end;
			if (nend - b->start <= limit_for(lim, p->fc)) {
				end = nend;
				b->count = (uint16_t)(end - b->start);
				b->npoints++;
				continue;
			}
		}
		b = &blocks[nb++];
		b->fc = p->fc;
		b->start = p->reg;
		b->count = (uint16_t)(pend - p->reg);
		b->first = i;
		b->npoints = 1;
		end = pend;
	}
	*nblocks = nb;
	return 0;
}
