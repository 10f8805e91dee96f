/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for greendc-receiver's request checks (receiver/check.h), the code that
 * stands between the network and the central database: rx_check_headers (headers first) and
 * rx_check_body (after the signature), plus the request log's field escaping.
 *
 * Input: header lines "name: value" up to the first empty line (greendc-site, webhook-id,
 * webhook-timestamp, webhook-signature, content-length, transfer-encoding,
 * greendc-report-signature; a line "default: 1" allows requests without greendc-site), then
 * the body, as raw bytes (not NUL-terminated).
 *
 * What must hold besides "no sanitizer finding": a header verdict is 0 with a Content-Length
 * within 1..max_body, or one of 400, 401, 411, 413, 422; a body is accepted (0) or refused
 * (-EBADMSG) with a reason; an accepted body is of a known type, for a valid site id equal to
 * the greendc-site header when there is one, and a report's figures are within the schema's
 * ranges (PUE in (1, 100] or none, grade -1..3, coverage 0..1 or none); an escaped log field
 * holds only printable ASCII without spaces and stays within its buffer.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "receiver/check.h"
#include "receiver/rx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW_S    1795790096 /* 2026-11-28T10:34:56Z */
#define MAX_BODY (256 * 1024)

static struct rx_schemas schemas;

static void escaped_ok(const char *s)
{
	char out[64];
	rx_log_escape(s, out, sizeof(out));
	size_t n = strlen(out);
	if (n >= sizeof(out) || n == 0)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)out[i] <= 0x20 || (unsigned char)out[i] >= 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[200], why[200];
	if (!schemas.report && rx_schemas_load(&schemas, err, sizeof(err)) < 0)
		abort();
	char *in = malloc(size + 1);
	if (!in)
		abort();
	memcpy(in, data, size);
	in[size] = '\0';
	/* Header lines up to the first empty line (or the end). */
	struct rx_headers h = {0};
	struct rx_policy pol = {.max_body = MAX_BODY, .now_s = NOW_S, .tolerance_s = 300};
	char *p = in, *end = in + size;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *line_end = nl ? nl : end;
		if (line_end == p) {
			p = nl ? nl + 1 : end;
			break;
		}
		*line_end = '\0';
		char *colon = strstr(p, ": ");
		if (colon) {
			*colon = '\0';
			const char *v = colon + 2;
			if (strcmp(p, "greendc-site") == 0)
				h.site = v;
			else if (strcmp(p, "webhook-id") == 0)
				h.id = v;
			else if (strcmp(p, "webhook-timestamp") == 0)
				h.ts = v;
			else if (strcmp(p, "webhook-signature") == 0)
				h.sig = v;
			else if (strcmp(p, "content-length") == 0)
				h.content_length = v;
			else if (strcmp(p, "transfer-encoding") == 0)
				h.transfer_encoding = v;
			else if (strcmp(p, "greendc-report-signature") == 0)
				h.report_sig = v;
			else if (strcmp(p, "default") == 0)
				pol.default_allowed = true;
		}
		p = nl ? nl + 1 : end;
	}
	struct rx_verdict v;
	rx_check_headers(&h, &pol, &v);
	if (v.status == 0 ? (v.content_length < 1 || v.content_length > MAX_BODY)
	                  : (v.status != 400 && v.status != 401 && v.status != 411 &&
	                     v.status != 413 && v.status != 422))
		abort();
	if (!v.reason || !*v.reason)
		abort();
	escaped_ok(h.id);
	escaped_ok(h.site);

	struct rx_doc d;
	size_t blen = (size_t)(end - p);
	why[0] = '\0';
	int rc = rx_check_body(&schemas, p, blen, h.site && rx_site_id_ok(h.site) ? h.site : NULL,
	                       &d, why, sizeof(why));
	if (rc != 0 && (rc != -EBADMSG || !why[0]))
		abort();
	if (rc == 0) {
		if (strcmp(d.type, "report") != 0 && strcmp(d.type, "summary") != 0 &&
		    strcmp(d.type, "alert") != 0)
			abort();
		if (!rx_site_id_ok(d.site) ||
		    (h.site && rx_site_id_ok(h.site) && strcmp(h.site, d.site) != 0))
			abort();
		if (d.is_report &&
		    ((!isnan(d.pue) && !(d.pue > 1 && d.pue <= 100)) || d.grade < -1 ||
		     d.grade > 3 || (!isnan(d.coverage) && !(d.coverage >= 0 && d.coverage <= 1))))
			abort();
	}
	free(in);
	return 0;
}
