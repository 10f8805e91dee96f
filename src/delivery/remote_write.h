/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prometheus remote-write 1.0 (DOMAIN.md section 10; docs/remote-write.md): the `outputs:`
 * type `remote_write` sends every stored sample to Prometheus, VictoriaMetrics, Mimir or
 * Thanos as it commits.
 *
 *   store writer batch ──► rw tap (this file's second half): the batch's samples, as stored,
 *       grouped by series, named and labelled as /metrics names them (analytics/prom.h), in
 *       base units; encoded (protobuf-c, snappy) into one or more requests per target
 *       └──► outbox "<target>/rw", in the SAME transaction as the samples
 *   pusher thread ──► POST each request in order; 2xx done; 5xx, 429 and transport errors
 *       retried with backoff; any other 4xx dropped with its reason logged (pusher.c)
 *
 * The encoder is a pure function, unit-tested by decoding what it makes.
 */
#ifndef GREENDC_REMOTE_WRITE_H
#define GREENDC_REMOTE_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the encoder ---- */

struct rw_label {
	const char *name, *value;
};

/* One time series of a request: labels sorted by name, no duplicate names, no empty values;
 * samples in time order. */
struct rw_series {
	const struct rw_label *labels;
	size_t nlabels;
	const int64_t *ts; /* ms since the epoch */
	const double *v;
	size_t n;
};

/* Scratch space reused from request to request; the result is out[0..len). Zero it before
 * first use; rw_enc_free releases it. */
struct rw_enc {
	uint8_t *out;
	size_t len;
	/* private */
	uint8_t *pb;
	size_t out_cap, pb_cap;
	void *ts, *lp, *sp, *l, *s, *tsp; /* protobuf-c message arrays */
	size_t ts_cap, l_cap, s_cap;
};
void rw_enc_free(struct rw_enc *e);

/* One WriteRequest of n series, protobuf-encoded and snappy-compressed (block format) into
 * e->out. 0, -ENOMEM, or -EMSGSIZE beyond snappy's input limit. */
int rw_encode(struct rw_enc *e, const struct rw_series *s, size_t n);

/* The reverse, for tests and tools: decompress and decode body, calling cb per series with
 * its labels and samples (valid during the call). Returns the number of samples, or -EBADMSG
 * / -ENOMEM. */
long rw_decode(const void *body, size_t len, void (*cb)(void *ctx, const struct rw_series *s),
               void *ctx);

/* ---- the tap: samples as the store commits them ---- */

struct config;
struct store;
struct store_reader;

/* Build the tap for cfg's remote_write targets and install it on st (store_set_tap; the
 * store owns it from then on and frees it when it is replaced or closed), replacing any
 * previous one; with no remote_write target, remove it. The tap borrows cfg's energy model,
 * so call it again (or with a config without targets) before cfg is freed; the daemon does
 * so on every reload, and closes the store before freeing its last config. reader (may be
 * NULL) counts the stored series of each energy role, so the `pue` label follows the same
 * category /metrics shows. 0 or -errno (why in err). */
int rw_tap_install(struct store *st, const struct config *cfg, struct store_reader *reader,
                   char *err, size_t errlen);

/* The stream of a remote_write target: "<name>/rw". */
#define RW_STREAM_SUFFIX "/rw"

#endif
