/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Benchmark of Prometheus remote-write through greendcd's own code path (prints figures; not a
 * test): the store with the remote-write tap installed from a config (delivery_attach), and the
 * pusher delivering to a real receiver, in one process, as in greendcd minus the pollers.
 * bench_remote_write.sh starts VictoriaMetrics and runs this; without --url it does nothing.
 *
 *   feed:   S series (every tenth an energy counter, the rest power gauges), one sample per
 *           series per round, rounds paced to --rate samples/s for --seconds, store_append;
 *   run 1:  the same feed into a store without remote-write: the baseline CPU;
 *   run 2:  with remote-write: CPU, and the time until the outbox is empty again (every
 *           request delivered); throughput = samples / (feed + drain time).
 *   CPU is this process's user + system time (every thread: writer, tap, pusher), per 1,000
 *   samples; run 2 - run 1 is what remote-write costs. The receiver's CPU is read from
 *   /proc/PID/stat when --receiver-pid is given.
 *
 *   bench_remote_write --url URL --dir DIR [--series N] [--rate N] [--seconds N]
 *                      [--receiver-pid PID]
 */
#include "config/config.h"
#include "daemon/sections.h"
#include "delivery/delivery.h"
#include "delivery/pusher.h"
#include "store/outbox.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 +
	       (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

/* utime + stime of another process, seconds; -1 when unknown. */
static double proc_cpu_s(long pid)
{
	char path[64], buf[1024];
	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *p = strrchr(buf, ')');
	unsigned long ut = 0, st = 0;
	/* fields after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt
	 * cmajflt utime stime */
	if (!p ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

struct run {
	double feed_s, drain_s, cpu, rcpu;
	long samples;
	int64_t max_backlog;
};

static int64_t backlog(struct outbox *ob)
{
	struct outbox_stream_stats s;
	return ob && outbox_stream_stats(ob, "vm/rw", &s) == 0 ? s.items : 0;
}

static int one_run(const char *dir, const char *url, bool rw, long nseries, long rate, long seconds,
                   long rpid, struct run *out)
{
	char path[512], db[512], err[512];
	snprintf(db, sizeof(db), "%s/bench-%s.db", dir, rw ? "rw" : "base");
	static const char *const sfx[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s%s", db, sfx[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/bench-%s.yaml", dir, rw ? "rw" : "base");
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f,
	        "site: {id: bench, name: Bench, timezone: UTC}\n"
	        "storage: {path: %s, commit_interval: 1s}\n"
	        "devices: []\n",
	        db);
	if (rw)
		fprintf(f,
		        "outputs:\n  summary_interval: 0s\n  remote_write:\n"
		        "    - {name: vm, url: \"%s\", instance: bench}\n",
		        url);
	fclose(f);
	struct config_diag diag = {0};
	struct config *cfg = greendc_config_load(path, &diag);
	if (!cfg) {
		fprintf(stderr, "%s", diag.text);
		return -1;
	}
	struct store_opts so = {.path = cfg->storage.path, .commit_ms = 1000, .queue_cap = 1 << 20};
	struct store *st = store_open(&so, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "%s\n", err);
		config_free(cfg);
		return -1;
	}
	struct pusher *p = NULL;
	if (rw) {
		delivery_attach(st, cfg);
		p = pusher_start(cfg->outputs, cfg->site.id, cfg->storage.path, err, sizeof(err));
	}
	int64_t *id = calloc((size_t)nseries, sizeof(*id));
	struct store_sample *buf = calloc((size_t)nseries, sizeof(*buf));
	for (long i = 0; i < nseries; i++) {
		char dev[32], lab[32];
		snprintf(dev, sizeof(dev), "rack-%05ld", i / 10);
		snprintf(lab, sizeof(lab), "outlet=%ld", i % 10);
		struct store_series_desc d = {.device = dev,
		                              .metric = i % 10 == 0 ? "energy_kwh" : "power_w",
		                              .labels = i % 10 == 0 ? "" : lab,
		                              .kind = i % 10 == 0 ? STORE_COUNTER : STORE_GAUGE,
		                              .counter_bits = i % 10 == 0 ? 64 : 0};
		id[i] = store_series(st, &d);
	}
	struct outbox *ob = rw ? outbox_open(cfg->storage.path, err, sizeof(err)) : NULL;
	double round_s = (double)nseries / (double)rate;
	long rounds = (long)((double)seconds / round_s);
	/* Data time: rounds 200 ms apart at most, ending about now (receivers keep a window). */
	int64_t step_ms = (int64_t)(round_s * 1000) > 0 ? (int64_t)(round_s * 1000) : 1;
	int64_t t0 = (int64_t)time(NULL) * 1000 - rounds * step_ms;
	double c0 = cpu_s(), r0 = proc_cpu_s(rpid), w0 = now_s();
	out->max_backlog = 0;
	for (long r = 0; r < rounds; r++) {
		for (long i = 0; i < nseries; i++)
			buf[i] = (struct store_sample){id[i], t0 + r * step_ms,
			                               i % 10 == 0
			                                       ? 1000.0 + (double)r * 0.01
			                                       : 1000.0 + (double)((r + i) % 100)};
		store_append(st, buf, (size_t)nseries);
		/* pace: round r ends at w0 + (r + 1) * round_s */
		double wait = w0 + (double)(r + 1) * round_s - now_s();
		if (wait > 0) {
			struct timespec ts = {(time_t)wait,
			                      (long)((wait - (double)(time_t)wait) * 1e9)};
			nanosleep(&ts, NULL);
		}
		if (ob && r % 5 == 0) {
			int64_t b = backlog(ob);
			if (b > out->max_backlog)
				out->max_backlog = b;
		}
	}
	store_flush(st);
	out->feed_s = now_s() - w0;
	double w1 = now_s();
	while (ob && backlog(ob) > 0 && now_s() - w1 < 600)
		usleep(20000);
	out->drain_s = now_s() - w1;
	out->cpu = cpu_s() - c0;
	out->rcpu = rpid > 0 ? proc_cpu_s(rpid) - r0 : -1;
	out->samples = rounds * nseries;
	outbox_close(ob);
	pusher_stop(p);
	store_close(st);
	config_free(cfg);
	free(id);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {{"url", required_argument, NULL, 'u'},
	                                   {"dir", required_argument, NULL, 'd'},
	                                   {"series", required_argument, NULL, 's'},
	                                   {"rate", required_argument, NULL, 'r'},
	                                   {"seconds", required_argument, NULL, 't'},
	                                   {"receiver-pid", required_argument, NULL, 'p'},
	                                   {NULL, 0, NULL, 0}};
	const char *url = NULL, *dir = NULL;
	long nseries = 20000, rate = 100000, seconds = 20, rpid = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'u':
			url = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 's':
			nseries = atol(optarg);
			break;
		case 'r':
			rate = atol(optarg);
			break;
		case 't':
			seconds = atol(optarg);
			break;
		case 'p':
			rpid = atol(optarg);
			break;
		default:
			return 2;
		}
	}
	if (!url || !dir) {
		printf("bench_remote_write: needs a receiver; run bench/bench_remote_write.sh\n");
		return 0;
	}
	if (nseries < 10 || rate < nseries || seconds < 1)
		return fprintf(stderr, "bench_remote_write: --series >= 10, --rate >= --series\n"),
		       2;
	struct run base, rw;
	if (one_run(dir, url, false, nseries, rate, seconds, 0, &base) < 0 ||
	    one_run(dir, url, true, nseries, rate, seconds, rpid, &rw) < 0)
		return 1;
	double k = (double)rw.samples / 1000.0;
	printf("feed: %ld series, %ld samples/s for %ld s (%ld samples), commit every 1 s\n",
	       nseries, rate, seconds, rw.samples);
	printf("without remote-write: %.4f CPU-s per 1,000 samples (store only)\n", base.cpu / k);
	printf("with remote-write:    %.4f CPU-s per 1,000 samples (store + tap + pusher)\n",
	       rw.cpu / k);
	printf("remote-write's share: %.4f CPU-s per 1,000 samples\n", (rw.cpu - base.cpu) / k);
	printf("delivered: %ld samples in %.1f s feed + %.2f s drain = %.0f samples/s end to end; "
	       "largest backlog %lld requests\n",
	       rw.samples, rw.feed_s, rw.drain_s, (double)rw.samples / (rw.feed_s + rw.drain_s),
	       (long long)rw.max_backlog);
	if (rw.rcpu >= 0)
		printf("receiver (VictoriaMetrics): %.4f CPU-s per 1,000 samples\n", rw.rcpu / k);
	return 0;
}
