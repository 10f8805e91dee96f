/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rxload: a simulated fleet of greendc sites for greendc-receiver's tests and benchmarks.
 * Every site has a credential derived from a seed (HMAC "whsec_" for most, Ed25519 for every
 * Kth), posts 12 monthly reports (docs/report.schema.json) and N daily summaries signed per
 * Standard Webhooks like greendcd's pusher: a fixed webhook-id per message, re-signed with a
 * fresh timestamp at each attempt, retried with backoff on a transport error, 429 or 5xx
 * (to the next receiver URL when several are given), given up on other answers.
 *
 *   rxload keys --sites N [--seed S] [--ed25519-every K] --out FILE
 *       the sites for `greendc-receiver site import FILE` (mode 0600)
 *   rxload run --url URL[,URL...] --sites N [--seed S] [--ed25519-every K] [--year Y]
 *       [--months 12] [--days 30] [--concurrency C] [--rate R/s] [--time-limit S]
 *       prints one JSON line: messages, acked (stored + duplicates), refused, unsent,
 *       retries, latency percentiles of the acknowledged attempts
 *   rxload get --url URL [--count N] [--concurrency C]
 *       GETs the URL N times and prints latency percentiles (the league table benchmark)
 */
#include "core/timeutil.h"
#include "core/util.h"
#include "delivery/whsign.h"

#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct cfg {
	char *urls[8];
	int nurl;
	long sites, months, days, year, conc, ed_every, limit_s, count;
	double rate;
	const char *seed, *out, *acked_out;
};

struct run {
	const struct cfg *c;
	long total;
	atomic_long next, acked, dups, refused, retries, unsent;
	float *lat_ms; /* per message: the acknowledged attempt's latency, -1 = none */
	int64_t start_ms, stop_ms;
	pthread_mutex_t mu;
	int shown; /* refusals printed */
};

static void site_name(long i, char *out, size_t n)
{
	snprintf(out, n, "site-%05ld", i + 1);
}

/* 32 bytes derived from the seed for (what, site). */
static void derive(const char *seed, const char *what, const char *site, uint8_t out[32])
{
	char msg[128];
	snprintf(msg, sizeof(msg), "%s:%s", what, site);
	whsign_hmac((const uint8_t *)seed, strlen(seed), msg, strlen(msg), out);
}

static bool is_ed(const struct cfg *c, long i)
{
	return c->ed_every > 0 && (i + 1) % c->ed_every == 0; /* site-00010, site-00020, ... */
}

static EVP_PKEY *ed_key(const struct cfg *c, const char *site)
{
	uint8_t k[32];
	derive(c->seed, "ed25519", site, k);
	return EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, k, 32);
}

static int cmd_keys(const struct cfg *c)
{
	FILE *f = fopen(c->out, "w");
	if (!f || chmod(c->out, 0600) < 0) {
		perror(c->out);
		return 1;
	}
	for (long i = 0; i < c->sites; i++) {
		char site[32], b64[64];
		uint8_t k[32];
		site_name(i, site, sizeof(site));
		if (is_ed(c, i)) {
			EVP_PKEY *pk = ed_key(c, site);
			size_t n = 32;
			EVP_PKEY_get_raw_public_key(pk, k, &n);
			EVP_PKEY_free(pk);
			whsign_b64(k, 32, b64, sizeof(b64));
			fprintf(f, "%s\twhpk_%s", site, b64);
		} else {
			derive(c->seed, "hmac", site, k);
			whsign_b64(k, 32, b64, sizeof(b64));
			fprintf(f, "%s\twhsec_%s", site, b64);
		}
		fprintf(f, "\tSite %ld 数据中心\tregion-%ld\n", i + 1, i % 7 + 1);
	}
	return fclose(f) == 0 ? 0 : 1;
}

/* The site's monthly PUE: a fixed level per site plus a seasonal swing. */
static double site_pue(long i, long month)
{
	uint8_t h[32];
	char s[32];
	snprintf(s, sizeof(s), "%ld", i);
	whsign_hmac((const uint8_t *)"pue", 3, s, strlen(s), h);
	return round((1.12 + h[0] / 255.0 * 0.5 + 0.04 * sin(month * 0.52)) * 1000) / 1000;
}

/* Message m (0..total): the site and its j-th message, sites interleaved. */
static int build(const struct run *r, long m, char *site, char *id, size_t idlen, char *body,
                 size_t blen, bool *report)
{
	const struct cfg *c = r->c;
	long i = m % c->sites, j = m / c->sites;
	site_name(i, site, 32);
	/* Generated on the 1st of the next month: a resent message is the same bytes, as
	 * greendcd's outbox resends them. */
	char gen[64];
	if (j < c->months) {
		long mo = j + 1, ny = c->year + (mo == 12), nm = mo == 12 ? 1 : mo + 1;
		double pue = site_pue(i, mo);
		int grade = pue <= 1.2 ? 1 : pue <= 1.3 ? 2 : pue <= 1.5 ? 3 : 0;
		char g[8] = "null";
		if (grade)
			snprintf(g, sizeof(g), "%d", grade);
		*report = true;
		snprintf(gen, sizeof(gen), "%04d-%02d-01T01:00:00Z", (int)(ny % 10000),
		         (int)(nm % 100));
		snprintf(id, idlen, "%s:report:%04ld-%02ld", site, c->year, mo);
		return snprintf(
		               body, blen,
		               "{\"type\":\"report\",\"schema\":\"greendc.report/"
		               "1\",\"kind\":\"monthly\","
		               "\"methodology\":\"greendc-energy/1 (rxload)\",\"generated\":\"%s\","
		               "\"site\":{\"id\":\"%s\",\"name\":\"Site %ld "
		               "数据中心\",\"timezone\":"
		               "\"Asia/Shanghai\"},\"period\":{\"label\":\"%04ld-%02ld\",\"from\":"
		               "\"%04ld-%02ld-01T00:00:00Z\",\"to\":\"%04ld-%02ld-01T00:00:00Z\"},"
		               "\"complete\":true,\"coverage_threshold\":0.95,\"coverage\":0.998,"
		               "\"estimated_share\":0,\"status\":\"OK\",\"missing\":[],\"energy\":{"
		               "\"e_dc_kwh\":%.1f,\"e_it_kwh\":700000,\"category\":%ld,\"category_"
		               "text\":"
		               "\"category %ld\",\"roles\":{}},\"kpi\":{\"pue\":%.3f,\"dcie\":%.2f,"
		               "\"ppue_cooling\":null,\"wue\":null,\"cue\":null,\"erf\":null,"
		               "\"ref\":null,"
		               "\"cer\":null,\"pue_label\":\"PUE%ld, %04ld-%02ld, "
		               "%.2f\"},\"kpi_errors\":{},"
		               "\"co2_factor\":{\"kg_per_kwh\":0.5366,\"source\":\"MEE/"
		               "NBS\",\"year\":2022},"
		               "\"gb40879\":{\"grade\":null,\"indicative_grade\":%s,\"limits\":[1."
		               "2,1.3,1.5],"
		               "\"note\":\"indicative\"},\"free_cooling\":{\"equivalent_full_"
		               "hours\":null,"
		               "\"hours_any\":null},\"setpoints\":{\"source\":\"config\"}}",
		               gen, site, i + 1, c->year, mo, c->year, mo, ny, nm, pue * 700000,
		               i % 3 + 1, i % 3 + 1, pue, 100 / pue, i % 3 + 1, c->year, mo, pue,
		               g) < (int)blen
		               ? 0
		               : -ENOSPC;
	}
	*report = false;
	int64_t from = time_days_from_civil(c->year + 1, 1, 1) * 86400 + (j - c->months) * 86400;
	char f[32], t[32];
	time_t ft = (time_t)from, tt = (time_t)(from + 86400);
	struct tm tmf, tmt; /* gmtime_r: the workers build messages at once */
	strftime(f, sizeof(f), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&ft, &tmf));
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&tt, &tmt));
	snprintf(id, idlen, "%s:summary:%lld", site, (long long)from * 1000);
	return snprintf(body, blen,
	                "{\"type\":\"summary\",\"schema\":\"greendc.summary/1\",\"site\":{\"id\":"
	                "\"%s\",\"name\":\"Site %ld 数据中心\"},\"period\":{\"from\":\"%s\",\"to\":"
	                "\"%s\",\"seconds\":86400},\"devices\":{\"total\":40,\"up\":40,\"down\":0},"
	                "\"samples_stored\":3456000,\"outbox_dropped\":0,\"interim\":null}",
	                site, i + 1, f, t) < (int)blen
	               ? 0
	               : -ENOSPC;
}

struct resp {
	char buf[256];
	size_t len;
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct resp *r = ud;
	size_t k = sz * n, room = sizeof(r->buf) - 1 - r->len;
	memcpy(r->buf + r->len, p, k < room ? k : room);
	r->len += k < room ? k : room;
	r->buf[r->len] = '\0';
	return k;
}

/* The Standard Webhooks signature (and the report's document signature) for one attempt. */
static void sign(const struct run *r, long i, const char *site, const char *id, int64_t ts,
                 const char *body, size_t len, bool report, char *sig, size_t siglen, char *docsig,
                 size_t doclen)
{
	docsig[0] = '\0';
	if (!is_ed(r->c, i)) {
		uint8_t k[32];
		derive(r->c->seed, "hmac", site, k);
		char v[WHSIGN_SIG_LEN];
		whsign_std_sign(k, 32, id, ts, body, len, v);
		snprintf(sig, siglen, "webhook-signature: %s", v);
		return;
	}
	EVP_PKEY *pk = ed_key(r->c, site);
	size_t pre = (size_t)snprintf(NULL, 0, "%s.%lld.", id, (long long)ts);
	char *msg = malloc(pre + len + 1), b64[96];
	uint8_t s[64];
	size_t sl = 64;
	snprintf(msg, pre + 1, "%s.%lld.", id, (long long)ts);
	memcpy(msg + pre, body, len);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_DigestSignInit(ctx, NULL, NULL, NULL, pk);
	EVP_DigestSign(ctx, s, &sl, (const uint8_t *)msg, pre + len);
	whsign_b64(s, 64, b64, sizeof(b64));
	snprintf(sig, siglen, "webhook-signature: v1a,%s", b64);
	if (report) {
		EVP_MD_CTX_reset(ctx);
		EVP_DigestSignInit(ctx, NULL, NULL, NULL, pk);
		sl = 64;
		EVP_DigestSign(ctx, s, &sl, (const uint8_t *)body, len);
		whsign_b64(s, 64, b64, sizeof(b64));
		snprintf(docsig, doclen, "greendc-report-signature: ed25519=%s", b64);
	}
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	free(msg);
}

/* One message until acknowledged, refused, or out of time. */
static void send_one(struct run *r, CURL *cu, long m)
{
	char site[32], id[128], body[4096], sig[160], docsig[160], h_site[64], h_id[160], h_ts[48];
	bool report;
	if (build(r, m, site, id, sizeof(id), body, sizeof(body), &report) < 0)
		abort();
	size_t len = strlen(body);
	long i = m % r->c->sites;
	for (int attempt = 0;; attempt++) {
		if (util_mono_ms() >= r->stop_ms) {
			atomic_fetch_add(&r->unsent, 1);
			return;
		}
		int64_t ts = util_wall_ms() / 1000;
		sign(r, i, site, id, ts, body, len, report, sig, sizeof(sig), docsig,
		     sizeof(docsig));
		snprintf(h_site, sizeof(h_site), "greendc-site: %s", site);
		snprintf(h_id, sizeof(h_id), "webhook-id: %s", id);
		snprintf(h_ts, sizeof(h_ts), "webhook-timestamp: %lld", (long long)ts);
		struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
		h = curl_slist_append(h, "Expect:");
		h = curl_slist_append(h, h_site);
		h = curl_slist_append(h, h_id);
		h = curl_slist_append(h, h_ts);
		h = curl_slist_append(h, sig);
		if (docsig[0])
			h = curl_slist_append(h, docsig);
		struct resp rb = {.len = 0};
		curl_easy_setopt(cu, CURLOPT_URL, r->c->urls[(m + attempt) % r->c->nurl]);
		curl_easy_setopt(cu, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(cu, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(cu, CURLOPT_POSTFIELDSIZE, (long)len);
		curl_easy_setopt(cu, CURLOPT_WRITEDATA, &rb);
		int64_t t0 = util_mono_ms();
		CURLcode rc = curl_easy_perform(cu);
		int64_t t1 = util_mono_ms();
		curl_slist_free_all(h);
		long code = 0;
		if (rc == CURLE_OK)
			curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &code);
		if (code >= 200 && code < 300) {
			atomic_fetch_add(&r->acked, 1);
			if (strstr(rb.buf, "duplicate"))
				atomic_fetch_add(&r->dups, 1);
			r->lat_ms[m] = (float)(t1 - t0);
			return;
		}
		if (rc == CURLE_OK && code != 429 && code < 500) {
			atomic_fetch_add(&r->refused, 1);
			pthread_mutex_lock(&r->mu);
			if (r->shown++ < 5)
				fprintf(stderr, "rxload: %s: %ld %s", id, code, rb.buf);
			pthread_mutex_unlock(&r->mu);
			return;
		}
		atomic_fetch_add(&r->retries, 1);
		util_sleep_ms(attempt < 5 ? 50 << attempt : 1000);
	}
}

static void *worker(void *arg)
{
	struct run *r = arg;
	CURL *cu = curl_easy_init();
	curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(cu, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(cu, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
	curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, on_body);
	for (;;) {
		long m = atomic_fetch_add(&r->next, 1);
		if (m >= r->total)
			break;
		if (r->c->rate > 0) { /* open loop: message m is due at start + m / rate */
			int64_t due = r->start_ms + (int64_t)(m * 1000.0 / r->c->rate);
			if (due >= r->stop_ms) {
				atomic_fetch_add(&r->unsent, 1);
				continue;
			}
			util_sleep_ms(due - util_mono_ms());
		}
		send_one(r, cu, m);
	}
	curl_easy_cleanup(cu);
	return NULL;
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return x < y ? -1 : x > y;
}

/* Percentiles of the non-negative entries of v (sorted in place). */
static void percentiles(float *v, long n, char *out, size_t len)
{
	long k = 0;
	for (long i = 0; i < n; i++)
		if (v[i] >= 0)
			v[k++] = v[i];
	qsort(v, (size_t)k, sizeof(*v), cmp_float);
	if (k == 0) {
		snprintf(out, len, "\"p50_ms\":null,\"p99_ms\":null,\"max_ms\":null");
		return;
	}
	snprintf(out, len, "\"p50_ms\":%.1f,\"p90_ms\":%.1f,\"p99_ms\":%.1f,\"max_ms\":%.1f",
	         v[k / 2], v[(long)(k * 0.9)], v[k * 99 / 100 < k ? k * 99 / 100 : k - 1],
	         v[k - 1]);
}

/* "site<TAB>webhook-id" of every acknowledged message, for the tests' "none lost" check. */
static int write_acked(const struct run *r)
{
	FILE *f = fopen(r->c->acked_out, "w");
	if (!f)
		return -errno;
	char site[32], id[128], body[4096];
	bool report;
	for (long m = 0; m < r->total; m++)
		if (r->lat_ms[m] >= 0 &&
		    build(r, m, site, id, sizeof(id), body, sizeof(body), &report) == 0)
			fprintf(f, "%s\t%s\n", site, id);
	return fclose(f) == 0 ? 0 : -EIO;
}

static int cmd_run(const struct cfg *c)
{
	struct run r = {.c = c, .total = c->sites * (c->months + c->days)};
	pthread_mutex_init(&r.mu, NULL);
	r.lat_ms = malloc(sizeof(float) * (size_t)r.total);
	for (long i = 0; i < r.total; i++)
		r.lat_ms[i] = -1;
	r.start_ms = util_mono_ms();
	r.stop_ms = r.start_ms + c->limit_s * 1000;
	pthread_t th[256];
	long n = c->conc < 256 ? c->conc : 256;
	for (long i = 0; i < n; i++)
		pthread_create(&th[i], NULL, worker, &r);
	for (long i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	double secs = (util_mono_ms() - r.start_ms) / 1000.0;
	long unsent = atomic_load(&r.unsent) +
	              (r.total - (atomic_load(&r.next) < r.total ? atomic_load(&r.next) : r.total));
	char pct[160];
	if (c->acked_out && write_acked(&r) < 0)
		return 1;
	percentiles(r.lat_ms, r.total, pct, sizeof(pct));
	printf("{\"messages\":%ld,\"acked\":%ld,\"duplicates\":%ld,\"refused\":%ld,\"unsent\":%ld,"
	       "\"retries\":%ld,\"seconds\":%.1f,\"per_s\":%.0f,%s}\n",
	       r.total, atomic_load(&r.acked), atomic_load(&r.dups), atomic_load(&r.refused),
	       unsent, atomic_load(&r.retries), secs, atomic_load(&r.acked) / secs, pct);
	free(r.lat_ms);
	return atomic_load(&r.acked) == r.total ? 0 : 3;
}

struct getrun {
	const struct cfg *c;
	atomic_long next;
	float *lat;
	atomic_long bad;
};

static void *get_worker(void *arg)
{
	struct getrun *g = arg;
	CURL *cu = curl_easy_init();
	struct resp rb;
	curl_easy_setopt(cu, CURLOPT_URL, g->c->urls[0]);
	curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(cu, CURLOPT_WRITEDATA, &rb);
	curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
	for (long i; (i = atomic_fetch_add(&g->next, 1)) < g->c->count;) {
		rb.len = 0;
		int64_t t0 = util_mono_ms();
		long code = 0;
		if (curl_easy_perform(cu) == CURLE_OK)
			curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &code);
		g->lat[i] = (float)(util_mono_ms() - t0);
		if (code != 200)
			atomic_fetch_add(&g->bad, 1);
	}
	curl_easy_cleanup(cu);
	return NULL;
}

static int cmd_get(const struct cfg *c)
{
	struct getrun g = {.c = c, .lat = malloc(sizeof(float) * (size_t)c->count)};
	pthread_t th[64];
	long n = c->conc < 64 ? c->conc : 64;
	int64_t t0 = util_mono_ms();
	for (long i = 0; i < n; i++)
		pthread_create(&th[i], NULL, get_worker, &g);
	for (long i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	double secs = (util_mono_ms() - t0) / 1000.0;
	char pct[160];
	percentiles(g.lat, c->count, pct, sizeof(pct));
	printf("{\"requests\":%ld,\"failed\":%ld,\"seconds\":%.1f,%s}\n", c->count,
	       atomic_load(&g.bad), secs, pct);
	free(g.lat);
	return atomic_load(&g.bad) ? 3 : 0;
}

int main(int argc, char **argv)
{
	static const struct option o[] = {
	        {"url", 1, NULL, 'u'},       {"sites", 1, NULL, 's'},
	        {"months", 1, NULL, 'm'},    {"days", 1, NULL, 'd'},
	        {"year", 1, NULL, 'y'},      {"concurrency", 1, NULL, 'c'},
	        {"rate", 1, NULL, 'r'},      {"time-limit", 1, NULL, 't'},
	        {"seed", 1, NULL, 'S'},      {"ed25519-every", 1, NULL, 'e'},
	        {"out", 1, NULL, 'o'},       {"count", 1, NULL, 'n'},
	        {"acked-out", 1, NULL, 'A'}, {NULL, 0, NULL, 0}};
	struct cfg c = {.sites = 10,
	                .months = 12,
	                .days = 30,
	                .year = 2025,
	                .conc = 16,
	                .ed_every = 10,
	                .limit_s = 100,
	                .count = 100,
	                .seed = "greendc-rxload"};
	if (argc < 2) {
		fputs("usage: rxload keys|run|get [options] (see tools/rxload/rxload.c)\n", stderr);
		return 2;
	}
	const char *cmd = argv[1];
	optind = 2;
	int ch;
	while ((ch = getopt_long(argc, argv, "", o, NULL)) != -1) {
		switch (ch) {
		case 'u':
			for (char *save = NULL, *t = strtok_r(optarg, ",", &save); t && c.nurl < 8;
			     t = strtok_r(NULL, ",", &save))
				c.urls[c.nurl++] = t;
			break;
		case 's':
			c.sites = atol(optarg);
			break;
		case 'm':
			c.months = atol(optarg);
			break;
		case 'd':
			c.days = atol(optarg);
			break;
		case 'y':
			c.year = atol(optarg);
			break;
		case 'c':
			c.conc = atol(optarg);
			break;
		case 'r':
			c.rate = atof(optarg);
			break;
		case 't':
			c.limit_s = atol(optarg);
			break;
		case 'S':
			c.seed = optarg;
			break;
		case 'e':
			c.ed_every = atol(optarg);
			break;
		case 'o':
			c.out = optarg;
			break;
		case 'n':
			c.count = atol(optarg);
			break;
		case 'A':
			c.acked_out = optarg;
			break;
		default:
			return 2;
		}
	}
	if (c.sites < 1 || c.months < 0 || c.months > 12 || c.days < 0 || c.conc < 1)
		return 2;
	/* A receiver killed mid-request must cost a retry, not this process. */
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (strcmp(cmd, "keys") == 0 && c.out)
		return cmd_keys(&c);
	if (strcmp(cmd, "run") == 0 && c.nurl)
		return cmd_run(&c);
	if (strcmp(cmd, "get") == 0 && c.nurl)
		return cmd_get(&c);
	fputs("rxload: keys needs --out, run and get need --url\n", stderr);
	return 2;
}
