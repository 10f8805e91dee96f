// SPDX-License-Identifier: Apache-2.0
// Panels "PUE by day" (30 days), "PUE by month" (12 months) and "Energy by role per day": the
// energy PUE of each site-time day and month as /api/v1/pue publishes it, each bar coloured
// by its status (published, estimated, in progress: the ratio so far; missing: a grey
// placeholder with the reason), the category on the axis title; and E_DC per day split by use
// (IT, cooling, lighting and other, the rest) as the analytics layer splits it.
"use strict";

(function () {
	const { t, fmt } = GDC;
	const C = GDC.COLORS;

	const statusLegend = () => [
		{ name: t("st_OK"), color: C.OK }, { name: t("st_ESTIMATED"), color: C.ESTIMATED },
		{ name: t("st_IN_PROGRESS"), color: C.IN_PROGRESS }, { name: t("st_MISSING"), color: C.MISSING, hatch: true },
	];

	// One bar per interval: its published PUE, or the ratio so far while it runs.
	function pueCats(ivs) {
		return ivs.map((iv) => {
			const v = iv.pue !== null ? iv.pue : iv.in_progress && iv.provisional_pue !== undefined ? iv.provisional_pue : null;
			const what = iv.pue !== null ? t("st_" + iv.status) : iv.in_progress ? t("so_far", { v: fmt.num(v, 3) }) : GDC.reasonText(iv.reason);
			const title = `${fmt.label(iv.period)}: ${v === null ? "—" : fmt.num(v, 3)} · ${what}`;
			if (v === null) return { key: iv.period, label: fmt.labelShort(iv.period), missing: true, title, bars: [] };
			const status = iv.pue !== null ? iv.status : "IN_PROGRESS";
			return { key: iv.period, label: fmt.labelShort(iv.period), title,
				bars: [{ status, value: v, title, segs: [{ v, color: C[status] || C.OK, title }] }] };
		});
	}

	function pueChart(id, r) {
		const el = document.getElementById(id);
		el.dataset.intervals = String((r.intervals || []).length);
		GDC.charts.bars(el, { cats: pueCats(r.intervals || []), fit: true, yFloor: 1, minPad: 0.01,
			yTitle: t("axis_pue", { c: r.category, cat: GDC.tc("cat_", r.category) }), legend: statusLegend() });
	}

	const USES = ["it", "cooling", "lighting_other", "rest"];

	function energyChart(r, itLabel) {
		const el = document.getElementById("chart-energy");
		const cats = (r.intervals || []).map((iv) => {
			const k = iv.kwh || {};
			const title = `${fmt.label(iv.period)}: ${USES.map((u) => `${u === "it" ? t(itLabel) : t(u)} ${fmt.num(k[u] === null || k[u] === undefined ? null : k[u] / 1000, 2)} MWh`).join(", ")}`;
			if (iv.status === "MISSING" || k.e_dc === null)
				return { key: iv.period, label: fmt.labelShort(iv.period), missing: true, title: `${fmt.label(iv.period)}: ${GDC.reasonText(iv.reason)}`, bars: [] };
			return { key: iv.period, label: fmt.labelShort(iv.period), bars: [{ status: iv.status, value: k.e_dc, title,
				segs: USES.map((u) => ({ v: k[u] === null || k[u] === undefined ? null : k[u] / 1000, color: C[u], title })) }] };
		});
		GDC.charts.bars(el, { cats, yMin: 0, yTitle: "MWh", legend: USES.map((u) => ({ name: u === "it" ? t(itLabel) : t(u), color: C[u] }))
			.concat([{ name: t("st_MISSING"), color: C.MISSING, hatch: true }]) });
	}

	GDC.panel({
		name: "history",
		async load(ctx) {
			// Months change slowly: the twelve are read again every 5 minutes, not every round.
			const [days, months] = await Promise.all([ctx.get("pue?by=day&last=30"), ctx.get("pue?by=month&last=12", 300000)]);
			pueChart("chart-pue-days", days);
			pueChart("chart-pue-months", months);
			energyChart(days, { 1: "it_ups_output", 2: "it_pdu_output", 3: "it_input" }[days.category] || "it");
		},
	});
})();
