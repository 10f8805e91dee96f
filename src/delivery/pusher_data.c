/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pusher's data deliveries (pusher_internal.h): Prometheus remote-write requests and
 * regulator uploads. Both authenticate the same way (a bearer token or basic auth, each
 * secret read from its own file with the one secret-file reader) and keep TLS verification
 * on; they differ in what a refusal means:
 *
 *   remote_write (DOMAIN.md section 10): 2xx done; 5xx, 429 and transport errors retried with
 *     backoff (Retry-After honoured); any other status drops that request with its reason
 *     logged: the receiver will never take it, and the stream behind it must not block.
 *   regulator (DOMAIN.md section 9): retransmitted until acknowledged: 2xx and, when
 *     configured, a JSON field of the answer equal to a value; the acknowledgement is
 *     recorded in the history row in the same transaction as the outbox delete.
 */
#include "core/secretfile.h"
#include "core/util.h"
#include "delivery/pusher.h"
#include "delivery/pusher_internal.h"
#include "delivery/regulator.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pusher_data_setup(struct ptarget *pt, char *why, size_t whylen)
{
	char secret[4096], err[512];
	const struct out_target *t = &pt->t;
	if (t->bearer_token_file) {
		if (secretfile_read_line(t->bearer_token_file, secret, sizeof(secret), err,
		                         sizeof(err)) < 0) {
			snprintf(why, whylen, "bearer_token_file %s", err);
			return -EACCES;
		}
		snprintf(pt->auth, sizeof(pt->auth), "Authorization: Bearer %s", secret);
	} else if (t->basic_password_file) {
		if (secretfile_read_line(t->basic_password_file, pt->basic_pw, sizeof(pt->basic_pw),
		                         err, sizeof(err)) < 0) {
			snprintf(why, whylen, "basic_auth.password_file %s", err);
			return -EACCES;
		}
	}
	memset(secret, 0, sizeof(secret));
	return 0;
}

void pusher_data_clear(struct ptarget *pt)
{
	memset(pt->auth, 0, sizeof(pt->auth));
	memset(pt->basic_pw, 0, sizeof(pt->basic_pw));
	free(pt->ack_field);
	free(pt->ack_equals);
	pt->ack_field = pt->ack_equals = NULL;
}

size_t pusher_answer_write(char *ptr, size_t size, size_t n, void *ud)
{
	struct pusher_answer *a = ud;
	size_t k = size * n, room = sizeof(a->buf) - 1 - a->len;
	memcpy(a->buf + a->len, ptr, k < room ? k : room);
	a->len += k < room ? k : room;
	a->buf[a->len] = '\0';
	return k;
}

/* POST row's payload with the headers of pt's type; the answer's first 4 KiB in *a. The
 * status, or -1 for a transport failure (why in err). */
static long post_data(struct ptarget *pt, const struct outbox_row *row, struct pusher_answer *a,
                      char *err, size_t errlen, int64_t *retry_after_ms)
{
	*retry_after_ms = 0;
	a->len = 0;
	a->buf[0] = '\0';
	CURL *c = curl_easy_init();
	if (!c) {
		snprintf(err, errlen, "curl_easy_init failed");
		return -1;
	}
	struct curl_slist *h = NULL;
	char idem[320];
	if (pt->t.type == OUT_T_REMOTE_WRITE) {
		/* Remote-write 1.0 (DOMAIN.md section 10). */
		h = curl_slist_append(h, "Content-Encoding: snappy");
		h = curl_slist_append(h, "Content-Type: application/x-protobuf");
		h = curl_slist_append(h, "X-Prometheus-Remote-Write-Version: 0.1.0");
	} else {
		h = curl_slist_append(h, "Content-Type: application/json");
		/* The upload's own id, for platforms that deduplicate on a header. */
		snprintf(idem, sizeof(idem), "Idempotency-Key: %s", row->ikey);
		h = curl_slist_append(h, idem);
	}
	if (pt->auth[0])
		h = curl_slist_append(h, pt->auth);
	h = curl_slist_append(h, "Expect:");
	char ebuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, pt->t.url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, row->payload);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)row->len);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "greendc-pusher/1");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, pusher_answer_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	if (pt->basic_pw[0] && pt->t.basic_user) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, pt->t.basic_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, pt->basic_pw);
	}
	pusher_curl_tls(pt, c);
	CURLcode rc = curl_easy_perform(c);
	long code = -1;
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		pusher_retry_after_read(pt, c, retry_after_ms);
	} else {
		/* curl's messages name the host, never the path, query or credentials. */
		snprintf(err, errlen, "%s", ebuf[0] ? ebuf : curl_easy_strerror(rc));
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return code;
}

/* One line of a receiver's answer for a log: control characters become spaces. */
static void answer_line(const struct pusher_answer *a, char *out, size_t len)
{
	size_t k = 0;
	for (size_t i = 0; i < a->len && k + 1 < len && k < 200; i++)
		out[k++] = (unsigned char)a->buf[i] < 0x20 ? ' ' : a->buf[i];
	while (k > 0 && out[k - 1] == ' ')
		k--;
	out[k] = '\0';
}

/* Not delivered: back off (at least Retry-After on 429/503) and keep it at the head. */
static int64_t retry_later(struct ptarget *pt, struct outbox *ob, const struct outbox_row *row,
                           long code, int64_t retry_after, const char *err)
{
	if (code < 0 && pusher_stopping(pt->p))
		return 0; /* abandoned at stop: it stays at the head, untouched */
	int64_t d = pusher_backoff_ms(row->attempts + 1, pt->t.backoff_min_ms, pt->t.backoff_max_ms,
	                              pusher_rnd(pt));
	if ((code == 429 || code == 503) && retry_after > d)
		d = retry_after;
	log_complain(&pt->complaint, LOG_LVL_WARN,
	             "pusher: %s (%s): %s; %s kept in the outbox, retrying with backoff",
	             pt->t.name, pt->redacted, err, row->stream);
	outbox_defer(ob, row->id, util_wall_ms() + d, err);
	return d;
}

static void delivered(struct ptarget *pt, const struct outbox_row *row, long code)
{
	if (pt->complaint.active)
		log_complaint_release(&pt->complaint, "pusher: %s: delivering again (%s)",
		                      pt->t.name, pt->redacted);
	log_debug("pusher: %s: delivered %s (HTTP %ld)", pt->t.name, row->ikey, code);
}

int64_t pusher_serve_rw(struct ptarget *pt, struct outbox *ob, const struct outbox_row *row)
{
	char err[CURL_ERROR_SIZE + 64] = "", line[256];
	struct pusher_answer a;
	int64_t retry_after;
	long code = post_data(pt, row, &a, err, sizeof(err), &retry_after);
	if (code >= 200 && code < 300) {
		/* A failed delete sends it again: Prometheus takes a sample it already has
		 * (same time, same value) without complaint. */
		if (outbox_done(ob, row->id) < 0)
			return 1000;
		delivered(pt, row, code);
		return 0;
	}
	answer_line(&a, line, sizeof(line));
	if (code == 429 || code >= 500 || code < 0) {
		if (code > 0)
			snprintf(err, sizeof(err), "HTTP %ld%s%s", code, line[0] ? ": " : "", line);
		return retry_later(pt, ob, row, code, retry_after, err);
	}
	/* The receiver refuses this request for good (400 out of order, bad labels, 413 too
	 * large, 401/403 credentials): drop it, say why, and go on with the next. The key
	 * says which samples: rw:<start>.<seq>:<samples>:<first ms>-<last ms>. */
	log_warn("pusher: %s (%s): dropped remote-write request %s: HTTP %ld%s%s", pt->t.name,
	         pt->redacted, row->ikey, code, line[0] ? ": " : "", line);
	if (outbox_discard(ob, row->id) < 0)
		return 1000;
	return 0;
}

int64_t pusher_serve_regulator(struct ptarget *pt, struct outbox *ob, const struct outbox_row *row)
{
	char err[CURL_ERROR_SIZE + 300] = "", why[256] = "", line[256];
	struct pusher_answer a;
	int64_t retry_after;
	long code = post_data(pt, row, &a, err, sizeof(err), &retry_after);
	if (code >= 200 && code < 300 &&
	    reg_ack_ok(pt->ack_field, pt->ack_equals, a.buf, a.len, why, sizeof(why))) {
		if (outbox_done_ack(ob, row->id, row->ikey, util_wall_ms(), a.buf) < 0)
			return 1000; /* sent again with the same Idempotency-Key */
		delivered(pt, row, code);
		log_debug("pusher: %s: acknowledged %s", pt->t.name, row->ikey);
		return 0;
	}
	answer_line(&a, line, sizeof(line));
	if (code >= 200 && code < 300)
		snprintf(err, sizeof(err), "HTTP %ld but not acknowledged: %s", code, why);
	else if (code > 0)
		snprintf(err, sizeof(err), "HTTP %ld%s%s", code, line[0] ? ": " : "", line);
	return retry_later(pt, ob, row, code, retry_after, err);
}

void pusher_rw_drops(struct ptarget *pt, struct outbox *ob, const char *stream)
{
	int64_t now = util_mono_ms();
	if (now < pt->next_stats_ms)
		return;
	pt->next_stats_ms = now + 10000;
	struct outbox_stream_stats s;
	if (outbox_stream_stats(ob, stream, &s) < 0 || s.dropped <= pt->drops_logged)
		return;
	log_warn("pusher: %s: the outbox bound of %s (max_items/max_bytes) dropped %lld more "
	         "request(s), %lld in all (%lld bytes): the receiver has been unreachable too long",
	         pt->t.name, stream, (long long)(s.dropped - pt->drops_logged),
	         (long long)s.dropped, (long long)s.dropped_bytes);
	pt->drops_logged = s.dropped;
}
