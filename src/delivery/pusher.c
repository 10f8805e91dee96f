/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pusher (pusher.h): one thread per target, so a destination that hangs until its
 * timeout never delays another (a regulator's second platform, remote-write beside the
 * report endpoint). Each thread loops: list the streams that have items; for each of its own
 * whose head is due, POST it; 2xx deletes it, anything else records the attempt and the next
 * time to try. It sleeps until the earliest due item (at most 500 ms, so new items go out
 * promptly without a wake-up channel from the store writer).
 *
 * Per target type: report endpoints get Standard Webhooks signatures; Alertmanager the alert
 * as its API v2 array; chat robots coalesced text (below); remote_write the snappy protobuf
 * request as is, and a 4xx other than 429 drops that request with its reason logged (the
 * receiver will never take it; the stream goes on); regulator the JSON body, done only when
 * acknowledged (2xx and, when configured, a JSON field), then recorded in the history.
 */
#include "delivery/pusher.h"

#include "delivery/pusher_internal.h"

#include "core/log.h"
#include "core/secretfile.h"
#include "core/util.h"
#include "delivery/outputs.h"
#include "delivery/regulator.h"
#include "delivery/whsign.h"
#include "store/outbox.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_STREAMS 64

double pusher_rnd(struct ptarget *pt)
{
	pt->rng ^= pt->rng >> 12;
	pt->rng ^= pt->rng << 25;
	pt->rng ^= pt->rng >> 27;
	return (double)((pt->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

bool pusher_stopping(struct pusher *p)
{
	pthread_mutex_lock(&p->lock);
	bool stop = p->stop;
	pthread_mutex_unlock(&p->lock);
	return stop;
}

/* libcurl's progress callback: a request still in flight STOP_GRACE_MS after the pusher was
 * told to stop is abandoned, so a destination that hangs until its timeout cannot hold up a
 * stop or a reload, while one that answers normally still gets its answer read (else a
 * delivered item would go out again). An abandoned item stays at the head of its stream and
 * goes out again, with the same key, after the restart. */
#define STOP_GRACE_MS 2000
static int xfer_cb(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                   curl_off_t ulnow)
{
	struct pusher *p = clientp;
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	pthread_mutex_lock(&p->lock);
	bool abandon = p->stop && util_mono_ms() - p->stop_ms > STOP_GRACE_MS;
	pthread_mutex_unlock(&p->lock);
	return abandon ? 1 : 0;
}

static void abortable(const struct ptarget *pt, CURL *c)
{
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, xfer_cb);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, pt->p);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void target_free(struct out_target *t)
{
	free((char *)t->name);
	free((char *)t->url);
	free((char *)t->secret_file);
	free((char *)t->ca_file);
	free((char *)t->client_cert);
	free((char *)t->client_key);
	free((char *)t->url_file);
	free((char *)t->bearer_token_file);
	free((char *)t->basic_user);
	free((char *)t->basic_password_file);
	free((char *)t->instance);
}

/* Our alert item as an Alertmanager API v2 body: a one-element array of {labels,
 * annotations, startsAt, endsAt}. A resolved alert carries endsAt = its resolution time, which
 * is in the past, so Alertmanager resolves it; a firing one has no endsAt (Alertmanager applies
 * its resolve_timeout, and the engine re-sends it every `resend`). NULL if it is no alert. */
static char *am_body(const struct outbox_row *row)
{
	cJSON *in = cJSON_ParseWithLength(row->payload, row->len), *arr = NULL;
	const cJSON *type = cJSON_GetObjectItem(in, "type");
	if (cJSON_IsString(type) && strcmp(type->valuestring, "alert") == 0) {
		arr = cJSON_CreateArray();
		cJSON *a = cJSON_CreateObject();
		const char *keys[] = {"labels", "annotations", "startsAt", "endsAt"};
		for (int i = 0; i < 4; i++) {
			const cJSON *v = cJSON_GetObjectItem(in, keys[i]);
			if (v)
				cJSON_AddItemToObject(a, keys[i], cJSON_Duplicate(v, 1));
		}
		cJSON_AddItemToArray(arr, a);
	}
	char *s = arr ? cJSON_PrintUnformatted(arr) : NULL;
	cJSON_Delete(arr);
	cJSON_Delete(in);
	return s;
}

/* The server's Retry-After, capped at the target's retry_after_max; a capped value is logged
 * with what the server asked for (at most once per capped wait). */
void pusher_retry_after_read(const struct ptarget *pt, CURL *c, int64_t *retry_after_ms)
{
	curl_off_t ra = 0;
	*retry_after_ms = 0;
	if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &ra) != CURLE_OK || ra <= 0)
		return;
	*retry_after_ms = pusher_retry_after_ms((long long)ra, pt->t.retry_after_max_ms);
	if ((long long)ra > *retry_after_ms / 1000)
		log_info("pusher: %s: server asked to retry after %lld s; waiting %lld s "
		         "(retry_after_max)",
		         pt->t.name, (long long)ra, (long long)(*retry_after_ms / 1000));
}

/* The response code, or -1 for a transport failure (why in err). */
static long post(struct ptarget *pt, const struct outbox_row *row, char *err, size_t errlen,
                 int64_t *retry_after_ms)
{
	char sig[WHSIGN_SIG_LEN] = "", h_id[320], h_ts[64], h_sig[80], url[1100], h_rsig[128];
	int64_t now_s = util_wall_ms() / 1000;
	bool am = pt->t.type == OUT_T_ALERTMANAGER;
	const char *body = row->payload;
	size_t blen = row->len;
	char *am_json = NULL;
	*retry_after_ms = 0;
	if (am) {
		am_json = am_body(row);
		if (!am_json) {
			snprintf(err, errlen, "not an alert item");
			return -1;
		}
		body = am_json;
		blen = strlen(am_json);
		size_t l = strlen(pt->t.url);
		snprintf(url, sizeof(url), "%.*s/api/v2/alerts",
		         (int)(l && pt->t.url[l - 1] == '/' ? l - 1 : l), pt->t.url);
	} else {
		snprintf(url, sizeof(url), "%s", pt->t.url);
		if (whsign_std_sign(pt->key, pt->keylen, row->ikey, now_s, row->payload, row->len,
		                    sig) < 0) {
			snprintf(err, errlen, "cannot sign");
			return -1;
		}
	}
	snprintf(h_id, sizeof(h_id), "webhook-id: %s", row->ikey);
	snprintf(h_ts, sizeof(h_ts), "webhook-timestamp: %lld", (long long)now_s);
	snprintf(h_sig, sizeof(h_sig), "webhook-signature: %s", sig);

	CURL *c = curl_easy_init();
	if (!c) {
		snprintf(err, errlen, "curl_easy_init failed");
		free(am_json);
		return -1;
	}
	struct curl_slist *h = NULL;
	h = curl_slist_append(h, "Content-Type: application/json");
	if (!am) {
		h = curl_slist_append(h, h_id);
		h = curl_slist_append(h, h_ts);
		h = curl_slist_append(h, h_sig);
		/* The receiver picks this site's credentials by it (greendc-receiver(8)). */
		if (pt->site_hdr[0])
			h = curl_slist_append(h, pt->site_hdr);
		/* A signed report carries its detached Ed25519 signature over the body
		 * (report_sign.h), which the receiver verifies with the report's own key. */
		if (row->signature && *row->signature) {
			snprintf(h_rsig, sizeof(h_rsig), "greendc-report-signature: ed25519=%s",
			         row->signature);
			h = curl_slist_append(h, h_rsig);
		}
	}
	h = curl_slist_append(h, "Expect:");
	char ebuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "greendc-pusher/1");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	abortable(pt, c);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)pt->t.connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)pt->t.timeout_ms);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	/* Verification is never turned off; these are libcurl's defaults, set so that no
	 * environment or future default can weaken them. */
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (pt->t.ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, pt->t.ca_file);
	if (pt->t.client_cert) {
		curl_easy_setopt(c, CURLOPT_SSLCERT, pt->t.client_cert);
		curl_easy_setopt(c, CURLOPT_SSLKEY, pt->t.client_key);
	}
	/* The body of the answer is not needed; discard it (bounded by the timeout). */
	FILE *devnull = fopen("/dev/null", "w");
	if (devnull)
		curl_easy_setopt(c, CURLOPT_WRITEDATA, devnull);
	CURLcode rc = curl_easy_perform(c);
	long code = -1;
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		pusher_retry_after_read(pt, c, retry_after_ms);
	} else {
		/* curl's messages name the host, never the path or query. */
		snprintf(err, errlen, "%s", ebuf[0] ? ebuf : curl_easy_strerror(rc));
	}
	if (devnull)
		fclose(devnull);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	free(am_json);
	return code;
}

/* ---- chat robots: alerts coalesced into one text message, rate-limited ---- */

/* POST body to url with the target's TLS settings; HTTP code or -1 (err). The robots answer
 * 200 with an error code in the body, which counts as a failure here. */
static long chat_post(struct ptarget *pt, const char *url, const char *body, char *err,
                      size_t errlen, int64_t *retry_after_ms)
{
	CURL *c = curl_easy_init();
	if (!c) {
		snprintf(err, errlen, "curl_easy_init failed");
		return -1;
	}
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	char ebuf[CURL_ERROR_SIZE] = "";
	struct pusher_answer r = {.len = 0};
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "greendc-pusher/1");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	abortable(pt, c);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)pt->t.connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)pt->t.timeout_ms);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (pt->t.ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, pt->t.ca_file);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, pusher_answer_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	CURLcode rc = curl_easy_perform(c);
	long code = -1;
	*retry_after_ms = 0;
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		pusher_retry_after_read(pt, c, retry_after_ms);
		cJSON *j = code >= 200 && code < 300 ? cJSON_Parse(r.buf) : NULL;
		const cJSON *ec = cJSON_GetObjectItem(j, "errcode");
		if (!cJSON_IsNumber(ec))
			ec = cJSON_GetObjectItem(j, "code"); /* Feishu */
		if (cJSON_IsNumber(ec) && ec->valueint != 0) {
			const cJSON *m = cJSON_GetObjectItem(j, "errmsg");
			if (!cJSON_IsString(m))
				m = cJSON_GetObjectItem(j, "msg");
			snprintf(err, errlen, "robot error %d: %.100s", ec->valueint,
			         cJSON_IsString(m) ? m->valuestring : "");
			code = -1;
		}
		cJSON_Delete(j);
	} else {
		/* curl names the host at most; the token in the path or query never. */
		snprintf(err, errlen, "%s", ebuf[0] ? ebuf : curl_easy_strerror(rc));
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return code;
}

#define CHAT_MAX_ITEMS 50

struct chat_batch {
	struct ptarget *pt;
	char *text;
	size_t len, cap;
	int64_t ids[CHAT_MAX_ITEMS];
	int n;
	cJSON *alerts; /* generic webhook: the items themselves */
};

static int chat_add(void *ctx, const struct outbox_row *row)
{
	struct chat_batch *b = ctx;
	cJSON *j = cJSON_ParseWithLength(row->payload, row->len);
	const cJSON *lb = cJSON_GetObjectItem(j, "labels"),
	            *an = cJSON_GetObjectItem(j, "annotations");
	const cJSON *st = cJSON_GetObjectItem(j, "status"),
	            *nm = cJSON_GetObjectItem(lb, "alertname");
	const cJSON *sv = cJSON_GetObjectItem(lb, "severity"),
	            *sm = cJSON_GetObjectItem(an, "summary");
	const cJSON *site = cJSON_GetObjectItem(lb, "site");
	char line[700];
	int n = snprintf(line, sizeof(line), "[%s] %s (%s) %s: %s\n",
	                 cJSON_IsString(st) && strcmp(st->valuestring, "resolved") == 0 ? "RESOLVED"
	                                                                                : "FIRING",
	                 cJSON_IsString(nm) ? nm->valuestring : "?",
	                 cJSON_IsString(sv) ? sv->valuestring : "",
	                 cJSON_IsString(site) ? site->valuestring : "",
	                 cJSON_IsString(sm) ? sm->valuestring : "");
	size_t k = n < 0 ? 0 : (size_t)n >= sizeof(line) ? sizeof(line) - 1 : (size_t)n;
	if (b->n > 0 && b->len + k > b->pt->t.max_text) {
		cJSON_Delete(j);
		return 1; /* full: the rest goes in the next message */
	}
	if (b->len + k + 1 > b->cap) {
		size_t nc = (b->len + k + 1) * 2;
		char *nb = realloc(b->text, nc);
		if (!nb) {
			cJSON_Delete(j);
			return 1;
		}
		b->text = nb;
		b->cap = nc;
	}
	memcpy(b->text + b->len, line, k);
	b->len += k;
	b->text[b->len] = '\0';
	b->ids[b->n++] = row->id;
	if (b->alerts && j)
		cJSON_AddItemToArray(b->alerts, j);
	else
		cJSON_Delete(j);
	return b->n >= CHAT_MAX_ITEMS;
}

static char *chat_body(struct ptarget *pt, const char *text, cJSON *alerts, int64_t now_ms,
                       char *url, size_t urllen)
{
	cJSON *j = cJSON_CreateObject();
	snprintf(url, urllen, "%s", pt->chat_url);
	switch (pt->t.chat) {
	case CHAT_DINGTALK: {
		char sign[128];
		whsign_dingtalk(pt->chat_secret, now_ms, sign, sizeof(sign));
		size_t l = strlen(url);
		snprintf(url + l, urllen - l, "%ctimestamp=%lld&sign=%s",
		         strchr(pt->chat_url, '?') ? '&' : '?', (long long)now_ms, sign);
		/* the same text message as WeCom */
		__attribute__((fallthrough));
	}
	case CHAT_WECOM:
		cJSON_AddStringToObject(j, "msgtype", "text");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(j, "text"), "content", text);
		break;
	case CHAT_FEISHU: {
		char sign[64], ts[24];
		snprintf(ts, sizeof(ts), "%lld", (long long)(now_ms / 1000));
		whsign_feishu(pt->chat_secret, now_ms / 1000, sign, sizeof(sign));
		cJSON_AddStringToObject(j, "timestamp", ts);
		cJSON_AddStringToObject(j, "sign", sign);
		cJSON_AddStringToObject(j, "msg_type", "text");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(j, "content"), "text", text);
		break;
	}
	case CHAT_SLACK:
		cJSON_AddStringToObject(j, "text", text);
		break;
	case CHAT_WEBHOOK:
		cJSON_AddStringToObject(j, "text", text);
		cJSON_AddItemReferenceToObject(j, "alerts", alerts);
		break;
	}
	char *s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return s;
}

static int64_t serve_chat(struct outbox *ob, struct ptarget *pt, const struct outbox_row *head,
                          const char *stream)
{
	int64_t now = util_wall_ms();
	/* Coalescing: wait until the oldest item has waited coalesce, so a burst is one message. */
	if (head->attempts == 0 && head->created_ms + pt->t.coalesce_ms > now)
		return head->created_ms + pt->t.coalesce_ms - now;
	/* Client-side rate limit: a sliding window of send times. */
	size_t keep = 0;
	for (size_t i = 0; i < pt->nsent; i++)
		if (pt->sent[i] > now - pt->t.rate_per_ms)
			pt->sent[keep++] = pt->sent[i];
	pt->nsent = keep;
	if ((long)pt->nsent >= pt->t.rate_messages)
		return pt->sent[0] + pt->t.rate_per_ms - now + 1;

	struct chat_batch b = {.pt = pt};
	if (pt->t.chat == CHAT_WEBHOOK)
		b.alerts = cJSON_CreateArray();
	outbox_peek(ob, stream, CHAT_MAX_ITEMS, chat_add, &b);
	char url[2048], err[CURL_ERROR_SIZE + 64] = "";
	int64_t retry_after = 0, d = 0;
	char *body = b.n ? chat_body(pt, b.text, b.alerts, now, url, sizeof(url)) : NULL;
	long code = body ? chat_post(pt, url, body, err, sizeof(err), &retry_after) : -1;
	memset(url, 0, sizeof(url));
	if (body && pt->nsent < sizeof(pt->sent) / sizeof(pt->sent[0]))
		pt->sent[pt->nsent++] = now;
	if (code >= 200 && code < 300) {
		for (int i = 0; i < b.n; i++)
			outbox_done(ob, b.ids[i]);
		if (pt->complaint.active)
			log_complaint_release(&pt->complaint, "pusher: %s: delivering again",
			                      pt->t.name);
		log_debug("pusher: %s: %d alert(s) in one message", pt->t.name, b.n);
	} else if (b.n) {
		if (code > 0)
			snprintf(err, sizeof(err), "HTTP %ld", code);
		d = pusher_backoff_ms(head->attempts + 1, pt->t.backoff_min_ms,
		                      pt->t.backoff_max_ms, pusher_rnd(pt));
		if ((code == 429 || code == 503) && retry_after > d)
			d = retry_after;
		/* The URL is never logged: it carries the robot's token. */
		log_complain(&pt->complaint, LOG_LVL_WARN,
		             "pusher: %s (%s robot): %s; %d alert(s) kept, retrying", pt->t.name,
		             pt->redacted, err, b.n);
		outbox_defer(ob, head->id, now + d, err);
	}
	free(body);
	free(b.text);
	cJSON_Delete(b.alerts);
	return d;
}

void pusher_curl_tls(const struct ptarget *pt, CURL *c)
{
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	abortable(pt, c);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)pt->t.connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)pt->t.timeout_ms);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	/* Verification is never turned off; these are libcurl's defaults, set so that no
	 * environment or future default can weaken them. */
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (pt->t.ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, pt->t.ca_file);
	if (pt->t.client_cert) {
		curl_easy_setopt(c, CURLOPT_SSLCERT, pt->t.client_cert);
		curl_easy_setopt(c, CURLOPT_SSLKEY, pt->t.client_key);
	}
}

/* Try the head of one of pt's streams. Returns the ms until it is next due (0: try again
 * now). */
static int64_t serve_stream(struct outbox *ob, struct ptarget *pt, const char *stream)
{
	struct outbox_row row;
	int rc = outbox_head(ob, stream, &row);
	if (rc <= 0)
		return PUSHER_IDLE_MS;
	int64_t now = util_wall_ms();
	if (row.next_attempt_ms > now)
		return row.next_attempt_ms - now;
	switch (pt->t.type) {
	case OUT_T_CHAT:
		return serve_chat(ob, pt, &row, stream);
	case OUT_T_REMOTE_WRITE:
		return pusher_serve_rw(pt, ob, &row);
	case OUT_T_REGULATOR:
		return pusher_serve_regulator(pt, ob, &row);
	case OUT_T_REPORT:
	case OUT_T_ALERTMANAGER:
		break;
	}

	char err[CURL_ERROR_SIZE + 64] = "";
	int64_t retry_after = 0;
	long code = post(pt, &row, err, sizeof(err), &retry_after);
	if (code >= 200 && code < 300) {
		if (outbox_done(ob, row.id) < 0) {
			/* Delivered but not deleted: it will be sent again with the same
			 * webhook-id, which the receiver deduplicates. */
			log_warn("pusher: %s: delivered %s but cannot delete it, will resend",
			         pt->t.name, row.ikey);
			return 1000;
		}
		if (pt->complaint.active)
			log_complaint_release(&pt->complaint, "pusher: %s: delivering again (%s)",
			                      pt->t.name, pt->redacted);
		log_debug("pusher: %s: delivered %s (HTTP %ld)", pt->t.name, row.ikey, code);
		return 0;
	}
	if (code < 0 && pusher_stopping(pt->p))
		return 0; /* abandoned at stop (xfer_cb): not a failure of the target */
	if (code > 0)
		snprintf(err, sizeof(err), "HTTP %ld", code);
	int64_t d = pusher_backoff_ms(row.attempts + 1, pt->t.backoff_min_ms, pt->t.backoff_max_ms,
	                              pusher_rnd(pt));
	/* Retry-After is the server's word: wait at least that long, even past our cap. */
	if ((code == 429 || code == 503) && retry_after > d)
		d = retry_after;
	log_complain(&pt->complaint, LOG_LVL_WARN,
	             "pusher: %s (%s): %s; %s kept in the outbox, retrying with backoff",
	             pt->t.name, pt->redacted, err, stream);
	outbox_defer(ob, row.id, now + d, err);
	return d;
}

/* Whether stream "<target>/<kind>" belongs to pt. */
static bool owns(const struct ptarget *pt, const char *stream)
{
	size_t l = strlen(pt->t.name);
	return strncmp(stream, pt->t.name, l) == 0 && stream[l] == '/';
}

/* Streams of no configured target: their items wait; one thread says so. */
static void check_orphans(struct pusher *p, char names[][OUTBOX_STREAM_MAX], int n)
{
	for (int i = 0; i < n; i++) {
		bool known = false;
		for (size_t k = 0; k < p->ntg && !known; k++)
			known = owns(&p->tg[k], names[i]);
		if (!known)
			log_complain(
			        &p->unknown, LOG_LVL_WARN,
			        "pusher: stream \"%s\" has no configured target; its items wait",
			        names[i]);
	}
}

/* The delivery loop of one target. */
static void *worker_main(void *arg)
{
	struct ptarget *pt = arg;
	struct pusher *p = pt->p;
	struct outbox *ob = NULL;
	char err[256];
	struct log_complaint dbc = {0};

	while (!pusher_stopping(p)) {
		int64_t sleep = PUSHER_IDLE_MS;
		if (!ob) {
			ob = outbox_open(p->dbpath, err, sizeof(err));
			if (!ob)
				log_complain(&dbc, LOG_LVL_ERR, "pusher: %s: %s", p->dbpath, err);
		}
		if (ob) {
			char names[MAX_STREAMS][OUTBOX_STREAM_MAX];
			int n = outbox_streams(ob, names, MAX_STREAMS);
			if (n < 0) {
				outbox_close(ob); /* reopen: the file may have been restored */
				ob = NULL;
			}
			if (pt == p->orphans && n > 0)
				check_orphans(p, names, n);
			for (int i = 0; i < n && !pusher_stopping(p); i++) {
				if (!owns(pt, names[i]))
					continue;
				/* Go on with this stream while its head goes out at once (a backlog
				 * after an outage), up to a bound, then look at the others. */
				int64_t d = 0;
				for (int k = 0; k < 64 && d == 0 && !pusher_stopping(p); k++)
					d = serve_stream(ob, pt, names[i]);
				if (d < sleep)
					sleep = d;
				if (pt->t.type == OUT_T_REMOTE_WRITE)
					pusher_rw_drops(pt, ob, names[i]);
			}
		}
		if (sleep < 0)
			sleep = 0;
		if (sleep > PUSHER_IDLE_MS)
			sleep = PUSHER_IDLE_MS;
		pthread_mutex_lock(&p->lock);
		if (sleep > 0 && !p->stop) {
			struct timespec t;
			clock_gettime(CLOCK_REALTIME, &t);
			t.tv_sec += sleep / 1000;
			t.tv_nsec += (sleep % 1000) * 1000000L;
			if (t.tv_nsec >= 1000000000L) {
				t.tv_sec++;
				t.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&p->wake, &p->lock, &t);
		}
		pthread_mutex_unlock(&p->lock);
	}
	outbox_close(ob);
	return NULL;
}

/* Read what a target needs (secrets, URLs): pt->usable when it can deliver. */
static void target_setup(struct ptarget *pt, const struct out_target *s)
{
	static const char *const kinds[] = {"dingtalk", "wecom", "feishu", "slack", "webhook"};
	char why[512];
	if (s->url)
		pusher_redact_url(s->url, pt->redacted, sizeof(pt->redacted));
	switch (s->type) {
	case OUT_T_CHAT: {
		char url[1024];
		snprintf(pt->redacted, sizeof(pt->redacted), "%s", kinds[s->chat]);
		if (secretfile_read_line(s->url_file, url, sizeof(url), why, sizeof(why)) < 0 ||
		    (s->secret_file &&
		     secretfile_read_line(s->secret_file, pt->chat_secret, sizeof(pt->chat_secret),
		                          why, sizeof(why)) < 0)) {
			log_err("pusher: %s: %s; its alerts wait in the outbox", s->name, why);
			return;
		}
		pt->chat_url = strdup(url);
		memset(url, 0, sizeof(url));
		pt->usable = pt->chat_url != NULL;
		log_info("pusher: %s -> %s robot (URL from %s, not shown)", s->name, kinds[s->chat],
		         s->url_file);
		return;
	}
	case OUT_T_ALERTMANAGER:
		pt->usable = true;
		log_info("pusher: %s -> %s (alertmanager)", s->name, pt->redacted);
		return;
	case OUT_T_REMOTE_WRITE:
	case OUT_T_REGULATOR:
		if (pusher_data_setup(pt, why, sizeof(why)) < 0) {
			log_err("pusher: %s: %s; its items wait in the outbox", s->name, why);
			return;
		}
		pt->usable = true;
		log_info("pusher: %s -> %s (%s)%s%s%s", s->name, pt->redacted,
		         s->type == OUT_T_REMOTE_WRITE ? "remote_write" : "regulator",
		         pt->auth[0]       ? " (bearer token)"
		         : pt->basic_pw[0] ? " (basic auth)"
		                           : "",
		         s->ca_file ? " (private CA)" : "", s->client_cert ? " (client cert)" : "");
		return;
	case OUT_T_REPORT:
		break;
	}
	char secret[512];
	if (secretfile_read_line(s->secret_file, secret, sizeof(secret), why, sizeof(why)) < 0) {
		log_err("pusher: %s: secret_file %s; its items wait in the outbox", s->name, why);
		return;
	}
	int kl = whsign_secret_key(secret, pt->key, sizeof(pt->key));
	memset(secret, 0, sizeof(secret));
	if (kl <= 0) {
		log_err("pusher: %s: secret_file %s: not a usable key (whsec_<base64>)", s->name,
		        s->secret_file);
		return;
	}
	pt->keylen = (size_t)kl;
	pt->usable = true;
	log_info("pusher: %s -> %s%s%s", s->name, pt->redacted, s->ca_file ? " (private CA)" : "",
	         s->client_cert ? " (client cert)" : "");
}

struct pusher *pusher_start(const struct outputs *o, const char *site_id, const char *dbpath,
                            char *err, size_t errlen)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errlen, "curl_global_init failed");
		return NULL;
	}
	struct pusher *p = calloc(1, sizeof(*p));
	if (!p || !(p->dbpath = strdup(dbpath))) {
		free(p);
		curl_global_cleanup();
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	for (size_t i = 0; o && i < o->nreport; i++) {
		struct ptarget *pt = &p->tg[p->ntg++];
		const struct out_target *s = &o->report[i];
		pt->p = p;
		pt->rng = ((uint64_t)util_wall_ms() + i) * 0x9E3779B97F4A7C15ULL | 1;
		pt->t = *s;
		pt->t.name = dup_or_null(s->name);
		pt->t.url = dup_or_null(s->url);
		pt->t.secret_file = dup_or_null(s->secret_file);
		pt->t.ca_file = dup_or_null(s->ca_file);
		pt->t.client_cert = dup_or_null(s->client_cert);
		pt->t.client_key = dup_or_null(s->client_key);
		pt->t.url_file = dup_or_null(s->url_file);
		pt->t.bearer_token_file = dup_or_null(s->bearer_token_file);
		pt->t.basic_user = dup_or_null(s->basic_user);
		pt->t.basic_password_file = dup_or_null(s->basic_password_file);
		pt->t.instance = dup_or_null(s->instance);
		if (s->site_header && site_id)
			snprintf(pt->site_hdr, sizeof(pt->site_hdr), "greendc-site: %s", site_id);
		pt->t.reg = NULL; /* borrowed config: pusher_data_setup copies what it needs */
		if (s->type == OUT_T_REGULATOR && s->reg && s->reg->ack_field) {
			pt->ack_field = strdup(s->reg->ack_field);
			pt->ack_equals = dup_or_null(s->reg->ack_equals);
		}
		target_setup(pt, s);
	}
	/* One thread per target that can deliver. */
	for (size_t i = 0; i < p->ntg; i++) {
		struct ptarget *pt = &p->tg[i];
		if (!pt->usable)
			continue;
		if (pthread_create(&pt->thread, NULL, worker_main, pt) != 0) {
			snprintf(err, errlen, "cannot start a pusher thread");
			pusher_stop(p);
			return NULL;
		}
		pt->started = true;
		if (!p->orphans)
			p->orphans = pt;
	}
	return p;
}

void pusher_stop(struct pusher *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	p->stop_ms = util_mono_ms();
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	for (size_t i = 0; i < p->ntg; i++)
		if (p->tg[i].started)
			pthread_join(p->tg[i].thread, NULL);
	for (size_t i = 0; i < p->ntg; i++) {
		target_free(&p->tg[i].t);
		memset(p->tg[i].key, 0, sizeof(p->tg[i].key));
		memset(p->tg[i].chat_secret, 0, sizeof(p->tg[i].chat_secret));
		free(p->tg[i].chat_url);
		pusher_data_clear(&p->tg[i]);
	}
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->wake);
	free(p->dbpath);
	free(p);
	curl_global_cleanup();
}
