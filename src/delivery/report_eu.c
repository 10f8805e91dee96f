/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fields of Delegated Regulation (EU) 2024/1364 annex I for a calendar year (DOMAIN.md §2):
 * metered ones from the energy totals, the rest from the `reporting:` section; whatever is
 * neither is null and named in missing_fields, never invented. Capacities are as configured
 * (the regulation's time-weighting is not done). The annual JSON, HTML, CSV and PDF all show
 * this object (report_layout.c prints it as a table).
 */
#include "delivery/report_internal.h"

#include "config/config.h"

#include <cjson/cJSON.h>
#include <string.h>

static void opt_num(cJSON *o, const char *k, bool have, double v, cJSON *missing)
{
	report_num(o, k, have, v);
	if (!have)
		cJSON_AddItemToArray(missing, cJSON_CreateString(k));
}

static void opt_str(cJSON *o, const char *k, const char *v, cJSON *missing)
{
	report_str(o, k, v);
	if (!v)
		cJSON_AddItemToArray(missing, cJSON_CreateString(k));
}

cJSON *report_eu_fields(const struct report_ctx *c, const cJSON *setpoints)
{
	const struct report_site *rs = c->cfg->reporting;
	const struct energy_interval *iv = &c->rep.total;
	const struct kpi_results *k = &c->f.k;
	bool published = c->f.published;
	cJSON *o = cJSON_CreateObject(), *miss = cJSON_CreateArray();
	cJSON *id = cJSON_AddObjectToObject(o, "identity");
	cJSON_AddStringToObject(id, "name", c->cfg->site.name ? c->cfg->site.name : "");
	opt_str(id, "owner", rs ? rs->owner : NULL, miss);
	opt_str(id, "operator", rs ? rs->operator_name : NULL, miss);
	opt_str(id, "location_code", rs ? rs->location_code : NULL, miss);
	opt_str(id, "type", rs ? rs->type : NULL, miss);
	opt_str(id, "start_date", rs ? rs->start_date : NULL, miss);
	opt_num(o, "p_dit_kw", rs && rs->p_dit_kw > 0, rs ? rs->p_dit_kw : 0, miss);
	opt_num(o, "floor_area_total_m2", rs && rs->area_total_m2 >= 0, rs ? rs->area_total_m2 : 0,
	        miss);
	opt_num(o, "floor_area_computer_room_m2", rs && rs->area_computer_m2 >= 0,
	        rs ? rs->area_computer_m2 : 0, miss);
	opt_str(o, "redundancy_power", rs ? rs->redundancy_power : NULL, miss);
	opt_str(o, "redundancy_cooling", rs ? rs->redundancy_cooling : NULL, miss);
	cJSON_AddNumberToObject(o, "e_dc_kwh", k->e_dc);
	opt_num(o, "e_dc_bg_kwh", iv->role[ROLE_BACKUP_GENERATION].nseries > 0,
	        iv->role[ROLE_BACKUP_GENERATION].value, miss);
	/* The regulation asks for E_IT at the UPS output (category 1). */
	opt_num(o, "e_it_ups_output_kwh", iv->role[ROLE_IT_UPS_OUTPUT].nseries > 0,
	        iv->role[ROLE_IT_UPS_OUTPUT].value, miss);
	opt_num(o, "w_in_m3", iv->role[ROLE_WATER_INTAKE].nseries > 0,
	        iv->role[ROLE_WATER_INTAKE].value / 1000.0, miss);
	opt_num(o, "w_in_pot_m3", iv->role[ROLE_WATER_POTABLE].nseries > 0,
	        iv->role[ROLE_WATER_POTABLE].value / 1000.0, miss);
	opt_num(o, "e_reuse_kwh", iv->role[ROLE_REUSED_HEAT].nseries > 0,
	        iv->role[ROLE_REUSED_HEAT].value, miss);
	opt_num(o, "reused_heat_temp_c", rs && rs->reuse_temp_c > -273, rs ? rs->reuse_temp_c : 0,
	        miss);
	cJSON_AddNumberToObject(o, "e_res_tot_kwh",
	                        iv->role[ROLE_ONSITE_RENEWABLE].value + c->certs);
	cJSON_AddItemToObject(o, "temperature_setpoints", cJSON_Duplicate(setpoints, 1));
	const struct report_traffic *t = NULL;
	for (size_t i = 0; rs && i < rs->ntraffic; i++)
		if (strcmp(rs->traffic[i].year, c->p.label) == 0)
			t = &rs->traffic[i];
	opt_num(o, "data_traffic_incoming_pb", t && t->incoming_pb >= 0, t ? t->incoming_pb : 0,
	        miss);
	opt_num(o, "data_traffic_outgoing_pb", t && t->outgoing_pb >= 0, t ? t->outgoing_pb : 0,
	        miss);
	cJSON *ind = cJSON_AddObjectToObject(o, "indicators");
	report_num(ind, "pue", published && k->pue.ok, k->pue.v);
	report_num(ind, "wue_m3_per_mwh", published && k->wue.ok, k->wue.v); /* = L/kWh */
	report_num(ind, "erf", published && k->erf.ok, k->erf.v);
	report_num(ind, "ref", published && k->ref.ok, k->ref.v);
	cJSON_AddItemToObject(o, "missing_fields", miss);
	cJSON_AddStringToObject(o, "note",
	                        "annex I fields; report by 15 May for the previous "
	                        "calendar year; capacities are as configured, not "
	                        "time-weighted");
	return o;
}
