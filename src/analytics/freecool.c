/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Economizer model, changeover controller and weather-year what-if (see freecool.h and
 * docs/freecooling.md). Pure: nothing here logs, reads files or keeps global state.
 */
#include "analytics/freecool.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <strings.h>

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static bool waterside(const struct fc_plant *p)
{
	return p->type == FC_TOWER_HX || p->type == FC_DRY_COOLER;
}

void freecool_plant_defaults(struct fc_plant *p)
{
	memset(p, 0, sizeof(*p));
	p->type = FC_TOWER_HX;
	p->piping = FC_INTEGRATED;
	p->chws_c = 15.0;
	p->chwr_c = 21.0;
	p->supply_air_c = 24.0;
	p->return_air_c = 36.0;
	p->approach_tower_k = 4.0;
	p->approach_hx_k = 2.0;
	p->approach_dry_k = 6.0;
	p->approach_air_k = 4.0;
	p->evap_effectiveness = 0.7;
	p->tower_min_c = NAN;
	p->dp_min_c = -9.0;
	p->dp_max_c = 15.0;
	p->inlet_over_supply_k = NAN;
}

static const char *const econ_names[FC_ECONOMIZER_COUNT] = {
        [FC_DIRECT_AIR] = "direct-air",       [FC_INDIRECT_AIR] = "indirect-air",
        [FC_INDIRECT_EVAP] = "indirect-evap", [FC_TOWER_HX] = "tower",
        [FC_DRY_COOLER] = "dry-cooler",
};

const char *freecool_economizer_name(enum fc_economizer t)
{
	return (unsigned)t < FC_ECONOMIZER_COUNT ? econ_names[t] : "?";
}

int freecool_economizer_parse(const char *s, enum fc_economizer *out)
{
	for (unsigned i = 0; i < FC_ECONOMIZER_COUNT; i++)
		if (strcmp(s, econ_names[i]) == 0) {
			*out = (enum fc_economizer)i;
			return 0;
		}
	return -EINVAL;
}

const char *freecool_mode_name(enum fc_mode m)
{
	switch (m) {
	case FC_FREE:
		return "free";
	case FC_PARTIAL:
		return "partial";
	default:
		return "mechanical";
	}
}

bool freecool_below(double t_c, double limit_c)
{
	return t_c < limit_c - FC_TEMP_TOL_K;
}

bool freecool_at_most(double t_c, double limit_c)
{
	return t_c <= limit_c + FC_TEMP_TOL_K;
}

void freecool_outdoor_from_dp(struct fc_outdoor *o, double db_c, double dp_c, double p_pa)
{
	double pw = psychro_pws(fmin(dp_c, db_c));

	o->db_c = db_c;
	o->dp_c = fmin(dp_c, db_c);
	o->wb_c = psychro_wet_bulb_from_w(db_c, psychro_humidity_ratio_from_pw(pw, p_pa), p_pa);
	/* Saturated (dew point at or above the dry-bulb, as EPW files sometimes say): the
	 * wet-bulb is the dry-bulb exactly, so a "< 10 C" count cannot take a 10.0 C hour. */
	if (dp_c >= db_c && isfinite(o->wb_c))
		o->wb_c = db_c;
}

void freecool_outdoor_from_rh(struct fc_outdoor *o, double db_c, double rh, double p_pa,
                              enum psychro_rh_ref ref)
{
	o->db_c = db_c;
	o->dp_c = psychro_dew_point(db_c, rh, ref);
	o->wb_c = psychro_wet_bulb(db_c, rh, p_pa, ref);
}

double freecool_leaving_c(const struct fc_plant *p, const struct fc_outdoor *o)
{
	double tower;

	switch (p->type) {
	case FC_DIRECT_AIR:
		return o->db_c;
	case FC_INDIRECT_AIR:
		return o->db_c + p->approach_air_k;
	case FC_INDIRECT_EVAP:
		return o->db_c - p->evap_effectiveness * (o->db_c - o->wb_c) + p->approach_air_k;
	case FC_TOWER_HX:
		tower = o->wb_c + p->approach_tower_k;
		if (isfinite(p->tower_min_c))
			tower = fmax(tower, p->tower_min_c);
		return tower + p->approach_hx_k;
	case FC_DRY_COOLER:
		return o->db_c + p->approach_dry_k;
	default:
		return NAN;
	}
}

double freecool_supply_c(const struct fc_plant *p)
{
	return waterside(p) ? p->chws_c : p->supply_air_c;
}

double freecool_inlet_c(const struct fc_plant *p)
{
	double k = p->inlet_over_supply_k;

	if (!isfinite(k))
		k = waterside(p) ? 8.0 : 1.0;
	return freecool_supply_c(p) + k;
}

double freecool_return_c(const struct fc_plant *p)
{
	return waterside(p) ? p->chwr_c : p->return_air_c;
}

/* Direct outside air may only enter while its dew point is inside the band (no humidifier or
 * dehumidifier is modelled). */
static bool air_ok(const struct fc_plant *p, const struct fc_outdoor *o)
{
	if (p->type != FC_DIRECT_AIR)
		return true;
	return isfinite(o->dp_c) && o->dp_c >= p->dp_min_c && o->dp_c <= p->dp_max_c;
}

static enum fc_mode mode_for(const struct fc_plant *p, const struct fc_outdoor *o, double lv,
                             double *fraction)
{
	double sup = freecool_supply_c(p), ret = freecool_return_c(p);

	*fraction = 0.0;
	if (!isfinite(lv) || !air_ok(p, o))
		return FC_MECHANICAL;
	if (freecool_at_most(lv, sup)) {
		*fraction = 1.0;
		return FC_FREE;
	}
	if (p->piping == FC_INTEGRATED && freecool_below(lv, ret) && ret > sup) {
		*fraction = clamp((ret - lv) / (ret - sup), 0.0, 1.0);
		return FC_PARTIAL;
	}
	return FC_MECHANICAL;
}

enum fc_mode freecool_available(const struct fc_plant *p, const struct fc_outdoor *o,
                                double *fraction)
{
	return mode_for(p, o, freecool_leaving_c(p, o), fraction);
}

void freecool_thresholds(const struct fc_plant *p, double *full_c, double *partial_c,
                         const char **governs)
{
	double off = NAN;

	*governs = "dry-bulb";
	switch (p->type) {
	case FC_DIRECT_AIR:
		off = 0.0;
		break;
	case FC_INDIRECT_AIR:
		off = p->approach_air_k;
		break;
	case FC_INDIRECT_EVAP:
		*governs = "wet-bulb and dry-bulb";
		break;
	case FC_TOWER_HX:
		/* The freeze floor only matters far below any threshold. */
		off = p->approach_tower_k + p->approach_hx_k;
		*governs = "wet-bulb";
		break;
	case FC_DRY_COOLER:
		off = p->approach_dry_k;
		break;
	default:
		break;
	}
	*full_c = freecool_supply_c(p) - off;
	*partial_c = p->piping == FC_INTEGRATED ? freecool_return_c(p) - off : *full_c;
}

/* ---- controller ---- */

void freecool_ctl_defaults(struct fc_ctl_params *c)
{
	c->hysteresis_k = 1.0;
	c->min_on_s = 20 * 60;
	c->min_off_s = 20 * 60;
}

/* The mode the controller wants from mode cur, before minimum times. */
static enum fc_mode ctl_want(const struct fc_ctl_params *cp, const struct fc_plant *p,
                             const struct fc_outdoor *o, enum fc_mode cur)
{
	double lv = freecool_leaving_c(p, o), f;
	double sup = freecool_supply_c(p), ret = freecool_return_c(p);
	double h = cp->hysteresis_k;
	enum fc_mode avail = mode_for(p, o, lv, &f);

	if (avail == FC_MECHANICAL)
		return FC_MECHANICAL;
	/* Stay in a mode while physically possible; enter one only H inside its limit. */
	if (avail == FC_FREE && (cur == FC_FREE || lv <= sup - h))
		return FC_FREE;
	if (p->piping == FC_INTEGRATED && (cur >= FC_PARTIAL || lv < ret - h))
		return FC_PARTIAL;
	/* Parallel piping: full free cooling only; a plant that cannot yet enter it stays put. */
	return cur == FC_FREE && avail == FC_FREE ? FC_FREE : FC_MECHANICAL;
}

enum fc_mode freecool_ctl_step(struct fc_ctl *c, const struct fc_ctl_params *cp,
                               const struct fc_plant *p, const struct fc_outdoor *o, double dt_s)
{
	enum fc_mode want;
	double min;

	if (!c->started) {
		double f;

		c->started = true;
		c->mode = freecool_available(p, o, &f);
		c->time_in_mode_s = 0.0;
		return c->mode;
	}
	c->time_in_mode_s += dt_s;
	want = ctl_want(cp, p, o, c->mode);
	min = c->mode == FC_MECHANICAL ? cp->min_off_s : cp->min_on_s;
	if (want != c->mode && c->time_in_mode_s >= min) {
		c->mode = want;
		c->time_in_mode_s = 0.0;
	}
	return c->mode;
}

/* ---- what-if ---- */

void freecool_plant_raise(struct fc_plant *p, double k)
{
	p->chws_c += k;
	p->chwr_c += k;
	p->supply_air_c += k;
	p->return_air_c += k;
}

int freecool_whatif(const struct fc_plant *p, const struct fc_ctl_params *cp,
                    const struct fc_hour *h, size_t n, unsigned steps, struct fc_whatif *out)
{
	if (steps > FC_MAX_STEPS)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (h[i].month < 1 || h[i].month > 12)
			return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->steps = steps;
	for (unsigned s = 0; s <= steps; s++) {
		struct fc_plant ps = *p;
		struct fc_ctl ctl = {0};
		double sup;

		freecool_plant_raise(&ps, s);
		sup = freecool_supply_c(&ps);
		for (size_t i = 0; i < n; i++) {
			struct fc_month *m = &out->m[s][h[i].month];
			double lv = freecool_leaving_c(&ps, &h[i].o), f;
			enum fc_mode a = mode_for(&ps, &h[i].o, lv, &f);
			enum fc_mode prev = ctl.mode, c;

			m->hours += 1.0;
			m->free_h += a == FC_FREE;
			m->partial_h += a == FC_PARTIAL;
			m->mech_h += a == FC_MECHANICAL;
			m->free_equiv_h += f;
			if (isfinite(lv) && fabs(lv - sup) <= cp->hysteresis_k)
				m->marginal_h += 1.0;
			c = freecool_ctl_step(&ctl, cp, &ps, &h[i].o, 3600.0);
			m->ctl_free_h += c == FC_FREE;
			m->ctl_partial_h += c == FC_PARTIAL;
			m->changes += i > 0 && c != prev;
		}
		struct fc_month *y = &out->m[s][0];
		for (int mo = 1; mo <= 12; mo++) {
			const struct fc_month *m = &out->m[s][mo];

			y->hours += m->hours;
			y->free_h += m->free_h;
			y->partial_h += m->partial_h;
			y->mech_h += m->mech_h;
			y->free_equiv_h += m->free_equiv_h;
			y->ctl_free_h += m->ctl_free_h;
			y->ctl_partial_h += m->ctl_partial_h;
			y->changes += m->changes;
			y->marginal_h += m->marginal_h;
		}
	}
	return 0;
}

/* ---- envelope ---- */

static const char *const class_names[] = {"A1", "A2", "A3", "A4", "H1"};

int freecool_class_parse(const char *s, enum fc_ashrae_class *out)
{
	for (unsigned i = 0; i < 5; i++)
		if (strcasecmp(s, class_names[i]) == 0) {
			*out = (enum fc_ashrae_class)i;
			return 0;
		}
	return -EINVAL;
}

const char *freecool_class_name(enum fc_ashrae_class c)
{
	return (unsigned)c < 5 ? class_names[c] : "?";
}

void freecool_envelope(enum fc_ashrae_class c, bool allowable, bool derate, double altitude_m,
                       double derate_from_m, struct fc_envelope *e)
{
	/* ASHRAE TC 9.9 (2021), DOMAIN.md §5. Derating per metre: 1 K / 300 m for A1/A2;
	 * 1/175 and 1/125 for A3/A4 are from the TC 9.9 tables (unconfirmed here). */
	static const struct {
		double tmin, tmax, dpmax, rhmax, derate_m;
	} allow[] = {
	        [FC_A1] = {15, 32, 17, 0.80, 300}, [FC_A2] = {10, 35, 21, 0.80, 300},
	        [FC_A3] = {5, 40, 24, 0.85, 175},  [FC_A4] = {5, 45, 24, 0.90, 125},
	        [FC_H1] = {5, 25, 17, 0.80, 300},
	};
	unsigned i = (unsigned)c < 5 ? (unsigned)c : 0;

	if (allowable) {
		e->t_min_c = allow[i].tmin;
		e->t_max_c = allow[i].tmax;
		e->dp_min_c = -12.0;
		e->dp_max_c = allow[i].dpmax;
		e->rh_max = allow[i].rhmax;
	} else {
		e->t_min_c = 18.0;
		e->t_max_c = c == FC_H1 ? 22.0 : 27.0;
		e->dp_min_c = -9.0;
		e->dp_max_c = 15.0;
		e->rh_max = 0.70;
	}
	if (derate && altitude_m > derate_from_m)
		e->t_max_c -= (altitude_m - derate_from_m) / allow[i].derate_m;
}
