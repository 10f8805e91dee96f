// SPDX-License-Identifier: Apache-2.0
// Panels "Floor" and "Tenants, month to date". The floor: each hall's rows of racks from
// /api/v1/floor, a tile per rack coloured by the chosen figure — live kW, % of its derated
// limit, or A/B redundancy (whether each feed alone could carry the rack's measured peak) —
// all as the analytics layer computed them (docs/tenants.md). A click on a rack shows its
// feeds (PDUs: live kW, limit, peaks, phase imbalance, whether that feed alone carries the
// rack), its outlets with this month's kWh (/api/v1/rack) and its PDUs' power over the page's
// time range (/api/v1/query). The tenants' table is /api/v1/tenants: kWh, peak demand and
// cost so far this month, with coverage. Sites without racks or tenants say so.
"use strict";

(function () {
	const { t, fmt } = GDC;
	let mode = localStorage.getItem("greendc.floor") || "kw", selected = null, lastFloor = null;
	const $ = (id) => document.getElementById(id);
	const el = (tag, cls, text) => {
		const e = document.createElement(tag);
		if (cls) e.className = cls;
		if (text !== undefined) e.textContent = text;
		return e;
	};

	// The % of capacity buckets (of the derated limit).
	const pctClass = (p) => (p === null ? "c-none" : p < 0.6 ? "c-lo" : p < 0.8 ? "c-mid" : p <= 1 ? "c-hi" : "c-over");
	const AB_SHORT = { ok: "A/B ✓", risk: "A/B ✗", single: "—", unknown: "?" };

	function tile(r, maxKw) {
		const b = el("button", "rack");
		b.type = "button";
		Object.assign(b.dataset, { rack: r.name, kw: r.kw === null ? "" : String(r.kw), pct: r.pct === null ? "" : String(r.pct),
			ab: r.ab, limit: r.limit_kw === null ? "" : String(r.limit_kw), tenant: r.tenant || "" });
		b.appendChild(el("span", "", r.name));
		let v;
		if (mode === "kw") {
			v = fmt.num(r.kw, 1) + " kW";
			if (r.kw === null) b.classList.add("c-none");
			else b.style.background = `hsl(212, 55%, ${(14 + 34 * Math.min(1, r.kw / (maxKw || 1))).toFixed(1)}%)`;
		} else if (mode === "pct") {
			v = r.pct === null ? "—" : fmt.num(100 * r.pct, 0) + " %";
			b.classList.add(pctClass(r.pct));
		} else {
			v = AB_SHORT[r.ab] || r.ab;
			b.classList.add("ab-" + r.ab);
		}
		b.appendChild(el("span", "v", v));
		b.title = [r.name, r.tenant ? t("rack_tenant", { t: r.tenant }) : t("rack_free"), fmt.num(r.kw, 2) + " kW",
			`${t("limit")} ${fmt.num(r.limit_kw, 2)} kW`, GDC.tc("ab_", r.ab)].join(" · ");
		if (r.name === selected) b.classList.add("selected");
		b.addEventListener("click", () => {
			selected = r.name;
			drawGrid();
			rack(r.name).catch((e) => { $("floor-rack").textContent = t("errors_on_page", { list: e.message }); });
		});
		return b;
	}

	function legend() {
		const items = mode === "pct" ? [["c-lo", t("pct_lo")], ["c-mid", t("pct_mid")], ["c-hi", t("pct_hi")], ["c-over", t("pct_over")], ["c-none", t("no_value")]]
			: mode === "ab" ? ["ok", "risk", "single", "unknown"].map((k) => ["ab-" + k, t("ab_" + k)]) : [];
		const lg = $("floor-legend");
		lg.textContent = "";
		for (const [cls, name] of items) {
			const s = el("span");
			s.append(el("span", "sw " + cls), name);
			lg.appendChild(s);
		}
	}

	function drawGrid() {
		const f = lastFloor, g = $("floor-grid");
		g.textContent = "";
		g.dataset.mode = mode;
		if (!f) {
			g.appendChild(el("div", "muted", t("floor_none")));
			$("floor-legend").textContent = "";
			return;
		}
		let maxKw = 0;
		for (const h of f.halls) for (const row of h.rows) for (const r of row.racks) maxKw = Math.max(maxKw, r.kw || 0, r.limit_kw || 0);
		let n = 0;
		for (const h of f.halls) {
			const hd = el("div", "hall");
			hd.dataset.hall = h.name;
			hd.appendChild(el("h3", "", t("hall_n", { n: h.name })));
			for (const row of h.rows) {
				const line = el("div", "frow"), cells = el("div", "cells");
				line.dataset.row = row.name;
				line.append(el("span", "rowname", t("row_n", { n: row.name })), cells);
				for (const r of row.racks) { cells.appendChild(tile(r, maxKw)); n++; }
				hd.appendChild(line);
			}
			g.appendChild(hd);
		}
		g.dataset.racks = String(n);
		const c = $("floor-counts");
		c.textContent = t("floor_counts", { racks: f.counts.racks, risk: f.counts.ab_risk, over: f.counts.over_limit });
		Object.assign(c.dataset, { racks: String(f.counts.racks), risk: String(f.counts.ab_risk), over: String(f.counts.over_limit) });
		legend();
	}

	function table(id, head, rows) {
		const tb = el("table");
		tb.id = id;
		const tr = el("tr");
		head.forEach(([h, num]) => tr.appendChild(el("th", num ? "num" : "", h)));
		tb.appendChild(el("thead")).appendChild(tr);
		const body = tb.appendChild(el("tbody"));
		for (const r of rows) {
			const x = body.appendChild(el("tr"));
			Object.assign(x.dataset, r.data);
			r.cells.forEach((c, k) => x.appendChild(el("td", head[k][1] ? "num" : c.cls || "", c.text !== undefined ? c.text : c)));
		}
		return tb;
	}

	let rackSeq = 0;
	async function rack(name, range) {
		const seq = ++rackSeq, box = $("floor-rack");
		range = range || Number($("range").value);
		const r = await GDC.api(`rack?name=${encodeURIComponent(name)}`);
		if (seq !== rackSeq) return;
		box.textContent = "";
		box.dataset.rack = r.name;
		const h = box.appendChild(el("h3", "", [t("rack_title", { rack: r.name }),
			r.tenant ? t("rack_tenant", { t: r.tenant }) : t("rack_free"), GDC.tc("ab_", r.ab)].join(" · ")));
		if (r.ab === "risk") h.classList.add("risk");
		const win = fmt.duration(r.window_s * 1000);
		box.appendChild(el("div", "muted small", t("rack_sum", { kw: fmt.num(r.kw, 2) + " kW", limit: fmt.num(r.limit_kw, 2) + " kW",
			window: win, p1: fmt.num(r.peak_1m_kw, 2) + " kW", p15: fmt.num(r.peak_15m_kw, 2) + " kW" })));
		const carries = Object.fromEntries(r.feeds.map((f) => [f.feed, f.carries]));
		box.appendChild(table("rack-pdus", [[t("feed")], [t("pdu")], ["kW", 1], [t("limit"), 1], [t("peak_1m"), 1], [t("peak_15m"), 1],
			[t("imbalance"), 1], [t("carries")]], r.pdu_list.map((p) => ({
			data: { device: p.device, kw: p.kw === null ? "" : String(p.kw), limit: p.limit_kw === null ? "" : String(p.limit_kw) },
			cells: [p.feed, p.device, fmt.num(p.kw, 2), fmt.num(p.limit_kw, 2), fmt.num(p.peak_1m_kw, 2), fmt.num(p.peak_15m_kw, 2),
				p.imbalance_pct === null ? "—" : fmt.num(p.imbalance_pct, 1) + " %",
				r.feeds.length > 1 ? { text: carries[p.feed] ? t("yes") : t("no"), cls: carries[p.feed] ? "" : "risk" } : "—"],
		}))));
		if (r.outlets.length)
			box.appendChild(table("rack-outlets", [[t("outlet")], [t("feed")], ["kW", 1], [t("kwh_month"), 1]], r.outlets.map((o) => ({
				data: { outlet: o.outlet, feed: o.feed, kwh: o.kwh_month === null ? "" : String(o.kwh_month) },
				cells: [o.outlet, o.feed, fmt.num(o.kw, 2), fmt.num(o.kwh_month, 1)],
			}))));
		box.appendChild(el("div", "small muted", t("rack_power", { range: fmt.span(range * 1000) })));
		const chart = box.appendChild(el("div", "chart"));
		chart.id = "chart-rack";
		const width = Math.max(60, Math.min(600, Math.round((chart.clientWidth || 500) / 3)));
		const series = r.pdu_list.filter((p) => p.power_series > 0);
		const q = await Promise.all(series.map((p) => GDC.api(`query?series=${p.power_series}&from=-${range}s&width=${width}`)));
		if (seq !== rackSeq || !q.length) return;
		const colors = ["#58a6ff", "#d29922", "#3fb950", "#a371f7"];
		await GDC.charts.line(chart, { t: q[0].t, yScale: 1000, yUnit: "kW", yZero: true,
			series: q.map((a, i) => ({ label: `${t("feed")} ${series[i].feed || series[i].device}`, color: colors[i % colors.length],
				values: a.series[0] ? a.series[0].values : a.t.map(() => null), fmt: fmt.kw })) });
	}

	function tenants(tn) {
		const tb = document.querySelector("#tenants tbody"), p = $("tenants-period");
		tb.textContent = "";
		if (!tn) { p.textContent = t("tenants_none"); return; }
		p.textContent = t("tenants_period", { period: fmt.label(tn.period.label), share: fmt.pct(tn.elapsed_share, 0) });
		for (const x of tn.tenants) {
			const tr = tb.appendChild(el("tr"));
			Object.assign(tr.dataset, { tenant: x.name, kwh: String(x.kwh), cost: x.cost === null ? "" : String(x.cost),
				peak: x.peak_kw === null ? "" : String(x.peak_kw), status: x.status });
			const name = el("td", "", x.title || x.name);
			if (x.meter_checks_ok === false) name.appendChild(el("span", "risk small", " · " + t("checks_failed")));
			tr.append(name, el("td", "num", fmt.num(x.kwh, 1)), el("td", "num", fmt.num(x.peak_kw, 2)),
				el("td", "num", x.cost === null ? "—" : `${fmt.num(x.cost, 2)} ${x.currency || ""}`),
				el("td", x.status === "MISSING" ? "risk" : "", `${fmt.pct(x.coverage, 1)} · ${t("st_" + x.status)}`));
		}
	}

	$("floor-color").value = mode;
	$("floor-color").addEventListener("change", (e) => {
		mode = e.target.value;
		localStorage.setItem("greendc.floor", mode);
		drawGrid();
	});

	const absent = (e) => e && e.status === 404;
	GDC.panel({
		name: "floor",
		async load(ctx) {
			const [f, tn] = await Promise.all([ctx.get("floor").catch((e) => { if (absent(e)) return null; throw e; }),
				ctx.get("tenants", 60000).catch((e) => { if (absent(e)) return null; throw e; })]);
			lastFloor = f;
			drawGrid();
			tenants(tn);
			if (f && selected) await rack(selected, ctx.range);
		},
	});
})();
