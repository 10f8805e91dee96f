// SPDX-License-Identifier: Apache-2.0
// Panels "Power by role", "PUE trend (power ratio)" and "Facility power now", from
// /api/v1/power?by=energy: the energy model's roles (second views such as SNMP copies of a
// metered PDU are not roles), the E_DC and IT sides, their ratio and the rest per bucket, all
// computed by the analytics layer. The ratio is labelled interim: it is not an energy PUE.
"use strict";

(function () {
	const { t, fmt } = GDC;
	const ORDER = ["facility_input", "backup_generation", "onsite_renewable", "it_ups_output",
		"it_pdu_output", "it_input", "cooling", "lighting_other"];

	function breakdown(p) {
		const el = document.getElementById("breakdown");
		el.textContent = "";
		let i = p.dc_w.length - 1;
		while (i >= 0 && (p.dc_w[i] === null || p.it_w[i] === null)) i--;
		el.dataset.at = i >= 0 ? String(p.t[i]) : "";
		if (i < 0) { el.textContent = "—"; return; }
		const f = p.dc_w[i];
		const at = (r) => (p.roles[r] && p.roles[r].watts[i] !== null ? p.roles[r].watts[i] : null);
		const rows = [["facility", f], [p.it_role, p.it_w[i]], ["cooling", at("cooling")],
			["lighting_other", at("lighting_other")], ["rest", p.rest_w[i]]];
		for (const [name, v] of rows) {
			if (name !== "facility" && name !== "rest" && name !== p.it_role && !p.roles[name]) continue;
			const d = document.createElement("div");
			d.className = "bar";
			d.dataset.role = name;
			d.dataset.value = v === null ? "" : String(v);
			const label = document.createElement("span"), track = document.createElement("div"),
				fill = document.createElement("div"), val = document.createElement("span");
			track.className = "track";
			fill.style.width = (v !== null && f > 0 ? Math.min(100, (100 * v) / f) : 0).toFixed(1) + "%";
			fill.style.background = GDC.COLORS[name] || GDC.COLORS.line;
			track.appendChild(fill);
			label.textContent = t(name);
			val.textContent = fmt.kw(v);
			d.append(label, track, val);
			el.appendChild(d);
		}
		const when = document.createElement("div");
		when.className = "muted small";
		when.textContent = fmt.dateTime(p.t[i]);
		el.appendChild(when);
	}

	GDC.panel({
		name: "power",
		async load(ctx) {
			const el = document.getElementById("chart-power");
			// One bucket per two pixels at most, and none shorter than 5 min over a day or more:
			// finer buckets than the readings would draw every other one as a gap.
			const width = Math.max(100, Math.min(1000, Math.round((el.clientWidth || 800) / 2)));
			const step = ctx.range >= 86400 ? Math.max(300, Math.ceil(ctx.range / width / 60) * 60) : 0;
			const p = await ctx.get(`power?by=energy&from=-${ctx.range}s&width=${width}${step ? "&step=" + step + "s" : ""}`);
			if (p.truncated) throw new Error("more than 512 power series: sums by role are partial");
			const roles = ORDER.filter((r) => p.roles[r]);
			const a = GDC.charts.line(el, {
				t: p.t, yScale: 1000, yUnit: "kW", yZero: true,
				series: roles.map((r) => ({ label: t(r), color: GDC.COLORS[r], values: p.roles[r].watts, fmt: fmt.kw })),
			});
			const b = GDC.charts.line(document.getElementById("chart-ratio"), {
				t: p.t, yPad: 0.005, ySize: 56,
				series: [{ label: `PUE${p.category}`, color: GDC.COLORS.line, width: 2, values: p.ratio, fmt: (v) => fmt.num(v, 3) }],
			});
			breakdown(p);
			await Promise.all([a, b]);
		},
	});
})();
