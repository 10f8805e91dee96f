#!/bin/sh
# Started as root with daemon.user set, greendcd drops to that user before it opens the
# store: the process runs with the user's uid, root cannot be regained, the database it
# creates belongs to the user, and polling works. (Skipped, loudly, when not run as root.)
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ]; then
	echo "SKIPPED: privilege drop needs root (run make check as root, as CI does)"
	exit 0
fi
P=$(free_port)
bg dcsim "$B/dcsim" --port "$P"
wait_port "$P"
chmod 755 "$T"
cat >"$T/greendc.yaml" <<Y
site: {id: drop}
storage: {path: state/greendc.db, commit_interval: 200ms}
daemon: {user: nobody, drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles}
devices:
  - {name: utility-a, driver: modbus, address: "tcp://127.0.0.1:$P", profile: meter/eastron-sdm630,
     interval: 500ms, timeout: 400ms, options: {unit_id: 1}}
Y
chmod 644 "$T/greendc.yaml"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
sleep 2
uid=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$PID_greendcd/status")
nobody=$(id -u nobody)
[ "$uid" = "$nobody $nobody $nobody $nobody" ] || fail "running with uids $uid, expected $nobody"
ok "running as nobody (real, effective, saved and fs uid $nobody)"
grep -q "dropped root: running as nobody" "$T/greendcd.log" || fail "no log line"
owner=$(stat -c %u "$T/state/greendc.db")
[ "$owner" = "$nobody" ] || fail "database owned by uid $owner"
ok "the database belongs to nobody"
kill -TERM "$PID_greendcd"
wait "$PID_greendcd" || fail "exit status"
n=$("$B/greendc" --db "$T/state/greendc.db" query 'utility-a greendc_device_up' --from -5m --to now --step raw --format csv | tail -n +2 | wc -l)
[ "$n" -ge 3 ] || fail "only $n polls stored"
ok "$n polls stored after dropping root"

# A configured user that does not exist is an error, not a silent run as root.
sed -i 's/user: nobody/user: no-such-user-xyz/' "$T/greendc.yaml"
if "$B/greendcd" -c "$T/greendc.yaml" >"$T/bad.log" 2>&1; then fail "started without its user"; fi
grep -q 'daemon.user: no user "no-such-user-xyz"' "$T/bad.log" || { cat "$T/bad.log"; fail "unclear error"; }
ok "missing daemon.user refused"
