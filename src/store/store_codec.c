/* SPDX-License-Identifier: Apache-2.0 */
/* The store's block codec: format in store_codec.h, rationale in docs/internals/store.md. */
#include "store/store_codec.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

static const double pow10_tab[CODEC_MAX_DECIMALS + 1] = {1e0, 1e1, 1e2, 1e3, 1e4,
                                                         1e5, 1e6, 1e7, 1e8, 1e9};
#define EXACT_INT_MAX 9007199254740992.0 /* 2^53 */

static inline uint64_t zigzag(int64_t x)
{
	return ((uint64_t)x << 1) ^ (uint64_t)(x >> 63);
}

static inline int64_t unzigzag(uint64_t u)
{
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

static inline uint8_t *put_uvarint(uint8_t *p, uint64_t x)
{
	while (x >= 0x80) {
		*p++ = (uint8_t)(x | 0x80);
		x >>= 7;
	}
	*p++ = (uint8_t)x;
	return p;
}

/* NULL on truncated or overlong input. */
static inline const uint8_t *get_uvarint(const uint8_t *p, const uint8_t *end, uint64_t *out)
{
	uint64_t x = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (p >= end)
			return NULL;
		uint8_t b = *p++;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = x;
			return p;
		}
	}
	return NULL;
}

size_t codec_bound(size_t n)
{
	/* header + n (10) + per sample at most 10 bytes of time and 10 of value (mode 0) or 8. */
	return 2 + 10 + n * 20;
}

/* Does every value survive scaling by 10^d to an exact integer and back? */
static bool fits_decimals(const double *v, size_t n, int d)
{
	double p = pow10_tab[d];
	for (size_t i = 0; i < n; i++) {
		double x = v[i];
		double r = nearbyint(x * p);
		if (!(fabs(r) <= EXACT_INT_MAX) || r / p != x || (x == 0 && signbit(x)))
			return false;
	}
	return true;
}

long codec_encode(int64_t t0, const int64_t *ts, const double *v, size_t n, uint8_t *out,
                  size_t cap)
{
	if (cap < codec_bound(n))
		return -ENOBUFS;
	for (size_t i = 0; i < n; i++)
		if (ts[i] < t0 || (i > 0 && ts[i] < ts[i - 1]))
			return -EINVAL;

	int d = -1;
	for (int k = 0; k <= CODEC_MAX_DECIMALS && n > 0; k++) {
		if (fits_decimals(v, n, k)) {
			d = k;
			break;
		}
	}
	uint8_t *p = out;
	*p++ = (uint8_t)(CODEC_VERSION << 4 | (d >= 0 ? CODEC_MODE_DECIMAL : CODEC_MODE_RAW));
	*p++ = (uint8_t)(d >= 0 ? d : 0);
	p = put_uvarint(p, n);
	if (n == 0)
		return p - out;

	p = put_uvarint(p, (uint64_t)(ts[0] - t0));
	int64_t prev_delta = 0;
	for (size_t i = 1; i < n; i++) {
		int64_t delta = ts[i] - ts[i - 1];
		p = put_uvarint(p, zigzag(i == 1 ? delta : delta - prev_delta));
		prev_delta = delta;
	}

	if (d >= 0) {
		double scale = pow10_tab[d];
		int64_t prev = 0;
		for (size_t i = 0; i < n; i++) {
			int64_t r = (int64_t)nearbyint(v[i] * scale);
			p = put_uvarint(p, zigzag(r - prev));
			prev = r;
		}
	} else {
		for (size_t i = 0; i < n; i++) {
			uint64_t bits;
			memcpy(&bits, &v[i], sizeof(bits));
			for (int b = 0; b < 8; b++)
				*p++ = (uint8_t)(bits >> (8 * b));
		}
	}
	return p - out;
}

static const uint8_t *parse_header(const uint8_t *buf, size_t len, int *mode, int *d, uint64_t *n)
{
	if (len < 3 || (buf[0] >> 4) != CODEC_VERSION)
		return NULL;
	*mode = buf[0] & 0x0f;
	*d = buf[1];
	if ((*mode != CODEC_MODE_DECIMAL && *mode != CODEC_MODE_RAW) || *d > CODEC_MAX_DECIMALS)
		return NULL;
	return get_uvarint(buf + 2, buf + len, n);
}

long codec_count(const uint8_t *buf, size_t len)
{
	int mode, d;
	uint64_t n;
	if (!parse_header(buf, len, &mode, &d, &n) || n > (uint64_t)len * 8)
		return -EBADMSG;
	return (long)n;
}

long codec_decode(int64_t t0, const uint8_t *buf, size_t len, int64_t *ts, double *v, size_t cap)
{
	int mode, d;
	uint64_t n, u;
	const uint8_t *end = buf + len;
	const uint8_t *p = parse_header(buf, len, &mode, &d, &n);
	if (!p)
		return -EBADMSG;
	if (n > cap)
		return -ENOBUFS;
	if (n == 0)
		return 0;

	if (!(p = get_uvarint(p, end, &u)))
		return -EBADMSG;
	/* Unsigned arithmetic: a hostile blob may overflow, which must not be undefined. */
	uint64_t t = (uint64_t)t0 + u, delta = 0;
	ts[0] = (int64_t)t;
	for (uint64_t i = 1; i < n; i++) {
		if (!(p = get_uvarint(p, end, &u)))
			return -EBADMSG;
		delta = i == 1 ? (uint64_t)unzigzag(u) : delta + (uint64_t)unzigzag(u);
		t += delta;
		ts[i] = (int64_t)t;
	}

	if (mode == CODEC_MODE_DECIMAL) {
		double scale = pow10_tab[d];
		uint64_t r = 0;
		for (uint64_t i = 0; i < n; i++) {
			if (!(p = get_uvarint(p, end, &u)))
				return -EBADMSG;
			r += (uint64_t)unzigzag(u);
			v[i] = d ? (double)(int64_t)r / scale : (double)(int64_t)r;
		}
	} else {
		if ((size_t)(end - p) < n * 8)
			return -EBADMSG;
		for (uint64_t i = 0; i < n; i++) {
			uint64_t bits = 0;
			for (int b = 0; b < 8; b++)
				bits |= (uint64_t)p[b] << (8 * b);
			p += 8;
			memcpy(&v[i], &bits, sizeof(bits));
		}
	}
	return (long)n;
}
