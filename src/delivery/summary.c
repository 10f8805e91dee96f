/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Summaries (summary.h), built with cJSON and queued through store_outbox().
 */
#include "delivery/summary.h"
#include "core/timeutil.h"
#include "core/util.h"

#include "analytics/energy.h"
#include "analytics/kpi.h"
#include "config/config.h"
#include "delivery/outputs.h"
#include "delivery/report.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void summary_period(int64_t t, int64_t iv, int64_t *from, int64_t *to)
{
	const int64_t day = 86400000;
	int64_t d0 = time_local_floor(t, TIME_DAY);
	if (iv >= day && iv % day == 0) {
		time_t s = (time_t)(d0 / 1000);
		struct tm tm;
		localtime_r(&s, &tm);
		int64_t days = time_days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
		                                    (unsigned)tm.tm_mday),
		        n = iv / day, first = days - ((days % n) + n) % n;
		*from = time_local_midnight(1970, 1, (int)(1 + first));
		*to = time_local_midnight(1970, 1, (int)(1 + first + n));
		return;
	}
	int64_t d1 = time_local_next(t, TIME_DAY);
	*from = d0 + (t - d0) / iv * iv;
	*to = *from + iv < d1 ? *from + iv : d1;
}

static void add_time(cJSON *o, const char *k, int64_t t_ms)
{
	char b[32];
	time_format_utc(t_ms, b, sizeof(b));
	cJSON_AddStringToObject(o, k, b);
}

static void summary_energy(cJSON *j, struct store_reader *r, const struct config *cfg,
                           int64_t from_ms, int64_t to_ms)
{
	const struct energy_model *m = cfg->energy;
	struct energy_report rep;
	struct energy_figures f;

	if (energy_compute(r, m, from_ms, to_ms, STEP_WHOLE, util_wall_ms(), &rep) < 0)
		return;
	/* The summary covers a window that has just ended; if it has not (a clock step), its
	 * status says IN_PROGRESS and no ratio is given, like everywhere else. */
	const struct energy_interval *iv = &rep.total;
	energy_figures(m, &rep, iv, energy_certificates(m, from_ms, to_ms), &f);
	cJSON *en = cJSON_AddObjectToObject(j, "energy");
	cJSON *roles = cJSON_AddObjectToObject(en, "roles_kwh");
	for (int i = 0; i < ROLE_COUNT; i++)
		if (iv->role[i].nseries && i != ROLE_WATER_INTAKE && i != ROLE_WATER_POTABLE)
			cJSON_AddNumberToObject(roles, energy_role_name((enum energy_role)i),
			                        iv->role[i].value);
	cJSON_AddNumberToObject(en, "e_dc_kwh", f.k.e_dc);
	cJSON_AddNumberToObject(en, "e_it_kwh", f.e_it);
	cJSON_AddNumberToObject(en, "category", rep.category);
	cJSON_AddNumberToObject(en, "coverage", f.coverage);
	cJSON_AddStringToObject(en, "status", energy_status_name(f.status));
	if (f.published)
		cJSON_AddNumberToObject(en, "pue", f.k.pue.v);
	else
		cJSON_AddNullToObject(en, "pue");
	energy_report_free(&rep);
	cJSON_AddItemToObject(j, "free_cooling",
	                      report_free_cooling(cfg, r, from_ms, to_ms, util_wall_ms()));
}

int summary_emit(struct store *st, struct store_reader *r, const struct config *cfg,
                 const struct summary_facts *f, int64_t from_ms, int64_t to_ms)
{
	const struct outputs *o = cfg->outputs;
	if (!o)
		return 0;
	cJSON *j = cJSON_CreateObject();
	if (!j)
		return -ENOMEM;
	cJSON_AddStringToObject(j, "type", "summary");
	cJSON_AddStringToObject(j, "schema", "greendc.summary/1");
	cJSON *site = cJSON_AddObjectToObject(j, "site");
	cJSON_AddStringToObject(site, "id", cfg->site.id ? cfg->site.id : "");
	cJSON_AddStringToObject(site, "name", cfg->site.name ? cfg->site.name : "");
	cJSON *per = cJSON_AddObjectToObject(j, "period");
	add_time(per, "from", from_ms);
	add_time(per, "to", to_ms);
	cJSON_AddNumberToObject(per, "seconds", (double)(to_ms - from_ms) / 1000.0);
	cJSON *dev = cJSON_AddObjectToObject(j, "devices");
	cJSON_AddNumberToObject(dev, "total", f->devices);
	cJSON_AddNumberToObject(dev, "up", f->up);
	cJSON_AddNumberToObject(dev, "down", f->down);
	cJSON_AddNumberToObject(j, "samples_stored", (double)f->samples_stored);
	cJSON_AddNumberToObject(j, "outbox_dropped", (double)f->outbox_dropped);
	if (f->active_alerts >= 0)
		cJSON_AddNumberToObject(j, "active_alerts", f->active_alerts);

	/* Energy by role and the period's PUE with its category and coverage, from the same
	 * engine and publication gate as `greendc pue`; a period below coverage_min publishes
	 * no PUE. */
	if (r && cfg->energy && !energy_model_problem(cfg->energy))
		summary_energy(j, r, cfg, from_ms, to_ms);

	/* The interim figure is a power ratio over the interval, labelled as such: an energy
	 * PUE needs the period's energy (greendc pue, and the monthly report). */
	double dc = NAN, it = NAN;
	int cat = 0;
	if (r && cfg->energy && cfg->energy->present &&
	    energy_interim(r, cfg->energy, to_ms, to_ms - from_ms, &dc, &it, &cat) == 0 && it > 0) {
		cJSON *p = cJSON_AddObjectToObject(j, "interim");
		cJSON_AddNumberToObject(p, "facility_w", dc);
		cJSON_AddNumberToObject(p, "it_w", it);
		cJSON_AddNumberToObject(p, "power_ratio", dc / it);
		cJSON_AddNumberToObject(p, "category", cat);
		cJSON_AddStringToObject(p, "note",
		                        "interim power ratio (PUE0-style), not an "
		                        "energy PUE");
	} else {
		cJSON_AddNullToObject(j, "interim");
	}
	char *body = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (!body)
		return -ENOMEM;

	char key[160], what[32];
	snprintf(what, sizeof(what), "%lld", (long long)from_ms);
	snprintf(key, sizeof(key), "%s:summary:%s", cfg->site.id ? cfg->site.id : "", what);
	const char *streams[OUTPUTS_MAX_TARGETS];
	char names[OUTPUTS_MAX_TARGETS][64];
	size_t n = 0;
	for (size_t i = 0; i < o->nreport; i++) {
		if (!(o->report[i].kinds & OUT_SUMMARY))
			continue;
		snprintf(names[n], sizeof(names[n]), "%s/summary", o->report[i].name);
		streams[n] = names[n];
		n++;
	}
	int rc = 0;
	if (n) {
		struct store_outbox_req req = {.streams = streams,
		                               .nstreams = n,
		                               .ikey = key,
		                               .created_ms = to_ms,
		                               .payload = body,
		                               .len = strlen(body)};
		rc = store_outbox(st, &req);
	}
	free(body);
	return rc < 0 ? rc : (int)n;
}
