// SPDX-License-Identifier: Apache-2.0
// The dashboard's main loop: read /api/v1/site once (name, zone), then run every registered
// panel (js/panels/*.js) in parallel every 15 s, sharing one answer per API path within a
// round (and for longer where a panel asks: the year of free-cooling buckets every 5 min).
// A panel that fails shows nothing new and is named in the footer; the others carry on.
// Kiosk (wall screen) mode: ?kiosk=1 or the button: large type, no controls, the same refresh.
// body[data-loaded] is "ok" once a round completed without errors, "error" otherwise (tests).
"use strict";

(function () {
	const { t, fmt } = GDC;
	const $ = (id) => document.getElementById(id);
	const params = new URLSearchParams(location.search);
	const REFRESH_MS = 15000;
	let site = null, round = 0, busy = false, again = false;
	const cache = new Map(); // path -> {round, at, promise}

	function get(path, ttlMs) {
		const c = cache.get(path), now = Date.now();
		if (c && (c.round === round || (ttlMs && now - c.at < ttlMs))) return c.promise;
		const promise = GDC.api(path);
		cache.set(path, { round, at: now, promise });
		promise.catch(() => cache.delete(path)); // a failure is asked again next round
		return promise;
	}

	async function loadSite() {
		site = await GDC.api("site");
		fmt.setZone(site.timezone);
		$("site-name").textContent = site.name || site.id;
		document.title = "greendc · " + (site.name || site.id);
		// The zone once, for the whole page: every time shown is site time.
		$("zone").textContent = site.zone_text || site.timezone;
	}

	// One round; reuse: draw again from the answers already in hand (language, resize).
	async function refresh(reuse) {
		if (busy) { again = true; return; }
		busy = true;
		if (!reuse) round++;
		const errors = [];
		try {
			// Every panel's requests start at once, the site's among them; an answer is handed
			// to its panel once the site (its zone) is known too.
			const siteReady = site ? Promise.resolve() : loadSite();
			const ctx = { range: Number($("range").value),
				get: (p, ttl) => Promise.all([get(p, reuse ? Infinity : ttl), siteReady]).then((r) => r[0]) };
			const res = await Promise.allSettled(GDC.panels.map((p) => p.load(ctx)));
			await siteReady;
			res.forEach((r, i) => { if (r.status === "rejected") errors.push(`${GDC.panels[i].name} (${r.reason && r.reason.message})`); });
		} catch (e) {
			errors.push(e.message);
		}
		$("updated").textContent = t("updated", { t: fmt.timeSec(Date.now()) });
		$("status").textContent = errors.length ? t("errors_on_page", { list: errors.join(", ") }) : "";
		document.body.dataset.loaded = errors.length ? "error" : "ok";
		document.body.dataset.rounds = String(round);
		if (!GDC.firstData) {
			GDC.firstData = performance.now();
			performance.mark("greendc-data");
		}
		busy = false;
		if (again) { again = false; refresh(false); }
	}

	function setKiosk(on) {
		document.body.classList.toggle("kiosk", on);
		const u = new URL(location.href);
		if (on) u.searchParams.set("kiosk", "1"); else u.searchParams.delete("kiosk");
		history.replaceState(null, "", u.pathname + u.search);
	}

	$("lang").addEventListener("click", () => {
		GDC.lang = GDC.lang === "zh" ? "en" : "zh";
		localStorage.setItem("greendc.lang", GDC.lang);
		GDC.applyLang();
		refresh(true);
	});
	$("range").addEventListener("change", () => refresh(false));
	$("kiosk").addEventListener("click", () => { setKiosk(true); refresh(true); });
	// Leaving kiosk mode: Escape (the button is hidden there).
	document.addEventListener("keydown", (e) => { if (e.key === "Escape" && document.body.classList.contains("kiosk")) { setKiosk(false); refresh(true); } });
	let resizeTimer = 0;
	window.addEventListener("resize", () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(() => refresh(true), 200); });

	if (params.get("kiosk") === "1") document.body.classList.add("kiosk");
	GDC.applyLang();
	refresh(false);
	setInterval(() => refresh(false), REFRESH_MS);
})();
