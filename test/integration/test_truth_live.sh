#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# timeout: 480
# Live, as the demo runs: greendcd polls dcsim (real time, --speed 1: the rated powers of
# etc/demo.yaml bound plausible counter increases by wall-clock time, so the simulation must
# not run faster) with the demo configuration as shipped (its intervals, quantised registers
# and rated_power_w) for TRUTH_LIVE_SECONDS (default 300 = 5 minutes). PDU A's 16-bit kWh
# register starts at 65525 kWh so it wraps during the run. Then dcsim holds its model
# (--hold-after: the registers keep their last values), greendcd reads the held registers,
# and for every energy counter greendcd stores from dcsim (Modbus and SNMP):
#   stored energy (last - first stored total) == dcsim's register delta (held value - first
#   value read, + 65536 kWh for PDU A's wrap), exactly;
# and no counter event (counter_rejected, counter_reset) and no meter_jump alert exist.
# And the series greendcd stored are exactly those dcsim --history writes (besides greendcd's
# own greendc_* health series), so an imported history continues them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/truth_config.sh"

RUN=${TRUTH_LIVE_SECONDS:-300}
DCSIM_PORT=$(free_port)
SNMP_PORT=$(free_udp_port)
HTTP_PORT=$(free_port)
RECV_PORT=$(free_port)
truth_config
G() { "$B/greendc" -c "$T/greendc.yaml" "$@"; }

bg receiver "$B/greendc-receiver" --port "$RECV_PORT" --db "$T/central.db" --secret-file "$T/central.key"
bg dcsim "$B/dcsim" --port "$DCSIM_PORT" --snmp-port "$SNMP_PORT" --pdu-start-kwh 65525 \
	--hold-after "${RUN}s" --dump --truth "$T/live-truth.csv"
wait_port "$DCSIM_PORT"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
echo "polling for $RUN s ..."
n=0
until grep -q "model held" "$T/dcsim.log"; do
	n=$((n + 1))
	[ $n -gt $((RUN + 60)) ] && fail "dcsim never held its model"
	alive greendcd || { cat "$T/greendcd.log"; fail "greendcd died"; }
	sleep 1
done
# Every device (10 s at most between polls) reads the held registers at least twice.
sleep 25
stop greendcd
grep '^{' "$T/dcsim.log" | tail -n 1 >"$T/held.json"

G export 'utility-*' --format csv >"$T/export.csv" 2>/dev/null
for sel in 'ups *' 'pdu-*' 'chiller-plant *' 'crah-*' 'other *' 'water *' 'pv *' 'heat-reuse *'; do
	G export "$sel" --format csv 2>/dev/null | tail -n +2 >>"$T/export.csv"
done
sql "$T/greendc.db" "SELECT e.ts, s.device, s.metric, s.labels, e.kind, e.detail FROM events e JOIN series s ON s.id = e.series WHERE e.kind LIKE 'counter_%' ORDER BY e.ts" >"$T/events.txt"
G alerts --recent 1000 >"$T/alerts.txt" 2>&1 || true

# The same series as a generated history: import 10 minutes of dcsim --history into another
# database and compare `greendc series` (kind and name) with the live one's.
"$B/dcsim" --history "$T/names.csv" --start 2026-09-01 --end 2026-09-01T00:10 2>/dev/null || fail "history failed"
G --db "$T/names.db" import --interval-end "$T/names.csv" >"$T/names.out" 2>&1 ||
	{ cat "$T/names.out"; fail "importing the history failed"; }
series() { "$B/greendc" --db "$1" series | awk 'NR > 1 { $1 = ""; print substr($0, 2) }' | grep -v ' greendc_' | sort; }
series "$T/greendc.db" >"$T/live.series"
series "$T/names.db" >"$T/history.series"
diff "$T/live.series" "$T/history.series" >"$T/series.diff" ||
	{ cat "$T/series.diff"; fail "live series (<) and generated history series (>) differ"; }
ok "greendcd stores the $(wc -l <"$T/live.series") series dcsim --history writes (kind and name)"

$PY - "$T" <<'P' || fail "stored energy differs from dcsim's register deltas, or a counter event/alert exists (above)"
import csv, json, math, sys
from collections import OrderedDict
T = sys.argv[1]
held = json.load(open(f"{T}/held.json"))["units"]
stored = OrderedDict()
for r in csv.DictReader(open(f"{T}/export.csv")):
    k = (r["device"], r["metric"], r["labels"])
    stored.setdefault(k, []).append(float(r["value"]))
tenths = lambda wh: math.floor(round(wh * 1000) / 100) / 10   # rPDU2 energy, from the Wh register
# series -> (held register value as the profile decodes it, wrap range or 0)
REG = {
    ("utility-a", "energy_kwh", "feed=A,hall=A,role=facility_input"): (held["1"]["import_kwh"], 0),
    ("utility-a", "energy_export_kwh", "feed=A,hall=A,role=facility_input"): (held["1"]["export_kwh"], 0),
    ("utility-b", "energy_kwh", "feed=B,hall=A,role=facility_input"): (held["2"]["import_kwh"], 0),
    ("utility-b", "energy_export_kwh", "feed=B,hall=A,role=facility_input"): (held["2"]["export_kwh"], 0),
    ("ups", "energy_kwh", "hall=A,role=ups_output,side=output"): (held["10"]["output_energy_kwh"], 0),
    ("ups", "energy_kwh", "hall=A,role=ups_output,side=input"): (held["10"]["input_energy_kwh"], 0),
    ("pdu-a", "energy_kwh", "hall=A,role=pdu_output,row=1"): (held["11"]["energy_kwh_16"], 65536),
    ("pdu-b", "energy_kwh", "hall=A,role=pdu_output,row=2"): (held["12"]["energy_kwh_32"], 0),
    ("pdu-a-snmp", "energy_kwh", "hall=A,role=snmp_view,row=1"): (tenths(held["11"]["energy_kwh_32"]), 0),
    ("pdu-b-snmp", "energy_kwh", "hall=A,role=snmp_view,row=2"): (tenths(held["12"]["energy_kwh_32"]), 0),
    ("chiller-plant", "energy_kwh", "hall=A,role=cooling"): (held["20"]["energy_kwh"], 0),
    ("chiller-plant", "heat_kwh", "hall=A,role=cooling"): (held["20"]["cooling_kwh"], 0),
    ("crah-1", "energy_kwh", "hall=A,role=cooling"): (held["21"]["energy_kwh"], 0),
    ("crah-2", "energy_kwh", "hall=A,role=cooling"): (held["22"]["energy_kwh"], 0),
    ("other", "energy_kwh", "hall=A,role=other"): (held["30"]["energy_kwh"], 0),
    ("water", "water_m3", "role=water,water=intake"): (held["50"]["intake_m3"], 0),
    ("water", "water_m3", "role=water,water=potable"): (held["50"]["potable_m3"], 0),
    ("pv", "energy_kwh", "role=onsite_renewable"): (held["51"]["energy_kwh"], 0),
    ("heat-reuse", "heat_kwh", "role=heat_reuse"): (held["52"]["heat_kwh"], 0),
}
for ph in (1, 2, 3):
    REG[("utility-b", "energy_kwh", f"feed=B,hall=A,phase=L{ph},role=facility_input")] = (held["2"][f"import_kwh_l{ph}"], 0)
bad = []
for k, (reg_last, wrap) in REG.items():
    v = stored.get(k)
    if not v or len(v) < 3:
        print(f"FAIL - {k[0]} {k[1]}{{{k[2]}}}: {len(v or [])} stored readings")
        bad.append(k)
        continue
    # The store's first total is the first raw reading; the register delta is the held value
    # minus it (one wrap at most in a few minutes: the held value is then below it).
    want = reg_last - v[0] + (wrap if wrap and reg_last < v[0] else 0)
    got = v[-1] - v[0]
    # --dump prints 10 significant digits: the float32 meter's value is known to ~1e-5 kWh
    tol = 1e-9 * max(1.0, abs(reg_last)) + (1e-5 if k[0] == "utility-a" else 0)
    ok = abs(got - want) <= tol
    print(f"{'ok' if ok else 'FAIL'} - {k[0]} {k[1]}{{{k[2]}}}: stored {got:.4f}, registers {want:.4f}"
          + ("" if ok else f", {want - got:+.4f} not stored"))
    if not ok:
        bad.append(k)
wrapped = stored[("pdu-a", "energy_kwh", "hall=A,role=pdu_output,row=1")]
print(f"   PDU A's register went from {wrapped[0]:.0f} to {held['11']['energy_kwh_16']:.0f} kWh (wraps at 65536)")
events = open(f"{T}/events.txt").read().strip()
if events:
    print("FAIL - counter events:\n      " + events.replace("\n", "\n      "))
    bad.append("events")
alerts = open(f"{T}/alerts.txt").read()
if "meter_jump" in alerts:
    print("FAIL - meter_jump alert:\n      " + alerts.strip().replace("\n", "\n      "))
    bad.append("alerts")
sys.exit(1 if bad else 0)
P
ok "stored energy equals dcsim's register deltas; no counter event, no meter_jump"

