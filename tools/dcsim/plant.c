/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcsim plant model (docs/dcsim.md, "Model"). Pure arithmetic on struct plant; the only
 * randomness is the position-addressable noise of dcsim.h, so a given --seed and simulated
 * instant always give the same powers.
 *
 * Power chain: IT (PDU outputs) -> PDUs (0.5 % loss) -> UPS (4-6 % loss, falling with load)
 * -> utility feeds, which also carry the chiller plant, the CRAH fans and lighting/other.
 * Every watt drawn inside the hall ends up as heat the chiller plant removes.
 */
#include "plant.h"

#include <string.h>

#include "analytics/psychro.h"
#include "racks.h"

#define KWH_PER_WS      (1.0 / 3.6e6)
#define CHILLER_MIN_PLR 0.15 /* minimum part-load ratio of a running chiller */

enum {
	NOISE_IT = 100,
	NOISE_CHW,
	NOISE_CRAH_SUPPLY,
	NOISE_CRAH_INLET = NOISE_CRAH_SUPPLY + 2,
	NOISE_CRAH_RH = NOISE_CRAH_INLET + 2,
	NOISE_VOLT = NOISE_CRAH_RH + 2,
	NOISE_HZ = NOISE_VOLT + 6,
	NOISE_BATT,
};

void plant_params_default(struct plant_params *pp)
{
	memset(pp, 0, sizeof(*pp));
	pp->it_kw = 400.0;
	pp->seed = 1;
	pp->late_k = 2.0;
	pp->hysteresis_k = 1.0;
	pp->min_mode_s = 20 * 60;
	pp->chws_set_c = 15.0;
	pp->chwr_design_c = 21.0;
	pp->approach_tower_k = 3.0;
	pp->approach_hx_k = 2.0;
	pp->tower_min_c = 5.0;
	pp->pdu_start_kwh = 65000.0;
}

static double clamp(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* Water leaving the plate heat exchanger on the economizer side (DOMAIN.md §6). */
static double hx_leaving_c(const struct plant_params *pp, double wetbulb_c)
{
	double tower = fmax(wetbulb_c + pp->approach_tower_k, pp->tower_min_c);

	return tower + pp->approach_hx_k;
}

int plant_ideal_mode(const struct plant_params *pp, double wetbulb_c)
{
	double hx = hx_leaving_c(pp, wetbulb_c);

	if (hx <= pp->chws_set_c)
		return 2;
	if (hx < pp->chwr_design_c)
		return 1;
	return 0;
}

/*
 * The plant's own controller: late by late_k, with hysteresis on the way out but never holding
 * a mode past the point where it is physically impossible, and a minimum time in every mode
 * (RP-1711: >= 20 min on and off).
 */
static int controller_mode(const struct plant *pl, double wetbulb_c)
{
	const struct plant_params *pp = &pl->pp;
	double hx = hx_leaving_c(pp, wetbulb_c);
	double full_in = pp->chws_set_c - pp->late_k, part_in = pp->chwr_design_c - pp->late_k;
	double full_out = fmin(full_in + pp->hysteresis_k, pp->chws_set_c);
	double part_out = fmin(part_in + pp->hysteresis_k, pp->chwr_design_c);
	int want;

	if (hx <= full_in)
		want = 2;
	else if (pl->mode == 2 && hx <= full_out)
		want = 2;
	else if (hx < part_in)
		want = 1;
	else if (pl->mode >= 1 && hx < part_out)
		want = 1;
	else
		want = 0;
	return want;
}

/* Chiller COP from the outdoor wet-bulb: ~5 at mild, 3.5 at hot conditions. */
static double chiller_cop(double wetbulb_c)
{
	return clamp(5.0 - 0.125 * (wetbulb_c - 14.0), 3.5, 5.5);
}

/*
 * Instantaneous powers at time t (everything an energy counter integrates, and what they
 * depend on); energy counters are left alone. The IT and chilled-water noise change the
 * energy, so they are evaluated every step, from cached knots (plant.h).
 */
static void compute(struct plant *pl, time_t t)
{
	const struct plant_params *pp = &pl->pp;
	struct sim_values *v = &pl->v;
	uint64_t seed = pp->seed;
	double tt = (double)t, it_nom = pp->it_kw * 1000.0, q_nom = it_nom * 1.08;
	double hour, ups_rated, ups_loss_frac, q, hx, f, cop, dt_chw, fan_frac, mech;
	time_t lt = t + DCSIM_UTC_OFFSET_S;
	int i, ph;

	hour = (double)(lt % 86400) / 3600.0;
	v->sim_time = tt;

	/* Weather station. */
	v->out_temp_c = pl->wx.temp_c;
	v->out_rh_pct = pl->wx.rh * 100.0;
	if (pp->rh_over_water)
		v->out_rh_pct = 100.0 * psychro_rh_from_dew_point(pl->wx.temp_c, pl->wx.dewpoint_c,
		                                                  PSYCHRO_RH_WATER);
	v->out_dew_c = pl->wx.dewpoint_c;
	v->out_pressure_pa = pl->wx.pressure_pa;
	v->out_wetbulb_c = pl->wx.wetbulb_c;

	/* IT: daily cycle +-10 % peaking at 15:00, 1 % noise on 5-minute knots. */
	v->it_w = it_nom * (1.0 + 0.10 * cos(2.0 * M_PI * (hour - 15.0) / 24.0)) *
	          (1.0 + sim_noise_cached(&pl->knots[KNOT_IT], seed, NOISE_IT, tt, 300.0, 0.01));
	v->pdu_w[0] = 0.52 * v->it_w;
	v->pdu_w[1] = 0.48 * v->it_w;

	/* UPS feeds the PDUs (0.5 % PDU loss); its own loss is 4-6 %, higher at light load. */
	ups_rated = 1.5 * it_nom;
	v->ups_out_w = 1.005 * v->it_w;
	v->ups_load_pct = 100.0 * v->ups_out_w / ups_rated;
	ups_loss_frac = 0.04 + 0.02 * clamp(1.0 - v->ups_out_w / ups_rated, 0.0, 1.0);
	v->ups_in_w = v->ups_out_w * (1.0 + ups_loss_frac);
	v->ups_batt_pct = 100.0;
	/* 10 minutes of autonomy at rated load, inversely with load. */
	v->ups_runtime_s = 600.0 * ups_rated / fmax(v->ups_out_w, 1.0);

	/* Lighting and other: 1 % always, 1.5 % more from 07:00 to 19:00 (about 2 % on average). */
	v->other_w = it_nom * (0.01 + ((hour >= 7.0 && hour < 19.0) ? 0.015 : 0.0));

	/* Heat to remove: everything drawn inside (CRAH fans from the previous step). */
	q = v->ups_in_w + v->other_w + v->crah_fan_w[0] + v->crah_fan_w[1];
	v->cooling_w = q;

	/* CRAH groups: half the heat each; fan power with the cube of speed. */
	for (i = 0; i < 2; i++) {
		double share = q / 2.0 / (q_nom / 2.0);

		v->crah_fan_pct[i] = clamp(70.0 * share, 30.0, 100.0);
		v->crah_fan_w[i] = 0.04 * it_nom * pow(v->crah_fan_pct[i] / 100.0, 3.0);
	}

	/* Chiller plant with a waterside economizer (tower + plate HX), DOMAIN.md §6. */
	hx = hx_leaving_c(pp, pl->wx.wetbulb_c);
	dt_chw = (pp->chwr_design_c - pp->chws_set_c) * q / q_nom;
	v->chws_c = pp->chws_set_c;
	if (pl->mode == 2 && hx > pp->chws_set_c)
		v->chws_c = hx; /* the economizer alone cannot hold the setpoint */
	v->chws_c += sim_noise_cached(&pl->knots[KNOT_CHW], seed, NOISE_CHW, tt, 300.0, 0.1);
	v->chwr_c = v->chws_c + dt_chw;
	f = clamp((v->chwr_c - hx) / fmax(v->chwr_c - pp->chws_set_c, 0.1), 0.0, 1.0);
	if (pl->mode == 2)
		f = 1.0;
	else if (pl->mode == 0)
		f = 0.0;
	cop = chiller_cop(pl->wx.wetbulb_c);
	/*
	 * In partial mode the chiller stays on in series with the HX and cannot unload below its
	 * minimum part-load ratio, so running partial when full free cooling is possible (a late
	 * controller) costs compressor energy.
	 */
	mech = (1.0 - f) * q;
	if (pl->mode == 1 && mech < CHILLER_MIN_PLR * q) {
		mech = CHILLER_MIN_PLR * q;
		f = 1.0 - CHILLER_MIN_PLR;
	}
	v->comp_w = mech / cop;
	v->free_w = f * q;
	v->valve_pct = 100.0 * f;
	v->mode = pl->mode;
	v->ideal_mode = plant_ideal_mode(pp, pl->wx.wetbulb_c);
	v->ideal_margin_k = fmin(fabs(hx - pp->chws_set_c), fabs(hx - pp->chwr_design_c));
	/* Tower fans 0.06 kW per kW rejected, slower when the economizer has margin. */
	fan_frac = 1.0;
	if (pl->mode == 2)
		fan_frac = clamp(1.0 - (pp->chws_set_c - hx) / 8.0, 0.25, 1.0);
	/* Pumps (CHW and condenser water, constant speed): 3 % of design load. */
	v->aux_w = 0.06 * fan_frac * (q + v->comp_w) + 0.03 * q_nom;
	v->plant_w = v->comp_w + v->aux_w;

	/*
	 * Site meters for the energy KPIs. PV: 60 kWp behind the utility meters, a half sine
	 * from 06:00 to 18:00 local. Make-up water: 1.6 L per kWh of heat rejected by the towers
	 * (mechanical and free cooling alike), 5 % of it potable. Heat reuse: 6 % of the heat
	 * removed is handed to a district-heating loop.
	 */
	v->pv_w = (hour >= 6.0 && hour < 18.0) ? 60000.0 * sin(M_PI * (hour - 6.0) / 12.0) : 0.0;
	v->water_m3h = 1.6 * (q + v->comp_w) / 1e6;
	v->reuse_w = 0.06 * q;

	/* Utility feeds: A (SDM630) carries 55 %, B (iEM3xxx) 45 % of what PV does not cover. */
	v->facility_w = v->ups_in_w + v->plant_w + v->crah_fan_w[0] + v->crah_fan_w[1] + v->other_w;
	v->feed_w[0] = 0.55 * (v->facility_w - v->pv_w);
	v->feed_w[1] = 0.45 * (v->facility_w - v->pv_w);
	for (i = 0; i < 2; i++) {
		static const double split[2][3] = {{0.34, 0.33, 0.33}, {0.335, 0.333, 0.332}};

		for (ph = 0; ph < 3; ph++)
			v->feed_phase_w[i][ph] = split[i][ph] * v->feed_w[i];
	}
}

void plant_display(struct plant *pl)
{
	const struct plant_params *pp = &pl->pp;
	struct sim_values *v = &pl->v;
	uint64_t seed = pp->seed;
	double tt = v->sim_time, q_nom = pp->it_kw * 1000.0 * 1.08, q = v->cooling_w;
	int i, ph;

	v->ups_batt_temp_c = 24.0 + sim_noise(seed, NOISE_BATT, tt, 1800.0, 0.3);
	for (i = 0; i < 2; i++) {
		double share = q / 2.0 / (q_nom / 2.0);

		v->crah_supply_c[i] =
		        22.0 + sim_noise(seed, NOISE_CRAH_SUPPLY + (uint64_t)i, tt, 600.0, 0.2);
		v->crah_return_c[i] = v->crah_supply_c[i] + 11.0 * share;
		v->crah_inlet_c[i] =
		        v->crah_supply_c[i] + 1.0 +
		        sim_noise(seed, NOISE_CRAH_INLET + (uint64_t)i, tt, 900.0, 0.3);
		v->crah_rh_pct[i] =
		        45.0 + sim_noise(seed, NOISE_CRAH_RH + (uint64_t)i, tt, 3600.0, 2.0);
	}
	for (i = 0; i < 2; i++) {
		v->feed_hz[i] = 50.0 + sim_noise(seed, NOISE_HZ, tt, 60.0, 0.02);
		for (ph = 0; ph < 3; ph++) {
			v->feed_v[i][ph] =
			        230.0 + sim_noise(seed, NOISE_VOLT + (uint64_t)(3 * i + ph), tt,
			                          120.0, 1.0);
			/* Power factor 0.98. */
			v->feed_a[i][ph] = v->feed_phase_w[i][ph] / (v->feed_v[i][ph] * 0.98);
		}
	}
}

void plant_init(struct plant *pl, const struct plant_params *pp, time_t t0,
                const struct weather_sample *wx)
{
	struct sim_values *v = &pl->v;
	int i, ph;

	memset(pl, 0, sizeof(*pl));
	pl->pp = *pp;
	pl->wx = *wx;
	pl->mode = plant_ideal_mode(pp, wx->wetbulb_c);
	pl->mode = controller_mode(pl, wx->wetbulb_c);
	pl->time_in_mode = pp->min_mode_s;
	/* Twice, so the CRAH fan heat settles. */
	compute(pl, t0);
	compute(pl, t0);
	racks_compute(v, pp->seed, (double)t0, pl->rack_knots);
	plant_display(pl);
	/* Counters start where a plant that has run for a while would be. */
	v->ups_in_kwh = 2150000.0;
	v->ups_out_kwh = 2050000.0;
	v->pdu_kwh[0] = pp->pdu_start_kwh;
	v->pdu_kwh[1] = 20000.0;
	v->plant_kwh = 610000.0;
	v->crah_kwh[0] = 41000.0;
	v->crah_kwh[1] = 39500.0;
	v->other_kwh = 52000.0;
	v->feed_kwh[0] = 52000.0; /* float32 on the SDM630: keep its resolution fine */
	v->feed_kwh[1] = 61000.0;
	for (i = 0; i < 2; i++) {
		for (ph = 0; ph < 3; ph++)
			v->feed_phase_kwh[i][ph] = v->feed_kwh[i] / 3.0;
	}
	v->facility_kwh = v->feed_kwh[0] + v->feed_kwh[1];
	v->pv_kwh = 1200.0;
	v->water_m3 = 3000.0;
	v->potable_m3 = 150.0;
	v->reuse_kwh = 9000.0;
	v->cooling_kwh = 880000.0;
	racks_init(v);
}

void plant_step(struct plant *pl, time_t t, double dt, const struct weather_sample *wx)
{
	struct sim_values *v = &pl->v;
	int want, i, ph;

	pl->wx = *wx;
	pl->time_in_mode += dt;
	want = controller_mode(pl, wx->wetbulb_c);
	if (want != pl->mode && pl->time_in_mode >= pl->pp.min_mode_s) {
		pl->mode = want;
		pl->time_in_mode = 0.0;
	}
	compute(pl, t);
	racks_compute(v, pl->pp.seed, (double)t, pl->rack_knots);
	racks_integrate(v, dt);

	v->ups_in_kwh += v->ups_in_w * dt * KWH_PER_WS;
	v->ups_out_kwh += v->ups_out_w * dt * KWH_PER_WS;
	for (i = 0; i < 2; i++) {
		v->pdu_kwh[i] += v->pdu_w[i] * dt * KWH_PER_WS;
		v->crah_kwh[i] += v->crah_fan_w[i] * dt * KWH_PER_WS;
		v->feed_kwh[i] += v->feed_w[i] * dt * KWH_PER_WS;
		for (ph = 0; ph < 3; ph++)
			v->feed_phase_kwh[i][ph] += v->feed_phase_w[i][ph] * dt * KWH_PER_WS;
	}
	v->plant_kwh += v->plant_w * dt * KWH_PER_WS;
	v->other_kwh += v->other_w * dt * KWH_PER_WS;
	v->facility_kwh += v->facility_w * dt * KWH_PER_WS;
	v->pv_kwh += v->pv_w * dt * KWH_PER_WS;
	v->water_m3 += v->water_m3h * dt / 3600.0;
	v->potable_m3 += 0.05 * v->water_m3h * dt / 3600.0;
	v->reuse_kwh += v->reuse_w * dt * KWH_PER_WS;
	v->cooling_kwh += v->cooling_w * dt * KWH_PER_WS;
}

void plant_replace_feed_meter(struct plant *pl, int feed)
{
	int ph;

	pl->v.feed_kwh[feed] = 0.0;
	for (ph = 0; ph < 3; ph++)
		pl->v.feed_phase_kwh[feed][ph] = 0.0;
}
