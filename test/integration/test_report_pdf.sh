#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Regulator-grade reports (issue 15): identity, metering register, data-quality evidence,
# charts, PDF in zh and en, Ed25519 signatures. Two sites:
#
# 1. the October fixture month (test/unit/test_report.c, GDC_REPORT_FIXTURE) with a full
#    `reporting:` section: every identity field, a metering register in which the UPS meter
#    fell due for calibration on 15 Oct, a signing key made by `greendc report keygen`;
# 2. 61 days of the demo site from dcsim's history generator (the numbers issue's generator:
#    PDU A's 16-bit register, utility-b's meter replaced, PDU B silent 40 min), imported into
#    etc/demo.yaml as shipped with the same `reporting:` section appended; its October and its
#    calendar year (EU 2024/1364 fields).
#
# For each: the JSON validates against docs/report.schema.json; report_pdf_check.py holds the
# PDFs' text against the JSON (every KPI and identity field with the report's rounding, the
# SHA-256 on every page, the CJK font embedded, no English on the zh pages outside an
# allowlist) and saves the pages under test-output/report/. `greendc report verify` and
# OpenSSL's own tool accept the signature and refuse it after a one-byte change; the overdue
# meter is flagged; `--enqueue` queues the signed bytes and greendcd's pusher sends the
# signature as `greendc-report-signature: ed25519=<base64>` (a capturing HTTP server checks it).
. "$(dirname "$0")/lib.sh"

OUT="$top/test-output/report"
rm -rf "$OUT"
mkdir -p "$OUT"
SCHEMA="$top/docs/report.schema.json"
CHECK="$top/test/integration/report_pdf_check.py"

reporting() { # key path
	cat <<Y
reporting:
  owner: "Example Cloud Ltd"
  operator: "Example Ops Ltd"
  address: "1 Data Road, Xiaodian District, Taiyuan, Shanxi"
  unified_social_credit_code: "91350100M000100Y43"
  regulator_unit_id: "14010000123"
  contact: {name: "Li Lei", phone: "+86 351 5550100", email: "energy@example.cn"}
  location_code: "CN-14-TY"
  type: colocation
  start_date: "2021-06-01"
  installed_it_power_kw: 2400
  floor_area_m2: {total: 5200, computer_room: 2100}
  redundancy: {power: "2N", cooling: "N+1"}
  meters:
    - {id: M01, device: utility-a, model: "ACR330ELH", serial: "A1-20250301", accuracy_class: "0.5S",
       ct_ratio: "400/5", pt_ratio: "10000/100", boundary_point: "10 kV incomer 1",
       role: facility_input, calibrated: "2025-03-01", calibration_due: "2027-03-01"}
    - {id: M02, device: ups, model: "PM5560", serial: "U7-88121", accuracy_class: "0.5S",
       boundary_point: "UPS output board", role: it_ups_output, calibrated: "2024-10-15",
       calibration_due: "2026-10-15"}
    - {id: M03, device: chiller, model: "DTSD1352", serial: "C3-4410", accuracy_class: "1",
       boundary_point: "chiller plant board", role: cooling, calibrated: "2025-11-01",
       calibration_due: "2027-11-01"}
  signing_key: $1
  prepared_by: "Zhang San"
  approved_by: "Wang Wu"
Y
}

# ---- 1. the October fixture ----
F="$T/fixture"
GDC_REPORT_FIXTURE="$F" "$B/test/test_report" >"$T/unit.log" 2>&1 || { cat "$T/unit.log"; fail "fixture"; }
"$B/greendc" report keygen --out "$F/report.key" >"$T/keygen.out" || fail "keygen"
[ "$(stat -c %a "$F/report.key")" = 600 ] || fail "the private key is not 0600"
grep -q "^fingerprint SHA256:" "$T/keygen.out" || fail "keygen prints no fingerprint"
reporting report.key >>"$F/greendc.yaml"
G() { "$B/greendc" -c "$F/greendc.yaml" "$@"; }
G check-config >"$T/cc.out" 2>&1 || { cat "$T/cc.out"; fail "check-config"; }
grep -q "warning: reporting.meters: M02: calibration was due on 2026-10-15" "$T/cc.out" ||
	{ cat "$T/cc.out"; fail "check-config does not warn about M02's calibration"; }
if G check-config --strict >/dev/null 2>&1; then fail "check-config --strict accepted an overdue meter"; fi
ok "keygen (0600 + .pub); check-config warns about the overdue meter, --strict refuses it"

G report --month 2026-10 --out-dir "$T/set1" >"$T/set1.list" 2>"$T/set1.err" || { cat "$T/set1.err"; fail "report --out-dir"; }
J="$T/set1/GDC-taiyuan-1-2026-10-r1.json"
for f in "$J" "$J.sig" "${J%.json}-zh.pdf" "${J%.json}-en.pdf" "${J%.json}-zh.html" \
	"${J%.json}-en.html" "${J%.json}.csv"; do
	[ -s "$f" ] || fail "--out-dir did not write $f: $(cat "$T/set1.list")"
done
$PY "$CHECK" "$J" "${J%.json}-zh.pdf" "${J%.json}-en.pdf" "$SCHEMA" "$OUT" fixture-2026-10 ||
	fail "fixture: the PDFs and the JSON disagree (above)"
$PY - "$J" <<'P' || fail "fixture: register and flags"
import json, sys
r = json.load(open(sys.argv[1]))
meters = {m["id"]: m for m in r["metering"]["meters"]}
assert meters["M02"]["calibration_overdue"] and not meters["M01"]["calibration_overdue"], meters
assert any(f["code"] == "calibration_overdue" and f["subject"] == "M02" for f in r["quality"]["flags"])
assert r["metering"]["pue_meters"] == {"e_dc": ["M01"], "e_it": ["M02"]}, r["metering"]["pue_meters"]
assert r["identity"]["missing"] == [] and r["document"]["revision"] == 1
assert r["kpi"]["pue_label"] == "PUE1, 2026-10, 1.405", r["kpi"]["pue_label"]
assert r["period"]["text"] == "2026-10-01 00:00 – 2026-11-01 00:00 (Asia/Shanghai, UTC+08:00)"
assert all(q["consistent"] and q["alignment"]["aligned_ok"] for q in r["quality"]["roles"])
P
grep -q "M02" "$T/set1/"*-en.html && grep -q "OVERDUE" "$T/set1/"*-en.html || fail "the en page does not flag M02"
pdftotext "${J%.json}-zh.pdf" - | tr -d ' \n' | grep -q "已超期" || fail "the zh PDF does not flag M02"
grep -q '^kpi.pue,1.405$' "${J%.json}.csv" || fail "CSV"
ok "fixture: --out-dir wrote JSON, signature, PDF and HTML in zh and en, CSV; meter M02 flagged overdue"

# The signature: greendc verifies it, and so does OpenSSL's own tool, with the key file.
G report verify "$J" "$J.sig" >"$T/v.out" || { cat "$T/v.out"; fail "verify failed"; }
G report verify "$J" "$J.sig" --public-key "$F/report.key.pub" >"$T/v2.out" || fail "verify --public-key"
fp=$(sed -n 's/^fingerprint //p' "$T/keygen.out")
grep -q "good signature by $fp" "$T/v2.out" || fail "verify names another key: $(cat "$T/v2.out")"
base64 -d "$J.sig" >"$T/sig.bin"
openssl pkeyutl -verify -pubin -inkey "$F/report.key.pub" -rawin -in "$J" -sigfile "$T/sig.bin" >/dev/null ||
	fail "openssl does not accept the signature"
grep -q "$(sha256sum "$J" | cut -c1-64)" "$T/v.out" || fail "verify prints another SHA-256"
# One byte changed anywhere fails: in a figure, in the key's own PEM, at the very end.
for at in mid key end; do
	$PY - "$J" "$T/bad-$at.json" "$at" <<'P'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
i = {"mid": len(d) // 2, "key": d.index(b"BEGIN PUBLIC KEY") + 20, "end": len(d) - 1}[sys.argv[3]]
d[i] ^= 0x01
open(sys.argv[2], "wb").write(d)
P
	if G report verify "$T/bad-$at.json" "$J.sig" --public-key "$F/report.key.pub" >"$T/bad.out" 2>&1; then
		fail "a report changed at $at verifies"
	fi
	if openssl pkeyutl -verify -pubin -inkey "$F/report.key.pub" -rawin -in "$T/bad-$at.json" \
		-sigfile "$T/sig.bin" >/dev/null 2>&1; then fail "openssl accepts the report changed at $at"; fi
done
if G report verify "$T/bad-mid.json" "$J.sig" >/dev/null 2>&1; then fail "embedded key: a changed report verifies"; fi
ok "signature: greendc report verify and openssl pkeyutl accept it ($fp); a one-byte change anywhere fails"

# ---- the pusher sends the signature ----
RP=$(free_port)
cat >"$T/capture.py" <<'P'
import http.server, sys
port, out = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        open(f"{out}.body", "wb").write(body)
        open(f"{out}.sig", "w").write(self.headers.get("greendc-report-signature", ""))
        self.send_response(200)
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
P
echo "whsec_$(head -c 24 /dev/urandom | base64)" >"$F/central.key"
chmod 600 "$F/central.key"
cat >>"$F/greendc.yaml" <<Y
outputs:
  summary_interval: 0s
  report:
    - {name: central, url: "http://127.0.0.1:$RP/ingest", secret_file: central.key, streams: [report]}
Y
G report --month 2026-10 --enqueue --output "$T/q.json" 2>"$T/enq.err" || { cat "$T/enq.err"; fail "enqueue"; }
grep -q "(signed)" "$T/enq.err" || fail "the queued report is not signed: $(cat "$T/enq.err")"
[ "$(sql "$F/greendc.db" "SELECT length(signature) FROM outbox WHERE stream = 'central/report'")" = 88 ] ||
	fail "the outbox item carries no signature"
bg capture "$PY" "$T/capture.py" "$RP" "$T/got"
wait_port "$RP"
bg greendcd "$B/greendcd" -c "$F/greendc.yaml"
n=0
until [ -s "$T/got.sig" ]; do
	n=$((n + 1))
	[ $n -gt 150 ] && { cat "$T/greendcd.log"; fail "the report was not delivered"; }
	sleep 0.1
done
stop greendcd
case "$(cat "$T/got.sig")" in
ed25519=*) ;;
*) fail "greendc-report-signature header: '$(cat "$T/got.sig")'" ;;
esac
sed 's/^ed25519=//' "$T/got.sig" >"$T/got.b64"
cmp -s "$T/got.body" "$T/q.json" || fail "the body pushed is not the bytes --enqueue wrote"
G report verify "$T/got.body" "$T/got.b64" --public-key "$F/report.key.pub" >/dev/null ||
	fail "the pushed signature does not verify the pushed body"
ok "pushed: greendc-report-signature: ed25519=<base64> verifies the body, which is the queued report's bytes"

# ---- 2. 61 days of the demo site ----
. "$(dirname "$0")/truth_config.sh"
truth_config
"$B/dcsim" --history "$T/h.csv" --start 2026-09-01 --end 2026-11-01 --step 1m --no-snmp-views \
	--replace-at 2026-09-21T14:00 --gap-at 2026-10-01T10:40 2>"$T/gen.err" ||
	{ cat "$T/gen.err"; fail "history generator failed"; }
H() { "$B/greendc" -c "$T/greendc.yaml" "$@"; }
H import --interval-end "$T/h.csv" >"$T/import.out" 2>&1 || { cat "$T/import.out"; fail "import failed"; }
cp "$F/report.key" "$F/report.key.pub" "$T/"
reporting report.key >>"$T/greendc.yaml"
H report --month 2026-10 --out-dir "$T/set2" >"$T/set2.list" 2>"$T/set2.err" || { cat "$T/set2.err"; fail "history report"; }
J2="$T/set2/GDC-demo-2026-10-r1.json"
[ -s "$J2" ] || fail "no $J2: $(cat "$T/set2.list")"
$PY "$CHECK" "$J2" "${J2%.json}-zh.pdf" "${J2%.json}-en.pdf" "$SCHEMA" "$OUT" demo-2026-10 ||
	fail "history: the PDFs and the JSON disagree (above)"
H pue --period 2026-10 --format json >"$T/pue.json" || fail "pue"
$PY - "$J2" "$T/pue.json" <<'P' || fail "history: figures or evidence"
import json, sys
r, pue = (json.load(open(p)) for p in sys.argv[1:3])
iv = pue["intervals"][0]
assert abs(r["kpi"]["pue"] - iv["pue"]) < 1e-12 and r["kpi"]["pue_label"] == iv["label"], (r["kpi"], iv)
assert len(r["series"]["items"]) == 31 and all(i["pue"] for i in r["series"]["items"])
ev = r["quality"]["events"]
assert ev and all(e["series"].startswith("pdu-a ") for e in ev), ev
assert r["quality"]["events_total"] == len(ev)
for q in r["quality"]["roles"]:
    assert q["completeness"] == 1 and q["consistent"] is not False, q
print("history: PUE", r["kpi"]["pue_label"], "; events:", [(e["time_local"], e["kind"]) for e in ev])
P
# (table cells wrap: compare without white space)
# PDU A's 16-bit register wraps twice in October: counted exactly, and listed as what they are.
pdftotext "${J2%.json}-en.pdf" - | tr -d ' \n' | grep -q "registerwrapped(countedexactly)" || fail "the en PDF does not list the counter events"
pdftotext "${J2%.json}-zh.pdf" - | tr -d ' \n' | grep -q "寄存器溢出回绕" || fail "the zh PDF does not list the counter events"
ok "history October: figures equal greendc pue; PDU A's register events listed with their times"

H report --year 2026 --out-dir "$T/set3" >"$T/set3.list" 2>"$T/set3.err" || { cat "$T/set3.err"; fail "annual report"; }
J3="$T/set3/GDC-demo-2026-r1.json"
$PY "$CHECK" "$J3" "${J3%.json}-zh.pdf" "${J3%.json}-en.pdf" "$SCHEMA" "$OUT" demo-2026 ||
	fail "annual: the PDFs and the JSON disagree (above)"
grep -q '^eu_2024_1364.e_dc_kwh,' "${J3%.json}.csv" || fail "the annual CSV lacks the EU fields"
grep -q 'Delegated Regulation (EU) 2024/1364' "${J3%.json}-en.html" || fail "the annual HTML lacks the EU fields"
pdftotext "${J3%.json}-zh.pdf" - | tr -d ' \n' | grep -q "欧盟第2024/1364号授权条例" || fail "the annual zh PDF lacks the EU fields"
pdftotext "${J3%.json}-en.pdf" - | tr -d ' \n' | grep -q "Calendarmonthswithdata" || fail "the annual PDF does not say how many months it has"
ok "annual 2026: EU 2024/1364 fields in the JSON, CSV, HTML and PDF (zh, en)"
ok "page images: $(ls "$OUT" | wc -l) under test-output/report/ ($(ls "$OUT" | head -3 | tr '\n' ' ')...)"
