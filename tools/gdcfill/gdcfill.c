/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gdcfill: write a synthetic history for the demo site's meters straight into a store, so the
 * dashboard, the API benchmark (bench/bench_http.sh) and a demo have weeks of data at once.
 * Series carry the same device, metric and labels as etc/demo.yaml's utility feeds, PDUs and
 * cooling units: facility input and PDU output energy counters (kWh) and power gauges (W),
 * with a daily load cycle and a PUE that follows the outdoor temperature.
 *
 *   gdcfill --db PATH [--days N] [--step DURATION] [--end-ago DURATION] [--racks N]
 *
 * --racks N adds N rack PDUs (rack-00001 ...) with one power and one energy reading each at
 * the end, so /metrics can be measured at the size of a large site.
 */
#include "core/util.h"
#include "store/store.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct meter {
	const char *device, *labels;
	int kind; /* 0 facility feed, 1 PDU, 2 cooling */
	double share;
	int64_t energy_id, power_id;
	double kwh;
};

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	        {"db", required_argument, NULL, 'd'},    {"days", required_argument, NULL, 'n'},
	        {"step", required_argument, NULL, 's'},  {"end-ago", required_argument, NULL, 'e'},
	        {"racks", required_argument, NULL, 'r'}, {NULL, 0, NULL, 0}};
	const char *db = NULL;
	long long days = 30, racks = 0;
	int64_t step = 60000, end_ago = 60000;
	int c;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'n':
			if (!util_parse_int(optarg, &days) || days < 1 || days > 400)
				return fprintf(stderr, "gdcfill: --days: 1..400\n"), 2;
			break;
		case 's':
			if (!util_parse_duration(optarg, &step) || step < 1000)
				return fprintf(stderr, "gdcfill: --step: a duration >= 1s\n"), 2;
			break;
		case 'e':
			if (!util_parse_duration(optarg, &end_ago))
				return fprintf(stderr, "gdcfill: --end-ago: a duration\n"), 2;
			break;
		case 'r':
			if (!util_parse_int(optarg, &racks) || racks < 0 || racks > 100000)
				return fprintf(stderr, "gdcfill: --racks: 0..100000\n"), 2;
			break;
		default:
			fprintf(stderr,
			        "usage: gdcfill --db PATH [--days N] [--step D] [--end-ago D]\n");
			return 2;
		}
	}
	if (!db) {
		fprintf(stderr, "usage: gdcfill --db PATH [--days N] [--step D] [--end-ago D]\n");
		return 2;
	}
	struct meter m[] = {
	        {"utility-a", "feed=A,hall=A,role=facility_input", 0, 0.55, 0, 0, 1e6},
	        {"utility-b", "feed=B,hall=A,role=facility_input", 0, 0.45, 0, 0, 8e5},
	        {"pdu-a", "hall=A,role=pdu_output,row=1", 1, 0.5, 0, 0, 5e5},
	        {"pdu-b", "hall=A,role=pdu_output,row=2", 1, 0.5, 0, 0, 5e5},
	        {"crah-1", "hall=A,role=cooling", 2, 0.5, 0, 0, 1e5},
	        {"crah-2", "hall=A,role=cooling", 2, 0.5, 0, 0, 1e5},
	};
	size_t nm = sizeof(m) / sizeof(m[0]);
	char err[256];
	struct store_opts so = {.path = db, .commit_ms = 1000, .queue_cap = 1 << 20};
	struct store *st = store_open(&so, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "gdcfill: %s: %s\n", db, err);
		return 1;
	}
	for (size_t i = 0; i < nm; i++) {
		struct store_series_desc e = {.device = m[i].device,
		                              .metric = "energy_kwh",
		                              .labels = m[i].labels,
		                              .kind = STORE_COUNTER,
		                              .counter_bits = 64};
		struct store_series_desc p = {.device = m[i].device,
		                              .metric = "power_w",
		                              .labels = m[i].labels,
		                              .kind = STORE_GAUGE};
		m[i].energy_id = store_series(st, &e);
		m[i].power_id = store_series(st, &p);
		if (m[i].energy_id <= 0 || m[i].power_id <= 0) {
			fprintf(stderr, "gdcfill: cannot create series for %s\n", m[i].device);
			store_close(st);
			return 1;
		}
	}
	int64_t end = util_wall_ms() - end_ago, start = end - days * 86400000LL;
	start -= start % step;
	size_t n = 0;
	struct store_sample buf[64];
	for (int64_t t = start; t < end; t += step) {
		double day = fmod((double)t / 86400000.0, 1.0);
		double it = 400e3 * (1 + 0.05 * sin(2 * M_PI * (day - 0.25)));
		double outdoor = 12 + 8 * sin(2 * M_PI * (day - 0.375));
		double cooling = it * (0.08 + 0.006 * fmax(0, outdoor - 5));
		double fac = it + cooling + 4000 + 0.02 * it;
		size_t k = 0;
		for (size_t i = 0; i < nm; i++) {
			double w = (m[i].kind == 0   ? fac
			            : m[i].kind == 1 ? it
			                             : cooling) *
			           m[i].share;
			m[i].kwh += w / 1000.0 * (double)step / 3600000.0;
			buf[k++] = (struct store_sample){m[i].power_id, t, w};
			buf[k++] = (struct store_sample){m[i].energy_id, t, m[i].kwh};
		}
		if (store_append(st, buf, k) != 0) {
			fprintf(stderr, "gdcfill: append failed\n");
			store_close(st);
			return 1;
		}
		n += k;
	}
	for (long long r = 1; r <= racks; r++) {
		char dev[32];
		snprintf(dev, sizeof(dev), "rack-%05lld", r);
		struct store_series_desc e = {.device = dev,
		                              .metric = "energy_kwh",
		                              .labels = "hall=B,role=it_input",
		                              .kind = STORE_COUNTER,
		                              .counter_bits = 64};
		struct store_series_desc p = {.device = dev,
		                              .metric = "power_w",
		                              .labels = "hall=B,role=it_input",
		                              .kind = STORE_GAUGE};
		struct store_sample s2[2] = {
		        {store_series(st, &e), end, 1000.0 + (double)r},
		        {store_series(st, &p), end, 5000.0 + (double)(r % 97)}};
		if (s2[0].series <= 0 || s2[1].series <= 0 || store_append(st, s2, 2) != 0) {
			fprintf(stderr, "gdcfill: rack %lld failed\n", r);
			store_close(st);
			return 1;
		}
		n += 2;
	}
	int rc = store_flush(st);
	store_close(st);
	printf("gdcfill: %zu samples, %lld days at %lld s, %zu series + %lld racks, into %s\n", n,
	       days, (long long)(step / 1000), 2 * nm, racks, db);
	return rc ? 1 : 0;
}
