/* SPDX-License-Identifier: Apache-2.0 */
/* The compiled-in metric registry; docs/metrics.md is its human-readable twin (the same
 * names, units, kinds and meanings: test_config.c checks). The meaning is also the HELP text
 * of the metric's Prometheus family. */
#include "core/metrics.h"

#include <string.h>

static const struct metric_def metrics[] = {
        {"power_w", "W", 0, "active (real) power"},
        {"apparent_power_va", "VA", 0, "apparent power"},
        {"reactive_power_var", "var", 0, "reactive power"},
        {"power_factor", "1", 0, "power factor, 0..1"},
        {"current_a", "A", 0, "RMS current"},
        {"voltage_v", "V", 0, "RMS voltage"},
        {"frequency_hz", "Hz", 0, "line frequency"},
        {"energy_kwh", "kWh", 1, "active energy imported / consumed"},
        {"energy_export_kwh", "kWh", 1, "active energy exported / produced"},
        {"energy_derived_kwh", "kWh", 1, "energy integrated from power by a driver (not metered)"},
        {"efficiency_pct", "%", 0, "power conversion efficiency"},
        {"load_pct", "%", 0, "load as a share of rated capacity"},
        {"inlet_temp_c", "C", 0, "IT equipment inlet air temperature"},
        {"outlet_temp_c", "C", 0, "IT equipment outlet air temperature"},
        {"temp_c", "C", 0, "a generic temperature probe"},
        {"humidity_pct", "%", 0, "relative humidity of room air"},
        {"supply_air_temp_c", "C", 0, "cooling unit supply air temperature"},
        {"return_air_temp_c", "C", 0, "cooling unit return air temperature"},
        {"chw_supply_temp_c", "C", 0, "chilled-water supply temperature (leaving the plant)"},
        {"chw_return_temp_c", "C", 0, "chilled-water return temperature"},
        {"outdoor_temp_c", "C", 0, "outdoor dry-bulb temperature"},
        {"outdoor_rh_pct", "%", 0, "outdoor relative humidity"},
        {"outdoor_dewpoint_c", "C", 0, "outdoor dew point"},
        {"outdoor_pressure_pa", "Pa", 0, "station (barometric) pressure"},
        {"cooling_w", "W", 0, "cooling delivered (heat removed)"},
        {"free_cooling_w", "W", 0, "cooling delivered by the economizer"},
        {"free_cooling_pct", "%", 0, "economizer share of cooling, or valve opening"},
        {"compressor_power_w", "W", 0, "electrical power of compressors"},
        {"cooling_mode", "enum", 0,
         "cooling plant mode: 0 mechanical, 1 partial free cooling, 2 full free cooling"},
        {"water_m3", "m3", 1, "water volume through a meter"},
        {"water_flow_m3h", "m3/h", 0, "water flow"},
        {"heat_kwh", "kWh", 1, "thermal energy through a heat meter"},
        {"battery_charge_pct", "%", 0, "UPS battery charge"},
        {"battery_temp_c", "C", 0, "UPS battery temperature"},
        {"runtime_s", "s", 0, "UPS estimated runtime"},
        {"fan_speed_pct", "%", 0, "fan speed"},
        {"greendc_device_up", "1", 0, "1 when the last poll succeeded, else 0 (daemon health)"},
        {"greendc_poll_duration_s", "s", 0, "how long the last poll took (daemon health)"},
        {"greendc_poll_errors", "1", 0,
         "failed polls since the daemon started (a gauge: it restarts at 0 with the daemon, which "
         "must not read as a meter reset)"},
};

const struct metric_def *metric_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
		if (strcmp(metrics[i].name, name) == 0)
			return &metrics[i];
	return NULL;
}

const struct metric_def *metric_table(size_t *n)
{
	*n = sizeof(metrics) / sizeof(metrics[0]);
	return metrics;
}
