/* SPDX-License-Identifier: Apache-2.0 */
/* The store's commit tap (store.h) and per-stream outbox bounds (outbox.h): the tap sees every
 * stored sample once, as stored (counters unwrapped, NaN kept), in commit order; a failed
 * batch is shown again after a rollback and its outbox items are not doubled; a tap can name
 * a series created in its own batch; replaced and closed taps are freed. A stream with bounds
 * of its own drops its own oldest items and counts them; a discarded item counts as
 * rejected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/outbox.h"
#include "store/store.h"

struct fixture {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/greendc-tap-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static struct store *open_store(const char *path)
{
	char err[256];
	struct store_opts o = {.path = path, .commit_ms = 20, .queue_cap = 4096};
	struct store *st = store_open(&o, err, sizeof(err));
	assert_non_null(st);
	return st;
}

#define MAXS 4096

struct seen {
	struct store_tap_sample s[MAXS];
	size_t n, pending;
	int calls, commits, rollbacks, frees; /* commits: of batches with samples */
	int fail_first;                       /* fail this many calls with -ENOMEM */
	char device[32], metric[32], labels[32];
	int kind;
	int64_t ask; /* describe this series at each call */
};

static int tap_batch(void *ctx, struct store_tap_batch *b, const struct store_tap_sample *s,
                     size_t n)
{
	struct seen *x = ctx;
	x->calls++;
	/* Keep what this call saw apart until the batch commits. */
	x->pending = 0;
	for (size_t i = 0; i < n && x->n + i < MAXS; i++)
		x->s[x->n + i] = s[i];
	x->pending = n;
	if (x->ask) {
		char buf[128];
		struct store_series_info info;
		assert_int_equal(store_tap_series(b, x->ask, &info, buf, sizeof(buf)), 0);
		snprintf(x->device, sizeof(x->device), "%s", info.device);
		snprintf(x->metric, sizeof(x->metric), "%s", info.metric);
		snprintf(x->labels, sizeof(x->labels), "%s", info.labels);
		x->kind = info.kind;
		assert_int_equal(store_tap_series(b, x->ask, &info, buf, 4), -ENOSPC);
		assert_int_equal(store_tap_series(b, 999999, &info, buf, sizeof(buf)), -ENOENT);
	}
	/* One outbox item per call, keyed by the first sample: a retried batch inserts it
	 * again inside its own (new) transaction. */
	char key[64], body[64];
	snprintf(key, sizeof(key), "rw:%lld:%lld", (long long)s[0].series, (long long)s[0].ts_ms);
	snprintf(body, sizeof(body), "%zu samples", n);
	struct outbox_item it = {.stream = "prom/rw",
	                         .ikey = key,
	                         .created_ms = s[0].ts_ms,
	                         .payload = body,
	                         .len = strlen(body)};
	assert_int_equal(store_tap_outbox(b, &it, NULL), 0);
	if (x->fail_first > 0) {
		x->fail_first--;
		return -ENOMEM;
	}
	return 0;
}

static void tap_done(void *ctx, bool committed)
{
	struct seen *x = ctx;
	if (committed) {
		x->commits += x->pending > 0; /* batches with samples */
		x->n += x->pending;
	} else {
		x->rollbacks++;
	}
	x->pending = 0;
}

static void tap_free_cb(void *ctx)
{
	struct seen *x = ctx;
	x->frees++;
}

static void install(struct store *st, struct seen *x)
{
	struct store_tap t = {.batch = tap_batch, .done = tap_done, .free = tap_free_cb, .ctx = x};
	store_set_tap(st, &t);
}

/* Items in the outbox. */
static int64_t count_rows(const char *path)
{
	char err[256];
	struct outbox *ob = outbox_open(path, err, sizeof(err));
	assert_non_null(ob);
	struct outbox_stats s;
	assert_int_equal(outbox_stats(ob, &s), 0);
	outbox_close(ob);
	return s.items;
}

static void test_tap_sees_what_is_stored(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path);
	static struct seen x;
	memset(&x, 0, sizeof(x));
	install(st, &x);
	struct store_series_desc g = {.device = "pdu-a", .metric = "power_w", .labels = "phase=L1"};
	struct store_series_desc c = {.device = "pdu-a",
	                              .metric = "energy_kwh",
	                              .kind = STORE_COUNTER,
	                              .counter_bits = 16};
	int64_t gid = store_series(st, &g), cid = store_series(st, &c);
	assert_true(gid > 0 && cid > 0);
	x.ask = cid; /* created in this very batch */
	int64_t t0 = 1790000000000;
	/* A 16-bit counter that wraps: stored as its unwrapped total. */
	double raw[] = {65530, 65535, 3, 10};
	for (int i = 0; i < 4; i++) {
		struct store_sample s[2] = {{gid, t0 + i * 1000, i == 2 ? NAN : 100.0 + i},
		                            {cid, t0 + i * 1000, raw[i]}};
		assert_int_equal(store_append(st, s, 2), 0);
		if (i == 1)
			assert_int_equal(store_flush(st), 0); /* two batches at least */
	}
	assert_int_equal(store_flush(st), 0);
	assert_string_equal(x.device, "pdu-a");
	assert_string_equal(x.metric, "energy_kwh");
	assert_string_equal(x.labels, "");
	assert_int_equal(x.kind, STORE_COUNTER);
	assert_true(x.calls >= 2);
	assert_int_equal(x.n, 8);
	double want_c[] = {65530, 65535, 65539, 65546}; /* 65535 -> 3 is +4 */
	for (int i = 0; i < 4; i++) {
		const struct store_tap_sample *a = &x.s[2 * i], *b = &x.s[2 * i + 1];
		assert_int_equal(a->series, gid);
		assert_int_equal(a->ts_ms, t0 + i * 1000);
		if (i == 2)
			assert_true(isnan(a->value));
		else
			assert_true(a->value == 100.0 + i);
		assert_int_equal(b->series, cid);
		assert_true(b->value == want_c[i]);
	}
	/* Replacing the tap frees the old one; the new one sees only what comes after. */
	static struct seen y;
	memset(&y, 0, sizeof(y));
	install(st, &y);
	assert_int_equal(x.frees, 1);
	struct store_sample s = {gid, t0 + 10000, 7};
	assert_int_equal(store_append(st, &s, 1), 0);
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(y.n, 1);
	assert_int_equal(x.n, 8);
	store_close(st);
	assert_int_equal(y.frees, 1); /* at close, after the last batch */
	/* Every committed batch left its item; no item without its batch. */
	assert_int_equal(count_rows(f->path), x.commits + y.commits);
}

static void test_tap_retry_after_rollback(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path);
	static struct seen x;
	memset(&x, 0, sizeof(x));
	x.fail_first = 2;
	install(st, &x);
	struct store_series_desc g = {.device = "d", .metric = "power_w"};
	int64_t id = store_series(st, &g);
	struct store_sample s[3] = {{id, 1000, 1}, {id, 2000, 2}, {id, 3000, 3}};
	assert_int_equal(store_append(st, s, 3), 0);
	/* The failed attempts report -EIO to flushers; the batch is retried until it commits. */
	int rc;
	while ((rc = store_flush(st)) != 0)
		assert_int_equal(rc, -EIO);
	store_close(st);
	assert_int_equal(x.rollbacks, 2);
	assert_int_equal(x.commits, 1);
	assert_int_equal(x.n, 3); /* once, not three times */
	for (int i = 0; i < 3; i++)
		assert_true(x.s[i].value == i + 1);
	assert_int_equal(count_rows(f->path), 1);
}

/* A tap that inserts one item per call into a bounded stream. */
struct bounded {
	const char *stream;
	struct outbox_limits lim;
	int i;
};

static int bounded_batch(void *ctx, struct store_tap_batch *b, const struct store_tap_sample *s,
                         size_t n)
{
	struct bounded *x = ctx;
	char key[32], body[16];
	(void)s;
	(void)n;
	snprintf(key, sizeof(key), "b%d", x->i);
	snprintf(body, sizeof(body), "%08d", x->i++); /* 8 bytes */
	struct outbox_item it = {.stream = x->stream, .ikey = key, .payload = body, .len = 8};
	return store_tap_outbox(b, &it, &x->lim);
}

static void test_stream_bounds(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path);
	/* An alert first: the bounded stream must never push it out. */
	const char *as = "c/alert";
	struct store_outbox_req r = {
	        .streams = &as, .nstreams = 1, .ikey = "a1", .payload = "{}", .len = 2};
	assert_int_equal(store_outbox(st, &r), 0);
	assert_int_equal(store_flush(st), 0);
	static struct bounded x = {.stream = "prom/rw",
	                           .lim = {.stream_max_items = 3, .stream_max_bytes = 20}};
	struct store_tap t = {.batch = bounded_batch, .ctx = &x};
	store_set_tap(st, &t);
	struct store_series_desc g = {.device = "d", .metric = "power_w"};
	int64_t id = store_series(st, &g);
	for (int i = 0; i < 6; i++) {
		struct store_sample s = {id, 1000 + i, i};
		assert_int_equal(store_append(st, &s, 1), 0);
		assert_int_equal(store_flush(st), 0);
	}
	store_close(st);
	assert_int_equal(x.i, 6);

	char err[256];
	struct outbox *ob = outbox_open(f->path, err, sizeof(err));
	assert_non_null(ob);
	struct outbox_stream_stats ss;
	assert_int_equal(outbox_stream_stats(ob, "prom/rw", &ss), 0);
	/* 20 bytes hold two 8-byte items: the four oldest went, from this stream only. */
	assert_int_equal(ss.items, 2);
	assert_int_equal(ss.bytes, 16);
	assert_int_equal(ss.dropped, 4);
	assert_int_equal(ss.dropped_bytes, 32);
	struct outbox_row row;
	assert_int_equal(outbox_head(ob, "prom/rw", &row), 1);
	assert_memory_equal(row.payload, "00000004", 8);
	assert_int_equal(outbox_head(ob, "c/alert", &row), 1);
	struct outbox_stats all;
	assert_int_equal(outbox_stats(ob, &all), 0);
	assert_int_equal(all.dropped, 4);
	/* A receiver's 4xx: the item is gone and counted as rejected, the next is the head. */
	assert_int_equal(outbox_head(ob, "prom/rw", &row), 1);
	assert_int_equal(outbox_discard(ob, row.id), 0);
	assert_int_equal(outbox_stream_stats(ob, "prom/rw", &ss), 0);
	assert_int_equal(ss.items, 1);
	assert_int_equal(ss.rejected, 1);
	assert_int_equal(outbox_head(ob, "prom/rw", &row), 1);
	assert_memory_equal(row.payload, "00000005", 8);
	assert_int_equal(outbox_stream_stats(ob, "c/alert", &ss), 0);
	assert_int_equal(ss.items, 1);
	assert_int_equal(ss.dropped + ss.rejected, 0);
	outbox_close(ob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_tap_sees_what_is_stored, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_tap_retry_after_rollback, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_stream_bounds, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
