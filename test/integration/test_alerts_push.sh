#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Alert lifecycle end to end: a Modbus device (tools/dcsim) goes away and comes back. Two
# rules watch it (device_down, and a threshold on its greendc_device_up series with `for`
# and hysteresis). Each must fire exactly once and resolve exactly once, reach the reference
# receiver as firing then resolved (same fingerprint), and `greendc alerts` must list it as
# active while the device is down and not after. A restart of greendcd while an alert is
# firing must not fire it again.
. "$(dirname "$0")/lib.sh"

MP=$(free_port)
RP=$(free_port)
echo "whsec_$(head -c 24 /dev/urandom | base64)" >"$T/key"
chmod 600 "$T/key"
bg receiver "$B/greendc-receiver" --port "$RP" --db "$T/r.db" --secret-file "$T/key" --request-log "$T/req.log"
bg dcsim "$B/dcsim" --port "$MP"
wait_port "$RP"
wait_port "$MP"
cat >"$T/greendc.yaml" <<Y
site: {id: alerts, name: Alerts DC}
storage: {path: greendc.db, commit_interval: 100ms}
daemon: {drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles, max_backoff: 1s}
devices:
  - {name: utility-a, driver: modbus, address: "tcp://127.0.0.1:$MP", profile: meter/eastron-sdm630,
     interval: 500ms, timeout: 300ms, options: {unit_id: 1}}
alerts:
  interval: 500ms
  rules:
    - {name: meter_down, type: device_down, for: 1s, severity: critical}
    - {name: meter_not_up, type: threshold, series: "utility-a greendc_device_up*", below: 0.5,
       hysteresis: 0.4, for: 1s, lookback: 3s}
outputs:
  summary_interval: 0s
  report:
    - {name: central, url: "http://127.0.0.1:$RP/ingest", secret_file: key, streams: [alert],
       backoff_min: 100ms, backoff_max: 500ms}
Y
"$B/greendc" check-config "$T/greendc.yaml" >/dev/null || fail "config refused"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
DB="$T/greendc.db"
sleep 3
n=$(sql "$T/r.db" "SELECT count(*) FROM messages")
[ "$n" -eq 0 ] || fail "alerts before anything went wrong ($n)"

stop dcsim
n=0
until [ "$(sql "$T/r.db" "SELECT count(*) FROM messages WHERE body LIKE '%\"firing\"%'")" -ge 2 ]; do
	n=$((n + 1))
	[ $n -gt 150 ] && { cat "$T/greendcd.log"; fail "no firing alerts within 15 s"; }
	sleep 0.1
done
"$B/greendc" --db "$DB" alerts >"$T/active.txt"
grep -A3 '^active:' "$T/active.txt" | grep -q meter_down || { cat "$T/active.txt"; fail "meter_down not active"; }
ok "device gone: both rules fired and reached the receiver; greendc alerts lists them"

# Restart while firing: the engine restores the state, nothing fires twice.
stop greendcd
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
sleep 3

bg dcsim "$B/dcsim" --port "$MP"
wait_port "$MP"
n=0
until [ "$(sql "$T/r.db" "SELECT count(*) FROM messages WHERE body LIKE '%\"resolved\"%'")" -ge 2 ]; do
	n=$((n + 1))
	[ $n -gt 200 ] && { cat "$T/greendcd.log"; fail "no resolution within 20 s"; }
	sleep 0.1
done
sleep 2 # anything spurious would arrive now
$PY - "$T/r.db" <<'P' || fail "lifecycle at the receiver"
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
seq = {}
for s, body in db.execute("SELECT seq, body FROM messages ORDER BY seq"):
    j = json.loads(body)
    assert j["type"] == "alert", j
    seq.setdefault(j["identity"], []).append((j["status"], j["fingerprint"], j["startsAt"]))
assert len(seq) == 2, seq
for ident, ev in seq.items():
    assert [e[0] for e in ev] == ["firing", "resolved"], (ident, ev)
    assert ev[0][1] == ev[1][1] and ev[0][2] == ev[1][2], ev  # same identity, same startsAt
print({k: [e[0] for e in v] for k, v in seq.items()})
P
"$B/greendc" --db "$DB" alerts >"$T/after.txt"
sed -n '/^active:/,/^recent:/p' "$T/after.txt" | grep -q "(none)" || { cat "$T/after.txt"; fail "alerts still active"; }
[ "$(grep -c resolved "$T/after.txt")" -eq 2 ] || fail "recent list: $(cat "$T/after.txt")"
ok "device back: each alert resolved once, firing then resolved at the receiver, no duplicate across a restart"
[ "$(sql "$DB" "SELECT count(*) FROM outbox")" -eq 0 ] || fail "outbox not empty"
stop greendcd
