/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Psychrometrics of moist air: pure functions, no state, no I/O (DOMAIN.md §4, after ASHRAE
 * Handbook Fundamentals ch. 1). The cooling analytics use them for wet-bulb and dew point from a
 * weather station's dry-bulb, RH and station pressure; tools/dcsim uses them to drive its
 * simulated chiller plant.
 *
 * Units: temperatures in degrees C, pressures in Pa, relative humidity as a fraction (0..1, not
 * %), humidity ratio in kg water per kg dry air, enthalpy in J per kg dry air.
 *
 * Every function returns NAN for an invalid input (non-finite values, RH outside 0..1.05,
 * temperatures outside the -100..200 C validity range of Hyland-Wexler, a vapour pressure not
 * below the total pressure) rather than a plausible-looking wrong number. RH between 1.0 and
 * 1.05 is accepted, because real sensors read slightly above saturation, and treated as 1.0.
 */
#ifndef GREENDC_PSYCHRO_H
#define GREENDC_PSYCHRO_H

/* Bounds of the inputs the functions accept. */
#define PSYCHRO_T_MIN  -100.0
#define PSYCHRO_T_MAX  200.0
#define PSYCHRO_RH_MAX 1.05
/* Below this the saturation pressure is taken over ice, above it over liquid water (K - 273.15). */
#define PSYCHRO_TRIPLE_POINT_C 0.01

/*
 * What a sensor's RH is relative to below 0 C. ASHRAE's equations and EPW weather files use
 * saturation over ice below the triple point (PSYCHRO_RH_ICE); many electronic sensors and the
 * WMO convention report RH relative to (supercooled) water at all temperatures
 * (PSYCHRO_RH_WATER). Above 0.01 C the two are identical. A per-sensor setting.
 */
enum psychro_rh_ref {
	PSYCHRO_RH_ICE = 0,
	PSYCHRO_RH_WATER = 1,
};

/* Saturation vapour pressure over liquid water (Hyland-Wexler), valid also supercooled. */
double psychro_pws_water(double t_c);

/* Saturation vapour pressure over ice (Hyland-Wexler); NAN above the triple point. */
double psychro_pws_ice(double t_c);

/* Saturation vapour pressure, over ice for t <= 0.01 C and over water above (ASHRAE). */
double psychro_pws(double t_c);

/* Standard-atmosphere pressure at altitude z metres: 101325 (1 - 2.25577e-5 z)^5.2559 Pa. */
double psychro_pressure_at_altitude(double z_m);

/* Partial pressure of water vapour for dry-bulb t and relative humidity rh given over ref. */
double psychro_vapour_pressure(double t_c, double rh, enum psychro_rh_ref ref);

/* Humidity ratio W = 0.621945 pw / (p - pw) from a vapour pressure and the total pressure. */
double psychro_humidity_ratio_from_pw(double pw_pa, double p_pa);

/* Humidity ratio from dry-bulb, RH (over ref) and total pressure. */
double psychro_humidity_ratio(double t_c, double rh, double p_pa, enum psychro_rh_ref ref);

/* Saturation humidity ratio at t and total pressure p (over ice at or below 0.01 C). */
double psychro_humidity_ratio_sat(double t_c, double p_pa);

/*
 * Dew point: the temperature at which psychro_pws() equals pw, i.e. the inverse of pws. Below
 * the triple point this is the frost point (over ice), as in ASHRAE. Newton iteration to better
 * than 1e-6 K.
 */
double psychro_dew_point_from_pw(double pw_pa);

/* Dew (frost) point from dry-bulb and RH (over ref). Never above t. */
double psychro_dew_point(double t_c, double rh, enum psychro_rh_ref ref);

/* RH (over ref) from dry-bulb and dew (frost) point; NAN if td > t by more than 0.01 K. */
double psychro_rh_from_dew_point(double t_c, double td_c, enum psychro_rh_ref ref);

/*
 * Thermodynamic wet-bulb from dry-bulb t, humidity ratio W and total pressure p: solves
 * W(t*) = W (ASHRAE ch. 1 eqs. 33 and 35, the ice form below 0 C) by bisection between the dew
 * point and t, to 1e-6 K. Where the two forms overlap at t* = 0 (a band of W, about 0.03 of RH
 * wide, in which one root exists on each side of 0 C) the two roots are blended linearly in W
 * so that the result stays continuous and monotonic; see psychro.c.
 */
double psychro_wet_bulb_from_w(double t_c, double w, double p_pa);

/* Wet-bulb from dry-bulb, RH (over ref) and total pressure. */
double psychro_wet_bulb(double t_c, double rh, double p_pa, enum psychro_rh_ref ref);

/* Moist-air enthalpy h = 1000 (1.006 t + W (2501 + 1.86 t)) J/kg dry air. */
double psychro_enthalpy(double t_c, double w);

#endif
