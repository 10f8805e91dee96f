#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Device tests as data: every recording in test/devices/snmprec/ is served by Debian's snmpsim
# (snmpsimd, community = the file's name) on 127.0.0.1, greendcd polls each with the profile
# named in test/devices/<recording>.expected, and the stored series of each device must be
# exactly the expected set (names with labels) with the expected values.
. "$(dirname "$0")/lib.sh"

DEV="$top/test/devices"

# Every snmp profile has a device test.
for p in "$top"/etc/profiles/*/*.yaml; do
	grep -q '^driver: snmp' "$p" || continue
	name=$(basename "$p" .yaml)
	cls=$(basename "$(dirname "$p")")
	grep -lq "^profile $cls/$name\$" "$DEV"/*.expected 2>/dev/null ||
		fail "profile $cls/$name has no device test ($DEV/*.expected)"
done
ok "every snmp profile has a recording with expected values"
P=$(free_udp_port)

# snmpsimd refuses to run as root; it then needs a user that can read the data.
mkdir -p "$T/data" "$T/cache"
cp "$DEV"/snmprec/*.snmprec "$T/data/"
start_snmpsim "$P" apc_emu

{
	echo "site: {id: it, timezone: UTC, altitude_m: 0}"
	echo "storage: {path: greendc.db, commit_interval: 200ms}"
	echo "daemon: {workers: 4, max_backoff: 4s, drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles, log_level: info}"
	echo "devices:"
	for e in "$DEV"/*.expected; do
		n=$(basename "$e" .expected)
		prof=$(sed -n 's/^profile //p' "$e")
		echo "  - {name: $n, driver: snmp, address: \"udp:127.0.0.1:$P\", profile: $prof, interval: 1s, timeout: 1s, options: {community: $n}}"
	done
} >"$T/greendc.yaml"
"$B/greendc" check-config "$T/greendc.yaml" || fail "config does not validate"


bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
sleep 5
stop greendcd

for e in "$DEV"/*.expected; do
	n=$(basename "$e" .expected)
	$PY "$top/test/integration/device_expect.py" "$e" "$n" "$B/greendc" "$T/greendc.db" ||
		{ grep "$n" "$T/greendcd.log" | tail -5; fail "$n: stored metrics differ"; }
	ok "$n: $(grep -vc '^#\|^profile ' "$e") series stored exactly as expected"
done
