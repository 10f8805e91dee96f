/* SPDX-License-Identifier: Apache-2.0 */
/* stderr logging with levels and collectd-style rate-limited complaints. */
#include "core/log.h"

#include "core/util.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum log_level max_level = LOG_LVL_INFO;
static bool journal_prefix;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void log_set_level(enum log_level level)
{
	max_level = level;
}

void log_set_journal(bool journal)
{
	journal_prefix = journal;
}

bool log_parse_level(const char *s, enum log_level *out)
{
	static const char *names[] = {"error", "warning", "info", "debug"};
	for (int i = 0; i < 4; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum log_level)i;
			return true;
		}
	}
	return false;
}

static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	static const char *tags[] = {"error", "warning", "info", "debug"};
	static const int prio[] = {3, 4, 6, 7};
	char line[2048];

	if (level > max_level)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	pthread_mutex_lock(&log_lock);
	if (journal_prefix) {
		fprintf(stderr, "<%d>%s\n", prio[level], line);
	} else {
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(stderr, "%s %s: %s\n", stamp, tags[level], line);
	}
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void log_complain(struct log_complaint *c, enum log_level level, const char *fmt, ...)
{
	int64_t now = util_mono_ms();
	va_list ap;

	c->failures++;
	if (c->active && now < c->next_ms) {
		c->suppressed++;
		return;
	}
	c->quiet_ms = c->active ? (c->quiet_ms * 2 > 3600000 ? 3600000 : c->quiet_ms * 2) : 60000;
	c->next_ms = now + c->quiet_ms;
	c->active = true;
	va_start(ap, fmt);
	char line[1536];
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (c->suppressed)
		log_msg(level, "%s (%llu similar messages suppressed)", line,
		        (unsigned long long)c->suppressed);
	else
		log_msg(level, "%s", line);
	c->suppressed = 0;
}

void log_complaint_release(struct log_complaint *c, const char *fmt, ...)
{
	va_list ap;
	if (!c->active)
		return;
	char line[1536];
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_msg(LOG_LVL_INFO, "%s: recovered after %llu failures", line,
	        (unsigned long long)c->failures);
	memset(c, 0, sizeof(*c));
}
