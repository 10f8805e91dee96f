#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The demo site (etc/demo.yaml served by dcsim in real time) through greendcd: the PUE that
# `greendc pue` prints for the hours of the run equals the PUE recomputed here with SQL from
# the stored cumulative counter readings (every raw reading, read back with `greendc query
# --step raw`: for a counter that only rises, energy = last reading - first reading,
# independent of the engine's per-bucket deltas), and the simulator's true PUE as far as the registers can show it: dcsim
# holds its model after the run (--hold-after), greendcd reads the held registers, and
# dcsim's ground truth (--truth: each meter's energy before any register quantisation) gives
# each meter's register at the hold exactly (its start value plus the truth, quantised as
# that register quantises: docs/dcsim.md), hence the energy greendc must have stored and the
# PUE; the only slack is the last digits of the truth file (a register within 2e-6 kWh of a
# step may show either side). The SNMP views of the PDUs are held to their own registers the
# same way, and the interim power ratio to the simulator's powers. `greendc kpi` then gives
# every KPI the demo is built for.
. "$(dirname "$0")/lib.sh"
P=$(free_port)
SP=$(free_udp_port)
# The demo config with free ports, fast polling (variants/fast-polling.sed), private state
# and the built drivers; its rated powers stay (they bound plausible counter increases by
# wall-clock time), so the simulation runs in real time: accelerated, every meter would
# count faster than it can.
DCSIM_PORT=$P SNMP_PORT=$SP HTTP_PORT=$(free_port) RECV_PORT=$(free_port)
demo_config "$T/greendc.yaml" fast-polling
"$B/greendc" check-config "$T/greendc.yaml" >"$T/check.out" 2>&1 || { cat "$T/check.out"; fail "demo config rejected"; }

t0=$(date +%s)
# Simulated midday in June so the PV meter generates (REF > 0).
# The demo's SNMP devices (second views of the PDUs and UPS) are polled too, so the PUE
# below also shows that they are not counted in E_IT a second time.
# Long enough for PDU A's whole-kWh register to step several times (about 200 kW).
RUN=${ENERGY_DEMO_SECONDS:-60}
bg dcsim "$B/dcsim" --port "$P" --snmp-port "$SP" --start 2026-06-15T11:00 --hold-after "${RUN}s" \
	--dump --truth "$T/truth.csv"
wait_port "$P"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
n=0
until grep -q "model held" "$T/dcsim.log"; do
	n=$((n + 1))
	[ $n -gt $((RUN + 60)) ] && fail "dcsim never held its model"
	sleep 1
done
sleep 3 # every device (500 ms) reads the held registers
stop greendcd
stop dcsim # writes the truth of the run
t1=$(date +%s)
DB="$T/greendc.db"
from=$(date -u -d "@$((t0 / 3600 * 3600))" +%Y-%m-%dT%H:%M:%SZ)
to=$(date -u -d "@$(((t1 / 3600 + 1) * 3600))" +%Y-%m-%dT%H:%M:%SZ)
G() { "$B/greendc" -c "$T/greendc.yaml" "$@"; }
# The window ends at the next full hour: it has not ended, so it is IN_PROGRESS, publishes
# no PUE (exit 1) and gives the ratio so far as provisional_pue (issue 13: it used to be
# published as final).
rc=0
G pue --from "$from" --to "$to" --format json >"$T/pue.json" 2>"$T/pue.err" || rc=$?
[ $rc = 1 ] || { cat "$T/pue.err" "$T/pue.json"; fail "greendc pue of a window in progress did not exit 1"; }
G pue --from "$from" --to "$to" >"$T/pue.txt" || true
grep -q "IN PROGRESS ([0-9]* min of [0-9]* elapsed): [0-9.]* so far, not final" "$T/pue.txt" ||
	{ cat "$T/pue.txt"; fail "greendc pue (table) does not say in progress"; }
head -1 "$T/pue.txt"

# Energy of each selected series = last - first stored cumulative reading in the window (every
# raw reading the store holds, as `greendc query --step raw` reads them back).
energy_sql() { # WHERE clause on series
	ids=$(sql "$DB" "SELECT id FROM series WHERE $1")
	$PY - "$B/greendc" "$DB" "$from" "$to" $ids <<'P'
import json, subprocess, sys
cli, db, frm, to = sys.argv[1:5]
total = 0.0
for sid in sys.argv[5:]:
    out = subprocess.run([cli, "--db", db, "query", sid, "--from", frm, "--to", to, "--step", "raw",
                          "--format", "json"], check=True, capture_output=True, text=True).stdout
    v = [p[1] for s in json.loads(out) for p in s["points"] if p[1] is not None]
    if v:
        total += max(v) - min(v)
print(f"{total:.9f}")
P
}
fac=$(energy_sql "metric = 'energy_kwh' AND labels LIKE '%role=facility_input%' AND labels NOT LIKE '%phase=%'")
pv=$(energy_sql "device = 'pv' AND metric = 'energy_kwh'")
it=$(energy_sql "metric = 'energy_kwh' AND labels LIKE '%role=pdu_output%'")
nfac=$(sql "$DB" "SELECT count(*) FROM series WHERE metric = 'energy_kwh' AND labels LIKE '%role=facility_input%' AND labels NOT LIKE '%phase=%'")
[ "$nfac" = 2 ] || fail "expected the 2 utility feed totals, found $nfac series"

$PY - "$T/pue.json" "$fac" "$pv" "$it" <<'P' || fail "greendc pue differs from the SQL recomputation"
import json, sys
j = json.load(open(sys.argv[1]))
fac, pv, it = map(float, sys.argv[2:5])
t = j["total"]
assert j["category"] == 2, j["category"]
assert fac > 0 and it > 0 and pv > 0, (fac, it, pv)
e_dc = fac + pv
pue = e_dc / it
assert abs(t["e_dc_kwh"] - e_dc) <= 1e-6 * e_dc, (t["e_dc_kwh"], e_dc)
assert abs(t["e_it_kwh"] - it) <= 1e-6 * it, (t["e_it_kwh"], it)
assert t["pue"] is None and t["status"] == "IN_PROGRESS" and t["in_progress"], t
assert t["error"].startswith("in progress: "), t
assert abs(t["provisional_pue"] - pue) <= 1e-9 * pue, (t["provisional_pue"], pue)
print(f"ok - greendc pue: so far {t['provisional_pue']:.6f} = SQL {pue:.6f} (E_DC {e_dc:.1f} kWh incl. PV {pv:.1f}, E_IT {it:.1f} kWh, {t['status']}, not final)")
P

# Against the truth. The first stored reading of each meter (the start of greendc's window:
# the lowest, as the counter only rises) and the SNMP views' energy.
first() { # device
	ids=$(sql "$DB" "SELECT id FROM series WHERE device = '$1' AND metric = 'energy_kwh' AND labels NOT LIKE '%phase=%'")
	$PY - "$B/greendc" "$DB" "$from" "$to" $ids <<'P'
import json, subprocess, sys
cli, db, frm, to = sys.argv[1:5]
v = []
for sid in sys.argv[5:]:
    out = subprocess.run([cli, "--db", db, "query", sid, "--from", frm, "--to", to, "--step", "raw",
                          "--format", "json"], check=True, capture_output=True, text=True).stdout
    v += [p[1] for s in json.loads(out) for p in s["points"] if p[1] is not None]
print(f"{min(v):.9f}" if v else "")
P
}
for d in utility-a utility-b pv pdu-a pdu-b pdu-a-snmp pdu-b-snmp; do
	echo "$d $(first "$d")"
done >"$T/first.txt"
printf '{"pdu-a-snmp": %s, "pdu-b-snmp": %s}\n' "$(energy_sql "device = 'pdu-a-snmp' AND metric = 'energy_kwh'")" \
	"$(energy_sql "device = 'pdu-b-snmp' AND metric = 'energy_kwh'")" >"$T/snmp.json"
grep '^{' "$T/dcsim.log" | head -n 1 >"$T/start.json"
grep '^{' "$T/dcsim.log" >"$T/dump.jsonl"
$PY - "$T" "$T/pue.json" <<'P' || fail "greendc's PUE differs from dcsim's ground truth beyond what its registers show"
import csv, json, math, struct, sys
T, j = sys.argv[1], json.load(open(sys.argv[2]))
first = dict((l.split()[0], float(l.split()[1])) for l in open(f"{T}/first.txt") if len(l.split()) == 2)
start = json.load(open(f"{T}/start.json"))["units"]
truth = list(csv.DictReader(open(f"{T}/truth.csv")))
tsum = lambda col: sum(float(r[col]) for r in truth)
f32 = lambda x: struct.unpack("f", struct.pack("f", x))[0]
step = lambda q: (lambda x: math.floor(x / q) * q)
# meter: (register at the start, its quantiser: docs/dcsim.md and the profiles, the truth column)
M = {"utility-a": (start["1"]["import_kwh"], f32, "feed_a_kwh"),      # float32 kWh, rounded
     "utility-b": (start["2"]["import_kwh"], step(0.001), "feed_b_kwh"), # INT64 Wh, truncated
     "pv": (start["51"]["energy_kwh"], step(0.1), "onsite_renewable_kwh"),
     "pdu-a": (start["11"]["energy_kwh_16"], step(1), "pdu_a_kwh"),      # uint16 kWh
     "pdu-b": (start["12"]["energy_kwh_32"], step(0.001), "pdu_b_kwh"),  # uint32 Wh
     "pdu-a-snmp": (start["11"]["energy_kwh_32"], step(0.1), "pdu_a_kwh"),  # rPDU2 tenths
     "pdu-b-snmp": (start["12"]["energy_kwh_32"], step(0.1), "pdu_b_kwh")}
d = 2e-6  # the truth file's 6 decimals and the accumulators' rounding
E = {}
for m, (s0, q, col) in M.items():
    x = s0 + tsum(col)
    E[m] = (q(x - d) - first[m], q(x + d) - first[m])  # the energy greendc must have stored
lo = lambda ms: sum(E[m][0] for m in ms)
hi = lambda ms: sum(E[m][1] for m in ms)
t = j["total"]
DC, IT = ("utility-a", "utility-b", "pv"), ("pdu-a", "pdu-b")
assert lo(DC) - 1e-6 <= t["e_dc_kwh"] <= hi(DC) + 1e-6, ("E_DC", t["e_dc_kwh"], lo(DC), hi(DC))
assert lo(IT) - 1e-6 <= t["e_it_kwh"] <= hi(IT) + 1e-6, ("E_IT", t["e_it_kwh"], lo(IT), hi(IT))
plo, phi = lo(DC) / hi(IT), hi(DC) / lo(IT)
assert plo - 1e-9 <= t["provisional_pue"] <= phi + 1e-9, ("PUE", t["provisional_pue"], plo, phi)
true_pue = tsum("e_dc_kwh") / tsum("it_pdu_output_kwh")
print(f"ok - PUE so far {t['provisional_pue']:.6f}: the registers allow {plo:.6f} .. {phi:.6f}; "
      f"the simulator's true PUE over the run {true_pue:.6f} (PDU A's whole-kWh register accounts for the difference)")
# The SNMP views of the same PDUs, each against its own register (tenths of kWh).
s = json.load(open(f"{T}/snmp.json"))
for m in ("pdu-a-snmp", "pdu-b-snmp"):
    assert E[m][0] - 1e-6 <= s[m] <= E[m][1] + 1e-6, (m, s[m], E[m])
print(f"ok - SNMP views: pdu-a {s['pdu-a-snmp']:.1f}, pdu-b {s['pdu-b-snmp']:.1f} kWh = their registers' truth")
# The interim power ratio: mean facility + PV power over mean PDU power, within the range the
# simulator's own powers (its dump, each real second) allow.
dump = [json.loads(l)["units"] for l in open(f"{T}/dump.jsonl")]
dc = [u["1"]["power_w"] + u["2"]["power_w"] + u["51"]["power_w"] for u in dump]
it = [u["11"]["power_w"] + u["12"]["power_w"] for u in dump]
json.dump({"lo": min(dc) / max(it), "hi": max(dc) / min(it)}, open(f"{T}/interim_range.json", "w"))
P

# The SNMP views of the same PDUs metered their own registers' energy (above), and it is not
# in E_IT.
snmp_it=$(energy_sql "metric = 'energy_kwh' AND device IN ('pdu-a-snmp', 'pdu-b-snmp')")
ok "SNMP views of the PDUs metered $snmp_it kWh (Modbus $it kWh), not counted again in E_IT"

G kpi --from "$from" --to "$to" --format json >"$T/kpi.json" || fail "greendc kpi failed"
$PY - "$T/kpi.json" <<'P' || { cat "$T/kpi.json"; fail "a demo KPI is missing"; }
import json, sys
j = json.load(open(sys.argv[1]))
k = j["kpi"]
# In progress: no KPI is published; each one the demo is built for has its value so far.
assert j["status"] == "IN_PROGRESS" and j["in_progress"], j
for name in ["PUE", "DCiE", "pPUE cooling", "WUE", "CUE", "ERF", "REF", "CER"]:
    assert k[name]["value"] is None and k[name]["provisional_value"] is not None, (name, k[name])
    assert k[name]["error"].startswith("in progress: "), (name, k[name])
assert k["pPUE hall-A"]["value"] is None, k["pPUE hall-A"]
assert 0 < k["ERF"]["provisional_value"] < 1 and 0 < k["REF"]["provisional_value"] < 1, k
assert "MEE/NBS" in k["CUE"]["note"], k["CUE"]
assert k["EEUE"]["value"] is None, k["EEUE"]
print("ok - kpi (in progress, so far): " + ", ".join(f"{n} {k[n]['provisional_value']:.4g}" for n in ["PUE", "WUE", "CUE", "ERF", "REF", "CER"]))
P

# Interim PUE: the power ratio of the last 15 min, labelled as such.
G pue --interim --format json >"$T/interim.json" || { cat "$T/interim.json"; fail "interim PUE failed"; }
$PY - "$T/interim.json" "$T/interim_range.json" <<'P' || { cat "$T/interim.json"; fail "interim PUE wrong"; }
import json, sys
j = json.load(open(sys.argv[1]))
r = json.load(open(sys.argv[2]))
assert "not an energy PUE" in j["kind"] and j["category"] == 2, j
assert abs(j["interim_pue"] - j["dc_w"] / j["it_w"]) < 1e-9, j
assert r["lo"] - 1e-9 <= j["interim_pue"] <= r["hi"] + 1e-9, (j, r)
print(f"ok - interim PUE2 {j['interim_pue']:.3f} ({j['dc_w'] / 1000:.0f} kW / {j['it_w'] / 1000:.0f} kW)")
P
ok "demo energy KPIs"
