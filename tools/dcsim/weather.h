/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcsim weather: outdoor conditions at any simulated instant, either synthesised from Taiyuan's
 * monthly statistics (DOMAIN.md §7) or interpolated from an EPW typical-year file.
 */
#ifndef DCSIM_WEATHER_H
#define DCSIM_WEATHER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct weather_sample {
	double temp_c;      /* dry-bulb */
	double rh;          /* fraction, over ice below 0 C (ASHRAE / EPW convention) */
	double dewpoint_c;  /* never above temp_c */
	double pressure_pa; /* station pressure */
	double wetbulb_c;   /* at station pressure (src/psychro.c) */
};

struct weather;

/* Synthetic weather for a site at altitude_m with the given noise seed. Free with weather_free. */
struct weather *weather_new_synthetic(uint64_t seed, double altitude_m);

/*
 * Hourly EPW file (8 header lines; fields 7-10: dry-bulb, dew point, RH %, station pressure).
 * NULL on failure with a message in err.
 */
struct weather *weather_new_epw(const char *path, char *err, size_t errlen);

/* Conditions at unix time t (the site is at UTC+8). Returns 0 or -EINVAL (no valid data). */
int weather_at(const struct weather *w, time_t t, struct weather_sample *out);

/* Accepts NULL. */
void weather_free(struct weather *w);

#endif
