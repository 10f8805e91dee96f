#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The worked example of docs/import-export.md: 13 monthly meter readings (utility in MWh, UPS
# output in kWh, local midnight in Europe/Berlin, closing the month before) imported from a
# spreadsheet, then the annual PUE. A counter integrates, so readings at both ends of a period
# meter it completely: the year and each month are published (coverage 100 %, exact energy),
# while a day inside a month — no reading at its ends — gets its share of the month's delta
# spread evenly, ESTIMATED, the gap named (issue 13; it used to be MISSING with 0 kWh).
. "$(dirname "$0")/lib.sh"
cd "$T"
cat >readings-2025.csv <<'C'
Ablesedatum,Zähler Netz (MWh),USV Ausgang (kWh)
2025-01-01 00:00,4180.512,2987310
2025-02-01 00:00,4298.730,3078150
2025-03-01 00:00,4405.102,3160020
2025-04-01 00:00,4521.930,3250400
2025-05-01 00:00,4636.004,3339110
2025-06-01 00:00,4755.871,3430030
2025-07-01 00:00,4882.300,3525320
2025-08-01 00:00,5011.114,3621880
2025-09-01 00:00,5134.020,3715440
2025-10-01 00:00,5253.777,3808520
2025-11-01 00:00,5368.210,3898140
2025-12-01 00:00,5481.655,3986910
2026-01-01 00:00,5599.001,4078330
C
cat >mapping.yaml <<'Y'
timestamp: Ablesedatum
columns:
  "Zähler Netz (MWh)": {device: utility, metric: energy_kwh, unit: MWh}
  "USV Ausgang (kWh)": {device: ups, metric: energy_kwh, labels: {side: output}, unit: kWh}
Y
cat >greendc.yaml <<Y
site: {id: ffm, name: Frankfurt example, timezone: Europe/Berlin}
storage: {path: greendc.db}
daemon: {profiles_dir: $top/etc/profiles, drivers_dir: $B/drivers}
devices:
  - {name: utility, driver: modbus, address: "tcp://127.0.0.1:1", profile: meter/eastron-sdm630, enabled: false}
  - {name: ups, driver: modbus, address: "tcp://127.0.0.1:1", profile: meter/eastron-sdm630, enabled: false}
energy:
  roles:
    facility_input: [{device: utility, metric: energy_kwh}]
    it_ups_output: [{device: ups, metric: energy_kwh, labels: {side: output}}]
  co2: {kg_per_kwh: 0.401, source: "test factor", year: 2023}
Y
G() { "$B/greendc" -c greendc.yaml "$@"; }
G import --mapping mapping.yaml --interval-end readings-2025.csv >import.out || { cat import.out; fail "import"; }
G pue --period 2025 --format csv | tail -n 1 >year.csv
$PY - year.csv <<'P' || { cat year.csv; fail "annual PUE from monthly readings"; }
import csv, sys
r = next(csv.reader(open(sys.argv[1])))
period, e_dc, e_it, pue, cov, status = r[0], float(r[4]), float(r[5]), r[6], float(r[7]), r[9]
# By hand: (5599.001 - 4180.512) MWh and 4078330 - 2987310 kWh.
assert period == "2025 annual", period
assert abs(e_dc - 1418489) < 1e-6 and abs(e_it - 1091020) < 1e-6, (e_dc, e_it)
assert status == "OK" and cov == 1.0, (status, cov)
assert abs(float(pue) - 1418489 / 1091020) < 1e-6, pue
print(f"ok - PUE1, 2025 annual, {float(pue):.4f} from 13 monthly readings (coverage 100 %)")
P
G pue --period 2025 --by month --format csv | tail -n +2 >months.csv
$PY - months.csv <<'P' || fail "monthly PUEs"
import csv, sys
dc = [4180.512, 4298.730, 4405.102, 4521.930, 4636.004, 4755.871, 4882.300, 5011.114,
      5134.020, 5253.777, 5368.210, 5481.655, 5599.001]
it = [2987310, 3078150, 3160020, 3250400, 3339110, 3430030, 3525320, 3621880, 3715440,
      3808520, 3898140, 3986910, 4078330]
rows = [r for r in csv.reader(open(sys.argv[1])) if r and r[0].startswith("2025-")]
assert len(rows) == 12, len(rows)
for k, r in enumerate(rows):
    e_dc, e_it = (dc[k + 1] - dc[k]) * 1000, it[k + 1] - it[k]
    assert abs(float(r[4]) - e_dc) < 1e-6 and abs(float(r[5]) - e_it) < 1e-6, (r, e_dc, e_it)
    assert r[9] == "OK", r
print("ok - each month's E_DC and E_IT equal its readings' differences, all OK")
P
G pue --period 2025-06-15 --format json >day.json 2>&1 || true
$PY - day.json <<'P' || { cat day.json; fail "a day inside a month is not the month's delta spread evenly, ESTIMATED"; }
import json, sys
j = json.load(open(sys.argv[1]))
t = j["total"]
# June's readings differ by 4882.300 - 4755.871 MWh and 3525320 - 3430030 kWh over its 30
# days; the day gets 1/30 of each, all of it estimated, and the gap is named.
assert t["status"] == "ESTIMATED" and t["estimated_share"] == 1.0, t
assert abs(t["e_dc_kwh"] - 126429 / 30) < 1e-6 and abs(t["e_it_kwh"] - 95290 / 30) < 1e-6, t
assert "evenly" in j["estimate_method"] and "2025-05-31T21:59:59Z..2025-06-30T21:59:59Z" in j["estimate_method"], j
assert len(j["gaps"]) == 2 and all(g["method"] == "evenly" for g in j["gaps"]), j["gaps"]
print("ok - a day inside a month: 1/30 of June, ESTIMATED (100 %%), the gap named: %s" % j["estimate_method"][:60])
P
