/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The receiver's request checks (check.h): headers before the body, the body after the
 * signature. Pure functions over their arguments.
 */
#include "check.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char rx_summary_schema_json[];
extern const char rx_alert_schema_json[];
extern const char rx_report_v1_schema_json[];

/* Beyond any energy, power or count a data centre reports: a number this large is an
 * attack or a fault (the issue's `pue: 1e308`), refused wherever it appears in a body. */
#define RX_NUM_LIMIT 1e15

bool rx_site_id_ok(const char *s)
{
	size_t n = 0;
	if (!s)
		return false;
	for (; s[n]; n++) {
		char c = s[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return n >= 1 && n <= RX_SITE_MAX && s[0] != '.' && s[0] != '-';
}

static bool id_ok(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if ((unsigned char)s[n] <= 0x20 || (unsigned char)s[n] >= 0x7f)
			return false;
	return n >= 1 && n <= RX_ID_MAX;
}

/* Plain decimal digits only (no sign, no blanks, no leading zeros but "0"), at most 15. */
static bool digits(const char *s, long long *out)
{
	size_t n = strlen(s);
	if (n == 0 || n > 15 || (n > 1 && s[0] == '0'))
		return false;
	long long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* "v1,<base64>" or "v1a,<base64>" entries separated by single spaces, nothing else. */
static bool sig_header_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 4 || n > 1024)
		return false;
	const char *p = s;
	while (*p) {
		if (strncmp(p, "v1,", 3) == 0)
			p += 3;
		else if (strncmp(p, "v1a,", 4) == 0)
			p += 4;
		else
			return false;
		const char *b = p;
		while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		       (*p >= '0' && *p <= '9') || *p == '+' || *p == '/' || *p == '=')
			p++;
		if (p == b)
			return false;
		if (*p == ' ' && p[1])
			p++;
		else if (*p)
			return false;
	}
	return true;
}

void rx_check_headers(const struct rx_headers *h, const struct rx_policy *p, struct rx_verdict *v)
{
	long long ts, cl;
	*v = (struct rx_verdict){0, "ok", 0};
	if (h->site ? !rx_site_id_ok(h->site) : !p->default_allowed) {
		*v = (struct rx_verdict){401, h->site ? "bad-site" : "no-site", 0};
		return;
	}
	if (!h->id || !h->ts || !h->sig || !id_ok(h->id) || !digits(h->ts, &ts) ||
	    !sig_header_ok(h->sig) ||
	    (h->report_sig &&
	     (strncmp(h->report_sig, "ed25519=", 8) != 0 || strlen(h->report_sig) > 200))) {
		*v = (struct rx_verdict){400, "bad-headers", 0};
		return;
	}
	if (ts < p->now_s - p->tolerance_s || ts > p->now_s + p->tolerance_s) {
		*v = (struct rx_verdict){400, "stale-timestamp", 0};
		return;
	}
	if (h->transfer_encoding || !h->content_length) {
		*v = (struct rx_verdict){411, "no-length", 0};
		return;
	}
	if (!digits(h->content_length, &cl)) {
		*v = (struct rx_verdict){400, "bad-length", 0};
		return;
	}
	if (cl == 0) {
		*v = (struct rx_verdict){422, "empty-body", 0};
		return;
	}
	if ((unsigned long long)cl > p->max_body) {
		*v = (struct rx_verdict){413, "too-large", 0};
		return;
	}
	v->content_length = (size_t)cl;
}

/* One pass over the raw bytes: no NUL byte, valid UTF-8 (shortest forms, no surrogates),
 * and no "\u0000" escape inside a string (cJSON would cut the string there). */
static const char *scan_bytes(const unsigned char *s, size_t n)
{
	bool in_str = false;
	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i];
		if (c == 0)
			return "NUL byte in the body";
		if (c >= 0x80) {
			size_t k = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 ? 1 : 0;
			if (k == 0 || c > 0xf4 || i + k >= n)
				return "invalid UTF-8";
			unsigned cp = c & (0x3f >> k);
			for (size_t j = 1; j <= k; j++) {
				if ((s[i + j] & 0xc0) != 0x80)
					return "invalid UTF-8";
				cp = (cp << 6) | (s[i + j] & 0x3f);
			}
			if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
			    (cp >= 0xd800 && cp <= 0xdfff))
				return "invalid UTF-8";
			i += k;
			continue;
		}
		if (c == '"') {
			in_str = !in_str;
		} else if (in_str && c == '\\' && i + 1 < n) {
			if (s[i + 1] == 'u' && i + 5 < n && memcmp(s + i + 2, "0000", 4) == 0)
				return "\\u0000 in a string";
			i++; /* the escaped character, whatever it is */
		}
	}
	return NULL;
}

/* Every number finite and within RX_NUM_LIMIT, anywhere in the document. */
static const char *scan_numbers(const cJSON *j, int depth)
{
	if (depth > 64)
		return "nested too deeply";
	for (const cJSON *c = j; c; c = c->next) {
		if (cJSON_IsNumber(c) &&
		    (!isfinite(c->valuedouble) || fabs(c->valuedouble) > RX_NUM_LIMIT))
			return "a number out of range";
		if (c->child) {
			const char *w = scan_numbers(c->child, depth + 1);
			if (w)
				return w;
		}
	}
	return NULL;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double jnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* The figures the league table shows, from a report that passed its schema. */
static void report_facts(const cJSON *j, struct rx_doc *d)
{
	const cJSON *kpi = cJSON_GetObjectItemCaseSensitive(j, "kpi");
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(j, "energy");
	const cJSON *gb = cJSON_GetObjectItemCaseSensitive(j, "gb40879");
	const cJSON *per = cJSON_GetObjectItemCaseSensitive(j, "period");
	d->is_report = true;
	snprintf(d->kind, sizeof(d->kind), "%s", jstr(j, "kind"));
	snprintf(d->period, sizeof(d->period), "%s", jstr(per, "label"));
	d->pue = jnum(kpi, "pue");
	d->coverage = jnum(j, "coverage");
	d->category = (int)jnum(en, "category");
	d->complete = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "complete"));
	/* The schema bounds both grades to 0..3, so the conversion is exact. */
	double g = jnum(gb, "grade");
	if (isnan(g))
		g = jnum(gb, "indicative_grade");
	d->grade = isnan(g) ? -1 : (int)g;
	const char *l = jstr(kpi, "pue_label");
	snprintf(d->pue_label, sizeof(d->pue_label), "%s", l ? l : "");
}

/* A report is validated against the schema its "schema" field names: greendc.report/1 from
 * sites still on the old format, else the current one (which requires greendc.report/2). */
static const struct schema *report_schema(const struct rx_schemas *sc, const cJSON *j)
{
	const char *v = jstr(j, "schema");
	return v && strcmp(v, "greendc.report/1") == 0 ? sc->report_v1 : sc->report;
}

int rx_check_body(const struct rx_schemas *sc, const char *body, size_t len, const char *site_hdr,
                  struct rx_doc *out, char *why, size_t whylen)
{
	memset(out, 0, sizeof(*out));
	out->pue = out->coverage = NAN;
	out->grade = -1;
	const char *w = len ? scan_bytes((const unsigned char *)body, len) : "empty body";
	if (w) {
		snprintf(why, whylen, "%s", w);
		return -EBADMSG;
	}
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(body, len, &end, false);
	if (!j) {
		snprintf(why, whylen, "not JSON");
		return -EBADMSG;
	}
	int rc = -EBADMSG;
	while (end && (size_t)(end - body) < len && strchr(" \t\r\n", *end))
		end++;
	const char *type = jstr(j, "type");
	const struct schema *s = NULL;
	if (!end || (size_t)(end - body) != len)
		snprintf(why, whylen, "text after the JSON value");
	else if (!cJSON_IsObject(j))
		snprintf(why, whylen, "not a JSON object");
	else if ((w = scan_numbers(j, 0)))
		snprintf(why, whylen, "%s", w);
	else if (!type)
		snprintf(why, whylen, "no \"type\"");
	else if (!(s = strcmp(type, "report") == 0    ? report_schema(sc, j)
	               : strcmp(type, "summary") == 0 ? sc->summary
	               : strcmp(type, "alert") == 0   ? sc->alert
	                                              : NULL))
		snprintf(why, whylen, "unknown type");
	else if (schema_validate(s, j, why, whylen) == 0) {
		const char *site = jstr(cJSON_GetObjectItemCaseSensitive(j, "site"), "id");
		const char *name = jstr(cJSON_GetObjectItemCaseSensitive(j, "site"), "name");
		if (!rx_site_id_ok(site))
			snprintf(why, whylen, "site.id is not a valid site id");
		else if (site_hdr && strcmp(site, site_hdr) != 0)
			snprintf(why, whylen, "site.id differs from the greendc-site header");
		else if (strlen(name) > RX_NAME_MAX)
			snprintf(why, whylen, "site.name longer than %d bytes", RX_NAME_MAX);
		else {
			snprintf(out->type, sizeof(out->type), "%s", type);
			snprintf(out->site, sizeof(out->site), "%s", site);
			snprintf(out->site_name, sizeof(out->site_name), "%s", name);
			if (strcmp(type, "report") == 0)
				report_facts(j, out);
			rc = 0;
		}
	}
	cJSON_Delete(j);
	return rc;
}

int rx_schemas_load(struct rx_schemas *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->report = schema_load(rx_report_schema_json, err, errlen);
	s->summary = s->report ? schema_load(rx_summary_schema_json, err, errlen) : NULL;
	s->alert = s->summary ? schema_load(rx_alert_schema_json, err, errlen) : NULL;
	s->report_v1 = s->alert ? schema_load(rx_report_v1_schema_json, err, errlen) : NULL;
	if (!s->report_v1) {
		rx_schemas_free(s);
		return -EINVAL;
	}
	return 0;
}

void rx_schemas_free(struct rx_schemas *s)
{
	schema_free(s->report);
	schema_free(s->summary);
	schema_free(s->alert);
	schema_free(s->report_v1);
	memset(s, 0, sizeof(*s));
}
