/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bearer token of /api/ and /metrics (http_authorized): the daemon holds only the token's
 * SHA-256 and compares hashes in constant time. Each check is audited: a success once per
 * client address per hour, rejections at most HTTP_AUDIT_PER_IP a minute per client address
 * (http_audit_admit), so one noisy client can neither fill the disk nor hide the failures of
 * everyone else.
 */
#include "core/audit.h"
#include "core/util.h"
#include "http/http_internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static void client_ip(struct MHD_Connection *c, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci =
	        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(buf, len, "?");
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf,
		          (socklen_t)len);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		          buf, (socklen_t)len);
}

/* Whether a success from ip is to be audited: once per address per hour. Under audit_lock. */
static bool success_is_new(struct http_server *h, const char *ip, int64_t now)
{
	size_t oldest = 0;
	for (size_t i = 0; i < sizeof(h->seen) / sizeof(h->seen[0]); i++) {
		if (strcmp(h->seen[i].ip, ip) == 0) {
			if (now - h->seen[i].at_ms <= 3600000)
				return false;
			oldest = i;
			break;
		}
		if (h->seen[i].at_ms < h->seen[oldest].at_ms)
			oldest = i;
	}
	snprintf(h->seen[oldest].ip, sizeof(h->seen[oldest].ip), "%s", ip);
	h->seen[oldest].at_ms = now;
	return true;
}

bool http_authorized(struct http_server *h, struct MHD_Connection *c, const char *url)
{
	if (!h->need_token)
		return true;
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	const char *token = http_bearer_token(auth);
	bool ok = false;
	if (token) {
		uint8_t d[SHA256_LEN];
		sha256(token, strlen(token), d);
		ok = sha256_equal(d, h->token_hash);
	}
	char ip[64], subject[96], result[96];
	client_ip(c, ip, sizeof(ip));
	snprintf(subject, sizeof(subject), "http client %s", ip);
	int64_t now = util_mono_ms();
	unsigned dropped = 0;
	pthread_mutex_lock(&h->audit_lock);
	bool record =
	        ok ? success_is_new(h, ip, now) : http_audit_admit(&h->rejects, ip, now, &dropped);
	pthread_mutex_unlock(&h->audit_lock);
	if (!record)
		return ok;
	const char *what = ok ? "ok" : auth ? "rejected: wrong token" : "rejected: no token";
	if (dropped)
		snprintf(result, sizeof(result), "%s (%u more like it left out the minute before)",
		         what, dropped);
	else
		snprintf(result, sizeof(result), "%s", what);
	audit_record(h->audit, "api_token", subject, url, result);
	return ok;
}
