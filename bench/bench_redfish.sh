#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Redfish polling benchmark: DEVICES servers (default 200) polled every INTERVAL (10 s) by
# greendcd with the shipped server/redfish-generic profile, against the Redfish fixture
# (test/integration/redfish_fixture.py, one port per server) over HTTPS on 127.0.0.1 serving
# the rackmount-current mockup (4 GETs per poll: EnvironmentMetrics, ThermalMetrics, two power
# supplies' Metrics). Two passes in the same run:
#   keep-alive   the BMC keeps connections open (as BMCs do): TLS once per device
#   close        the BMC closes every connection: a TCP connect and a TLS handshake per
#                request, resumed from the session curl caches per device
# Prints, per pass, greendcd's CPU seconds (user + system, store writes included) per
# server-poll, the requests, and the TLS handshakes (full / resumed) seen by the fixture.
# Target: <= 0.005 CPU-s per server-poll with keep-alive.
#
#   sh bench/bench_redfish.sh     (DEVICES=200 INTERVAL=10 SECONDS_RUN=60 WARMUP=60 MODES="keep-alive close")
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
B=${GDC_BUILD:-$top/build}
DEVICES=${DEVICES:-200}
INTERVAL=${INTERVAL:-10}
SECS=${SECONDS_RUN:-60}
WARMUP=${WARMUP:-60}
T=$(mktemp -d /tmp/greendc-bench.XXXXXX)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT INT TERM
PY=/usr/bin/python3
fail() { echo "bench_redfish: $*" >&2; exit 1; }
bg() { name=$1; shift; "$@" >"$T/$name.log" 2>&1 & PIDS="$PIDS $!"; eval "PID_$name=$!"; }
# shellcheck source=/dev/null
. "$top/test/integration/redfish_lib.sh"
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.4f\n", ($14 + $15) / hz}' "/proc/$1/stat"; }

redfish_certs "$T/tls"
redfish_secrets "$T/bmc.secrets"

run() { # mode
	rm -f "$T/ports" "$T/greendc.db"*
	mode=$1
	extra=""
	[ "$mode" = close ] && extra=":close"
	serve=""
	i=0
	while [ $i -lt "$DEVICES" ]; do
		serve="$serve --serve s$i=0:$top/test/devices/redfish/rackmount-current$extra"
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	redfish_fixture "$T/ports" $serve
	{
		echo "site: {id: bench}"
		echo "storage: {path: $T/greendc.db, commit_interval: 1s}"
		echo "daemon: {user: $(id -un), workers: 4, drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles, log_level: warning}"
		echo "devices:"
		i=0
		while [ $i -lt "$DEVICES" ]; do
			echo "  - {name: s$i, driver: redfish, address: \"https://127.0.0.1:$(fixture_port "$T/ports" s$i)\", profile: server/redfish-generic, interval: ${INTERVAL}s, timeout: 2s, options: {secrets_file: $T/bmc.secrets, ca_file: $T/tls/ca.crt}}"
			i=$((i + 1))
		done
	} >"$T/greendc.yaml"
	bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
	sleep "$WARMUP" # discovery and login of every device, then steady state
	kill -0 "$PID_greendcd" 2>/dev/null || { cat "$T/greendcd.log"; fail "greendcd died"; }
	c0=$(cpu "$PID_greendcd")
	l0=$(wc -l <"$T/fixture.log")
	sleep "$SECS"
	c1=$(cpu "$PID_greendcd")
	tail -n +"$((l0 + 1))" "$T/fixture.log" >"$T/window.log"
	cp "$T/window.log" "$T/window-$mode.log"
	cp "$T/greendcd.log" "$T/greendcd-$mode.log"
	kill "$PID_greendcd" "$PID_fixture"
	wait "$PID_greendcd" 2>/dev/null || true
	wait "$PID_fixture" 2>/dev/null || true
	polls=$(grep -c ' GET /redfish/v1/Chassis/1U/EnvironmentMetrics 200' "$T/window.log" || true)
	gets=$(grep -c ' GET ' "$T/window.log" || true)
	full=$(grep -c ' CONNECT full' "$T/window.log" || true)
	resumed=$(grep -c ' CONNECT resumed' "$T/window.log" || true)
	bad=$(grep -v ' 200 token$' "$T/window.log" | grep -vc ' CONNECT ' || true)
	[ "$polls" -gt 0 ] || fail "$mode: no polls in the window"
	$PY -c "
c = $c1 - $c0
print(f'$mode: {$DEVICES} servers every ${INTERVAL} s, {$SECS} s window: {$polls} server-polls, {$gets} GETs, '
      f'{$full} full / {$resumed} resumed TLS handshakes, {$bad} other replies')
print(f'$mode: greendcd {c:.3f} CPU-s = {c / $polls:.5f} CPU-s per server-poll '
      f'({c / $gets * 1e6:.0f} us per GET)')"
}
for m in ${MODES:-keep-alive close}; do run "$m"; done
