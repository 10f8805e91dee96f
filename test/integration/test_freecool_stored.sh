#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# One stored month, one set of free-cooling hours (DESIGN.md "The same figure everywhere"):
# April 2026 of half-hourly outdoor and plant readings (dry-bulb, RH or in some hours only a
# dew point, station pressure with gaps, cooling mode with gaps where the valve % stands in,
# compressor power) is imported with `greendc import`; then `greendc freecool --period
# 2026-04 --step 1h`, the monthly report's free_cooling object and /api/v1/freecool from a
# running greendcd over the same month must report the same hours available, used and missed
# and the same kWh, and those must equal an independent recomputation in Python with its own
# psychrometrics (Hyland-Wexler, ASHRAE wet-bulb by bisection). The alert rule's view of the
# same kind of month is checked hour by hour in test/unit/test_freecool_stored.c.
. "$(dirname "$0")/lib.sh"

HP=$(free_port)
DP=$(free_port) # nothing listens there: the devices exist so their history can be imported
cat >"$T/greendc.yaml" <<Y
site: {id: fcs, name: "Free cooling month", timezone: Asia/Shanghai, altitude_m: 778}
storage: {path: greendc.db, commit_interval: 200ms}
daemon: {workers: 1, max_backoff: 1m, drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles,
         log_level: info}
devices:
  - {name: chiller-plant, driver: modbus, address: "tcp://127.0.0.1:$DP",
     profile: sim/dcsim-chiller-plant, interval: 60s, timeout: 200ms, options: {unit_id: 20}}
  - {name: weather, driver: modbus, address: "tcp://127.0.0.1:$DP",
     profile: sim/dcsim-weather, interval: 60s, timeout: 200ms, options: {unit_id: 40}}
energy:
  roles:
    facility_input: [{labels: {role: facility_input}, metric: energy_kwh}]
    it_ups_output: [{labels: {role: ups_output}, metric: energy_kwh}]
  co2: {kg_per_kwh: 0.5366, source: test, year: 2022}
cooling:
  economizer: tower
  chw_supply_c: 15
  chw_return_c: 21
  approach_tower_k: 3
  approach_hx_k: 2
  outdoor:
    dry_bulb: "weather outdoor_temp_c*"
    rh: "weather outdoor_rh_pct*"
    dew_point: "weather outdoor_dewpoint_c*"
    pressure: "weather outdoor_pressure_pa*"
  plant:
    free_cooling_pct: "chiller-plant free_cooling_pct*"
    compressor_power_w: "chiller-plant compressor_power_w*"
    cooling_mode: "chiller-plant cooling_mode*"
http: {listen: 127.0.0.1, port: $HP}
Y
"$B/greendc" check-config "$T/greendc.yaml" >/dev/null || fail "config invalid"

# The month and what every bucket must come to, from the same readings.
$PY - "$T" <<'PYEOF'
import csv, datetime as dt, json, math, random, sys
T = sys.argv[1]
rnd = random.Random(7)

def pws(t):
    K = t + 273.15
    if t <= 0.01:
        return math.exp(-5674.5359 / K + 6.3925247 - 0.009677843 * K + 6.2215701e-7 * K**2
                        + 2.0747825e-9 * K**3 - 9.484024e-13 * K**4 + 4.1635019 * math.log(K))
    return math.exp(-5800.2206 / K + 1.3914993 - 0.048640239 * K + 4.1764768e-5 * K**2
                    - 1.4452093e-8 * K**3 + 6.5459673 * math.log(K))

def w_of(pw, p):
    return 0.621945 * pw / (p - pw)

def w_wb(t, ts, p):
    ws = w_of(pws(ts), p)
    if ts >= 0:
        return ((2501 - 2.326 * ts) * ws - 1.006 * (t - ts)) / (2501 + 1.86 * t - 4.186 * ts)
    return ((2830 - 0.24 * ts) * ws - 1.006 * (t - ts)) / (2830 + 1.86 * t - 2.1 * ts)

def wet_bulb(t, pw, p):
    w = w_of(pw, p)
    lo, hi = -40.0, t
    for _ in range(200):
        mid = (lo + hi) / 2
        if w_wb(t, mid, p) > w:
            hi = mid
        else:
            lo = mid
        if hi - lo < 1e-10:
            break
    return (lo + hi) / 2

CHWS, CHWR, APP = 15.0, 21.0, 3.0 + 2.0
P_STD = 101325 * (1 - 2.25577e-5 * 778) ** 5.2559
near = 0

def avail(db, pw, p):
    global near
    lv = wet_bulb(db, pw, p) + APP
    near += abs(lv - CHWS) < 1e-6 or abs(lv - CHWR) < 1e-6
    if lv <= CHWS:
        return 2, 1.0
    if lv < CHWR:
        return 1, min(max((CHWR - lv) / (CHWR - CHWS), 0.0), 1.0)
    return 0, 0.0

tz = dt.timezone(dt.timedelta(hours=8))
t0 = dt.datetime(2026, 4, 1, tzinfo=tz)
hours = 30 * 24
rows = []
buckets = []
late = []  # the plant follows what was available three hours before
for h in range(hours):
    t = t0 + dt.timedelta(hours=h)
    s = {}  # series -> readings in this hour
    base = 11 + 8 * math.sin(2 * math.pi * (h - 9) / 24) + rnd.uniform(-3, 3)
    s["outdoor_temp_c"] = [base + rnd.uniform(-1, 1) for _ in range(2)]
    rh = [rnd.uniform(35, 90) for _ in range(2)]
    if h % 13 == 5:      # no RH: a dew point instead (at the first reading only)
        if h % 26 != 5:
            db0 = s["outdoor_temp_c"][0]
            s["outdoor_dewpoint_c"] = [db0 - rnd.uniform(2, 12)]
    else:
        s["outdoor_rh_pct"] = rh
    if h % 11 != 7:      # else: the standard atmosphere at 778 m
        s["outdoor_pressure_pa"] = [92300 + rnd.uniform(-300, 300) for _ in range(2)]
    if h % 29 == 8:      # one dry-bulb reading only in this hour
        s["outdoor_temp_c"] = s["outdoor_temp_c"][:1]
    # The outdoor state of the hour from the means, as the tally derives it.
    db = sum(s["outdoor_temp_c"]) / len(s["outdoor_temp_c"])
    p = sum(s["outdoor_pressure_pa"]) / 2 if "outdoor_pressure_pa" in s else P_STD
    if "outdoor_rh_pct" in s:
        pw = min(sum(s["outdoor_rh_pct"]) / 200, 1.0) * pws(db)
    elif "outdoor_dewpoint_c" in s:
        pw = pws(min(s["outdoor_dewpoint_c"][0], db))
    else:
        pw = None
    av = avail(db, pw, p) if pw is not None else None
    late.append(av[0] if av else 0)
    mode = late[h - 3] if h >= 3 else 0
    if h % 19 != 4 and h % 7 != 2:
        s["cooling_mode"] = [mode, mode]
    if h % 19 != 4:
        s["free_cooling_pct"] = ([100, 100] if mode == 2 else
                                 [rnd.uniform(15, 85) for _ in range(2)] if mode == 1 else
                                 [rnd.uniform(0, 0.4), 0])
    if h % 23 != 6:
        s["compressor_power_w"] = ([400, 600] if mode == 2 else
                                   [rnd.uniform(60e3, 120e3) for _ in range(2)] if mode == 1 else
                                   [rnd.uniform(150e3, 250e3) for _ in range(2)])
    for metric, vals in s.items():
        dev = "weather" if metric.startswith("outdoor") else "chiller-plant"
        for i, v in enumerate(vals):
            ts = (t + dt.timedelta(minutes=30 * i)).astimezone(dt.timezone.utc)
            rows.append((ts.strftime("%Y-%m-%dT%H:%M:%SZ"), dev, metric, repr(v)))
    # What the plant ran (mode series, else the valve %) and its load share.
    valve = sum(s["free_cooling_pct"]) / 2 if "free_cooling_pct" in s else None
    if "cooling_mode" in s:
        used = round(sum(s["cooling_mode"]) / 2)
    elif valve is not None:
        used = 2 if valve >= 99.5 else 1 if valve > 0.5 else 0
    else:
        used = -1
    fu = 1.0 if used == 2 else min(max(valve / 100, 0), 1) if used == 1 and valve is not None else 0.0
    comp = sum(s["compressor_power_w"]) / 2 / 1000 if "compressor_power_w" in s else None
    buckets.append({"day": t.strftime("%Y-%m-%d"), "av": av, "used": used, "fu": fu, "comp": comp})

rows.sort()
with open(T + "/month.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["timestamp", "device", "metric", "value"])
    for ts, dev, metric, v in rows:
        w.writerow([ts, dev, metric, v])

tot = dict.fromkeys(["data_h", "available_free_h", "available_partial_h", "available_free_equiv_h",
                     "plant_data_h", "used_free_h", "used_partial_h", "used_free_equiv_h",
                     "missed_h", "compressor_kwh", "missed_kwh"], 0.0)
days = {}
for b in buckets:
    if b["av"] is None:
        continue
    am, fa = b["av"]
    d = days.setdefault(b["day"], dict.fromkeys(tot, 0.0))
    for x in (tot, d):
        x["data_h"] += 1
        x["available_free_h"] += am == 2
        x["available_partial_h"] += am == 1
        x["available_free_equiv_h"] += fa
        if b["used"] < 0:
            continue
        x["plant_data_h"] += 1
        x["used_free_h"] += b["used"] == 2
        x["used_partial_h"] += b["used"] == 1
        x["used_free_equiv_h"] += b["fu"]
        x["missed_h"] += am > b["used"]
        if b["comp"] is not None:
            avoid = (fa - b["fu"]) / (1 - b["fu"]) if b["fu"] < 1 else 0
            x["compressor_kwh"] += b["comp"]
            x["missed_kwh"] += b["comp"] * min(max(avoid, 0), 1)
assert near == 0, "a leaving temperature within 1e-6 K of a threshold: pick another seed"
json.dump({"total": tot, "days": days}, open(T + "/expected.json", "w"), indent=1)
print("expected:", {k: round(v, 3) for k, v in tot.items()})
PYEOF
[ -s "$T/month.csv" ] || fail "no month written"

"$B/greendc" -c "$T/greendc.yaml" import "$T/month.csv" >"$T/import.out" 2>&1 || { cat "$T/import.out"; fail "import"; }
ok "a month of outdoor and plant readings imported ($(($(wc -l <"$T/month.csv") - 1)) rows)"

"$B/greendc" -c "$T/greendc.yaml" freecool --period 2026-04 --step 1h --format json >"$T/cli.json" ||
	fail "greendc freecool --period failed"
"$B/greendc" -c "$T/greendc.yaml" report --month 2026-04 >"$T/report.json" 2>"$T/report.err" ||
	{ cat "$T/report.err"; fail "greendc report failed"; }

bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
wait_port "$HP"
# April in site time is 2026-03-31T16:00Z .. 2026-04-30T16:00Z.
curl -sf "http://127.0.0.1:$HP/api/v1/freecool?from=2026-03-31T16:00:00Z&to=2026-04-30T16:00:00Z&step=1h" \
	-o "$T/api.json" || fail "GET /api/v1/freecool"

$PY - "$T" "$top/docs/report.schema.json" <<'PYEOF'
import json, sys, jsonschema
T = sys.argv[1]
exp = json.load(open(T + "/expected.json"))
cli = json.load(open(T + "/cli.json"))
rep = json.load(open(T + "/report.json"))
api = json.load(open(T + "/api.json"))
jsonschema.validate(rep, json.load(open(sys.argv[2])), cls=jsonschema.Draft202012Validator)
E, C, R, A = exp["total"], cli["total"], rep["free_cooling"], api["history"]

def same(a, b, what, tol=1e-6):
    assert abs(a - b) <= tol * max(1.0, abs(b)), (what, a, b)

# 1. The CLI against the independent recomputation, in total and per site-time day.
for k, v in E.items():
    same(C[k], v, "cli " + k)
assert len(cli["days"]) == len(exp["days"]) == 30, (len(cli["days"]), len(exp["days"]))
for d in cli["days"]:
    for k in ("data_h", "available_free_h", "missed_h", "missed_kwh"):
        same(d[k], exp["days"][d["period"]][k], d["period"] + " " + k)
assert C["missed_h"] > 20 and C["available_partial_h"] > 20 and C["plant_data_h"] < C["data_h"], C

# 2. The report: the same hours, under the CLI's names and its own.
for k in ("data_h", "available_free_h", "available_partial_h", "available_free_equiv_h",
          "used_free_h", "used_partial_h", "missed_h", "compressor_kwh", "missed_kwh"):
    same(R[k], C[k], "report " + k, 1e-12)
same(R["equivalent_full_hours"], C["used_free_equiv_h"], "report equivalent_full_hours", 1e-12)
same(R["hours_any"], C["used_free_h"] + C["used_partial_h"], "report hours_any", 1e-12)
same(R["hours_with_data"], C["plant_data_h"], "report hours_with_data", 1e-12)

# 3. The API over the same buckets.
assert A["step_ms"] == 3600000 and len(A["t"]) == 720, (A["step_ms"], len(A["t"]))
for k in ("data_h", "available_free_h", "available_partial_h", "available_free_equiv_h",
          "plant_data_h", "used_free_h", "used_partial_h", "missed_h", "compressor_kwh",
          "missed_kwh"):
    same(A[k], C[k], "api " + k, 1e-12)
same(A["available_h"], C["available_free_h"] + C["available_partial_h"], "api available_h", 1e-12)
same(A["used_h"], C["used_free_h"] + C["used_partial_h"], "api used_h", 1e-12)
# Per bucket: the available modes count to the same hours.
av = [x for x in A["available"] if x is not None]
assert len(av) == C["data_h"] and av.count(2) == C["available_free_h"], (len(av), av.count(2))
print("hours with data %.0f, available full %.0f / partial %.0f, used full %.0f / partial %.0f, "
      "missed %.0f h and %.1f kWh: CLI == report == API == Python"
      % (C["data_h"], C["available_free_h"], C["available_partial_h"], C["used_free_h"],
         C["used_partial_h"], C["missed_h"], C["missed_kwh"]))
PYEOF
ok "greendc freecool --period, the report and /api/v1/freecool report the same hours"
