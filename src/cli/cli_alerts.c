/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `greendc alerts [--recent N] [--format table|json]`: active alerts (identities whose newest
 * event is alert_firing) and the N newest transitions, read through the store's reader
 * (store_alerts_list, shared with /api/v1/alerts).
 */
#include "cli/cli_alerts.h"
#include "core/timeutil.h"

#include "delivery/summary.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *jget(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItem(o, a);
	if (b)
		v = cJSON_GetObjectItem(v, b);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static void row(const char *detail, int64_t ts, bool json, cJSON *arr)
{
	cJSON *j = cJSON_Parse(detail);
	if (!j)
		return;
	if (json) {
		cJSON_AddNumberToObject(j, "event_ms", (double)ts);
		cJSON_AddItemToArray(arr, j);
		return;
	}
	char when[32];
	time_format_utc(ts, when, sizeof(when));
	printf("%-20s  %-8s  %-20s  %-8s  %s\n", when, jget(j, "status", NULL),
	       jget(j, "labels", "alertname"), jget(j, "labels", "severity"),
	       jget(j, "annotations", "summary"));
	cJSON_Delete(j);
}

struct list_ctx {
	bool json;
	cJSON *active, *recent;
	int nactive, nrecent;
	bool heading; /* printed "recent:" yet (table format) */
};

static int list_cb(void *ctx, bool active, int64_t ts, const char *detail)
{
	struct list_ctx *l = ctx;
	if (!active && !l->json && !l->heading) {
		if (l->nactive == 0)
			printf("  (none)\n");
		printf("recent:\n");
		l->heading = true;
	}
	if (active)
		l->nactive++;
	else
		l->nrecent++;
	row(detail, ts, l->json, active ? l->active : l->recent);
	return 0;
}

int cli_alerts_main(int argc, char **argv, const struct cli_ctx *ctx)
{
	static const struct option opts[] = {{"recent", required_argument, NULL, 'n'},
	                                     {"format", required_argument, NULL, 'f'},
	                                     {NULL, 0, NULL, 0}};
	const char *dbpath = ctx->db;
	int recent = 20, c;
	bool json = false;
	optind = 0; /* GNU getopt: reinitialise, then scan from argv[1] */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			recent = atoi(optarg);
			break;
		case 'f':
			json = strcmp(optarg, "json") == 0;
			if (!json && strcmp(optarg, "table") != 0) {
				fprintf(stderr, "greendc alerts: --format table or json\n");
				return 2;
			}
			break;
		default:
			cli_help(ctx->cmd, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		cli_help(ctx->cmd, stderr);
		return 2;
	}
	char err[256];
	struct store_reader *r = store_reader_open(dbpath, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "greendc alerts: %s\n", err);
		return 1;
	}
	struct list_ctx l = {.json = json};
	cJSON *out = json ? cJSON_CreateObject() : NULL;
	if (json) {
		l.active = cJSON_AddArrayToObject(out, "active");
		l.recent = cJSON_AddArrayToObject(out, "recent");
	} else {
		printf("active:\n");
	}
	int rc = store_alerts_list(r, recent, list_cb, &l);
	store_reader_close(r);
	if (rc < 0) {
		fprintf(stderr, "greendc alerts: %s: %s\n", dbpath, strerror(-rc));
		cJSON_Delete(out);
		return 1;
	}
	if (!json && !l.heading) {
		if (l.nactive == 0)
			printf("  (none)\n");
		printf("recent:\n");
	}
	if (!json && l.nrecent == 0)
		printf("  (none)\n");
	if (json) {
		char *txt = cJSON_Print(out);
		puts(txt ? txt : "{}");
		free(txt);
		cJSON_Delete(out);
	}
	return 0;
}
