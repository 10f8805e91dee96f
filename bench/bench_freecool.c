/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Benchmark of the free-cooling what-if (prints figures; not a test): a full 8,760-hour year
 * with 10 setpoint steps, as `greendc freecool --weather` runs it. Target < 100 ms.
 *
 *   parse:   epw_read of the file (or the same text held in memory when synthetic)
 *   psychro: wet-bulb and dew point of every hour at station pressure
 *   whatif:  freecool_whatif over 11 setpoints (base + 10 steps), controller included
 *
 *   bench_freecool [FILE.epw] [--runs N]
 * Without a file it uses ../shared/data/weather/CHN_Shanxi.Taiyuan.537720_CSWD.epw from the
 * source tree when present, else a synthetic year (and says so).
 */
#include "analytics/epw.h"
#include "analytics/freecool.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_EPW "../shared/data/weather/CHN_Shanxi.Taiyuan.537720_CSWD.epw"

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* A synthetic typical year as EPW text (Taiyuan-like seasons and days). */
static char *synthetic(size_t *len)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	size_t cap = 8760 * 64 + 1024, n = 0;
	char *s = malloc(cap);
	int h = 0;

	if (!s)
		return NULL;
	n += (size_t)snprintf(s, cap,
	                      "LOCATION,Synthetic,XX,CHN,TEST,000000,37.8,112.6,8.0,778\n"
	                      "H2\nH3\nH4\nH5\nH6\nH7\nH8\n");
	for (int m = 0; m < 12; m++)
		for (int d = 0; d < days[m]; d++)
			for (int hr = 1; hr <= 24; hr++, h++) {
				double db = 10.8 - 14 * cos(2 * M_PI * (h - 400) / 8760.0) -
				            6 * cos(2 * M_PI * (hr - 4) / 24.0);
				double dp = db - 3 - 8 * (0.5 + 0.5 * sin(h * 0.37));

				n += (size_t)snprintf(s + n, cap - n,
				                      "2005,%d,%d,%d,0,?9,%.1f,%.1f,50,92300\n",
				                      m + 1, d + 1, hr, db, dp);
			}
	*len = n;
	return s;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	int runs = 21;
	char err[256];
	size_t len = 0;
	char *text = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
			runs = atoi(argv[++i]);
		else
			path = argv[i];
	}
	if (runs < 1 || runs > 1000)
		runs = 21;
	if (!path) {
		FILE *f = fopen(DEFAULT_EPW, "r");

		if (f) {
			fclose(f);
			path = DEFAULT_EPW;
		}
	}
	if (!path) {
		text = synthetic(&len);
		if (!text)
			return 1;
		printf("weather: SYNTHETIC year (no %s)\n", DEFAULT_EPW);
	} else {
		printf("weather: %s\n", path);
	}

	struct fc_plant p;
	struct fc_ctl_params cp;
	struct fc_whatif *w = malloc(sizeof(*w));
	struct fc_hour *h = calloc(EPW_MAX_RECORDS, sizeof(*h));
	double *t_parse = calloc((size_t)runs, sizeof(double));
	double *t_psy = calloc((size_t)runs, sizeof(double));
	double *t_wi = calloc((size_t)runs, sizeof(double));
	double *t_all = calloc((size_t)runs, sizeof(double));
	size_t n = 0;

	if (!w || !h || !t_parse || !t_psy || !t_wi || !t_all)
		return 1;
	freecool_plant_defaults(&p);
	freecool_ctl_defaults(&cp);
	for (int r = 0; r < runs; r++) {
		double t0 = now_ms(), t1, t2, t3;
		struct epw *e = text ? epw_parse(text, len, "synthetic", err, sizeof(err))
		                     : epw_read(path, err, sizeof(err));

		if (!e) {
			fprintf(stderr, "bench_freecool: %s\n", err);
			return 1;
		}
		t1 = now_ms();
		n = e->n;
		for (size_t i = 0; i < n; i++) {
			double pa = isfinite(e->rec[i].p_pa) ? e->rec[i].p_pa : 92318;

			h[i].month = e->rec[i].month;
			freecool_outdoor_from_dp(&h[i].o, e->rec[i].db_c, e->rec[i].dp_c, pa);
		}
		t2 = now_ms();
		if (freecool_whatif(&p, &cp, h, n, 10, w) < 0)
			return 1;
		t3 = now_ms();
		epw_free(e);
		t_parse[r] = t1 - t0;
		t_psy[r] = t2 - t1;
		t_wi[r] = t3 - t2;
		t_all[r] = t3 - t0;
	}
	qsort(t_parse, (size_t)runs, sizeof(double), cmp);
	qsort(t_psy, (size_t)runs, sizeof(double), cmp);
	qsort(t_wi, (size_t)runs, sizeof(double), cmp);
	qsort(t_all, (size_t)runs, sizeof(double), cmp);
	printf("%zu hours, 11 setpoints (base + 10 steps), median of %d runs:\n", n, runs);
	printf("  parse    %7.2f ms\n", t_parse[runs / 2]);
	printf("  psychro  %7.2f ms (wet-bulb and dew point of every hour)\n", t_psy[runs / 2]);
	printf("  whatif   %7.2f ms\n", t_wi[runs / 2]);
	printf("  total    %7.2f ms (max %.2f), target < 100 ms: %s\n", t_all[runs / 2],
	       t_all[runs - 1], t_all[runs / 2] < 100 ? "met" : "MISSED");
	printf("  year free-cooling hours at base %.0f, at +10 K %.0f\n", w->m[0][0].free_h,
	       w->m[10][0].free_h);
	free(t_parse);
	free(t_psy);
	free(t_wi);
	free(t_all);
	free(h);
	free(w);
	free(text);
	return 0;
}
