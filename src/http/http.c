/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The daemon's HTTP server on libmicrohttpd (see http.h): binding, TLS, routing to /metrics,
 * /api/v1/ and the dashboard's static files, what is refused before routing (methods, bodies,
 * too many parameters), ETags and security headers. The API itself is in http_api.c, answered
 * by the workers of http_work.c; the bearer token in http_auth.c; the guard against slow and
 * greedy clients in http_guard.c; the /metrics snapshot in http_snap.c.
 */
#include "config/config.h"
#include "core/secretfile.h"
#include "core/util.h"
#include "http/http_internal.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static const char CSP[] = "default-src 'self'";

/* A TLS private key in PEM is a few KiB; a bigger file is refused. */
#define HTTP_MAX_KEY 65536

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static const char *resolve(const struct config *cfg, const char *p, char *buf, size_t len)
{
	if (!p || p[0] == '/' || !cfg->dir)
		return p;
	snprintf(buf, len, "%s/%s", cfg->dir, p);
	return buf;
}

/* A public file (the TLS certificate) whole into a malloc'ed string: opened O_NONBLOCK and
 * refused unless a regular file, so a FIFO cannot block the start. Secrets go through
 * core/secretfile.h instead. */
static char *read_public(const char *path, size_t max, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > max) {
		snprintf(err, errlen, "%s: %s", path,
		         fd < 0                 ? strerror(errno)
		         : !S_ISREG(sb.st_mode) ? "not a regular file"
		                                : "too large");
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	char *buf = malloc(max + 1);
	size_t n = 0;
	ssize_t r = 0;
	while (buf && n < max && (r = read(fd, buf + n, max - n)) > 0)
		n += (size_t)r;
	close(fd);
	if (!buf || r < 0) {
		snprintf(err, errlen, "%s: %s", path, buf ? strerror(errno) : "out of memory");
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

struct store_reader *http_reader_get(struct http_server *h, char *err, size_t errlen)
{
	struct store_reader *r = NULL;
	pthread_mutex_lock(&h->pool_lock);
	if (h->npool)
		r = h->pool[--h->npool];
	pthread_mutex_unlock(&h->pool_lock);
	return r ? r : store_reader_open(h->db_path, err, errlen);
}

void http_reader_put(struct http_server *h, struct store_reader *r)
{
	pthread_mutex_lock(&h->pool_lock);
	if (h->npool < sizeof(h->pool) / sizeof(h->pool[0])) {
		h->pool[h->npool++] = r;
		r = NULL;
	}
	pthread_mutex_unlock(&h->pool_lock);
	store_reader_close(r);
}

static void common_headers(struct MHD_Response *r, const char *type)
{
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Content-Security-Policy", CSP);
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
}

/* Queue body (malloc'ed, taken) with status. An ETag, when given, is sent with a 200, and a
 * matching If-None-Match turns the answer into a 304 without a body. */
static MHD_RESULT send_buf(struct MHD_Connection *c, unsigned status, const char *type, char *body,
                           size_t len, const char *etag, const char *extra_k, const char *extra_v)
{
	if (etag && etag[0] && status == 200) {
		const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
		if (inm && strcmp(inm, etag) == 0) {
			free(body);
			body = NULL;
			len = 0;
			status = 304;
		}
	}
	struct MHD_Response *r =
	        body ? MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE)
	             : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	common_headers(r, type);
	if (etag && etag[0] && (status == 200 || status == 304))
		MHD_add_response_header(r, "ETag", etag);
	MHD_add_response_header(r, "Cache-Control", "no-cache");
	if (extra_k)
		MHD_add_response_header(r, extra_k, extra_v);
	MHD_RESULT ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static MHD_RESULT send_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
	struct sbuf b = {0};
	sbuf_printf(&b, "{\"error\":\"%s\",\"status\":%u}\n", msg, status);
	if (b.oom)
		return MHD_NO;
	return send_buf(c, status, "application/json", b.s, b.len, NULL,
	                status == 401   ? "WWW-Authenticate"
	                : status == 503 ? "Retry-After"
	                                : NULL,
	                status == 401 ? "Bearer realm=\"greendc\"" : "1");
}

static const char *content_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} t[] = {
	        {".html", "text/html; charset=utf-8"},
	        {".js", "text/javascript; charset=utf-8"},
	        {".css", "text/css; charset=utf-8"},
	        {".json", "application/json"},
	        {".svg", "image/svg+xml"},
	        {".png", "image/png"},
	        {".ico", "image/x-icon"},
	        {".txt", "text/plain; charset=utf-8"},
	};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(dot, t[i].ext) == 0)
			return t[i].type;
	return NULL;
}

static MHD_RESULT serve_static(struct http_server *h, struct MHD_Connection *c, const char *url)
{
	const char *path = strcmp(url, "/") == 0 ? "/index.html" : url;
	char full[PATH_MAX];
	const char *type = content_type(path);
	/* Only known file types, only safe paths: everything else is simply not there. */
	if (!type || !http_path_safe(path) || !h->web_dir[0] ||
	    snprintf(full, sizeof(full), "%s%s", h->web_dir, path) >= (int)sizeof(full))
		return send_error(c, 404, "not found");
	int fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return send_error(c, 404, "not found");
	}
	char tag[64];
	snprintf(tag, sizeof(tag), "\"%llx-%llx\"", (unsigned long long)st.st_size,
	         (unsigned long long)st.st_mtime);
	const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
	struct MHD_Response *r;
	unsigned status = 200;
	if (inm && strcmp(inm, tag) == 0) {
		close(fd);
		r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		status = 304;
	} else {
		r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	}
	if (!r) {
		if (status == 200)
			close(fd);
		return MHD_NO;
	}
	common_headers(r, type);
	MHD_add_response_header(r, "ETag", tag);
	MHD_add_response_header(r, "Cache-Control", "no-cache");
	MHD_RESULT ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* %HH decoding as MHD's default, except that a decoded NUL becomes 0x01: a path or argument
 * with "%00" must be rejected (http_path_safe and the API refuse control characters), not
 * silently cut short at the NUL. */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
	char *w = s;
	(void)cls;
	(void)c;
	for (const char *r = s; *r; r++) {
		int hi, lo;
		if (r[0] == '%' && (hi = hexval(r[1])) >= 0 && (lo = hexval(r[2])) >= 0) {
			char ch = (char)(hi << 4 | lo);
			*w++ = ch ? ch : '\x01';
			r += 2;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

/* What the server keeps for one request, from its request line to its completion. */
struct http_req {
	bool started;       /* the headers were seen (first call of the handler) */
	bool too_many_args; /* more than HTTP_MAX_ARGS parameters: answered 400 */
	bool too_long;      /* a request target over HTTP_MAX_URI: answered 414 */
	bool queued;        /* job handed to the API workers */
	struct http_job job;
};

/* The request line, before libmicrohttpd parses its parameters: the request's state starts
 * here. A request with too many parameters (or too long a target) is marked for a 4xx, and its
 * parameters are cut off before libmicrohttpd stores them: 1,000 of them used to exhaust the
 * connection's memory, and libmicrohttpd 0.9.75 then sent no answer at all and held the
 * socket until its timeout. The uri is libmicrohttpd's own writable copy of the line. */
static void *uri_cb(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)cls;
	(void)c;
	struct http_req *rq = calloc(1, sizeof(*rq));
	char *q = strchr(uri, '?');
	if (!rq)
		return NULL;
	size_t nargs = 0;
	for (const char *p = q; p && *p; p++)
		nargs += *p == '&';
	rq->too_long = strlen(uri) > HTTP_MAX_URI;
	rq->too_many_args = q && nargs + 1 > HTTP_MAX_ARGS;
	if (q && (rq->too_long || rq->too_many_args))
		q[1] = '\0';
	return rq;
}

static void completed_cb(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode why)
{
	struct http_server *h = cls;
	struct http_req *rq = *state;
	(void)why;
	http_guard_idle(h->guard, c);
	if (!rq)
		return;
	free(rq->job.rep.body);
	sbuf_free(&rq->job.names);
	free(rq);
	*state = NULL;
}

static MHD_RESULT arg_cb(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct http_job *j = cls;
	(void)kind;
	if (j->nargs < HTTP_MAX_ARGS) {
		j->args[j->nargs].k = key;
		j->args[j->nargs].v = value ? value : "";
		j->nargs++;
	}
	sbuf_puts(&j->names, key);
	sbuf_puts(&j->names, "\n");
	return MHD_YES;
}

/* The first call, when the headers are in: what can be refused before anything else. */
static MHD_RESULT first_call(struct http_server *h, struct MHD_Connection *c, const char *method,
                             struct http_req *rq)
{
	rq->started = true;
	http_guard_busy(h->guard, c);
	/* GET/HEAD only: anything else is answered now, before any body is read (MHD then
	 * closes the connection instead of reading an upload nobody wants). */
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return send_error(c, 405, "method not allowed");
	if (rq->too_long)
		return send_error(c, 414, "request target longer than 4096 bytes");
	if (rq->too_many_args)
		return send_error(c, 400, "more than 32 query parameters");
	/* A GET with a body is refused at once, whether the body is announced by length or
	 * chunked: reading it would hold the connection for nothing. */
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding");
	if (te || (cl && strspn(cl, "0") != strlen(cl)))
		return send_error(c, 400, "a GET request has no body");
	return MHD_YES;
}

static MHD_RESULT serve_api(struct http_server *h, struct MHD_Connection *c, const char *url,
                            struct http_req *rq)
{
	struct http_job *j = &rq->job;
	if (j->done) {
		char *body = j->rep.body;
		j->rep.body = NULL;
		if (!body)
			return send_error(c, 500, "out of memory");
		return send_buf(c, j->rep.status,
		                j->rep.content_type ? j->rep.content_type : "application/json",
		                body, j->rep.len, j->etag, NULL, NULL);
	}
	if (rq->queued) /* resumed without an answer: cannot happen, but never hang */
		return send_error(c, 500, "internal error");
	j->conn = c;
	j->url = url;
	sbuf_puts(&j->names, "");
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, arg_cb, j);
	if (j->names.oom)
		return send_error(c, 500, "out of memory");
	int rc = http_work_submit(h->work, j);
	if (rc == -EBUSY)
		return send_error(c, 503, "the API is busy; try again");
	if (rc < 0)
		return send_error(c, 503, "shutting down");
	rq->queued = true;
	return MHD_YES;
}

static MHD_RESULT handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                          const char *version, const char *upload, size_t *upload_size,
                          void **state)
{
	struct http_server *h = cls;
	struct http_req *rq = *state;
	(void)version;
	(void)upload;
	if (!rq) /* out of memory in uri_cb */
		return MHD_NO;
	if (!rq->started)
		return first_call(h, c, method, rq);
	if (*upload_size) { /* cannot happen: a body is refused on the first call */
		*upload_size = 0;
		return MHD_YES;
	}
	if (rq->job.done || rq->queued)
		return serve_api(h, c, url, rq);
	bool api = strncmp(url, "/api/", 5) == 0;
	if (api || strcmp(url, "/metrics") == 0) {
		if (!http_authorized(h, c, url))
			return send_error(c, 401, "bearer token required");
	}
	if (strcmp(url, "/metrics") == 0) {
		size_t len = 0;
		char *text = http_snap_metrics(h->snap, &len);
		if (!text)
			return send_error(c, 503, "no snapshot yet");
		return send_buf(c, 200, "text/plain; version=0.0.4; charset=utf-8", text, len, NULL,
		                NULL, NULL);
	}
	if (api)
		return serve_api(h, c, url, rq);
	return serve_static(h, c, url);
}

static void default_web_dir(char *buf, size_t len)
{
	snprintf(buf, len, "%s", PROFILEDIR);
	char *slash = strrchr(buf, '/');
	if (slash)
		snprintf(slash, len - (size_t)(slash - buf), "/web");
}

/* The token hash and the TLS key and certificate, through the one secret-file reader
 * (core/secretfile.h: a regular file of the daemon's user, mode 0600/0400, never a FIFO).
 * 0, or -1 with err. */
static int load_files(struct http_server *h, const struct config *cfg, const struct http_config *hc,
                      char *err, size_t errlen)
{
	char pbuf[PATH_MAX], why[256], text[256];
	if (hc->token_file) {
		const char *tf = resolve(cfg, hc->token_file, pbuf, sizeof(pbuf));
		if (secretfile_read(tf, text, sizeof(text), NULL, err, errlen) < 0)
			return -1;
		if (http_token_hash_parse(text, h->token_hash, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s: %s", tf, why);
			return -1;
		}
		h->need_token = true;
	}
	if (!hc->tls_cert)
		return 0;
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		snprintf(err, errlen, "this libmicrohttpd has no TLS");
		return -1;
	}
	h->tls_cert_pem =
	        read_public(resolve(cfg, hc->tls_cert, pbuf, sizeof(pbuf)), 1 << 20, err, errlen);
	h->tls_key_pem = malloc(HTTP_MAX_KEY);
	if (!h->tls_cert_pem || !h->tls_key_pem ||
	    secretfile_read(resolve(cfg, hc->tls_key, pbuf, sizeof(pbuf)), h->tls_key_pem,
	                    HTTP_MAX_KEY, NULL, err, errlen) < 0)
		return -1;
	return 0;
}

static void listen_addr(const struct http_config *hc, struct sockaddr_storage *ss, unsigned *flags)
{
	const char *listen = strcmp(hc->listen, "localhost") == 0 ? "127.0.0.1" : hc->listen;
	memset(ss, 0, sizeof(*ss));
	if (strchr(listen, ':')) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)hc->port);
		inet_pton(AF_INET6, listen, &a6->sin6_addr);
		*flags |= MHD_USE_IPv6;
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)hc->port);
		inet_pton(AF_INET, listen, &a4->sin_addr);
	}
}

/* libmicrohttpd with the guard's callbacks. Its own limits are the hard ones: the connection
 * limit, and twice the per-address limit (the guard holds each address to per_ip_connections
 * by evicting its idle connections first, so it must see the newcomer). The idle timeout
 * (request_timeout too) still bounds a client that stops reading its response. */
static struct MHD_Daemon *start_mhd(struct http_server *h, const struct http_config *hc)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY |
	                 MHD_ALLOW_SUSPEND_RESUME;
	struct sockaddr_storage ss;
	if (hc->tls_cert)
		flags |= MHD_USE_TLS;
	listen_addr(hc, &ss, &flags);
	struct MHD_OptionItem tls_opts[] = {
	        {MHD_OPTION_HTTPS_MEM_CERT, 0, h->tls_cert_pem},
	        {MHD_OPTION_HTTPS_MEM_KEY, 0, h->tls_key_pem},
	        {MHD_OPTION_END, 0, NULL},
	};
	unsigned timeout_s = (unsigned)((hc->request_timeout_ms + 999) / 1000);
	return MHD_start_daemon(flags, (uint16_t)hc->port, NULL, NULL, handler, h,
	                        MHD_OPTION_SOCK_ADDR, &ss, MHD_OPTION_CONNECTION_LIMIT,
	                        (unsigned)hc->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	                        (unsigned)hc->per_ip_connections * 2, MHD_OPTION_CONNECTION_TIMEOUT,
	                        timeout_s, MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
	                        MHD_OPTION_URI_LOG_CALLBACK, uri_cb, h, MHD_OPTION_NOTIFY_COMPLETED,
	                        completed_cb, h, MHD_OPTION_NOTIFY_CONNECTION, http_guard_notify,
	                        h->guard, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)hc->threads,
	                        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536, MHD_OPTION_ARRAY,
	                        hc->tls_cert ? tls_opts : tls_opts + 2, MHD_OPTION_END);
}

struct http_server *http_start(const struct config *cfg, struct audit *audit, char *err,
                               size_t errlen)
{
	struct http_config defaults;
	http_config_defaults(&defaults);
	const struct http_config *hc = cfg->http ? cfg->http : &defaults;
	char pbuf[PATH_MAX];
	struct http_server *h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_rwlock_init(&h->cfg_lock, NULL);
	pthread_mutex_init(&h->pool_lock, NULL);
	pthread_mutex_init(&h->audit_lock, NULL);
	h->cfg = cfg;
	h->audit = audit;
	h->db_path = strdup(cfg->storage.path);
	if (hc->web_dir)
		snprintf(h->web_dir, sizeof(h->web_dir), "%s",
		         resolve(cfg, hc->web_dir, pbuf, sizeof(pbuf)));
	else
		default_web_dir(h->web_dir, sizeof(h->web_dir));
	if (load_files(h, cfg, hc, err, errlen) < 0)
		goto fail;
	h->snap = http_snap_start(h, err, errlen);
	if (!h->snap)
		goto fail;
	h->floor = http_floor_start(h, err, errlen);
	if (!h->floor)
		goto fail;
	h->guard =
	        http_guard_new(hc->max_connections, hc->per_ip_connections, hc->request_timeout_ms);
	/* Eight queued requests per worker: more waiting than that is answered 503 at once. */
	h->work = h->guard ? http_work_start(h, hc->api_workers, hc->api_workers * 8, err, errlen)
	                   : NULL;
	if (!h->work) {
		if (!h->guard)
			snprintf(err, errlen, "cannot start the connection guard");
		goto fail;
	}
	h->mhd = start_mhd(h, hc);
	if (!h->mhd) {
		snprintf(err, errlen,
		         "cannot listen on %s port %u (in use, or a bad TLS key/cert?)", hc->listen,
		         hc->port);
		goto fail;
	}
	return h;
fail:
	http_stop(h);
	return NULL;
}

void http_set_config(struct http_server *h, const struct config *cfg)
{
	if (!h)
		return;
	pthread_rwlock_wrlock(&h->cfg_lock);
	h->cfg = cfg;
	pthread_rwlock_unlock(&h->cfg_lock);
	http_floor_kick(h->floor); /* its figures were computed with the old config */
}

void http_stop(struct http_server *h)
{
	if (!h)
		return;
	/* The background threads are asked first, so a long computation or lookup of theirs
	 * gives up while the rest stops (their data stay valid until they are joined below).
	 * The workers first: they answer what is queued and resume those connections, which
	 * libmicrohttpd needs before it stops. Then the guard, once every close is reported. */
	http_floor_halt(h->floor);
	http_snap_halt(h->snap);
	http_work_stop(h->work);
	if (h->mhd)
		MHD_stop_daemon(h->mhd);
	http_guard_free(h->guard);
	http_floor_stop(h->floor);
	http_snap_stop(h->snap);
	for (unsigned i = 0; i < h->npool; i++)
		store_reader_close(h->pool[i]);
	free(h->tls_cert_pem);
	if (h->tls_key_pem)
		explicit_bzero(h->tls_key_pem, HTTP_MAX_KEY);
	free(h->tls_key_pem);
	free((char *)h->db_path);
	pthread_rwlock_destroy(&h->cfg_lock);
	pthread_mutex_destroy(&h->pool_lock);
	pthread_mutex_destroy(&h->audit_lock);
	free(h);
}
