#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Floor view benchmark (prints figures; not a test): RACKS racks (default 5,000) fed from two
# sides, so twice as many rack PDUs, each with power and an energy counter read every minute
# for the last two hours (imported with `greendc import`), TENANTS tenants (default 500)
# holding them, behind greendcd; then wrk (Debian) from a second process on 127.0.0.1 at a
# bounded rate of about RATE requests/s (default 50). The readings span the last two hours, so
# a floor this large (more than 500 PDUs: its peaks come from packed hours, docs/tenants.md)
# has a closed hour of them:
#   floor     /api/v1/floor: every rack with its live kW (the /metrics snapshot), limit, peaks
#             and A/B state (the floor thread's capacity over capacity.window)
#   rack      /api/v1/rack?name=...: one rack's PDUs, phases and outlets, month to date
#   tenants   /api/v1/tenants: every tenant's month to date
# Each prints median and p99 latency (wrk --latency) and the achieved rate; target: the floor
# view for 5,000 racks p99 <= 50 ms. Also how long the floor thread took to compute capacity
# and the tenants' month to date (it runs every capacity.refresh, off the request path).
#
#   sh bench/bench_floor.sh      (DURATION=10 RATE=50 RACKS=5000 TENANTS=500)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
B=${GDC_BUILD:-$top/build}
DUR=${DURATION:-10}
RATE=${RATE:-50}
RACKS=${RACKS:-5000}
TENANTS=${TENANTS:-500}
T=$(mktemp -d /tmp/greendc-bench.XXXXXX)
PIDS=""
alive() { # pid: running (not gone, not a zombie waiting to be reaped)
	[ -r "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]
}
stop() { # pid: SIGTERM, up to 10 s, then SIGKILL (said on stderr); prints the seconds taken
	kill "$1" 2>/dev/null || return 0
	s0=$(date +%s.%N)
	n=0
	while alive "$1" && [ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	if alive "$1"; then
		echo "bench_floor: pid $1 still running 10 s after SIGTERM: SIGKILL" >&2
		kill -9 "$1" 2>/dev/null || true
	fi
	$PY -c "print(f'{$(date +%s.%N) - $s0:.1f}')"
}
# One EXIT trap does the cleanup; INT and TERM only exit (which runs it): a trap that
# returned from INT/TERM would let the script carry on, and a cleanup that waited on a
# greendcd that ignores SIGTERM would never end.
cleanup() {
	trap - EXIT INT TERM
	for p in $PIDS; do stop "$p" >/dev/null; done
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
PY=/usr/bin/python3
asroot=""
[ "$(id -u)" = 0 ] && asroot=--allow-root
command -v wrk >/dev/null || { echo "bench_floor: wrk missing (tools/setup.sh)" >&2; exit 1; }
HP=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# The config (devices disabled: nothing is polled; their readings are imported) and the
# readings: one a minute for the last two hours, for every PDU.
$PY "$top/test/integration/floor_gen.py" "$T" "$B" "$top" "$HP" "$RACKS" "$TENANTS" 60 120 bench || exit 1
t0=$(date +%s.%N)
"$B/greendc" -c "$T/greendc.yaml" import "$T/readings.csv" >"$T/import.out" 2>&1 || { cat "$T/import.out" >&2; exit 1; }
echo "imported $(tail -n 1 "$T/import.out" | cut -d' ' -f2) readings of $((2 * RACKS)) rack PDUs in $($PY -c "print(f'{$(date +%s.%N) - $t0:.1f}')") s"

"$B/greendcd" $asroot -c "$T/greendc.yaml" >"$T/greendcd.log" 2>&1 &
GD=$!
PIDS="$PIDS $GD"
U="http://127.0.0.1:$HP"
n=0
t0=$(date +%s.%N)
until curl -sf "$U/api/v1/floor" -o "$T/floor.json" &&
	$PY -c "import json,sys; d=json.load(open('$T/floor.json')); r=[x for h in d['halls'] for w in h['rows'] for x in w['racks']]; sys.exit(not (len(r) == $RACKS and all(x['kw'] is not None for x in r)))"; do
	n=$((n + 1))
	[ $n -gt 1200 ] && { echo "bench_floor: /api/v1/floor never showed every rack live" >&2; curl -s "$U/api/v1/floor" | head -c 600 >&2; tail "$T/greendcd.log" >&2; exit 1; }
	sleep 0.1
done
echo "first full floor view $($PY -c "print(f'{$(date +%s.%N) - $t0:.1f}')") s after greendcd started ($(wc -c <"$T/floor.json") bytes);" \
	"the floor thread took $($PY -c "import json; print(json.load(open('$T/floor.json'))['compute_took_ms'])") ms for capacity and the tenants' month to date"

delay=$((2000 / RATE))
cat >"$T/paced.lua" <<L
init = function(args) path = args[1] end
request = function() return wrk.format("GET", path) end
delay = function() return $delay end
L
run() { # name path
	curl -sf -o /dev/null "$U$2" || { echo "$1: request failed: $U$2" >&2; curl -s "$U$2" | head -c 300 >&2; exit 1; }
	wrk -t1 -c2 -d"${DUR}s" --latency -s "$T/paced.lua" "$U" -- "$2" >"$T/$1.wrk" 2>&1
	$PY - "$1" "$T/$1.wrk" "$DUR" <<'PYEOF'
import re, sys
name, f, dur = sys.argv[1], sys.argv[2], float(sys.argv[3])
t = open(f).read()
def ms(s):
    v, u = re.match(r"([\d.]+)(us|ms|s)", s).groups()
    return float(v) * {"us": 1e-3, "ms": 1, "s": 1e3}[u]
p = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", t, re.M))
n = int(re.search(r"(\d+) requests in", t).group(1))
errs = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
print(f"{name:12s} median {ms(p['50']):7.2f} ms   p99 {ms(p['99']):7.2f} ms   {n / dur:5.1f} req/s"
      f"   {n} requests{', NON-2xx: ' + errs.group(1) if errs else ''}")
PYEOF
}
run floor "/api/v1/floor"
run rack "/api/v1/rack?name=R$(printf %05d $((RACKS / 2)))"
run tenants "/api/v1/tenants"
echo "greendcd stopped $(stop "$GD") s after SIGTERM"
PIDS=""
echo "(racks $RACKS, rack PDUs $((2 * RACKS)), tenants $TENANTS; the floor thread computes capacity over 1 h and the tenants' month to date every minute, off the request path)"
