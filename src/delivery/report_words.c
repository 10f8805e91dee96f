/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The words of the report's pages in English and Chinese (report_words.h): role names,
 * statuses, the reasons a KPI is absent, counter events, identity fields, site types. The
 * JSON keeps greendc's own English codes and messages; a Chinese page never prints them, it
 * prints what this file maps them to, so the zh page is Chinese throughout (test_report_pdf.sh
 * checks the PDF for English words outside an allowlist of symbols, units and data).
 */
#include "delivery/report_words.h"

#include <stdio.h>
#include <string.h>

struct pair {
	const char *key, *en, *zh;
};

static const char *lookup(const struct pair *t, size_t n, bool zh, const char *key)
{
	for (size_t i = 0; key && i < n; i++)
		if (strcmp(t[i].key, key) == 0)
			return zh ? t[i].zh : t[i].en;
	return NULL;
}

#define LOOKUP(t, zh, key) lookup(t, sizeof(t) / sizeof(t[0]), zh, key)

const char *rw_role(bool zh, const char *key)
{
	static const struct pair t[] = {
	        {"facility_input", "Facility input (utility feeds)", "市电输入"},
	        {"backup_generation", "Backup generation", "备用发电"},
	        {"it_ups_output", "IT at UPS output", "UPS 输出端 IT 能耗"},
	        {"it_pdu_output", "IT at PDU output", "PDU 输出端 IT 能耗"},
	        {"it_input", "IT equipment input", "IT 设备输入端能耗"},
	        {"cooling", "Cooling", "制冷"},
	        {"lighting_other", "Lighting and other", "照明及其他"},
	        {"onsite_renewable", "On-site renewable", "现场可再生能源"},
	        {"reused_heat", "Reused heat", "余热回收"},
	        {"heat_removed", "Heat removed", "排热量"},
	        {"water_intake", "Water intake", "取水量"},
	        {"water_potable", "Potable water", "饮用水"},
	};
	const char *s = LOOKUP(t, zh, key);
	return s ? s : zh ? "其他" : key ? key : "";
}

const char *rw_status(bool zh, const char *s)
{
	static const struct pair t[] = {
	        {"OK", "OK", "正常"},
	        {"ESTIMATED", "ESTIMATED", "含估算"},
	        {"MISSING", "MISSING", "缺失"},
	        {"IN_PROGRESS", "IN PROGRESS", "统计期未结束"},
	};
	const char *r = LOOKUP(t, zh, s);
	return r ? r : zh ? "未知" : s ? s : "";
}

const char *rw_category(bool zh, int category)
{
	static const char *const en[] = {"no IT metering", "category 1: E_IT at UPS output",
	                                 "category 2: E_IT at PDU output",
	                                 "category 3: E_IT at IT equipment input"};
	static const char *const cn[] = {"无 IT 计量", "类别 1：IT 能耗在 UPS 输出端计量",
	                                 "类别 2：IT 能耗在 PDU 输出端计量",
	                                 "类别 3：IT 能耗在 IT 设备输入端计量"};
	int k = category >= 1 && category <= 3 ? category : 0;
	return zh ? cn[k] : en[k];
}

void rw_reason(bool zh, const char *why, char *buf, size_t len)
{
	static const struct pair t[] = {
	        /* prefixes of the messages kpi.c and energy.c give, in the order to try */
	        {"in progress", "", "统计期尚未结束，数据不是最终值"},
	        {"coverage", "", "计量覆盖率低于阈值，不予发布"},
	        {"no cooling meters", "", "无制冷计量"},
	        {"no water intake meters", "", "无取水计量"},
	        {"no reused-heat meters", "", "无余热回收计量"},
	        {"no heat-removed meters", "", "无排热量计量"},
	        {"no valid", "", "PUE 无效，无法计算"},
	        {"E_IT is 0", "", "统计期内无 IT 能耗计量"},
	        {"E_IT (", "", "E_IT 大于 E_DC：请检查计量角色与边界"},
	        {"energy totals", "", "能耗总量无效"},
	        {"cooling energy (", "", "制冷能耗大于 E_DC − E_IT"},
	        {"potable water", "", "饮用水量大于取水量"},
	        {"negative water", "", "取水量为负"},
	        {"backup generation exceeds", "", "备用发电量大于 E_DC"},
	        {"backup generation (", "", "备用发电缺少排放因子"},
	        {"reused energy (", "", "余热回收量超出 0 至 E_DC 范围"},
	        {"renewable energy (", "", "可再生能源电量大于 E_DC"},
	        {"no cooling energy", "", "无制冷能耗"},
	};
	if (!zh) {
		snprintf(buf, len, "%s", why ? why : "");
		return;
	}
	for (size_t i = 0; why && i < sizeof(t) / sizeof(t[0]); i++)
		if (strncmp(why, t[i].key, strlen(t[i].key)) == 0) {
			snprintf(buf, len, "%s", t[i].zh);
			return;
		}
	snprintf(buf, len, "%s", "不可发布（原因见报告 JSON 文件）");
}

const char *rw_event(bool zh, const char *kind)
{
	static const struct pair t[] = {
	        {"counter_reset", "meter reset or replaced", "电能表复位或更换"},
	        {"counter_rejected", "reading rejected (implausible)", "读数被拒绝（不合理跳变）"},
	        {"register_wrap", "register wrapped (counted exactly)",
	         "寄存器溢出回绕（已准确计入）"},
	};
	const char *r = LOOKUP(t, zh, kind);
	return r ? r : zh ? "计量事件" : kind ? kind : "";
}

void rw_event_detail(bool zh, const char *detail, char *buf, size_t len)
{
	double a, b, s, n;
	if (!zh) {
		snprintf(buf, len, "%s", detail ? detail : "");
		return;
	}
	if (detail &&
	    sscanf(detail, "raw %lf -> %lf after %lf s, counted %lf", &a, &b, &s, &n) == 4)
		snprintf(buf, len, "原始读数 %.10g → %.10g（间隔 %.0f 秒），计入 %.10g", a, b, s,
		         n);
	else
		snprintf(buf, len, "%s", "读数未计入");
}

const char *rw_identity_key(bool zh, const char *key)
{
	static const struct pair t[] = {
	        {"site.name", "Site name (site.name)", "数据中心名称"},
	        {"reporting.operator", "Operator (reporting.operator)", "运营单位"},
	        {"reporting.owner", "Owner (reporting.owner)", "产权单位"},
	        {"reporting.address", "Address (reporting.address)", "地址"},
	        {"reporting.unified_social_credit_code",
	         "Unified social credit code (reporting.unified_social_credit_code)",
	         "统一社会信用代码"},
	        {"reporting.regulator_unit_id", "Regulator's unit ID (reporting.regulator_unit_id)",
	         "监管平台单位编码"},
	        {"reporting.installed_it_power_kw",
	         "Rated IT capacity (reporting.installed_it_power_kw)", "IT 设备额定容量"},
	        {"reporting.floor_area_m2.total", "Floor area (reporting.floor_area_m2.total)",
	         "建筑面积"},
	        {"reporting.contact.name", "Contact (reporting.contact.name)", "联系人"},
	        {"reporting.contact.phone", "Contact phone (reporting.contact.phone)", "联系电话"},
	        {"reporting.meters", "Metering register (reporting.meters)", "计量器具台账"},
	};
	const char *r = LOOKUP(t, zh, key);
	return r ? r : zh ? "其他字段" : key ? key : "";
}

const char *rw_site_type(bool zh, const char *type)
{
	static const struct pair t[] = {
	        {"enterprise", "enterprise", "企业自用"},
	        {"colocation", "colocation", "主机托管"},
	        {"co-hosting", "co-hosting", "合作托管"},
	};
	const char *r = LOOKUP(t, zh, type);
	return r ? r : type;
}
