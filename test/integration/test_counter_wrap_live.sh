#!/bin/sh
# A 16-bit kWh register that wraps while greendc polls it (dcsim PDU A, accelerated): the
# stored energy keeps rising through the wrap, no reset event is recorded, and the energy
# it counts equals what the same PDU's 32-bit Wh register says (read as a second device).
. "$(dirname "$0")/lib.sh"

P=$(free_port)
cat >"$T/greendc.yaml" <<Y
site: {id: wrap}
storage: {path: greendc.db, commit_interval: 200ms}
daemon: {drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles}
devices:
  - {name: pdu16, driver: modbus, address: "tcp://127.0.0.1:$P", profile: sim/dcsim-pdu,
     interval: 500ms, timeout: 400ms, options: {unit_id: 11}}
  - {name: pdu32, driver: modbus, address: "tcp://127.0.0.1:$P", profile: sim/dcsim-pdu-wh32,
     interval: 500ms, timeout: 400ms, options: {unit_id: 11}}
Y
# About 200 kW at 120x: ~6.7 kWh a second, so the counter starting at 65500 wraps in ~5 s.
bg dcsim "$B/dcsim" --port "$P" --speed 120 --pdu-start-kwh 65500
wait_port "$P"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
sleep 10
kill -TERM "$PID_greendcd"
wait "$PID_greendcd" || fail "greendcd failed"
DB="$T/greendc.db"
G() { "$B/greendc" --db "$DB" "$@"; }
G query 'pdu16 energy_kwh' --from -10m --to now --step raw --format csv | tail -n +2 >"$T/e16.csv"
G query 'pdu32 energy_kwh' --from -10m --to now --step raw --format csv | tail -n +2 >"$T/e32.csv"
$PY - "$T/e16.csv" "$T/e32.csv" <<'P' || fail "16-bit counter not unwrapped"
import csv, sys
e16 = [float(r[1]) for r in csv.reader(open(sys.argv[1]))]
e32 = [float(r[1]) for r in csv.reader(open(sys.argv[2]))]
assert len(e16) >= 10 and len(e32) >= 10, (len(e16), len(e32))
assert e16[0] < 65536 and e16[-1] > 65536, f"no wrap seen: {e16[0]} .. {e16[-1]}"
assert all(b >= a for a, b in zip(e16, e16[1:])), "stored energy went down"
d16, d32 = e16[-1] - e16[0], e32[-1] - e32[0]
# Whole-kWh register vs Wh register, polled at slightly different moments.
assert abs(d16 - d32) <= 0.1 * d32 + 2, (d16, d32)
print(f"ok - wrapped from {e16[0]:.0f} to {e16[-1]:.0f} kWh; counted {d16:.0f} kWh vs {d32:.1f} kWh on the 32-bit register")
P
n=$(sql "$DB" "SELECT count(*) FROM events WHERE kind LIKE 'counter_%'")
[ "$n" = 0 ] || { sql "$DB" "SELECT * FROM events"; fail "$n counter events for a plain wrap"; }
ok "no discontinuity event for a wrap"
