/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What greendc-receiver decides about a POST before and after reading its body, as pure
 * functions (no I/O, no clock, no logging) so the libFuzzer harness test/fuzz/fuzz_receiver.c
 * drives exactly the code the server runs:
 *   rx_check_headers  headers first: the site is named well, the Standard Webhooks headers
 *                     are present and well-formed, the timestamp is within tolerance, and
 *                     Content-Length is given and within the body limit. Nothing is read
 *                     (or buffered) for a request that fails here.
 *   rx_check_body     after the signature is verified: the body is one JSON object of valid
 *                     UTF-8 without NUL, of a known type, for the site that signed it, and
 *                     conforms to its published schema (docs/report.schema.json,
 *                     docs/summary.schema.json, docs/alert.schema.json); the figures the
 *                     regulator's view lists are extracted.
 */
#ifndef GREENDC_RX_CHECK_H
#define GREENDC_RX_CHECK_H

#include "schema.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RX_SITE_MAX  64  /* site id: 1..64 of [A-Za-z0-9._-] */
#define RX_ID_MAX    200 /* webhook-id: 1..200 printable ASCII, no space */
#define RX_NAME_MAX  200 /* site name (bytes) as stored */
#define RX_LABEL_MAX 80  /* pue_label */

/* The request headers that matter (NULL when absent), as the HTTP library hands them over. */
struct rx_headers {
	const char *site;              /* greendc-site */
	const char *id, *ts, *sig;     /* webhook-id, webhook-timestamp, webhook-signature */
	const char *content_length;    /* Content-Length */
	const char *transfer_encoding; /* Transfer-Encoding (chunked is refused: no length) */
	const char *report_sig;        /* greendc-report-signature (optional) */
};

struct rx_policy {
	size_t max_body;      /* bytes */
	int64_t now_s;        /* the receiver's clock */
	int64_t tolerance_s;  /* webhook-timestamp skew allowed either way */
	bool default_allowed; /* a request without greendc-site uses the default credential */
};

/* The result of a check: 0 = go on, else the HTTP status to answer; reason is a short word
 * for the request log ("bad-headers", "stale-timestamp", "too-large", ...). */
struct rx_verdict {
	unsigned status;
	const char *reason;
	size_t content_length; /* set when status is 0 */
};

/* A site id as the receiver accepts it (also for `site add`). */
bool rx_site_id_ok(const char *s);

void rx_check_headers(const struct rx_headers *h, const struct rx_policy *p, struct rx_verdict *v);

/* The stored message's facts, extracted from a verified and validated body. */
struct rx_doc {
	char type[16]; /* report | summary | alert */
	char site[RX_SITE_MAX + 1];
	char site_name[RX_NAME_MAX + 1];
	/* reports only (is_report); NAN / -1 / "" where the report publishes none */
	bool is_report;
	char kind[8];    /* monthly | annual */
	char period[16]; /* "2026-10" or "2026" */
	double pue, coverage;
	int category;
	int grade; /* gb40879.grade, else indicative_grade (a month); -1 = none */
	bool complete;
	char pue_label[RX_LABEL_MAX + 1];
};

/* The compiled schemas, one per message type. */
struct rx_schemas {
	struct schema *report, *summary, *alert;
	struct schema *report_v1; /* greendc.report/1, from sites not yet upgraded */
};
int rx_schemas_load(struct rx_schemas *s, char *err, size_t errlen);
void rx_schemas_free(struct rx_schemas *s);

/* site_hdr: the greendc-site header (NULL when the default credential was used). 0, or
 * -EBADMSG (answer 422) with the offence in why. */
int rx_check_body(const struct rx_schemas *sc, const char *body, size_t len, const char *site_hdr,
                  struct rx_doc *out, char *why, size_t whylen);

#endif
