#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A server's Retry-After is honoured only up to the target's retry_after_max (issue: one
# "Retry-After: 3153600000" used to stall a stream for a century, stored in SQLite and kept
# across restarts; ra*1000 could overflow). Against a plain HTTP server on 127.0.0.1 that
# answers the first POST with 429 and a huge Retry-After (seconds, then an HTTP-date far in
# the future), then 200:
#  - the next attempt comes after retry_after_max (2 s here), not a century later;
#  - the outbox never holds a next attempt more than retry_after_max ahead;
#  - the daemon logs what the server asked for and what it waits instead.
. "$(dirname "$0")/lib.sh"

RP=$(free_port)
echo "whsec_$(head -c 24 /dev/urandom | base64)" >"$T/key"
chmod 600 "$T/key"
cat >"$T/server.py" <<'P'
import http.server, sys, time
port, log, values = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
class H(http.server.BaseHTTPRequestHandler):
    n = 0
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        i = H.n
        H.n += 1
        code = 429 if i < len(values) else 200
        self.send_response(code)
        if code == 429:
            self.send_header("Retry-After", values[i])
        self.send_header("Content-Length", "0")
        self.end_headers()
        with open(log, "a") as f:
            f.write("%d %d\n" % (int(time.time() * 1000), code))
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
P
bg server $PY "$T/server.py" "$RP" "$T/requests.log" 3153600000 "Fri, 31 Dec 9999 23:59:59 GMT"
wait_port "$RP"
cat >"$T/greendc.yaml" <<Y
# A test config (not shipped): one report target with a short retry_after_max.
site: {id: ra, name: Retry-After DC}
storage: {path: greendc.db, commit_interval: 100ms}
daemon: {drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles}
devices: []
outputs:
  summary_interval: 1s
  report:
    - {name: central, url: "http://127.0.0.1:$RP/ingest", secret_file: key,
       backoff_min: 100ms, backoff_max: 200ms, retry_after_max: 2s}
Y
"$B/greendc" check-config "$T/greendc.yaml" >/dev/null || fail "check-config refused retry_after_max"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
# Summaries every second give the stream its items.
n=0
while ! grep -q ' 200$' "$T/requests.log" 2>/dev/null; do
	n=$((n + 1))
	[ $n -gt 150 ] && { cat "$T/requests.log" "$T/greendcd.log"; fail "not delivered within 15 s"; }
	# While it waits, the outbox must not hold a next attempt far in the future.
	far=$(sql "$T/greendc.db" "SELECT count(*) FROM outbox WHERE next_attempt > \
		(strftime('%s','now') + 10) * 1000" 2>/dev/null || echo 0)
	[ "${far:-0}" -eq 0 ] || fail "an outbox item waits more than 10 s (Retry-After not capped)"
	sleep 0.1
done
$PY - "$T/requests.log" <<'P' || fail "Retry-After not capped at 2 s"
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1])]
codes = [c for _, c in rows]
assert codes[:3] == [429, 429, 200], codes
gaps = [rows[i + 1][0] - rows[i][0] for i in range(2)]
print("gaps after each 429 (ms):", gaps)
assert all(1900 <= g <= 6000 for g in gaps), gaps
P
grep -q "server asked to retry after 3153600000 s; waiting 2 s" "$T/greendcd.log" ||
	{ cat "$T/greendcd.log"; fail "the server's Retry-After is not logged"; }
ok "Retry-After 3153600000 s and an HTTP-date in 9999 both waited 2 s (retry_after_max)"
stop greendcd
