/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The regulator uploads' pure checks (regulator.h): the data-quality self-check that travels
 * with every upload, and whether a platform's answer acknowledges one. Unit-tested with
 * known answers (test_regulator).
 *
 * The thresholds are the published operating rules (DOMAIN.md section 9): completeness of at
 * least 90 %, daily and monthly totals within 5 % of each other, daily data aligned to
 * 00:00 and monthly to day 1; each is configurable (quality:) because provinces differ.
 */
#include "delivery/regulator.h"

#include "core/timeutil.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* E_DC of one interval: everything inside the boundary (kpi_e_dc's sum). */
static double e_dc(const struct energy_interval *iv)
{
	return iv->role[ROLE_FACILITY_INPUT].value + iv->role[ROLE_BACKUP_GENERATION].value +
	       iv->role[ROLE_ONSITE_RENEWABLE].value;
}

void reg_quality_check(const struct reg_target *t, enum reg_cycle c, int64_t from_ms, int64_t to_ms,
                       const struct energy_report *main, const struct energy_report *slots,
                       struct reg_quality *out)
{
	memset(out, 0, sizeof(*out));
	out->slots = (int)slots->n;
	for (size_t i = 0; i < slots->n; i++) {
		const struct energy_interval *iv = &slots->iv[i];
		if (iv->role[ROLE_FACILITY_INPUT].status != ENERGY_MISSING &&
		    iv->role[slots->it_role].status != ENERGY_MISSING)
			out->slots_ok++;
	}
	out->completeness = out->slots ? (double)out->slots_ok / out->slots : 0;

	if (c != REG_15MIN) {
		double parts = 0, whole = e_dc(&main->total);
		for (size_t i = 0; i < main->n; i++)
			parts += e_dc(&main->iv[i]);
		out->have_difference = true;
		out->difference = whole > 0 ? fabs(parts - whole) / whole : parts > 0 ? 1 : 0;
	}

	enum time_unit u = c == REG_15MIN ? TIME_15MIN : c == REG_DAY ? TIME_DAY : TIME_MONTH;
	out->aligned = time_local_floor(from_ms, u) == from_ms &&
	               time_local_next(from_ms, u) == to_ms && main->total.ngaps == 0;

	out->ok = out->completeness >= t->completeness_min &&
	          (!out->have_difference || out->difference <= t->difference_max) && out->aligned;
}

bool reg_ack_ok(const char *field, const char *equals, const char *body, size_t len, char *why,
                size_t whylen)
{
	if (!field)
		return true;
	cJSON *j = cJSON_ParseWithLength(body ? body : "", len);
	if (!j) {
		snprintf(why, whylen, "the answer is not JSON");
		return false;
	}
	const cJSON *v = j;
	char part[128];
	for (const char *p = field; v && *p;) {
		size_t l = strcspn(p, ".");
		snprintf(part, sizeof(part), "%.*s", (int)(l < sizeof(part) ? l : sizeof(part) - 1),
		         p);
		v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, part) : NULL;
		p += l + (p[l] == '.');
	}
	char got[128];
	bool ok = false;
	if (!v) {
		snprintf(why, whylen, "the answer has no \"%s\"", field);
	} else {
		if (cJSON_IsString(v))
			snprintf(got, sizeof(got), "%s", v->valuestring);
		else if (cJSON_IsNumber(v))
			snprintf(got, sizeof(got), "%.15g", v->valuedouble);
		else if (cJSON_IsBool(v))
			snprintf(got, sizeof(got), "%s", cJSON_IsTrue(v) ? "true" : "false");
		else
			snprintf(got, sizeof(got), "%s", cJSON_IsNull(v) ? "null" : "(an object)");
		ok = strcmp(got, equals ? equals : "") == 0;
		if (!ok)
			snprintf(why, whylen, "the answer's \"%s\" is %.60s, not %.60s", field, got,
			         equals ? equals : "");
	}
	cJSON_Delete(j);
	return ok;
}
