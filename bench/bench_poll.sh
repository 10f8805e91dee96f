#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Polling benchmark: N devices x 20 registers every second from dcsim over Modbus TCP on
# 127.0.0.1, for greendcd (store writes included) and, in the same run against the same dcsim,
# collectd's modbus plugin (Debian collectd-core, installed here if missing) as the baseline.
# Prints values/s and CPU seconds per 1,000 values for each, and the ratio.
#
#   sh bench/bench_poll.sh            (DEVICES=50 SECONDS=30 by default)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
B=${GDC_BUILD:-$top/build}
DEVICES=${DEVICES:-50}
SECS=${SECONDS_RUN:-30}
T=$(mktemp -d /tmp/greendc-bench.XXXXXX)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
PY=/usr/bin/python3
# As root greendcd refuses to stay root without daemon.user; a benchmark may (greendcd(8)).
asroot=""
[ "$(id -u)" = 0 ] && asroot=--allow-root
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# CPU seconds (user + system) a process has used so far.
# Values of the bench's temp_c series stored in [from, to) (seconds since the epoch), read
# back through the CLI (the store keeps them in compressed blobs).
count_values() {
	"$B/greendc" --db "$T/greendc.db" query '* temp_c*' --step raw --format json \
		--from "$(date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ)" --to "$(date -u -d "@$2" +%Y-%m-%dT%H:%M:%SZ)" |
		$PY -c 'import json, sys; print(sum(len(s["points"]) for s in json.load(sys.stdin)))'
}
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.4f\n", ($14 + $15) / hz}' "/proc/$1/stat"; }

"$B/dcsim" --port "$port" >"$T/dcsim.log" 2>&1 &
DCSIM=$!
PIDS="$PIDS $DCSIM"
sleep 0.5

# 20 consecutive input registers of dcsim's unit 1, as 20 values, one read per poll.
mkdir -p "$T/profiles/bench"
{
	echo "profile: twenty"
	echo "driver: modbus"
	echo "source: bench"
	echo "points:"
	i=0
	while [ $i -lt 20 ]; do
		echo "  - {metric: temp_c, labels: {reg: \"$i\"}, fc: 4, register: $i, type: uint16}"
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
		echo "  - {name: d$i, driver: modbus, address: \"tcp://127.0.0.1:$port\", profile: bench/twenty, interval: 1s, timeout: 500ms, options: {unit_id: 1}}"
		i=$((i + 1))
	done
} >"$T/greendc.yaml"

measure() { # name pid: warm up 3 s, then measure SECS seconds
	sleep 3
	c0=$(cpu "$2")
	s0=$(cpu "$DCSIM")
	sleep "$SECS"
	c1=$(cpu "$2")
	s1=$(cpu "$DCSIM")
	echo "$1 $c0 $c1 $s0 $s1"
}

"$B/greendcd" $asroot -c "$T/greendc.yaml" >"$T/greendcd.log" 2>&1 &
G=$!
PIDS="$PIDS $G"
set -- $(measure greendc "$G")
t_start=$(($(date +%s) - SECS))
kill -TERM "$G"
wait "$G" || true
# Values stored during the window (health series excluded).
values=$(count_values "$t_start" "$(($(date +%s) + 60))")
gd_cpu=$($PY -c "print($3 - $2)")
gd_sim=$($PY -c "print($5 - $4)")
gd_rate=$($PY -c "print($values / $SECS)")

echo "greendc: $DEVICES devices x 20 values at 1 s for $SECS s"
$PY -c "v=$values; print(f'  values/s {v/$SECS:.0f}; greendcd {1000*$gd_cpu/max(v,1):.5f} CPU-s per 1,000 values (store writes included); dcsim {1000*$gd_sim/max(v,1):.5f}')"

# Baseline: collectd's modbus plugin, same devices and registers.
if ! command -v collectd >/dev/null 2>&1 && ! [ -x /usr/sbin/collectd ]; then
	echo "bench: installing collectd-core for the baseline"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends collectd-core >/dev/null 2>&1 || true
fi
if [ -x /usr/sbin/collectd ]; then
	{
		echo "Interval 1"
		echo "BaseDir \"$T\""
		echo "PIDFile \"$T/collectd.pid\""
		echo "PluginDir \"/usr/lib/collectd\""
		echo "TypesDB \"/usr/share/collectd/types.db\""
		echo "LoadPlugin modbus"
		echo "LoadPlugin csv"
		echo "<Plugin csv>"
		echo "  DataDir \"$T/csv\""
		echo "</Plugin>"
		echo "<Plugin modbus>"
		i=0
		while [ $i -lt 20 ]; do
			echo "  <Data \"r$i\">"
			echo "    RegisterBase $i"
			echo "    RegisterType Uint16"
			echo "    RegisterCmd ReadInput"
			echo "    Type gauge"
			echo "    Instance \"r$i\""
			echo "  </Data>"
			i=$((i + 1))
		done
		i=0
		while [ $i -lt "$DEVICES" ]; do
			echo "  <Host \"d$i\">"
			echo "    Address \"127.0.0.1\""
			echo "    Port \"$port\""
			echo "    Interval 1"
			echo "    <Slave 1>"
			echo "      Instance \"s\""
			r=0
			while [ $r -lt 20 ]; do
				echo "      Collect \"r$r\""
				r=$((r + 1))
			done
			echo "    </Slave>"
			echo "  </Host>"
			i=$((i + 1))
		done
		echo "</Plugin>"
	} >"$T/collectd.conf"
	/usr/sbin/collectd -f -C "$T/collectd.conf" >"$T/collectd.log" 2>&1 &
	C=$!
	PIDS="$PIDS $C"
	set -- $(measure collectd "$C")
	kill "$C"
	wait "$C" 2>/dev/null || true
	# collectd writes one CSV line per value; count lines written in the window approximately
	# as devices x 20 x seconds (it keeps the 1 s interval when it keeps up; check the CSVs).
	lines=$(find "$T/csv" -type f -exec cat {} + 2>/dev/null | grep -vc epoch || true)
	secs_total=$((SECS + 3))
	cv=$($PY -c "print(int($lines * $SECS / $secs_total))")
	cd_cpu=$($PY -c "print($3 - $2)")
	cd_sim=$($PY -c "print($5 - $4)")
	echo "collectd modbus plugin: same devices and registers"
	$PY -c "v=$cv; print(f'  values/s {v/$SECS:.0f}; collectd {1000*$cd_cpu/max(v,1):.5f} CPU-s per 1,000 values; dcsim {1000*$cd_sim/max(v,1):.5f}')"
	$PY -c "g=$gd_cpu/max($values,1); c=$cd_cpu/max($cv,1); print(f'ratio: greendcd uses {g/c:.3f} x collectd CPU per value; dcsim answering greendc uses {($gd_sim/max($values,1))/($cd_sim/max($cv,1)):.3f} x')"
else
	echo "collectd baseline: collectd-core not installed (apt-get failed); no ratio"
fi
