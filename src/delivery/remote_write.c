/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The remote-write encoder (remote_write.h): a WriteRequest built from protobuf-c's generated
 * messages (src/delivery/prompb.proto), packed, then compressed with snappy's block format
 * (not the framed one: DOMAIN.md section 10). Every array is scratch space kept in struct
 * rw_enc and reused, so a steady stream of requests allocates nothing.
 */
#include "delivery/remote_write.h"

#include "delivery/prompb.pb-c.h"

#include <errno.h>
#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

void rw_enc_free(struct rw_enc *e)
{
	if (!e)
		return;
	free(e->out);
	free(e->pb);
	free(e->ts);
	free(e->tsp);
	free(e->l);
	free(e->lp);
	free(e->s);
	free(e->sp);
	memset(e, 0, sizeof(*e));
}

/* Room for n series, nl labels and ns samples: each message array and its pointer array
 * (the generated structs take arrays of pointers). */
static int reserve(struct rw_enc *e, size_t n, size_t nl, size_t ns)
{
	size_t c;
	c = e->ts_cap;
	if (grow(&e->ts, &c, n, sizeof(Prometheus__TimeSeries)) < 0)
		return -ENOMEM;
	if (grow(&e->tsp, &e->ts_cap, n, sizeof(Prometheus__TimeSeries *)) < 0)
		return -ENOMEM;
	c = e->l_cap;
	if (grow(&e->l, &c, nl, sizeof(Prometheus__Label)) < 0)
		return -ENOMEM;
	if (grow(&e->lp, &e->l_cap, nl, sizeof(Prometheus__Label *)) < 0)
		return -ENOMEM;
	c = e->s_cap;
	if (grow(&e->s, &c, ns, sizeof(Prometheus__Sample)) < 0)
		return -ENOMEM;
	if (grow(&e->sp, &e->s_cap, ns, sizeof(Prometheus__Sample *)) < 0)
		return -ENOMEM;
	return 0;
}

int rw_encode(struct rw_enc *e, const struct rw_series *s, size_t n)
{
	size_t nl = 0, ns = 0;
	for (size_t i = 0; i < n; i++) {
		nl += s[i].nlabels;
		ns += s[i].n;
	}
	if (reserve(e, n, nl, ns) < 0)
		return -ENOMEM;
	Prometheus__TimeSeries *ts = e->ts, **tsp = e->tsp;
	Prometheus__Label *l = e->l, **lp = e->lp;
	Prometheus__Sample *sm = e->s, **sp = e->sp;
	static const Prometheus__TimeSeries ts0 = PROMETHEUS__TIME_SERIES__INIT;
	static const Prometheus__Label l0 = PROMETHEUS__LABEL__INIT;
	static const Prometheus__Sample s0 = PROMETHEUS__SAMPLE__INIT;
	size_t il = 0, is = 0;
	for (size_t i = 0; i < n; i++) {
		ts[i] = ts0;
		tsp[i] = &ts[i];
		ts[i].n_labels = s[i].nlabels;
		ts[i].labels = lp + il;
		for (size_t k = 0; k < s[i].nlabels; k++, il++) {
			l[il] = l0;
			/* protobuf-c's fields are not const; packing only reads them */
			l[il].name = (char *)s[i].labels[k].name;
			l[il].value = (char *)s[i].labels[k].value;
			lp[il] = &l[il];
		}
		ts[i].n_samples = s[i].n;
		ts[i].samples = sp + is;
		for (size_t k = 0; k < s[i].n; k++, is++) {
			sm[is] = s0;
			sm[is].value = s[i].v[k];
			sm[is].timestamp = s[i].ts[k];
			sp[is] = &sm[is];
		}
	}
	Prometheus__WriteRequest req = PROMETHEUS__WRITE_REQUEST__INIT;
	req.n_timeseries = n;
	req.timeseries = tsp;
	size_t plen = prometheus__write_request__get_packed_size(&req);
	if (plen > UINT32_MAX)
		return -EMSGSIZE; /* snappy's block format stores lengths in 32 bits */
	if (grow((void **)&e->pb, &e->pb_cap, plen ? plen : 1, 1) < 0)
		return -ENOMEM;
	prometheus__write_request__pack(&req, e->pb);
	size_t zlen = snappy_max_compressed_length(plen);
	if (grow((void **)&e->out, &e->out_cap, zlen, 1) < 0)
		return -ENOMEM;
	if (snappy_compress((const char *)e->pb, plen, (char *)e->out, &zlen) != SNAPPY_OK)
		return -ENOMEM;
	e->len = zlen;
	return 0;
}

long rw_decode(const void *body, size_t len, void (*cb)(void *ctx, const struct rw_series *s),
               void *ctx)
{
	size_t plen;
	if (snappy_uncompressed_length(body, len, &plen) != SNAPPY_OK || plen > (64u << 20))
		return -EBADMSG;
	char *pb = malloc(plen ? plen : 1);
	if (!pb)
		return -ENOMEM;
	if (snappy_uncompress(body, len, pb, &plen) != SNAPPY_OK) {
		free(pb);
		return -EBADMSG;
	}
	Prometheus__WriteRequest *req =
	        prometheus__write_request__unpack(NULL, plen, (const uint8_t *)pb);
	free(pb);
	if (!req)
		return -EBADMSG;
	long total = 0;
	for (size_t i = 0; i < req->n_timeseries; i++) {
		const Prometheus__TimeSeries *t = req->timeseries[i];
		struct rw_label *lb = calloc(t->n_labels + 1, sizeof(*lb));
		int64_t *ts = calloc(t->n_samples + 1, sizeof(*ts));
		double *v = calloc(t->n_samples + 1, sizeof(*v));
		if (!lb || !ts || !v) {
			free(lb);
			free(ts);
			free(v);
			prometheus__write_request__free_unpacked(req, NULL);
			return -ENOMEM;
		}
		for (size_t k = 0; k < t->n_labels; k++)
			lb[k] = (struct rw_label){t->labels[k]->name, t->labels[k]->value};
		for (size_t k = 0; k < t->n_samples; k++) {
			ts[k] = t->samples[k]->timestamp;
			v[k] = t->samples[k]->value;
		}
		struct rw_series s = {lb, t->n_labels, ts, v, t->n_samples};
		if (cb)
			cb(ctx, &s);
		total += (long)t->n_samples;
		free(lb);
		free(ts);
		free(v);
	}
	prometheus__write_request__free_unpacked(req, NULL);
	return total;
}
