/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the store's codecs (src/store/store_codec.h): blocks, and the staging
 * blobs and minute packs built on the same streams. A blob read back from the database may be
 * damaged or hostile: codec_count() and codec_decode(), staging_decode() and minutes_decode()
 * must reject it or decode it without reading past its end or writing past the caller's
 * arrays.
 *
 * Input: 1 byte cap selector, then the blob. The blob is copied into a buffer of exactly its
 * length, and the output arrays are exactly cap entries, so ASan sees any overrun.
 *
 * Round trip: when the decoded timestamps look like one real hour block (sorted, within an
 * hour of t0), encoding them again and decoding that must give back the same timestamps and
 * the same value bits (the codec's contract: exact decimals, else raw IEEE bits).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_codec.h"
#include "store/store_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T0 1795780800000LL /* 2026-11-28T08:00:00Z, an hour boundary */

static struct codec *C; /* zstd contexts, made on the first input */

static void round_trip(const int64_t *ts, const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ts[i] < T0 || ts[i] >= T0 + HOUR_MS || (i && ts[i] < ts[i - 1]))
			return;
	size_t cap = codec_bound(n);
	uint8_t *blob = malloc(cap);
	int64_t *ts2 = malloc((n + 1) * sizeof(*ts2));
	double *v2 = malloc((n + 1) * sizeof(*v2));
	if (!blob || !ts2 || !v2)
		abort();
	long len = codec_encode(C, T0, ts, v, n, blob, cap);
	if (len < 0 || (size_t)len > cap)
		abort();
	if (codec_count(blob, (size_t)len) != (long)n)
		abort();
	if (codec_decode(C, T0, blob, (size_t)len, ts2, v2, n) != (long)n)
		abort();
	if (n && (memcmp(ts, ts2, n * sizeof(*ts)) || memcmp(v, v2, n * sizeof(*v))))
		abort();
	free(blob);
	free(ts2);
	free(v2);
}

static int run_cb(void *ctx, const struct stage_run *run)
{
	size_t *n = ctx;
	if (run->n == 0 || run->series <= 0)
		abort();                    /* the decoder promises neither */
	for (size_t i = 0; i < run->n; i++) /* every value readable (ASan) */
		*n += run->ts[i] != 0 || run->v[i] != run->inc[i];
	return 0;
}

/* The same bytes as a staging blob and as a minute pack. */
static void other_formats(const uint8_t *blob, size_t len)
{
	static struct stage_dec dec;
	size_t n = 0;
	int rc = staging_decode(C, &dec, blob, len, 0, run_cb, &n);
	if (rc > 0 || (rc < 0 && rc != -EBADMSG && rc != -ENOMEM))
		abort();
	struct agg a[60];
	rc = minutes_decode(C, blob, len, T0, a);
	if (rc < 0 && rc != -EBADMSG && rc != -ENOMEM)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (!C && !(C = codec_new()))
		abort();
	/* cap: small ones exercise -ENOBUFS, 255 means "as many as codec_count says". */
	size_t cap = data[0];
	size_t len = size - 1;
	uint8_t *blob = malloc(len ? len : 1);
	if (!blob)
		abort();
	memcpy(blob, data + 1, len);

	long count = codec_count(blob, len);
	if (count < 0 && count != -EBADMSG)
		abort();
	if (cap == 255)
		cap = count > 0 ? (size_t)count : 0;
	int64_t *ts = malloc((cap ? cap : 1) * sizeof(*ts));
	double *v = malloc((cap ? cap : 1) * sizeof(*v));
	if (!ts || !v)
		abort();
	long n = codec_decode(C, T0, blob, len, ts, v, cap);
	if (n >= 0) {
		/* A blob that decodes was counted the same. */
		if ((size_t)n > cap || count != n)
			abort();
		round_trip(ts, v, (size_t)n);
	} else if (n != -EBADMSG && n != -ENOBUFS) {
		abort();
	}
	other_formats(blob, len);
	free(ts);
	free(v);
	free(blob);
	return 0;
}
