#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# serial: asserts that a slow agent does not delay the others
# One SNMP agent that never answers and one that answers slowly (0.7 s per reply) do not
# delay 50 healthy agents (snmpsim, one community per device) polled every second: each
# healthy device keeps its 1 s cadence (greendc_device_up timestamps), while the silent
# one is marked down and the slow one still reads.
. "$(dirname "$0")/lib.sh"

udp_port() {
	$PY -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
P=$(udp_port)
P_SILENT=$(udp_port)
P_SLOW=$(udp_port)
N=50
mkdir -p "$T/data" "$T/cache" "$T/profiles/test"
for i in $(seq 1 $N); do
	cp "$top/test/devices/snmprec/apc_apdu9959eu3.snmprec" "$T/data/pdu$i.snmprec"
done
start_snmpsim "$P" pdu1
bg silent $PY "$top/test/integration/snmp_slow_peer.py" --port "$P_SILENT" --silent
bg slow $PY "$top/test/integration/snmp_slow_peer.py" --port "$P_SLOW" --delay 0.7 --upstream "$P"

cat >"$T/profiles/test/pdu-power.yaml" <<'Y'
profile: pdu-power
class: test
driver: snmp
source: "PowerNet-MIB rPDU2DeviceStatusPower / Energy (test/devices/snmprec/apc_apdu9959eu3.snmprec)"
points:
  - {metric: power_w, oid: 1.3.6.1.4.1.318.1.1.26.4.3.1.5.1, scale: 10}
  - {metric: energy_kwh, kind: counter, counter_bits: 32, oid: 1.3.6.1.4.1.318.1.1.26.4.3.1.9.1, scale: 0.1}
Y
{
	echo "site: {id: it, timezone: UTC, altitude_m: 0}"
	echo "storage: {path: greendc.db, commit_interval: 200ms}"
	echo "daemon: {workers: 4, max_backoff: 2s, drivers_dir: $B/drivers, profiles_dir: profiles, log_level: info}"
	echo "devices:"
	for i in $(seq 1 $N); do
		echo "  - {name: pdu$i, driver: snmp, address: \"udp:127.0.0.1:$P\", profile: test/pdu-power, interval: 1s, timeout: 900ms, options: {community: pdu$i}}"
	done
	echo "  - {name: silent, driver: snmp, address: \"udp:127.0.0.1:$P_SILENT\", profile: test/pdu-power, interval: 1s, timeout: 900ms, options: {community: pdu1}}"
	echo "  - {name: slow, driver: snmp, address: \"udp:127.0.0.1:$P_SLOW\", profile: test/pdu-power, interval: 1s, timeout: 900ms, options: {community: pdu1}}"
} >"$T/greendc.yaml"
"$B/greendc" check-config "$T/greendc.yaml" || fail "config does not validate"

bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
RUN=10
sleep $RUN
stop greendcd

$PY - "$B/greendc" "$T/greendc.db" "$N" <<'PYEOF' || fail "cadence"
import subprocess, sys
from datetime import datetime
cli, db, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def series(s):
    out = subprocess.run([cli, "--db", db, "query", s, "--from", "-10m", "--to", "now",
                          "--step", "raw", "--format", "csv"], capture_output=True, text=True)
    if out.returncode:
        print(s, out.stderr.strip())
    out = out.stdout
    rows = []
    for line in out.strip().splitlines()[1:]:
        ts, v = line.split(",")[:2]
        rows.append((datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp(), float(v)))
    return rows
worst_gap, fewest, bad = 0.0, 1 << 30, 0
for i in range(1, n + 1):
    up = series("pdu%d greendc_device_up" % i)
    ok = [t for t, v in up if v == 1]
    if len(ok) != len(up):
        print("pdu%d: %d failed polls" % (i, len(up) - len(ok))); bad = 1
    gaps = [b - a for a, b in zip(ok, ok[1:])]
    worst_gap = max([worst_gap] + gaps)
    fewest = min(fewest, len(ok))
    p = series("pdu%d power_w" % i)
    if not p or p[-1][1] != 1170:
        print("pdu%d power_w %s" % (i, p[-1:] if p else None)); bad = 1
# Ten seconds at 1 s: at least 8 successful polls each, no gap over 1.5 s.
print("healthy devices: fewest polls %d, worst gap between polls %.3f s" % (fewest, worst_gap))
if fewest < 8 or worst_gap > 1.5:
    bad = 1
silent = series("silent greendc_device_up")
if not silent or any(v != 0 for _, v in silent):
    print("silent device up: %s" % silent[:3]); bad = 1
slow = series("slow power_w")
if not slow or slow[-1][1] != 1170:
    print("slow device power_w: %s" % slow[-1:]); bad = 1
print("silent: %d polls, all down; slow: %d readings" % (len(silent), len(slow)))
sys.exit(bad)
PYEOF
ok "50 healthy devices kept a 1 s cadence next to a silent and a slow agent"
grep -q "silent: no reply" "$T/greendcd.log" || { grep silent "$T/greendcd.log"; fail "silent device error not logged"; }
ok "silent agent logged: $(grep -m1 -o 'silent: no reply.*' "$T/greendcd.log")"
