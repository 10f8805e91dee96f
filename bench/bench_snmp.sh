#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# SNMP polling benchmark: N hosts x 20 values every second from Debian's snmpd (v2c) on
# 127.0.0.1, for greendcd (store writes included) and, in the same run against the same
# snmpd, collectd's snmp plugin (Debian collectd-core, installed here if missing) configured
# for the same hosts and OIDs. Prints values/s and CPU seconds per 1,000 values for each,
# and the ratio. (collectd's plugin sends one GET per <Data> block; greendc batches the 20
# OIDs into one GET of max_varbinds.)
#
#   sh bench/bench_snmp.sh            (DEVICES=50 SECONDS_RUN=30 by default)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/snmpd_lib.sh"
B=${GDC_BUILD:-$top/build}
DEVICES=${DEVICES:-50}
SECS=${SECONDS_RUN:-30}
T=$(mktemp -d /tmp/greendc-bench.XXXXXX)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
PY=/usr/bin/python3
# As root greendcd refuses to stay root without daemon.user; a benchmark may (greendcd(8)).
asroot=""
[ "$(id -u)" = 0 ] && asroot=--allow-root
port=$($PY -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# Values of the bench's temp_c series stored in [from, to) (seconds since the epoch), read
# back through the CLI (the store keeps them in compressed blobs).
count_values() {
	"$B/greendc" --db "$T/greendc.db" query '* temp_c*' --step raw --format json \
		--from "$(date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ)" --to "$(date -u -d "@$2" +%Y-%m-%dT%H:%M:%SZ)" |
		$PY -c 'import json, sys; print(sum(len(s["points"]) for s in json.load(sys.stdin)))'
}
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.4f\n", ($14 + $15) / hz}' "/proc/$1/stat"; }

mkdir -p "$T/persist" "$T/profiles/bench"
start_bench_snmpd "$port" 20 || exit 1

{
	echo "profile: twenty"
	echo "driver: snmp"
	echo "source: bench"
	echo "points:"
	i=0
	while [ $i -lt 20 ]; do
		echo "  - {metric: temp_c, labels: {v: \"$i\"}, oid: 1.3.6.1.4.1.8072.9999.1.$i.0}"
		i=$((i + 1))
	done
} >"$T/profiles/bench/twenty.yaml"
{
	echo "site: {id: bench}"
	echo "storage: {path: $T/greendc.db, commit_interval: 1s}"
	echo "daemon: {workers: 4, drivers_dir: $B/drivers, profiles_dir: $T/profiles, log_level: warning}"
	echo "devices:"
	i=0
	while [ $i -lt "$DEVICES" ]; do
		echo "  - {name: d$i, driver: snmp, address: \"udp:127.0.0.1:$port\", profile: bench/twenty, interval: 1s, timeout: 500ms, options: {community: bench}}"
		i=$((i + 1))
	done
} >"$T/greendc.yaml"

measure() { # pid: warm up 3 s, then measure SECS seconds
	sleep 3
	c0=$(cpu "$1")
	s0=$(cpu "$AGENT")
	sleep "$SECS"
	c1=$(cpu "$1")
	s1=$(cpu "$AGENT")
	echo "$c0 $c1 $s0 $s1"
}

"$B/greendcd" $asroot -c "$T/greendc.yaml" >"$T/greendcd.log" 2>&1 &
G=$!
PIDS="$PIDS $G"
t_start=$(($(date +%s) + 3))
set -- $(measure "$G")
t_end=$(date +%s)
kill -TERM "$G"
wait "$G" || true
values=$(count_values "$t_start" "$t_end")
gd_cpu=$($PY -c "print($2 - $1)")
gd_ag=$($PY -c "print($4 - $3)")
echo "greendc: $DEVICES hosts x 20 values at 1 s for $SECS s (snmpd v2c on 127.0.0.1)"
$PY -c "v=$values; print(f'  values/s {v/$SECS:.0f}; greendcd {1000*$gd_cpu/max(v,1):.5f} CPU-s per 1,000 values (store writes included); snmpd {1000*$gd_ag/max(v,1):.5f}')"

if ! [ -x /usr/sbin/collectd ]; then
	echo "bench: installing collectd-core for the baseline"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends collectd-core >/dev/null 2>&1 || true
fi
if [ -x /usr/sbin/collectd ] && [ -f /usr/lib/collectd/snmp.so ]; then
	{
		echo "Interval 1"
		echo "BaseDir \"$T\""
		echo "PIDFile \"$T/collectd.pid\""
		echo "PluginDir \"/usr/lib/collectd\""
		echo "TypesDB \"/usr/share/collectd/types.db\""
		echo "LoadPlugin snmp"
		echo "LoadPlugin csv"
		echo "<Plugin csv>"
		echo "  DataDir \"$T/csv\""
		echo "</Plugin>"
		echo "<Plugin snmp>"
		i=0
		while [ $i -lt 20 ]; do
			echo "  <Data \"v$i\">"
			echo "    Type \"gauge\""
			echo "    Table false"
			echo "    Instance \"v$i\""
			echo "    Values \"1.3.6.1.4.1.8072.9999.1.$i.0\""
			echo "  </Data>"
			i=$((i + 1))
		done
		i=0
		while [ $i -lt "$DEVICES" ]; do
			echo "  <Host \"d$i\">"
			echo "    Address \"127.0.0.1:$port\""
			echo "    Version 2"
			echo "    Community \"bench\""
			printf '    Collect'
			r=0
			while [ $r -lt 20 ]; do
				printf ' "v%d"' $r
				r=$((r + 1))
			done
			echo
			echo "    Interval 1"
			echo "  </Host>"
			i=$((i + 1))
		done
		echo "</Plugin>"
	} >"$T/collectd.conf"
	/usr/sbin/collectd -f -C "$T/collectd.conf" >"$T/collectd.log" 2>&1 &
	C=$!
	PIDS="$PIDS $C"
	c_start=$(($(date +%s) + 3))
	set -- $(measure "$C")
	c_end=$(date +%s)
	kill "$C"
	wait "$C" 2>/dev/null || true
	# Values collectd wrote inside the window (CSV lines: epoch,value).
	cv=$(find "$T/csv" -type f -name 'gauge-*' -exec cat {} + 2>/dev/null |
		awk -F, -v a="$c_start" -v b="$c_end" '$1 ~ /^[0-9.]+$/ && $1 >= a && $1 < b' | wc -l)
	cd_cpu=$($PY -c "print($2 - $1)")
	cd_ag=$($PY -c "print($4 - $3)")
	echo "collectd snmp plugin: same hosts and OIDs"
	$PY -c "v=$cv; print(f'  values/s {v/$SECS:.0f}; collectd {1000*$cd_cpu/max(v,1):.5f} CPU-s per 1,000 values; snmpd {1000*$cd_ag/max(v,1):.5f}')"
	$PY -c "g=$gd_cpu/max($values,1); c=$cd_cpu/max($cv,1); print(f'ratio: greendcd uses {g/c:.3f} x collectd CPU per value (target <= 0.5)')"
else
	echo "collectd baseline: collectd-core's snmp plugin not available; no ratio"
fi
