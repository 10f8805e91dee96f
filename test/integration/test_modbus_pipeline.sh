#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# serial: asserts poll delays, timeouts and backoff intervals
# The whole pipeline against real Modbus TCP servers on 127.0.0.1:
#   - dcsim (libmodbus) and an independent server on Debian's pymodbus;
#   - values stored equal what the servers served (every type and word order, scale, offset);
#   - a dead unit id (dcsim and pymodbus), an exception-answering unit and a TCP peer that
#     never answers do not delay the healthy devices: their polls keep their 1 s cadence;
#   - the exception is logged once, by name, and that device backs off;
#   - SIGTERM stops the daemon with exit status 0.
. "$(dirname "$0")/lib.sh"

P_SIM=$(free_port)
P_PY=$(free_port)
P_SILENT=$(free_port)

# Known values in every type and word order (pymodbus encodes them itself).
cat >"$T/spec.json" <<'J'
{"units": {
  "1": {"holding": {
          "0":  {"type": "float32", "value": 1234.5,  "order": "abcd"},
          "2":  {"type": "float32", "value": -12.25,  "order": "cdab"},
          "4":  {"type": "int32",   "value": -123456, "order": "badc"},
          "6":  {"type": "uint32",  "value": 4000000000, "order": "dcba"},
          "8":  {"type": "int16",   "value": -5},
          "9":  {"type": "uint16",  "value": 65535},
          "10": {"type": "uint64",  "value": 1234567890123, "order": "cdab"},
          "14": {"type": "float64", "value": 0.953125, "order": "abcd"},
          "18": {"type": "int64",   "value": -9007199254740993, "order": "dcba"}},
        "input": {"0x34": {"type": "float32", "value": 777.0}},
        "coils": {"3": true}},
  "9": {"holding": {"0": 1}}
}}
J
mkdir -p "$T/profiles/test"
cp -R "$top/etc/profiles/." "$T/profiles/"
cat >"$T/profiles/test/all-types.yaml" <<'Y'
profile: all-types
class: test
driver: modbus
source: "test/integration/test_modbus_pipeline.sh spec.json"
points:
  - {metric: power_w, labels: {phase: L1}, fc: 3, register: 0, type: float32, order: abcd}
  - {metric: temp_c, fc: 3, register: 2, type: float32, order: cdab}
  - {metric: current_a, fc: 3, register: 4, type: int32, order: badc, scale: 0.001}
  - {metric: energy_kwh, kind: counter, counter_bits: 32, fc: 3, register: 6, type: uint32, order: dcba, scale: 0.001}
  - {metric: outdoor_temp_c, fc: 3, register: 8, type: int16, scale: 0.5, offset: 10}
  - {metric: load_pct, fc: 3, register: 9, type: uint16, scale: 0.01}
  - {metric: heat_kwh, kind: counter, counter_bits: 64, fc: 3, register: 10, type: uint64, order: cdab, scale: 0.001}
  - {metric: power_factor, fc: 3, register: 14, type: float64, order: abcd}
  - {metric: voltage_v, fc: 3, register: 18, type: int64, order: dcba}
  - {metric: power_w, fc: 4, register: 0x34, type: float32}
  - {metric: cooling_mode, fc: 1, register: 3, type: bool}
Y
cat >"$T/profiles/test/one-reg.yaml" <<'Y'
profile: one-reg
class: test
driver: modbus
source: "test fixture"
points:
  - {metric: power_w, fc: 3, register: 0, type: uint16}
Y

cat >"$T/greendc.yaml" <<Y
site: {id: it, timezone: Asia/Shanghai, altitude_m: 778}
storage: {path: greendc.db, commit_interval: 200ms}
daemon: {workers: 4, max_backoff: 8s, drivers_dir: $B/drivers, profiles_dir: profiles, log_level: info}
devices:
  - {name: py-all, driver: modbus, address: "tcp://127.0.0.1:$P_PY", profile: test/all-types,
     interval: 1s, timeout: 500ms, options: {unit_id: 1}, labels: {hall: B}}
  - {name: py-exception, driver: modbus, address: "tcp://127.0.0.1:$P_PY", profile: test/one-reg,
     interval: 1s, timeout: 500ms, options: {unit_id: 9}}
  - {name: py-dead-unit, driver: modbus, address: "tcp://127.0.0.1:$P_PY", profile: test/one-reg,
     interval: 1s, timeout: 500ms, options: {unit_id: 8}}
  - {name: sim-utility, driver: modbus, address: "tcp://127.0.0.1:$P_SIM", profile: meter/eastron-sdm630,
     interval: 1s, timeout: 500ms, options: {unit_id: 1}, rated_power_w: 2000000}
  - {name: sim-ups, driver: modbus, address: "tcp://127.0.0.1:$P_SIM", profile: sim/dcsim-ups,
     interval: 1s, timeout: 500ms, options: {unit_id: 10}}
  - {name: sim-dead-unit, driver: modbus, address: "tcp://127.0.0.1:$P_SIM", profile: sim/dcsim-ups,
     interval: 1s, timeout: 500ms, options: {unit_id: 77}}
  - {name: silent-tcp, driver: modbus, address: "tcp://127.0.0.1:$P_SILENT", profile: test/one-reg,
     interval: 1s, timeout: 500ms, options: {unit_id: 1}}
Y

bg dcsim "$B/dcsim" --port "$P_SIM"
bg pymodbus $PY "$top/test/integration/pymodbus_server.py" --port "$P_PY" --spec "$T/spec.json" \
	--exception-unit 9 --silent-unit 8
bg silent $PY "$top/test/integration/pymodbus_server.py" --port "$P_SILENT" --silent
wait_port "$P_SIM"
wait_port "$P_PY" 20
wait_port "$P_SILENT" 20

"$B/greendc" check-config "$T/greendc.yaml" || fail "config does not validate"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
RUN=12
sleep $RUN
stop greendcd
ok "greendcd stopped with status 0 on SIGTERM"
DB="$T/greendc.db"
G() { "$B/greendc" --db "$DB" "$@"; }

# Last stored value of one series, by exact "device metric{labels}" name.
last() {
	G query "$1" --from -10m --to now --step raw --format csv | tail -n 1 | cut -d, -f2
}
expect() { # series, expected value, tolerance
	v=$(last "$1")
	[ -n "$v" ] || fail "$1: nothing stored"
	$PY -c "import sys; v=float('$v'); e=float('$2'); sys.exit(0 if abs(v-e) <= $3 else 1)" ||
		fail "$1 = $v, expected $2"
	ok "$1 = $v"
}
expect 'py-all power_w{hall=B,phase=L1}' 1234.5 0
expect 'py-all temp_c{hall=B}' -12.25 0
expect 'py-all current_a{hall=B}' -123.456 1e-9
expect 'py-all energy_kwh{hall=B}' 4000000 1e-6
expect 'py-all outdoor_temp_c{hall=B}' 7.5 0
expect 'py-all load_pct{hall=B}' 655.35 1e-9
expect 'py-all heat_kwh{hall=B}' 1234567890.123 1e-3
expect 'py-all power_factor{hall=B}' 0.953125 0
expect 'py-all voltage_v{hall=B}' -9007199254740993 2
expect 'py-all power_w{hall=B}' 777 0
expect 'py-all cooling_mode{hall=B}' 1 0

# dcsim: the SDM630 map's total power equals the sum of its phases (the two are separate
# block reads a few microseconds apart, within one dcsim update), and the import energy
# counter advanced by about power x time.
G query 'sim-utility power_w*' --from -10m --to now --step raw --format csv >"$T/util.csv"
$PY - "$T/util.csv" <<'P' || fail "dcsim utility meter values inconsistent"
import csv, sys, datetime
def t(s): return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
rows = list(csv.reader(open(sys.argv[1])))
head, rows = rows[0], rows[1:]
i_tot = next(i for i, h in enumerate(head) if "phase=" not in h and h != "ts")
i_ph = [i for i, h in enumerate(head) if "phase=" in h]
tot = [(t(r[0]), float(r[i_tot])) for r in rows if r[i_tot]]
ph = [(t(r[0]), sum(float(r[i]) for i in i_ph)) for r in rows if all(r[i] for i in i_ph)]
assert len(i_ph) == 3 and len(tot) >= 8 and len(ph) >= 8, (head, len(tot), len(ph))
pairs, straddled = 0, []
for ts, v in tot:
    near = min(ph, key=lambda x: abs(x[0] - ts))
    assert 50e3 < v < 2e6, v
    if abs(near[0] - ts) < 0.05:
        if abs(v - near[1]) <= 1e-5 * v:
            pairs += 1
        else:  # a dcsim update fell between the two block reads
            straddled.append((ts, v, near))
# dcsim updates its model once a second and the two reads are a few ms apart: a straddle is
# rare, a total that is not the sum of its phases is in every read.
assert pairs >= 8 and len(straddled) <= max(1, len(tot) // 10), (pairs, straddled)
print("ok - dcsim total = L1+L2+L3 in", pairs, "reads", f"({len(straddled)} straddling a model update)")
P
G query 'sim-utility energy_kwh*' --from -10m --to now --step raw --format csv | tail -n +2 >"$T/e.csv"
$PY - "$T/e.csv" "$T/util.csv" <<'P' || fail "dcsim energy counter does not match power x time"
import csv, sys, datetime, math
def t(s): return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
e = [(t(r[0]), float(r[1])) for r in csv.reader(open(sys.argv[1]))]
rows = list(csv.reader(open(sys.argv[2])))
i_tot = next(i for i, h in enumerate(rows[0]) if "phase=" not in h and h != "ts")
p = [v for ts, v in ((t(r[0]), float(r[i_tot])) for r in rows[1:] if r[i_tot]) if e[0][0] <= ts <= e[-1][0]]
de = e[-1][1] - e[0][1]
hours = (e[-1][0] - e[0][0]) / 3600
expect = sum(p) / len(p) / 1000 * hours
# The bound, from dcsim's model (docs/dcsim.md, "Time convention"): its counters advance in
# whole simulated seconds, so the two readings' energy spans whole seconds that differ from
# the time between the reads by under 1 s (at most 1 s of the largest power); the power is
# smooth (noise on 5-minute knots), so the mean of its samples is off from the mean over the
# span by at most their spread; and each float32 kWh reading is rounded to its spacing.
q = 2.0 ** (math.floor(math.log2(e[-1][1])) - 23)
bound = max(p) / 1000 / 3600 + (max(p) - min(p)) / 1000 * hours + 2 * q
assert abs(de - expect) <= bound, (de, expect, bound)
print(f"ok - energy advanced {de:.4f} kWh vs {expect:.4f} kWh from power x time (bound {bound:.4f} kWh: 1 s of power, the power's spread, float32 steps)")
P

# Cadence: every healthy device polled about once a second despite three dead peers.
for d in py-all sim-utility sim-ups; do
	G query "$d greendc_device_up" --from -10m --to now --step raw --format csv | tail -n +2 >"$T/up.csv"
	$PY - "$T/up.csv" "$d" "$RUN" <<'P' || fail "$d was delayed"
import csv, sys, datetime
t = [datetime.datetime.fromisoformat(r[0].replace("Z", "+00:00")).timestamp()
     for r in csv.reader(open(sys.argv[1]))]
up = [float(r[1]) for r in csv.reader(open(sys.argv[1]))]
run = int(sys.argv[3])
gaps = [b - a for a, b in zip(t, t[1:])]
assert len(t) >= run - 3, f"{len(t)} polls in {run} s"
assert all(u == 1 for u in up), "device went down"
assert max(gaps) <= 1.25, f"largest gap {max(gaps):.3f} s"
print(f"ok - {sys.argv[2]}: {len(t)} polls, largest gap {max(gaps):.3f} s")
P
done

# The dead ones are down and backed off; the poll durations of dead ones stay bounded.
G devices --format csv >"$T/devices.csv"
for d in py-exception py-dead-unit sim-dead-unit silent-tcp; do
	row=$(grep "^$d," "$T/devices.csv") || fail "$d missing from devices"
	state=$(echo "$row" | cut -d, -f4)
	ivl=$(echo "$row" | cut -d, -f9)
	[ "$state" = down ] || fail "$d is $state, expected down"
	[ "$ivl" -ge 2000 ] || fail "$d interval $ivl ms: no backoff"
	ok "$d down, backed off to $ivl ms"
done
for d in py-dead-unit sim-dead-unit silent-tcp; do
	max=$(G query "$d greendc_poll_duration_s" --from -10m --to now --step raw --format csv |
		tail -n +2 | cut -d, -f2 | sort -g | tail -n 1)
	$PY -c "import sys; sys.exit(0 if float('$max') <= 0.7 else 1)" ||
		fail "$d poll took $max s, beyond its 500 ms timeout"
	ok "$d polls bounded by the timeout (longest $max s)"
done

# Logged once, by name; repeats suppressed.
n=$(grep -c 'py-exception:' "$T/greendcd.log" || true)
[ "$n" = 1 ] || { grep 'py-exception' "$T/greendcd.log"; fail "py-exception logged $n times"; }
grep 'py-exception:' "$T/greendcd.log" | grep -q 'illegal data address' ||
	fail "exception not named in the log"
ok "exception logged once: $(grep 'py-exception:' "$T/greendcd.log" | sed 's/^.*py-exception/py-exception/')"
nothing=$(G query 'py-exception power_w' --from -10m --to now --step raw --format csv | tail -n +2 | wc -l)
[ "$nothing" = 0 ] || fail "py-exception stored $nothing values"
ok "nothing stored for the failing devices"
echo "modbus pipeline: all checks passed"
