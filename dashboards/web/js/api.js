// SPDX-License-Identifier: Apache-2.0
// The one way the page reads data: GET /api/v1/<path> of the daemon that served it (same
// origin, no CDN). A token given once as #token=... (a daemon off loopback) is kept for this
// tab only (sessionStorage) and taken out of the address bar. Also the panel registry: each
// js/panels/*.js calls GDC.panel({name, load(ctx)}) and app.js runs them.
"use strict";
window.GDC = window.GDC || {};
GDC.panels = [];
GDC.panel = (p) => GDC.panels.push(p);

(function () {
	const hashToken = new URLSearchParams(location.hash.slice(1)).get("token");
	if (hashToken) {
		sessionStorage.setItem("greendc.token", hashToken);
		history.replaceState(null, "", location.pathname + location.search);
	}
	const token = sessionStorage.getItem("greendc.token");

	// Resolves to the parsed JSON; rejects with .status set (0: no answer).
	GDC.api = async function (path) {
		const headers = token ? { Authorization: "Bearer " + token } : {};
		let r;
		try {
			r = await fetch("api/v1/" + path, { headers, cache: "no-cache" });
		} catch (e) {
			throw Object.assign(new Error("no answer"), { status: 0 });
		}
		const body = await r.json().catch(() => ({ error: r.statusText }));
		if (!r.ok) throw Object.assign(new Error(body.error || r.statusText), { status: r.status });
		return body;
	};
})();
