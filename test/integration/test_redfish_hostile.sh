#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# serial: asserts that the good devices are not delayed
# The Redfish driver against misbehaving BMCs (test/integration/redfish_fixture.py modes),
# next to healthy ones, all polled every second with a 500 ms timeout. Asserts:
#   - a BMC that answers slowly, with invalid JSON, with 401 to everything, or with a 5 MB
#     body, or whose certificate is not signed by the configured CA, is down, logged once
#     with the reason, stores nothing, and no poll of it outlasts its deadline;
#   - the healthy BMCs keep their 1 s cadence meanwhile (largest gap <= 1.25 s);
#   - a BMC without a session service is read with Basic auth; one whose tokens expire is
#     logged into again and stays up;
#   - a BMC whose tree changes (SIGUSR1 swaps the mockup: the chassis is renamed, old URIs
#     404) is discovered again and read from the new tree.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/redfish_lib.sh"

DEV="$top/test/devices/redfish"
redfish_certs "$T/tls"
redfish_certs "$T/other"  # another CA: its ca.crt does not sign the fixture's certificate
redfish_secrets "$T/bmc.secrets"
cur="$DEV/rackmount-current"
HOSTILE="slow badjson unauthorized big wrongca"
redfish_fixture "$T/ports" --serve ok1=0:"$cur" --serve ok2=0:"$cur" --serve ok3=0:"$cur" \
	--serve slow=0:"$cur":slow=3 --serve badjson=0:"$cur":badjson \
	--serve unauthorized=0:"$cur":unauthorized --serve big=0:"$cur":big \
	--serve wrongca=0:"$cur" --serve nosessions=0:"$cur":nosessions \
	--serve expire=0:"$cur":expire=6 \
	--serve moved=0:"$DEV/rackmount-both":swap="$DEV/rackmount-both-moved"

{
	echo "site: {id: rfhostile, timezone: UTC}"
	echo "storage: {path: greendc.db, commit_interval: 200ms}"
	echo "daemon: {user: $(id -un), workers: 4, max_backoff: 8s, drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles, log_level: info}"
	echo "devices:"
	for n in ok1 ok2 ok3 $HOSTILE nosessions expire moved; do
		ca="$T/tls/ca.crt"
		[ $n = wrongca ] && ca="$T/other/ca.crt"
		echo "  - {name: $n, driver: redfish, address: \"https://127.0.0.1:$(fixture_port "$T/ports" $n)\", profile: server/redfish-generic,"
		echo "     interval: 1s, timeout: 500ms, options: {secrets_file: $T/bmc.secrets, ca_file: $ca}}"
	done
} >"$T/greendc.yaml"
"$B/greendc" check-config "$T/greendc.yaml" || fail "config does not validate"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
sleep 5
kill -USR1 "$PID_fixture" # the "moved" BMC now serves a tree whose chassis is 1U-B
sleep 5
stop greendcd
ok "greendcd survived 10 s of misbehaving BMCs and stopped with status 0"
G() { "$B/greendc" --db "$T/greendc.db" "$@"; }

for d in ok1 ok2 ok3 nosessions expire; do
	G query "$d greendc_device_up" --from -10m --to now --step raw --format csv | tail -n +2 >"$T/up.csv"
	$PY - "$T/up.csv" "$d" <<'P' || fail "$d was delayed or went down"
import csv, sys, datetime
rows = list(csv.reader(open(sys.argv[1])))
t = [datetime.datetime.fromisoformat(r[0].replace("Z", "+00:00")).timestamp() for r in rows]
up = [float(r[1]) for r in rows]
gaps = [b - a for a, b in zip(t, t[1:])]
assert len(t) >= 8, f"{len(t)} polls in 10 s"
assert all(u == 1 for u in up), f"device went down: {up}"
assert max(gaps) <= 1.25, f"largest gap {max(gaps):.3f} s"
print(f"ok - {sys.argv[2]}: {len(t)} polls, all up, largest gap {max(gaps):.3f} s")
P
	v=$(G query "$d power_w" --from -10m --to now --step raw --format csv | tail -n 1 | cut -d, -f2)
	[ "$v" = 376 ] || fail "$d power_w = $v, expected 376"
done

G devices --format csv >"$T/devices.csv"
for d in $HOSTILE; do
	row=$(grep "^$d," "$T/devices.csv") || fail "$d missing from devices"
	state=$(echo "$row" | cut -d, -f4)
	[ "$state" = down ] || { cat "$T/devices.csv"; fail "$d is $state, expected down"; }
	n=$(grep -c "$d:" "$T/greendcd.log" || true)
	[ "$n" = 1 ] || { grep "$d:" "$T/greendcd.log"; fail "$d logged $n times, expected once"; }
	data=$(G series "$d *" | tail -n +2 | grep -v ' greendc_' || true)
	[ -z "$data" ] || fail "$d stored data: $data"
	max=$(G query "$d greendc_poll_duration_s" --from -10m --to now --step raw --format csv |
		tail -n +2 | cut -d, -f2 | sort -g | tail -n 1)
	$PY -c "import sys; sys.exit(0 if float('$max') <= 1.1 else 1)" ||
		fail "$d poll took $max s, past its 1 s deadline"
	ok "$d down, longest poll ${max} s, logged once: $(grep "$d:" "$T/greendcd.log" | sed "s/^.*$d: //")"
done
grep "slow:" "$T/greendcd.log" | grep -q "timed out" || fail "slow: the reason is not a timeout"
grep "badjson:" "$T/greendcd.log" | grep -q "invalid JSON" || fail "badjson: the reason does not say invalid JSON"
grep "unauthorized:" "$T/greendcd.log" | grep -q "credentials refused" || fail "unauthorized: the reason does not say credentials"
grep "big:" "$T/greendcd.log" | grep -q "body larger than 1048576 bytes" || fail "big: the reason does not name the cap"
grep "wrongca:" "$T/greendcd.log" | grep -qi "certificate" || fail "wrongca: the reason does not name the certificate"
ok "each misbehaviour is named in the log"

b=$(grep -c '^nosessions GET .* 200 basic$' "$T/fixture.log" || true)
[ "$b" -ge 8 ] || fail "nosessions: $b requests with Basic auth"
ok "a BMC without a session service is read with Basic auth ($b requests)"
l=$(grep -c '^expire POST /redfish/v1/SessionService/Sessions 201' "$T/fixture.log" || true)
[ "$l" -ge 3 ] || fail "expire: $l logins; an expired token was not replaced"
ok "expired tokens are replaced by a new login ($l logins), the BMC stays up"

G query 'moved power_w' --from -10m --to now --step raw --format csv | tail -n +2 | cut -d, -f2 | uniq >"$T/moved.txt"
[ "$(head -n 1 "$T/moved.txt")" = 374 ] && [ "$(tail -n 1 "$T/moved.txt")" = 401 ] ||
	fail "moved: power went $(tr '\n' ' ' <"$T/moved.txt")instead of 374 then 401"
c=$(grep -c '^moved GET /redfish/v1/Chassis 200' "$T/fixture.log" || true)
[ "$c" = 2 ] || fail "moved: the Chassis collection was read $c times, expected 2 (discovery, re-discovery)"
ok "a changed tree (404 on the old chassis) is discovered again: power 374 W, then 401 W"
