// greendc dashboard: reads /api/v1 of the daemon that serves it (same origin, no CDN), draws
// with the vendored uPlot, refreshes every 15 s. Missing data stays missing: a null bucket
// is a gap in a chart and "—" in a figure, with the API's reason beside it. See
// docs/dashboard.md.
"use strict";

const I18N = {
	en: {
		title: "Energy and cooling", r1h: "1 hour", r24h: "24 hours", r7d: "7 days", r30d: "30 days",
		pue_live: "PUE now", pue_live_note: "interim: facility ÷ IT power over 15 min, not an energy PUE",
		today: "Today", month: "This month", breakdown: "Facility power",
		trend_pue: "PUE (power ratio) trend", trend_power: "Power by role",
		freecool: "Free cooling", fc_none: "No cooling: section configured",
		alerts: "Alerts", alerts_none: "No active alerts", alerts_recent: "Recent",
		report: "Latest monthly report", report_none: "No report generated yet",
		report_incomplete: "incomplete", report_complete: "complete",
		in_progress: "in progress", so_far: "so far",
		devices: "Devices", dev_name: "Device", dev_role: "Role", dev_state: "State",
		dev_last: "Last good poll", dev_ms: "Poll ms", dev_err: "Errors",
		coverage: "coverage", updated: "updated", lang: "中文",
		it: "IT", cooling: "Cooling", losses: "Losses", other: "Other", facility: "Facility",
		facility_input: "Facility input", ups_output: "UPS output", pdu_output: "PDU output",
		it_input: "IT input", onsite_renewable: "On-site PV", pue: "PUE",
		fc_mode_now: "Mode now", fc_available: "Available now", fc_outdoor_wb: "Outdoor wet-bulb",
		fc_outdoor_db: "Outdoor dry-bulb", fc_threshold: "Full free cooling below",
		fc_hours: "Hours available / used", fc_missed: "Missed (compressor kWh)",
		mode_0: "mechanical", mode_1: "partial", mode_2: "free", error: "error", never: "never",
	},
	zh: {
		title: "能耗与制冷", r1h: "1 小时", r24h: "24 小时", r7d: "7 天", r30d: "30 天",
		pue_live: "实时 PUE", pue_live_note: "临时值：15 分钟设施功率 ÷ IT 功率，非能耗 PUE",
		today: "今日", month: "本月", breakdown: "设施功率构成",
		trend_pue: "PUE（功率比）趋势", trend_power: "各类负载功率",
		freecool: "自然冷却", fc_none: "未配置 cooling: 段",
		alerts: "告警", alerts_none: "无活动告警", alerts_recent: "最近",
		report: "最新月度报告", report_none: "尚未生成报告",
		report_incomplete: "不完整", report_complete: "完整",
		in_progress: "进行中", so_far: "截至目前",
		devices: "设备", dev_name: "设备", dev_role: "角色", dev_state: "状态",
		dev_last: "最近成功采集", dev_ms: "采集毫秒", dev_err: "错误数",
		coverage: "数据覆盖率", updated: "更新于", lang: "English",
		it: "IT", cooling: "制冷", losses: "损耗", other: "其他", facility: "设施总功率",
		facility_input: "市电输入", ups_output: "UPS 输出", pdu_output: "PDU 输出",
		it_input: "IT 输入", onsite_renewable: "光伏", pue: "PUE",
		fc_mode_now: "当前模式", fc_available: "当前可用", fc_outdoor_wb: "室外湿球温度",
		fc_outdoor_db: "室外干球温度", fc_threshold: "完全自然冷却阈值",
		fc_hours: "可用 / 实际小时", fc_missed: "错失（压缩机 kWh）",
		mode_0: "机械制冷", mode_1: "部分自然冷却", mode_2: "完全自然冷却", error: "错误", never: "从未",
	},
};
// ?lang=zh|en in the URL wins (wall screens, tests), then the last choice, then the browser's.
let lang = new URLSearchParams(location.search).get("lang") || localStorage.getItem("greendc.lang") ||
	((navigator.language || "").startsWith("zh") ? "zh" : "en");
if (!I18N[lang]) lang = "en";
const t = (k) => (I18N[lang] && I18N[lang][k]) || I18N.en[k] || k;

// A token given once as #token=... (for a non-loopback daemon) is kept for this tab only.
const hashToken = new URLSearchParams(location.hash.slice(1)).get("token");
if (hashToken) {
	sessionStorage.setItem("greendc.token", hashToken);
	history.replaceState(null, "", location.pathname);
}
const token = sessionStorage.getItem("greendc.token");

async function api(path) {
	const headers = token ? { Authorization: "Bearer " + token } : {};
	const r = await fetch("api/v1/" + path, { headers, cache: "no-cache" });
	const body = await r.json().catch(() => ({ error: r.statusText }));
	if (!r.ok) throw Object.assign(new Error(body.error || r.statusText), { status: r.status });
	return body;
}

const $ = (id) => document.getElementById(id);
const fmt = (v, d) => (v === null || v === undefined || !isFinite(v) ? "—" : v.toFixed(d));
const kw = (w) => (w === null || !isFinite(w) ? "—" : (w / 1000).toFixed(1) + " kW");
const pct = (v) => (v * 100).toFixed(1) + " %";

function applyLang() {
	document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
	document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
	$("lang").textContent = t("lang");
}

let state = { site: null, charts: {} };

function itRole(category) {
	return category === 3 ? "it_input" : category === 1 ? "ups_output" : "pdu_output";
}

// A period still running (status IN_PROGRESS) has no final PUE: the figure says "in
// progress", and the note gives the ratio so far (provisional_pue) when there is one.
function setFigure(el, noteEl, p) {
	el.dataset.value = p && p.pue !== null && p.pue !== undefined ? String(p.pue) : "";
	el.dataset.status = p ? p.status : "";
	el.textContent = p && p.in_progress ? t("in_progress") : p ? fmt(p.pue, 2) : "—";
	if (!p) return;
	const cov = `${t("coverage")} ${pct(p.coverage)} · ${p.status}`;
	const soFar = p.provisional_pue !== undefined ? `${t("so_far")} ${fmt(p.provisional_pue, 2)} · ` : "";
	noteEl.textContent = p.pue === null ? `${soFar}${p.error} (${cov})` : `${p.label} · ${cov}`;
}

async function loadPue() {
	const [today, month] = await Promise.all([api("pue?period=today"), api("pue?period=month")]);
	const live = $("pue-live");
	if (today.interim) {
		live.dataset.value = String(today.interim.pue);
		live.dataset.at = String(today.interim.at_ms);
		live.textContent = fmt(today.interim.pue, 2);
	} else {
		live.dataset.value = "";
		live.textContent = "—";
	}
	// category_text is the one wording of the category (kpi_category_text): "category 2: E_IT at PDU output".
	$("pue-cat").textContent = `PUE${today.category} · ${today.category_text}`;
	setFigure($("pue-today"), $("pue-today-note"), today);
	setFigure($("pue-month"), $("pue-month-note"), month);
	return today.category;
}

function chart(id, opts, data) {
	const el = $(id);
	const width = Math.max(300, el.clientWidth);
	opts.width = width;
	opts.height = Math.max(200, el.clientHeight || 240);
	let n = 0;
	for (let s = 1; s < data.length; s++) {
		let k = 0;
		for (const v of data[s]) if (v !== null) k++;
		// Sparse data (a fresh site, a long gap) is drawn as dots, or a lone bucket would be
		// invisible: a line needs two neighbours.
		if (k < 200) opts.series[s].points = { show: true, size: 5 };
		n += k;
	}
	el.dataset.points = String(n);
	if (state.charts[id]) state.charts[id].destroy();
	el.textContent = "";
	state.charts[id] = new uPlot(opts, data, el);
}

const COLORS = ["#58a6ff", "#3fb950", "#d29922", "#f85149", "#a371f7", "#79c0ff", "#ffa657", "#8b98a5"];

async function loadPower(category) {
	const range = Number($("range").value);
	const width = Math.max(200, Math.round($("chart-power").clientWidth || 800));
	const p = await api(`power?from=-${range / 1000}s&width=${width}`);
	if (p.truncated) throw new Error("more than 256 power series: sums by role are partial");
	const x = p.t.map((ms) => ms / 1000);
	const roles = Object.keys(p.roles).sort();
	const series = [{}], data = [x];
	roles.forEach((r, i) => {
		series.push({ label: t(r), stroke: COLORS[i % COLORS.length], width: 1.5,
			value: (u, v) => kw(v) });
		data.push(p.roles[r].watts);
	});
	chart("chart-power", { series, axes: [{ stroke: "#8b98a5" }, { stroke: "#8b98a5", size: 70,
		values: (u, vals) => vals.map((v) => (v / 1000).toFixed(0) + " kW") }] }, data);
	// PUE trend: facility / IT power per bucket; a bucket missing either side is a gap.
	const fac = (p.roles.facility_input || {}).watts || [];
	const itw = (p.roles[itRole(category)] || {}).watts || [];
	const ratio = x.map((_, i) => (fac[i] != null && itw[i] != null && itw[i] > 0 ? fac[i] / itw[i] : null));
	chart("chart-pue", { series: [{}, { label: `PUE${category}`, stroke: COLORS[0], width: 2,
		value: (u, v) => fmt(v, 3) }], axes: [{ stroke: "#8b98a5" }, { stroke: "#8b98a5" }] }, [x, ratio]);
	// Breakdown from the newest bucket where the facility total is known.
	let i = fac.length - 1;
	while (i >= 0 && fac[i] == null) i--;
	const b = $("breakdown");
	b.textContent = "";
	if (i < 0) { b.textContent = "—"; return; }
	const at = (r) => { const w = (p.roles[r] || {}).watts; return w && w[i] != null ? w[i] : null; };
	const f = fac[i], it = at(itRole(category)), cool = at("cooling"), oth = at("other");
	const parts = [["it", it], ["cooling", cool], ["other", oth]];
	const known = parts.reduce((s, [, v]) => s + (v || 0), 0);
	parts.push(["losses", f - known >= 0 ? f - known : null]);
	const row = (name, v) => {
		const d = document.createElement("div");
		d.className = "bar";
		const share = v != null && f > 0 ? v / f : 0;
		// Built with the DOM: the CSP (default-src 'self') forbids inline style attributes.
		const label = document.createElement("span"), track = document.createElement("div"),
			fill = document.createElement("div"), val = document.createElement("span");
		track.className = "track";
		fill.style.width = (share * 100).toFixed(1) + "%";
		track.appendChild(fill);
		label.textContent = t(name);
		val.textContent = v == null ? "—" : `${kw(v)} (${pct(share)})`;
		d.append(label, track, val);
		b.appendChild(d);
	};
	row("facility", f);
	parts.forEach(([n, v]) => row(n, v));
}

async function loadDevices() {
	const d = await api("devices");
	const tb = document.querySelector("#devices tbody");
	tb.textContent = "";
	for (const dev of d.devices) {
		const tr = document.createElement("tr");
		const cells = [dev.name, dev.labels.role || "", dev.state,
			dev.last_ok_ms ? new Date(dev.last_ok_ms).toLocaleTimeString() : t("never"),
			(dev.last_duration_s * 1000).toFixed(1), String(dev.errors)];
		cells.forEach((c, k) => {
			const td = document.createElement("td");
			td.textContent = c;
			if (k === 2) td.className = "state-" + dev.state;
			tr.appendChild(td);
		});
		if (dev.last_error) tr.title = dev.last_error;
		tb.appendChild(tr);
	}
}

async function loadFreecool() {
	const el = $("freecool");
	let f;
	try {
		f = await api(`freecool?from=-${Number($("range").value) / 1000}s&width=200`);
	} catch (e) {
		if (e.status === 404 || e.status === 409) { el.textContent = t("fc_none"); return; }
		throw e;
	}
	el.className = "fc-grid";
	el.textContent = "";
	const rows = [
		["fc_mode_now", f.mode_now === null ? "—" : t("mode_" + f.mode_now)],
		["fc_available", f.available_now === null ? "—" : t("mode_" + f.available_now)],
		["fc_outdoor_db", fmt(f.outdoor.dry_bulb_c, 1) + " °C"],
		["fc_outdoor_wb", fmt(f.outdoor.wet_bulb_c, 1) + " °C"],
		["fc_threshold", `${fmt(f.threshold.full_c, 1)} °C (${f.threshold.governs})`],
		["fc_hours", `${fmt(f.history.available_h, 1)} / ${fmt(f.history.used_h, 1)} h`],
		["fc_missed", fmt(f.history.missed_kwh, 1) + " kWh"],
	];
	for (const [k, v] of rows) {
		const a = document.createElement("span"), b = document.createElement("span");
		a.className = "muted";
		a.textContent = t(k);
		b.textContent = v;
		el.append(a, b);
	}
}

// Alerts: the active ones (firing), then the newest transitions.
async function loadAlerts() {
	const a = await api("alerts?recent=5");
	const el = $("alerts");
	el.replaceChildren();
	el.classList.toggle("muted", a.active.length === 0);
	const line = (x, when) => {
		const d = document.createElement("div");
		d.className = "alert " + (x.status || "");
		const L = x.labels || {}, A = x.annotations || {};
		d.textContent = `${when} ${x.status || ""} ${L.alertname || ""}` +
			(L.severity ? ` [${L.severity}]` : "") + (A.summary ? ` — ${A.summary}` : "");
		return d;
	};
	if (a.active.length === 0) el.textContent = t("alerts_none");
	for (const x of a.active) el.append(line(x, new Date(x.event_ms).toLocaleString()));
	if (a.recent.length) {
		const h = document.createElement("div");
		h.className = "muted";
		h.textContent = t("alerts_recent");
		el.append(h);
		for (const x of a.recent) el.append(line(x, new Date(x.event_ms).toLocaleString()));
	}
	el.dataset.active = a.active.length;
}

// The newest monthly report: its PUE label, completeness (or in progress) and what is missing.
async function loadReport() {
	const r = await api("reports?limit=12");
	const el = $("report");
	const m = r.reports.find((x) => x.kind === "monthly");
	if (!m) { el.textContent = t("report_none"); el.classList.add("muted"); return; }
	el.classList.remove("muted");
	const k = (m.report && m.report.kpi) || {};
	const missing = (m.report && m.report.missing) || [];
	const running = m.report && m.report.in_progress;
	el.textContent = `${m.period}: ${k.pue_label || "—"} · ` +
		t(running ? "in_progress" : m.complete ? "report_complete" : "report_incomplete") +
		(missing.length ? " (" + missing.map((x) =>
			`${x.role} ${(100 * x.coverage).toFixed(1)} %`).join("; ") + ")" : "");
	el.dataset.period = m.period;
}

async function refresh() {
	const errors = [];
	try {
		if (!state.site) {
			state.site = await api("site");
			$("site-name").textContent = state.site.name || state.site.id;
			document.title = "greendc · " + (state.site.name || state.site.id);
		}
		let category = 2;
		try { category = await loadPue(); } catch (e) { errors.push("PUE: " + e.message); }
		await Promise.all([
			loadPower(category).catch((e) => errors.push("power: " + e.message)),
			loadDevices().catch((e) => errors.push("devices: " + e.message)),
			loadFreecool().catch((e) => errors.push("free cooling: " + e.message)),
			loadAlerts().catch((e) => errors.push("alerts: " + e.message)),
			loadReport().catch((e) => errors.push("report: " + e.message)),
		]);
	} catch (e) {
		errors.push(e.message);
	}
	$("updated").textContent = `${t("updated")} ${new Date().toLocaleTimeString()}`;
	$("status").textContent = errors.join(" · ");
	document.body.dataset.loaded = errors.length ? "error" : "ok";
}

$("lang").addEventListener("click", () => {
	lang = lang === "zh" ? "en" : "zh";
	localStorage.setItem("greendc.lang", lang);
	applyLang();
	refresh();
});
$("range").addEventListener("change", refresh);
applyLang();
refresh();
setInterval(refresh, 15000);
