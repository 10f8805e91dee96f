/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Poll workers and their shared due-time heap. See poller.h for the contract.
 *
 * Samples a driver emits are mapped to store series here (device labels, then the profile
 * row's labels, then the driver's table-index labels) and handed to the store in one batch
 * per poll, so a poll costs one queue lock however many values it read.
 *
 * Wake-ups are what polling costs on a small machine (docs/internals/poller.md): waking a
 * thread on the other vCPU costs more than the poll's own work. So due times lie on a grid of
 * SLOT_MS and devices of one slot are polled as a burst by the worker that wakes for it; one
 * idle worker holds the timer (the others sleep until handed it), and it steps in beside a
 * busy worker only when the top device is HELP_LAG_MS overdue (a slow or dead device never
 * holds the others up for longer than that).
 */
#include "ingest/poller.h"
#include "core/labels.h"

#include "core/log.h"
#include "core/metrics.h"
#include "core/util.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_LABELS 32

/* Series ids cached per device for samples with table-index labels. A device's tables are
 * bounded by what it is: the largest legitimate case is a daisy-chained PDU (4 units x 48
 * outlets x up to 10 columns = 1,920 label sets), so 4,096 is twice that, and bounds the
 * cache at about 2 MB per device even with 512-byte keys. A device that goes past it (index
 * values that churn every poll) keeps being stored, through a store lookup per sample, and is
 * warned about once. */
#define LABEL_CACHE_MAX 4096

/* Due times are multiples of this from the poller's start (a device's interval is rounded to
 * it when it is at least one slot): devices of one slot are one burst. */
#define SLOT_MS 250
/* An idle worker takes a due device only once it is this late while another worker is busy:
 * until then the busy one is expected to take it after its poll, without a wake-up. */
#define HELP_LAG_MS 40
/* A device's row in the devices table is rewritten after each poll only when something other
 * than its poll times changed (state, errors, interval, error text), else at most this often:
 * an upsert per poll was a measurable part of polling's cost. */
#define DEVICE_ROW_EVERY_MS 10000

/* The health series the poller stores for each device after every poll. */
enum health_series { HEALTH_UP, HEALTH_DURATION, HEALTH_ERRORS, HEALTH_COUNT };

/* Series ids of samples that carry table-index labels, keyed by point + canonical labels. */
struct label_entry {
	uint32_t point;
	char *labels;
	int64_t series;
};

struct dev_rt {
	const struct config_device *cfg;
	const struct profile *profile; /* NULL until a device without one is identified */
	struct gdc_attr *options;      /* the matched profile's quirks + the device's options */
	const struct gdc_driver *drv;
	void *state;          /* the driver's, allocated from drv->state_size */
	const char *bus;      /* serialisation key for serial lines, NULL otherwise */
	int64_t due_ms;       /* monotonic */
	unsigned interval_ms; /* current, including backoff */
	unsigned consecutive_failures;
	uint64_t errors;
	int64_t last_ok_wall;
	bool ever_polled;
	bool up;
	struct log_complaint complaint;
	int64_t row_written_ms; /* wall clock the devices row was last written; 0: never */
	char row_state[8];      /* what it said: state, errors, interval, error text */
	uint64_t row_errors;
	unsigned row_interval_ms;
	char row_error[128];
	int64_t *point_series;      /* per point, samples without index labels; 0 = not yet known */
	struct label_entry *lcache; /* at most LABEL_CACHE_MAX entries */
	size_t nlcache, caplcache;
	bool lcache_full_warned;
	int64_t health_series[HEALTH_COUNT]; /* 0 = not yet known */
};

struct poller {
	const struct config *cfg;
	struct store *st;
	struct dev_rt *devs;
	size_t ndevs;
	struct dev_rt **heap; /* min-heap on due_ms */
	size_t nheap;
	const char **busy_buses; /* one slot per worker */
	pthread_t *threads;
	unsigned nthreads;
	pthread_mutex_t lock;
	pthread_cond_t timer; /* the worker holding the timer: the top may be earlier now */
	pthread_cond_t idle;  /* the other idle workers: take the timer */
	bool timer_held;      /* an idle worker waits for the top's due time ... */
	int64_t timer_until;  /* ... until this monotonic time */
	unsigned busy;        /* workers polling */
	int64_t origin_ms;    /* the slot grid's origin (monotonic) */
	bool running;
	struct poller_stats stats;
	unsigned seed;
};

/* ---- heap ---- */

static void heap_swap(struct poller *p, size_t a, size_t b)
{
	struct dev_rt *t = p->heap[a];
	p->heap[a] = p->heap[b];
	p->heap[b] = t;
}

static void heap_push(struct poller *p, struct dev_rt *d)
{
	size_t i = p->nheap++;
	p->heap[i] = d;
	while (i > 0 && p->heap[(i - 1) / 2]->due_ms > p->heap[i]->due_ms) {
		heap_swap(p, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static struct dev_rt *heap_pop(struct poller *p)
{
	struct dev_rt *top = p->heap[0];
	p->heap[0] = p->heap[--p->nheap];
	for (size_t i = 0;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < p->nheap && p->heap[l]->due_ms < p->heap[m]->due_ms)
			m = l;
		if (r < p->nheap && p->heap[r]->due_ms < p->heap[m]->due_ms)
			m = r;
		if (m == i)
			break;
		heap_swap(p, i, m);
		i = m;
	}
	return top;
}

/* ---- series mapping ---- */

struct poll_ctx {
	struct poller *p;
	struct dev_rt *d;
	struct store_sample *batch;
	size_t n, cap;
	bool oom;
};

static int64_t resolve_series(struct poller *p, struct dev_rt *d, const struct gdc_sample *s)
{
	const struct gdc_point *pt = &d->profile->points[s->point];
	const char *keys[MAX_LABELS], *vals[MAX_LABELS];
	size_t n = 0;
	char canon[1024];

	/* Merge: later sources override earlier ones with the same key. */
	const struct gdc_label *srcs[3] = {d->cfg->labels, pt->labels, s->labels};
	size_t counts[3] = {d->cfg->nlabels, pt->nlabels, s->labels ? s->nlabels : 0};
	for (int k = 0; k < 3; k++) {
		for (size_t i = 0; i < counts[k]; i++) {
			size_t j;
			for (j = 0; j < n; j++)
				if (strcmp(keys[j], srcs[k][i].key) == 0)
					break;
			if (j == n) {
				if (n == MAX_LABELS)
					continue;
				n++;
			}
			keys[j] = srcs[k][i].key;
			vals[j] = srcs[k][i].value;
		}
	}
	if (labels_canon(keys, vals, n, canon, sizeof(canon)) >= sizeof(canon))
		return -ENAMETOOLONG;
	struct store_series_desc desc = {
	        .device = d->cfg->name,
	        .metric = pt->metric,
	        .labels = canon,
	        .kind = pt->kind == GDC_COUNTER ? STORE_COUNTER : STORE_GAUGE,
	};
	if (pt->kind == GDC_COUNTER) { /* width, resolution, rate: config_counter_of */
		struct config_counter cc;
		config_counter_of(d->cfg, pt->metric, pt, &cc);
		desc.counter_bits = cc.bits;
		desc.counter_scale = cc.scale;
		desc.max_rate = cc.max_rate;
	}
	return store_series(p->st, &desc);
}

static int64_t series_for(struct poller *p, struct dev_rt *d, const struct gdc_sample *s)
{
	if (!s->labels || s->nlabels == 0) {
		if (!d->point_series[s->point])
			d->point_series[s->point] = resolve_series(p, d, s);
		return d->point_series[s->point];
	}
	/* Index labels: a small cache per device keyed by point and the labels as given. */
	char key[512];
	size_t off = 0;
	for (size_t i = 0; i < s->nlabels && off < sizeof(key); i++)
		off += (size_t)snprintf(key + off, sizeof(key) - off, "%s=%s;", s->labels[i].key,
		                        s->labels[i].value);
	for (size_t i = 0; i < d->nlcache; i++)
		if (d->lcache[i].point == s->point && strcmp(d->lcache[i].labels, key) == 0)
			return d->lcache[i].series;
	int64_t id = resolve_series(p, d, s);
	if (id <= 0)
		return id;
	if (d->nlcache == LABEL_CACHE_MAX) {
		if (!d->lcache_full_warned)
			log_warn("%s: more than %d table-index label sets; the rest are looked up "
			         "on every poll",
			         d->cfg->name, LABEL_CACHE_MAX);
		d->lcache_full_warned = true;
		return id;
	}
	if (d->nlcache == d->caplcache) {
		size_t cap = d->caplcache ? d->caplcache * 2 : 16;
		struct label_entry *v = realloc(d->lcache, cap * sizeof(*v));
		if (!v)
			return id;
		d->lcache = v;
		d->caplcache = cap;
	}
	char *dup = strdup(key);
	if (dup)
		d->lcache[d->nlcache++] = (struct label_entry){s->point, dup, id};
	return id;
}

static void batch_add(struct poll_ctx *c, int64_t series, int64_t ts, double v)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct store_sample *nb = realloc(c->batch, cap * sizeof(*nb));
		if (!nb) {
			c->oom = true;
			return;
		}
		c->batch = nb;
		c->cap = cap;
	}
	c->batch[c->n++] = (struct store_sample){series, ts, v};
}

static void sink_emit(void *ctx, const struct gdc_sample *s)
{
	struct poll_ctx *c = ctx;
	if (s->point >= c->d->profile->npoints)
		return; /* a driver bug; never index past the points */
	int64_t id = series_for(c->p, c->d, s);
	if (id > 0)
		batch_add(c, id, s->ts_ms, s->value);
}

static int64_t health_series(struct poller *p, struct dev_rt *d, enum health_series which)
{
	static const char *const metrics[HEALTH_COUNT] = {
	        [HEALTH_UP] = "greendc_device_up",
	        [HEALTH_DURATION] = "greendc_poll_duration_s",
	        [HEALTH_ERRORS] = "greendc_poll_errors",
	};
	if (d->health_series[which] <= 0) {
		struct store_series_desc desc = {.device = d->cfg->name,
		                                 .metric = metrics[which],
		                                 .labels = "",
		                                 .kind = STORE_GAUGE};
		d->health_series[which] = store_series(p->st, &desc);
	}
	return d->health_series[which];
}

static void health_add(struct poller *p, struct dev_rt *d, struct poll_ctx *c,
                       enum health_series which, int64_t ts, double v)
{
	int64_t id = health_series(p, d, which);
	if (id > 0)
		batch_add(c, id, ts, v);
}

/* ---- one poll ---- */

/* Every candidate profile's `match:` pairs as one-attribute points, for identify() to probe
 * what the profiles ask about (e.g. "answers: OID", a standard MIB). Freed by the caller. */
static struct gdc_point *identify_probes(const struct config_device *c, size_t *n)
{
	size_t total = 0;
	for (size_t i = 0; i < c->ncandidates; i++)
		total += c->candidates[i]->nmatch;
	struct gdc_point *probes = calloc(total ? total : 1, sizeof(*probes));
	*n = 0;
	if (!probes)
		return NULL;
	for (size_t i = 0; i < c->ncandidates; i++)
		for (size_t j = 0; j < c->candidates[i]->nmatch; j++)
			probes[(*n)++] =
			        (struct gdc_point){.metric = "",
			                           .attrs = &c->candidates[i]->match[j],
			                           .nattrs = 1,
			                           .line = c->candidates[i]->match[j].line};
	return probes;
}

/* identify()'s "key=value" lines as one line for logs and events ("a=1, b=2"). */
static void ident_one_line(const char *in, char *out, size_t n)
{
	size_t k = 0;
	for (; *in && k + 3 < n; in++) {
		if (*in == '\n') {
			out[k++] = ',';
			out[k++] = ' ';
		} else {
			out[k++] = *in;
		}
	}
	out[k] = '\0';
}

/* A device whose entry names no profile: ask the driver who it is, pick the best-matching
 * candidate profile, and open the device with it. Done once; a failure is a failed poll. */
static int identify_device(struct poller *p, struct dev_rt *d, int64_t deadline_ms, char *err,
                           size_t errlen)
{
	const struct config_device *c = d->cfg;
	struct gdc_device gd;
	char ident[1024] = "", shown[1100];
	config_device_to_gdc(c, NULL, &gd);
	struct gdc_point *probes = identify_probes(c, &gd.npoints);
	if (!probes) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	gd.points = probes;
	int rc = d->drv->identify(&gd, deadline_ms, ident, sizeof(ident), err, errlen);
	free(probes);
	if (rc < 0)
		return rc;
	ident[sizeof(ident) - 1] = '\0';
	ident_one_line(ident, shown, sizeof(shown));
	const struct profile *prof = profile_match(c->candidates, c->ncandidates, ident);
	if (!prof) {
		snprintf(err, errlen, "no profile matches %.400s", shown);
		return -ENOENT;
	}
	size_t n = prof->nquirks + c->noptions;
	struct gdc_attr *opts = calloc(n ? n : 1, sizeof(*opts));
	int64_t *ps = calloc(prof->npoints, sizeof(*ps));
	void *state = calloc(1, d->drv->state_size ? d->drv->state_size : 1);
	if (!opts || !ps || !state) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out_free;
	}
	/* The profile's quirks first, the device's own options after them (they win). */
	if (prof->nquirks) /* memcpy from NULL is undefined even for 0 bytes */
		memcpy(opts, prof->quirks, prof->nquirks * sizeof(*opts));
	if (c->noptions)
		memcpy(opts + prof->nquirks, c->options, c->noptions * sizeof(*opts));
	config_device_to_gdc(c, prof, &gd);
	gd.options = opts;
	gd.noptions = n;
	int bad_line = 0;
	rc = d->drv->open(state, &gd, err, errlen, &bad_line);
	if (rc < 0)
		goto out_free;
	d->state = state;
	d->point_series = ps;
	d->options = opts;
	d->profile = prof;
	log_info("%s: identified as %s (%s)", c->name, prof->name, shown);
	char detail[1200];
	snprintf(detail, sizeof(detail), "%s: %s", prof->name, shown);
	store_event(p->st, util_wall_ms(), 0, "device_identified", detail);
	return 0;
out_free:
	free(opts);
	free(ps);
	free(state);
	return rc;
}

/* Does the device's row need writing: something in it other than the poll times changed, or
 * DEVICE_ROW_EVERY_MS passed? */
static bool row_due(const struct dev_rt *d, const struct store_device_state *ds, int64_t wall)
{
	if (!d->row_written_ms || wall - d->row_written_ms >= DEVICE_ROW_EVERY_MS)
		return true;
	return strcmp(d->row_state, ds->state) != 0 || d->row_errors != (uint64_t)ds->errors ||
	       d->row_interval_ms != ds->interval_ms ||
	       strncmp(d->row_error, ds->last_error, sizeof(d->row_error) - 1) != 0;
}

static void poll_device(struct poller *p, struct dev_rt *d)
{
	const struct config_device *cfg = d->cfg;
	struct poll_ctx c = {.p = p, .d = d};
	struct gdc_sink sink = {.ctx = &c, .emit = sink_emit};
	char err[512] = "";
	int64_t t0 = util_mono_ms(), wall = util_wall_ms();
	struct timespec ts0, ts1;
	clock_gettime(CLOCK_MONOTONIC, &ts0);
	/* The poll as a whole may take at most one interval, and at most four request
	 * timeouts, so a dead device frees its worker quickly. */
	int64_t budget = cfg->interval_ms < 4 * (int64_t)cfg->timeout_ms
	                         ? cfg->interval_ms
	                         : 4 * (int64_t)cfg->timeout_ms;
	int rc = 0;
	if (!d->profile)
		rc = identify_device(p, d, t0 + budget, err, sizeof(err));
	if (rc == 0)
		rc = d->drv->poll(d->state, t0 + budget, &sink, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &ts1);
	double duration =
	        (double)(ts1.tv_sec - ts0.tv_sec) + (double)(ts1.tv_nsec - ts0.tv_nsec) / 1e9;
	err[sizeof(err) - 1] = '\0';

	bool ok = rc == 0 && c.n > 0;
	if (rc == 0 && c.n == 0 && !err[0])
		snprintf(err, sizeof(err), "poll returned no values");
	if (!ok) {
		d->errors++;
		d->consecutive_failures++;
		unsigned next = d->interval_ms * 2;
		d->interval_ms = next > p->cfg->daemon.max_backoff_ms
		                         ? (unsigned)p->cfg->daemon.max_backoff_ms
		                         : next;
		char ivl[32];
		util_format_duration(d->interval_ms, ivl, sizeof(ivl));
		const char *why = err[0] ? err : strerror(rc < 0 ? -rc : EIO);
		log_complain(&d->complaint, LOG_LVL_WARN, "%s: %s, backing off to %s", cfg->name,
		             why, ivl);
	} else {
		if (d->complaint.active)
			log_complaint_release(&d->complaint, "%s", cfg->name);
		else if (err[0])
			log_debug("%s: partial poll: %s", cfg->name, err);
		d->consecutive_failures = 0;
		d->interval_ms = cfg->interval_ms;
		d->last_ok_wall = wall;
	}
	/* The device's own values, counted before the health samples join the batch. */
	size_t nvalues = c.n;
	int64_t now_wall = util_wall_ms();
	health_add(p, d, &c, HEALTH_UP, now_wall, ok ? 1.0 : 0.0);
	health_add(p, d, &c, HEALTH_DURATION, now_wall, duration);
	health_add(p, d, &c, HEALTH_ERRORS, now_wall, (double)d->errors);
	if (c.n)
		store_append(p->st, c.batch, c.n);
	free(c.batch);

	struct store_device_state ds = {
	        .name = cfg->name,
	        .driver = cfg->driver,
	        .address = cfg->address,
	        .state = ok ? "up" : "down",
	        .last_poll_ms = wall,
	        .last_ok_ms = d->last_ok_wall,
	        .last_duration_s = duration,
	        .errors = (int64_t)d->errors,
	        .interval_ms = d->interval_ms,
	        .last_error = ok ? "" : err,
	};
	if (row_due(d, &ds, wall) && store_device_state(p->st, &ds) == 0) {
		d->row_written_ms = wall;
		snprintf(d->row_state, sizeof(d->row_state), "%s", ds.state);
		d->row_errors = d->errors;
		d->row_interval_ms = d->interval_ms;
		snprintf(d->row_error, sizeof(d->row_error), "%s", ds.last_error);
	}

	pthread_mutex_lock(&p->lock);
	d->up = ok;
	d->ever_polled = true;
	p->stats.polls++;
	p->stats.samples += nvalues;
	if (!ok)
		p->stats.failed_polls++;
	pthread_mutex_unlock(&p->lock);
}

/* ---- workers ---- */

static bool bus_busy(struct poller *p, const char *bus)
{
	for (unsigned i = 0; i < p->nthreads; i++)
		if (p->busy_buses[i] && strcmp(p->busy_buses[i], bus) == 0)
			return true;
	return false;
}

static void bus_set(struct poller *p, const char *bus, const char *to)
{
	for (unsigned i = 0; i < p->nthreads; i++) {
		if (p->busy_buses[i] == bus) {
			p->busy_buses[i] = to;
			return;
		}
	}
}

/* The next grid time at or after t. */
static int64_t slot_ceil(const struct poller *p, int64_t t)
{
	int64_t d = t - p->origin_ms;
	return d <= 0 ? p->origin_ms : p->origin_ms + (d + SLOT_MS - 1) / SLOT_MS * SLOT_MS;
}

/* A device's interval on the grid: rounded to whole slots once it is at least one. */
static int64_t slot_interval(unsigned interval_ms)
{
	if (interval_ms < SLOT_MS)
		return interval_ms ? interval_ms : 1;
	return ((int64_t)interval_ms + SLOT_MS / 2) / SLOT_MS * SLOT_MS;
}

/* Upper bounds (ms) of the start delay buckets (poller.h). */
static const int64_t delay_bounds[POLL_DELAY_BUCKETS] = {1, 5, 10, 25, 50, 100, 250, 1000};

static void count_delay(struct poller *p, int64_t late_ms)
{
	int k = 0;
	while (k < POLL_DELAY_BUCKETS && late_ms > delay_bounds[k])
		k++;
	p->stats.start_delay[k]++;
	if (late_ms > (int64_t)p->stats.start_delay_max_ms)
		p->stats.start_delay_max_ms = (uint64_t)late_ms;
}

/* Wait on c until the monotonic time `until`. Caller holds p->lock. */
static void wait_until(struct poller *p, pthread_cond_t *c, int64_t until)
{
	int64_t wait = until - util_mono_ms();
	if (wait <= 0)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += wait / 1000;
	ts.tv_nsec += (wait % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(c, &p->lock, &ts);
}

static void *worker_main(void *arg)
{
	struct poller *p = arg;
	bool awake = false; /* just finished a poll: take what is due without the lag */

	pthread_mutex_lock(&p->lock);
	while (p->running) {
		int64_t now = util_mono_ms();
		struct dev_rt *d = p->nheap ? p->heap[0] : NULL;
		int64_t ready = d ? d->due_ms + (!awake && p->busy ? HELP_LAG_MS : 0) : 0;
		if (!d || ready > now) {
			bool was_awake = awake;
			awake = false;
			if (p->timer_held || !d) {
				/* Going idle after a poll: the timer's holder may be waiting for a
				 * later time than the top now needs (it left room for this worker).
				 */
				if (was_awake && d && p->timer_held &&
				    p->timer_until > d->due_ms + (p->busy ? HELP_LAG_MS : 0))
					pthread_cond_signal(&p->timer);
				pthread_cond_wait(&p->idle, &p->lock);
				continue;
			}
			p->timer_held = true;
			p->timer_until = d->due_ms + (p->busy ? HELP_LAG_MS : 0);
			wait_until(p, &p->timer, p->timer_until);
			p->timer_held = false;
			continue;
		}
		heap_pop(p);
		if (d->bus && bus_busy(p, d->bus)) {
			/* Another worker is on this serial line; try again shortly. */
			d->due_ms = now + 20;
			heap_push(p, d);
			continue;
		}
		if (d->bus)
			bus_set(p, NULL, d->bus);
		if (now - d->due_ms > (int64_t)d->interval_ms)
			p->stats.late_polls++;
		count_delay(p, now - d->due_ms);
		/* Somebody must watch the clock while this worker polls: hand the timer to an idle
		 * worker if none holds it (once per burst: the later devices of a burst are taken
		 * by this worker after its poll, awake). */
		if (p->nheap && !p->timer_held)
			pthread_cond_signal(&p->idle);
		p->busy++;
		pthread_mutex_unlock(&p->lock);

		poll_device(p, d);

		pthread_mutex_lock(&p->lock);
		p->busy--;
		awake = true;
		if (d->bus)
			bus_set(p, d->bus, NULL);
		now = util_mono_ms();
		/* Keep the cadence (due += interval) unless we fell a whole interval behind. */
		d->due_ms += slot_interval(d->interval_ms);
		if (d->due_ms < now)
			d->due_ms = slot_ceil(p, now);
		heap_push(p, d);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int64_t poller_delay_quantile(const struct poller_stats *a, const struct poller_stats *b, double q)
{
	uint64_t n[POLL_DELAY_BUCKETS + 1], total = 0;
	for (int k = 0; k <= POLL_DELAY_BUCKETS; k++)
		total += n[k] = b->start_delay[k] - (a ? a->start_delay[k] : 0);
	if (total == 0)
		return -1;
	uint64_t want = (uint64_t)(q * (double)total + 0.5), seen = 0;
	for (int k = 0; k < POLL_DELAY_BUCKETS; k++) {
		seen += n[k];
		if (seen >= want)
			return delay_bounds[k];
	}
	return delay_bounds[POLL_DELAY_BUCKETS - 1] + 1;
}

/* ---- lifecycle ---- */

struct poller *poller_new(const struct config *cfg, struct driver_set *ds, struct store *st,
                          char *err, size_t errlen)
{
	struct poller *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->cfg = cfg;
	p->st = st;
	p->nthreads = cfg->daemon.workers;
	p->devs = calloc(cfg->ndevices ? cfg->ndevices : 1, sizeof(*p->devs));
	p->heap = calloc(cfg->ndevices ? cfg->ndevices : 1, sizeof(*p->heap));
	p->busy_buses = calloc(p->nthreads, sizeof(*p->busy_buses));
	p->threads = calloc(p->nthreads, sizeof(*p->threads));
	p->seed = (unsigned)util_wall_ms();
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->timer, &ca);
	pthread_cond_init(&p->idle, &ca);
	pthread_condattr_destroy(&ca);
	if (!p->devs || !p->heap || !p->busy_buses || !p->threads) {
		snprintf(err, errlen, "out of memory");
		goto out_free;
	}

	int64_t now = util_mono_ms();
	p->origin_ms = now;
	for (size_t i = 0; i < cfg->ndevices; i++) {
		const struct config_device *c = &cfg->devices[i];
		if (!c->enabled)
			continue;
		struct dev_rt *d = &p->devs[p->ndevs];
		char derr[512] = "";
		d->cfg = c;
		d->drv = driver_get(ds, c->driver, derr, sizeof(derr));
		if (!d->drv) {
			snprintf(err, errlen, "%s: %s", c->name, derr);
			goto out_free;
		}
		if (c->profile) {
			d->profile = c->profile;
			d->state = calloc(1, d->drv->state_size ? d->drv->state_size : 1);
			d->point_series = calloc(c->profile->npoints, sizeof(*d->point_series));
			if (!d->state || !d->point_series) {
				snprintf(err, errlen, "out of memory");
				goto out_free;
			}
			struct gdc_device gd;
			int bad_line = 0;
			config_device_to_gdc(c, c->profile, &gd);
			if (d->drv->open(d->state, &gd, derr, sizeof(derr), &bad_line) < 0) {
				free(d->state);
				d->state = NULL;
				snprintf(err, errlen, "%s: %s", c->name, derr);
				goto out_free;
			}
		}
		d->bus = strncmp(c->address, "rtu:", 4) == 0 ? c->address : NULL;
		d->interval_ms = c->interval_ms;
		/* Spread first polls over one interval so a thousand devices don't all fire at
		 * once after a restart, on the slot grid so that they come in bursts. */
		int64_t iv = slot_interval(c->interval_ms);
		int64_t slots = iv >= SLOT_MS ? iv / SLOT_MS : 1;
		d->due_ms = now + (int64_t)(rand_r(&p->seed) % (unsigned)slots) *
		                          (iv >= SLOT_MS ? SLOT_MS : 0);
		p->ndevs++;
		heap_push(p, d);
	}
	p->stats.devices = (unsigned)p->ndevs;
	return p;
out_free:
	poller_free(p);
	return NULL;
}

int poller_start(struct poller *p)
{
	p->running = true;
	for (unsigned i = 0; i < p->nthreads; i++) {
		int rc = pthread_create(&p->threads[i], NULL, worker_main, p);
		if (rc) {
			p->nthreads = i;
			poller_stop(p);
			return -rc;
		}
	}
	return 0;
}

void poller_stop(struct poller *p)
{
	if (!p || !p->running)
		return;
	pthread_mutex_lock(&p->lock);
	p->running = false;
	pthread_cond_broadcast(&p->timer);
	pthread_cond_broadcast(&p->idle);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
}

void poller_free(struct poller *p)
{
	if (!p)
		return;
	poller_stop(p);
	for (size_t i = 0; i < p->ndevs; i++) {
		struct dev_rt *d = &p->devs[i];
		if (d->state)
			d->drv->close(d->state);
		free(d->state);
		free(d->options);
		free(d->point_series);
		for (size_t j = 0; j < d->nlcache; j++)
			free(d->lcache[j].labels);
		free(d->lcache);
	}
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->timer);
	pthread_cond_destroy(&p->idle);
	free(p->devs);
	free(p->heap);
	free(p->busy_buses);
	free(p->threads);
	free(p);
}

void poller_stats(struct poller *p, struct poller_stats *out)
{
	pthread_mutex_lock(&p->lock);
	*out = p->stats;
	out->up = out->down = 0;
	for (size_t i = 0; i < p->ndevs; i++) {
		if (!p->devs[i].ever_polled)
			continue;
		if (p->devs[i].up)
			out->up++;
		else
			out->down++;
	}
	pthread_mutex_unlock(&p->lock);
}
