/* Pure helpers for the HTTP server: see http_util.h. */
#include "http/http_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool ends_with(const char *s, const char *suf, size_t *stem)
{
	size_t n = strlen(s), m = strlen(suf);
	if (n <= m || strcmp(s + n - m, suf) != 0)
		return false;
	*stem = n - m;
	return true;
}

bool http_prom_family(const char *metric, bool counter, char *name, size_t len, double *scale,
                      const char **type)
{
	char base[160];
	size_t stem;
	const char *unit = "";

	*scale = 1;
	*type = counter ? "counter" : "gauge";
	http_prom_label_name(metric, base, sizeof(base));
	if (ends_with(base, "_kwh", &stem)) {
		*scale = 3.6e6;
		unit = "_joules";
	} else if (ends_with(base, "_wh", &stem)) {
		*scale = 3600;
		unit = "_joules";
	} else if (ends_with(base, "_w", &stem)) {
		unit = "_watts";
	} else if (ends_with(base, "_kw", &stem)) {
		*scale = 1000;
		unit = "_watts";
	} else if (ends_with(base, "_c", &stem)) {
		unit = "_celsius";
	} else if (ends_with(base, "_s", &stem)) {
		unit = "_seconds";
	} else if (ends_with(base, "_ms", &stem)) {
		*scale = 0.001;
		unit = "_seconds";
	} else if (ends_with(base, "_pct", &stem)) {
		*scale = 0.01;
		unit = "_ratio";
	} else {
		stem = strlen(base);
	}
	base[stem] = '\0';
	/* The daemon's own series are already named greendc_...: no second prefix. */
	const char *prefix = strncmp(base, "greendc_", 8) == 0 ? "" : "greendc_";
	int n = snprintf(name, len, "%s%s%s%s", prefix, base, unit, counter ? "_total" : "");
	return n > 0 && (size_t)n < len;
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
