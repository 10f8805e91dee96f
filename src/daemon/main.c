/*
 * greendcd: the daemon. Loads the config, opens the store, starts the poll workers, then the
 * main thread waits for signals: SIGHUP reloads (build a new config, validate it, swap; a bad
 * one keeps the old), SIGTERM/SIGINT stop cleanly (workers finish, the writer flushes, exit 0).
 * It also logs a status line every minute and feeds the systemd watchdog.
 */
#include "config/config.h"
#include "core/audit.h"
#include "core/log.h"
#include "core/privdrop.h"
#include "core/sdnotify.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "daemon/sections.h"
#include "delivery/delivery.h"
#include "delivery/outputs.h"
#include "http/http.h"
#include "ingest/driver_load.h"
#include "ingest/poller.h"
#include "store/store.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifndef GREENDC_VERSION
#define GREENDC_VERSION "0.1.0"
#endif

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: greendcd [-c FILE] [--log-level LEVEL] [--status-interval DURATION]\n"
	        "  -c, --config FILE        configuration (default /etc/greendc/greendc.yaml)\n"
	        "      --log-level LEVEL    error, warning, info or debug (overrides the config)\n"
	        "      --status-interval D  how often to log a status line (default 60s)\n"
	        "  -V, --version            print the version and exit\n");
}

/* Load and fully validate a config: YAML, profiles and every driver's view of its devices. */
static struct config *load_validated(const char *path, struct driver_set *ds)
{
	struct config_diag diag = {0};
	struct config *cfg = greendc_config_load(path, &diag);
	if (cfg && driver_validate_config(ds, cfg, &diag) > 0) {
		config_free(cfg);
		cfg = NULL;
	}
	if (!cfg)
		fprintf(stderr, "%s", diag.text);
	return cfg;
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
	if (mkdir(dir, 0750) == 0) {
		if (geteuid() == 0 && uid != 0 && chown(dir, uid, gid) != 0)
			log_warn("%s: cannot hand to uid %u: %s", dir, (unsigned)uid,
			         strerror(errno));
	} else if (errno != EEXIST) {
		log_warn("%s: cannot create: %s", dir, strerror(errno));
	}
}

/* Started as root: the daemon becomes daemon.user (default "greendc"). Which user, and
 * whether to drop at all: a missing default user is a loud warning, not a failure, so a first
 * run by hand works; a configured one must exist. Returns the user to drop to (NULL: stay). */
static const char *run_user(const struct config *cfg, uid_t *uid, gid_t *gid, bool *fatal)
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
	if (privdrop_lookup(user, uid, gid) < 0) {
		if (cfg->daemon.user) {
			log_err("daemon.user: no user \"%s\"", user);
			*fatal = true;
			return NULL;
		}
		log_warn("started as root and there is no user \"greendc\": still running as "
		         "root; create the user (or set daemon.user) so the daemon can drop root");
		return NULL;
	}
	return user;
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

static void log_status(struct poller *p, struct store *st, uint64_t *last_samples, int64_t *last_ms)
{
	struct poller_stats ps;
	struct store_stats ss;
	int64_t now = util_mono_ms();

	poller_stats(p, &ps);
	store_stats(st, &ss);
	double secs = (double)(now - *last_ms) / 1000.0;
	double rate = secs > 0 ? (double)(ps.samples - *last_samples) / secs : 0;
	log_info("status: %u devices, %u up, %u down; %.1f samples/s; %llu stored, queue %llu",
	         ps.devices, ps.up, ps.down, rate, (unsigned long long)ss.samples_committed,
	         (unsigned long long)ss.queue_depth);
	char status[128];
	snprintf(status, sizeof(status), "STATUS=%u devices, %u up, %.0f samples/s", ps.devices,
	         ps.up, rate);
	sdnotify(status);
	*last_samples = ps.samples;
	*last_ms = now;
}

/* Write failures (disk full, I/O errors) are logged once with a rate-limited complaint and
 * their end is logged as a recovery; the writer itself keeps the batch and retries. */
struct store_watch {
	struct log_complaint complaint;
	uint64_t errors, committed;
};

static void watch_store(struct store *st, struct store_watch *w)
{
	struct store_stats ss;
	char err[256];
	store_stats(st, &ss);
	if (ss.write_errors > w->errors) {
		store_last_error(st, err, sizeof(err));
		log_complain(&w->complaint, LOG_LVL_ERR,
		             "store: %s; samples are held in memory and retried", err);
	} else if (w->complaint.active && ss.samples_committed > w->committed) {
		log_complaint_release(&w->complaint, "store: writing again");
	}
	w->errors = ss.write_errors;
	w->committed = ss.samples_committed;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
	                                     {"log-level", required_argument, NULL, 'l'},
	                                     {"status-interval", required_argument, NULL, 's'},
	                                     {"version", no_argument, NULL, 'V'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *config_path = "/etc/greendc/greendc.yaml";
	const char *level_arg = NULL;
	int64_t status_ms = 60000;
	int c;

	while ((c = getopt_long(argc, argv, "c:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 'l':
			level_arg = optarg;
			break;
		case 's':
			if (!util_parse_duration(optarg, &status_ms) || status_ms < 1000) {
				fprintf(stderr, "greendcd: --status-interval: bad duration\n");
				return 2;
			}
			break;
		case 'V':
			printf("greendcd %s\n", GREENDC_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	log_set_journal(getenv("JOURNAL_STREAM") != NULL);

	/* Signals are taken synchronously by the main thread; block them before any thread
	 * starts so workers and the writer inherit the mask. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A file-size limit must surface as EFBIG from write(), which the store handles, not
	 * kill the daemon. */
	signal(SIGXFSZ, SIG_IGN);

	struct driver_set *ds = NULL;
	struct config *cfg = NULL;
	/* drivers_dir comes from the config, so peek at it first with a plain load. */
	struct config_diag diag = {0};
	struct config *peek = greendc_config_load(config_path, &diag);
	if (!peek) {
		fprintf(stderr, "%s", diag.text);
		return 1;
	}
	ds = driver_set_new(peek->daemon.drivers_dir);
	config_free(peek);
	cfg = load_validated(config_path, ds);
	if (!cfg) {
		driver_set_free(ds);
		return 1;
	}
	enum log_level lvl;
	if (log_parse_level(level_arg ? level_arg : cfg->daemon.log_level, &lvl))
		log_set_level(lvl);
	/* Calendar periods (days, months) are the site's: set its zone once, before any thread
	 * starts, since setenv is not thread-safe; nothing changes it afterwards. */
	time_zone_set(cfg->site.timezone);

	char err[512], apath[PATH_MAX];
	uid_t run_uid;
	gid_t run_gid;
	bool fatal;
	const char *user = run_user(cfg, &run_uid, &run_gid, &fatal);
	if (fatal) {
		config_free(cfg);
		driver_set_free(ds);
		return 1;
	}
	ensure_parent_dir(cfg->storage.path, run_uid, run_gid);
	/* The audit log is opened before dropping root, so it can stay root-owned. */
	struct audit *audit = audit_open(audit_path(cfg, apath, sizeof(apath)), err, sizeof(err));
	if (!audit)
		log_warn("audit log: %s", err);
	if (user) {
		if (privdrop_to(user, err, sizeof(err)) < 0) {
			log_err("%s", err);
			audit_close(audit);
			config_free(cfg);
			driver_set_free(ds);
			return 1;
		}
		log_info("dropped root: running as %s (uid %u)", user, (unsigned)run_uid);
	}
	struct store_opts so = {.path = cfg->storage.path,
	                        .raw_retention_ms = cfg->storage.raw_retention_ms,
	                        .commit_ms = cfg->storage.commit_ms,
	                        .queue_cap = 1 << 20};
	if (cfg->outputs) {
		so.outbox_max_items = cfg->outputs->outbox_max_items;
		so.outbox_max_bytes = cfg->outputs->outbox_max_bytes;
	}
	struct store *st = store_open(&so, err, sizeof(err));
	if (!st) {
		log_err("%s: %s", cfg->storage.path, err);
		audit_close(audit);
		config_free(cfg);
		driver_set_free(ds);
		return 1;
	}
	struct poller *p = poller_new(cfg, ds, st, err, sizeof(err));
	if (!p || poller_start(p) < 0) {
		log_err("cannot start polling: %s", err);
		poller_free(p);
		store_close(st);
		audit_close(audit);
		config_free(cfg);
		driver_set_free(ds);
		return 1;
	}
	/* ---- HTTP server: API, /metrics, dashboard (src/http.c); only with an `http:` section.
	 * One that cannot start (port in use, bad token file or TLS key) is logged as an error
	 * and the daemon meters on without it: a taken port must not stop data collection, and
	 * nothing is served unprotected. */
	struct http_server *http = NULL;
	if (cfg->http && cfg->http->enabled) {
		http = http_start(cfg, audit, err, sizeof(err));
		if (!http)
			log_err("http: %s; running without the dashboard, API and /metrics", err);
		else
			log_info("http: dashboard and API on %s://%s:%u/",
			         cfg->http->tls_cert ? "https" : "http", cfg->http->listen,
			         cfg->http->port);
	}
	/* ---- end HTTP server ---- */
	/* ---- delivery: outbox pusher thread and summaries (src/delivery.c) ---- */
	struct delivery *dlv = delivery_start(cfg, st, err, sizeof(err));
	if (!dlv)
		log_err("delivery: %s; items stay in the outbox", err);
	/* ---- end delivery ---- */
	log_info("greendcd %s: site %s, %zu devices, store %s", GREENDC_VERSION, cfg->site.id,
	         cfg->ndevices, cfg->storage.path);
	char who[64];
	snprintf(who, sizeof(who), "uid %u pid %d", (unsigned)getuid(), (int)getpid());
	audit_record(audit, "daemon_start", who, config_path, "ok");
	sdnotify("READY=1");

	int64_t watchdog_ms = sdnotify_watchdog_ms();
	int64_t tick_ms = watchdog_ms ? watchdog_ms / 2 : 1000;
	if (tick_ms > 1000)
		tick_ms = 1000;
	int64_t next_status = util_mono_ms() + status_ms, last_ms = util_mono_ms();
	uint64_t last_samples = 0;
	struct store_watch swatch = {0};
	int rc = 0;
	for (;;) {
		struct timespec ts = {.tv_sec = tick_ms / 1000,
		                      .tv_nsec = (tick_ms % 1000) * 1000000};
		siginfo_t si;
		int sig = sigtimedwait(&sigs, &si, &ts);
		char sender[64] = "";
		if (sig > 0)
			snprintf(sender, sizeof(sender), "signal from uid %u pid %d",
			         (unsigned)si.si_uid, (int)si.si_pid);
		if (watchdog_ms)
			sdnotify("WATCHDOG=1");
		watch_store(st, &swatch);
		delivery_tick(dlv, cfg, st, p);
		if (sig == SIGTERM || sig == SIGINT) {
			log_info("%s: stopping (%s)", sig == SIGTERM ? "SIGTERM" : "SIGINT",
			         sender);
			break;
		}
		if (sig == SIGHUP) {
			sdnotify("RELOADING=1");
			log_info("SIGHUP: reloading %s", config_path);
			struct config *next = load_validated(config_path, ds);
			if (!next) {
				log_err("reload failed, keeping the running configuration");
				audit_record(audit, "config_reload", sender, config_path,
				             "rejected: invalid configuration");
			} else if (strcmp(next->storage.path, cfg->storage.path) != 0) {
				log_err("reload: storage.path changed (%s -> %s); that needs a "
				        "restart, keeping the running configuration",
				        cfg->storage.path, next->storage.path);
				audit_record(audit, "config_reload", sender, config_path,
				             "rejected: storage.path changed");
				config_free(next);
			} else if (strcmp(next->site.timezone, cfg->site.timezone) != 0) {
				log_err("reload: site.timezone changed (%s -> %s); that needs a "
				        "restart, keeping the running configuration",
				        cfg->site.timezone, next->site.timezone);
				audit_record(audit, "config_reload", sender, config_path,
				             "rejected: site.timezone changed");
				config_free(next);
			} else {
				/* Stop polling under the old config, start under the new; samples
				 * already queued stay in the store's queue. */
				struct poller *np = poller_new(next, ds, st, err, sizeof(err));
				if (!np) {
					log_err("reload: %s; keeping the running configuration",
					        err);
					audit_record(audit, "config_reload", sender, config_path,
					             "rejected: cannot start devices");
					config_free(next);
				} else {
					poller_free(p);
					p = np;
					http_set_config(http,
					                next); /* before the old one is freed */
					/* Before the old config is freed: the alert engine
					 * borrows its energy and cooling models. */
					delivery_reload(dlv, next);
					config_free(cfg);
					cfg = next;
					if (poller_start(p) < 0) {
						log_err("reload: cannot start workers");
						rc = 1;
						break;
					}
					log_info("reloaded: %zu devices", cfg->ndevices);
					audit_record(audit, "config_reload", sender, config_path,
					             "ok");
				}
			}
			sdnotify("READY=1");
		}
		if (sig == SIGUSR1 || util_mono_ms() >= next_status) {
			log_status(p, st, &last_samples, &last_ms);
			next_status = util_mono_ms() + status_ms;
		}
	}
	sdnotify("STOPPING=1");
	delivery_stop(dlv); /* before the store: summaries are queued through it */
	http_stop(http);
	poller_free(p);
	store_close(st);
	audit_record(audit, "daemon_stop", who, config_path, rc == 0 ? "ok" : "error");
	audit_close(audit);
	config_free(cfg);
	driver_set_free(ds);
	log_info("stopped");
	return rc;
}
