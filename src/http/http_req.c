/* SPDX-License-Identifier: Apache-2.0 */
/* The replies every /api/v1/ handler answers through (http_req.h). */
#include "http/http_req.h"
#include "http/http_internal.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void http_reply_json(struct http_req *q, unsigned status, cJSON *o)
{
	char *s = o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	q->out->status = status;
	if (s) {
		size_t n = strlen(s);
		char *b = realloc(s, n + 2);
		if (b) {
			b[n] = '\n';
			b[n + 1] = '\0';
			s = b;
			n++;
		}
		q->out->body = s;
		q->out->len = n;
	}
}

void http_reply_error(struct http_req *q, unsigned status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q->msg, sizeof(q->msg), fmt, ap);
	va_end(ap);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "error", q->msg);
	cJSON_AddNumberToObject(o, "status", status);
	http_reply_json(q, status, o);
}

const char *http_req_arg(struct http_req *q, const char *k)
{
	const char *v = q->arg(q->actx, k);
	return v && *v ? v : NULL;
}

bool http_req_only(struct http_req *q, const char *const *known)
{
	for (const char *p = q->names; p && *p;) {
		size_t n = strcspn(p, "\n");
		bool ok = false;
		for (const char *const *k = known; *k; k++)
			ok |= strlen(*k) == n && strncmp(*k, p, n) == 0;
		if (!ok) {
			http_reply_error(q, 400, "parameter %.*s is not accepted here",
			                 (int)(n > 40 ? 40 : n), p);
			return false;
		}
		p += n + (p[n] == '\n');
	}
	return true;
}
