#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Free-cooling hours a facility engineer can trust (docs/accuracy.md): 61 days (September and
# October, when Taiyuan's plant runs all three modes) of the demo's weather station and chiller
# plant readings from dcsim's history generator, imported with `greendc import --interval-end`
# into the demo configuration as shipped; `greendc freecool --period` per day must equal
# dcsim's ground truth:
#  - hours used (full free cooling, partial), from the plant's cooling_mode register, within
#    0.05 h: the mode changes on whole minutes and the readings are 1 minute apart, so nothing
#    but a wrong engine can differ;
#  - hours available (full, partial), computed from the outdoor dry-bulb, RH and pressure
#    registers: within 0.05 h of the same hours recomputed here from the imported readings
#    with independent psychrometrics (DOMAIN.md §4, as test_freecool_epw.sh), and within
#    0.05 h of the truth plus the minutes the true wet-bulb sat within 0.1 K of a changeover
#    threshold (the truth's avail_edge_min): the registers' 0.1 K, 0.1 % and 10 Pa steps move
#    the wet-bulb by up to 0.06 K (docs/accuracy.md), which can flip those minutes and only
#    those;
#  - 24 hours of data every day.
# Only the weather station's and the chiller plant's rows are imported (the rest does not
# enter these figures; test_truth_history.sh imports it all).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/truth_config.sh"

truth_config
G() { "$B/greendc" -c "$T/greendc.yaml" "$@"; }
"$B/dcsim" --history - --start 2026-09-01 --end 2026-11-01 --step 1m --no-snmp-views \
	--truth "$T/truth.csv" 2>"$T/gen.err" | grep -E '^timestamp,|^[^,]*,(weather|chiller-plant),' >"$T/h.csv" ||
	{ cat "$T/gen.err"; fail "history generator failed"; }
G import --interval-end "$T/h.csv" >"$T/import.out" 2>&1 || { cat "$T/import.out"; fail "import failed"; }
cat "$T/import.out"
for m in 2026-09 2026-10; do
	G freecool --period $m --format json >"$T/fc-$m.json" || fail "freecool --period $m"
done

$PY - "$T" <<'P' || fail "greendc's free-cooling hours differ from dcsim's ground truth (above)"
import csv, json, sys
from collections import defaultdict
T = sys.argv[1]
day = defaultdict(lambda: defaultdict(float))
for r in csv.DictReader(open(f"{T}/truth.csv")):
    for k in ("cool_full_min", "cool_partial_min", "avail_full_min", "avail_partial_min", "avail_edge_min"):
        day[r["hour_local"][:10]][k] += float(r[k]) / 60.0   # hours
assert len(day) == 61, len(day)

# The availability the registers allow, recomputed independently: per 1-minute reading (which
# describes the minute before it), the wet-bulb from dry-bulb, RH (over ice below 0.01 C) and
# station pressure, then the tower + plate HX modes of etc/demo.yaml's cooling: section.
import math
from datetime import datetime, timedelta, timezone
def pws(t):
    T = t + 273.15
    if t <= 0.01:
        return math.exp(-5.6745359e3 / T + 6.3925247 - 9.677843e-3 * T + 6.2215701e-7 * T * T
                        + 2.0747825e-9 * T ** 3 - 9.484024e-13 * T ** 4 + 4.1635019 * math.log(T))
    return math.exp(-5.8002206e3 / T + 1.3914993 - 4.8640239e-2 * T + 4.1764768e-5 * T * T
                    - 1.4452093e-8 * T ** 3 + 6.5459673 * math.log(T))
def wet_bulb(t, rh, p):
    if rh >= 1.0:           # saturated air: the wet-bulb is the dry-bulb, exactly
        return t
    pw = rh * pws(t)
    W = 0.621945 * pw / (p - pw)
    lo, hi = t - 40.0, t
    for _ in range(40):
        ts = (lo + hi) / 2
        p_s = pws(ts)
        Ws = 0.621945 * p_s / (p - p_s)
        if ts >= 0:
            Wc = ((2501 - 2.326 * ts) * Ws - 1.006 * (t - ts)) / (2501 + 1.86 * t - 4.186 * ts)
        else:
            Wc = ((2830 - 0.24 * ts) * Ws - 1.006 * (t - ts)) / (2830 + 1.86 * t - 2.1 * ts)
        if Wc > W:
            hi = ts
        else:
            lo = ts
    return (lo + hi) / 2
def mode(t, rh, p):
    if t <= 7.0:            # wet-bulb <= 7 C: the tower is at its 5 C floor, 7 C <= 15 C
        return 2
    hx = max(wet_bulb(t, rh, p) + 3.0, 5.0) + 2.0
    return 2 if hx <= 15.0 else 1 if hx < 21.0 else 0
wx = defaultdict(dict)
for line in open(f"{T}/h.csv"):
    f = line.split(",")
    if f[1] == "weather":
        wx[f[0]][f[2]] = float(f[3])
reg = defaultdict(lambda: [0, 0, 0])
for ts, w in wx.items():
    minute = datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ") - timedelta(minutes=1) + timedelta(hours=8)
    reg[minute.strftime("%Y-%m-%d")][mode(w["outdoor_temp_c"], w["outdoor_rh_pct"] / 100.0,
                                         w["outdoor_pressure_pa"])] += 1
fails, worst, n = [], {}, 0
def check(name, p, got, want, bound):
    d = abs(got - want)
    if name not in worst or d > worst[name][0] or (d > bound and worst[name][0] <= worst[name][1]):
        worst[name] = (d, bound, p, got, want)
    if not d <= bound:
        fails.append(f"{p} {name}: greendc {got:.4f} h, truth {want:.4f} h, |diff| {d:.4f} > {bound:.4f} h")
for m in ("2026-09", "2026-10"):
    for dd in json.load(open(f"{T}/fc-{m}.json"))["days"]:
        p, t = dd["period"], day[dd["period"]]
        n += 1
        check("data", p, dd["data_h"], 24.0, 1e-9)
        check("used full", p, dd["used_free_h"], t["cool_full_min"], 0.05)
        check("used partial", p, dd["used_partial_h"], t["cool_partial_min"], 0.05)
        check("available full (registers)", p, dd["available_free_h"], reg[p][2] / 60.0, 0.05)
        check("available partial (registers)", p, dd["available_partial_h"], reg[p][1] / 60.0, 0.05)
        edge = t["avail_edge_min"]
        check("available full", p, dd["available_free_h"], t["avail_full_min"], 0.05 + edge)
        check("available partial", p, dd["available_partial_h"], t["avail_partial_min"], 0.05 + edge)
assert n == 61, n
for name, (d, b, p, got, want) in sorted(worst.items()):
    print(f"{'FAIL' if d > b else 'ok'} - {name}: largest |diff| {d:.4f} h (bound {b:.4f} h) on {p}: greendc {got:.4f}, reference {want:.4f}")
tot = lambda k: sum(t[k] for t in day.values())
print(f"   truth over 61 days: used full {tot('cool_full_min'):.2f} h, partial {tot('cool_partial_min'):.2f} h; "
      f"available full {tot('avail_full_min'):.2f} h, partial {tot('avail_partial_min'):.2f} h; "
      f"{tot('avail_edge_min'):.2f} h within 0.1 K of a threshold")
for f in fails[:20]:
    print("      " + f)
sys.exit(1 if fails else 0)
P
ok "free-cooling hours per day equal the truth (61 days)"
