// SPDX-License-Identifier: Apache-2.0
// Formatting only: site time (the zone of the site, never the browser's), 24-hour clock, dates
// as each language writes them (2026-12-02 / 2026年12月2日), numbers with a fixed number of
// decimals, and axis ticks with just enough decimals to tell them apart. Nothing here computes a
// figure: every value comes from the API as it is.
"use strict";
window.GDC = window.GDC || {};

GDC.fmt = (function () {
	let zone = "UTC";
	let parts = null; // Intl formatter giving the site-time parts of an instant

	function setZone(tz) {
		zone = tz || "UTC";
		offsets.clear();
		try {
			parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric",
				month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
		} catch (e) { // a zone this browser does not know: UTC, and the zone line says so
			zone = "UTC";
			parts = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", hourCycle: "h23", year: "numeric",
				month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
		}
	}

	function localSlow(ms) {
		const o = {};
		for (const p of parts.formatToParts(new Date(ms))) o[p.type] = p.value;
		return { y: +o.year, mo: +o.month, d: +o.day, h: +o.hour % 24, mi: +o.minute, s: +o.second };
	}
	// The zone's offset over one UTC day, when it is the same at both ends of it (no change of
	// offset that day): then every instant of the day is shifted by it, without asking Intl
	// again. A year of hourly buckets (the heatmap) costs 365 lookups, not 8,760.
	const offsets = new Map();
	function dayOffset(ms) {
		const day = Math.floor(ms / 86400e3);
		if (offsets.has(day)) return offsets.get(day);
		const off = (t) => { const l = localSlow(t); return Date.UTC(l.y, l.mo - 1, l.d, l.h, l.mi, l.s) - Math.floor(t / 1000) * 1000; };
		const a = off(day * 86400e3), b = off(day * 86400e3 + 86399e3);
		const v = a === b ? a : null;
		if (offsets.size > 5000) offsets.clear();
		offsets.set(day, v);
		return v;
	}
	// {y, mo, d, h, mi, s} of instant ms in site time.
	function local(ms) {
		const off = dayOffset(ms);
		if (off === null) return localSlow(ms);
		const d = new Date(ms + off);
		return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds() };
	}
	setZone("UTC");
	const p2 = (n) => String(n).padStart(2, "0");
	const zh = () => GDC.lang === "zh";

	const date = (ms) => { const l = local(ms); return zh() ? `${l.y}年${l.mo}月${l.d}日` : `${l.y}-${p2(l.mo)}-${p2(l.d)}`; };
	const time = (ms) => { const l = local(ms); return `${p2(l.h)}:${p2(l.mi)}`; };
	const timeSec = (ms) => { const l = local(ms); return `${p2(l.h)}:${p2(l.mi)}:${p2(l.s)}`; };
	const dateTime = (ms) => `${date(ms)} ${time(ms)}`;
	const monthDay = (ms) => { const l = local(ms); return zh() ? `${l.mo}月${l.d}日` : `${p2(l.mo)}-${p2(l.d)}`; };
	const month = (ms) => { const l = local(ms); return zh() ? `${l.y}年${l.mo}月` : `${l.y}-${p2(l.mo)}`; };
	// Labels the API gives in site time ("2026-11", "2026-11-05"): reworded, never re-zoned.
	function label(s) {
		const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(s || "");
		if (!m) return s;
		if (!zh()) return s;
		return m[3] ? `${+m[1]}年${+m[2]}月${+m[3]}日` : `${+m[1]}年${+m[2]}月`;
	}
	function labelShort(s) { // "11-05" / "11月5日", "2026-11" / "2026年11月"
		const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(s || "");
		if (!m) return s;
		if (m[3]) return zh() ? `${+m[2]}月${+m[3]}日` : `${m[2]}-${m[3]}`;
		return zh() ? `${+m[2]}月` : `${m[1]}-${m[2]}`;
	}

	const num = (v, d) => (v === null || v === undefined || !isFinite(v) ? "—" : Number(v).toFixed(d));
	const kw = (w) => (w === null || w === undefined || !isFinite(w) ? "—" : (w / 1000).toFixed(1) + " kW");
	const pct = (f, d) => (f === null || f === undefined || !isFinite(f) ? "—" : (f * 100).toFixed(d === undefined ? 1 : d) + " %");
	const degC = (v) => num(v, 1) + " °C";

	// The fewest decimals (up to 6) that keep every tick of an axis distinct: a PUE axis from
	// 1.1385 to 1.1395 reads 1.1385, 1.1390, 1.1395, never 1.139 three times.
	function distinct(vals) {
		const fin = vals.filter((v) => v !== null && isFinite(v));
		// At least the decimals of the smallest step between ticks (0.25 apart: 2 decimals,
		// never 0.3 for 0.25), then more until no two ticks read the same.
		let step = Infinity;
		for (let i = 1; i < fin.length; i++) if (fin[i] !== fin[i - 1]) step = Math.min(step, Math.abs(fin[i] - fin[i - 1]));
		let d0 = 0;
		while (d0 < 6 && isFinite(step) && Math.abs(Number(step.toFixed(d0)) - step) > step * 1e-6) d0++;
		for (let d = d0; d <= 6; d++) {
			const s = fin.map((v) => v.toFixed(d));
			if (new Set(s).size === s.length) return vals.map((v) => (v === null || !isFinite(v) ? "" : v.toFixed(d)));
		}
		return vals.map((v) => (v === null || !isFinite(v) ? "" : String(v)));
	}

	// "9.5 h", "2.2 days", "3 min": how much of a period has elapsed, in the page's language.
	function duration(ms) {
		if (ms <= 2 * 3600e3) return GDC.t("dur_min", { n: (ms / 60e3).toFixed(0) });
		if (ms <= 3 * 86400e3) return GDC.t("dur_h", { n: (ms / 3600e3).toFixed(1) });
		return GDC.t("dur_d", { n: (ms / 86400e3).toFixed(1) });
	}
	function span(ms) { // the whole of a period, in the unit duration() uses for it
		if (ms <= 2 * 3600e3) return GDC.t("dur_min", { n: (ms / 60e3).toFixed(0) });
		if (ms <= 3 * 86400e3) return GDC.t("dur_h", { n: (ms / 3600e3).toFixed(0) });
		return GDC.t("dur_d", { n: (ms / 86400e3).toFixed(0) });
	}

	return { setZone, local, date, time, timeSec, dateTime, monthDay, month, label, labelShort,
		num, kw, pct, degC, distinct, duration, span, zone: () => zone };
})();
