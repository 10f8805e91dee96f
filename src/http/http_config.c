/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parser of the `http:` config section (struct http_config in http.h). Paths stay as written;
 * http_start resolves relative ones against the config's folder. A bind other than
 * 127.0.0.1/::1 without a token file is a config error: the API is never open off loopback.
 */
#include "config/config.h"
#include "config/config_yaml.h"
#include "http/http.h"
#include "http/http_util.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

bool http_listen_is_local(const char *addr)
{
	return addr && (strcmp(addr, "127.0.0.1") == 0 || strcmp(addr, "::1") == 0 ||
	                strcmp(addr, "localhost") == 0);
}

static void http_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                      yaml_node_t *knode, yaml_node_t *v)
{
	struct http_config *h = ctx;
	long long n;

	(void)knode;
	if (strcmp(key, "enabled") == 0) {
		ywant_bool(y, v, path, &h->enabled);
	} else if (strcmp(key, "listen") == 0) {
		const char *s = ywant_string(y, v, path);
		unsigned char buf[16];
		if (s && strcmp(s, "localhost") != 0 && inet_pton(AF_INET, s, buf) != 1 &&
		    inet_pton(AF_INET6, s, buf) != 1)
			yerr(y, v, path, "expected an IPv4 or IPv6 address, got \"%s\"", s);
		else if (s)
			h->listen = s;
	} else if (strcmp(key, "port") == 0) {
		if (ywant_int(y, v, path, 1, 65535, &n))
			h->port = (unsigned)n;
	} else if (strcmp(key, "token_file") == 0) {
		h->token_file = ywant_string(y, v, path);
		h->token_line = yline(v);
	} else if (strcmp(key, "tls_cert") == 0) {
		h->tls_cert = ywant_string(y, v, path);
	} else if (strcmp(key, "tls_key") == 0) {
		h->tls_key = ywant_string(y, v, path);
		h->key_line = yline(v);
	} else if (strcmp(key, "web_dir") == 0) {
		h->web_dir = ywant_string(y, v, path);
	} else if (strcmp(key, "max_connections") == 0) {
		if (ywant_int(y, v, path, 1, 10000, &n))
			h->max_connections = (unsigned)n;
	} else if (strcmp(key, "per_ip_connections") == 0) {
		if (ywant_int(y, v, path, 1, 10000, &n))
			h->per_ip_connections = (unsigned)n;
	} else if (strcmp(key, "threads") == 0) {
		if (ywant_int(y, v, path, 1, 64, &n))
			h->threads = (unsigned)n;
	} else if (strcmp(key, "api_workers") == 0) {
		if (ywant_int(y, v, path, 1, 64, &n))
			h->api_workers = (unsigned)n;
	} else if (strcmp(key, "request_timeout") == 0) {
		int64_t ms;
		if (ywant_duration(y, v, path, 1000, &ms)) {
			if (ms > 300000)
				yerr(y, v, path, "at most 5m");
			else
				h->request_timeout_ms = ms;
		}
	}
}

void http_config_defaults(struct http_config *h)
{
	*h = (struct http_config){.enabled = true,
	                          .listen = "127.0.0.1",
	                          .port = 8470,
	                          .max_connections = 64,
	                          .per_ip_connections = 16,
	                          .threads = 2,
	                          .api_workers = 2,
	                          .request_timeout_ms = 10000};
}

void http_config_parse(struct ydoc *y, struct config *cfg, const char *path, void *node)
{
	static const char *const keys[] = {"enabled",    "listen",          "port",
	                                   "token_file", "tls_cert",        "tls_key",
	                                   "web_dir",    "max_connections", "per_ip_connections",
	                                   "threads",    "api_workers",     "request_timeout",
	                                   NULL};
	yaml_node_t *n = node;
	struct http_config *h = config_arena_alloc(y->arena, sizeof(*h));

	http_config_defaults(h);
	h->file = y->file;
	h->line = yline(n);
	cfg->http = h;
	if (!ymap_walk(y, n, path, keys, http_pair, h))
		return;
	if (!h->tls_cert != !h->tls_key)
		yerr(y, n, path, "tls_cert and tls_key go together");
	if (h->enabled && !http_listen_is_local(h->listen) && !h->token_file)
		yerr(y, n, path,
		     "listen %s is not 127.0.0.1: a token_file is required off loopback",
		     h->listen);
	if (h->per_ip_connections > h->max_connections)
		yerr(y, n, path, "per_ip_connections (%u) is above max_connections (%u)",
		     h->per_ip_connections, h->max_connections);
}

static const char *token_ok(const char *text, char *buf, size_t len)
{
	uint8_t hash[32];
	return http_token_hash_parse(text, hash, buf, len) < 0 ? buf : NULL;
}

void http_config_secrets(const struct config *cfg,
                         void (*found)(void *ctx, const struct config_secret *s), void *ctx)
{
	const struct http_config *h = cfg->http;
	char pbuf[PATH_MAX];
	if (!h || !h->enabled)
		return;
	if (h->token_file) {
		snprintf(pbuf, sizeof(pbuf), "%s%s%s", h->token_file[0] == '/' ? "" : cfg->dir,
		         h->token_file[0] == '/' ? "" : "/", h->token_file);
		found(ctx, &(struct config_secret){.path = pbuf,
		                                   .key = "http.token_file",
		                                   .file = h->file,
		                                   .line = h->token_line,
		                                   .max_bytes = 255,
		                                   .content_ok = token_ok});
	}
	if (h->tls_key) {
		snprintf(pbuf, sizeof(pbuf), "%s%s%s", h->tls_key[0] == '/' ? "" : cfg->dir,
		         h->tls_key[0] == '/' ? "" : "/", h->tls_key);
		found(ctx, &(struct config_secret){.path = pbuf,
		                                   .key = "http.tls_key",
		                                   .file = h->file,
		                                   .line = h->key_line,
		                                   .max_bytes = 65535});
	}
}
