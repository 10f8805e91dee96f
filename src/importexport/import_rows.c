/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `greendc import`, reading: the table of series named by the file, the checks every value
 * passes (known metric and device, time order per series, unit conversion), the long format,
 * and the loop over the CSV records. A value for a series the database does not have goes to
 * the staged store's writer at once; one for a stored series is buffered for import_plan.c.
 */
#include "importexport/import_internal.h"

#include "config/config.h"
#include "config/config_yaml.h"
#include "core/labels.h"
#include "core/metrics.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the series table ---- */

static uint64_t fnv(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

struct iser *import_tab_get(struct tab *t, const char *key, size_t klen, bool create)
{
	if (t->n * 2 >= t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 64;
		struct iser **ns = calloc(nc, sizeof(*ns));
		if (!ns)
			return NULL;
		for (size_t i = 0; i < t->cap; i++)
			if (t->slot[i]) {
				size_t j = fnv(t->slot[i]->key, strlen(t->slot[i]->key)) & (nc - 1);
				while (ns[j])
					j = (j + 1) & (nc - 1);
				ns[j] = t->slot[i];
			}
		free(t->slot);
		t->slot = ns;
		t->cap = nc;
	}
	size_t j = fnv(key, klen) & (t->cap - 1);
	for (; t->slot[j]; j = (j + 1) & (t->cap - 1))
		if (strncmp(t->slot[j]->key, key, klen) == 0 && t->slot[j]->key[klen] == '\0')
			return t->slot[j];
	if (!create)
		return NULL;
	struct iser *s = calloc(1, sizeof(*s));
	if (!s || !(s->key = strndup(key, klen)) || !(s->names = strndup(key, klen))) {
		if (s)
			free(s->key);
		free(s);
		return NULL;
	}
	char *a = strchr(s->names, '\x1f'), *b = a ? strchr(a + 1, '\x1f') : NULL;
	s->device = s->names;
	*a = '\0';
	s->metric = a + 1;
	*b = '\0';
	s->labels = b + 1;
	s->hour = INT64_MIN;
	s->mul = 1; /* the metric's own unit until one is declared */
	t->slot[j] = s;
	t->n++;
	return s;
}

/* ---- values: checks, buffering, queueing ---- */

int import_flush_batch(struct run *r)
{
	if (r->nbatch && r->st) {
		int rc = store_append(r->st, r->batch, r->nbatch);
		if (rc < 0 && !r->werr)
			r->werr = rc;
	}
	r->nbatch = 0;
	return r->werr;
}

void import_count_hour(struct import_summary *sum, int64_t *hour, int64_t ts)
{
	int64_t h = ts >= 0 ? ts / 3600000 : (ts - 3599999) / 3600000;
	if (h != *hour) {
		*hour = h;
		sum->hours_recomputed++;
	}
}

int64_t import_series_id(struct run *r, struct iser *s)
{
	if (!s->sid) {
		struct store_series_desc d = {.device = s->device,
		                              .metric = s->metric,
		                              .labels = s->labels,
		                              .kind = s->kind,
		                              .counter_bits = s->cbits,
		                              .max_rate = s->crate,
		                              .counter_scale = s->cscale};
		s->sid = store_series(r->st, &d);
	}
	return s->sid;
}

/* Check one value for series s at line; NULL when it can be added. */
const char *import_check(struct iser *s, int64_t ts, char *why, size_t wl)
{
	if (s->bad)
		return s->bad;
	if (s->last_line && ts <= s->last_ts) {
		snprintf(why, wl, "%s: timestamp not after line %lu's for %s %s%s%s%s",
		         s->kind == STORE_COUNTER ? "out-of-order counter reading (would give a "
		                                    "negative or undefined increase)"
		                                  : "out-of-order or repeated timestamp",
		         s->last_line, s->device, s->metric, *s->labels ? "{" : "", s->labels,
		         *s->labels ? "}" : "");
		return why;
	}
	return NULL;
}

const char *import_check_value(const struct iser *s, double v)
{
	if (s->kind == STORE_COUNTER && v < 0)
		return "negative reading for a counter (a meter counts up from 0)";
	if (!(v >= -IMPORT_VALUE_MAX && v <= IMPORT_VALUE_MAX))
		return "value out of range after unit conversion (magnitude above 1e15)";
	return NULL;
}

/* Append (ts, v) to a growable array of points, doubling its capacity as needed. */
int import_pts_push(struct pt **v, size_t *n, size_t *cap, int64_t ts, double val)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 1024;
		struct pt *np = realloc(*v, nc * sizeof(*np));
		if (!np)
			return -ENOMEM;
		*v = np;
		*cap = nc;
	}
	(*v)[(*n)++] = (struct pt){ts, val};
	return 0;
}

int import_add(struct run *r, struct iser *s, int64_t ts, double v, unsigned long line)
{
	s->last_ts = ts;
	s->last_line = line;
	s->in_file = true;
	if (s->exist_id) {
		return import_pts_push(&s->rows, &s->n, &s->cap, ts, v);
	}
	if (!s->n++)
		r->sum->series_new++;
	r->sum->rows_written++;
	import_count_hour(r->sum, &s->hour, ts);
	if (!r->st)
		return 0;
	r->batch[r->nbatch++] = (struct store_sample){import_series_id(r, s), ts, v};
	if (r->nbatch == sizeof(r->batch) / sizeof(r->batch[0]))
		return import_flush_batch(r);
	return 0;
}

static bool device_known(struct run *r, const char *dev)
{
	if (!r->o->cfg || config_device_find(r->o->cfg, dev))
		return true;
	for (size_t i = 0; i < r->tab.cap; i++)
		if (r->tab.slot[i] && r->tab.slot[i]->exist_id &&
		    strcmp(r->tab.slot[i]->device, dev) == 0)
			return true;
	return false;
}

/* Canonical labels from "k=v;k=v" or "k=v,k=v" (store escaping with '\\' honoured). */
static const char *import_labels(struct run *r, const char *in)
{
	if (!*in)
		return "";
	if (strcmp(in, r->lab_in) == 0)
		return r->lab_out;
	long n = labels_canon_text(in, ",;", r->lab_out, sizeof(r->lab_out));
	if (n < 0 || (size_t)n >= sizeof(r->lab_out))
		return NULL;
	snprintf(r->lab_in, sizeof(r->lab_in), "%s", in);
	return r->lab_out;
}

/* A counter is judged as the daemon will judge it: the width, resolution and rate of its
 * configured device's profile row (config_counter_of), so a 16-bit wrap in the file is a wrap
 * and not a reset; else as stored; else no width and no rate. */
static void counter_desc(struct run *r, struct iser *s)
{
	const struct config_device *d = r->o->cfg ? config_device_find(r->o->cfg, s->device) : NULL;
	if (!d) {
		if (!s->cscale)
			s->cscale = 1;
		return;
	}
	struct config_counter cc;
	config_counter_of(d, s->metric, config_counter_point(d, s->metric, s->labels), &cc);
	s->cbits = cc.bits;
	s->cscale = cc.scale;
	s->crate = cc.max_rate;
}

/* A series named by the file; its metric is checked once, the device when it is new. */
struct iser *import_resolve(struct run *r, const char *dev, const char *met, const char *labels)
{
	char key[1024];
	int kl = snprintf(key, sizeof(key), "%s\x1f%s\x1f%s", dev, met, labels);
	if (kl < 0 || (size_t)kl >= sizeof(key))
		return NULL;
	struct iser *s = import_tab_get(&r->tab, key, (size_t)kl, true);
	if (!s || s->resolved)
		return s;
	s->resolved = true;
	s->def = metric_lookup(met);
	if (!s->exist_id) {
		if (!s->def)
			s->bad =
			        "unknown metric (not in docs/metrics.md) and no such series stored";
		else if (!*dev || !config_name_ok(dev, "-_."))
			s->bad = "bad device name";
		else if (!device_known(r, dev))
			s->bad = "unknown series: the device is neither configured nor stored (add "
			         "it to the config, or map the column)";
		else
			s->kind = s->def->counter ? STORE_COUNTER : STORE_GAUGE;
	}
	if (s->kind == STORE_COUNTER)
		counter_desc(r, s);
	return s;
}

const char *import_unit_of(struct iser *s, const char *unit)
{
	if (strcmp(unit, s->unit) == 0)
		return NULL;
	const struct metric_def *d = metric_lookup(s->metric);
	if (import_unit_conv(unit, d ? d->unit : "", &s->mul, &s->add) < 0)
		return "unit cannot be converted to the metric's unit";
	snprintf(s->unit, sizeof(s->unit), "%s", unit);
	return NULL;
}

int import_col_index(const struct csv_record *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->f[i], name) == 0)
			return (int)i;
	return -1;
}

static int long_row(struct run *r, const struct csv_record *rec)
{
	char why[300];
	int64_t ts;
	double v;
	const char *e;
	size_t need = (size_t)r->c_ts;
	int cols[] = {r->c_dev, r->c_met, r->c_val, r->c_lab, r->c_unit};
	for (size_t i = 0; i < 5; i++)
		if (cols[i] >= 0 && (size_t)cols[i] > need)
			need = (size_t)cols[i];
	if (rec->n <= need) {
		import_reject(r, rec->line, "%zu fields, the header has more", rec->n);
		return 0;
	}
	/* A rolled-up export re-imports only as the hour's last reading (counters' totals). */
	if (r->c_agg >= 0 && ((size_t)r->c_agg >= rec->n || strcmp(rec->f[r->c_agg], "last"))) {
		import_reject(r, rec->line,
		              "a rolled-up value (agg=%.10s) is not a reading: export with "
		              "--step raw, or --agg last for counters",
		              (size_t)r->c_agg < rec->n ? rec->f[r->c_agg] : "");
		return 0;
	}
	if ((e = import_parse_time(r, rec->f[r->c_ts], &ts, why, sizeof(why)))) {
		import_reject(r, rec->line, "%s", e);
		return 0;
	}
	if ((e = import_parse_value(r, rec->f[r->c_val], &v))) {
		import_reject(r, rec->line, "%s: \"%.40s\"", e, rec->f[r->c_val]);
		return 0;
	}
	const char *lab = r->c_lab >= 0 ? import_labels(r, rec->f[r->c_lab]) : "";
	if (!lab) {
		import_reject(r, rec->line, "bad labels \"%.60s\" (expected k=v;k=v)",
		              rec->f[r->c_lab]);
		return 0;
	}
	struct iser *s = import_resolve(r, rec->f[r->c_dev], rec->f[r->c_met], lab);
	if (!s) {
		import_reject(r, rec->line, "series name too long");
		return 0;
	}
	if ((e = import_check(s, ts, why, sizeof(why)))) {
		import_reject(r, rec->line, "%s", e);
		return 0;
	}
	if ((e = import_unit_of(s, r->c_unit >= 0 ? rec->f[r->c_unit] : ""))) {
		import_reject(r, rec->line, "%s: \"%.20s\"", e, rec->f[r->c_unit]);
		return 0;
	}
	v = v * s->mul + s->add;
	if ((e = import_check_value(s, v))) {
		import_reject(r, rec->line, "%s: \"%.40s\"", e, rec->f[r->c_val]);
		return 0;
	}
	return import_add(r, s, ts, v, rec->line);
}

int import_records(struct run *r, int fd)
{
	const struct csv_opts co = {.sep = r->o->separator, .max_record = r->o->max_line};
	struct csv_reader *cr = csv_open_opts(fd, &co);
	struct csv_record rec;
	bool header = true;
	int rc;
	if (!cr)
		return -ENOMEM;
	while ((rc = csv_next(cr, &rec)) > 0) {
		if (rec.error) {
			if (header) {
				snprintf(r->err, r->errlen, "line %lu: header: %s", rec.line,
				         rec.error);
				rc = -EINVAL;
				break;
			}
			r->sum->rows_read++;
			import_reject(r, rec.line, "malformed CSV: %s", rec.error);
			continue;
		}
		if (header) {
			header = false;
			/* Spreadsheets often start a UTF-8 file with a byte order mark. */
			if (rec.n && strncmp(rec.f[0], "\xEF\xBB\xBF", 3) == 0) {
				rec.f[0] += 3;
				rec.len[0] -= 3;
			}
			/* A ',' file writes decimals with '.'; a ';' or tab one (a spreadsheet
			 * locale) may use ',' (or '.', but not both in one value). */
			r->decimal = r->o->decimal              ? r->o->decimal
			             : csv_separator(cr) == ',' ? '.'
			                                        : 0;
			rc = r->o->format == IMPORT_LONG ? import_long_header(r, &rec)
			                                 : import_wide_header(r, &rec);
			if (rc < 0)
				break;
			continue;
		}
		r->sum->rows_read++;
		rc = r->o->format == IMPORT_LONG ? long_row(r, &rec) : import_wide_row(r, &rec);
		if (rc < 0)
			break;
	}
	if (rc == 0 && header) {
		snprintf(r->err, r->errlen, "no header line");
		rc = -EINVAL;
	} else if (rc < 0 && !r->err[0]) {
		snprintf(r->err, r->errlen, "reading input: %s", strerror(-rc));
	}
	csv_close(cr);
	return rc < 0 ? rc : 0;
}
