// SPDX-License-Identifier: Apache-2.0
// Panel "Alerts": the firing ones, then the newest transitions, each worded from the rule's
// type and numbers (code, params) so it reads in the page's language; a rule with its own
// summary in the config is shown as written.
"use strict";

(function () {
	const { t, fmt } = GDC;

	function series(L) {
		return `${L.device || ""} ${L.metric || ""}${L.series_labels ? "{" + L.series_labels + "}" : ""}`.trim();
	}

	GDC.alertText = function (x) {
		const L = x.labels || {}, P = x.params || {}, A = x.annotations || {};
		if (P.custom) return A.summary || L.alertname || ""; // the rule's own words, from the config
		// A record from before alerts carried their code: its English summary, or in another
		// language the rule's name and the series, which need no translation.
		if (!x.code) return GDC.lang === "en" ? A.summary || L.alertname || "" : `${L.alertname || ""} ${series(L)}`.trim();
		const v = x.value;
		const p = { device: L.device || "", series: series(L), value: fmt.num(v, 2), window: P.window_min !== undefined ? P.window_min : P.lookback_min,
			limit: P.above !== undefined ? P.above : P.below, min: fmt.num(P.t_min_c, 1), max: fmt.num(P.t_max_c, 1) };
		switch (x.code) {
		case "threshold": case "rate":
			return t(`al_${x.code}_${P.above !== undefined ? "above" : "below"}`, p);
		case "ashrae_inlet":
			p.value = fmt.num(v, 1);
			return t("al_ashrae_inlet", p);
		case "pue_above":
			p.value = fmt.num(v, 3);
			return t("al_pue_above", p);
		case "free_cooling_unused":
			p.value = fmt.num(v, 0);
			return t("al_free_cooling_unused", p);
		case "capacity": {
			const feed = /(?:^|,)feed=([^,]*)/.exec(L.series_labels || "");
			Object.assign(p, { value: fmt.num(100 * v, 0), peak: fmt.num(P.peak_kw, 2), limit: fmt.num(P.limit_kw, 2),
				feed: feed ? feed[1] : "" });
			return t(`al_capacity_${P.kind || L.metric}`, p);
		}
		default:
			return GDC.I18N.en["al_" + x.code] !== undefined ? t("al_" + x.code, p) : A.summary || x.code;
		}
	};

	function line(x) {
		const d = document.createElement("div");
		d.className = "alert " + (x.status || "") + " sev-" + ((x.labels || {}).severity || "");
		const when = document.createElement("span"), what = document.createElement("span"), name = document.createElement("span");
		when.className = "muted small";
		when.textContent = `${fmt.monthDay(x.event_ms)} ${fmt.time(x.event_ms)} `;
		name.className = "aname";
		const sev = (x.labels || {}).severity;
		name.textContent = `${t(x.status || "firing")}${sev ? " · " + GDC.tc("sev_", sev) : ""} `;
		what.textContent = GDC.alertText(x);
		d.append(when, name, what);
		d.dataset.rule = (x.labels || {}).alertname || "";
		return d;
	}

	GDC.panel({
		name: "alerts",
		async load(ctx) {
			const a = await ctx.get("alerts?recent=5");
			const el = document.getElementById("alerts");
			el.textContent = "";
			el.dataset.active = String(a.active.length);
			document.getElementById("alerts-count").textContent = a.active.length ? String(a.active.length) : "";
			document.getElementById("p-alerts").classList.toggle("firing", a.active.length > 0);
			if (!a.active.length) {
				const n = document.createElement("div");
				n.className = "muted";
				n.textContent = t("alerts_none");
				el.appendChild(n);
			}
			for (const x of a.active) el.appendChild(line(x));
			if (a.recent.length) {
				const h = document.createElement("div");
				h.className = "muted small sub";
				h.textContent = t("recent");
				el.appendChild(h);
				for (const x of a.recent) el.appendChild(line(x));
			}
		},
	});
})();
