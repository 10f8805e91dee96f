/*
 * `greendc alerts [--recent N] [--format table|json]`: active alerts (fingerprints whose
 * newest event is alert_firing) and the N newest transitions, from the events table, on a
 * read-only connection.
 */
#include "cli_alerts.h"

#include "summary.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <sqlite3.h>
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
	summary_iso8601(ts, when, sizeof(when));
	printf("%-20s  %-8s  %-20s  %-8s  %s\n", when, jget(j, "status", NULL),
	       jget(j, "labels", "alertname"), jget(j, "labels", "severity"),
	       jget(j, "annotations", "summary"));
	cJSON_Delete(j);
}

static int list(sqlite3 *db, const char *sql, int limit, bool json, cJSON *arr)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
		fprintf(stderr, "greendc alerts: %s\n", sqlite3_errmsg(db));
		return -1;
	}
	if (limit > 0)
		sqlite3_bind_int(q, 1, limit);
	int n = 0;
	while (sqlite3_step(q) == SQLITE_ROW) {
		row((const char *)sqlite3_column_text(q, 1), sqlite3_column_int64(q, 0), json, arr);
		n++;
	}
	sqlite3_finalize(q);
	return n;
}

int cli_alerts_main(int argc, char **argv, const char *dbpath)
{
	static const struct option opts[] = {{"recent", required_argument, NULL, 'n'},
	                                     {"format", required_argument, NULL, 'f'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	int recent = 20, c;
	bool json = false;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
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
		case 'h':
			printf("usage: greendc alerts [--recent N] [--format table|json]\n");
			return 0;
		default:
			return 2;
		}
	}
	sqlite3 *db;
	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "greendc alerts: %s: %s\n", dbpath, sqlite3_errmsg(db));
		sqlite3_close(db);
		return 1;
	}
	sqlite3_busy_timeout(db, 5000);
	cJSON *out = json ? cJSON_CreateObject() : NULL;
	cJSON *active = json ? cJSON_AddArrayToObject(out, "active") : NULL;
	cJSON *rec = json ? cJSON_AddArrayToObject(out, "recent") : NULL;
	if (!json)
		printf("active:\n");
	int na = list(db,
	              "SELECT ts, detail FROM events WHERE id IN (SELECT max(id) FROM events "
	              "WHERE kind IN ('alert_firing', 'alert_resolved') GROUP BY "
	              "json_extract(detail, '$.identity')) AND kind = 'alert_firing' ORDER BY ts",
	              0, json, active);
	if (!json && na == 0)
		printf("  (none)\n");
	if (!json)
		printf("recent:\n");
	int nr = list(db,
	              "SELECT ts, detail FROM events WHERE kind IN ('alert_firing', "
	              "'alert_resolved') ORDER BY id DESC LIMIT ?1",
	              recent, json, rec);
	if (!json && nr == 0)
		printf("  (none)\n");
	if (json) {
		char *s = cJSON_Print(out);
		puts(s ? s : "{}");
		free(s);
		cJSON_Delete(out);
	}
	sqlite3_close(db);
	return na < 0 || nr < 0 ? 1 : 0;
}
