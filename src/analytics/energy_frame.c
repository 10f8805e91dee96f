/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The interval engine one series at a time (energy_frame.h). The frame is energy.c's struct
 * slots sized for a single series: energy_read_series() reads into it exactly as it does for
 * energy_compute(), and the coverage, intervals and gap accounting are energy.c's own
 * functions. Between two reads only that one series' rows are cleared.
 */
#include "analytics/energy_frame.h"
#include "analytics/energy_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR_MS INT64_C(3600000)
#define ROW     ROLE_FACILITY_INPUT /* the role row a frame reads into: any one will do */

struct energy_frame {
	const struct energy_model *m;
	struct slots s;
	struct energy_report rep; /* the intervals and the gap list */
	struct matched mt;
	char name[96];
	bool read; /* a series has been read */
};

struct energy_frame *energy_frame_new(const struct energy_model *m, int64_t from_ms, int64_t to_ms,
                                      enum energy_step by, bool slot15, int64_t now_ms, char *err,
                                      size_t errlen)
{
	int64_t slot = by == STEP_15MIN || slot15 ? 15 * 60000 : HOUR_MS;
	if (to_ms <= from_ms || (to_ms - from_ms) % slot) {
		snprintf(err, errlen, "the period must be a whole number of %s slots",
		         slot == HOUR_MS ? "1 h" : "15 min");
		return NULL;
	}
	struct energy_frame *f = calloc(1, sizeof(*f));
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->m = m;
	f->s = (struct slots){.from = from_ms,
	                      .to = to_ms,
	                      .slot = slot,
	                      .wall = now_ms,
	                      .now = now_ms < from_ms ? from_ms
	                             : now_ms > to_ms ? to_ms
	                                              : now_ms,
	                      .n = (size_t)((to_ms - from_ms) / slot),
	                      .rep = &f->rep,
	                      /* the caller names each counter's power twin */
	                      .twins_done = true};
	f->rep.slot_ms = slot;
	f->rep.now_ms = now_ms;
	if (energy_intervals_layout(&f->s, by, &f->rep) < 0 || energy_slots_alloc(&f->s, 1) < 0) {
		snprintf(err, errlen, "out of memory");
		energy_frame_free(f);
		return NULL;
	}
	return f;
}

void energy_frame_free(struct energy_frame *f)
{
	if (!f)
		return;
	energy_slots_free(&f->s);
	energy_report_free(&f->rep);
	free(f);
}

size_t energy_frame_nslots(const struct energy_frame *f)
{
	return f->s.n;
}

int64_t energy_frame_slot_ms(const struct energy_frame *f)
{
	return f->s.slot;
}

int64_t energy_frame_from(const struct energy_frame *f)
{
	return f->s.from;
}

int64_t energy_frame_now(const struct energy_frame *f)
{
	return f->s.now;
}

size_t energy_frame_nintervals(const struct energy_frame *f)
{
	return f->rep.n;
}

const struct energy_interval *energy_frame_intervals(const struct energy_frame *f)
{
	return f->rep.iv;
}

void energy_frame_interval_slots(const struct energy_frame *f, size_t k, size_t *i0, size_t *i1)
{
	if (k >= f->rep.n) {
		*i0 = 0;
		*i1 = f->s.n;
		return;
	}
	*i0 = (size_t)((f->rep.iv[k].from_ms - f->s.from) / f->s.slot);
	*i1 = (size_t)((f->rep.iv[k].to_ms - f->s.from) / f->s.slot);
}

int energy_frame_read(struct energy_frame *f, struct store_reader *r,
                      const struct energy_frame_series *s)
{
	struct slots *sl = &f->s;
	size_t n = sl->n, nk = (sl->niv + 1) * ROLE_COUNT;
	memset(sl->val + (size_t)ROW * n, 0, n * sizeof(double));
	memset(sl->est + (size_t)ROW * n, 0, n * sizeof(double));
	memset(sl->gest, 0, nk * sizeof(double));
	memset(sl->gn, 0, nk * sizeof(int));
	for (size_t k = 0; k <= sl->niv; k++)
		sl->gfirst[k] = -1;
	memset(sl->nseries, 0, sizeof(sl->nseries));
	snprintf(f->name, sizeof(f->name), "%s", s->name ? s->name : "");
	f->mt = (struct matched){.id = s->id,
	                         .counter = s->counter,
	                         .role = ROW,
	                         .name = f->name,
	                         .power = s->power};
	int rc = energy_unit_factor(s->metric, s->counter, &f->mt.factor);
	if (rc < 0)
		return rc;
	f->read = true;
	return energy_read_series(r, f->m, sl, &f->mt, 1, 0);
}

const double *energy_frame_values(const struct energy_frame *f)
{
	return f->s.val + (size_t)ROW * f->s.n;
}

const double *energy_frame_power_part(const struct energy_frame *f)
{
	return f->s.est + (size_t)ROW * f->s.n;
}

double energy_frame_coverage(const struct energy_frame *f, size_t k)
{
	size_t i0, i1;
	energy_frame_interval_slots(f, k, &i0, &i1);
	double c = f->read ? energy_series_coverage(&f->s, 0, i0, i1) : 0;
	return c > 1 - 1e-9 ? 1 : c; /* as fill_interval: rounding is not a gap */
}

void energy_frame_gap_part(const struct energy_frame *f, size_t k, double *estimated, int *ngaps)
{
	size_t kk = k >= f->s.niv ? f->s.niv : k;
	*estimated = f->s.gest[kk * ROLE_COUNT + ROW];
	*ngaps = f->s.gn[kk * ROLE_COUNT + ROW];
}

const struct energy_gap *energy_frame_gaps(const struct energy_frame *f, size_t *n, size_t *total)
{
	*n = f->rep.ngaps;
	*total = f->rep.ngaps_total;
	return f->rep.gaps;
}
