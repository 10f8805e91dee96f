/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Regulator reports: the monthly (and annual) energy report a regulator receives, as one JSON
 * document (docs/report.schema.json) and its renderings — CSV, a printable HTML page and an A4
 * PDF, in Chinese or English. The JSON carries the site's identity, the metering register
 * with its boundary and calibration dates, the data-quality evidence, every KPI with its
 * inputs, the GB 40879 grade, free-cooling hours, daily (monthly) series for the charts and
 * the document's identity; its canonical bytes (cJSON_PrintUnformatted) are what greendc
 * publishes, hashes and signs (report_sign.h).
 *
 * Every figure comes from the analytics layer (energy_compute, energy_figures, kpi_compute,
 * freecool_stored) and is only formatted here, so the report equals `greendc pue`/`kpi`.
 * Files: report.c (build: head, identity, energy, KPIs), report_quality.c (metering register
 * and data-quality evidence), report_eu.c (EU 2024/1364), report_config.c (the `reporting:`
 * section), report_csv.c, report_layout.c (the document a page shows, from the JSON),
 * report_html.c / report_pdf.c (render a document), report_chart.c (charts), report_sign.c.
 * See docs/reports.md.
 */
#ifndef GREENDC_REPORT_H
#define GREENDC_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REPORT_METHODOLOGY "greendc-energy/1"
#define REPORT_SCHEMA      "greendc.report/2"

struct config;
struct config_diag;
struct config_secret;
struct store_reader;
struct cJSON;
struct ydoc;

/* ---- the `reporting:` section (report_config.c) ---- */

/* One meter of the metering register (reporting.meters[] or the file reporting.meters_file). */
struct report_meter {
	const char *id;     /* unique in the register: "M01" */
	const char *device; /* the config device (or a meter read by hand); NULL = none */
	const char *model, *serial, *accuracy_class;
	const char *ct_ratio, *pt_ratio; /* "400/5"; NULL = direct connection */
	const char *boundary_point;      /* where it sits: "10 kV incomer 1" */
	int role;                        /* enum energy_role it meters */
	const char *calibrated;          /* YYYY-MM-DD of the last calibration */
	const char *calibration_due;     /* YYYY-MM-DD the next one is due */
	const char *file;
	int line;
};

struct report_traffic {
	const char *year;
	double incoming_pb, outgoing_pb;
};

/* Regulator facts no meter gives. Numbers < 0 (reuse_temp_c < -273) are "not given". */
struct report_site {
	/* identity (docs/reports.md, "Identity") */
	const char *owner, *operator_name, *address, *uscc, *regulator_unit_id;
	const char *contact_name, *contact_phone, *contact_email;
	/* EU 2024/1364 annex I */
	const char *location_code, *type, *start_date;
	double p_dit_kw; /* installed (rated) IT power, kW */
	double area_total_m2, area_computer_m2;
	const char *redundancy_power, *redundancy_cooling;
	double reuse_temp_c;
	struct report_traffic traffic[16];
	size_t ntraffic;
	/* the metering register */
	struct report_meter *meters;
	size_t nmeters;
	/* the document */
	const char *signing_key; /* resolved path of the Ed25519 private key (PEM), or NULL */
	const char *prepared_by, *approved_by;
	const char *file;
	int line;
};

void report_config_parse(struct ydoc *y, struct config *cfg, const char *path, void *node);
void report_config_secrets(const struct config *cfg,
                           void (*found)(void *ctx, const struct config_secret *s), void *ctx);

/* The identity fields a regulator requires (docs/reports.md) that the config leaves out, by
 * their config key ("reporting.address", "site.name", ...), into names[max]. The count (all
 * of them, even beyond max). */
size_t report_identity_missing(const struct config *cfg, const char **names, size_t max);

/* Warnings for `greendc check-config` (errors with --strict): every missing identity field,
 * and every meter whose calibration is due before now_ms. One diagnostic each. */
void report_config_warnings(const struct config *cfg, int64_t now_ms, struct config_diag *diag);

/* ---- building ---- */

/* Build the report for period ("2026-10", or "2026" for a calendar year) in site time (the
 * process zone, core/timeutil.h), as known at generated_ms. *out gets a cJSON tree
 * (cJSON_Delete) or stays NULL; 0 or -errno with why in err. The document's revision is
 * looked up among the reports stored in r (store_report_revision). */
int report_build(const struct config *cfg, struct store_reader *r, const char *period,
                 int64_t generated_ms, struct cJSON **out, char *err, size_t errlen);

/* The idempotency key of a built report: "<site>:report:<period>:<16 hex>", the hex a SHA-256
 * over the report without its generation time, document identity and signing key, so the
 * same figures always give the same key and a report changed by late data a new one. */
void report_content_key(const struct cJSON *rep, char *buf, size_t len);

/* The canonical bytes greendc publishes, hashes and signs: cJSON_PrintUnformatted(rep)
 * (malloc'ed, NUL-terminated; the key order is fixed by the code). NULL when out of memory. */
char *report_canonical(const struct cJSON *rep);

/* Lower-case hex SHA-256 of the canonical bytes (65 bytes with the NUL). */
void report_digest_hex(const char *canonical, size_t len, char hex[65]);

/* Free-cooling hours over [from, to) from the stored free-cooling tally (freecool_stored.h),
 * as the report's "free_cooling" object (also used by summaries). Only the time before
 * now_ms is tallied: a period in progress counts what has been observed so far. */
struct cJSON *report_free_cooling(const struct config *cfg, struct store_reader *r, int64_t from_ms,
                                  int64_t to_ms, int64_t now_ms);

/* The month (year) before the one containing now_ms, in site time, as "YYYY-MM" ("YYYY"). */
void report_previous_month(int64_t now_ms, char *buf, size_t len);
void report_previous_year(int64_t now_ms, char *buf, size_t len);

/* ---- renderings (lang "zh" or "en"); malloc'ed, NULL when out of memory ---- */

/* CSV: "field,value" rows with dotted paths (kpi.pue,1.405). */
char *report_csv(const struct cJSON *rep);
/* One self-contained printable HTML page with inline SVG charts. */
char *report_html(const struct cJSON *rep, const char *lang);
/* An A4 PDF (*len bytes): page headers with site and period, page numbers and the report's
 * SHA-256 on every page, charts, the signature block; CJK fonts embedded. */
unsigned char *report_pdf(const struct cJSON *rep, const char *lang, size_t *len);

/* Release what rendering cached for the life of the process (pango's font map, cairo's and
 * fontconfig's caches), so a leak checker sees nothing at exit. Only in a single-threaded
 * program about to exit (the CLI, the unit tests), after its last rendering. */
void report_render_release(void);

#endif
