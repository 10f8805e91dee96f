/* SPDX-License-Identifier: Apache-2.0 */
/* Stored series as Prometheus data: see prom.h. */
#include "analytics/prom.h"

#include "analytics/freecool.h"
#include "core/labels.h"
#include "core/metrics.h"

#include <stdio.h>
#include <string.h>

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

bool prom_family(const char *metric, bool counter, char *name, size_t len, double *scale,
                 const char **type)
{
	char base[160];
	size_t stem = 0;
	const char *unit = "";

	*scale = 1;
	*type = counter ? "counter" : "gauge";
	prom_label_name(metric, base, sizeof(base));
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

size_t prom_nstates(const char *metric)
{
	/* cooling_mode holds enum fc_mode (0 mechanical, 1 partial, 2 free: docs/metrics.md). */
	return strcmp(metric, "cooling_mode") == 0 ? 3 : 0;
}

const char *prom_state(const char *metric, size_t i)
{
	if (i >= prom_nstates(metric))
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

void prom_help(const char *metric, bool counter, struct sbuf *b)
{
	const struct metric_def *m = metric_lookup(metric);
	size_t nst = prom_nstates(metric);
	if (nst) {
		sbuf_puts(b, "A state set: 1 for the current state, 0 for the others (");
		for (size_t i = 0; i < nst; i++)
			sbuf_printf(b, "%s%s", i ? ", " : "", prom_state(metric, i));
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

void prom_escape(struct sbuf *b, const char *v)
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

void prom_label_name(const char *in, char *out, size_t len)
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

int prom_pue_category(const struct energy_model *m, const int nseries[ROLE_COUNT],
                      enum energy_role *it)
{
	int category = 0;
	*it = energy_it_role(nseries, &category);
	if (!m || !m->present || energy_model_problem(m))
		return 0;
	return category;
}

struct lab_ctx {
	void (*cb)(void *ctx, const char *name, const char *value);
	void *ctx;
};

static void series_label(void *ctx, const char *k, const char *v)
{
	struct lab_ctx *c = ctx;
	/* Our own labels win; a series label of the same name is kept under exported_ (as a
	 * Prometheus scrape does with a target's labels), and so is one Prometheus reserves. */
	static const char *const ours[] = {"device", "kind",  "site",    "energy_role",
	                                   "pue",    "state", "instance"};
	char name[128 + 9];
	prom_label_name(k, name + 9, sizeof(name) - 9);
	bool taken = strncmp(name + 9, "__", 2) == 0;
	for (size_t i = 0; !taken && i < sizeof(ours) / sizeof(ours[0]); i++)
		taken = strcmp(name + 9, ours[i]) == 0;
	if (taken)
		memcpy(name, "exported_", 9);
	c->cb(c->ctx, taken ? name : name + 9, v);
}

void prom_series_labels(const char *device, const char *labels, int role, int category,
                        enum energy_role it, const char *site,
                        void (*cb)(void *ctx, const char *name, const char *value), void *ctx)
{
	struct lab_ctx c = {cb, ctx};
	cb(ctx, "device", device);
	labels_each(labels, ",", series_label, &c);
	if (role >= 0) {
		cb(ctx, "energy_role", energy_role_name((enum energy_role)role));
		bool dc = role == ROLE_FACILITY_INPUT || role == ROLE_BACKUP_GENERATION ||
		          role == ROLE_ONSITE_RENEWABLE;
		if (category && (dc || role == (int)it))
			cb(ctx, "pue", dc ? "dc" : "it");
	}
	cb(ctx, "site", site ? site : "");
}
