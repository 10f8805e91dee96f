#!/bin/sh
# Profiles matched by sysObjectID: device entries that name no profile are identified at run
# time (GET sysObjectID.0) and read with the profile whose `match: {sysobjectid: PREFIX}` is
# the longest prefix. Every recording must get the profile its device test names; an agent
# no profile claims (the Eaton 93PS, enterprise 705) is down with a clear reason.
. "$(dirname "$0")/lib.sh"

DEV="$top/test/devices"
P=$(free_udp_port)
mkdir -p "$T/data" "$T/cache"
cp "$DEV"/snmprec/*.snmprec "$T/data/"
start_snmpsim "$P" apc_emu
{
	echo "site: {id: ident}"
	echo "storage: {path: greendc.db, commit_interval: 200ms}"
	echo "daemon: {drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles, max_backoff: 4s}"
	echo "devices:"
	for f in "$T"/data/*.snmprec; do
		n=$(basename "$f" .snmprec)
		echo "  - {name: $n, driver: snmp, address: \"udp:127.0.0.1:$P\", interval: 1s, timeout: 1s, options: {community: $n}}"
	done
} >"$T/greendc.yaml"
"$B/greendc" check-config "$T/greendc.yaml" >"$T/check.out" 2>&1 || { cat "$T/check.out"; fail "config without profiles refused"; }
ok "check-config accepts devices without a profile ($(cat "$T/check.out" | sed 's/^.*: ok: //'))"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
sleep 5
kill -TERM "$PID_greendcd"
wait "$PID_greendcd" || fail "greendcd exit status"
for e in "$DEV"/*.expected; do
	n=$(basename "$e" .expected)
	want=$(sed -n 's/^profile //p' "$e")
	line=$(grep "$n: identified as " "$T/greendcd.log") || {
		grep "$n" "$T/greendcd.log" | head -3
		if [ "$want" = ups/ups-mib ]; then
			# The generic RFC 1628 profile claims no vendor: this agent stays unidentified.
			grep -q "$n: no profile matches sysobjectid=1.3.6.1.4.1.705.1" "$T/greendcd.log" ||
				fail "$n: no clear reason for staying unidentified"
			ok "$n: no profile claims sysObjectID 1.3.6.1.4.1.705.1; down with that reason"
			continue
		fi
		fail "$n not identified"
	}
	got=$(echo "$line" | sed 's/.*identified as \([^ ]*\) .*/\1/')
	[ "$got" = "$want" ] || fail "$n identified as $got, its device test uses $want"
	ok "$n -> $got"
done
v=$("$B/greendc" --db "$T/greendc.db" query 'apc_apdu9959eu3 power_w' --from -5m --to now --step raw --format csv | tail -n 1 | cut -d, -f2)
[ "$v" = 1170 ] || fail "identified APC PDU reads $v W, expected 1170"
ok "identified APC rPDU2 reads 1170 W"
e=$(sql "$T/greendc.db" "SELECT count(*) FROM events WHERE kind = 'device_identified'")
[ "$e" = 11 ] || fail "$e device_identified events, expected 11"
ok "11 device_identified events recorded"
