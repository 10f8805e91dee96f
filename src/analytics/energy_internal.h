/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the energy engine's two files share, and nothing else includes: energy.c (periods,
 * series resolution, intervals, coverage, status, figures) and energy_read.c (reading one
 * series into slots: counter deltas with their gaps spread, power by the trapezoid rule).
 */
#ifndef GREENDC_ENERGY_INTERNAL_H
#define GREENDC_ENERGY_INTERNAL_H

#include "analytics/energy.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store_reader;

static inline int64_t energy_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b < 0) ? q - 1 : q;
}

/* One stored series matched by a selector of the model. */
struct matched {
	int64_t id;
	bool counter;
	double factor; /* counters: report units per stored unit; gauges: per unit x ms */
	enum energy_role role;
	const char *zone;
	double sum;   /* over the whole period, report units */
	char *device; /* malloc'ed: the device and labels find the counter's power twin */
	char *labels;
	char *name;    /* malloc'ed "device metric{labels}", for the gaps it has */
	int64_t power; /* the power_w series of the same device and labels; 0 none */
};

/*
 * The period cut into slots of `slot` ms from `from`, and what has been read into them.
 * Slot k (any integer) starts at from + k x slot; [0, n) is the period.
 */
struct slots {
	int64_t from, to, slot;
	int64_t now;  /* the engine's now_ms clipped to [from, to]: = to once the period ended */
	int64_t wall; /* the engine's now_ms as given: no reading is newer */
	size_t n;
	double *val, *est; /* [role * n + i], report units; est: integrated power */
	double *etime;     /* [role * n + i]: share of slot i whose energy is estimated, summed
	                    * over the role's series (integrated power, spread over a gap) */
	int nseries[ROLE_COUNT];
	/* The series being read: energy [i] (stored units), share of slot i metered [i], the
	 * time of slot i's latest reading [1 + i] ([0]: the slot before from; NAN: none), how
	 * many readings slot i holds [2 + i] ([0], [1]: the two slots before from). */
	double *cur_val, *cur_cov, *cur_last;
	uint8_t *cur_est; /* the counter being read: slot i got part of a delta spread over a gap */
	int64_t *cur_cnt; /* the counter being read: readings per slot (its reading interval) */
	bool cur_pre;     /* the series being read has a counter reading in the slot before from */
	/* Per matched series j: share of slot i metered [j * n + i], and whether a counter
	 * reading fell in slot i [j * (n + 1) + 1 + i] or in the slot before from [j * (n + 1)]. */
	double *scov;
	uint8_t *rd;
	/* Intervals: slot i lies in by-interval ivx[i] (niv of them, none with STEP_WHOLE); index
	 * niv is the whole period. Energy spread over gaps that an interval k does not hold whole
	 * is estimated there: gest[k * ROLE_COUNT + role], gn[k * ROLE_COUNT + role] such gaps;
	 * gfirst[k] the first listed one of any role (-1). */
	size_t niv;
	uint32_t *ivx;
	double *gest;
	int *gn, *gfirst;
	struct energy_report *rep;     /* the gap list */
	bool twins_done;               /* power twins of the counters looked up */
	struct energy_anchor *anchors; /* scratch for energy_read.c: n + 3 of them */
	int64_t max_gap;               /* energy.max_gap: a shorter silence is never a gap */
};

/* A slot holding a counter reading: where (k, any integer), the time of its latest reading,
 * the delta it carries (stored units; only needed where a gap ends), and the series' usual
 * reading interval around it (ms; where a gap begins, its phase shifts the spread's edges). */
struct energy_anchor {
	int64_t k, last;
	double delta;
	int64_t step;
};

/* Every stored series the model's selectors pick, once per role, as energy_compute reads
 * them: *v (malloc'ed; energy_matched_free) and *n. 0 or -errno with why in err. */
int energy_resolve(struct store_reader *r, const struct energy_model *m, struct matched **v,
                   size_t *n, char *err, size_t errlen);
void energy_matched_free(struct matched *v, size_t n);
/* energy.c's pieces that the frame (energy_frame.c) reuses: the intervals of `by` in s
 * (rep->iv, s->ivx), the slot arrays for nseries series, and series j's coverage of slots
 * [i0, i1) (the rule role coverage averages). */
int energy_intervals_layout(struct slots *s, enum energy_step by, struct energy_report *rep);
int energy_slots_alloc(struct slots *s, size_t nseries);
void energy_slots_free(struct slots *s);
double energy_series_coverage(const struct slots *s, size_t j, size_t i0, size_t i1);

/* Read matched series j of v (nv of them) into s: s->val, s->est, s->scov, s->rd, s->nseries,
 * v[j].sum, and for a counter the spreading of its gaps (s->gest, s->gn, s->rep->gaps).
 * 0 or -errno. */
int energy_read_series(struct store_reader *r, const struct energy_model *m, struct slots *s,
                       struct matched *v, size_t nv, size_t j);

#endif
