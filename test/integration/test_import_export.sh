#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# History import and export (docs/import-export.md), end to end through the CLI:
# - a year of hourly readings for a small site (utility feed, UPS output, chiller, water),
#   generated here with known totals and mixed units, imported in long format; `greendc pue`
#   and `kpi` for every month of 2025 and for the year equal the totals computed here;
# - re-import changes nothing (the database file is byte-identical);
# - a file with exactly 5 bad lines: those 5 line numbers are reported, nothing is imported,
#   with and without --dry-run;
# - an import killed with SIGKILL half-way leaves the database as it was;
# - an open database (a process holding it, as greendcd would) is refused;
# - export then re-import into an empty store gives the same PUE and KPIs, and
#   `export --report` gives files from which the month's PUE recomputes;
# - wide format with a mapping file and unit conversion.
. "$(dirname "$0")/lib.sh"
G() { "$B/greendc" -c "$T/site.yaml" "$@"; }

cat >"$T/site.yaml" <<Y
site: {id: t, name: import test site, timezone: Europe/Berlin}
storage: {path: greendc.db}
daemon: {profiles_dir: $top/etc/profiles}
devices:
  - {name: utility, driver: modbus, address: "tcp://127.0.0.1:1", profile: meter/eastron-sdm630}
  - {name: ups, driver: modbus, address: "tcp://127.0.0.1:1", profile: meter/eastron-sdm630}
  - {name: chiller, driver: modbus, address: "tcp://127.0.0.1:1", profile: meter/eastron-sdm630}
  - {name: water, driver: modbus, address: "tcp://127.0.0.1:1", profile: meter/eastron-sdm630}
energy:
  roles:
    facility_input: [{device: utility, metric: energy_kwh}]
    it_ups_output: [{device: ups, metric: energy_kwh, labels: {side: output}}]
    cooling: [{device: chiller, metric: energy_kwh}]
    water_intake: [{device: water, metric: water_m3}]
  co2: {kg_per_kwh: 0.5366, source: "MEE/NBS China national grid average", year: 2022}
Y

# The year: hourly cumulative readings from 2024-12-31T00:00Z to 2026-01-01T00:00Z (so every
# local hour of 2025 in Europe/Berlin has one), increments random but seeded. UPS output in Wh,
# chiller in MWh, the rest in kWh / m3. Expected totals per local month: the sum of the
# increments of the readings inside the month (a counter's increase belongs to the bucket of
# its later reading, docs/internals/store.md), in kWh and litres.
$PY - "$T" <<'P'
import csv, datetime as dt, json, random, sys
from zoneinfo import ZoneInfo
T = sys.argv[1]
tz = ZoneInfo("Europe/Berlin")
rnd = random.Random(9)
t = dt.datetime(2024, 12, 31, tzinfo=dt.timezone.utc)
end = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
cum = {"utility": 1234567.891, "ups": 987654321.0, "chiller": 45.678, "water": 321.5}
prev = None
tot = {}
with open(f"{T}/year.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["timestamp", "device", "metric", "value", "labels", "unit"])
    while t <= end:
        cum["utility"] = round(cum["utility"] + rnd.uniform(110, 140), 3)
        cum["ups"] = round(cum["ups"] + rnd.uniform(80000, 95000), 0)       # Wh
        cum["chiller"] = round(cum["chiller"] + rnd.uniform(0.015, 0.025), 6)  # MWh
        cum["water"] = round(cum["water"] + rnd.uniform(0.5, 2.0), 3)      # m3
        ts = t.strftime("%Y-%m-%dT%H:%M:%SZ")
        w.writerow([ts, "utility", "energy_kwh", "%.3f" % cum["utility"], "", "kWh"])
        w.writerow([ts, "ups", "energy_kwh", "%.0f" % cum["ups"], "side=output", "Wh"])
        w.writerow([ts, "chiller", "energy_kwh", "%.6f" % cum["chiller"], "", "MWh"])
        w.writerow([ts, "water", "water_m3", "%.3f" % cum["water"], "", "m3"])
        # the same conversion as the importer: value x factor
        now = {"fac": cum["utility"], "it": cum["ups"] * 1e-3, "cool": cum["chiller"] * 1e3,
               "water": cum["water"] * 1000}
        if prev:
            loc = t.astimezone(tz)
            for key in ("%04d-%02d" % (loc.year, loc.month), "%04d" % loc.year):
                d = tot.setdefault(key, {k: 0.0 for k in now})
                for k in now:
                    d[k] += now[k] - prev[k]
        prev = now
        t += dt.timedelta(hours=1)
json.dump(tot, open(f"{T}/expected.json", "w"))
P
rows=$(($(wc -l <"$T/year.csv") - 1))
G import "$T/year.csv" >"$T/imp1.out" 2>"$T/imp1.err" || { cat "$T/imp1.err"; fail "import of the year failed"; }
grep -q "^$T/year.csv: $rows rows read, $rows written, 0 rejected" "$T/imp1.out" ||
	{ cat "$T/imp1.out"; fail "summary: expected $rows rows read and written"; }
ok "a year of hourly readings imported ($rows rows)"

# The KPIs of every month and of the year against the generated totals.
check_kpis() { # label
	for p in 2025-01 2025-02 2025-03 2025-04 2025-05 2025-06 2025-07 2025-08 2025-09 2025-10 \
		2025-11 2025-12 2025; do
		G pue --period "$p" --format csv >"$T/pue-$p.csv" || fail "$1: pue --period $p failed"
		G kpi --period "$p" --format csv >"$T/kpi-$p.csv" || fail "$1: kpi --period $p failed"
	done
	$PY - "$T" "$1" <<'P' || fail "$1: KPIs differ from the generated totals"
import csv, json, sys
T, what = sys.argv[1], sys.argv[2]
exp = json.load(open(f"{T}/expected.json"))
for p in ["2025-%02d" % m for m in range(1, 13)] + ["2025"]:
    e = exp[p]
    row = list(csv.DictReader(open(f"{T}/pue-{p}.csv")))[-1]
    assert row["status"] == "OK", (p, row)
    assert abs(float(row["e_dc_kwh"]) - e["fac"]) < 0.002, (p, row["e_dc_kwh"], e["fac"])
    assert abs(float(row["e_it_kwh"]) - e["it"]) < 0.002, (p, row["e_it_kwh"], e["it"])
    pue = e["fac"] / e["it"]
    assert abs(float(row["pue"]) - pue) < 2e-6, (p, row["pue"], pue)
    if p == "2025":
        assert row["period"] == "2025 annual", row["period"]
    k = {r["kpi"]: r for r in csv.DictReader(open(f"{T}/kpi-{p}.csv"))}
    def val(name):
        return float(k[name]["value"])
    assert abs(val("PUE") - pue) < 1e-3, (p, k["PUE"])
    assert abs(val("WUE") - e["water"] / e["it"]) < 1e-3, (p, k["WUE"], e["water"] / e["it"])
    assert abs(val("pPUE cooling") - (e["cool"] + e["it"]) / e["it"]) < 1e-3, (p, k["pPUE cooling"])
    assert abs(val("CUE") - e["fac"] * 0.5366 / e["it"]) < 1e-3, (p, k["CUE"])
print("ok - %s: pue and kpi for 12 months and the year equal the generated totals" % what)
P
}
check_kpis "imported year"

# Re-import: nothing written, the file untouched.
sum1=$(sha256sum <"$T/greendc.db")
G import "$T/year.csv" >"$T/imp2.out" 2>&1 || { cat "$T/imp2.out"; fail "re-import failed"; }
grep -q "$rows rows read, 0 written, 0 rejected, $rows unchanged" "$T/imp2.out" ||
	{ cat "$T/imp2.out"; fail "re-import was not a no-op"; }
[ "$(sha256sum <"$T/greendc.db")" = "$sum1" ] || fail "re-import changed the database file"
ok "re-import is idempotent (0 written, database byte-identical)"

# Five bad lines among good ones (line 1 is the header).
cat >"$T/bad.csv" <<C
timestamp,device,metric,value,labels,unit
2026-02-01T00:00:00Z,utility,energy_kwh,2000000,,kWh
2026-02-01T01:00:00Z,utility,energy_kwh,2000100,,kWh
2026-02-31T02:00:00Z,utility,energy_kwh,2000200,,kWh
2026-02-01T02:00:00Z,pump,energy_kwh,10,,kWh
2026-02-01T02:00:00Z,utility,energy_kwh,lots,,kWh
2026-02-01T00:30:00Z,utility,energy_kwh,2000050,,kWh
2026-02-01T03:00:00Z,utility,energy_kwh,2000300,,kWh
2026-02-01T03:00:00Z,ups,energy_kwh,5,side=output,furlongs
2026-02-01T04:00:00Z,utility,energy_kwh,2000400,,kWh
C
for mode in --dry-run ""; do
	set +e
	G import $mode "$T/bad.csv" >"$T/bad.out" 2>"$T/bad.err"
	rc=$?
	set -e
	[ $rc = 1 ] || { cat "$T/bad.out" "$T/bad.err"; fail "bad file $mode: exit $rc, expected 1"; }
	got=$(sed -n 's|^[^:]*bad.csv:\([0-9]*\): .*|\1|p' "$T/bad.err" | tr '\n' ' ')
	[ "$got" = "4 5 6 7 9 " ] || { cat "$T/bad.err"; fail "bad file $mode: reported lines '$got'"; }
	grep -q "9 rows read, 0 written, 5 rejected" "$T/bad.out" || { cat "$T/bad.out"; fail "summary: 9 read, 0 written, 5 rejected"; }
	[ "$(sha256sum <"$T/greendc.db")" = "$sum1" ] || fail "a rejected import $mode changed the database"
	[ ! -e "$T/greendc.db.import-tmp" ] || fail "a rejected import left its staging copy"
done
grep -q "unparseable time" "$T/bad.err" && grep -q "unknown series" "$T/bad.err" &&
	grep -q "non-numeric value" "$T/bad.err" && grep -q "out-of-order counter" "$T/bad.err" &&
	grep -q "unit cannot be converted" "$T/bad.err" || { cat "$T/bad.err"; fail "reasons"; }
ok "5 bad lines reported by line number with reasons; nothing imported (dry run and real)"

# An open database is refused (greendcd keeps its connection open the same way).
bg holder $PY -c "
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1]); c.execute('select count(*) from series').fetchall()
open(sys.argv[2], 'w').close(); time.sleep(30)" "$T/greendc.db" "$T/holding"
n=0
while [ ! -e "$T/holding" ]; do n=$((n + 1)); [ $n -lt 100 ] || fail "holder did not start"; sleep 0.1; done
set +e
G import "$T/year.csv" >"$T/busy.out" 2>&1
rc=$?
set -e
stop holder
[ $rc = 1 ] && grep -q "is open by process $PID_holder" "$T/busy.out" ||
	{ cat "$T/busy.out"; fail "import into an open database was not refused (rc $rc)"; }
ok "import refuses a database another process has open"

# kill -9 half-way through a large import: the database is as it was.
awk 'BEGIN { print "timestamp,device,metric,value,labels";
	t = 1767225600; v = 3000000;
	for (i = 0; i < 1500000; i++) { v += 0.25;
		printf "%s,utility,energy_kwh,%.2f,feed=big\n", strftime("%Y-%m-%dT%H:%M:%SZ", t + i * 10, 1), v } }' >"$T/big.csv"
bg imp "$B/greendc" -c "$T/site.yaml" import "$T/big.csv"
n=0
# Wait until the staging copy holds imported blocks (committed batches), then kill.
while :; do
	n=$((n + 1))
	[ $n -lt 300 ] || fail "import did not start writing"
	sz=$(stat -c %s "$T/greendc.db.import-tmp-wal" 2>/dev/null || echo 0)
	[ "$sz" -gt 1000000 ] && break
	alive imp || { cat "$T/imp.log"; fail "import finished before the kill: make big.csv bigger"; }
	sleep 0.05
done
crash imp
[ "$(sha256sum <"$T/greendc.db")" = "$sum1" ] || fail "kill -9 mid-import changed the database"
G series >"$T/series.out"
! grep -q "feed=big" "$T/series.out" || fail "a killed import left a series"
check_kpis "after kill -9"
ok "kill -9 mid-import (WAL of the staging copy at $sz bytes) left no partial data"
# The next import cleans up the leftover copy and works.
G import --dry-run "$T/big.csv" >"$T/after.out" 2>&1 || { cat "$T/after.out"; fail "dry run after kill"; }
grep -q "1500000 rows read, 1500000 written, 0 rejected" "$T/after.out" || { cat "$T/after.out"; fail "dry run summary"; }

# Export, re-import into an empty store: the same KPIs. The default raw_retention (90 days)
# has reduced most of the year to rollups, like live data: the hourly `last` of a counter is
# its reading at the end of each hour, which re-imports to the same hourly energy.
G export --step 1h --agg last --output "$T/export.csv" 2>"$T/export.err" || { cat "$T/export.err"; fail "export failed"; }
G export --from 2025-12-01 --format jsonl 'ups*' >"$T/export.jsonl" 2>/dev/null || fail "export jsonl failed"
$PY - "$T/export.jsonl" "$T/year.csv" <<'P' || fail "JSON Lines raw export"
import csv, json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
src = [r for r in csv.DictReader(open(sys.argv[2])) if r["device"] == "ups" and r["timestamp"] >= "2025-12-01"]
assert len(rows) == len(src) == 745, (len(rows), len(src))
for a, b in zip(rows, src):
    assert a["timestamp"] == b["timestamp"] and a["labels"] == "side=output" and a["unit"] == "kWh", (a, b)
    assert a["value"] == float(b["value"]) * 1e-3, (a, b)
P
cp "$T/site.yaml" "$T/site2.yaml"
sed -i "s|path: greendc.db|path: copy.db|" "$T/site2.yaml"
"$B/greendc" -c "$T/site2.yaml" import "$T/export.csv" >"$T/imp3.out" 2>&1 || { cat "$T/imp3.out"; fail "re-import of the export"; }
for p in 2025-01 2025-07 2025-10 2025; do
	"$B/greendc" -c "$T/site2.yaml" kpi --period $p --format csv >"$T/kpi2-$p.csv"
	cmp -s "$T/kpi-$p.csv" "$T/kpi2-$p.csv" || { diff "$T/kpi-$p.csv" "$T/kpi2-$p.csv"; fail "KPIs of $p differ after export/re-import"; }
done
# Idempotent again, on the exported form.
"$B/greendc" -c "$T/site2.yaml" import "$T/export.csv" | grep -q " 0 written, 0 rejected" || fail "export re-import not idempotent"
ok "export -> re-import into an empty store reproduces the KPIs"

# The audit files of October 2025: PUE recomputes from the interval rows, and each role's
# interval energy from the raw readings (increments of readings in the month, from the
# reading before it).
mkdir "$T/audit"
G export --report 2025-10 --out-dir "$T/audit" >"$T/report.out" || fail "export --report"
$PY - "$T/audit" "$T/kpi-2025-10.csv" <<'P' || fail "report files do not recompute the KPIs"
import csv, sys
d = sys.argv[1]
iv = list(csv.DictReader(open(f"{d}/greendc-report-2025-10-intervals.csv")))
assert len({r["from"] for r in iv}) == 745, len({r["from"] for r in iv})  # October has 745 h in Berlin
tot = {}
for r in iv:
    tot[r["role"]] = tot.get(r["role"], 0) + float(r["value"])
kpi = {r["kpi"]: float(r["value"]) for r in csv.DictReader(open(sys.argv[2])) if r["value"]}
assert abs(tot["facility_input"] / tot["it_ups_output"] - kpi["PUE"]) < 1e-4
summ = {r["item"]: r for r in csv.DictReader(open(f"{d}/greendc-report-2025-10-summary.csv"))}
assert abs(float(summ["PUE"]["value"]) - tot["facility_input"] / tot["it_ups_output"]) < 1e-9
by = {}
for r in csv.DictReader(open(f"{d}/greendc-report-2025-10-readings.csv")):
    by.setdefault(r["role"], []).append(float(r["value"]) * (1000 if r["metric"] == "water_m3" else 1))
for role, v in by.items():
    e = v[-1] - v[0]
    assert abs(e - tot[role]) < 1e-6 * max(1, e), (role, e, tot[role])
P
ok "export --report: intervals, readings and summary recompute October's KPIs"

# Wide format: a mapping file, units declared per column, local timestamps.
cat >"$T/map.yaml" <<Y
timestamp: Zeit
columns:
  "Netz MWh": {device: utility, metric: energy_kwh, labels: {feed: wide}, unit: MWh}
  "USV kW": {device: ups, metric: power_w, labels: {side: output}, unit: kW}
  "Kaltwasser F": {device: chiller, metric: chw_supply_temp_c, unit: F}
Y
printf '\357\273\277Zeit,Netz MWh,USV kW,Kaltwasser F\r\n2026-03-29 01:00,1.5,90,50\n2026-03-29 03:00,1.6,,41\n' >"$T/wide.csv"
G import --mapping "$T/map.yaml" "$T/wide.csv" >"$T/wide.out" 2>&1 || { cat "$T/wide.out"; fail "wide import"; }
G export 'utility energy_kwh{feed=wide}' >"$T/w1.csv" 2>/dev/null
G export 'ups power_w*' >"$T/w2.csv" 2>/dev/null
G export 'chiller chw*' >"$T/w3.csv" 2>/dev/null
# 01:00 CET = 00:00Z; 03:00 CEST (after the spring-forward gap) = 01:00Z
grep -q "^2026-03-29T00:00:00Z,utility,energy_kwh,feed=wide,1500,kWh" "$T/w1.csv" &&
	grep -q "^2026-03-29T01:00:00Z,utility,energy_kwh,feed=wide,1600,kWh" "$T/w1.csv" &&
	grep -q "^2026-03-29T00:00:00Z,ups,power_w,side=output,90000,W" "$T/w2.csv" &&
	[ "$(grep -c power_w "$T/w2.csv")" = 1 ] &&
	grep -q "^2026-03-29T00:00:00Z,chiller,chw_supply_temp_c,,10,C" "$T/w3.csv" &&
	grep -q "^2026-03-29T01:00:00Z,chiller,chw_supply_temp_c,,5,C" "$T/w3.csv" ||
	{ cat "$T/wide.out" "$T/w1.csv" "$T/w2.csv" "$T/w3.csv"; fail "wide import values"; }
printf 'Zeit,Netz MWh,Pumpe\n2026-03-29 02:30,1.7,3\n' >"$T/wide2.csv"
set +e
G import --mapping "$T/map.yaml" "$T/wide2.csv" >"$T/wide2.out" 2>&1
rc=$?
set -e
[ $rc = 1 ] && grep -q 'wide2.csv:1: column "Pumpe" is an unknown series' "$T/wide2.out" &&
	grep -q "wide2.csv:2: local time does not exist" "$T/wide2.out" ||
	{ cat "$T/wide2.out"; fail "wide: unmapped column / DST gap not rejected (rc $rc)"; }
ok "wide format: mapping, unit conversion (MWh, kW, F), local time across DST, unmapped column"

# The worked example of docs/import-export.md: monthly readings stamped at the end of the
# month they close, with --interval-end; each month's energy is its two readings' difference.
cat >"$T/monthly.csv" <<C
Ablesedatum,Zähler Netz (MWh),USV Ausgang (kWh)
2025-01-01 00:00,4180.512,2987310
2025-02-01 00:00,4298.730,3078150
2025-03-01 00:00,4405.102,3160020
C
cat >"$T/monthly.yaml" <<Y
timestamp: Ablesedatum
columns:
  "Zähler Netz (MWh)": {device: utility, metric: energy_kwh, labels: {meter: bill}, unit: MWh}
  "USV Ausgang (kWh)": {device: ups, metric: energy_kwh, labels: {side: output, meter: bill}, unit: kWh}
Y
sed -e "s|path: greendc.db|path: monthly.db|" -e "s|{device: utility, metric: energy_kwh}|{device: utility, metric: energy_kwh, labels: {meter: bill}}|" "$T/site.yaml" >"$T/site3.yaml"
"$B/greendc" -c "$T/site3.yaml" import --mapping "$T/monthly.yaml" --interval-end "$T/monthly.csv" >"$T/m.out" 2>&1 || { cat "$T/m.out"; fail "monthly import"; }
"$B/greendc" -c "$T/site3.yaml" pue --period 2025-01 --format csv | tail -1 >"$T/m1.csv"
"$B/greendc" -c "$T/site3.yaml" pue --period 2025-02 --format csv | tail -1 >"$T/m2.csv"
cut -d, -f5,6 "$T/m1.csv" | grep -qx "118218.000,90840.000" &&
	cut -d, -f5,6 "$T/m2.csv" | grep -qx "106372.000,81870.000" ||
	{ cat "$T/m.out" "$T/m1.csv" "$T/m2.csv"; fail "monthly readings: energy not in the month they close"; }
ok "monthly readings with --interval-end: each month's energy is its readings' difference"

# History under live data: a store with December's readings (as the daemon would have
# written them) gets the year's history, overlapping December's first 36 hours with other
# values. keep-live: the stored series is rebuilt with the history before it, the overlap
# dropped, the replaced series kept under a renamed metric.
sed -e "s|path: greendc.db|path: live.db|" "$T/site.yaml" >"$T/site4.yaml"
$PY - "$T" <<'P'
import datetime as dt, sys
T = sys.argv[1]
t0 = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
dec = dt.datetime(2025, 12, 1, tzinfo=dt.timezone.utc)
end = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
h = dt.timedelta(hours=1)
with open(f"{T}/live.csv", "w") as live, open(f"{T}/hist.csv", "w") as hist:
    for f in (live, hist):
        f.write("timestamp,device,metric,value\n")
    t, v = t0, 500000.0
    while t <= end:
        s = t.strftime("%Y-%m-%dT%H:%M:%SZ")
        if t >= dec:
            live.write(f"{s},utility,energy_kwh,{v:.1f}\n")
        if t < dec + 36 * h:
            hist.write(f"{s},utility,energy_kwh,{v + (0.5 if t >= dec else 0):.1f}\n")
        t += h
        v += 100
P
G4() { "$B/greendc" -c "$T/site4.yaml" "$@"; }
G4 import "$T/live.csv" >/dev/null || fail "live part"
G4 import "$T/hist.csv" >"$T/h1.out" 2>&1 || { cat "$T/h1.out"; fail "history under live data"; }
grep -q "8052 rows read, 8761 written, 0 rejected, 0 unchanged, 36 dropped by keep-live; series: 0 new, 0 appended, 1 rebuilt" "$T/h1.out" ||
	{ cat "$T/h1.out"; fail "history import summary"; }
G4 series >"$T/h.series"
grep -q "utility energy_kwh~replaced@" "$T/h.series" || fail "the replaced series is not kept"
# The merged history: 8,016 hours of history before December, then December as stored (its
# values, not the overlapping history's +0.5). Most of it is rollup-only now (raw_retention 90
# days of data time), so it is read back as each hour's last total.
G4 export 'utility energy_kwh' --step 1h --agg last >"$T/h.csv" 2>/dev/null
$PY - "$T/h.csv" "$T/hist.csv" "$T/live.csv" <<'P' || fail "merged history"
import csv, sys
got = [(r["timestamp"], float(r["value"])) for r in csv.DictReader(open(sys.argv[1]))]
hist = [(r["timestamp"], float(r["value"])) for r in csv.DictReader(open(sys.argv[2]))]
live = [(r["timestamp"], float(r["value"])) for r in csv.DictReader(open(sys.argv[3]))]
want = [x for x in hist if x[0] < "2025-12-01"] + live
assert got == want, (len(got), len(want), [(a, b) for a, b in zip(got, want) if a != b][:3])
P
sum4=$(sha256sum <"$T/live.db")
G4 import "$T/hist.csv" >"$T/h2.out" 2>&1 || { cat "$T/h2.out"; fail "re-import of history"; }
grep -q "8052 rows read, 0 written, 0 rejected, 8016 unchanged, 36 dropped by keep-live; series: 0 new, 0 appended, 0 rebuilt" "$T/h2.out" ||
	{ cat "$T/h2.out"; fail "re-import of history (rollup-only hours compared) not a no-op"; }
[ "$(sha256sum <"$T/live.db")" = "$sum4" ] || fail "re-import of history changed the database"
# Refused, and the database untouched: a row before the rollup-only history, and
# keep-imported over stored hours (December's raw would be replaced: needs a rebuild that would
# lose the rollup-only hours).
printf 'timestamp,device,metric,value\n2024-12-31T00:00:00Z,utility,energy_kwh,1\n' >"$T/early.csv"
for args in "$T/early.csv" "--on-overlap keep-imported $T/hist.csv"; do
	set +e
	G4 import $args >"$T/h3.out" 2>&1
	rc=$?
	set -e
	[ $rc = 1 ] && grep -q "raw_retention" "$T/h3.out" || { cat "$T/h3.out"; fail "import $args: not refused (rc $rc)"; }
	[ "$(sha256sum <"$T/live.db")" = "$sum4" ] || fail "a refused import ($args) changed the database"
done
ok "history under live data: rebuilt with keep-live, idempotent over rollup-only hours, refusals leave the store as it was"

# Meters as they come (issue 13): nine days of the demo site's readings from dcsim's history
# generator (1-minute readings as the registers show them: PDU A's 16-bit kWh register
# wrapping, utility-b's meter replaced), imported into the demo configuration as shipped
# (only its paths changed). The import judges each counter with its profile's width and
# resolution and its device's rated power, as the daemon does: a wrap is a wrap (it used to be
# a reset: raw 65534 -> 1 counted 1 instead of 3), the replacement the one discontinuity. A
# re-import across the replacement and the wraps is unchanged, raw hours and rollup-only hours
# (the demo keeps 7 days of raw) alike.
(umask 077 && echo "whsec_dGVzdC1rZXktZm9yLWltcG9ydC10ZXN0cw==" >"$T/central.key")
DB_NAME=meters.db demo_config "$T/demo.yaml"
"$B/dcsim" --history "$T/meters.csv" --start 2026-09-15 --end 2026-09-24 --step 1m --no-gap \
	--replace-at 2026-09-21T14:00 2>"$T/gen.err" || { cat "$T/gen.err"; fail "dcsim --history"; }
grep -q "wrapped [1-9]" "$T/gen.err" || { cat "$T/gen.err"; fail "the history has no wrap"; }
GD() { "$B/greendc" -c "$T/demo.yaml" "$@"; }
GD import --interval-end "$T/meters.csv" >"$T/m1.out" 2>&1 || { cat "$T/m1.out"; fail "importing the demo history"; }
sql "$T/meters.db" "SELECT s.device, s.metric, s.labels, e.kind FROM events e JOIN series s ON s.id = e.series WHERE e.kind LIKE 'counter_%'" >"$T/m.events"
n=$(grep -c '^utility-b|energy_kwh|.*|counter_reset$' "$T/m.events" || true)
[ "$n" = 4 ] && [ "$(wc -l <"$T/m.events")" = 4 ] ||
	{ cat "$T/m.events"; fail "expected the 4 counter_reset events of utility-b's replacement and nothing else"; }
sql "$T/meters.db" "SELECT counter_bits, max_rate * 3600000, counter_scale FROM series WHERE device = 'pdu-a' AND metric = 'energy_kwh'" >"$T/m.pdu"
[ "$(cat "$T/m.pdu")" = "16|300000.0|1.0" ] || { cat "$T/m.pdu"; fail "PDU A's counter not described by its profile and rated power"; }
ok "demo history: PDU A's wraps counted as wraps (16-bit, 300 kW), the replacement the only discontinuity"
sum5=$(sha256sum <"$T/meters.db")
GD import --interval-end "$T/meters.csv" >"$T/m2.out" 2>&1 || { cat "$T/m2.out"; fail "re-importing the demo history"; }
rows=$(($(wc -l <"$T/meters.csv") - 1))
grep -q "$rows rows read, 0 written, 0 rejected, $rows unchanged, 0 dropped by keep-live" "$T/m2.out" ||
	{ cat "$T/m2.out"; fail "re-import across a meter replacement and wraps not reported unchanged"; }
[ "$(sha256sum <"$T/meters.db")" = "$sum5" ] || fail "re-import of the demo history changed the database"
ok "re-import across the meter replacement and the wraps: $rows rows unchanged, database byte-identical"
