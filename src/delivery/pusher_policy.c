/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pusher's pure policy pieces (pusher.h): URL redaction for log lines and the backoff
 * schedule. Kept apart from pusher.c so unit tests exercise them without libcurl.
 */
#include "delivery/pusher.h"

#include <stdio.h>
#include <string.h>

void pusher_redact_url(const char *url, char *buf, size_t len)
{
	const char *s = strstr(url, "://");
	if (!s) {
		snprintf(buf, len, "(url)");
		return;
	}
	const char *h = s + 3;
	const char *end = h + strcspn(h, "/?#");
	const char *at = memchr(h, '@', (size_t)(end - h));
	if (at)
		h = at + 1; /* user:password@ never shown */
	snprintf(buf, len, "%.*s%.*s/…", (int)(s + 3 - url), url, (int)(end - h), h);
}

int64_t pusher_backoff_ms(int attempts, int64_t min_ms, int64_t max_ms, double r)
{
	int64_t d = min_ms > 0 ? min_ms : 1;
	for (int i = 1; i < attempts && d < max_ms; i++)
		d *= 2;
	if (d > max_ms)
		d = max_ms;
	return d / 2 + (int64_t)((double)(d - d / 2) * r);
}

int64_t pusher_retry_after_ms(long long ra_s, int64_t cap_ms)
{
	if (ra_s <= 0 || cap_ms <= 0)
		return 0;
	/* Compare in seconds first: ra_s * 1000 may overflow. */
	if (ra_s >= cap_ms / 1000)
		return cap_ms;
	return (int64_t)ra_s * 1000;
}
