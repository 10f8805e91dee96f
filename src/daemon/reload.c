/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SIGHUP: build a new config, validate it (YAML, profiles, every driver's open()), check what
 * a reload cannot change (the database, the site's time zone), start workers for it, and only
 * then swap it in. Anything wrong keeps the running config, logged and audited.
 */
#include "daemon/daemon.h"

#include "config/config.h"
#include "core/audit.h"
#include "core/log.h"
#include "daemon/sections.h"
#include "delivery/delivery.h"
#include "http/http.h"
#include "ingest/driver_load.h"
#include "ingest/poller.h"

#include <stdio.h>
#include <string.h>

struct config *daemon_config_load(const char *path, struct driver_set *ds)
{
	struct config_diag diag = {0};
	struct config *cfg = greendc_config_load(path, &diag);
	/* Secrets are checked here, at start and at reload: a bad one refuses the config with
	 * file:line rather than leaving the outbox to pile up (or a FIFO to block a thread). */
	if (cfg) {
		unsigned problems = (unsigned)driver_validate_config(ds, cfg, &diag);
		problems += greendc_secrets_check(cfg, &diag);
		if (problems == 0)
			return cfg;
		config_free(cfg);
	}
	fprintf(stderr, "%s", diag.text);
	return NULL;
}

/* What a reload cannot change: NULL, or why next is refused (logged here). */
static const char *reload_refusal(const struct config *cur, const struct config *next)
{
	if (strcmp(next->storage.path, cur->storage.path) != 0) {
		log_err("reload: storage.path changed (%s -> %s); that needs a restart, keeping "
		        "the running configuration",
		        cur->storage.path, next->storage.path);
		return "rejected: storage.path changed";
	}
	/* The zone was set once before any thread started (core/timeutil.h). */
	if (strcmp(next->site.timezone, cur->site.timezone) != 0) {
		log_err("reload: site.timezone changed (%s -> %s); that needs a restart, keeping "
		        "the running configuration",
		        cur->site.timezone, next->site.timezone);
		return "rejected: site.timezone changed";
	}
	return NULL;
}

int daemon_reload(struct daemon *d, const char *sender)
{
	char err[512];
	log_info("SIGHUP: reloading %s", d->config_path);
	struct config *next = daemon_config_load(d->config_path, d->ds);
	if (!next) {
		log_err("reload failed, keeping the running configuration");
		audit_record(d->audit, "config_reload", sender, d->config_path,
		             "rejected: invalid configuration");
		return 0;
	}
	const char *refused = reload_refusal(d->cfg, next);
	if (refused) {
		audit_record(d->audit, "config_reload", sender, d->config_path, refused);
		config_free(next);
		return 0;
	}
	/* Stop polling under the old config, start under the new; samples already queued stay
	 * in the store's queue. */
	struct poller *np = poller_new(next, d->ds, d->st, err, sizeof(err));
	if (!np) {
		log_err("reload: %s; keeping the running configuration", err);
		audit_record(d->audit, "config_reload", sender, d->config_path,
		             "rejected: cannot start devices");
		config_free(next);
		return 0;
	}
	poller_free(d->p);
	d->p = np;
	/* Both before the old config is freed: HTTP and the alert engine borrow from it (the
	 * energy and cooling models). */
	http_set_config(d->http, next);
	delivery_reload(d->dlv, next);
	config_free(d->cfg);
	d->cfg = next;
	if (poller_start(d->p) < 0) {
		log_err("reload: cannot start workers");
		return -1;
	}
	log_info("reloaded: %zu devices", d->cfg->ndevices);
	audit_record(d->audit, "config_reload", sender, d->config_path, "ok");
	return 0;
}
