#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# serial: creates and checks the system user greendc
# Started as root with daemon.user set, greendcd drops to that user before it opens the
# store: the process runs with the user's uid, root cannot be regained, the database it
# creates belongs to the user, and polling works; a configured user that does not exist is an
# error. Without daemon.user and with no user "greendc", outside systemd it refuses to run as
# root; --allow-root or a start by systemd runs it as root with a warning. (Skipped, loudly,
# when not run as root.)
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip not-root "privilege drop needs root (run make check as root, as CI does)"
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
stop greendcd
n=$("$B/greendc" --db "$T/state/greendc.db" query 'utility-a greendc_device_up' --from -5m --to now --step raw --format csv | tail -n +2 | wc -l)
[ "$n" -ge 3 ] || fail "only $n polls stored"
ok "$n polls stored after dropping root"

# A configured user that does not exist is an error, not a silent run as root.
sed -i 's/user: nobody/user: no-such-user-xyz/' "$T/greendc.yaml"
if "$B/greendcd" -c "$T/greendc.yaml" >"$T/bad.log" 2>&1; then fail "started without its user"; fi
grep -q 'daemon.user: no user "no-such-user-xyz"' "$T/bad.log" || { cat "$T/bad.log"; fail "unclear error"; }
ok "missing daemon.user refused"

# Without daemon.user, outside systemd, and no user "greendc" to drop to: greendcd refuses to
# run as root and creates nothing; --allow-root runs it as root (warned); so does a start by
# systemd (SYSTEMD_EXEC_PID is greendcd's own pid), with a warning.
if id greendc >/dev/null 2>&1; then
	skip user-greendc-exists "this machine has a user greendc, which greendcd would drop to: refusal not tested"
fi
mkdir -p "$T/r"
cat >"$T/r/greendc.yaml" <<Y
site: {id: refuse}
storage: {path: state/greendc.db, commit_interval: 200ms}
daemon: {drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles}
devices:
  - {name: utility-a, driver: modbus, address: "tcp://127.0.0.1:$P", profile: meter/eastron-sdm630,
     interval: 500ms, timeout: 400ms, options: {unit_id: 1}}
Y
if env -u SYSTEMD_EXEC_PID -u INVOCATION_ID timeout 20 "$B/greendcd" -c "$T/r/greendc.yaml" >"$T/refuse.log" 2>&1; then
	fail "ran as root without daemon.user, --allow-root or a user to drop to"
fi
grep -q 'refusing to run as root; create the user, set daemon.user, or pass --allow-root' "$T/refuse.log" ||
	{ cat "$T/refuse.log"; fail "unclear refusal"; }
[ -e "$T/r/state" ] && fail "created its state folder before refusing"
ok "root without daemon.user outside systemd refused, nothing created"

# as_root NAME ARGS...: start greendcd in the background (not through bg, which adds
# --allow-root), check it runs with uid 0 and polls, then stop it.
as_root() {
	_name=$1
	shift
	rm -rf "$T/r/state"
	bg --as-is --judge "$_name" env -u SYSTEMD_EXEC_PID -u INVOCATION_ID "$@"
	eval "_pid=\$PID_$_name"
	_n=0
	until [ -s "$T/r/state/greendc.db" ] && [ "$("$B/greendc" --db "$T/r/state/greendc.db" query 'utility-a greendc_device_up' --from -5m --to now --step raw --format csv 2>/dev/null | tail -n +2 | wc -l)" -ge 2 ]; do
		_n=$((_n + 1))
		[ $_n -gt 100 ] && { cat "$T/$_name.log"; fail "$_name: not polling"; }
		alive "$_name" || { cat "$T/$_name.log"; fail "$_name: exited"; }
		sleep 0.1
	done
	[ "$(awk '/^Uid:/ {print $3}' "/proc/$_pid/status")" = 0 ] || fail "$_name: not running as root"
	stop "$_name"
}
as_root allow "$B/greendcd" --allow-root -c "$T/r/greendc.yaml"
grep -q "running as root because of --allow-root" "$T/allow.log" || fail "--allow-root not warned"
ok "--allow-root: runs and polls as root, with a warning"
# What systemd does for ExecStart=: SYSTEMD_EXEC_PID is the pid it executes.
as_root systemd sh -c 'SYSTEMD_EXEC_PID=$$ exec "$0" -c "$1"' "$B/greendcd" "$T/r/greendc.yaml"
grep -q 'started as root by systemd and there is no user "greendc": still running as root' "$T/systemd.log" ||
	{ cat "$T/systemd.log"; fail "systemd start not warned"; }
ok "started by systemd (SYSTEMD_EXEC_PID): runs as root with a warning"
