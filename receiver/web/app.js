// SPDX-License-Identifier: Apache-2.0
// greendc-receiver: the regulator's view. Reads the /api/v1 endpoints and formats them; every
// figure is the sites' own (signed reports), the receiver only ranks and lists them.
"use strict";
const T = {
  en: { title: "Data-centre energy efficiency: regulator's view", period: "Period",
    csv: "Export CSV", league: "League table by PUE", rank: "Rank", site: "Site", name: "Name",
    region: "Region", category: "Category", coverage: "Coverage", grade: "GB 40879 grade",
    signature: "Signature", received: "Received", late: "Sites not reported by the deadline",
    status: "Status", trend: "12-month trend", reports: "Reports", kind: "Kind",
    none: "No reports for this period yet", nolate: "None", deadline: "deadline",
    overdue: "overdue", pending: "not yet due", lateSent: "sent late",
    valid: "valid", invalid: "invalid", nosig: "none", monthly: "monthly", annual: "annual" },
  zh: { title: "数据中心能效监管", period: "报告期", csv: "导出 CSV", league: "能效排名（按 PUE）",
    rank: "排名", site: "站点", name: "名称", region: "地区", category: "类别", coverage: "覆盖率",
    grade: "GB 40879 等级", signature: "签名", received: "接收时间", late: "逾期未报站点",
    status: "状态", trend: "12 个月趋势", reports: "报告", kind: "类型",
    none: "本期尚无报告", nolate: "无", deadline: "截止", overdue: "逾期未报", pending: "未到期",
    lateSent: "逾期提交", valid: "有效", invalid: "无效", nosig: "无",
    monthly: "月度", annual: "年度" },
};
const q = new URLSearchParams(location.search);
let lang = q.get("lang") === "en" ? "en" : "zh";
const $ = (id) => document.getElementById(id);
const t = (k) => T[lang][k] || k;
const fmt = (v, d) => (typeof v === "number" ? v.toFixed(d) : "—");

function cell(tr, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}

function link(td, href, text) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  td.appendChild(a);
}

function sig(s) { return s === "valid" ? t("valid") : s === "invalid" ? t("invalid") : t("nosig"); }

async function getJSON(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(url + ": " + r.status);
  return r.json();
}

async function league(period) {
  const j = await getJSON("/api/v1/league" + (period ? "?period=" + period : ""));
  $("period").value = j.period;
  $("league-period").textContent = j.period;
  $("deadline").textContent = t("deadline") + " " + j.deadline + " (" + j.timezone + ")";
  $("csv").href = "/api/v1/league.csv?period=" + j.period;
  const body = $("league").tBodies[0];
  body.textContent = "";
  for (const s of j.sites) {
    const tr = document.createElement("tr");
    tr.dataset.site = s.site;
    cell(tr, s.rank === null ? "—" : String(s.rank), "rank num");
    link(cell(tr, "", "site"), "?site=" + encodeURIComponent(s.site) + "&lang=" + lang, s.site);
    cell(tr, s.name, "name");
    cell(tr, s.region, "region");
    cell(tr, fmt(s.pue, 3), "pue num");
    cell(tr, s.category ? "PUE" + s.category : "—", "category");
    cell(tr, fmt(s.coverage, 3), "coverage num");
    cell(tr, s.gb40879_grade === null ? "—" : String(s.gb40879_grade),
      "grade num grade-" + s.gb40879_grade);
    cell(tr, sig(s.signature), "signature sig-" + s.signature);
    cell(tr, s.received + (s.late ? " (" + t("lateSent") + ")" : ""), "received" + (s.late ? " late" : ""));
    body.appendChild(tr);
  }
  $("league-empty").hidden = j.sites.length > 0;
  const lb = $("late").tBodies[0];
  lb.textContent = "";
  for (const s of j.late) {
    const tr = document.createElement("tr");
    tr.dataset.site = s.site;
    cell(tr, s.site, "site");
    cell(tr, s.name, "name");
    cell(tr, s.region, "region");
    cell(tr, s.status === "late" ? t("lateSent") : t(s.status), "status " + s.status);
    lb.appendChild(tr);
  }
  $("late-empty").hidden = j.late.length > 0;
  return j;
}

function chart(months) {
  const svg = $("trend"), ns = "http://www.w3.org/2000/svg";
  svg.textContent = "";
  const vals = months.map((m) => m.pue).filter((v) => typeof v === "number");
  const max = Math.max(2, ...vals), w = 480 / months.length;
  months.forEach((m, i) => {
    if (typeof m.pue === "number") {
      const h = ((m.pue - 1) / (max - 1)) * 120, r = document.createElementNS(ns, "rect");
      r.setAttribute("class", "bar");
      r.setAttribute("x", i * w + 4);
      r.setAttribute("y", 130 - h);
      r.setAttribute("width", w - 8);
      r.setAttribute("height", Math.max(h, 1));
      svg.appendChild(r);
    }
    const tx = document.createElementNS(ns, "text");
    tx.setAttribute("x", i * w + 4);
    tx.setAttribute("y", 150);
    tx.textContent = m.period.slice(2) + " " + fmt(m.pue, 2);
    svg.appendChild(tx);
  });
}

async function site(id, period) {
  $("site-card").hidden = false;
  $("site-id").textContent = id;
  const tr = await getJSON("/api/v1/sites/" + encodeURIComponent(id) + "/trend" + (period ? "?to=" + period : ""));
  chart(tr.months);
  const r = await getJSON("/api/v1/sites/" + encodeURIComponent(id) + "/reports");
  const body = $("reports").tBodies[0];
  body.textContent = "";
  for (const x of r.reports) {
    const row = document.createElement("tr");
    cell(row, x.period, "period");
    cell(row, t(x.kind), "kind");
    cell(row, fmt(x.pue, 3), "pue num");
    cell(row, x.gb40879_grade === null ? "—" : String(x.gb40879_grade), "grade num");
    cell(row, sig(x.signature), "signature sig-" + x.signature);
    cell(row, x.received, "received");
    const links = cell(row, "", "links");
    link(links, x.html + "?lang=" + lang, "HTML");
    links.append(" ");
    link(links, x.json, "JSON");
    body.appendChild(row);
  }
}

function translate() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  for (const e of document.querySelectorAll("[data-t]")) e.textContent = t(e.dataset.t);
  $("lang").textContent = lang === "zh" ? "English" : "中文";
  document.title = t("title");
}

async function main() {
  translate();
  const period = q.get("period");
  try {
    const j = await league(period);
    if (q.get("site")) await site(q.get("site"), j.period);
    $("status").textContent = "greendc-receiver · " + j.generated;
    document.body.dataset.loaded = "1";
  } catch (e) {
    $("status").textContent = String(e);
    document.body.dataset.loaded = "error";
  }
}

$("lang").onclick = () => {
  q.set("lang", lang === "zh" ? "en" : "zh");
  location.search = q.toString();
};
$("period").onchange = () => {
  q.set("period", $("period").value);
  location.search = q.toString();
};
main();
