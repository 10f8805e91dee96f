/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Webhook signatures against known answers, and the outbox: items written through the store
 * writer are durable after store_flush, kept in order per stream, deduplicated by key,
 * bounded by count and bytes with the drop counted, and deleted only by outbox_done.
 *
 * Known answers: the Standard Webhooks vector is the one published with the specification's
 * reference libraries (secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw); the DingTalk and
 * Feishu values were computed independently with Python's hmac/hashlib/base64 following each
 * vendor's documented recipe.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/secretfile.h"
#include "delivery/pusher.h"
#include "delivery/whsign.h"
#include "store/outbox.h"
#include "store/store.h"

static void test_std_webhooks_vector(void **state)
{
	(void)state;
	uint8_t key[64];
	int kl = whsign_secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", key, sizeof(key));
	assert_int_equal(kl, 24);
	const char *body = "{\"test\": 2432232314}";
	char sig[WHSIGN_SIG_LEN];
	assert_int_equal(whsign_std_sign(key, (size_t)kl, "msg_p5jXN8AQM9LWM0D4loKWxJek",
	                                 1614265330, body, strlen(body), sig),
	                 0);
	assert_string_equal(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");

	/* Valid now, with a rotated key's signature in front of it. */
	char hdr[128];
	snprintf(hdr, sizeof(hdr), "v1,AAAAbm90IHRoaXMgb25lAAAAAAAAAAAAAAAAAAAAAAAA= %s", sig);
	assert_int_equal(whsign_std_verify(key, (size_t)kl, "msg_p5jXN8AQM9LWM0D4loKWxJek",
	                                   "1614265330", body, strlen(body), hdr, 1614265330 + 299,
	                                   300),
	                 0);
	/* Stale (> 5 min), future, tampered body, other id, malformed timestamp. */
	assert_int_equal(whsign_std_verify(key, (size_t)kl, "msg_p5jXN8AQM9LWM0D4loKWxJek",
	                                   "1614265330", body, strlen(body), sig, 1614265330 + 301,
	                                   300),
	                 -ETIME);
	assert_int_equal(whsign_std_verify(key, (size_t)kl, "msg_p5jXN8AQM9LWM0D4loKWxJek",
	                                   "1614265330", body, strlen(body), sig, 1614265330 - 301,
	                                   300),
	                 -ETIME);
	const char *tampered = "{\"test\": 2432232315}";
	assert_int_equal(whsign_std_verify(key, (size_t)kl, "msg_p5jXN8AQM9LWM0D4loKWxJek",
	                                   "1614265330", tampered, strlen(tampered), sig,
	                                   1614265330, 300),
	                 -EBADMSG);
	assert_int_equal(whsign_std_verify(key, (size_t)kl, "msg_other", "1614265330", body,
	                                   strlen(body), sig, 1614265330, 300),
	                 -EBADMSG);
	assert_int_equal(whsign_std_verify(key, (size_t)kl, "msg_p5jXN8AQM9LWM0D4loKWxJek",
	                                   "16142x65330", body, strlen(body), sig, 1614265330, 300),
	                 -EINVAL);
	/* v2 or unversioned signatures never count. */
	assert_int_equal(whsign_std_verify(key, (size_t)kl, "msg_p5jXN8AQM9LWM0D4loKWxJek",
	                                   "1614265330", body, strlen(body), sig + 3, 1614265330,
	                                   300),
	                 -EBADMSG);
}

static void test_robot_vectors(void **state)
{
	(void)state;
	char out[128];
	assert_int_equal(whsign_dingtalk("SEC0123456789abcdef", 1700000000000LL, out, sizeof(out)),
	                 0);
	assert_string_equal(out, "TSZbRFUuvaSQaRKUpF970OPCb2%2FLcQAP3wOvwZIzBZk%3D");
	assert_int_equal(whsign_feishu("feishu-secret-xyz", 1700000000LL, out, sizeof(out)), 0);
	assert_string_equal(out, "RpXbw7bncheMXKEHLeETmnhcqsBrZOUBOwyPTuLV4ic=");
}

static void test_b64_roundtrip(void **state)
{
	(void)state;
	uint8_t in[40], back[40];
	char enc[80];
	for (size_t n = 0; n < sizeof(in); n++) {
		for (size_t i = 0; i < n; i++)
			in[i] = (uint8_t)(i * 37 + n);
		assert_true(whsign_b64(in, n, enc, sizeof(enc)) >= 0);
		assert_int_equal(whsign_b64_decode(enc, back, sizeof(back)), (int)n);
		assert_memory_equal(in, back, n);
	}
	assert_int_equal(whsign_b64_decode("ab$d", back, sizeof(back)), -EINVAL);
	/* Padding: optional, but only what completes the group. */
	assert_int_equal(whsign_b64_decode("QQ==", back, sizeof(back)), 1);
	assert_int_equal(back[0], 'A');
	assert_int_equal(whsign_b64_decode("QQ", back, sizeof(back)), 1);
	assert_int_equal(whsign_b64_decode("QUI", back, sizeof(back)), 2);
	assert_int_equal(whsign_b64_decode("QUI=", back, sizeof(back)), 2);
	assert_int_equal(whsign_b64_decode("", back, sizeof(back)), 0);
	assert_int_equal(whsign_b64_decode("Q", back, sizeof(back)), -EINVAL);
	assert_int_equal(whsign_b64_decode("QQ=", back, sizeof(back)), -EINVAL);
	assert_int_equal(whsign_b64_decode("QQ===", back, sizeof(back)), -EINVAL);
	assert_int_equal(whsign_b64_decode("Q=Q=", back, sizeof(back)), -EINVAL);
	assert_int_equal(whsign_b64_decode("QUJD", back, 2), -ENOSPC);
}

static void test_secret_file_mode(void **state)
{
	(void)state;
	char path[] = "/tmp/greendc-secret-XXXXXX", buf[128], err[256];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "whsec_abc \n", 11), 11);
	close(fd);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(secretfile_read_line(path, buf, sizeof(buf), err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "0640"));
	assert_int_equal(chmod(path, 0604), 0);
	assert_int_equal(secretfile_read_line(path, buf, sizeof(buf), err, sizeof(err)), -EPERM);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(secretfile_read_line(path, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, "whsec_abc");
	unlink(path);
}

static void test_pusher_policy(void **state)
{
	(void)state;
	/* Retry-After: honoured, capped, never overflowing (a century, LLONG_MAX). */
	assert_int_equal(pusher_retry_after_ms(3, 3600000), 3000);
	assert_int_equal(pusher_retry_after_ms(0, 3600000), 0);
	assert_int_equal(pusher_retry_after_ms(-5, 3600000), 0);
	assert_int_equal(pusher_retry_after_ms(3600, 3600000), 3600000);
	assert_int_equal(pusher_retry_after_ms(3153600000LL, 3600000), 3600000);
	assert_int_equal(pusher_retry_after_ms(LLONG_MAX, 3600000), 3600000);
	/* Backoff: doubles from min, capped at max, jittered into [d/2, d]. */
	assert_int_equal(pusher_backoff_ms(1, 1000, 300000, 1.0), 1000);
	assert_int_equal(pusher_backoff_ms(3, 1000, 300000, 1.0), 4000);
	assert_int_equal(pusher_backoff_ms(3, 1000, 300000, 0.0), 2000);
	assert_int_equal(pusher_backoff_ms(60, 1000, 300000, 1.0), 300000);
}

/* ---- the outbox through the store writer ---- */

struct fixture {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/greendc-outbox-XXXXXX");
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

static struct store *open_store(const char *path, int64_t max_items, int64_t max_bytes)
{
	char err[256];
	struct store_opts o = {.path = path,
	                       .commit_ms = 50,
	                       .queue_cap = 1024,
	                       .outbox_max_items = max_items,
	                       .outbox_max_bytes = max_bytes};
	struct store *st = store_open(&o, err, sizeof(err));
	assert_non_null(st);
	return st;
}

static void put(struct store *st, const char *stream, const char *key, const char *body)
{
	struct store_outbox_req r = {.streams = &stream,
	                             .nstreams = 1,
	                             .ikey = key,
	                             .created_ms = 1000,
	                             .payload = body,
	                             .len = strlen(body)};
	assert_int_equal(store_outbox(st, &r), 0);
}

static void test_order_dedup_done(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path, 0, 0);
	put(st, "c/alert", "k1", "{\"n\":1}");
	put(st, "c/summary", "s1", "{\"s\":1}");
	put(st, "c/alert", "k2", "{\"n\":2}");
	put(st, "c/alert", "k1", "{\"n\":99}"); /* same key: a no-op */
	put(st, "c/alert", "k3", "{\"n\":3}");
	assert_int_equal(store_flush(st), 0);
	/* An oversized item is refused up front, not queued. */
	const char *s1 = "c/alert";
	struct store_outbox_req big = {.streams = &s1,
	                               .nstreams = 1,
	                               .ikey = "big",
	                               .payload = "x",
	                               .len = OUTBOX_MAX_PAYLOAD + 1};
	assert_int_equal(store_outbox(st, &big), -EMSGSIZE);
	store_close(st);

	char err[256];
	struct outbox *ob = outbox_open(f->path, err, sizeof(err));
	assert_non_null(ob);
	char names[4][OUTBOX_STREAM_MAX];
	assert_int_equal(outbox_streams(ob, names, 4), 2);
	assert_string_equal(names[0], "c/alert");
	assert_string_equal(names[1], "c/summary");
	struct outbox_row row;
	const char *want[] = {"{\"n\":1}", "{\"n\":2}", "{\"n\":3}"};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(outbox_head(ob, "c/alert", &row), 1);
		assert_string_equal(row.payload, want[i]);
		if (i == 0) {
			/* A failed attempt keeps the item at the head. */
			assert_int_equal(outbox_defer(ob, row.id, 5000, "HTTP 503"), 0);
			assert_int_equal(outbox_head(ob, "c/alert", &row), 1);
			assert_string_equal(row.payload, want[0]);
			assert_int_equal(row.attempts, 1);
			assert_int_equal(row.next_attempt_ms, 5000);
		}
		assert_int_equal(outbox_done(ob, row.id), 0);
	}
	assert_int_equal(outbox_head(ob, "c/alert", &row), 0);
	struct outbox_stats s;
	assert_int_equal(outbox_stats(ob, &s), 0);
	assert_int_equal(s.items, 1);
	assert_int_equal(s.delivered, 3);
	assert_int_equal(s.dropped, 0);
	outbox_close(ob);
}

static void test_bounds_drop_oldest(void **state)
{
	struct fixture *f = *state;
	/* Count bound: 3 items. */
	struct store *st = open_store(f->path, 3, 0);
	char key[16], body[32];
	for (int i = 0; i < 5; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		snprintf(body, sizeof(body), "{\"i\":%d}", i);
		put(st, "c/alert", key, body);
	}
	assert_int_equal(store_flush(st), 0);
	struct store_stats ss;
	store_stats(st, &ss);
	assert_true(ss.outbox_dropped >= 2);
	store_close(st);

	char err[256];
	struct outbox *ob = outbox_open(f->path, err, sizeof(err));
	assert_non_null(ob);
	struct outbox_stats s;
	assert_int_equal(outbox_stats(ob, &s), 0);
	assert_int_equal(s.items, 3);
	assert_int_equal(s.dropped, 2);
	assert_int_equal(s.dropped_bytes, 14);
	struct outbox_row row;
	assert_int_equal(outbox_head(ob, "c/alert", &row), 1);
	assert_string_equal(row.payload, "{\"i\":2}"); /* the oldest two went */
	outbox_close(ob);

	/* Byte bound: 20 bytes hold two 7-byte items, not three. */
	st = open_store(f->path, 0, 20);
	put(st, "c/x", "a", "{\"a\":1}");
	assert_int_equal(store_flush(st), 0);
	store_close(st);
	ob = outbox_open(f->path, err, sizeof(err));
	assert_int_equal(outbox_stats(ob, &s), 0);
	assert_int_equal(s.items, 2);
	assert_true(s.bytes <= 20);
	assert_int_equal(s.dropped, 4);
	outbox_close(ob);
}

/* One request: an event and rows in two streams, all in one transaction. */
static void test_event_and_fanout(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path, 0, 0);
	const char *streams[] = {"a/alert", "b/alert"};
	struct store_outbox_req r = {.streams = streams,
	                             .nstreams = 2,
	                             .ikey = "site:alert:x:1",
	                             .created_ms = 5,
	                             .payload = "{}",
	                             .len = 2,
	                             .event_kind = "alert_firing",
	                             .event_detail = "{\"id\":\"x\"}",
	                             .event_ts_ms = 7};
	assert_int_equal(store_outbox(st, &r), 0);
	assert_int_equal(store_flush(st), 0);
	store_close(st);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT (SELECT count(*) FROM outbox WHERE ikey = "
	                                    "'site:alert:x:1'), (SELECT count(*) FROM events WHERE "
	                                    "kind = 'alert_firing' AND ts = 7)",
	                                    -1, &q, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 2);
	assert_int_equal(sqlite3_column_int(q, 1), 1);
	sqlite3_finalize(q);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_std_webhooks_vector),
	        cmocka_unit_test(test_robot_vectors),
	        cmocka_unit_test(test_b64_roundtrip),
	        cmocka_unit_test(test_secret_file_mode),
	        cmocka_unit_test(test_pusher_policy),
	        cmocka_unit_test_setup_teardown(test_order_dedup_done, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_bounds_drop_oldest, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_event_and_fanout, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
