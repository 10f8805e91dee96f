/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A statement's JSON (statement_json.c) into its document model (statement_doc.h), worded in
 * English or Chinese. Figures are formatted here (kWh to one decimal, money to two, shares
 * in %), never recomputed: every number is the JSON's.
 */
#include "delivery/statement_doc.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct words {
	const char *key, *en, *zh;
};

static const struct words W[] = {
        {"title", "Electricity statement", "用电结算单"},
        {"site", "Site", "站点"},
        {"tenant", "Tenant", "客户"},
        {"period", "Period", "结算期"},
        {"tariff", "Tariff", "电价"},
        {"source", "Price source", "电价来源"},
        {"generated", "Generated", "生成时间"},
        {"method", "Methodology", "计算方法"},
        {"summary", "Summary", "概要"},
        {"energy", "Metered energy", "计量电量"},
        {"coverage", "Coverage", "计量覆盖率"},
        {"status", "Status", "状态"},
        {"peak", "Peak demand (15-minute mean)", "最大需量（15 分钟平均）"},
        {"cost_t", "Energy and cost by tariff period", "分时电量与电费"},
        {"tperiod", "Tariff period", "时段"},
        {"price", "Price", "单价"},
        {"cost", "Cost", "电费"},
        {"metered_total", "Metered energy", "计量电量合计"},
        {"overhead", "Facility overhead, allocated by %s", "设施分摊电量（按 %s 分摊）"},
        {"total", "Total", "合计"},
        {"racks", "Racks and outlets billed", "计费机柜与出线口"},
        {"rack", "Rack", "机柜"},
        {"hall", "Hall", "机房"},
        {"row", "Row", "列"},
        {"outlets", "Outlets", "出线口"},
        {"whole", "whole rack", "整柜"},
        {"metered_by", "Metered by", "计量方式"},
        {"checks", "Meter checks: outlets against each PDU's input meter",
         "电表核对：出线口电量与 PDU 输入电表"},
        {"pdu", "PDU", "PDU"},
        {"feed", "Feed", "电源路"},
        {"input", "Input kWh", "输入电量 kWh"},
        {"outlets_kwh", "Outlets kWh", "出线口电量 kWh"},
        {"diff", "Difference", "差值"},
        {"accuracy", "Accuracy", "准确度"},
        {"result", "Result", "结果"},
        {"agree", "agree", "一致"},
        {"disagree", "DISAGREE", "不一致"},
        {"not_judged", "not judged (data missing)", "未判定（数据缺失）"},
        {"daily", "kWh per day", "每日电量"},
        {"st_OK", "metered", "已计量"},
        {"st_ESTIMATED", "estimated", "估算"},
        {"st_MISSING", "missing", "缺失"},
        {"st_IN_PROGRESS", "in progress", "进行中"},
        {"p_critical", "critical peak", "尖峰"},
        {"p_peak", "peak", "高峰"},
        {"p_flat", "flat", "平段"},
        {"p_valley", "valley", "低谷"},
        {"p_deep_valley", "deep valley", "深谷"},
        {"s_pdu_input", "PDU input meter", "PDU 输入电表"},
        {"s_outlets", "outlet meters", "出线口电表"},
        {"s_power", "integrated power (derived)", "功率积分（推算）"},
        {"s_mixed", "mixed", "混合"},
        {"s_none", "not metered", "未计量"},
        {"n_progress",
         "IN PROGRESS: this month has not ended; every figure covers the time elapsed so far "
         "and is not final.",
         "结算期尚未结束：以下数据仅覆盖已过去的时间，均非最终结果。"},
        {"n_missing",
         "INCOMPLETE: metering coverage is below the threshold; this statement must not be "
         "used for billing as is.",
         "不完整：计量覆盖率低于阈值，本结算单不得直接用于计费。"},
        {"n_checks",
         "METER CHECK FAILED: a PDU's outlet meters do not add up to its input meter within "
         "its stated accuracy (see the meter checks).",
         "电表核对未通过：某 PDU 的出线口电量之和与其输入电表的差值超出标称准确度（见电表核对）。"},
        {"n_estimated", "Of the metered energy, %s kWh is estimated (%s).",
         "计量电量中 %s kWh 为估算值（%s）。"},
        {"n_est_why_power", "power integrated where a PDU has no energy counter",
         "无电能计数器的 PDU 采用功率积分"},
        {"n_est_why_gap", "spread over gaps in the readings", "读数缺口按规则分摊"},
        {"n_overhead",
         "Facility overhead (cooling, power delivery, lighting) is allocated as metered kWh x "
         "(PUE - 1) by the month's measured %s; it is not metered and is shown apart from the "
         "metered energy.",
         "设施分摊电量（制冷、配电损耗、照明）按本月实测 %s 以 计量电量 ×（PUE − 1）分摊，"
         "非计量值，与计量电量分列。"},
        {"n_no_overhead", "Facility overhead is not allocated: %s", "未分摊设施电量：%s"},
        {"n_no_tariff", "No tariff is configured: energy only, no cost.",
         "未配置电价：仅列电量，不计电费。"},
        {"kwh_unit", "kWh", "kWh"},
        {"footer", "greendc — figures from metered counters; times in site time (%s)",
         "greendc — 数据来自计量计数器；时间为站点时间（%s）"},
};

static const char *tr(const char *lang, const char *key)
{
	bool zh = strcmp(lang, "zh") == 0;
	for (size_t i = 0; i < sizeof(W) / sizeof(W[0]); i++)
		if (strcmp(W[i].key, key) == 0)
			return zh ? W[i].zh : W[i].en;
	return key;
}

/* A code's words: tr(prefix + code), or the code as it is. */
static const char *trc(const char *lang, const char *prefix, const char *code)
{
	char k[64];
	snprintf(k, sizeof(k), "%s%s", prefix, code ? code : "");
	const char *w = tr(lang, k);
	return w == k ? (code ? code : "") : w;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static const cJSON *get(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
	return b ? cJSON_GetObjectItemCaseSensitive(v, b) : v;
}

static const char *str(const cJSON *v)
{
	return cJSON_IsString(v) ? v->valuestring : "";
}

static double dbl(const cJSON *v)
{
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* "1,234.5" with d decimals, or "—". */
static char *fnum(double v, int d)
{
	if (!isfinite(v))
		return strdup("—");
	char raw[64], out[96];
	snprintf(raw, sizeof(raw), "%.*f", d, fabs(v));
	size_t n = strcspn(raw, "."), o = 0;
	if (v < 0 && raw[strspn(raw, "0.")])
		out[o++] = '-';
	for (size_t i = 0; i < n; i++) {
		out[o++] = raw[i];
		if ((n - i - 1) % 3 == 0 && i + 1 < n)
			out[o++] = ',';
	}
	snprintf(out + o, sizeof(out) - o, "%s", raw + n);
	return strdup(out);
}

static char *fpct(double share, int d)
{
	return isfinite(share) ? fmt("%.*f %%", d, 100 * share) : strdup("—");
}

/* ---- building ---- */

static bool grow(void **arr, size_t *n, size_t size)
{
	void *p = realloc(*arr, (*n + 1) * size);
	if (!p)
		return false;
	memset((char *)p + *n * size, 0, size);
	*arr = p;
	(*n)++;
	return true;
}

static void ident(struct statement_doc *d, const char *key, char *value)
{
	if (value && grow((void **)&d->ident, &d->nident, sizeof(*d->ident))) {
		d->ident[d->nident - 1] = (struct statement_doc_line){strdup(key), value};
		return;
	}
	free(value);
}

static void note(struct statement_doc *d, char *text, bool warn)
{
	if (text && grow((void **)&d->notes, &d->nnotes, sizeof(*d->notes))) {
		d->notes[d->nnotes - 1] = (struct statement_doc_note){text, warn};
		return;
	}
	free(text);
}

static struct statement_doc_table *table(struct statement_doc *d, const char *title,
                                         const char *const *head, const bool *numeric, size_t ncols)
{
	if (!grow((void **)&d->tables, &d->ntables, sizeof(*d->tables)))
		return NULL;
	struct statement_doc_table *t = &d->tables[d->ntables - 1];
	t->title = strdup(title);
	t->ncols = ncols;
	t->head = calloc(ncols, sizeof(char *));
	t->numeric = calloc(ncols, sizeof(bool));
	for (size_t i = 0; t->head && t->numeric && i < ncols; i++) {
		t->head[i] = strdup(head[i]);
		t->numeric[i] = numeric[i];
	}
	return t;
}

/* Append a row of ncols cells (taken over). */
static void row(struct statement_doc_table *t, char **cells)
{
	char **p = t ? realloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(char *)) : NULL;
	if (!p) {
		for (size_t i = 0; t && i < t->ncols; i++)
			free(cells[i]);
		return;
	}
	memcpy(p + t->nrows * t->ncols, cells, t->ncols * sizeof(char *));
	t->cells = p;
	t->nrows++;
}

static void summary(struct statement_doc *d, const cJSON *s, const char *lang)
{
	static const bool numeric[2] = {false, true};
	const char *head[2] = {"", ""}; /* no head row */
	struct statement_doc_table *t = table(d, tr(lang, "summary"), head, numeric, 2);
	const cJSON *e = get(s, "energy", NULL), *pk = get(s, "peak_demand", NULL);
	char *kwh = fnum(dbl(get(e, "kwh", NULL)), 1);
	char *kw = fnum(dbl(get(pk, "kw", NULL)), 2);
	row(t, (char *[]){strdup(tr(lang, "energy")), fmt("%s kWh", kwh)});
	row(t, (char *[]){strdup(tr(lang, "coverage")), fpct(dbl(get(e, "coverage", NULL)), 2)});
	row(t, (char *[]){strdup(tr(lang, "status")),
	                  strdup(trc(lang, "st_", str(get(e, "status", NULL))))});
	row(t, (char *[]){strdup(tr(lang, "peak")),
	                  cJSON_IsString(get(pk, "at_local", NULL))
	                          ? fmt("%s kW (%s)", kw, str(get(pk, "at_local", NULL)))
	                          : fmt("%s kW", kw)});
	free(kwh);
	free(kw);
}

static void costs(struct statement_doc *d, const cJSON *s, const char *lang)
{
	static const bool numeric[4] = {false, true, true, true};
	const char *cur = str(get(s, "cost", "currency"));
	char price[48], cost[48];
	snprintf(price, sizeof(price), "%s (%s/kWh)", tr(lang, "price"), *cur ? cur : "—");
	snprintf(cost, sizeof(cost), "%s (%s)", tr(lang, "cost"), *cur ? cur : "—");
	const char *head[4] = {tr(lang, "tperiod"), "kWh", price, cost};
	struct statement_doc_table *t = table(d, tr(lang, "cost_t"), head, numeric, 4);
	const cJSON *p;
	cJSON_ArrayForEach(p, get(s, "by_period", NULL))
	{
		row(t, (char *[]){strdup(trc(lang, "p_", str(get(p, "period", NULL)))),
		                  fnum(dbl(get(p, "kwh", NULL)), 1),
		                  fnum(dbl(get(p, "price", NULL)), 4),
		                  fnum(dbl(get(p, "cost", NULL)), 2)});
	}
	const cJSON *o = get(s, "overhead", NULL);
	if (cJSON_IsTrue(get(o, "allocated", NULL))) {
		row(t, (char *[]){strdup(tr(lang, "metered_total")),
		                  fnum(dbl(get(s, "energy", "kwh")), 1), strdup(""),
		                  fnum(dbl(get(s, "cost", "energy")), 2)});
		char what[128];
		snprintf(what, sizeof(what), tr(lang, "overhead"), str(get(o, "pue_label", NULL)));
		row(t, (char *[]){strdup(what), fnum(dbl(get(o, "kwh", NULL)), 1), strdup(""),
		                  fnum(dbl(get(o, "cost", NULL)), 2)});
	}
	double total_kwh = dbl(get(s, "energy", "kwh"));
	if (cJSON_IsTrue(get(o, "allocated", NULL)))
		total_kwh += dbl(get(o, "kwh", NULL));
	row(t, (char *[]){strdup(tr(lang, "total")), fnum(total_kwh, 1), strdup(""),
	                  fnum(dbl(get(s, "cost", "total")), 2)});
	if (t)
		t->last_is_total = true;
}

static void racks(struct statement_doc *d, const cJSON *s, const char *lang)
{
	static const bool numeric[8] = {false, false, false, false, true, true, false, false};
	const char *head[8] = {tr(lang, "rack"),
	                       tr(lang, "hall"),
	                       tr(lang, "row"),
	                       tr(lang, "outlets"),
	                       "kWh",
	                       tr(lang, "coverage"),
	                       tr(lang, "status"),
	                       tr(lang, "metered_by")};
	struct statement_doc_table *t = table(d, tr(lang, "racks"), head, numeric, 8);
	const cJSON *r;
	cJSON_ArrayForEach(r, get(s, "racks", NULL))
	{
		bool whole = cJSON_IsTrue(get(r, "whole", NULL));
		row(t,
		    (char *[]){strdup(str(get(r, "rack", NULL))), strdup(str(get(r, "hall", NULL))),
		               strdup(str(get(r, "row", NULL))),
		               strdup(whole ? tr(lang, "whole") : str(get(r, "outlets", NULL))),
		               fnum(dbl(get(r, "kwh", NULL)), 1),
		               fpct(dbl(get(r, "coverage", NULL)), 2),
		               strdup(trc(lang, "st_", str(get(r, "status", NULL)))),
		               strdup(trc(lang, "s_", str(get(r, "source", NULL))))});
	}
}

static void checks(struct statement_doc *d, const cJSON *s, const char *lang)
{
	const cJSON *a = get(s, "meter_checks", NULL), *c;
	if (cJSON_GetArraySize(a) == 0)
		return;
	static const bool numeric[8] = {false, false, false, true, true, true, true, false};
	const char *head[8] = {tr(lang, "pdu"),      tr(lang, "rack"),        tr(lang, "feed"),
	                       tr(lang, "input"),    tr(lang, "outlets_kwh"), tr(lang, "diff"),
	                       tr(lang, "accuracy"), tr(lang, "result")};
	struct statement_doc_table *t = table(d, tr(lang, "checks"), head, numeric, 8);
	cJSON_ArrayForEach(c, a)
	{
		bool judged = cJSON_IsTrue(get(c, "judged", NULL)),
		     ok = cJSON_IsTrue(get(c, "ok", NULL));
		double diff = dbl(get(c, "diff_pct", NULL));
		row(t,
		    (char *[]){strdup(str(get(c, "pdu", NULL))), strdup(str(get(c, "rack", NULL))),
		               strdup(str(get(c, "feed", NULL))),
		               fnum(dbl(get(c, "input_kwh", NULL)), 1),
		               fnum(dbl(get(c, "outlets_kwh", NULL)), 1),
		               isfinite(diff) ? fmt("%+.2f %%", diff) : strdup("—"),
		               fmt("±%g %%", dbl(get(c, "accuracy_pct", NULL))),
		               strdup(tr(lang, !judged ? "not_judged"
		                               : ok    ? "agree"
		                                       : "disagree"))});
	}
}

static void daily(struct statement_doc *d, const cJSON *s, const char *lang)
{
	const cJSON *days = get(s, "days", NULL), *x;
	size_t n = (size_t)cJSON_GetArraySize(days);
	if (!n || !grow((void **)&d->charts, &d->ncharts, sizeof(*d->charts)))
		return;
	struct statement_doc_chart *c = &d->charts[d->ncharts - 1];
	c->title = strdup(tr(lang, "daily"));
	c->unit = strdup("kWh");
	c->labels = calloc(n, sizeof(char *));
	c->values = calloc(n, sizeof(double));
	if (!c->labels || !c->values)
		return;
	cJSON_ArrayForEach(x, days)
	{
		const char *date = str(get(x, "date", NULL));
		c->labels[c->n] = strdup(strlen(date) >= 10 ? date + 8 : date); /* day of month */
		c->values[c->n++] = dbl(get(x, "kwh", NULL));
	}
}

static void notes(struct statement_doc *d, const cJSON *all, const cJSON *s, const char *lang)
{
	const cJSON *e = get(s, "energy", NULL), *o = get(s, "overhead", NULL);
	const char *st = str(get(e, "status", NULL));
	if (cJSON_IsTrue(get(all, "in_progress", NULL)))
		note(d, strdup(tr(lang, "n_progress")), true);
	else if (strcmp(st, "MISSING") == 0)
		note(d, strdup(tr(lang, "n_missing")), true);
	if (cJSON_IsFalse(get(s, "meter_checks_ok", NULL)))
		note(d, strdup(tr(lang, "n_checks")), true);
	double est = dbl(get(e, "estimated_kwh", NULL));
	if (est > 0) {
		char *k = fnum(est, 1);
		note(d,
		     fmt(tr(lang, "n_estimated"), k,
		         tr(lang, cJSON_IsTrue(get(e, "derived", NULL)) ? "n_est_why_power"
		                                                        : "n_est_why_gap")),
		     false);
		free(k);
	}
	if (cJSON_IsTrue(get(o, "allocated", NULL)))
		note(d, fmt(tr(lang, "n_overhead"), str(get(o, "pue_label", NULL))), false);
	else if (strcmp(str(get(o, "method", NULL)), "pue") == 0)
		note(d, fmt(tr(lang, "n_no_overhead"), str(get(o, "why", NULL))), true);
	if (cJSON_IsNull(get(s, "tariff", NULL)))
		note(d, strdup(tr(lang, "n_no_tariff")), false);
}

struct statement_doc *statement_doc_build(const cJSON *all, const cJSON *s, const char *lang)
{
	struct statement_doc *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	lang = lang && strcmp(lang, "zh") == 0 ? "zh" : "en";
	snprintf(d->lang, sizeof(d->lang), "%s", lang);
	const cJSON *site = get(all, "site", NULL), *per = get(all, "period", NULL);
	const cJSON *tn = get(s, "tenant", NULL), *tf = get(s, "tariff", NULL);
	d->title = strdup(tr(lang, "title"));
	d->heading = fmt("%s — %s", str(get(tn, "title", NULL)), str(get(per, "label", NULL)));
	ident(d, tr(lang, "tenant"),
	      fmt("%s (%s)", str(get(tn, "title", NULL)), str(get(tn, "name", NULL))));
	ident(d, tr(lang, "site"),
	      fmt("%s (%s)", str(get(site, "name", NULL)), str(get(site, "id", NULL))));
	ident(d, tr(lang, "period"),
	      fmt("%s (%s – %s, %s)", str(get(per, "label", NULL)),
	          str(get(per, "from_local", NULL)), str(get(per, "to_local", NULL)),
	          str(get(site, "timezone", NULL))));
	if (cJSON_IsObject(tf)) {
		ident(d, tr(lang, "tariff"),
		      fmt("%s, %s", str(get(tf, "name", NULL)), str(get(tf, "currency", NULL))));
		ident(d, tr(lang, "source"), strdup(str(get(tf, "source", NULL))));
	}
	ident(d, tr(lang, "generated"), strdup(str(get(all, "generated", NULL))));
	ident(d, tr(lang, "method"), strdup(str(get(s, "methodology", NULL))));
	notes(d, all, s, lang);
	summary(d, s, lang);
	costs(d, s, lang);
	racks(d, s, lang);
	checks(d, s, lang);
	daily(d, s, lang);
	d->footer = fmt(tr(lang, "footer"), str(get(site, "timezone", NULL)));
	return d;
}

void statement_doc_free(struct statement_doc *d)
{
	if (!d)
		return;
	free(d->title);
	free(d->heading);
	free(d->footer);
	for (size_t i = 0; i < d->nident; i++) {
		free(d->ident[i].key);
		free(d->ident[i].value);
	}
	free(d->ident);
	for (size_t i = 0; i < d->nnotes; i++)
		free(d->notes[i].text);
	free(d->notes);
	for (size_t i = 0; i < d->ntables; i++) {
		struct statement_doc_table *t = &d->tables[i];
		for (size_t k = 0; k < t->ncols; k++)
			free(t->head ? t->head[k] : NULL);
		for (size_t k = 0; k < t->nrows * t->ncols; k++)
			free(t->cells[k]);
		free(t->title);
		free(t->head);
		free(t->cells);
		free(t->numeric);
	}
	free(d->tables);
	for (size_t i = 0; i < d->ncharts; i++) {
		struct statement_doc_chart *c = &d->charts[i];
		for (size_t k = 0; k < c->n; k++)
			free(c->labels[k]);
		free(c->labels);
		free(c->values);
		free(c->title);
		free(c->unit);
	}
	free(d->charts);
	free(d);
}
