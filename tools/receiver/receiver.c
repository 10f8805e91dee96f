/*
 * receiver: the reference central endpoint for greendc sites. Accepts POSTed JSON (reports,
 * summaries, alerts) signed per Standard Webhooks, verifies the signature and the timestamp
 * (more than --tolerance seconds of skew, default 300, is rejected), deduplicates by
 * webhook-id, and stores each message once in SQLite. GET /sites lists every site with its
 * latest PUE and GB 40879 grade (JSON; /sites.html for people). Every request is appended to
 * --request-log as "<ms> <method> <webhook-id> <status> <reason>" so tests can assert what
 * arrived when. Test aids: --reply-429 N answers the first N POSTs 429 with Retry-After;
 * --down-file F answers 503 while F exists; --delay-ms slows every answer.
 *
 *   receiver --port 8480 --db central.db --secret-file central.key [--listen 127.0.0.1]
 *            [--tls-cert cert.pem --tls-key key.pem] [--request-log FILE]
 *
 * Libraries: libmicrohttpd, SQLite, cJSON; the signature check is src/whsign.c.
 */
#include "core/secretfile.h"
#include "delivery/whsign.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BODY (4 * 1024 * 1024)

struct app {
	sqlite3 *db;
	uint8_t key[WHSIGN_MAX_KEY];
	size_t keylen;
	long tolerance;
	FILE *reqlog;
	long reply_429;
	long retry_after;
	const char *down_file; /* while it exists, every POST gets 503 (an outage, for tests) */
	long delay_ms;         /* before answering a POST (a slow link, for tests) */
};

struct conn {
	char *buf;
	size_t len, cap;
	bool too_big;
};

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	if (b)
		b[n] = '\0';
	fclose(f);
	return b;
}

static void reqlog(struct app *a, const char *method, const char *id, unsigned status,
                   const char *why)
{
	if (!a->reqlog)
		return;
	fprintf(a->reqlog, "%lld %s %s %u %s\n", (long long)now_ms(), method, id && *id ? id : "-",
	        status, why);
	fflush(a->reqlog);
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             const char *body, const char *retry_after)
{
	struct MHD_Response *r =
	        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	if (retry_after)
		MHD_add_response_header(r, "Retry-After", retry_after);
	enum MHD_Result rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Store one verified message. 1 stored, 0 duplicate, -1 error. */
static int store_msg(struct app *a, const char *id, const char *body, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(body, len);
	const cJSON *site = j ? cJSON_GetObjectItemCaseSensitive(j, "site") : NULL;
	const char *site_id = site ? jstr(site, "id") : NULL;
	const char *site_name = site ? jstr(site, "name") : NULL;
	const char *type = j ? jstr(j, "type") : NULL;
	/* Figures the site listing shows: a report's PUE and grade. */
	double pue = -1;
	int grade = -1;
	const char *period = NULL;
	if (j && type && strcmp(type, "report") == 0) {
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(j, "kpi");
		const cJSON *p = k ? cJSON_GetObjectItemCaseSensitive(k, "pue") : NULL;
		if (cJSON_IsNumber(p))
			pue = p->valuedouble;
		const cJSON *g = cJSON_GetObjectItemCaseSensitive(j, "gb40879");
		const cJSON *gg = g ? cJSON_GetObjectItemCaseSensitive(g, "grade") : NULL;
		if (!cJSON_IsNumber(gg)) /* a month: the indicative grade */
			gg = g ? cJSON_GetObjectItemCaseSensitive(g, "indicative_grade") : NULL;
		if (cJSON_IsNumber(gg))
			grade = gg->valueint;
		const cJSON *per = cJSON_GetObjectItemCaseSensitive(j, "period");
		period = per ? jstr(per, "label") : NULL;
	}
	sqlite3_stmt *q;
	int rc =
	        sqlite3_prepare_v2(a->db,
	                           "INSERT INTO messages(webhook_id, site, site_name, type, "
	                           "received_ms, body, pue, grade, period) VALUES (?1, ?2, ?3, ?4, "
	                           "?5, ?6, ?7, ?8, ?9) ON CONFLICT(webhook_id) DO NOTHING",
	                           -1, &q, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, site_id ? site_id : "", -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 3, site_name ? site_name : "", -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 4, type ? type : "", -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(q, 5, now_ms());
		sqlite3_bind_text(q, 6, body, (int)len, SQLITE_STATIC);
		if (pue > 0)
			sqlite3_bind_double(q, 7, pue);
		if (grade >= 0)
			sqlite3_bind_int(q, 8, grade);
		if (period)
			sqlite3_bind_text(q, 9, period, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(q);
		sqlite3_finalize(q);
	}
	cJSON_Delete(j);
	if (rc != SQLITE_DONE)
		return -1;
	return sqlite3_changes(a->db) > 0 ? 1 : 0;
}

static enum MHD_Result handle_post(struct app *a, struct MHD_Connection *c, struct conn *cn)
{
	const char *id = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "webhook-id");
	const char *ts = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "webhook-timestamp");
	const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "webhook-signature");
	if (cn->too_big) {
		reqlog(a, "POST", id, 413, "too-large");
		return reply(c, 413, "text/plain", "too large\n", NULL);
	}
	if (a->delay_ms > 0) {
		struct timespec t = {a->delay_ms / 1000, (a->delay_ms % 1000) * 1000000L};
		nanosleep(&t, NULL);
	}
	if (a->down_file && access(a->down_file, F_OK) == 0) {
		reqlog(a, "POST", id, 503, "down");
		return reply(c, 503, "text/plain", "down for maintenance\n", NULL);
	}
	if (a->reply_429 > 0) {
		a->reply_429--;
		char ra[24];
		snprintf(ra, sizeof(ra), "%ld", a->retry_after);
		reqlog(a, "POST", id, 429, "test-429");
		return reply(c, 429, "text/plain", "slow down\n", ra);
	}
	int v = whsign_std_verify(a->key, a->keylen, id, ts, cn->buf ? cn->buf : "", cn->len, sig,
	                          now_ms() / 1000, a->tolerance);
	if (v == -ETIME) {
		reqlog(a, "POST", id, 400, "stale-timestamp");
		return reply(c, 400, "text/plain", "timestamp outside tolerance\n", NULL);
	}
	if (v == -EINVAL) {
		reqlog(a, "POST", id, 400, "bad-headers");
		return reply(c, 400, "text/plain", "missing or malformed webhook headers\n", NULL);
	}
	if (v < 0) {
		reqlog(a, "POST", id, 401, "bad-signature");
		return reply(c, 401, "text/plain", "bad signature\n", NULL);
	}
	int s = store_msg(a, id, cn->buf ? cn->buf : "", cn->len);
	if (s < 0) {
		reqlog(a, "POST", id, 500, "db-error");
		return reply(c, 500, "text/plain", "cannot store\n", NULL);
	}
	/* A duplicate is a success: the sender may delete it; it is stored once. */
	reqlog(a, "POST", id, 200, s ? "stored" : "duplicate");
	return reply(c, 200, "application/json",
	             s ? "{\"stored\":true}\n" : "{\"stored\":false,\"duplicate\":true}\n", NULL);
}

/* The sites with their latest report figures and when they were last heard from. */
static char *sites_json(struct app *a)
{
	cJSON *arr = cJSON_CreateArray();
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(
	            a->db,
	            "SELECT m.site, max(m.site_name), max(m.received_ms), count(*), "
	            "(SELECT pue FROM messages r WHERE r.site = m.site AND r.pue IS NOT NULL "
	            " ORDER BY r.received_ms DESC LIMIT 1), "
	            "(SELECT grade FROM messages r WHERE r.site = m.site AND r.pue IS NOT NULL "
	            " ORDER BY r.received_ms DESC LIMIT 1), "
	            "(SELECT period FROM messages r WHERE r.site = m.site AND r.pue IS NOT NULL "
	            " ORDER BY r.received_ms DESC LIMIT 1) "
	            "FROM messages m GROUP BY m.site ORDER BY m.site",
	            -1, &q, NULL) == SQLITE_OK) {
		while (sqlite3_step(q) == SQLITE_ROW) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "site", (const char *)sqlite3_column_text(q, 0));
			cJSON_AddStringToObject(o, "name", (const char *)sqlite3_column_text(q, 1));
			cJSON_AddNumberToObject(o, "last_received_ms",
			                        (double)sqlite3_column_int64(q, 2));
			cJSON_AddNumberToObject(o, "messages", sqlite3_column_int(q, 3));
			if (sqlite3_column_type(q, 4) != SQLITE_NULL) {
				cJSON_AddNumberToObject(o, "pue", sqlite3_column_double(q, 4));
				cJSON_AddStringToObject(o, "period",
				                        (const char *)sqlite3_column_text(q, 6));
			} else {
				cJSON_AddNullToObject(o, "pue");
			}
			if (sqlite3_column_type(q, 5) != SQLITE_NULL)
				cJSON_AddNumberToObject(o, "gb40879_grade",
				                        sqlite3_column_int(q, 5));
			else
				cJSON_AddNullToObject(o, "gb40879_grade");
			cJSON_AddItemToArray(arr, o);
		}
		sqlite3_finalize(q);
	}
	char *s = cJSON_Print(arr);
	cJSON_Delete(arr);
	return s;
}

static void html_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else
			fputc(*s, f);
	}
}

static char *sites_html(struct app *a)
{
	char *js = sites_json(a), *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	cJSON *arr = cJSON_Parse(js ? js : "[]");
	free(js);
	fputs("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>greendc sites "
	      "站点</title><table border=1 cellpadding=4><tr><th>site 站点</th><th>name 名称</th>"
	      "<th>PUE</th><th>period 期间</th><th>GB 40879 grade "
	      "等级</th><th>messages</th></tr>\n",
	      f);
	const cJSON *o;
	cJSON_ArrayForEach(o, arr)
	{
		const cJSON *p = cJSON_GetObjectItem(o, "pue"),
		            *g = cJSON_GetObjectItem(o, "gb40879_grade");
		fputs("<tr><td>", f);
		html_escape(f, jstr(o, "site"));
		fputs("</td><td>", f);
		html_escape(f, jstr(o, "name"));
		fputs("</td><td>", f);
		if (cJSON_IsNumber(p))
			fprintf(f, "%.2f", p->valuedouble);
		else
			fputs("-", f);
		fputs("</td><td>", f);
		html_escape(f, jstr(o, "period"));
		fputs("</td><td>", f);
		if (cJSON_IsNumber(g))
			fprintf(f, "%d", g->valueint);
		else
			fputs("-", f);
		fprintf(f, "</td><td>%d</td></tr>\n", cJSON_GetObjectItem(o, "messages")->valueint);
	}
	fputs("</table></html>\n", f);
	fclose(f);
	cJSON_Delete(arr);
	return out;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
	struct app *a = cls;
	(void)version;
	if (strcmp(method, "POST") == 0) {
		struct conn *cn = *con_cls;
		if (!cn) {
			cn = calloc(1, sizeof(*cn));
			if (!cn)
				return MHD_NO;
			*con_cls = cn;
			return MHD_YES;
		}
		if (*upload_size) {
			if (cn->len + *upload_size > MAX_BODY) {
				cn->too_big = true;
			} else {
				if (cn->len + *upload_size + 1 > cn->cap) {
					size_t nc = (cn->len + *upload_size + 1) * 2;
					char *nb = realloc(cn->buf, nc);
					if (!nb)
						return MHD_NO;
					cn->buf = nb;
					cn->cap = nc;
				}
				memcpy(cn->buf + cn->len, upload, *upload_size);
				cn->len += *upload_size;
				cn->buf[cn->len] = '\0';
			}
			*upload_size = 0;
			return MHD_YES;
		}
		return handle_post(a, c, cn);
	}
	if (strcmp(method, "GET") == 0) {
		reqlog(a, "GET", url, 200, "list");
		if (strcmp(url, "/sites") == 0 || strcmp(url, "/sites.json") == 0) {
			char *s = sites_json(a);
			enum MHD_Result r = reply(c, 200, "application/json", s ? s : "[]", NULL);
			free(s);
			return r;
		}
		if (strcmp(url, "/") == 0 || strcmp(url, "/sites.html") == 0) {
			char *s = sites_html(a);
			enum MHD_Result r =
			        reply(c, 200, "text/html; charset=utf-8", s ? s : "", NULL);
			free(s);
			return r;
		}
		return reply(c, 404, "text/plain", "not found\n", NULL);
	}
	return reply(c, 405, "text/plain", "method not allowed\n", NULL);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	struct conn *cn = *con_cls;
	if (cn) {
		free(cn->buf);
		free(cn);
		*con_cls = NULL;
	}
}

static const char schema[] = "CREATE TABLE IF NOT EXISTS messages(\n"
                             "  seq INTEGER PRIMARY KEY,       -- arrival order\n"
                             "  webhook_id TEXT NOT NULL UNIQUE,\n"
                             "  site TEXT NOT NULL, site_name TEXT, type TEXT,\n"
                             "  received_ms INTEGER NOT NULL,\n"
                             "  body TEXT NOT NULL,\n"
                             "  pue REAL, grade INTEGER, period TEXT\n"
                             ");\n";

static void usage(FILE *f)
{
	fprintf(f, "usage: receiver --port N --db FILE --secret-file FILE [--listen ADDR]\n"
	           "         [--tls-cert PEM --tls-key PEM] [--request-log FILE]\n"
	           "         [--tolerance SECONDS] [--reply-429 N [--retry-after SECONDS]]\n"
	           "         [--down-file FILE] [--delay-ms MS]   (test aids: 503 while FILE "
	           "exists; slow answers)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"port", required_argument, NULL, 'p'},
	                                     {"db", required_argument, NULL, 'd'},
	                                     {"secret-file", required_argument, NULL, 's'},
	                                     {"listen", required_argument, NULL, 'l'},
	                                     {"tls-cert", required_argument, NULL, 'c'},
	                                     {"tls-key", required_argument, NULL, 'k'},
	                                     {"request-log", required_argument, NULL, 'r'},
	                                     {"tolerance", required_argument, NULL, 't'},
	                                     {"reply-429", required_argument, NULL, 'q'},
	                                     {"retry-after", required_argument, NULL, 'a'},
	                                     {"down-file", required_argument, NULL, 'D'},
	                                     {"delay-ms", required_argument, NULL, 'w'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *dbpath = NULL, *secret_file = NULL, *listen_addr = "127.0.0.1", *cert = NULL,
	           *key = NULL, *rlog = NULL;
	long port = 0;
	struct app a = {.tolerance = 300, .retry_after = 2};
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			port = strtol(optarg, NULL, 10);
			break;
		case 'd':
			dbpath = optarg;
			break;
		case 's':
			secret_file = optarg;
			break;
		case 'l':
			listen_addr = optarg;
			break;
		case 'c':
			cert = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'r':
			rlog = optarg;
			break;
		case 't':
			a.tolerance = strtol(optarg, NULL, 10);
			break;
		case 'q':
			a.reply_429 = strtol(optarg, NULL, 10);
			break;
		case 'a':
			a.retry_after = strtol(optarg, NULL, 10);
			break;
		case 'D':
			a.down_file = optarg;
			break;
		case 'w':
			a.delay_ms = strtol(optarg, NULL, 10);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (port <= 0 || port > 65535 || !dbpath || !secret_file || (!cert != !key)) {
		usage(stderr);
		return 2;
	}
	char secret[512], err[512];
	if (secretfile_read_line(secret_file, secret, sizeof(secret), err, sizeof(err)) < 0) {
		fprintf(stderr, "receiver: %s\n", err);
		return 1;
	}
	int kl = whsign_secret_key(secret, a.key, sizeof(a.key));
	if (kl <= 0) {
		fprintf(stderr, "receiver: %s: not a usable key\n", secret_file);
		return 1;
	}
	a.keylen = (size_t)kl;
	if (sqlite3_open(dbpath, &a.db) != SQLITE_OK ||
	    sqlite3_exec(a.db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL", NULL, NULL,
	                 NULL) != SQLITE_OK ||
	    sqlite3_exec(a.db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "receiver: %s: %s\n", dbpath, sqlite3_errmsg(a.db));
		return 1;
	}
	sqlite3_busy_timeout(a.db, 5000);
	if (rlog && !(a.reqlog = fopen(rlog, "a"))) {
		fprintf(stderr, "receiver: %s: %s\n", rlog, strerror(errno));
		return 1;
	}
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (inet_pton(AF_INET, listen_addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "receiver: --listen: an IPv4 address, please\n");
		return 2;
	}
	char *cert_pem = NULL, *key_pem = NULL;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	if (cert) {
		cert_pem = read_file(cert);
		key_pem = read_file(key);
		if (!cert_pem || !key_pem) {
			fprintf(stderr, "receiver: cannot read the TLS certificate or key\n");
			return 1;
		}
		flags |= MHD_USE_TLS;
	}
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	struct MHD_Daemon *d;
	if (cert)
		d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handler, &a,
		                     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		                     MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
		                     MHD_OPTION_HTTPS_MEM_CERT, cert_pem, MHD_OPTION_HTTPS_MEM_KEY,
		                     key_pem, MHD_OPTION_END);
	else
		d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handler, &a,
		                     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		                     MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "receiver: cannot listen on %s:%ld\n", listen_addr, port);
		return 1;
	}
	printf("receiver: listening on %s://%s:%ld/\n", cert ? "https" : "http", listen_addr, port);
	fflush(stdout);
	int sig = 0;
	sigwait(&sigs, &sig);
	MHD_stop_daemon(d);
	if (a.reqlog)
		fclose(a.reqlog);
	sqlite3_close(a.db);
	free(cert_pem);
	free(key_pem);
	return 0;
}
