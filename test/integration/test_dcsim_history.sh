#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# dcsim's history generator and ground truth on their own (docs/dcsim.md, "History"):
# deterministic for a seed; a history cut in two and continued with --resume-from is byte for
# byte the uninterrupted one (readings, truth and final state), and live dcsim resumed from the
# state serves exactly the next readings; the readings' counters agree with the truth within
# their register resolution; the wrap, the meter replacement and the gap are where the flags
# put them and absent when turned off. No greendc here: test_truth_*.sh take the readings
# through greendc import.
. "$(dirname "$0")/lib.sh"

D="$B/dcsim"
span="--start 2026-09-01 --end 2026-09-04 --step 1m"
ev="--replace-at 2026-09-02T14:00 --gap-at 2026-09-03T10:40"

# 1. Deterministic: the same options give the same bytes.
"$D" --history "$T/a.csv" $span $ev --truth "$T/a-truth.csv" --state-out "$T/a.state" 2>"$T/a.err" ||
	{ cat "$T/a.err"; fail "history failed"; }
"$D" --history "$T/b.csv" $span $ev --truth "$T/b-truth.csv" 2>/dev/null || fail "history failed"
cmp -s "$T/a.csv" "$T/b.csv" || fail "two runs with the same seed differ (readings)"
cmp -s "$T/a-truth.csv" "$T/b-truth.csv" || fail "two runs with the same seed differ (truth)"
"$D" --history "$T/c.csv" $span $ev --seed 2 2>/dev/null || fail "history --seed 2 failed"
cmp -s "$T/a.csv" "$T/c.csv" && fail "another seed gave the same readings"
ok "deterministic for a seed ($(wc -l <"$T/a.csv") rows), different for another"
grep -q "utility-b's meter replaced at 2026-09-02T14:00+08:00; pdu-b silent 40 min after 2026-09-03T10:40+08:00" "$T/a.err" ||
	{ cat "$T/a.err"; fail "summary line does not name the events"; }

# 2. The seam: cut at 13:17 on day 2 (not an hour boundary: the truth hour straddles it),
# continue from the state; readings, truth and the final state equal the uninterrupted run's.
"$D" --history "$T/p1.csv" --start 2026-09-01 --end 2026-09-02T13:17 --step 1m $ev --truth "$T/p1-truth.csv" \
	--state-out "$T/p1.state" 2>/dev/null || fail "first half failed"
"$D" --history "$T/p2.csv" --resume-from "$T/p1.state" --end 2026-09-04 --step 1m $ev --truth "$T/p2-truth.csv" \
	--state-out "$T/p2.state" 2>"$T/p2.err" || { cat "$T/p2.err"; fail "resumed half failed"; }
{
	cat "$T/p1.csv"
	tail -n +2 "$T/p2.csv"
} >"$T/p12.csv"
cmp -s "$T/a.csv" "$T/p12.csv" || fail "history + resumed history differs from one run"
{
	cat "$T/p1-truth.csv"
	tail -n +2 "$T/p2-truth.csv"
} >"$T/p12-truth.csv"
cmp -s "$T/a-truth.csv" "$T/p12-truth.csv" || fail "truth of the two halves differs from one run's"
grep -v '^#' "$T/a.state" >"$T/a.st"
grep -v '^#' "$T/p2.state" >"$T/p2.st"
cmp -s "$T/a.st" "$T/p2.st" || fail "final state differs"
ok "history cut at 13:17 and resumed = one run (readings, truth, state)"
"$D" --resume-from "$T/p1.state" --seed 3 --history - 2>/dev/null && fail "model options accepted with --resume-from"

# 3. Live dcsim resumed from the state: its clock starts at 00:00 on day 4, the model catches up
# from 13:17 first, and the first served values are the 00:00 reading of a history resumed from
# the same state (live dcsim replaces no meter: neither does that history).
"$D" --history "$T/r.csv" --resume-from "$T/p1.state" --end 2026-09-04 --step 1m --no-replace --no-gap 2>/dev/null ||
	fail "resumed history without events failed"
P=$(free_port)
bg live "$D" --port "$P" --resume-from "$T/p1.state" --start 2026-09-04T00:00 --hold-after 1s --dump
wait_port "$P"
n=0
until [ -s "$T/live.log" ] && grep -q '"sim_time"' "$T/live.log"; do
	n=$((n + 1))
	[ $n -gt 50 ] && fail "live dcsim printed no values"
	sleep 0.1
done
$PY - "$T/live.log" "$T/r.csv" <<'P' || fail "live dcsim resumed from the state does not continue the history"
import json, sys
first = json.loads([l for l in open(sys.argv[1]) if l.startswith("{")][0])
assert first["utc"] == "2026-09-03T16:00:00Z", first["utc"]
last = {}
for l in open(sys.argv[2]):
    f = l.rstrip("\n").split(",")
    if f[0] == "2026-09-03T16:00:00Z":
        last[(f[1], f[2], f[4])] = float(f[3])
u = first["units"]
pairs = [("11", "energy_kwh_16", "pdu-a", "energy_kwh", "hall=A;role=pdu_output;row=1"),
         ("12", "energy_kwh_32", "pdu-b", "energy_kwh", "hall=A;role=pdu_output;row=2"),
         ("2", "import_kwh", "utility-b", "energy_kwh", "feed=B;hall=A;role=facility_input"),
         ("1", "import_kwh", "utility-a", "energy_kwh", "feed=A;hall=A;role=facility_input"),
         ("10", "output_energy_kwh", "ups", "energy_kwh", "hall=A;role=ups_output;side=output"),
         ("20", "cooling_mode", "chiller-plant", "cooling_mode", "hall=A;role=cooling"),
         ("40", "temp_c", "weather", "outdoor_temp_c", "role=weather"),
         ("50", "intake_m3", "water", "water_m3", "role=water;water=intake")]
for unit, key, dev, metric, labels in pairs:
    a, b = u[unit][key], last[(dev, metric, labels)]
    # --dump prints 10 significant digits (float32 meters have more)
    assert abs(a - b) <= 1e-9 * max(1.0, abs(b)), (dev, metric, a, b)
print("ok - live dcsim resumed from the 13:17 state serves the 00:00 reading of the history")
P

# 4. Every counter in the readings agrees with the truth within its register's resolution
# (the generator's own quantisation; no wrap, no replacement, no gap here), the rack PDUs'
# too.
"$D" --history "$T/q.csv" $span --no-wrap --no-replace --no-gap --truth "$T/q-truth.csv" 2>/dev/null ||
	fail "plain history failed"
$PY - "$T/q.csv" "$T/q-truth.csv" <<'P' || fail "readings' counters disagree with the truth"
import csv, math, sys
first, last = {}, {}
for l in open(sys.argv[1]):
    f = l.rstrip("\n").split(",")
    if f[0] == "timestamp":
        continue
    k = (f[1], f[2], f[4])
    first.setdefault(k, float(f[3]))
    last[k] = float(f[3])
truth = list(csv.DictReader(open(sys.argv[2])))
assert len(truth) == 72 and all(float(r["seconds"]) == 3600 for r in truth), len(truth)
tot = lambda col: sum(float(r[col]) for r in truth)
def d(dev, metric, labels):
    k = (dev, metric, labels)
    return last[k] - first[k]
ulp = lambda v: 2.0 ** (math.floor(math.log2(v)) - 23)   # float32 spacing at v
cases = [  # name, counter delta, truth, bound (register resolution; float32 rounds to nearest)
    ("feed A", d("utility-a", "energy_kwh", "feed=A;hall=A;role=facility_input"), tot("feed_a_kwh"),
     ulp(last[("utility-a", "energy_kwh", "feed=A;hall=A;role=facility_input")])),
    ("feed B", d("utility-b", "energy_kwh", "feed=B;hall=A;role=facility_input"), tot("feed_b_kwh"), 0.001),
    ("UPS out", d("ups", "energy_kwh", "hall=A;role=ups_output;side=output"), tot("it_ups_output_kwh"), 0.1),
    ("PDU A", d("pdu-a", "energy_kwh", "hall=A;role=pdu_output;row=1"), tot("pdu_a_kwh"), 1.0),
    ("PDU B", d("pdu-b", "energy_kwh", "hall=A;role=pdu_output;row=2"), tot("pdu_b_kwh"), 0.001),
    ("plant", d("chiller-plant", "energy_kwh", "hall=A;role=cooling"), tot("chiller_plant_kwh"), 0.1),
    ("heat", d("chiller-plant", "heat_kwh", "hall=A;role=cooling"), tot("heat_removed_kwh"), 0.1),
    ("CRAH 1", d("crah-1", "energy_kwh", "hall=A;role=cooling"), tot("crah_1_kwh"), 0.1),
    ("other", d("other", "energy_kwh", "hall=A;role=other"), tot("lighting_other_kwh"), 0.1),
    ("PV", d("pv", "energy_kwh", "role=onsite_renewable"), tot("onsite_renewable_kwh"), 0.1),
    ("reuse", d("heat-reuse", "heat_kwh", "role=heat_reuse"), tot("reused_heat_kwh"), 0.1),
    ("water L", 1000 * d("water", "water_m3", "role=water;water=intake"), tot("water_intake_l"), 1.0),
]
# every rack PDU's input energy counter (Wh) against the truth of its rack and feed
for r in ("A1-01", "A1-02", "A1-03", "A1-04", "A2-01", "A2-02", "A2-03", "A2-04"):
    for f in ("a", "b"):
        dev = "rpdu-" + r.lower() + "-" + f
        lab = f"feed={f.upper()};hall=A;rack={r};role=rack_pdu;row={r[1]}"
        cases.append((dev, d(dev, "energy_kwh", lab), tot(f"rack_{r}_{f}_kwh"), 0.001))
# the quarter-hour columns add up to the hour
for r in truth:
    for rk in ("A1-01", "A2-04"):
        q = sum(float(r[f"rack_{rk}_q{i}_kwh"]) for i in range(1, 5))
        assert abs(q - float(r[f"rack_{rk}_a_kwh"]) - float(r[f"rack_{rk}_b_kwh"])) < 1e-5, (rk, r["hour_utc"])
# + the truth file's rounding (6 decimals a row) and the model's double sums (< 1e-5)
for name, got, want, res in cases:
    assert abs(got - want) < res + 1e-4, (name, got, want, res)
# the modes' minutes add up to the hour
for r in truth:
    assert abs(sum(float(r[c]) for c in ("cool_full_min", "cool_partial_min", "cool_mech_min")) - 60) < 1e-9, r
    assert abs(sum(float(r[c]) for c in ("avail_full_min", "avail_partial_min", "avail_mech_min")) - 60) < 1e-9, r
print("ok - " + ", ".join(f"{n} {g - w:+.4f}" for n, g, w, _ in cases) + " kWh (counter - truth)")
P

# 5. The events where the flags put them, and nowhere without them.
$PY - "$T/a.csv" "$T/q.csv" <<'P' || fail "wrap, replacement or gap wrong"
import sys
from collections import defaultdict
def load(path):
    s = defaultdict(list)
    for l in open(path):
        f = l.rstrip("\n").split(",")
        if f[0] != "timestamp":
            s[(f[1], f[2], f[4])].append((f[0], float(f[3])))
    return s
a, q = load(sys.argv[1]), load(sys.argv[2])
assert len(a) == 230 and len(q) == 230, (len(a), len(q))  # 118 + the 112 of the rack PDUs
n = len(a[("weather", "outdoor_temp_c", "role=weather")])
assert n == 3 * 1440 + 1, n
drops = lambda v: [(t, x, y) for (t, x), (_, y) in zip(v, v[1:]) if y < x]
# PDU A's 16-bit register: starts at 65000 kWh, ~5,000 kWh a day: wraps once in 3 days
w = drops(a[("pdu-a", "energy_kwh", "hall=A;role=pdu_output;row=1")])
assert len(w) == 1 and w[0][1] > 65500 and w[0][2] < 40, w
assert not drops(q[("pdu-a", "energy_kwh", "hall=A;role=pdu_output;row=1")])
# utility-b's meter (total and phases) restarts near 0 right after 2026-09-02T14:00+08:00
for k in [k for k in a if k[0] == "utility-b" and k[1] == "energy_kwh"]:
    r = drops(a[k])
    assert len(r) == 1 and r[0][0] == "2026-09-02T06:00:00Z" and r[0][2] < 10, (k, r)
    assert not drops(q[k]), k
# PDU B (Modbus and SNMP views) silent for 40 minutes after 10:40 on 2026-09-03, nothing else
for k, v in a.items():
    missing = n - len(v)
    want = 39 if k[0] in ("pdu-b", "pdu-b-snmp") else 0
    assert missing == want, (k, missing)
    if want:
        ts = [t for t, _ in v]
        i = ts.index("2026-09-03T02:40:00Z")
        assert ts[i + 1] == "2026-09-03T03:20:00Z", ts[i:i + 2]
assert all(len(v) == n for v in q.values())
print("ok - PDU A wraps once, utility-b's 4 energy registers restart at 14:00, PDU B silent 10:40-11:20; none with --no-wrap --no-replace --no-gap")
P
"$D" --history "$T/n.csv" --start 2026-09-01 --end 2026-09-01T01:00 --no-snmp-views 2>/dev/null || fail "--no-snmp-views failed"
ns=$(tail -n +2 "$T/n.csv" | cut -d, -f2,3,5 | sort -u | wc -l)
[ "$ns" = 175 ] || fail "--no-snmp-views: $ns series, expected the 175 Modbus ones (63 + 112 of the rack PDUs)"
ok "--no-snmp-views leaves the 175 Modbus series"

# 6. The default steps (the demo's): 5 minutes, 1 minute for what free cooling is computed from.
for pair in "weather outdoor_temp_c 61" "chiller-plant cooling_mode 61" "weather-snmp temp_c 61" \
	"utility-a energy_kwh 13" "pdu-a power_w 13" "pdu-b-snmp energy_kwh 13"; do
	set -- $pair
	c=$(grep -c "^[^,]*,$1,$2," "$T/n.csv" || true)
	[ "$1" = weather-snmp ] || [ "$1" = pdu-b-snmp ] && c=$("$D" --history - --start 2026-09-01 --end 2026-09-01T01:00 2>/dev/null | grep -c "^[^,]*,$1,$2,")
	[ "$c" = "$3" ] || fail "default steps: $1 $2 has $c readings in an hour, expected $3"
done
ok "default steps: 5 min, 1 min for the weather station and the chiller plant"
