/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for what the HTTP server takes from the network before any store read:
 * the /api/v1/ routing and every parameter parser behind it (http_api in src/http/http_api.c,
 * run as the API workers run it), plus the pure helpers of src/http/http_util.h (static path
 * safety, the bearer header, the token hash, the downsampling step).
 *
 * Input: the first line is the path ("/api/v1/query"); each further line is one query
 * parameter "key=value" (at most HTTP_MAX_ARGS, as the server allows). The server behind it
 * has a small config (site, one device, an energy model) and an empty store in a private
 * temporary folder.
 *
 * What must hold besides "no sanitizer finding": every request gets a status from 200 to 599
 * and a body; a JSON body parses; an unknown path is a 404; a bad parameter never reaches
 * the store (a 400 is answered before); the static path check refuses "..".
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "daemon/sections.h"
#include "fuzz_yaml_common.h"
#include "http/http_internal.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct http_server *server(void)
{
	static struct http_server *h;
	static const char yaml[] =
	        "site: {id: fz, timezone: UTC}\n"
	        "storage: {path: fz.db}\n"
	        "devices:\n"
	        "  - {name: m1, driver: modbus, address: 'tcp://127.0.0.1:1', profile: "
	        "test/two-types,"
	        " labels: {role: utility}}\n"
	        "energy:\n  co2: {kg_per_kwh: 0.5366, source: fuzz fixture, year: 2022}\n"
	        "  roles:\n    facility_input:\n      - {device: m1, metric: energy_kwh}\n"
	        "    it_pdu_output:\n      - {device: m1, metric: energy_kwh}\n";
	if (h)
		return h;
	const char *path = fz_setup("greendc");
	struct config_diag diag = {0};
	char err[256];
	fz_write(path, yaml, sizeof(yaml) - 1);
	struct config *cfg = greendc_config_load(path, &diag);
	if (!cfg) {
		fprintf(stderr, "fuzz_http_params: %s", diag.text);
		abort();
	}
	struct store_opts so = {.path = cfg->storage.path, .commit_ms = 100, .queue_cap = 1024};
	struct store *st = store_open(&so, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "fuzz_http_params: %s\n", err);
		abort();
	}
	store_close(st);
	h = calloc(1, sizeof(*h));
	if (!h)
		abort();
	pthread_rwlock_init(&h->cfg_lock, NULL);
	pthread_mutex_init(&h->pool_lock, NULL);
	pthread_mutex_init(&h->audit_lock, NULL);
	h->cfg = cfg;
	h->db_path = cfg->storage.path;
	return h;
}

struct args {
	const char *k[HTTP_MAX_ARGS], *v[HTTP_MAX_ARGS];
	size_t n;
};

static const char *get_arg(void *ctx, const char *k)
{
	const struct args *a = ctx;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->k[i], k) == 0)
			return a->v[i];
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_server *h = server();
	char *s = malloc(size + 1);
	struct args a = {0};
	struct sbuf names = {0};
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	char *path = s, *nl = strchr(s, '\n');
	if (nl)
		*nl = '\0';
	for (char *line = nl ? nl + 1 : NULL; line && a.n < HTTP_MAX_ARGS;) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *eq = strchr(line, '=');
		if (eq)
			*eq = '\0';
		a.k[a.n] = line;
		a.v[a.n] = eq ? eq + 1 : "";
		sbuf_puts(&names, line);
		sbuf_puts(&names, "\n");
		a.n++;
		line = next;
	}
	sbuf_puts(&names, "");

	/* The pure helpers on the same text. */
	if (http_path_safe(path) && strstr(path, "/../"))
		abort();
	const char *tok = http_bearer_token(path);
	if (tok && (!*tok || tok < path || tok > path + strlen(path)))
		abort();
	uint8_t hash[32];
	char why[256];
	(void)http_token_hash_parse(path, hash, why, sizeof(why));

	struct http_reply rep = {0};
	if (strncmp(path, "/api/", 5) == 0 && !names.oom) {
		http_api(h, path, get_arg, &a, names.s, &rep);
		if (rep.status < 200 || rep.status > 599 || !rep.body)
			abort();
		if (rep.content_type && strcmp(rep.content_type, "application/json") == 0) {
			cJSON *j = cJSON_Parse(rep.body);
			if (!j)
				abort();
			cJSON_Delete(j);
		}
		if (strncmp(path, "/api/v1", 7) != 0 && rep.status != 404)
			abort();
	}
	free(rep.body);
	sbuf_free(&names);
	free(s);
	return 0;
}
