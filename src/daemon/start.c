/* SPDX-License-Identifier: Apache-2.0 */
/*
 * greendcd's start and stop: the config first (validated by every driver), then the process
 * (log level, site time zone, signals), then privileges (the database folder and the audit
 * log are made while still root, then root is dropped), then the parts in the order data
 * flows: store, poll workers, HTTP, delivery. daemon_stop releases them in reverse.
 */
#include "daemon/daemon.h"

#include "config/config.h"
#include "core/audit.h"
#include "core/log.h"
#include "core/privdrop.h"
#include "core/sdnotify.h"
#include "core/timeutil.h"
#include "daemon/sections.h"
#include "delivery/delivery.h"
#include "delivery/outputs.h"
#include "http/http.h"
#include "ingest/driver_load.h"
#include "ingest/poller.h"
#include "store/store.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef GREENDC_VERSION
#define GREENDC_VERSION "unknown"
#endif

/* Signals are taken synchronously by the main thread; block them before any thread starts so
 * workers and the writer inherit the mask. */
static void block_signals(sigset_t *sigs)
{
	sigemptyset(sigs);
	sigaddset(sigs, SIGHUP);
	sigaddset(sigs, SIGTERM);
	sigaddset(sigs, SIGINT);
	sigaddset(sigs, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A file-size limit must surface as EFBIG from write(), which the store handles, not
	 * kill the daemon. */
	signal(SIGXFSZ, SIG_IGN);
}

/* The config and the drivers it names. drivers_dir comes from the config, so peek at it first
 * with a plain load. 0, or 1 with the problems printed. */
static int load_config(struct daemon *d, const struct daemon_opts *o)
{
	struct config_diag diag = {0};
	struct config *peek = greendc_config_load(o->config_path, &diag);
	if (!peek) {
		fprintf(stderr, "%s", diag.text);
		return 1;
	}
	d->ds = driver_set_new(peek->daemon.drivers_dir);
	config_free(peek);
	d->cfg = daemon_config_load(o->config_path, d->ds);
	if (!d->cfg)
		return 1;
	enum log_level lvl;
	if (log_parse_level(o->log_level ? o->log_level : d->cfg->daemon.log_level, &lvl))
		log_set_level(lvl);
	/* Calendar periods (days, months) are the site's: set its zone once, before any thread
	 * starts (a reload refuses a different zone). */
	time_zone_set(d->cfg->site.timezone);
	return 0;
}

/* Create the database's folder if it is missing, owned by the user the daemon will run as
 * (what systemd's StateDirectory= does for a service). */
static void ensure_parent_dir(const char *path, uid_t uid, gid_t gid)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0700) == 0) {
		if (geteuid() == 0 && uid != 0 && chown(dir, uid, gid) != 0)
			log_warn("%s: cannot hand to uid %u: %s", dir, (unsigned)uid,
			         strerror(errno));
	} else if (errno != EEXIST) {
		log_warn("%s: cannot create: %s", dir, strerror(errno));
	}
}

/* Started by systemd as a unit's own process: systemd (>= 248) sets SYSTEMD_EXEC_PID to the pid
 * it executed, which children inherit but do not share (a test suite run from a CI service is
 * not "under systemd"); older ones set only INVOCATION_ID, so there the parent must be PID 1.
 * sudo and su pass neither on. */
static bool under_systemd(void)
{
	const char *pid = getenv("SYSTEMD_EXEC_PID");
	if (pid && *pid)
		return strtol(pid, NULL, 10) == (long)getpid();
	const char *id = getenv("INVOCATION_ID");
	return id && *id && getppid() == 1;
}

/* Started as root: the daemon becomes daemon.user, default "greendc". Which user, and whether
 * to drop at all (NULL: stay root):
 *   - daemon.user set: that user, which must exist; "root" means stay root (warned);
 *   - else --allow-root: stay root (warned);
 *   - else the user "greendc" when it exists;
 *   - else under systemd, stay root with a warning (the unit decides the user and confines
 *     the service); outside systemd, refuse to run as root (*fatal).
 * A configured user that does not exist is *fatal too. */
static const char *run_user(const struct config *cfg, bool allow_root, uid_t *uid, gid_t *gid,
                            bool *fatal)
{
	const char *user = cfg->daemon.user ? cfg->daemon.user : "greendc";
	*uid = 0;
	*gid = 0;
	*fatal = false;
	if (geteuid() != 0)
		return NULL;
	if (strcmp(user, "root") == 0) {
		log_warn("running as root because daemon.user is root");
		return NULL;
	}
	if (!cfg->daemon.user && allow_root) {
		log_warn("running as root because of --allow-root");
		return NULL;
	}
	if (privdrop_lookup(user, uid, gid) == 0)
		return user;
	if (cfg->daemon.user) {
		log_err("daemon.user: no user \"%s\"", user);
		*fatal = true;
	} else if (!under_systemd()) {
		log_err("started as root, and there is no user \"greendc\" to drop to: refusing to "
		        "run as root; create the user, set daemon.user, or pass --allow-root");
		*fatal = true;
	} else {
		log_warn("started as root by systemd and there is no user \"greendc\": still "
		         "running as root; create the user (or set User= or daemon.user) so the "
		         "daemon can drop root");
	}
	return NULL;
}

static const char *audit_path(const struct config *cfg, char *buf, size_t len)
{
	if (cfg->daemon.audit_log)
		return cfg->daemon.audit_log;
	snprintf(buf, len, "%s", cfg->storage.path);
	char *slash = strrchr(buf, '/');
	snprintf(slash ? slash + 1 : buf, len - (size_t)(slash ? slash + 1 - buf : 0), "audit.log");
	return buf;
}

/* What must happen as root: the database folder (handed to the run user) and the audit log
 * (it stays root-owned), then drop to the run user. 0, or 1 (logged). */
static int drop_root(struct daemon *d, bool allow_root)
{
	char err[512], apath[PATH_MAX];
	uid_t run_uid;
	gid_t run_gid;
	bool fatal;
	const char *user = run_user(d->cfg, allow_root, &run_uid, &run_gid, &fatal);
	if (fatal)
		return 1;
	ensure_parent_dir(d->cfg->storage.path, run_uid, run_gid);
	d->audit = audit_open(audit_path(d->cfg, apath, sizeof(apath)), err, sizeof(err));
	if (!d->audit)
		log_warn("audit log: %s", err);
	if (user) {
		if (privdrop_to(user, err, sizeof(err)) < 0) {
			log_err("%s", err);
			return 1;
		}
		log_info("dropped root: running as %s (uid %u)", user, (unsigned)run_uid);
	}
	return 0;
}

/* The store, then the poll workers feeding it. 0, or 1 (logged). */
static int start_ingest(struct daemon *d)
{
	char err[512];
	const struct config *cfg = d->cfg;
	struct store_opts so = {.path = cfg->storage.path,
	                        .raw_retention_ms = cfg->storage.raw_retention_ms,
	                        .commit_ms = cfg->storage.commit_ms,
	                        .queue_cap = 1 << 20};
	if (cfg->outputs) {
		so.outbox_max_items = cfg->outputs->outbox_max_items;
		so.outbox_max_bytes = cfg->outputs->outbox_max_bytes;
	}
	d->st = store_open(&so, err, sizeof(err));
	if (!d->st) {
		log_err("%s: %s", cfg->storage.path, err);
		return 1;
	}
	/* Remote-write follows every commit from the first one on (docs/remote-write.md). */
	delivery_attach(d->st, cfg);
	d->p = poller_new(cfg, d->ds, d->st, err, sizeof(err));
	if (!d->p || poller_start(d->p) < 0) {
		log_err("cannot start polling: %s", err);
		return 1;
	}
	return 0;
}

/* HTTP (only with an `http:` section) and delivery. Neither stops the daemon: a taken port or
 * a bad token file or TLS key is logged and the daemon meters on without the dashboard, API
 * and /metrics (nothing is served unprotected); without delivery, items wait in the outbox. */
static void start_outputs(struct daemon *d)
{
	char err[512];
	const struct config *cfg = d->cfg;
	if (cfg->http && cfg->http->enabled) {
		d->http = http_start(cfg, d->audit, err, sizeof(err));
		if (!d->http)
			log_err("http: %s; running without the dashboard, API and /metrics", err);
		else
			log_info("http: dashboard and API on %s://%s:%u/",
			         cfg->http->tls_cert ? "https" : "http", cfg->http->listen,
			         cfg->http->port);
	}
	d->dlv = delivery_start(cfg, d->st, err, sizeof(err));
	if (!d->dlv)
		log_err("delivery: %s; items stay in the outbox", err);
}

int daemon_start(struct daemon *d, const struct daemon_opts *o)
{
	*d = (struct daemon){.config_path = o->config_path, .status_ms = o->status_ms};
	/* Everything the daemon creates (the database, its WAL and shared-memory files, the
	 * audit log, the database's folder) is for its own user only, also when it is started
	 * by hand or by an init system without UMask=0077. */
	umask(077);
	log_set_journal(getenv("JOURNAL_STREAM") != NULL);
	block_signals(&d->sigs);
	if (load_config(d, o) || drop_root(d, o->allow_root) || start_ingest(d)) {
		daemon_stop(d, -1);
		return 1;
	}
	start_outputs(d);
	log_info("greendcd %s: site %s, %zu devices, store %s", GREENDC_VERSION, d->cfg->site.id,
	         d->cfg->ndevices, d->cfg->storage.path);
	snprintf(d->who, sizeof(d->who), "uid %u pid %d", (unsigned)getuid(), (int)getpid());
	audit_record(d->audit, "daemon_start", d->who, d->config_path, "ok");
	sdnotify("READY=1");
	return 0;
}

void daemon_stop(struct daemon *d, int rc)
{
	bool started = d->who[0] != '\0';
	if (started)
		sdnotify("STOPPING=1");
	delivery_stop(d->dlv); /* before the store: summaries are queued through it */
	http_stop(d->http);
	poller_free(d->p);
	store_close(d->st);
	if (started)
		audit_record(d->audit, "daemon_stop", d->who, d->config_path,
		             rc == 0 ? "ok" : "error");
	audit_close(d->audit);
	config_free(d->cfg);
	driver_set_free(d->ds);
	if (started)
		log_info("stopped");
	*d = (struct daemon){0};
}
