/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Benchmark of the time-series store through its real API (prints figures; not a test).
 *
 *   write: store_open, store_series for S series (every tenth a counter), store_append in time
 *          order at 10 s spacing, store_flush; the time includes the flush. Then close,
 *          PRAGMA wal_checkpoint(TRUNCATE) and bytes per sample on disk.
 *   baseline: the same samples as one SQLite row each (WITHOUT ROWID, PRIMARY KEY (series, ts),
 *          10k-row transactions, WAL, synchronous=FULL), in the same run, and the ratio.
 *   read:  one series, 30 days at 10 s (259,200 samples): fetch-and-average through
 *          store_read_raw (decoding every sample) and through store_query, warm, median.
 *
 *   bench_store [--quick] [--series N] [--samples N] [--dir DIR] [--runs N]
 *   --samples is per series (default 2,500: 5 M samples over 2,000 series).
 */
#include "store/store.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define T0      INT64_C(1790812800000) /* 2026-10-01T00:00:00Z */
#define STEP_MS 10000

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void rm_db(const char *path)
{
	char p[512];
	const char *sfx[] = {"", "-wal", "-shm", "-journal"};
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		unlink(p);
	}
}

/* Checkpoint and truncate the WAL, then the main file's size and its free pages. */
static void disk_size(const char *path, double n_samples, double *bytes, double *free_bytes)
{
	sqlite3 *db;
	sqlite3_open(path, &db);
	sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	sqlite3_stmt *q;
	int64_t fl = 0, ps = 0;
	sqlite3_prepare_v2(db, "PRAGMA freelist_count", -1, &q, NULL);
	if (sqlite3_step(q) == SQLITE_ROW)
		fl = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &q, NULL);
	if (sqlite3_step(q) == SQLITE_ROW)
		ps = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	struct stat sb;
	*bytes = stat(path, &sb) == 0 ? (double)sb.st_size : 0;
	*free_bytes = (double)(fl * ps);
	if (n_samples <= 0)
		return;
	/* Where the bytes are, per table (dbstat, when SQLite has it). */
	sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (sqlite3_prepare_v2(db,
	                       "SELECT name, sum(pgsize) FROM dbstat GROUP BY name "
	                       "ORDER BY 2 DESC",
	                       -1, &q, NULL) == SQLITE_OK) {
		printf("          on disk per sample:");
		while (sqlite3_step(q) == SQLITE_ROW) {
			double b = sqlite3_column_double(q, 1);
			if (b / n_samples >= 0.01)
				printf(" %s %.2f", (const char *)sqlite3_column_text(q, 0),
				       b / n_samples);
		}
		printf(", free pages %.2f\n", *free_bytes / n_samples);
	}
	sqlite3_finalize(q);
	sqlite3_close(db);
	char wal[512];
	snprintf(wal, sizeof(wal), "%s-wal", path);
	if (stat(wal, &sb) == 0)
		*bytes += (double)sb.st_size;
}

/* Deterministic data: a power-like random walk with one decimal, or a slow counter. */
struct gen {
	double *v;
	unsigned seed;
};

static double next_value(struct gen *g, size_t s, bool counter)
{
	if (counter) {
		g->v[s] += (double)(rand_r(&g->seed) % 30) / 100; /* kWh, 0.01 resolution */
		return round(g->v[s] * 100) / 100;
	}
	g->v[s] += (double)((int)(rand_r(&g->seed) % 41) - 20) / 10;
	return round(g->v[s] * 10) / 10;
}

static void gen_init(struct gen *g, size_t nseries)
{
	g->v = malloc(nseries * sizeof(double));
	g->seed = 12345;
	for (size_t s = 0; s < nseries; s++)
		g->v[s] = 1000 + (double)(s % 500);
}

static int bench_write(const char *dir, size_t nseries, size_t per, double *rate, double *bps)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/bench-store.db", dir);
	rm_db(path);
	char err[256];
	struct store_opts o = {.path = path, .commit_ms = 1000, .queue_cap = 1 << 20};
	struct store *st = store_open(&o, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "bench_store: %s\n", err);
		return -1;
	}
	int64_t *ids = malloc(nseries * sizeof(*ids));
	for (size_t s = 0; s < nseries; s++) {
		char dev[32], lab[32];
		snprintf(dev, sizeof(dev), "pdu-%03zu", s / 20);
		snprintf(lab, sizeof(lab), "outlet=%zu", s % 20);
		bool counter = s % 10 == 9;
		struct store_series_desc d = {dev,
		                              counter ? "energy_kwh" : "power_w",
		                              lab,
		                              counter ? STORE_COUNTER : STORE_GAUGE,
		                              counter ? 32 : 0,
		                              0,
		                              0};
		ids[s] = store_series(st, &d);
	}
	store_flush(st);

	struct gen g;
	gen_init(&g, nseries);
	struct store_sample *buf = malloc(nseries * sizeof(*buf));
	double t0 = now_s();
	for (size_t k = 0; k < per; k++) {
		for (size_t s = 0; s < nseries; s++)
			buf[s] = (struct store_sample){ids[s], T0 + (int64_t)k * STEP_MS,
			                               next_value(&g, s, s % 10 == 9)};
		if (store_append(st, buf, nseries) != 0)
			return -1;
	}
	if (store_flush(st) != 0)
		return -1;
	double dt = now_s() - t0;
	struct store_stats stats;
	store_stats(st, &stats);
	store_close(st);

	double n = (double)nseries * (double)per, bytes, free_bytes;
	*rate = n / dt;
	printf("store:    %.0f samples in %.3f s = %.0f samples/s (%llu commits)\n", n, dt, *rate,
	       (unsigned long long)stats.commits);
	disk_size(path, n, &bytes, &free_bytes);
	*bps = bytes / n;
	printf("          %.2f bytes/sample on disk in all (%.1f MB)\n", *bps, bytes / 1e6);
	free(buf);
	free(ids);
	free(g.v);
	rm_db(path);
	return 0;
}

static int bench_baseline(const char *dir, size_t nseries, size_t per, double *rate, double *bps)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/bench-rows.db", dir);
	rm_db(path);
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	sqlite3_exec(
	        db,
	        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
	        "CREATE TABLE samples(series INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL,"
	        " PRIMARY KEY (series, ts)) WITHOUT ROWID;",
	        NULL, NULL, NULL);
	sqlite3_stmt *q;
	sqlite3_prepare_v2(db, "INSERT INTO samples(series, ts, value) VALUES (?, ?, ?)", -1, &q,
	                   NULL);
	struct gen g;
	gen_init(&g, nseries);
	size_t in_txn = 0;
	double t0 = now_s();
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (size_t k = 0; k < per; k++) {
		for (size_t s = 0; s < nseries; s++) {
			sqlite3_bind_int64(q, 1, (int64_t)s + 1);
			sqlite3_bind_int64(q, 2, T0 + (int64_t)k * STEP_MS);
			sqlite3_bind_double(q, 3, next_value(&g, s, s % 10 == 9));
			sqlite3_step(q);
			sqlite3_reset(q);
			if (++in_txn == 10000) {
				sqlite3_exec(db, "COMMIT; BEGIN", NULL, NULL, NULL);
				in_txn = 0;
			}
		}
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	double dt = now_s() - t0;
	sqlite3_finalize(q);
	sqlite3_close(db);
	double n = (double)nseries * (double)per, bytes, free_bytes;
	disk_size(path, 0, &bytes, &free_bytes);
	*rate = n / dt;
	*bps = bytes / n;
	printf("baseline: %.0f samples in %.3f s = %.0f samples/s, %.2f bytes/sample "
	       "(row per sample, WITHOUT ROWID, 10k-row commits)\n",
	       n, dt, *rate, *bps);
	free(g.v);
	rm_db(path);
	return 0;
}

struct avg {
	double sum;
	int64_t n;
};

static int avg_cb(void *ctx, int64_t ts, double v)
{
	(void)ts;
	struct avg *a = ctx;
	a->sum += v;
	a->n++;
	return 0;
}

static int qavg_cb(void *ctx, int64_t bucket, double v, int64_t count)
{
	(void)bucket;
	struct avg *a = ctx;
	a->sum += v * (double)count;
	a->n += count;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *x, int n)
{
	qsort(x, (size_t)n, sizeof(*x), cmp_double);
	return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

static int bench_read(const char *dir, int runs)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/bench-read.db", dir);
	rm_db(path);
	char err[256];
	struct store_opts o = {.path = path, .commit_ms = 1000, .queue_cap = 1 << 16};
	struct store *st = store_open(&o, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "bench_store: %s\n", err);
		return -1;
	}
	struct store_series_desc d = {"ups-1", "power_w", "", STORE_GAUGE, 0, 0, 0};
	int64_t id = store_series(st, &d);
	const int64_t days = 30, n = days * 86400 / 10;
	struct gen g;
	gen_init(&g, 1);
	/* 30 days, plus one more hour so that the 30 days are all packed */
	for (int64_t k = 0; k < n + 360; k++) {
		struct store_sample s = {id, T0 + k * STEP_MS, next_value(&g, 0, false)};
		store_append(st, &s, 1);
	}
	store_flush(st);
	store_close(st);
	free(g.v);

	struct store_reader *r = store_reader_open(path, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "bench_store: %s\n", err);
		return -1;
	}
	int64_t from = T0, to = T0 + days * 86400000;
	double *t_raw = calloc((size_t)runs, sizeof(double));
	double *t_q1h = calloc((size_t)runs, sizeof(double));
	double *t_q30 = calloc((size_t)runs, sizeof(double));
	struct avg a = {0};
	store_read_raw(r, id, from, to, avg_cb, &a); /* warm the cache */
	for (int i = 0; i < runs; i++) {
		struct avg x = {0}, y = {0}, z = {0};
		double t = now_s();
		store_read_raw(r, id, from, to, avg_cb, &x);
		t_raw[i] = now_s() - t;
		t = now_s();
		store_query(r, id, from, to, 3600000, AGG_AVG, qavg_cb, &y);
		t_q1h[i] = now_s() - t;
		t = now_s();
		store_query(r, id, from, to, days * 86400000, AGG_AVG, qavg_cb, &z);
		t_q30[i] = now_s() - t;
		if (x.n != n || y.n != n || z.n != n ||
		    fabs(x.sum / (double)x.n - z.sum / (double)z.n) > 1e-6) {
			fprintf(stderr, "bench_store: read-back mismatch (%lld %lld %lld)\n",
			        (long long)x.n, (long long)y.n, (long long)z.n);
			return -1;
		}
		a = x;
	}
	printf("read:     30 days x 10 s = %lld samples, average %.3f, warm, median of %d runs\n",
	       (long long)a.n, a.sum / (double)a.n, runs);
	printf("          store_read_raw (decode every sample) + average: %.2f ms\n",
	       median(t_raw, runs) * 1e3);
	printf("          store_query step 1h (720 buckets from 1h rollups): %.2f ms\n",
	       median(t_q1h, runs) * 1e3);
	printf("          store_query step 30d (one bucket from 1d rollups): %.3f ms\n",
	       median(t_q30, runs) * 1e3);
	free(t_raw);
	free(t_q1h);
	free(t_q30);
	store_reader_close(r);
	rm_db(path);
	return 0;
}

int main(int argc, char **argv)
{
	size_t nseries = 2000, per = 2500;
	int runs = 7;
	const char *dir = ".";
	static const struct option longopts[] = {
	        {"quick", no_argument, NULL, 'q'},
	        {"series", required_argument, NULL, 's'},
	        {"samples", required_argument, NULL, 'n'},
	        {"dir", required_argument, NULL, 'd'},
	        {"runs", required_argument, NULL, 'r'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "qs:n:d:r:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			nseries = 200;
			per = 1000;
			runs = 5;
			break;
		case 's':
			nseries = (size_t)strtoul(optarg, NULL, 10);
			break;
		case 'n':
			per = (size_t)strtoul(optarg, NULL, 10);
			break;
		case 'd':
			dir = optarg;
			break;
		case 'r':
			runs = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: bench_store [--quick] [--series N] [--samples N] "
			                "[--dir DIR] [--runs N]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (!nseries || !per || runs < 1) {
		fprintf(stderr, "bench_store: --series, --samples and --runs must be positive\n");
		return 2;
	}
	printf("bench_store: %zu series x %zu samples at 10 s, in %s (SQLite %s)\n", nseries, per,
	       dir, sqlite3_libversion());
	double rs, bs, rb, bb;
	if (bench_write(dir, nseries, per, &rs, &bs) < 0 ||
	    bench_baseline(dir, nseries, per, &rb, &bb) < 0)
		return 1;
	printf("ratio:    store / baseline = %.1fx samples/s, %.1fx smaller on disk\n", rs / rb,
	       bb / bs);
	if (bench_read(dir, runs) < 0)
		return 1;
	return 0;
}
