#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The hour in progress is labelled in progress, never as a complete OK hour: in `greendc pue`
# (JSON and table), in `/api/v1/pue` and in the report of the month in progress. Set up as
# `make demo` will run (issue 14): dcsim --history seeds the demo site from the day before this
# month began up to now (--state-out), `greendc import --interval-end` loads it, dcsim
# continues live from the state (--resume-from: the registers go on where the history ended)
# and greendcd polls it with the demo configuration as shipped. The hour before the current one
# must still be a complete, OK hour, and the seam between history and live must not look like
# a meter reset. The API's "today" and "month" are the site's (Asia/Shanghai) day and month
# whatever the host's zone (the runner's tz/ stage runs this test with the host in
# America/Los_Angeles): they begin at site midnight, and each complete hour of today and each
# complete day of the month before the seam equals dcsim's ground truth for that site-time
# hour or day within the registers' resolution (docs/accuracy.md; test_truth_history.sh
# derives the same bounds).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/truth_config.sh"

DCSIM_PORT=$(free_port)
SNMP_PORT=$(free_udp_port)
HTTP_PORT=$(free_port)
RECV_PORT=$(free_port)
truth_config
G() { "$B/greendc" -c "$T/greendc.yaml" "$@"; }
local_date() { date -u -d "@$(($1 + 8 * 3600))" "+$2"; } # the site is UTC+8 (Asia/Shanghai)

now=$(date +%s)
month_start=$(local_date "$now" %Y-%m-01)
start=$(date -u -d "$month_start - 1 day" +%F)
"$B/dcsim" --history "$T/h.csv" --start "$start" --end now --no-replace --no-gap \
	--state-out "$T/dcsim.state" --truth "$T/truth.csv" 2>"$T/gen.err" || { cat "$T/gen.err"; fail "history failed"; }
cat "$T/gen.err"
G import --interval-end "$T/h.csv" >"$T/import.out" 2>&1 || { cat "$T/import.out"; fail "import failed"; }
cat "$T/import.out"

bg receiver "$B/greendc-receiver" --port "$RECV_PORT" --db "$T/central.db" --secret-file "$T/central.key"
bg dcsim "$B/dcsim" --port "$DCSIM_PORT" --snmp-port "$SNMP_PORT" --resume-from "$T/dcsim.state" \
	--truth "$T/truth.csv"
wait_port "$DCSIM_PORT"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
wait_port "$HTTP_PORT" 20
sleep 30

check() {
	now=$(date +%s)
	today=$(local_date "$now" %F)
	hour=$(local_date "$now" %Y-%m-%dT%H:00+0800)
	prev_day=$(local_date $((now - 3600)) %F)
	prev_hour=$(local_date $((now - 3600)) %Y-%m-%dT%H:00+0800)
	month=$(local_date "$now" %Y-%m)
	G pue --period "$today" --by hour --format json >"$T/pue.json" 2>"$T/pue.err" || true
	G pue --period "$prev_day" --by hour --format json >"$T/pue-prev.json" 2>/dev/null || true
	G pue --period "$today" --by hour >"$T/pue.txt" 2>&1 || true
	G pue --period today --by hour --format json >"$T/pue-cli-today.json" 2>"$T/pue-cli-today.err" || true
	for q in "period=$today&by=hour:api" "period=today&by=hour:api-today" "period=month&by=day:api-month"; do
		$PY -c "import urllib.request, sys; sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:$HTTP_PORT/api/v1/pue?${q%:*}').read().decode())" >"$T/${q##*:}.json" ||
			fail "GET /api/v1/pue?${q%:*} failed"
	done
	G report --month "$month" --format json >"$T/report.json" 2>"$T/report.err" || true
	[ "$(local_date "$(date +%s)" %Y-%m-%dT%H:00+0800)" = "$hour" ] # the hour did not turn meanwhile
}
check || check || fail "the hour kept turning"
# (PDU A's wraps inside the imported history are test_truth_history.sh's business.)
seam_ms=$(($(sed -n 's/^time //p' "$T/dcsim.state") * 1000))
resets=$(sql "$T/greendc.db" "SELECT count(*) FROM events WHERE kind = 'counter_reset' AND ts >= $seam_ms")
[ "$resets" = 0 ] || { sql "$T/greendc.db" "SELECT * FROM events WHERE kind = 'counter_reset' AND ts >= $seam_ms"; fail "the seam between history and live looks like a meter reset"; }
ok "history then live: no counter reset at or after the seam"

$PY - "$T" "$hour" "$prev_hour" <<'P' || fail "the hour in progress is not labelled in progress (above)"
import json, re, sys
T, hour, prev_hour = sys.argv[1:4]
bad = []
def strings(x):
    if isinstance(x, str):
        yield x
    elif isinstance(x, dict):
        for v in x.values():
            yield from strings(v)
    elif isinstance(x, list):
        for v in x:
            yield from strings(v)
in_progress = lambda x: any(re.search(r"in.progress", s, re.I) for s in strings(x))
def row(intervals, label):
    r = [i for i in intervals if i["period"] == label]
    return r[0] if r else None

j = json.load(open(f"{T}/pue.json"))
cur = row(j["intervals"], hour)
if cur is None:
    bad.append(f"greendc pue --format json: no interval {hour}")
elif cur["status"] == "OK" or not in_progress(cur):
    bad.append(f"greendc pue --format json: the hour in progress {hour} is {json.dumps(cur)}")
else:
    print(f"ok - greendc pue (JSON): {hour} is {cur['status']}")
prev = row(json.load(open(f"{T}/pue-prev.json"))["intervals"], prev_hour)
if prev is None or prev["status"] != "OK" or in_progress(prev):
    bad.append(f"greendc pue: the complete hour before, {prev_hour}, is {json.dumps(prev)}")
else:
    print(f"ok - the hour before, {prev_hour}, is OK: PUE {prev['pue']:.3f}")

lines = [l for l in open(f"{T}/pue.txt") if l.startswith(hour)]
if len(lines) != 1 or not re.search(r"in.progress", lines[0], re.I):
    bad.append(f"greendc pue (table): the line of {hour} is {lines!r}")
else:
    print(f"ok - greendc pue (table): {lines[0].strip()}")

a = json.load(open(f"{T}/api.json"))
cur = row(a.get("intervals", []), hour)
if cur is None or cur.get("status") == "OK" or not in_progress(cur):
    bad.append(f"/api/v1/pue: the hour in progress {hour} is {json.dumps(cur)}")
else:
    print(f"ok - /api/v1/pue: {hour} is {cur['status']}")

try:
    r = json.load(open(f"{T}/report.json"))
except ValueError:
    r = None
    bad.append("greendc report: no JSON: " + open(f"{T}/report.err").read()[:300])
if r is not None:
    if r.get("complete") is not False or not in_progress(r):
        bad.append(f"greendc report of the month in progress: complete={r.get('complete')}, "
                   f"status={r.get('status')}, period={json.dumps(r.get('period'))}: nothing says 'in progress'")
    else:
        print(f"ok - greendc report: the month in progress is labelled so (status {r.get('status')})")
for b in bad:
    print("FAIL - " + b)
sys.exit(1 if bad else 0)
P
ok "the hour in progress is labelled in progress everywhere"

$PY - "$T" "$today" "$month" "$seam_ms" <<'P' || fail "the API's today or month is not the site's, or differs from the truth (above)"
import csv, json, math, sys
from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo
T, today, month, seam_ms = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
site = ZoneInfo("Asia/Shanghai")
midnight = lambda d: int(datetime.fromisoformat(d).replace(tzinfo=site).timestamp() * 1000)
truth = defaultdict(lambda: defaultdict(float))
for r in csv.DictReader(open(f"{T}/truth.csv")):
    for k in (r["hour_local"], r["hour_local"][:10]):
        truth[k]["seconds"] += float(r["seconds"])
        truth[k]["e_dc"] += float(r["e_dc_kwh"])
        truth[k]["e_it"] += float(r["it_pdu_output_kwh"])
feed_a_max = max(float(l.split(",")[3]) for l in open(f"{T}/h.csv") if ",utility-a,energy_kwh," in l)
ulp_a = 2.0 ** (math.floor(math.log2(feed_a_max)) - 23)
bad = []
def against_truth(iv, span_s):
    t, p = truth.get(iv["period"]), iv["period"]
    if t is None or t["seconds"] != span_s:
        return bad.append(f"{p}: no complete truth ({t and t['seconds']} s)")
    if iv["status"] != "OK":
        return bad.append(f"{p}: {iv['status']} ({iv.get('error')})")
    eps = 5e-7 * span_s / 3600 * 2
    d_it, d_dc = 1.001 + eps, ulp_a + 0.001 + 0.1 + eps   # PDU A's kWh; feed A float32, B Wh, PV 0.1 kWh
    for k, got, want, b in (("E_DC", iv["e_dc_kwh"], t["e_dc"], d_dc), ("E_IT", iv["e_it_kwh"], t["e_it"], d_it)):
        if not abs(got - want) <= b:
            bad.append(f"{p} {k}: greendc {got:.4f}, truth {want:.4f}, bound {b:.4f}")
    b = (d_dc + t["e_dc"] / t["e_it"] * d_it) / (t["e_it"] - d_it)
    if not abs(iv["pue"] - t["e_dc"] / t["e_it"]) <= b:
        bad.append(f"{p} PUE: greendc {iv['pue']:.5f}, truth {t['e_dc'] / t['e_it']:.5f}, bound {b:.5f}")
n = {}
for name, label, start, span in (("today", today, midnight(today), 3600), ("month", month, midnight(month + "-01"), 86400)):
    a = json.load(open(f"{T}/api-{name}.json"))
    if a["period"] != label or a["from_ms"] != start or a["intervals"][0]["from_ms"] != start:
        bad.append(f"{name}: period {a['period']} from {a['from_ms']}, first interval from "
                   f"{a['intervals'][0]['from_ms']}; the site's {label} starts at {start}")
    # complete intervals before the seam (the hour or day the history handed over to live
    # polling, where a 5-10 s poll can move a reading's energy across a boundary)
    done = [iv for iv in a["intervals"] if not iv["in_progress"] and iv["to_ms"] <= seam_ms]
    for iv in done:
        against_truth(iv, span)
    n[name] = len(done)
# The CLI's --period today is the API's period=today: the same site day, the same hours.
c = json.load(open(f"{T}/pue-cli-today.json"))
a = json.load(open(f"{T}/api-today.json"))
cl = [(iv["period"], iv["status"]) for iv in c["intervals"] if iv["status"] != "IN_PROGRESS"]
al = [(iv["period"], iv["status"]) for iv in a["intervals"] if not iv["in_progress"]]
if c["total"]["period"] != today or cl != al:
    bad.append(f"greendc pue --period today: period {c['total']['period']}, complete hours {cl[:3]}...; "
               f"the API's today: {today}, {al[:3]}...")
for b in bad:
    print("FAIL - " + b)
if not bad:
    print(f"ok - today ({today}) and this month ({month}) start at site midnight; {n['today']} complete hours "
          f"and {n['month']} complete days equal the truth within the registers' resolution")
sys.exit(1 if bad else 0)
P
