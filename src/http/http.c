/*
 * The daemon's HTTP server on libmicrohttpd (see http.h): binding, TLS, limits, the bearer
 * token, routing to /metrics, /api/v1/ and the dashboard's static files, ETags and security
 * headers. The API itself is in http_api.c, the /metrics snapshot in http_snap.c.
 */
#include "config/config.h"
#include "core/audit.h"
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

#if MHD_VERSION < 0x00097002
typedef int MHD_RESULT;
#else
typedef enum MHD_Result MHD_RESULT;
#endif

static const char CSP[] = "default-src 'self'";

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

static char *read_small(const char *path, size_t max, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	char *buf = malloc(max + 1);
	size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
	fclose(f);
	if (!buf || n > max) {
		snprintf(err, errlen, "%s: %s", path, buf ? "too large" : "out of memory");
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

/* Token check for data endpoints. Failures are audited (at most 30 a minute, so a flood
 * cannot fill the disk); a success is audited once per client address per hour. */
static bool authorized(struct http_server *h, struct MHD_Connection *c, const char *url)
{
	if (!h->need_token)
		return true;
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	bool ok = false;
	if (auth && strncmp(auth, "Bearer ", 7) == 0) {
		uint8_t d[SHA256_LEN];
		sha256(auth + 7, strlen(auth + 7), d);
		ok = sha256_equal(d, h->token_hash);
	}
	char ip[64], subject[96];
	client_ip(c, ip, sizeof(ip));
	snprintf(subject, sizeof(subject), "http client %s", ip);
	int64_t now = util_mono_ms();
	bool record = false;
	pthread_mutex_lock(&h->audit_lock);
	if (!ok) {
		if (now - h->reject_window_ms > 60000) {
			h->reject_window_ms = now;
			h->reject_count = 0;
		}
		record = h->reject_count++ < 30;
	} else {
		size_t oldest = 0;
		record = true;
		for (size_t i = 0; i < sizeof(h->seen) / sizeof(h->seen[0]); i++) {
			if (strcmp(h->seen[i].ip, ip) == 0) {
				record = now - h->seen[i].at_ms > 3600000;
				oldest = i;
				break;
			}
			if (h->seen[i].at_ms < h->seen[oldest].at_ms)
				oldest = i;
		}
		if (record) {
			snprintf(h->seen[oldest].ip, sizeof(h->seen[oldest].ip), "%s", ip);
			h->seen[oldest].at_ms = now;
		}
	}
	pthread_mutex_unlock(&h->audit_lock);
	if (record)
		audit_record(h->audit, "api_token", subject, url,
		             ok     ? "ok"
		             : auth ? "rejected: wrong token"
		                    : "rejected: no token");
	return ok;
}

static void common_headers(struct MHD_Response *r, const char *type)
{
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Content-Security-Policy", CSP);
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
}

static MHD_RESULT send_buf(struct MHD_Connection *c, unsigned status, const char *type, char *body,
                           size_t len, bool etag, const char *extra_k, const char *extra_v)
{
	char tag[40] = "";
	if (etag && status == 200) {
		uint8_t d[SHA256_LEN];
		char hex[2 * SHA256_LEN + 1];
		sha256(body, len, d);
		sha256_hex(d, hex);
		snprintf(tag, sizeof(tag), "\"%.24s\"", hex);
		const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
		if (inm && strcmp(inm, tag) == 0) {
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
	if (tag[0])
		MHD_add_response_header(r, "ETag", tag);
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
	return send_buf(c, status, "application/json", b.s, b.len, false,
	                status == 401 ? "WWW-Authenticate" : NULL, "Bearer realm=\"greendc\"");
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

static const char *get_arg(void *ctx, const char *k)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, k);
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

static MHD_RESULT name_cb(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	(void)value;
	sbuf_puts(cls, key);
	sbuf_puts(cls, "\n");
	return MHD_YES;
}

static MHD_RESULT handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                          const char *version, const char *upload, size_t *upload_size,
                          void **state)
{
	struct http_server *h = cls;
	(void)version;
	(void)upload;
	/* GET/HEAD only: anything else is answered on the first call, before any body is read
	 * (MHD then closes the connection instead of reading an upload nobody wants). */
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return send_error(c, 405, "method not allowed");
	if (!*state) { /* headers only so far; answer on the next call */
		*state = (void *)1;
		return MHD_YES;
	}
	if (*upload_size) /* a GET with a body: the body is ignored */
		*upload_size = 0;
	bool api = strncmp(url, "/api/", 5) == 0;
	if (api || strcmp(url, "/metrics") == 0) {
		if (!authorized(h, c, url))
			return send_error(c, 401, "bearer token required");
	}
	if (strcmp(url, "/metrics") == 0) {
		size_t len = 0;
		char *text = http_snap_metrics(h->snap, &len);
		if (!text)
			return send_error(c, 503, "no snapshot yet");
		return send_buf(c, 200, "text/plain; version=0.0.4; charset=utf-8", text, len,
		                false, NULL, NULL);
	}
	if (api) {
		struct http_reply rep = {0};
		struct sbuf names = {0};
		sbuf_puts(&names, "");
		MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, name_cb, &names);
		pthread_rwlock_rdlock(&h->cfg_lock);
		if (!names.oom)
			http_api(h, url, get_arg, c, names.s, &rep);
		pthread_rwlock_unlock(&h->cfg_lock);
		sbuf_free(&names);
		if (!rep.body)
			return send_error(c, 500, "out of memory");
		return send_buf(c, rep.status,
		                rep.content_type ? rep.content_type : "application/json", rep.body,
		                rep.len, true, NULL, NULL);
	}
	return serve_static(h, c, url);
}

static void default_web_dir(char *buf, size_t len)
{
	snprintf(buf, len, "%s", PROFILEDIR);
	char *slash = strrchr(buf, '/');
	if (slash)
		snprintf(slash, len - (size_t)(slash - buf), "/web");
}

struct http_server *http_start(const struct config *cfg, struct audit *audit, char *err,
                               size_t errlen)
{
	static const struct http_config defaults = {.enabled = true,
	                                            .listen = "127.0.0.1",
	                                            .port = 8470,
	                                            .max_connections = 64,
	                                            .per_ip_connections = 16,
	                                            .threads = 2};
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
	if (hc->token_file) {
		const char *tf = resolve(cfg, hc->token_file, pbuf, sizeof(pbuf));
		char *text = read_small(tf, 4096, err, errlen);
		if (!text)
			goto fail;
		text[strcspn(text, " \t\r\n")] = '\0';
		bool ok = sha256_parse_hex(text, h->token_hash);
		free(text);
		if (!ok) {
			snprintf(err, errlen, "%s: expected the token's SHA-256 as 64 hex digits",
			         tf);
			goto fail;
		}
		h->need_token = true;
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY;
	if (hc->tls_cert) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			snprintf(err, errlen, "this libmicrohttpd has no TLS");
			goto fail;
		}
		h->tls_cert_pem = read_small(resolve(cfg, hc->tls_cert, pbuf, sizeof(pbuf)),
		                             1 << 20, err, errlen);
		if (!h->tls_cert_pem)
			goto fail;
		h->tls_key_pem = read_small(resolve(cfg, hc->tls_key, pbuf, sizeof(pbuf)), 1 << 20,
		                            err, errlen);
		if (!h->tls_key_pem)
			goto fail;
		flags |= MHD_USE_TLS;
	}
	struct sockaddr_storage ss = {0};
	const char *listen = strcmp(hc->listen, "localhost") == 0 ? "127.0.0.1" : hc->listen;
	if (strchr(listen, ':')) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)hc->port);
		inet_pton(AF_INET6, listen, &a6->sin6_addr);
		flags |= MHD_USE_IPv6;
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)hc->port);
		inet_pton(AF_INET, listen, &a4->sin_addr);
	}
	h->snap = http_snap_start(h, err, errlen);
	if (!h->snap)
		goto fail;
	struct MHD_OptionItem tls_opts[] = {
	        {MHD_OPTION_HTTPS_MEM_CERT, 0, h->tls_cert_pem},
	        {MHD_OPTION_HTTPS_MEM_KEY, 0, h->tls_key_pem},
	        {MHD_OPTION_END, 0, NULL},
	};
	h->mhd = MHD_start_daemon(
	        flags, (uint16_t)hc->port, NULL, NULL, handler, h, MHD_OPTION_SOCK_ADDR, &ss,
	        MHD_OPTION_CONNECTION_LIMIT, (unsigned)hc->max_connections,
	        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)hc->per_ip_connections,
	        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_UNESCAPE_CALLBACK, unescape,
	        NULL, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)hc->threads,
	        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536, MHD_OPTION_ARRAY,
	        hc->tls_cert ? tls_opts : tls_opts + 2, MHD_OPTION_END);
	if (!h->mhd) {
		snprintf(err, errlen,
		         "cannot listen on %s port %u (in use, or a bad TLS key/cert?)", listen,
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
}

void http_stop(struct http_server *h)
{
	if (!h)
		return;
	if (h->mhd)
		MHD_stop_daemon(h->mhd);
	http_snap_stop(h->snap);
	for (unsigned i = 0; i < h->npool; i++)
		store_reader_close(h->pool[i]);
	free(h->tls_cert_pem);
	free(h->tls_key_pem);
	free((char *)h->db_path);
	pthread_rwlock_destroy(&h->cfg_lock);
	pthread_mutex_destroy(&h->pool_lock);
	pthread_mutex_destroy(&h->audit_lock);
	free(h);
}
