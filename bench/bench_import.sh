#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Import and export rates (docs/import-export.md): a long-format CSV of ROWS rows (default
# 10 million: 100 series, 50 energy counters and 50 power gauges, every 10 s, interleaved by
# time as a meter export is) is generated here, validated with --dry-run (parse only), imported
# into an empty database (parse + store writer, including the staged copy's rename), then
# exported raw. Prints rows/s for each and deletes every file it made.
#
#   sh bench/bench_import.sh           (ROWS=10000000 by default)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
B=${GDC_BUILD:-$top/build}
ROWS=${ROWS:-10000000}
SERIES=100
T=$(mktemp -d "${TMPDIR:-/tmp}/greendc-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

{
	echo "site: {id: b, name: bench, timezone: UTC}"
	echo "storage: {path: bench.db}"
	echo "daemon: {profiles_dir: $top/etc/profiles}"
	echo "devices:"
	i=0
	while [ $i -lt $SERIES ]; do
		echo "  - {name: d$i, driver: modbus, address: \"tcp://127.0.0.1:1\", profile: meter/eastron-sdm630}"
		i=$((i + 1))
	done
} >"$T/bench.yaml"

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f rows/s (%.2f s)", n / (b - a), b - a }'; }

t0=$(now)
awk -v rows="$ROWS" -v ns="$SERIES" 'BEGIN {
	print "timestamp,device,metric,value,labels";
	t = 1735689600; steps = int(rows / ns);
	for (s = 0; s < ns; s++) v[s] = 1000 * s;
	for (k = 0; k < steps; k++) {
		ts = strftime("%Y-%m-%dT%H:%M:%SZ", t + 10 * k, 1);
		for (s = 0; s < ns; s++) {
			if (s % 2) { v[s] += 0.01 * (s + k % 7); printf "%s,d%d,energy_kwh,%.2f,\n", ts, s, v[s] }
			else printf "%s,d%d,power_w,%.1f,phase=L1\n", ts, s, 5000 + (k * 7 + s) % 1000 / 10
		}
	}
}' >"$T/rows.csv"
t1=$(now)
n=$(($(wc -l <"$T/rows.csv") - 1))
echo "generated $n rows ($(du -m "$T/rows.csv" | cut -f1) MB) in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s"

G() { "$B/greendc" -c "$T/bench.yaml" "$@"; }
t0=$(now)
G import --dry-run "$T/rows.csv" >"$T/dry.out"
t1=$(now)
grep -q "$n rows read, $n written, 0 rejected" "$T/dry.out" || { cat "$T/dry.out"; exit 1; }
echo "import --dry-run (parse, validate): $(rate "$n" "$t0" "$t1")"

t0=$(now)
G import "$T/rows.csv" >"$T/imp.out"
t1=$(now)
grep -q "$n rows read, $n written, 0 rejected" "$T/imp.out" || { cat "$T/imp.out"; exit 1; }
echo "import into an empty database (written, committed, renamed): $(rate "$n" "$t0" "$t1")"
echo "  database: $(du -m "$T/bench.db" | cut -f1) MB"

t0=$(now)
G import "$T/rows.csv" >"$T/imp2.out"
t1=$(now)
grep -q "$n rows read, 0 written, 0 rejected, $n unchanged" "$T/imp2.out" || { cat "$T/imp2.out"; exit 1; }
echo "re-import of the same file (compare, nothing written): $(rate "$n" "$t0" "$t1")"
rm -f "$T/rows.csv"

t0=$(now)
G export --output "$T/export.csv" 2>"$T/export.err"
t1=$(now)
m=$(($(wc -l <"$T/export.csv") - 1))
[ "$m" = "$n" ] || { echo "exported $m rows, expected $n"; exit 1; }
echo "export raw, CSV: $(rate "$m" "$t0" "$t1")"
t0=$(now)
G export --format jsonl --output "$T/export.jsonl" 2>/dev/null
t1=$(now)
echo "export raw, JSON Lines: $(rate "$m" "$t0" "$t1")"
