# SPDX-License-Identifier: Apache-2.0
"""A large floor for test_stop_startup.sh and bench/bench_floor.sh: a config of RACKS
dual-fed racks (rack PDUs rpdu-NNNNN-a/b, disabled: nothing is polled, their readings are
imported), TENANTS tenants sharing the racks equally, and readings.csv with power and energy
of every PDU every STEP seconds over the last STEPS steps, for `greendc import`.

    python3 floor_gen.py DIR BUILD TOP HTTP_PORT RACKS TENANTS STEP STEPS SITE_ID
"""
import sys
import time

T, B, top, hp = sys.argv[1:5]
racks, tenants, step, steps = (int(x) for x in sys.argv[5:9])
site = sys.argv[9]

with open(f"{T}/greendc.yaml", "w") as f:
    f.write(f"site: {{id: {site}, name: {site}, timezone: Asia/Shanghai}}\n"
            f"storage: {{path: {T}/greendc.db}}\n"
            f"daemon: {{drivers_dir: {B}/drivers, profiles_dir: {top}/etc/profiles}}\n"
            f"http: {{listen: 127.0.0.1, port: {hp}}}\n"
            "capacity: {window: 1h, refresh: 1m, defaults: {rated_a: 16, phases: 3, voltage_v: 230}}\n"
            f"tariffs: [{{name: flat, currency: CNY, source: {site}, prices: {{flat: 0.6}}}}]\n"
            "devices:\n")
    for k in range(racks):
        for side in "ab":
            f.write(f"  - {{name: rpdu-{k:05d}-{side}, driver: modbus, address: \"tcp://127.0.0.1:1\", "
                    f"profile: sim/dcsim-rack-pdu, enabled: false, labels: {{hall: H{k // 1000}, "
                    f"row: \"{k // 50 % 20}\", rack: R{k:05d}, feed: {side.upper()}}}}}\n")
    f.write("tenants:\n")
    per = racks // tenants
    for t in range(tenants):
        f.write(f"  - {{name: t{t:03d}, racks: [" + ", ".join(f"R{t * per + j:05d}" for j in range(per)) + "]}\n")

now = int(time.time()) // step * step
with open(f"{T}/readings.csv", "w") as f:
    f.write("timestamp,device,metric,value,labels\n")
    for m in range(steps, -1, -1):
        ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - step * m))
        for k in range(racks):
            kw = 2.0 + (k % 9) * 0.4
            for side in "ab":
                lab = f"feed={side.upper()};hall=H{k // 1000};rack=R{k:05d};row={k // 50 % 20}"
                f.write(f"{ts},rpdu-{k:05d}-{side},power_w,{kw * 1000:.0f},{lab}\n")
                f.write(f"{ts},rpdu-{k:05d}-{side},energy_kwh,{1000 + (steps - m) * kw * step / 3600:.3f},{lab}\n")
