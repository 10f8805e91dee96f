#!/bin/sh
# The demo site (etc/demo.yaml served by dcsim, accelerated) through greendcd: the PUE that
# `greendc pue` prints for the hours of the run equals the PUE recomputed here with SQL from
# the stored cumulative counter readings (every raw reading, read back with `greendc query
# --step raw`: for a counter that only rises, energy = last reading - first reading,
# independent of the engine's per-bucket deltas). `greendc kpi` then gives every KPI the demo is built for.
. "$(dirname "$0")/lib.sh"
# The demo's report signing key is made by `make demo`; here, one of the test's own.
(umask 077 && echo "whsec_$(head -c 24 /dev/urandom | base64)" >"$T/central.key")

P=$(free_port)
SP=$($PY -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The demo config with a free port, fast polling, private state and the built drivers; its
# rated powers stay (they bound plausible counter increases by wall-clock time), so the
# simulation runs in real time: accelerated, every meter would count faster than it can.
sed -e "s|tcp://127.0.0.1:5020|tcp://127.0.0.1:$P|" \
	-e "s|udp:127.0.0.1:5161|udp:127.0.0.1:$SP|" \
	-e "s|path: ../demo-state/greendc.db|path: greendc.db|" -e "s|secret_file: ../demo-state/central.key|secret_file: central.key|" \
	-e "s|interval: [0-9]*s$|interval: 500ms|" -e "s|timeout: 1s|timeout: 400ms|" \
	-e "s|commit_interval: .*|commit_interval: 200ms|" \
	-e "s|^daemon:|daemon:\n  drivers_dir: $B/drivers\n  profiles_dir: $top/etc/profiles|" \
	"$top/etc/demo.yaml" >"$T/greendc.yaml"
"$B/greendc" check-config "$T/greendc.yaml" >"$T/check.out" 2>&1 || { cat "$T/check.out"; fail "demo config rejected"; }

t0=$(date +%s)
# Simulated midday in June so the PV meter generates (REF > 0).
# The demo's SNMP devices (second views of the PDUs and UPS) are polled too, so the PUE
# below also shows that they are not counted in E_IT a second time.
bg dcsim "$B/dcsim" --port "$P" --snmp-port "$SP" --start 2026-06-15T11:00
wait_port "$P"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
# Long enough for PDU A's whole-kWh register to step several times (about 200 kW)
sleep ${ENERGY_DEMO_SECONDS:-60}
kill -TERM "$PID_greendcd"
wait "$PID_greendcd" || fail "greendcd failed"
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
assert 1.05 < pue < 2.0, pue
print(f"ok - greendc pue: so far {t['provisional_pue']:.6f} = SQL {pue:.6f} (E_DC {e_dc:.1f} kWh incl. PV {pv:.1f}, E_IT {it:.1f} kWh, {t['status']}, not final)")
P

# The SNMP views of the same PDUs metered about the same energy, and it is not in E_IT above.
snmp_it=$(energy_sql "metric = 'energy_kwh' AND device IN ('pdu-a-snmp', 'pdu-b-snmp')")
$PY -c "import sys; s, i = $snmp_it, $it; sys.exit(0 if 0.5 * i < s < 1.5 * i else 1)" ||
	fail "SNMP PDU views metered $snmp_it kWh, Modbus PDUs $it kWh"
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
$PY - "$T/interim.json" <<'P' || { cat "$T/interim.json"; fail "interim PUE wrong"; }
import json, sys
j = json.load(open(sys.argv[1]))
assert "not an energy PUE" in j["kind"] and j["category"] == 2, j
assert 1.05 < j["interim_pue"] < 2.0 and abs(j["interim_pue"] - j["dc_w"] / j["it_w"]) < 1e-9, j
print(f"ok - interim PUE2 {j['interim_pue']:.3f} ({j['dc_w'] / 1000:.0f} kW / {j['it_w'] / 1000:.0f} kW)")
P
ok "demo energy KPIs"
