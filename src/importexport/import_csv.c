/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The strict RFC 4180 reader behind `greendc import` (import_csv.h). A record is first
 * scanned (quote-aware, without modifying anything) to find its end, refilling the buffer
 * when it is not complete yet; only then is it split and unescaped in place. That two-step
 * keeps refills safe and costs one extra pass over bytes already in cache.
 */
#include "importexport/import_csv.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct csv_reader {
	int fd;
	char *buf;
	size_t cap, start, end; /* unread bytes are buf[start, end) */
	bool eof;
	unsigned long line; /* line of buf[start] */
	char sep;           /* 0 until the first record names it */
	size_t max;         /* longest record, bytes */
	char too_long[80];  /* the error for a record longer than max */
};

struct csv_reader *csv_open_opts(int fd, const struct csv_opts *o)
{
	struct csv_reader *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->max = o && o->max_record ? o->max_record : CSV_MAX_RECORD_DEFAULT;
	r->sep = o ? o->sep : ',';
	r->cap = r->max < (1u << 20) ? r->max + 1 : (1u << 20);
	r->buf = malloc(r->cap + 1);
	if (!r->buf) {
		free(r);
		return NULL;
	}
	r->fd = fd;
	r->line = 1;
	snprintf(r->too_long, sizeof(r->too_long),
	         "record longer than %zu bytes (--max-line-bytes)", r->max);
	return r;
}

struct csv_reader *csv_open(int fd)
{
	return csv_open_opts(fd, NULL);
}

char csv_separator(const struct csv_reader *r)
{
	return r->sep ? r->sep : ',';
}

void csv_close(struct csv_reader *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r);
}

/* Move the unread bytes to the front, grow when they fill the buffer, read more. */
static int refill(struct csv_reader *r)
{
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end == r->cap) {
		char *nb = realloc(r->buf, r->cap * 2 + 1);
		if (!nb)
			return -ENOMEM;
		r->buf = nb;
		r->cap *= 2;
	}
	for (;;) {
		ssize_t got = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			r->eof = true;
		r->end += (size_t)got;
		return 0;
	}
}

/* Find the end of the record at buf[start]: the offset of its terminating '\n' (or end of
 * data at EOF). -1 when more input is needed. Counts the newlines inside quotes. A quote
 * opens a quoted field only at the start of a field, so a stray quote inside an unquoted
 * field (an error for that record) cannot swallow the lines after it. */
static long scan(const struct csv_reader *r, unsigned *nl_inside)
{
	bool q = false, field_start = true;
	*nl_inside = 0;
	for (size_t i = r->start; i < r->end; i++) {
		char c = r->buf[i];
		if (q) {
			if (c == '"') {
				if (i + 1 == r->end && !r->eof)
					return -1; /* "" or the closing quote: the next byte decides
					            */
				if (i + 1 < r->end && r->buf[i + 1] == '"')
					i++;
				else
					q = false;
			} else if (c == '\n') {
				(*nl_inside)++;
			}
			continue;
		}
		if (c == '\n')
			return (long)i;
		if (c == '"' && field_start)
			q = true;
		field_start = c == r->sep;
	}
	return r->eof ? (long)r->end : -1;
}

/* The separator a header uses: the most frequent of ',', ';' and tab outside quotes in
 * buf[from, to) (',' on a tie or when there is none). */
static char detect_sep(const char *buf, size_t from, size_t to)
{
	static const char cand[] = {',', ';', '\t'};
	size_t count[3] = {0};
	bool q = false;
	for (size_t i = from; i < to; i++) {
		if (buf[i] == '"')
			q = !q;
		for (int k = 0; k < 3 && !q; k++)
			count[k] += buf[i] == cand[k];
	}
	int best = 0;
	for (int k = 1; k < 3; k++)
		if (count[k] > count[best])
			best = k;
	return cand[best];
}

/* The record at buf[start] is longer than the bound: drop it up to the next physical line
 * end without keeping it. 0 or -errno. */
static int skip_long(struct csv_reader *r)
{
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (nl) {
			r->start = (size_t)(nl - r->buf) + 1;
			r->line++;
			return 0;
		}
		r->start = r->end = 0;
		if (r->eof)
			return 0;
		int rc = refill(r);
		if (rc < 0)
			return rc;
	}
}

int csv_next(struct csv_reader *r, struct csv_record *rec)
{
	long e;
	unsigned nl;
	for (;;) {
		/* Skip empty lines (LF or CRLF only). */
		while (r->start < r->end) {
			if (r->buf[r->start] == '\n') {
				r->start++;
				r->line++;
			} else if (r->buf[r->start] == '\r' && r->start + 1 < r->end &&
			           r->buf[r->start + 1] == '\n') {
				r->start += 2;
				r->line++;
			} else {
				break;
			}
		}
		if (r->start == r->end && r->eof)
			return 0;
		if (!r->sep) { /* the header's separator: its first line decides */
			char *lf = memchr(r->buf + r->start, '\n', r->end - r->start);
			if (lf || r->eof || r->end - r->start > r->max)
				r->sep = detect_sep(r->buf, r->start,
				                    lf ? (size_t)(lf - r->buf) : r->end);
		}
		e = r->start < r->end && r->sep ? scan(r, &nl) : -1;
		if (e >= 0 && (size_t)e - r->start <= r->max)
			break;
		if (e >= 0 || r->end - r->start > r->max) {
			rec->line = r->line;
			rec->n = 0;
			rec->error = r->too_long;
			if (e >= 0) { /* complete but too long: it is in the buffer */
				r->line += nl + ((size_t)e < r->end ? 1 : 0);
				r->start = (size_t)e < r->end ? (size_t)e + 1 : (size_t)e;
				return 1;
			}
			int rc = skip_long(r);
			return rc < 0 ? rc : 1;
		}
		if (r->eof) /* cannot happen: scan returns end at EOF */
			return 0;
		int rc = refill(r);
		if (rc < 0)
			return rc;
	}
	size_t end = (size_t)e;
	char *p = r->buf + r->start, *lim = r->buf + end;
	if (lim > p && lim[-1] == '\r')
		lim--;
	rec->line = r->line;
	rec->n = 0;
	rec->error = NULL;
	r->line += nl + (end < r->end ? 1 : 0);
	r->start = end < r->end ? end + 1 : end;
	const char sep = r->sep;

	for (;;) {
		if (rec->n == CSV_MAX_FIELDS) {
			rec->error = "too many fields";
			return 1;
		}
		char *w = p, *f = p;
		if (p < lim && *p == '"') {
			p++;
			for (;;) {
				if (p >= lim) {
					rec->error = "quoted field not closed";
					return 1;
				}
				if (*p == '\0') {
					rec->error = "NUL byte in a field";
					return 1;
				}
				if (*p == '"') {
					if (p + 1 < lim && p[1] == '"') {
						*w++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				*w++ = *p++;
			}
			if (p < lim && *p != sep) {
				rec->error = "text after a closing quote";
				return 1;
			}
		} else {
			while (p < lim && *p != sep) {
				if (*p == '"' || *p == '\r' || *p == '\0') {
					rec->error = *p == '"'    ? "quote inside an unquoted field"
					             : *p == '\r' ? "bare carriage return"
					                          : "NUL byte in a field";
					return 1;
				}
				p++;
			}
			w = p;
		}
		rec->f[rec->n] = f;
		rec->len[rec->n] = (size_t)(w - f);
		rec->n++;
		bool more = p < lim; /* at a separator */
		*w = '\0';           /* may overwrite the ',' or the line end: both consumed */
		if (!more)
			return 1;
		p++;
		if (p == lim) { /* trailing comma: one more empty field */
			rec->f[rec->n] = lim;
			rec->len[rec->n] = 0;
			rec->n++;
			*lim = '\0';
			return 1;
		}
	}
}
