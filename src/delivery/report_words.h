/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The words of the report's pages (report_words.c): greendc's codes and English messages in
 * the JSON mapped to what an English or a Chinese reader sees. Used by report_layout.c.
 */
#ifndef GREENDC_REPORT_WORDS_H
#define GREENDC_REPORT_WORDS_H

#include <stdbool.h>
#include <stddef.h>

/* "it_ups_output" -> "IT at UPS output" / "UPS 输出端 IT 能耗". */
const char *rw_role(bool zh, const char *key);
/* "OK", "ESTIMATED", "MISSING", "IN_PROGRESS". */
const char *rw_status(bool zh, const char *status);
/* What the PUE category rests on (kpi_category_text's words, or their translation). */
const char *rw_category(bool zh, int category);
/* Why a KPI is absent: the message itself in English, its meaning in Chinese. */
void rw_reason(bool zh, const char *why, char *buf, size_t len);
/* A counter event's kind, and its detail ("raw a -> b after s s, counted n"). */
const char *rw_event(bool zh, const char *kind);
void rw_event_detail(bool zh, const char *detail, char *buf, size_t len);
/* A required identity field by its config key ("reporting.address"). */
const char *rw_identity_key(bool zh, const char *key);
/* enterprise, colocation, co-hosting. */
const char *rw_site_type(bool zh, const char *type);

#endif
