/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit log: one JSON line per security-relevant event (config reloads, start and stop,
 * and later API logins and token use), with date and time, event, subject (who), object
 * (what) and result. Append-only, mode 0600, separate from the diagnostic log so it can be
 * shipped and kept on its own terms.
 */
#ifndef GREENDC_AUDIT_H
#define GREENDC_AUDIT_H

struct audit;

/* Open (creating with mode 0600) path for appending. NULL with a message on error. */
struct audit *audit_open(const char *path, char *err, unsigned errlen);
void audit_close(struct audit *a);

/* Append one record; strings are JSON-escaped. Thread-safe. 0 or -errno. */
int audit_record(struct audit *a, const char *event, const char *subject, const char *object,
                 const char *result);

#endif
