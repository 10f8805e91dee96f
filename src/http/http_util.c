/* SPDX-License-Identifier: Apache-2.0 */
/* Pure helpers for the HTTP server: see http_util.h. */
#include "http/http_util.h"

#include "core/sha256.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool http_path_safe(const char *path)
{
	if (!path || path[0] != '/')
		return false;
	for (const char *p = path; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			return false;
	const char *seg = path + 1;
	for (;;) {
		const char *end = strchr(seg, '/');
		size_t n = end ? (size_t)(end - seg) : strlen(seg);
		if (n == 0 && end) /* "//" */
			return false;
		if (n > 0 && seg[0] == '.') /* ".", "..", hidden files */
			return false;
		if (!end)
			return true;
		seg = end + 1;
	}
}

int64_t http_query_step(int64_t from_ms, int64_t to_ms, int64_t step_ms, unsigned width)
{
	int64_t range = to_ms - from_ms, step = step_ms > 0 ? step_ms : 1000;
	if (width == 0)
		width = 1;
	int64_t need = (range + (int64_t)width - 1) / (int64_t)width;
	if (need > step)
		step = need;
	if (step > 1200000) /* over 20 min: whole hours, so the 1-hour rollups serve it */
		step = (step + 3599999) / 3600000 * 3600000;
	else if (step > 60000)
		step = (step + 59999) / 60000 * 60000;
	else
		step = (step + 999) / 1000 * 1000;
	return step;
}

const char *http_bearer_token(const char *auth)
{
	if (!auth || strncasecmp(auth, "Bearer", 6) != 0 || auth[6] != ' ')
		return NULL;
	const char *t = auth + 6;
	while (*t == ' ')
		t++;
	return *t ? t : NULL;
}

int http_token_hash_parse(const char *text, uint8_t out[32], char *why, size_t whylen)
{
	/* SHA-256 of the empty string. */
	static const char empty[] =
	        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	char buf[80];
	while (*text == ' ' || *text == '\t')
		text++;
	size_t n = strcspn(text, " \t\r\n");
	if (n != 64 || text[n + strspn(text + n, " \t\r\n")] != '\0') {
		snprintf(why, whylen, "expected the token's SHA-256 as 64 hex digits");
		return -EINVAL;
	}
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (!sha256_parse_hex(buf, out)) {
		snprintf(why, whylen, "expected the token's SHA-256 as 64 hex digits");
		return -EINVAL;
	}
	if (strcasecmp(buf, empty) == 0) {
		snprintf(why, whylen,
		         "is the SHA-256 of the empty string (was the token variable unset?); "
		         "an empty bearer token would be let in");
		return -EINVAL;
	}
	return 0;
}

/* One budget: a new minute starts the count again and remembers what the last one lost. */
static bool admit_one(unsigned *count, unsigned *dropped, unsigned *dropped_before,
                      int64_t *window_ms, int64_t now_ms, unsigned *out_dropped)
{
	if (now_ms - *window_ms >= 60000) {
		*window_ms = now_ms;
		*dropped_before = *dropped;
		*dropped = 0;
		*count = 0;
	}
	if (*count >= HTTP_AUDIT_PER_IP) {
		(*dropped)++;
		return false;
	}
	/* The first record of a minute tells what the previous minute left out. */
	*out_dropped = *count == 0 ? *dropped_before : 0;
	(*count)++;
	return true;
}

bool http_audit_admit(struct http_audit_limit *l, const char *ip, int64_t now_ms, unsigned *dropped)
{
	size_t slot = HTTP_AUDIT_IPS, stale = HTTP_AUDIT_IPS;
	*dropped = 0;
	for (size_t i = 0; i < HTTP_AUDIT_IPS; i++) {
		if (strcmp(l->e[i].ip, ip) == 0) {
			slot = i;
			break;
		}
		/* A free entry, or one whose address has been quiet for two minutes. */
		if (stale == HTTP_AUDIT_IPS &&
		    (!l->e[i].ip[0] || (now_ms - l->e[i].window_ms >= 120000)))
			stale = i;
	}
	if (slot == HTTP_AUDIT_IPS && stale != HTTP_AUDIT_IPS) {
		slot = stale;
		memset(&l->e[slot], 0, sizeof(l->e[slot]));
		snprintf(l->e[slot].ip, sizeof(l->e[slot].ip), "%s", ip);
		l->e[slot].window_ms = now_ms;
	}
	if (slot == HTTP_AUDIT_IPS)
		return admit_one(&l->others.count, &l->others.dropped, &l->others.dropped_before,
		                 &l->others.window_ms, now_ms, dropped);
	return admit_one(&l->e[slot].count, &l->e[slot].dropped, &l->e[slot].dropped_before,
	                 &l->e[slot].window_ms, now_ms, dropped);
}
