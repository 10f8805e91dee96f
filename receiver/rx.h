/* SPDX-License-Identifier: Apache-2.0 */
/*
 * greendc-receiver: the central service many greendc sites push their signed reports,
 * summaries and alerts to, and the regulator's view of them (docs/fleet.md, man 8
 * greendc-receiver). This header holds what the server's parts share: the options, the
 * running state, and the entry points of each part.
 *
 *   main.c     options, `serve` and the `site` subcommands
 *   http.c     libmicrohttpd: worker pool, connection limits, per-request state
 *   ingest.c   POST: headers first, then the body within its limits, verify, validate, store
 *   api.c      GET /api/v1/...: league table (JSON, CSV), late sites, trends, reports
 *   web.c      the regulator's page (zh/en) and a report's printable HTML
 *   league.c   the league table and the late list, built once for the API, CSV and page
 *   reqlog.c   the request log (unauthenticated fields escaped)
 *   check.c    pure header and body checks (fuzzed), schema.c the JSON Schema subset
 *   auth.c     credentials and signatures; store*.c the two storage engines
 */
#ifndef GREENDC_RX_H
#define GREENDC_RX_H

#include "check.h"
#include "store.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct rx_opts {
	const char *db;          /* SQLite path or libpq connection string */
	const char *listen_addr; /* IPv4 */
	long port;
	const char *tls_cert, *tls_key;
	const char *request_log;
	const char *default_secret_file; /* the credential of requests without greendc-site */
	long tolerance_s;
	unsigned workers;         /* HTTP threads = database connections */
	unsigned max_connections; /* in total */
	unsigned max_per_ip;      /* 0 = no per-address limit */
	long conn_timeout_s;      /* idle connection */
	long request_deadline_s;  /* a whole request, first byte of the body to the last */
	size_t max_body;          /* per request (Content-Length) */
	size_t max_buffered;      /* all bodies being received at once */
	int deadline_day;         /* a month's report is due by this day of the next month */
	/* test aids (man page: TEST OPTIONS) */
	long reply_429, retry_after;
	const char *down_file;
	long delay_ms;
};

struct rx_app {
	struct rx_opts o;
	struct rx_store *store;
	struct rx_schemas schemas;
	struct rx_cred default_cred;
	bool have_default;
	FILE *reqlog;
	atomic_long reply_429;       /* test aid: POSTs still to answer 429 */
	atomic_size_t buffered;      /* body bytes reserved by requests in progress */
	atomic_ulong refused_memory; /* requests answered 503 for the buffer budget */
};

/* http.c */
int rx_http_run(struct rx_app *a);

/* ingest.c: the POST handler in two halves (http.c keeps the connection state). */
struct rx_post;
struct MHD_Connection;
/* Headers only: NULL with status and reason set to refuse, or the request's state. */
struct rx_post *rx_post_begin(struct rx_app *a, struct MHD_Connection *c, unsigned *status,
                              const char **reason);
/* Body bytes as they arrive: false when the request must be dropped (deadline). */
bool rx_post_data(struct rx_app *a, struct rx_post *p, const char *data, size_t n);
/* The whole body is in: verify, validate, store, answer. */
int rx_post_end(struct rx_app *a, struct MHD_Connection *c, struct rx_post *p);
void rx_post_free(struct rx_app *a, struct rx_post *p);

/* api.c and web.c: answer a GET (an MHD_Result). */
int rx_get(struct rx_app *a, struct MHD_Connection *c, const char *url);

/* Reply helpers (http.c). */
int rx_reply(struct MHD_Connection *c, unsigned status, const char *type, const char *body,
             size_t len, const char *retry_after);
int rx_reply_text(struct MHD_Connection *c, unsigned status, const char *text);

/* reqlog.c: "<ms> <method> <id> <status> <reason> <site>", each field escaped. */
void rx_reqlog(struct rx_app *a, const char *method, const char *id, unsigned status,
               const char *reason, const char *site);
/* Escape s for one log field: bytes outside printable ASCII, space and backslash as \xHH;
 * "-" for NULL or empty; cut to fit len. */
void rx_log_escape(const char *s, char *out, size_t len);

#endif
