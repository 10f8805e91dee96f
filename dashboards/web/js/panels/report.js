// SPDX-License-Identifier: Apache-2.0
// Panel "Last monthly report": the newest stored monthly report (/api/v1/reports) as it was
// generated: its PUE label, complete / incomplete / in progress, the roles below the coverage
// threshold, the other KPIs and the free-cooling hours it states. Nothing is recomputed.
"use strict";

(function () {
	const { t, fmt } = GDC;

	function line(parent, text, cls) {
		const d = document.createElement("div");
		if (cls) d.className = cls;
		d.textContent = text;
		parent.appendChild(d);
		return d;
	}

	GDC.panel({
		name: "report",
		async load(ctx) {
			const r = await ctx.get("reports?limit=12");
			const el = document.getElementById("report");
			el.textContent = "";
			const m = r.reports.find((x) => x.kind === "monthly");
			if (!m) {
				el.dataset.period = "";
				line(el, t("report_none"), "muted");
				return;
			}
			const rep = m.report || {}, k = rep.kpi || {};
			const state = rep.in_progress ? "st_IN_PROGRESS" : m.complete ? "complete" : "incomplete";
			el.dataset.period = m.period;
			el.dataset.state = state;
			const head = line(el, "", "rep-head");
			const per = document.createElement("span"), lab = document.createElement("span"), st = document.createElement("span");
			per.textContent = fmt.label(m.period) + " · ";
			lab.className = "mid";
			lab.id = "report-pue";
			lab.dataset.pue = k.pue !== undefined && k.pue !== null ? String(k.pue) : "";
			lab.textContent = k.pue !== undefined && k.pue !== null ? fmt.num(k.pue, 2) : "—";
			st.className = "tag " + state;
			st.textContent = t(state);
			head.append(per, lab, document.createTextNode(" "), st);
			const cat = rep.energy ? rep.energy.category : null;
			line(el, [cat ? `PUE${cat}` : "PUE", t("coverage", { v: fmt.pct(rep.coverage) })].join(" · "), "small muted");
			const kp = [["WUE", k.wue, 2, " L/kWh"], ["CUE", k.cue, 2, " kg/kWh"], ["ERF", k.erf, 2, ""], ["REF", k.ref, 2, ""]]
				.filter((x) => x[1] !== undefined && x[1] !== null).map(([n, v, d, u]) => `${n} ${fmt.num(v, d)}${u}`);
			if (kp.length) line(el, kp.join(" · "), "small");
			const missing = rep.missing || [];
			if (missing.length)
				line(el, t("below_coverage", { list: missing.map((x) => `${t(x.role)} ${fmt.pct(x.coverage)}`).join("; ") }), "small warn");
			const fc = rep.free_cooling;
			if (fc && fc.data_h !== undefined)
				line(el, `${t("freecool")}: ${t("used")} ${fmt.num(fc.hours_any, 0)} / ${t("available")} ${fmt.num(fc.available_free_h + fc.available_partial_h, 0)} h`, "small");
			line(el, t("generated", { t: fmt.dateTime(m.generated_ms) }), "small muted");
		},
	});
})();
