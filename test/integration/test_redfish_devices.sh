#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Redfish device tests as data: every mockup in test/devices/redfish/ (a BMC's resource tree
# in the DMTF mockup layout) is served over HTTPS by test/integration/redfish_fixture.py with
# a private CA, session login and Basic auth; greendcd reads each with the profile its
# .expected file names, and the stored series must be exactly the expected set and values.
# Each mockup is also read by a device entry without a profile: it must be identified (by
# the service root's Vendor, else as a generic Redfish service) as that same profile.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/redfish_lib.sh"

DEV="$top/test/devices/redfish"

# Every redfish profile has a device test.
for p in "$top"/etc/profiles/*/*.yaml; do
	grep -q '^driver: redfish' "$p" || continue
	name=$(basename "$p" .yaml)
	cls=$(basename "$(dirname "$p")")
	grep -lq "^profile $cls/$name\$" "$DEV"/*.expected 2>/dev/null ||
		fail "profile $cls/$name has no device test ($DEV/*.expected)"
done
ok "every redfish profile has a recording with expected values"
redfish_certs "$T/tls"
redfish_secrets "$T/bmc.secrets"

serve=""
for e in "$DEV"/*.expected; do
	n=$(basename "$e" .expected)
	serve="$serve --serve $n=0:$DEV/$n"
done
# shellcheck disable=SC2086
redfish_fixture "$T/ports" $serve

opts="{secrets_file: $T/bmc.secrets, ca_file: $T/tls/ca.crt}"
{
	echo "site: {id: rfdev, timezone: UTC}"
	echo "storage: {path: greendc.db, commit_interval: 200ms}"
	echo "daemon: {user: $(id -un), workers: 4, max_backoff: 4s, drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles, log_level: info}"
	echo "devices:"
	for e in "$DEV"/*.expected; do
		n=$(basename "$e" .expected)
		p=$(fixture_port "$T/ports" "$n")
		prof=$(sed -n 's/^profile //p' "$e")
		echo "  - {name: $n, driver: redfish, address: \"https://127.0.0.1:$p\", profile: $prof, interval: 1s, timeout: 1s, options: $opts}"
		echo "  - {name: id-$n, driver: redfish, address: \"https://127.0.0.1:$p\", interval: 1s, timeout: 1s, options: $opts}"
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
	want=$(sed -n 's/^profile //p' "$e")
	line=$(grep "id-$n: identified as " "$T/greendcd.log") ||
		{ grep "id-$n" "$T/greendcd.log" | head -3; fail "id-$n not identified"; }
	got=$(echo "$line" | sed 's/.*identified as \([^ ]*\) .*/\1/')
	[ "$got" = "$want" ] || fail "id-$n identified as $got, expected $want"
	ok "$n: $(grep -vc '^#\|^profile ' "$e") series stored exactly as expected; identified as $got"
done
# Sessions: one login per device (the token is kept between polls), no Basic, and every
# session is deleted when greendcd stops (BMCs have few session slots).
logins=$(grep -c ' POST /redfish/v1/SessionService/Sessions 201 ' "$T/fixture.log" || true)
deletes=$(grep -c ' DELETE /redfish/v1/SessionService/Sessions/[0-9]* 204 ' "$T/fixture.log" || true)
basic=$(grep -c ' basic$' "$T/fixture.log" || true)
ndev=$(grep -c 'driver: redfish' "$T/greendc.yaml")
[ "$logins" = "$ndev" ] || fail "$logins logins for $ndev devices"
[ "$deletes" = "$logins" ] || fail "$deletes sessions deleted of $logins"
[ "$basic" = 0 ] || fail "$basic requests used Basic although sessions work"
ok "one session per device, kept across polls and deleted at shutdown ($logins logins, $deletes logouts, no Basic)"
