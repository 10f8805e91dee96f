/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The block codec of the store: one series' samples for one hour packed into a blob.
 *
 *   byte 0   format version (high nibble, 1) | value mode (low nibble)
 *   byte 1   decimal exponent d (value mode 0)
 *   uvarint  n, the number of samples
 *   timestamps: uvarint (ts[0] - t0), then zigzag varint (ts[1] - ts[0]), then zigzag varint
 *            delta-of-delta for each further sample (0 = same spacing: one byte)
 *   values, mode 0 (decimal-scaled): every v[i] x 10^d is an integer r[i] with |r| <= 2^53 that
 *            gives back exactly v[i]; zigzag varint r[0], then zigzag varint r[i] - r[i-1]
 *   values, mode 1 (raw fallback): each value's IEEE-754 bits, 8 bytes little-endian (NaN,
 *            inf, -0 and values with more than 9 decimals come back bit for bit)
 *
 * Timestamps must be sorted (equal ones are kept). Pure functions, no state.
 */
#ifndef GREENDC_STORE_CODEC_H
#define GREENDC_STORE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#define CODEC_VERSION      1
#define CODEC_MODE_DECIMAL 0
#define CODEC_MODE_RAW     1
#define CODEC_MAX_DECIMALS 9

/* Bytes encoding n samples can take at most. */
size_t codec_bound(size_t n);

/* Encode n samples (ts sorted ascending, all >= t0) into out (cap bytes). Returns the length
 * or -EINVAL (unsorted, before t0) / -ENOBUFS (cap too small). */
long codec_encode(int64_t t0, const int64_t *ts, const double *v, size_t n, uint8_t *out,
                  size_t cap);

/* Number of samples in a blob, or -EBADMSG. */
long codec_count(const uint8_t *buf, size_t len);

/* Decode into caller-owned arrays of cap entries. Returns n or -EBADMSG / -ENOBUFS. */
long codec_decode(int64_t t0, const uint8_t *buf, size_t len, int64_t *ts, double *v, size_t cap);

#endif
