/* SPDX-License-Identifier: Apache-2.0 */
/*
 * greendcd's life in three steps, one file each: start.c (config, privileges, then the store,
 * the poll workers, HTTP and delivery, in that order), loop.c (the main thread: signals,
 * timers, sd_notify, the watchdog, the status line) and reload.c (SIGHUP: build a new config,
 * validate it, swap; a bad one keeps the old). main.c parses the arguments and runs them.
 * See docs/internals/daemon.md.
 */
#ifndef GREENDC_DAEMON_H
#define GREENDC_DAEMON_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct audit;
struct config;
struct delivery;
struct driver_set;
struct http_server;
struct poller;
struct store;

/* What the command line said. */
struct daemon_opts {
	const char *config_path;
	const char *log_level; /* NULL: the config's daemon.log_level */
	int64_t status_ms;     /* how often the status line is logged */
	bool allow_root;       /* --allow-root: started as root without daemon.user, stay root */
};

/* The running daemon: every part it started, owned here and released by daemon_stop. */
struct daemon {
	const char *config_path;
	int64_t status_ms;
	sigset_t sigs; /* taken synchronously by the main thread; blocked in every other */
	struct driver_set *ds;
	struct config *cfg;
	struct audit *audit; /* NULL when it cannot be opened (warned) */
	struct store *st;
	struct poller *p;
	struct http_server *http; /* NULL without an http: section or when it cannot start */
	struct delivery *dlv;     /* NULL when it cannot start (items stay in the outbox) */
	char who[64];             /* "uid U pid P", for the audit log */
};

/* Block the signals, load and validate the config, set the log level and site time zone,
 * drop root (or refuse to run as root: see start.c), open the audit log and the store, start
 * polling, HTTP and delivery. 0, or 1 with the reason logged and everything started so far
 * released. */
int daemon_start(struct daemon *d, const struct daemon_opts *o);

/* The main thread until SIGTERM/SIGINT: 0, or 1 when a reload left no workers running. */
int daemon_loop(struct daemon *d);

/* Stop and release in reverse order of starting (delivery before the store). rc is the exit
 * status, recorded in the audit log. */
void daemon_stop(struct daemon *d, int rc);

/* Load a config and validate it fully: YAML, profiles, every driver's view of its devices,
 * and every secret file it names (greendc_secrets_check). NULL with the problems printed to
 * stderr. */
struct config *daemon_config_load(const char *path, struct driver_set *ds);

/* SIGHUP: build, validate and swap in the config at d->config_path; a bad one keeps the
 * running one (logged and audited; sender says who sent the signal). 0, or -1 when the new
 * workers could not start (the daemon must exit). */
int daemon_reload(struct daemon *d, const char *sender);

#endif
