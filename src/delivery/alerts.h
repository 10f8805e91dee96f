/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alert rules (the `alerts:` config section) and their evaluation thread in the daemon.
 * Each rule yields alerts identified by a fingerprint of their labels (rule + device + metric
 * + series labels), so one condition is one alert for its whole life: it goes pending when
 * the condition first holds, firing once it has held for `for`, and resolved only when the
 * condition is clear by the hysteresis margin — no flapping, no second firing while firing.
 * Transitions are written through the store writer as an `alert_firing`/`alert_resolved`
 * event plus one outbox item per report target subscribed to "alert", in one transaction
 * (store_outbox). On start the engine reloads which alerts are firing from those events.
 * `greendc alerts` reads the same events. See docs/alerts.md.
 */
#ifndef GREENDC_ALERTS_H
#define GREENDC_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum alert_type {
	ALERT_THRESHOLD,             /* last value of matching series above/below a limit */
	ALERT_RATE,                  /* change per hour over `window` above/below a limit */
	ALERT_DEVICE_DOWN,           /* device state down or stale */
	ALERT_COUNTER_DISCONTINUITY, /* counter_reset/counter_rejected events within `window` */
	ALERT_ASHRAE_INLET,          /* IT inlet outside the cooling: section's ASHRAE envelope */
	ALERT_PUE_ABOVE,             /* interim power ratio over `window` above `above` */
	ALERT_FREE_COOLING_UNUSED,   /* outdoor air allows a freer mode than the plant runs */
	ALERT_CAPACITY, /* a PDU, a rack or one feed alone (A/B) over its derated limit */
};

struct alert_rule {
	const char *name; /* alertname */
	enum alert_type type;
	const char *series; /* glob over "device metric{labels}" (threshold, rate) */
	bool have_above, have_below;
	double above, below;
	double hysteresis;   /* clear only when this far back inside the limit */
	int64_t for_ms;      /* condition must hold this long before firing */
	int64_t lookback_ms; /* threshold: newest sample must be this recent */
	int64_t window_ms;   /* rate, counter_discontinuity */
	const char *severity;
	const char *summary; /* annotation text; NULL = generated */
	const char *file;
	int line;
};

/* "threshold", "device_down", ...: the rule type as the config names it. */
const char *alert_type_name(enum alert_type t);

#define ALERTS_MAX_RULES 64

struct alerts_config {
	int64_t interval_ms;
	struct alert_rule rules[ALERTS_MAX_RULES];
	size_t nrules;
};

struct ydoc;
struct config;
struct config_diag;
void alerts_config_parse(struct ydoc *y, struct config *cfg, const char *path, void *node);
void alerts_config_validate(const struct config *cfg, struct config_diag *diag);

/* ---- the engine ---- */

struct alerts_engine;
struct store;

/* Start the evaluation thread (nothing when the config has no alerts: section). Keeps its own
 * copy of the rules and output target names. NULL with a message only on a fatal error. */
struct alerts_engine *alerts_start(const struct config *cfg, struct store *st, char *err,
                                   size_t errlen);
void alerts_stop(struct alerts_engine *e);

/* Exposed for tests: the pure state machine of one alert. cond: the condition holds; clear:
 * the condition is clear by the hysteresis margin. Returns +1 fire, -1 resolve, 0 nothing. */
struct alert_state {
	bool firing;
	int64_t pending_since; /* 0 = not pending */
	int64_t started_ms;
};
int alert_step(struct alert_state *s, bool cond, bool clear, int64_t now_ms, int64_t for_ms);

/* Exposed for tests: the free_cooling_unused rule's view at now_ms. The stored free-cooling
 * tally (analytics/freecool_stored.h) over [now - lookback, now) as one bucket: *known when it
 * has outdoor data and the plant's mode, *cond when a freer mode was available than the plant
 * ran (the tally's missed hours), *share_pct the load share the economizer carried. 0 or
 * -errno. */
struct fc_config;
struct store_reader;
int alert_free_cooling_view(struct store_reader *r, const struct fc_config *fc,
                            double site_altitude_m, int64_t now_ms, int64_t lookback_ms,
                            bool *known, bool *cond, double *share_pct);

#endif
