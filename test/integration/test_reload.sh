#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# SIGHUP: a broken config is refused with file:line and the running one keeps polling; a good
# one adds a device without losing what was already stored; SIGTERM exits 0 after a flush.
. "$(dirname "$0")/lib.sh"

P=$(free_port)
bg dcsim "$B/dcsim" --port "$P"
wait_port "$P"
conf() { # extra device lines
	cat <<Y
site: {id: reload}
storage: {path: greendc.db, commit_interval: 200ms}
daemon: {drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles}
devices:
  - {name: utility-a, driver: modbus, address: "tcp://127.0.0.1:$P", profile: meter/eastron-sdm630,
     interval: 500ms, timeout: 400ms, options: {unit_id: 1}}
$1
Y
}
conf "" >"$T/greendc.yaml"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
sleep 2
DB="$T/greendc.db"
count() { "$B/greendc" --db "$DB" query "$1" --from -10m --to now --step raw --format csv 2>/dev/null | tail -n +2 | wc -l; }

# 1. A broken config: refused, old one keeps running.
printf 'site: {id: reload}\ndevices:\n  - {name: x, bogus: 1}\n' >"$T/greendc.yaml"
kill -HUP "$PID_greendcd"
sleep 1.5
grep -q "greendc.yaml:3: devices\[0\].bogus: unknown key" "$T/greendcd.log" ||
	{ cat "$T/greendcd.log"; fail "reload error without file:line"; }
grep -q "reload failed, keeping the running configuration" "$T/greendcd.log" || fail "no 'keeping' message"
n1=$(count 'utility-a greendc_device_up')
sleep 1.5
n2=$(count 'utility-a greendc_device_up')
[ "$n2" -gt "$n1" ] || fail "polling stopped after a bad reload ($n1 -> $n2)"
ok "bad reload refused with file:line; polling went on ($n1 -> $n2 polls)"

# 2. A good config with one more device.
conf "  - {name: ups, driver: modbus, address: \"tcp://127.0.0.1:$P\", profile: sim/dcsim-ups,
     interval: 500ms, timeout: 400ms, options: {unit_id: 10}}" >"$T/greendc.yaml"
kill -HUP "$PID_greendcd"
sleep 2.5
grep -q "reloaded: 2 devices" "$T/greendcd.log" || { cat "$T/greendcd.log"; fail "no reload"; }
n3=$(count 'utility-a greendc_device_up')
nu=$(count 'ups greendc_device_up')
[ "$nu" -ge 3 ] || fail "new device not polled after reload ($nu polls)"
[ "$n3" -gt "$n2" ] || fail "old device lost after reload"
ok "good reload: new device polled ($nu polls), old device kept ($n3 polls)"

# 3. SIGTERM flushes: everything acknowledged is there after exit.
stop greendcd
n4=$(count 'utility-a greendc_device_up')
[ "$n4" -ge "$n3" ] || fail "samples lost at shutdown ($n3 -> $n4)"
ok "SIGTERM: exit 0, $n4 polls stored"
ok=$(sql "$DB" "PRAGMA integrity_check")
[ "$ok" = ok ] || fail "integrity_check: $ok"
ok "integrity_check ok"

# 4. The audit log has every reload with who sent it and the result, and is private.
A="$T/audit.log"
[ -f "$A" ] || fail "no audit log"
mode=$(stat -c %a "$A")
[ "$mode" = 600 ] || fail "audit log mode $mode"
$PY - "$A" "$$" <<'P' || { cat "$A"; fail "audit log incomplete"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
ev = [(r["event"], r["result"]) for r in recs]
assert ev[0] == ("daemon_start", "ok"), ev
assert ("config_reload", "rejected: invalid configuration") in ev, ev
assert ("config_reload", "ok") in ev, ev
assert ev[-1] == ("daemon_stop", "ok"), ev
for r in recs:
    assert r["time"].endswith("Z") and len(r["time"]) == 24, r
    if r["event"] == "config_reload":
        assert r["subject"].startswith("signal from uid ") and r["object"].endswith("greendc.yaml"), r
print("ok - audit log:", ", ".join(f"{e}={x}" for e, x in ev))
P
