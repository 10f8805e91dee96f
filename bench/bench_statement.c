/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Time to compute the monthly statements of 500 tenants over 5,000 racks (statement_compute,
 * as `greendc statement --month` does): kWh by tariff period from 15-minute slots, peak
 * demand, racks, coverage, for October 2026 in Asia/Shanghai.
 *
 * Each rack has one PDU whose input energy counter is read every 15 minutes (a billing
 * meter's interval). The month of readings (about 3,070 per counter, 15 M for 5,000 racks)
 * is written through the store's own write path, store_append in time order, so the
 * database has the schema-6 layout the daemon would leave: hour blocks (within raw
 * retention, so the 15-minute slots are folded from the blocks), hour and day rollups. The
 * cost of a statement is the readings it folds (2,976 per rack-month): readings every minute
 * would make them 15 times as many (see docs/tenants.md, "Performance"). Every rack's kWh is
 * checked against its counter's delta over the month as generated.
 *
 *   bench_statement [--dir DIR] [--keep] [--racks N] [--tenants N] [--threads N (2)]
 */
#include "analytics/statement.h"
#include "config/config.h"
#include "core/timeutil.h"
#include "daemon/sections.h"
#include "store/store.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define Q15_MS INT64_C(900000)
#define H_MS   INT64_C(3600000)
#define TZ     "Asia/Shanghai"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Rack k's load in kW over quarter q: a base by rack plus a daily cycle. */
static double load_kw(int k, int64_t q)
{
	double h = (double)(q % 96) / 4.0;
	return 3.0 + (k % 7) * 0.5 + 0.6 * cos(2 * M_PI * (h - 7.0) / 24.0);
}

static void write_config(const char *dir, int racks, int tenants)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/profiles", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/profiles/pdu", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/profiles/pdu/bench.yaml", dir);
	FILE *f = fopen(path, "w");
	fputs("profile: bench\nclass: pdu\ndriver: modbus\nsource: bench\npoints:\n"
	      "  - {metric: energy_kwh, kind: counter, counter_bits: 32, fc: 3, register: 0, "
	      "type: uint32}\n",
	      f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/bench.yaml", dir);
	f = fopen(path, "w");
	fprintf(f,
	        "site: {id: bench, name: bench, timezone: %s}\n"
	        "storage: {path: bench.db}\n"
	        "daemon: {profiles_dir: profiles}\n"
	        "devices:\n",
	        TZ);
	for (int k = 0; k < racks; k++)
		fprintf(f,
		        "  - {name: rpdu-%05d, driver: modbus, address: \"tcp://127.0.0.1:1\", "
		        "profile: pdu/bench, enabled: false, labels: {hall: H%d, row: \"%d\", "
		        "rack: "
		        "R%05d, feed: A}}\n",
		        k, k / 1000, k / 50 % 20, k);
	fputs("tariffs:\n"
	      "  - name: tou\n    currency: CNY\n    source: bench\n"
	      "    prices: {critical: 1.2, peak: 1.0, flat: 0.6, valley: 0.3}\n"
	      "    seasons:\n"
	      "      - months: [1, 2, 7, 8, 12]\n"
	      "        critical: [\"19:00-21:00\"]\n"
	      "        peak: [\"08:00-11:00\", \"17:00-19:00\", \"21:00-23:00\"]\n"
	      "        valley: [\"23:00-07:00\"]\n"
	      "      - months: [3, 4, 5, 6, 9, 10, 11]\n"
	      "        peak: [\"08:00-11:00\", \"17:00-23:00\"]\n"
	      "        valley: [\"23:00-07:00\"]\n"
	      "tenants:\n",
	      f);
	int per = racks / tenants;
	for (int t = 0; t < tenants; t++) {
		fprintf(f, "  - {name: tenant-%03d, racks: [", t);
		for (int j = 0; j < per; j++)
			fprintf(f, "%sR%05d", j ? ", " : "", t * per + j);
		fputs("]}\n", f);
	}
	fclose(f);
}

/* Every rack's counter through the store's own write path (store_series, store_append in
 * time order, as bench_store and gdcfill do): the writer unwraps the readings, packs each
 * hour into a block and writes its hour and day rollups, the schema-6 layout a site's month
 * has within raw retention. Readings at the end of each quarter hour, from one before the
 * month to a day after it. first[k] and last[k] get rack k's readings just before the month
 * and at its last quarter: the month's kWh is their difference. */
static int build_db(const char *path, int racks, int64_t from, int64_t to, int64_t *samples,
                    double *first, double *last)
{
	char err[256];
	struct store_opts o = {.path = path,
	                       .raw_retention_ms = 90LL * 86400000, /* the default (config.md) */
	                       .commit_ms = 1000,
	                       .queue_cap = 1 << 20};
	struct store *st = store_open(&o, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "store_open: %s\n", err);
		return -1;
	}
	int64_t *ids = calloc((size_t)racks, sizeof(*ids));
	double *total = calloc((size_t)racks, sizeof(*total));
	struct store_sample *buf = calloc((size_t)racks, sizeof(*buf));
	int rc = 0;
	for (int k = 0; k < racks; k++) {
		char dev[32], labels[96];
		snprintf(dev, sizeof(dev), "rpdu-%05d", k);
		snprintf(labels, sizeof(labels), "feed=A,hall=H%d,rack=R%05d,row=%d", k / 1000, k,
		         k / 50 % 20);
		struct store_series_desc sd = {.device = dev,
		                               .metric = "energy_kwh",
		                               .labels = labels,
		                               .kind = STORE_COUNTER,
		                               .counter_bits = 32};
		ids[k] = store_series(st, &sd);
		total[k] = 10000 + k;
		if (ids[k] <= 0)
			rc = -1;
	}
	int64_t q0 = (from - Q15_MS) / Q15_MS, q1 = (to + 86400000) / Q15_MS;
	for (int64_t qi = q0; qi < q1 && rc == 0; qi++) {
		int64_t ts = (qi + 1) * Q15_MS - 1; /* closes quarter qi */
		for (int k = 0; k < racks; k++) {
			if (qi > q0)
				total[k] += load_kw(k, qi - from / Q15_MS) / 4;
			if (ts == from - 1)
				first[k] = total[k];
			if (ts == to - 1)
				last[k] = total[k];
			buf[k] = (struct store_sample){ids[k], ts, total[k]};
		}
		if (store_append(st, buf, (size_t)racks) != 0)
			rc = -1;
		*samples += racks;
	}
	if (rc == 0 && store_flush(st) != 0)
		rc = -1;
	store_close(st);
	free(buf);
	free(total);
	free(ids);
	if (rc < 0)
		fprintf(stderr, "bench_statement: writing through the store failed\n");
	return rc;
}

int main(int argc, char **argv)
{
	const char *dir = "/tmp";
	bool keep = false;
	int racks = 5000, tenants = 500;
	unsigned threads = 2;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--keep") == 0)
			keep = true;
		else if (strcmp(argv[i], "--racks") == 0 && i + 1 < argc)
			racks = atoi(argv[++i]);
		else if (strcmp(argv[i], "--tenants") == 0 && i + 1 < argc)
			tenants = atoi(argv[++i]);
		else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			threads = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--quick") == 0) {
			racks = 500;
			tenants = 50;
		} else {
			fprintf(stderr, "usage: bench_statement [--dir DIR] [--keep] [--racks N] "
			                "[--tenants N] [--threads N] [--quick]\n");
			return 2;
		}
	}
	if (racks < tenants || tenants < 1) {
		fprintf(stderr, "bench_statement: need at least one rack per tenant\n");
		return 2;
	}
	char sub[512], db[600], cfgpath[600], err[256];
	snprintf(sub, sizeof(sub), "%s/bench-statement-%d", dir, (int)getpid());
	mkdir(sub, 0700);
	snprintf(db, sizeof(db), "%s/bench.db", sub);
	snprintf(cfgpath, sizeof(cfgpath), "%s/bench.yaml", sub);
	time_zone_set(TZ);
	int64_t from, to;
	enum time_unit u;
	time_period_parse("2026-10", &from, &to, &u);

	double t0 = now_ms();
	int64_t samples = 0;
	double *first = calloc((size_t)racks, sizeof(*first));
	double *last = calloc((size_t)racks, sizeof(*last));
	write_config(sub, racks, tenants);
	if (build_db(db, racks, from, to, &samples, first, last) < 0)
		return 1;
	double built = now_ms() - t0;
	struct config_diag diag = {0};
	double c0 = now_ms();
	struct config *cfg = greendc_config_load(cfgpath, &diag);
	double cload = now_ms() - c0;
	if (!cfg) {
		fprintf(stderr, "%s", diag.text);
		return 1;
	}
	struct store_reader *r = store_reader_open(db, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	double t[5], kwh = 0, peak = 0, worst = 0;
	int rc = 0, nracks = 0;
	for (int i = 0; i < 5; i++) {
		struct statement_set s;
		double a = now_ms();
		if (statement_compute_parallel(cfg, r, db, threads, "2026-10", NULL, to + 86400000,
		                               &s) < 0) {
			fprintf(stderr, "statement_compute: %s\n", s.err);
			return 1;
		}
		t[i] = now_ms() - a;
		kwh = peak = worst = 0;
		nracks = 0;
		for (size_t k = 0; k < s.n; k++) {
			kwh += s.t[k].month.kwh;
			peak = fmax(peak, s.t[k].peak_kw);
			rc |= s.t[k].month.status != ENERGY_OK;
			/* each rack: its counter's delta over the month, as generated */
			for (size_t j = 0; j < s.t[k].nracks; j++) {
				const struct statement_rack *sr = &s.t[k].racks[j];
				int rk = atoi(sr->rack + 1);
				if (rk < 0 || rk >= racks) {
					rc = 1;
					continue;
				}
				worst = fmax(worst, fabs(sr->month.kwh - (last[rk] - first[rk])));
				nracks++;
			}
		}
		statement_set_free(&s);
	}
	qsort(t, 5, sizeof(t[0]), cmp_double);
	/* The loads' own sum, computed here. */
	double want = 0;
	for (int k = 0; k < (racks / tenants) * tenants; k++)
		for (int64_t qi = 0; qi < (to - from) / Q15_MS; qi++)
			want += load_kw(k, qi) / 4;
	store_reader_close(r);
	config_free(cfg);
	printf("floor: %d racks (one PDU input counter each, read every 15 min), %d tenants; %lld "
	       "readings written through the store (store_append) in %.1f s; config loaded in "
	       "%.0f ms\n",
	       racks, tenants, (long long)samples, built / 1000, cload);
	printf("statements for 2026-10 (%s), %u thread%s: %.0f ms (median of 5; min %.0f, max "
	       "%.0f; target <= 2000 ms for 500 tenants over 5,000 racks)\n",
	       TZ, threads, threads == 1 ? "" : "s", t[2], t[0], t[4]);
	printf("  %.1f kWh in all (expected %.1f), highest tenant peak %.2f kW\n", kwh, want, peak);
	printf("  %d racks: kWh = counter delta over the month within %.2g kWh\n", nracks, worst);
	if (rc || fabs(kwh - want) > 1e-6 * want || worst > 1e-6 ||
	    nracks != (racks / tenants) * tenants) {
		fprintf(stderr, "bench_statement: unexpected totals or statuses\n");
		rc = 1;
	}
	if (!keep) {
		char cmd[700];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sub);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_statement: could not remove %s\n", sub);
	}
	free(first);
	free(last);
	return rc;
}
