/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Monthly tenant statements, the figures: per tenant the month's kWh (metered from outlet or
 * rack counters where the PDUs have them, else integrated power marked derived) by tariff
 * period, peak demand (the highest 15-minute mean kW) and when, cost, the racks and outlets
 * billed with their own kWh, coverage and status by the energy engine's rules, optional
 * facility overhead allocated by the month's measured PUE (a line of its own, never inside
 * the metered kWh), and a check per PDU that its outlets add up to its input meter within the
 * meter's stated accuracy. Rendering (JSON, CSV, HTML, PDF) is delivery/statement*.c; the
 * CLI, the API and the dashboard show these figures only. See docs/tenants.md.
 */
#ifndef GREENDC_STATEMENT_H
#define GREENDC_STATEMENT_H

#include "analytics/energy.h"
#include "analytics/groups.h"
#include "analytics/tariff.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STATEMENT_METHODOLOGY "greendc-tenant/1"

struct config;
struct store_reader;
struct tenant;

/* A rack billed to a tenant: the whole rack, or the listed outlets of a shared one. */
struct statement_rack {
	const char *rack, *hall, *row;
	bool whole;
	char outlets[128]; /* "3, 4" for outlets of a shared rack */
	struct group_cell month;
	enum group_source source;
};

/* A PDU with an input energy counter and outlet counters: do they agree? */
struct statement_check {
	const char *pdu, *rack, *feed;
	struct group_cell input, outlets;
	double diff_pct;     /* (input - outlets) / input x 100 */
	double accuracy_pct; /* the input meter's stated accuracy (capacity: pdus/defaults) */
	bool ok;             /* |diff| within it; not judged (ok) while either is MISSING */
	bool judged;
};

struct statement_tenant {
	const struct tenant *t;
	const struct tariff *tariff; /* NULL: no tariffs: configured (kWh only) */
	struct group_cell month;     /* the tenant's kWh over the month (elapsed part) */
	double period_kwh[TP_COUNT], period_cost[TP_COUNT];
	double energy_cost; /* NAN without a tariff */
	double peak_kw;     /* highest 15-minute mean, NAN when nothing was metered */
	int64_t peak_at;    /* start of that quarter hour */
	/* Overhead by PUE (t->overhead_pue): allocated when the month's PUE is published. */
	bool overhead;
	double overhead_kwh, overhead_cost, pue;
	char overhead_why[200]; /* why not allocated */
	double total_cost;      /* energy + overhead; NAN without a tariff */
	struct statement_rack *racks;
	size_t nracks;
	struct statement_check *checks;
	size_t nchecks;
	double *day_kwh; /* per site-time day of the month (ndays) */
	bool checks_failed;
};

struct statement_set {
	char period[16];
	int64_t from_ms, to_ms, now_ms;
	bool in_progress;
	int64_t elapsed_ms;
	size_t ndays;
	int64_t *day_from; /* start of each day */
	struct statement_tenant *t;
	size_t n;
	/* The month's site PUE, for the overhead (when a tenant asks for it). */
	bool pue_known, pue_published;
	double pue;
	char pue_label[80], pue_why[240];
	struct energy_gap gaps[ENERGY_MAX_GAPS];
	size_t ngaps, ngaps_total;
	/* Owned: every tenant's racks and checks point into these; names into the floor. */
	struct statement_rack *rows;
	struct statement_check *checks;
	double *days;
	struct floor *fl;
	char err[200];
};

/* Statements for month ("2026-10") for every tenant, or the one named tenant, as known at
 * now_ms. 0, -ENOENT (no such tenant, or no tenants: section) or -errno (why in out->err).
 * With threads > 1 and db_path set, the series are read by that many threads, each on a
 * read-only connection of its own (tenants are split between them: no two write the same
 * figure); the result is the same. */
int statement_compute(const struct config *cfg, struct store_reader *r, const char *month,
                      const char *tenant, int64_t now_ms, struct statement_set *out);
int statement_compute_parallel(const struct config *cfg, struct store_reader *r,
                               const char *db_path, unsigned threads, const char *month,
                               const char *tenant, int64_t now_ms, struct statement_set *out);
void statement_set_free(struct statement_set *s);

#endif
