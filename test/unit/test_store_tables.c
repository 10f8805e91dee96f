/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's table-level functions that used to be SQL in other layers: the one "active
 * alerts" query through firing / resolved / re-firing transitions (and the list built on it),
 * counter-discontinuity counts per series, a report stored with its outbox items in one
 * transaction (a failure leaves neither), the staged database replacement (abandon, commit,
 * refusal while another process has the database open, before and at commit) and series
 * renames.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/outbox.h"
#include "store/store.h"
#include "store/store_stage.h"

struct fixture {
	char dir[64];
	char path[128];
};

static void unlink_db(const char *path)
{
	char p[200];
	const char *suffix[] = {"", "-wal", "-shm", "-journal"};
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		unlink(p);
	}
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/greendc-tables-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char p[200];
	unlink_db(f->path);
	snprintf(p, sizeof(p), "%s.import-tmp", f->path);
	unlink_db(p);
	rmdir(f->dir);
	free(f);
	return 0;
}

static struct store *open_store(const char *path)
{
	char err[256] = "";
	struct store_opts o = {.path = path, .commit_ms = 50};
	struct store *st = store_open(&o, err, sizeof(err));
	if (!st)
		fprintf(stderr, "store_open: %s\n", err);
	assert_non_null(st);
	return st;
}

static struct store_reader *open_reader(const char *path)
{
	char err[256] = "";
	struct store_reader *r = store_reader_open(path, err, sizeof(err));
	if (!r)
		fprintf(stderr, "store_reader_open: %s\n", err);
	assert_non_null(r);
	return r;
}

/* ---- alerts ---- */

/* One transition, as the alert engine records it: an event with the alert JSON, no stream. */
static void transition(struct store *st, const char *identity, bool firing, int64_t ts)
{
	char body[256], key[128];
	snprintf(body, sizeof(body), "{\"identity\":\"%s\",\"status\":\"%s\",\"at\":%lld}",
	         identity, firing ? "firing" : "resolved", (long long)ts);
	snprintf(key, sizeof(key), "%s:%lld", identity, (long long)ts);
	struct store_outbox_req req = {.ikey = key,
	                               .created_ms = ts,
	                               .payload = body,
	                               .len = strlen(body),
	                               .event_kind = firing ? "alert_firing" : "alert_resolved",
	                               .event_detail = body,
	                               .event_ts_ms = ts};
	assert_int_equal(store_outbox(st, &req), 0);
}

struct seen {
	int n;
	bool active[16];
	int64_t ts[16];
	char detail[16][256];
	int stop_after; /* 0: never */
};

static int active_cb(void *ctx, int64_t ts, const char *detail)
{
	struct seen *s = ctx;
	s->active[s->n] = true;
	s->ts[s->n] = ts;
	snprintf(s->detail[s->n], sizeof(s->detail[0]), "%s", detail);
	s->n++;
	return s->stop_after && s->n >= s->stop_after;
}

static int list_cb(void *ctx, bool active, int64_t ts, const char *detail)
{
	struct seen *s = ctx;
	s->active[s->n] = active;
	s->ts[s->n] = ts;
	snprintf(s->detail[s->n], sizeof(s->detail[0]), "%s", detail);
	s->n++;
	return s->stop_after && s->n >= s->stop_after;
}

static void test_alerts_active(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path);
	struct store_reader *r = open_reader(f->path);
	assert_int_equal(store_alerts_active(r, NULL, NULL), 0);

	transition(st, "hot|crah-1|inlet_temp_c|", true, 1000);  /* A fires */
	transition(st, "hot|crah-2|inlet_temp_c|", true, 2000);  /* B fires */
	transition(st, "hot|crah-1|inlet_temp_c|", false, 3000); /* A resolves */
	transition(st, "down|pdu-a|||", true, 4000);             /* C fires */
	transition(st, "down|pdu-a|||", false, 5000);            /* C resolves */
	transition(st, "down|pdu-a|||", true, 6000);             /* C fires again */
	transition(st, "pue|||", true, 7000);                    /* D fires */
	transition(st, "pue|||", true, 7500);                    /* D again, never resolved */
	assert_int_equal(store_flush(st), 0);

	/* Active: B, C (its newest transition is the re-firing), D (its newest firing). */
	assert_int_equal(store_alerts_active(r, NULL, NULL), 3);
	struct seen s = {0};
	assert_int_equal(store_alerts_active(r, active_cb, &s), 3);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.ts[0], 2000);
	assert_int_equal(s.ts[1], 6000);
	assert_int_equal(s.ts[2], 7500);
	assert_non_null(strstr(s.detail[0], "crah-2"));
	assert_non_null(strstr(s.detail[1], "pdu-a"));
	assert_non_null(strstr(s.detail[2], "\"pue|||\""));

	/* The callback stops the walk. */
	memset(&s, 0, sizeof(s));
	s.stop_after = 1;
	assert_int_equal(store_alerts_active(r, active_cb, &s), 1);

	/* The list: the active ones first, then the 4 newest transitions, newest first. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_alerts_list(r, 4, list_cb, &s), 7);
	const bool want_active[7] = {true, true, true, false, false, false, false};
	const int64_t want_ts[7] = {2000, 6000, 7500, 7500, 7000, 6000, 5000};
	for (int i = 0; i < 7; i++) {
		assert_int_equal(s.active[i], want_active[i]);
		assert_int_equal(s.ts[i], want_ts[i]);
	}
	assert_non_null(strstr(s.detail[6], "resolved"));
	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	assert_int_equal(store_alerts_list(r, 4, list_cb, &s), 2);

	/* B resolves: two left, and a reader opened before sees it at its next call. */
	transition(st, "hot|crah-2|inlet_temp_c|", false, 8000);
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(store_alerts_active(r, NULL, NULL), 2);

	store_reader_close(r);
	store_close(st);
	assert_int_equal(store_alerts_active(NULL, NULL, NULL), -EINVAL);
}

struct cev {
	int n;
	char name[8][96];
	int events[8];
};

static int cev_cb(void *ctx, const char *device, const char *metric, const char *labels, int events)
{
	struct cev *c = ctx;
	snprintf(c->name[c->n], sizeof(c->name[0]), "%s %s{%s}", device, metric, labels);
	c->events[c->n++] = events;
	return 0;
}

static int cev_find(const struct cev *c, const char *name)
{
	for (int i = 0; i < c->n; i++)
		if (strcmp(c->name[i], name) == 0)
			return c->events[i];
	return -1;
}

static void test_counter_events(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_store(f->path);
	struct store_series_desc d1 = {"meter-1", "energy_kwh", "feed=a", STORE_COUNTER, 32, 0, 0};
	struct store_series_desc d2 = {"meter-2", "energy_kwh", "", STORE_COUNTER, 16, 0, 0};
	int64_t s1 = store_series(st, &d1), s2 = store_series(st, &d2);
	assert_true(s1 > 0 && s2 > 0);
	assert_int_equal(store_event(st, 1000, s1, "counter_reset", "raw 9 -> 1"), 0);
	assert_int_equal(store_event(st, 2000, s2, "counter_rejected", "jump"), 0);
	assert_int_equal(store_event(st, 5000, s1, "counter_rejected", "jump"), 0);
	assert_int_equal(store_event(st, 6000, s1, "device_down", "not a counter event"), 0);
	assert_int_equal(store_event(st, 6000, s2, "alert_firing", "{}"), 0);
	assert_int_equal(store_flush(st), 0);
	store_close(st);

	struct store_reader *r = open_reader(f->path);
	struct cev c = {0};
	assert_int_equal(store_counter_events(r, 0, cev_cb, &c), 2);
	assert_int_equal(cev_find(&c, "meter-1 energy_kwh{feed=a}"), 2);
	assert_int_equal(cev_find(&c, "meter-2 energy_kwh{}"), 1);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_counter_events(r, 3000, cev_cb, &c), 1);
	assert_int_equal(cev_find(&c, "meter-1 energy_kwh{feed=a}"), 1);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_counter_events(r, 5001, cev_cb, &c), 0);
	store_reader_close(r);
}

/* ---- reports ---- */

static int count_row(void *ctx, const struct outbox_row *row)
{
	(void)row;
	(*(int *)ctx)++;
	return 0;
}

static int stream_items(const char *path, const char *stream)
{
	char err[256];
	struct outbox *ob = outbox_open(path, err, sizeof(err));
	assert_non_null(ob);
	int n = 0;
	assert_true(outbox_peek(ob, stream, 100, count_row, &n) >= 0);
	outbox_close(ob);
	return n;
}

struct reps {
	int n;
	char period[4][16];
	bool complete[4];
};

static int report_cb(void *ctx, const char *kind, const char *period, int64_t generated_ms,
                     bool complete, const char *json)
{
	(void)generated_ms;
	struct reps *r = ctx;
	assert_string_equal(kind, "monthly");
	assert_non_null(strstr(json, period));
	snprintf(r->period[r->n], sizeof(r->period[0]), "%s", period);
	r->complete[r->n++] = complete;
	return 0;
}

static int reports_stored(const char *path, struct reps *out)
{
	memset(out, 0, sizeof(*out));
	struct store_reader *r = open_reader(path);
	int n = store_reports_list(r, 10, report_cb, out);
	store_reader_close(r);
	return n;
}

static void test_report_enqueue(void **state)
{
	struct fixture *f = *state;
	store_close(open_store(f->path)); /* the schema */
	const char *streams[] = {"regulator/report", "hq/report"};
	struct store_report rep = {.kind = "monthly",
	                           .period = "2026-10",
	                           .ikey = "site:report:2026-10:0001",
	                           .generated_ms = 1790812800000,
	                           .complete = true,
	                           .json = "{\"period\":\"2026-10\",\"pue\":1.41}"};
	char err[256] = "";
	assert_int_equal(store_report_enqueue(f->path, &rep, streams, 2, 0, 0, err, sizeof(err)),
	                 1);
	assert_int_equal(stream_items(f->path, "regulator/report"), 1);
	assert_int_equal(stream_items(f->path, "hq/report"), 1);
	struct reps rs;
	assert_int_equal(reports_stored(f->path, &rs), 1);
	assert_string_equal(rs.period[0], "2026-10");
	assert_true(rs.complete[0]);

	/* The same report again: already stored, nothing queued. */
	assert_int_equal(store_report_enqueue(f->path, &rep, streams, 2, 0, 0, err, sizeof(err)),
	                 0);
	assert_int_equal(stream_items(f->path, "regulator/report"), 1);
	assert_int_equal(stream_items(f->path, "hq/report"), 1);

	/* A revision whose second item cannot be written: neither the row nor the first item. */
	const char *bad[] = {"regulator/report", "Not A Stream!"};
	struct store_report rev = rep;
	rev.ikey = "site:report:2026-10:0002";
	rev.complete = false;
	err[0] = '\0';
	assert_true(store_report_enqueue(f->path, &rev, bad, 2, 0, 0, err, sizeof(err)) < 0);
	assert_true(err[0] != '\0');
	assert_int_equal(reports_stored(f->path, &rs), 1);
	assert_int_equal(stream_items(f->path, "regulator/report"), 1);

	/* The revision written properly; the outbox bound drops the oldest item to fit. */
	assert_int_equal(store_report_enqueue(f->path, &rev, streams, 1, 1, 0, err, sizeof(err)),
	                 1);
	assert_int_equal(stream_items(f->path, "regulator/report"), 1);
	assert_int_equal(stream_items(f->path, "hq/report"), 0);
	assert_int_equal(reports_stored(f->path, &rs), 2);

	/* No database: an error, not a new file. */
	char missing[160];
	snprintf(missing, sizeof(missing), "%s/none.db", f->dir);
	assert_true(store_report_enqueue(missing, &rep, streams, 2, 0, 0, err, sizeof(err)) < 0);
	assert_int_equal(access(missing, F_OK), -1);
}

/* ---- the staged replacement ---- */

static int count_series(void *ctx, const struct store_series_info *info)
{
	(void)info;
	(*(int *)ctx)++;
	return 0;
}

static int series_in(const char *path, const char *glob)
{
	struct store_reader *r = open_reader(path);
	int n = 0;
	assert_true(store_series_find(r, glob, count_series, &n) >= 0);
	store_reader_close(r);
	return n;
}

static void add_series(const char *path, const char *device)
{
	struct store *st = open_store(path);
	struct store_series_desc d = {device, "power_w", "", STORE_GAUGE, 0, 0, 0};
	int64_t id = store_series(st, &d);
	assert_true(id > 0);
	struct store_sample s = {id, 1790812800000, 1234.5};
	assert_int_equal(store_append(st, &s, 1), 0);
	assert_int_equal(store_flush(st), 0);
	store_close(st);
}

/* A child process that opens the database (as a daemon would) when told to, and holds it
 * open until killed. It is forked while this process has no connection open: SQLite shares
 * its file locks between the connections of one process, so a child forked with an open
 * connection would believe it holds locks that fork(2) did not give it. */
struct holder {
	pid_t pid;
	int go, ready; /* pipes: parent -> child, child -> parent */
};

static void holder_start(struct holder *h, const char *path)
{
	int go[2], ready[2];
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	h->pid = fork();
	assert_true(h->pid >= 0);
	if (h->pid == 0) {
		/* Never outlive the test, even when an assertion ends it early. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(60);
		char c, err[256];
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		struct store_reader *r = store_reader_open(path, err, sizeof(err));
		int n = 0;
		if (r)
			store_series_find(r, NULL, count_series,
			                  &n); /* a read maps the WAL index */
		c = r ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(go[0]);
	close(ready[1]);
	h->go = go[1];
	h->ready = ready[0];
}

static void holder_open(struct holder *h)
{
	char c = 'o';
	assert_int_equal(write(h->go, &c, 1), 1);
	assert_int_equal(read(h->ready, &c, 1), 1);
	assert_int_equal(c, 'y');
}

static void holder_stop(struct holder *h)
{
	close(h->go);
	close(h->ready);
	kill(h->pid, SIGKILL);
	waitpid(h->pid, NULL, 0);
}

static void test_stage(void **state)
{
	struct fixture *f = *state;
	char tmp[200], err[512];
	snprintf(tmp, sizeof(tmp), "%s.import-tmp", f->path);
	add_series(f->path, "pdu-1");
	struct store_stage *sg;
	long who = 7;

	/* Abandoned: the original keeps its one series, the copy is gone. */
	assert_int_equal(store_stage_begin(f->path, ".import-tmp", &sg, &who, err, sizeof(err)), 0);
	assert_int_equal(who, 0);
	assert_string_equal(store_stage_path(sg), tmp);
	assert_int_equal(series_in(tmp, NULL), 1);
	add_series(store_stage_path(sg), "pdu-2");
	assert_int_equal(series_in(tmp, NULL), 2);
	store_stage_free(sg);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(series_in(f->path, NULL), 1);

	/* Committed: the original is the copy, with its mode. */
	chmod(f->path, 0640);
	assert_int_equal(store_stage_begin(f->path, ".import-tmp", &sg, &who, err, sizeof(err)), 0);
	add_series(store_stage_path(sg), "pdu-2");
	assert_int_equal(store_stage_commit(sg, &who, err, sizeof(err)), 0);
	store_stage_free(sg);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(series_in(f->path, NULL), 2);
	struct stat sb;
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0640);

	/* Another process has it open: refused with its pid, and the original untouched. */
	struct holder h;
	holder_start(&h, f->path);
	holder_open(&h);
	assert_int_equal(store_db_user(f->path), (long)h.pid);
	assert_int_equal(store_stage_begin(f->path, ".import-tmp", &sg, &who, err, sizeof(err)),
	                 -EBUSY);
	assert_null(sg);
	assert_int_equal(who, (long)h.pid);
	assert_non_null(strstr(err, "is open by process"));
	holder_stop(&h);
	assert_int_equal(store_db_user(f->path), 0);

	/* Opened while the copy was being written: the commit is refused, nothing replaced. */
	holder_start(&h, f->path);
	assert_int_equal(store_stage_begin(f->path, ".import-tmp", &sg, &who, err, sizeof(err)), 0);
	add_series(store_stage_path(sg), "pdu-3");
	holder_open(&h);
	assert_int_equal(store_stage_commit(sg, &who, err, sizeof(err)), -EBUSY);
	assert_int_equal(who, (long)h.pid);
	holder_stop(&h);
	store_stage_free(sg);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(series_in(f->path, NULL), 2);
	assert_int_equal(series_in(f->path, "pdu-3*"), 0);

	/* A database that does not exist yet: the copy starts empty. */
	char fresh[160];
	snprintf(fresh, sizeof(fresh), "%s/fresh.db", f->dir);
	assert_int_equal(store_stage_begin(fresh, ".import-tmp", &sg, NULL, err, sizeof(err)), 0);
	add_series(store_stage_path(sg), "pdu-9");
	assert_int_equal(store_stage_commit(sg, NULL, err, sizeof(err)), 0);
	store_stage_free(sg);
	assert_int_equal(series_in(fresh, NULL), 1);
	unlink_db(fresh);
}

static int find_metric(void *ctx, const struct store_series_info *info)
{
	snprintf(ctx, 64, "%s", info->metric);
	return 1;
}

static void test_series_rename(void **state)
{
	struct fixture *f = *state;
	add_series(f->path, "pdu-1");
	add_series(f->path, "pdu-2");
	struct store_rename v[] = {{1, "power_w~replaced@42"}, {99, "nothing~here"}};
	char err[256] = "";
	assert_int_equal(store_series_rename(f->path, v, 2, err, sizeof(err)), 0);
	char metric[64] = "";
	struct store_reader *r = open_reader(f->path);
	assert_int_equal(store_series_find(r, "pdu-1 *", find_metric, metric), 1);
	assert_string_equal(metric, "power_w~replaced@42");
	assert_int_equal(store_series_find(r, "pdu-2 *", find_metric, metric), 1);
	assert_string_equal(metric, "power_w");
	store_reader_close(r);

	char missing[160];
	snprintf(missing, sizeof(missing), "%s/none.db", f->dir);
	assert_true(store_series_rename(missing, v, 1, err, sizeof(err)) < 0);
	assert_true(err[0] != '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_alerts_active, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_counter_events, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_report_enqueue, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_stage, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_series_rename, setup, teardown),
	};
	return cmocka_run_group_tests_name("store tables", tests, NULL, NULL);
}
