/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The integers dcsim's SNMP side serves, computed from the model values in one place so the
 * agent (snmpagent.c) and the history generator (history.c) cannot disagree. Units are the
 * MIBs': APC rPDU2 power in hundredths of kW, energy in tenths of kWh, current in tenths of
 * A; RFC 1628 power in W, current in tenths of A, frequency in tenths of Hz; APC memSensors
 * whole C and %. docs/dcsim.md, "SNMP", lists them by OID.
 */
#ifndef DCSIM_SNMPVALS_H
#define DCSIM_SNMPVALS_H

#include "dcsim.h"

#define SNMPVALS_PHASES    3
#define SNMPVALS_NOMINAL_V 230.0 /* as the utility feeds (plant.c) */
#define SNMPVALS_PF        0.98

/* APC rPDU2: rPDU2DeviceStatusTable and rPDU2PhaseStatusTable. */
struct snmpvals_pdu {
	long power_hkw, apparent_hkva, pf_pct, energy_dkwh;
	long ph_current_da[SNMPVALS_PHASES], ph_voltage_v[SNMPVALS_PHASES];
	long ph_power_hkw[SNMPVALS_PHASES], ph_apparent_hkva[SNMPVALS_PHASES];
};

/* RFC 1628 UPS-MIB: upsBattery, upsInputTable, upsOutputTable. */
struct snmpvals_ups {
	long runtime_min, charge_pct, batt_temp_c, freq_dhz;
	long in_voltage_v[SNMPVALS_PHASES], in_current_da[SNMPVALS_PHASES];
	long in_power_w[SNMPVALS_PHASES];
	long out_voltage_v[SNMPVALS_PHASES], out_current_da[SNMPVALS_PHASES];
	long out_power_w[SNMPVALS_PHASES], out_load_pct[SNMPVALS_PHASES];
};

/* APC memSensorsStatusTable, module 0 sensor 1. */
struct snmpvals_emu {
	long temp_c, humidity_pct;
};

/* Rounded like the Modbus registers (nearbyint), clamped to INTEGER's range. */
long snmpvals_round(double x);

void snmpvals_pdu(const struct sim_values *v, int pdu, struct snmpvals_pdu *out);
void snmpvals_ups(const struct sim_values *v, struct snmpvals_ups *out);
void snmpvals_emu(const struct sim_values *v, struct snmpvals_emu *out);

#endif
