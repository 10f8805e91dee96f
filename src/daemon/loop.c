/* SPDX-License-Identifier: Apache-2.0 */
/*
 * greendcd's main thread after start: it waits for signals with a timeout (a tick of at most
 * one second, half the systemd watchdog interval when there is one) and on each wake feeds
 * the watchdog, watches the store for write failures, lets delivery run its timers, reloads
 * on SIGHUP, logs the status line every status interval (and on SIGUSR1), and returns on
 * SIGTERM/SIGINT.
 */
#include "daemon/daemon.h"

#include "core/log.h"
#include "core/sdnotify.h"
#include "core/util.h"
#include "delivery/delivery.h"
#include "ingest/poller.h"
#include "store/store.h"

#include <stdio.h>
#include <time.h>

/* The status line (log and sd_notify STATUS=): devices, samples/s since the last one, how late
 * polls started (p99 and worst since the start), and whether the writer kept up. */
struct status_watch {
	uint64_t samples;
	int64_t at_ms; /* monotonic */
	struct poller_stats ps;
};

static void log_status(struct poller *p, struct store *st, struct status_watch *w)
{
	struct poller_stats ps;
	struct store_stats ss;
	int64_t now = util_mono_ms();

	poller_stats(p, &ps);
	store_stats(st, &ss);
	double secs = (double)(now - w->at_ms) / 1000.0;
	double rate = secs > 0 ? (double)(ps.samples - w->samples) / secs : 0;
	log_info("status: %u devices, %u up, %u down; %.1f samples/s; %llu stored, queue %llu; "
	         "polls started late by p99 %lld ms (worst %llu); writer: %llu commits, largest "
	         "batch %llu, producers waited %llu times",
	         ps.devices, ps.up, ps.down, rate, (unsigned long long)ss.samples_committed,
	         (unsigned long long)ss.queue_depth,
	         (long long)poller_delay_quantile(&w->ps, &ps, 0.99),
	         (unsigned long long)ps.start_delay_max_ms, (unsigned long long)ss.commits,
	         (unsigned long long)ss.batch_max, (unsigned long long)ss.full_waits);
	char status[128];
	snprintf(status, sizeof(status), "STATUS=%u devices, %u up, %.0f samples/s", ps.devices,
	         ps.up, rate);
	sdnotify(status);
	w->samples = ps.samples;
	w->at_ms = now;
	w->ps = ps;
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

int daemon_loop(struct daemon *d)
{
	int64_t watchdog_ms = sdnotify_watchdog_ms();
	int64_t tick_ms = watchdog_ms ? watchdog_ms / 2 : 1000;
	if (tick_ms > 1000)
		tick_ms = 1000;
	int64_t next_status = util_mono_ms() + d->status_ms;
	struct status_watch status = {.at_ms = util_mono_ms()};
	struct store_watch swatch = {0};
	for (;;) {
		struct timespec ts = {.tv_sec = tick_ms / 1000,
		                      .tv_nsec = (tick_ms % 1000) * 1000000};
		siginfo_t si;
		int sig = sigtimedwait(&d->sigs, &si, &ts);
		char sender[64] = "";
		if (sig > 0)
			snprintf(sender, sizeof(sender), "signal from uid %u pid %d",
			         (unsigned)si.si_uid, (int)si.si_pid);
		if (watchdog_ms)
			sdnotify("WATCHDOG=1");
		watch_store(d->st, &swatch);
		delivery_tick(d->dlv, d->cfg, d->st, d->p);
		if (sig == SIGTERM || sig == SIGINT) {
			log_info("%s: stopping (%s)", sig == SIGTERM ? "SIGTERM" : "SIGINT",
			         sender);
			return 0;
		}
		if (sig == SIGHUP) {
			sdnotify("RELOADING=1");
			if (daemon_reload(d, sender) < 0)
				return 1;
			sdnotify("READY=1");
		}
		if (sig == SIGUSR1 || util_mono_ms() >= next_status) {
			log_status(d->p, d->st, &status);
			next_status = util_mono_ms() + d->status_ms;
		}
	}
}
