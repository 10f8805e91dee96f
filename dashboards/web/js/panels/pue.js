// SPDX-License-Identifier: Apache-2.0
// Panels "PUE now" and "Energy PUE": the interim power ratio with its category, yesterday's
// and last month's published PUE, today's and this month's in progress. From
// /api/v1/pue?by=day&last=30 (the answer the history charts draw too) and ?by=month&last=2:
// the last interval is the one running, the one before it the last ended.
"use strict";

(function () {
	const { t, fmt } = GDC;

	// A figure as the API publishes it: the ratio when published, "in progress" with the ratio
	// so far for a period still running, else "—" with the reason, translated from its code.
	function figure(id, iv) {
		const el = document.getElementById(id), note = document.getElementById(id + "-note");
		el.dataset.value = iv && iv.pue !== null && iv.pue !== undefined ? String(iv.pue) : "";
		el.dataset.status = iv ? iv.status : "";
		el.dataset.period = iv ? iv.period : "";
		el.classList.toggle("running", !!(iv && iv.in_progress));
		if (!iv) {
			el.textContent = "—";
			note.textContent = t("no_data");
			return;
		}
		const cov = t("coverage", { v: fmt.pct(iv.coverage) });
		if (iv.in_progress) {
			el.textContent = t("st_IN_PROGRESS");
			const parts = [];
			if (iv.provisional_pue !== undefined) parts.push(t("so_far", { v: fmt.num(iv.provisional_pue, 2) }));
			parts.push(GDC.reasonText(iv.reason), cov);
			note.textContent = parts.join(" · ");
			note.dataset.provisional = iv.provisional_pue !== undefined ? String(iv.provisional_pue) : "";
		} else if (iv.pue === null) {
			el.textContent = "—";
			note.textContent = `${fmt.label(iv.period)} · ${GDC.reasonText(iv.reason)}`;
		} else {
			el.textContent = fmt.num(iv.pue, 2);
			note.textContent = [fmt.label(iv.period), t("st_" + iv.status), cov].join(" · ");
		}
	}

	// The reason a figure is not published, from its code and numbers (docs/api.md).
	GDC.reasonText = function (r) {
		if (!r) return "";
		let s;
		if (r.code === "in_progress") s = t("why_in_progress", { elapsed: fmt.duration(r.elapsed_ms), span: fmt.span(r.span_ms) });
		else if (r.code === "coverage_below") s = t("why_coverage_below", { cov: fmt.pct(r.coverage), min: fmt.pct(r.min) });
		else s = GDC.tc("why_", r.code);
		return r.more ? `${s}; ${GDC.reasonText(r.more)}` : s;
	};

	GDC.panel({
		name: "pue",
		async load(ctx) {
			// Two months are enough here (and cost a sixth of twelve); the twelve for the chart
			// are read every 5 minutes by history.js.
			const [days, months] = await Promise.all([ctx.get("pue?by=day&last=30"), ctx.get("pue?by=month&last=2")]);
			const live = document.getElementById("pue-live");
			const interim = days.interim;
			live.dataset.value = interim ? String(interim.pue) : "";
			live.dataset.at = interim ? String(interim.at_ms) : "";
			live.textContent = interim ? fmt.num(interim.pue, 2) : "—";
			const cat = interim ? interim.category : days.category;
			document.getElementById("pue-cat").textContent = `PUE${cat} · ${GDC.tc("cat_", cat)}`;
			const d = days.intervals || [], m = months.intervals || [];
			figure("pue-today", d[d.length - 1]);
			figure("pue-yesterday", d[d.length - 2]);
			figure("pue-month", m[m.length - 1]);
			figure("pue-last-month", m[m.length - 2]);
		},
	});
})();
