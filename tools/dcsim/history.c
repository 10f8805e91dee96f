/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcsim history generator (history.h). The series table below is etc/demo.yaml seen from the
 * store: each device entry's name and labels, each profile point's metric, labels and scale,
 * and which dcsim register or SNMP variable feeds it. test/integration/test_truth_live.sh
 * checks that a live greendcd on dcsim stores exactly these series and no others (besides its
 * own greendc_* health series), so the table cannot drift from the config unnoticed.
 */
#include "history.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "racks.h"
#include "regmap.h"
#include "snmpvals.h"

/* Where a series' value comes from. */
enum src {
	S_REG, /* a Modbus register: unit + key */
	S_PDU, /* an rPDU2 variable of PDU `idx` */
	S_UPS, /* a UPS-MIB variable */
	S_EMU, /* a memSensors variable */
};

/* SNMP variables (snmpvals.h); `ph` picks the phase/line of the per-phase ones. */
enum field {
	F_NONE,
	F_PDU_POWER,
	F_PDU_APPARENT,
	F_PDU_PF,
	F_PDU_ENERGY,
	F_PDU_PH_CURRENT,
	F_PDU_PH_VOLTAGE,
	F_PDU_PH_POWER,
	F_UPS_OUT_POWER,
	F_UPS_OUT_CURRENT,
	F_UPS_OUT_VOLTAGE,
	F_UPS_OUT_LOAD,
	F_UPS_IN_VOLTAGE,
	F_UPS_IN_POWER,
	F_UPS_IN_CURRENT,
	F_UPS_IN_FREQ,
	F_UPS_CHARGE,
	F_UPS_RUNTIME,
	F_UPS_BATT_TEMP,
	F_EMU_TEMP,
	F_EMU_RH,
};

struct hseries {
	const char *device, *metric, *labels; /* labels as "k=v;k=v", keys sorted */
	const char *phys; /* the physical device (a gap silences all its views) */
	enum src src;
	unsigned unit;    /* S_REG */
	const char *key;  /* S_REG: regmap key */
	int idx;          /* S_PDU: 0 = A, 1 = B */
	enum field field; /* SNMP */
	int ph;           /* SNMP per-phase: 0..2 */
	double scale;     /* SNMP: the profile's scale */
	int snmp_view;    /* one of the demo's SNMP second views */
	int wraps16;      /* PDU A's 16-bit energy register (--no-wrap writes it unwrapped) */
};

/* The free-cooling calculator's inputs (etc/demo.yaml cooling:), read every fc_step. */
static int is_fc_input(const struct hseries *h)
{
	return strcmp(h->phys, "weather") == 0 || strcmp(h->phys, "chiller-plant") == 0;
}

/* clang-format off */
#define L_UA "feed=A;hall=A;role=facility_input"
#define L_UB "feed=B;hall=A;role=facility_input"
#define L_UPS "hall=A;role=ups_output"
#define L_COOL "hall=A;role=cooling"
#define REG(dev, metric, labels, unit, key) {dev, metric, labels, dev, S_REG, unit, key, 0, F_NONE, 0, 0, 0, 0}
#define CRAH(dev, unit) \
	REG(dev, "power_w", L_COOL, unit, "fan_power_w"), \
	REG(dev, "supply_air_temp_c", L_COOL, unit, "supply_air_c"), \
	REG(dev, "return_air_temp_c", L_COOL, unit, "return_air_c"), \
	REG(dev, "inlet_temp_c", L_COOL, unit, "it_inlet_c"), \
	REG(dev, "fan_speed_pct", L_COOL, unit, "fan_speed_pct"), \
	REG(dev, "energy_kwh", L_COOL, unit, "energy_kwh"), \
	REG(dev, "humidity_pct", L_COOL, unit, "room_rh_pct")
#define SNMP(dev, phys, metric, labels, src, idx, field, ph, scale) \
	{dev, metric, labels, phys, src, 0, NULL, idx, field, ph, scale, 1, 0}
#define PDU_SNMP(dev, phys, i, row) \
	SNMP(dev, phys, "power_w", "hall=A;role=snmp_view;row=" row, S_PDU, i, F_PDU_POWER, 0, 10), \
	SNMP(dev, phys, "apparent_power_va", "hall=A;role=snmp_view;row=" row, S_PDU, i, F_PDU_APPARENT, 0, 10), \
	SNMP(dev, phys, "power_factor", "hall=A;role=snmp_view;row=" row, S_PDU, i, F_PDU_PF, 0, 0.01), \
	SNMP(dev, phys, "energy_kwh", "hall=A;role=snmp_view;row=" row, S_PDU, i, F_PDU_ENERGY, 0, 0.1), \
	SNMP(dev, phys, "current_a", "hall=A;phase=1;role=snmp_view;row=" row, S_PDU, i, F_PDU_PH_CURRENT, 0, 0.1), \
	SNMP(dev, phys, "current_a", "hall=A;phase=2;role=snmp_view;row=" row, S_PDU, i, F_PDU_PH_CURRENT, 1, 0.1), \
	SNMP(dev, phys, "current_a", "hall=A;phase=3;role=snmp_view;row=" row, S_PDU, i, F_PDU_PH_CURRENT, 2, 0.1), \
	SNMP(dev, phys, "voltage_v", "hall=A;phase=1;role=snmp_view;row=" row, S_PDU, i, F_PDU_PH_VOLTAGE, 0, 1), \
	SNMP(dev, phys, "voltage_v", "hall=A;phase=2;role=snmp_view;row=" row, S_PDU, i, F_PDU_PH_VOLTAGE, 1, 1), \
	SNMP(dev, phys, "voltage_v", "hall=A;phase=3;role=snmp_view;row=" row, S_PDU, i, F_PDU_PH_VOLTAGE, 2, 1), \
	SNMP(dev, phys, "power_w", "hall=A;phase=1;role=snmp_view;row=" row, S_PDU, i, F_PDU_PH_POWER, 0, 10), \
	SNMP(dev, phys, "power_w", "hall=A;phase=2;role=snmp_view;row=" row, S_PDU, i, F_PDU_PH_POWER, 1, 10), \
	SNMP(dev, phys, "power_w", "hall=A;phase=3;role=snmp_view;row=" row, S_PDU, i, F_PDU_PH_POWER, 2, 10)
#define UPS_PH(metric, extra, field, scale) \
	SNMP("ups-snmp", "ups", metric, "hall=A;phase=1;role=snmp_view" extra, S_UPS, 0, field, 0, scale), \
	SNMP("ups-snmp", "ups", metric, "hall=A;phase=2;role=snmp_view" extra, S_UPS, 0, field, 1, scale), \
	SNMP("ups-snmp", "ups", metric, "hall=A;phase=3;role=snmp_view" extra, S_UPS, 0, field, 2, scale)

static const struct hseries base_series[] = {
	/* utility-a: meter/eastron-sdm630 (unit 1) */
	REG("utility-a", "power_w", L_UA, 1, "power_w"),
	REG("utility-a", "power_w", "feed=A;hall=A;phase=L1;role=facility_input", 1, "power_l1"),
	REG("utility-a", "power_w", "feed=A;hall=A;phase=L2;role=facility_input", 1, "power_l2"),
	REG("utility-a", "power_w", "feed=A;hall=A;phase=L3;role=facility_input", 1, "power_l3"),
	REG("utility-a", "energy_kwh", L_UA, 1, "import_kwh"),
	REG("utility-a", "energy_export_kwh", L_UA, 1, "export_kwh"),
	/* utility-b: meter/schneider-iem3xxx (unit 2) */
	REG("utility-b", "power_w", L_UB, 2, "power_w"),
	REG("utility-b", "power_w", "feed=B;hall=A;phase=L1;role=facility_input", 2, "power_l1"),
	REG("utility-b", "power_w", "feed=B;hall=A;phase=L2;role=facility_input", 2, "power_l2"),
	REG("utility-b", "power_w", "feed=B;hall=A;phase=L3;role=facility_input", 2, "power_l3"),
	REG("utility-b", "energy_kwh", L_UB, 2, "import_kwh"),
	REG("utility-b", "energy_export_kwh", L_UB, 2, "export_kwh"),
	REG("utility-b", "energy_kwh", "feed=B;hall=A;phase=L1;role=facility_input", 2, "import_kwh_l1"),
	REG("utility-b", "energy_kwh", "feed=B;hall=A;phase=L2;role=facility_input", 2, "import_kwh_l2"),
	REG("utility-b", "energy_kwh", "feed=B;hall=A;phase=L3;role=facility_input", 2, "import_kwh_l3"),
	/* ups: sim/dcsim-ups (unit 10) */
	REG("ups", "power_w", L_UPS ";side=input", 10, "input_power_w"),
	REG("ups", "power_w", L_UPS ";side=output", 10, "output_power_w"),
	REG("ups", "energy_kwh", L_UPS ";side=output", 10, "output_energy_kwh"),
	REG("ups", "energy_kwh", L_UPS ";side=input", 10, "input_energy_kwh"),
	REG("ups", "load_pct", L_UPS, 10, "load_pct"),
	REG("ups", "battery_charge_pct", L_UPS, 10, "battery_charge_pct"),
	REG("ups", "battery_temp_c", L_UPS, 10, "battery_temp_c"),
	REG("ups", "runtime_s", L_UPS, 10, "runtime_s"),
	/* pdu-a: sim/dcsim-pdu (unit 11, the 16-bit kWh register); pdu-b: sim/dcsim-pdu-wh32 */
	REG("pdu-a", "power_w", "hall=A;role=pdu_output;row=1", 11, "power_w"),
	{"pdu-a", "energy_kwh", "hall=A;role=pdu_output;row=1", "pdu-a", S_REG, 11, "energy_kwh_16", 0, F_NONE, 0, 0, 0, 1},
	REG("pdu-b", "power_w", "hall=A;role=pdu_output;row=2", 12, "power_w"),
	REG("pdu-b", "energy_kwh", "hall=A;role=pdu_output;row=2", 12, "energy_kwh_32"),
	/* chiller-plant: sim/dcsim-chiller-plant (unit 20) */
	REG("chiller-plant", "power_w", L_COOL, 20, "power_w"),
	REG("chiller-plant", "compressor_power_w", L_COOL, 20, "compressor_power_w"),
	REG("chiller-plant", "energy_kwh", L_COOL, 20, "energy_kwh"),
	REG("chiller-plant", "heat_kwh", L_COOL, 20, "cooling_kwh"),
	REG("chiller-plant", "cooling_w", L_COOL, 20, "cooling_w"),
	REG("chiller-plant", "free_cooling_w", L_COOL, 20, "free_cooling_w"),
	REG("chiller-plant", "chw_supply_temp_c", L_COOL, 20, "chw_supply_c"),
	REG("chiller-plant", "chw_return_temp_c", L_COOL, 20, "chw_return_c"),
	REG("chiller-plant", "free_cooling_pct", L_COOL, 20, "free_cooling_pct"),
	REG("chiller-plant", "cooling_mode", L_COOL, 20, "cooling_mode"),
	/* crah-1, crah-2: sim/dcsim-crah (units 21, 22) */
	CRAH("crah-1", 21),
	CRAH("crah-2", 22),
	/* other: sim/dcsim-other-load (unit 30) */
	REG("other", "power_w", "hall=A;role=other", 30, "power_w"),
	REG("other", "energy_kwh", "hall=A;role=other", 30, "energy_kwh"),
	/* weather: sim/dcsim-weather (unit 40) */
	REG("weather", "outdoor_temp_c", "role=weather", 40, "temp_c"),
	REG("weather", "outdoor_rh_pct", "role=weather", 40, "rh_pct"),
	REG("weather", "outdoor_dewpoint_c", "role=weather", 40, "dewpoint_c"),
	REG("weather", "outdoor_pressure_pa", "role=weather", 40, "pressure_pa"),
	/* water, pv, heat-reuse: sim/dcsim-water-meter, -pv-meter, -heat-meter (50-52) */
	REG("water", "water_flow_m3h", "role=water", 50, "flow_m3h"),
	REG("water", "water_m3", "role=water;water=intake", 50, "intake_m3"),
	REG("water", "water_m3", "role=water;water=potable", 50, "potable_m3"),
	REG("pv", "power_w", "role=onsite_renewable", 51, "power_w"),
	REG("pv", "energy_kwh", "role=onsite_renewable", 51, "energy_kwh"),
	REG("heat-reuse", "heat_kwh", "role=heat_reuse", 52, "heat_kwh"),
	/* The SNMP second views: pdu/apc-rpdu2, ups/ups-mib, environment/apc-emu. */
	PDU_SNMP("pdu-a-snmp", "pdu-a", 0, "1"),
	PDU_SNMP("pdu-b-snmp", "pdu-b", 1, "2"),
	UPS_PH("power_w", "", F_UPS_OUT_POWER, 1),
	UPS_PH("current_a", "", F_UPS_OUT_CURRENT, 0.1),
	UPS_PH("voltage_v", "", F_UPS_OUT_VOLTAGE, 1),
	UPS_PH("load_pct", "", F_UPS_OUT_LOAD, 1),
	UPS_PH("voltage_v", ";side=input", F_UPS_IN_VOLTAGE, 1),
	/* upsInputTruePower, upsInputCurrent, upsInputFrequency (ups/ups-mib reads them) */
	UPS_PH("power_w", ";side=input", F_UPS_IN_POWER, 1),
	UPS_PH("current_a", ";side=input", F_UPS_IN_CURRENT, 0.1),
	UPS_PH("frequency_hz", ";side=input", F_UPS_IN_FREQ, 0.1),
	SNMP("ups-snmp", "ups", "battery_charge_pct", "hall=A;role=snmp_view", S_UPS, 0, F_UPS_CHARGE, 0, 1),
	SNMP("ups-snmp", "ups", "runtime_s", "hall=A;role=snmp_view", S_UPS, 0, F_UPS_RUNTIME, 0, 60),
	SNMP("ups-snmp", "ups", "battery_temp_c", "hall=A;role=snmp_view", S_UPS, 0, F_UPS_BATT_TEMP, 0, 1),
	SNMP("weather-snmp", "weather", "temp_c", "role=snmp_view;sensor=1;unit=0", S_EMU, 0, F_EMU_TEMP, 0, 1),
	SNMP("weather-snmp", "weather", "humidity_pct", "role=snmp_view;sensor=1;unit=0", S_EMU, 0, F_EMU_RH, 0, 1),
};
/* clang-format on */

#define N_BASE (sizeof(base_series) / sizeof(base_series[0]))
/* Per rack PDU: power, energy, 3 currents, and 4 outlets' power and energy where metered. */
#define N_RACK_SERIES (DCSIM_RACKS * 2 * (5 + 2 * RACK_OUTLETS))
#define N_SERIES      (N_BASE + N_RACK_SERIES)

/* The rack PDUs' series (etc/demo.yaml: labels hall, row, rack, feed and role rack_pdu; the
 * profiles sim/dcsim-rack-pdu and -outlets), into out; the count. Strings in static storage. */
static size_t rack_series(struct hseries *out)
{
	static char dev[DCSIM_RACKS * 2][24], lab[N_RACK_SERIES][96];
	static char keys[2 * RACK_OUTLETS][24];
	static const char *const phase_key[3] = {"current_l1", "current_l2", "current_l3"};
	size_t n = 0;
	for (int o = 0; o < RACK_OUTLETS; o++) {
		snprintf(keys[2 * o], sizeof(keys[0]), "outlet%d_power_w", o + 1);
		snprintf(keys[2 * o + 1], sizeof(keys[0]), "outlet%d_energy_wh", o + 1);
	}
	for (size_t r = 0; r < DCSIM_RACKS; r++) {
		const struct rack_def *d = &rack_defs[r];
		for (int f = 0; f < 2; f++) {
			char *name = dev[2 * r + (size_t)f];
			unsigned unit = RACK_UNIT0 + 2 * (unsigned)r + (unsigned)f;
			char feed = f ? 'B' : 'A';
			rack_pdu_name(r, f, name, sizeof(dev[0]));
			for (int k = 0; k < 5 + (d->outlets ? 2 * RACK_OUTLETS : 0); k++) {
				struct hseries *h = &out[n];
				char *l = lab[n++];
				*h = (struct hseries){.device = name,
				                      .phys = name,
				                      .src = S_REG,
				                      .unit = unit,
				                      .labels = l};
				if (k < 2) {
					h->metric = k ? "energy_kwh" : "power_w";
					h->key = k ? "energy_wh" : "power_w";
					snprintf(l, 96,
					         "feed=%c;hall=A;rack=%s;role=rack_pdu;row=%s",
					         feed, d->name, d->row);
				} else if (k < 5) {
					h->metric = "current_a";
					h->key = phase_key[k - 2];
					snprintf(l, 96,
					         "feed=%c;hall=A;phase=L%d;rack=%s;role=rack_pdu;"
					         "row=%s",
					         feed, k - 1, d->name, d->row);
				} else {
					int o = (k - 5) / 2;
					h->metric = (k - 5) % 2 ? "energy_kwh" : "power_w";
					h->key = keys[k - 5];
					snprintf(l, 96,
					         "feed=%c;hall=A;outlet=%d;rack=%s;role=rack_pdu;"
					         "row=%s",
					         feed, o + 1, d->name, d->row);
				}
			}
		}
	}
	return n;
}

/* The SNMP values of one instant. */
struct snmp_now {
	struct snmpvals_pdu pdu[2];
	struct snmpvals_ups ups;
	struct snmpvals_emu emu;
};

static long snmp_field(const struct hseries *h, const struct snmp_now *n)
{
	const struct snmpvals_pdu *p = &n->pdu[h->idx];
	const struct snmpvals_ups *u = &n->ups;

	switch (h->field) {
	case F_PDU_POWER:
		return p->power_hkw;
	case F_PDU_APPARENT:
		return p->apparent_hkva;
	case F_PDU_PF:
		return p->pf_pct;
	case F_PDU_ENERGY:
		return p->energy_dkwh;
	case F_PDU_PH_CURRENT:
		return p->ph_current_da[h->ph];
	case F_PDU_PH_VOLTAGE:
		return p->ph_voltage_v[h->ph];
	case F_PDU_PH_POWER:
		return p->ph_power_hkw[h->ph];
	case F_UPS_OUT_POWER:
		return u->out_power_w[h->ph];
	case F_UPS_OUT_CURRENT:
		return u->out_current_da[h->ph];
	case F_UPS_OUT_VOLTAGE:
		return u->out_voltage_v[h->ph];
	case F_UPS_OUT_LOAD:
		return u->out_load_pct[h->ph];
	case F_UPS_IN_VOLTAGE:
		return u->in_voltage_v[h->ph];
	case F_UPS_IN_POWER:
		return u->in_power_w[h->ph];
	case F_UPS_IN_CURRENT:
		return u->in_current_da[h->ph];
	case F_UPS_IN_FREQ:
		return u->freq_dhz;
	case F_UPS_CHARGE:
		return u->charge_pct;
	case F_UPS_RUNTIME:
		return u->runtime_min;
	case F_UPS_BATT_TEMP:
		return u->batt_temp_c;
	case F_EMU_TEMP:
		return n->emu.temp_c;
	case F_EMU_RH:
		return n->emu.humidity_pct;
	case F_NONE:
		break;
	}
	return 0;
}

/* Digits of n >= 0 with d decimals into buf (no sign); returns the length. */
static int fmt_fixed(unsigned long long n, int d, char *buf)
{
	char tmp[32];
	int len = 0, i = 0;

	do {
		tmp[len++] = (char)('0' + n % 10);
		n /= 10;
	} while (n || len <= d);
	while (len > 0) {
		if (len == d)
			buf[i++] = '.';
		buf[i++] = tmp[--len];
	}
	return i;
}

/*
 * A decimal that reads back as exactly x (the double a poller would have stored). Most
 * register values are an integer times a power of ten: n / 10^d is then the correctly rounded
 * quotient, the same double strtod() gives for "n with d decimals", so that is written.
 * Others (float32 meters) take 15 significant digits when they round-trip, else 17.
 */
static int fmt_value(double x, char *buf, size_t len)
{
	static const double p10[] = {1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
	int d, n;

	for (d = 0; d < (int)(sizeof(p10) / sizeof(p10[0])); d++) {
		double y = nearbyint(x * p10[d]);

		if (!(fabs(y) < 9e15))
			break;
		if (y / p10[d] == x) {
			n = 0;
			if (y < 0)
				buf[n++] = '-';
			n += fmt_fixed((unsigned long long)fabs(y), d, buf + n);
			buf[n] = '\0';
			return n;
		}
	}
	n = snprintf(buf, len, "%.15g", x);
	if (strtod(buf, NULL) != x)
		n = snprintf(buf, len, "%.17g", x);
	return n;
}

/* Is the physical device `phys` silent at reading t? */
static int in_gap(const struct history_opts *o, const char *phys, time_t t)
{
	return o->gap_s > 0 && strcmp(phys, "pdu-b") == 0 && t > o->gap_from &&
	       t < o->gap_from + o->gap_s;
}

/* One reading: a row for every series read at the model's current instant (all of them at
 * multiples of step, only the free-cooling inputs in between). */
static void write_reading(const struct sim *s, const struct history_opts *o,
                          const struct hseries *series, size_t nseries,
                          const struct reg_def *const *regs, FILE *out, struct history_stats *st)
{
	const struct sim_values *v = &s->pl.v;
	int all = s->t % o->step == 0;
	struct snmp_now n;
	char ts[32], row[256];
	struct tm tm;
	size_t i, tl;

	gmtime_r(&s->t, &tm);
	tl = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ,", &tm);
	if (o->snmp_views) {
		snmpvals_pdu(v, 0, &n.pdu[0]);
		snmpvals_pdu(v, 1, &n.pdu[1]);
		snmpvals_ups(v, &n.ups);
		snmpvals_emu(v, &n.emu);
	}
	for (i = 0; i < nseries; i++) {
		const struct hseries *h = &series[i];
		size_t len = tl, dl = strlen(h->device), ml = strlen(h->metric);
		size_t ll = strlen(h->labels);
		double x;

		if ((h->snmp_view && !o->snmp_views) || in_gap(o, h->phys, s->t) ||
		    (!all && !is_fc_input(h)))
			continue;
		if (h->src == S_REG)
			x = h->wraps16 && !o->wrap ? regmap_served_unwrapped(regs[i], v)
			                           : regmap_served(regs[i], v);
		else
			x = (double)snmp_field(h, &n) * h->scale;
		/* timestamp,device,metric,value,labels: every part is short (the table's). */
		memcpy(row, ts, tl);
		memcpy(row + len, h->device, dl);
		len += dl;
		row[len++] = ',';
		memcpy(row + len, h->metric, ml);
		len += ml;
		row[len++] = ',';
		len += (size_t)fmt_value(x, row + len, 40);
		row[len++] = ',';
		memcpy(row + len, h->labels, ll);
		len += ll;
		row[len++] = '\n';
		fwrite(row, 1, len, out);
		st->rows++;
	}
	st->readings++;
}

int history_write(struct sim *s, const struct history_opts *o, FILE *out, struct history_stats *st,
                  char *err, size_t errlen)
{
	static struct hseries series[N_SERIES];
	const struct reg_def *regs[N_SERIES];
	size_t i, n;
	time_t t;

	memcpy(series, base_series, sizeof(base_series));
	n = N_BASE + rack_series(series + N_BASE);
	memset(st, 0, sizeof(*st));
	for (i = 0; i < n; i++) {
		regs[i] = NULL;
		if (series[i].src != S_REG)
			continue;
		regs[i] = regmap_find(series[i].unit, series[i].key);
		if (!regs[i]) {
			snprintf(err, errlen, "history: no register %u/%s (regmap.c)",
			         series[i].unit, series[i].key);
			return -EINVAL;
		}
	}
	for (i = 0; i < n; i++)
		st->series += !series[i].snmp_view || o->snmp_views;
	fputs("timestamp,device,metric,value,labels\n", out);
	for (t = o->skip_first ? s->t + o->fc_step : s->t; t <= o->end; t += o->fc_step) {
		if (sim_advance(s, t) < 0) {
			snprintf(err, errlen, "truth: %s", strerror(EIO));
			return -EIO;
		}
		write_reading(s, o, series, n, regs, out, st);
		if (o->replace_at && t == o->replace_at)
			plant_replace_feed_meter(&s->pl, 1);
		if (ferror(out)) {
			snprintf(err, errlen, "history: write error");
			return -EIO;
		}
	}
	return 0;
}
