/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging for the daemon's edges (library layers return errors instead). Lines go to stderr
 * (journald adds time and priority when run under systemd: the "<N>" prefix) and are
 * lowercase with the subject first: `pdu-a3: timeout reading outlet table`.
 */
#ifndef GREENDC_LOG_H
#define GREENDC_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum log_level { LOG_LVL_ERR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_set_level(enum log_level level);
/* journal = true prefixes "<3>".."<7>" so journald assigns priorities; otherwise a timestamp. */
void log_set_journal(bool journal);
bool log_parse_level(const char *s, enum log_level *out);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_err(...)   log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

/* Rate-limited complaints for a repeating failure (after collectd's c_complain): the first
 * failure is logged, repeats are suppressed with a doubling quiet period, and recovery is
 * logged once with the number of failures in between. One per subject, caller-owned. */
struct log_complaint {
	int64_t next_ms;  /* monotonic time the next repeat may be logged */
	int64_t quiet_ms; /* current quiet period */
	uint64_t suppressed;
	uint64_t failures;
	bool active;
};
void log_complain(struct log_complaint *c, enum log_level level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Logs "... recovered" (with fmt as the subject line) only if a complaint was active. */
void log_complaint_release(struct log_complaint *c, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

#endif
