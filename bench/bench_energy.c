/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Time to answer a monthly and an annual PUE (energy_compute + kpi_compute, as `greendc pue`
 * does) for a site with 5,000 series and 13 months of 1-minute data, from rollups.
 *
 * The database is written through the store's own write path (store_series, store_append in
 * time order, as bench_store and gdcfill do), so it has the schema-6 layout the daemon would
 * leave, with the default 90-day raw retention: the 59 counters the energy model selects get
 * a reading every minute for the 13 months (33.6 M readings: hour and day rollups, hour
 * blocks for the last 90 days, packed minutes before). The store counts retention from data
 * time held to the wall clock, so which months are packed depends on the date of the run;
 * the month and year answers read mostly hour rollups, minutes only near the edges. The
 * 4,941 other series (temperatures, outlet power) get one reading a day: 13 months of them
 * every minute would be 2.8 billion readings, hours of writing, and the month and year paths
 * never read them; they are there so that finding the model's series goes through a
 * site-sized registry.
 *
 *   bench_energy [--dir DIR] [--keep]
 */
#include "analytics/energy.h"
#include "analytics/kpi.h"
#include "core/timeutil.h"
#include "store/store.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define H_MS    INT64_C(3600000)
#define NSERIES 5000
#define TZ      "Asia/Shanghai"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

struct role_dev {
	const char *prefix;
	const char *role;
	int n;
	double kw;
};

static const struct role_dev role_devs[] = {
        {"utility", "facility_input", 2, 300},
        {"ups", "ups_output", 4, 125},
        {"pdu", "pdu_output", 40, 12},
        {"crah", "cooling", 10, 10},
        {"light", "other", 2, 5},
        {"water", "water", 1, 0.5},
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double run(struct store_reader *r, const struct energy_model *m, const char *period,
                  double *pue)
{
	double t[7];
	for (int i = 0; i < 7; i++) {
		double a = now_ms();
		struct energy_period p;
		struct energy_report rep;
		struct kpi_results k;
		if (energy_period_parse(period, &p) < 0 ||
		    energy_compute(r, m, p.from_ms, p.to_ms, STEP_WHOLE, INT64_MAX, &rep) < 0) {
			fprintf(stderr, "energy_compute failed: %s\n", rep.err);
			exit(1);
		}
		struct kpi_inputs in;
		energy_kpi_inputs(m, rep.it_role, &rep.total, 0, &in);
		kpi_compute(&in, &k);
		*pue = k.pue.v;
		energy_report_free(&rep);
		t[i] = now_ms() - a;
	}
	qsort(t, 7, sizeof(t[0]), cmp_double);
	return t[3];
}

int main(int argc, char **argv)
{
	const char *dir = "/tmp";
	bool keep = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--keep") == 0)
			keep = true;
		else if (strcmp(argv[i], "--quick") != 0) {
			fprintf(stderr, "usage: bench_energy [--dir DIR] [--keep]\n");
			return 2;
		}
	}
	char path[512], err[256];
	snprintf(path, sizeof(path), "%s/bench-energy-%d.db", dir, (int)getpid());

	/* 13 months: 2025-12-01 .. 2027-01-01 local (UTC+8). */
	struct energy_period y0, y1;
	time_zone_set(TZ);
	energy_period_parse("2025-12", &y0);
	energy_period_parse("2026", &y1);
	int64_t from = y0.from_ms, to = y1.to_ms;
	int64_t hours = (to - from) / H_MS;

	double t0 = now_ms();
	struct store_opts o = {.path = path,
	                       .raw_retention_ms = 90LL * 86400000, /* the default (config.md) */
	                       .commit_ms = 1000,
	                       .queue_cap = 1 << 20};
	struct store *st = store_open(&o, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "store_open: %s\n", err);
		return 1;
	}
	int64_t *ids = calloc(NSERIES, sizeof(*ids));
	double *kw = calloc(NSERIES, sizeof(*kw));
	int n = 0;
	for (size_t d = 0; d < sizeof(role_devs) / sizeof(role_devs[0]); d++) {
		for (int i = 0; i < role_devs[d].n; i++) {
			char dev[32], labels[64];
			snprintf(dev, sizeof(dev), "%s-%02d", role_devs[d].prefix, i);
			snprintf(labels, sizeof(labels), "role=%s", role_devs[d].role);
			bool water = strcmp(role_devs[d].prefix, "water") == 0;
			struct store_series_desc sd = {.device = dev,
			                               .metric = water ? "water_m3" : "energy_kwh",
			                               .labels = labels,
			                               .kind = STORE_COUNTER,
			                               .counter_bits = 64};
			kw[n] = role_devs[d].kw;
			ids[n++] = store_series(st, &sd);
		}
	}
	int nrole = n;
	for (; n < NSERIES; n++) { /* everything else a site has: temperatures, outlet power */
		char dev[32];
		snprintf(dev, sizeof(dev), "rack-%03d", n / 10);
		static const char *const metrics[] = {"inlet_temp_c", "outlet_temp_c", "power_w",
		                                      "humidity_pct", "current_a"};
		char labels[32];
		snprintf(labels, sizeof(labels), "slot=%d", n % 2);
		struct store_series_desc sd = {.device = dev,
		                               .metric = metrics[n % 5],
		                               .labels = labels,
		                               .kind = STORE_GAUGE};
		ids[n] = store_series(st, &sd);
	}
	/* Readings in time order, an hour of minutes per append: the model's counters every
	 * minute from the start to the end (inclusive) of the 13 months, the other series at
	 * each UTC midnight. */
	int64_t rows = 0;
	int64_t minutes = hours * 60;
	size_t cap = (size_t)60 * (size_t)nrole + NSERIES, nb = 0;
	struct store_sample *buf = calloc(cap, sizeof(*buf));
	int rc = 0;
	for (int64_t i = 0; i <= minutes && rc == 0; i++) {
		int64_t ts = from + i * 60000;
		for (int s = 0; s < nrole; s++) /* kw[s] kWh an hour */
			buf[nb++] =
			        (struct store_sample){ids[s], ts, 1000 + (double)i * kw[s] / 60};
		if (ts % (24 * H_MS) == 0)
			for (int s = nrole; s < NSERIES; s++)
				buf[nb++] = (struct store_sample){
				        ids[s], ts,
				        21.5 + (double)((s + ts / (24 * H_MS)) % 13) / 2};
		if (nb + (size_t)nrole + NSERIES > cap || i == minutes) {
			if (store_append(st, buf, nb) != 0)
				rc = -1;
			rows += (int64_t)nb;
			nb = 0;
		}
	}
	if (rc == 0 && store_flush(st) != 0)
		rc = -1;
	store_close(st);
	free(buf);
	if (rc < 0) {
		fprintf(stderr, "bench_energy: writing through the store failed\n");
		return 1;
	}
	double built = now_ms() - t0;

	struct store_reader *r = store_reader_open(path, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	static const char *const fk[] = {"role"}, *const fv[] = {"facility_input"};
	static const char *const ik[] = {"role"}, *const iv[] = {"pdu_output"};
	static const char *const uk[] = {"role"}, *const uv[] = {"ups_output"};
	static const char *const ck[] = {"role"}, *const cv[] = {"cooling"};
	struct energy_selector sf = {
	        .metric = "energy_kwh", .label_keys = fk, .label_values = fv, .nlabels = 1};
	struct energy_selector si = {
	        .metric = "energy_kwh", .label_keys = ik, .label_values = iv, .nlabels = 1};
	struct energy_selector su = {
	        .metric = "energy_kwh", .label_keys = uk, .label_values = uv, .nlabels = 1};
	struct energy_selector sc = {
	        .metric = "energy_kwh", .label_keys = ck, .label_values = cv, .nlabels = 1};
	struct energy_model m = {.present = true, .coverage_min = 0.95, .max_gap_ms = 300000};
	m.sel[ROLE_FACILITY_INPUT] = &sf;
	m.nsel[ROLE_FACILITY_INPUT] = 1;
	m.sel[ROLE_IT_PDU_OUTPUT] = &si;
	m.nsel[ROLE_IT_PDU_OUTPUT] = 1;
	m.sel[ROLE_IT_UPS_OUTPUT] = &su;
	m.nsel[ROLE_IT_UPS_OUTPUT] = 1;
	m.sel[ROLE_COOLING] = &sc;
	m.nsel[ROLE_COOLING] = 1;

	double pue_m, pue_y;
	double tm = run(r, &m, "2026-10", &pue_m);
	double ty = run(r, &m, "2026", &pue_y);
	store_reader_close(r);
	printf("site: %d series (%d in the energy model), %lld hours, %lld readings written "
	       "through the store (store_append) in %.1f s\n",
	       NSERIES, nrole, (long long)hours, (long long)rows, built / 1000);
	printf("monthly PUE (2026-10, %s): %.4f in %.2f ms (median of 7; target < 50 ms)\n", TZ,
	       pue_m, tm);
	printf("annual PUE  (2026, %s):    %.4f in %.2f ms (median of 7; target < 200 ms)\n", TZ,
	       pue_y, ty);
	/* 600 kW facility over 480 kW of PDU output. */
	rc = fabs(pue_m - 1.25) < 1e-9 && fabs(pue_y - 1.25) < 1e-9 ? 0 : 1;
	if (rc)
		fprintf(stderr, "unexpected PUE (expected 1.25)\n");
	if (!keep) {
		const char *suffix[] = {"", "-wal", "-shm"};
		for (int i = 0; i < 3; i++) {
			char p[600];
			snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
			unlink(p);
		}
	}
	free(ids);
	free(kw);
	return rc;
}
