/*
 * `greendc report --month YYYY-MM|previous | --year YYYY [--format json|csv|html]
 *  [--lang zh|en] [--output FILE] [--enqueue] [--require-complete]`.
 * --enqueue stores the report row and one outbox item per report target in one transaction
 * (store_report_enqueue, on the CLI's own write connection: the daemon's writer waits on
 * SQLite's lock, not the other way round). The idempotency key hashes the report without its
 * "generated" time, so running twice over unchanged data queues nothing new, while a report changed
 * by late data goes out as a new revision.
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

	const char *streams[OUTPUTS_MAX_TARGETS];
	char names[OUTPUTS_MAX_TARGETS][OUTBOX_STREAM_MAX];
	size_t ns = 0;
	for (size_t i = 0; cfg->outputs && i < cfg->outputs->nreport && ns < OUTPUTS_MAX_TARGETS;
	     i++) {
		if (!(cfg->outputs->report[i].kinds & OUT_REPORT))
			continue;
		snprintf(names[ns], sizeof(names[ns]), "%s/report", cfg->outputs->report[i].name);
		streams[ns] = names[ns];
		ns++;
	}
	struct store_report sr = {.kind = kind,
	                          .period = per->valuestring,
	                          .ikey = key,
	                          .generated_ms = util_wall_ms(),
	                          .complete = cJSON_IsTrue(cJSON_GetObjectItem(rep, "complete")),
	                          .json = body};
	char err[512];
	int rc = store_report_enqueue(
	        dbpath, &sr, streams, ns, cfg->outputs ? cfg->outputs->outbox_max_items : 0,
	        cfg->outputs ? cfg->outputs->outbox_max_bytes : 0, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "greendc report: cannot queue: %s\n", err);
		return 1;
	}
	if (rc == 1)
		fprintf(stderr, "greendc report: %s stored and queued for %zu target(s) as %s\n",
		        per->valuestring, ns, key);
	else
		fprintf(stderr, "greendc report: %s unchanged since it was queued (%s)\n",
		        per->valuestring, key);
	return 0;
}

int cli_report_main(int argc, char **argv, const struct cli_ctx *ctx)
{
	const char *config_path = ctx->config_path, *dbpath = ctx->db;
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
