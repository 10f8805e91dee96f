#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The monthly report on a fixed scenario (October 2026, written through the real store writer
# by build/test/test_report with GDC_REPORT_FIXTURE): its E_DC, E_IT, coverage, category and
# every KPI equal what `greendc pue` and `greendc kpi` print for the same period; the JSON
# validates against docs/report.schema.json (python3-jsonschema); CSV and the zh/en HTML pages
# are produced; `--enqueue` stores it and queues it once (a second run over unchanged data
# queues nothing), and greendcd pushes it to the reference receiver, whose /sites then shows
# the site's PUE and grade.
. "$(dirname "$0")/lib.sh"

F="$T/fixture"
GDC_REPORT_FIXTURE="$F" "$B/test/test_report" >"$T/unit.log" 2>&1 || { cat "$T/unit.log"; fail "fixture"; }
G() { "$B/greendc" -c "$F/greendc.yaml" "$@"; }
G report --month 2026-10 >"$T/report.json" || fail "greendc report failed"
G pue --period 2026-10 --format json >"$T/pue.json" || fail "greendc pue failed"
G kpi --period 2026-10 --format json >"$T/kpi.json" || fail "greendc kpi failed"
$PY - "$T/report.json" "$T/pue.json" "$T/kpi.json" "$top/docs/report.schema.json" <<'P' || fail "report differs from pue/kpi or does not validate"
import json, sys, jsonschema
rep, pue, kpi, schema = (json.load(open(p)) for p in sys.argv[1:5])
jsonschema.Draft202012Validator.check_schema(schema)
jsonschema.validate(rep, schema, cls=jsonschema.Draft202012Validator)
iv = pue["intervals"][0]
def eq(a, b, what):
    assert (a is None and b is None) or abs(a - b) <= 1e-9 * max(1, abs(b)), (what, a, b)
eq(rep["energy"]["e_dc_kwh"], iv["e_dc_kwh"], "E_DC vs pue")
eq(rep["energy"]["e_it_kwh"], iv["e_it_kwh"], "E_IT vs pue")
eq(rep["kpi"]["pue"], iv["pue"], "PUE vs pue")
assert rep["kpi"]["pue_label"] == iv["label"], (rep["kpi"]["pue_label"], iv["label"])
eq(rep["coverage"], iv["coverage"], "coverage")
eq(rep["estimated_share"], iv["estimated_share"], "estimated share")
assert rep["energy"]["category"] == iv["category"] == kpi["category"]
eq(rep["energy"]["e_dc_kwh"], kpi["e_dc_kwh"], "E_DC vs kpi")
names = {"pue": "PUE", "dcie": "DCiE", "ppue_cooling": "pPUE cooling", "wue": "WUE",
         "cue": "CUE", "erf": "ERF", "ref": "REF", "cer": "CER"}
for k, n in names.items():
    eq(rep["kpi"][k], kpi["kpi"][n]["value"], k + " vs kpi")
assert rep["complete"] is True and rep["missing"] == []
print("PUE", rep["kpi"]["pue"], rep["kpi"]["pue_label"], "E_DC", rep["energy"]["e_dc_kwh"])
P
ok "report equals greendc pue/kpi and validates against docs/report.schema.json"

G report --month 2026-10 --format csv >"$T/r.csv" || fail "csv"
grep -q '^kpi.pue,1.405$' "$T/r.csv" || fail "csv has no kpi.pue row: $(head -5 "$T/r.csv")"
G report --month 2026-10 --format html --lang zh >"$T/r-zh.html" || fail "html zh"
G report --month 2026-10 --format html --lang en >"$T/r-en.html" || fail "html en"
grep -q '数据中心能效报告' "$T/r-zh.html" || fail "zh page"
grep -q 'PUE1, 2026-10, 1.405' "$T/r-en.html" || fail "en page lacks the compliant label (three decimals)"
ok "CSV and printable HTML (zh, en) produced"

# The current month, reported before it has ended: IN PROGRESS, never complete, no ratio,
# the HTML says so before anything else (issue 13). It is whatever month the clock is in.
cur=$(TZ=Asia/Shanghai date +%Y-%m) # the fixture site's zone
G report --month "$cur" >"$T/cur.json" 2>"$T/cur.err" || { cat "$T/cur.err"; fail "report of the month in progress"; }
grep -q "IN PROGRESS (the period has not ended)" "$T/cur.err" || { cat "$T/cur.err"; fail "the CLI does not say in progress"; }
$PY - "$T/cur.json" "$top/docs/report.schema.json" <<'P' || fail "report of the month in progress"
import json, sys, jsonschema
rep, schema = (json.load(open(p)) for p in sys.argv[1:3])
jsonschema.validate(rep, schema, cls=jsonschema.Draft202012Validator)
assert rep["in_progress"] is True and rep["complete"] is False and rep["status"] == "IN_PROGRESS", rep
assert 0 < rep["elapsed_share"] < 1, rep["elapsed_share"]
assert rep["kpi"]["pue"] is None and rep["kpi"]["pue_label"] is None, rep["kpi"]
assert rep["kpi_errors"]["pue"].startswith("in progress: "), rep["kpi_errors"]
P
G report --month "$cur" --format html --lang en >"$T/cur.html" 2>/dev/null || fail "html of the month in progress"
grep -q 'id="in-progress">IN PROGRESS: this period has not ended' "$T/cur.html" || fail "the HTML does not say in progress"
G report --month "$cur" --format html --lang zh >"$T/cur-zh.html" 2>/dev/null || fail "zh html of the month in progress"
grep -q '统计期尚未结束' "$T/cur-zh.html" || fail "the zh HTML does not say in progress"
ok "the month in progress ($cur): IN_PROGRESS, not complete, no PUE; JSON validates, HTML (en, zh) says so first"

# The annual report (EU 2024/1364 fields): with only October metered it is incomplete and says
# so; configured facts appear, unconfigured ones are null and listed as missing.
cp "$F/greendc.yaml" "$T/annual.yaml"
cat >>"$T/annual.yaml" <<Y
reporting:
  owner: "Example Cloud Ltd"
  operator: "Example Ops Ltd"
  location_code: "CN-14-TY"
  type: colocation
  start_date: "2021-06-01"
  installed_it_power_kw: 2400
  floor_area_m2: {total: 5200, computer_room: 2100}
  redundancy: {power: "2N", cooling: "N+1"}
Y
sed -i "s|path: greendc.db|path: $F/greendc.db|" "$T/annual.yaml"
"$B/greendc" -c "$T/annual.yaml" report --year 2026 >"$T/annual.json" 2>"$T/annual.err" || { cat "$T/annual.err"; fail "annual report"; }
grep -q "INCOMPLETE" "$T/annual.err" || fail "an annual report from one month is not called incomplete"
$PY - "$T/annual.json" "$top/docs/report.schema.json" <<'P' || fail "annual report fields"
import json, sys, jsonschema
rep, schema = (json.load(open(p)) for p in sys.argv[1:3])
jsonschema.validate(rep, schema, cls=jsonschema.Draft202012Validator)
eu = rep["eu_2024_1364"]
assert rep["kind"] == "annual" and rep["complete"] is False and rep["period"]["months_with_data"] == 1
assert eu["identity"]["owner"] == "Example Cloud Ltd" and eu["identity"]["type"] == "colocation"
assert eu["p_dit_kw"] == 2400 and eu["floor_area_computer_room_m2"] == 2100
# October's energy plus the fixture's one reading after the month (1 Nov 00:00: 327.5 / 250 kWh)
assert abs(eu["e_dc_kwh"] - (1045320 + 327.5)) < 1e-6, eu["e_dc_kwh"]
assert abs(eu["e_it_ups_output_kwh"] - (744000 + 250)) < 1e-6, eu["e_it_ups_output_kwh"]
assert eu["indicators"]["pue"] is None  # incomplete: nothing published
for f in ("w_in_m3", "e_reuse_kwh", "data_traffic_incoming_pb", "reused_heat_temp_c"):
    assert eu[f] is None and f in eu["missing_fields"], f
assert "owner" not in eu["missing_fields"]
assert any(m.get("role") == "calendar_months" for m in rep["missing"])
print("annual: missing", eu["missing_fields"])
P
ok "annual report: EU 2024/1364 fields from meters and the reporting: section, the rest listed missing; incomplete with one month"

# Queue it for a receiver and let the daemon deliver it.
RP=$(free_port)
echo "whsec_$(head -c 24 /dev/urandom | base64)" >"$F/key"
chmod 600 "$F/key"
cat >>"$F/greendc.yaml" <<Y
outputs:
  summary_interval: 0s
  report:
    - {name: central, url: "http://127.0.0.1:$RP/ingest", secret_file: key, streams: [report]}
Y
G report --month 2026-10 --enqueue >/dev/null 2>"$T/enq1.err" || { cat "$T/enq1.err"; fail "enqueue"; }
G report --month 2026-10 --enqueue >/dev/null 2>"$T/enq2.err" || fail "enqueue 2"
grep -q "unchanged since it was queued" "$T/enq2.err" || fail "second run queued again: $(cat "$T/enq2.err")"
[ "$(sql "$F/greendc.db" "SELECT count(*) FROM outbox WHERE stream = 'central/report'")" -eq 1 ] ||
	fail "expected exactly one queued report"
bg receiver "$B/greendc-receiver" --port "$RP" --db "$T/r.db" --secret-file "$F/key"
wait_port "$RP"
bg greendcd "$B/greendcd" -c "$F/greendc.yaml"
n=0
until [ "$(sql "$F/greendc.db" "SELECT count(*) FROM outbox")" -eq 0 ]; do
	n=$((n + 1))
	[ $n -gt 100 ] && fail "report not delivered"
	sleep 0.1
done
$PY - "$RP" <<'P' || fail "receiver listing"
import json, sys, urllib.request
sites = json.load(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/sites", timeout=5))
s = [x for x in sites if x["site"] == "taiyuan-1"][0]
assert abs(s["pue"] - 1.405) < 1e-9 and s["gb40879_grade"] == 3 and s["period"] == "2026-10", s
print(s)
P
ok "queued once, delivered by greendcd; receiver lists taiyuan-1 with PUE 1.405, grade 3 (indicative)"
stop greendcd
