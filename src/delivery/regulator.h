/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Regulator upload cycles (DOMAIN.md section 9; docs/regulator.md): the `outputs:` type
 * `regulator` uploads energy figures to a regulator's platform (China's online monitoring of
 * key energy-consuming units: real-time indicators every 15 minutes, daily and monthly ones)
 * from a request body rendered from a template file (regtpl.h), because each province's
 * field list and energy-type codes differ and are not public: the mapping is data.
 *
 *   producer thread (regulator.c), for every target and cycle (15m, 1d, 1mo in site time):
 *     each period that has ended `delay` ago and has no upload yet, oldest first:
 *       figures from the energy engine (energy_compute / energy_figures: the one home)
 *       data-quality self-check (reg_quality: completeness, daily vs monthly, alignment)
 *       body = template(figures, quality, period, codes)
 *       history row + outbox item "<target>/regulator", one transaction
 *         (store_regulator_enqueue; the history is the local record kept >= 6 months)
 *   pusher thread: POST in order; acknowledged = 2xx and, when configured, a JSON field of
 *     the answer equal to a value; then the item leaves the outbox and the history row is
 *     marked acknowledged; anything else is retried with backoff until acknowledged.
 *
 * Each target is its own outbox stream, delivered by its own pusher thread, so one
 * destination's outage never delays another's.
 */
#ifndef GREENDC_REGULATOR_H
#define GREENDC_REGULATOR_H

#include "analytics/energy.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The upload cycles, aligned to site time. */
enum reg_cycle { REG_15MIN = 1, REG_DAY = 2, REG_MONTH = 4 };
#define REG_CYCLES 3
/* "15m", "1d", "1mo"; NULL for anything else. */
const char *reg_cycle_name(enum reg_cycle c);
/* The cycle named s, or 0. */
enum reg_cycle reg_cycle_parse(const char *s);

/* What a code's value is: a figure of the energy engine for the period. */
enum reg_figure {
	FIG_E_DC_KWH,           /* E_DC: facility input + backup generation + on-site renewable */
	FIG_IT_KWH,             /* E_IT at the PUE category's level */
	FIG_FACILITY_INPUT_KWH, /* the utility feeds */
	FIG_BACKUP_KWH,         /* backup generation */
	FIG_RENEWABLE_KWH,      /* on-site renewable */
	FIG_COOLING_KWH,        /* cooling */
	FIG_LIGHTING_OTHER_KWH, /* lighting and other */
	FIG_REUSED_HEAT_KWH,    /* heat handed over for reuse */
	FIG_WATER_M3,           /* water intake */
	FIG_WATER_POTABLE_M3,   /* potable water */
	FIG_PUE,                /* E_DC / E_IT */
	FIG_COUNT
};
/* "e_dc_kwh", ...; NULL out of range. */
const char *reg_figure_name(enum reg_figure f);
/* The figure named s, or -1. */
int reg_figure_parse(const char *s);

/* One energy-type code of the platform and the figure it carries. */
struct reg_item {
	const char *code; /* the platform's energy-type code, e.g. "01" */
	enum reg_figure figure;
	double scale; /* multiplies the figure (e.g. 0.001 for MWh); 1 by default */
	int decimals; /* digits after the point; -1: as many as the value needs */
};

/* A `regulator:` target's upload definition (parsed by regulator_config.c). */
struct reg_target {
	const char *template_file; /* resolved path; parsed again when the producer starts */
	const char *site_code;     /* the unit's code on the platform */
	unsigned cycles;           /* enum reg_cycle bits */
	struct reg_item *items;
	size_t nitems;
	const char *ack_field;   /* dotted path into the JSON answer; NULL: a 2xx is enough */
	const char *ack_equals;  /* the value it must have, as text */
	int64_t delay_ms;        /* a period is uploaded this long after it ends */
	const char *start;       /* with no history yet, the first period to upload (ISO 8601 in
	                          * site time, resolved once the zone is set); NULL: the latest */
	int64_t catch_up_ms;     /* after downtime, periods back to this far are still uploaded */
	int64_t history_ms;      /* local history kept (>= 183 days) */
	double completeness_min; /* self-check: share of 15-minute slots with data (0.9) */
	double difference_max;   /* self-check: |sum of the parts - the whole| / whole (0.05) */
};

/* ---- the data-quality self-check (pure: unit-tested) ---- */

struct reg_quality {
	double completeness;  /* of the period's 15-minute slots, the share with data */
	int slots, slots_ok;  /* how many there are, how many have data */
	bool have_difference; /* 1d: the 15-minute parts; 1mo: the days; 15m: none */
	double difference;    /* |sum of the parts - the whole| / whole, of E_DC */
	bool aligned;         /* boundaries on site time, no counter gap spread across them */
	bool ok;              /* all three within their limits */
};
/* The check of one period [from, to) of cycle c, from energy_compute reports over it: main
 * by the next smaller cycle (15m: by 15 minutes; 1d: by 15 minutes; 1mo: by day), whose
 * total is the whole and whose intervals are the parts; slots by 15 minutes (may be main).
 * completeness: slots whose facility input and IT energy are not MISSING; difference (1d,
 * 1mo): |sum of the parts' E_DC - the whole's| / the whole's; aligned: from and to are the
 * cycle's site-time boundaries and no counter gap was spread across them. */
void reg_quality_check(const struct reg_target *t, enum reg_cycle c, int64_t from_ms, int64_t to_ms,
                       const struct energy_report *main, const struct energy_report *slots,
                       struct reg_quality *out);

/* ---- the producer thread ---- */

struct config;
struct reg_engine;

/* Start producing for cfg's regulator targets (NULL when there are none, or with a message
 * in err on a fatal error; a target whose template does not parse is logged and skipped).
 * Borrows cfg until reg_stop. */
struct reg_engine *reg_start(const struct config *cfg, char *err, size_t errlen);
/* Stop the thread (a period being produced is finished) and free. NULL ok. */
void reg_stop(struct reg_engine *e);

/* Whether a JSON answer acknowledges an upload: no field configured (NULL), or the field at
 * the dotted path ("result.code") equals the expected text (a string as is, a number as
 * %.15g, true/false). why gets the reason when not. */
bool reg_ack_ok(const char *field, const char *equals, const char *body, size_t len, char *why,
                size_t whylen);

#endif
