/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `reporting:` section: what a regulator asks for that no meter gives. The site's identity
 * (owner, operator, address, unified social credit code, the regulator's unit ID, contact),
 * the EU Delegated Regulation 2024/1364 annex I facts (location code, type, start date,
 * installed IT power, floor areas, redundancy, reused heat's temperature, data traffic), the
 * metering register (meters with model, serial, accuracy class, CT/PT ratio, boundary point,
 * role and calibration dates; inline or in a file of their own), the signing key and the
 * names in the signature block. Anything absent is named in the report as missing, never
 * invented; `greendc check-config` warns about missing identity fields and meters overdue
 * for calibration (report_config_warnings). See docs/reports.md and greendc.yaml(5).
 *
 *   reporting:
 *     owner: "Example Cloud Ltd"
 *     operator: "Example Ops Ltd"
 *     address: "1 Data Road, Taiyuan, Shanxi"
 *     unified_social_credit_code: "91350100M000100Y43"   # GB 32100-2015, check character
 *     regulator_unit_id: "14010000123"
 *     contact: {name: "Li Lei", phone: "+86 351 0000000", email: "energy@example.cn"}
 *     installed_it_power_kw: 2400                          # P_DIT, rated IT capacity
 *     floor_area_m2: {total: 5200, computer_room: 2100}
 *     meters:
 *       - {id: M01, device: utility-a, model: "ACR330ELH", serial: "A1", accuracy_class: "0.5S",
 *          ct_ratio: "400/5", boundary_point: "10 kV incomer 1", role: facility_input,
 *          calibrated: "2025-03-01", calibration_due: "2027-03-01"}
 *     signing_key: secrets/report.key                       # Ed25519, PKCS#8 PEM, 0600
 *     prepared_by: "Zhang San"
 *     approved_by: "Wang Wu"
 */
#include "delivery/report.h"

#include "analytics/energy.h"
#include "config/config.h"
#include "config/config_yaml.h"
#include "core/timeutil.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define MAX_METERS 1024

struct rctx {
	struct report_site *rs;
	struct config *cfg;
	struct report_meter *m; /* the meter being read */
	size_t cap;
};

static const char *want_path(struct ydoc *y, struct config *cfg, yaml_node_t *v, const char *path)
{
	const char *s = ywant_string(y, v, path);
	if (!s || s[0] == '/' || !cfg->dir)
		return s;
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s/%s", cfg->dir, s);
	return config_arena_strdup(y->arena, buf);
}

/* A calendar date "YYYY-MM-DD" (checked as a date; compared as text, which sorts by time). */
static const char *want_date(struct ydoc *y, yaml_node_t *v, const char *path)
{
	const char *s = ywant_string(y, v, path);
	int64_t from, to;
	enum time_unit u;
	if (!s)
		return NULL;
	if (strlen(s) != 10 || time_period_parse(s, &from, &to, &u) < 0 || u != TIME_DAY) {
		yerr(y, v, path, "expected a date YYYY-MM-DD");
		return NULL;
	}
	return s;
}

/* GB 32100-2015: 18 characters from "0-9A-HJ-NPQRTUWXY", the last a check character over the
 * first 17 with weights 3^i mod 31. NULL when fine, else why. */
static const char *uscc_problem(const char *s, char *buf, size_t len)
{
	static const char cs[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	static const int w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
	if (strlen(s) != 18)
		return "expected 18 characters (GB 32100-2015)";
	int sum = 0;
	for (int i = 0; i < 18; i++) {
		const char *p = strchr(cs, s[i]);
		if (!p || !s[i])
			return "characters must be digits or upper-case letters other than I, O, "
			       "S, V "
			       "and Z (GB 32100-2015)";
		if (i < 17)
			sum += (int)(p - cs) * w[i];
	}
	char want = cs[(31 - sum % 31) % 31];
	if (s[17] != want) {
		snprintf(buf, len,
		         "check character is %c, expected %c (GB 32100-2015): a typing error?",
		         s[17], want);
		return buf;
	}
	return NULL;
}

/* "400/5", "10000/100": two positive numbers. */
static bool ratio_ok(const char *s)
{
	double a, b;
	char tail;
	return sscanf(s, "%lf/%lf%c", &a, &b, &tail) == 2 && a > 0 && b > 0;
}

static void meter_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                       yaml_node_t *knode, yaml_node_t *v)
{
	struct report_meter *m = ((struct rctx *)ctx)->m;
	(void)knode;
	if (strcmp(key, "id") == 0) {
		m->id = ywant_string(y, v, path);
		if (m->id && !config_name_ok(m->id, "_.-"))
			yerr(y, v, path, "letters, digits, _ . and - only");
	} else if (strcmp(key, "device") == 0) {
		m->device = ywant_string(y, v, path);
	} else if (strcmp(key, "model") == 0) {
		m->model = ywant_string(y, v, path);
	} else if (strcmp(key, "serial") == 0) {
		m->serial = ywant_string(y, v, path);
	} else if (strcmp(key, "accuracy_class") == 0) {
		m->accuracy_class = ywant_string(y, v, path);
	} else if (strcmp(key, "ct_ratio") == 0 || strcmp(key, "pt_ratio") == 0) {
		const char *s = ywant_string(y, v, path);
		if (s && !ratio_ok(s))
			yerr(y, v, path, "expected a ratio like \"400/5\"");
		else if (key[0] == 'c')
			m->ct_ratio = s;
		else
			m->pt_ratio = s;
	} else if (strcmp(key, "boundary_point") == 0) {
		m->boundary_point = ywant_string(y, v, path);
	} else if (strcmp(key, "role") == 0) {
		const char *s = ywant_string(y, v, path);
		m->role = -1;
		for (int r = 0; s && r < ROLE_COUNT; r++)
			if (strcmp(s, energy_role_name((enum energy_role)r)) == 0)
				m->role = r;
		if (s && m->role < 0)
			yerr(y, v, path, "not an energy role (facility_input, it_ups_output, ...)");
	} else if (strcmp(key, "calibrated") == 0) {
		m->calibrated = want_date(y, v, path);
	} else if (strcmp(key, "calibration_due") == 0) {
		m->calibration_due = want_date(y, v, path);
	}
}

/* One list of meters (inline, or the root of meters_file). */
static void meters_read(struct ydoc *y, struct rctx *c, yaml_node_t *list, const char *path)
{
	static const char *const keys[] = {
	        "id",       "device",         "model", "serial",     "accuracy_class",  "ct_ratio",
	        "pt_ratio", "boundary_point", "role",  "calibrated", "calibration_due", NULL};
	struct report_site *rs = c->rs;
	if (!list || list->type != YAML_SEQUENCE_NODE) {
		yerr(y, list, path, "expected a list of meters, got %s", ynode_kind(list));
		return;
	}
	for (yaml_node_item_t *it = list->data.sequence.items.start;
	     it < list->data.sequence.items.top; it++) {
		yaml_node_t *item = ynode(y, *it);
		char p[96];
		snprintf(p, sizeof(p), "%s[%zu]", path, rs->nmeters);
		if (rs->nmeters == MAX_METERS) {
			yerr(y, item, p, "more than %d meters", MAX_METERS);
			return;
		}
		if (rs->nmeters == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 16;
			struct report_meter *nm = config_arena_alloc(y->arena, cap * sizeof(*nm));
			if (rs->nmeters)
				memcpy(nm, rs->meters, rs->nmeters * sizeof(*nm));
			rs->meters = nm;
			c->cap = cap;
		}
		struct report_meter *m = &rs->meters[rs->nmeters];
		*m = (struct report_meter){.role = -1, .file = y->file, .line = yline(item)};
		c->m = m;
		if (!ymap_walk(y, item, p, keys, meter_pair, c))
			continue;
		if (!m->id || m->role < 0 || !m->calibration_due) {
			yerr(y, item, p, "id, role and calibration_due are required");
			continue;
		}
		for (size_t i = 0; i < rs->nmeters; i++)
			if (strcmp(rs->meters[i].id, m->id) == 0) {
				yerr(y, item, p, "duplicate meter id \"%s\" (first at %s:%d)",
				     m->id, rs->meters[i].file, rs->meters[i].line);
				return;
			}
		if (m->calibrated && strcmp(m->calibrated, m->calibration_due) >= 0)
			yerr(y, item, p, "calibration_due must come after calibrated");
		rs->nmeters++;
	}
}

static void meters_file(struct ydoc *y, struct rctx *c, yaml_node_t *v, const char *path)
{
	const char *f = want_path(y, c->cfg, v, path);
	if (!f)
		return;
	struct ydoc yf = {.diag = y->diag, .arena = y->arena};
	if (!ydoc_load(&yf, f))
		return;
	meters_read(&yf, c, yaml_document_get_root_node(&yf.doc), "meters");
	yaml_document_delete(&yf.doc);
}

static void num_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                     yaml_node_t *knode, yaml_node_t *v)
{
	double *out = ctx; /* [0] first key, [1] second key, per the caller's allowed list */
	(void)knode;
	double d;
	if (!ywant_double(y, v, path, &d))
		return;
	if (d < 0) {
		yerr(y, v, path, "must not be negative");
		return;
	}
	if (strcmp(key, "total") == 0 || strcmp(key, "incoming") == 0)
		out[0] = d;
	else
		out[1] = d;
}

static void red_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                     yaml_node_t *knode, yaml_node_t *v)
{
	struct report_site *rs = ctx;
	(void)knode;
	if (strcmp(key, "power") == 0)
		rs->redundancy_power = ywant_string(y, v, path);
	else
		rs->redundancy_cooling = ywant_string(y, v, path);
}

static void contact_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                         yaml_node_t *knode, yaml_node_t *v)
{
	struct report_site *rs = ctx;
	(void)knode;
	if (strcmp(key, "name") == 0)
		rs->contact_name = ywant_string(y, v, path);
	else if (strcmp(key, "phone") == 0)
		rs->contact_phone = ywant_string(y, v, path);
	else
		rs->contact_email = ywant_string(y, v, path);
}

static void traffic_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                         yaml_node_t *knode, yaml_node_t *v)
{
	static const char *const keys[] = {"incoming", "outgoing", NULL};
	struct report_site *rs = ctx;
	(void)knode;
	if (rs->ntraffic >= sizeof(rs->traffic) / sizeof(rs->traffic[0])) {
		yerr(y, v, path, "too many years");
		return;
	}
	struct report_traffic *t = &rs->traffic[rs->ntraffic];
	double io[2] = {-1, -1};
	if (strlen(key) != 4 || !config_name_ok(key, "")) {
		yerr(y, v, path, "expected a year (\"2026\")");
		return;
	}
	if (!ymap_walk(y, v, path, keys, num_pair, io))
		return;
	t->year = config_arena_strdup(y->arena, key);
	t->incoming_pb = io[0];
	t->outgoing_pb = io[1];
	rs->ntraffic++;
}

/* The identity keys: plain strings into the struct. */
static bool identity_pair(struct ydoc *y, struct report_site *rs, const char *path, const char *key,
                          yaml_node_t *v)
{
	static const struct {
		const char *key;
		size_t off;
	} strs[] = {
	        {"owner", offsetof(struct report_site, owner)},
	        {"operator", offsetof(struct report_site, operator_name)},
	        {"address", offsetof(struct report_site, address)},
	        {"regulator_unit_id", offsetof(struct report_site, regulator_unit_id)},
	        {"location_code", offsetof(struct report_site, location_code)},
	        {"prepared_by", offsetof(struct report_site, prepared_by)},
	        {"approved_by", offsetof(struct report_site, approved_by)},
	};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strcmp(key, strs[i].key) == 0) {
			*(const char **)((char *)rs + strs[i].off) = ywant_string(y, v, path);
			return true;
		}
	if (strcmp(key, "unified_social_credit_code") == 0) {
		char why[96];
		const char *s = ywant_string(y, v, path),
		           *p = s ? uscc_problem(s, why, sizeof(why)) : NULL;
		if (p)
			yerr(y, v, path, "%s", p);
		else
			rs->uscc = s;
		return true;
	}
	if (strcmp(key, "start_date") == 0) {
		rs->start_date = want_date(y, v, path);
		return true;
	}
	return false;
}

static void site_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                      yaml_node_t *knode, yaml_node_t *v)
{
	static const char *const area_keys[] = {"total", "computer_room", NULL};
	static const char *const red_keys[] = {"power", "cooling", NULL};
	static const char *const contact_keys[] = {"name", "phone", "email", NULL};
	struct rctx *c = ctx;
	struct report_site *rs = c->rs;
	(void)knode;
	if (identity_pair(y, rs, path, key, v))
		return;
	if (strcmp(key, "type") == 0) {
		const char *s = ywant_string(y, v, path);
		if (s && strcmp(s, "enterprise") && strcmp(s, "colocation") &&
		    strcmp(s, "co-hosting"))
			yerr(y, v, path, "expected enterprise, colocation or co-hosting");
		else
			rs->type = s;
	} else if (strcmp(key, "installed_it_power_kw") == 0) {
		if (ywant_double(y, v, path, &rs->p_dit_kw) && rs->p_dit_kw <= 0)
			yerr(y, v, path, "must be positive");
	} else if (strcmp(key, "reused_heat_temp_c") == 0) {
		ywant_double(y, v, path, &rs->reuse_temp_c);
	} else if (strcmp(key, "floor_area_m2") == 0) {
		double a[2] = {-1, -1};
		ymap_walk(y, v, path, area_keys, num_pair, a);
		rs->area_total_m2 = a[0];
		rs->area_computer_m2 = a[1];
	} else if (strcmp(key, "redundancy") == 0) {
		ymap_walk(y, v, path, red_keys, red_pair, rs);
	} else if (strcmp(key, "contact") == 0) {
		ymap_walk(y, v, path, contact_keys, contact_pair, rs);
	} else if (strcmp(key, "data_traffic_pb") == 0) {
		ymap_walk(y, v, path, NULL, traffic_pair, rs);
	} else if (strcmp(key, "meters") == 0) {
		meters_read(y, c, v, path);
	} else if (strcmp(key, "meters_file") == 0) {
		meters_file(y, c, v, path);
	} else if (strcmp(key, "signing_key") == 0) {
		rs->signing_key = want_path(y, c->cfg, v, path);
	}
}

void report_config_parse(struct ydoc *y, struct config *cfg, const char *path, void *node)
{
	static const char *const keys[] = {"owner",
	                                   "operator",
	                                   "address",
	                                   "unified_social_credit_code",
	                                   "regulator_unit_id",
	                                   "contact",
	                                   "location_code",
	                                   "type",
	                                   "start_date",
	                                   "installed_it_power_kw",
	                                   "floor_area_m2",
	                                   "redundancy",
	                                   "reused_heat_temp_c",
	                                   "data_traffic_pb",
	                                   "meters",
	                                   "meters_file",
	                                   "signing_key",
	                                   "prepared_by",
	                                   "approved_by",
	                                   NULL};
	struct report_site *rs = config_arena_alloc(y->arena, sizeof(*rs));
	struct rctx c = {.rs = rs, .cfg = cfg};
	rs->p_dit_kw = -1;
	rs->area_total_m2 = rs->area_computer_m2 = -1;
	rs->reuse_temp_c = -1000;
	rs->file = y->file;
	rs->line = yline(node);
	if (!ymap_walk(y, node, path, keys, site_pair, &c))
		return;
	cfg->reporting = rs;
}

void report_config_secrets(const struct config *cfg,
                           void (*found)(void *ctx, const struct config_secret *s), void *ctx)
{
	const struct report_site *rs = cfg->reporting;
	if (!rs || !rs->signing_key)
		return;
	/* A PKCS#8 PEM Ed25519 key is 119 bytes; room for comments and line ends. */
	struct config_secret s = {.path = rs->signing_key,
	                          .key = "reporting.signing_key",
	                          .file = rs->file,
	                          .line = rs->line,
	                          .max_bytes = 4096};
	found(ctx, &s);
}

size_t report_identity_missing(const struct config *cfg, const char **names, size_t max)
{
	const struct report_site *rs = cfg->reporting;
	const struct {
		const char *key;
		bool have;
	} req[] = {
	        {"site.name", cfg->site.name && *cfg->site.name},
	        {"reporting.operator", rs && rs->operator_name},
	        {"reporting.owner", rs && rs->owner},
	        {"reporting.address", rs && rs->address},
	        {"reporting.unified_social_credit_code", rs && rs->uscc},
	        {"reporting.regulator_unit_id", rs && rs->regulator_unit_id},
	        {"reporting.installed_it_power_kw", rs && rs->p_dit_kw > 0},
	        {"reporting.floor_area_m2.total", rs && rs->area_total_m2 >= 0},
	        {"reporting.contact.name", rs && rs->contact_name},
	        {"reporting.contact.phone", rs && rs->contact_phone},
	        {"reporting.meters", rs && rs->nmeters > 0},
	};
	size_t n = 0;
	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
		if (req[i].have)
			continue;
		if (n < max)
			names[n] = req[i].key;
		n++;
	}
	return n;
}

void report_config_warnings(const struct config *cfg, int64_t now_ms, struct config_diag *diag)
{
	const char *miss[16];
	size_t n = report_identity_missing(cfg, miss, 16);
	const struct report_site *rs = cfg->reporting;
	if (!rs) {
		/* One line, not one per field: many sites report to no regulator. */
		config_diag_add(
		        diag, cfg->file, 1,
		        "reporting: not configured: a regulator's report names %zu identity "
		        "fields as missing and has no metering register (docs/reports.md)",
		        n);
		return;
	}
	const char *file = rs->file;
	int line = rs->line;
	for (size_t i = 0; i < n && i < 16; i++)
		config_diag_add(diag, file, line,
		                "%s: not given; a regulator's report names it as missing", miss[i]);
	char today[32];
	time_format_utc(now_ms, today, sizeof(today));
	today[10] = '\0';
	for (size_t i = 0; i < rs->nmeters; i++) {
		const struct report_meter *m = &rs->meters[i];
		if (strcmp(m->calibration_due, today) <= 0)
			config_diag_add(diag, m->file, m->line,
			                "reporting.meters: %s: calibration was due on %s", m->id,
			                m->calibration_due);
		if (m->device && !config_device_find(cfg, m->device))
			config_diag_add(diag, m->file, m->line,
			                "reporting.meters: %s: device \"%s\" is not configured (a "
			                "meter read by hand?)",
			                m->id, m->device);
	}
}
