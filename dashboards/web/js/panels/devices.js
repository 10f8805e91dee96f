// SPDX-License-Identifier: Apache-2.0
// Panel "Devices": every configured device with its state, last good poll (site time), poll
// time and errors. Down first by default; a click on a column heading sorts by it (again:
// reversed); the filter keeps rows whose name, role or state contains the text, in either
// language. The driver's last error is the row's tooltip, as the driver worded it.
"use strict";

(function () {
	const { t, fmt } = GDC;
	const RANK = { down: 0, stale: 1, unknown: 2, up: 3, disabled: 4 };
	let sortKey = "state", sortDir = 1, last = null;

	const key = {
		name: (d) => d.name, role: (d) => d.labels.role || "", state: (d) => RANK[d.state] !== undefined ? RANK[d.state] : 2,
		last: (d) => d.last_ok_ms || 0, ms: (d) => d.last_duration_s, errors: (d) => d.errors,
	};

	function render() {
		if (!last) return;
		const q = document.getElementById("dev-filter").value.trim().toLowerCase();
		const rows = last.filter((d) => !q || [d.name, d.labels.role || "", d.state, GDC.tc("lr_", d.labels.role || ""),
			GDC.tc("state_", d.state)].some((s) => s.toLowerCase().includes(q)));
		rows.sort((a, b) => {
			const x = key[sortKey](a), y = key[sortKey](b);
			return (x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : 1) * sortDir;
		});
		const tb = document.querySelector("#devices tbody");
		tb.textContent = "";
		for (const d of rows) {
			const tr = document.createElement("tr");
			tr.dataset.name = d.name;
			tr.dataset.state = d.state;
			const role = d.labels.role || "";
			const cells = [d.name, role ? GDC.tc("lr_", role) : "", GDC.tc("state_", d.state),
				d.last_ok_ms ? fmt.dateTime(d.last_ok_ms) : t("never"), fmt.num(d.last_duration_s * 1000, 1), String(d.errors)];
			cells.forEach((c, k) => {
				const td = document.createElement("td");
				td.textContent = c;
				if (k === 2) td.className = "state-" + d.state;
				if (k >= 4) td.className = "num";
				tr.appendChild(td);
			});
			if (d.last_error) tr.title = d.last_error;
			tb.appendChild(tr);
		}
		document.querySelectorAll("#devices th").forEach((th) => {
			th.classList.toggle("sorted", th.dataset.sort === sortKey);
			th.classList.toggle("desc", th.dataset.sort === sortKey && sortDir < 0);
		});
		const up = last.filter((d) => d.state === "up").length;
		const c = document.getElementById("devices-count");
		c.textContent = t("dev_count", { up, all: last.length });
		c.dataset.up = String(up);
		c.dataset.all = String(last.length);
	}

	document.querySelectorAll("#devices th[data-sort]").forEach((th) => th.addEventListener("click", () => {
		if (sortKey === th.dataset.sort) sortDir = -sortDir;
		else { sortKey = th.dataset.sort; sortDir = 1; }
		render();
	}));
	document.getElementById("dev-filter").addEventListener("input", render);

	GDC.panel({
		name: "devices",
		async load(ctx) {
			last = (await ctx.get("devices")).devices;
			render();
		},
	});
})();
