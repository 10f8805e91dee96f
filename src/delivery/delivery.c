/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The daemon's delivery glue (delivery.h).
 */
#include "delivery/delivery.h"

#include "analytics/energy.h"
#include "config/config.h"
#include "core/log.h"
#include "core/util.h"
#include "delivery/alerts.h"
#include "delivery/outputs.h"
#include "delivery/pusher.h"
#include "delivery/regulator.h"
#include "delivery/remote_write.h"
#include "delivery/summary.h"
#include "ingest/poller.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct delivery {
	struct pusher *pusher;
	struct alerts_engine *alerts;
	struct reg_engine *reg;
	struct store *st;
	char *dbpath;
	struct store_reader *reader; /* summaries: active alerts, energy figures; opened lazily */
	int64_t next_summary;        /* wall ms of the next period end; 0 = not yet aligned */
	uint64_t dropped_logged;
};

static void start_pusher(struct delivery *d, const struct config *cfg)
{
	char err[256];
	if (cfg->alerts && cfg->alerts->nrules) {
		d->alerts = alerts_start(cfg, d->st, err, sizeof(err));
		if (!d->alerts)
			log_err("alerts: %s; no alert evaluation", err);
		else
			log_info("alerts: %zu rules, evaluated every %lld ms", cfg->alerts->nrules,
			         (long long)cfg->alerts->interval_ms);
	}
	if (!cfg->outputs || cfg->outputs->nreport == 0)
		return;
	d->pusher = pusher_start(cfg->outputs, cfg->site.id, d->dbpath, err, sizeof(err));
	if (!d->pusher)
		log_err("pusher: %s; items stay in the outbox", err);
	err[0] = '\0';
	d->reg = reg_start(cfg, err, sizeof(err));
	if (!d->reg && err[0])
		log_err("regulator: %s; no uploads are produced", err);
}

int delivery_attach(struct store *st, const struct config *cfg)
{
	char err[256] = "";
	struct store_reader *r = store_reader_open(cfg->storage.path, err, sizeof(err));
	int rc = rw_tap_install(st, cfg, r, err, sizeof(err));
	store_reader_close(r);
	if (rc < 0)
		log_err("remote_write: %s; samples are not sent", err);
	return rc;
}

struct delivery *delivery_start(const struct config *cfg, struct store *st, char *err,
                                size_t errlen)
{
	struct delivery *d = calloc(1, sizeof(*d));
	if (!d || !(d->dbpath = strdup(cfg->storage.path))) {
		free(d);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->st = st;
	start_pusher(d, cfg);
	return d;
}

/* The active alerts (store_alerts_active: as `greendc alerts` counts them); -1 unknown. */
static int active_alerts(struct delivery *d)
{
	if (!d->reader) {
		char err[256];
		d->reader = store_reader_open(d->dbpath, err, sizeof(err));
	}
	int n = d->reader ? store_alerts_active(d->reader, NULL, NULL) : -1;
	return n < 0 ? -1 : n;
}

void delivery_tick(struct delivery *d, const struct config *cfg, struct store *st, struct poller *p)
{
	if (!d)
		return;
	struct store_stats ss;
	store_stats(st, &ss);
	if (ss.outbox_dropped > d->dropped_logged) {
		log_warn("outbox: full, dropped the %llu oldest item(s) (outputs.outbox_max_items/"
		         "outbox_max_bytes); the receiver has been unreachable too long",
		         (unsigned long long)(ss.outbox_dropped - d->dropped_logged));
		d->dropped_logged = ss.outbox_dropped;
	}
	const struct outputs *o = cfg->outputs;
	if (!o || o->summary_interval_ms <= 0)
		return;
	int64_t iv = o->summary_interval_ms, now = util_wall_ms(), from, to;
	if (d->next_summary == 0) {
		/* Periods are aligned to site time (summary_period), so keys are stable across
		 * restarts and a daily summary is a site day. */
		summary_period(now, iv, &from, &d->next_summary);
		return;
	}
	if (now < d->next_summary)
		return;
	/* Every completed period once, in order, even when a tick came late; after a long
	 * stall (a suspended VM) only the latest period. */
	if (now - d->next_summary > 100 * iv)
		summary_period(now, iv, &d->next_summary, &to);
	struct poller_stats ps = {0};
	if (p)
		poller_stats(p, &ps);
	struct summary_facts f = {.devices = ps.devices,
	                          .up = ps.up,
	                          .down = ps.down,
	                          .samples_stored = ss.samples_committed,
	                          .outbox_dropped = ss.outbox_dropped,
	                          .active_alerts = active_alerts(d)};
	while (now >= d->next_summary) {
		int64_t next;
		to = d->next_summary;
		summary_period(to - 1, iv, &from, &next);
		summary_period(to, iv, &next, &d->next_summary);
		int rc = summary_emit(st, d->reader, cfg, &f, from, to);
		if (rc < 0)
			log_warn("summary: cannot queue the summary: %s, ignoring", strerror(-rc));
	}
}

void delivery_reload(struct delivery *d, const struct config *cfg)
{
	if (!d)
		return;
	alerts_stop(d->alerts);
	d->alerts = NULL;
	reg_stop(d->reg);
	d->reg = NULL;
	pusher_stop(d->pusher);
	d->pusher = NULL;
	/* The new remote-write tap replaces the old one before the old config is freed. */
	delivery_attach(d->st, cfg);
	start_pusher(d, cfg);
}

void delivery_stop(struct delivery *d)
{
	if (!d)
		return;
	alerts_stop(d->alerts);
	reg_stop(d->reg);
	pusher_stop(d->pusher);
	store_reader_close(d->reader);
	/* The remote-write tap stays with the store: its last batch, at store_close, still
	 * goes out through it (the config it borrows is freed after the store is closed). */
	free(d->dbpath);
	free(d);
}
