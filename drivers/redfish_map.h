/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Redfish mapping: the pure half of the Redfish driver (drivers/redfish.c owns the HTTP).
 *
 * Everything here works on parsed JSON (cJSON) and can be tested against mockup files
 * without a BMC: the profile keys of a point (reading, resource, property), the device
 * options, the credentials file, walking links (`@odata.id`), choosing the chassis, and
 * reading each figure from the current schemas (PowerSubsystem, PowerSupplyMetrics,
 * EnvironmentMetrics, ThermalMetrics, Sensor) or from the deprecated Power and Thermal
 * resources, plus the integrator that derives energy from watts when a BMC has no counter.
 * Nothing here does I/O. Names start with rf_.
 *
 * Schemas (DMTF DSP8010, 2020.4 and later): EnvironmentMetrics.PowerWatts / EnergykWh are
 * SensorPowerExcerpt / SensorEnergykWhExcerpt with a Reading; a Sensor has ReadingType
 * (Power, EnergykWh, EnergyWh, EnergyJoules, Temperature...) and Reading; PowerSupplyMetrics
 * has InputPowerWatts and OutputPowerWatts (excerpts with Reading); PowerSupply has
 * EfficiencyRatings[].EfficiencyPercent; ThermalMetrics has TemperatureSummaryCelsius.Intake
 * and TemperatureReadingsCelsius[] (DeviceName, PhysicalContext, Reading). Legacy Power:
 * PowerControl[].PowerConsumedWatts, PowerSupplies[] (MemberId, PowerInputWatts,
 * PowerOutputWatts, LastPowerOutputWatts, EfficiencyPercent); legacy Thermal:
 * Temperatures[] (Name, PhysicalContext, ReadingCelsius).
 */
#ifndef GREENDC_REDFISH_MAP_H
#define GREENDC_REDFISH_MAP_H

#include <greendc/driver.h>

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)

#define RF_URI_MAX     512
#define RF_MAX_NAMES   8 /* inlet_sensor names */
#define RF_NAME_LEN    64
#define RF_MAX_PSU     16 /* power supplies read per chassis */
#define RF_DEFAULT_MAX 1048576

/* What a profile row reads. The driver knows the schemas; the profile names the figure. */
enum rf_reading {
	RF_POWER,            /* chassis input power, W */
	RF_ENERGY,           /* chassis energy counter, kWh, from the BMC only */
	RF_ENERGY_DERIVED,   /* kWh integrated from RF_POWER, only when the BMC has no counter */
	RF_PSU_INPUT_POWER,  /* per power supply, W, label psu */
	RF_PSU_OUTPUT_POWER, /* per power supply, W, label psu */
	RF_PSU_EFFICIENCY,   /* per power supply, %, label psu */
	RF_INLET_TEMP,       /* chassis intake air, C */
	RF_PROPERTY,         /* any number: resource + property (a JSON pointer) */
};

struct rf_point {
	enum rf_reading reading;
	char resource[RF_URI_MAX]; /* RF_PROPERTY: relative to the chassis, or /redfish/v1/... */
	char property[256];        /* RF_PROPERTY: RFC 6901 pointer, e.g. /PowerWatts/Reading */
};

struct rf_opts {
	char base[300];         /* "https://host:port" (no path) */
	char secrets_file[256]; /* username / password */
	char ca_file[256];      /* PEM bundle for a BMC's private CA; "" = system store */
	bool basic;             /* auth: basic (no session login) */
	char chassis[128];      /* Id of the chassis to read; "" = the first with power data */
	char inlet[RF_MAX_NAMES][RF_NAME_LEN]; /* names of the inlet sensor, most likely first */
	size_t ninlet;
	size_t max_body;            /* bytes per response */
	unsigned derive_max_gap_ms; /* power readings further apart are not integrated */
	bool prefer_legacy;         /* read Power/Thermal before the current schemas */
};

/* Parse address and options. 0 or -EINVAL with err and *bad_line. */
int rf_opts_parse(const struct gdc_device *dev, struct rf_opts *o, char *err, size_t errlen,
                  int *bad_line);

/* Parse a point's driver keys. 0 or -EINVAL with err and *bad_line. */
int rf_point_parse(const struct gdc_point *p, struct rf_point *out, char *err, size_t errlen,
                   int *bad_line);

/* "username: ..." / "password: ..." lines, # comments. Messages name lines, never values. */
int rf_secrets_parse(const char *text, char *user, size_t ulen, char *pass, size_t plen, char *err,
                     size_t errlen);

/* The "@odata.id" of res[name] (a link object), or NULL. */
const char *rf_link(const cJSON *res, const char *name);

/* The "@odata.id" of the i-th Members entry of a collection, or NULL. */
const char *rf_member(const cJSON *coll, int i);
int rf_nmembers(const cJSON *coll);

/* Whether a chassis resource links power data (PowerSubsystem, EnvironmentMetrics or Power);
 * *score ranks candidates: a chassis that contains a computer system (Links.ComputerSystems)
 * before one that does not (a drive enclosure, a blade midplane). */
bool rf_chassis_has_power(const cJSON *chassis, int *score);

/* A number at res[a][b] (b may be NULL): Reading excerpts and plain properties. */
bool rf_number(const cJSON *res, const char *a, const char *b, double *out);

/* RFC 6901 JSON pointer to a number ("/PowerControl/0/PowerConsumedWatts"). */
bool rf_pointer(const cJSON *doc, const char *ptr, double *out);

/* Readings from the current schemas. */
bool rf_env_power(const cJSON *env, double *w);       /* EnvironmentMetrics PowerWatts */
bool rf_env_energy(const cJSON *env, double *kwh);    /* EnvironmentMetrics EnergykWh */
bool rf_sensor_energy(const cJSON *sen, double *kwh); /* ReadingType EnergykWh/Wh/Joules */
bool rf_psu_metrics_power(const cJSON *m, bool input, double *w);
bool rf_psu_efficiency(const cJSON *psu, double *pct); /* EfficiencyRatings[0] */

/* Intake air temperature from ThermalMetrics: TemperatureSummaryCelsius.Intake, else a
 * TemperatureReadingsCelsius entry with PhysicalContext Intake or a DeviceName in names. */
bool rf_thermal_metrics_inlet(const cJSON *tm, const struct rf_opts *o, double *c);

/* Legacy Power and Thermal. */
bool rf_legacy_power(const cJSON *power, double *w); /* first PowerControl with a reading */
int rf_legacy_npsu(const cJSON *power);
/* The i-th PowerSupplies entry: its id (MemberId, else Name, else the index) and values;
 * each value is NAN when absent. Output power falls back to LastPowerOutputWatts. */
bool rf_legacy_psu(const cJSON *power, int i, char *id, size_t idlen, double *in_w, double *out_w,
                   double *eff_pct);
/* Temperatures[]: PhysicalContext Intake, else a Name in the inlet names. */
bool rf_legacy_inlet(const cJSON *thermal, const struct rf_opts *o, double *c);

/* Energy derived from power by the trapezoid rule between consecutive readings, as a
 * counter in kWh that starts at 0. Readings further apart than max_gap_ms, or going back in
 * time, are not bridged (the pair adds nothing; the counter keeps its value). */
struct rf_integrator {
	double kwh;
	double last_w;
	int64_t last_ms;
	bool have;
};
void rf_integrate(struct rf_integrator *in, double w, int64_t ts_ms, int64_t max_gap_ms);

/* Build an absolute URL from base and a path ("/redfish/v1/..."). 0 or -ENAMETOOLONG. */
int rf_url(const struct rf_opts *o, const char *path, char *out, size_t n);

#pragma GCC visibility pop

#endif
