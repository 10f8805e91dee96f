#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Numbers a regulator can sign (docs/accuracy.md): 61 days of the demo site's readings from
# dcsim's history generator (1-minute readings as the registers show them: PDU A's 16-bit kWh
# register wrapping, utility-b's meter replaced on 2026-09-21 at 14:00, PDU B silent for 40
# minutes on 2026-10-01 from 10:40), imported with `greendc import --interval-end` into the
# demo configuration as shipped. Every daily and monthly E_DC, E_IT, PUE (`greendc pue`), WUE
# and CUE (`greendc kpi`) must equal dcsim's ground truth within the bound the registers'
# resolution allows, derived below per figure; every hour greendc labels OK too, and an hour
# PDU B did not meter at both ends must not be labelled OK. The import must count a 16-bit wrap
# as a wrap, the replacement as the one discontinuity. Days, months and hours are the site's
# (Asia/Shanghai, the truth's hour_local) whatever the host's zone: each begins at site
# midnight or on the site's hour (the runner's tz/ stage runs this test with the host in
# America/Los_Angeles).
#
# Bound (per period, per figure): each counter's period energy is (last reading - first
# reading); a truncated register loses less than one resolution step r at each end, so the
# error is < r (float32 utility-a rounds to nearest: < its spacing; a replacement inside the
# period adds one more step of utility-b). E_IT = PDU A (r 1 kWh) + PDU B (0.001): < 1.001 kWh.
# E_DC = feed A (float32 spacing, 0.03125 kWh at the 0.26-0.52 GWh it reaches) + feed B (0.001)
# + PV (0.1). Ratios: |d(a/b)| <= (da + (a/b) db) / (b - db). Plus the truth file's 6-decimal
# rounding per hour and the model's double sums (1e-10 kWh per counter-second).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/truth_config.sh"

truth_config
G() { "$B/greendc" -c "$T/greendc.yaml" "$@"; }

t0=$(date +%s)
"$B/dcsim" --history "$T/h.csv" --start 2026-09-01 --end 2026-11-01 --step 1m --no-snmp-views \
	--replace-at 2026-09-21T14:00 --gap-at 2026-10-01T10:40 --truth "$T/truth.csv" 2>"$T/gen.err" ||
	{ cat "$T/gen.err"; fail "history generator failed"; }
cat "$T/gen.err"
t1=$(date +%s)
G import --interval-end "$T/h.csv" >"$T/import.out" 2>&1 || { cat "$T/import.out"; fail "import failed"; }
cat "$T/import.out"
echo "generated in $((t1 - t0)) s, imported in $(($(date +%s) - t1)) s"

for m in 2026-09 2026-10; do
	G pue --period $m --by day --format json >"$T/pue-day-$m.json" || fail "pue --period $m --by day"
	G pue --period $m --by hour --format json >"$T/pue-hour-$m.json" || fail "pue --period $m --by hour"
	G kpi --period $m --format json >"$T/kpi-$m.json" || fail "kpi --period $m"
done
d=1
while [ $d -le 61 ]; do
	day=$(date -u -d "2026-09-01 + $((d - 1)) days" +%F)
	G kpi --period "$day" --format json >"$T/kpi-$day.json" || fail "kpi --period $day"
	d=$((d + 1))
done
sql "$T/greendc.db" "SELECT e.ts, s.device, s.metric, s.labels, e.kind FROM events e JOIN series s ON s.id = e.series WHERE e.kind LIKE 'counter_%' ORDER BY e.ts" >"$T/events.txt"

$PY - "$T" <<'P' || fail "greendc's figures differ from dcsim's ground truth beyond the registers' resolution (above)"
import csv, glob, json, math, os, sys
from collections import defaultdict
T = sys.argv[1]
truth = list(csv.DictReader(open(f"{T}/truth.csv")))
assert len(truth) == 61 * 24 and all(float(r["seconds"]) == 3600 for r in truth), len(truth)
COLS = ["e_dc_kwh", "it_pdu_output_kwh", "facility_input_kwh", "water_intake_l", "pdu_b_kwh"]
def sums(key):
    s = defaultdict(lambda: defaultdict(float))
    for r in truth:
        k = key(r["hour_local"])
        s[k]["hours"] += 1
        for c in COLS:
            s[k][c] += float(r[c])
    return s
by_hour, by_day, by_month = sums(lambda h: h), sums(lambda h: h[:10]), sums(lambda h: h[:7])

# feed A is float32: the spacing at its largest reading bounds its rounding
feed_a_max = max(float(l.split(",")[3]) for l in open(f"{T}/h.csv")
                 if ",utility-a,energy_kwh," in l)
ulp_a = 2.0 ** (math.floor(math.log2(feed_a_max)) - 23)
REPLACED = ("2026-09-21T14:00+0800", "2026-09-21", "2026-09")   # hour, day, month
GAP_HOURS = {"2026-10-01T10:00+0800", "2026-10-01T11:00+0800"}  # PDU B silent 10:40-11:20
GRID = 0.5366

def bounds(p, t):
    eps = 5e-7 * t["hours"] + 1e-10 * 3600 * t["hours"] * 3
    # utility-b's old meter's last reading and the new one's both truncate in the day and
    # month of the replacement (the new meter starts at exactly 0, so its hour gains nothing)
    rep = 0.001 if p in REPLACED[1:] else 0.0
    d_it = 1.0 + 0.001 + eps
    d_fac = ulp_a + 0.001 + rep + eps
    d_dc = d_fac + 0.1
    d_w = 1.0 + 5e-5 * t["hours"]
    return d_it, d_fac, d_dc, d_w

fails = defaultdict(list)
worst = {}   # group -> (|diff| / bound, |diff|, bound, where)
def check(group, p, got, want, bound):
    d = abs(got - want)
    if group not in worst or d / bound > worst[group][0]:
        worst[group] = (d / bound, d, bound, f"{p}: greendc {got:.6f} truth {want:.6f}")
    if not d <= bound:
        fails[group].append(f"{p}: greendc {got:.6f}, truth {want:.6f}, |diff| {d:.6g} > bound {bound:.6g}")
counted = defaultdict(int)

def ratio_bound(a, b, da, db):
    return (da + (a / b) * db) / (b - db)

def energy(group, iv, t, published=True):
    p = iv["period"]
    counted[group] += 1
    if published and (iv["status"] != "OK" or iv.get("pue") is None):
        fails[group].append(f"{p}: status {iv['status']}, coverage {iv.get('coverage')}: not published ({iv.get('error', '')})")
        return
    d_it, d_fac, d_dc, _ = bounds(p, t)
    edc, eit = t["e_dc_kwh"], t["it_pdu_output_kwh"]
    check(group + " E_DC", p, iv["e_dc_kwh"], edc, d_dc)
    check(group + " E_IT", p, iv["e_it_kwh"], eit, d_it)
    if iv.get("pue") is not None:
        check(group + " PUE", p, iv["pue"], edc / eit, ratio_bound(edc, eit, d_dc, d_it))

def kpis(group, p, k, t):
    counted[group] += 1
    d_it, d_fac, _, d_w = bounds(p, t)
    eit = t["it_pdu_output_kwh"]
    wue, cue = k["kpi"]["WUE"]["value"], k["kpi"]["CUE"]["value"]
    if wue is None or cue is None or k["status"] != "OK":
        fails[group].append(f"{p}: kpi status {k['status']}, WUE {wue}, CUE {cue}")
        return
    check(group + " WUE", p, wue, t["water_intake_l"] / eit, ratio_bound(t["water_intake_l"], eit, d_w, d_it))
    check(group + " CUE", p, cue, GRID * t["facility_input_kwh"] / eit,
          ratio_bound(GRID * t["facility_input_kwh"], eit, GRID * d_fac, d_it))

from datetime import datetime, timezone
from zoneinfo import ZoneInfo
def site_start(label):  # "2026-09", "2026-09-01" or "2026-09-01T13:00+0800" -> its UTC start
    d = datetime.fromisoformat((label + "-01")[:10] if len(label) == 7 else label[:16])
    return d.replace(tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
def starts_at_site_time(iv):
    counted["site-time boundaries"] += 1
    if iv["from"] != site_start(iv["period"]):
        fails["site-time boundaries"].append(f"{iv['period']} starts at {iv['from']}, not at {site_start(iv['period'])}")
for m in ("2026-09", "2026-10"):
    day = json.load(open(f"{T}/pue-day-{m}.json"))
    starts_at_site_time(day["total"])
    for iv in day["intervals"]:
        starts_at_site_time(iv)
    assert day["category"] == 2, day["category"]
    energy("monthly", day["total"], by_month[m])
    assert day["total"]["label"].startswith(f"PUE2, {m}, "), day["total"]["label"]
    _, _, d_dc, _ = bounds(m, by_month[m])
    b = ratio_bound(by_month[m]["e_dc_kwh"], by_month[m]["it_pdu_output_kwh"], d_dc, 1.001)
    assert b <= 0.001, f"monthly PUE bound {b} above 0.001"
    print(f"ok - {m}: monthly PUE bound from the registers' resolution {b:.2e} (<= 0.001)")
    assert len(day["intervals"]) == (30 if m == "2026-09" else 31)
    for iv in day["intervals"]:
        energy("daily", iv, by_day[iv["period"]])
    kpis("monthly kpi", m, json.load(open(f"{T}/kpi-{m}.json")), by_month[m])
    for iv in json.load(open(f"{T}/pue-hour-{m}.json"))["intervals"]:
        p = iv["period"]
        starts_at_site_time(iv)
        if p in GAP_HOURS:
            counted["gap hours not OK"] += 1
            if iv["status"] == "OK":
                fails["gap hours not OK"].append(
                    f"{p}: labelled OK although PDU B has no reading at one end "
                    f"(E_IT greendc {iv['e_it_kwh']:.3f}, truth {by_hour[p]['it_pdu_output_kwh']:.3f})")
            continue
        if iv["status"] == "OK":
            energy("hourly OK", iv, by_hour[p])
for f in sorted(glob.glob(f"{T}/kpi-2026-??-??.json")):
    p = os.path.basename(f)[4:14]
    kpis("daily kpi", p, json.load(open(f)), by_day[p])

# The import must count the 16-bit wraps as wraps: the only discontinuity is the replacement.
events = [l.split("|") for l in open(f"{T}/events.txt").read().splitlines()]
counted["events"] += 1
resets = [e for e in events if e[4] == "counter_reset"]
other = [e for e in events if not (e[1] == "utility-b" and e[2] == "energy_kwh" and e[4] == "counter_reset")]
if len(resets) != 4 or other:
    fails["events"].append(f"expected the 4 counter_reset events of utility-b's replacement and nothing else, got: "
                           + "; ".join(f"{e[1]} {e[2]}{{{e[3]}}} {e[4]} at {e[0]}" for e in events))

for g in sorted(set(list(worst) + list(fails) + list(counted))):
    w = worst.get(g)
    extra = f"; largest |diff|/bound {w[0]:.3g}: {w[1]:.6g} (bound {w[2]:.6g}) at {w[3]}" if w else ""
    n = len(fails.get(g, []))
    print(f"{'FAIL' if n else 'ok'} - {g}: {n} outside the bound{extra}")
    for line in fails.get(g, [])[:12]:
        print("      " + line)
    if n > 12:
        print(f"      ... and {n - 12} more")
sys.exit(1 if fails else 0)
P
ok "61 days imported: daily, monthly and hourly figures equal the truth within the registers' resolution"
