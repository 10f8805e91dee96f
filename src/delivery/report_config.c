/*
 * The `reporting:` section: facts a regulator asks for that no meter gives (EU Delegated
 * Regulation 2024/1364 annex I): owner, operator, location code, type, start date, installed
 * IT power, floor areas, redundancy levels, the reused heat's temperature, data traffic. Used by
 * the annual report (report.c); anything absent is listed there as missing, never invented.
 *
 *   reporting:
 *     owner: "Example Cloud Ltd"
 *     operator: "Example Ops Ltd"
 *     location_code: "CN-14-TY"            # the reporting scheme's location code
 *     type: enterprise                     # enterprise | colocation | co-hosting
 *     start_date: "2021-06-01"
 *     installed_it_power_kw: 2400          # P_DIT
 *     floor_area_m2: {total: 5200, computer_room: 2100}
 *     redundancy: {power: "2N", cooling: "N+1"}
 *     reused_heat_temp_c: 45
 *     data_traffic_pb: {"2026": {incoming: 120.5, outgoing: 98.1}}
 */
#include "delivery/report.h"

#include "config/config.h"
#include "config/config_yaml.h"

#include <string.h>

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

static void site_pair(struct ydoc *y, void *ctx, const char *path, const char *key,
                      yaml_node_t *knode, yaml_node_t *v)
{
	static const char *const area_keys[] = {"total", "computer_room", NULL};
	static const char *const red_keys[] = {"power", "cooling", NULL};
	struct report_site *rs = ctx;
	(void)knode;
	if (strcmp(key, "owner") == 0)
		rs->owner = ywant_string(y, v, path);
	else if (strcmp(key, "operator") == 0)
		rs->operator_name = ywant_string(y, v, path);
	else if (strcmp(key, "location_code") == 0)
		rs->location_code = ywant_string(y, v, path);
	else if (strcmp(key, "start_date") == 0)
		rs->start_date = ywant_string(y, v, path);
	else if (strcmp(key, "type") == 0) {
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
	} else if (strcmp(key, "data_traffic_pb") == 0) {
		ymap_walk(y, v, path, NULL, traffic_pair, rs);
	}
}

void report_config_parse(struct ydoc *y, struct config *cfg, const char *path, void *node)
{
	static const char *const keys[] = {"owner",
	                                   "operator",
	                                   "location_code",
	                                   "type",
	                                   "start_date",
	                                   "installed_it_power_kw",
	                                   "floor_area_m2",
	                                   "redundancy",
	                                   "reused_heat_temp_c",
	                                   "data_traffic_pb",
	                                   NULL};
	struct report_site *rs = config_arena_alloc(y->arena, sizeof(*rs));
	rs->p_dit_kw = -1;
	rs->area_total_m2 = rs->area_computer_m2 = -1;
	rs->reuse_temp_c = -1000;
	if (!ymap_walk(y, node, path, keys, site_pair, rs))
		return;
	cfg->reporting = rs;
}
