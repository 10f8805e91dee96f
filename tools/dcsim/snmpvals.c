/* SPDX-License-Identifier: Apache-2.0 */
/* The integers dcsim's SNMP side serves (snmpvals.h). */
#include "snmpvals.h"

#include <math.h>

long snmpvals_round(double x)
{
	x = nearbyint(x);
	if (!(x >= -2147483648.0))
		return x != x ? 0 : -2147483647L - 1;
	return x > 2147483647.0 ? 2147483647L : (long)x;
}

/* Counters are truncated like the Modbus ones, so SNMP and Modbus never disagree by more
 * than one unit of the coarser register, and neither ever steps back. */
static long trunc_counter(double x)
{
	x = floor(x);
	if (!(x >= 0))
		return 0;
	return x > 2147483647.0 ? 2147483647L : (long)x;
}

/* Phase ph's share of an integer total split over three phases; the shares add up to the
 * total exactly, so the phase table and the device total never disagree. */
static long split3(long total, int ph)
{
	long base = total / SNMPVALS_PHASES, rest = total % SNMPVALS_PHASES;

	return base + (ph < rest ? 1 : 0);
}

void snmpvals_pdu(const struct sim_values *v, int pdu, struct snmpvals_pdu *out)
{
	long hkw = snmpvals_round(v->pdu_w[pdu] / 10.0);
	int ph;

	out->power_hkw = hkw;
	out->apparent_hkva = snmpvals_round(hkw / SNMPVALS_PF);
	out->pf_pct = snmpvals_round(SNMPVALS_PF * 100);
	out->energy_dkwh = trunc_counter(v->pdu_kwh[pdu] * 10.0);
	for (ph = 0; ph < SNMPVALS_PHASES; ph++) {
		long p = split3(hkw, ph);

		out->ph_power_hkw[ph] = p;
		out->ph_current_da[ph] =
		        snmpvals_round(p * 10.0 / (SNMPVALS_NOMINAL_V * SNMPVALS_PF) * 10.0);
		out->ph_voltage_v[ph] = snmpvals_round(SNMPVALS_NOMINAL_V);
		out->ph_apparent_hkva[ph] = snmpvals_round(p / SNMPVALS_PF);
	}
}

void snmpvals_ups(const struct sim_values *v, struct snmpvals_ups *out)
{
	long out_w = snmpvals_round(v->ups_out_w), in_w = snmpvals_round(v->ups_in_w);
	int ln;

	out->runtime_min = snmpvals_round(v->ups_runtime_s / 60.0);
	out->charge_pct = snmpvals_round(v->ups_batt_pct);
	out->batt_temp_c = snmpvals_round(v->ups_batt_temp_c);
	out->freq_dhz = snmpvals_round(v->feed_hz[0] * 10.0);
	for (ln = 0; ln < SNMPVALS_PHASES; ln++) {
		long pi = split3(in_w, ln), po = split3(out_w, ln);

		out->in_voltage_v[ln] = snmpvals_round(SNMPVALS_NOMINAL_V);
		out->in_current_da[ln] =
		        snmpvals_round(pi / (SNMPVALS_NOMINAL_V * SNMPVALS_PF) * 10.0);
		out->in_power_w[ln] = pi;
		out->out_voltage_v[ln] = snmpvals_round(SNMPVALS_NOMINAL_V);
		out->out_current_da[ln] =
		        snmpvals_round(po / (SNMPVALS_NOMINAL_V * SNMPVALS_PF) * 10.0);
		out->out_power_w[ln] = po;
		out->out_load_pct[ln] = snmpvals_round(v->ups_load_pct);
	}
}

void snmpvals_emu(const struct sim_values *v, struct snmpvals_emu *out)
{
	out->temp_c = snmpvals_round(v->out_temp_c);
	out->humidity_pct = snmpvals_round(v->out_rh_pct);
}
