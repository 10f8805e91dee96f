/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcsim weather. The synthetic model: monthly mean dry-bulb and RH for Taiyuan (DOMAIN.md §7),
 * joined by a periodic Catmull-Rom spline through mid-month points; a daily swing of 10-12 K
 * with the minimum at 06:00 and the maximum at 15:00 local time (wider in the dry months); the
 * vapour pressure held at the monthly mean's so RH moves opposite to temperature through the
 * day; seeded smooth noise for synoptic and hourly variation; station pressure from the
 * standard atmosphere. The EPW reader interpolates the hourly records linearly.
 */
#include "weather.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/psychro.h"
#include "dcsim.h"

#define EPW_HOURS 8760

/* Taiyuan (WMO 537720) monthly means, DOMAIN.md §7. */
static const double taiyuan_temp_c[12] = {-4.3, -0.5, 6.1,  12.6, 18.7, 21.6,
                                          24.0, 22.2, 17.7, 10.1, 3.3,  -2.2};
static const double taiyuan_rh_pct[12] = {47, 45, 44, 46, 46, 63, 70, 74, 68, 64, 59, 48};

enum { NOISE_DAY = 1, NOISE_HOUR, NOISE_DEW, NOISE_PRESSURE };

struct weather {
	int is_epw;
	uint64_t seed;
	double altitude_m;
	/* EPW hourly records; index i holds the value at the end of hour i + 1 of the year. */
	float *temp, *dew, *rh, *pres;
};

struct weather *weather_new_synthetic(uint64_t seed, double altitude_m)
{
	struct weather *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->seed = seed;
	w->altitude_m = altitude_m;
	return w;
}

/* Field n (0-based) of a comma-separated line, or NAN. */
static double csv_field(const char *line, int n)
{
	const char *p = line;
	char *end;
	double v;

	while (n-- > 0) {
		p = strchr(p, ',');
		if (!p)
			return NAN;
		p++;
	}
	v = strtod(p, &end);
	return end == p ? NAN : v;
}

struct weather *weather_new_epw(const char *path, char *err, size_t errlen)
{
	struct weather *w;
	FILE *f;
	char line[4096];
	int lineno = 0, n = 0;
	double last[4] = {NAN, NAN, NAN, NAN};

	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		goto out_nomem;
	w->is_epw = 1;
	w->temp = calloc(EPW_HOURS, sizeof(float));
	w->dew = calloc(EPW_HOURS, sizeof(float));
	w->rh = calloc(EPW_HOURS, sizeof(float));
	w->pres = calloc(EPW_HOURS, sizeof(float));
	if (!w->temp || !w->dew || !w->rh || !w->pres)
		goto out_nomem;
	while (fgets(line, sizeof(line), f)) {
		double v[4];
		int i;

		if (++lineno <= 8 || line[0] == '\n' || line[0] == '\r')
			continue;
		if (n >= EPW_HOURS) {
			snprintf(err, errlen, "%s:%d: more than %d hourly records", path, lineno,
			         EPW_HOURS);
			goto out_free;
		}
		v[0] = csv_field(line, 6);
		v[1] = csv_field(line, 7);
		v[2] = csv_field(line, 8);
		v[3] = csv_field(line, 9);
		/* EPW "missing" codes: 99.9 C, 999 %, 999999 Pa; carry the last good value. */
		if (!(v[0] > -90 && v[0] < 70))
			v[0] = last[0];
		if (!(v[1] > -90 && v[1] < 70))
			v[1] = last[1];
		if (!(v[2] >= 0 && v[2] <= 110))
			v[2] = last[2];
		if (!(v[3] > 30000 && v[3] < 120000))
			v[3] = last[3];
		for (i = 0; i < 4; i++) {
			if (isnan(v[i])) {
				snprintf(err, errlen, "%s:%d: field %d missing or invalid", path,
				         lineno, 7 + i);
				goto out_free;
			}
			last[i] = v[i];
		}
		/* Some hours have a dew point slightly above the dry-bulb (DOMAIN.md §7). */
		if (v[1] > v[0])
			v[1] = v[0];
		w->temp[n] = (float)v[0];
		w->dew[n] = (float)v[1];
		w->rh[n] = (float)v[2];
		w->pres[n] = (float)v[3];
		n++;
	}
	if (n != EPW_HOURS) {
		snprintf(err, errlen, "%s: %d hourly records, expected %d", path, n, EPW_HOURS);
		goto out_free;
	}
	fclose(f);
	return w;

out_nomem:
	snprintf(err, errlen, "%s: out of memory", path);
out_free:
	weather_free(w);
	fclose(f);
	return NULL;
}

void weather_free(struct weather *w)
{
	if (!w)
		return;
	free(w->temp);
	free(w->dew);
	free(w->rh);
	free(w->pres);
	free(w);
}

/* Periodic Catmull-Rom through 12 monthly values; x in months, 0 = mid-January. */
static double monthly_spline(const double v[12], double x)
{
	double k = floor(x), f = x - k;
	int i = ((int)k % 12 + 12) % 12;
	double p0 = v[(i + 11) % 12], p1 = v[i], p2 = v[(i + 1) % 12], p3 = v[(i + 2) % 12];

	return 0.5 * (2 * p1 + (-p0 + p2) * f + (2 * p0 - 5 * p1 + 4 * p2 - p3) * f * f +
	              (-p0 + 3 * p1 - 3 * p2 + p3) * f * f * f);
}

/* Daily shape in -1..1: minimum at 06:00, maximum at 15:00, mean zero. */
static double diurnal_shape(double hour)
{
	if (hour >= 6.0 && hour < 15.0)
		return -cos(M_PI * (hour - 6.0) / 9.0);
	return cos(M_PI * fmod(hour - 15.0 + 24.0, 24.0) / 15.0);
}

/* Local calendar position: day of the (365-day) year from 0 and hour of day. */
static void local_position(time_t t, double *yday, double *hour)
{
	time_t lt = t + DCSIM_UTC_OFFSET_S;
	struct tm tm;
	int yd, year;

	gmtime_r(&lt, &tm);
	yd = tm.tm_yday;
	year = tm.tm_year + 1900;
	/* Leap years: Feb 29 repeats Feb 28, later days shift back one. */
	if (((year % 4 == 0 && year % 100 != 0) || year % 400 == 0) && yd >= 59)
		yd--;
	*yday = yd;
	*hour = tm.tm_hour + tm.tm_min / 60.0 + tm.tm_sec / 3600.0;
}

static int synthetic_at(const struct weather *w, time_t t, struct weather_sample *out)
{
	double yday, hour, m, tmean, rhmean, range, td, pws_t, pw;

	local_position(t, &yday, &hour);
	/* Month position with 0 at mid-January (day 15.2 of 365). */
	m = (yday + hour / 24.0 - 15.2) / (365.0 / 12.0);
	tmean = monthly_spline(taiyuan_temp_c, m);
	rhmean = monthly_spline(taiyuan_rh_pct, m) / 100.0;
	/* Day/night range 12 K in the dry months (RH 44 %) down to 10 K in the humid (74 %). */
	range = 12.0 - 2.0 * fmin(fmax((rhmean - 0.44) / 0.30, 0.0), 1.0);

	out->temp_c = tmean + 0.5 * range * diurnal_shape(hour) +
	              sim_noise(w->seed, NOISE_DAY, (double)t, 86400.0, 2.5) +
	              sim_noise(w->seed, NOISE_HOUR, (double)t, 3 * 3600.0, 0.8);
	/* Vapour pressure of the monthly mean, with its own slow noise, capped at saturation. */
	td = psychro_dew_point(tmean, rhmean, PSYCHRO_RH_ICE) +
	     sim_noise(w->seed, NOISE_DEW, (double)t, 6 * 3600.0, 1.5);
	if (td > out->temp_c)
		td = out->temp_c;
	pw = psychro_pws(td);
	pws_t = psychro_pws(out->temp_c);
	out->dewpoint_c = td;
	out->rh = pw >= pws_t ? 1.0 : pw / pws_t;
	out->pressure_pa = psychro_pressure_at_altitude(w->altitude_m) +
	                   sim_noise(w->seed, NOISE_PRESSURE, (double)t, 12 * 3600.0, 150.0);
	return 0;
}

static int epw_at(const struct weather *w, time_t t, struct weather_sample *out)
{
	double yday, hour, u, f;
	int i, j;

	local_position(t, &yday, &hour);
	/* Record i is the value at hour i + 1 after 1 Jan 00:00. */
	u = yday * 24.0 + hour - 1.0;
	u = fmod(u + EPW_HOURS, EPW_HOURS);
	i = (int)floor(u);
	f = u - i;
	j = (i + 1) % EPW_HOURS;
	out->temp_c = w->temp[i] + (w->temp[j] - w->temp[i]) * f;
	out->dewpoint_c = w->dew[i] + (w->dew[j] - w->dew[i]) * f;
	out->rh = (w->rh[i] + (w->rh[j] - w->rh[i]) * f) / 100.0;
	out->pressure_pa = w->pres[i] + (w->pres[j] - w->pres[i]) * f;
	if (out->dewpoint_c > out->temp_c)
		out->dewpoint_c = out->temp_c;
	if (out->rh > 1.0)
		out->rh = 1.0;
	if (out->rh < 0.0)
		out->rh = 0.0;
	return 0;
}

int weather_at(const struct weather *w, time_t t, struct weather_sample *out)
{
	int rc = w->is_epw ? epw_at(w, t, out) : synthetic_at(w, t, out);

	if (rc < 0)
		return rc;
	out->wetbulb_c = psychro_wet_bulb(out->temp_c, out->rh, out->pressure_pa, PSYCHRO_RH_ICE);
	if (isnan(out->wetbulb_c))
		return -EINVAL;
	return 0;
}
