#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# HTTP benchmark (prints figures; not a test). A store with 30 days of 1-minute history for
# the demo site's feeds, PDUs and cooling (tools/gdcfill) plus RACKS rack PDUs (default 5,000)
# behind greendcd, then wrk (Debian) from a second process on 127.0.0.1 at a bounded rate of
# about RATE requests/s (default 50: two connections, each waiting between requests):
#   pue-trend   /api/v1/power?roles=facility_input,pdu_output over 30 days at step 1m,
#               width 1,500 (the dashboard's PUE trend: 4 meters)
#   power-30d   /api/v1/power, every role, 30 days, width 5,000 (the power-by-role chart)
#   series-30d  /api/v1/query, one power series, 30 days at 1m, width 5,000
#   pue-month   /api/v1/pue?period=month&by=day (energy PUE of this month, by day)
#   metrics     /metrics with every series of a RACKS-device site
# Each prints median and p99 latency (wrk --latency) and the achieved rate; target p99 < 50 ms.
# Then the dashboard's time to show data in headless chromium (wall clock of a --dump-dom run
# that ends once the page's data is in; the same run on a static page is the browser's own
# start-up, printed for comparison).
#
#   sh bench/bench_http.sh      (DURATION=10 RATE=50 RACKS=5000)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
B=${GDC_BUILD:-$top/build}
DUR=${DURATION:-10}
RATE=${RATE:-50}
RACKS=${RACKS:-5000}
T=$(mktemp -d /tmp/greendc-bench.XXXXXX)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	sleep 0.2
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
PY=/usr/bin/python3
# As root greendcd refuses to stay root without daemon.user; a benchmark may (greendcd(8)).
asroot=""
[ "$(id -u)" = 0 ] && asroot=--allow-root
command -v wrk >/dev/null || { echo "bench_http: wrk missing (tools/setup.sh)" >&2; exit 1; }
fp() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P=$(fp)
SP=$(fp)
HP=$(fp)

"$B/gdcfill" --db "$T/greendc.db" --days 30 --step 1m --racks "$RACKS"
sed -e "/^ *rated_power_w:/d" -e "s/, rated_power_w: [0-9]*}/}/" -e "s|tcp://127.0.0.1:5020|tcp://127.0.0.1:$P|" \
	-e "s|udp:127.0.0.1:5161|udp:127.0.0.1:$SP|" -e "s|path: ../demo-state/greendc.db|path: greendc.db|" \
	-e "s|secret_file: ../demo-state/central.key|secret_file: central.key|" \
	-e "s|port: 8470|port: $HP|" -e "s|web_dir: ../dashboards/web|web_dir: $top/dashboards/web|" \
	-e "s|^daemon:|daemon:\n  drivers_dir: $B/drivers\n  profiles_dir: $top/etc/profiles|" \
	"$top/etc/demo.yaml" >"$T/greendc.yaml"
(umask 077 && echo "whsec_$(head -c 24 /dev/urandom | base64)" >"$T/central.key")
"$B/dcsim" --port "$P" --snmp-port "$SP" >"$T/dcsim.log" 2>&1 &
PIDS="$PIDS $!"
sleep 0.5
"$B/greendcd" $asroot -c "$T/greendc.yaml" >"$T/greendcd.log" 2>&1 &
GD=$!
PIDS="$PIDS $GD"
U="http://127.0.0.1:$HP"
n=0
until curl -sf "$U/metrics" -o "$T/m.txt" && [ "$(grep -c '^greendc_power_watts{device="rack-' "$T/m.txt")" -ge "$RACKS" ]; do
	n=$((n + 1))
	[ $n -gt 600 ] && { echo "bench_http: /metrics never listed the racks" >&2; tail "$T/greendcd.log" >&2; exit 1; }
	sleep 0.1
done
echo "metrics: $(wc -c <"$T/m.txt") bytes, $(grep -c '^greendc' "$T/m.txt") samples, $RACKS rack devices"

delay=$((2000 / RATE)) # two connections, each waits this long between requests
cat >"$T/paced.lua" <<L
init = function(args) path = args[1] end
request = function() return wrk.format("GET", path) end
delay = function() return $delay end
L
run() { # name path
	# Warm once (first query loads pages from disk), then the paced run.
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
run pue-trend "/api/v1/power?from=-30d&step=1m&width=1500&roles=facility_input,pdu_output"
run power-30d "/api/v1/power?from=-30d&step=1m&width=5000"
sid=$(curl -sf "$U/api/v1/series?match=utility-a%20power_w*" | $PY -c "import json,sys; print(json.load(sys.stdin)['series'][0]['id'])")
run series-30d "/api/v1/query?series=$sid&from=-30d&step=1m&width=5000"
run pue-month "/api/v1/pue?period=month&by=day"
run metrics "/metrics"

kill "$GD"
wait "$GD" 2>/dev/null || true
if command -v chromium >/dev/null; then
	# The page on the demo site with its 30 days of history and no rack PDUs: with thousands
	# of them, power by role is refused as partial (api.md) and the page says so instead.
	"$B/gdcfill" --db "$T/page.db" --days 30 --step 1m >/dev/null
	sed -e "s|path: greendc.db|path: page.db|" "$T/greendc.yaml" >"$T/page.yaml"
	"$B/greendcd" $asroot -c "$T/page.yaml" >"$T/page.log" 2>&1 &
	GD=$!
	PIDS="$PIDS $GD"
	n=0
	until curl -sf -o /dev/null "$U/api/v1/site"; do
		n=$((n + 1))
		[ $n -gt 100 ] && { echo "bench_http: second daemon did not start" >&2; exit 1; }
		sleep 0.1
	done
	sleep 3
	paint() { # url -> seconds
		rm -rf "$T/prof"
		s=$($PY -c 'import time; print(time.time())')
		timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
			--disable-background-networking --disable-component-update --disable-sync \
			--user-data-dir="$T/prof" --window-size=1366,900 --virtual-time-budget=8000 \
			--dump-dom "$1" 2>/dev/null >"$T/dom.html"
		e=$($PY -c 'import time; print(time.time())')
		$PY -c "print(f'{$e - $s:.2f}')"
	}
	base=$(paint "$U/vendor/README")
	dash=$(paint "$U/")
	grep -q 'data-loaded="ok"' "$T/dom.html" || echo "dashboard: page did not report its data loaded" >&2
	echo "dashboard with data (30 days, 24 h view): ${dash} s wall clock in headless chromium (a static page: ${base} s)"
	kill "$GD"
fi
