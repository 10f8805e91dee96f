// SPDX-License-Identifier: Apache-2.0
// Drawing helpers shared by the panels: time series with the vendored uPlot (site-time axis,
// translated legend, ticks with distinct decimals, x range fitted to the data), bar charts in
// SVG (status-coloured, stacked, grouped) and a day x hour heatmap on a canvas. Each chart
// leaves what it drew in data-* attributes of its element (points, bars and their values) for
// the browser test to compare with the API. Built with the DOM only: the page's CSP
// (default-src 'self') forbids inline styles and scripts.
"use strict";
window.GDC = window.GDC || {};

GDC.COLORS = {
	facility_input: "#58a6ff", backup_generation: "#8b5cf6", it_ups_output: "#3fb950",
	it_pdu_output: "#2ea043", it_input: "#56d364", it: "#3fb950", cooling: "#d29922",
	lighting_other: "#a371f7", onsite_renewable: "#e3b341", rest: "#8b98a5",
	OK: "#3fb950", ESTIMATED: "#d29922", IN_PROGRESS: "#58a6ff", MISSING: "#484f58",
	mode_2: "#3fb950", mode_1: "#d29922", mode_0: "#f85149", none: "#21262d",
	line: "#58a6ff", missed: "#f85149", grid: "#2d3640", axis: "#8b98a5",
};

GDC.charts = (function () {
	const NS = "http://www.w3.org/2000/svg";
	const uplots = new Map();

	function svg(tag, attrs, parent, text) {
		const e = document.createElementNS(NS, tag);
		for (const k in attrs) e.setAttribute(k, attrs[k]);
		if (text !== undefined) e.textContent = text;
		if (parent) parent.appendChild(e);
		return e;
	}

	function size(el, minH) {
		return { w: Math.max(240, Math.floor(el.clientWidth)), h: Math.max(minH || 120, Math.floor(el.clientHeight)) };
	}
	// Chart text follows the page's type (larger in kiosk mode): 11 px on a 13 px page.
	function textPx(el) {
		return Math.max(10, Math.round(0.85 * parseFloat(getComputedStyle(el).fontSize || "13")));
	}

	// A legend of coloured keys (HTML, so it wraps and is translated like any text).
	function legend(items) {
		const d = document.createElement("div");
		d.className = "legend";
		for (const it of items) {
			const k = document.createElement("span"), sw = document.createElement("i");
			sw.className = "sw";
			sw.style.background = it.color;
			if (it.hatch) sw.className = "sw hatch";
			k.append(sw, document.createTextNode(it.name));
			d.appendChild(k);
		}
		return d;
	}

	// Nice ticks over [lo, hi]: 1, 2, 2.5 or 5 x 10^n apart, about n of them.
	function ticks(lo, hi, n) {
		if (!(hi > lo)) hi = lo + 1;
		const raw = (hi - lo) / Math.max(1, n), mag = Math.pow(10, Math.floor(Math.log10(raw)));
		const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
		const a = Math.floor(lo / step + 1e-9) * step, out = [];
		for (let v = a; v <= hi + step * 1e-6; v += step) out.push(+v.toPrecision(12));
		if (out[out.length - 1] < hi - step * 1e-6) out.push(+(out[out.length - 1] + step).toPrecision(12));
		return out;
	}

	/*
	 * Bars in SVG. o.cats: [{key, label, bars: [{segs: [{v, color}], status, value, title}],
	 * missing: bool}], o.yMin/o.yMax: fixed ends (else fitted to the data), o.base: the value
	 * bars grow from (default the axis bottom), o.yFmt: tick text, o.yTitle, o.legend.
	 */
	function bars(el, o) {
		el.textContent = "";
		if (o.legend) el.appendChild(legend(o.legend));
		const host = document.createElement("div");
		host.className = "plot";
		el.appendChild(host);
		const { w, h } = size(host, 100);
		let lo = Infinity, hi = -Infinity, nbars = 0, nmissing = 0;
		for (const c of o.cats) for (const b of c.bars || []) {
			let top = 0;
			for (const s of b.segs) if (s.v !== null && isFinite(s.v)) top += s.v;
			if (b.segs.length && b.segs.every((s) => s.v === null || !isFinite(s.v))) continue;
			const bottom = b.segs.length === 1 ? b.segs[0].v : 0;
			lo = Math.min(lo, b.segs.length === 1 ? bottom : 0);
			hi = Math.max(hi, top);
		}
		if (!isFinite(lo)) { lo = o.yMin !== undefined ? o.yMin : 0; hi = lo + 1; }
		if (o.fit) { // fitted around the values (PUE): room above and below, never under yFloor
			const pad = Math.max((hi - lo) * 0.15, o.minPad || 0);
			lo = Math.max(o.yFloor !== undefined ? o.yFloor : -Infinity, lo - pad);
			hi = hi + pad;
		} else {
			lo = o.yMin !== undefined ? o.yMin : Math.min(0, lo);
		}
		const tk = ticks(lo, hi, Math.max(2, Math.floor(h / 45)));
		const y0 = tk[0], y1 = tk[tk.length - 1];
		const labels = (o.yFmt || GDC.fmt.distinct)(tk);
		const fs = textPx(host), k = fs / 11;
		const ml = Math.max(34 * k, 8 + 0.64 * fs * Math.max(...labels.map((s) => s.length))), mr = 6, mt = o.yTitle ? 2 * fs : 8, mb = 2 * fs;
		const pw = w - ml - mr, ph = h - mt - mb;
		const root = svg("svg", { width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: "img", "font-size": fs }, host);
		const Y = (v) => mt + ph - ((v - y0) / (y1 - y0)) * ph;
		if (o.yTitle) svg("text", { x: 2, y: fs, class: "ytitle" }, root, o.yTitle);
		tk.forEach((v, i) => {
			svg("line", { x1: ml, x2: w - mr, y1: Y(v), y2: Y(v), class: "gridline" }, root);
			svg("text", { x: ml - 5, y: Y(v) + fs / 3, class: "tick", "text-anchor": "end" }, root, labels[i]);
		});
		const n = o.cats.length, slot = pw / Math.max(1, n);
		const every = Math.max(1, Math.ceil(((o.labelW || 44) * k) / slot));
		const base = o.base !== undefined ? Math.max(o.base, y0) : y0;
		o.cats.forEach((c, i) => {
			const x = ml + i * slot;
			const g = svg("g", { class: "cat", "data-key": c.key }, root);
			if (c.missing) {
				nmissing++;
				const r = svg("rect", { x: x + slot * 0.1, y: mt, width: slot * 0.8, height: ph, class: "missing",
					"data-status": "MISSING" }, g);
				svg("title", {}, r, c.title || c.label);
			}
			const bs = c.bars || [], bw = (slot * 0.8) / Math.max(1, bs.length);
			bs.forEach((b, j) => {
				const bx = x + slot * 0.1 + j * bw;
				let acc = b.segs.length === 1 ? base : 0;
				for (const s of b.segs) {
					if (s.v === null || !isFinite(s.v)) continue;
					const from = acc, to = b.segs.length === 1 ? s.v : acc + s.v;
					acc = to;
					const yTop = Y(Math.max(from, to)), yBot = Y(Math.min(from, to));
					const r = svg("rect", { x: bx + 0.5, y: yTop, width: Math.max(1, bw - 1), height: Math.max(1, yBot - yTop),
						fill: s.color, class: "bar" + (b.status === "IN_PROGRESS" ? " running" : "") }, g);
					if (s.title) svg("title", {}, r, s.title);
				}
				if (b.note) // a second figure of the bar, as text above it (hours missed)
					svg("text", { x: bx + bw / 2, y: Y(acc) - 3, class: "note", "text-anchor": "middle" }, g, b.note);
				if (b.segs.some((s) => s.v !== null && isFinite(s.v))) {
					nbars++;
					const m = svg("rect", { x: bx, y: mt, width: bw, height: ph, class: "hit", "data-value": b.value !== undefined ? b.value : "",
						"data-status": b.status || "" }, g);
					if (b.title) svg("title", {}, m, b.title);
				}
			});
			if (i % every === 0)
				svg("text", { x: x + slot / 2, y: h - fs / 2, class: "tick", "text-anchor": "middle" }, root, c.label);
		});
		svg("line", { x1: ml, x2: w - mr, y1: Y(base), y2: Y(base), class: "baseline" }, root);
		el.dataset.bars = String(nbars);
		el.dataset.missing = String(nmissing);
		return root;
	}

	/*
	 * The mode the plant ran per site-time day (column) and hour (row) on a canvas. o.days:
	 * [{label, modes: [24 x (0|1|2|null)]}].
	 */
	function heatmap(el, o) {
		el.textContent = "";
		el.appendChild(legend(o.legend));
		const host = document.createElement("div");
		host.className = "plot";
		el.appendChild(host);
		const { w, h } = size(host, 100);
		const fs = textPx(host), ml = 3.8 * fs, mb = 1.8 * fs, mt = 4, mr = 6;
		const cv = document.createElement("canvas");
		const dpr = window.devicePixelRatio || 1;
		cv.width = w * dpr;
		cv.height = h * dpr;
		cv.style.width = w + "px";
		cv.style.height = h + "px";
		host.appendChild(cv);
		const g = cv.getContext("2d");
		g.scale(dpr, dpr);
		const nd = o.days.length, cw = (w - ml - mr) / Math.max(1, nd), ch = (h - mt - mb) / 24;
		const count = { 0: 0, 1: 0, 2: 0, none: 0 };
		o.days.forEach((d, i) => {
			for (let hr = 0; hr < 24; hr++) {
				const m = d.modes[hr];
				const k = m === null || m === undefined ? "none" : m;
				count[k]++;
				g.fillStyle = k === "none" ? GDC.COLORS.none : GDC.COLORS["mode_" + k];
				g.fillRect(ml + i * cw, mt + hr * ch, Math.max(1, cw - (cw > 4 ? 1 : 0)), Math.max(1, ch - 1));
			}
		});
		g.fillStyle = GDC.COLORS.axis;
		g.font = `${fs}px system-ui, sans-serif`;
		g.textAlign = "right";
		for (const hr of [0, 6, 12, 18]) g.fillText(String(hr).padStart(2, "0") + ":00", ml - 4, mt + hr * ch + ch / 2 + fs / 3);
		g.textAlign = "center";
		const every = Math.max(1, Math.ceil((4.5 * fs) / cw));
		o.days.forEach((d, i) => { if (i % every === 0) g.fillText(d.short, ml + i * cw + cw / 2, h - fs / 2); });
		el.dataset.days = String(nd);
		el.dataset.cells = String(nd * 24);
		el.dataset.modes = `${count[2]},${count[1]},${count[0]},${count.none}`;
		// The canvas has no text for a screen reader or a test: the same counts as words.
		cv.setAttribute("role", "img");
		cv.setAttribute("aria-label", o.aria || "");
	}

	// x axis ticks in site time: clock times within two days, dates beyond.
	function timeAxis(u, splits) {
		const span = (u.scales.x.max - u.scales.x.min) * 1000;
		return splits.map((s) => {
			const ms = s * 1000, l = GDC.fmt.local(ms);
			if (span <= 2 * 86400e3) return l.h === 0 && l.mi === 0 ? GDC.fmt.monthDay(ms) : GDC.fmt.time(ms);
			return GDC.fmt.monthDay(ms);
		});
	}

	/*
	 * A time series chart with uPlot. o.t: bucket starts (ms); o.series: [{label, color, values,
	 * fmt: legend value text, width}]; o.yFmt(v) tick text before distinct decimals; o.yPad: a
	 * minimum half-range for nearly flat series. Leading buckets with no data at all are left
	 * out so the x range fits the data (a fresh site is not a sliver at the right edge).
	 */
	function line(el, o) {
		let first = o.t.length;
		for (const s of o.series) {
			const i = s.values.findIndex((v) => v !== null && v !== undefined);
			if (i >= 0 && i < first) first = i;
		}
		if (first === o.t.length) first = Math.max(0, o.t.length - 1);
		const x = o.t.slice(first).map((ms) => ms / 1000);
		const data = [x], series = [{ label: GDC.t("time"), value: (u, v) => (v == null ? "—" : GDC.fmt.dateTime(v * 1000)) }];
		let npts = 0;
		for (const s of o.series) {
			const v = s.values.slice(first);
			const k = v.reduce((a, y) => a + (y !== null && y !== undefined ? 1 : 0), 0);
			npts += k;
			data.push(v);
			series.push({ label: s.label, stroke: s.color, width: s.width || 1.5, spanGaps: false,
				value: (u, y) => (y == null ? "—" : s.fmt(y)),
				points: k < 120 ? { show: true, size: 4 } : { show: false } });
		}
		el.dataset.points = String(npts);
		el.dataset.series = String(o.series.length);
		const { w, h } = size(el, 140);
		const fs = textPx(el), font = `${fs}px system-ui, sans-serif`;
		const opts = {
			width: w, height: Math.max(80, h - 30), series, tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), GDC.fmt.zone()),
			cursor: { points: { size: 6 } }, legend: { live: true },
			scales: { x: { time: true }, y: { range: (u, lo, hi) => {
				if (lo === null || hi === null) return [0, 1];
				const pad = Math.max((hi - lo) * 0.1, o.yPad || 0);
				const a = o.yZero ? Math.min(0, lo) : lo - pad;
				return [a, hi + pad];
			} } },
			axes: [
				{ stroke: GDC.COLORS.axis, grid: { stroke: GDC.COLORS.grid }, values: timeAxis, space: 5.5 * fs, font, size: 3 * fs },
				{ stroke: GDC.COLORS.axis, grid: { stroke: GDC.COLORS.grid }, size: ((o.ySize || 60) * fs) / 11, font,
					values: (u, vals) => GDC.fmt.distinct(vals.map((v) => (o.yScale ? v / o.yScale : v))).map((s) => (s && o.yUnit ? s + " " + o.yUnit : s)) },
			],
		};
		const old = uplots.get(el);
		if (old) old.destroy();
		el.textContent = "";
		// Away from the cursor the legend shows the newest bucket where every series has data
		// (the newest with any, if none has all), not dashes.
		const has = (v, i) => v[i] !== null && v[i] !== undefined;
		let last = x.length - 1;
		while (last > 0 && !data.slice(1).every((v) => has(v, last))) last--;
		if (last === 0 && !data.slice(1).every((v) => has(v, 0)))
			for (last = x.length - 1; last > 0 && !data.slice(1).some((v) => has(v, last));) last--;
		const newest = (u) => { if (x.length && u.cursor.idx === null) u.setLegend({ idx: last }); };
		opts.hooks = { ready: [newest], setCursor: [newest] };
		const u = new uPlot(opts, data, el);
		uplots.set(el, u);
		// The legend wraps to as many lines as the width needs: once it is laid out, give the
		// plot what is left of the element's height.
		return new Promise((resolve) => requestAnimationFrame(() => {
			const lg = u.root.querySelector(".u-legend");
			if (lg) u.setSize({ width: w, height: Math.max(80, h - lg.offsetHeight - 4) });
			resolve(u);
		}));
	}

	return { bars, heatmap, line, legend, ticks, svg };
})();
