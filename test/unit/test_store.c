/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The time-series store end to end: migrations, round trips, rollups against a brute-force
 * recomputation from raw samples, crash durability (a child that exits or is killed without
 * closing), late samples into packed hours, counters with wraps and resets, and a full disk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/labels.h"
#include "ingest/device_roster.h"
#include "store/store.h"
#include "store/store_internal.h"

#define T0 INT64_C(1790812800000) /* 2026-10-01T00:00:00Z */

struct fixture {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/greendc-store-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char p[160];
	const char *suffix[] = {"", "-wal", "-shm", "-journal"};
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, suffix[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

static struct store *open_store(const char *path, unsigned commit_ms, size_t cap)
{
	char err[256] = "";
	struct store_opts o = {.path = path, .commit_ms = commit_ms, .queue_cap = cap};
	struct store *st = store_open(&o, err, sizeof(err));
	if (!st)
		fprintf(stderr, "store_open: %s\n", err);
	assert_non_null(st);
	return st;
}

static struct store_reader *open_reader(const char *path)
{
	char err[256] = "";
	struct store_reader *r = store_reader_open(path, err, sizeof(err));
	if (!r)
		fprintf(stderr, "store_reader_open: %s\n", err);
	assert_non_null(r);
	return r;
}

static int64_t sql_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	int64_t v = -1;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return v;
}

/* ---- raw sample collection ---- */

struct samples {
	int64_t *ts;
	double *v;
	size_t n, cap;
};

static void samples_add(struct samples *s, int64_t ts, double v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->ts = realloc(s->ts, s->cap * sizeof(*s->ts));
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
	}
	s->ts[s->n] = ts;
	s->v[s->n] = v;
	s->n++;
}

static void samples_free(struct samples *s)
{
	free(s->ts);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int collect(void *ctx, int64_t ts, double v)
{
	samples_add(ctx, ts, v);
	return 0;
}

static void read_all(struct store_reader *r, int64_t series, struct samples *out)
{
	memset(out, 0, sizeof(*out));
	assert_true(store_read_raw(r, series, INT64_MIN / 2, INT64_MAX / 2, collect, out) >= 0);
	for (size_t i = 1; i < out->n; i++)
		assert_true(out->ts[i - 1] <= out->ts[i]);
}

static bool same_value(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

/* ---- brute-force aggregation ---- */

struct qrow {
	int64_t bucket;
	double value;
	int64_t count;
};

struct qrows {
	struct qrow *r;
	size_t n, cap;
};

static int qcollect(void *ctx, int64_t bucket, double value, int64_t count)
{
	struct qrows *q = ctx;
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 256;
		q->r = realloc(q->r, q->cap * sizeof(*q->r));
	}
	q->r[q->n++] = (struct qrow){bucket, value, count};
	return 0;
}

static void brute(const struct samples *s, bool counter, int64_t from, int64_t to, int64_t step,
                  enum store_agg agg, struct qrows *out)
{
	memset(out, 0, sizeof(*out));
	double prev = NAN;
	int64_t cur = INT64_MIN, count = 0;
	double mn = 0, mx = 0, sum = 0, last = 0, delta = 0;
	int64_t last_ts = 0;
	for (size_t i = 0; i <= s->n; i++) {
		bool end = i == s->n;
		int64_t b = end ? INT64_MAX : bucket_floor(s->ts[i], from, step);
		if (!end && (s->ts[i] < from || s->ts[i] >= to)) {
			if (counter && isfinite(s->v[i]))
				prev = s->v[i];
			continue;
		}
		if (b != cur && cur != INT64_MIN && count > 0) {
			double v = 0;
			switch (agg) {
			case AGG_AVG:
				v = sum / (double)count;
				break;
			case AGG_MIN:
				v = mn;
				break;
			case AGG_MAX:
				v = mx;
				break;
			case AGG_SUM:
				v = sum;
				break;
			case AGG_LAST:
				v = last;
				break;
			case AGG_COUNT:
				v = (double)count;
				break;
			case AGG_DELTA:
				v = delta;
				break;
			case AGG_LAST_TS:
				v = (double)last_ts;
				break;
			}
			qcollect(out, cur, v, count);
		}
		if (end)
			break;
		if (b != cur) {
			cur = b;
			count = 0;
			sum = delta = 0;
		}
		double x = s->v[i];
		if (counter && isfinite(x)) {
			if (isfinite(prev))
				delta += x - prev;
			prev = x;
		}
		if (!isfinite(x))
			continue;
		if (count == 0 || x < mn)
			mn = x;
		if (count == 0 || x > mx)
			mx = x;
		sum += x;
		last = x;
		last_ts = s->ts[i];
		count++;
	}
}

static void check_query(struct store_reader *r, int64_t series, const struct samples *raw,
                        bool counter, int64_t from, int64_t to, int64_t step)
{
	for (int agg = AGG_AVG; agg <= AGG_LAST_TS; agg++) {
		struct qrows got = {0}, want;
		assert_int_equal(
		        store_query(r, series, from, to, step, (enum store_agg)agg, qcollect, &got),
		        0);
		brute(raw, counter, from, to, step, (enum store_agg)agg, &want);
		if (got.n != want.n)
			fprintf(stderr, "series %lld step %lld agg %d: %zu buckets, want %zu\n",
			        (long long)series, (long long)step, agg, got.n, want.n);
		assert_int_equal(got.n, want.n);
		for (size_t i = 0; i < got.n; i++) {
			assert_true(got.r[i].bucket == want.r[i].bucket);
			assert_true(got.r[i].count == want.r[i].count);
			double a = got.r[i].value, b = want.r[i].value;
			double tol = 1e-9 * (fabs(a) + fabs(b) + 1);
			if (!(fabs(a - b) <= tol))
				fprintf(stderr,
				        "series %lld step %lld agg %d bucket %lld: %.17g want "
				        "%.17g\n",
				        (long long)series, (long long)step, agg,
				        (long long)got.r[i].bucket, a, b);
			assert_true(fabs(a - b) <= tol);
		}
		free(got.r);
		free(want.r);
	}
}

struct tail_seen_ {
	int64_t n, last_ts[41];
	bool ordered;
};

/* Tail callback: counts samples and checks each series' come in time order. */
static int tail_collect(void *ctx, int64_t series, int64_t ts, double v)
{
	struct tail_seen_ *t = ctx;
	(void)v;
	if (series <= 0 || series > 40)
		t->ordered = false;
	else if (ts <= t->last_ts[series] && t->last_ts[series])
		t->ordered = false;
	else
		t->last_ts[series] = ts;
	t->n++;
	return 0;
}

/* ---- tests ---- */

static void test_migrate_empty_file(void **state)
{
	struct fixture *f = *state;
	int fd = open(f->path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	struct store *st = open_store(f->path, 50, 0);
	store_close(st);
	assert_int_equal(sql_int(f->path, "PRAGMA user_version"), store_schema_version());
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM sqlite_master WHERE name IN "
	                                  "('series','staging','blocks','rollup_1m','rollup_1h',"
	                                  "'rollup_1d','events','devices','series_state')"),
	                 9);
	assert_int_equal(sql_int(f->path, "PRAGMA page_size"), 8192);
	assert_int_equal(sql_int(f->path, "PRAGMA journal_mode = WAL") >= 0, 1);
	/* reopen of an existing database, and a reader */
	st = open_store(f->path, 50, 0);
	store_close(st);
	struct store_reader *r = open_reader(f->path);
	store_reader_close(r);

	/* a database from the future is refused */
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
	char err[256];
	struct store_opts o = {.path = f->path};
	assert_null(store_open(&o, err, sizeof(err)));
	assert_non_null(strstr(err, "newer"));
	assert_null(store_reader_open(f->path, err, sizeof(err)));
}

static void test_series_registry(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path, 50, 0);
	struct store_series_desc d = {"pdu-a3", "power_w", "outlet=3", STORE_GAUGE, 0, 0, 0};
	int64_t a = store_series(st, &d);
	assert_true(a > 0);
	assert_int_equal(store_series(st, &d), a);
	d.labels = "outlet=4";
	int64_t b = store_series(st, &d);
	assert_true(b > 0 && b != a);
	d.metric = "";
	assert_true(store_series(st, &d) < 0);
	struct store_sample bad = {12345, T0, 1};
	assert_int_equal(store_append(st, &bad, 1), -EINVAL);
	store_close(st);

	/* ids survive a reopen */
	st = open_store(f->path, 50, 0);
	d.metric = "power_w";
	d.labels = "outlet=3";
	assert_int_equal(store_series(st, &d), a);
	store_close(st);

	char buf[64];
	const char *k[] = {"phase", "outlet", "x"};
	const char *v[] = {"L1", "3", "a,b=c\\"};
	size_t n = labels_canon(k, v, 3, buf, sizeof(buf));
	assert_string_equal(buf, "outlet=3,phase=L1,x=a\\,b\\=c\\\\");
	assert_int_equal(n, strlen(buf));
	char small[8];
	assert_int_equal(labels_canon(k, v, 3, small, sizeof(small)), n);
	assert_int_equal(strlen(small), 7);

	struct store_reader *r = open_reader(f->path);
	int count = store_series_find(r, "pdu-a3 power_w{outlet=3}", NULL, NULL);
	assert_int_equal(count, -EINVAL);
	store_reader_close(r);
}

static int count_cb(void *ctx, const struct store_series_info *info)
{
	(void)info;
	(*(int *)ctx)++;
	return 0;
}

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path, 20, 256);
	int64_t id[3];
	const char *dev[3] = {"pdu-a1", "pdu-a2", "crah-1"};
	for (int i = 0; i < 3; i++) {
		struct store_series_desc d = {dev[i], "power_w", "", STORE_GAUGE, 0, 0, 0};
		id[i] = store_series(st, &d);
		assert_true(id[i] > 0);
	}
	/* three hours and a bit, irregular, one sample out of order, a NaN, duplicates */
	struct samples want[3] = {{0}};
	srand(7);
	for (int k = 0; k < 1200; k++) {
		for (int i = 0; i < 3; i++) {
			int64_t ts = T0 + (int64_t)k * 10000 + rand() % 5000;
			double v = (k == 600 && i == 1) ? NAN : (double)(rand() % 100000) / 100;
			struct store_sample s = {id[i], ts, v};
			assert_int_equal(store_append(st, &s, 1), 0);
			samples_add(&want[i], ts, v);
		}
	}
	struct store_sample dup = {id[0], want[0].ts[5], 7.25};
	assert_int_equal(store_append(st, &dup, 1), 0);
	/* insert the duplicate after the original in the expected order */
	samples_add(&want[0], 0, 0);
	memmove(&want[0].ts[7], &want[0].ts[6], (want[0].n - 7) * sizeof(int64_t));
	memmove(&want[0].v[7], &want[0].v[6], (want[0].n - 7) * sizeof(double));
	want[0].ts[6] = dup.ts_ms;
	want[0].v[6] = dup.value;
	assert_int_equal(store_flush(st), 0);

	/* readable while the writer is open (open hour in staging) ... */
	struct store_reader *r = open_reader(f->path);
	for (int i = 0; i < 3; i++) {
		struct samples got;
		read_all(r, id[i], &got);
		assert_int_equal(got.n, want[i].n);
		for (size_t j = 0; j < got.n; j++) {
			assert_true(got.ts[j] == want[i].ts[j]);
			assert_true(same_value(got.v[j], want[i].v[j]));
		}
		samples_free(&got);
	}
	store_reader_close(r);
	store_close(st);

	/* ... and after close and reopen */
	st = open_store(f->path, 20, 256);
	store_close(st);
	r = open_reader(f->path);
	for (int i = 0; i < 3; i++) {
		struct samples got;
		read_all(r, id[i], &got);
		assert_int_equal(got.n, want[i].n);
		for (size_t j = 0; j < got.n; j++) {
			assert_true(got.ts[j] == want[i].ts[j]);
			assert_true(same_value(got.v[j], want[i].v[j]));
		}
		/* a sub-range */
		samples_free(&got);
		assert_true(store_read_raw(r, id[i], want[i].ts[100], want[i].ts[500], collect,
		                           &got) == 400 ||
		            i == 0);
		samples_free(&got);
	}
	int n = 0;
	assert_int_equal(store_series_find(r, "pdu-* power_w", count_cb, &n), 2);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(store_series_find(r, NULL, count_cb, &n), 3);
	store_reader_close(r);
	for (int i = 0; i < 3; i++)
		samples_free(&want[i]);
	/* hours that ended were packed; staging holds at most the open hour */
	assert_true(sql_int(f->path, "SELECT count(*) FROM blocks") >= 9);
}

/* Random data for several gauges and counters over ~30 h, crossing hour and day bounds. */
struct gen {
	int64_t id[5];
	bool counter[5];
	int64_t t[5];
	double raw[5];
	unsigned seed;
};

static void gen_init(struct gen *g, struct store *st, unsigned seed, int64_t start)
{
	g->seed = seed;
	for (int i = 0; i < 5; i++) {
		char dev[16];
		snprintf(dev, sizeof(dev), "dev-%d", i);
		g->counter[i] = i >= 3;
		struct store_series_desc d = {dev,
		                              g->counter[i] ? "energy_kwh" : "power_w",
		                              "",
		                              g->counter[i] ? STORE_COUNTER : STORE_GAUGE,
		                              g->counter[i] ? 16 : 0,
		                              i == 4 ? 100 : 0,
		                              0};
		g->id[i] = store_series(st, &d);
		assert_true(g->id[i] > 0);
		g->t[i] = start + i * 777;
		g->raw[i] = 60000 + i;
	}
}

static int gen_batch(struct gen *g, struct store *st, int64_t until)
{
	struct store_sample buf[64];
	size_t n = 0;
	int total = 0;
	for (;;) {
		int best = -1;
		for (int i = 0; i < 5; i++)
			if (g->t[i] < until && (best < 0 || g->t[i] < g->t[best]))
				best = i;
		if (best < 0)
			break;
		int i = best;
		double v;
		if (g->counter[i]) {
			g->raw[i] += rand_r(&g->seed) % 500;
			if (g->raw[i] >= 65536)
				g->raw[i] -= 65536;
			if (rand_r(&g->seed) % 2000 == 0)
				g->raw[i] = rand_r(&g->seed) % 50; /* a meter reset */
			v = g->raw[i];
		} else {
			v = (double)(rand_r(&g->seed) % 20000) / 10 - 500;
			if (rand_r(&g->seed) % 500 == 0)
				v = NAN;
		}
		buf[n++] = (struct store_sample){g->id[i], g->t[i], v};
		g->t[i] += 1000 + rand_r(&g->seed) % 40000;
		if (n == 64) {
			assert_int_equal(store_append(st, buf, n), 0);
			total += (int)n;
			n = 0;
		}
	}
	if (n)
		assert_int_equal(store_append(st, buf, n), 0);
	return total + (int)n;
}

static void check_all_queries(struct store_reader *r, const struct gen *g, int64_t from, int64_t to)
{
	const int64_t steps[] = {MINUTE_MS, 5 * MINUTE_MS, HOUR_MS, 3 * HOUR_MS, DAY_MS, 90 * 1000};
	for (int i = 0; i < 5; i++) {
		struct samples raw;
		read_all(r, g->id[i], &raw);
		for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
			check_query(r, g->id[i], &raw, g->counter[i], from, to, steps[k]);
			/* unaligned start: served from raw */
			check_query(r, g->id[i], &raw, g->counter[i], from + 12345, to, steps[k]);
		}
		/* a window ending mid-bucket, and one ending inside the open hour */
		check_query(r, g->id[i], &raw, g->counter[i], from, to - 7 * MINUTE_MS - 333,
		            HOUR_MS);
		check_query(r, g->id[i], &raw, g->counter[i], from, to - 20 * HOUR_MS, DAY_MS);
		samples_free(&raw);
	}
}

/* Every closed rollup row equals the brute-force aggregate of its raw samples. (Minutes have
 * no rows while their raw blocks exist: check_all_queries checks them at 1-minute steps, and
 * test_raw_retention the packed rows raw retention leaves.) */
static void check_rollup_rows(const char *path, struct store_reader *r, const struct gen *g)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	for (int l = 1; l < ROLLUP_LEVELS; l++) {
		char sql[160];
		snprintf(sql, sizeof(sql),
		         "SELECT ts, count, min, max, sum, last, delta FROM %s WHERE series = ? "
		         "ORDER BY ts",
		         rollup_levels[l].table);
		for (int i = 0; i < 5; i++) {
			struct samples raw;
			read_all(r, g->id[i], &raw);
			struct qrows want[7];
			for (int agg = 0; agg < 7; agg++)
				brute(&raw, g->counter[i], 0, INT64_MAX / 2,
				      rollup_levels[l].period_ms, (enum store_agg)agg, &want[agg]);
			sqlite3_stmt *q;
			assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
			sqlite3_bind_int64(q, 1, g->id[i]);
			size_t j = 0, rows = 0;
			while (sqlite3_step(q) == SQLITE_ROW) {
				int64_t ts = sqlite3_column_int64(q, 0);
				while (j < want[0].n && want[AGG_COUNT].r[j].bucket < ts)
					j++;
				assert_true(j < want[0].n);
				assert_true(want[AGG_COUNT].r[j].bucket == ts);
				/* a day row may still be partial (its later hours are open) */
				if (l == 2 && sqlite3_column_int64(q, 1) != want[0].r[j].count)
					continue;
				rows++;
				assert_int_equal(sqlite3_column_int64(q, 1), want[0].r[j].count);
				assert_true(sqlite3_column_double(q, 2) ==
				            want[AGG_MIN].r[j].value);
				assert_true(sqlite3_column_double(q, 3) ==
				            want[AGG_MAX].r[j].value);
				double s = sqlite3_column_double(q, 4);
				assert_true(fabs(s - want[AGG_SUM].r[j].value) <=
				            1e-9 * (fabs(s) + 1));
				assert_true(sqlite3_column_double(q, 5) ==
				            want[AGG_LAST].r[j].value);
				double d = sqlite3_column_double(q, 6);
				assert_true(fabs(d - want[AGG_DELTA].r[j].value) <=
				            1e-9 * (fabs(d) + 1));
			}
			sqlite3_finalize(q);
			assert_true(rows > 0);
			for (int agg = 0; agg < 7; agg++)
				free(want[agg].r);
			samples_free(&raw);
		}
	}
	sqlite3_close(db);
}

static void test_rollups_brute_force(void **state)
{
	struct fixture *f = *state;
	int64_t start = T0 - 5 * HOUR_MS - 17 * MINUTE_MS;
	int64_t end = T0 + 26 * HOUR_MS + 11 * MINUTE_MS;
	struct store *st = open_store(f->path, 10, 512);
	struct gen g;
	gen_init(&g, st, 42, start);
	for (int64_t t = start; t < end; t += 2 * HOUR_MS + 7 * MINUTE_MS) {
		gen_batch(&g, st, t < end ? t : end);
		assert_int_equal(store_flush(st), 0);
	}
	gen_batch(&g, st, end);
	assert_int_equal(store_flush(st), 0);

	/* while open: the last hour is still in staging, the rest in rollups */
	struct store_reader *r = open_reader(f->path);
	check_all_queries(r, &g, bucket_floor(start, 0, DAY_MS), end + HOUR_MS);
	check_rollup_rows(f->path, r, &g);
	store_reader_close(r);
	store_close(st);

	/* after close, reopen and more data */
	st = open_store(f->path, 10, 512);
	gen_batch(&g, st, end + 3 * HOUR_MS);
	assert_int_equal(store_flush(st), 0);
	r = open_reader(f->path);
	check_all_queries(r, &g, bucket_floor(start, 0, DAY_MS), end + 4 * HOUR_MS);
	check_rollup_rows(f->path, r, &g);
	store_reader_close(r);
	store_close(st);
}

static void test_late_sample_into_packed_hour(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path, 10, 0);
	struct store_series_desc d = {"meter-1", "power_w", "", STORE_GAUGE, 0, 0, 0};
	int64_t id = store_series(st, &d);
	for (int k = 0; k < 360 * 2; k++) {
		struct store_sample s = {id, T0 + k * 10000, 100 + k % 7};
		assert_int_equal(store_append(st, &s, 1), 0);
	}
	assert_int_equal(store_flush(st), 0);
	/* hour 0 is packed now (hour 1 is open) */
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM blocks"), 1);
	struct store_sample late[2] = {{id, T0 + 5005, 1000}, {id, T0 - 2 * HOUR_MS, 5}};
	assert_int_equal(store_append(st, late, 2), 0);
	assert_int_equal(store_flush(st), 0);
	store_close(st);

	struct store_reader *r = open_reader(f->path);
	struct samples got;
	read_all(r, id, &got);
	assert_int_equal(got.n, 722);
	assert_true(got.ts[0] == T0 - 2 * HOUR_MS && got.v[0] == 5);
	assert_true(got.ts[2] == T0 + 5005 && got.v[2] == 1000);
	struct qrows q = {0};
	assert_int_equal(store_query(r, id, T0, T0 + HOUR_MS, MINUTE_MS, AGG_MAX, qcollect, &q), 0);
	assert_true(q.n == 60 && q.r[0].value == 1000 && q.r[0].count == 7);
	free(q.r);
	check_query(r, id, &got, false, T0 - DAY_MS + 22 * HOUR_MS, T0 + 3 * HOUR_MS, HOUR_MS);
	check_query(r, id, &got, false, T0 - DAY_MS, T0 + 3 * HOUR_MS, MINUTE_MS);
	samples_free(&got);
	store_reader_close(r);
}

static void test_counter_wrap_and_reset(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path, 10, 0);
	struct store_series_desc d = {"pdu-b1", "energy_kwh", "", STORE_COUNTER, 16, 0, 0};
	int64_t id = store_series(st, &d);
	struct store_series_desc d2 = {"pdu-b2", "energy_kwh", "", STORE_COUNTER, 32, 1.0, 0};
	int64_t id2 = store_series(st, &d2);
	const double raw[] = {65530, 65535, 5, 10, 3, 8};
	const double want[] = {65530, 65535, 65541, 65546, 65549, 65554};
	for (int k = 0; k < 6; k++) {
		struct store_sample s = {id, T0 + k * 10000, raw[k]};
		assert_int_equal(store_append(st, &s, 1), 0);
	}
	/* 1/s limit: +5 ok, +500 rejected (not stored, one event, held), then +4 continues from
	 * the held reading: the meter's level moved (replaced), counted from there */
	const double raw2[] = {100, 105, 605, 609};
	for (int k = 0; k < 4; k++) {
		struct store_sample s = {id2, T0 + k * 10000, raw2[k]};
		assert_int_equal(store_append(st, &s, 1), 0);
	}
	/* PDU A of the demo: a 16-bit whole-kWh register, rated 300 kW, polled every 5 s at
	 * 194 kW. Each 1 kWh step within one poll "looks like" 720 kW: every one is stored, and
	 * the wrap too, with no event (it used to be dropped as implausible). */
	struct store_series_desc d3 = {"pdu-a", "energy_kwh", "", STORE_COUNTER,
	                               16,      300.0 / 3600, 1.0};
	int64_t id3 = store_series(st, &d3);
	double e = 65530.2, first = floor(e);
	int n3 = 0;
	for (int k = 0; k < 720; k++, e += 194.0 * 5 / 3600, n3++) {
		struct store_sample s = {id3, T0 + k * 5000, fmod(floor(e), 65536)};
		assert_int_equal(store_append(st, &s, 1), 0);
	}
	double last3 = floor(e - 194.0 * 5 / 3600);
	/* a glitch that comes back: one event, nothing counted for it */
	struct store_series_desc d4 = {"crah-1", "energy_kwh", "", STORE_COUNTER,
	                               32,       30.0 / 3600,  0.1};
	int64_t id4 = store_series(st, &d4);
	const double raw4[] = {812.3, 812.4, 9999.9, 812.4, 812.5};
	for (int k = 0; k < 5; k++) {
		struct store_sample s = {id4, T0 + k * 10000, raw4[k]};
		assert_int_equal(store_append(st, &s, 1), 0);
	}
	assert_int_equal(store_flush(st), 0);
	store_close(st);

	struct store_reader *r = open_reader(f->path);
	struct samples got;
	read_all(r, id, &got);
	assert_int_equal(got.n, 6);
	for (int k = 0; k < 6; k++)
		assert_true(got.v[k] == want[k]);
	struct qrows q = {0};
	assert_int_equal(store_query(r, id, T0, T0 + HOUR_MS, HOUR_MS, AGG_DELTA, qcollect, &q), 0);
	assert_int_equal(q.n, 1);
	assert_true(q.r[0].value == 24); /* the first reading is the baseline */
	free(q.r);
	samples_free(&got);

	read_all(r, id2, &got);
	assert_int_equal(got.n, 3);
	assert_true(got.v[0] == 100 && got.v[1] == 105 && got.v[2] == 109);
	samples_free(&got);
	read_all(r, id3, &got);
	assert_int_equal(got.n, n3);
	assert_true(got.v[0] == first && got.v[got.n - 1] == last3);
	assert_true(last3 > 65536); /* it wrapped, and the total went on */
	samples_free(&got);
	read_all(r, id4, &got);
	assert_int_equal(got.n, 4);
	assert_true(fabs(got.v[3] - 812.5) < 1e-9);
	samples_free(&got);
	store_reader_close(r);

	char sql[160];
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM events WHERE kind = 'counter_reset' AND series = %lld",
	         (long long)id);
	assert_int_equal(sql_int(f->path, sql), 1);
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM events WHERE kind LIKE 'counter_%%' AND series = %lld",
	         (long long)id3);
	assert_int_equal(sql_int(f->path, sql), 0);
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM events WHERE kind = 'counter_rejected' AND series = %lld",
	         (long long)id4);
	assert_int_equal(sql_int(f->path, sql), 1);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM events WHERE kind = "
	                                  "'counter_rejected'"),
	                 2);
	/* The two discontinuities, and the wrap recorded as what it is (no discontinuity). */
	assert_int_equal(
	        sql_int(f->path, "SELECT count(*) FROM events WHERE kind LIKE 'counter_%'"), 3);
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM events WHERE kind = 'register_wrap' AND series = %lld",
	         (long long)id);
	assert_int_equal(sql_int(f->path, sql), 1);
	/* ... and two register_wrap rows (id and id3), which are no discontinuity. */
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM events"), 5);
}

static void test_events_and_devices(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path, 10, 0);
	assert_int_equal(store_event(st, T0, 0, "device_down", "pdu-a3: timeout"), 0);
	struct store_device_state ds = {
	        "pdu-a3", "snmp", "udp:127.0.0.1:161", "down", T0, T0 - 1, 0.5, 3, 2000, "timeout"};
	assert_int_equal(store_device_state(st, &ds), 0);
	ds.state = "up";
	ds.errors = 4;
	assert_int_equal(store_device_state(st, &ds), 0);
	assert_int_equal(store_flush(st), 0);
	struct store_stats stats;
	store_stats(st, &stats);
	assert_true(stats.commits >= 1);
	assert_int_equal(stats.write_errors, 0);
	char err[64];
	store_last_error(st, err, sizeof(err));
	assert_string_equal(err, "");
	store_close(st);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM events WHERE kind='device_down'"),
	                 1);
	assert_int_equal(sql_int(f->path, "SELECT errors FROM devices WHERE state = 'up'"), 4);
}

/* The roster: every configured device in name order, stored state or "unknown" before the
 * first poll, "disabled" for enabled: false whatever its old row says, a device no longer
 * configured left out; without a config, the stored rows as they are. */
struct roster_seen {
	char line[6][96];
	int n;
};

static int roster_cb(void *ctx, const struct store_device_state *ds, const struct config_device *cd)
{
	struct roster_seen *s = ctx;
	assert_true(s->n < 6);
	snprintf(s->line[s->n++], sizeof(s->line[0]), "%s %s %s %lld %u %s", ds->name, ds->state,
	         ds->driver, (long long)ds->errors, ds->interval_ms, cd ? "cfg" : "-");
	return 0;
}

static void test_device_roster(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path, 10, 0);
	struct store_device_state ds = {"pdu-a3", "snmp", "udp:127.0.0.1:161", "up", T0, T0, 0.5, 4,
	                                2000,     ""};
	assert_int_equal(store_device_state(st, &ds), 0);
	ds.name = "old-dev";
	assert_int_equal(store_device_state(st, &ds), 0);
	ds.name = "ups";
	assert_int_equal(store_device_state(st, &ds), 0);
	assert_int_equal(store_flush(st), 0);
	store_close(st);

	struct config_device dev[3] = {
	        {.name = "ups", .driver = "snmp", .address = "udp:10.0.0.2", .interval_ms = 10000},
	        {.name = "pdu-a3",
	         .driver = "snmp",
	         .address = "udp:127.0.0.1:161",
	         .interval_ms = 2000,
	         .enabled = true},
	        {.name = "crah-1",
	         .driver = "modbus",
	         .address = "tcp://10.0.0.9:502",
	         .interval_ms = 60000,
	         .enabled = true},
	};
	struct config cfg = {.devices = dev, .ndevices = 3};
	struct store_reader *r = open_reader(f->path);
	struct roster_seen s = {0};
	assert_int_equal(device_roster(&cfg, r, roster_cb, &s), 3);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.line[0], "crah-1 unknown modbus 0 60000 cfg");
	assert_string_equal(s.line[1], "pdu-a3 up snmp 4 2000 cfg");
	assert_string_equal(s.line[2], "ups disabled snmp 4 2000 cfg");
	memset(&s, 0, sizeof(s));
	assert_int_equal(device_roster(NULL, r, roster_cb, &s), 3);
	assert_string_equal(s.line[0], "old-dev up snmp 4 2000 -");
	assert_string_equal(s.line[1], "pdu-a3 up snmp 4 2000 -");
	assert_string_equal(s.line[2], "ups up snmp 4 2000 -");
	store_reader_close(r);
}

/* A child appends, flushes and _exits without store_close; the parent finds it all. */
static void test_crash_exit_without_close(void **state)
{
	struct fixture *f = *state;
	int64_t start = T0 - 90 * MINUTE_MS;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *st = open_store(f->path, 10, 0);
		struct gen g;
		gen_init(&g, st, 99, start);
		gen_batch(&g, st, T0 + 150 * MINUTE_MS);
		if (store_flush(st) != 0)
			_exit(1);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* replay the generator to know what was acknowledged */
	struct store *st = open_store(f->path, 10, 0);
	struct gen g;
	gen_init(&g, st, 99, start); /* same ids: the series exist */
	struct store_reader *r = open_reader(f->path);
	for (int i = 0; i < 5; i++) {
		struct samples got;
		read_all(r, g.id[i], &got);
		assert_true(got.n > 100);
		assert_true(got.ts[got.n - 1] >= T0 + 149 * MINUTE_MS);
		samples_free(&got);
	}
	store_reader_close(r);
	/* count what the generator produces for the same window and compare: every sample is
	 * packed in blocks or still in its open hour in staging */
	store_close(st);
	int64_t total = 0;
	r = open_reader(f->path);
	for (int i = 0; i < 5; i++) {
		struct samples got;
		read_all(r, g.id[i], &got);
		total += (int64_t)got.n;
		samples_free(&got);
	}
	store_reader_close(r);
	/* the same generator in a scratch store gives the expected count */
	char path2[160];
	snprintf(path2, sizeof(path2), "%s/check.db", f->dir);
	struct store *st2 = open_store(path2, 10, 0);
	struct gen g2;
	gen_init(&g2, st2, 99, start);
	int produced = gen_batch(&g2, st2, T0 + 150 * MINUTE_MS);
	store_close(st2);
	char p[200];
	const char *sfx[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path2, sfx[i]);
		unlink(p);
	}
	/* counter readings that were rejected are not stored; events say how many */
	int64_t rejected = sql_int(f->path, "SELECT count(*) FROM events WHERE "
	                                    "kind = 'counter_rejected'");
	assert_int_equal(total + rejected, produced);

	/* more data after recovery; rollups still equal brute force */
	st = open_store(f->path, 10, 0);
	gen_init(&g, st, 99, start);
	for (int i = 0; i < 5; i++)
		g.t[i] = T0 + 151 * MINUTE_MS + i;
	gen_batch(&g, st, T0 + 300 * MINUTE_MS);
	assert_int_equal(store_flush(st), 0);
	r = open_reader(f->path);
	check_all_queries(r, &g, T0 - DAY_MS, T0 + 6 * HOUR_MS);
	check_rollup_rows(f->path, r, &g);
	store_reader_close(r);
	store_close(st);
}

/* A child appends and flushes in a loop, reporting each acknowledged count; the parent
 * kills it with SIGKILL mid-stream; every acknowledged sample must be there. */
static void test_crash_sigkill(void **state)
{
	struct fixture *f = *state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		struct store *st = open_store(f->path, 5, 0);
		struct store_series_desc d = {"ups-1", "power_w", "", STORE_GAUGE, 0, 0, 0};
		int64_t id = store_series(st, &d);
		int64_t acked = 0;
		for (int64_t k = 0;; k++) {
			struct store_sample s[50];
			for (int j = 0; j < 50; j++)
				s[j] = (struct store_sample){id, T0 + (k * 50 + j) * 1000,
				                             (double)(k * 50 + j)};
			if (store_append(st, s, 50) != 0 || store_flush(st) != 0)
				_exit(1);
			acked += 50;
			if (write(fds[1], &acked, sizeof(acked)) != sizeof(acked))
				_exit(1);
		}
	}
	close(fds[1]);
	int64_t acked = 0, v;
	while (acked < 30000 && read(fds[0], &v, sizeof(v)) == sizeof(v))
		acked = v;
	kill(pid, SIGKILL);
	while (read(fds[0], &v, sizeof(v)) == sizeof(v))
		acked = v;
	close(fds[0]);
	int status;
	waitpid(pid, &status, 0);
	assert_true(WIFSIGNALED(status));
	assert_true(acked >= 30000);

	struct store *st = open_store(f->path, 5, 0);
	struct store_series_desc d = {"ups-1", "power_w", "", STORE_GAUGE, 0, 0, 0};
	int64_t id = store_series(st, &d);
	struct store_sample more = {id, T0 + 100 * HOUR_MS, 1};
	assert_int_equal(store_append(st, &more, 1), 0);
	assert_int_equal(store_flush(st), 0);
	store_close(st);
	struct store_reader *r = open_reader(f->path);
	struct samples got;
	read_all(r, id, &got);
	assert_true((int64_t)got.n >= acked + 1);
	for (int64_t k = 0; k < acked; k++)
		assert_true(got.ts[k] == T0 + k * 1000 && got.v[k] == (double)k);
	samples_free(&got);
	store_reader_close(r);
}

/* CRAH energy after k s at 29 kW, as its 0.1 kWh register shows it. */
static double crah_kwh(int64_t k)
{
	return 812.0 + (double)(k * 29 / 360) / 10;
}

/* A full disk (RLIMIT_FSIZE in a child): the writer keeps the batch, reports the error,
 * recovers when space returns, and loses nothing; counter samples held meanwhile are judged
 * in their own time order (no spurious counter event). */
static void test_disk_full(void **state)
{
	struct fixture *f = *state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		signal(SIGXFSZ, SIG_IGN);
		struct store *st = open_store(f->path, 5, 4096);
		struct store_series_desc d = {"ups-2", "power_w", "", STORE_GAUGE, 0, 0, 0};
		int64_t id = store_series(st, &d);
		/* and a CRAH's 0.1 kWh register, rated 30 kW, drawing 29 kW: its samples held
		 * while the disk is full must be judged in their own time order afterwards */
		struct store_series_desc dc = {"crah-1", "energy_kwh", "", STORE_COUNTER,
		                               32,       30.0 / 3600,  0.1};
		int64_t idc = store_series(st, &dc);
		if (store_flush(st) != 0)
			_exit(1);
		struct rlimit rl;
		getrlimit(RLIMIT_FSIZE, &rl);
		struct stat sb;
		char wal[160];
		snprintf(wal, sizeof(wal), "%s-wal", f->path);
		off_t big = stat(wal, &sb) == 0 ? sb.st_size : 0;
		if (stat(f->path, &sb) == 0 && sb.st_size > big)
			big = sb.st_size;
		struct rlimit tight = {(rlim_t)big + 64 * 1024, rl.rlim_max};
		setrlimit(RLIMIT_FSIZE, &tight);
		int64_t k = 0;
		int rc = 0;
		while (k < 1000000 && rc == 0) {
			struct store_sample s[200];
			for (int j = 0; j < 200; j += 2, k++) {
				s[j] = (struct store_sample){id, T0 + k * 1000, (double)k};
				s[j + 1] = (struct store_sample){idc, T0 + k * 1000, crah_kwh(k)};
			}
			store_append(st, s, 200);
			rc = store_flush(st);
		}
		/* more while it is full: held in the queue */
		for (int j = 0; j < 100; j++, k++) {
			struct store_sample s[2] = {{id, T0 + k * 1000, (double)k},
			                            {idc, T0 + k * 1000, crah_kwh(k)}};
			store_append(st, s, 2);
		}
		struct store_stats stats;
		store_stats(st, &stats);
		char err[256];
		store_last_error(st, err, sizeof(err));
		if (rc != -EIO || stats.write_errors == 0 || !*err)
			_exit(2);
		setrlimit(RLIMIT_FSIZE, &rl); /* space is back */
		for (int tries = 0; tries < 100 && store_flush(st) != 0; tries++)
			;
		if (store_flush(st) != 0)
			_exit(3);
		store_close(st);
		if (write(fds[1], &k, sizeof(k)) != sizeof(k))
			_exit(4);
		_exit(0);
	}
	close(fds[1]);
	int64_t appended = 0;
	assert_int_equal(read(fds[0], &appended, sizeof(appended)), sizeof(appended));
	close(fds[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_true(appended > 0);
	struct store_reader *r = open_reader(f->path);
	struct samples got;
	read_all(r, 1, &got);
	assert_int_equal(got.n, appended);
	for (size_t k = 0; k < got.n; k++)
		assert_true(got.v[k] == (double)k && got.ts[k] == T0 + (int64_t)k * 1000);
	samples_free(&got);
	read_all(r, 2, &got);
	assert_int_equal(got.n, appended);
	for (size_t k = 0; k < got.n; k++)
		assert_true(fabs(got.v[k] - crah_kwh((int64_t)k)) < 1e-9);
	samples_free(&got);
	store_reader_close(r);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM events"), 0);
	sqlite3 *db;
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "ok");
	sqlite3_finalize(q);
	sqlite3_close(db);
}

/* Spans: hours of a 10 s series are compacted into 6 h blocks, of a 1-minute counter into a
 * day; series over several staging shards read back exactly, open or closed; tail gives every
 * committed sample once, in commit order, across calls of any size. */
#define NSPAN 40
static void test_spans_shards_tail(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path, 10, 4096);
	int64_t id[NSPAN];
	bool counter[NSPAN];
	int64_t step[NSPAN];
	for (int i = 0; i < NSPAN; i++) {
		char dev[24];
		snprintf(dev, sizeof(dev), "rack-%02d", i);
		counter[i] = i % 8 == 7;
		step[i] = counter[i] ? MINUTE_MS : 10000;
		struct store_series_desc d = {dev,
		                              counter[i] ? "energy_kwh" : "power_w",
		                              "",
		                              counter[i] ? STORE_COUNTER : STORE_GAUGE,
		                              counter[i] ? 64 : 0,
		                              0,
		                              0};
		id[i] = store_series(st, &d);
		assert_true(id[i] > 0);
	}
	struct samples want[NSPAN] = {{0}};
	int64_t end = T0 + 26 * HOUR_MS + 5 * MINUTE_MS;
	unsigned seed = 5;
	double v[NSPAN];
	for (int i = 0; i < NSPAN; i++)
		v[i] = 1000 + i;
	for (int64_t t = T0; t < end; t += 10000) {
		struct store_sample buf[NSPAN];
		size_t n = 0;
		for (int i = 0; i < NSPAN; i++) {
			if ((t - T0) % step[i])
				continue;
			v[i] += counter[i] ? rand_r(&seed) % 100 / 100.0
			                   : (double)(rand_r(&seed) % 41 - 20) / 10;
			v[i] = round(v[i] * 100) / 100;
			buf[n++] = (struct store_sample){id[i], t, v[i]};
			samples_add(&want[i], t, v[i]);
		}
		assert_int_equal(store_append(st, buf, n), 0);
	}
	assert_int_equal(store_flush(st), 0);
	/* 10 s: [0, 6 h), [6, 12), [12, 18), [18, 24) compacted; 1 min: [0, 24 h) */
	int64_t gauges = 0;
	for (int i = 0; i < NSPAN; i++)
		gauges += !counter[i];
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM blocks WHERE t1 - t0 = 21600000"),
	                 4 * gauges);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM blocks WHERE t1 - t0 = 86400000"),
	                 NSPAN - gauges);
	for (int pass = 0; pass < 2; pass++) {
		struct store_reader *r = open_reader(f->path);
		for (int i = 0; i < NSPAN; i++) {
			struct samples got;
			read_all(r, id[i], &got);
			assert_int_equal(got.n, want[i].n);
			for (size_t k = 0; k < got.n; k++)
				assert_true(got.ts[k] == want[i].ts[k] && got.v[k] == want[i].v[k]);
			samples_free(&got);
			if (i % 7 == 0) {
				check_query(r, id[i], &want[i], counter[i], T0, end, MINUTE_MS);
				check_query(r, id[i], &want[i], counter[i], T0 + 5 * HOUR_MS, end,
				            HOUR_MS);
				check_query(r, id[i], &want[i], counter[i], T0, end + HOUR_MS,
				            DAY_MS);
			}
		}
		store_reader_close(r);
		if (pass == 0) {
			store_close(st);
			st = open_store(f->path, 10, 4096);
		}
	}

	/* tail: from the newest commit on, in small pieces */
	struct store_reader *r = open_reader(f->path);
	struct tail_seen_ seen = {.ordered = true};
	int64_t cursor = -1;
	assert_int_equal(store_tail(r, &cursor, 100, tail_collect, &seen), 0);
	int64_t appended = 0;
	for (int64_t t = end; t < end + 30 * MINUTE_MS; t += 10000) {
		struct store_sample buf[NSPAN];
		size_t n = 0;
		for (int i = 0; i < NSPAN; i++)
			if ((t - T0) % step[i] == 0)
				buf[n++] = (struct store_sample){id[i], t, (double)i};
		assert_int_equal(store_append(st, buf, n), 0);
		appended += (int64_t)n;
		if (t % MINUTE_MS == 0)
			assert_int_equal(store_flush(st), 0);
	}
	assert_int_equal(store_flush(st), 0);
	int got;
	while ((got = store_tail(r, &cursor, 77, tail_collect, &seen)) > 0)
		assert_true(got <= 77);
	assert_int_equal(got, 0);
	assert_int_equal(seen.n, appended);
	assert_true(seen.ordered);
	store_reader_close(r);
	store_close(st);
	for (int i = 0; i < NSPAN; i++)
		samples_free(&want[i]);
}

/* ---- store_latest: the latest sample of many series at once ---- */

#define NLAT 40

/* The latest sample of one series in [from, to) as store_query gives it. */
static void latest_by_query(struct store_reader *r, int64_t id, int64_t from, int64_t to, double *v,
                            int64_t *ts)
{
	struct qrows a = {0}, b = {0};
	assert_int_equal(store_query(r, id, from, to, to - from, AGG_LAST, qcollect, &a), 0);
	assert_int_equal(store_query(r, id, from, to, to - from, AGG_LAST_TS, qcollect, &b), 0);
	assert_int_equal(a.n, b.n);
	*v = a.n ? a.r[0].value : NAN;
	*ts = b.n ? (int64_t)b.r[0].value : INT64_MIN;
	free(a.r);
	free(b.r);
}

static void check_latest(struct store_reader *r, const int64_t *id, int64_t from, int64_t to)
{
	int64_t ids[NLAT + 3], ts[NLAT + 3];
	double v[NLAT + 3];
	memcpy(ids, id, NLAT * sizeof(*id));
	ids[NLAT] = 0;          /* none */
	ids[NLAT + 1] = id[3];  /* twice */
	ids[NLAT + 2] = 999999; /* unknown */
	int found = store_latest(r, ids, NLAT + 3, from, to, v, ts, NULL, NULL);
	assert_true(found >= 0);
	int want_found = 0;
	for (int i = 0; i < NLAT + 3; i++) {
		double wv = NAN;
		int64_t wts = INT64_MIN;
		if (ids[i] > 0 && ids[i] != 999999)
			latest_by_query(r, ids[i], from, to, &wv, &wts);
		want_found += wts != INT64_MIN;
		if (wts != ts[i] || (wts != INT64_MIN && wv != v[i]))
			fprintf(stderr,
			        "series %lld [%lld, %lld): %.17g at %lld, want %.17g at %lld\n",
			        (long long)ids[i], (long long)from, (long long)to, v[i],
			        (long long)ts[i], wv, (long long)wts);
		assert_true(wts == ts[i]);
		assert_true(wts == INT64_MIN ? isnan(v[i]) : wv == v[i]);
	}
	assert_int_equal(found, want_found);
}

static bool cancel_now(void *ctx)
{
	return ++*(int *)ctx > 2;
}

/* store_latest equals store_query's AGG_LAST and AGG_LAST_TS per series, over ranges in the
 * open hours, across the packed hour before them, for series gone silent (packed), with NaN
 * readings, repeated times and many staging blobs per shard; and it stops when asked. */
static void test_latest(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path, 10, 4096);
	int64_t id[NLAT];
	for (int i = 0; i < NLAT; i++) {
		char dev[24];
		snprintf(dev, sizeof(dev), "pdu-%02d", i);
		bool counter = i % 8 == 7;
		struct store_series_desc d = {dev,
		                              counter ? "energy_kwh" : "power_w",
		                              "",
		                              counter ? STORE_COUNTER : STORE_GAUGE,
		                              counter ? 64 : 0,
		                              0,
		                              0};
		id[i] = store_series(st, &d);
		assert_true(id[i] > 0);
	}
	int64_t end = T0 + 2 * HOUR_MS + 20 * MINUTE_MS;
	unsigned seed = 11;
	double v[NLAT];
	for (int i = 0; i < NLAT; i++)
		v[i] = 100 + i;
	for (int64_t t = T0; t < end; t += 10000) {
		struct store_sample buf[NLAT + 1];
		size_t n = 0;
		for (int i = 0; i < NLAT; i++) {
			if (i % 5 == 4 && t >= T0 + 70 * MINUTE_MS)
				continue; /* gone silent: packed once data time is 10 min past its
				             hour */
			if (i % 5 == 3 && (t / 10000) % 3)
				continue; /* every 30 s */
			v[i] += i % 8 == 7 ? rand_r(&seed) % 100 / 100.0 : 1;
			double x = i % 7 == 2 && (t / 10000) % 4 == 0 ? NAN : v[i];
			buf[n++] = (struct store_sample){id[i], t, x};
		}
		/* the same time again: the later arrival is the last */
		buf[n++] = (struct store_sample){id[1], t, -v[1]};
		assert_int_equal(store_append(st, buf, n), 0);
		if (t % MINUTE_MS == 0)
			assert_int_equal(store_flush(st), 0);
	}
	assert_int_equal(store_flush(st), 0);
	const int64_t ends[] = {end,
	                        end - 5 * MINUTE_MS,
	                        end - 25 * MINUTE_MS,
	                        T0 + 75 * MINUTE_MS,
	                        T0 + 2 * HOUR_MS + 10000,
	                        T0 + 30 * MINUTE_MS};
	for (int pass = 0; pass < 2; pass++) {
		struct store_reader *r = open_reader(f->path);
		for (size_t k = 0; k < sizeof(ends) / sizeof(ends[0]); k++) {
			check_latest(r, id, ends[k] - 15 * MINUTE_MS, ends[k] + 1000);
			check_latest(r, id, ends[k] - 2 * HOUR_MS, ends[k]);
		}
		int calls = 0;
		double lv[NLAT];
		int64_t lts[NLAT];
		assert_int_equal(store_latest(r, id, NLAT, end - 15 * MINUTE_MS, end, lv, lts,
		                              cancel_now, &calls),
		                 -ECANCELED);
		store_reader_close(r);
		if (pass == 0) { /* and after a close (every complete hour packed) and reopen */
			store_close(st);
			st = open_store(f->path, 10, 4096);
		}
	}
	store_close(st);
}

/* A hand-made version 1 block (the codec of schema 1-5): decimal exponent d, regular times. */
static size_t v1_block(uint8_t *out, int64_t t0, int64_t first, int64_t step, const int64_t *r,
                       size_t n, int d)
{
	uint8_t *p = out;
	*p++ = 0x10;
	*p++ = (uint8_t)d;
#define PUT(x)                                                                                     \
	do {                                                                                       \
		uint64_t u_ = (x);                                                                 \
		while (u_ >= 0x80) {                                                               \
			*p++ = (uint8_t)(u_ | 0x80);                                               \
			u_ >>= 7;                                                                  \
		}                                                                                  \
		*p++ = (uint8_t)u_;                                                                \
	} while (0)
#define ZZ(x) (((uint64_t)(x) << 1) ^ (uint64_t)((int64_t)(x) >> 63))
	PUT(n);
	PUT((uint64_t)(first - t0));
	for (size_t i = 1; i < n; i++)
		PUT(ZZ(i == 1 ? step : 0));
	int64_t prev = 0;
	for (size_t i = 0; i < n; i++) {
		PUT(ZZ(r[i] - prev));
		prev = r[i];
	}
#undef PUT
#undef ZZ
	return (size_t)(p - out);
}

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *e = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &e) != SQLITE_OK)
		fprintf(stderr, "%s: %s\n", sql, e);
	assert_null(e);
}

/* A schema 5 database (an hour block, the open hour in staging rows, 1-minute rows of an
 * hour whose raw block raw retention removed) migrates to schema 6 and reads the same. */
static void test_migrate_v5(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;
	char err[256];
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	exec_ok(db, "PRAGMA page_size = 8192; PRAGMA journal_mode = WAL");
	assert_int_equal(store_schema_migrate_to(db, 5, err, sizeof(err)), 0);
	assert_int_equal(sql_int(f->path, "PRAGMA user_version"), 5);
	exec_ok(db, "INSERT INTO series(id, device, metric, labels, kind) VALUES "
	            "(1, 'ups-1', 'power_w', '', 0), (2, 'ups-1', 'energy_kwh', '', 1)");
	/* hour 1 of series 1 packed: 360 samples of 500.0 + k / 10 */
	int64_t ints[360];
	for (int k = 0; k < 360; k++)
		ints[k] = 5000 + k;
	uint8_t blob[4096];
	size_t len = v1_block(blob, T0 + HOUR_MS, T0 + HOUR_MS, 10000, ints, 360, 1);
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "INSERT INTO blocks(series, t0, seq, n, n_finite, "
	                                    "first_ts, last_ts, data) VALUES (1, ?, 0, 360, 360, "
	                                    "?, ?, ?)",
	                                    -1, &q, NULL),
	                 SQLITE_OK);
	sqlite3_bind_int64(q, 1, T0 + HOUR_MS);
	sqlite3_bind_int64(q, 2, T0 + HOUR_MS);
	sqlite3_bind_int64(q, 3, T0 + 2 * HOUR_MS - 10000);
	sqlite3_bind_blob(q, 4, blob, (int)len, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(q), SQLITE_DONE);
	sqlite3_finalize(q);
	/* hour 0 of series 1 expired: only its minute rows (6 samples of 100 each) */
	char sql[512];
	for (int m = 0; m < 60; m++) {
		snprintf(sql, sizeof(sql),
		         "INSERT INTO rollup_1m VALUES (1, %lld, 6, 100, 100, 600, 100, 0, %lld)",
		         (long long)(T0 + m * MINUTE_MS), (long long)(T0 + m * MINUTE_MS + 50000));
		exec_ok(db, sql);
	}
	/* ... and hour 1's minute rows, which the block serves from now on */
	snprintf(sql, sizeof(sql),
	         "INSERT INTO rollup_1m VALUES (1, %lld, 6, 500, 500.5, 3001.5, 500.5, 0, %lld)",
	         (long long)(T0 + HOUR_MS), (long long)(T0 + HOUR_MS + 50000));
	exec_ok(db, sql);
	/* the open hour 2 in staging (a packed row before it, and the counter's) */
	snprintf(sql, sizeof(sql),
	         "INSERT INTO staging(rowid, series, ts, value, inc) VALUES "
	         "(7, 1, %lld, 99, 0), (8, 1, %lld, 600.5, 0), (9, 2, %lld, 10, 0), "
	         "(10, 1, %lld, NULL, 0), (11, 2, %lld, 12.5, 2.5)",
	         (long long)(T0 + HOUR_MS + 5), (long long)(T0 + 2 * HOUR_MS),
	         (long long)(T0 + 2 * HOUR_MS), (long long)(T0 + 2 * HOUR_MS + 10000),
	         (long long)(T0 + 2 * HOUR_MS + 10000));
	exec_ok(db, sql);
	snprintf(sql, sizeof(sql),
	         "INSERT INTO series_state(series, open_t0, open_rowid, packed_t0, have_last, "
	         "last_raw, total, last_ts) VALUES (1, %lld, 8, %lld, 0, NULL, NULL, NULL), "
	         "(2, %lld, 9, NULL, 1, 12.5, 12.5, %lld)",
	         (long long)(T0 + 2 * HOUR_MS), (long long)(T0 + HOUR_MS),
	         (long long)(T0 + 2 * HOUR_MS), (long long)(T0 + 2 * HOUR_MS + 10000));
	exec_ok(db, sql);
	sqlite3_close(db);

	/* a reader alone migrates it (greendc upgraded, greendcd not started since) */
	struct store_reader *r = open_reader(f->path);
	assert_int_equal(sql_int(f->path, "PRAGMA user_version"), store_schema_version());
	struct samples got;
	read_all(r, 1, &got);
	assert_int_equal(got.n, 362);
	assert_true(got.ts[0] == T0 + HOUR_MS && got.v[0] == 500.0);
	assert_true(got.ts[359] == T0 + 2 * HOUR_MS - 10000 && got.v[359] == 535.9);
	assert_true(got.ts[360] == T0 + 2 * HOUR_MS && got.v[360] == 600.5);
	assert_true(got.ts[361] == T0 + 2 * HOUR_MS + 10000 && isnan(got.v[361]));
	samples_free(&got);
	struct qrows qm = {0};
	assert_int_equal(store_query(r, 1, T0, T0 + 2 * HOUR_MS, MINUTE_MS, AGG_SUM, qcollect, &qm),
	                 0);
	assert_int_equal(qm.n, 120);
	assert_true(qm.r[0].bucket == T0 && qm.r[0].value == 600 && qm.r[0].count == 6);
	assert_true(qm.r[60].bucket == T0 + HOUR_MS && qm.r[60].count == 6);
	assert_true(fabs(qm.r[60].value - (500.0 + 500.1 + 500.2 + 500.3 + 500.4 + 500.5)) < 1e-9);
	free(qm.r);
	store_reader_close(r);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM rollup_1m"), 1);

	/* the writer goes on from there: the counter continues from its state */
	struct store *st = open_store(f->path, 10, 0);
	struct store_sample more[2] = {{2, T0 + 2 * HOUR_MS + 20000, 13.5},
	                               {1, T0 + 3 * HOUR_MS, 7}};
	assert_int_equal(store_append(st, more, 2), 0);
	assert_int_equal(store_flush(st), 0);
	store_close(st);
	r = open_reader(f->path);
	read_all(r, 2, &got);
	assert_int_equal(got.n, 3);
	assert_true(got.v[0] == 10 && got.v[1] == 12.5 && got.v[2] == 13.5);
	samples_free(&got);
	qm = (struct qrows){0};
	assert_int_equal(store_query(r, 2, T0, T0 + 3 * HOUR_MS, HOUR_MS, AGG_DELTA, qcollect, &qm),
	                 0);
	assert_true(qm.n == 1 && qm.r[0].value == 3.5);
	free(qm.r);
	read_all(r, 1, &got);
	assert_int_equal(got.n, 363);
	samples_free(&got);
	store_reader_close(r);
}

static void test_raw_retention(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct store_opts o = {.path = f->path, .commit_ms = 10, .raw_retention_ms = 2 * HOUR_MS};
	struct store *st = store_open(&o, err, sizeof(err));
	assert_non_null(st);
	struct store_series_desc d = {"crah-2", "supply_air_temp_c", "", STORE_GAUGE, 0, 0, 0};
	int64_t id = store_series(st, &d);
	for (int h = 0; h < 6; h++) {
		for (int k = 0; k < 360; k++) {
			struct store_sample s = {id, T0 + h * HOUR_MS + k * 10000, 18.5};
			assert_int_equal(store_append(st, &s, 1), 0);
		}
		assert_int_equal(store_flush(st), 0);
	}
	store_close(st);
	/* hours 0-2 ended more than 2 h before the latest sample: raw gone, rollups kept */
	assert_int_equal(sql_int(f->path, "SELECT min(t0) FROM blocks"), T0 + 3 * HOUR_MS);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM rollup_1h"), 5);
	assert_int_equal(sql_int(f->path, "SELECT min(ts) FROM rollup_1m"), T0);
}

/* What raw retention leaves: packed minute aggregates equal to those of the samples it
 * removed, for a gauge (with NaNs) and a counter (with a wrap); a late sample for an expired
 * hour goes into them too; queries across packed minutes, blocks and the open hour agree
 * with a brute-force recomputation. */
static void test_retention_minutes(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct store_opts o = {.path = f->path, .commit_ms = 10, .raw_retention_ms = 2 * HOUR_MS};
	struct store *st = store_open(&o, err, sizeof(err));
	assert_non_null(st);
	struct store_series_desc dg = {"crah-2", "supply_air_temp_c", "", STORE_GAUGE, 0, 0, 0};
	struct store_series_desc dc = {"pdu-1", "energy_kwh", "", STORE_COUNTER, 16, 0, 0};
	int64_t ids[2] = {store_series(st, &dg), store_series(st, &dc)};
	struct samples want[2] = {{0}};
	double raw = 65000, total = 65000;
	unsigned seed = 9;
	for (int64_t t = T0; t < T0 + 8 * HOUR_MS; t += 10000) {
		double g = 18 + (double)(rand_r(&seed) % 100) / 10;
		if (rand_r(&seed) % 300 == 0)
			g = NAN;
		int inc = rand_r(&seed) % 7;
		raw += inc;
		total += inc; /* the store unwraps the 16-bit register: totals keep rising */
		if (raw >= 65536)
			raw -= 65536;
		struct store_sample s2[2] = {{ids[0], t, g}, {ids[1], t, raw}};
		assert_int_equal(store_append(st, s2, 2), 0);
		samples_add(&want[0], t, g);
		samples_add(&want[1], t, total);
		if ((t - T0) % HOUR_MS == 0)
			assert_int_equal(store_flush(st), 0);
	}
	assert_int_equal(store_flush(st), 0);
	/* a late gauge sample for the expired hour 1 */
	struct store_sample late = {ids[0], T0 + HOUR_MS + 12345, 99.5};
	assert_int_equal(store_append(st, &late, 1), 0);
	assert_int_equal(store_flush(st), 0);
	store_close(st);
	samples_add(&want[0], late.ts_ms, late.value);
	for (size_t i = want[0].n - 1; i > 0 && want[0].ts[i - 1] > want[0].ts[i]; i--) {
		int64_t t = want[0].ts[i];
		double v = want[0].v[i];
		want[0].ts[i] = want[0].ts[i - 1];
		want[0].v[i] = want[0].v[i - 1];
		want[0].ts[i - 1] = t;
		want[0].v[i - 1] = v;
	}
	/* hours 0-2 had expired (2 h past their end) before hour 5 ended: minutes only; hours
	 * 3-5 were then compacted into one block, which stays until all of it has expired */
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM rollup_1m WHERE series = %lld",
	         (long long)ids[0]);
	assert_int_equal(sql_int(f->path, sql), 3);
	assert_int_equal(sql_int(f->path, "SELECT min(t0) FROM blocks"), T0 + 3 * HOUR_MS);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM blocks WHERE t0 = %lld AND t1 = %lld",
	         (long long)(T0 + 3 * HOUR_MS), (long long)(T0 + 6 * HOUR_MS));
	assert_int_equal(sql_int(f->path, sql), 2);

	struct store_reader *r = open_reader(f->path);
	for (int i = 0; i < 2; i++) {
		const int64_t steps[] = {MINUTE_MS, 5 * MINUTE_MS, HOUR_MS};
		for (size_t k = 0; k < 3; k++)
			check_query(r, ids[i], &want[i], i == 1, T0, T0 + 9 * HOUR_MS, steps[k]);
		samples_free(&want[i]);
	}
	store_reader_close(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_migrate_empty_file, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_series_registry, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_rollups_brute_force, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_late_sample_into_packed_hour, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_counter_wrap_and_reset, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_events_and_devices, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_device_roster, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_crash_exit_without_close, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_crash_sigkill, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_spans_shards_tail, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_latest, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_migrate_v5, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_raw_retention, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_retention_minutes, setup, teardown),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
