/*
 * `greendc report --month YYYY-MM|previous | --year YYYY [--format json|csv|html]
 *  [--lang zh|en] [--output FILE] [--enqueue] [--require-complete]`.
 * --enqueue writes the report row and one outbox item per report target in one transaction
 * on the CLI's own write connection (the daemon's writer waits on SQLite's lock, not the other
 * way round). The idempotency key hashes the report without its "generated" time, so running
 * twice over unchanged data queues nothing new, while a report changed by late data goes out
 * as a new revision.
 */
#include "cli/cli_report.h"
#include "core/timeutil.h"
#include "daemon/sections.h"

#include "config/config.h"
#include "core/util.h"
#include "delivery/outputs.h"
#include "delivery/report.h"
#include "store/outbox.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: greendc report --month YYYY-MM|previous | --year YYYY\n"
	           "         [--format json|csv|html] [--lang zh|en] [--output FILE]\n"
	           "         [--enqueue] [--require-complete]\n");
}

static int enqueue(const struct config *cfg, const char *dbpath, cJSON *rep, const char *body)
{
	/* Key: FNV-1a of the report without "generated". */
	cJSON *copy = cJSON_Duplicate(rep, 1);
	cJSON_DeleteItemFromObject(copy, "generated");
	char *stable = cJSON_PrintUnformatted(copy);
	cJSON_Delete(copy);
	uint64_t h = 1469598103934665603ULL;
	for (const char *p = stable ? stable : ""; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ULL;
	free(stable);
	const cJSON *per = cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "period"), "label");
	const char *kind = cJSON_GetObjectItem(rep, "kind")->valuestring;
	char key[200];
	snprintf(key, sizeof(key), "%s:report:%s:%016llx", cfg->site.id ? cfg->site.id : "",
	         per->valuestring, (unsigned long long)h);

	sqlite3 *db;
	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		fprintf(stderr, "greendc report: %s: %s\n", dbpath, sqlite3_errmsg(db));
		sqlite3_close(db);
		return 1;
	}
	sqlite3_busy_timeout(db, 10000);
	struct outbox_limits lim = {0};
	if (cfg->outputs) {
		lim.max_items = cfg->outputs->outbox_max_items;
		lim.max_bytes = cfg->outputs->outbox_max_bytes;
	}
	int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), queued = 0;
	sqlite3_stmt *q = NULL;
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
		        db,
		        "INSERT INTO reports(kind, period, generated, complete, ikey, "
		        "json) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(ikey) DO "
		        "NOTHING",
		        -1, &q, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, per->valuestring, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, util_wall_ms());
		sqlite3_bind_int(q, 4, cJSON_IsTrue(cJSON_GetObjectItem(rep, "complete")));
		sqlite3_bind_text(q, 5, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 6, body, -1, SQLITE_STATIC);
		rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	sqlite3_finalize(q);
	bool fresh = rc == SQLITE_OK && sqlite3_changes(db) > 0;
	for (size_t i = 0; fresh && cfg->outputs && i < cfg->outputs->nreport && rc == SQLITE_OK;
	     i++) {
		if (!(cfg->outputs->report[i].kinds & OUT_REPORT))
			continue;
		char stream[OUTBOX_STREAM_MAX];
		snprintf(stream, sizeof(stream), "%s/report", cfg->outputs->report[i].name);
		struct outbox_item it = {.stream = stream,
		                         .ikey = key,
		                         .created_ms = util_wall_ms(),
		                         .payload = body,
		                         .len = strlen(body)};
		rc = outbox_put_db(db, &it, &lim, NULL);
		queued += rc == SQLITE_OK;
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "greendc report: cannot queue: %s\n", sqlite3_errmsg(db));
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(db);
		return 1;
	}
	sqlite3_close(db);
	if (fresh)
		fprintf(stderr, "greendc report: %s stored and queued for %d target(s) as %s\n",
		        per->valuestring, queued, key);
	else
		fprintf(stderr, "greendc report: %s unchanged since it was queued (%s)\n",
		        per->valuestring, key);
	return 0;
}

int cli_report_main(int argc, char **argv, const char *config_path, const char *dbpath)
{
	static const struct option opts[] = {{"month", required_argument, NULL, 'm'},
	                                     {"year", required_argument, NULL, 'y'},
	                                     {"format", required_argument, NULL, 'f'},
	                                     {"lang", required_argument, NULL, 'l'},
	                                     {"output", required_argument, NULL, 'o'},
	                                     {"enqueue", no_argument, NULL, 'e'},
	                                     {"require-complete", no_argument, NULL, 'r'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *month = NULL, *year = NULL, *fmt = "json", *lang = "en", *output = NULL;
	bool enq = false, require = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			month = optarg;
			break;
		case 'y':
			year = optarg;
			break;
		case 'f':
			fmt = optarg;
			break;
		case 'l':
			lang = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'e':
			enq = true;
			break;
		case 'r':
			require = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!month == !year || optind < argc ||
	    (strcmp(fmt, "json") && strcmp(fmt, "csv") && strcmp(fmt, "html")) ||
	    (strcmp(lang, "zh") && strcmp(lang, "en"))) {
		usage(stderr);
		return 2;
	}
	struct config_diag diag = {0};
	struct config *cfg = greendc_config_load(config_path, &diag);
	if (!cfg) {
		fputs(diag.text, stderr);
		return 1;
	}
	time_zone_set(cfg->site.timezone); /* periods are site time */
	const char *db = dbpath ? dbpath : cfg->storage.path;
	char period[16], err[512];
	if (month && strcmp(month, "previous") == 0)
		report_previous_month(util_wall_ms(), period, sizeof(period));
	else
		snprintf(period, sizeof(period), "%s", month ? month : year);
	struct store_reader *r = store_reader_open(db, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "greendc report: %s\n", err);
		config_free(cfg);
		return 1;
	}
	cJSON *rep = NULL;
	int rc = report_build(cfg, r, period, util_wall_ms(), &rep, err, sizeof(err));
	store_reader_close(r);
	if (rc < 0) {
		fprintf(stderr, "greendc report: %s\n", err);
		config_free(cfg);
		return rc == -EINVAL ? 2 : 1;
	}
	char *json = cJSON_Print(rep);
	char *text = strcmp(fmt, "csv") == 0    ? report_csv(rep)
	             : strcmp(fmt, "html") == 0 ? report_html(rep, lang)
	                                        : strdup(json ? json : "");
	int ret = 0;
	FILE *f = output ? fopen(output, "w") : stdout;
	if (!f || !text) {
		fprintf(stderr, "greendc report: %s: cannot write\n", output ? output : "stdout");
		ret = 1;
	} else {
		fputs(text, f);
		if (strcmp(fmt, "json") == 0)
			fputc('\n', f);
		if (output)
			fclose(f);
	}
	bool complete = cJSON_IsTrue(cJSON_GetObjectItem(rep, "complete"));
	if (cJSON_IsTrue(cJSON_GetObjectItem(rep, "in_progress")))
		fprintf(stderr,
		        "greendc report: %s is IN PROGRESS (the period has not ended): INCOMPLETE, "
		        "its figures are not final\n",
		        period);
	else if (!complete)
		fprintf(stderr,
		        "greendc report: %s is INCOMPLETE (coverage below the threshold); "
		        "see \"missing\"\n",
		        period);
	if (ret == 0 && enq && json)
		ret = enqueue(cfg, db, rep, json);
	if (ret == 0 && require && !complete)
		ret = 3;
	free(text);
	free(json);
	cJSON_Delete(rep);
	config_free(cfg);
	return ret;
}
