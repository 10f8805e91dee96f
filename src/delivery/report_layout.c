/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The regulator report's pages (report_layout.h): the JSON, section by section, as a document
 * in English or Chinese. Numbers are rounded here and only here (report_fmt), once per cell:
 * PUE, pPUE, WUE, CUE, ERF, REF three decimals, CER two, DCiE one (%), energy one decimal
 * kWh with thousands grouped, coverage and completeness two decimals (%), other shares one.
 * Prose comes from report_words.c, never from the JSON's English messages on a zh page.
 */
#include "delivery/report_layout_internal.h"

#include "delivery/report.h"
#include "delivery/report_chart.h"
#include "delivery/report_doc.h"
#include "delivery/report_words.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void report_fmt(char *buf, size_t len, double v, int decimals, int group)
{
	if (!isfinite(v)) {
		snprintf(buf, len, "—");
		return;
	}
	char raw[64];
	snprintf(raw, sizeof(raw), "%.*f", decimals, v);
	if (!group || len < 2) {
		snprintf(buf, len, "%s", raw);
		return;
	}
	const char *p = raw;
	size_t o = 0;
	if (*p == '-')
		buf[o++] = *p++;
	size_t digits = strcspn(p, ".");
	for (size_t i = 0; *p && o + 2 < len; i++, p++) {
		if (i > 0 && i < digits && (digits - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = *p;
	}
	buf[o] = '\0';
}

/* ---- sections ---- */

static void sec_notices(struct lay *x)
{
	if (cJSON_IsTrue(rl_get(x->rep, "in_progress"))) {
		double el = rl_gn(x->rep, "elapsed_share");
		doc_notice(
		        x->d, "in-progress", "%s (%.1f %% %s)",
		        L("IN PROGRESS: this period has not ended; every figure below covers only "
		          "the time elapsed when the report was generated and is provisional: it "
		          "must not be published as final.",
		          "统计期尚未结束：以下数据仅覆盖报告生成时已过去的时间，均为临时值，不得"
		          "作为正式结果发布。"),
		        100 * (isfinite(el) ? el : 0), L("elapsed", "已过去"));
	} else if (!cJSON_IsTrue(rl_get(x->rep, "complete"))) {
		doc_notice(x->d, "incomplete", "%s",
		           L("INCOMPLETE: metering coverage is below the configured threshold; the "
		             "figures below must not be published as final.",
		             "不完整：计量覆盖率低于设定阈值，以下数据不得作为正式结果发布。"));
	}
}

static void sec_document(struct lay *x)
{
	const cJSON *r = x->rep;
	char b[96];
	doc_heading(x->d, 1, "%s", L("1 Document", "1 报告信息"));
	struct doc_table *t = doc_table(x->d, 2, false);
	if (!t)
		return;
	t->widths[0] = 1;
	t->widths[1] = 2.4;
	doc_kv(x->d, t, L("Report ID", "报告编号"), "%s", rl_given(x, rl_gs(r, "document.id")));
	report_fmt(b, sizeof(b), rl_gn(r, "document.revision"), 0, 0);
	doc_kv(x->d, t, L("Revision", "版本"), "%s", b);
	doc_kv(x->d, t, L("Period", "统计期"), "%s", rl_given(x, rl_gs(r, "period.text")));
	doc_kv(x->d, t, L("Generated", "生成时间"), "%s",
	       rl_given(x, rl_gs(r, "document.generated_local")));
	doc_kv(x->d, t, L("Software", "软件版本"), "%s",
	       rl_given(x, rl_gs(r, "document.software")));
	doc_kv(x->d, t, L("SHA-256 of the report JSON", "报告 JSON 的 SHA-256"), "%s", x->hex);
	const char *fp = rl_gs(r, "signature_key.fingerprint");
	if (fp)
		doc_kv(x->d, t, L("Signing key (Ed25519)", "签名公钥（Ed25519）"), "%s", fp);
	else
		doc_kv(x->d, t, L("Signing key (Ed25519)", "签名公钥（Ed25519）"), "%s",
		       L("not signed", "未签名"));
	doc_kv(x->d, t, L("Methodology", "计算方法"), "%s",
	       L("greendc-energy/1: ISO/IEC 30134-2, EN 50600-4-2; energy from meter registers "
	         "(counter differences), power integrated by the trapezoid rule where no register "
	         "exists (estimated)",
	         "greendc-energy/1：依据 ISO/IEC 30134-2、EN 50600-4-2；电能取自电能表累计值之差，"
	         "无累计值时按功率梯形积分（估算）"));
}

static void sec_identity(struct lay *x)
{
	const cJSON *r = x->rep;
	char a[64], b[64], c[64];
	doc_heading(x->d, 1, "%s", L("2 Site identity", "2 数据中心基本信息"));
	struct doc_table *t = doc_table(x->d, 2, false);
	if (!t)
		return;
	t->widths[0] = 1;
	t->widths[1] = 2.4;
	doc_kv(x->d, t, L("Site name", "数据中心名称"), "%s",
	       rl_given(x, rl_gs(r, "identity.site_name")));
	doc_kv(x->d, t, L("Site ID", "站点标识"), "%s", rl_given(x, rl_gs(r, "site.id")));
	doc_kv(x->d, t, L("Operator", "运营单位"), "%s",
	       rl_given(x, rl_gs(r, "identity.operator")));
	doc_kv(x->d, t, L("Owner", "产权单位"), "%s", rl_given(x, rl_gs(r, "identity.owner")));
	doc_kv(x->d, t, L("Address", "地址"), "%s", rl_given(x, rl_gs(r, "identity.address")));
	doc_kv(x->d, t, L("Unified social credit code", "统一社会信用代码"), "%s",
	       rl_given(x, rl_gs(r, "identity.unified_social_credit_code")));
	doc_kv(x->d, t, L("Regulator's unit ID", "监管平台单位编码"), "%s",
	       rl_given(x, rl_gs(r, "identity.regulator_unit_id")));
	double p = rl_gn(r, "identity.installed_it_power_kw");
	doc_kv(x->d, t, L("Rated IT capacity", "IT 设备额定容量"), "%s",
	       isfinite(p) ? rl_nu(a, sizeof(a), p, 0, "kW") : rl_given(x, NULL));
	double ft = rl_gn(r, "identity.floor_area_total_m2"),
	       fc = rl_gn(r, "identity.floor_area_computer_room_m2");
	rl_nu(a, sizeof(a), ft, 0, "m²");
	rl_nu(b, sizeof(b), fc, 0, "m²");
	doc_kv(x->d, t, L("Floor area (total / computer room)", "建筑面积（总计 / 机房）"),
	       "%s / %s", isfinite(ft) ? a : rl_given(x, NULL),
	       isfinite(fc) ? b : rl_given(x, NULL));
	snprintf(c, sizeof(c), "%s", rl_given(x, rl_gs(r, "identity.contact.name")));
	doc_kv(x->d, t, L("Contact", "联系人"), "%s, %s, %s", c,
	       rl_given(x, rl_gs(r, "identity.contact.phone")),
	       rl_given(x, rl_gs(r, "identity.contact.email")));
	const cJSON *miss = rl_get(r, "identity.missing"), *e;
	if (cJSON_GetArraySize(miss) > 0) {
		char list[1024] = "";
		size_t o = 0;
		cJSON_ArrayForEach(e, miss)
		{
			if (!cJSON_IsString(e))
				continue;
			o += (size_t)snprintf(list + o, o < sizeof(list) ? sizeof(list) - o : 0,
			                      "%s%s", o ? L("; ", "；") : "",
			                      rw_identity_key(x->zh, e->valuestring));
		}
		doc_notice(x->d, "identity-missing", "%s%s",
		           L("Required identity fields not configured: ", "未配置的必填信息："),
		           list);
	}
}

struct kpi_def {
	const char *key, *name_en, *name_zh, *unit;
	int dec;
	double scale;
};

static const struct kpi_def kpis[] = {
        {"pue", "PUE", "PUE（电能利用效率）", "", 3, 1},
        {"dcie", "DCiE", "DCiE", "%", 1, 1},
        {"ppue_cooling", "pPUE cooling", "pPUE（制冷）", "", 3, 1},
        {"wue", "WUE", "WUE（水利用效率）", "L/kWh", 3, 1},
        {"cue", "CUE", "CUE（碳利用效率）", "kgCO2/kWh", 3, 1},
        {"erf", "ERF", "ERF（能源回用系数）", "", 3, 1},
        {"ref", "REF", "REF（可再生能源系数）", "", 3, 1},
        {"cer", "CER", "CER（制冷效率比）", "", 2, 1},
};

/* The note beside a KPI: why it is absent, or what a present one rests on. */
static void kpi_note(struct lay *x, const struct kpi_def *k, bool have, char *buf, size_t len)
{
	const cJSON *r = x->rep;
	char a[48], b[48], c[48], d[48];
	if (!have) {
		rw_reason(x->zh, rl_gs(rl_get(r, "kpi_errors"), k->key), buf, len);
		return;
	}
	if (strcmp(k->key, "ref") == 0) {
		rl_nu(a, sizeof(a), rl_gn(r, "renewables.onsite_kwh"), 1, "kWh");
		rl_nu(b, sizeof(b), rl_gn(r, "renewables.ppa_kwh"), 1, "kWh");
		rl_nu(c, sizeof(c), rl_gn(r, "renewables.goo_kwh"), 1, "kWh");
		double share = rl_gn(r, "renewables.certificates_share");
		report_fmt(d, sizeof(d), 100 * share, 1, 0);
		if (isfinite(share))
			snprintf(buf, len,
			         L("on-site %s, PPA %s, certificates (GoO) %s: %s %% from PPAs and "
			           "certificates",
			           "现场发电 %s，购电协议 %s，绿证 %s：%s %% 来自购电协议与绿证"),
			         a, b, c, d);
		else
			snprintf(buf, len, "%s",
			         L("no renewable energy: no on-site generation, PPAs or "
			           "certificates",
			           "无可再生能源：无现场发电、购电协议或绿证"));
	} else if (strcmp(k->key, "cue") == 0) {
		report_fmt(a, sizeof(a), rl_gn(r, "co2_factor.kg_per_kwh"), 4, 0);
		report_fmt(b, sizeof(b), rl_gn(r, "co2_factor.year"), 0, 0);
		snprintf(buf, len,
		         L("grid factor %s kgCO2/kWh (%s, %s), location-based",
		           "电网排放因子 %s kgCO2/kWh（%s，%s 年），基于地区电网"),
		         a, rl_given(x, rl_gs(r, "co2_factor.source")), b);
	} else {
		const char *std = rl_gs(rl_get(rl_get(r, "kpi_inputs"), k->key), "standard");
		size_t n = std ? strlen(std) : 0;
		/* "ISO/IEC 30134-2 annex": the standard's number, its annex in the page's words */
		bool annex = n > 6 && strcmp(std + n - 6, " annex") == 0;
		snprintf(buf, len, "%.*s%s", (int)(annex ? n - 6 : n), std ? std : "",
		         annex ? L(" annex", " 附录") : "");
	}
}

/* "E_DC = 1,045,320.0 kWh"; a dash where the KPI has no data at all (a value of 0 there
 * would read as metered). */
static void operand(const cJSON *o, bool applicable, char *buf, size_t len)
{
	char n[64];
	rl_nu(n, sizeof(n), rl_gn(o, "value"), 1, rl_gs(o, "unit"));
	snprintf(buf, len, "%s = %s", rl_gs(o, "name") ? rl_gs(o, "name") : "",
	         applicable ? n : "—");
}

static void sec_kpis(struct lay *x)
{
	const cJSON *r = x->rep;
	char v[64], num[96], den[96], note[400];
	doc_heading(x->d, 1, "%s", L("3 Energy efficiency indicators", "3 能效指标"));
	struct doc_table *t = doc_table(x->d, 6, true);
	if (!t)
		return;
	const double w[6] = {1.1, 0.8, 1.1, 1.4, 1.4, 2.2};
	memcpy(t->widths, w, sizeof(w));
	t->numeric[1] = true;
	const char *head[6] = {L("Indicator", "指标"),   L("Value", "数值"),
	                       L("Formula", "公式"),     L("Numerator", "分子"),
	                       L("Denominator", "分母"), L("Source / reason", "依据 / 说明")};
	doc_row(x->d, t, head);
	for (size_t i = 0; i < sizeof(kpis) / sizeof(kpis[0]); i++) {
		const struct kpi_def *k = &kpis[i];
		const cJSON *in = rl_get(rl_get(r, "kpi_inputs"), k->key);
		double val = rl_gn(rl_get(r, "kpi"), k->key);
		rl_nu(v, sizeof(v), val, k->dec, k->unit);
		/* "no ... meters": the KPI's inputs were never metered */
		const char *why = rl_gs(rl_get(r, "kpi_errors"), k->key);
		bool applicable = !(why && strncmp(why, "no ", 3) == 0 && strstr(why, "meters"));
		operand(rl_get(in, "numerator"), applicable, num, sizeof(num));
		operand(rl_get(in, "denominator"), applicable, den, sizeof(den));
		kpi_note(x, k, isfinite(val), note, sizeof(note));
		const char *row[6] = {
		        x->zh ? k->name_zh : k->name_en, v, rl_gs(in, "formula"), num, den, note};
		doc_row(x->d, t, row);
	}
	const char *label = rl_gs(r, "kpi.pue_label");
	doc_para(x->d, "%s %s (%s)", L("Compliant label:", "合规标注："),
	         label ? label : L("none: the PUE is not published", "无：PUE 不予发布"),
	         rw_category(x->zh, (int)rl_gn(r, "energy.category")));
}

static void sec_gb40879(struct lay *x)
{
	const cJSON *r = x->rep;
	char g[32], l1[16], l2[16], l3[16];
	bool annual = rl_gs(r, "kind") && strcmp(rl_gs(r, "kind"), "annual") == 0;
	doc_heading(x->d, 2, "%s",
	            L("GB 40879-2021 energy-efficiency grade", "GB 40879-2021 能效等级"));
	struct doc_table *t = doc_table(x->d, 2, false);
	if (!t)
		return;
	t->widths[0] = 1;
	t->widths[1] = 2.4;
	double grade = rl_gn(r, "gb40879.grade"), ind = rl_gn(r, "gb40879.indicative_grade");
	report_fmt(g, sizeof(g), isfinite(grade) ? grade : ind, 0, 0);
	if (isfinite(grade))
		doc_kv(x->d, t, L("Grade", "能效等级"), "%s", g);
	else if (isfinite(ind))
		doc_kv(x->d, t, L("Indicative grade", "参考等级"), "%s (%s)", g,
		       annual ? L("fewer than 12 months of data", "数据不足 12 个月")
		              : L("a month; the standard grades a full year",
		                  "月度参考值；标准按全年评级"));
	else
		doc_kv(x->d, t, L("Grade", "能效等级"), "%s",
		       L("none: the PUE is not published", "无：PUE 不予发布"));
	const cJSON *lim = rl_get(r, "gb40879.limits");
	report_fmt(l1, sizeof(l1),
	           cJSON_IsNumber(cJSON_GetArrayItem(lim, 0))
	                   ? cJSON_GetArrayItem(lim, 0)->valuedouble
	                   : NAN,
	           2, 0);
	report_fmt(l2, sizeof(l2),
	           cJSON_IsNumber(cJSON_GetArrayItem(lim, 1))
	                   ? cJSON_GetArrayItem(lim, 1)->valuedouble
	                   : NAN,
	           2, 0);
	report_fmt(l3, sizeof(l3),
	           cJSON_IsNumber(cJSON_GetArrayItem(lim, 2))
	                   ? cJSON_GetArrayItem(lim, 2)->valuedouble
	                   : NAN,
	           2, 0);
	doc_kv(x->d, t, L("Method", "评价方法"), "%s",
	       L("full-year energy method: E_DC / E_IT over a calendar year (RM2)",
	         "全年电能计量法：全年 E_DC / E_IT（RM2）"));
	bool dflt = strcmp(l1, "1.20") == 0 && strcmp(l2, "1.30") == 0 && strcmp(l3, "1.50") == 0;
	doc_kv(x->d, t, L("Grade limits 1 / 2 / 3", "1 / 2 / 3 级限值"), "%s / %s / %s — %s", l1,
	       l2, l3,
	       dflt ? L("GB 40879-2021 table 1 as commonly cited; unconfirmed against the "
	                "standard's text (energy.gb40879_grades)",
	                "按通常引用的 GB 40879-2021 表 1；未与标准原文核对（可配置）")
	            : L("configured in energy.gb40879_grades", "现场配置值"));
}

static void sec_energy(struct lay *x)
{
	const cJSON *r = x->rep, *e;
	char v[64], cov[32], est[64];
	doc_heading(x->d, 2, "%s", L("Energy by role", "分项能耗"));
	struct doc_table *t = doc_table(x->d, 4, true);
	if (!t)
		return;
	t->numeric[1] = t->numeric[2] = t->numeric[3] = true;
	const char *head[4] = {L("Role", "分项"), L("Energy", "能耗"), L("Coverage", "计量覆盖率"),
	                       L("Estimated", "其中估算")};
	doc_row(x->d, t, head);
	rl_nu(v, sizeof(v), rl_gn(r, "energy.e_dc_kwh"), 1, "kWh");
	const char *dc[4] = {L("E_DC (total)", "E_DC（总耗电量）"), v, "", ""};
	doc_row(x->d, t, dc);
	cJSON_ArrayForEach(e, rl_get(r, "energy.roles"))
	{
		rl_nu(v, sizeof(v), rl_gn(e, "value"), 1, rl_gs(e, "unit"));
		report_fmt(cov, sizeof(cov), 100 * rl_gn(e, "coverage"), 2, 0);
		strncat(cov, " %", sizeof(cov) - strlen(cov) - 1);
		rl_nu(est, sizeof(est), rl_gn(e, "estimated"), 1, rl_gs(e, "unit"));
		const char *row[4] = {rw_role(x->zh, e->string), v, cov, est};
		doc_row(x->d, t, row);
	}
	char c2[32], s2[32];
	report_fmt(c2, sizeof(c2), 100 * rl_gn(r, "coverage"), 2, 0);
	report_fmt(s2, sizeof(s2), 100 * rl_gn(r, "estimated_share"), 1, 0);
	doc_para(x->d, "%s %s %%; %s %s %%; %s %s",
	         L("Coverage of E_DC and E_IT:", "E_DC 与 E_IT 计量覆盖率："), c2,
	         L("estimated share of kWh:", "估算电量占比："), s2, L("status:", "状态："),
	         rw_status(x->zh, rl_gs(r, "status")));
}

/* The missing-data list, a calendar year's months included. */
static void sec_missing(struct lay *x)
{
	const cJSON *miss = rl_get(x->rep, "missing"), *e;
	char a[32], b[32];
	if (cJSON_GetArraySize(miss) == 0)
		return;
	doc_heading(x->d, 2, "%s", L("Missing data", "缺失数据"));
	struct doc_table *t = doc_table(x->d, 2, false);
	cJSON_ArrayForEach(e, miss)
	{
		const char *role = rl_gs(e, "role");
		if (role && strcmp(role, "calendar_months") == 0) {
			report_fmt(a, sizeof(a), rl_gn(e, "months_with_data"), 0, 0);
			doc_kv(x->d, t, L("Calendar months with data", "有数据的自然月"), "%s %s",
			       a,
			       L("of 12: the full-year method needs all 12",
			         "/ 12：全年法需要 12 个月"));
			continue;
		}
		report_fmt(a, sizeof(a), 100 * rl_gn(e, "coverage"), 2, 0);
		report_fmt(b, sizeof(b), rl_gn(e, "missing_hours"), 1, 0);
		doc_kv(x->d, t, x->zh ? rw_role(true, role) : role, "%s %s %%, %s %s h",
		       L("coverage", "覆盖率"), a, L("missing", "缺失"), b);
	}
}

static struct chart *series_chart(struct lay *x, enum chart_kind kind, size_t ns)
{
	const cJSON *items = rl_get(x->rep, "series.items"), *e;
	size_t n = (size_t)cJSON_GetArraySize(items), i = 0;
	struct chart *c = chart_new(kind, n, ns);
	if (!c)
		return NULL;
	cJSON_ArrayForEach(e, items)
	{
		const char *lab = rl_gs(e, "label");
		/* "2026-10-05" -> "05", "2026-10" -> "10" */
		const char *short_lab = lab && strlen(lab) >= 7 ? lab + strlen(lab) - 2 : lab;
		chart_set(&c->x_labels[i++], short_lab);
	}
	return c;
}

static void sec_charts(struct lay *x)
{
	bool annual = rl_gs(x->rep, "kind") && strcmp(rl_gs(x->rep, "kind"), "annual") == 0;
	const cJSON *items = rl_get(x->rep, "series.items"), *e;
	doc_heading(x->d, 1, "%s", L("4 Charts", "4 图表"));
	/* PUE over the period, with the grade limits */
	struct chart *c = series_chart(x, CHART_LINE, 1);
	if (c) {
		size_t i = 0;
		cJSON_ArrayForEach(e, items)
		{
			c->v[0][i++] = rl_gn(e, "pue");
		}
		chart_set(&c->title,
		          annual ? L("Monthly PUE", "月度 PUE") : L("Daily PUE", "日 PUE"));
		chart_set(&c->names[0], "PUE");
		chart_set(&c->y_label, "PUE");
		c->decimals = 2;
		const cJSON *lim = rl_get(x->rep, "gb40879.limits");
		for (int k = 0; k < 3 && k < cJSON_GetArraySize(lim); k++) {
			char nm[48];
			c->ref[c->nref] = cJSON_GetArrayItem(lim, k)->valuedouble;
			snprintf(nm, sizeof(nm), L("grade %d limit", "%d 级限值"), k + 1);
			chart_set(&c->ref_names[c->nref++], nm);
		}
		doc_chart(x->d, c);
	}
	/* energy by role, stacked: what E_DC is made of */
	static const char *const roles[] = {"it_ups_output", "it_pdu_output",  "it_input",
	                                    "cooling",       "lighting_other", "backup_generation"};
	const cJSON *first = cJSON_GetArrayItem(items, 0);
	size_t ns = 0;
	const char *used[6];
	for (size_t k = 0; k < 6; k++)
		if (rl_get(rl_get(first, "roles"), roles[k]))
			used[ns++] = roles[k];
	/* only the lowest IT level: the higher ones contain it */
	size_t it = 0;
	for (size_t k = 0; k < ns; k++)
		it += strncmp(used[k], "it_", 3) == 0;
	c = series_chart(x, CHART_STACKED, ns);
	if (c) {
		size_t s = 0;
		for (size_t k = 0; k < ns; k++) {
			if (strncmp(used[k], "it_", 3) == 0 && --it > 0)
				continue;
			size_t i = 0;
			cJSON_ArrayForEach(e, items)
			{
				c->v[s][i++] = rl_gn(rl_get(e, "roles"), used[k]);
			}
			chart_set(&c->names[s++], rw_role(x->zh, used[k]));
		}
		c->ns = s;
		chart_set(&c->title, annual ? L("Monthly energy by role", "月度分项能耗")
		                            : L("Daily energy by role", "日分项能耗"));
		chart_set(&c->y_label, "kWh");
		doc_chart(x->d, c);
	}
	bool fc = false;
	cJSON_ArrayForEach(e, items)
	{
		fc |= isfinite(rl_gn(e, "free_cooling_h"));
	}
	if (!fc)
		doc_para(x->d, "%s",
		         L("No free-cooling chart: the cooling: section has no stored outdoor and "
		           "plant "
		           "series for the period.",
		           "无自然冷却图：统计期内无室外与冷站计量数据。"));
	c = fc ? series_chart(x, CHART_BARS, 1) : NULL;
	if (c) {
		size_t i = 0;
		cJSON_ArrayForEach(e, items)
		{
			c->v[0][i++] = rl_gn(e, "free_cooling_h");
		}
		chart_set(&c->title, annual ? L("Free-cooling hours by month", "月自然冷却小时数")
		                            : L("Free-cooling hours by day", "日自然冷却小时数"));
		chart_set(&c->names[0],
		          L("hours in full or partial free cooling", "完全或部分自然冷却小时数"));
		chart_set(&c->y_label, "h");
		c->decimals = 0;
		doc_chart(x->d, c);
	}
}

struct doc *report_layout(const struct cJSON *rep, const char *lang)
{
	struct lay x_ = {.rep = rep, .zh = lang && strcmp(lang, "zh") == 0}, *x = &x_;
	x->d = doc_new(x->zh ? "zh" : "en");
	if (!x->d)
		return NULL;
	char *canon = report_canonical(rep);
	if (!canon) {
		doc_free(x->d);
		return NULL;
	}
	report_digest_hex(canon, strlen(canon), x->hex);
	free(canon);
	bool annual = rl_gs(rep, "kind") && strcmp(rl_gs(rep, "kind"), "annual") == 0;
	char rev[16];
	report_fmt(rev, sizeof(rev), rl_gn(rep, "document.revision"), 0, 0);
	doc_set(x->d, &x->d->title, "%s %s",
	        annual ? L("Data-centre energy efficiency report (annual)",
	                   "数据中心能效报告（年度）")
	               : L("Data-centre energy efficiency report (monthly)",
	                   "数据中心能效报告（月度）"),
	        rl_given(x, rl_gs(rep, "period.label")));
	doc_set(x->d, &x->d->head_left, "%s (%s)", rl_given(x, rl_gs(rep, "site.name")),
	        rl_given(x, rl_gs(rep, "site.id")));
	doc_set(x->d, &x->d->head_right, "%s", rl_given(x, rl_gs(rep, "period.text")));
	doc_set(x->d, &x->d->foot_left, "%s %s · %s %s %s",
	        L("SHA-256 of the report JSON:", "报告 JSON 的 SHA-256："), x->hex,
	        rl_given(x, rl_gs(rep, "document.id")), L("rev.", "版本"), rev);
	doc_set(x->d, &x->d->foot_right_fmt, "%s", L("Page %d of %d", "第 %d 页，共 %d 页"));
	sec_notices(x);
	sec_document(x);
	sec_identity(x);
	sec_kpis(x);
	sec_gb40879(x);
	sec_energy(x);
	sec_missing(x);
	sec_charts(x);
	sec_metering(x);
	sec_quality(x);
	sec_cooling(x);
	if (annual)
		sec_eu(x);
	sec_signatures(x);
	return x->d;
}
