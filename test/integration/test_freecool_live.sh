#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The live free-cooling calculator over stored data: dcsim's plant controller changes over 2 K
# late (--late-changeover 2) at a simulated instant (2026-04-20 12:00, outdoor wet-bulb about
# 9.7 C) where full free cooling is available (HX leaving 14.7 C <= 15 C) but the plant runs
# partial with its chillers at minimum load. greendcd polls it; `greendc freecool --from --to`
# must report the hours as available-but-missed and the metered compressor kWh as avoidable.
# The same instant with --late-changeover 0 must report nothing missed.
. "$(dirname "$0")/lib.sh"

run_case() { # name, late K
	cn=$1
	P=$(free_port)
	mkdir -p "$T/$cn"
	sed -e "s/@PORT@/$P/g" -e "s|@B@|$B|g" >"$T/$cn/greendc.yaml" <<'Y'
site: {id: it, timezone: Asia/Shanghai, altitude_m: 778}
storage: {path: greendc.db, commit_interval: 200ms}
daemon: {workers: 2, max_backoff: 8s, drivers_dir: @B@/drivers, log_level: info}
devices:
  - {name: chiller-plant, driver: modbus, address: "tcp://127.0.0.1:@PORT@",
     profile: sim/dcsim-chiller-plant, interval: 1s, timeout: 500ms, options: {unit_id: 20}}
  - {name: weather, driver: modbus, address: "tcp://127.0.0.1:@PORT@",
     profile: sim/dcsim-weather, interval: 1s, timeout: 500ms, options: {unit_id: 40}}
  - {name: crah-1, driver: modbus, address: "tcp://127.0.0.1:@PORT@",
     profile: sim/dcsim-crah, interval: 1s, timeout: 500ms, options: {unit_id: 21}}
cooling:
  economizer: tower
  chw_supply_c: 15
  chw_return_c: 21
  approach_tower_k: 3
  approach_hx_k: 2
  tower_min_c: 5
  outdoor:
    dry_bulb: "weather outdoor_temp_c*"
    rh: "weather outdoor_rh_pct*"
    pressure: "weather outdoor_pressure_pa*"
  plant:
    free_cooling_pct: "chiller-plant free_cooling_pct*"
    compressor_power_w: "chiller-plant compressor_power_w*"
    cooling_mode: "chiller-plant cooling_mode*"
    cooling_power_w: "chiller-plant cooling_w*"
    it_inlet: "crah-* inlet_temp_c*"
    it_rh: "crah-* humidity_pct*"
Y
	# profiles: the source tree's etc/profiles
	ln -s "$top/etc/profiles" "$T/$cn/profiles"
	"$B/greendc" check-config "$T/$cn/greendc.yaml" >/dev/null || fail "$cn: config invalid"
	bg "dcsim_$cn" "$B/dcsim" --port "$P" --start 2026-04-20T12:00 --late-changeover "$2"
	wait_port "$P"
	from=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	bg "greendcd_$cn" "$B/greendcd" -c "$T/$cn/greendc.yaml"
	sleep 14
	stop "greendcd_$cn"
	stop "dcsim_$cn"
	to=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	"$B/greendc" -c "$T/$cn/greendc.yaml" freecool --from "$from" --to "$to" --step 1s \
		--format json >"$T/$cn/out.json" || fail "$cn: greendc freecool failed"
	"$B/greendc" -c "$T/$cn/greendc.yaml" freecool --from "$from" --to "$to" --step 1s \
		>"$T/$cn/out.txt" || fail "$cn: table output failed"
	# The inlet and its room RH, bucketed the same way, for an independent dew point.
	"$B/greendc" -c "$T/$cn/greendc.yaml" query 'crah-* inlet_temp_c*' --from "$from" --to "$to" \
		--step 1s --agg avg --format csv >"$T/$cn/inlet.csv" || fail "$cn: query inlet"
	"$B/greendc" -c "$T/$cn/greendc.yaml" query 'crah-* humidity_pct*' --from "$from" --to "$to" \
		--step 1s --agg avg --format csv >"$T/$cn/rh.csv" || fail "$cn: query rh"
}

run_case late 2
run_case ideal 0
cat "$T/late/out.txt"

$PY - "$T/late/out.json" "$T/ideal/out.json" <<'PYEOF'
import json, sys
late, ideal = (json.load(open(p)) for p in sys.argv[1:3])
L, I = late["total"], ideal["total"]
print("late:", L)
print("ideal:", I)
# At least 8 s of data each (14 s run, 1 s polls).
assert L["data_h"] >= 8 / 3600 and I["data_h"] >= 8 / 3600, (L, I)
# Late plant: free cooling available all the time, never used; every second missed.
assert abs(L["available_free_h"] - L["data_h"]) < 1e-9, L
assert L["plant_data_h"] >= 8 / 3600 and I["plant_data_h"] >= 8 / 3600, (L, I)
assert L["used_free_h"] == 0 and abs(L["used_partial_h"] - L["plant_data_h"]) < 1e-9, L
assert abs(L["missed_h"] - L["plant_data_h"]) < 1e-9, L
# The chillers run at their minimum load (about 13 kW metered): all of it was avoidable.
kw = L["compressor_kwh"] / L["data_h"]
assert 5 < kw < 40, kw
assert L["missed_kwh"] > 0 and abs(L["missed_kwh"] - L["compressor_kwh"]) < 1e-9, L
# Ideal plant: full free cooling used whenever available, compressors off, nothing missed.
assert abs(I["used_free_h"] - I["plant_data_h"]) < 1e-9 and I["missed_h"] == 0, I
assert I["missed_kwh"] == 0 and I["compressor_kwh"] == 0, I
# Per-day and per-month rows add up to the total.
for o in (late, ideal):
    assert abs(sum(d["missed_h"] for d in o["days"]) - o["total"]["missed_h"]) < 1e-12
    assert abs(sum(m["missed_kwh"] for m in o["months"]) - o["total"]["missed_kwh"]) < 1e-12
# Envelope: the CRAH's IT inlet (about 23 C) is inside A1 recommended.
inl = late["envelope"]["inlets"]
assert len(inl) == 1 and 18 < inl[0]["min_c"] <= inl[0]["max_c"] < 27, inl
assert inl[0]["above_h"] == 0 and inl[0]["below_h"] == 0, inl
# Dew point from the inlet and the same CRAH's room RH (Magnus over water, an independent
# formula within 0.1 K of Hyland-Wexler here), against the class's -9..15 C dew-point range.
import csv, math, os
d = os.path.dirname(sys.argv[1])
tin = {r[0]: float(r[1]) for r in list(csv.reader(open(d + "/inlet.csv")))[1:] if r[1]}
rh = {r[0]: float(r[1]) for r in list(csv.reader(open(d + "/rh.csv")))[1:] if r[1]}
def magnus(t, h):
    g = math.log(h / 100) + 17.62 * t / (243.12 + t)
    return 243.12 * g / (17.62 - g)
dps = [magnus(tin[k], rh[k]) for k in tin if k in rh]
assert len(dps) >= 8, len(dps)
x = inl[0]
assert x["rh_series"].startswith("crah-1 humidity_pct"), x
assert abs(x["dew_point_min_c"] - min(dps)) < 0.15 and abs(x["dew_point_max_c"] - max(dps)) < 0.15, (x, min(dps), max(dps))
env = late["envelope"]
outside = sum(1 for v in dps if v < env["dew_point_min_c"] or v > env["dew_point_max_c"])
assert abs((x["dew_point_below_h"] + x["dew_point_above_h"]) * 3600 - outside) < 1e-6, (x, outside)
print("inlet dew point %.2f..%.2f C (independent %.2f..%.2f)" % (x["dew_point_min_c"], x["dew_point_max_c"], min(dps), max(dps)))
PYEOF
ok "late changeover reported as missed hours and kWh; ideal controller misses nothing"

# The what-if takes its cooling load from the stored cooling power when --cooling-kw is not
# given (dcsim: about 1.08 x 400 kW x the diurnal factor, ~470 kW at noon).
$PY - "$T/w.epw" <<'PYEOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write("LOCATION,Tiny,XX,CHN,T,1,37.8,112.6,8.0,778\n" + "".join("H%d\n" % i for i in range(7)))
    for h in range(24):
        f.write("2005,4,1,%d,0,?9,%.1f,%.1f,50,92300\n" % (h + 1, 5.0 + h, 0.0))
PYEOF
"$B/greendc" -c "$T/late/greendc.yaml" freecool --weather "$T/w.epw" --steps 2 --format json \
	>"$T/wi.json" || fail "what-if with the stored load failed"
$PY - "$T/wi.json" <<'PYEOF'
import json, sys
o = json.load(open(sys.argv[1]))
ld = o["load"]
assert ld["source"].startswith("stored"), ld
assert 380 < ld["cooling_kw"] < 560, ld
s = o["setpoints"]
kwh = ld["cooling_kw"] * (s[2]["free_equiv_h"] - s[0]["free_equiv_h"]) / ld["cop"]
assert kwh > 0 and abs(s[2]["kwh_saved"] - kwh) < 1e-6, (s, kwh)
print("stored cooling load %.1f kW, +2 K saves %.1f kWh on the tiny year" % (ld["cooling_kw"], kwh))
PYEOF
ok "what-if kWh use the site's stored cooling load"
