/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Benchmark of the time-series store through its real API (prints figures; not a test).
 *
 *   write: store_open, store_series for S series (every tenth a counter), store_append in time
 *          order at 10 s spacing, store_flush; the time includes the flush. Then close,
 *          PRAGMA wal_checkpoint(TRUNCATE) and bytes per sample on disk, per table (dbstat),
 *          and the bytes the process wrote to the disk per stored sample (write
 *          amplification: WAL, checkpoints, /proc/self/io write_bytes).
 *   baseline: the same samples as one SQLite row each (WITHOUT ROWID, PRIMARY KEY (series, ts),
 *          10k-row transactions, WAL, synchronous=FULL), in the same run, and the ratio.
 *   read:  one series, 30 days at 10 s (259,200 samples): fetch-and-average through
 *          store_read_raw (decoding every sample) and through store_query at 1 min (a day,
 *          and 30 days), 1 h and 30 d steps, warm, median.
 *   year:  one series, a year at 10 s (3.15 M samples); cold cache (a fresh process for each
 *          run, the file's pages dropped with posix_fadvise(DONTNEED) after a checkpoint): the
 *          average of the last 30 days and the year by day, median and worst of the runs.
 *
 *   bench_store [--quick] [--series N] [--samples N] [--dir DIR] [--runs N] [--no-baseline]
 *               [--no-year] [--keep]
 *   --samples is per series (default 2,500: 5 M samples over 2,000 series).
 */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
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
#define DAY_MS  INT64_C(86400000)

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Bytes this process has caused to be written to storage so far (/proc/self/io). */
static double written_bytes(void)
{
	FILE *f = fopen("/proc/self/io", "r");
	char line[128];
	double v = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "write_bytes: %lf", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

static bool keep_files; /* --keep: leave the databases for a look */

static void rm_db(const char *path);
/* A database the bench is done with. */
static void done_db(const char *path)
{
	if (!keep_files)
		rm_db(path);
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
	double packed = 0, blocks = 0;
	if (sqlite3_prepare_v2(db, "SELECT sum(n) FROM blocks", -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		packed = sqlite3_column_double(q, 0);
	sqlite3_finalize(q);
	if (sqlite3_prepare_v2(db,
	                       "SELECT sum(pgsize), sum(payload) FROM dbstat WHERE name = 'blocks'",
	                       -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW && packed > 0) {
		blocks = sqlite3_column_double(q, 0);
		printf("          raw blocks: %.0f samples packed (the rest are in staging): %.3f "
		       "bytes per packed sample in pages, %.3f in payload\n",
		       packed, blocks / packed, sqlite3_column_double(q, 1) / packed);
	}
	sqlite3_finalize(q);
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
	double w0 = written_bytes();
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
	double w1 = written_bytes();
	if (w0 >= 0 && w1 >= 0)
		printf("          written to disk (WAL, checkpoints): %.1f bytes per stored sample "
		       "(write amplification)\n",
		       (w1 - w0) / n);
	free(buf);
	free(ids);
	free(g.v);
	done_db(path);
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
	done_db(path);
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

/* A store with one gauge series of n samples at 10 s from T0 (plus an hour, so that all n
 * are packed), checkpointed. 0 or -1. */
static int fill_one(const char *path, int64_t n, int64_t *id)
{
	rm_db(path);
	char err[256];
	struct store_opts o = {.path = path, .commit_ms = 1000, .queue_cap = 1 << 16};
	struct store *st = store_open(&o, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "bench_store: %s\n", err);
		return -1;
	}
	struct store_series_desc d = {"ups-1", "power_w", "", STORE_GAUGE, 0, 0, 0};
	*id = store_series(st, &d);
	struct gen g;
	gen_init(&g, 1);
	struct store_sample buf[360];
	for (int64_t k = 0; k < n + 360;) {
		size_t m = 0;
		for (; m < 360 && k < n + 360; m++, k++)
			buf[m] = (struct store_sample){*id, T0 + k * STEP_MS,
			                               next_value(&g, 0, false)};
		store_append(st, buf, m);
	}
	store_flush(st);
	store_close(st);
	free(g.v);
	double bytes, free_bytes;
	disk_size(path, 0, &bytes, &free_bytes);
	return 0;
}

struct timed {
	const char *what;
	int64_t from, to, step;
	double *t;
	int64_t count; /* samples the buckets cover */
};

static int bench_read(const char *dir, int runs)
{
	char path[512], err[256];
	snprintf(path, sizeof(path), "%s/bench-read.db", dir);
	const int64_t days = 30, n = days * 86400 / 10;
	int64_t id;
	if (fill_one(path, n, &id) < 0)
		return -1;
	struct store_reader *r = store_reader_open(path, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "bench_store: %s\n", err);
		return -1;
	}
	int64_t from = T0, to = T0 + days * 86400000;
	struct timed q[] = {
	        {"store_query step 1 min, one day (1,440 buckets)", to - 86400000, to, 60000, NULL,
	         0},
	        {"store_query step 1 min, 30 days (43,200 buckets)", from, to, 60000, NULL, 0},
	        {"store_query step 1 h, 30 days (720 buckets from 1 h rollups)", from, to, 3600000,
	         NULL, 0},
	        {"store_query step 30 d (one bucket from 1 d rollups)", from, to, days * 86400000,
	         NULL, 0},
	};
	size_t nq = sizeof(q) / sizeof(q[0]);
	double *t_raw = calloc((size_t)runs, sizeof(double));
	for (size_t k = 0; k < nq; k++)
		q[k].t = calloc((size_t)runs, sizeof(double));
	struct avg a = {0};
	store_read_raw(r, id, from, to, avg_cb, &a); /* warm the cache */
	for (int i = 0; i < runs; i++) {
		struct avg x = {0};
		double t = now_s();
		store_read_raw(r, id, from, to, avg_cb, &x);
		t_raw[i] = now_s() - t;
		for (size_t k = 0; k < nq; k++) {
			struct avg y = {0};
			t = now_s();
			store_query(r, id, q[k].from, q[k].to, q[k].step, AGG_AVG, qavg_cb, &y);
			q[k].t[i] = now_s() - t;
			if (y.n != (q[k].to - q[k].from) / STEP_MS ||
			    (q[k].step == days * 86400000 &&
			     fabs(x.sum / (double)x.n - y.sum / (double)y.n) > 1e-6)) {
				fprintf(stderr, "bench_store: read-back mismatch (%s: %lld)\n",
				        q[k].what, (long long)y.n);
				return -1;
			}
		}
		if (x.n != n) {
			fprintf(stderr, "bench_store: read %lld samples, not %lld\n",
			        (long long)x.n, (long long)n);
			return -1;
		}
		a = x;
	}
	printf("read:     30 days x 10 s = %lld samples, average %.3f, warm, median of %d runs\n",
	       (long long)a.n, a.sum / (double)a.n, runs);
	printf("          store_read_raw (decode every sample) + average: %.2f ms\n",
	       median(t_raw, runs) * 1e3);
	for (size_t k = 0; k < nq; k++) {
		printf("          %s: %.3f ms\n", q[k].what, median(q[k].t, runs) * 1e3);
		free(q[k].t);
	}
	free(t_raw);
	store_reader_close(r);
	done_db(path);
	return 0;
}

/* Drop the database file's pages from the OS cache (clean after the checkpoint). */
static void drop_cache(const char *path)
{
	const char *sfx[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		char p[600];
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		int fd = open(p, O_RDONLY);
		if (fd < 0)
			continue;
		fdatasync(fd);
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
	}
}

static int count_cb(void *ctx, int64_t bucket, double v, int64_t count)
{
	(void)bucket;
	(void)v;
	*(int64_t *)ctx += count;
	return 0;
}

/* The cold side of one query, in a process of its own (bench_store --cold ...): prints the
 * times in ms of opening the reader and of the query, or fails. */
static int cold_child(char **argv)
{
	const char *path = argv[0];
	int64_t id = strtoll(argv[1], NULL, 10), from = strtoll(argv[2], NULL, 10);
	int64_t to = strtoll(argv[3], NULL, 10), step = strtoll(argv[4], NULL, 10);
	int64_t want = strtoll(argv[5], NULL, 10), count = 0;
	char err[256];
	double t = now_s();
	struct store_reader *r = store_reader_open(path, err, sizeof(err));
	double t1 = now_s();
	if (!r || store_query(r, id, from, to, step, AGG_AVG, count_cb, &count) != 0 ||
	    count != want)
		return 1;
	double t2 = now_s();
	store_reader_close(r);
	printf("%.4f %.4f\n", (t1 - t) * 1e3, (t2 - t1) * 1e3);
	return 0;
}

/* One cold query in a fresh process (this program run again, after the file's pages were
 * dropped): ms[0] the time to open the reader, ms[1] the query's; negative when it failed. */
static void cold_query(const char *path, int64_t id, const struct timed *q, double ms[2])
{
	char cmd[1024];
	ms[0] = ms[1] = -1;
	drop_cache(path);
	snprintf(cmd, sizeof(cmd), "/proc/%d/exe --cold '%s' %lld %lld %lld %lld %lld",
	         (int)getpid(), path, (long long)id, (long long)q->from, (long long)q->to,
	         (long long)q->step, (long long)q->count);
	FILE *f = popen(cmd, "r");
	if (!f)
		return;
	if (fscanf(f, "%lf %lf", &ms[0], &ms[1]) != 2)
		ms[0] = ms[1] = -1;
	if (pclose(f) != 0)
		ms[0] = ms[1] = -1;
}

static int bench_year(const char *dir, int runs)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/bench-year.db", dir);
	const int64_t days = 365, n = days * 86400 / 10;
	int64_t id;
	double t0 = now_s();
	if (fill_one(path, n, &id) < 0)
		return -1;
	double built = now_s() - t0;
	struct stat sb;
	double size = stat(path, &sb) == 0 ? (double)sb.st_size : 0;
	int64_t end = T0 + days * DAY_MS;
	struct timed q[] = {
	        {"average of the last 30 days (step 30 d)", end - 30 * DAY_MS, end, 30 * DAY_MS,
	         NULL, 30 * 8640},
	        {"the year by day (365 buckets, step 1 d)", T0, end, DAY_MS, NULL, n},
	        {"the last 30 days by hour (720 buckets)", end - 30 * DAY_MS, end, 3600000, NULL,
	         30 * 8640},
	        {"the last day by minute (1,440 buckets, from the raw block)", end - 86400000, end,
	         60000, NULL, 8640},
	};
	printf("year:     one series, %lld samples at 10 s (%.1f s to write, %.2f bytes/sample), "
	       "cold cache (fresh process, posix_fadvise DONTNEED), %d runs\n",
	       (long long)n, built, size / (double)n, runs);
	for (size_t k = 0; k < sizeof(q) / sizeof(q[0]); k++) {
		double *t = calloc((size_t)runs, sizeof(double));
		double *o = calloc((size_t)runs, sizeof(double)), worst = 0;
		for (int i = 0; i < runs; i++) {
			double ms[2];
			cold_query(path, id, &q[k], ms);
			if (ms[1] < 0) {
				fprintf(stderr, "bench_store: cold query failed: %s\n", q[k].what);
				return -1;
			}
			o[i] = ms[0];
			t[i] = ms[1];
			if (ms[0] + ms[1] > worst)
				worst = ms[0] + ms[1];
		}
		double mq = median(t, runs), mo = median(o, runs);
		printf("          %s: %.2f ms median (+ %.2f to open the reader), worst %.2f in "
		       "all\n",
		       q[k].what, mq, mo, worst);
		free(t);
		free(o);
	}
	done_db(path);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 8 && strcmp(argv[1], "--cold") == 0)
		return cold_child(argv + 2);
	size_t nseries = 2000, per = 2500;
	int runs = 7;
	bool baseline = true, year = true;
	const char *dir = ".";
	static const struct option longopts[] = {
	        {"quick", no_argument, NULL, 'q'},         {"series", required_argument, NULL, 's'},
	        {"samples", required_argument, NULL, 'n'}, {"dir", required_argument, NULL, 'd'},
	        {"runs", required_argument, NULL, 'r'},    {"no-baseline", no_argument, NULL, 'B'},
	        {"no-year", no_argument, NULL, 'Y'},       {"keep", no_argument, NULL, 'k'},
	        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "qs:n:d:r:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			nseries = 200;
			per = 1000;
			runs = 5;
			year = false;
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
		case 'B':
			baseline = false;
			break;
		case 'Y':
			year = false;
			break;
		case 'k':
			keep_files = true;
			break;
		default:
			fprintf(stderr,
			        "usage: bench_store [--quick] [--series N] [--samples N] "
			        "[--dir DIR] [--runs N] [--no-baseline] [--no-year] [--keep]\n");
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
	if (bench_write(dir, nseries, per, &rs, &bs) < 0)
		return 1;
	if (baseline) {
		if (bench_baseline(dir, nseries, per, &rb, &bb) < 0)
			return 1;
		printf("ratio:    store / baseline = %.1fx samples/s, %.1fx smaller on disk\n",
		       rs / rb, bb / bs);
	}
	if (bench_read(dir, runs) < 0)
		return 1;
	if (year && bench_year(dir, runs) < 0)
		return 1;
	return 0;
}
