#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `make demo`: run greendc against its built-in simulated data centre (tools/dcsim) with
# etc/demo.yaml, keep state in ./demo-state/, print what is happening and where to look, and
# stop everything cleanly on Ctrl-C. DEMO_SECONDS=N stops by itself after N seconds.
#
# A new database starts with history: the last DEMO_DAYS days (default 45; at least back to the
# start of last month, so last month's PUE and report exist) of readings from dcsim's model
# (docs/dcsim.md, "History"), imported through the store's own import path before greendcd
# opens the database; dcsim then resumes from the model's state at the end of that history, so
# the live readings continue the counters without a seam. DEMO_DAYS=0 starts empty. Last
# month's report is generated and queued for the receiver. A database that already exists is
# never seeded again (import refuses an open database, and history must not be added twice);
# `rm -rf demo-state` starts over.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
B=${O:-build}
state="$top/demo-state"
db="$state/greendc.db"
port=5020
snmp_port=5161 # dcsim also serves the PDUs, UPS and weather station over SNMP
days=${DEMO_DAYS:-45}
# The simulated site is in Taiyuan: its site time is etc/demo.yaml's site.timezone.
SITE_TZ=Asia/Shanghai
mkdir -p "$state"
# The dashboard comes first: it is where a new user looks (etc/demo.yaml, section http:).
dash_url="http://127.0.0.1:8470/"
echo "demo: dashboard  $dash_url   <- open this in a browser"

up() { python3 -c "import socket; socket.create_connection(('127.0.0.1',$1),0.3)" 2>/dev/null; }
for p in $port 8470 8480; do
	if up $p; then
		echo "demo: port $p on 127.0.0.1 is already in use (another demo running?)." >&2
		echo "demo: stop it, or free the port, then run 'make demo' again." >&2
		exit 1
	fi
done

pids=""
stop() {
	trap - HUP INT TERM EXIT
	trap '' PIPE # our own output may have nowhere to go any more: stop the children first
	for p in $pids; do kill -TERM "$p" 2>/dev/null; done
	echo
	echo "demo: stopping greendcd, dcsim and the receiver"
	for p in $pids; do wait "$p" 2>/dev/null; done
	echo "demo: stopped. The database stays in $db"
	exit 0
}
# HUP (terminal closed) and PIPE (output piped into a pager that quit) must stop the
# children too, not leave them running.
trap stop HUP INT TERM PIPE EXIT

# The central receiver (greendc-receiver, docs/fleet.md): greendcd pushes alerts, summaries and reports to it
# (etc/demo.yaml, outputs:), signed with a key made here on the first run (before check-config,
# which checks the secret files a config names).
[ -f "$state/central.key" ] || (umask 077 && echo "whsec_$(head -c 24 /dev/urandom | base64)" >"$state/central.key")
"$B/greendc" check-config etc/demo.yaml || exit 1

# History: only into a new database.
case "$days" in '' | *[!0-9]*)
	echo "demo: DEMO_DAYS must be a whole number of days (0: no history)" >&2
	exit 1
	;;
esac
if [ ! -e "$db" ] && [ "$days" -gt 0 ]; then
	# At least back to the first day of last month (site time), with its baseline reading.
	dom=$(TZ=$SITE_TZ date +%-d)
	prev_len=$(TZ=$SITE_TZ date -d "$(TZ=$SITE_TZ date +%Y-%m-01) -1 day" +%-d)
	[ "$days" -lt $((dom + prev_len)) ] && days=$((dom + prev_len))
	echo "demo: seeding $days days of history from dcsim's model (readings every 5 min, weather and plant every minute)"
	t0=$(date +%s)
	rm -f "$state/dcsim.state" "$state/truth.csv"
	# (sh has no pipefail: the generator's status goes through a file)
	{
		"$B/dcsim" --history - --days "$days" --end now --state-out "$state/dcsim.state" \
			--truth "$state/truth.csv" 2>"$state/history.log"
		echo $? >"$state/history.rc"
	} | "$B/greendc" -c etc/demo.yaml import --interval-end - >"$state/import.log" 2>&1
	irc=$?
	if [ "$irc" != 0 ] || [ "$(cat "$state/history.rc")" != 0 ]; then
		echo "demo: seeding failed (dcsim: $state/history.log, import: $state/import.log)" >&2
		cat "$state/history.log" "$state/import.log" >&2
		rm -f "$db" "$db-wal" "$db-shm" "$state/dcsim.state"
		exit 1
	fi
	echo "demo: history imported in $(($(date +%s) - t0)) s: $(cut -d';' -f1 "$state/import.log" | tail -n 1)"
	# Last month's monthly report, stored and queued for the receiver, as the monthly timer
	# would have left it.
	"$B/greendc" -c etc/demo.yaml report --month previous --enqueue --output /dev/null ||
		echo "demo: the report of last month could not be generated, ignoring" >&2
elif [ -e "$db" ] && [ ! -f "$state/dcsim.state" ]; then
	echo "demo: $db exists without dcsim's history state: no history (rm -rf demo-state to start over with it)"
fi

# dcsim continues the history's model (its counters, weather and controller) from the state
# file, catching up to now; without one it starts fresh.
resume=""
[ -f "$state/dcsim.state" ] && resume="--resume-from $state/dcsim.state --truth $state/truth.csv"
# shellcheck disable=SC2086
"$B/dcsim" --port "$port" --snmp-port "$snmp_port" $resume >"$state/dcsim.log" 2>&1 &
pids="$!"
n=0
until up $port; do
	n=$((n + 1))
	if [ $n -gt 100 ]; then
		echo "demo: dcsim did not start; see $state/dcsim.log" >&2
		cat "$state/dcsim.log" >&2
		exit 1
	fi
	sleep 0.1
done
echo "demo: dcsim (simulated Taiyuan data centre) serving Modbus TCP on 127.0.0.1:$port"
echo "demo: and SNMP v2c on udp:127.0.0.1:$snmp_port (community = device: pdu-a, pdu-b, ups, weather)"

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
echo "  dashboard  $dash_url   (wall screen: ${dash_url}?kiosk=1, Chinese: ?lang=zh)"
echo "             API ${dash_url}api/v1/site, Prometheus ${dash_url}metrics"
echo "  database   $db   (SQLite; rollups are plain tables)"
echo "  devices    $B/greendc -c etc/demo.yaml devices"
echo "  PUE        $B/greendc -c etc/demo.yaml pue --period $(TZ=$SITE_TZ date -d yesterday +%F)   (yesterday; --by hour, or a month: --period YYYY-MM --by day)"
echo "  report     $B/greendc -c etc/demo.yaml report --month previous --format html --lang zh"
echo "  free cool  $B/greendc -c etc/demo.yaml freecool --period $(TZ=$SITE_TZ date -d "$(TZ=$SITE_TZ date +%Y-%m-01) -1 day" +%Y-%m)"
echo "  live       $B/greendc -c etc/demo.yaml tail 'utility-*power_w*'"
echo "  query      $B/greendc -c etc/demo.yaml query 'utility-a power_w*' --from -10m --to now --step 1m --agg avg"
echo "  receiver   http://127.0.0.1:8480/   (the regulator's view: league table, late sites; /sites; its database $state/central.db)"
echo "  alerts     $B/greendc -c etc/demo.yaml alerts;  report: $B/greendc -c etc/demo.yaml report --month YYYY-MM --format html --lang zh"
echo "  PUE        $B/greendc -c etc/demo.yaml pue --interim    (then: pue --period YYYY-MM-DD --by hour, kpi --period ...)"
echo "  truth      $state/truth.csv   (what the simulated site really used, per hour: docs/dcsim.md)"
echo
echo "Ctrl-C stops everything."
echo

start=$(date +%s)
while :; do
	sleep 10
	now=$(date +%s)
	if [ -f "$db" ]; then
		# Every configured device, polled yet or not (greendc devices, as the dashboard counts).
		"$B/greendc" -c etc/demo.yaml devices --format csv >"$state/devices.csv" 2>/dev/null || : >"$state/devices.csv"
		all=$(($(wc -l <"$state/devices.csv") - 1))
		up_n=$(cut -d, -f4 "$state/devices.csv" | grep -c '^up$')
		[ "$all" -ge 0 ] || { all="?"; up_n="?"; }
		# The interim PUE as greendc computes it (a power ratio, labelled so), never one of ours.
		pue=$("$B/greendc" -c etc/demo.yaml pue --interim 2>/dev/null | head -n 1)
		printf 'demo: %s devices up %s/%s; %s\n' "$(date +%H:%M:%S)" "$up_n" "$all" "${pue:-interim PUE not yet known}"
	fi
	if [ -n "${DEMO_SECONDS:-}" ] && [ $((now - start)) -ge "$DEMO_SECONDS" ]; then
		"$B/greendc" -c etc/demo.yaml devices || true
		stop
	fi
done
