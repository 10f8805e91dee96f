#!/bin/sh
# `make demo`: run greendc against its built-in simulated data centre (tools/dcsim) with
# etc/demo.yaml, keep state in ./demo-state/, print what is happening and where to look, and
# stop everything cleanly on Ctrl-C. DEMO_SECONDS=N stops by itself after N seconds.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
B=${O:-build}
state="$top/demo-state"
port=5020
snmp_port=5161 # dcsim also serves the PDUs, UPS and weather station over SNMP
mkdir -p "$state"
# The dashboard comes first: it is where a new user looks (etc/demo.yaml, section http:).
dash_url="http://127.0.0.1:8470/"
echo "demo: dashboard  $dash_url   <- open this in a browser"

if python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),0.3)" 2>/dev/null; then
	echo "demo: port $port on 127.0.0.1 is already in use (another demo running?)." >&2
	echo "demo: stop it, or free the port, then run 'make demo' again." >&2
	exit 1
fi

pids=""
stop() {
	trap - HUP INT TERM EXIT
	trap '' PIPE # our own output may have nowhere to go any more: stop the children first
	for p in $pids; do kill -TERM "$p" 2>/dev/null; done
	echo
	echo "demo: stopping greendcd, dcsim and the receiver"
	for p in $pids; do wait "$p" 2>/dev/null; done
	echo "demo: stopped. The database stays in $state/greendc.db"
	exit 0
}
# HUP (terminal closed) and PIPE (output piped into a pager that quit) must stop the
# children too, not leave them running.
trap stop HUP INT TERM PIPE EXIT

"$B/dcsim" --port "$port" --snmp-port "$snmp_port" >"$state/dcsim.log" 2>&1 &
pids="$!"
n=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),0.3)" 2>/dev/null; do
	n=$((n + 1))
	if [ $n -gt 50 ]; then
		echo "demo: dcsim did not start; see $state/dcsim.log" >&2
		cat "$state/dcsim.log" >&2
		exit 1
	fi
	sleep 0.1
done
echo "demo: dcsim (simulated Taiyuan data centre) serving Modbus TCP on 127.0.0.1:$port"
echo "demo: and SNMP v2c on udp:127.0.0.1:$snmp_port (community = device: pdu-a, pdu-b, ups, weather)"

# The central receiver (greendc-receiver, docs/fleet.md): greendcd pushes alerts, summaries and reports to it
# (etc/demo.yaml, outputs:), signed with a key made here on the first run (before check-config,
# which checks the secret files a config names).
[ -f "$state/central.key" ] || (umask 077 && echo "whsec_$(head -c 24 /dev/urandom | base64)" >"$state/central.key")
"$B/greendc" check-config etc/demo.yaml || exit 1
"$B/greendc-receiver" --port 8480 --db "$state/central.db" --secret-file "$state/central.key" >"$state/receiver.log" 2>&1 &
pids="$pids $!"
# Run as root (make demo on a fresh machine), greendcd would refuse to stay root without a user
# to drop to (greendcd(8)); the demo is a local simulation, so it may.
asroot=""
[ "$(id -u)" = 0 ] && asroot=--allow-root
"$B/greendcd" $asroot -c etc/demo.yaml --status-interval 30s >"$state/greendcd.log" 2>&1 &
pids="$pids $!"
echo "demo: greendcd polling; its log is $state/greendcd.log"
echo
echo "Where to look:"
echo "  dashboard  $dash_url   (API ${dash_url}api/v1/site, Prometheus ${dash_url}metrics)"
echo "  database   $state/greendc.db   (SQLite; rollups are plain tables)"
echo "  devices    $B/greendc -c etc/demo.yaml devices"
echo "  series     $B/greendc -c etc/demo.yaml series"
echo "  live       $B/greendc -c etc/demo.yaml tail 'utility-*power_w*'"
echo "  query      $B/greendc -c etc/demo.yaml query 'utility-a power_w*' --from -10m --to now --step 1m --agg avg"
echo "  receiver   http://127.0.0.1:8480/   (the regulator's view: league table, late sites; /sites; its database $state/central.db)"
echo "  alerts     $B/greendc -c etc/demo.yaml alerts;  report: $B/greendc -c etc/demo.yaml report --month YYYY-MM --format html --lang zh"
echo "  PUE        $B/greendc -c etc/demo.yaml pue --interim    (then: pue --period YYYY-MM-DD --by hour, kpi --period ...)"
echo
echo "Ctrl-C stops everything."
echo

# The newest stored value of one series (empty when there is none yet).
latest() {
	"$B/greendc" -c etc/demo.yaml query "$1" --from -2m --to now --step raw --format csv 2>/dev/null |
		tail -n 1 | cut -d, -f2
}
kw() { [ -n "$1" ] && awk -v w="$1" 'BEGIN { printf "%.1f kW", w / 1000 }' || echo "-"; }

start=$(date +%s)
while :; do
	sleep 10
	now=$(date +%s)
	db="$state/greendc.db"
	if [ -f "$db" ]; then
		up=$(sqlite3 -readonly "$db" "SELECT count(*) FROM devices WHERE state='up'" 2>/dev/null || echo "?")
		all=$(sqlite3 -readonly "$db" "SELECT count(*) FROM devices" 2>/dev/null || echo "?")
		a=$(latest 'utility-a power_w{feed=A,hall=A,role=facility_input}')
		b=$(latest 'utility-b power_w{feed=B,hall=A,role=facility_input}')
		it=$(latest 'ups power_w{hall=A,role=ups_output,side=output}')
		out=$(latest 'weather outdoor_temp_c*')
		fac=""
		[ -n "$a" ] && [ -n "$b" ] && fac=$(awk -v a="$a" -v b="$b" 'BEGIN { print a + b }')
		ratio=""
		[ -n "$fac" ] && [ -n "$it" ] && ratio=$(awk -v f="$fac" -v i="$it" 'BEGIN { printf " (power ratio %.2f, not a PUE: PUE needs energy over a period)", f / i }')
		printf 'demo: %s devices up %s/%s; facility %s, IT (UPS output) %s%s; outdoor %s C\n' \
			"$(date +%H:%M:%S)" "$up" "$all" "$(kw "$fac")" "$(kw "$it")" "$ratio" "${out:--}"
	fi
	if [ -n "${DEMO_SECONDS:-}" ] && [ $((now - start)) -ge "$DEMO_SECONDS" ]; then
		"$B/greendc" -c etc/demo.yaml devices || true
		stop
	fi
done
