/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcsim register maps (docs/dcsim.md, "Devices and registers"). Two devices copy real public
 * maps so the real meter profiles read them: unit 1 is an Eastron SDM630 (FC4, float32 ABCD)
 * and unit 2 a Schneider iEM3xxx (FC3, float32 kW and INT64 Wh). The others are dcsim's own
 * maps in the style of real controllers: FC3, scaled integers, 32-bit values high word first,
 * and the simulated unix time in registers 0-1.
 */
#include "regmap.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

enum reg_type { R_U16, R_S16, R_U32, R_F32, R_I64 };

static const char *const type_names[] = {"uint16", "int16", "uint32", "float32", "int64"};
static const int type_words[] = {1, 1, 2, 2, 4};

#define ZERO     SIZE_MAX /* a register that always reads 0 */
#define V(field) offsetof(struct sim_values, field)

struct reg_def {
	unsigned char unit;
	unsigned char fc; /* 3 holding, 4 input */
	unsigned short addr;
	enum reg_type type;
	double scale; /* value = raw * scale */
	int counter;  /* truncate, and wrap at the register width */
	size_t off;   /* into struct sim_values, or ZERO */
	const char *key;
	const char *what;
};

struct unit_def {
	unsigned char id;
	const char *name;
	const char *profile;
	const char *what;
};

static const struct unit_def units[] = {
        {1, "utility-a", "meter/eastron-sdm630", "utility feed A, Eastron SDM630 map"},
        {2, "utility-b", "meter/schneider-iem3xxx", "utility feed B, Schneider iEM3xxx map"},
        {10, "ups", "sim/dcsim-ups", "UPS feeding both PDUs"},
        {11, "pdu-a", "sim/dcsim-pdu", "PDU A (52 % of IT)"},
        {12, "pdu-b", "sim/dcsim-pdu-wh32", "PDU B (48 % of IT)"},
        {20, "chiller-plant", "sim/dcsim-chiller-plant", "chillers, towers, pumps, economizer HX"},
        {21, "crah-1", "sim/dcsim-crah", "CRAH group 1"},
        {22, "crah-2", "sim/dcsim-crah", "CRAH group 2"},
        {30, "other", "sim/dcsim-other-load", "lighting and other loads"},
        {40, "weather", "sim/dcsim-weather", "outdoor weather station"},
        {50, "water", "sim/dcsim-water-meter", "make-up water intake and potable meters"},
        {51, "pv", "sim/dcsim-pv-meter", "on-site PV generation meter (behind the feeds)"},
        {52, "heat-reuse", "sim/dcsim-heat-meter", "heat meter on the district-heating handover"},
        /* Rack PDUs (racks.c): unit 60 + 2 x rack + feed. */
        {60, "rpdu-a1-01-a", "sim/dcsim-rack-pdu-outlets",
         "rack A1-01 PDU, feed A (4 outlets metered)"},
        {61, "rpdu-a1-01-b", "sim/dcsim-rack-pdu-outlets",
         "rack A1-01 PDU, feed B (4 outlets metered)"},
        {62, "rpdu-a1-02-a", "sim/dcsim-rack-pdu", "rack A1-02 PDU, feed A"},
        {63, "rpdu-a1-02-b", "sim/dcsim-rack-pdu", "rack A1-02 PDU, feed B"},
        {64, "rpdu-a1-03-a", "sim/dcsim-rack-pdu", "rack A1-03 PDU, feed A"},
        {65, "rpdu-a1-03-b", "sim/dcsim-rack-pdu", "rack A1-03 PDU, feed B"},
        {66, "rpdu-a1-04-a", "sim/dcsim-rack-pdu", "rack A1-04 PDU, feed A"},
        {67, "rpdu-a1-04-b", "sim/dcsim-rack-pdu", "rack A1-04 PDU, feed B"},
        {68, "rpdu-a2-01-a", "sim/dcsim-rack-pdu-outlets",
         "rack A2-01 PDU, feed A (4 outlets metered)"},
        {69, "rpdu-a2-01-b", "sim/dcsim-rack-pdu-outlets",
         "rack A2-01 PDU, feed B (4 outlets metered)"},
        {70, "rpdu-a2-02-a", "sim/dcsim-rack-pdu", "rack A2-02 PDU, feed A"},
        {71, "rpdu-a2-02-b", "sim/dcsim-rack-pdu", "rack A2-02 PDU, feed B"},
        {72, "rpdu-a2-03-a", "sim/dcsim-rack-pdu", "rack A2-03 PDU, feed A"},
        {73, "rpdu-a2-03-b", "sim/dcsim-rack-pdu", "rack A2-03 PDU, feed B"},
        {74, "rpdu-a2-04-a", "sim/dcsim-rack-pdu", "rack A2-04 PDU, feed A"},
        {75, "rpdu-a2-04-b", "sim/dcsim-rack-pdu", "rack A2-04 PDU, feed B"},
};

/* One register per line reads better than the formatter's layout. */
/* clang-format off */
#define SIM_HEADER(u) \
	{u, 3, 0, R_U32, 1, 0, V(sim_time), "sim_time", "simulated unix time (s)"}

#define PDU(u, i) \
	SIM_HEADER(u), \
	{u, 3, 16, R_U32, 1, 0, V(pdu_w[i]), "power_w", "output power W"}, \
	{u, 3, 18, R_U16, 1, 1, V(pdu_kwh[i]), "energy_kwh_16", \
	 "output energy kWh, 16-bit, wraps at 65536"}, \
	{u, 3, 19, R_U32, 0.001, 1, V(pdu_kwh[i]), "energy_kwh_32", "output energy Wh, 32-bit"}

#define CRAH(u, i) \
	SIM_HEADER(u), \
	{u, 3, 16, R_U32, 1, 0, V(crah_fan_w[i]), "fan_power_w", "fan power W"}, \
	{u, 3, 18, R_S16, 0.1, 0, V(crah_supply_c[i]), "supply_air_c", "supply air C x0.1"}, \
	{u, 3, 19, R_S16, 0.1, 0, V(crah_return_c[i]), "return_air_c", "return air C x0.1"}, \
	{u, 3, 20, R_S16, 0.1, 0, V(crah_inlet_c[i]), "it_inlet_c", "IT inlet (cold aisle) C x0.1"}, \
	{u, 3, 21, R_U16, 0.1, 0, V(crah_fan_pct[i]), "fan_speed_pct", "fan speed % x0.1"}, \
	{u, 3, 22, R_U32, 0.1, 1, V(crah_kwh[i]), "energy_kwh", "fan energy kWh x0.1"}, \
	{u, 3, 24, R_U16, 0.1, 0, V(crah_rh_pct[i]), "room_rh_pct", "room RH % x0.1"}

#define RPDU(u, r, f) \
	SIM_HEADER(u), \
	{u, 3, 16, R_U32, 1, 0, V(rack_w[r][f]), "power_w", "input power W"}, \
	{u, 3, 18, R_U32, 0.001, 1, V(rack_kwh[r][f]), "energy_wh", "input energy Wh"}, \
	{u, 3, 20, R_U16, 0.01, 0, V(rack_phase_a[r][f][0]), "current_l1", "L1 current A x0.01"}, \
	{u, 3, 21, R_U16, 0.01, 0, V(rack_phase_a[r][f][1]), "current_l2", "L2 current A x0.01"}, \
	{u, 3, 22, R_U16, 0.01, 0, V(rack_phase_a[r][f][2]), "current_l3", "L3 current A x0.01"}

#define OUTLET(u, r, f, o, n) \
	{u, 3, 24 + o, R_U16, 1, 0, V(outlet_w[r][f][o]), "outlet" n "_power_w", \
	 "outlet " n " power W"}, \
	{u, 3, 28 + 2 * o, R_U32, 0.001, 1, V(outlet_kwh[r][f][o]), "outlet" n "_energy_wh", \
	 "outlet " n " energy Wh"}

#define RPDU_OUT(u, r, f) \
	RPDU(u, r, f), OUTLET(u, r, f, 0, "1"), OUTLET(u, r, f, 1, "2"), OUTLET(u, r, f, 2, "3"), \
	        OUTLET(u, r, f, 3, "4")

static const struct reg_def regs[] = {
	/* 1: Eastron SDM630, FC4 input registers, float32 ABCD (volkszaehler/mbmd sdm.go). */
	{1, 4, 0x0000, R_F32, 1, 0, V(feed_v[0][0]), "voltage_l1", "L1-N voltage V"},
	{1, 4, 0x0002, R_F32, 1, 0, V(feed_v[0][1]), "voltage_l2", "L2-N voltage V"},
	{1, 4, 0x0004, R_F32, 1, 0, V(feed_v[0][2]), "voltage_l3", "L3-N voltage V"},
	{1, 4, 0x0006, R_F32, 1, 0, V(feed_a[0][0]), "current_l1", "L1 current A"},
	{1, 4, 0x0008, R_F32, 1, 0, V(feed_a[0][1]), "current_l2", "L2 current A"},
	{1, 4, 0x000A, R_F32, 1, 0, V(feed_a[0][2]), "current_l3", "L3 current A"},
	{1, 4, 0x000C, R_F32, 1, 0, V(feed_phase_w[0][0]), "power_l1", "L1 active power W"},
	{1, 4, 0x000E, R_F32, 1, 0, V(feed_phase_w[0][1]), "power_l2", "L2 active power W"},
	{1, 4, 0x0010, R_F32, 1, 0, V(feed_phase_w[0][2]), "power_l3", "L3 active power W"},
	{1, 4, 0x0034, R_F32, 1, 0, V(feed_w[0]), "power_w", "total system power W"},
	{1, 4, 0x0046, R_F32, 1, 0, V(feed_hz[0]), "frequency_hz", "frequency Hz"},
	{1, 4, 0x0048, R_F32, 1, 0, V(feed_kwh[0]), "import_kwh", "import active energy kWh"},
	{1, 4, 0x004A, R_F32, 1, 0, ZERO, "export_kwh", "export active energy kWh"},
	{1, 4, 0x0156, R_F32, 1, 0, V(feed_kwh[0]), "total_kwh", "total active energy kWh"},

	/* 2: Schneider iEM3xxx, FC3, float32 kW and INT64 Wh (mbmd iem3000.go, DOCA0005). */
	{2, 3, 0x0BED, R_F32, 1000, 0, V(feed_phase_w[1][0]), "power_l1", "L1 active power kW"},
	{2, 3, 0x0BEF, R_F32, 1000, 0, V(feed_phase_w[1][1]), "power_l2", "L2 active power kW"},
	{2, 3, 0x0BF1, R_F32, 1000, 0, V(feed_phase_w[1][2]), "power_l3", "L3 active power kW"},
	{2, 3, 0x0BF3, R_F32, 1000, 0, V(feed_w[1]), "power_w", "total active power kW"},
	{2, 3, 0x0C83, R_I64, 0.001, 1, V(feed_kwh[1]), "import_kwh", "total import energy Wh"},
	{2, 3, 0x0C87, R_I64, 0.001, 1, ZERO, "export_kwh", "total export energy Wh"},
	{2, 3, 0x0DBD, R_I64, 0.001, 1, V(feed_phase_kwh[1][0]), "import_kwh_l1",
	 "import energy L1 Wh"},
	{2, 3, 0x0DC1, R_I64, 0.001, 1, V(feed_phase_kwh[1][1]), "import_kwh_l2",
	 "import energy L2 Wh"},
	{2, 3, 0x0DC5, R_I64, 0.001, 1, V(feed_phase_kwh[1][2]), "import_kwh_l3",
	 "import energy L3 Wh"},

	/* 10: UPS. */
	SIM_HEADER(10),
	{10, 3, 16, R_U32, 1, 0, V(ups_in_w), "input_power_w", "input power W"},
	{10, 3, 18, R_U32, 1, 0, V(ups_out_w), "output_power_w", "output power W"},
	{10, 3, 20, R_U32, 0.1, 1, V(ups_out_kwh), "output_energy_kwh", "output energy kWh x0.1"},
	{10, 3, 22, R_U32, 0.1, 1, V(ups_in_kwh), "input_energy_kwh", "input energy kWh x0.1"},
	{10, 3, 24, R_U16, 0.1, 0, V(ups_load_pct), "load_pct", "load % x0.1"},
	{10, 3, 25, R_U16, 0.1, 0, V(ups_batt_pct), "battery_charge_pct", "battery charge % x0.1"},
	{10, 3, 26, R_S16, 0.1, 0, V(ups_batt_temp_c), "battery_temp_c", "battery temp C x0.1"},
	{10, 3, 27, R_U16, 1, 0, V(ups_runtime_s), "runtime_s", "estimated runtime s"},

	/* 11, 12: PDUs. */
	PDU(11, 0),
	PDU(12, 1),

	/* 20: chiller plant. */
	SIM_HEADER(20),
	{20, 3, 16, R_U32, 1, 0, V(comp_w), "compressor_power_w", "compressor power W"},
	{20, 3, 18, R_U32, 1, 0, V(aux_w), "aux_power_w", "pumps and tower fans power W"},
	{20, 3, 20, R_U32, 1, 0, V(plant_w), "power_w", "plant total power W"},
	{20, 3, 22, R_U32, 1, 0, V(cooling_w), "cooling_w", "cooling delivered W"},
	{20, 3, 24, R_U32, 1, 0, V(free_w), "free_cooling_w", "free cooling delivered W"},
	{20, 3, 26, R_S16, 0.1, 0, V(chws_c), "chw_supply_c", "CHW supply C x0.1"},
	{20, 3, 27, R_S16, 0.1, 0, V(chwr_c), "chw_return_c", "CHW return C x0.1"},
	{20, 3, 28, R_U16, 0.1, 0, V(valve_pct), "free_cooling_pct", "free-cooling valve % x0.1"},
	{20, 3, 29, R_U16, 1, 0, V(mode), "cooling_mode", "mode 0 mech, 1 partial, 2 full free"},
	{20, 3, 30, R_U32, 0.1, 1, V(plant_kwh), "energy_kwh", "plant energy kWh x0.1"},
	{20, 3, 32, R_S16, 0.1, 0, V(out_wetbulb_c), "wetbulb_c",
	 "outdoor wet-bulb the controller sees C x0.1 (diagnostic)"},
	{20, 3, 33, R_U16, 1, 0, V(ideal_mode), "ideal_mode",
	 "mode an ideal controller would run (diagnostic)"},
	{20, 3, 34, R_U32, 0.1, 1, V(cooling_kwh), "cooling_kwh", "heat removed kWh x0.1"},

	/* 21, 22: CRAH groups. */
	CRAH(21, 0),
	CRAH(22, 1),

	/* 30: lighting and other. */
	SIM_HEADER(30),
	{30, 3, 16, R_U32, 1, 0, V(other_w), "power_w", "power W"},
	{30, 3, 18, R_U32, 0.1, 1, V(other_kwh), "energy_kwh", "energy kWh x0.1"},

	/* 40: weather station. */
	SIM_HEADER(40),
	{40, 3, 16, R_S16, 0.1, 0, V(out_temp_c), "temp_c", "outdoor dry-bulb C x0.1"},
	{40, 3, 17, R_U16, 0.1, 0, V(out_rh_pct), "rh_pct", "outdoor RH % x0.1"},
	{40, 3, 18, R_S16, 0.1, 0, V(out_dew_c), "dewpoint_c", "outdoor dew point C x0.1"},
	{40, 3, 19, R_U16, 10, 0, V(out_pressure_pa), "pressure_pa", "station pressure Pa /10"},
	{40, 3, 20, R_S16, 0.1, 0, V(out_wetbulb_c), "wetbulb_c",
	 "outdoor wet-bulb C x0.1 (computed, diagnostic)"},

	/* 50: water meters (m3 x0.001), 51: PV meter, 52: heat meter. */
	SIM_HEADER(50),
	{50, 3, 16, R_U32, 0.001, 0, V(water_m3h), "flow_m3h", "intake flow m3/h x0.001"},
	{50, 3, 18, R_U32, 0.001, 1, V(water_m3), "intake_m3", "intake volume m3 x0.001"},
	{50, 3, 20, R_U32, 0.001, 1, V(potable_m3), "potable_m3", "potable volume m3 x0.001"},
	SIM_HEADER(51),
	{51, 3, 16, R_U32, 1, 0, V(pv_w), "power_w", "PV power W"},
	{51, 3, 18, R_U32, 0.1, 1, V(pv_kwh), "energy_kwh", "PV energy kWh x0.1"},
	SIM_HEADER(52),
	{52, 3, 16, R_U32, 1, 0, V(reuse_w), "heat_w", "heat handed over W"},
	{52, 3, 18, R_U32, 0.1, 1, V(reuse_kwh), "heat_kwh", "heat handed over kWh x0.1"},

	/* 60-75: rack PDUs (racks.c), 60 + 2 x rack + feed. */
	RPDU_OUT(60, 0, 0),
	RPDU_OUT(61, 0, 1),
	RPDU(62, 1, 0),
	RPDU(63, 1, 1),
	RPDU(64, 2, 0),
	RPDU(65, 2, 1),
	RPDU(66, 3, 0),
	RPDU(67, 3, 1),
	RPDU_OUT(68, 4, 0),
	RPDU_OUT(69, 4, 1),
	RPDU(70, 5, 0),
	RPDU(71, 5, 1),
	RPDU(72, 6, 0),
	RPDU(73, 6, 1),
	RPDU(74, 7, 0),
	RPDU(75, 7, 1),
};
/* clang-format on */

#define N_UNITS (sizeof(units) / sizeof(units[0]))
#define N_REGS  (sizeof(regs) / sizeof(regs[0]))

static double value_of(const struct reg_def *r, const struct sim_values *v)
{
	if (r->off == ZERO)
		return 0.0;
	return *(const double *)((const char *)v + r->off);
}

/* The raw register words for r (big-endian word order) and the value they decode to. */
static double encode(const struct reg_def *r, const struct sim_values *sv, uint16_t w[4])
{
	double x = value_of(r, sv) / r->scale;
	double q = r->counter ? floor(x) : nearbyint(x);

	switch (r->type) {
	case R_U16: {
		uint16_t u = r->counter ? (uint16_t)fmod(fmax(q, 0), 65536.0)
		                        : (uint16_t)fmin(fmax(q, 0), 65535);
		w[0] = u;
		return u * r->scale;
	}
	case R_S16: {
		int16_t s = (int16_t)fmin(fmax(q, -32768), 32767);
		w[0] = (uint16_t)s;
		return s * r->scale;
	}
	case R_U32: {
		uint32_t u = r->counter ? (uint32_t)fmod(fmax(q, 0), 4294967296.0)
		                        : (uint32_t)fmin(fmax(q, 0), 4294967295.0);
		w[0] = (uint16_t)(u >> 16);
		w[1] = (uint16_t)u;
		return u * r->scale;
	}
	case R_F32: {
		float f = (float)x;
		uint32_t u;

		memcpy(&u, &f, sizeof(u));
		w[0] = (uint16_t)(u >> 16);
		w[1] = (uint16_t)u;
		return (double)f * r->scale;
	}
	case R_I64: {
		int64_t s = (int64_t)q;
		uint64_t u = (uint64_t)s;

		w[0] = (uint16_t)(u >> 48);
		w[1] = (uint16_t)(u >> 32);
		w[2] = (uint16_t)(u >> 16);
		w[3] = (uint16_t)u;
		return (double)s * r->scale;
	}
	}
	return NAN;
}

const struct reg_def *regmap_find(unsigned unit, const char *key)
{
	size_t i;

	for (i = 0; i < N_REGS; i++)
		if (regs[i].unit == unit && strcmp(regs[i].key, key) == 0)
			return &regs[i];
	return NULL;
}

double regmap_served(const struct reg_def *r, const struct sim_values *v)
{
	uint16_t w[4];

	return encode(r, v, w);
}

double regmap_served_unwrapped(const struct reg_def *r, const struct sim_values *v)
{
	return floor(value_of(r, v) / r->scale) * r->scale;
}

int regmap_init(struct regmap *rm)
{
	size_t i, j;

	memset(rm, 0, sizeof(*rm));
	for (i = 0; i < N_UNITS; i++) {
		int nb_hold = 0, nb_in = 0;

		for (j = 0; j < N_REGS; j++) {
			int end = regs[j].addr + type_words[regs[j].type];

			if (regs[j].unit != units[i].id)
				continue;
			if (regs[j].fc == 3 && end > nb_hold)
				nb_hold = end;
			if (regs[j].fc == 4 && end > nb_in)
				nb_in = end;
		}
		rm->by_unit[units[i].id] = modbus_mapping_new(0, 0, nb_hold, nb_in);
		if (!rm->by_unit[units[i].id]) {
			regmap_release(rm);
			return -ENOMEM;
		}
	}
	return 0;
}

void regmap_update(struct regmap *rm, const struct sim_values *v)
{
	size_t i;

	for (i = 0; i < N_REGS; i++) {
		const struct reg_def *r = &regs[i];
		modbus_mapping_t *m = rm->by_unit[r->unit];
		uint16_t w[4];
		uint16_t *dst;

		if (!m)
			continue;
		encode(r, v, w);
		dst = r->fc == 3 ? m->tab_registers : m->tab_input_registers;
		memcpy(dst + r->addr, w, sizeof(uint16_t) * (size_t)type_words[r->type]);
	}
}

void regmap_list(FILE *out)
{
	size_t i, j;

	fprintf(out, "unit  name           profile                    device\n");
	for (i = 0; i < N_UNITS; i++)
		fprintf(out, "%4u  %-14s %-26s %s\n", units[i].id, units[i].name, units[i].profile,
		        units[i].what);
	for (i = 0; i < N_UNITS; i++) {
		fprintf(out,
		        "\nunit %u (%s)\n  fc  addr   (dec)  type     scale    key         "
		        "        meaning\n",
		        units[i].id, units[i].name);
		for (j = 0; j < N_REGS; j++) {
			const struct reg_def *r = &regs[j];

			if (r->unit != units[i].id)
				continue;
			fprintf(out, "  %d   0x%04X %5u  %-8s %-8g %-19s %s%s\n", r->fc, r->addr,
			        r->addr, type_names[r->type], r->scale, r->key, r->what,
			        r->counter ? " (counter)" : "");
		}
	}
}

void regmap_dump_json(FILE *out, const struct sim_values *v)
{
	char iso[32];
	time_t t = (time_t)v->sim_time;
	struct tm tm;
	size_t i, j;

	gmtime_r(&t, &tm);
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(out,
	        "{\"sim_time\":%.0f,\"utc\":\"%s\",\"it_w\":%.1f,\"facility_w\":%.1f,"
	        "\"facility_kwh\":%.3f,\"pue_instant\":%.4f,\"mode\":%.0f,\"ideal_mode\":%.0f,"
	        "\"units\":{",
	        v->sim_time, iso, v->it_w, v->facility_w, v->facility_kwh,
	        v->facility_w / v->ups_out_w, v->mode, v->ideal_mode);
	for (i = 0; i < N_UNITS; i++) {
		fprintf(out, "%s\"%u\":{\"name\":\"%s\"", i ? "," : "", units[i].id, units[i].name);
		for (j = 0; j < N_REGS; j++) {
			const struct reg_def *r = &regs[j];
			uint16_t w[4];

			if (r->unit != units[i].id)
				continue;
			fprintf(out, ",\"%s\":%.10g", r->key, encode(r, v, w));
		}
		fputc('}', out);
	}
	fputs("}}\n", out);
	fflush(out);
}

void regmap_release(struct regmap *rm)
{
	size_t i;

	for (i = 0; i < 256; i++) {
		if (rm->by_unit[i])
			modbus_mapping_free(rm->by_unit[i]);
		rm->by_unit[i] = NULL;
	}
}
