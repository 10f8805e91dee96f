#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Alertmanager interop: Debian's prometheus-alertmanager on 127.0.0.1 (no cluster, its own
# storage path) routes to a webhook receiver run here. A Modbus device (tools/dcsim) goes away
# and comes back; greendcd's device_down alert, pushed with API v2 (POST /api/v2/alerts,
# re-sent while firing, resolved with endsAt), must reach the webhook as firing, then resolved.
. "$(dirname "$0")/lib.sh"

AM=$(command -v prometheus-alertmanager) || fail "prometheus-alertmanager is not installed (make setup)"
MP=$(free_port)
AP=$(free_port)
WP=$(free_port)
cat >"$T/am.yml" <<Y
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: http://127.0.0.1:$WP/hook
        send_resolved: true
Y
# The webhook receiver: every POST body appended to hook.jsonl.
cat >"$T/hook.py" <<'P'
import http.server, sys
out = sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        with open(out, "ab") as f:
            f.write(self.rfile.read(n).replace(b"\n", b" ") + b"\n")
        self.send_response(200)
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
P
bg hook $PY "$T/hook.py" "$WP" "$T/hook.jsonl"
bg am "$AM" --config.file="$T/am.yml" --storage.path="$T/am-data" \
	--web.listen-address="127.0.0.1:$AP" --cluster.listen-address=
bg dcsim "$B/dcsim" --port "$MP"
wait_port "$WP"
wait_port "$AP" 20
wait_port "$MP"
cat >"$T/greendc.yaml" <<Y
site: {id: am-site, name: AM DC}
storage: {path: greendc.db, commit_interval: 100ms}
daemon: {drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles, max_backoff: 1s}
devices:
  - {name: utility-a, driver: modbus, address: "tcp://127.0.0.1:$MP", profile: meter/eastron-sdm630,
     interval: 500ms, timeout: 300ms, options: {unit_id: 1}}
alerts:
  interval: 500ms
  rules:
    - {name: meter_down, type: device_down, for: 1s, severity: critical}
outputs:
  summary_interval: 0s
  alertmanager:
    - {name: am, url: "http://127.0.0.1:$AP", resend: 2s, backoff_min: 200ms, backoff_max: 1s}
Y
"$B/greendc" check-config "$T/greendc.yaml" >/dev/null || fail "config refused"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
sleep 2
stop dcsim
n=0
until grep -q '"status":"firing"' "$T/hook.jsonl" 2>/dev/null; do
	n=$((n + 1))
	[ $n -gt 200 ] && { cat "$T/greendcd.log" "$T/am.log" | tail -30; fail "no firing notification within 20 s"; }
	sleep 0.1
done
# The alert is active in Alertmanager's own API.
$PY - "$AP" <<'P' || fail "alert not active in Alertmanager"
import json, sys, urllib.request
a = json.load(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/v2/alerts", timeout=5))
assert any(x["labels"].get("alertname") == "meter_down" and x["status"]["state"] == "active" for x in a), a
P
sleep 5 # longer than resend: re-sends must not produce a second firing notification
bg dcsim "$B/dcsim" --port "$MP"
wait_port "$MP"
n=0
until grep -q '"status":"resolved"' "$T/hook.jsonl" 2>/dev/null; do
	n=$((n + 1))
	[ $n -gt 300 ] && { tail -20 "$T/greendcd.log"; fail "no resolved notification within 30 s"; }
	sleep 0.1
done
$PY - "$T/hook.jsonl" <<'P' || fail "notifications"
import json, sys
seq = []
for line in open(sys.argv[1]):
    j = json.loads(line)
    for a in j["alerts"]:
        if a["labels"].get("alertname") == "meter_down":
            seq.append(a["status"])
print("webhook saw:", seq)
assert seq[0] == "firing" and seq[-1] == "resolved", seq
assert seq.count("firing") == 1, seq  # re-sends are not new notifications
P
grep -q 'am -> http://127.0.0.1:'"$AP"'/… (alertmanager)' "$T/greendcd.log" || fail "no target line"
ok "Alertmanager $("$AM" --version 2>&1 | head -1 | cut -d' ' -f3): firing then resolved reached its webhook receiver, re-sends did not repeat the notification"
stop greendcd
