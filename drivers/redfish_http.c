/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Redfish over HTTPS with libcurl: sessions, Basic fallback, bounded requests, capped
 * bodies (see drivers/redfish_http.h and docs/drivers/redfish.md).
 */
#include "redfish_http.h"

#include "core/secretfile.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* curl_global_init() is thread-safe and reference-counted in libcurl >= 7.84 (Debian 12 has
 * 7.88); it is called once per process here and never undone, as the pusher does for its
 * own use. */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_OK;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int rf_http_init(struct rf_http *h, const struct rf_opts *o, unsigned timeout_ms, char *err,
                 size_t errlen)
{
	char buf[1024], why[256];

	memset(h, 0, sizeof(*h));
	h->o = o;
	h->timeout_ms = timeout_ms ? timeout_ms : 2000;
	h->basic = o->basic;
	h->body.max = o->max_body;
	snprintf(h->sessions, sizeof(h->sessions), "/redfish/v1/SessionService/Sessions");
	int rc = secretfile_read(o->secrets_file, buf, sizeof(buf), NULL, why, sizeof(why));
	if (rc == 0)
		rc = rf_secrets_parse(buf, h->user, sizeof(h->user), h->pass, sizeof(h->pass), why,
		                      sizeof(why));
	explicit_bzero(buf, sizeof(buf));
	if (rc) {
		snprintf(err, errlen, "secrets_file: %s", why);
		return rc;
	}
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK) {
		snprintf(err, errlen, "curl_global_init failed");
		return -ENOMEM;
	}
	return 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct rf_http *h = ctx;
	size_t len = size * n;

	if (h->body.len + len > h->o->max_body) {
		h->too_big = true;
		return 0; /* CURLE_WRITE_ERROR: stop reading */
	}
	sbuf_add(&h->body, p, len);
	return h->body.oom ? 0 : len;
}

/* Collect X-Auth-Token and Location from a login reply. */
static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
	struct rf_http *h = ctx;
	size_t len = size * n;
	struct {
		const char *name;
		char *dst;
		size_t cap;
	} want[] = {{"X-Auth-Token:", h->token, sizeof(h->token)},
	            {"Location:", h->session, sizeof(h->session)}};

	for (size_t i = 0; i < 2; i++) {
		size_t k = strlen(want[i].name);
		if (len <= k || strncasecmp(p, want[i].name, k) != 0)
			continue;
		const char *v = p + k, *e = p + len;
		while (v < e && (*v == ' ' || *v == '\t'))
			v++;
		while (e > v && isspace((unsigned char)e[-1]))
			e--;
		/* A Location may be absolute (https://host/redfish/...): keep the path. */
		const char *path = memmem(v, (size_t)(e - v), "/redfish/", 9);
		if (i == 1 && path)
			v = path;
		if ((size_t)(e - v) < want[i].cap) {
			memcpy(want[i].dst, v, (size_t)(e - v));
			want[i].dst[e - v] = '\0';
		}
	}
	return len;
}

static int ensure_handle(struct rf_http *h, char *err, size_t errlen)
{
	if (h->curl)
		return 0;
	CURL *c = curl_easy_init();
	if (!c) {
		snprintf(err, errlen, "curl_easy_init failed");
		return -ENOMEM;
	}
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->o->ca_file[0])
		curl_easy_setopt(c, CURLOPT_CAINFO, h->o->ca_file);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "greendc-redfish/1");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->o->max_body);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	h->curl = c;
	return 0;
}

static int set_headers(struct rf_http *h, bool json_body)
{
	struct curl_slist *l = NULL, *n;
	char tok[600];

	curl_slist_free_all(h->hdrs);
	h->hdrs = NULL;
	n = curl_slist_append(l, "Accept: application/json");
	if (n)
		n = curl_slist_append(l = n, "OData-Version: 4.0");
	if (n && json_body)
		n = curl_slist_append(l = n, "Content-Type: application/json");
	if (n && h->token[0]) {
		snprintf(tok, sizeof(tok), "X-Auth-Token: %s", h->token);
		n = curl_slist_append(l = n, tok);
		explicit_bzero(tok, sizeof(tok));
	}
	if (!n) {
		curl_slist_free_all(l);
		return -ENOMEM;
	}
	h->hdrs = n;
	return 0;
}

/* The curl result as a negative errno, with err naming the path. */
static int transport_error(struct rf_http *h, CURLcode cc, const char *what, const char *path,
                           int64_t wait_ms, char *err, size_t errlen)
{
	if (h->too_big || cc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(err, errlen, "%s %s: body larger than %zu bytes", what, path,
		         h->o->max_body);
		return -GDC_EBADRESP;
	}
	snprintf(err, errlen, "%s %s: %s", what, path, curl_easy_strerror(cc));
	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(err, errlen, "%s %s: timed out, no complete reply within %lld ms", what,
		         path, (long long)wait_ms);
		return -ETIMEDOUT;
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_COULDNT_RESOLVE_HOST:
		return -EHOSTUNREACH;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		return -GDC_EAUTH;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

/* One request; body (if any) is a POST's JSON. The response lands in h->body. */
static int perform(struct rf_http *h, const char *method, const char *path, const char *body,
                   bool anonymous, int64_t deadline_ms, char *err, size_t errlen)
{
	char url[RF_URI_MAX + 320];
	int64_t left = deadline_ms - mono_ms();
	int64_t wait = h->timeout_ms < left ? h->timeout_ms : left;
	int rc = ensure_handle(h, err, errlen);

	if (rc)
		return rc;
	if (wait <= 0) {
		snprintf(err, errlen, "%s %s: deadline reached", method, path);
		return -ETIMEDOUT;
	}
	if (rf_url(h->o, path, url, sizeof(url))) {
		snprintf(err, errlen, "%s: path too long", path);
		return -EINVAL;
	}
	CURL *c = h->curl;
	sbuf_free(&h->body);
	h->body.max = h->o->max_body + 1;
	h->too_big = false;
	h->status = 0;
	if (set_headers(h, body != NULL))
		return -ENOMEM;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, (struct curl_slist *)h->hdrs);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)wait);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)wait);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, body ? on_header : NULL);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, body ? h : NULL);
	if (h->basic && !anonymous) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, h->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, h->pass);
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_NONE);
		curl_easy_setopt(c, CURLOPT_USERNAME, NULL);
		curl_easy_setopt(c, CURLOPT_PASSWORD, NULL);
	}
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, strcmp(method, "GET") ? method : NULL);
	}
	h->requests++;
	CURLcode cc = curl_easy_perform(c);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
	h->last_ok = cc == CURLE_OK;
	if (cc != CURLE_OK)
		return transport_error(h, cc, method, path, wait, err, errlen);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &h->status);
	return 0;
}

/* POST a session. 0 with a token; 1 when the service has no sessions (use Basic). */
static int login(struct rf_http *h, int64_t deadline_ms, char *err, size_t errlen)
{
	cJSON *req = cJSON_CreateObject();
	char *body = NULL;

	h->token[0] = h->session[0] = '\0';
	if (req && cJSON_AddStringToObject(req, "UserName", h->user) &&
	    cJSON_AddStringToObject(req, "Password", h->pass))
		body = cJSON_PrintUnformatted(req);
	if (req) {
		/* The request tree holds the password too. */
		cJSON *p = cJSON_GetObjectItemCaseSensitive(req, "Password");
		if (p && p->valuestring)
			explicit_bzero(p->valuestring, strlen(p->valuestring));
		cJSON_Delete(req);
	}
	if (!body) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	int rc = perform(h, "POST", h->sessions, body, true, deadline_ms, err, errlen);
	explicit_bzero(body, strlen(body));
	cJSON_free(body);
	if (h->curl)
		curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, NULL);
	if (rc)
		return rc;
	if ((h->status == 200 || h->status == 201) && h->token[0])
		return 0;
	if (h->status == 404 || h->status == 405 || h->status == 501) {
		h->basic = true; /* no session service: Basic from now on */
		return 1;
	}
	snprintf(err, errlen, "login at %s: HTTP %ld%s", h->sessions, h->status,
	         h->status == 401 || h->status == 403 ? " (credentials refused)" : "");
	h->token[0] = '\0';
	return h->status == 401 || h->status == 403 ? -GDC_EAUTH : -EIO;
}

int rf_http_get(struct rf_http *h, const char *path, bool anonymous, int64_t deadline_ms,
                cJSON **doc, char *err, size_t errlen)
{
	int rc;

	*doc = NULL;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!anonymous && !h->basic && !h->token[0]) {
			rc = login(h, deadline_ms, err, errlen);
			if (rc < 0)
				return rc;
		}
		rc = perform(h, "GET", path, NULL, anonymous, deadline_ms, err, errlen);
		if (rc)
			return rc;
		if ((h->status == 401 || h->status == 403) && !anonymous && !h->basic &&
		    attempt == 0) {
			h->token[0] = '\0'; /* the session expired or was deleted: once more */
			continue;
		}
		break;
	}
	if (h->status == 404) {
		snprintf(err, errlen, "GET %s: HTTP 404", path);
		return -ENOENT;
	}
	if (h->status == 401 || h->status == 403) {
		snprintf(err, errlen, "GET %s: HTTP %ld (credentials refused)", path, h->status);
		return -GDC_EAUTH;
	}
	if (h->status != 200) {
		snprintf(err, errlen, "GET %s: HTTP %ld", path, h->status);
		return -EIO;
	}
	*doc = h->body.s ? cJSON_ParseWithLength(h->body.s, h->body.len) : NULL;
	if (!cJSON_IsObject(*doc)) {
		cJSON_Delete(*doc);
		*doc = NULL;
		snprintf(err, errlen, "GET %s: invalid JSON (%zu bytes)", path, h->body.len);
		return -GDC_EBADRESP;
	}
	return 0;
}

void rf_http_release(struct rf_http *h, unsigned wait_ms)
{
	if (h->curl && h->token[0] && h->session[0] && h->last_ok) {
		/* Free the BMC's session slot (BMCs allow few); best effort, bounded. */
		char err[64];
		char path[RF_URI_MAX];
		snprintf(path, sizeof(path), "%s", h->session);
		perform(h, "DELETE", path, NULL, true, mono_ms() + wait_ms, err, sizeof(err));
	}
	if (h->curl)
		curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->hdrs);
	sbuf_free(&h->body);
	explicit_bzero(h->token, sizeof(h->token));
	explicit_bzero(h->user, sizeof(h->user));
	explicit_bzero(h->pass, sizeof(h->pass));
	h->curl = NULL;
	h->hdrs = NULL;
}
