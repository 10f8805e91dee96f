/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Time to produce a regulator's monthly report with its PDF for a site with 5,000 series
 * (issue 15: at most 2 s): report_build (energy by day, KPIs, metering register, data-quality
 * evidence: register increase and midnight alignment per counter, counter events), the
 * canonical bytes and their Ed25519 signature, then the zh PDF (layout, three charts, fonts
 * subset and embedded) — and, for the record, the en PDF, the HTML and the CSV.
 *
 * The site: 2 utility feeds, 4 UPS outputs, 400 rack PDU outputs, 40 CRAHs, 2 lighting boards
 * and a water meter in the energy model (449 counters), and 4,551 other series (temperatures,
 * outlet power, humidity). As in bench_energy.c, the database is written through the store's
 * own write path (store_series, store_append in time order), so it has the schema-6 layout
 * the daemon would leave: the model's counters get a reading every minute over 2026-09-30 ..
 * 2026-11-02 (22 M readings; hour blocks, hour and day rollups), with a daily cycle so the
 * charts are not flat; the other series one reading a day (every minute would be 220 M
 * readings, and the report never reads them).
 *
 *   bench_report [--dir DIR] [--keep] [--runs N]
 */
#include "core/timeutil.h"
#include "daemon/sections.h"
#include "delivery/report.h"
#include "delivery/report_sign.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdbool.h>
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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

struct role_dev {
	const char *prefix, *role;
	int n;
	double kw;
};

static const struct role_dev role_devs[] = {
        {"utility", "facility_input", 2, 1800},
        {"ups", "ups_output", 4, 330},
        {"pdu", "pdu_output", 400, 3},
        {"crah", "cooling", 40, 6},
        {"light", "other", 2, 15},
        {"water", "water", 1, 0.5},
};

/* Register the series and write their readings through the store; *nrole of them (first)
 * are the model's counters. *rows: readings written. */
static int64_t *build_db(const char *path, double *kw, int *nrole, int64_t from, int64_t to,
                         int64_t *rows)
{
	char err[256];
	struct store_opts o = {.path = path,
	                       .raw_retention_ms = 90LL * 86400000, /* the default (config.md) */
	                       .commit_ms = 1000,
	                       .queue_cap = 1 << 20};
	struct store *st = store_open(&o, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "store_open: %s\n", err);
		exit(1);
	}
	int64_t *ids = calloc(NSERIES, sizeof(*ids));
	int n = 0;
	for (size_t d = 0; d < sizeof(role_devs) / sizeof(role_devs[0]); d++)
		for (int i = 0; i < role_devs[d].n; i++) {
			char dev[32], labels[64];
			snprintf(dev, sizeof(dev), "%s-%03d", role_devs[d].prefix, i);
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
	*nrole = n;
	static const char *const metrics[] = {"inlet_temp_c", "outlet_temp_c", "power_w",
	                                      "humidity_pct", "current_a"};
	for (; n < NSERIES; n++) {
		char dev[32], labels[32];
		snprintf(dev, sizeof(dev), "rack-%03d", n / 10);
		snprintf(labels, sizeof(labels), "slot=%d", n % 2);
		struct store_series_desc sd = {.device = dev,
		                               .metric = metrics[n % 5],
		                               .labels = labels,
		                               .kind = STORE_GAUGE};
		ids[n] = store_series(st, &sd);
	}
	/* Readings in time order, an hour of minutes per append: the counters every minute from
	 * from to to (inclusive), the other series at each UTC midnight. */
	double *total = calloc(NSERIES, sizeof(*total));
	size_t cap = (size_t)60 * (size_t)*nrole + NSERIES, nb = 0;
	struct store_sample *buf = calloc(cap, sizeof(*buf));
	int rc = 0;
	*rows = 0;
	for (int64_t ts = from; ts <= to && rc == 0; ts += 60000) {
		/* a daily cycle, so the charts are not flat: kWh of the hour the minute ends */
		double f = 1 + 0.1 * sin((double)((ts - 60000) / H_MS % 24) / 24 * 6.283);
		for (int s = 0; s < *nrole; s++) {
			total[s] = ts == from ? 1000 : total[s] + kw[s] * f / 60;
			buf[nb++] = (struct store_sample){ids[s], ts, total[s]};
		}
		if (ts % (24 * H_MS) == 0)
			for (int s = *nrole; s < NSERIES; s++)
				buf[nb++] = (struct store_sample){
				        ids[s], ts,
				        21.5 + (double)((s + ts / (24 * H_MS)) % 13) / 2};
		if (nb + (size_t)*nrole + NSERIES > cap || ts + 60000 > to) {
			if (store_append(st, buf, nb) != 0)
				rc = -1;
			*rows += (int64_t)nb;
			nb = 0;
		}
	}
	if (rc == 0 && store_flush(st) != 0)
		rc = -1;
	store_close(st);
	free(buf);
	free(total);
	if (rc < 0) {
		fprintf(stderr, "bench_report: writing through the store failed\n");
		exit(1);
	}
	return ids;
}

/* The site's config: the energy model and a reporting: section with 60 meters and a key. */
static void write_config(const char *dir, const char *db)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/bench-report.yaml", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		exit(1);
	fprintf(f,
	        "site: {id: bench, name: \"Bench DC\", timezone: %s}\n"
	        "storage: {path: %s}\ndevices: []\n"
	        "energy:\n  roles:\n"
	        "    facility_input: [{labels: {role: facility_input}, metric: energy_kwh}]\n"
	        "    it_ups_output: [{labels: {role: ups_output}, metric: energy_kwh}]\n"
	        "    it_pdu_output: [{labels: {role: pdu_output}, metric: energy_kwh}]\n"
	        "    cooling: [{labels: {role: cooling}, metric: energy_kwh}]\n"
	        "    lighting_other: [{labels: {role: other}, metric: energy_kwh}]\n"
	        "    water_intake: [{labels: {role: water}, metric: water_m3}]\n"
	        "  co2: {kg_per_kwh: 0.5366, source: \"MEE/NBS national grid\", year: 2022}\n"
	        "reporting:\n  owner: \"Bench Cloud Ltd\"\n  operator: \"Bench Ops Ltd\"\n"
	        "  address: \"1 Bench Road, Taiyuan\"\n"
	        "  unified_social_credit_code: \"91350100M000100Y43\"\n"
	        "  regulator_unit_id: \"14010000999\"\n"
	        "  contact: {name: \"Li Lei\", phone: \"+86 351 5550100\"}\n"
	        "  installed_it_power_kw: 2400\n  floor_area_m2: {total: 5200}\n"
	        "  signing_key: bench-report.key\n  prepared_by: \"Zhang San\"\n"
	        "  approved_by: \"Wang Wu\"\n  meters:\n",
	        TZ, db);
	static const char *const roles[] = {"facility_input", "it_ups_output", "it_pdu_output",
	                                    "cooling"};
	for (int i = 0; i < 60; i++)
		fprintf(f,
		        "    - {id: M%02d, model: \"ACR330ELH\", serial: \"S%05d\", "
		        "accuracy_class: "
		        "\"0.5S\", ct_ratio: \"400/5\", boundary_point: \"board %d\", role: %s, "
		        "calibrated: \"2025-03-01\", calibration_due: \"%s\"}\n",
		        i, 10000 + i, i, roles[i % 4], i == 7 ? "2026-10-15" : "2027-03-01");
	fclose(f);
}

struct times {
	double build, sign, pdf_zh, pdf_en, html, csv, total;
	size_t pdf_bytes, json_bytes;
};

static void one_run(const struct config *cfg, struct store_reader *r, struct report_key *k,
                    struct times *t)
{
	char err[512];
	cJSON *rep = NULL;
	double a = now_ms();
	/* the report of a month that has ended: generated a week into November */
	if (report_build(cfg, r, "2026-10", INT64_C(1793462400000), &rep, err, sizeof(err)) < 0) {
		fprintf(stderr, "report_build: %s\n", err);
		exit(1);
	}
	double b = now_ms();
	report_sign_attach(rep, k);
	char *canon = report_canonical(rep), sig[REPORT_SIG_LEN];
	report_sign(k, canon, strlen(canon), sig);
	double c = now_ms();
	unsigned char *pdf = report_pdf(rep, "zh", &t->pdf_bytes);
	double d = now_ms();
	size_t n;
	unsigned char *pdf2 = report_pdf(rep, "en", &n);
	double e = now_ms();
	char *html = report_html(rep, "zh");
	double f = now_ms();
	char *csv = report_csv(rep);
	double g = now_ms();
	if (!pdf || !pdf2 || !html || !csv)
		exit(1);
	*t = (struct times){.build = b - a,
	                    .sign = c - b,
	                    .pdf_zh = d - c,
	                    .pdf_en = e - d,
	                    .html = f - e,
	                    .csv = g - f,
	                    .total = d - a,
	                    .pdf_bytes = t->pdf_bytes,
	                    .json_bytes = strlen(canon)};
	free(pdf);
	free(pdf2);
	free(html);
	free(csv);
	free(canon);
	cJSON_Delete(rep);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	const char *dir = "/tmp";
	bool keep = false;
	int runs = 5;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
			runs = atoi(argv[++i]) > 0 ? atoi(argv[i]) : 5;
		else if (strcmp(argv[i], "--keep") == 0)
			keep = true;
		else {
			fprintf(stderr, "usage: bench_report [--dir DIR] [--keep] [--runs N]\n");
			return 2;
		}
	}
	char path[512], key[600], cfgp[600], err[512];
	snprintf(path, sizeof(path), "%s/bench-report-%d.db", dir, (int)getpid());
	snprintf(key, sizeof(key), "%s/bench-report.key", dir);
	snprintf(cfgp, sizeof(cfgp), "%s/bench-report.yaml", dir);
	time_zone_set(TZ);
	int64_t from = INT64_C(1790784000000) - 24 * H_MS; /* 2026-09-30 00:00 +08:00 */
	int64_t to = INT64_C(1793462400000) + 24 * H_MS;   /* 2026-11-02 00:00 +08:00 */

	double t0 = now_ms(), kw[NSERIES];
	int nrole;
	int64_t rows;
	int64_t *ids = build_db(path, kw, &nrole, from, to, &rows);
	double built = now_ms() - t0;
	unlink(key);
	char pub[700];
	snprintf(pub, sizeof(pub), "%s.pub", key);
	unlink(pub);
	if (report_key_generate(key, err, sizeof(err)) < 0) {
		fprintf(stderr, "keygen: %s\n", err);
		return 1;
	}
	write_config(dir, path);
	struct config_diag diag = {0};
	struct config *cfg = greendc_config_load(cfgp, &diag);
	struct report_key *k = report_key_load_private(key, err, sizeof(err));
	struct store_reader *r = store_reader_open(path, err, sizeof(err));
	if (!cfg || !k || !r) {
		fprintf(stderr, "%s%s\n", diag.text, err);
		return 1;
	}
	struct times t[64];
	double v[7][64];
	if (runs > 64)
		runs = 64;
	for (int i = 0; i < runs; i++) {
		one_run(cfg, r, k, &t[i]);
		double *f[7] = {&t[i].build, &t[i].sign, &t[i].pdf_zh, &t[i].pdf_en,
		                &t[i].html,  &t[i].csv,  &t[i].total};
		for (int j = 0; j < 7; j++)
			v[j][i] = *f[j];
	}
	printf("site: %d series (%d counters in the energy model, 60 registered meters), %lld "
	       "readings written through the store (store_append) in %.1f s\n",
	       NSERIES, nrole, (long long)rows, built / 1000);
	printf("monthly report 2026-10 with its zh PDF: %.0f ms (median of %d; target <= 2000 "
	       "ms)\n",
	       median(v[6], runs), runs);
	printf("  report_build (energy by day, KPIs, register, quality, events): %.0f ms\n",
	       median(v[0], runs));
	printf("  canonical JSON (%zu bytes) + Ed25519 signature: %.1f ms\n", t[0].json_bytes,
	       median(v[1], runs));
	printf("  zh PDF (%zu bytes, 3 charts, CJK font subset embedded): %.0f ms\n",
	       t[0].pdf_bytes, median(v[2], runs));
	printf("  for the record: en PDF %.0f ms, zh HTML with SVG charts %.0f ms, CSV %.1f ms\n",
	       median(v[3], runs), median(v[4], runs), median(v[5], runs));
	store_reader_close(r);
	report_key_free(k);
	config_free(cfg);
	free(ids);
	int rc = median(v[6], runs) <= 2000 ? 0 : 1;
	if (!keep) {
		const char *suffix[] = {"", "-wal", "-shm"};
		for (int i = 0; i < 3; i++) {
			char p[600];
			snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
			unlink(p);
		}
		unlink(key);
		unlink(pub);
		unlink(cfgp);
	}
	return rc;
}
