/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Energy per group per interval: outlets, racks, rows, halls and tenants, 15 min to a year,
 * with coverage and status exactly as the site PUE has them. Each series is read once through
 * an energy_frame (the interval engine's own rules: counter deltas, gap spreading, in
 * progress, coverage) and added to every group it belongs to; a group's coverage is the mean
 * of its series' coverage and its status energy_interval_status(), as for an energy role.
 * Where a PDU has an input energy counter it is used; else its outlets' counters; else power
 * integrated by the trapezoid rule, marked derived (estimated). See docs/tenants.md.
 */
#ifndef GREENDC_GROUPS_H
#define GREENDC_GROUPS_H

#include "analytics/energy.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct floor;
struct energy_frame;
struct store_reader;

enum group_level { GROUP_OUTLET, GROUP_RACK, GROUP_ROW, GROUP_HALL, GROUP_TENANT };
const char *group_level_name(enum group_level l); /* "outlet", "rack", "row", "hall", "tenant" */
int group_level_parse(const char *s, enum group_level *out); /* 0 or -EINVAL */

/* How a PDU's (an outlet's, a rack's) energy is metered. */
enum group_source {
	SRC_NONE,
	SRC_INPUT_METER, /* the PDU's input energy counter */
	SRC_OUTLETS,     /* its outlets' counters (or power, where an outlet has no counter) */
	SRC_POWER,       /* its input power, integrated: derived */
	SRC_MIXED,       /* a rack whose PDUs are metered in different ways */
};
/* "none", "pdu_input", "outlets", "power", "mixed" */
const char *group_source_name(enum group_source s);

/* One series to read. */
struct group_series {
	int64_t id;
	bool counter;
	const char *metric, *name;
	int64_t power; /* a counter's power twin */
};

/* The series of one PDU's energy (at most 1 + its outlets); *src says how it is metered. */
size_t group_pdu_series(const struct floor *fl, size_t pdu, struct group_series *out, size_t cap,
                        enum group_source *src);
/* The series of one outlet's energy (0 or 1). */
size_t group_outlet_series(const struct floor *fl, size_t outlet, struct group_series *out);

/* One group over one interval. */
struct group_cell {
	double kwh;
	double estimated; /* integrated power, and energy spread over gaps crossing the edges */
	double coverage;  /* mean of its series' coverage (group_acc_finish) */
	int nseries, ngaps;
	enum energy_status status;
	bool derived; /* part of it is integrated power */
};

/* Groups over a frame's intervals (and the whole period: k == niv), optionally with each
 * group's kWh per slot (peaks, tariff periods). */
struct group_acc {
	size_t ngroups, niv, nslots;
	struct group_cell *cells; /* [g * (niv + 1) + k] */
	double *slots;            /* [g * nslots + i], or NULL */
};
int group_acc_init(struct group_acc *a, const struct energy_frame *f, size_t ngroups, bool slots);
void group_acc_free(struct group_acc *a);
static inline struct group_cell *group_cell(const struct group_acc *a, size_t g, size_t k)
{
	return &a->cells[g * (a->niv + 1) + k];
}

/* Read series s once and add it to group g of each of the nt accumulators. 0 or -errno. */
struct group_target {
	struct group_acc *acc;
	size_t g;
};
int group_read(struct energy_frame *f, struct store_reader *r, const struct group_series *s,
               const struct group_target *t, size_t nt);

/* Once every series is read: coverage means and statuses (m: group_model()). */
void group_acc_finish(struct group_acc *a, const struct energy_model *m,
                      const struct energy_frame *f);

/* The energy model whose rules groups follow (coverage_min, max_gap): the site's energy:
 * section, else the defaults (0.95, 5 min). */
const struct energy_model *group_model(const struct config *cfg);

/* Energy of every group of one level over [from, to) by `by`, as known at now_ms. */
struct group_info {
	char name[96]; /* outlet "A1-05/B/3", rack "A1-05", row "A/1", hall "A", tenant name */
	const char *hall, *row, *rack; /* borrowed from the floor; NULL where not one */
	enum group_source source;
};
struct group_energy {
	enum group_level level;
	size_t n;
	struct group_info *info;
	struct group_acc acc;
	struct energy_interval *iv; /* bounds and labels of the intervals (acc.niv) */
	int64_t from_ms, to_ms, now_ms;
	char err[200];
};
/* only: restrict to one group of the level (a rack name for GROUP_OUTLET: that rack's
 * outlets), or NULL for all. 0 or -errno (why in out->err). */
int groups_compute(const struct config *cfg, const struct floor *fl, struct store_reader *r,
                   enum group_level level, const char *only, int64_t from_ms, int64_t to_ms,
                   enum energy_step by, int64_t now_ms, struct group_energy *out);
void group_energy_free(struct group_energy *g);

#endif
