#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Modbus device tests as data: every register recording in test/devices/modbus/*.regs is
# served by Debian's pymodbus (test/integration/pymodbus_server.py --regs, an independent
# peer, not libmodbus) on 127.0.0.1, recording i at unit id i (unrecorded registers between
# recorded ones read 0, as on a meter); greendcd polls each with the
# profile named in its .expected file, and the stored series of each device must be exactly
# the expected set with the expected values. Then the same over Modbus RTU: a socat pty pair
# stands for a serial line, pymodbus serves one recording on one end (RTU framing, 9600 8N1)
# and greendcd reads the other end as rtu:<pty>. Every Modbus profile must have a recording.
. "$(dirname "$0")/lib.sh"

DEV="$top/test/devices/modbus"
command -v socat >/dev/null || fail "socat missing (Debian package socat; tools/setup.sh installs it)"

# Every Modbus profile has a recording and expected values.
for p in "$top"/etc/profiles/*/*.yaml; do
	grep -q '^driver: modbus' "$p" || continue
	name=$(basename "$p" .yaml)
	cls=$(basename "$(dirname "$p")")
	grep -lq "^profile $cls/$name\$" "$DEV"/*.expected 2>/dev/null ||
		fail "profile $cls/$name has no Modbus device test (test/devices/modbus/*.expected)"
done
ok "every Modbus profile has a register recording with expected values"

P=$(free_port)
serve=""
i=0
for e in "$DEV"/*.expected; do
	i=$((i + 1))
	n=$(basename "$e" .expected)
	[ -f "$DEV/$n.regs" ] || fail "$n.expected has no $n.regs"
	serve="$serve --regs $DEV/$n.regs@$i"
done
# shellcheck disable=SC2086
bg mbserver $PY "$top/test/integration/pymodbus_server.py" --port "$P" $serve
wait_port "$P" 20

# The RTU line: two linked ptys; pymodbus on one end, greendcd on the other.
bg socat socat pty,raw,echo=0,link="$T/tty-dev" pty,raw,echo=0,link="$T/tty-host"
n=0
until [ -e "$T/tty-dev" ] && [ -e "$T/tty-host" ]; do
	n=$((n + 1))
	[ $n -gt 50 ] && { cat "$T/socat.log"; fail "socat made no pty pair"; }
	sleep 0.1
done
bg rtuserver $PY "$top/test/integration/pymodbus_server.py" --serial "$T/tty-dev" --baud 9600 \
	--regs "$DEV/eastron-sdm630.regs@7"
n=0
until grep -q "^serial " "$T/rtuserver.log"; do
	n=$((n + 1))
	[ $n -gt 100 ] && { cat "$T/rtuserver.log"; fail "the RTU server did not start"; }
	sleep 0.1
done

{
	echo "site: {id: mbdev, timezone: UTC}"
	echo "storage: {path: greendc.db, commit_interval: 200ms}"
	echo "daemon: {user: $(id -un), workers: 4, max_backoff: 4s, drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles, log_level: info}"
	echo "devices:"
	i=0
	for e in "$DEV"/*.expected; do
		i=$((i + 1))
		n=$(basename "$e" .expected)
		prof=$(sed -n 's/^profile //p' "$e")
		echo "  - {name: $n, driver: modbus, address: \"tcp://127.0.0.1:$P\", profile: $prof, interval: 1s, timeout: 1s, options: {unit_id: $i}}"
	done
	echo "  - {name: rtu-sdm630, driver: modbus, address: \"rtu:$T/tty-host\", profile: meter/eastron-sdm630, interval: 1s, timeout: 1s, options: {unit_id: 7, baud: 9600}}"
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
$PY "$top/test/integration/device_expect.py" "$DEV/eastron-sdm630.expected" rtu-sdm630 "$B/greendc" "$T/greendc.db" ||
	{ grep rtu-sdm630 "$T/greendcd.log" | tail -5; fail "rtu-sdm630: stored metrics differ"; }
up=$("$B/greendc" --db "$T/greendc.db" query 'rtu-sdm630 greendc_device_up' --from -10m --to now --step raw --format csv | tail -n +2 | cut -d, -f2)
polls=$(echo "$up" | grep -c '^1$' || true)
[ "$polls" -ge 3 ] && ! echo "$up" | grep -q '^0$' || fail "rtu-sdm630 up/down over the run: $(echo "$up" | tr '\n' ' ')"
ok "rtu-sdm630 over Modbus RTU (socat pty pair, 9600 8N1, unit 7): 6 series stored exactly as expected, up on all $polls polls"
