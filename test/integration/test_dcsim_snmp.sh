#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# dcsim's SNMP side (docs/dcsim.md, "SNMP") agrees with its Modbus side. One dcsim serves the
# same simulated PDUs, UPS and weather station over Modbus TCP and over SNMP; one greendcd
# polls both at once with the shipped profiles (pdu/apc-rpdu2, ups/ups-mib,
# environment/apc-emu; PDU B's SNMP profile found by sysObjectID) and with two test
# profiles that add the simulated time to the PDU's power and energy in the same request.
#
#  - sysObjectID, sysName and the community-per-device rule, with snmpget;
#  - matched by simulated second: SNMP power (hundredths of kW) is within 0.01 kW of the
#    Modbus power (W), and SNMP energy (tenths of kWh) within 0.1 kWh below the Modbus Wh
#    counter (both truncated, so never above it);
#  - the shipped profiles: every SNMP series has a Modbus twin at the same simulated second
#    (found through the timed devices) within the SNMP encoding's resolution.
. "$(dirname "$0")/lib.sh"

command -v snmpget >/dev/null || fail "snmpget missing (Debian package snmp)"
MP=$(free_port)
SP=$($PY -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# Speed 0.5: one model step every 2 s, so with 1 s polls every device has samples inside
# every simulated second and the pairs can be matched exactly.
bg dcsim "$B/dcsim" --port "$MP" --snmp-port "$SP" --speed 0.5 --start 2025-07-20T14:00 \
	--pidfile "$T/dcsim.pid"
n=0
until [ -s "$T/dcsim.pid" ]; do
	n=$((n + 1))
	[ $n -gt 100 ] && { cat "$T/dcsim.log"; fail "dcsim did not start"; }
	sleep 0.1
done

sg() { snmpget -v2c -c "$1" -t 1 -r 1 -Oqvn "127.0.0.1:$SP" "$2"; }
v=$(sg pdu-a 1.3.6.1.2.1.1.2.0)
case "$v" in .1.3.6.1.4.1.318.1.3.4.*) ;; *) fail "pdu-a sysObjectID $v, expected APC rPDU2 1.3.6.1.4.1.318.1.3.4.x" ;; esac
ok "pdu-a sysObjectID $v (APC rPDU2)"
v=$(sg ups 1.3.6.1.2.1.1.2.0)
[ "$v" = .1.3.6.1.4.1.705.1 ] || fail "ups sysObjectID $v"
v=$(sg weather 1.3.6.1.2.1.1.2.0)
case "$v" in .1.3.6.1.4.1.318.1.3.8.*) ;; *) fail "weather sysObjectID $v" ;; esac
v=$(sg pdu-b 1.3.6.1.2.1.1.5.0)
[ "$v" = '"pdu-b"' ] || fail "pdu-b sysName $v"
ok "ups 1.3.6.1.4.1.705.1, weather APC EMU, sysName = community = device"
if snmpget -v2c -c public -t 0.5 -r 0 "127.0.0.1:$SP" 1.3.6.1.2.1.1.2.0 >"$T/public.out" 2>&1; then
	fail "community public answered: $(cat "$T/public.out")"
fi
grep -q Timeout "$T/public.out" || fail "community public: $(cat "$T/public.out")"
v=$(snmpget -v2c -c ups -t 1 -r 1 "127.0.0.1:$SP" 1.3.6.1.4.1.318.1.1.26.4.3.1.5.1 2>&1)
echo "$v" | grep -q "No Such Object" || fail "ups answers a PDU OID: $v"
ok "unknown community dropped (timeout); a UPS has no PDU objects"

# Profiles: the shipped classes, plus t/ with the simulated time in the same request. The time
# is stored as runtime_s{clock=sim}: a registered metric in seconds (test profiles only).
mkdir -p "$T/profiles/t"
for c in pdu ups sim environment; do ln -s "$top/etc/profiles/$c" "$T/profiles/$c"; done
cat >"$T/profiles/t/snmp-pdu-timed.yaml" <<'EOF'
profile: snmp-pdu-timed
class: t
driver: snmp
source: "apc-rpdu2's device power and energy plus dcsimSimTime.0, in one GET"
points:
  - {metric: runtime_s, labels: {clock: sim}, oid: 1.3.6.1.4.1.8072.9999.9999.1.1.0}
  - {metric: power_w, oid: 1.3.6.1.4.1.318.1.1.26.4.3.1.5.1, scale: 10}
  - {metric: energy_kwh, kind: counter, counter_bits: 32, oid: 1.3.6.1.4.1.318.1.1.26.4.3.1.9.1, scale: 0.1}
EOF
cat >"$T/profiles/t/modbus-pdu-timed.yaml" <<'EOF'
profile: modbus-pdu-timed
class: t
driver: modbus
source: "dcsim-pdu-wh32's power and Wh counter plus the simulated time, in one read"
quirks: {max_gap: 20}
points:
  - {metric: runtime_s, labels: {clock: sim}, fc: 3, register: 0, type: uint32, order: abcd}
  - {metric: power_w, fc: 3, register: 16, type: uint32, order: abcd}
  - {metric: energy_kwh, kind: counter, counter_bits: 32, fc: 3, register: 19, type: uint32, order: abcd, scale: 0.001}
EOF
dev() { # name driver address profile options
	echo "  - {name: $1, driver: $2, address: \"$3\", ${4:+profile: $4, }interval: 1s, timeout: 1s, options: {$5}}"
}
{
	echo "site: {id: dcsim-snmp}"
	echo "storage: {path: greendc.db, commit_interval: 200ms}"
	echo "daemon: {drivers_dir: $B/drivers, profiles_dir: $T/profiles, workers: 4}"
	echo "devices:"
	dev t-snmp snmp "udp:127.0.0.1:$SP" t/snmp-pdu-timed "community: pdu-b"
	dev t-mb modbus "tcp://127.0.0.1:$MP" t/modbus-pdu-timed "unit_id: 12"
	dev pdu-a-snmp snmp "udp:127.0.0.1:$SP" pdu/apc-rpdu2 "community: pdu-a"
	dev pdu-a-mb modbus "tcp://127.0.0.1:$MP" sim/dcsim-pdu "unit_id: 11"
	dev pdu-b-snmp snmp "udp:127.0.0.1:$SP" "" "community: pdu-b"
	dev pdu-b-mb modbus "tcp://127.0.0.1:$MP" sim/dcsim-pdu-wh32 "unit_id: 12"
	dev ups-snmp snmp "udp:127.0.0.1:$SP" ups/ups-mib "community: ups"
	dev ups-mb modbus "tcp://127.0.0.1:$MP" sim/dcsim-ups "unit_id: 10"
	dev weather-snmp snmp "udp:127.0.0.1:$SP" environment/apc-emu "community: weather"
	dev weather-mb modbus "tcp://127.0.0.1:$MP" sim/dcsim-weather "unit_id: 40"
} >"$T/greendc.yaml"
"$B/greendc" check-config "$T/greendc.yaml" >"$T/check.out" 2>&1 || { cat "$T/check.out"; fail "check-config"; }

bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
sleep 13
stop greendcd
grep -q "pdu-b-snmp: identified as pdu/apc-rpdu2" "$T/greendcd.log" ||
	{ grep pdu-b-snmp "$T/greendcd.log"; fail "pdu-b-snmp not identified as pdu/apc-rpdu2 by sysObjectID"; }
ok "pdu-b over SNMP identified as pdu/apc-rpdu2 by its sysObjectID"
down=$(sql "$T/greendc.db" "SELECT group_concat(name) FROM devices WHERE state != 'up'")
[ -z "$down" ] || fail "devices not up: $down ($(sql "$T/greendc.db" "SELECT name, last_error FROM devices WHERE state != 'up'"))"

# Every series as CSV rows "series,ts,value" for the checks below.
"$B/greendc" --db "$T/greendc.db" series | awk 'NR > 1 { $1 = ""; $2 = ""; sub(/^ +/, ""); print }' \
	>"$T/series.txt"
: >"$T/all.csv"
while IFS= read -r s; do
	"$B/greendc" --db "$T/greendc.db" query "$s" --from -5m --to now --step raw --format csv |
		tail -n +2 | sed "s|^|$s;|" >>"$T/all.csv"
done <"$T/series.txt"
[ -s "$T/all.csv" ] || fail "nothing stored"

$PY - "$T/all.csv" <<'EOF' || fail "SNMP and Modbus disagree (above)"
import bisect, sys
from datetime import datetime
series = {}
for line in open(sys.argv[1]):
    name, rest = line.rstrip("\n").split(";", 1)
    ts, val = rest.split(",")[:2]
    try:
        t = float(ts)
    except ValueError:
        t = datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()
    series.setdefault(name, []).append((t, float(val)))
def get(dev, metric, labels=""):
    want = f"{dev} {metric}{labels}"
    if want not in series:
        print("missing series", want, "have", sorted(k for k in series if k.startswith(dev + " ")))
        sys.exit(1)
    return sorted(series[want])
bad = 0

# 1. Timed devices: pairs at the same simulated second.
def by_sim(dev):
    t = dict(get(dev, "runtime_s", "{clock=sim}"))
    out = {}
    for m in ("power_w", "energy_kwh"):
        for ts, v in get(dev, m):
            if ts in t:
                out.setdefault(int(t[ts]), {})[m] = v
    return out
s, m = by_sim("t-snmp"), by_sim("t-mb")
common = sorted(set(s) & set(m))
if len(common) < 4:
    print("only", len(common), "simulated seconds seen by both timed devices"); sys.exit(1)
e0 = None
for k in common:
    dp = s[k]["power_w"] - m[k]["power_w"]
    de = m[k]["energy_kwh"] - s[k]["energy_kwh"]
    if abs(dp) > 10 + 1e-6 or not (-1e-6 <= de < 0.1 + 1e-6):
        print(f"sim {k}: snmp {s[k]} modbus {m[k]}"); bad += 1
print(f"ok - {len(common)} simulated seconds matched: SNMP power within 10 W, energy 0..0.1 kWh below Modbus "
      f"(e.g. {s[common[-1]]['power_w']:.0f} W vs {m[common[-1]]['power_w']:.0f} W, "
      f"{s[common[-1]]['energy_kwh']:.1f} vs {m[common[-1]]['energy_kwh']:.3f} kWh)")
rise = m[common[-1]]["energy_kwh"] - m[common[0]]["energy_kwh"]
if rise <= 0:
    print("the energy did not move over", common[-1] - common[0], "simulated s"); bad += 1

# 2. The shipped profiles: the simulated second of any sample, from the timed devices'
# samples around it (same second before and after = known).
clock = sorted((ts, int(v)) for d in ("t-snmp", "t-mb") for ts, v in get(d, "runtime_s", "{clock=sim}"))
cts = [c[0] for c in clock]
def sim_at(ts):
    i = bisect.bisect_left(cts, ts)
    if i == 0 or i >= len(clock) or clock[i - 1][1] != clock[i][1]:
        return None
    return clock[i][1]
def pairs(a, b, tol, what, lo=None):
    A = {sim_at(ts): v for ts, v in a}; A.pop(None, None)
    B = {sim_at(ts): v for ts, v in b}; B.pop(None, None)
    ks = sorted(set(A) & set(B))
    global bad
    if not ks:
        print("no matched simulated second for", what); bad += 1; return
    for k in ks:
        d = B[k] - A[k]
        ok_ = (lo <= d <= tol) if lo is not None else abs(d) <= tol
        if not ok_:
            print(f"{what} sim {k}: snmp {A[k]} modbus {B[k]}"); bad += 1
    print(f"ok - {what}: {len(ks)} matched seconds, last snmp {A[ks[-1]]:g} modbus {B[ks[-1]]:g}")
pairs(get("pdu-a-snmp", "power_w"), get("pdu-a-mb", "power_w"), 10, "pdu-a power_w (apc-rpdu2 vs dcsim-pdu)")
# dcsim-pdu's energy is the 16-bit whole-kWh register: floor(E) vs floor(10 E)/10.
pairs(get("pdu-a-snmp", "energy_kwh"), get("pdu-a-mb", "energy_kwh"), 1e-6, "pdu-a energy_kwh", lo=-0.9 - 1e-6)
pairs(get("pdu-b-snmp", "power_w"), get("pdu-b-mb", "power_w"), 10, "pdu-b power_w (identified apc-rpdu2 vs dcsim-pdu-wh32)")
pairs(get("pdu-b-snmp", "energy_kwh"), get("pdu-b-mb", "energy_kwh"), 0.1 + 1e-6, "pdu-b energy_kwh", lo=-1e-6)
# Phase rows add up to the device total exactly (one integer split three ways).
ph = [dict(get("pdu-a-snmp", "power_w", "{phase=%d}" % p)) for p in (1, 2, 3)]
tot = dict(get("pdu-a-snmp", "power_w"))
n = 0
for ts in ph[0]:
    if all(ts in p for p in ph) and sim_at(ts) is not None:
        near = [t for t in tot if sim_at(t) == sim_at(ts)]
        if near:
            n += 1
            if abs(sum(p[ts] for p in ph) - tot[near[0]]) > 1e-6:
                print("phases", [p[ts] for p in ph], "total", tot[near[0]]); bad += 1
if not n:
    print("no phase rows matched"); bad += 1
else:
    print(f"ok - pdu-a phase 1+2+3 power = device power ({n} polls)")
# UPS: RFC 1628 output lines (W each) add up to the Modbus output power (W).
lines = [get("ups-snmp", "power_w", "{phase=%d}" % p) for p in (1, 2, 3)]
summed = [(ts, sum(dict(l)[ts] for l in lines)) for ts, _ in lines[0] if all(ts in dict(l) for l in lines)]
pairs(summed, get("ups-mb", "power_w", "{side=output}"), 0.5, "ups output power (sum of upsOutputPower lines vs dcsim-ups W)")
pairs(get("weather-snmp", "temp_c", "{sensor=1,unit=0}"), get("weather-mb", "outdoor_temp_c"), 0.55,
      "outdoor temperature (apc-emu whole C vs 0.1 C)")
sys.exit(1 if bad else 0)
EOF
ok "SNMP and Modbus sides agree"

stop dcsim
grep -q "SNMP: [1-9][0-9]* requests, 1 dropped" "$T/dcsim.log" || { cat "$T/dcsim.log"; fail "dcsim SNMP summary"; }
ok "dcsim stopped cleanly: $(grep 'SNMP:' "$T/dcsim.log")"
