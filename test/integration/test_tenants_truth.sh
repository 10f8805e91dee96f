#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Tenant statements a customer can be billed from (docs/tenants.md): the demo configuration as
# shipped (its racks, tenants, example time-of-use tariff and ratings), October 2026 and the
# days around it from dcsim's history generator (readings every 5 minutes as the registers
# show them), imported with `greendc import --interval-end`. Asia/Shanghai has no DST.
#
#   - every rack's kWh (`greendc statement` and `greendc energy --group rack`) equals dcsim's
#     ground truth within the rack PDUs' register resolution (1 Wh at each end of the month,
#     per PDU), and every whole-rack tenant's kWh the sum of its racks';
#   - gamma, billed by two outlets of a shared rack, gets 60 % of that rack's outlet power
#     (dcsim's split), computed here from the truth;
#   - kWh by tariff period and the cost: the truth's quarter hours assigned to the demo's
#     time-of-use table by this test's own reading of etc/demo.yaml (python3-yaml), priced;
#   - peak demand (highest 15-minute mean) and its quarter hour, from the truth's quarters;
#   - acme's overhead is its kWh x (PUE - 1) with the PUE `greendc pue` publishes for the month;
#   - the meter check flags the PDU whose outlet meter dcsim makes read 15 % low, and only it;
#   - the CSV's totals are the JSON's; the zh/en HTML and PDF name every tenant.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/truth_config.sh"

$PY -c "import yaml" 2>/dev/null || fail "python3-yaml missing (tools/setup.sh)"
truth_config
G() { "$B/greendc" -c "$T/greendc.yaml" "$@"; }

"$B/dcsim" --history "$T/h.csv" --start 2026-09-30 --end 2026-11-01T06:00 --no-snmp-views \
	--truth "$T/truth.csv" 2>"$T/gen.err" || { cat "$T/gen.err"; fail "history generator failed"; }
G import --interval-end "$T/h.csv" >"$T/import.out" 2>&1 || { cat "$T/import.out"; fail "import failed"; }
ok "history of 2026-10 imported ($(tail -n 1 "$T/import.out" | cut -c1-80))"

G statement --month 2026-10 --format json --output "$T/st.json" 2>"$T/st.err" || { cat "$T/st.err"; fail "statement"; }
G statement --month 2026-10 --format csv --output "$T/st.csv" 2>/dev/null || fail "statement csv"
G statement --month 2026-10 --format html --lang zh --output "$T/st-zh.html" 2>/dev/null || fail "statement html zh"
G statement --month 2026-10 --format html --lang en --output "$T/st-en.html" 2>/dev/null || fail "statement html en"
G statement --month 2026-10 --tenant gamma --format json --output "$T/gamma.json" 2>/dev/null || fail "statement --tenant"
G energy --group rack --period 2026-10 --format json >"$T/racks.json" || fail "energy --group rack"
G pue --period 2026-10 --format json >"$T/pue.json" || fail "pue --period 2026-10"
# The PDFs come from the reports engine, drawn from the same document model as the HTML:
# every tenant's name is in both languages' text, and the zh one is in Chinese.
for l in en zh; do
	G statement --month 2026-10 --format pdf --lang $l --output "$T/st-$l.pdf" 2>"$T/pdf.err" ||
		{ cat "$T/pdf.err"; fail "statement pdf $l"; }
	pdftotext "$T/st-$l.pdf" "$T/st-$l.txt" || fail "the $l statement PDF does not parse"
	$PY -c "import json,sys; t=open('$T/st-$l.txt').read(); sys.exit(0 if all(s['tenant']['name'] in t for s in json.load(open('$T/st.json'))['statements']) else 1)" ||
		fail "the $l statement PDF lacks a tenant"
done
tr -d ' \n' <"$T/st-zh.txt" | grep -q "电" || fail "the zh statement PDF has no Chinese text"
grep -q "meter check failed" "$T/st.err" || { cat "$T/st.err"; fail "the failed meter check is not said on stderr"; }

$PY - "$T" "$top/etc/demo.yaml" <<'P' || fail "statements differ from dcsim's ground truth (above)"
import csv, json, math, sys, yaml
from collections import defaultdict
from datetime import datetime, timedelta, timezone
T, demo = sys.argv[1], yaml.safe_load(open(sys.argv[2]))
st = {s["tenant"]["name"]: s for s in json.load(open(f"{T}/st.json"))["statements"]}
truth = [r for r in csv.DictReader(open(f"{T}/truth.csv")) if r["hour_local"].startswith("2026-10")]
assert len(truth) == 744 and all(float(r["seconds"]) == 3600 for r in truth), len(truth)
RES = 0.001  # the rack PDUs' Wh registers, truncated: < 1 Wh lost at each end per PDU
rack_truth = {rk: sum(float(r[f"rack_{rk}_a_kwh"]) + float(r[f"rack_{rk}_b_kwh"]) for r in truth)
              for rk in ("A1-01", "A1-02", "A1-03", "A1-04", "A2-01", "A2-02", "A2-03", "A2-04")}
energy = {g["name"]: g["total"] for g in json.load(open(f"{T}/racks.json"))["groups"]}
for rk, want in rack_truth.items():
    got = energy[rk]["kwh"]
    assert abs(got - want) < 2 * RES + 1e-5 and energy[rk]["status"] == "OK", (rk, got, want, energy[rk])
tenants = {t["name"]: t for t in demo["tenants"]}
for name in ("acme", "beta"):
    s = st[name]
    racks = {r["rack"]: r for r in s["racks"]}
    assert sorted(racks) == sorted(tenants[name]["racks"]), (name, racks)
    for rk, r in racks.items():
        assert r["kwh"] == energy[rk]["kwh"] and r["source"] == "pdu_input", (rk, r)
    want = sum(rack_truth[rk] for rk in racks)
    assert abs(s["energy"]["kwh"] - want) < 2 * RES * 2 * len(racks) + 1e-5, (name, s["energy"], want)
    assert s["energy"]["status"] == "OK" and s["complete"], (name, s["energy"])
# gamma: outlets 1 and 2 of A2-01 on both feeds = 60 % of what each PDU passes to its outlets
# (its input less the controller's 8 W); the outlet meters' own resolution: 1 Wh x 4 counters
g = st["gamma"]
want_g = 0.6 * sum(float(r["rack_A2-01_a_kwh"]) + float(r["rack_A2-01_b_kwh"]) - 2 * 0.008 for r in truth)
assert abs(g["energy"]["kwh"] - want_g) < 4 * 2 * RES + 1e-5, (g["energy"], want_g)
assert [r["outlets"] for r in g["racks"]] == ["A/1, A/2, B/1, B/2"], g["racks"]

# The tariff, read here from the demo file, applied to the truth's quarter hours (UTC+8).
tariffs = {t["name"]: t for t in demo["tariffs"]}
def period_of(t, local):
    if not t.get("seasons"):
        return "flat"
    season = next(s for s in t["seasons"] if local.month in s["months"])
    q = local.hour * 60 + local.minute
    for p in ("critical", "peak", "flat", "valley", "deep_valley"):
        for rng in season.get(p, []):
            a, b = rng.split("-")
            lo = int(a[:2]) * 60 + int(a[3:]); hi = int(b[:2]) * 60 + int(b[3:])
            if (lo <= q < hi) if lo < hi else (q >= lo or q < hi):
                return p
    return season.get("rest", "flat")
for name in ("acme", "beta"):
    s, t = st[name], tariffs[tenants[name]["tariff"]]
    by, quarters = defaultdict(float), []
    for r in truth:
        h = datetime.strptime(r["hour_utc"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        for q in range(4):
            local = h + timedelta(hours=8, minutes=15 * q)
            e = sum(float(r[f"rack_{rk}_q{q + 1}_kwh"]) for rk in tenants[name]["racks"])
            by[period_of(t, local)] += e
            quarters.append((e, h + timedelta(minutes=15 * q)))
    got = {p["period"]: p for p in s["by_period"]}
    n = 2 * len(tenants[name]["racks"])  # PDUs: each quarter's edges lose < 1 Wh each
    cost = 0
    for p, e in by.items():
        # every reading at a period boundary moves < 1 Wh per PDU between two periods
        bound = n * RES * 8 * 31 + 1e-4
        assert abs(got[p]["kwh"] - e) < bound, (name, p, got[p], e, bound)
        assert got[p]["price"] == t["prices"][p], (name, p, got[p])
        cost += got[p]["kwh"] * t["prices"][p]
    assert abs(sum(x["kwh"] for x in s["by_period"]) - s["energy"]["kwh"]) < 1e-6, s["by_period"]
    assert abs(s["cost"]["energy"] - cost) < 1e-6, (s["cost"], cost)
    e, at = max(quarters)
    pk = s["peak_demand"]
    assert abs(pk["kw"] - 4 * e) < 4 * 2 * n * RES, (name, pk, 4 * e)
    assert pk["at"] == at.strftime("%Y-%m-%dT%H:%M:%SZ"), (name, pk, at)
    print(f"ok - {name}: {s['energy']['kwh']:.3f} kWh (truth {sum(by.values()):.3f}), "
          + ", ".join(f"{p} {got[p]['kwh']:.1f}" for p in got) + f", peak {pk['kw']:.3f} kW at {pk['at_local']}")
print(f"ok - gamma: {g['energy']['kwh']:.3f} kWh (truth x 0.6: {want_g:.3f})")

# Overhead by the month's PUE as `greendc pue` publishes it.
pv = json.load(open(f"{T}/pue.json"))["total"]["pue"]
o = st["acme"]["overhead"]
assert o["method"] == "pue" and o["allocated"], o
assert abs(o["pue"] - pv) < 1e-12, (o, pv)
assert abs(o["kwh"] - st["acme"]["energy"]["kwh"] * (o["pue"] - 1)) < 1e-6, o
assert st["beta"]["overhead"]["method"] == "none"
print(f"ok - acme's overhead {o['kwh']:.1f} kWh by {o['pue_label']}")

# Meter checks: A1-01's PDUs agree; A2-01 feed B (gamma's) is flagged, feed A is not.
checks = {(c["pdu"]): c for s in st.values() for c in s["meter_checks"]}
assert checks["rpdu-a1-01-a"]["ok"] and checks["rpdu-a1-01-b"]["ok"], checks
assert not checks["rpdu-a2-01-b"]["ok"] and checks["rpdu-a2-01-b"]["judged"], checks["rpdu-a2-01-b"]
assert checks["rpdu-a2-01-a"]["ok"] and abs(checks["rpdu-a2-01-a"]["diff_pct"]) < 1, checks["rpdu-a2-01-a"]
assert not st["gamma"]["meter_checks_ok"] and st["acme"]["meter_checks_ok"]
print(f"ok - meter checks: rpdu-a2-01-b off by {checks['rpdu-a2-01-b']['diff_pct']:.2f} % (flagged), the others within 1 %")

# The CSV's totals are the JSON's; --tenant gives gamma's alone, the same.
rows = list(csv.DictReader(open(f"{T}/st.csv")))
for name, s in st.items():
    tot = [r for r in rows if r["tenant"] == name and r["line"] == "total"]
    assert len(tot) == 1 and math.isclose(float(tot[0]["kwh"]), s["energy"]["kwh"], rel_tol=1e-14), (name, tot)
    assert math.isclose(float(tot[0]["cost"]), s["cost"]["total"], rel_tol=1e-14), (name, tot)
one = json.load(open(f"{T}/gamma.json"))["statements"]
assert len(one) == 1 and one[0]["energy"] == st["gamma"]["energy"], one
for lang in ("zh", "en"):
    html = open(f"{T}/st-{lang}.html", encoding="utf-8").read()
    for t in demo["tenants"]:
        assert t["title"] in html, (lang, t["title"])
    assert ("用电结算单" in html) == (lang == "zh"), lang
print("ok - CSV totals = JSON; --tenant; HTML in both languages")
P
