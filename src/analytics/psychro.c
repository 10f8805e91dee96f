/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Psychrometrics (DOMAIN.md §4; ASHRAE Handbook Fundamentals 2017 ch. 1, eqs. 5, 6, 20, 22,
 * 30, 33, 35). Pure functions: the cooling analytics and tools/dcsim call them; nothing here
 * keeps state, logs or allocates. See psychro.h for units and the NAN convention.
 */
#include "analytics/psychro.h"

#include <math.h>
#include <stdbool.h>

#define KELVIN   273.15
#define MW_RATIO 0.621945 /* molecular mass of water / dry air */

static bool t_ok(double t_c)
{
	return isfinite(t_c) && t_c >= PSYCHRO_T_MIN && t_c <= PSYCHRO_T_MAX;
}

static bool rh_ok(double rh)
{
	return isfinite(rh) && rh >= 0.0 && rh <= PSYCHRO_RH_MAX;
}

static bool p_ok(double p_pa)
{
	return isfinite(p_pa) && p_pa > 0.0;
}

/* ln pws over water and its derivative with respect to T (K). */
static double ln_pws_water(double tk)
{
	return -5.8002206e3 / tk + 1.3914993 - 4.8640239e-2 * tk + 4.1764768e-5 * tk * tk -
	       1.4452093e-8 * tk * tk * tk + 6.5459673 * log(tk);
}

static double dln_pws_water(double tk)
{
	return 5.8002206e3 / (tk * tk) - 4.8640239e-2 + 2.0 * 4.1764768e-5 * tk -
	       3.0 * 1.4452093e-8 * tk * tk + 6.5459673 / tk;
}

static double ln_pws_ice(double tk)
{
	return -5.6745359e3 / tk + 6.3925247 - 9.677843e-3 * tk + 6.2215701e-7 * tk * tk +
	       2.0747825e-9 * tk * tk * tk - 9.484024e-13 * tk * tk * tk * tk + 4.1635019 * log(tk);
}

static double dln_pws_ice(double tk)
{
	return 5.6745359e3 / (tk * tk) - 9.677843e-3 + 2.0 * 6.2215701e-7 * tk +
	       3.0 * 2.0747825e-9 * tk * tk - 4.0 * 9.484024e-13 * tk * tk * tk + 4.1635019 / tk;
}

double psychro_pws_water(double t_c)
{
	if (!t_ok(t_c))
		return NAN;
	return exp(ln_pws_water(t_c + KELVIN));
}

double psychro_pws_ice(double t_c)
{
	if (!t_ok(t_c) || t_c > PSYCHRO_TRIPLE_POINT_C)
		return NAN;
	return exp(ln_pws_ice(t_c + KELVIN));
}

double psychro_pws(double t_c)
{
	if (!t_ok(t_c))
		return NAN;
	return t_c <= PSYCHRO_TRIPLE_POINT_C ? psychro_pws_ice(t_c) : psychro_pws_water(t_c);
}

double psychro_pressure_at_altitude(double z_m)
{
	/* The formula is the troposphere's (below 11 km); a site below the Dead Sea is absurd. */
	if (!isfinite(z_m) || z_m < -500.0 || z_m > 11000.0)
		return NAN;
	return 101325.0 * pow(1.0 - 2.25577e-5 * z_m, 5.2559);
}

double psychro_vapour_pressure(double t_c, double rh, enum psychro_rh_ref ref)
{
	double pws;

	if (!t_ok(t_c) || !rh_ok(rh))
		return NAN;
	if (rh > 1.0)
		rh = 1.0;
	pws = ref == PSYCHRO_RH_WATER ? psychro_pws_water(t_c) : psychro_pws(t_c);
	/*
	 * RH over water below 0 C can exceed saturation over ice (up to ~1.2 at -20 C); the air
	 * can hold no more vapour than saturation over ice, so cap there.
	 */
	if (ref == PSYCHRO_RH_WATER && t_c <= PSYCHRO_TRIPLE_POINT_C) {
		double ice = psychro_pws_ice(t_c);
		if (rh * pws > ice)
			return ice;
	}
	return rh * pws;
}

double psychro_humidity_ratio_from_pw(double pw_pa, double p_pa)
{
	if (!isfinite(pw_pa) || pw_pa < 0.0 || !p_ok(p_pa) || pw_pa >= p_pa)
		return NAN;
	return MW_RATIO * pw_pa / (p_pa - pw_pa);
}

double psychro_humidity_ratio(double t_c, double rh, double p_pa, enum psychro_rh_ref ref)
{
	return psychro_humidity_ratio_from_pw(psychro_vapour_pressure(t_c, rh, ref), p_pa);
}

double psychro_humidity_ratio_sat(double t_c, double p_pa)
{
	return psychro_humidity_ratio_from_pw(psychro_pws(t_c), p_pa);
}

double psychro_dew_point_from_pw(double pw_pa)
{
	double target, tk, lo_k, hi_k;
	bool ice;
	int i;

	if (!isfinite(pw_pa) || pw_pa <= 0.0)
		return NAN;
	if (pw_pa < psychro_pws(PSYCHRO_T_MIN) || pw_pa > psychro_pws(PSYCHRO_T_MAX))
		return NAN;
	/* The branch is the one psychro_pws() uses at the answer. */
	ice = pw_pa <= psychro_pws_ice(PSYCHRO_TRIPLE_POINT_C);
	lo_k = (ice ? PSYCHRO_T_MIN : PSYCHRO_TRIPLE_POINT_C) + KELVIN;
	hi_k = (ice ? PSYCHRO_TRIPLE_POINT_C : PSYCHRO_T_MAX) + KELVIN;
	target = log(pw_pa);

	/* Start from the Magnus approximation, then Newton on ln pws (smooth and monotonic). */
	{
		double g = log(pw_pa / 611.2);
		double t0 = ice ? 272.62 * g / (22.46 - g) : 243.12 * g / (17.62 - g);
		tk = t0 + KELVIN;
	}
	if (tk < lo_k)
		tk = lo_k;
	if (tk > hi_k)
		tk = hi_k;
	for (i = 0; i < 50; i++) {
		double f = (ice ? ln_pws_ice(tk) : ln_pws_water(tk)) - target;
		double d = ice ? dln_pws_ice(tk) : dln_pws_water(tk);
		double step = f / d;

		tk -= step;
		if (tk < lo_k)
			tk = lo_k;
		if (tk > hi_k)
			tk = hi_k;
		if (fabs(step) < 1e-9)
			break;
	}
	return tk - KELVIN;
}

double psychro_dew_point(double t_c, double rh, enum psychro_rh_ref ref)
{
	double td;

	td = psychro_dew_point_from_pw(psychro_vapour_pressure(t_c, rh, ref));
	if (isnan(td))
		return NAN;
	/* Saturated: exactly the dry-bulb, not the Newton iterate a few 1e-12 K off it. */
	return td > t_c || rh >= 1.0 ? t_c : td;
}

double psychro_rh_from_dew_point(double t_c, double td_c, enum psychro_rh_ref ref)
{
	double pw, pws;

	if (!t_ok(t_c) || !t_ok(td_c) || td_c > t_c + 0.01)
		return NAN;
	pw = psychro_pws(td_c);
	pws = ref == PSYCHRO_RH_WATER ? psychro_pws_water(t_c) : psychro_pws(t_c);
	return pw >= pws ? 1.0 : pw / pws;
}

/* Humidity ratio implied by dry-bulb t and a trial wet-bulb ts (ASHRAE eqs. 33 and 35). */
static double w_from_wet_bulb(double t_c, double ts_c, double p_pa)
{
	double wss = psychro_humidity_ratio_sat(ts_c, p_pa);

	if (ts_c >= 0.0)
		return ((2501.0 - 2.326 * ts_c) * wss - 1.006 * (t_c - ts_c)) /
		       (2501.0 + 1.86 * t_c - 4.186 * ts_c);
	return ((2830.0 - 0.24 * ts_c) * wss - 1.006 * (t_c - ts_c)) /
	       (2830.0 + 1.86 * t_c - 2.1 * ts_c);
}

/* Bisection for W(t*) = w on [lo, hi], where W(lo) <= w <= W(hi), to 1e-6 K. */
static double bisect_wet_bulb(double t_c, double w, double p_pa, double lo, double hi)
{
	int i;

	for (i = 0; i < 200 && hi - lo > 1e-6; i++) {
		double mid = 0.5 * (lo + hi);
		double wm = w_from_wet_bulb(t_c, mid, p_pa);

		if (isnan(wm))
			return NAN;
		if (wm > w)
			hi = mid;
		else
			lo = mid;
	}
	return 0.5 * (lo + hi);
}

double psychro_wet_bulb_from_w(double t_c, double w, double p_pa)
{
	double lo, pw, wsat, w_water0, w_ice0;

	if (!t_ok(t_c) || !isfinite(w) || w < 0.0 || !p_ok(p_pa))
		return NAN;
	wsat = psychro_humidity_ratio_sat(t_c, p_pa);
	if (isnan(wsat) || w > wsat * (1.0 + 1e-9))
		return NAN;
	/* Saturated air: the wet-bulb is the dry-bulb exactly. Bisection would stop up to half
	 * its bracket short of it, and a saturated 10.0 C hour would count under "< 10 C". */
	if (w >= wsat)
		return t_c;
	/* The wet-bulb lies between the dew point and the dry-bulb. */
	pw = w * p_pa / (MW_RATIO + w);
	lo = w > 0.0 ? psychro_dew_point_from_pw(pw) : PSYCHRO_T_MIN;
	if (isnan(lo))
		lo = PSYCHRO_T_MIN;
	if (lo > t_c)
		lo = t_c;
	/* Widen the bracket if rounding put the root just below it. */
	while (lo > PSYCHRO_T_MIN && w_from_wet_bulb(t_c, lo, p_pa) > w)
		lo = fmax(lo - 1.0, PSYCHRO_T_MIN);
	if (t_c <= 0.0 || lo >= 0.0)
		return bisect_wet_bulb(t_c, w, p_pa, lo, t_c);

	/*
	 * The bracket spans t* = 0, where the two ASHRAE equations disagree: with the larger
	 * latent heat of sublimation the ice form gives a higher W at t* = 0 than the water form,
	 * so for w between the two there is one root on each side and plain bisection would pick
	 * one arbitrarily, making the wet-bulb jump by up to a few tenths of a kelvin as RH moves.
	 * Outside that band there is exactly one root. Inside it we blend the two roots linearly
	 * in w, which keeps the wet-bulb continuous and monotonic in w (the band is the physical
	 * ambiguity of a wick that may be water or ice at 0 C).
	 */
	w_water0 = w_from_wet_bulb(t_c, 0.0, p_pa);
	w_ice0 = w_from_wet_bulb(t_c, -1e-12, p_pa);
	if (w >= w_ice0)
		return bisect_wet_bulb(t_c, w, p_pa, 0.0, t_c);
	if (w < w_water0)
		return bisect_wet_bulb(t_c, w, p_pa, lo, -1e-12);
	{
		double r_water = bisect_wet_bulb(t_c, w, p_pa, 0.0, t_c);
		double r_ice = bisect_wet_bulb(t_c, w, p_pa, lo, -1e-12);
		double s = (w - w_water0) / (w_ice0 - w_water0);

		return (1.0 - s) * r_ice + s * r_water;
	}
}

double psychro_wet_bulb(double t_c, double rh, double p_pa, enum psychro_rh_ref ref)
{
	double w = psychro_humidity_ratio(t_c, rh, p_pa, ref);

	/* RH >= 100 % is saturation (see psychro_wet_bulb_from_w), whatever it is relative to. */
	if (isfinite(w) && rh >= 1.0)
		return t_c;
	return psychro_wet_bulb_from_w(t_c, w, p_pa);
}

double psychro_enthalpy(double t_c, double w)
{
	if (!t_ok(t_c) || !isfinite(w) || w < 0.0)
		return NAN;
	return 1000.0 * (1.006 * t_c + w * (2501.0 + 1.86 * t_c));
}
