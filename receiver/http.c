/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP server of greendc-receiver on libmicrohttpd: a pool of worker threads polling with
 * epoll, a limit on connections in total (and optionally per address), an idle timeout, a
 * per-connection memory limit for headers, and the POST state machine of ingest.c (headers
 * first, then the body). Resources an attacker can make the receiver hold are therefore
 * bounded: connections x the per-connection memory, plus the body budget (docs/fleet.md,
 * "Under attack").
 */
#include "rx.h"

#include "core/secretfile.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

/* Headers of a webhook are well under 4 KiB; MHD's per-connection pool holds them and the
 * read buffer, so this bounds what an idle or half-sent connection costs. */
#define RX_CONN_MEMORY (16 * 1024)

int rx_reply(struct MHD_Connection *c, unsigned status, const char *type, const char *body,
             size_t len, const char *retry_after)
{
	struct MHD_Response *r =
	        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (retry_after)
		MHD_add_response_header(r, "Retry-After", retry_after);
	enum MHD_Result rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

int rx_reply_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	return rx_reply(c, status, "text/plain; charset=utf-8", text, strlen(text), NULL);
}

/* The per-request state: a marker for "headers seen, refused" or the POST in progress. */
struct rx_req {
	struct rx_post *post;
};

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
	struct rx_app *a = cls;
	(void)version;
	if (strcmp(method, "POST") != 0) {
		if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
			return (enum MHD_Result)rx_get(a, c, url);
		return (enum MHD_Result)rx_reply_text(c, 405, "method not allowed\n");
	}
	struct rx_req *q = *con_cls;
	if (!q) {
		/* Headers only: decide before any of the body is read. */
		unsigned status = 0;
		const char *reason = "";
		struct rx_post *p = rx_post_begin(a, c, &status, &reason);
		if (!p) {
			rx_reqlog(a, "POST",
			          MHD_lookup_connection_value(c, MHD_HEADER_KIND, "webhook-id"),
			          status, reason,
			          MHD_lookup_connection_value(c, MHD_HEADER_KIND, "greendc-site"));
			char ra[24];
			snprintf(ra, sizeof(ra), "%ld", a->o.retry_after);
			const char *text = status == 429   ? "slow down\n"
			                   : status == 503 ? "unavailable, retry later\n"
			                   : status == 401 ? "unknown or revoked site, or no site\n"
			                   : status == 413 ? "too large\n"
			                   : status == 411 ? "Content-Length required\n"
			                                   : "refused\n";
			if (status == 503 && strcmp(reason, "down") == 0)
				text = "down for maintenance\n";
			/* A refusal closes the connection: the unread body is never read. */
			return (enum MHD_Result)rx_reply(
			        c, status, "text/plain", text, strlen(text),
			        status == 429 || (status == 503 && strcmp(reason, "down") != 0)
			                ? ra
			                : NULL);
		}
		q = calloc(1, sizeof(*q));
		if (!q) {
			rx_post_free(a, p);
			return MHD_NO;
		}
		q->post = p;
		*con_cls = q;
		return MHD_YES;
	}
	if (*upload_size) {
		/* Past the request deadline the connection is dropped (logged by ingest.c). */
		bool go_on = rx_post_data(a, q->post, upload, *upload_size);
		*upload_size = 0;
		return go_on ? MHD_YES : MHD_NO;
	}
	return (enum MHD_Result)rx_post_end(a, c, q->post);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
	struct rx_app *a = cls;
	(void)c;
	(void)toe;
	struct rx_req *q = *con_cls;
	if (q) {
		rx_post_free(a, q->post);
		free(q);
		*con_cls = NULL;
	}
}

/* Room for the connection limit plus the database, logs and listening sockets. */
static void raise_fd_limit(unsigned want)
{
	struct rlimit r;
	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < want + 64) {
		r.rlim_cur = want + 64 < r.rlim_max ? want + 64 : r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

int rx_http_run(struct rx_app *a)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)a->o.port)};
	if (inet_pton(AF_INET, a->o.listen_addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "greendc-receiver: --listen: an IPv4 address, please\n");
		return 2;
	}
	static char cert_pem[64 * 1024], key_pem[64 * 1024];
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	if (a->o.tls_cert) {
		char err[512];
		/* The certificate is public, the key goes through the one secret-file reader. */
		if (rx_read_public_file(a->o.tls_cert, cert_pem, sizeof(cert_pem), err,
		                        sizeof(err)) < 0 ||
		    secretfile_read(a->o.tls_key, key_pem, sizeof(key_pem), NULL, err,
		                    sizeof(err)) < 0) {
			fprintf(stderr, "greendc-receiver: %s\n", err);
			return 1;
		}
		flags |= MHD_USE_TLS;
	}
	raise_fd_limit(a->o.max_connections);
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	struct MHD_OptionItem tls[] = {
	        {a->o.tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert_pem},
	        {MHD_OPTION_HTTPS_MEM_KEY, 0, key_pem},
	        {MHD_OPTION_END, 0, NULL},
	};
	struct MHD_Daemon *d = MHD_start_daemon(
	        flags, (uint16_t)a->o.port, NULL, NULL, handler, a, MHD_OPTION_SOCK_ADDR,
	        (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, completed, a,
	        MHD_OPTION_THREAD_POOL_SIZE, a->o.workers, MHD_OPTION_CONNECTION_LIMIT,
	        a->o.max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, a->o.max_per_ip,
	        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)a->o.conn_timeout_s,
	        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)RX_CONN_MEMORY,
	        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "greendc-receiver: cannot listen on %s:%ld\n", a->o.listen_addr,
		        a->o.port);
		return 1;
	}
	printf("greendc-receiver: listening on %s://%s:%ld/ (%s, %u workers)\n",
	       a->o.tls_cert ? "https" : "http", a->o.listen_addr, a->o.port,
	       rx_store_engine(a->store), a->o.workers);
	fflush(stdout);
	int sig = 0;
	sigwait(&sigs, &sig);
	MHD_stop_daemon(d);
	explicit_bzero(key_pem, sizeof(key_pem));
	return 0;
}
