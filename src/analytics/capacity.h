/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Power capacity and headroom of the floor (the `capacity:` config section and the figures):
 * per PDU (one per feed side of a rack, or several), per feed and per rack a rated capacity
 * (A per phase, or kW; from the config, else the device's rated_power_w), the derating rule
 * (80 % by default), measured peaks (the highest 1-minute and 15-minute mean power) over a
 * window, headroom, phase imbalance, and A/B redundancy: for a rack fed from two or more
 * sides, whether each side alone could carry the rack's measured peak. The floor view, the
 * `capacity` alert rule and `greendc capacity` all read capacity_compute(). docs/tenants.md.
 */
#ifndef GREENDC_CAPACITY_H
#define GREENDC_CAPACITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct config_diag;
struct ydoc;
struct floor;
struct store_reader;

/* A PDU's rating: rated_a per phase (with phases and voltage_v) or rated_kw; 0 = not given.
 * accuracy_pct: the stated accuracy of its input energy meter, for the outlet check. */
struct capacity_pdu {
	const char *device; /* NULL for the defaults */
	double rated_a, rated_kw, voltage_v, accuracy_pct;
	int phases;
	int line;
};

struct capacity_rack {
	const char *rack;
	double rated_kw;
	int line;
};

struct capacity_config {
	double derating;    /* share of the rating that may be used (0.8) */
	int64_t window_ms;  /* measured peaks of the floor view over the trailing window */
	int64_t refresh_ms; /* how often the floor view computes them again */
	struct capacity_pdu defaults;
	struct capacity_pdu *pdus;
	size_t npdus;
	struct capacity_rack *racks;
	size_t nracks;
	const char *file;
	int line;
};

void capacity_config_parse(struct ydoc *y, struct config *cfg, const char *path, void *node);
void capacity_config_validate(const struct config *cfg, struct config_diag *diag);

/* The defaults when the section is absent (derating 0.8, window 24 h, refresh 1 min). */
const struct capacity_config *capacity_config_get(const struct config *cfg);

/* A/B redundancy of a rack. */
enum capacity_ab {
	AB_SINGLE,  /* fed from one side: nothing to check */
	AB_OK,      /* every side alone could carry the rack's measured peak */
	AB_RISK,    /* some side alone could not */
	AB_UNKNOWN, /* no measured peak, or a side without a known limit */
};
const char *capacity_ab_name(enum capacity_ab ab); /* "single", "ok", "risk", "unknown" */

/* Figures of one PDU (floor->pdus[i]) over the window. kW; NAN where unknown. */
struct capacity_pdu_fig {
	double now_kw;               /* mean of the last minute with data */
	double peak1_kw, peak15_kw;  /* highest 1-minute and 15-minute mean */
	int64_t peak1_at, peak15_at; /* start of that minute / quarter hour */
	double rated_kw, limit_kw;   /* rating, and rating x derating */
	const char *limit_from;      /* "rated_a", "rated_kw", "rated_power_w" or NULL */
	double limit_a;              /* per phase, when rated in A */
	double phase_a[4];           /* mean current per phase over the last 15 minutes */
	int nphase;
	double peak_phase_a;  /* highest phase current sample in the window */
	double imbalance_pct; /* NEMA: largest deviation from the phase mean / the mean */
	double headroom_kw;   /* limit - peak1 */
	double util;          /* peak1 / limit */
};

/* One side (feed) of a rack: the PDUs with that `feed` label. */
struct capacity_side {
	char feed[16];
	double limit_kw, peak1_kw; /* the side's own load peak */
	bool carries;              /* limit >= the rack's peak1 */
};

struct capacity_rack_fig {
	double now_kw, peak1_kw, peak15_kw;
	int64_t peak1_at, peak15_at;
	double limit_kw;          /* configured rated_kw x derating, else the weakest side's */
	bool limit_configured;    /* capacity.racks names it */
	double headroom_kw, util; /* against limit_kw and peak1 */
	enum capacity_ab ab;
	struct capacity_side sides[4];
	int nsides;
};

struct capacity_result {
	int64_t from_ms, to_ms;
	double derating;
	struct capacity_pdu_fig *pdu;   /* floor->npdus */
	struct capacity_rack_fig *rack; /* floor->nracks */
	size_t npdus, nracks;
};

/* The figures over [from, to) (minutes from from_ms; to is rounded down to a minute): the
 * PDUs' power_w read as 1-minute means, a rack's minutes only where every PDU of it has
 * data. With CAPACITY_NO_PHASES the phase currents are not read (the alert rule, every few
 * seconds, needs only power). 0 or -errno. */
#define CAPACITY_NO_PHASES 1u
int capacity_compute(const struct config *cfg, const struct floor *fl, struct store_reader *r,
                     int64_t from_ms, int64_t to_ms, unsigned flags, struct capacity_result *out);
void capacity_result_free(struct capacity_result *res);

#endif
