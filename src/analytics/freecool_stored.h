/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Free cooling from stored data: the one tally of hours available vs used that every front end
 * shows (DESIGN.md "The same figure everywhere"). `greendc freecool --period`, the monthly
 * report's (and the summary's) free_cooling object, GET /api/v1/freecool and the
 * free_cooling_unused alert rule all call freecool_stored() and only format what it returns.
 *
 * Per bucket of the step over [from, to): the `cooling:` section's outdoor series give the
 * outdoor state by one humidity rule (freecool_stored_outdoor), freecool_available() the mode
 * the outdoor air allows, the plant's series the mode it ran (freecool_stored_plant), and the
 * buckets are summed per site-time day and month and in total. Optionally the IT inlet
 * envelope checks run over the same buckets. See docs/internals/analytics.md.
 *
 * Site time is the process zone (core/timeutil.h: time_zone_set() before threads start).
 */
#ifndef GREENDC_FREECOOL_STORED_H
#define GREENDC_FREECOOL_STORED_H

#include "analytics/freecool.h"
#include "analytics/freecool_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store_reader;

/* More buckets than this are refused (-E2BIG): about two years of 1-minute buckets. */
#define FC_STORED_MAX_BUCKETS (2u << 20)
/* At most this many series per glob are read (and inlets checked). */
#define FC_STORED_MAX_SERIES 64

/*
 * The one humidity rule. From one bucket's means: dry-bulb (C), RH as a fraction over the
 * section's rh_over (NAN when none), dew point (C, used when there is no RH) and station
 * pressure (Pa; NAN = p_std_pa, the standard atmosphere at the site's altitude). RH above 1 is
 * taken as 1 (sensors read past saturation). false, with o's fields NAN, when the bucket has
 * no usable outdoor state.
 */
bool freecool_stored_outdoor(const struct fc_config *fc, double db_c, double rh, double dp_c,
                             double p_pa, double p_std_pa, struct fc_outdoor *o);

/*
 * The mode the plant ran in one bucket: the cooling_mode series (mean, rounded) when there is
 * one, else the free-cooling valve share (%): >= 99.5 full, > 0.5 partial, else mechanical.
 * *f_used is the load share the economizer carried: 1 full, valve/100 partial (0 without a
 * valve series), 0 mechanical. -1 (and *f_used 0) when the bucket has neither.
 */
int freecool_stored_plant(double mode, double valve_pct, double *f_used);

/* One bucket. */
struct fc_stored_bucket {
	int64_t t_ms;        /* start, UTC */
	bool outdoor;        /* the outdoor state is known: the bucket counts */
	struct fc_outdoor o; /* NAN fields when !outdoor */
	enum fc_mode avail;  /* freecool_available() (mechanical when !outdoor) */
	double f_avail;      /* load share the economizer could carry */
	int used;            /* freecool_stored_plant(), -1 unknown */
	double f_used;
	double compressor_kw; /* summed over the series; NAN when none has data */
};

/* Hours over one day, month or the whole range. Only buckets with outdoor data count; plant
 * figures only where the plant's mode is known too. */
struct fc_tally {
	char label[16];      /* "2026-10-05", "2026-10" (site time) or "total" */
	double data_h;       /* hours with outdoor data */
	double avail_free_h; /* full free cooling available */
	double avail_partial_h;
	double avail_mech_h;  /* mechanical only: neither full nor partial available */
	double avail_equiv_h; /* sum of f_avail x h: load-hours the economizer could carry */
	double plant_data_h;  /* of data_h, hours the plant's mode is known */
	double used_free_h, used_partial_h, used_mech_h;
	double used_equiv_h; /* sum of f_used x h: load-hours it carried */
	double missed_h;     /* a freer mode was available than the plant ran */
	double compressor_kwh;
	/* compressor kWh x clamp((f_avail - f_used) / (1 - f_used), 0, 1): the share of the
	 * compressors' load the economizer could have taken on top of what it carried */
	double missed_kwh;
};

/* The IT inlet envelope check of one inlet series (and the room RH of the same device). */
struct fc_inlet_check {
	char series[96]; /* "device metric{labels}" */
	double min_c, max_c, below_h, above_h;
	double max_rate_k_per_h, rate_over_h; /* change over one hour (or one step if longer) */
	char rh_series[96];                   /* "" when no RH series of the device is stored */
	double dp_min_c, dp_max_c;            /* +-INFINITY when no bucket had both */
	double dp_below_h, dp_above_h, rh_above_h;
};

enum {
	FC_STORED_BUCKETS = 1u,  /* fill out->b */
	FC_STORED_ENVELOPE = 2u, /* fill out->inlets */
};

struct fc_stored {
	int64_t from_ms, to_ms, step_ms;
	double p_std_pa; /* used where no pressure series has data */
	size_t nb;
	struct fc_stored_bucket *b;     /* nb, with FC_STORED_BUCKETS; else NULL */
	struct fc_tally *days, *months; /* the days and months with data, in order */
	size_t ndays, nmonths;
	struct fc_tally total;
	struct fc_envelope env;        /* the section's class and range at its altitude */
	struct fc_inlet_check *inlets; /* with FC_STORED_ENVELOPE */
	size_t ninlets;
	unsigned nseries[FC_S_COUNT]; /* stored series matched per configured glob */
	char err[160];                /* why freecool_stored failed */
};

/*
 * Tally [from_ms, to_ms) in buckets of step_ms (the last one may be shorter and counts for its
 * own length) from the series of fc, a `cooling:` section. site_altitude_m is used unless the
 * section gives altitude_m. Without outdoor series no bucket has data (the plant's modes are
 * still read). Fills *out (freecool_stored_free); 0 or -errno with out->err: -EINVAL (an
 * empty range or step), -E2BIG (too many buckets), -ENOMEM, or the store's error.
 */
int freecool_stored(struct store_reader *r, const struct fc_config *fc, double site_altitude_m,
                    int64_t from_ms, int64_t to_ms, int64_t step_ms, unsigned flags,
                    struct fc_stored *out);
void freecool_stored_free(struct fc_stored *s);

/* The site's cooling load for the what-if's kWh: the mean of the section's cooling_power_w
 * series (summed) over the whole minutes of [to - window, to) in which every matched series
 * has data, in kW; NAN when there is none. */
double freecool_stored_cooling_kw(struct store_reader *r, const struct fc_config *fc, int64_t to_ms,
                                  int64_t window_ms);

#endif
