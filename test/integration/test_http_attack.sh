#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# serial: asserts a p99 of /metrics under attack
# greendcd's HTTP server under slow and greedy clients (issue 20, item 1; docs/api.md
# "Limits"): a client that trickles its headers is cut at request_timeout however often it
# sends a byte; 80 Slowloris connections (64 from four other loopback addresses, 16 from the
# prober's own address) plus a 12-connection flood of API queries do not stop /metrics: its
# p99 stays under 100 ms with no failed probe. The clients are test/integration/http_attack.py,
# bounded in count and time; the figures are printed as "figure:" lines.
. "$(dirname "$0")/lib.sh"

P=$(free_port)
SP=$(free_port)
HP=$(free_port)
DCSIM_PORT=$P SNMP_PORT=$SP HTTP_PORT=$HP RECV_PORT=$(free_port) AUDIT_LOG=$T/audit.log
demo_config "$T/greendc.yaml" commit-fast http-request-timeout audit-log
grep -q "request_timeout: 3s" "$T/greendc.yaml" || fail "could not set http.request_timeout"

bg dcsim "$B/dcsim" --port "$P" --snmp-port "$SP"
wait_port "$P"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
wait_port "$HP"
n=0
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HP/metrics")" = 200 ]; do
	n=$((n + 1))
	[ $n -gt 40 ] && { cat "$T/greendcd.log"; fail "no /metrics after 20 s"; }
	sleep 0.5
done
A="$PY $top/test/integration/http_attack.py"

$A probe "$HP" 3 "$T/quiet.json" >/dev/null
echo "figure: /metrics alone: $(cat "$T/quiet.json")"

# One client trickling a header line every 0.5 s: cut at request_timeout (3 s), not kept by
# its activity (libmicrohttpd's own timeout only counts idle time).
$PY - "$HP" <<'PYEOF' || fail "a trickling client was not cut at request_timeout"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2)
s.sendall(b"GET /api/v1/site HTTP/1.1\r\nHost: x\r\n")
t0 = time.monotonic()
i = 0
try:
    while time.monotonic() - t0 < 10:
        time.sleep(0.5)
        s.sendall(b"X-Slow: %d\r\n" % i)
        i += 1
except OSError:
    pass
t = time.monotonic() - t0
print("trickling client cut after %.1f s" % t)
sys.exit(0 if 2.5 <= t <= 5.0 else 1)
PYEOF
ok "a client trickling its headers is cut at request_timeout (3 s)"

# The attack: Slowloris from four addresses and from the prober's own, and a query flood.
bg slow4 $A slow "$HP" 16 64 127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5
bg slow1 $A slow "$HP" 16 16 127.0.0.1
bg flood $A flood "$HP" 16 12 "/api/v1/power?from=-30d&width=1000"
sleep 3
$A probe "$HP" 10 "$T/attack.json" >/dev/null
echo "figure: /metrics under attack: $(cat "$T/attack.json")"
$PY -c "import json,sys; r=json.load(open('$T/attack.json')); sys.exit(0 if r['n'] >= 50 and r['failed'] == 0 and r['p99_ms'] < 100 else 1)" ||
	fail "/metrics under attack: $(cat "$T/attack.json")"
ok "/metrics under 80 slow connections and a 12-connection flood: p99 $($PY -c "import json; print(json.load(open('$T/attack.json'))['p99_ms'])") ms, no failure"
reap flood
grep -q "flood: [1-9][0-9]* responses" "$T/flood.log" || fail "the flood got no answers at all: $(cat "$T/flood.log")"
echo "figure: $(cat "$T/flood.log")"
ok "the flood itself was answered (the API is bounded, not dead)"

stop greendcd
