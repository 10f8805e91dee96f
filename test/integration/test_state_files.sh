#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# What greendcd creates is for its own user only (issue 20, item 12; docs/internals/daemon.md):
# started by hand with the usual umask 022, the database, its WAL and shared-memory files, the
# audit log and the database's folder come out mode 0600 (0700 for the folder), not 0644.
. "$(dirname "$0")/lib.sh"

P=$(free_port)
mkdir -p "$T/profiles/meter"
cat >"$T/profiles/meter/m.yaml" <<'Y'
profile: m
class: meter
driver: modbus
source: "test fixture"
points:
  - {metric: power_w, fc: 3, register: 0, type: uint16}
Y
cat >"$T/greendc.yaml" <<Y
site: {id: t, timezone: UTC}
daemon: {drivers_dir: $B/drivers, profiles_dir: profiles, audit_log: state/audit.log}
storage: {path: state/t.db, commit_interval: 100ms}
devices:
  - {name: m1, driver: modbus, address: "tcp://127.0.0.1:$P", profile: meter/m, interval: 200ms, timeout: 100ms}
Y
echo '{"units": {"1": {"holding": {"0": 42}}}}' >"$T/spec.json"
bg modbus $PY "$top/test/integration/pymodbus_server.py" --port "$P" --spec "$T/spec.json"
wait_port "$P"
bg --judge greendcd sh -c 'umask 022 && exec "$@"' sh "$B/greendcd" $GDCD_ARGS -c "$T/greendc.yaml"
n=0
until [ -f "$T/state/t.db-wal" ] && [ "$(sql "$T/state/t.db" "SELECT count(*) FROM devices WHERE state = 'up'" 2>/dev/null || echo 0)" = 1 ]; do
	n=$((n + 1))
	[ $n -gt 100 ] && { cat "$T/greendcd.log"; fail "no device up and no WAL after 10 s"; }
	sleep 0.1
done
for f in t.db t.db-wal t.db-shm audit.log; do
	[ -f "$T/state/$f" ] || fail "$f was not created"
	m=$(stat -c %a "$T/state/$f")
	[ "$m" = 600 ] || fail "$f is mode $m, want 600"
done
m=$(stat -c %a "$T/state")
[ "$m" = 700 ] || fail "the database folder is mode $m, want 700"
ok "under umask 022: t.db, t.db-wal, t.db-shm, audit.log 0600 and their folder 0700"
stop greendcd
