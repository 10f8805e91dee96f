#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A 16-bit kWh register that wraps while greendc polls it (dcsim PDU A, accelerated): the
# stored energy keeps rising through the wrap and no reset event is recorded. dcsim holds its
# model after 10 s (--hold-after: the registers keep their last values, which --dump prints)
# and greendcd reads the held registers; then, exactly:
#   stored energy (last - first stored total) == the register delta (held - first read, plus
#   65,536 kWh for the wrap), for the 16-bit kWh register and the same PDU's 32-bit Wh
#   register (read as a second device);
# and against dcsim's ground truth (--truth: PDU A's energy before any register quantisation),
# the energy from the start of the run to the held registers is within one register step
# (1 kWh, 0.001 kWh: both registers truncate) of the truth.
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
# About 200 kW at 120x: ~6.7 kWh a second, so the counter starting at 65500 wraps in ~5 s;
# the model holds after 1,200 simulated seconds (10 s).
bg dcsim "$B/dcsim" --port "$P" --speed 120 --pdu-start-kwh 65500 --hold-after 1200s --dump \
	--truth "$T/truth.csv"
wait_port "$P"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
n=0
until grep -q "model held" "$T/dcsim.log"; do
	n=$((n + 1))
	[ $n -gt $((300 * GDC_SLOW)) ] && fail "dcsim never held its model"
	sleep 0.1
done
sleep 2 # both devices read the held registers (every 500 ms)
stop greendcd
stop dcsim # writes the truth of the held run
grep '^{' "$T/dcsim.log" | tail -n 1 >"$T/held.json"
DB="$T/greendc.db"
G() { "$B/greendc" --db "$DB" "$@"; }
G query 'pdu16 energy_kwh' --from -10m --to now --step raw --format csv | tail -n +2 >"$T/e16.csv"
G query 'pdu32 energy_kwh' --from -10m --to now --step raw --format csv | tail -n +2 >"$T/e32.csv"
$PY - "$T" <<'P' || fail "the wrapped counter's stored energy differs from its registers or the truth"
import csv, json, sys
T = sys.argv[1]
e16 = [float(r[1]) for r in csv.reader(open(f"{T}/e16.csv"))]
e32 = [float(r[1]) for r in csv.reader(open(f"{T}/e32.csv"))]
held = json.load(open(f"{T}/held.json"))["units"]["11"]
truth = sum(float(r["pdu_a_kwh"]) for r in csv.DictReader(open(f"{T}/truth.csv")))
assert len(e16) >= 10 and len(e32) >= 10, (len(e16), len(e32))
assert all(b >= a for a, b in zip(e16, e16[1:])), "stored energy went down"
first16, first32 = e16[0], e32[0]
assert first16 < 65536 and held["energy_kwh_16"] < first16, f"no wrap: {first16} .. {held['energy_kwh_16']}"
d16, d32 = e16[-1] - e16[0], e32[-1] - e32[0]
want16 = held["energy_kwh_16"] + 65536 - first16
want32 = held["energy_kwh_32"] - first32
assert d16 == want16, ("16-bit: stored", d16, "registers", want16)
assert abs(d32 - want32) <= 1e-9 * held["energy_kwh_32"], ("32-bit: stored", d32, "registers", want32)
# From the start (65,500 kWh exactly) to the held registers, against the truth: each register
# truncates its own accumulator, so it is below the truth by less than one step.
from16 = d16 + (first16 - 65500)
from32 = d32 + (first32 - 65500)
assert 0 <= truth - from16 < 1, ("16-bit vs truth", from16, truth)
assert -1e-6 <= truth - from32 < 0.001 + 1e-6, ("32-bit vs truth", from32, truth)
print(f"ok - wrapped from {first16:.0f} to {held['energy_kwh_16']:.0f} kWh: stored {d16:.0f} kWh = the register delta; "
      f"the Wh register {d32:.3f} kWh = its delta; from the start {from16:.0f} / {from32:.3f} kWh, truth {truth:.4f} kWh")
P
n=$(sql "$DB" "SELECT count(*) FROM events WHERE kind LIKE 'counter_%'")
[ "$n" = 0 ] || { sql "$DB" "SELECT * FROM events"; fail "$n counter events for a plain wrap"; }
ok "no discontinuity event for a wrap"
