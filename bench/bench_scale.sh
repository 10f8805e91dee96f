#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Scale benchmark (prints figures; not a test; issue 19): SCALE_DEVICES devices (default
# 10,000) x SCALE_VALUES values (default 20) every 10 s for SCALE_SECONDS (default 300) after
# a warm-up, all on 127.0.0.1:
#   Modbus  (100 - SCALE_SNMP_PCT) % of the devices, spread round robin over several dcsim
#           processes (one TCP connection per device; SCALE_PER_DCSIM connections each, default
#           800; dcsim's select() stops at 1,024 fds), alternately unit 1 (the SDM630 map, fc 4:
#           SCALE_VALUES uint16 registers from 0) and the sixteen rack PDU units 60-75 (fc 3:
#           sim time, power, energy counter, three phase currents and uint16 padding
#           registers 2..; SCALE_VALUES 6..20)
#   SNMP    SCALE_SNMP_PCT % (default 10) against one Debian snmpd (v2c, SCALE_VALUES scalar
#           OIDs in one GET, as bench_snmp.sh)
# greendcd runs with the default four workers and an HTTP listener. Over the measured window
# it prints, from greendcd's own status line (SIGUSR1 at the window's start and end): the
# start-delay p99 (a bucket bound: 1, 5, 10, 25, 50, 100, 250, 1000 ms), values/s and how often
# a producer waited for room in the writer's queue; from /proc: greendcd's CPU (% of one core,
# CPU-s per 1,000 values), RSS every 5 s (first, last, max), open fds, and the peers' CPU
# (dcsim's capacity); from wrk (one connection each, paced): /metrics and /api/v1/devices
# latency p50/p99. Each target prints MET or MISSED. Exit status 0 whatever the figures,
# non-zero when the benchmark could not run.
#
#   sh bench/bench_scale.sh      (SCALE_DEVICES=10000 SCALE_SECONDS=300 SCALE_VALUES=20)
#   SCALE_DEVICES=200 SCALE_SECONDS=30 sh bench/bench_scale.sh        (a quick look)
#   other knobs: SCALE_SNMP_PCT=10 SCALE_PER_DCSIM=800 SCALE_WARMUP=40 SCALE_WORKERS=4
#                SCALE_METRICS_EVERY_MS=2000 SCALE_API_EVERY_MS=1000 (one connection each)
#                KEEP=1 (keep the folder)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/snmpd_lib.sh"
B=${GDC_BUILD:-$top/build}
N=${SCALE_DEVICES:-10000}
SECS=${SCALE_SECONDS:-300}
NV=${SCALE_VALUES:-20}
SNMP_PCT=${SCALE_SNMP_PCT:-10}
PER_SIM=${SCALE_PER_DCSIM:-800}
WARM=${SCALE_WARMUP:-40}
WORKERS=${SCALE_WORKERS:-4}
MEVERY=${SCALE_METRICS_EVERY_MS:-2000}
AEVERY=${SCALE_API_EVERY_MS:-1000}
INTERVAL=10
PY=/usr/bin/python3

die() {
	echo "bench_scale: $*" >&2
	exit 1
}
for v in "$N" "$SECS" "$NV" "$SNMP_PCT" "$PER_SIM" "$WARM" "$WORKERS" "$MEVERY" "$AEVERY"; do
	case $v in '' | *[!0-9]*) die "parameters must be whole numbers (got '$v')" ;; esac
done
if ! { [ "$N" -ge 1 ] && [ "$N" -le 20000 ]; }; then die "SCALE_DEVICES must be 1..20000"; fi
if ! { [ "$SECS" -ge 10 ] && [ "$SECS" -le 3600 ]; }; then die "SCALE_SECONDS must be 10..3600"; fi
if ! { [ "$NV" -ge 6 ] && [ "$NV" -le 20 ]; }; then die "SCALE_VALUES must be 6..20 (the rack PDU map)"; fi
[ "$SNMP_PCT" -le 100 ] || die "SCALE_SNMP_PCT must be 0..100"
if ! { [ "$PER_SIM" -ge 1 ] && [ "$PER_SIM" -le 1000 ]; }; then die "SCALE_PER_DCSIM must be 1..1000"; fi
if ! { [ "$MEVERY" -ge 10 ] && [ "$AEVERY" -ge 10 ]; }; then die "requests at most every 10 ms"; fi
for x in greendcd greendc dcsim drivers/modbus.so drivers/snmp.so; do
	[ -e "$B/$x" ] || die "$B/$x missing (make all)"
done
command -v wrk >/dev/null || die "wrk missing (tools/setup.sh)"
command -v curl >/dev/null || die "curl missing"
NS=$((N * SNMP_PCT / 100))
NM=$((N - NS))
[ "$NS" -eq 0 ] || command -v snmpd >/dev/null || die "snmpd missing (tools/setup.sh), or SCALE_SNMP_PCT=0"
NSIM=$(((NM + PER_SIM - 1) / PER_SIM))
# One descriptor per device in greendcd, plus the store, the listener and the logs.
want_fds=$((N + 256))
nofile=$(awk '/^Max open files/ {print $4}' /proc/self/limits)
case $nofile in
unlimited) ;;
*) [ "$nofile" -ge "$want_fds" ] || die "open files limit $nofile < $want_fds: raise it (ulimit -n) or use fewer devices" ;;
esac

T=$(mktemp -d /tmp/greendc-bench.XXXXXX)
PIDS=""
cleanup() {
	trap - EXIT INT TERM
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	# Up to 10 s for everything to go, then SIGKILL what is left (only our own PIDs).
	n=0
	while [ $n -lt 50 ]; do
		left=""
		for p in $PIDS; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
		[ -z "$left" ] && break
		sleep 0.2
		n=$((n + 1))
	done
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null || true; done
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
asroot=""
[ "$(id -u)" = 0 ] && asroot=--allow-root
# Free ports: TCP for dcsim and HTTP, UDP for snmpd, all taken at once so they differ.
set -- $($PY - "$NSIM" <<'P'
import socket, sys
keep = []
for kind in [socket.SOCK_STREAM] * (int(sys.argv[1]) + 1) + [socket.SOCK_DGRAM]:
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    keep.append(s)
print(" ".join(str(s.getsockname()[1]) for s in keep))
P
)
HP=$1
shift
SPORTS=""
i=0
while [ $i -lt "$NSIM" ]; do
	SPORTS="$SPORTS $1"
	shift
	i=$((i + 1))
done
SP=$1
cpu() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; } # clock ticks
# Clock ticks of the greendcd threads that answer the benchmark's requests, so that polling's
# share can be told apart: libmicrohttpd's (named MHD-*) and the API workers (the threads that
# run at another nice value than the main thread: +5, src/http/http_work.c).
http_cpu() {
	cat "/proc/$1/stat" "/proc/$1"/task/*/stat 2>/dev/null |
		awk 'NR == 1 {main = $19; next} $2 ~ /^\(MHD/ || $19 != main {h += $14 + $15} END {print h + 0}'
}
HZ=$(getconf CLK_TCK)

# Peers: dcsim processes, then snmpd.
SIMPIDS=""
i=0
for p in $SPORTS; do
	"$B/dcsim" --listen 127.0.0.1 --port "$p" --pidfile "$T/dcsim$i.pid" >"$T/dcsim$i.log" 2>&1 &
	PIDS="$PIDS $!"
	SIMPIDS="$SIMPIDS $!"
	i=$((i + 1))
done
i=0
for p in $SPORTS; do
	n=0
	until [ -s "$T/dcsim$i.pid" ]; do
		n=$((n + 1))
		[ $n -gt 100 ] && { cat "$T/dcsim$i.log" >&2; die "dcsim on port $p did not start"; }
		sleep 0.1
	done
	i=$((i + 1))
done
AGENT=""
mkdir -p "$T/persist" "$T/profiles/bench"
if [ "$NS" -gt 0 ]; then
	start_bench_snmpd "$SP" "$NV" || die "snmpd did not start"
fi

# Profiles: the meter (unit 1, fc 4), the rack PDU (units 60-75, fc 3) and the SNMP host.
{
	echo "profile: scale-meter"
	echo "driver: modbus"
	echo "source: \"dcsim unit 1 (SDM630 map), input registers 0.. as uint16\""
	echo "points:"
	i=0
	while [ $i -lt "$NV" ]; do
		echo "  - {metric: voltage_v, labels: {reg: \"$i\"}, fc: 4, register: $i, type: uint16}"
		i=$((i + 1))
	done
} >"$T/profiles/bench/scale-meter.yaml"
{
	echo "profile: scale-rpdu"
	echo "driver: modbus"
	echo "source: \"dcsim rack PDU map (units 60-75), holding registers 0-22\""
	echo "points:"
	echo "  - {metric: runtime_s, labels: {reg: sim_time}, fc: 3, register: 0, type: uint32}"
	echo "  - {metric: power_w, fc: 3, register: 16, type: uint32}"
	echo "  - {metric: energy_kwh, kind: counter, counter_bits: 32, fc: 3, register: 18, type: uint32, scale: 0.001}"
	for ph in 1 2 3; do
		echo "  - {metric: current_a, labels: {phase: L$ph}, fc: 3, register: $((19 + ph)), type: uint16, scale: 0.01}"
	done
	i=0
	while [ $i -lt $((NV - 6)) ]; do
		echo "  - {metric: temp_c, labels: {reg: \"$((2 + i))\"}, fc: 3, register: $((2 + i)), type: uint16}"
		i=$((i + 1))
	done
} >"$T/profiles/bench/scale-rpdu.yaml"
{
	echo "profile: scale-snmp"
	echo "driver: snmp"
	echo "source: bench"
	echo "points:"
	i=0
	while [ $i -lt "$NV" ]; do
		echo "  - {metric: temp_c, labels: {v: \"$i\"}, oid: 1.3.6.1.4.1.8072.9999.1.$i.0}"
		i=$((i + 1))
	done
} >"$T/profiles/bench/scale-snmp.yaml"

# The config: Modbus devices round robin over the dcsim ports, alternately meter and rack PDU.
{
	echo "site: {id: scale, name: scale}"
	echo "storage: {path: $T/greendc.db}"
	echo "daemon: {workers: $WORKERS, drivers_dir: $B/drivers, profiles_dir: $T/profiles, log_level: info}"
	echo "http: {listen: 127.0.0.1, port: $HP}"
	echo "devices:"
} >"$T/greendc.yaml"
$PY - "$NM" "$NS" "$SP" "$INTERVAL" $SPORTS >>"$T/greendc.yaml" <<'P'
import sys
nm, ns, sp, iv = (int(a) for a in sys.argv[1:5])
ports = sys.argv[5:]
out = []
for m in range(nm):
    port = ports[m % len(ports)]
    if m % 2 == 0:
        prof, unit = "bench/scale-meter", 1
    else:
        prof, unit = "bench/scale-rpdu", 60 + (m // 2) % 16
    out.append(f"  - {{name: m{m:05d}, driver: modbus, address: \"tcp://127.0.0.1:{port}\", "
               f"profile: {prof}, interval: {iv}s, timeout: 2s, options: {{unit_id: {unit}}}}}")
for s in range(ns):
    out.append(f"  - {{name: s{s:05d}, driver: snmp, address: \"udp:127.0.0.1:{sp}\", "
               f"profile: bench/scale-snmp, interval: {iv}s, timeout: 2s, options: {{community: bench}}}}")
print("\n".join(out))
P

echo "bench_scale: $N devices x $NV values at ${INTERVAL} s ($((N * NV / INTERVAL)) values/s planned):" \
	"$NM Modbus over $NSIM dcsim processes, $NS SNMP on one snmpd; warm-up $WARM s, window $SECS s"
"$B/greendcd" $asroot -c "$T/greendc.yaml" --status-interval 24h >"$T/greendcd.log" 2>&1 &
GD=$!
PIDS="$PIDS $GD"
U="http://127.0.0.1:$HP"
n=0
until curl -sf -m 5 -o /dev/null "$U/api/v1/site"; do
	n=$((n + 1))
	kill -0 "$GD" 2>/dev/null || { tail "$T/greendcd.log" >&2; die "greendcd exited"; }
	[ $n -gt 600 ] && { tail "$T/greendcd.log" >&2; die "greendcd's HTTP listener never answered"; }
	sleep 0.1
done
sleep "$WARM"
kill -0 "$GD" 2>/dev/null || { tail "$T/greendcd.log" >&2; die "greendcd exited during the warm-up"; }

# status N: ask for a status line and print it (the line that appears after the signal).
status() {
	before=$(grep -c ' status: ' "$T/greendcd.log" || true)
	kill -USR1 "$GD"
	n=0
	while [ "$(grep -c ' status: ' "$T/greendcd.log" || true)" -le "$before" ]; do
		n=$((n + 1))
		[ $n -gt 100 ] && die "greendcd printed no status line after SIGUSR1"
		sleep 0.1
	done
	grep ' status: ' "$T/greendcd.log" | tail -n 1
}
paced() { # name path ms: start wrk (one connection, ms between requests) for the window; prints its PID
	cat >"$T/$1.lua" <<L
init = function(args) path = args[1] end
request = function() return wrk.format("GET", path) end
delay = function() return $3 end
L
	wrk -t1 -c1 -d"${SECS}s" --timeout 30s --latency -s "$T/$1.lua" "$U" -- "$2" >"$T/$1.wrk" 2>&1 &
	echo $!
}
for path in /metrics /api/v1/devices; do
	curl -sf -m 60 -o /dev/null "$U$path" || echo "bench_scale: $path failed before the window (measured anyway)" >&2
done

status >"$T/status0"
t0=$(date +%s.%N)
c0=$(cpu "$GD")
h0=$(http_cpu "$GD")
s0=0
for p in $SIMPIDS; do s0=$((s0 + $(cpu "$p"))); done
a0=0
[ -n "$AGENT" ] && a0=$(cpu "$AGENT")
W1=$(paced metrics /metrics "$MEVERY")
W2=$(paced api /api/v1/devices "$AEVERY")
PIDS="$PIDS $W1 $W2"
: >"$T/rss"
k=0
while [ $((k * 5)) -lt "$SECS" ]; do
	step=5
	[ $(((k + 1) * 5)) -gt "$SECS" ] && step=$((SECS - k * 5))
	sleep "$step"
	kill -0 "$GD" 2>/dev/null || { tail "$T/greendcd.log" >&2; die "greendcd exited during the window"; }
	echo "$(awk '/^VmRSS:/ {print $2}' "/proc/$GD/status") $(ls "/proc/$GD/fd" | wc -l)" >>"$T/rss"
	k=$((k + 1))
done
status >"$T/status1"
t1=$(date +%s.%N)
c1=$(cpu "$GD")
h1=$(http_cpu "$GD")
s1=0
for p in $SIMPIDS; do s1=$((s1 + $(cpu "$p"))); done
a1=0
[ -n "$AGENT" ] && a1=$(cpu "$AGENT")
# wrk stops by itself at the window's end (30 s request timeout at most).
for w in $W1 $W2; do
	n=0
	while kill -0 "$w" 2>/dev/null; do
		n=$((n + 1))
		[ $n -gt 400 ] && { kill "$w" 2>/dev/null || true; break; }
		sleep 0.1
	done
done
curl -sf -m 60 -o "$T/metrics1.txt" "$U/metrics" || true

$PY - "$T" "$N" "$NV" "$INTERVAL" "$SECS" "$t0" "$t1" "$c0" "$c1" "$s0" "$s1" "$a0" "$a1" "$HZ" "$NSIM" "$NM" "$NS" "$h0" "$h1" <<'P'
import re, sys
T = sys.argv[1]
n, nv, iv, secs = (int(a) for a in sys.argv[2:6])
t0, t1 = float(sys.argv[6]), float(sys.argv[7])
c0, c1, s0, s1, a0, a1, hz = (float(a) for a in sys.argv[8:15])
nsim, nm, ns = (int(a) for a in sys.argv[15:18])
h0, h1 = float(sys.argv[18]), float(sys.argv[19])
wall = t1 - t0
res = []

def fig(name, value, unit, target=None, met=None):
    t = f" (target {target})" if target else ""
    print(f"figure: {name} {value} {unit}{t}")
    if met is not None:
        res.append((name, met))
        print(f"  {'MET' if met else 'MISSED'}: {name}")

pat = re.compile(r"status: (\d+) devices, (\d+) up, (\d+) down; ([\d.]+) samples/s; (\d+) stored, "
                 r"queue (\d+); polls started late by p99 (-?\d+) ms \(worst (\d+)\); writer: (\d+) "
                 r"commits, largest batch (\d+), producers waited (\d+) times")
st = []
for f in ("status0", "status1"):
    line = open(f"{T}/{f}").read()
    m = pat.search(line)
    if not m:
        sys.exit(f"bench_scale: cannot read the status line: {line}")
    st.append([float(x) for x in m.groups()])
a, b = st
planned = n * nv / iv
fig("devices_up_at_end", f"{b[1]:.0f}/{b[0]:.0f}", "devices", f"all {n}", b[1] == n)
fig("values_per_s", f"{b[3]:.0f}", "values/s", f">= 99 % of {planned:.0f}", b[3] >= 0.99 * planned)
p99 = int(b[6])
fig("poll_start_delay_p99", "<= %d" % p99 if p99 <= 1000 else "> 1000", "ms",
    "<= 100 ms", 0 <= p99 <= 100)
fig("poll_start_delay_worst_since_start", f"{b[7]:.0f}", "ms")
waits = b[10] - a[10]
fig("writer_producer_waits", f"{waits:.0f}", "times", "0: never backlogged", waits == 0)
fig("writer_queue_at_end", f"{b[5]:.0f}", "items")
fig("writer_commits", f"{b[8] - a[8]:.0f}", "commits")
fig("writer_largest_batch_since_start", f"{b[9]:.0f}", "items")
cpu = (c1 - c0) / hz
fig("greendcd_cpu", f"{100 * cpu / wall:.1f}", "% of one core", "<= 25 %", 100 * cpu / wall <= 25)
values = b[3] * wall
http = (h1 - h0) / hz
fig("greendcd_cpu_http_threads", f"{100 * http / wall:.1f}", "% of one core (serving the wrk requests below)")
fig("greendcd_cpu_without_http", f"{100 * (cpu - http) / wall:.1f}", "% of one core (polling, store, snapshot)")
fig("greendcd_cpu_per_1000_values", f"{1000 * cpu / max(values, 1):.5f}", "CPU-s")
fig("greendcd_cpu_per_1000_values_without_http", f"{1000 * (cpu - http) / max(values, 1):.5f}", "CPU-s")
rows = [tuple(int(x) for x in l.split()) for l in open(f"{T}/rss") if l.strip()]
rss = [r[0] for r in rows]
fds = [r[1] for r in rows]
mx = max(rss) / 1024
growth = 100 * (rss[-1] - rss[0]) / rss[0]
fig("greendcd_rss_first_last_max", f"{rss[0] / 1024:.1f}/{rss[-1] / 1024:.1f}/{mx:.1f}", "MB",
    "<= 200 MB", mx <= 200)
fig("greendcd_rss_growth_in_window", f"{growth:.1f}", "%", "flat: <= 10 %, as test_soak.sh", growth <= 10)
print("rss_timeline: " + " ".join(f"{r / 1024:.0f}" for r in rss[::12]) + " MB (one a minute)")
fig("greendcd_fds_first_last", f"{fds[0]}/{fds[-1]}", "fds")
simcpu = 100 * (s1 - s0) / hz / wall
fig("dcsim_cpu_total", f"{simcpu:.1f}", f"% of one core ({nsim} processes, {nm} Modbus devices, "
    f"{nm / iv:.0f} requests/s)")
if ns:
    fig("snmpd_cpu", f"{100 * (a1 - a0) / hz / wall:.1f}", f"% of one core ({ns} hosts, {ns / iv:.0f} GETs/s)")

def ms(s):
    v, u = re.match(r"([\d.]+)(us|ms|s)", s).groups()
    return float(v) * {"us": 1e-3, "ms": 1, "s": 1e3}[u]

for name, path in (("metrics", "/metrics"), ("api_devices", "/api/v1/devices")):
    t = open(f"{T}/{name.split('_')[0]}.wrk").read()
    p = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", t, re.M))
    cnt = re.search(r"(\d+) requests in", t)
    if not p or not cnt:
        fig(f"{name}_p99", "none", "ms", "<= 50 ms", False)
        print("  wrk: " + t.strip().replace("\n", "\n  wrk: "))
        continue
    errs = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
    tmo = re.search(r"timeout (\d+)", t)
    extra = (f", non-2xx {errs.group(1)}" if errs else "") + (f", timeouts {tmo.group(1)}" if tmo and int(tmo.group(1)) else "")
    fig(f"{name}_p50", f"{ms(p['50']):.1f}", f"ms ({path}, {cnt.group(1)} requests{extra})")
    fig(f"{name}_p99", f"{ms(p['99']):.1f}", "ms", "<= 50 ms", ms(p["99"]) <= 50 and not errs)
try:
    size = len(open(f"{T}/metrics1.txt", "rb").read())
    fig("metrics_body", f"{size / 1e6:.1f}", "MB")
except OSError:
    pass
print("targets: " + ", ".join(f"{k} {'MET' if v else 'MISSED'}" for k, v in res))
P
echo "status at the window's start: $(sed 's/.*status: //' "$T/status0")"
echo "status at the window's end:   $(sed 's/.*status: //' "$T/status1")"
kill -TERM "$GD"
n=0
while kill -0 "$GD" 2>/dev/null; do
	n=$((n + 1))
	[ $n -gt 300 ] && { echo "bench_scale: greendcd took over 30 s to stop" >&2; break; }
	sleep 0.1
done
grep -E ' (error|warning|err|warn)' "$T/greendcd.log" | sort | uniq -c | sort -rn | head -n 5 |
	sed 's/^/greendcd log: /' || true
exit 0
