/* SPDX-License-Identifier: Apache-2.0 */
/* The store's codecs: formats in store_codec.h, rationale in docs/internals/store.md. */
#include "store/store_codec.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#define CODEC_VERSION_1 1
/* zstd level of blocks: they are written once an hour or span, and read many times. */
#define BLOCK_ZSTD_LEVEL 9
/* A blob never holds more samples than this (a day of 1 s samples is 86,400). */
#define CODEC_MAX_SAMPLES (1u << 22)

static const double pow10_tab[CODEC_MAX_DECIMALS + 1] = {1e0, 1e1, 1e2, 1e3, 1e4,
                                                         1e5, 1e6, 1e7, 1e8, 1e9};
#define EXACT_INT_MAX 9007199254740992.0 /* 2^53 */

static const uint8_t zstd_magic[4] = {0x28, 0xb5, 0x2f, 0xfd}; /* ZSTD_MAGICNUMBER, LE */

struct codec {
	ZSTD_CCtx *cctx;
	ZSTD_DCtx *dctx;
	struct codec_buf body, frame; /* encode: the body, and compressed (no magic) */
	struct codec_buf tmp;         /* zstd: a whole frame, or decoded output */
	uint8_t *in;                  /* decode: magic + frame */
	size_t in_cap;
};

struct codec *codec_new(void)
{
	struct codec *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->cctx = ZSTD_createCCtx();
	c->dctx = ZSTD_createDCtx();
	if (!c->cctx || !c->dctx) {
		codec_free(c);
		return NULL;
	}
	return c;
}

void codec_free(struct codec *c)
{
	if (!c)
		return;
	ZSTD_freeCCtx(c->cctx);
	ZSTD_freeDCtx(c->dctx);
	codec_buf_free(&c->body);
	codec_buf_free(&c->frame);
	codec_buf_free(&c->tmp);
	free(c->in);
	free(c);
}

void codec_buf_free(struct codec_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static bool buf_room(struct codec_buf *b, size_t more)
{
	if (b->oom)
		return false;
	if (b->len + more <= b->cap)
		return true;
	size_t c = b->cap ? b->cap : 256;
	while (c < b->len + more)
		c *= 2;
	uint8_t *p = realloc(b->p, c);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = c;
	return true;
}

void codec_buf_add(struct codec_buf *b, const void *src, size_t n)
{
	if (n && buf_room(b, n)) {
		memcpy(b->p + b->len, src, n);
		b->len += n;
	}
}

static inline uint64_t zigzag(int64_t x)
{
	return ((uint64_t)x << 1) ^ (uint64_t)(x >> 63);
}

static inline int64_t unzigzag(uint64_t u)
{
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

void codec_put_uvarint(struct codec_buf *b, uint64_t x)
{
	if (!buf_room(b, 10))
		return;
	uint8_t *p = b->p + b->len;
	while (x >= 0x80) {
		*p++ = (uint8_t)(x | 0x80);
		x >>= 7;
	}
	*p++ = (uint8_t)x;
	b->len = (size_t)(p - b->p);
}

void codec_put_svarint(struct codec_buf *b, int64_t x)
{
	codec_put_uvarint(b, zigzag(x));
}

const uint8_t *codec_get_uvarint(const uint8_t *p, const uint8_t *end, uint64_t *out)
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

const uint8_t *codec_get_svarint(const uint8_t *p, const uint8_t *end, int64_t *out)
{
	uint64_t u;
	p = codec_get_uvarint(p, end, &u);
	if (p)
		*out = unzigzag(u);
	return p;
}

static void put_bits(struct codec_buf *b, uint64_t bits)
{
	uint8_t le[8];
	for (int k = 0; k < 8; k++)
		le[k] = (uint8_t)(bits >> (8 * k));
	codec_buf_add(b, le, 8);
}

static uint64_t get_bits(const uint8_t *p)
{
	uint64_t bits = 0;
	for (int k = 0; k < 8; k++)
		bits |= (uint64_t)p[k] << (8 * k);
	return bits;
}

static uint64_t dbits(double v)
{
	uint64_t b;
	memcpy(&b, &v, sizeof(b));
	return b;
}

/* ---- time stream ---- */

void codec_put_times(struct codec_buf *b, int64_t base, const int64_t *ts, size_t n)
{
	if (n == 0)
		return;
	codec_put_uvarint(b, (uint64_t)ts[0] - (uint64_t)base);
	int64_t prev_delta = 0;
	for (size_t i = 1; i < n; i++) {
		int64_t delta = (int64_t)((uint64_t)ts[i] - (uint64_t)ts[i - 1]);
		codec_put_svarint(b, i == 1 ? delta
		                            : (int64_t)((uint64_t)delta - (uint64_t)prev_delta));
		prev_delta = delta;
	}
}

const uint8_t *codec_get_times(const uint8_t *p, const uint8_t *end, int64_t base, int64_t *ts,
                               size_t n)
{
	if (n == 0)
		return p;
	uint64_t u;
	if (!(p = codec_get_uvarint(p, end, &u)))
		return NULL;
	/* Unsigned arithmetic: a hostile blob may overflow, which must not be undefined. */
	uint64_t t = (uint64_t)base + u, delta = 0;
	ts[0] = (int64_t)t;
	for (size_t i = 1; i < n; i++) {
		if (!(p = codec_get_uvarint(p, end, &u)))
			return NULL;
		delta = i == 1 ? (uint64_t)unzigzag(u) : delta + (uint64_t)unzigzag(u);
		t += delta;
		ts[i] = (int64_t)t;
	}
	return p;
}

/* ---- value stream ---- */

/* Is x exactly r / 10^d for an integer r with |r| <= 2^53? */
static bool fits(double x, int d, int64_t *r)
{
	if (!isfinite(x) || (x == 0 && signbit(x)))
		return false;
	double p = pow10_tab[d];
	double q = nearbyint(x * p);
	if (!(fabs(q) <= EXACT_INT_MAX) || (d ? q / p : q) != x)
		return false;
	*r = (int64_t)q;
	return true;
}

/* The smallest exponent that makes all but a few values decimals (the rest are exceptions),
 * or -1 when too many values are no decimals at any exponent. */
static int pick_decimals(const double *v, size_t n)
{
	size_t hist[CODEC_MAX_DECIMALS + 2] = {0};
	for (size_t i = 0; i < n; i++) {
		int d = 0;
		int64_t r;
		while (d <= CODEC_MAX_DECIMALS && !fits(v[i], d, &r))
			d++;
		hist[d]++;
	}
	size_t exc = n;
	for (int d = 0; d <= CODEC_MAX_DECIMALS; d++) {
		exc -= hist[d];
		if (exc * 16 <= n)
			return d;
	}
	return -1;
}

int codec_put_values(struct codec_buf *b, const double *v, size_t n)
{
	int d = pick_decimals(v, n);
	if (d < 0) {
		uint8_t m = CODEC_RAW_VALUES;
		codec_buf_add(b, &m, 1);
		uint64_t prev = 0;
		for (size_t i = 0; i < n; i++) {
			uint64_t bits = dbits(v[i]);
			put_bits(b, bits ^ prev);
			prev = bits;
		}
		return CODEC_MODE_RAW;
	}
	uint8_t m = (uint8_t)d;
	codec_buf_add(b, &m, 1);
	int64_t r;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += !fits(v[i], d, &r);
	codec_put_uvarint(b, k);
	size_t last = 0;
	for (size_t i = 0; i < n && k; i++) {
		if (fits(v[i], d, &r))
			continue;
		codec_put_uvarint(b, i - last);
		put_bits(b, dbits(v[i]));
		last = i + 1;
	}
	int64_t prev = 0;
	for (size_t i = 0; i < n; i++) {
		if (!fits(v[i], d, &r))
			continue;
		codec_put_svarint(b, (int64_t)((uint64_t)r - (uint64_t)prev));
		prev = r;
	}
	return CODEC_MODE_DECIMAL;
}

const uint8_t *codec_get_values(const uint8_t *p, const uint8_t *end, double *v, size_t n)
{
	if (p >= end)
		return n == 0 ? p : NULL;
	uint8_t d = *p++;
	if (d == CODEC_RAW_VALUES) {
		if ((size_t)(end - p) / 8 < n)
			return NULL;
		uint64_t prev = 0;
		for (size_t i = 0; i < n; i++, p += 8) {
			prev ^= get_bits(p);
			memcpy(&v[i], &prev, sizeof(prev));
		}
		return p;
	}
	if (d > CODEC_MAX_DECIMALS)
		return NULL;
	uint64_t k, gap = 0;
	if (!(p = codec_get_uvarint(p, end, &k)) || k > n)
		return NULL;
	/* The exception list first (validated here, replayed below), then the decimals. */
	const uint8_t *exc = p;
	size_t pos = 0;
	for (uint64_t j = 0; j < k; j++) {
		if (!(p = codec_get_uvarint(p, end, &gap)) || gap >= n - pos ||
		    (size_t)(end - p) < 8)
			return NULL;
		pos += (size_t)gap + 1;
		p += 8;
	}
	double scale = pow10_tab[d];
	uint64_t r = 0, u;
	size_t next = SIZE_MAX; /* position of the next exception */
	if (k) {
		exc = codec_get_uvarint(exc, end, &gap);
		next = (size_t)gap;
	}
	for (size_t i = 0; i < n; i++) {
		if (i == next) {
			uint64_t bits = get_bits(exc);
			memcpy(&v[i], &bits, sizeof(bits));
			exc += 8;
			if (--k) {
				exc = codec_get_uvarint(exc, end, &gap);
				next = i + 1 + (size_t)gap;
			} else {
				next = SIZE_MAX;
			}
			continue;
		}
		if (!(p = codec_get_uvarint(p, end, &u)))
			return NULL;
		r += (uint64_t)unzigzag(u);
		v[i] = d ? (double)(int64_t)r / scale : (double)(int64_t)r;
	}
	return p;
}

/* ---- zstd ---- */

bool codec_zstd_put(struct codec *c, struct codec_buf *b, const uint8_t *src, size_t n, int level)
{
	if (n < 32)
		return false; /* a frame's own header costs more than it could save */
	size_t bound = ZSTD_compressBound(n);
	struct codec_buf *t = &c->tmp;
	t->len = 0;
	if (!buf_room(t, bound)) {
		t->oom = false;
		return false;
	}
	ZSTD_CCtx_reset(c->cctx, ZSTD_reset_session_only);
	ZSTD_CCtx_setParameter(c->cctx, ZSTD_c_compressionLevel, level);
	size_t z = ZSTD_compress2(c->cctx, t->p, bound, src, n);
	if (ZSTD_isError(z) || z <= sizeof(zstd_magic) || z - sizeof(zstd_magic) >= n ||
	    memcmp(t->p, zstd_magic, sizeof(zstd_magic)) != 0)
		return false;
	codec_buf_add(b, t->p + sizeof(zstd_magic), z - sizeof(zstd_magic));
	return !b->oom;
}

long codec_zstd_get(struct codec *c, const uint8_t *src, size_t n, size_t max, const uint8_t **out)
{
	if (n + sizeof(zstd_magic) > c->in_cap) {
		size_t cap = n + sizeof(zstd_magic) + 1024;
		uint8_t *p = realloc(c->in, cap);
		if (!p)
			return -ENOMEM;
		c->in = p;
		c->in_cap = cap;
	}
	memcpy(c->in, zstd_magic, sizeof(zstd_magic));
	memcpy(c->in + sizeof(zstd_magic), src, n);
	struct codec_buf *t = &c->tmp;
	t->len = 0;
	if (!buf_room(t, max ? max : 1)) {
		t->oom = false;
		return -ENOMEM;
	}
	size_t z = ZSTD_decompressDCtx(c->dctx, t->p, max, c->in, n + sizeof(zstd_magic));
	if (ZSTD_isError(z))
		return -EBADMSG;
	*out = t->p;
	return (long)z;
}

/* ---- blocks ---- */

static size_t body_bound(size_t n)
{
	/* times: 10 per sample; values: the exponent, k, then per value at most a 10-byte gap
	 * and 8 bytes of bits, or a 10-byte varint */
	return n ? 10 + n * 10 + 11 + n * 18 : 0;
}

size_t codec_bound(size_t n)
{
	return 2 + 10 + body_bound(n);
}

long codec_encode(struct codec *c, int64_t t0, const int64_t *ts, const double *v, size_t n,
                  uint8_t *out, size_t cap)
{
	if (cap < codec_bound(n))
		return -ENOBUFS;
	if (n > CODEC_MAX_SAMPLES)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (ts[i] < t0 || (i > 0 && ts[i] < ts[i - 1]))
			return -EINVAL;
	struct codec_buf *body = &c->body;
	body->len = 0;
	body->oom = false;
	codec_put_times(body, t0, ts, n);
	int mode = codec_put_values(body, v, n);
	if (body->oom)
		return -ENOMEM;
	struct codec_buf *z = &c->frame;
	z->len = 0;
	z->oom = false;
	bool packed =
	        codec_zstd_put(c, z, body->p, body->len, BLOCK_ZSTD_LEVEL) && z->len < body->len;
	uint8_t *p = out;
	*p++ = (uint8_t)(CODEC_VERSION << 4 | mode);
	*p++ = packed ? CODEC_FLAG_ZSTD : 0;
	for (uint64_t x = n;; x >>= 7) {
		*p++ = (uint8_t)(x >= 0x80 ? (x | 0x80) : x);
		if (x < 0x80)
			break;
	}
	const struct codec_buf *src = packed ? z : body;
	/* never more than codec_bound(n): header, then at most the uncompressed body */
	if ((size_t)(p - out) + src->len > cap)
		return -ENOBUFS;
	memcpy(p, src->p, src->len);
	return (long)(p - out + (long)src->len);
}

static const uint8_t *parse_header(const uint8_t *buf, size_t len, int *version, int *mode,
                                   int *flags, uint64_t *n)
{
	if (len < 3)
		return NULL;
	*version = buf[0] >> 4;
	*mode = buf[0] & 0x0f;
	*flags = buf[1];
	if (*mode != CODEC_MODE_DECIMAL && *mode != CODEC_MODE_RAW)
		return NULL;
	if (*version == CODEC_VERSION_1) {
		if (*flags > CODEC_MAX_DECIMALS) /* version 1: byte 1 is the exponent */
			return NULL;
	} else if (*version != CODEC_VERSION || (*flags & ~CODEC_FLAG_ZSTD)) {
		return NULL;
	}
	const uint8_t *p = codec_get_uvarint(buf + 2, buf + len, n);
	if (!p || *n > CODEC_MAX_SAMPLES)
		return NULL;
	/* Uncompressed, every sample takes at least a byte (two in version 1). */
	if (!(*flags & CODEC_FLAG_ZSTD) && *n > (uint64_t)len * 8)
		return NULL;
	return p;
}

long codec_count(const uint8_t *buf, size_t len)
{
	int version, mode, flags;
	uint64_t n;
	if (!parse_header(buf, len, &version, &mode, &flags, &n))
		return -EBADMSG;
	return (long)n;
}

/* Version 1 values: decimal deltas without exceptions, or raw bits without XOR. */
static long decode_v1_values(const uint8_t *p, const uint8_t *end, int mode, int d, double *v,
                             size_t n)
{
	if (mode == CODEC_MODE_DECIMAL) {
		double scale = pow10_tab[d];
		uint64_t r = 0, u;
		for (size_t i = 0; i < n; i++) {
			if (!(p = codec_get_uvarint(p, end, &u)))
				return -EBADMSG;
			r += (uint64_t)unzigzag(u);
			v[i] = d ? (double)(int64_t)r / scale : (double)(int64_t)r;
		}
		return (long)n;
	}
	if ((size_t)(end - p) / 8 < n)
		return -EBADMSG;
	for (size_t i = 0; i < n; i++, p += 8) {
		uint64_t bits = get_bits(p);
		memcpy(&v[i], &bits, sizeof(bits));
	}
	return (long)n;
}

long codec_decode(struct codec *c, int64_t t0, const uint8_t *buf, size_t len, int64_t *ts,
                  double *v, size_t cap)
{
	int version, mode, flags;
	uint64_t n;
	const uint8_t *end = buf + len;
	const uint8_t *p = parse_header(buf, len, &version, &mode, &flags, &n);
	if (!p)
		return -EBADMSG;
	if (n > cap)
		return -ENOBUFS;
	if (n == 0)
		return 0;
	if (version == CODEC_VERSION_1) {
		if (!(p = codec_get_times(p, end, t0, ts, n)))
			return -EBADMSG;
		return decode_v1_values(p, end, mode, flags, v, n);
	}
	if (flags & CODEC_FLAG_ZSTD) {
		const uint8_t *body;
		long blen = codec_zstd_get(c, p, (size_t)(end - p), body_bound(n), &body);
		if (blen < 0)
			return blen;
		p = body;
		end = body + blen;
	}
	if (!(p = codec_get_times(p, end, t0, ts, n)) || !(p = codec_get_values(p, end, v, n)) ||
	    p != end)
		return -EBADMSG;
	return (long)n;
}
