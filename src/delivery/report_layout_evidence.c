/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The evidence sections of the report's pages (report_layout_internal.h): the metering
 * register with its boundary statement and calibration state, the data-quality evidence per
 * role with its findings, gaps and counter events, free cooling and set points, the EU
 * 2024/1364 fields of an annual report, and the signature block.
 */
#include "delivery/report_layout_internal.h"

#include "delivery/report_doc.h"
#include "delivery/report_words.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- reading the JSON ---- */

const cJSON *rl_get(const cJSON *o, const char *path)
{
	char k[64];
	while (o && *path) {
		size_t n = strcspn(path, ".");
		snprintf(k, sizeof(k), "%.*s", (int)n, path);
		o = cJSON_GetObjectItemCaseSensitive(o, k);
		path += n + (path[n] == '.');
	}
	return o;
}

const char *rl_gs(const cJSON *o, const char *path)
{
	const cJSON *v = rl_get(o, path);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

double rl_gn(const cJSON *o, const char *path)
{
	const cJSON *v = rl_get(o, path);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* A number with its unit, or "—". */
const char *rl_nu(char *buf, size_t len, double v, int dec, const char *unit)
{
	char n[64];
	report_fmt(n, sizeof(n), v, dec, 1);
	if (isfinite(v) && unit && *unit)
		snprintf(buf, len, "%s %s", n, unit);
	else
		snprintf(buf, len, "%s", n);
	return buf;
}

const char *rl_given(const struct lay *x, const char *s)
{
	return s ? s : L("not given", "未提供");
}

/* ---- metering register ---- */

static void id_list(const cJSON *arr, char *buf, size_t len, const char *none)
{
	const cJSON *e;
	size_t o = 0;
	buf[0] = '\0';
	cJSON_ArrayForEach(e, arr)
	{
		if (cJSON_IsString(e) && o < len)
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? ", " : "",
			                      e->valuestring);
	}
	if (!o)
		snprintf(buf, len, "%s", none);
}

static void meters_table(struct lay *x, const cJSON *meters)
{
	const cJSON *m;
	struct doc_table *t = doc_table(x->d, 8, true);
	if (!t)
		return;
	const double w[8] = {0.6, 1.0, 1.3, 0.6, 0.8, 1.3, 1.2, 1.5};
	memcpy(t->widths, w, sizeof(w));
	const char *head[8] = {L("ID", "编号"),
	                       L("Device", "设备"),
	                       L("Model / serial", "型号 / 出厂编号"),
	                       L("Class", "准确度等级"),
	                       L("CT / PT", "电流 / 电压互感器变比"),
	                       L("Boundary point", "计量点"),
	                       L("Role", "用途"),
	                       L("Calibrated → due", "检定日期 → 有效期至")};
	doc_row(x->d, t, head);
	cJSON_ArrayForEach(m, meters)
	{
		char ms[200], ctpt[96], cal[128];
		snprintf(ms, sizeof(ms), "%s / %s", rl_given(x, rl_gs(m, "model")),
		         rl_given(x, rl_gs(m, "serial")));
		snprintf(ctpt, sizeof(ctpt), "%s / %s",
		         rl_gs(m, "ct_ratio") ? rl_gs(m, "ct_ratio") : "—",
		         rl_gs(m, "pt_ratio") ? rl_gs(m, "pt_ratio") : "—");
		snprintf(cal, sizeof(cal), "%s → %s%s",
		         rl_gs(m, "calibrated") ? rl_gs(m, "calibrated") : "—",
		         rl_gs(m, "calibration_due") ? rl_gs(m, "calibration_due") : "—",
		         cJSON_IsTrue(rl_get(m, "calibration_overdue"))
		                 ? L(" OVERDUE", "（已超期）")
		                 : "");
		const char *row[8] = {rl_gs(m, "id"),
		                      rl_gs(m, "device") ? rl_gs(m, "device") : "—",
		                      ms,
		                      rl_gs(m, "accuracy_class") ? rl_gs(m, "accuracy_class") : "—",
		                      ctpt,
		                      rl_gs(m, "boundary_point") ? rl_gs(m, "boundary_point") : "—",
		                      rw_role(x->zh, rl_gs(m, "role")),
		                      cal};
		doc_row(x->d, t, row);
	}
}

void sec_metering(struct lay *x)
{
	const cJSON *mt = rl_get(x->rep, "metering");
	char dc[512], it[512];
	doc_heading(x->d, 1, "%s", L("5 Metering", "5 计量"));
	doc_para(x->d, "%s %s", L("Site boundary:", "计量边界："),
	         rl_given(x, rl_gs(mt, "boundary")));
	id_list(rl_get(mt, "pue_meters.e_dc"), dc, sizeof(dc), L("none registered", "台账中无"));
	id_list(rl_get(mt, "pue_meters.e_it"), it, sizeof(it), L("none registered", "台账中无"));
	doc_para(x->d, "%s%s%s%s%s%s%s%s", L("PUE category: ", "PUE 类别："),
	         rw_category(x->zh, (int)rl_gn(mt, "category")), L(". ", "。"),
	         L("Meters behind E_DC: ", "构成 E_DC 的计量表："), dc,
	         L("; behind E_IT: ", "；构成 E_IT 的计量表："), it, L(".", "。"));
	const cJSON *meters = rl_get(mt, "meters");
	if (cJSON_GetArraySize(meters) > 0)
		meters_table(x, meters);
	else
		doc_notice(x->d, "no-meters", "%s",
		           L("The metering register is empty (reporting.meters): no meter models, "
		             "serials, accuracy classes or calibration dates can be shown.",
		             "计量器具台账为空：无法列出表计型号、编号、准确度等级和检定日期。"));
	const cJSON *un = rl_get(mt, "roles_without_meters"), *e;
	char list[512] = "";
	size_t o = 0;
	cJSON_ArrayForEach(e, un)
	{
		if (cJSON_IsString(e) && o < sizeof(list))
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
			                      o ? L(", ", "、") : "",
			                      rw_role(x->zh, e->valuestring));
	}
	if (o)
		doc_para(x->d, "%s%s",
		         L("Metered but not in the register: ", "有计量数据但台账中无计量表："),
		         list);
}

/* ---- data quality ---- */

static const cJSON *quality_role(const struct lay *x, const char *role)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, rl_get(x->rep, "quality.roles"))
	{
		if (rl_gs(e, "role") && role && strcmp(rl_gs(e, "role"), role) == 0)
			return e;
	}
	return NULL;
}

static const cJSON *meter_by_id(const struct lay *x, const char *id)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, rl_get(x->rep, "metering.meters"))
	{
		if (rl_gs(e, "id") && id && strcmp(rl_gs(e, "id"), id) == 0)
			return e;
	}
	return NULL;
}

/* One finding in the page's words: the JSON's text in English; in Chinese, from its code and
 * the figures it is about. */
static void finding(struct lay *x, const cJSON *f, char *buf, size_t len)
{
	const char *code = rl_gs(f, "code"), *role = rl_gs(f, "role"), *subj = rl_gs(f, "subject");
	const cJSON *q = quality_role(x, role);
	char a[48], b[48], c[48];
	if (!x->zh || !code) {
		snprintf(buf, len, "%s", rl_gs(f, "text") ? rl_gs(f, "text") : "");
	} else if (strcmp(code, "identity_missing") == 0) {
		snprintf(buf, len, "未配置：%s", rw_identity_key(true, subj));
	} else if (strcmp(code, "calibration_overdue") == 0) {
		const cJSON *m = meter_by_id(x, subj);
		snprintf(buf, len, "计量表 %s 的检定有效期已于 %s 到期", subj ? subj : "",
		         rl_given(x, rl_gs(m, "calibration_due")));
	} else if (strcmp(code, "meter_not_registered") == 0) {
		snprintf(buf, len, "%s：有计量数据，但计量器具台账中没有对应的计量表",
		         rw_role(true, role));
	} else if (strcmp(code, "completeness") == 0) {
		report_fmt(a, sizeof(a), 100 * rl_gn(q, "completeness"), 2, 0);
		snprintf(buf, len, "%s：数据完整率 %s %%，低于 90 %%", rw_role(true, role), a);
	} else if (strcmp(code, "consistency") == 0) {
		rl_nu(a, sizeof(a), rl_gn(q, "interval_sum"), 1, rl_gs(q, "unit"));
		rl_nu(b, sizeof(b), rl_gn(q, "counter_delta"), 1, rl_gs(q, "unit"));
		report_fmt(c, sizeof(c), 100 * rl_gn(q, "difference_share"), 1, 0);
		snprintf(buf, len, "%s：日数据之和 %s 与电能表累计增量 %s 相差 %s %%，超过 5 %%",
		         rw_role(true, role), a, b, c);
	} else if (strcmp(code, "alignment") == 0) {
		report_fmt(a, sizeof(a),
		           rl_gn(q, "alignment.boundaries") - rl_gn(q, "alignment.aligned"), 0, 0);
		report_fmt(b, sizeof(b), rl_gn(q, "alignment.boundaries"), 0, 0);
		report_fmt(c, sizeof(c), rl_gn(q, "alignment.tolerance_s"), 0, 0);
		snprintf(buf, len, "%s：%s / %s 个时间边界前 %s 秒内无读数（时间未对齐）",
		         rw_role(true, role), a, b, c);
	} else if (strcmp(code, "counter_discontinuity") == 0) {
		report_fmt(a, sizeof(a), rl_gn(x->rep, "quality.events_total"), 0, 0);
		snprintf(buf, len,
		         "统计期内有电能表复位、更换或读数被拒绝（计量事件共 %s 条，见下表）", a);
	} else {
		snprintf(buf, len, "其他发现（见报告 JSON 文件）");
	}
}

static void quality_table(struct lay *x)
{
	const cJSON *e;
	struct doc_table *t = doc_table(x->d, 7, true);
	if (!t)
		return;
	const double w[7] = {1.4, 1.5, 0.9, 1.2, 1.2, 0.8, 1.0};
	memcpy(t->widths, w, sizeof(w));
	for (int k = 1; k < 7; k++)
		t->numeric[k] = true;
	bool annual = rl_gs(x->rep, "kind") && strcmp(rl_gs(x->rep, "kind"), "annual") == 0;
	const char *head[7] = {
	        L("Role", "分项"),
	        L("Measured / estimated / missing (h)", "实测 / 估算 / 缺失（小时）"),
	        L("Completeness", "完整率"),
	        annual ? L("Sum of monthly figures", "月数据之和")
	               : L("Sum of daily figures", "日数据之和"),
	        L("Register increase", "电能表累计增量"),
	        L("Difference", "偏差"),
	        annual ? L("Month starts aligned", "月边界对齐")
	               : L("Midnights aligned", "日边界对齐")};
	doc_row(x->d, t, head);
	cJSON_ArrayForEach(e, rl_get(x->rep, "quality.roles"))
	{
		char t3[96], a[24], b[24], c[24], comp[40], sum[48], delta[48], diff[40], al[64];
		report_fmt(a, sizeof(a), rl_gn(e, "measured_h"), 1, 1);
		report_fmt(b, sizeof(b), rl_gn(e, "estimated_h"), 1, 1);
		report_fmt(c, sizeof(c), rl_gn(e, "missing_h"), 1, 1);
		snprintf(t3, sizeof(t3), "%s / %s / %s", a, b, c);
		report_fmt(comp, sizeof(comp), 100 * rl_gn(e, "completeness"), 2, 0);
		strncat(comp, " %", sizeof(comp) - strlen(comp) - 1);
		rl_nu(sum, sizeof(sum), rl_gn(e, "interval_sum"), 1, rl_gs(e, "unit"));
		rl_nu(delta, sizeof(delta), rl_gn(e, "counter_delta"), 1, rl_gs(e, "unit"));
		double d = rl_gn(e, "difference_share");
		report_fmt(diff, sizeof(diff), 100 * d, 1, 0);
		if (isfinite(d))
			strncat(diff, " %", sizeof(diff) - strlen(diff) - 1);
		report_fmt(a, sizeof(a), rl_gn(e, "alignment.aligned"), 0, 0);
		report_fmt(b, sizeof(b), rl_gn(e, "alignment.boundaries"), 0, 0);
		snprintf(al, sizeof(al), "%s / %s", a, b);
		const char *row[7] = {
		        rw_role(x->zh, rl_gs(e, "role")), t3, comp, sum, delta, diff, al};
		doc_row(x->d, t, row);
	}
}

static void gaps_table(struct lay *x)
{
	const cJSON *gaps = rl_get(x->rep, "gaps"), *g;
	if (cJSON_GetArraySize(gaps) == 0)
		return;
	doc_heading(x->d, 2, "%s",
	            L("Gaps in the readings (spread, estimated)", "读数间断（已分摊估算）"));
	struct doc_table *t = doc_table(x->d, 6, true);
	if (!t)
		return;
	t->numeric[5] = true;
	const char *head[6] = {L("Series", "计量点"),
	                       L("Role", "分项"),
	                       L("Last reading", "间断前读数"),
	                       L("Next reading", "恢复后读数"),
	                       L("Spread", "分摊方式"),
	                       L("In the period (share of role)", "计入本期（占分项比例）")};
	doc_row(x->d, t, head);
	cJSON_ArrayForEach(g, gaps)
	{
		char v[64], s[32], in[112];
		rl_nu(v, sizeof(v), rl_gn(g, "in_period"), 1, "kWh");
		report_fmt(s, sizeof(s), 100 * rl_gn(g, "share_of_role"), 1, 0);
		snprintf(in, sizeof(in), "%s (%s %%)", v, s);
		bool power = rl_gs(g, "method") && strcmp(rl_gs(g, "method"), "power shape") == 0;
		const char *row[6] = {rl_gs(g, "series"),
		                      rw_role(x->zh, rl_gs(g, "role")),
		                      rl_gs(g, "last_reading_local"),
		                      rl_gs(g, "next_reading_local"),
		                      power ? L("by power shape", "按功率曲线")
		                            : L("evenly", "平均分摊"),
		                      in};
		doc_row(x->d, t, row);
	}
}

static void events_table(struct lay *x)
{
	const cJSON *ev = rl_get(x->rep, "quality.events"), *e;
	int listed = cJSON_GetArraySize(ev);
	double total = rl_gn(x->rep, "quality.events_total");
	doc_heading(x->d, 2, "%s", L("Counter events", "计量事件"));
	if (listed == 0) {
		doc_para(x->d, "%s",
		         L("No meter resets, replacements, rejected readings or register "
		           "wraps in the period.",
		           "统计期内无电能表复位、更换、读数被拒绝或寄存器回绕。"));
		return;
	}
	struct doc_table *t = doc_table(x->d, 5, true);
	if (!t)
		return;
	const double w[5] = {1.0, 1.6, 1.0, 1.2, 2.2};
	memcpy(t->widths, w, sizeof(w));
	const char *head[5] = {L("Time", "时间"), L("Series", "计量点"), L("Role", "分项"),
	                       L("Event", "事件"), L("Detail", "说明")};
	doc_row(x->d, t, head);
	cJSON_ArrayForEach(e, ev)
	{
		char detail[200];
		rw_event_detail(x->zh, rl_gs(e, "detail"), detail, sizeof(detail));
		const char *row[5] = {rl_gs(e, "time_local"), rl_gs(e, "series"),
		                      rw_role(x->zh, rl_gs(e, "role")),
		                      rw_event(x->zh, rl_gs(e, "kind")), detail};
		doc_row(x->d, t, row);
	}
	if (total > listed)
		doc_para(x->d,
		         L("... and %.0f more (see the JSON's quality.events_total).",
		           "……另有 %.0f 条未列出（见报告 JSON 文件）。"),
		         total - listed);
}

void sec_quality(struct lay *x)
{
	const cJSON *q = rl_get(x->rep, "quality"), *f;
	char tol[32];
	bool annual = rl_gs(x->rep, "kind") && strcmp(rl_gs(x->rep, "kind"), "annual") == 0;
	doc_heading(x->d, 1, "%s", L("6 Data quality", "6 数据质量"));
	report_fmt(tol, sizeof(tol), rl_gn(q, "rules.alignment_tolerance_s") / (annual ? 86400 : 1),
	           0, 0);
	doc_para(x->d,
	         annual ? L("Rules: completeness at least 90 %%; the sum of the monthly figures "
	                    "within 5 %% of the meters' register increase; month boundaries "
	                    "on day 1 within %s day.",
	                    "规则：数据完整率不低于 90 %%；月数据之和与电能表累计增量偏差不超过 "
	                    "5 %%；月数据边界在每月 1 日 ±%s 天以内。")
	                : L("Rules: completeness at least 90 %%; the sum of the daily figures "
	                    "within 5 %% of the meters' register increase; every midnight "
	                    "within %s s of a reading.",
	                    "规则：数据完整率不低于 90 %%；日数据之和与电能表累计增量偏差不超过 "
	                    "5 %%；每日 0 时前 %s 秒内须有读数（时间对齐）。"),
	         tol);
	quality_table(x);
	doc_heading(x->d, 2, "%s", L("Findings", "发现的问题"));
	int n = 0;
	cJSON_ArrayForEach(f, rl_get(q, "flags"))
	{
		char text[512];
		finding(x, f, text, sizeof(text));
		doc_para(x->d, "• %s", text);
		n++;
	}
	if (!n)
		doc_para(x->d, "%s", L("None.", "无。"));
	gaps_table(x);
	events_table(x);
}

/* ---- free cooling and set points ---- */

void sec_cooling(struct lay *x)
{
	const cJSON *fc = rl_get(x->rep, "free_cooling"), *sp = rl_get(x->rep, "setpoints");
	char a[48], b[48], c[48], d[48];
	doc_heading(x->d, 1, "%s", L("7 Free cooling and set points", "7 自然冷却与温度设定"));
	struct doc_table *t = doc_table(x->d, 2, false);
	if (!t)
		return;
	t->widths[0] = 1;
	t->widths[1] = 2.4;
	if (!cJSON_IsNumber(rl_get(fc, "hours_any"))) {
		doc_kv(x->d, t, L("Free cooling", "自然冷却"), "%s",
		       L("not available: the cooling: section lacks outdoor or plant series",
		         "无数据：未配置室外或冷站计量"));
	} else {
		doc_kv(x->d, t,
		       L("Hours in full or partial free cooling", "完全或部分自然冷却小时数"), "%s",
		       rl_nu(a, sizeof(a), rl_gn(fc, "hours_any"), 1, "h"));
		doc_kv(x->d, t, L("Equivalent full free-cooling hours", "等效完全自然冷却小时数"),
		       "%s", rl_nu(a, sizeof(a), rl_gn(fc, "equivalent_full_hours"), 1, "h"));
		doc_kv(x->d, t, L("Hours available (full / partial)", "可用小时数（完全 / 部分）"),
		       "%s / %s", rl_nu(a, sizeof(a), rl_gn(fc, "available_free_h"), 1, "h"),
		       rl_nu(b, sizeof(b), rl_gn(fc, "available_partial_h"), 1, "h"));
		doc_kv(x->d, t,
		       L("Hours missed / compressor energy missed",
		         "错失小时数 / 可节省压缩机电量"),
		       "%s / %s", rl_nu(a, sizeof(a), rl_gn(fc, "missed_h"), 1, "h"),
		       rl_nu(b, sizeof(b), rl_gn(fc, "missed_kwh"), 1, "kWh"));
	}
	if (cJSON_IsNumber(rl_get(sp, "chw_supply_c"))) {
		rl_nu(a, sizeof(a), rl_gn(sp, "chw_supply_c"), 1, "°C");
		rl_nu(b, sizeof(b), rl_gn(sp, "chw_return_c"), 1, "°C");
		rl_nu(c, sizeof(c), rl_gn(sp, "supply_air_c"), 1, "°C");
		rl_nu(d, sizeof(d), rl_gn(sp, "return_air_c"), 1, "°C");
		doc_kv(x->d, t, L("Chilled water supply / return", "冷冻水供水 / 回水"), "%s / %s",
		       a, b);
		doc_kv(x->d, t, L("Supply / return air", "送风 / 回风"), "%s / %s", c, d);
	} else {
		doc_kv(x->d, t, L("Set points", "温度设定值"), "%s", L("not configured", "未配置"));
	}
}

/* ---- EU 2024/1364 (a calendar year) ---- */

static void eu_num(struct lay *x, struct doc_table *t, const cJSON *eu, const char *key,
                   const char *en, const char *zh, int dec, const char *unit)
{
	char v[64];
	double n = rl_gn(eu, key);
	/* an indicator is absent because it may not be published, not because nobody gave it */
	const char *none = strncmp(key, "indicators.", 11) == 0
	                           ? L("not published (see the KPIs)", "不予发布（见能效指标）")
	                           : rl_given(x, NULL);
	doc_kv(x->d, t, x->zh ? zh : en, "%s",
	       isfinite(n) ? rl_nu(v, sizeof(v), n, dec, unit) : none);
}

void sec_eu(struct lay *x)
{
	const cJSON *eu = rl_get(x->rep, "eu_2024_1364");
	if (!eu)
		return;
	doc_heading(x->d, 1, "%s",
	            L("8 Delegated Regulation (EU) 2024/1364, annex I",
	              "8 欧盟第 2024/1364 号授权条例附件一"));
	struct doc_table *t = doc_table(x->d, 2, false);
	if (!t)
		return;
	t->widths[0] = 1.2;
	t->widths[1] = 2.2;
	doc_kv(x->d, t, L("Name", "名称"), "%s", rl_given(x, rl_gs(eu, "identity.name")));
	doc_kv(x->d, t, L("Owner", "产权单位"), "%s", rl_given(x, rl_gs(eu, "identity.owner")));
	doc_kv(x->d, t, L("Operator", "运营单位"), "%s",
	       rl_given(x, rl_gs(eu, "identity.operator")));
	doc_kv(x->d, t, L("Location code", "位置代码"), "%s",
	       rl_given(x, rl_gs(eu, "identity.location_code")));
	const char *type = rl_gs(eu, "identity.type");
	doc_kv(x->d, t, L("Type", "类型"), "%s",
	       rl_given(x, type ? rw_site_type(x->zh, type) : NULL));
	doc_kv(x->d, t, L("Start of operation", "投运日期"), "%s",
	       rl_given(x, rl_gs(eu, "identity.start_date")));
	eu_num(x, t, eu, "p_dit_kw", "Installed IT power P_DIT", "IT 装机功率 P_DIT", 0, "kW");
	eu_num(x, t, eu, "floor_area_total_m2", "Total floor area", "总建筑面积", 0, "m²");
	eu_num(x, t, eu, "floor_area_computer_room_m2", "Computer room area", "机房面积", 0, "m²");
	doc_kv(x->d, t, L("Redundancy (power / cooling)", "冗余（供电 / 制冷）"), "%s / %s",
	       rl_given(x, rl_gs(eu, "redundancy_power")),
	       rl_given(x, rl_gs(eu, "redundancy_cooling")));
	eu_num(x, t, eu, "e_dc_kwh", "E_DC", "E_DC（总耗电量）", 1, "kWh");
	eu_num(x, t, eu, "e_dc_bg_kwh", "E_DC-BG (backup generators)", "E_DC-BG（备用发电）", 1,
	       "kWh");
	eu_num(x, t, eu, "e_it_ups_output_kwh", "E_IT at UPS output", "UPS 输出端 E_IT", 1, "kWh");
	eu_num(x, t, eu, "w_in_m3", "Water intake W_IN", "取水量 W_IN", 1, "m³");
	eu_num(x, t, eu, "w_in_pot_m3", "Potable water W_IN-POT", "饮用水 W_IN-POT", 1, "m³");
	eu_num(x, t, eu, "e_reuse_kwh", "Reused heat E_REUSE", "余热回收 E_REUSE", 1, "kWh");
	eu_num(x, t, eu, "reused_heat_temp_c", "Reused heat temperature", "余热平均温度", 1, "°C");
	eu_num(x, t, eu, "e_res_tot_kwh", "Renewable energy E_RES-TOT", "可再生能源 E_RES-TOT", 1,
	       "kWh");
	eu_num(x, t, eu, "data_traffic_incoming_pb", "Data traffic in", "数据流量（入）", 1, "PB");
	eu_num(x, t, eu, "data_traffic_outgoing_pb", "Data traffic out", "数据流量（出）", 1, "PB");
	eu_num(x, t, eu, "indicators.pue", "PUE", "PUE", 3, "");
	eu_num(x, t, eu, "indicators.wue_m3_per_mwh", "WUE", "WUE", 3, "m³/MWh");
	eu_num(x, t, eu, "indicators.erf", "ERF", "ERF", 3, "");
	eu_num(x, t, eu, "indicators.ref", "REF", "REF", 3, "");
	int nm = cJSON_GetArraySize(rl_get(eu, "missing_fields"));
	doc_para(x->d,
	         L("%d field(s) neither metered nor configured are left empty (missing_fields "
	           "in the JSON); capacities are as configured, not time-weighted; the report "
	           "is due by 15 May for the previous calendar year.",
	           "%d 项既无计量也未配置，留空（见报告 JSON 文件）；容量按配置值，"
	           "未做时间加权；应于每年 5 月 15 日前报送上一自然年的数据。"),
	         nm);
}

void sec_signatures(struct lay *x)
{
	const cJSON *s = rl_get(x->rep, "signatories");
	const char *labels[2] = {L("Prepared by", "编制人"), L("Approved by", "审核人")};
	const char *names[2] = {rl_gs(s, "prepared_by") ? rl_gs(s, "prepared_by") : "",
	                        rl_gs(s, "approved_by") ? rl_gs(s, "approved_by") : ""};
	doc_heading(x->d, 1, "%s", L("Signatures", "签字"));
	doc_signatures(x->d, 2, labels, names, L("Date", "日期"));
}
