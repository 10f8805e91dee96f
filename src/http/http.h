/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The daemon's HTTP server (libmicrohttpd): the JSON API under /api/v1/, Prometheus /metrics
 * and the built-in dashboard's static files. Binds 127.0.0.1 by default; any other address
 * needs a bearer token (the config holds only its SHA-256) and may use TLS. /metrics and the
 * latest values come from an in-memory snapshot refreshed from the store once a second, so a
 * scrape never touches SQLite. See docs/api.md and docs/dashboard.md.
 */
#ifndef GREENDC_HTTP_H
#define GREENDC_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct config_diag;
struct ydoc;
struct audit;

/* The `http:` config section. */
struct http_config {
	bool enabled;           /* default true once the section exists */
	const char *listen;     /* "127.0.0.1" */
	unsigned port;          /* default 8470 */
	const char *token_file; /* resolved; holds the token's SHA-256 in hex; NULL = none */
	const char *tls_cert, *tls_key; /* resolved PEM files; both or neither */
	const char *web_dir;            /* resolved dashboard folder; NULL = the installed one */
	unsigned max_connections;       /* MHD_OPTION_CONNECTION_LIMIT, default 64 */
	unsigned per_ip_connections;    /* MHD_OPTION_PER_IP_CONNECTION_LIMIT, default 16 */
	unsigned threads;               /* network threads (libmicrohttpd's pool), default 2 */
	unsigned api_workers;           /* threads answering /api/v1/, default 2 */
	int64_t request_timeout_ms;     /* a whole request must arrive within this, default 10s */
	const char *file;
	int line;
	int token_line, key_line; /* where token_file and tls_key are, for messages */
};

/* The values of an absent `http:` section. */
void http_config_defaults(struct http_config *h);
void http_config_parse(struct ydoc *y, struct config *cfg, const char *path, void *node);
struct config_secret;
/* The section's secret files (token_file, tls_key) for config_secrets_check. */
void http_config_secrets(const struct config *cfg,
                         void (*found)(void *ctx, const struct config_secret *s), void *ctx);

/* True for 127.0.0.1 and ::1: the only binds that need no token. */
bool http_listen_is_local(const char *addr);

struct http_server;

/* Start serving per cfg->http (defaults when the section is absent). The server borrows cfg
 * (swap it with http_set_config before freeing it) and audit (may be NULL). NULL with a
 * message on error. */
struct http_server *http_start(const struct config *cfg, struct audit *audit, char *err,
                               size_t errlen);
/* Use a new config (after a reload); returns once no request uses the old one. Listening
 * settings are not changed (they need a restart). */
void http_set_config(struct http_server *h, const struct config *cfg);
/* Stop accepting, finish requests in flight, free. NULL ok. */
void http_stop(struct http_server *h);

#endif
