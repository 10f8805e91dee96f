/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The request log: one line per request, "<ms> <method> <webhook-id> <status> <reason>
 * <site>", for operators and for the tests that assert what arrived when. The id and the site
 * come from unauthenticated headers, so every field is escaped: a tab, a newline or a space in
 * a webhook-id cannot forge a line or shift a field.
 */
#include "rx.h"

#include "core/util.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t reqlog_mu = PTHREAD_MUTEX_INITIALIZER;

void rx_log_escape(const char *s, char *out, size_t len)
{
	size_t o = 0;
	if (!s || !*s)
		s = "-";
	for (; *s && o + 5 < len; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c >= 0x7f || c == '\\')
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

void rx_reqlog(struct rx_app *a, const char *method, const char *id, unsigned status,
               const char *reason, const char *site)
{
	if (!a->reqlog)
		return;
	char m[32], i[4 * 256 + 8], r[64], s[4 * 80 + 8];
	rx_log_escape(method, m, sizeof(m));
	rx_log_escape(id, i, sizeof(i));
	rx_log_escape(reason, r, sizeof(r));
	rx_log_escape(site, s, sizeof(s));
	pthread_mutex_lock(&reqlog_mu);
	fprintf(a->reqlog, "%lld %s %s %u %s %s\n", (long long)util_wall_ms(), m, i, status, r, s);
	fflush(a->reqlog);
	pthread_mutex_unlock(&reqlog_mu);
}
