/* Pure helpers for the HTTP server: see http_util.h. */
#include "http/http_util.h"

#include "analytics/freecool.h"
#include "core/metrics.h"
#include "core/sha256.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool ends_with(const char *s, const char *suf, size_t *stem)
{
	size_t n = strlen(s), m = strlen(suf);
	if (n <= m || strcmp(s + n - m, suf) != 0)
		return false;
	*stem = n - m;
	return true;
}

/* The unit suffixes of the registry (docs/metrics.md) and the Prometheus base unit each
 * becomes (DOMAIN.md section 8): every suffix starts with '_', so none is the tail of
 * another ("_kwh" never matches "_wh"). */
static const struct prom_unit {
	const char *suffix, *base;
	double scale;
} prom_units[] = {
        {"_kwh", "_joules", 3.6e6},
        {"_wh", "_joules", 3600},
        {"_w", "_watts", 1},
        {"_kw", "_watts", 1000},
        {"_va", "_volt_amperes", 1},
        {"_var", "_volt_amperes_reactive", 1},
        {"_a", "_amperes", 1},
        {"_v", "_volts", 1},
        {"_hz", "_hertz", 1},
        {"_c", "_celsius", 1},
        {"_pa", "_pascals", 1},
        {"_m3", "_cubic_meters", 1},
        {"_m3h", "_cubic_meters_per_second", 1.0 / 3600},
        {"_l", "_cubic_meters", 0.001},
        {"_s", "_seconds", 1},
        {"_ms", "_seconds", 0.001},
        {"_pct", "_ratio", 0.01},
};

bool http_prom_family(const char *metric, bool counter, char *name, size_t len, double *scale,
                      const char **type)
{
	char base[160];
	size_t stem = 0;
	const char *unit = "";

	*scale = 1;
	*type = counter ? "counter" : "gauge";
	http_prom_label_name(metric, base, sizeof(base));
	size_t i;
	for (i = 0; i < sizeof(prom_units) / sizeof(prom_units[0]); i++)
		if (ends_with(base, prom_units[i].suffix, &stem))
			break;
	if (i < sizeof(prom_units) / sizeof(prom_units[0])) {
		*scale = prom_units[i].scale;
		unit = prom_units[i].base;
	} else {
		stem = strlen(base);
	}
	base[stem] = '\0';
	/* The daemon's own series are already named greendc_...: no second prefix. */
	const char *prefix = strncmp(base, "greendc_", 8) == 0 ? "" : "greendc_";
	int n = snprintf(name, len, "%s%s%s%s", prefix, base, unit, counter ? "_total" : "");
	return n > 0 && (size_t)n < len;
}

size_t http_prom_nstates(const char *metric)
{
	/* cooling_mode holds enum fc_mode (0 mechanical, 1 partial, 2 free: docs/metrics.md). */
	return strcmp(metric, "cooling_mode") == 0 ? 3 : 0;
}

const char *http_prom_state(const char *metric, size_t i)
{
	if (i >= http_prom_nstates(metric))
		return NULL;
	return freecool_mode_name((enum fc_mode)i);
}

/* HELP text escaping (text format 0.0.4): backslash and newline only. */
static void help_add(struct sbuf *b, const char *s)
{
	for (const char *p = s; *p; p++) {
		if (*p == '\\')
			sbuf_add(b, "\\\\", 2);
		else if (*p == '\n')
			sbuf_add(b, "\\n", 2);
		else
			sbuf_add(b, p, 1);
	}
}

void http_prom_help(const char *metric, bool counter, struct sbuf *b)
{
	const struct metric_def *m = metric_lookup(metric);
	size_t nst = http_prom_nstates(metric);
	if (nst) {
		sbuf_puts(b, "A state set: 1 for the current state, 0 for the others (");
		for (size_t i = 0; i < nst; i++)
			sbuf_printf(b, "%s%s", i ? ", " : "", http_prom_state(metric, i));
		sbuf_puts(b, "). ");
	}
	if (!m) {
		sbuf_puts(b, "Stored as ");
		help_add(b, metric);
		sbuf_puts(b, counter ? " (a counter, unwrapped and reset-corrected)." : ".");
		return;
	}
	/* The registry's meaning, capitalised ("Active (real) power."), then where it is from. */
	char first = m->help[0] >= 'a' && m->help[0] <= 'z' ? (char)(m->help[0] - 'a' + 'A')
	                                                    : m->help[0];
	sbuf_add(b, &first, 1);
	help_add(b, m->help + 1);
	sbuf_puts(b, counter ? ", unwrapped and reset-corrected." : ".");
	sbuf_printf(b, " Stored as %s", m->name);
	if (strcmp(m->unit, "1") != 0 && strcmp(m->unit, "enum") != 0)
		sbuf_printf(b, " in %s", m->unit);
	sbuf_puts(b, ".");
}

void http_prom_escape(struct sbuf *b, const char *v)
{
	for (const char *p = v; *p; p++) {
		if (*p == '\\')
			sbuf_add(b, "\\\\", 2);
		else if (*p == '"')
			sbuf_add(b, "\\\"", 2);
		else if (*p == '\n')
			sbuf_add(b, "\\n", 2);
		else
			sbuf_add(b, p, 1);
	}
}

void http_prom_label_name(const char *in, char *out, size_t len)
{
	size_t o = 0;
	if (!len)
		return;
	for (const char *p = in; *p && o + 1 < len; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		          (o > 0 && c >= '0' && c <= '9');
		if (o == 0 && c >= '0' && c <= '9' && o + 2 < len)
			out[o++] = '_';
		out[o++] = ok || (c >= '0' && c <= '9') ? c : '_';
	}
	if (o == 0 && len > 1)
		out[o++] = '_';
	out[o] = '\0';
}

bool http_path_safe(const char *path)
{
	if (!path || path[0] != '/')
		return false;
	for (const char *p = path; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			return false;
	const char *seg = path + 1;
	for (;;) {
		const char *end = strchr(seg, '/');
		size_t n = end ? (size_t)(end - seg) : strlen(seg);
		if (n == 0 && end) /* "//" */
			return false;
		if (n > 0 && seg[0] == '.') /* ".", "..", hidden files */
			return false;
		if (!end)
			return true;
		seg = end + 1;
	}
}

int64_t http_query_step(int64_t from_ms, int64_t to_ms, int64_t step_ms, unsigned width)
{
	int64_t range = to_ms - from_ms, step = step_ms > 0 ? step_ms : 1000;
	if (width == 0)
		width = 1;
	int64_t need = (range + (int64_t)width - 1) / (int64_t)width;
	if (need > step)
		step = need;
	if (step > 1200000) /* over 20 min: whole hours, so the 1-hour rollups serve it */
		step = (step + 3599999) / 3600000 * 3600000;
	else if (step > 60000)
		step = (step + 59999) / 60000 * 60000;
	else
		step = (step + 999) / 1000 * 1000;
	return step;
}

const char *http_bearer_token(const char *auth)
{
	if (!auth || strncasecmp(auth, "Bearer", 6) != 0 || auth[6] != ' ')
		return NULL;
	const char *t = auth + 6;
	while (*t == ' ')
		t++;
	return *t ? t : NULL;
}

int http_token_hash_parse(const char *text, uint8_t out[32], char *why, size_t whylen)
{
	/* SHA-256 of the empty string. */
	static const char empty[] =
	        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	char buf[80];
	while (*text == ' ' || *text == '\t')
		text++;
	size_t n = strcspn(text, " \t\r\n");
	if (n != 64 || text[n + strspn(text + n, " \t\r\n")] != '\0') {
		snprintf(why, whylen, "expected the token's SHA-256 as 64 hex digits");
		return -EINVAL;
	}
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (!sha256_parse_hex(buf, out)) {
		snprintf(why, whylen, "expected the token's SHA-256 as 64 hex digits");
		return -EINVAL;
	}
	if (strcasecmp(buf, empty) == 0) {
		snprintf(why, whylen,
		         "is the SHA-256 of the empty string (was the token variable unset?); "
		         "an empty bearer token would be let in");
		return -EINVAL;
	}
	return 0;
}

/* One budget: a new minute starts the count again and remembers what the last one lost. */
static bool admit_one(unsigned *count, unsigned *dropped, unsigned *dropped_before,
                      int64_t *window_ms, int64_t now_ms, unsigned *out_dropped)
{
	if (now_ms - *window_ms >= 60000) {
		*window_ms = now_ms;
		*dropped_before = *dropped;
		*dropped = 0;
		*count = 0;
	}
	if (*count >= HTTP_AUDIT_PER_IP) {
		(*dropped)++;
		return false;
	}
	/* The first record of a minute tells what the previous minute left out. */
	*out_dropped = *count == 0 ? *dropped_before : 0;
	(*count)++;
	return true;
}

bool http_audit_admit(struct http_audit_limit *l, const char *ip, int64_t now_ms, unsigned *dropped)
{
	size_t slot = HTTP_AUDIT_IPS, stale = HTTP_AUDIT_IPS;
	*dropped = 0;
	for (size_t i = 0; i < HTTP_AUDIT_IPS; i++) {
		if (strcmp(l->e[i].ip, ip) == 0) {
			slot = i;
			break;
		}
		/* A free entry, or one whose address has been quiet for two minutes. */
		if (stale == HTTP_AUDIT_IPS &&
		    (!l->e[i].ip[0] || (now_ms - l->e[i].window_ms >= 120000)))
			stale = i;
	}
	if (slot == HTTP_AUDIT_IPS && stale != HTTP_AUDIT_IPS) {
		slot = stale;
		memset(&l->e[slot], 0, sizeof(l->e[slot]));
		snprintf(l->e[slot].ip, sizeof(l->e[slot].ip), "%s", ip);
		l->e[slot].window_ms = now_ms;
	}
	if (slot == HTTP_AUDIT_IPS)
		return admit_one(&l->others.count, &l->others.dropped, &l->others.dropped_before,
		                 &l->others.window_ms, now_ms, dropped);
	return admit_one(&l->e[slot].count, &l->e[slot].dropped, &l->e[slot].dropped_before,
	                 &l->e[slot].window_ms, now_ms, dropped);
}
