/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The free-cooling (economizer) model: pure functions, no I/O, no allocation except in the
 * what-if (DOMAIN.md §6). From the outdoor state it gives the mode an economizer could run
 * (full free cooling, partial with a load fraction, or mechanical), a changeover controller
 * with hysteresis and minimum on/off times so recommendations do not flap, and a what-if over
 * an hourly weather year: hours per month in each mode and the effect of raising the chilled
 * water (or supply air) setpoint. Used by `greendc freecool` (cli_freecool.c); the equations
 * and defaults are in docs/freecooling.md.
 *
 * Units: degrees C, K for differences, Pa, RH as a fraction, powers in kW, energy in kWh.
 */
#ifndef GREENDC_FREECOOL_H
#define GREENDC_FREECOOL_H

#include "analytics/psychro.h"

#include <stdbool.h>
#include <stddef.h>

enum fc_economizer {
	FC_DIRECT_AIR = 0, /* outside air into the white space */
	FC_INDIRECT_AIR,   /* air-to-air heat exchanger */
	FC_INDIRECT_EVAP,  /* air-to-air HX with evaporative cooling of the outside air */
	FC_TOWER_HX,       /* cooling tower + plate heat exchanger (waterside) */
	FC_DRY_COOLER,     /* dry cooler / free-cooling coil (waterside, sensible only) */
	FC_ECONOMIZER_COUNT
};

/* Integrated: the economizer sits in series ahead of the chiller, so partial free cooling is
 * possible; parallel: either the economizer or the chiller carries the whole load. */
enum fc_piping { FC_INTEGRATED = 0, FC_PARALLEL = 1 };

/* Same numbers as the plant's cooling_mode register in dcsim (docs/dcsim.md). */
enum fc_mode { FC_MECHANICAL = 0, FC_PARTIAL = 1, FC_FREE = 2 };

struct fc_plant {
	enum fc_economizer type;
	enum fc_piping piping;
	double chws_c;             /* chilled-water supply setpoint (waterside) */
	double chwr_c;             /* chilled-water return (design) temperature (waterside) */
	double supply_air_c;       /* supply-air setpoint (airside) */
	double return_air_c;       /* return-air temperature (airside) */
	double approach_tower_k;   /* tower leaving water - wet-bulb */
	double approach_hx_k;      /* plate HX: CHW leaving - tower water entering */
	double approach_dry_k;     /* dry cooler leaving water - dry-bulb */
	double approach_air_k;     /* air-to-air HX: supply air - outdoor air (after evaporation) */
	double evap_effectiveness; /* wet-bulb depression achieved by the evaporative stage */
	double tower_min_c; /* tower water never below this (freeze protection); NAN = none */
	double dp_min_c, dp_max_c; /* direct airside: outdoor dew point must lie within */
	/* IT inlet - supply water (waterside) or supply air (airside); NAN = by type: 8 K for
	 * water (CRAH coil approach + aisle rise, as in dcsim), 1 K for air (unconfirmed) */
	double inlet_over_supply_k;
};

/* The defaults of docs/freecooling.md (tower + plate HX, integrated, 15/21 C, approaches 4/2 K,
 * ASHRAE A1 recommended dew-point band for direct air). */
void freecool_plant_defaults(struct fc_plant *p);

/* "direct-air", "indirect-air", "indirect-evap", "tower", "dry-cooler" and back. */
const char *freecool_economizer_name(enum fc_economizer t);
int freecool_economizer_parse(const char *s, enum fc_economizer *out);
const char *freecool_mode_name(enum fc_mode m);

/* Outdoor state: dry-bulb, wet-bulb and dew point. */
struct fc_outdoor {
	double db_c, wb_c, dp_c;
};

/*
 * Threshold comparisons on computed temperatures. The wet-bulb is solved by bisection to
 * 1e-6 K (psychro.c), so a temperature within FC_TEMP_TOL_K of a threshold is taken as AT it:
 * below() is "< limit" and at_most() "<= limit" up to that tolerance. A tolerance, not
 * rounding, because it changes nothing but the comparison (the reported temperatures stay as
 * solved); its cost is that a value truly within 1e-6 K under a "<" limit is not counted,
 * which no 0.1 K weather record or sensor can resolve (docs/accuracy.md). Saturated air
 * needs no tolerance: its wet-bulb is the dry-bulb exactly.
 */
#define FC_TEMP_TOL_K 1e-6
bool freecool_below(double t_c, double limit_c);
bool freecool_at_most(double t_c, double limit_c);

/* Outdoor state from dry-bulb, dew point and pressure (the EPW case). NAN fields on error.
 * A dew point at or above the dry-bulb is saturation: wet-bulb = dew point = dry-bulb. */
void freecool_outdoor_from_dp(struct fc_outdoor *o, double db_c, double dp_c, double p_pa);

/* From dry-bulb, RH (over ref below 0 C) and pressure (the live sensor case). */
void freecool_outdoor_from_rh(struct fc_outdoor *o, double db_c, double rh, double p_pa,
                              enum psychro_rh_ref ref);

/* The economizer's leaving temperature (water for waterside, air for airside) for this outdoor
 * state; NAN when unknown. */
double freecool_leaving_c(const struct fc_plant *p, const struct fc_outdoor *o);

/* Estimated IT inlet air temperature while the plant holds its supply setpoint. */
double freecool_inlet_c(const struct fc_plant *p);

/* The supply and return temperatures the leaving temperature is compared with. */
double freecool_supply_c(const struct fc_plant *p);
double freecool_return_c(const struct fc_plant *p);

/*
 * The mode available now, ignoring history: full when leaving <= supply (and, for direct air,
 * the dew point is within the band), partial while leaving < return (integrated piping only)
 * with *fraction = clamp((return - leaving) / (return - supply), 0, 1) of the load, mechanical
 * otherwise. *fraction is 1 for full and 0 for mechanical. NAN inputs give mechanical, 0.
 */
enum fc_mode freecool_available(const struct fc_plant *p, const struct fc_outdoor *o,
                                double *fraction);

/*
 * Outdoor thresholds: the governing variable's value at which full free cooling starts
 * (full_c) and partial ends (partial_c): wet-bulb for a tower, dry-bulb for a dry cooler and
 * air-to-air HX and direct air. NAN where no single-variable threshold exists (indirect
 * evaporative depends on both). governs is "wet-bulb" or "dry-bulb".
 */
void freecool_thresholds(const struct fc_plant *p, double *full_c, double *partial_c,
                         const char **governs);

/* ---- changeover controller ---- */

struct fc_ctl_params {
	double hysteresis_k; /* enter a freer mode this far inside its limit; ~1 K */
	double min_on_s;     /* least time in a free-cooling mode before leaving it (20 min) */
	double min_off_s;    /* least time in mechanical before enabling free cooling (20 min) */
};
void freecool_ctl_defaults(struct fc_ctl_params *c);

struct fc_ctl {
	enum fc_mode mode;
	double time_in_mode_s;
	bool started;
};

/*
 * Advance the controller by dt_s with the economizer leaving temperature leaving_c and return
 * the mode to run. Entering full needs leaving <= supply - H, entering partial leaving <
 * return - H; a mode is held while leaving stays within its physical limit (<= supply for
 * full, < return for partial), so the hysteresis never holds a mode the plant cannot deliver.
 * A change waits until the current mode has run its minimum time (min_on_s for full or
 * partial, min_off_s for mechanical). The first call starts in the mode available then.
 */
enum fc_mode freecool_ctl_step(struct fc_ctl *c, const struct fc_ctl_params *cp,
                               const struct fc_plant *p, const struct fc_outdoor *o, double dt_s);

/* ---- what-if over an hourly weather year ---- */

struct fc_hour {
	int month; /* 1..12 */
	struct fc_outdoor o;
};

struct fc_month {
	double hours;
	double free_h, partial_h, mech_h; /* available, per hour of the file */
	double free_equiv_h; /* sum of the free fraction: load-hours the economizer carries */
	double ctl_free_h,
	        ctl_partial_h; /* what the controller would run (hysteresis, min times) */
	unsigned changes;      /* controller mode changes */
	double marginal_h;     /* hours within the hysteresis band of the full free-cooling limit */
};

#define FC_MAX_STEPS 30

struct fc_whatif {
	unsigned steps; /* setpoint steps of 1 K above the base; step 0 is the base */
	struct fc_month m[FC_MAX_STEPS + 1][13]; /* [step][month 1..12]; [step][0] = year */
};

/*
 * Run the plant over n hours at the base setpoints and at +1..+steps K (supply and return
 * both raised, the design delta-T kept) and fill out. 0 or -EINVAL (steps > FC_MAX_STEPS, a
 * month out of range).
 */
int freecool_whatif(const struct fc_plant *p, const struct fc_ctl_params *cp,
                    const struct fc_hour *h, size_t n, unsigned steps, struct fc_whatif *out);

/* The plant with its setpoints raised by k kelvin (what the what-if does per step). */
void freecool_plant_raise(struct fc_plant *p, double k);

/* ---- ASHRAE TC 9.9 envelope (DOMAIN.md §5) ---- */

enum fc_ashrae_class { FC_A1, FC_A2, FC_A3, FC_A4, FC_H1 };

struct fc_envelope {
	double t_min_c, t_max_c;
	double dp_min_c, dp_max_c;
	double rh_max; /* fraction */
};

int freecool_class_parse(const char *s, enum fc_ashrae_class *out);
const char *freecool_class_name(enum fc_ashrae_class c);

/*
 * The IT inlet envelope of a class, recommended or allowable. With derate, the maximum
 * dry-bulb is lowered by 1 K per 300 m above derate_from_m (A1/A2 and, by the same rule,
 * A3/A4; not H1); derate_from_m defaults to 900 m in docs (unconfirmed).
 */
void freecool_envelope(enum fc_ashrae_class c, bool allowable, bool derate, double altitude_m,
                       double derate_from_m, struct fc_envelope *out);

#endif
