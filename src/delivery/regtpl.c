/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The regulator template (regtpl.h): parsed once into literal segments and placeholders,
 * then rendered per upload. The syntax is closed: a placeholder is one of the names below,
 * optionally with an argument after ':'; anything else is an error with its line when the
 * template is loaded (greendc check-config), never at upload time.
 */
#include "delivery/regtpl.h"

#include "config/config_yaml.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum ph {
	PH_TEXT,
	PH_SITE_CODE,
	PH_SITE_ID,
	PH_SITE_NAME,
	PH_UPLOAD_ID,
	PH_STATUS,
	PH_PERIOD_LABEL,
	PH_PERIOD_START,
	PH_PERIOD_END,
	PH_GENERATED,
	PH_CYCLE,
	PH_VALUE,
	PH_COMPLETENESS,
	PH_DIFFERENCE,
	PH_ALIGNED,
	PH_QUALITY_OK,
	PH_QUALITY,
	PH_CATEGORY,
	PH_CODE,
	PH_FIGURE,
	PH_COMMA,
	PH_EACH,
	PH_END,
};

/* Where a placeholder may stand and whether it takes an argument. */
enum { IN_OUT = 1, IN_EACH = 2, IN_BOTH = 3 };
enum { ARG_NO, ARG_OPT, ARG_YES };

static const struct phdef {
	const char *name;
	enum ph ph;
	int where, arg_out, arg_in;
} phdefs[] = {
        {"site_code", PH_SITE_CODE, IN_BOTH, ARG_NO, ARG_NO},
        {"site_id", PH_SITE_ID, IN_BOTH, ARG_NO, ARG_NO},
        {"site_name", PH_SITE_NAME, IN_BOTH, ARG_NO, ARG_NO},
        {"upload_id", PH_UPLOAD_ID, IN_BOTH, ARG_NO, ARG_NO},
        {"status", PH_STATUS, IN_BOTH, ARG_OPT, ARG_NO},
        {"period_label", PH_PERIOD_LABEL, IN_BOTH, ARG_NO, ARG_NO},
        {"period_start", PH_PERIOD_START, IN_BOTH, ARG_OPT, ARG_OPT},
        {"period_end", PH_PERIOD_END, IN_BOTH, ARG_OPT, ARG_OPT},
        {"generated", PH_GENERATED, IN_BOTH, ARG_OPT, ARG_OPT},
        {"cycle", PH_CYCLE, IN_BOTH, ARG_OPT, ARG_OPT},
        {"value", PH_VALUE, IN_BOTH, ARG_YES, ARG_NO},
        {"completeness", PH_COMPLETENESS, IN_BOTH, ARG_NO, ARG_NO},
        {"difference", PH_DIFFERENCE, IN_BOTH, ARG_NO, ARG_NO},
        {"aligned", PH_ALIGNED, IN_BOTH, ARG_NO, ARG_NO},
        {"quality_ok", PH_QUALITY_OK, IN_BOTH, ARG_NO, ARG_NO},
        {"quality", PH_QUALITY, IN_BOTH, ARG_NO, ARG_NO},
        {"category", PH_CATEGORY, IN_BOTH, ARG_NO, ARG_NO},
        {"code", PH_CODE, IN_EACH, ARG_NO, ARG_NO},
        {"figure", PH_FIGURE, IN_EACH, ARG_NO, ARG_NO},
        {"comma", PH_COMMA, IN_EACH, ARG_NO, ARG_NO},
};

struct seg {
	enum ph ph;
	const char *text; /* PH_TEXT: into the template's copy; else the argument or NULL */
	size_t len;
	int line;
};

struct regtpl {
	char *buf; /* the text, with each placeholder's argument NUL-terminated in place */
	struct seg *seg;
	size_t n;
};

void regtpl_free(struct regtpl *t)
{
	if (!t)
		return;
	free(t->buf);
	free(t->seg);
	free(t);
}

static int add_seg(struct regtpl *t, size_t *cap, struct seg s)
{
	if (t->n == *cap) {
		size_t c = *cap ? *cap * 2 : 32;
		struct seg *p = realloc(t->seg, c * sizeof(*p));
		if (!p)
			return -ENOMEM;
		t->seg = p;
		*cap = c;
	}
	t->seg[t->n++] = s;
	return 0;
}

static int line_at(const char *start, const char *p)
{
	int l = 1;
	for (; start < p; start++)
		l += *start == '\n';
	return l;
}

/* One "{{...}}" (content in [a, b), NUL-terminable in place). 0 or -EINVAL with err. */
static int parse_ph(char *a, char *b, bool in_each, struct seg *s, char *err, size_t errlen)
{
	while (a < b && (*a == ' ' || *a == '\t'))
		a++;
	while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
		b--;
	*b = '\0';
	if (strcmp(a, "#each items") == 0 || strcmp(a, "/each") == 0) {
		bool open = a[0] == '#';
		if (open == in_each) {
			snprintf(err, errlen, "line %d: {{%s}} %s", s->line, a,
			         open ? "inside another {{#each items}}"
			              : "without {{#each items}}");
			return -EINVAL;
		}
		s->ph = open ? PH_EACH : PH_END;
		return 0;
	}
	char *colon = strchr(a, ':');
	if (colon)
		*colon = '\0';
	const struct phdef *d = NULL;
	for (size_t i = 0; i < sizeof(phdefs) / sizeof(phdefs[0]); i++)
		if (strcmp(a, phdefs[i].name) == 0)
			d = &phdefs[i];
	if (!d) {
		snprintf(err, errlen, "line %d: unknown placeholder {{%.60s}}", s->line, a);
		return -EINVAL;
	}
	if (!(d->where & (in_each ? IN_EACH : IN_OUT))) {
		snprintf(err, errlen, "line %d: {{%s}} only inside {{#each items}}", s->line, a);
		return -EINVAL;
	}
	int arg = in_each ? d->arg_in : d->arg_out;
	if ((colon && arg == ARG_NO) || (!colon && arg == ARG_YES) || (colon && !colon[1])) {
		snprintf(err, errlen, "line %d: {{%s%s}}: %s", s->line, a, colon ? ":..." : "",
		         arg == ARG_YES ? "needs an argument (an energy-type code)"
		                        : "takes no argument here");
		return -EINVAL;
	}
	s->ph = d->ph;
	s->text = colon ? colon + 1 : NULL;
	return 0;
}

struct regtpl *regtpl_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct regtpl *t = calloc(1, sizeof(*t));
	size_t cap = 0;
	if (!t || !(t->buf = malloc(len + 1))) {
		free(t);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	memcpy(t->buf, text, len);
	t->buf[len] = '\0';
	if (strlen(t->buf) != len) {
		snprintf(err, errlen, "line %d: a NUL byte",
		         line_at(t->buf, t->buf + strlen(t->buf)));
		regtpl_free(t);
		return NULL;
	}
	char *p = t->buf, *end = t->buf + len;
	bool in_each = false;
	int each_line = 0;
	while (p < end) {
		char *o = strstr(p, "{{");
		char *lit_end = o ? o : end;
		if (lit_end > p &&
		    add_seg(t, &cap, (struct seg){PH_TEXT, p, (size_t)(lit_end - p), 0}) < 0)
			goto oom;
		if (!o)
			break;
		char *c = strstr(o + 2, "}}");
		struct seg s = {.line = line_at(t->buf, o)};
		if (!c || memchr(o + 2, '\n', (size_t)(c - o - 2))) {
			snprintf(err, errlen, "line %d: \"{{\" without \"}}\" on the same line",
			         s.line);
			goto fail;
		}
		if (parse_ph(o + 2, c, in_each, &s, err, errlen) < 0)
			goto fail;
		if (s.ph == PH_EACH) {
			in_each = true;
			each_line = s.line;
		} else if (s.ph == PH_END) {
			in_each = false;
		}
		if (add_seg(t, &cap, s) < 0)
			goto oom;
		p = c + 2;
	}
	if (in_each) {
		snprintf(err, errlen, "line %d: {{#each items}} without {{/each}}", each_line);
		goto fail;
	}
	return t;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	regtpl_free(t);
	return NULL;
}

/* ---- rendering ---- */

static void put_json_str(struct sbuf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\') {
			char e[2] = {'\\', (char)*p};
			sbuf_add(b, e, 2);
		} else if (*p == '\n') {
			sbuf_puts(b, "\\n");
		} else if (*p == '\t') {
			sbuf_puts(b, "\\t");
		} else if (*p == '\r') {
			sbuf_puts(b, "\\r");
		} else if (*p < 0x20 || *p == 0x7f) {
			sbuf_printf(b, "\\u%04x", *p);
		} else {
			sbuf_add(b, (const char *)p, 1);
		}
	}
}

/* A finite number in the shortest form that reads back exactly, or with `decimals`
 * digits; null otherwise. */
static void put_num(struct sbuf *b, double v, int decimals)
{
	if (!isfinite(v)) {
		sbuf_puts(b, "null");
		return;
	}
	char t[64];
	if (decimals >= 0) {
		snprintf(t, sizeof(t), "%.*f", decimals > 12 ? 12 : decimals, v);
	} else {
		snprintf(t, sizeof(t), "%.15g", v);
		if (strtod(t, NULL) != v)
			snprintf(t, sizeof(t), "%.17g", v);
	}
	sbuf_puts(b, t);
}

/* Site time: ISO 8601 with its offset ("2026-10-05T13:00:00+08:00"), or a strftime format. */
static void put_time(struct sbuf *b, int64_t ms, const char *fmt)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	char t[256];
	localtime_r(&s, &tm);
	if (fmt) {
		if (strftime(t, sizeof(t), fmt, &tm) == 0)
			t[0] = '\0';
	} else {
		long off = tm.tm_gmtoff / 60;
		char sign = off < 0 ? '-' : '+';
		off = off < 0 ? -off : off;
		snprintf(t, sizeof(t), "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
		         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		         tm.tm_sec, sign, off / 60, off % 60);
	}
	put_json_str(b, t);
}

/* "15m=1,1d=2,1mo=3": the entry for cycle c into out. false when absent. */
static bool cycle_map(const char *map, enum reg_cycle c, char *out, size_t len)
{
	const char *name = reg_cycle_name(c);
	size_t nl = strlen(name);
	for (const char *p = map; p && *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
			snprintf(out, len, "%.*s", (int)(l - nl - 1), p + nl + 1);
			return true;
		}
		p = e ? e + 1 : NULL;
	}
	return false;
}

static int item_of(const struct reg_target *t, const char *code)
{
	for (size_t i = 0; i < t->nitems; i++)
		if (strcmp(t->items[i].code, code) == 0)
			return (int)i;
	return -1;
}

static void put_quality(struct sbuf *b, const struct regtpl_values *v)
{
	const struct reg_quality *q = v->q;
	sbuf_puts(b, "{\"ok\":");
	sbuf_puts(b, q->ok ? "true" : "false");
	sbuf_puts(b, ",\"completeness\":");
	put_num(b, q->completeness, -1);
	sbuf_printf(b, ",\"slots\":%d,\"slots_with_data\":%d,\"completeness_min\":", q->slots,
	            q->slots_ok);
	put_num(b, v->t->completeness_min, -1);
	sbuf_puts(b, ",\"difference\":");
	put_num(b, q->have_difference ? q->difference : NAN, -1);
	sbuf_puts(b, ",\"difference_max\":");
	put_num(b, v->t->difference_max, -1);
	sbuf_printf(b, ",\"aligned\":%s}", q->aligned ? "true" : "false");
}

/* One placeholder; item >= 0 inside {{#each}}. */
static int render_ph(const struct seg *s, const struct regtpl_values *v, int item, bool last,
                     struct sbuf *b, char *err, size_t errlen)
{
	const struct reg_target *t = v->t;
	char tmp[128];
	int k = item;
	switch (s->ph) {
	case PH_SITE_CODE:
		put_json_str(b, t->site_code);
		break;
	case PH_SITE_ID:
		put_json_str(b, v->site_id);
		break;
	case PH_SITE_NAME:
		put_json_str(b, v->site_name);
		break;
	case PH_UPLOAD_ID:
		put_json_str(b, v->upload_id);
		break;
	case PH_PERIOD_LABEL:
		put_json_str(b, v->period_label);
		break;
	case PH_PERIOD_START:
		put_time(b, v->from_ms, s->text);
		break;
	case PH_PERIOD_END:
		put_time(b, v->to_ms, s->text);
		break;
	case PH_GENERATED:
		put_time(b, v->generated_ms, s->text);
		break;
	case PH_CYCLE:
		if (!s->text) {
			put_json_str(b, reg_cycle_name(v->cycle));
		} else if (cycle_map(s->text, v->cycle, tmp, sizeof(tmp))) {
			put_json_str(b, tmp);
		} else {
			snprintf(err, errlen, "line %d: {{cycle:%s}} has no code for %s", s->line,
			         s->text, reg_cycle_name(v->cycle));
			return -ENOENT;
		}
		break;
	case PH_STATUS:
	case PH_VALUE:
		if (item < 0 && s->text)
			k = item_of(t, s->text);
		if (k < 0 && (s->ph == PH_VALUE || s->text)) {
			snprintf(err, errlen,
			         "line %d: energy-type code \"%s\" is not in energy_types", s->line,
			         s->text ? s->text : "");
			return -ENOENT;
		}
		if (s->ph == PH_VALUE)
			put_num(b, v->value[k], t->items[k].decimals);
		else
			put_json_str(b, k >= 0 ? v->istatus[k] : v->status);
		break;
	case PH_COMPLETENESS:
		put_num(b, v->q->completeness, -1);
		break;
	case PH_DIFFERENCE:
		put_num(b, v->q->have_difference ? v->q->difference : NAN, -1);
		break;
	case PH_ALIGNED:
		sbuf_puts(b, v->q->aligned ? "true" : "false");
		break;
	case PH_QUALITY_OK:
		sbuf_puts(b, v->q->ok ? "true" : "false");
		break;
	case PH_QUALITY:
		put_quality(b, v);
		break;
	case PH_CATEGORY:
		sbuf_printf(b, "%d", v->category);
		break;
	case PH_CODE:
		put_json_str(b, t->items[item].code);
		break;
	case PH_FIGURE:
		put_json_str(b, reg_figure_name(t->items[item].figure));
		break;
	case PH_COMMA:
		if (!last)
			sbuf_puts(b, ",");
		break;
	case PH_TEXT:
	case PH_EACH:
	case PH_END:
		break;
	}
	return 0;
}

int regtpl_render(const struct regtpl *tpl, const struct regtpl_values *v, struct sbuf *b,
                  char *err, size_t errlen)
{
	for (size_t i = 0; i < tpl->n; i++) {
		const struct seg *s = &tpl->seg[i];
		if (s->ph == PH_TEXT) {
			sbuf_add(b, s->text, s->len);
			continue;
		}
		if (s->ph != PH_EACH) {
			int rc = render_ph(s, v, -1, false, b, err, errlen);
			if (rc < 0)
				return rc;
			continue;
		}
		size_t j = i + 1;
		while (tpl->seg[j].ph != PH_END) /* the parser checked it is there */
			j++;
		for (size_t k = 0; k < v->t->nitems; k++)
			for (size_t m = i + 1; m < j; m++) {
				const struct seg *x = &tpl->seg[m];
				if (x->ph == PH_TEXT) {
					sbuf_add(b, x->text, x->len);
					continue;
				}
				int rc = render_ph(x, v, (int)k, k + 1 == v->t->nitems, b, err,
				                   errlen);
				if (rc < 0)
					return rc;
			}
		i = j;
	}
	return b->oom ? -ENOMEM : 0;
}

struct regtpl *regtpl_load(const char *path, const struct reg_target *t, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	char *text = malloc(REGTPL_MAX_FILE + 1);
	size_t len = text ? fread(text, 1, REGTPL_MAX_FILE + 1, f) : 0;
	fclose(f);
	if (!text || len > REGTPL_MAX_FILE || !config_utf8_ok(text, len)) {
		snprintf(err, errlen, "%s: %s", path,
		         !text                   ? "out of memory"
		         : len > REGTPL_MAX_FILE ? "larger than 256 KiB"
		                                 : "not UTF-8 text");
		free(text);
		return NULL;
	}
	char why[200];
	struct regtpl *tpl = regtpl_parse(text, len, why, sizeof(why));
	free(text);
	if (!tpl) {
		snprintf(err, errlen, "%s: %s", path, why);
		return NULL;
	}
	/* Render every cycle with sample figures: unknown codes, a cycle map without one of the
	 * target's cycles, and a body that is not JSON show now, not at the first upload. */
	double vals[64];
	const char *st[64];
	for (size_t i = 0; i < 64; i++) {
		vals[i] = i % 2 ? NAN : 1234.5;
		st[i] = "OK";
	}
	struct reg_quality q = {
	        .completeness = 1, .slots = 96, .slots_ok = 96, .aligned = true, .ok = true};
	for (int c = REG_15MIN; c <= REG_MONTH; c <<= 1) {
		if (!(t->cycles & (unsigned)c))
			continue;
		struct regtpl_values v = {.t = t,
		                          .site_id = "site",
		                          .site_name = "Site \"1\"",
		                          .upload_id = "site:reg:x:15m:2026-10-05T13:00",
		                          .period_label = "2026-10-05",
		                          .cycle = (enum reg_cycle)c,
		                          .from_ms = 1790000000000,
		                          .to_ms = 1790000900000,
		                          .generated_ms = 1790000960000,
		                          .status = "OK",
		                          .category = 2,
		                          .q = &q,
		                          .value = vals,
		                          .istatus = st};
		struct sbuf b = {0};
		int rc = t->nitems <= 64 ? regtpl_render(tpl, &v, &b, why, sizeof(why)) : 0;
		cJSON *j = rc == 0 ? cJSON_ParseWithLength(b.s ? b.s : "", b.len) : NULL;
		if (rc < 0 || !j) {
			snprintf(err, errlen, "%s: %s", path,
			         rc < 0 ? why : "renders as something that is not JSON");
			sbuf_free(&b);
			regtpl_free(tpl);
			return NULL;
		}
		cJSON_Delete(j);
		sbuf_free(&b);
	}
	return tpl;
}
