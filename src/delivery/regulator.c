/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The regulator uploads' producer thread (regulator.h). For every target and cycle it finds
 * the periods that have ended `delay` ago and have no history row yet (oldest first; after
 * downtime back to `catch_up`; with no history, from `start` or the latest period), takes
 * each period's figures from the energy engine, runs the data-quality self-check, renders
 * the target's template and stores the history row with its outbox item in one transaction
 * (store_regulator_enqueue). The pusher delivers and records the acknowledgement.
 */
#include "delivery/regulator.h"

#include "analytics/energy.h"
#include "config/config.h"
#include "core/log.h"
#include "core/sbuf.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "delivery/outputs.h"
#include "delivery/regtpl.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PER_PASS 32 /* periods produced per target and cycle before looking again */

struct rtarget {
	const struct out_target *t; /* borrowed from the config */
	struct regtpl *tpl;
	char stream[64];  /* "<name>/regulator" */
	int64_t start_ms; /* resolved `start`; 0 none */
	struct log_complaint complaint;
};

struct reg_engine {
	const struct config *cfg;
	char *dbpath;
	struct rtarget tg[OUTPUTS_MAX_TARGETS];
	size_t n;
	struct store_reader *r;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
};

static enum time_unit unit_of(enum reg_cycle c)
{
	return c == REG_15MIN ? TIME_15MIN : c == REG_DAY ? TIME_DAY : TIME_MONTH;
}

/* The figure an item carries for the period, scaled; NaN when there is none. *status gets
 * what it rests on. */
static double figure_of(const struct reg_item *it, const struct energy_report *rep,
                        const struct energy_figures *f, const char **status)
{
	const struct energy_interval *iv = &rep->total;
	static const enum energy_role roles[FIG_COUNT] = {
	        [FIG_FACILITY_INPUT_KWH] = ROLE_FACILITY_INPUT,
	        [FIG_BACKUP_KWH] = ROLE_BACKUP_GENERATION,
	        [FIG_RENEWABLE_KWH] = ROLE_ONSITE_RENEWABLE,
	        [FIG_COOLING_KWH] = ROLE_COOLING,
	        [FIG_LIGHTING_OTHER_KWH] = ROLE_LIGHTING_OTHER,
	        [FIG_REUSED_HEAT_KWH] = ROLE_REUSED_HEAT,
	        [FIG_WATER_M3] = ROLE_WATER_INTAKE,
	        [FIG_WATER_POTABLE_M3] = ROLE_WATER_POTABLE,
	};
	double v;
	enum energy_status st;
	switch (it->figure) {
	case FIG_E_DC_KWH:
		v = f->k.e_dc;
		st = f->status;
		break;
	case FIG_IT_KWH:
		v = f->e_it;
		st = f->status;
		break;
	case FIG_PUE:
		v = f->k.pue.ok ? f->k.pue.v : NAN;
		st = f->status;
		break;
	default: {
		const struct energy_role_total *r = &iv->role[roles[it->figure]];
		st = r->nseries ? r->status : ENERGY_MISSING;
		v = r->value;
		if (it->figure == FIG_WATER_M3 || it->figure == FIG_WATER_POTABLE_M3)
			v /= 1000; /* the engine counts water in litres */
		break;
	}
	}
	*status = energy_status_name(st);
	/* A MISSING figure is not a number to upload; its status says why it is null. */
	return st == ENERGY_MISSING || st == ENERGY_IN_PROGRESS ? NAN : v * it->scale;
}

static char *quality_json(const struct reg_target *t, const struct reg_quality *q)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddBoolToObject(j, "ok", q->ok);
	cJSON_AddNumberToObject(j, "completeness", q->completeness);
	cJSON_AddNumberToObject(j, "slots", q->slots);
	cJSON_AddNumberToObject(j, "slots_with_data", q->slots_ok);
	cJSON_AddNumberToObject(j, "completeness_min", t->completeness_min);
	if (q->have_difference)
		cJSON_AddNumberToObject(j, "difference", q->difference);
	else
		cJSON_AddNullToObject(j, "difference");
	cJSON_AddNumberToObject(j, "difference_max", t->difference_max);
	cJSON_AddBoolToObject(j, "aligned", q->aligned);
	char *s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return s;
}

/* Produce the upload of period [from, to) of cycle c. 1 stored, 0 already there, -errno. */
static int produce(struct reg_engine *e, struct rtarget *rt, enum reg_cycle c, int64_t from,
                   int64_t to, int64_t now)
{
	const struct reg_target *t = rt->t->reg;
	const struct energy_model *m = e->cfg->energy;
	struct energy_report main = {0}, slots15 = {0};
	enum energy_step by = c == REG_MONTH ? STEP_DAY : STEP_15MIN;
	int rc = energy_compute(e->r, m, from, to, by, now, &main);
	if (rc == 0 && c == REG_MONTH)
		rc = energy_compute(e->r, m, from, to, STEP_15MIN, now, &slots15);
	if (rc < 0) {
		log_complain(&rt->complaint, LOG_LVL_WARN, "regulator %s: %s %s: %s, retrying",
		             rt->t->name, reg_cycle_name(c), "energy figures",
		             main.err[0] ? main.err : slots15.err);
		energy_report_free(&main);
		energy_report_free(&slots15);
		return rc;
	}
	struct energy_figures f;
	energy_figures(m, &main, &main.total, energy_certificates(m, from, to), &f);
	struct reg_quality q;
	reg_quality_check(t, c, from, to, &main, c == REG_MONTH ? &slots15 : &main, &q);

	double *vals = calloc(t->nitems + 1, sizeof(*vals));
	const char **st = calloc(t->nitems + 1, sizeof(*st));
	char label[48], key[256], why[256] = "";
	time_local_label(from, unit_of(c), label, sizeof(label));
	snprintf(key, sizeof(key), "%s:reg:%s:%s:%s", e->cfg->site.id ? e->cfg->site.id : "",
	         rt->t->name, reg_cycle_name(c), label);
	struct sbuf body = {0};
	char *qj = quality_json(t, &q);
	rc = vals && st && qj ? 0 : -ENOMEM;
	for (size_t i = 0; rc == 0 && i < t->nitems; i++)
		vals[i] = figure_of(&t->items[i], &main, &f, &st[i]);
	if (rc == 0) {
		struct regtpl_values v = {.t = t,
		                          .site_id = e->cfg->site.id,
		                          .site_name = e->cfg->site.name,
		                          .upload_id = key,
		                          .period_label = label,
		                          .cycle = c,
		                          .from_ms = from,
		                          .to_ms = to,
		                          .generated_ms = util_wall_ms(),
		                          .status = energy_status_name(f.status),
		                          .category = main.category,
		                          .q = &q,
		                          .value = vals,
		                          .istatus = st};
		rc = regtpl_render(rt->tpl, &v, &body, why, sizeof(why));
	}
	if (rc == 0) {
		const struct outputs *o = e->cfg->outputs;
		struct store_regulator_upload u = {.target = rt->t->name,
		                                   .cycle = reg_cycle_name(c),
		                                   .period_start_ms = from,
		                                   .period_end_ms = to,
		                                   .ikey = key,
		                                   .created_ms = util_wall_ms(),
		                                   .body = body.s,
		                                   .quality = qj};
		rc = store_regulator_enqueue(e->dbpath, &u, rt->stream, o->outbox_max_items,
		                             o->outbox_max_bytes, now - t->history_ms, why,
		                             sizeof(why));
	}
	if (rc < 0)
		log_complain(&rt->complaint, LOG_LVL_WARN, "regulator %s: %s %s: %s, retrying",
		             rt->t->name, reg_cycle_name(c), label, why[0] ? why : strerror(-rc));
	else if (rc == 1)
		log_debug("regulator %s: queued %s %s (quality %s)", rt->t->name, reg_cycle_name(c),
		          label, q.ok ? "ok" : "NOT ok");
	free(vals);
	free(st);
	free(qj);
	sbuf_free(&body);
	energy_report_free(&main);
	energy_report_free(&slots15);
	return rc;
}

/* Produce what is due for one target and cycle; *next_ms gets when more will be. true when
 * it stopped at MAX_PER_PASS with more due. */
static bool produce_due(struct reg_engine *e, struct rtarget *rt, enum reg_cycle c, int64_t now,
                        int64_t *next_ms)
{
	const struct reg_target *t = rt->t->reg;
	enum time_unit u = unit_of(c);
	/* The latest period whose end is at least `delay` ago. */
	int64_t edge = time_local_floor(now - t->delay_ms, u);
	int64_t last_due = time_local_floor(edge - 1, u);
	int64_t wake = time_local_next(edge, u) + t->delay_ms;
	if (wake < *next_ms)
		*next_ms = wake;
	int64_t done, first;
	int rc = store_regulator_last(e->r, rt->t->name, reg_cycle_name(c), &done);
	if (rc == 0)
		first = time_local_next(done, u);
	else if (rc == -ENOENT)
		first = rt->start_ms ? time_local_floor(rt->start_ms, u) : last_due;
	else
		return false;
	/* After downtime longer than catch_up, the oldest periods are not made up. */
	int64_t lower = time_local_floor(now - t->catch_up_ms, u);
	if (first < lower) {
		log_warn("regulator %s: %s periods before %lld s ago are beyond catch_up; starting "
		         "at the oldest within it",
		         rt->t->name, reg_cycle_name(c), (long long)(t->catch_up_ms / 1000));
		first = lower;
	}
	int n = 0;
	for (int64_t s = first; s <= last_due && n < MAX_PER_PASS; s = time_local_next(s, u)) {
		pthread_mutex_lock(&e->lock);
		bool stop = e->stop;
		pthread_mutex_unlock(&e->lock);
		if (stop || produce(e, rt, c, s, time_local_next(s, u), now) < 0)
			return false;
		n++;
	}
	return n == MAX_PER_PASS;
}

static void *reg_main(void *arg)
{
	struct reg_engine *e = arg;
	char err[256];
	struct log_complaint dbc = {0};
	pthread_mutex_lock(&e->lock);
	while (!e->stop) {
		pthread_mutex_unlock(&e->lock);
		int64_t now = util_wall_ms(), next = now + 60000;
		bool more = false;
		if (!e->r && !(e->r = store_reader_open(e->dbpath, err, sizeof(err))))
			log_complain(&dbc, LOG_LVL_ERR, "regulator: %s: %s", e->dbpath, err);
		for (size_t i = 0; e->r && i < e->n; i++)
			for (int c = REG_15MIN; c <= REG_MONTH; c <<= 1)
				if (e->tg[i].t->reg->cycles & (unsigned)c)
					more |= produce_due(e, &e->tg[i], (enum reg_cycle)c, now,
					                    &next);
		int64_t sleep = more ? 0 : next - util_wall_ms();
		if (sleep > 60000 || !e->r)
			sleep = e->r ? 60000 : 5000;
		pthread_mutex_lock(&e->lock);
		if (sleep > 0 && !e->stop) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += sleep / 1000;
			ts.tv_nsec += (sleep % 1000) * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&e->wake, &e->lock, &ts);
		}
	}
	pthread_mutex_unlock(&e->lock);
	return NULL;
}

struct reg_engine *reg_start(const struct config *cfg, char *err, size_t errlen)
{
	const struct outputs *o = cfg->outputs;
	size_t n = 0;
	for (size_t i = 0; o && i < o->nreport; i++)
		n += o->report[i].type == OUT_T_REGULATOR;
	if (n == 0)
		return NULL;
	struct reg_engine *e = calloc(1, sizeof(*e));
	if (!e || !(e->dbpath = strdup(cfg->storage.path))) {
		free(e);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->cfg = cfg;
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->wake, NULL);
	for (size_t i = 0; i < o->nreport; i++) {
		const struct out_target *t = &o->report[i];
		if (t->type != OUT_T_REGULATOR)
			continue;
		char why[512];
		struct rtarget *rt = &e->tg[e->n];
		memset(rt, 0, sizeof(*rt));
		rt->t = t;
		rt->tpl = regtpl_load(t->reg->template_file, t->reg, why, sizeof(why));
		if (!rt->tpl) {
			log_err("regulator %s: template %s; nothing is uploaded to it", t->name,
			        why);
			continue;
		}
		if (t->reg->start) {
			const char *bad =
			        time_parse_iso8601(t->reg->start, TIME_NOZONE_LOCAL, &rt->start_ms);
			if (bad)
				log_warn(
				        "regulator %s: start %s: %s; starting at the latest period",
				        t->name, t->reg->start, bad);
		}
		snprintf(rt->stream, sizeof(rt->stream), "%s%s", t->name, REGULATOR_STREAM_SUFFIX);
		e->n++;
		log_info("regulator %s: cycles%s%s%s, %zu energy types, template %s", t->name,
		         t->reg->cycles & REG_15MIN ? " 15m" : "",
		         t->reg->cycles & REG_DAY ? " 1d" : "",
		         t->reg->cycles & REG_MONTH ? " 1mo" : "", t->reg->nitems,
		         t->reg->template_file);
	}
	if (pthread_create(&e->thread, NULL, reg_main, e) != 0) {
		snprintf(err, errlen, "cannot start the regulator thread");
		for (size_t i = 0; i < e->n; i++)
			regtpl_free(e->tg[i].tpl);
		pthread_mutex_destroy(&e->lock);
		pthread_cond_destroy(&e->wake);
		free(e->dbpath);
		free(e);
		return NULL;
	}
	return e;
}

void reg_stop(struct reg_engine *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&e->lock);
	e->stop = true;
	pthread_cond_signal(&e->wake);
	pthread_mutex_unlock(&e->lock);
	pthread_join(e->thread, NULL);
	for (size_t i = 0; i < e->n; i++)
		regtpl_free(e->tg[i].tpl);
	store_reader_close(e->r);
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->wake);
	free(e->dbpath);
	free(e);
}
