/* SPDX-License-Identifier: Apache-2.0 */
/* Prometheus remote-write (remote_write.h): the encoder against bytes worked out by hand from
 * the protobuf wire format and snappy's block format, a round trip, and the tap through a
 * real store: every request in the outbox decodes to series named and labelled as /metrics
 * names them (sorted, with instance, site, energy_role and pue), values in base units, enum
 * metrics as state sets, NaN and samples not after the last one sent left out, at most
 * max_samples_per_send samples per request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "daemon/sections.h"
#include "delivery/remote_write.h"
#include "store/outbox.h"
#include "store/store.h"

static void test_encode_known_bytes(void **state)
{
	(void)state;
	/* One series {__name__="a"} with one sample (1.5 at 1000 ms):
	 *   Label      0a 08 "__name__" 12 01 "a"                        13 bytes
	 *   Sample     09 <1.5 as little-endian double> 10 e8 07         12 bytes
	 *   TimeSeries 0a 0d <Label> 12 0c <Sample>                      29 bytes
	 *   WriteRequest 0a 1d <TimeSeries>                              31 bytes */
	static const uint8_t want[] = {0x0a, 0x1d, 0x0a, 0x0d, 0x0a, 0x08, '_',  '_',
	                               'n',  'a',  'm',  'e',  '_',  '_',  0x12, 0x01,
	                               'a',  0x12, 0x0c, 0x09, 0x00, 0x00, 0x00, 0x00,
	                               0x00, 0x00, 0xf8, 0x3f, 0x10, 0xe8, 0x07};
	struct rw_label l = {"__name__", "a"};
	int64_t ts = 1000;
	double v = 1.5;
	struct rw_series s = {&l, 1, &ts, &v, 1};
	struct rw_enc e = {0};
	assert_int_equal(rw_encode(&e, &s, 1), 0);
	char raw[64];
	size_t n = sizeof(raw);
	/* snappy's block format (not framed): decodes with the plain block decoder */
	assert_int_equal(snappy_uncompress((const char *)e.out, e.len, raw, &n), SNAPPY_OK);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(raw, want, sizeof(want));
	rw_enc_free(&e);
}

struct got {
	char text[65536];
	size_t len;
	long series, samples;
};

/* Each series as "k=v,k=v:t=v;t=v\n". */
static void collect_cb(void *ctx, const struct rw_series *s)
{
	struct got *g = ctx;
	for (size_t i = 0; i < s->nlabels; i++) {
		/* sorted by name, no empty value */
		if (i)
			assert_true(strcmp(s->labels[i - 1].name, s->labels[i].name) < 0);
		assert_true(s->labels[i].value[0] != '\0');
		g->len += (size_t)snprintf(g->text + g->len, sizeof(g->text) - g->len, "%s%s=%s",
		                           i ? "," : "", s->labels[i].name, s->labels[i].value);
	}
	g->len += (size_t)snprintf(g->text + g->len, sizeof(g->text) - g->len, ":");
	for (size_t k = 0; k < s->n; k++) {
		if (k)
			assert_true(s->ts[k - 1] < s->ts[k]);
		g->len +=
		        (size_t)snprintf(g->text + g->len, sizeof(g->text) - g->len, "%s%lld=%.17g",
		                         k ? ";" : "", (long long)s->ts[k], s->v[k]);
	}
	g->len += (size_t)snprintf(g->text + g->len, sizeof(g->text) - g->len, "\n");
	g->series++;
}

static void test_roundtrip(void **state)
{
	(void)state;
	struct rw_label a[] = {{"__name__", "greendc_power_watts"}, {"device", "pdu-a"}};
	struct rw_label b[] = {{"__name__", "x"}, {"state", "free"}};
	int64_t ts[] = {1790000000000, 1790000001000, 1790000002000};
	double va[] = {0.45299999999999996, -2, 1e300}, vb[] = {0, 1, 0};
	struct rw_series s[] = {{a, 2, ts, va, 3}, {b, 2, ts, vb, 3}};
	struct rw_enc e = {0};
	assert_int_equal(rw_encode(&e, s, 2), 0);
	struct got g = {0};
	assert_int_equal(rw_decode(e.out, e.len, collect_cb, &g), 6);
	assert_string_equal(
	        g.text,
	        "__name__=greendc_power_watts,device=pdu-a:1790000000000="
	        "0.45299999999999996;1790000001000=-2;1790000002000=1.0000000000000001e+300\n"
	        "__name__=x,state=free:1790000000000=0;1790000001000=1;1790000002000=0\n");
	/* garbage is refused, not decoded */
	assert_true(rw_decode("not snappy", 10, NULL, NULL) < 0);
	rw_enc_free(&e);
}

/* ---- the tap through a real store ---- */

static const char *yaml_fmt =
        "site: {id: ty-dc1, name: T, timezone: UTC}\n"
        "storage: {path: %s/db, commit_interval: 50ms}\n"
        "devices: []\n"
        "energy:\n"
        "  roles:\n"
        "    facility_input: [{labels: {role: facility_input}, metric: energy_kwh}]\n"
        "    it_pdu_output: [{labels: {role: pdu_output}, metric: energy_kwh}]\n"
        "  co2: {kg_per_kwh: 0.5366, source: test, year: 2022}\n"
        "outputs:\n"
        "  summary_interval: 0s\n"
        "  remote_write:\n"
        "    - {name: prom, url: \"http://127.0.0.1:9/api/v1/write\", instance: gw,\n"
        "       max_samples_per_send: 4}\n";

static int outbox_cb(void *ctx, const struct outbox_row *row)
{
	struct got *g = ctx;
	long n = rw_decode(row->payload, row->len, collect_cb, g);
	assert_true(n > 0 && n <= 4); /* max_samples_per_send */
	g->samples += n;
	return 0;
}

static void test_tap(void **state)
{
	(void)state;
	char dir[] = "/tmp/greendc-rw-XXXXXX", path[128], err[512], yaml[2048];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/greendc.yaml", dir);
	snprintf(yaml, sizeof(yaml), yaml_fmt, dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(yaml, f);
	fclose(f);
	struct config_diag diag = {0};
	struct config *cfg = greendc_config_load(path, &diag);
	if (!cfg)
		fail_msg("%s", diag.text);
	struct store_opts o = {.path = cfg->storage.path, .commit_ms = 50, .queue_cap = 4096};
	struct store *st = store_open(&o, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(rw_tap_install(st, cfg, NULL, err, sizeof(err)), 0);

	/* The IT meter first: the category (2, PDU output) is known when the feed is named. */
	struct store_series_desc d[] = {
	        {"pdu", "energy_kwh", "role=pdu_output", STORE_COUNTER, 32, 0, 0},
	        {"utility", "energy_kwh", "role=facility_input", STORE_COUNTER, 32, 0, 0},
	        {"utility", "power_w", "instance=x,phase=L1", STORE_GAUGE, 0, 0, 0},
	        {"plant", "cooling_mode", "", STORE_GAUGE, 0, 0, 0},
	        {"plant", "free_cooling_pct", "", STORE_GAUGE, 0, 0, 0},
	};
	int64_t id[5];
	for (int i = 0; i < 5; i++)
		assert_true((id[i] = store_series(st, &d[i])) > 0);
	int64_t t = 1790000000000;
	struct store_sample b1[] = {
	        {id[0], t, 10},
	        {id[1], t, 100},
	        {id[2], t + 1000, 5000},
	        {id[2], t, 4990}, /* before the one above in the batch: sorted, sent */
	        {id[3], t, 2},
	        {id[4], t, 45.3},
	        {id[4], t + 1000, NAN}, /* not sent */
	        {id[1], t + 1000, 100.5},
	};
	assert_int_equal(store_append(st, b1, 8), 0);
	assert_int_equal(store_flush(st), 0);
	struct store_sample b2[] = {
	        {id[2], t + 500, 4995}, /* not after the last one sent (t + 1000): left out */
	        {id[2], t + 2000, 5010},
	        {id[3], t + 2000, 0},
	};
	assert_int_equal(store_append(st, b2, 3), 0);
	store_close(st); /* its last batch still goes through the tap */

	struct outbox *ob = outbox_open(cfg->storage.path, err, sizeof(err));
	assert_non_null(ob);
	struct got *g = calloc(1, sizeof(*g));
	assert_true(outbox_peek(ob, "prom/rw", 100, outbox_cb, g) >= 3);
	outbox_close(ob);
	/* energy 1 + 2, power 3 (of 4), a state set 2 x 3, the ratio 1 (of 2): 13 samples */
	assert_int_equal(g->samples, 13);
	const char *want[] = {
	        "__name__=greendc_energy_joules_total,device=pdu,energy_role=it_pdu_output,"
	        "instance=gw,pue=it,role=pdu_output,site=ty-dc1:1790000000000=36000000\n",
	        "__name__=greendc_energy_joules_total,device=utility,energy_role=facility_input,"
	        "instance=gw,pue=dc,role=facility_input,site=ty-dc1:1790000000000=360000000;"
	        "1790000001000=361800000\n",
	        /* the fourth sample of the first request, then the next request: a run is
	         * split at max_samples_per_send */
	        "__name__=greendc_power_watts,device=utility,exported_instance=x,instance=gw,"
	        "phase=L1,site=ty-dc1:1790000000000=4990\n__name__=greendc_power_watts,",
	        "phase=L1,site=ty-dc1:1790000001000=5000\n",
	        "phase=L1,site=ty-dc1:1790000002000=5010\n",
	        "__name__=greendc_cooling_mode,device=plant,instance=gw,site=ty-dc1,state=free:"
	        "1790000000000=1\n",
	        "__name__=greendc_cooling_mode,device=plant,instance=gw,site=ty-dc1,"
	        "state=mechanical:1790000000000=0\n",
	        "state=mechanical:1790000002000=1\n",
	        "__name__=greendc_free_cooling_ratio,device=plant,instance=gw,site=ty-dc1:"
	        "1790000000000=0.45299999999999996\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(g->text, want[i]))
			fail_msg("missing \"%s\" in:\n%s", want[i], g->text);
	assert_null(strstr(g->text, "=4995")); /* out of order */
	assert_null(strstr(g->text, "nan"));
	free(g);
	config_free(cfg);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_encode_known_bytes),
	        cmocka_unit_test(test_roundtrip),
	        cmocka_unit_test(test_tap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
