// SPDX-License-Identifier: Apache-2.0
// The dashboard's words in English and Chinese. The API answers with codes (roles, statuses,
// reasons, device states, alert rule types, cooling modes) and numbers; this file is the one
// place they become text. t("key", {name: value}) fills {name}; a key missing in Chinese falls
// back to English, and test_dashboard_browser.sh fails on any English left on a Chinese page.
"use strict";
window.GDC = window.GDC || {};

GDC.I18N = {
	en: {
		title: "Energy and cooling", loading: "loading", updated: "updated {t}", lang: "中文",
		kiosk: "Wall screen", r1h: "1 hour", r24h: "24 hours", r7d: "7 days", r30d: "30 days",
		filter: "filter", range: "time range", time: "Time", no_data: "no data", errors_on_page: "not loaded: {list}",

		pue_now: "PUE now", pue_now_note: "power ratio over the last 15 min (interim), not an energy PUE",
		pue_energy: "Energy PUE", yesterday: "Yesterday", last_month: "Last month", today: "Today",
		this_month: "This month", so_far: "so far {v}", coverage: "coverage {v}",
		st_OK: "published", st_ESTIMATED: "estimated", st_MISSING: "missing", st_IN_PROGRESS: "in progress",
		cat_0: "no IT metering", cat_1: "category 1: E_IT at UPS output",
		cat_2: "category 2: E_IT at PDU output", cat_3: "category 3: E_IT at IT equipment input",
		why_in_progress: "{elapsed} of {span} elapsed; not final",
		why_coverage_below: "coverage {cov} is below {min}: not published",
		why_no_it_energy: "no IT energy was metered", why_invalid_totals: "energy totals are not valid numbers",
		why_it_exceeds_dc: "E_IT exceeds E_DC: check the meter roles", why_not_published: "not published",
		dur_min: "{n} min", dur_h: "{n} h", dur_d: "{n} days",

		power_by_role: "Power by role", ratio_trend: "PUE trend (power ratio)",
		ratio_note: "interim, not an energy PUE", breakdown: "Facility power now", facility: "Facility",
		pue_by_day: "PUE by day, last 30 days", pue_by_month: "PUE by month, last 12 months",
		energy_by_day: "Energy by role per day", axis_pue: "PUE{c} ({cat})",

		facility_input: "Facility input", backup_generation: "Backup generation",
		it_ups_output: "IT (UPS output)", it_pdu_output: "IT (PDU output)", it_input: "IT (equipment input)",
		cooling: "Cooling", lighting_other: "Lighting and other", onsite_renewable: "On-site PV",
		rest: "Power delivery and unmetered", it: "IT",
		lr_ups_output: "UPS output", lr_pdu_output: "PDU output", lr_other: "Other", lr_weather: "Weather station",
		lr_water: "Water meter", lr_heat_reuse: "Heat reuse", lr_snmp_view: "SNMP view (second reading)",
		lr_facility_input: "Facility input", lr_cooling: "Cooling", lr_onsite_renewable: "On-site PV",
		lr_it_input: "IT input", lr_rack_pdu: "Rack PDU",

		freecool: "Free cooling", fc_none: "no cooling: section configured",
		mode_0: "mechanical", mode_1: "partial free cooling", mode_2: "full free cooling",
		fc_mode_now: "Plant runs", fc_allows: "Outdoor air allows", fc_outdoor: "Outdoor",
		fc_wb: "{v} wet-bulb", fc_db: "{v} dry-bulb",
		fc_full_at: "full free cooling at or below {v}", fc_partial_at: "partial below {v}",
		gov_wb: "wet-bulb", gov_db: "dry-bulb", gov_wbdb: "wet-bulb and dry-bulb",
		fc_months: "Free-cooling hours by month: available vs used",
		fc_heatmap: "Cooling mode run, by day and hour", fc_missed: "Free cooling missed per day",
		available: "available", used: "used", hours: "hours", hour_of_day: "hour of day",
		missed_h: "hours missed", missed_kwh: "compressor kWh missed",
		fc_30d: "last 30 days: {used} of {avail} h used, {kwh} compressor kWh missed",

		alerts: "Alerts", alerts_none: "No active alerts", recent: "Recent", firing: "firing",
		resolved: "resolved", sev_critical: "critical", sev_warning: "warning", sev_info: "info",
		al_device_down: "{device} is down or stale",
		al_counter_discontinuity: "{series}: counter reset or rejected jump",
		al_threshold_above: "{series} = {value}, above {limit}", al_threshold_below: "{series} = {value}, below {limit}",
		al_rate_above: "{series} changes {value} per hour, above {limit}",
		al_rate_below: "{series} changes {value} per hour, below {limit}",
		al_ashrae_inlet: "{series} = {value} °C, outside the ASHRAE envelope {min}..{max} °C",
		al_pue_above: "interim PUE {value} over {window} min, above the target {limit}",
		al_free_cooling_unused: "the outdoor air allows more free cooling than the plant runs (free-cooling share {value} % over {window} min)",
		al_capacity_ab_redundancy: "rack {device}: feed {feed} alone (limit {limit} kW) could not carry the rack's peak {peak} kW: not A/B redundant",
		al_capacity_rack_capacity: "rack {device}: peak {peak} kW is {value} % of its derated limit {limit} kW",
		al_capacity_pdu_capacity: "PDU {device} (feed {feed}): peak {peak} kW is {value} % of its derated limit {limit} kW",

		report: "Last monthly report", report_none: "No report generated yet", complete: "complete",
		incomplete: "incomplete", generated: "generated {t}", below_coverage: "below coverage: {list}",

		floor: "Floor", floor_color: "colour by", color_kw: "kW now", color_pct: "% of capacity",
		color_ab: "A/B risk", floor_pick: "Pick a rack for its feeds, outlets and trend",
		floor_counts: "{racks} racks, {risk} at A/B risk, {over} over a limit", hall_n: "Hall {n}",
		row_n: "Row {n}", ab_ok: "A/B redundant", ab_risk: "A/B risk", ab_single: "single feed",
		ab_unknown: "unknown", pct_lo: "under 60 %", pct_mid: "60-80 %", pct_hi: "80-100 %",
		pct_over: "over the limit", no_value: "no reading", rack_title: "Rack {rack}",
		rack_tenant: "tenant {t}", rack_free: "no tenant",
		rack_sum: "{kw} now, limit {limit}; peaks over {window}: {p1} (1 min), {p15} (15 min)",
		feed: "Feed", pdu: "PDU", limit: "Limit", peak_1m: "Peak 1 min", peak_15m: "Peak 15 min",
		imbalance: "Phase imbalance", carries: "Alone carries the rack", yes: "yes", no: "no",
		outlet: "Outlet", kwh_month: "kWh this month", rack_power: "Rack power, {range}",
		tenants_mtd: "Tenants, month to date", tenant: "Tenant", peak_kw: "Peak kW", cost: "Cost",
		coverage_h: "Coverage", tenants_none: "no tenants: section configured",
		tenants_period: "{period}, {share} of the month elapsed; not final",
		checks_failed: "meter check failed", floor_none: "no racks: no device has a rack label",

		devices: "Devices", dev_name: "Device", dev_role: "Role", dev_state: "State",
		dev_last: "Last good poll", dev_ms: "Poll ms", dev_err: "Errors", never: "never",
		dev_count: "{up} of {all} up", state_up: "up", state_down: "down", state_stale: "stale",
		state_unknown: "unknown", state_disabled: "disabled",
	},
	zh: {
		title: "能耗与制冷", loading: "加载中", updated: "更新于 {t}", lang: "English",
		kiosk: "大屏模式", r1h: "1 小时", r24h: "24 小时", r7d: "7 天", r30d: "30 天",
		filter: "筛选", range: "时间范围", time: "时间", no_data: "无数据", errors_on_page: "未能加载：{list}",

		pue_now: "实时 PUE", pue_now_note: "最近 15 分钟的功率比（临时值），非能耗 PUE",
		pue_energy: "能耗 PUE", yesterday: "昨日", last_month: "上月", today: "今日",
		this_month: "本月", so_far: "截至目前 {v}", coverage: "数据覆盖率 {v}",
		st_OK: "已发布", st_ESTIMATED: "估算", st_MISSING: "缺失", st_IN_PROGRESS: "进行中",
		cat_0: "无 IT 计量", cat_1: "类别 1：IT 能耗在 UPS 输出端计量",
		cat_2: "类别 2：IT 能耗在 PDU 输出端计量", cat_3: "类别 3：IT 能耗在 IT 设备输入端计量",
		why_in_progress: "已过 {elapsed}（共 {span}），非最终值",
		why_coverage_below: "数据覆盖率 {cov} 低于 {min}，不发布",
		why_no_it_energy: "未计量到 IT 能耗", why_invalid_totals: "能耗合计无效",
		why_it_exceeds_dc: "IT 能耗超过数据中心总能耗，请检查电表角色", why_not_published: "不发布",
		dur_min: "{n} 分钟", dur_h: "{n} 小时", dur_d: "{n} 天",

		power_by_role: "各类负载功率", ratio_trend: "PUE 趋势（功率比）",
		ratio_note: "临时值，非能耗 PUE", breakdown: "当前设施功率构成", facility: "设施总功率",
		pue_by_day: "每日 PUE（近 30 天）", pue_by_month: "每月 PUE（近 12 个月）",
		energy_by_day: "每日各类能耗", axis_pue: "PUE{c}（{cat}）",

		facility_input: "市电输入", backup_generation: "备用发电",
		it_ups_output: "IT（UPS 输出）", it_pdu_output: "IT（PDU 输出）", it_input: "IT（设备输入）",
		cooling: "制冷", lighting_other: "照明及其他", onsite_renewable: "现场光伏",
		rest: "配电损耗及未计量", it: "IT",
		lr_ups_output: "UPS 输出", lr_pdu_output: "PDU 输出", lr_other: "其他", lr_weather: "气象站",
		lr_water: "水表", lr_heat_reuse: "余热回收", lr_snmp_view: "SNMP 视图（重复读数）",
		lr_facility_input: "市电输入", lr_cooling: "制冷", lr_onsite_renewable: "现场光伏",
		lr_it_input: "IT 输入", lr_rack_pdu: "机柜 PDU",

		freecool: "自然冷却", fc_none: "未配置 cooling: 段",
		mode_0: "机械制冷", mode_1: "部分自然冷却", mode_2: "完全自然冷却",
		fc_mode_now: "机组当前", fc_allows: "室外条件允许", fc_outdoor: "室外",
		fc_wb: "湿球 {v}", fc_db: "干球 {v}",
		fc_full_at: "≤ {v} 时完全自然冷却", fc_partial_at: "< {v} 时部分自然冷却",
		gov_wb: "湿球温度", gov_db: "干球温度", gov_wbdb: "湿球与干球温度",
		fc_months: "每月自然冷却小时数：可用与实际",
		fc_heatmap: "实际制冷模式（日期 × 小时）", fc_missed: "每日错失的自然冷却",
		available: "可用", used: "实际", hours: "小时", hour_of_day: "时刻",
		missed_h: "错失小时数", missed_kwh: "错失的压缩机电量 kWh",
		fc_30d: "近 30 天：可用 {avail} 小时，实际 {used} 小时，错失压缩机电量 {kwh} kWh",

		alerts: "告警", alerts_none: "无活动告警", recent: "最近", firing: "触发中",
		resolved: "已恢复", sev_critical: "严重", sev_warning: "警告", sev_info: "提示",
		al_device_down: "{device} 离线或数据过期",
		al_counter_discontinuity: "{series}：计数器复位或跳变被拒绝",
		al_threshold_above: "{series} = {value}，高于 {limit}", al_threshold_below: "{series} = {value}，低于 {limit}",
		al_rate_above: "{series} 每小时变化 {value}，高于 {limit}",
		al_rate_below: "{series} 每小时变化 {value}，低于 {limit}",
		al_ashrae_inlet: "{series} = {value} °C，超出 ASHRAE 范围 {min}..{max} °C",
		al_pue_above: "{window} 分钟临时 PUE {value}，高于目标 {limit}",
		al_free_cooling_unused: "室外条件允许更多自然冷却，机组未充分利用（近 {window} 分钟自然冷却占比 {value} %）",
		al_capacity_ab_redundancy: "机柜 {device}：{feed} 路单独（限值 {limit} kW）无法承载整柜峰值 {peak} kW，A/B 冗余不足",
		al_capacity_rack_capacity: "机柜 {device}：峰值 {peak} kW 为降额限值 {limit} kW 的 {value} %",
		al_capacity_pdu_capacity: "PDU {device}（{feed} 路）：峰值 {peak} kW 为降额限值 {limit} kW 的 {value} %",

		report: "最近月度报告", report_none: "尚未生成报告", complete: "完整",
		incomplete: "不完整", generated: "生成于 {t}", below_coverage: "覆盖率不足：{list}",

		floor: "机房平面", floor_color: "着色依据", color_kw: "当前功率", color_pct: "容量占比",
		color_ab: "A/B 冗余风险", floor_pick: "点击机柜查看电源路、出线口与趋势",
		floor_counts: "共 {racks} 个机柜，{risk} 个 A/B 冗余有风险，{over} 个超限", hall_n: "{n} 机房",
		row_n: "第 {n} 列", ab_ok: "A/B 冗余", ab_risk: "A/B 冗余风险", ab_single: "单路供电",
		ab_unknown: "未知", pct_lo: "低于 60 %", pct_mid: "60–80 %", pct_hi: "80–100 %",
		pct_over: "超限", no_value: "无读数", rack_title: "机柜 {rack}",
		rack_tenant: "客户 {t}", rack_free: "未分配客户",
		rack_sum: "当前 {kw}，限值 {limit}；{window}内峰值：{p1}（1 分钟），{p15}（15 分钟）",
		feed: "电源路", pdu: "PDU", limit: "限值", peak_1m: "1 分钟峰值", peak_15m: "15 分钟峰值",
		imbalance: "三相不平衡度", carries: "单路可承载整柜", yes: "是", no: "否",
		outlet: "出线口", kwh_month: "本月电量 kWh", rack_power: "机柜功率（{range}）",
		tenants_mtd: "客户本月累计", tenant: "客户", peak_kw: "最大需量 kW", cost: "电费",
		coverage_h: "计量覆盖率", tenants_none: "未配置 tenants: 段",
		tenants_period: "{period}，本月已过 {share}，非最终值",
		checks_failed: "电表核对未通过", floor_none: "无机柜：没有设备带 rack 标签",

		devices: "设备", dev_name: "设备", dev_role: "角色", dev_state: "状态",
		dev_last: "最近成功采集", dev_ms: "采集毫秒", dev_err: "错误数", never: "从未",
		dev_count: "{all} 台中 {up} 台在线", state_up: "在线", state_down: "离线", state_stale: "数据过期",
		state_unknown: "未知", state_disabled: "已停用",
	},
};

// ?lang=zh|en in the URL wins (wall screens, tests), then the last choice, then the browser's.
GDC.lang = new URLSearchParams(location.search).get("lang") || localStorage.getItem("greendc.lang") ||
	((navigator.language || "").startsWith("zh") ? "zh" : "en");
if (!GDC.I18N[GDC.lang]) GDC.lang = "en";

GDC.t = function (key, params) {
	const s = (GDC.I18N[GDC.lang] && GDC.I18N[GDC.lang][key]) || GDC.I18N.en[key] || key;
	return params ? s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m)) : s;
};
// A code's text, or the code itself when there is none (a role or state this page does not
// know yet: shown as the API says it rather than hidden).
GDC.tc = function (prefix, code) {
	const k = prefix + code;
	return GDC.I18N.en[k] !== undefined ? GDC.t(k) : String(code);
};

GDC.applyLang = function () {
	document.documentElement.lang = GDC.lang === "zh" ? "zh-CN" : "en";
	document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = GDC.t(el.dataset.i18n); });
	document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => {
		el.placeholder = GDC.t(el.dataset.i18nPlaceholder);
	});
	document.querySelectorAll("[data-i18n-aria]").forEach((el) => el.setAttribute("aria-label", GDC.t(el.dataset.i18nAria)));
	document.getElementById("lang").textContent = GDC.t("lang");
};
