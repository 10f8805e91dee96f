/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's codecs: how samples are laid out in the blobs of `blocks` (one series over an
 * hour or a longer span), `staging` (one commit's samples of one shard) and `rollup_1m`
 * (minute aggregates kept after raw retention). Rationale and measurements:
 * docs/internals/store.md, "Block codec".
 *
 * A block (codec version 2):
 *   byte 0   format version (high nibble, 2) | value mode (low nibble: 0 decimal, 1 raw)
 *   byte 1   flags: bit 0 = the body is a zstd frame (its 4-byte magic number left out)
 *   uvarint  n, the number of samples
 *   body     a time stream then a value stream (below), compressed with zstd when that is
 *            smaller
 * Version 1 blocks (schema 1-5) are still decoded: byte 1 is the decimal exponent, the body
 * is never compressed and its value stream has no exception list.
 *
 * Time stream of n timestamps, relative to a base the reader knows (a block's t0):
 *   uvarint ts[0] - base; zigzag varint ts[1] - ts[0]; zigzag varint delta-of-delta after
 *   that (0 = same spacing). Any order is representable; blocks are sorted.
 * Value stream of n values:
 *   byte d   decimal exponent 0..9, or CODEC_RAW_VALUES
 *   d = raw: n x 8 bytes little-endian, each the IEEE-754 bits XOR the previous value's
 *   else:    uvarint k, then k exceptions (uvarint position gap, 8 bytes of IEEE-754 bits):
 *            values that are not decimals at d (NaN, inf, -0, more decimals); then for every
 *            other value v, r = v x 10^d is an integer (|r| <= 2^53) that gives back v bit
 *            for bit: zigzag varint r - (the previous such r, 0 for the first)
 *
 * Regular sampling costs about nothing per timestamp once compressed, a one-decimal reading
 * moving by a few tenths 5-6 bits per value. Pure functions over caller-owned buffers; the
 * zstd contexts live in a struct codec (one per thread).
 */
#ifndef GREENDC_STORE_CODEC_H
#define GREENDC_STORE_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CODEC_VERSION      2
#define CODEC_MODE_DECIMAL 0
#define CODEC_MODE_RAW     1
#define CODEC_MAX_DECIMALS 9
#define CODEC_RAW_VALUES   0xff
#define CODEC_FLAG_ZSTD    0x01

/* zstd contexts and scratch space; one per thread (the writer, each reader). */
struct codec;
struct codec *codec_new(void);
void codec_free(struct codec *c); /* NULL ok */

/* A growable byte buffer the stream encoders append to. oom is set when growth failed (the
 * content is then incomplete); the owner frees p. */
struct codec_buf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};
void codec_buf_free(struct codec_buf *b);
/* Append n bytes (sets oom when it cannot grow). */
void codec_buf_add(struct codec_buf *b, const void *src, size_t n);

/* ---- blocks ---- */

/* Bytes encoding n samples can take at most (also with the body left uncompressed). */
size_t codec_bound(size_t n);

/* Encode n samples (ts sorted ascending, all >= t0) into out (cap bytes). Returns the length
 * or -EINVAL (unsorted, before t0) / -ENOBUFS (cap too small) / -ENOMEM. */
long codec_encode(struct codec *c, int64_t t0, const int64_t *ts, const double *v, size_t n,
                  uint8_t *out, size_t cap);

/* Number of samples in a blob, or -EBADMSG. */
long codec_count(const uint8_t *buf, size_t len);

/* Decode into caller-owned arrays of cap entries. Returns n or -EBADMSG / -ENOBUFS /
 * -ENOMEM. */
long codec_decode(struct codec *c, int64_t t0, const uint8_t *buf, size_t len, int64_t *ts,
                  double *v, size_t cap);

/* ---- streams, for the other blob formats (staging, minute packs) ---- */

void codec_put_uvarint(struct codec_buf *b, uint64_t x);
void codec_put_svarint(struct codec_buf *b, int64_t x);
/* NULL on truncated or overlong input. */
const uint8_t *codec_get_uvarint(const uint8_t *p, const uint8_t *end, uint64_t *out);
const uint8_t *codec_get_svarint(const uint8_t *p, const uint8_t *end, int64_t *out);

/* The time stream of n timestamps (any order; ts[0] >= base). */
void codec_put_times(struct codec_buf *b, int64_t base, const int64_t *ts, size_t n);
/* The value stream of n values (decimal with exceptions, or raw: see above). Returns the
 * mode used (CODEC_MODE_DECIMAL or CODEC_MODE_RAW). */
int codec_put_values(struct codec_buf *b, const double *v, size_t n);
/* Decoders: the position after the stream, or NULL when it is malformed or truncated. */
const uint8_t *codec_get_times(const uint8_t *p, const uint8_t *end, int64_t base, int64_t *ts,
                               size_t n);
const uint8_t *codec_get_values(const uint8_t *p, const uint8_t *end, double *v, size_t n);

/* Compress src into b (appended) as a zstd frame without its magic number, at zstd level
 * level, when that is smaller; returns true if it compressed (else nothing was appended). */
bool codec_zstd_put(struct codec *c, struct codec_buf *b, const uint8_t *src, size_t n, int level);
/* Decompress a frame codec_zstd_put wrote; at most max bytes of output, into the codec's
 * scratch: *out points there (valid until the next call on c). Returns the length or
 * -EBADMSG / -ENOMEM. */
long codec_zstd_get(struct codec *c, const uint8_t *src, size_t n, size_t max, const uint8_t **out);

#endif
