/*
 * `greendc import`: validation, series resolution, overlap rules and the staged write
 * (import.h). Rows of a series must come in time order (series may interleave), which is
 * what every meter export and `greendc export` produce, and what lets a counter's increase
 * between two rows be checked and written as it streams.
 *
 * Where rows go:
 * - a series the database does not have yet: straight to the store writer while parsing;
 * - a series it has: buffered, then compared with the stored samples (store_read_raw):
 *   rows already stored with the same value are unchanged (a re-import writes nothing);
 *   rows after the last stored sample are appended; anything else needs the series' history
 *   rewritten, because the store keeps counters as unwrapped totals and its writer only takes
 *   a reading after the series' last one. Such a series is rebuilt: the stored series is
 *   renamed to "<metric>~replaced@<ms>" (kept for audit, matched by no selector) and the
 *   merged history, chosen by the overlap rule, is replayed in time order into a new series
 *   with the original identity, through the same writer (unwrapping, rollups, events).
 * All of it happens in a copy of the database that replaces the original by rename(2) at
 * the end, so nothing is half-imported.
 */
#include "importexport/import.h"
#include "core/labels.h"

#include "core/timeutil.h"

#include "config/config.h"
#include "config/config_yaml.h"
#include "core/metrics.h"
#include "core/util.h"
#include "importexport/import_csv.h"
#include "store/store.h"
#include "store/store_stage.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- units ---- */

int import_unit_conv(const char *from, const char *to, double *mul, double *add)
{
	static const struct {
		const char *to, *from;
		double mul, add;
	} t[] = {
	        {"W", "W", 1, 0},
	        {"W", "kW", 1e3, 0},
	        {"W", "MW", 1e6, 0},
	        {"kWh", "Wh", 1e-3, 0},
	        {"kWh", "kWh", 1, 0},
	        {"kWh", "MWh", 1e3, 0},
	        {"kWh", "GWh", 1e6, 0},
	        {"C", "C", 1, 0},
	        {"C", "degC", 1, 0},
	        {"C", "K", 1, -273.15},
	        {"C", "F", 5.0 / 9, -160.0 / 9},
	        {"m3", "m3", 1, 0},
	        {"m3", "L", 1e-3, 0},
	        {"m3", "l", 1e-3, 0},
	};
	*mul = 1;
	*add = 0;
	if (!from || !*from || strcmp(from, to) == 0)
		return 0;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].to, to) == 0 && strcmp(t[i].from, from) == 0) {
			*mul = t[i].mul;
			*add = t[i].add;
			return 0;
		}
	return -EINVAL;
}

/* ---- series table ---- */

struct pt {
	int64_t ts;
	double v;
};

struct iser {
	char *key;   /* device \x1f metric \x1f labels */
	char *names; /* the same split by NULs: device, metric, labels */
	const char *device, *metric, *labels;
	const struct metric_def *def;
	enum store_kind kind;
	int64_t exist_id; /* in the original database; 0 = new */
	int64_t sid;      /* in the staged store; 0 = not yet */
	const char *bad;  /* every row of this series is rejected with this reason */
	bool resolved;
	bool in_file;
	int64_t last_ts, hour;
	unsigned long last_line;
	char unit[16];
	double mul, add;
	struct pt *rows; /* buffered rows (series that exist) */
	size_t n, cap;
};

struct tab {
	struct iser **slot;
	size_t cap, n;
};

static uint64_t fnv(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static struct iser *tab_get(struct tab *t, const char *key, size_t klen, bool create)
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

/* ---- the run ---- */

struct wcol { /* wide format: one mapped column */
	struct iser *s;
	const char *unit;
};

struct run {
	const struct import_opts *o;
	struct import_summary *sum;
	struct tab tab;
	struct store *st; /* staged store while streaming; NULL in dry runs */
	struct store_sample batch[4096];
	size_t nbatch;
	int werr;
	/* long format columns */
	int c_ts, c_dev, c_met, c_val, c_lab, c_unit, c_agg;
	/* wide format */
	int w_ts;
	struct wcol *wcols; /* indexed by column */
	size_t nwcols;
	char lab_in[512], lab_out[512];
	struct store_reader *rd; /* the original database, when it exists */
	struct store_stage *sg;  /* the staged copy; NULL in dry runs */
	struct splan *plans;     /* stored series named by the file (plan_all) */
	size_t np;
	char *err;
	size_t errlen;
};

static void reject(struct run *r, unsigned long line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void reject(struct run *r, unsigned long line, const char *fmt, ...)
{
	va_list ap;
	r->sum->rows_rejected++;
	if (!r->o->rejects)
		return;
	fprintf(r->o->rejects, "%s:%lu: ", r->o->source ? r->o->source : "-", line);
	va_start(ap, fmt);
	vfprintf(r->o->rejects, fmt, ap);
	va_end(ap);
	fputc('\n', r->o->rejects);
}

static int flush_batch(struct run *r)
{
	if (r->nbatch && r->st) {
		int rc = store_append(r->st, r->batch, r->nbatch);
		if (rc < 0 && !r->werr)
			r->werr = rc;
	}
	r->nbatch = 0;
	return r->werr;
}

static void count_hour(struct import_summary *sum, int64_t *hour, int64_t ts)
{
	int64_t h = ts >= 0 ? ts / 3600000 : (ts - 3599999) / 3600000;
	if (h != *hour) {
		*hour = h;
		sum->hours_recomputed++;
	}
}

static int64_t series_id(struct run *r, struct iser *s)
{
	if (!s->sid) {
		struct store_series_desc d = {.device = s->device,
		                              .metric = s->metric,
		                              .labels = s->labels,
		                              .kind = s->kind};
		s->sid = store_series(r->st, &d);
	}
	return s->sid;
}

/* Check one value for series s at line; NULL when it can be added. */
static const char *check(struct iser *s, int64_t ts, char *why, size_t wl)
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

/* Append (ts, v) to a growable array of points, doubling its capacity as needed. */
static int pts_push(struct pt **v, size_t *n, size_t *cap, int64_t ts, double val)
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

static int add(struct run *r, struct iser *s, int64_t ts, double v, unsigned long line)
{
	s->last_ts = ts;
	s->last_line = line;
	s->in_file = true;
	if (s->exist_id) {
		return pts_push(&s->rows, &s->n, &s->cap, ts, v);
	}
	if (!s->n++)
		r->sum->series_new++;
	r->sum->rows_written++;
	count_hour(r->sum, &s->hour, ts);
	if (!r->st)
		return 0;
	r->batch[r->nbatch++] = (struct store_sample){series_id(r, s), ts, v};
	if (r->nbatch == sizeof(r->batch) / sizeof(r->batch[0]))
		return flush_batch(r);
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

/* A series named by the file; its metric is checked once, the device when it is new. */
static struct iser *resolve(struct run *r, const char *dev, const char *met, const char *labels)
{
	char key[1024];
	int kl = snprintf(key, sizeof(key), "%s\x1f%s\x1f%s", dev, met, labels);
	if (kl < 0 || (size_t)kl >= sizeof(key))
		return NULL;
	struct iser *s = tab_get(&r->tab, key, (size_t)kl, true);
	if (!s || s->resolved)
		return s;
	s->resolved = true;
	s->def = metric_lookup(met);
	if (!s->exist_id) {
		if (!s->def)
			s->bad =
			        "unknown metric (not in docs/metrics.md) and no such series stored";
		else if (!*dev || !name_ok(dev, "-_."))
			s->bad = "bad device name";
		else if (!device_known(r, dev))
			s->bad = "unknown series: the device is neither configured nor stored (add "
			         "it to the config, or map the column)";
		else
			s->kind = s->def->counter ? STORE_COUNTER : STORE_GAUGE;
	}
	return s;
}

static const char *unit_of(struct iser *s, const char *unit)
{
	if (strcmp(unit, s->unit) == 0)
		return NULL;
	const struct metric_def *d = metric_lookup(s->metric);
	if (import_unit_conv(unit, d ? d->unit : "", &s->mul, &s->add) < 0)
		return "unit cannot be converted to the metric's unit";
	snprintf(s->unit, sizeof(s->unit), "%s", unit);
	return NULL;
}

static int col_index(const struct csv_record *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->f[i], name) == 0)
			return (int)i;
	return -1;
}

static int long_header(struct run *r, const struct csv_record *h)
{
	r->c_ts = col_index(h, "timestamp");
	r->c_dev = col_index(h, "device");
	r->c_met = col_index(h, "metric");
	r->c_val = col_index(h, "value");
	r->c_lab = col_index(h, "labels");
	r->c_unit = col_index(h, "unit");
	r->c_agg = col_index(h, "agg");
	if (r->c_ts < 0 || r->c_dev < 0 || r->c_met < 0 || r->c_val < 0) {
		snprintf(r->err, r->errlen,
		         "line %lu: long format needs a header with columns "
		         "timestamp, device, metric, value (labels, unit optional)",
		         h->line);
		return -EINVAL;
	}
	return 0;
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
		reject(r, rec->line, "%zu fields, the header has more", rec->n);
		return 0;
	}
	/* A rolled-up export re-imports only as the hour's last reading (counters' totals). */
	if (r->c_agg >= 0 && ((size_t)r->c_agg >= rec->n || strcmp(rec->f[r->c_agg], "last"))) {
		reject(r, rec->line,
		       "a rolled-up value (agg=%.10s) is not a reading: export with "
		       "--step raw, or --agg last for counters",
		       (size_t)r->c_agg < rec->n ? rec->f[r->c_agg] : "");
		return 0;
	}
	if ((e = time_parse_iso8601(rec->f[r->c_ts], TIME_NOZONE_LOCAL, &ts))) {
		reject(r, rec->line, "%s: \"%.40s\"", e, rec->f[r->c_ts]);
		return 0;
	}
	ts -= r->o->interval_end;
	if (!util_parse_double(rec->f[r->c_val], &v)) {
		reject(r, rec->line, "non-numeric value \"%.40s\"", rec->f[r->c_val]);
		return 0;
	}
	const char *lab = r->c_lab >= 0 ? import_labels(r, rec->f[r->c_lab]) : "";
	if (!lab) {
		reject(r, rec->line, "bad labels \"%.60s\" (expected k=v;k=v)", rec->f[r->c_lab]);
		return 0;
	}
	struct iser *s = resolve(r, rec->f[r->c_dev], rec->f[r->c_met], lab);
	if (!s) {
		reject(r, rec->line, "series name too long");
		return 0;
	}
	if ((e = check(s, ts, why, sizeof(why)))) {
		reject(r, rec->line, "%s", e);
		return 0;
	}
	if ((e = unit_of(s, r->c_unit >= 0 ? rec->f[r->c_unit] : ""))) {
		reject(r, rec->line, "%s: \"%.20s\"", e, rec->f[r->c_unit]);
		return 0;
	}
	return add(r, s, ts, v * s->mul + s->add, rec->line);
}

/* ---- wide format mapping ---- */

struct mapctx {
	struct run *r;
	struct ydoc *y;
	const struct csv_record *h;
	const char *ts_col;
};

struct colmap {
	const char *device, *metric, *unit;
	struct kv_build labels;
};

static void colmap_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                        yaml_node_t *knode, yaml_node_t *v)
{
	struct colmap *c = ctx;
	(void)knode;
	if (strcmp(key, "device") == 0)
		c->device = want_string(y, v, path);
	else if (strcmp(key, "metric") == 0)
		c->metric = want_string(y, v, path);
	else if (strcmp(key, "unit") == 0)
		c->unit = want_string(y, v, path);
	else if (strcmp(key, "labels") == 0)
		ymap_walk(y, v, path, NULL, kv_pair, &c->labels);
}

static void column_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                        yaml_node_t *knode, yaml_node_t *v)
{
	struct mapctx *m = ctx;
	struct run *r = m->r;
	static const char *const allowed[] = {"device", "metric", "labels", "unit", NULL};
	struct colmap c = {0};
	char p[256];
	snprintf(p, sizeof(p), "%s.%s", path, key);
	if (!ymap_walk(y, v, p, allowed, colmap_pair, &c))
		return;
	if (!c.device || !c.metric) {
		yerr(y, knode, p, "needs device and metric");
		return;
	}
	int col = col_index(m->h, key);
	if (col < 0)
		return; /* mapped but not in this file: fine */
	const char *keys[32], *vals[32];
	char lab[512];
	size_t n = c.labels.n < 32 ? c.labels.n : 32;
	for (size_t i = 0; i < n; i++) {
		keys[i] = c.labels.attrs[i].key;
		vals[i] = c.labels.attrs[i].value;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
			const char *k = keys[j], *vv = vals[j];
			keys[j] = keys[j - 1];
			vals[j] = vals[j - 1];
			keys[j - 1] = k;
			vals[j - 1] = vv;
		}
	labels_canon(keys, vals, n, lab, sizeof(lab));
	struct iser *s = resolve(r, c.device, c.metric, lab);
	if (!s) {
		yerr(y, knode, p, "series name too long");
		return;
	}
	if (s->bad) {
		yerr(y, knode, p, "%s", s->bad);
		return;
	}
	r->wcols[col].s = s;
	r->wcols[col].unit = c.unit ? c.unit : "";
	if (unit_of(s, r->wcols[col].unit))
		yerr(y, knode, p, "unit \"%s\" cannot be converted to %s's unit", c.unit, c.metric);
}

static void map_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                     yaml_node_t *knode, yaml_node_t *v)
{
	struct mapctx *m = ctx;
	(void)knode;
	if (strcmp(key, "timestamp") == 0)
		m->ts_col = want_string(y, v, path);
	else if (strcmp(key, "columns") == 0)
		ymap_walk(y, v, "columns", NULL, column_pair, m);
}

static int wide_header(struct run *r, const struct csv_record *h)
{
	struct config_diag diag = {0};
	struct ydoc y = {.diag = &diag, .arena = arena_new()};
	struct mapctx m = {.r = r, .y = &y, .h = h};
	static const char *const allowed[] = {"timestamp", "columns", NULL};
	int rc = 0;
	r->nwcols = h->n;
	r->wcols = calloc(h->n, sizeof(*r->wcols));
	if (!r->wcols || !y.arena) {
		arena_free(y.arena);
		return -ENOMEM;
	}
	if (!r->o->mapping) {
		snprintf(r->err, r->errlen, "wide format needs --mapping FILE");
		arena_free(y.arena);
		return -EINVAL;
	}
	if (load_yaml(&y, r->o->mapping)) {
		ymap_walk(&y, yaml_document_get_root_node(&y.doc), "mapping", allowed, map_pair,
		          &m);
		r->w_ts = m.ts_col ? col_index(h, m.ts_col) : 0;
		if (r->w_ts < 0)
			config_diag_add(&diag, r->o->mapping, 0,
			                "timestamp column \"%s\" not in the "
			                "header",
			                m.ts_col);
		yaml_document_delete(&y.doc);
	}
	if (diag.count) {
		snprintf(r->err, r->errlen, "%s", diag.text);
		rc = -EINVAL;
	} else {
		for (size_t i = 0; i < h->n; i++)
			if ((int)i != r->w_ts && !r->wcols[i].s)
				reject(r, h->line,
				       "column \"%s\" is an unknown series: no mapping "
				       "for it in %s",
				       h->f[i], r->o->mapping);
	}
	/* labels and units were copied: the series table owns its keys; units live on */
	for (size_t i = 0; i < h->n; i++)
		if (r->wcols[i].unit)
			r->wcols[i].unit = strdup(r->wcols[i].unit);
	arena_free(y.arena);
	return rc;
}

static int wide_row(struct run *r, const struct csv_record *rec)
{
	char why[300];
	int64_t ts;
	const char *e;
	if (rec->n != r->nwcols) {
		reject(r, rec->line, "%zu fields, the header has %zu", rec->n, r->nwcols);
		return 0;
	}
	if ((e = time_parse_iso8601(rec->f[r->w_ts], TIME_NOZONE_LOCAL, &ts))) {
		reject(r, rec->line, "%s: \"%.40s\"", e, rec->f[r->w_ts]);
		return 0;
	}
	ts -= r->o->interval_end;
	double v[CSV_MAX_FIELDS];
	for (size_t i = 0; i < rec->n; i++) { /* all cells first: a bad line adds nothing */
		struct iser *s = r->wcols[i].s;
		if (!s || !rec->len[i])
			continue;
		if (!util_parse_double(rec->f[i], &v[i])) {
			reject(r, rec->line, "non-numeric value \"%.40s\" in column %zu", rec->f[i],
			       i + 1);
			return 0;
		}
		if ((e = check(s, ts, why, sizeof(why)))) {
			reject(r, rec->line, "%s", e);
			return 0;
		}
	}
	for (size_t i = 0; i < rec->n; i++) {
		struct iser *s = r->wcols[i].s;
		if (!s || !rec->len[i])
			continue;
		unit_of(s, r->wcols[i].unit);
		int rc = add(r, s, ts, v[i] * s->mul + s->add, rec->line);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- existing series: compare, append or rebuild ---- */

struct rawbuf {
	struct pt *p;
	size_t n, cap;
};

static int raw_cb(void *ctx, int64_t ts, double v)
{
	struct rawbuf *b = ctx;
	return pts_push(&b->p, &b->n, &b->cap, ts, v);
}

static bool same(double a, double b)
{
	return a == b || (isnan(a) && isnan(b)) || fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b));
}

/* An hour of a series as its 1 h rollup row: what is left of it once raw_retention has
 * deleted its raw block. Imported rows for such an hour are compared with it. */
struct fp {
	int64_t h;
	double f[5]; /* count, min, max, sum, last */
};

struct fpbuf {
	struct fp *p;
	size_t n, cap, at;
	int which;
};

static int fp_cb(void *ctx, int64_t bucket, double v, int64_t count)
{
	struct fpbuf *b = ctx;
	if (b->which == 0) {
		if (b->n == b->cap) {
			size_t nc = b->cap ? b->cap * 2 : 256;
			struct fp *np = realloc(b->p, nc * sizeof(*np));
			if (!np)
				return -ENOMEM;
			b->p = np;
			b->cap = nc;
		}
		b->p[b->n++] = (struct fp){bucket, {(double)count, 0, 0, 0, 0}};
		return 0;
	}
	while (b->at < b->n && b->p[b->at].h < bucket)
		b->at++;
	if (b->at < b->n && b->p[b->at].h == bucket)
		b->p[b->at].f[b->which] = v;
	return 0;
}

static int any_cb(void *ctx, int64_t bucket, double v, int64_t count)
{
	(void)bucket;
	(void)v;
	*(bool *)ctx = *(bool *)ctx || count > 0;
	return 1; /* one is enough */
}

#define HOUR_MS 3600000LL
static int64_t floor_h(int64_t t)
{
	return t >= 0 ? t / HOUR_MS * HOUR_MS : (t - HOUR_MS + 1) / HOUR_MS * HOUR_MS;
}

/*
 * Imported rows before the first raw sample of a stored series whose older history is only
 * in rollups (raw_retention): an hour whose rows have exactly the stored hour's count, min,
 * max, sum and last is unchanged; a different one is dropped (keep-live) or refused
 * (keep-imported: raw that is gone cannot be replaced); rows for hours not stored at all
 * cannot be inserted (that needs a rebuild, which would lose the rollup-only history).
 * Handled rows are removed from s->rows. 0, or -EEXIST with err set.
 */
static int plan_old(struct run *r, struct store_reader *rd, struct iser *s, int64_t hz,
                    bool *has_old)
{
	struct pt *I = s->rows;
	size_t nold = 0;
	*has_old = false;
	while (nold < s->n && I[nold].ts < hz)
		nold++;
	int rc = store_query(rd, s->exist_id, 0, hz == INT64_MAX ? INT64_MAX / 4 : hz, 86400000,
	                     AGG_COUNT, any_cb, has_old);
	if (rc < 0)
		return rc;
	if (!nold || !*has_old)
		return 0;
	struct fpbuf b = {0};
	static const enum store_agg aggs[] = {AGG_COUNT, AGG_MIN, AGG_MAX, AGG_SUM, AGG_LAST};
	int64_t from = floor_h(I[0].ts), to = floor_h(I[nold - 1].ts) + HOUR_MS;
	for (int k = 0; k < 5 && rc >= 0; k++) {
		b.which = k;
		b.at = 0;
		rc = store_query(rd, s->exist_id, from, to, HOUR_MS, aggs[k], fp_cb, &b);
	}
	size_t w = 0, i = 0, q = 0;
	while (rc >= 0 && i < nold) {
		int64_t h = floor_h(I[i].ts);
		size_t j = i;
		double mn = INFINITY, mx = -INFINITY, sum = 0;
		for (; j < nold && floor_h(I[j].ts) == h; j++) {
			mn = fmin(mn, I[j].v);
			mx = fmax(mx, I[j].v);
			sum += I[j].v;
		}
		while (q < b.n && b.p[q].h < h)
			q++;
		char t[40];
		time_t hs = (time_t)(h / 1000);
		struct tm tm;
		strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&hs, &tm));
		if (q < b.n && b.p[q].h == h) {
			const double *f = b.p[q].f;
			bool eq = f[0] == (double)(j - i) && same(f[1], mn) && same(f[2], mx) &&
			          same(f[3], sum) && same(f[4], I[j - 1].v);
			if (eq) {
				r->sum->rows_unchanged += j - i;
			} else if (r->o->overlap == IMPORT_KEEP_LIVE) {
				r->sum->rows_overlap += j - i;
			} else {
				snprintf(r->err, r->errlen,
				         "%s %s%s%s%s: the hour at %s differs from the stored one, "
				         "whose raw samples are gone (storage.raw_retention): "
				         "keep-imported cannot replace it",
				         s->device, s->metric, *s->labels ? "{" : "", s->labels,
				         *s->labels ? "}" : "", t);
				rc = -EEXIST;
			}
		} else {
			snprintf(
			        r->err, r->errlen,
			        "%s %s%s%s%s: rows before its first raw sample (hour %s) cannot be "
			        "inserted: its older history is kept only as rollups "
			        "(storage.raw_retention), which a rebuild would lose",
			        s->device, s->metric, *s->labels ? "{" : "", s->labels,
			        *s->labels ? "}" : "", t);
			rc = -EEXIST;
		}
		i = j;
	}
	free(b.p);
	if (rc < 0)
		return rc;
	for (i = nold; i < s->n; i++)
		I[w++] = I[i];
	s->n = w;
	return 0;
}

enum plan { PLAN_NONE, PLAN_APPEND, PLAN_REBUILD };

struct splan {
	struct iser *s;
	enum plan plan;
	struct pt *rows; /* APPEND: the new rows; REBUILD: the merged history */
	size_t n;
};

/* Decide what a stored series needs. E = stored (sorted), I = imported (sorted). */
static int plan_series(struct run *r, struct store_reader *rd, struct iser *s, struct splan *out)
{
	struct rawbuf e = {0};
	int rc = store_read_raw(rd, s->exist_id, INT64_MIN / 2, INT64_MAX / 2, raw_cb, &e);
	out->s = s;
	out->plan = PLAN_NONE;
	if (rc < 0) {
		free(e.p);
		return rc;
	}
	bool has_old;
	rc = plan_old(r, rd, s, e.n ? floor_h(e.p[0].ts) : INT64_MAX, &has_old);
	if (rc < 0 || !s->n) {
		free(e.p);
		return rc;
	}
	struct pt *I = s->rows;
	size_t ni = s->n;
	/* bookkeeping: rows already stored with the same value */
	uint64_t unch = 0;
	for (size_t i = 0, j = 0; i < ni; i++) {
		while (j < e.n && e.p[j].ts < I[i].ts)
			j++;
		if (j < e.n && e.p[j].ts == I[i].ts && same(e.p[j].v, I[i].v))
			unch++;
	}
	r->sum->rows_unchanged += unch;
	if (!e.n || I[0].ts > e.p[e.n - 1].ts) { /* all after: plain append */
		out->plan = PLAN_APPEND;
		out->rows = I;
		out->n = ni;
		free(e.p);
		return 0;
	}
	struct pt *m = malloc((e.n + ni) * sizeof(*m));
	if (!m) {
		free(e.p);
		return -ENOMEM;
	}
	size_t n = 0, i = 0, j = 0;
	uint64_t dropped = 0;
	int64_t lo, hi;
	bool keep_live = r->o->overlap == IMPORT_KEEP_LIVE;
	if (keep_live) {
		lo = e.p[0].ts;
		hi = e.p[e.n - 1].ts;
	} else {
		lo = I[0].ts;
		hi = I[ni - 1].ts;
	}
	while (i < ni || j < e.n) {
		bool take_i;
		if (i == ni)
			take_i = false;
		else if (j == e.n)
			take_i = true;
		else
			take_i = I[i].ts < e.p[j].ts;
		if (take_i) {
			bool inside = I[i].ts >= lo && I[i].ts <= hi;
			if (keep_live && inside)
				dropped++;
			else
				m[n++] = I[i];
			i++;
		} else {
			bool inside = e.p[j].ts >= lo && e.p[j].ts <= hi;
			if (keep_live || !inside)
				m[n++] = e.p[j];
			else
				dropped++;
			j++;
		}
	}
	/* Rows equal on both sides are unchanged, not overlap: every such pair lies inside the
	 * span, on whichever side was dropped. */
	r->sum->rows_overlap += dropped - unch;
	/* the merged history may be the stored one plus rows after it */
	size_t pre = 0;
	while (pre < n && pre < e.n && m[pre].ts == e.p[pre].ts && same(m[pre].v, e.p[pre].v))
		pre++;
	if (pre == e.n && n == e.n) {
		free(m);
	} else if (pre == e.n) {
		memmove(m, m + pre, (n - pre) * sizeof(*m));
		out->plan = PLAN_APPEND;
		out->rows = m;
		out->n = n - pre;
		s->rows = m; /* owned from now on */
		free(I);
		s->cap = out->n;
		s->n = out->n;
	} else if (has_old) {
		snprintf(r->err, r->errlen,
		         "%s %s%s%s%s: these rows need its history rebuilt, but its older history "
		         "is kept only as rollups (storage.raw_retention), which a rebuild would "
		         "lose",
		         s->device, s->metric, *s->labels ? "{" : "", s->labels,
		         *s->labels ? "}" : "");
		free(m);
		free(e.p);
		return -EEXIST;
	} else {
		out->plan = PLAN_REBUILD;
		out->rows = m;
		out->n = n;
	}
	free(e.p);
	return 0;
}

/* ---- the staged store ---- */

static struct store *open_store(const struct import_opts *o, const char *path, char *err,
                                size_t errlen)
{
	struct store_opts so = {.path = path,
	                        .commit_ms = 2000,
	                        .queue_cap = 1 << 16,
	                        .raw_retention_ms = o->cfg ? o->cfg->storage.raw_retention_ms : 0};
	return store_open(&so, err, errlen);
}

static int load_existing(void *ctx, const struct store_series_info *info)
{
	struct run *r = ctx;
	char key[1024];
	int kl = snprintf(key, sizeof(key), "%s\x1f%s\x1f%s", info->device, info->metric,
	                  info->labels);
	if (kl < 0 || (size_t)kl >= sizeof(key))
		return 0;
	struct iser *s = tab_get(&r->tab, key, (size_t)kl, true);
	if (!s)
		return -ENOMEM;
	s->exist_id = info->id;
	s->kind = info->kind;
	return 0;
}

/* Rebuilt series: the stored one becomes "<metric>~replaced@<ms>" in the staged copy (kept for
 * audit, matched by no selector), in one transaction. The writer must be closed. */
static int rename_rebuilt(struct run *r)
{
	struct store_rename *v = calloc(r->np ? r->np : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	size_t n = 0;
	int rc = 0;
	long long now = (long long)util_wall_ms();
	for (size_t i = 0; rc == 0 && i < r->np; i++) {
		if (r->plans[i].plan != PLAN_REBUILD)
			continue;
		char *name;
		if (asprintf(&name, "%s~replaced@%lld", r->plans[i].s->metric, now) < 0) {
			rc = -ENOMEM;
			break;
		}
		v[n++] = (struct store_rename){r->plans[i].s->exist_id, name};
	}
	char e[512];
	if (rc == 0 && (rc = store_series_rename(store_stage_path(r->sg), v, n, e, sizeof(e))) < 0)
		snprintf(r->err, r->errlen, "renaming replaced series: %s", e);
	for (size_t i = 0; i < n; i++)
		free((char *)v[i].metric);
	free(v);
	return rc;
}

static int run_records(struct run *r, int fd)
{
	struct csv_reader *cr = csv_open(fd);
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
			reject(r, rec.line, "malformed CSV: %s", rec.error);
			continue;
		}
		if (header) {
			header = false;
			/* Spreadsheets often start a UTF-8 file with a byte order mark. */
			if (rec.n && strncmp(rec.f[0], "\xEF\xBB\xBF", 3) == 0) {
				rec.f[0] += 3;
				rec.len[0] -= 3;
			}
			rc = r->o->format == IMPORT_LONG ? long_header(r, &rec)
			                                 : wide_header(r, &rec);
			if (rc < 0)
				break;
			continue;
		}
		r->sum->rows_read++;
		rc = r->o->format == IMPORT_LONG ? long_row(r, &rec) : wide_row(r, &rec);
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

static int write_planned(struct run *r, struct splan *p, size_t np)
{
	for (size_t i = 0; i < np; i++) {
		if (p[i].plan == PLAN_NONE)
			continue;
		struct iser *s = p[i].s;
		s->sid = 0;
		int64_t id = series_id(r, s);
		int64_t hour = INT64_MIN;
		for (size_t k = 0; k < p[i].n; k++) {
			count_hour(r->sum, &hour, p[i].rows[k].ts);
			r->sum->rows_written++;
			r->batch[r->nbatch++] =
			        (struct store_sample){id, p[i].rows[k].ts, p[i].rows[k].v};
			if (r->nbatch == sizeof(r->batch) / sizeof(r->batch[0]) && flush_batch(r))
				return r->werr;
		}
	}
	return flush_batch(r);
}

/* What the database already holds, and (unless a dry run) the staged copy to write. */
static int import_open(struct run *r)
{
	const struct import_opts *o = r->o;
	if (access(o->dbpath, F_OK) == 0) {
		r->rd = store_reader_open(o->dbpath, r->err, r->errlen);
		if (!r->rd)
			return -EIO;
		int rc = store_series_find(r->rd, NULL, load_existing, r);
		if (rc < 0) {
			snprintf(r->err, r->errlen, "listing series: %s", strerror(-rc));
			return rc;
		}
	}
	if (o->dry_run)
		return 0;
	long who;
	int rc = store_stage_begin(o->dbpath, ".import-tmp", &r->sg, &who, r->err, r->errlen);
	if (rc == -EBUSY && who)
		snprintf(r->err, r->errlen,
		         "%s is open by process %ld (is greendcd running on it?): "
		         "stop it before importing",
		         o->dbpath, who);
	if (rc < 0)
		return rc;
	r->st = open_store(o, store_stage_path(r->sg), r->err, r->errlen);
	return r->st ? 0 : -EIO;
}

/* Plan every stored series named by the file (plan_series). 0, or -errno with err set. */
static int plan_all(struct run *r, bool *rebuild)
{
	*rebuild = false;
	r->plans = calloc(r->tab.n ? r->tab.n : 1, sizeof(*r->plans));
	if (!r->plans)
		return -ENOMEM;
	for (size_t i = 0; i < r->tab.cap; i++) {
		struct iser *s = r->tab.slot[i];
		if (!s || !s->exist_id || !s->n)
			continue;
		struct splan *p = &r->plans[r->np];
		int rc = plan_series(r, r->rd, s, p);
		if (rc == -EEXIST)
			return rc;
		if (rc < 0) {
			snprintf(r->err, r->errlen, "reading %s %s: %s", s->device, s->metric,
			         strerror(-rc));
			return rc;
		}
		if (p->plan == PLAN_REBUILD) {
			*rebuild = true;
			r->sum->series_rebuilt++;
		} else if (p->plan == PLAN_APPEND) {
			r->sum->series_appended++;
		}
		r->np++;
	}
	return 0;
}

/* A dry run counts what would be written. */
static void count_planned(struct run *r)
{
	for (size_t i = 0; i < r->np; i++) {
		if (r->plans[i].plan == PLAN_NONE)
			continue;
		int64_t hour = INT64_MIN;
		for (size_t k = 0; k < r->plans[i].n; k++) {
			count_hour(r->sum, &hour, r->plans[i].rows[k].ts);
			r->sum->rows_written++;
		}
	}
}

/* Flush and close the staged store's writer. */
static int close_store(struct run *r)
{
	int rc = 0;
	if (store_flush(r->st) < 0) {
		store_last_error(r->st, r->err, r->errlen);
		rc = -EIO;
	}
	store_close(r->st);
	r->st = NULL;
	return rc;
}

/* Rebuilt series are renamed with the writer closed (its registry caches names), then it is
 * reopened and every series id is resolved again. */
static int rename_for_rebuild(struct run *r)
{
	int rc = close_store(r);
	if (rc == 0)
		rc = rename_rebuilt(r);
	if (rc < 0)
		return rc;
	r->st = open_store(r->o, store_stage_path(r->sg), r->err, r->errlen);
	if (!r->st)
		return -EIO;
	for (size_t i = 0; i < r->tab.cap; i++)
		if (r->tab.slot[i])
			r->tab.slot[i]->sid = 0;
	return 0;
}

/* The planned rows, the import event, and the swap. Everything so far went into the staged
 * copy only; the original changes at the rename in store_stage_commit, or never. */
static int import_write(struct run *r, bool rebuild)
{
	const struct import_opts *o = r->o;
	const struct import_summary *sum = r->sum;
	int rc = rebuild ? rename_for_rebuild(r) : 0;
	if (rc == 0)
		rc = write_planned(r, r->plans, r->np);
	if (rc < 0)
		return rc;
	char detail[512];
	snprintf(detail, sizeof(detail),
	         "source=%s rows=%llu written=%llu unchanged=%llu overlap_dropped=%llu rule=%s "
	         "new=%llu appended=%llu rebuilt=%llu",
	         o->source ? o->source : "-", (unsigned long long)sum->rows_read,
	         (unsigned long long)sum->rows_written, (unsigned long long)sum->rows_unchanged,
	         (unsigned long long)sum->rows_overlap,
	         o->overlap == IMPORT_KEEP_LIVE ? "keep-live" : "keep-imported",
	         (unsigned long long)sum->series_new, (unsigned long long)sum->series_appended,
	         (unsigned long long)sum->series_rebuilt);
	if (sum->rows_written)
		store_event(r->st, util_wall_ms(), 0, "import", detail);
	if ((rc = close_store(r)) < 0 || !sum->rows_written)
		return rc; /* nothing written: the copy is dropped, the original never renamed */
	store_reader_close(r->rd);
	r->rd = NULL;
	long who;
	rc = store_stage_commit(r->sg, &who, r->err, r->errlen);
	if (rc == -EBUSY && who)
		snprintf(r->err, r->errlen,
		         "%s was opened by process %ld during the import: nothing "
		         "imported; stop it and import again",
		         o->dbpath, who);
	return rc;
}

static void run_free(struct run *r)
{
	if (r->st)
		store_close(r->st);
	store_reader_close(r->rd);
	store_stage_free(r->sg); /* deletes the copy unless it was committed */
	for (size_t i = 0; i < r->np; i++)
		if (r->plans[i].plan == PLAN_REBUILD)
			free(r->plans[i].rows);
	free(r->plans);
	for (size_t i = 0; i < r->tab.cap; i++)
		if (r->tab.slot[i]) {
			free(r->tab.slot[i]->rows);
			free(r->tab.slot[i]->key);
			free(r->tab.slot[i]->names);
			free(r->tab.slot[i]);
		}
	free(r->tab.slot);
	for (size_t i = 0; i < r->nwcols; i++)
		free((char *)r->wcols[i].unit);
	free(r->wcols);
	free(r);
}

int import_run(const struct import_opts *o, int fd, struct import_summary *sum, char *err,
               size_t errlen)
{
	struct run *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	memset(sum, 0, sizeof(*sum));
	r->o = o;
	r->sum = sum;
	r->err = err;
	r->errlen = errlen;
	err[0] = '\0';
	/* Timestamps without an offset are in o->tz. The import runs in the CLI before any
	 * thread exists, so it may make that the process zone (core/timeutil.h). */
	if (strcmp(time_zone_name(), o->tz && *o->tz ? o->tz : "UTC") != 0)
		time_zone_set(o->tz);

	bool rebuild;
	int rc = import_open(r);
	if (rc == 0)
		rc = run_records(r, fd);
	if (rc == 0)
		rc = flush_batch(r);
	if (rc == 0 && sum->rows_rejected) { /* nothing is written: say so */
		sum->rows_written = sum->hours_recomputed = sum->series_new = 0;
		rc = 1;
	}
	if (rc == 0)
		rc = plan_all(r, &rebuild);
	if (rc == 0 && o->dry_run)
		count_planned(r);
	else if (rc == 0)
		rc = import_write(r, rebuild);
	run_free(r);
	return rc;
}
