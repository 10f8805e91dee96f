// SPDX-License-Identifier: Apache-2.0
// Free cooling as an engineer reads it, from the stored tally every front end shares
// (/api/v1/freecool): the mode the plant runs now and what the outdoor air allows, with the
// changeover thresholds in °C of the quantity that governs them (wet-bulb for a tower); the
// last 30 days' hours and missed compressor kWh; over the last 12 months, month by month, hours
// of full / partial / mechanical cooling available vs used, the mode run per site-time day and
// hour (heatmap) and the hours and kWh missed per day. Hourly buckets, as the monthly report
// tallies them.
"use strict";

(function () {
	const { t, fmt } = GDC;
	const C = GDC.COLORS;
	const GOV = { "wet-bulb": "gov_wb", "dry-bulb": "gov_db", "wet-bulb and dry-bulb": "gov_wbdb" };

	function row(grid, key, value, attrs) {
		const a = document.createElement("span"), b = document.createElement("span");
		a.className = "muted";
		a.textContent = t(key);
		b.textContent = value;
		for (const k in attrs || {}) b.dataset[k] = attrs[k];
		grid.append(a, b);
		return b;
	}

	function nowTile(f, month) {
		const el = document.getElementById("fc-now");
		el.textContent = "";
		const mode = document.createElement("div");
		mode.className = "mode mode-" + (f.mode_now === null ? "none" : f.mode_now);
		mode.id = "fc-mode";
		mode.dataset.mode = f.mode_now === null ? "" : String(f.mode_now);
		mode.textContent = f.mode_now === null ? "—" : t("mode_" + f.mode_now);
		const grid = document.createElement("div");
		grid.className = "fc-grid";
		row(grid, "fc_allows", f.available_now === null ? "—" : t("mode_" + f.available_now), { mode: f.available_now === null ? "" : f.available_now });
		const gov = t(GOV[f.threshold.governs] || "gov_wb");
		row(grid, "fc_outdoor", `${t("fc_wb", { v: fmt.degC(f.outdoor.wet_bulb_c) })} · ${t("fc_db", { v: fmt.degC(f.outdoor.dry_bulb_c) })}`,
			{ wb: f.outdoor.wet_bulb_c === null ? "" : f.outdoor.wet_bulb_c });
		const th = document.createElement("div");
		th.className = "small thresholds";
		th.textContent = `${gov}: ${t("fc_full_at", { v: fmt.degC(f.threshold.full_c) })} · ${t("fc_partial_at", { v: fmt.degC(f.threshold.partial_c) })}`;
		th.dataset.full = String(f.threshold.full_c);
		th.dataset.partial = String(f.threshold.partial_c);
		const sum = document.createElement("div");
		sum.className = "small muted";
		sum.id = "fc-30d";
		const h = month.history;
		sum.textContent = t("fc_30d", { used: fmt.num(h.used_h, 0), avail: fmt.num(h.available_h, 0), kwh: fmt.num(h.missed_kwh, 0) });
		sum.dataset.used = String(h.used_h);
		sum.dataset.available = String(h.available_h);
		sum.dataset.missedKwh = String(h.missed_kwh);
		el.append(mode, grid, th, sum);
	}

	function monthsChart(year) {
		const seg = (full, part, mech, title) => [{ v: full, color: C.mode_2, title }, { v: part, color: C.mode_1, title }, { v: mech, color: C.mode_0, title }];
		const cats = year.months.map((m) => {
			const ta = `${fmt.label(m.label)} ${t("available")}: ${t("mode_2")} ${fmt.num(m.available_free_h, 0)} h, ${t("mode_1")} ${fmt.num(m.available_partial_h, 0)} h, ${t("mode_0")} ${fmt.num(m.available_mechanical_h, 0)} h`;
			const tu = `${fmt.label(m.label)} ${t("used")}: ${t("mode_2")} ${fmt.num(m.used_free_h, 0)} h, ${t("mode_1")} ${fmt.num(m.used_partial_h, 0)} h, ${t("mode_0")} ${fmt.num(m.used_mechanical_h, 0)} h`;
			return { key: m.label, label: fmt.labelShort(m.label), bars: [
				{ value: m.data_h, title: ta, segs: seg(m.available_free_h, m.available_partial_h, m.available_mechanical_h, ta) },
				{ value: m.plant_data_h, title: tu, segs: seg(m.used_free_h, m.used_partial_h, m.used_mechanical_h, tu) }] };
		});
		const el = document.getElementById("chart-fc-months");
		GDC.charts.bars(el, { cats, yMin: 0, yTitle: `${t("hours")} (${t("available")} | ${t("used")})`, labelW: 40,
			legend: [0, 1, 2].reverse().map((m) => ({ name: t("mode_" + m), color: C["mode_" + m] })) });
		el.dataset.months = String(year.months.length);
	}

	// The mode run per site-time day and hour, from the hourly buckets (null: not known).
	function heatmap(year) {
		const h = year.history, days = [], index = new Map();
		for (let i = 0; i < h.t.length; i++) {
			const l = fmt.local(h.t[i]);
			const key = `${l.y}-${String(l.mo).padStart(2, "0")}-${String(l.d).padStart(2, "0")}`;
			let d = index.get(key);
			if (!d) {
				d = { label: key, short: fmt.labelShort(key), modes: new Array(24).fill(null) };
				index.set(key, d);
				days.push(d);
			}
			if (h.mode[i] !== null) d.modes[l.h] = h.mode[i];
		}
		let first = days.findIndex((d) => d.modes.some((m) => m !== null));
		if (first < 0) first = Math.max(0, days.length - 1);
		GDC.charts.heatmap(document.getElementById("chart-fc-heatmap"), { days: days.slice(first),
			aria: t("fc_heatmap"), legend: [2, 1, 0].map((m) => ({ name: t("mode_" + m), color: C["mode_" + m] }))
				.concat([{ name: t("no_data"), color: C.none }]) });
	}

	// Every day of the year's tally that has data (the heatmap's days): hours and kWh missed.
	function missedChart(year) {
		const cats = year.days.map((d) => {
			const title = `${fmt.label(d.label)}: ${t("missed_h")} ${fmt.num(d.missed_h, 1)} h, ${t("missed_kwh")} ${fmt.num(d.missed_kwh, 1)}`;
			return { key: d.label, label: fmt.labelShort(d.label), bars: [{ value: d.missed_kwh, title, hours: d.missed_h,
				note: d.missed_h > 0 ? fmt.num(d.missed_h, 0) + " h" : "", segs: [{ v: d.missed_kwh, color: C.missed, title }] }] };
		});
		GDC.charts.bars(document.getElementById("chart-fc-missed"), { cats, yMin: 0, yTitle: t("missed_kwh"),
			legend: [{ name: `${t("missed_kwh")} (${t("missed_h")}: h)`, color: C.missed }] });
	}

	GDC.panel({
		name: "freecool",
		async load(ctx) {
			let now, month, year;
			try {
				[now, month, year] = await Promise.all([ctx.get("freecool?from=-15m&width=1"),
					ctx.get("freecool?last=30&by=day", 300000), ctx.get("freecool?last=12&by=month", 300000)]);
			} catch (e) {
				if (e.status === 409) { // no cooling: section
					document.getElementById("fc-now").textContent = t("fc_none");
					return;
				}
				throw e;
			}
			nowTile(now, month);
			monthsChart(year);
			heatmap(year);
			missedChart(year);
		},
	});
})();
