/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcsim ground truth per hour (truth.h). The sums here start from zero every hour, so they
 * carry none of the counters' history (start values, wraps, replacement) and only the
 * rounding of adding 3,600 doubles of similar size (relative error ~1e-13).
 */
#include "truth.h"

#include <errno.h>
#include <string.h>

#include "racks.h"

#define KWH_PER_WS (1.0 / 3.6e6)

void truth_header(FILE *out)
{
	fputs("hour_utc,hour_local,seconds,facility_input_kwh,feed_a_kwh,feed_b_kwh,"
	      "onsite_renewable_kwh,e_dc_kwh,it_ups_output_kwh,it_pdu_output_kwh,pdu_a_kwh,"
	      "pdu_b_kwh,ups_input_kwh,cooling_kwh,chiller_plant_kwh,crah_1_kwh,crah_2_kwh,"
	      "lighting_other_kwh,reused_heat_kwh,heat_removed_kwh,water_intake_l,"
	      "water_potable_l,cool_full_min,cool_partial_min,cool_mech_min,avail_full_min,"
	      "avail_partial_min,avail_mech_min,avail_edge_min,outdoor_db_c,outdoor_wb_c",
	      out);
	for (size_t r = 0; r < DCSIM_RACKS; r++) {
		const char *n = rack_defs[r].name;
		fprintf(out, ",rack_%s_a_kwh,rack_%s_b_kwh", n, n);
		for (int q = 1; q <= 4; q++)
			fprintf(out, ",rack_%s_q%d_kwh", n, q);
	}
	fputc('\n', out);
}

int truth_flush(const struct truth_hour *h, FILE *out)
{
	char utc[32], local[32];
	time_t lt = h->hour + DCSIM_UTC_OFFSET_S;
	struct tm tm;
	double fac, cool;

	if (!out || h->seconds <= 0)
		return 0;
	gmtime_r(&h->hour, &tm);
	strftime(utc, sizeof(utc), "%Y-%m-%dT%H:%M:%SZ", &tm);
	gmtime_r(&lt, &tm);
	strftime(local, sizeof(local), "%Y-%m-%dT%H:%M+0800", &tm);
	fac = h->feed_kwh[0] + h->feed_kwh[1];
	cool = h->plant_kwh + h->crah_kwh[0] + h->crah_kwh[1];
	fprintf(out,
	        "%s,%s,%.0f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,"
	        "%.6f,%.6f,%.6f,%.6f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f",
	        utc, local, h->seconds, fac, h->feed_kwh[0], h->feed_kwh[1], h->pv_kwh,
	        fac + h->pv_kwh, h->ups_out_kwh, h->pdu_kwh[0] + h->pdu_kwh[1], h->pdu_kwh[0],
	        h->pdu_kwh[1], h->ups_in_kwh, cool, h->plant_kwh, h->crah_kwh[0], h->crah_kwh[1],
	        h->other_kwh, h->reuse_kwh, h->heat_removed_kwh, h->water_l, h->potable_l,
	        h->mode_s[2] / 60.0, h->mode_s[1] / 60.0, h->mode_s[0] / 60.0, h->avail_s[2] / 60.0,
	        h->avail_s[1] / 60.0, h->avail_s[0] / 60.0, h->edge_s / 60.0,
	        h->db_sum / h->seconds, h->wb_sum / h->seconds);
	for (size_t r = 0; r < DCSIM_RACKS; r++) {
		fprintf(out, ",%.6f,%.6f", h->rack_kwh[r][0], h->rack_kwh[r][1]);
		for (int q = 0; q < 4; q++)
			fprintf(out, ",%.6f", h->rack_q_kwh[r][q]);
	}
	fputc('\n', out);
	if (fflush(out) != 0 || ferror(out))
		return -EIO;
	return 0;
}

static int mode_index(double m)
{
	return m >= 1.5 ? 2 : m >= 0.5 ? 1 : 0;
}

int truth_add(struct truth_hour *h, const struct sim_values *v, time_t t, double dt, FILE *out)
{
	/* The interval (t - dt, t] belongs to the hour holding its start. */
	time_t start = t - (time_t)dt, hour = start - ((start % 3600) + 3600) % 3600;
	double e = dt * KWH_PER_WS, water_l = v->water_m3h * dt / 3600.0 * 1000.0;
	int i, rc = 0;

	if (hour != h->hour) {
		if (h->seconds > 0)
			rc = truth_flush(h, out);
		memset(h, 0, sizeof(*h));
		h->hour = hour;
	}
	h->seconds += dt;
	for (i = 0; i < 2; i++) {
		h->feed_kwh[i] += v->feed_w[i] * e;
		h->pdu_kwh[i] += v->pdu_w[i] * e;
		h->crah_kwh[i] += v->crah_fan_w[i] * e;
	}
	h->pv_kwh += v->pv_w * e;
	h->ups_out_kwh += v->ups_out_w * e;
	h->ups_in_kwh += v->ups_in_w * e;
	h->plant_kwh += v->plant_w * e;
	h->other_kwh += v->other_w * e;
	h->reuse_kwh += v->reuse_w * e;
	h->heat_removed_kwh += v->cooling_w * e;
	h->water_l += water_l;
	h->potable_l += 0.05 * water_l;
	h->mode_s[mode_index(v->mode)] += dt;
	h->avail_s[mode_index(v->ideal_mode)] += dt;
	if (v->ideal_margin_k <= TRUTH_EDGE_K)
		h->edge_s += dt;
	h->db_sum += v->out_temp_c * dt;
	h->wb_sum += v->out_wetbulb_c * dt;
	int q = (int)((start - hour) / 900);
	for (size_t r = 0; r < DCSIM_RACKS; r++) {
		h->rack_kwh[r][0] += v->rack_w[r][0] * e;
		h->rack_kwh[r][1] += v->rack_w[r][1] * e;
		h->rack_q_kwh[r][q] += (v->rack_w[r][0] + v->rack_w[r][1]) * e;
	}
	return rc;
}
