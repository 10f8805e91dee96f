#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# serial: measures how long greendcd takes to stop
# SIGTERM while greendcd is starting up on a large floor: 2,000 dual-fed racks (4,000 rack
# PDUs, 8,000 series) with readings every 30 s over the last 90 minutes, imported. As soon as
# the HTTP port listens, the /metrics snapshot is looking up every series' latest reading
# (store_latest, one pass over the open hours in staging) and the floor thread is computing
# capacity and the tenants' month to date; greendcd must stop within 2 s of the
# SIGTERM and exit 0. Before the fix the lookup read staging once per series and the
# daemon ignored SIGTERM until it had finished (docs/tenants.md, "Performance").
. "$(dirname "$0")/lib.sh"
RACKS=2000
HP=$(free_port)
$PY - "$T" "$B" "$top" "$HP" "$RACKS" <<'P'
import sys, time
T, B, top, hp, racks = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
with open(f"{T}/greendc.yaml", "w") as f:
    f.write(f"site: {{id: stop, name: stop, timezone: Asia/Shanghai}}\nstorage: {{path: {T}/greendc.db}}\n"
            f"daemon: {{drivers_dir: {B}/drivers, profiles_dir: {top}/etc/profiles}}\n"
            f"http: {{listen: 127.0.0.1, port: {hp}}}\n"
            "capacity: {window: 1h, refresh: 1m, defaults: {rated_a: 16, phases: 3, voltage_v: 230}}\n"
            "tariffs: [{name: flat, currency: CNY, source: test, prices: {flat: 0.6}}]\ndevices:\n")
    for k in range(racks):
        for side in "ab":
            f.write(f"  - {{name: rpdu-{k:05d}-{side}, driver: modbus, address: \"tcp://127.0.0.1:1\", "
                    f"profile: sim/dcsim-rack-pdu, enabled: false, labels: {{hall: H{k // 1000}, "
                    f"row: \"{k // 50 % 20}\", rack: R{k:05d}, feed: {side.upper()}}}}}\n")
    f.write("tenants:\n")
    for t in range(racks // 10):
        f.write(f"  - {{name: t{t:03d}, racks: [" + ", ".join(f"R{t * 10 + j:05d}" for j in range(10)) + "]}\n")
now = int(time.time()) // 30 * 30
with open(f"{T}/readings.csv", "w") as f:
    f.write("timestamp,device,metric,value,labels\n")
    for m in range(180, -1, -1):
        ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 30 * m))
        for k in range(racks):
            kw = 2.0 + (k % 9) * 0.4
            for side in "ab":
                lab = f"feed={side.upper()};hall=H{k // 1000};rack=R{k:05d};row={k // 50 % 20}"
                f.write(f"{ts},rpdu-{k:05d}-{side},power_w,{kw * 1000:.0f},{lab}\n")
                f.write(f"{ts},rpdu-{k:05d}-{side},energy_kwh,{1000 + (180 - m) * kw / 120:.3f},{lab}\n")
P
"$B/greendc" -c "$T/greendc.yaml" import "$T/readings.csv" >"$T/import.log" 2>&1 ||
	{ cat "$T/import.log" >&2; fail "import"; }
rm -f "$T/readings.csv"
ok "imported $(tail -n 1 "$T/import.log" | cut -d' ' -f2) readings of $((2 * RACKS)) rack PDUs"

bg gd "$B/greendcd" -c "$T/greendc.yaml"
wait_port "$HP" 60
# the lookup is under way when /metrics has nothing yet (it is rendered after the lookup)
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HP/metrics" || true)
t0=$(date +%s.%N)
STOP_SECONDS=$((2 * GDC_SLOW)) stop gd
took=$($PY -c "print(f'{$(date +%s.%N) - $t0:.2f}')")
grep -q 'SIGTERM: stopping' "$T/gd.log" || fail "greendcd did not log the SIGTERM"
ok "greendcd stopped ${took} s after SIGTERM during startup (/metrics answered $code just before)"
