/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST: a site's message. Headers first (rx_check_headers, then the site's credential from
 * the store): a request that is unsigned, for an unknown or revoked site, stale, without a
 * Content-Length or above the body limit is answered before a byte of its body is read or
 * buffered. An accepted request reserves its Content-Length from the receiver's buffer budget
 * (503 + Retry-After when it is spent) and must arrive within the request deadline. Then the
 * signature is verified over exactly the bytes received, the body is validated against its
 * schema (422), and the message is stored once per (site, webhook-id).
 */
#include "rx.h"

#include "core/sha256.h"
#include "core/util.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct rx_post {
	struct rx_site site; /* the credential; site.id empty for the default one */
	char id[RX_ID_MAX + 1];
	char *buf; /* content_length + 1 bytes, reserved from the budget */
	size_t len, cap;
	bool overflow; /* more bytes than Content-Length announced */
	int64_t deadline_ms;
};

static const char *hdr(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* Reserve n bytes of the buffer budget; false when it would be exceeded. */
static bool budget_take(struct rx_app *a, size_t n)
{
	size_t cur = atomic_load(&a->buffered);
	do {
		if (cur + n > a->o.max_buffered)
			return false;
	} while (!atomic_compare_exchange_weak(&a->buffered, &cur, cur + n));
	return true;
}

struct rx_post *rx_post_begin(struct rx_app *a, struct MHD_Connection *c, unsigned *status,
                              const char **reason)
{
	struct rx_headers h = {
	        .site = hdr(c, "greendc-site"),
	        .id = hdr(c, "webhook-id"),
	        .ts = hdr(c, "webhook-timestamp"),
	        .sig = hdr(c, "webhook-signature"),
	        .content_length = hdr(c, MHD_HTTP_HEADER_CONTENT_LENGTH),
	        .transfer_encoding = hdr(c, MHD_HTTP_HEADER_TRANSFER_ENCODING),
	        .report_sig = hdr(c, "greendc-report-signature"),
	};
	/* Test aids first: they model the endpoint being down or busy, whatever is sent. */
	if (a->o.down_file && access(a->o.down_file, F_OK) == 0) {
		*status = 503, *reason = "down";
		return NULL;
	}
	long left = atomic_load(&a->reply_429);
	while (left > 0 && !atomic_compare_exchange_weak(&a->reply_429, &left, left - 1))
		;
	if (left > 0) {
		*status = 429, *reason = "test-429";
		return NULL;
	}
	struct rx_policy pol = {.max_body = a->o.max_body,
	                        .now_s = util_wall_ms() / 1000,
	                        .tolerance_s = a->o.tolerance_s,
	                        .default_allowed = a->have_default};
	struct rx_verdict v;
	rx_check_headers(&h, &pol, &v);
	if (v.status) {
		*status = v.status, *reason = v.reason;
		return NULL;
	}
	struct rx_post *p = calloc(1, sizeof(*p));
	if (!p) {
		*status = 503, *reason = "no-memory";
		return NULL;
	}
	if (h.site) {
		int rc = rx_store_site_get(a->store, h.site, &p->site);
		if (rc < 0 || p->site.revoked_ms) {
			*status = rc == -ENOENT || rc == 0 ? 401 : 503;
			*reason = rc == -ENOENT ? "unknown-site"
			          : rc == 0     ? "revoked-site"
			                        : "db-error";
			free(p);
			return NULL;
		}
	} else {
		p->site.cred = a->default_cred;
	}
	snprintf(p->id, sizeof(p->id), "%s", h.id);
	if (!budget_take(a, v.content_length + 1)) {
		atomic_fetch_add(&a->refused_memory, 1);
		*status = 503, *reason = "busy";
		free(p);
		return NULL;
	}
	p->cap = v.content_length + 1;
	p->buf = malloc(p->cap);
	if (!p->buf) {
		atomic_fetch_sub(&a->buffered, p->cap);
		*status = 503, *reason = "no-memory";
		free(p);
		return NULL;
	}
	p->deadline_ms = util_mono_ms() + a->o.request_deadline_s * 1000;
	return p;
}

bool rx_post_data(struct rx_app *a, struct rx_post *p, const char *data, size_t n)
{
	if (util_mono_ms() > p->deadline_ms) {
		rx_reqlog(a, "POST", p->id, 408, "deadline", p->site.id);
		return false;
	}
	if (p->len + n >= p->cap) {
		p->overflow = true;
		return true;
	}
	memcpy(p->buf + p->len, data, n);
	p->len += n;
	p->buf[p->len] = '\0';
	return true;
}

void rx_post_free(struct rx_app *a, struct rx_post *p)
{
	if (!p)
		return;
	if (p->buf)
		atomic_fetch_sub(&a->buffered, p->cap);
	free(p->buf);
	free(p);
}

static int answer(struct rx_app *a, struct MHD_Connection *c, struct rx_post *p, unsigned st,
                  const char *reason, const char *site, const char *body)
{
	rx_reqlog(a, "POST", p->id, st, reason, site);
	return rx_reply(c, st, st == 200 ? "application/json" : "text/plain", body, strlen(body),
	                NULL);
}

int rx_post_end(struct rx_app *a, struct MHD_Connection *c, struct rx_post *p)
{
	const char *site = p->site.id[0] ? p->site.id : NULL;
	if (a->o.delay_ms > 0) {
		struct timespec t = {a->o.delay_ms / 1000, (a->o.delay_ms % 1000) * 1000000L};
		nanosleep(&t, NULL);
	}
	if (p->overflow || p->len + 1 != p->cap)
		return answer(a, c, p, 400, "bad-length", site, "body length differs\n");
	if (rx_cred_verify(&p->site.cred, p->id, hdr(c, "webhook-timestamp"), p->buf, p->len,
	                   hdr(c, "webhook-signature")) < 0)
		return answer(a, c, p, 401, "bad-signature", site, "bad signature\n");
	struct rx_doc doc;
	char why[200], msg[240];
	if (rx_check_body(&a->schemas, p->buf, p->len, site, &doc, why, sizeof(why)) < 0) {
		snprintf(msg, sizeof(msg), "refused: %s\n", why);
		return answer(a, c, p, 422, "invalid", site, msg);
	}
	struct rx_msg m = {
	        .webhook_id = p->id,
	        .doc = &doc,
	        .body = p->buf,
	        .len = p->len,
	        .received_ms = util_wall_ms(),
	        .report_sig = hdr(c, "greendc-report-signature"),
	};
	m.sig_status = rx_report_sig_status(&p->site.cred, m.report_sig, p->buf, p->len);
	sha256(p->buf, p->len, m.body_sha);
	int s = rx_store_insert(a->store, &m);
	if (s == -EEXIST)
		return answer(a, c, p, 409, "conflict", doc.site,
		              "this webhook-id was stored with another body\n");
	if (s < 0)
		return answer(a, c, p, 500, "db-error", doc.site, "cannot store\n");
	/* A duplicate is a success: the sender may delete it; it is stored once. */
	return answer(a, c, p, 200, s ? "stored" : "duplicate", doc.site,
	              s ? "{\"stored\":true}\n" : "{\"stored\":false,\"duplicate\":true}\n");
}
