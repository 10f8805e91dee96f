/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcsim model state files (state.h). struct sim_values and the truth sums are all doubles, so
 * they are written as arrays; the layout line (their sizes) makes a file from another build
 * fail loudly instead of being misread.
 */
#include "state.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STATE_MAGIC "dcsim-state 1"

#define N_VALUES       (sizeof(struct sim_values) / sizeof(double))
#define TRUTH_FIRST(h) (&(h)->seconds)
#define N_TRUTH                                                                                    \
	((sizeof(struct truth_hour) - offsetof(struct truth_hour, seconds)) / sizeof(double))

_Static_assert(sizeof(struct sim_values) % sizeof(double) == 0, "sim_values: doubles only");
_Static_assert((sizeof(struct truth_hour) - offsetof(struct truth_hour, seconds)) %
                               sizeof(double) ==
                       0,
               "truth_hour: doubles after seconds");

/* The plant parameters, by name. */
/* clang-format off */
#define PARAMS(X) \
	X(it_kw) X(late_k) X(hysteresis_k) X(min_mode_s) X(chws_set_c) X(chwr_design_c) \
	X(approach_tower_k) X(approach_hx_k) X(tower_min_c) X(pdu_start_kwh)
/* clang-format on */

static void put_array(FILE *f, const char *key, const double *a, size_t n)
{
	size_t i;

	fputs(key, f);
	for (i = 0; i < n; i++)
		fprintf(f, " %a", a[i]);
	fputc('\n', f);
}

int state_write(const char *path, const struct sim *s, const struct state_weather *w, char *err,
                size_t errlen)
{
	const struct plant_params *pp = &s->pl.pp;
	char tmp[4200];
	FILE *f;
	int rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return rc;
	}
	fprintf(f, "%s\n# dcsim model state: continue with dcsim --resume-from %s\n", STATE_MAGIC,
	        path);
	fprintf(f, "layout %zu %zu\n", N_VALUES, N_TRUTH);
	fprintf(f, "time %" PRId64 "\n", (int64_t)s->t);
	fprintf(f, "seed %" PRIu64 "\n", pp->seed);
#define PUT(name) fprintf(f, #name " %a\n", pp->name);
	PARAMS(PUT)
#undef PUT
	fprintf(f, "rh_over_water %d\n", pp->rh_over_water);
	fprintf(f, "altitude_m %a\n", w->altitude_m);
	fprintf(f, "weather %s\n", w->epw[0] ? w->epw : "-");
	fprintf(f, "mode %d\n", s->pl.mode);
	fprintf(f, "time_in_mode %a\n", s->pl.time_in_mode);
	fprintf(f, "truth_hour %" PRId64 "\n", (int64_t)s->truth.hour);
	put_array(f, "truth", TRUTH_FIRST(&s->truth), N_TRUTH);
	put_array(f, "values", (const double *)&s->pl.v, N_VALUES);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0 || ferror(f))
		rc = errno ? -errno : -EIO;
	if (fclose(f) != 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) != 0)
		rc = -errno;
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		unlink(tmp);
	}
	return rc;
}

/* n doubles from text; 0 or -EINVAL. */
static int get_array(const char *text, double *a, size_t n)
{
	const char *p = text;
	size_t i;

	for (i = 0; i < n; i++) {
		char *end;

		a[i] = strtod(p, &end);
		if (end == p)
			return -EINVAL;
		p = end;
	}
	while (*p == ' ' || *p == '\n')
		p++;
	return *p ? -EINVAL : 0;
}

/* One "key value" line into s and w. 1 when known and parsed, 0 unknown, -EINVAL bad. */
static int parse_line(const char *key, const char *val, struct sim *s, struct state_weather *w)
{
	struct plant_params *pp = &s->pl.pp;
	char *end;

	if (strcmp(key, "layout") == 0) {
		size_t nv, nt;

		if (sscanf(val, "%zu %zu", &nv, &nt) != 2 || nv != N_VALUES || nt != N_TRUTH)
			return -EINVAL;
		return 1;
	}
	if (strcmp(key, "values") == 0)
		return get_array(val, (double *)&s->pl.v, N_VALUES) ? -EINVAL : 1;
	if (strcmp(key, "truth") == 0)
		return get_array(val, TRUTH_FIRST(&s->truth), N_TRUTH) ? -EINVAL : 1;
	if (strcmp(key, "weather") == 0) {
		snprintf(w->epw, sizeof(w->epw), "%s", strcmp(val, "-") == 0 ? "" : val);
		return 1;
	}
	if (strcmp(key, "time") == 0 || strcmp(key, "truth_hour") == 0) {
		long long t = strtoll(val, &end, 10);

		if (end == val || *end)
			return -EINVAL;
		*(strcmp(key, "time") == 0 ? &s->t : &s->truth.hour) = (time_t)t;
		return 1;
	}
	if (strcmp(key, "seed") == 0) {
		pp->seed = strtoull(val, &end, 10);
		return end == val || *end ? -EINVAL : 1;
	}
	if (strcmp(key, "rh_over_water") == 0 || strcmp(key, "mode") == 0) {
		long l = strtol(val, &end, 10);

		if (end == val || *end || l < 0 || l > 2)
			return -EINVAL;
		*(strcmp(key, "mode") == 0 ? &s->pl.mode : &pp->rh_over_water) = (int)l;
		return 1;
	}
	{
		double d = strtod(val, &end), *dst = NULL;

		if (end == val || *end)
			return -EINVAL;
#define GET(name)                                                                                  \
	if (strcmp(key, #name) == 0)                                                               \
		dst = &pp->name;
		PARAMS(GET)
#undef GET
		if (strcmp(key, "altitude_m") == 0)
			dst = &w->altitude_m;
		if (strcmp(key, "time_in_mode") == 0)
			dst = &s->pl.time_in_mode;
		if (!dst)
			return 0;
		*dst = d;
	}
	return 1;
}

int state_read(const char *path, struct sim *s, struct state_weather *w, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	int lineno = 0, rc = 0, seen = 0;

	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	memset(s, 0, sizeof(*s));
	memset(w, 0, sizeof(*w));
	while (fgets(line, sizeof(line), f)) {
		char *sp, *nl = strchr(line, '\n');
		int r;

		lineno++;
		if (!nl) {
			snprintf(err, errlen, "%s:%d: line too long", path, lineno);
			rc = -EINVAL;
			break;
		}
		*nl = '\0';
		if (lineno == 1) {
			if (strcmp(line, STATE_MAGIC) != 0) {
				snprintf(err, errlen, "%s: not a dcsim state file", path);
				rc = -EINVAL;
				break;
			}
			continue;
		}
		if (line[0] == '#' || line[0] == '\0')
			continue;
		sp = strchr(line, ' ');
		if (!sp) {
			snprintf(err, errlen, "%s:%d: expected \"key value\"", path, lineno);
			rc = -EINVAL;
			break;
		}
		*sp = '\0';
		r = parse_line(line, sp + 1, s, w);
		if (r <= 0) {
			snprintf(err, errlen, "%s:%d: %s: %s", path, lineno, line,
			         r == 0 ? "unknown key"
			                : "bad value (a state file from another dcsim build?)");
			rc = -EINVAL;
			break;
		}
		seen++;
	}
	if (!rc && ferror(f)) {
		rc = -EIO;
		snprintf(err, errlen, "%s: read error", path);
	}
	/* layout, time, seed, 10 params, rh_over_water, altitude_m, weather, mode,
	 * time_in_mode, truth_hour, truth, values */
	if (!rc && seen != 21) {
		snprintf(err, errlen, "%s: incomplete state file (%d of 21 entries)", path, seen);
		rc = -EINVAL;
	}
	fclose(f);
	return rc;
}

int state_attach(struct sim *s, const struct weather *wx)
{
	long m = sim_minute_of_step(s->t);

	s->wx = wx;
	s->wx_minute = m;
	if (weather_at(wx, (time_t)m * 60, &s->ws) < 0)
		return -EINVAL;
	s->pl.wx = s->ws;
	return 0;
}
