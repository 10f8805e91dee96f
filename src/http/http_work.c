/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The API's own worker threads (docs/internals/http.md, "Hostile clients"). An /api/v1/
 * request can take tens of milliseconds of SQLite and analytics; answered on libmicrohttpd's
 * threads, a dozen of them in a row made every connection on the same thread wait, /metrics
 * included (4 ms became 160-380 ms under a 12-connection query flood). So the handler
 * suspends the connection and queues the request here; `api_workers` threads answer it and
 * resume the connection, and libmicrohttpd's threads stay free for /metrics, the dashboard's
 * files and new connections. The queue is bounded: when it is full the request gets 503 at
 * once. The workers run at a lower scheduling priority (nice +5) so that, when both cores are
 * busy with queries, the network threads still get the CPU first.
 */
#include "http/http_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

struct http_work {
	struct http_server *h;
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct http_job *head, *tail;
	unsigned queued;   /* jobs in the queue or about to be */
	unsigned busy;     /* jobs a worker is answering */
	unsigned max_jobs; /* queued + busy at most this */
	bool stopping;
	unsigned nthreads;
	pthread_t *threads;
	uint64_t rejected;
};

static const char *job_arg(void *ctx, const char *k)
{
	const struct http_job *j = ctx;
	for (size_t i = 0; i < j->nargs; i++)
		if (strcmp(j->args[i].k, k) == 0)
			return j->args[i].v;
	return NULL;
}

/* Answer one job: the API's reply and its ETag, computed here rather than on a network
 * thread. */
static void job_run(struct http_work *w, struct http_job *j)
{
	struct http_server *h = w->h;
	pthread_rwlock_rdlock(&h->cfg_lock);
	http_api(h, j->url, job_arg, j, j->names.oom ? "" : j->names.s, &j->rep);
	pthread_rwlock_unlock(&h->cfg_lock);
	if (j->rep.body && j->rep.status == 200 && j->rep.etag[0]) {
		snprintf(j->etag, sizeof(j->etag), "%s", j->rep.etag);
	} else if (j->rep.body && j->rep.status == 200) {
		uint8_t d[SHA256_LEN];
		char hex[2 * SHA256_LEN + 1];
		sha256(j->rep.body, j->rep.len, d);
		sha256_hex(d, hex);
		snprintf(j->etag, sizeof(j->etag), "\"%.24s\"", hex);
	}
}

static void *worker_main(void *arg)
{
	struct http_work *w = arg;
	/* Lower priority than the network threads (per thread on Linux); raising one's own nice
	 * value needs no privilege. */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 5);
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->head && !(w->stopping && w->queued == 0))
			pthread_cond_wait(&w->more, &w->lock);
		struct http_job *j = w->head;
		if (!j)
			break;
		w->head = j->next;
		if (!w->head)
			w->tail = NULL;
		w->queued--;
		w->busy++;
		if (w->stopping && w->queued == 0)
			pthread_cond_broadcast(&w->more); /* the others may end now */
		bool stopping = w->stopping;
		pthread_mutex_unlock(&w->lock);
		if (stopping) {
			j->rep = (struct http_reply){.status = 503};
			j->rep.body = strdup("{\"error\":\"shutting down\",\"status\":503}\n");
			j->rep.len = j->rep.body ? strlen(j->rep.body) : 0;
		} else {
			job_run(w, j);
		}
		j->done = true;
		/* The job belongs to the connection again from here: not touched after this. */
		MHD_resume_connection(j->conn);
		pthread_mutex_lock(&w->lock);
		w->busy--;
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct http_work *http_work_start(struct http_server *h, unsigned nthreads, unsigned max_jobs,
                                  char *err, size_t errlen)
{
	struct http_work *w = calloc(1, sizeof(*w));
	if (!w || !(w->threads = calloc(nthreads, sizeof(*w->threads)))) {
		free(w);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->h = h;
	w->max_jobs = max_jobs;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->more, NULL);
	for (unsigned i = 0; i < nthreads; i++) {
		int rc = pthread_create(&w->threads[i], NULL, worker_main, w);
		if (rc != 0) {
			snprintf(err, errlen, "cannot start API workers: %s", strerror(rc));
			http_work_stop(w);
			return NULL;
		}
		w->nthreads++;
	}
	return w;
}

int http_work_submit(struct http_work *w, struct http_job *j)
{
	pthread_mutex_lock(&w->lock);
	if (w->stopping || w->queued + w->busy >= w->max_jobs) {
		int rc = w->stopping ? -ESHUTDOWN : -EBUSY;
		w->rejected++;
		pthread_mutex_unlock(&w->lock);
		return rc;
	}
	w->queued++; /* the slot is ours; the job is queued once the connection is suspended */
	pthread_mutex_unlock(&w->lock);
	/* Suspend before a worker can see the job, so a resume never comes first. */
	MHD_suspend_connection(j->conn);
	pthread_mutex_lock(&w->lock);
	j->next = NULL;
	if (w->tail)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	pthread_cond_signal(&w->more);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

uint64_t http_work_rejected(struct http_work *w)
{
	if (!w)
		return 0;
	pthread_mutex_lock(&w->lock);
	uint64_t n = w->rejected;
	pthread_mutex_unlock(&w->lock);
	return n;
}

void http_work_stop(struct http_work *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->more);
	pthread_mutex_unlock(&w->lock);
	for (unsigned i = 0; i < w->nthreads; i++)
		pthread_join(w->threads[i], NULL);
	pthread_cond_destroy(&w->more);
	pthread_mutex_destroy(&w->lock);
	free(w->threads);
	free(w);
}
