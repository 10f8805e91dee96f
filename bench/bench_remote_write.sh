#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Remote-write throughput and CPU (bench_remote_write.c) against a real VictoriaMetrics on
# 127.0.0.1, started and stopped here. Prints figures; not a test.
#   RW_SERIES, RW_RATE (samples/s), RW_SECONDS override the feed (20,000 / 100,000 / 20).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
B=${GDC_BUILD:-$top/build}
command -v victoria-metrics >/dev/null || { echo "SKIPPED: victoria-metrics missing (tools/setup.sh)"; exit 0; }
T=$(mktemp -d /tmp/greendc-bench-rw.XXXXXX)
VP=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
victoria-metrics -httpListenAddr "127.0.0.1:$VP" -storageDataPath "$T/vm" -loggerLevel ERROR >"$T/vm.log" 2>&1 &
vm=$!
trap 'kill $vm 2>/dev/null; sleep 0.5; rm -rf "$T"' EXIT INT TERM
n=0
until /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1',$VP),0.2)" 2>/dev/null; do
	n=$((n + 1)); [ $n -gt 100 ] && { cat "$T/vm.log"; exit 1; }; sleep 0.1
done
"$B/bench/bench_remote_write" --url "http://127.0.0.1:$VP/api/v1/write" --dir "$T" \
	--series "${RW_SERIES:-20000}" --rate "${RW_RATE:-100000}" --seconds "${RW_SECONDS:-20}" \
	--receiver-pid "$vm"
