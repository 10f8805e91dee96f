/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `greendc import`, rejected rows: the first IMPORT_SHOWN_REJECTS are printed one by one as
 * "FILE:LINE: reason", the rest only counted per kind of reason (its text before the line's
 * own values) and summed up once at the end.
 * A file of a million rows for an unconfigured device then costs a screenful, not a million
 * identical lines. Whatever is rejected, nothing is imported (import.c).
 */
#include "importexport/import_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *source(const struct run *r)
{
	return r->o->source ? r->o->source : "-";
}

/* The kind of a reason: its text up to the first ':' or '"' (what follows names the
 * line's own value). The length of that prefix. */
static size_t kind_len(const char *msg)
{
	return strcspn(msg, ":\"");
}

static struct rejkind *kind_of(struct run *r, const char *msg)
{
	size_t n = kind_len(msg);
	for (size_t i = 0; i < r->nkinds; i++) {
		const char *e = r->kinds[i].example;
		if (r->kinds[i].other || (kind_len(e) == n && strncmp(e, msg, n) == 0))
			return &r->kinds[i];
	}
	struct rejkind *k = &r->kinds[r->nkinds];
	*k = (struct rejkind){.other = r->nkinds == IMPORT_REJECT_KINDS - 1};
	r->nkinds++;
	return k;
}

void import_reject(struct run *r, unsigned long line, const char *fmt, ...)
{
	va_list ap;
	char msg[sizeof(r->kinds[0].example)];
	r->sum->rows_rejected++;
	if (!r->o->rejects)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->shown < IMPORT_SHOWN_REJECTS) {
		r->shown++;
		fprintf(r->o->rejects, "%s:%lu: %s\n", source(r), line, msg);
		return;
	}
	struct rejkind *k = kind_of(r, msg);
	if (!k->n++) {
		k->first_line = line;
		memcpy(k->example, msg, sizeof(msg));
	}
}

void import_reject_summary(struct run *r)
{
	uint64_t hidden = r->sum->rows_rejected - r->shown;
	if (!r->o->rejects || !hidden)
		return;
	fprintf(r->o->rejects, "%s: %llu more rejected lines not shown, by kind:\n", source(r),
	        (unsigned long long)hidden);
	for (size_t i = 0; i < r->nkinds; i++) {
		const struct rejkind *k = &r->kinds[i];
		fprintf(r->o->rejects, "%s:   %llu x %s%s (first at line %lu)\n", source(r),
		        (unsigned long long)k->n, k->other ? "other kinds, e.g. " : "", k->example,
		        k->first_line);
	}
}
