/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading one series into the energy engine's slots (energy_internal.h). Counters: the sum of
 * the store's rollup deltas per slot; where the readings stop for one slot or more, or stop
 * before a slot's end for longer than the series' reading interval explains and resume in
 * the next slot, the next reading carries the gap's energy, and that delta is spread over
 * the slots the gap spans, by the shape of the same device's power_w series or evenly, so
 * that no slot after a gap holds energy of the slots before it (and no hour reports "E_IT
 * exceeds E_DC" from a catch-up), while the total of any interval holding the whole gap stays
 * the counter's exact delta. Power gauges: the trapezoid rule over raw samples (ESTIMATED).
 * See docs/energy.md, "Gaps".
 */
#include "analytics/energy_internal.h"

#include "core/timeutil.h"

#include "store/store.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A gap longer than this is spread evenly: the power shape of a longer one is not read. */
#define SHAPE_MAX_SLOTS (400 * 96)
/* How far past an ended period the reading that ends a gap is looked for. */
#define LOOK_AHEAD_MS (3650 * INT64_C(86400000))

static int64_t slot_start(const struct slots *s, int64_t k)
{
	return s->from + k * s->slot;
}

/* ---- counters ---- */

static int counter_cb(void *ctx, int64_t bucket, double value, int64_t count)
{
	struct slots *s = ctx;
	int64_t i = energy_floor_div(bucket - s->from, s->slot);
	if (i >= -2 && i < (int64_t)s->n)
		s->cur_cnt[i + 2] = count;
	if (i == -1 && count > 0)
		s->cur_pre = true; /* only the reading matters: its energy is before the period */
	if (i < 0 || (size_t)i >= s->n || !isfinite(value))
		return 0;
	s->cur_val[i] += value;
	if (count > 0)
		s->cur_cov[i] = 1;
	return 0;
}

static int last_cb(void *ctx, int64_t bucket, double value, int64_t count)
{
	struct slots *s = ctx;
	int64_t i = energy_floor_div(bucket - s->from, s->slot);
	if (i >= -1 && i < (int64_t)s->n && count > 0)
		s->cur_last[i + 1] = value;
	return 0;
}

/* The first bucket holding a reading (its start and value), then stop. */
struct first {
	int64_t bucket;
	double value;
	bool have;
};

static int first_cb(void *ctx, int64_t bucket, double value, int64_t count)
{
	struct first *f = ctx;
	if (count <= 0 || !isfinite(value))
		return 0;
	*f = (struct first){bucket, value, true};
	return 1;
}

/* Readings in slot k, as counted with its delta (0: none, or not read). */
static int64_t slot_count(const struct slots *s, int64_t k)
{
	return k >= -2 && k < (int64_t)s->n ? s->cur_cnt[k + 2] : 0;
}

/* The most readings slot k or a neighbour holds: a full slot of the series around k. */
static int64_t slot_full(const struct slots *s, int64_t k)
{
	int64_t c = slot_count(s, k);
	for (int64_t i = k - 1; i <= k + 1; i += 2)
		if (slot_count(s, i) > c)
			c = slot_count(s, i);
	return c;
}

/*
 * The series' usual reading interval around slot k (ms): the slot over a full slot's
 * readings. The counts come with the deltas, so this costs no query (the spacing of the
 * readings around each boundary would need every slot's reading times, a second query over
 * a year for every counter); a gap shorter than a slot lowers the count of the slots it
 * touches, not of the ones around them; and it follows a meter whose interval changes. A
 * meter read once a slot or less has the slot.
 */
static int64_t reading_interval(const struct slots *s, int64_t k)
{
	int64_t c = slot_full(s, k);
	return c > 1 ? s->slot / c : s->slot;
}

/* How long a meter read every `step` ms may be silent before a slot's end without it being a
 * gap: its own phase is up to one step, twice that is a missed reading; and never less than
 * energy.max_gap, the silence the power integration bridges too (a 5 s poller missing a few
 * polls around a boundary moves a minute's energy across it, as a 15 min meter always does). */
static int64_t gap_threshold(const struct slots *s, int64_t step)
{
	return 2 * step > s->max_gap ? 2 * step : s->max_gap;
}

/*
 * Could slot k's readings stop more than the threshold short of its end? A regular meter
 * silent that long before the slot's end holds at least threshold / interval - 1 readings
 * fewer than a full slot; one more is allowed for jitter. Only such slots have their latest
 * reading's time read: a steady meter costs nothing more.
 */
static bool gap_candidate(const struct slots *s, int64_t k)
{
	int64_t c = slot_count(s, k), full = slot_full(s, k), step = reading_interval(s, k);
	int64_t need = gap_threshold(s, step) / step - 2;
	return c > 0 && full - c >= (need > 1 ? need : 1);
}

static int first_raw_cb(void *ctx, int64_t ts, double value)
{
	struct first *f = ctx;
	if (!isfinite(value))
		return 0;
	*f = (struct first){ts, value, true};
	return 1;
}

/* When the first reading in slot k was: raw samples while retained, else the 1 min rollups
 * (then to the minute's latest reading). Only for naming a gap. */
static int64_t first_reading(struct store_reader *r, const struct slots *s, int64_t id, int64_t k)
{
	struct first f = {0};
	int64_t a = slot_start(s, k), b = slot_start(s, k + 1);
	if (store_read_raw(r, id, a, b, first_raw_cb, &f) >= 0 && f.have)
		return f.bucket;
	f.have = false;
	if (store_query(r, id, a, b, 60000, AGG_LAST_TS, first_cb, &f) >= 0 && f.have)
		return (int64_t)f.value;
	return a;
}

/* The power_w series of the same device and labels as each matched counter. */
struct twins {
	struct matched *v;
	size_t nv;
};

static int twin_cb(void *ctx, const struct store_series_info *info)
{
	struct twins *t = ctx;
	if (strcmp(info->metric, "power_w") != 0 || info->kind != STORE_GAUGE)
		return 0;
	for (size_t i = 0; i < t->nv; i++)
		if (t->v[i].counter && !t->v[i].power &&
		    strcmp(t->v[i].device, info->device) == 0 &&
		    strcmp(t->v[i].labels, info->labels) == 0)
			t->v[i].power = info->id;
	return 0;
}

/* Find the power twins of the counters, once per computation (only when a gap needs them). */
static int twins_find(struct store_reader *r, struct slots *s, struct matched *v, size_t nv)
{
	struct twins t = {v, nv};
	if (s->twins_done)
		return 0;
	s->twins_done = true;
	int rc = store_series_find(r, NULL, twin_cb, &t);
	return rc < 0 ? rc : 0;
}

struct shape {
	double *mean; /* power per slot from k0, NAN where none */
	int64_t k0;
	size_t n;
	const struct slots *s;
};

static int shape_cb(void *ctx, int64_t bucket, double value, int64_t count)
{
	struct shape *sh = ctx;
	int64_t i = energy_floor_div(bucket - sh->s->from, sh->s->slot) - sh->k0;
	if (i >= 0 && (size_t)i < sh->n && count > 0 && isfinite(value))
		sh->mean[i] = value;
	return 0;
}

/*
 * The weights of the slots a..b for a delta metered over (a->last, b->last]: each slot's part
 * of that time, its bounds shifted back by the meter's reading phase, i.e. by how far its
 * regular last reading in a slot falls short of the slot's end (so a steady meter read every
 * 15 min gives every hour of the gap the same 4 quarter hours its neighbours hold), times the
 * mean power of that slot when the counter has a power twin with data in every slot
 * concerned. w[] has b - a + 1 entries; returns their sum (0: nothing to spread) and whether
 * the power shape was used.
 */
static double spread_weights(struct store_reader *r, const struct slots *s,
                             const struct matched *mt, const struct energy_anchor *a,
                             const struct energy_anchor *b, double *w, bool *by_power)
{
	/* a's last reading is short of its slot's end by d: the phase itself for a meter that
	 * read on until the gap (d <= its interval); for one that stopped mid-slot (read every
	 * minute, silent from :20) the phase is d modulo its interval, not d: shifting every
	 * edge back 40 min would give the hour it stopped in nothing of the gap. */
	int64_t d = a->last > slot_start(s, a->k) ? slot_start(s, a->k + 1) - a->last : 0;
	int64_t off = d > 0 && a->step > 0 ? (d - 1) % a->step + 1 : d;
	size_t m = (size_t)(b->k - a->k + 1);
	double sum = 0, psum = 0;
	for (size_t i = 0; i < m; i++) {
		int64_t k = a->k + (int64_t)i;
		int64_t lo = k == a->k ? a->last : slot_start(s, k) - off;
		int64_t hi = k == b->k ? b->last : slot_start(s, k + 1) - off;
		w[i] = hi > lo ? (double)(hi - lo) : 0;
		sum += w[i];
	}
	*by_power = false;
	if (!mt->power || m > SHAPE_MAX_SLOTS || sum <= 0)
		return sum;
	struct shape sh = {.mean = malloc(m * sizeof(double)), .k0 = a->k, .n = m, .s = s};
	if (!sh.mean)
		return sum;
	for (size_t i = 0; i < m; i++)
		sh.mean[i] = NAN;
	bool ok = store_query(r, mt->power, slot_start(s, a->k), slot_start(s, b->k + 1), s->slot,
	                      AGG_AVG, shape_cb, &sh) >= 0;
	for (size_t i = 0; ok && i < m; i++) {
		if (w[i] > 0 && !(isfinite(sh.mean[i]) && sh.mean[i] >= 0))
			ok = false;
		psum += w[i] * (isfinite(sh.mean[i]) ? sh.mean[i] : 0);
	}
	if (ok && psum > 0) {
		for (size_t i = 0; i < m; i++)
			w[i] = w[i] > 0 ? w[i] * sh.mean[i] : 0;
		sum = psum;
		*by_power = true;
	}
	free(sh.mean);
	return sum;
}

/* Count gap gi (-1: not listed) of role r in interval k, once. */
static void gap_mark(struct slots *s, size_t k, enum energy_role r, int gi, size_t *last_k)
{
	if (*last_k == k)
		return;
	*last_k = k;
	s->gn[k * ROLE_COUNT + r]++;
	if (s->gfirst[k] < 0)
		s->gfirst[k] = gi;
}

/*
 * Spread the delta b carries over the slots from a to b (matched series j). Every part landing
 * in an interval that does not hold the whole gap is estimated there.
 */
static int spread(struct store_reader *r, struct slots *s, struct matched *mt,
                  const struct energy_anchor *a, const struct energy_anchor *b)
{
	size_t m = (size_t)(b->k - a->k + 1);
	double *w = malloc(m * sizeof(*w));
	bool by_power;
	if (!w)
		return -ENOMEM;
	double sum = spread_weights(r, s, mt, a, b, w, &by_power);
	if (sum <= 0 || !isfinite(b->delta)) {
		free(w);
		return 0;
	}
	int64_t g0 = w[0] > 0 ? a->k : a->k + 1;
	bool whole_in_period = g0 >= 0 && b->k < (int64_t)s->n;
	bool whole_in_iv = whole_in_period && s->niv && s->ivx[g0] == s->ivx[b->k];
	struct energy_report *rep = s->rep;
	int gi = rep->ngaps < ENERGY_MAX_GAPS ? (int)rep->ngaps : -1;
	size_t last_iv = SIZE_MAX, last_tot = SIZE_MAX;
	double in_period = 0;
	/* All of it is spread, its own slot's part included (for a gap shorter than a slot, the
	 * delta of the reading that ends it: the rest of its slot stays). */
	if (b->k < (int64_t)s->n)
		s->cur_val[b->k] -= b->delta;
	for (int64_t k = g0 > 0 ? g0 : 0; k <= b->k && k < (int64_t)s->n; k++) {
		double part = b->delta * w[k - a->k] / sum, v = part * mt->factor;
		s->cur_val[k] += part;
		s->cur_est[k] = 1;
		if (k > a->k && k < b->k)
			s->cur_cov[k] = 1; /* metered, in aggregate: no longer a hole */
		in_period += v;
		if (!whole_in_iv && s->niv) {
			s->gest[s->ivx[k] * ROLE_COUNT + mt->role] += v;
			gap_mark(s, s->ivx[k], mt->role, gi, &last_iv);
		}
		if (!whole_in_period) {
			s->gest[s->niv * ROLE_COUNT + mt->role] += v;
			gap_mark(s, s->niv, mt->role, gi, &last_tot);
		}
	}
	free(w);
	rep->ngaps_total++;
	if (gi < 0)
		return 0;
	struct energy_gap *g = &rep->gaps[rep->ngaps++];
	*g = (struct energy_gap){.series = mt->id,
	                         .role = mt->role,
	                         .last_ms = a->last,
	                         .next_ms = first_reading(r, s, mt->id, b->k),
	                         .by_power = by_power,
	                         .value = b->delta * mt->factor,
	                         .in_period = in_period};
	snprintf(g->name, sizeof(g->name), "%s", mt->name);
	return 0;
}

/* The first reading after an ended period: its slot, latest reading and delta. 1 found,
 * 0 none, or -errno. Data cannot be newer than now: look no further than the slot holding it
 * (and no further than 10 years, for a caller's "now" of INT64_MAX). */
static int reading_after(struct store_reader *r, const struct slots *s, int64_t id,
                         struct energy_anchor *out)
{
	struct first f = {0}, l = {0};
	int64_t lim = s->wall - s->to > LOOK_AHEAD_MS ? s->to + LOOK_AHEAD_MS : s->wall;
	int64_t end = slot_start(s, energy_floor_div(lim - s->from, s->slot) + 1);
	int rc = store_query(r, id, s->to, end > s->to ? end : s->to + s->slot, s->slot, AGG_DELTA,
	                     first_cb, &f);
	if (rc >= 0 && f.have)
		rc = store_query(r, id, f.bucket, f.bucket + s->slot, s->slot, AGG_LAST_TS,
		                 first_cb, &l);
	if (rc < 0)
		return rc;
	if (!l.have)
		return 0;
	*out = (struct energy_anchor){energy_floor_div(f.bucket - s->from, s->slot),
	                              (int64_t)l.value, f.value, 0};
	return 1;
}

/* The anchors of the series being read, in time order: the reading before the period where
 * a gap runs into it (lead), the slots in [-1, n) holding readings, and `after` (or NULL).
 * Returns how many, or -errno. */
static int anchors_collect(struct store_reader *r, struct slots *s, const struct matched *mt,
                           const uint8_t *has, bool lead, const struct energy_anchor *after,
                           struct energy_anchor *an)
{
	size_t na = 0;
	if (lead) {
		int64_t t0;
		int rc = store_last_before(r, mt->id, slot_start(s, -1), &t0);
		if (rc < 0 && rc != -ENOENT)
			return rc;
		if (rc == 0) {
			int64_t k = energy_floor_div(t0 - s->from, s->slot);
			an[na++] = (struct energy_anchor){k, t0, NAN, reading_interval(s, k)};
		}
	}
	for (int64_t k = -1; k < (int64_t)s->n; k++)
		if (has[k + 1] && isfinite(s->cur_last[k + 1]))
			an[na++] = (struct energy_anchor){k, (int64_t)s->cur_last[k + 1],
			                                  k >= 0 ? s->cur_val[k] : NAN,
			                                  reading_interval(s, k)};
	if (after && na)
		an[na++] = *after;
	return (int)na;
}

/*
 * The reading that ends a silence at the start of slot k: its time and the delta it carries
 * (stored units). From the raw samples while they are retained (a step of 1 ms makes every
 * sample its own bucket); else from the first 1 min rollup holding a reading (its latest
 * reading and the minute's delta: readings in that minute go with the one ending the gap);
 * else slot k's latest reading and whole delta. 1 found, 0 none, or -errno.
 */
static int catchup_reading(struct store_reader *r, const struct slots *s, int64_t id, int64_t k,
                           struct energy_anchor *out)
{
	const int64_t steps[] = {1, 60000, s->slot};
	int64_t a = slot_start(s, k), b = slot_start(s, k + 1);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct first f = {0}, l = {0};
		int rc = store_query(r, id, a, b, steps[i], AGG_DELTA, first_cb, &f);
		if (rc >= 0 && f.have && steps[i] > 1)
			rc = store_query(r, id, f.bucket, f.bucket + steps[i], steps[i],
			                 AGG_LAST_TS, first_cb, &l);
		else
			l = (struct first){f.bucket, (double)f.bucket, f.have};
		if (rc < 0)
			return rc;
		if (f.have && l.have) {
			*out = (struct energy_anchor){k, (int64_t)l.value, f.value, 0};
			return 1;
		}
	}
	return 0;
}

/* Does a silence at the end of slot k (holding readings) end in the next slot, the first after
 * an ended period included, and could it be longer than the threshold (gap_candidate)? */
static bool boundary_candidate(const struct slots *s, const uint8_t *has,
                               const struct energy_anchor *after, int64_t k)
{
	int64_t n = (int64_t)s->n;
	bool next = k + 1 < n ? has[k + 2] : after && after->k == n;
	return has[k + 1] && next && gap_candidate(s, k);
}

/*
 * Gaps shorter than a slot that cross a slot boundary (issue 13): slot k's readings stop more
 * than the gap threshold before its end and resume in slot k + 1, whose first reading carries
 * the energy of (k's last reading, itself], much of it slot k's. That reading's delta alone is
 * spread over the two slots, as over longer gaps (its slots ESTIMATED, the gap named, the
 * total of an interval holding it exact); the rest of slot k + 1 stays as metered. A silence
 * inside one slot moves no energy across a boundary and is no gap. `times`: the latest
 * reading of every slot is in s->cur_last already. Runs after the longer gaps' spreading,
 * which takes an anchor's delta as read.
 */
static int short_gaps(struct store_reader *r, struct slots *s, struct matched *v, size_t nv,
                      size_t j, const uint8_t *has, const struct energy_anchor *after, bool times)
{
	struct matched *mt = &v[j];
	int64_t k0 = INT64_MAX, k1 = INT64_MIN;
	for (int64_t k = -1; k < (int64_t)s->n; k++)
		if (boundary_candidate(s, has, after, k)) {
			k0 = k < k0 ? k : k0;
			k1 = k;
		}
	if (k1 == INT64_MIN)
		return 0;
	int rc = times ? 0
	               : store_query(r, mt->id, slot_start(s, k0), slot_start(s, k1 + 1), s->slot,
	                             AGG_LAST_TS, last_cb, s);
	for (int64_t k = k0; rc >= 0 && k <= k1; k++) {
		double last = s->cur_last[k + 1];
		if (!boundary_candidate(s, has, after, k) || !isfinite(last))
			continue;
		int64_t step = reading_interval(s, k);
		if (slot_start(s, k + 1) - (int64_t)last <= gap_threshold(s, step))
			continue;
		struct energy_anchor a = {k, (int64_t)last, NAN, step}, b;
		int found = catchup_reading(r, s, mt->id, k + 1, &b);
		rc = found > 0 ? twins_find(r, s, v, nv) : found;
		if (found > 0 && rc >= 0)
			rc = spread(r, s, mt, &a, &b);
	}
	return rc < 0 ? rc : 0;
}

/*
 * The series' latest reading is in slot k, with none after it up to now: the meter has been
 * silent since. Slot k then metered only from the reading before it to that one, and does
 * not count as bracketing the intervals it ends (a counter read at 00:03 and silent since has
 * not metered the hour to 01:00).
 */
static int final_reading(struct store_reader *r, struct slots *s, const struct matched *mt,
                         uint8_t *has, int64_t k)
{
	double last = s->cur_last[k + 1], prev = NAN;
	for (int64_t i = k - 1; i >= -1 && isnan(prev); i--)
		if (has[i + 1])
			prev = s->cur_last[i + 1];
	if (isnan(prev)) {
		int64_t t;
		int rc = store_last_before(r, mt->id, slot_start(s, k), &t);
		if (rc < 0 && rc != -ENOENT)
			return rc;
		prev = rc == 0 ? (double)t : (double)slot_start(s, k);
	}
	if (isfinite(last))
		s->cur_cov[k] = fmin(1, fmax(0, last - prev) / (double)s->slot);
	has[k + 1] = 0;
	return 0;
}

static int read_counter(struct store_reader *r, struct slots *s, struct matched *v, size_t nv,
                        size_t j)
{
	struct matched *mt = &v[j];
	uint8_t *has = s->rd + j * (s->n + 1); /* has[k + 1]: a reading in slot k */
	bool ended = s->now >= s->to;
	int64_t c = ended ? -2 : energy_floor_div(s->now - s->from, s->slot);
	/* As known at now: no reading after it (a test's "now" may lie in the past of the
	 * data). The store serves an end inside an hour from raw samples. */
	int64_t qend = ended ? s->to : s->now + 1;
	/* From two slots before: the count of slot -2 gives slot -1's reading interval. */
	int rc = store_query(r, mt->id, s->from - 2 * s->slot, qend, s->slot, AGG_DELTA, counter_cb,
	                     s);
	if (rc < 0)
		return rc;
	has[0] = s->cur_pre;
	bool gap = false;
	int64_t first = INT64_MIN, last = INT64_MIN;
	for (int64_t k = -1; k < (int64_t)s->n; k++) {
		if (k >= 0)
			has[1 + k] = s->cur_cov[k] > 0;
		if (!has[1 + k])
			continue;
		gap |= last != INT64_MIN && k > last + 1;
		first = first == INT64_MIN ? k : first;
		last = k;
	}
	struct energy_anchor after;
	int found = ended ? reading_after(r, s, mt->id, &after) : 0;
	if (found < 0)
		return found;
	bool final = last >= 0 && (ended ? !found : last < c);
	bool trail = found && last < (int64_t)s->n - 1;
	bool lead = !has[0] && (first >= 0 || trail);
	bool spreads = gap || lead || trail;
	/* The readings' times: for every slot where a gap may end, or the slot in progress. */
	for (size_t i = 0; i <= s->n; i++)
		s->cur_last[i] = NAN;
	if (spreads)
		rc = store_query(r, mt->id, s->from - s->slot, qend, s->slot, AGG_LAST_TS, last_cb,
		                 s);
	if (!spreads && final) /* its slot and the one before (a year is 8,760 rows) */
		rc = store_query(r, mt->id, slot_start(s, last - 1), slot_start(s, last + 1),
		                 s->slot, AGG_LAST_TS, last_cb, s);
	if (rc >= 0 && !spreads && !ended && has[c + 1])
		rc = store_query(r, mt->id, slot_start(s, c), slot_start(s, c + 1), s->slot,
		                 AGG_LAST_TS, last_cb, s);
	if (rc < 0)
		return rc;
	/* The slot in progress is metered up to its latest reading. */
	if (!ended && has[c + 1] && isfinite(s->cur_last[c + 1]))
		s->cur_cov[c] =
		        fmax(0, s->cur_last[c + 1] - (double)slot_start(s, c)) / (double)s->slot;
	if (spreads && (rc = twins_find(r, s, v, nv)) < 0)
		return rc;
	if (spreads) {
		struct energy_anchor *an = s->anchors;
		int na = anchors_collect(r, s, mt, has, lead, trail ? &after : NULL, an);
		if (na < 0)
			return na;
		for (int i = 1; i < na && rc >= 0; i++)
			if (an[i].k >= an[i - 1].k + 2 && an[i].k >= 0)
				rc = spread(r, s, mt, &an[i - 1], &an[i]);
	}
	if (rc >= 0)
		rc = short_gaps(r, s, v, nv, j, has, found ? &after : NULL, spreads);
	if (rc >= 0 && final)
		rc = final_reading(r, s, mt, has, last);
	return rc < 0 ? rc : 0;
}

/* ---- power gauges ---- */

struct integ {
	struct slots *s;
	int64_t max_gap, lo, hi;
	bool have;
	int64_t t0;
	double v0;
};

/* Add the trapezoid between (a, va) and (b, vb), clipped to [lo, hi), slot by slot with the
 * value interpolated linearly at slot boundaries. */
static void integ_add(struct integ *g, int64_t a, double va, int64_t b, double vb)
{
	struct slots *s = g->s;
	int64_t x0 = a > g->lo ? a : g->lo, x1 = b < g->hi ? b : g->hi;
	while (x0 < x1) {
		int64_t i = (x0 - s->from) / s->slot;
		int64_t end = s->from + (i + 1) * s->slot;
		if (end > x1)
			end = x1;
		double f0 = va + (vb - va) * (double)(x0 - a) / (double)(b - a);
		double f1 = va + (vb - va) * (double)(end - a) / (double)(b - a);
		s->cur_val[i] += 0.5 * (f0 + f1) * (double)(end - x0);
		s->cur_cov[i] += (double)(end - x0) / (double)s->slot;
		x0 = end;
	}
}

static int gauge_cb(void *ctx, int64_t ts, double v)
{
	struct integ *g = ctx;
	if (!isfinite(v)) {
		g->have = false; /* a NaN breaks the line: the gap is not bridged */
		return 0;
	}
	if (g->have && ts > g->t0 && ts - g->t0 <= g->max_gap)
		integ_add(g, g->t0, g->v0, ts, v);
	g->have = true;
	g->t0 = ts;
	g->v0 = v;
	return 0;
}

int energy_read_series(struct store_reader *r, const struct energy_model *m, struct slots *s,
                       struct matched *v, size_t nv, size_t j)
{
	struct matched *mt = &v[j];
	memset(s->cur_val, 0, s->n * sizeof(double));
	memset(s->cur_cov, 0, s->n * sizeof(double));
	memset(s->cur_est, 0, s->n);
	memset(s->cur_cnt, 0, (s->n + 2) * sizeof(int64_t));
	s->cur_pre = false;
	int rc;
	if (mt->counter) {
		rc = read_counter(r, s, v, nv, j);
	} else {
		struct integ g = {.s = s, .max_gap = m->max_gap_ms, .lo = s->from, .hi = s->now};
		rc = store_read_raw(r, mt->id, s->from - m->max_gap_ms, s->to + m->max_gap_ms,
		                    gauge_cb, &g);
	}
	if (rc < 0)
		return rc;
	size_t base = (size_t)mt->role * s->n;
	for (size_t i = 0; i < s->n; i++) {
		double x = s->cur_val[i] * mt->factor;
		mt->sum += x;
		s->val[base + i] += x;
		s->scov[j * s->n + i] = s->cur_cov[i] > 1 ? 1 : s->cur_cov[i];
		if (!mt->counter) {
			s->est[base + i] += x;
			s->etime[base + i] += s->scov[j * s->n + i];
		} else if (s->cur_est[i]) {
			s->etime[base + i] += 1;
		}
	}
	s->nseries[mt->role]++;
	return 0;
}
