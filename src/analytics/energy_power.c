/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Power by energy role over time, and the power ratio (interim PUE) per bucket: the
 * dashboard's "power by role" and "PUE (power ratio)" charts (GET /api/v1/power?by=energy).
 * The series are the power_w views of the energy model's selectors, picked by
 * energy_series_role() as /metrics labels them, and the ratio follows energy_interim()'s rule
 * (E_DC side = facility input + backup generation + on-site renewable, over the lowest IT
 * level metered), so the trend and "PUE now" are one figure at two resolutions. Second views of
 * a device that no selector picks (an SNMP view with role snmp_view) are never counted.
 */
#include "analytics/energy_power.h"
#include "analytics/energy.h"
#include "store/store.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Roles that carry electrical power: the ones a power chart shows. */
static bool electrical(int role)
{
	switch (role) {
	case ROLE_FACILITY_INPUT:
	case ROLE_BACKUP_GENERATION:
	case ROLE_IT_UPS_OUTPUT:
	case ROLE_IT_PDU_OUTPUT:
	case ROLE_IT_INPUT:
	case ROLE_COOLING:
	case ROLE_LIGHTING_OTHER:
	case ROLE_ONSITE_RENEWABLE:
		return true;
	default:
		return false;
	}
}

struct pick {
	const struct energy_model *m;
	int64_t ids[ENERGY_POWER_MAX_SERIES];
	int role[ENERGY_POWER_MAX_SERIES];
	size_t n;
	bool truncated;
};

static int pick_cb(void *ctx, const struct store_series_info *info)
{
	struct pick *p = ctx;
	bool exact;
	if (strcmp(info->metric, "power_w") != 0 || info->kind == STORE_COUNTER)
		return 0;
	int role = energy_series_role(p->m, info->device, info->metric, info->labels, &exact);
	if (role < 0 || !electrical(role))
		return 0;
	if (p->n == ENERGY_POWER_MAX_SERIES) {
		p->truncated = true;
		return 0;
	}
	p->ids[p->n] = info->id;
	p->role[p->n] = role;
	p->n++;
	return 0;
}

struct fill {
	double *v;
	int64_t from, step;
	size_t nb;
};

static int fill_cb(void *ctx, int64_t bucket, double value, int64_t count)
{
	struct fill *f = ctx;
	(void)count;
	if (bucket < f->from || !isfinite(value))
		return 0;
	size_t i = (size_t)((bucket - f->from) / f->step);
	if (i < f->nb)
		f->v[i] = value;
	return 0;
}

/* Add the series' bucket means into the role's sums; a bucket it lacks is NAN (a gap). */
static int add_series(struct store_reader *r, struct energy_power *out, int64_t id, int role,
                      int64_t to_ms, double *tmp)
{
	if (!out->w[role]) {
		out->w[role] = calloc(out->nb ? out->nb : 1, sizeof(double));
		if (!out->w[role])
			return -ENOMEM;
	}
	for (size_t i = 0; i < out->nb; i++)
		tmp[i] = NAN;
	struct fill f = {tmp, out->from_ms, out->step_ms, out->nb};
	int rc = store_query(r, id, out->from_ms, to_ms, out->step_ms, AGG_AVG, fill_cb, &f);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < out->nb; i++)
		out->w[role][i] += tmp[i]; /* NAN stays NAN */
	out->nseries[role]++;
	return 0;
}

/* The E_DC side and the IT side per bucket, and their ratio where both are known. */
static int ratio_fill(struct energy_power *out)
{
	static const int dc_roles[] = {ROLE_FACILITY_INPUT, ROLE_BACKUP_GENERATION,
	                               ROLE_ONSITE_RENEWABLE};
	out->it_role = energy_it_role(out->nseries, &out->category);
	out->dc = calloc(out->nb ? out->nb : 1, sizeof(double));
	out->it = calloc(out->nb ? out->nb : 1, sizeof(double));
	out->ratio = calloc(out->nb ? out->nb : 1, sizeof(double));
	out->rest = calloc(out->nb ? out->nb : 1, sizeof(double));
	if (!out->dc || !out->it || !out->ratio || !out->rest)
		return -ENOMEM;
	for (size_t i = 0; i < out->nb; i++) {
		double dc = out->w[ROLE_FACILITY_INPUT] ? 0 : NAN;
		for (size_t k = 0; k < sizeof(dc_roles) / sizeof(dc_roles[0]); k++)
			if (out->w[dc_roles[k]])
				dc += out->w[dc_roles[k]][i];
		double it = out->category && out->w[out->it_role] ? out->w[out->it_role][i] : NAN;
		out->dc[i] = dc;
		out->it[i] = it;
		/* A ratio below 1 is no PUE (DOMAIN.md §1): a gap, never a number. */
		out->ratio[i] = isfinite(dc) && isfinite(it) && it > 0 && dc >= it ? dc / it : NAN;
		double rest = dc - it;
		if (out->w[ROLE_COOLING])
			rest -= out->w[ROLE_COOLING][i];
		if (out->w[ROLE_LIGHTING_OTHER])
			rest -= out->w[ROLE_LIGHTING_OTHER][i];
		out->rest[i] = rest >= 0 ? rest : NAN; /* NAN stays NAN */
	}
	return 0;
}

int energy_power_trend(struct store_reader *r, const struct energy_model *m, int64_t from_ms,
                       int64_t to_ms, int64_t step_ms, size_t nb, struct energy_power *out)
{
	memset(out, 0, sizeof(*out));
	out->from_ms = from_ms;
	out->step_ms = step_ms;
	out->nb = nb;
	if (step_ms <= 0 || to_ms <= from_ms)
		return -EINVAL;
	struct pick *p = calloc(1, sizeof(*p));
	double *tmp = calloc(nb ? nb : 1, sizeof(double));
	int rc = p && tmp ? 0 : -ENOMEM;
	if (rc == 0) {
		p->m = m;
		rc = store_series_find(r, "* power_w*", pick_cb, p);
	}
	for (size_t i = 0; rc >= 0 && i < p->n; i++)
		rc = add_series(r, out, p->ids[i], p->role[i], to_ms, tmp);
	if (rc >= 0) {
		out->truncated = p->truncated;
		rc = ratio_fill(out);
	}
	free(tmp);
	free(p);
	if (rc < 0)
		energy_power_free(out);
	return rc < 0 ? rc : 0;
}

void energy_power_free(struct energy_power *p)
{
	if (!p)
		return;
	for (int i = 0; i < ROLE_COUNT; i++)
		free(p->w[i]);
	free(p->dc);
	free(p->it);
	free(p->ratio);
	free(p->rest);
	memset(p->w, 0, sizeof(p->w));
	p->dc = p->it = p->ratio = p->rest = NULL;
}
