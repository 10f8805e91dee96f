#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Chat robots against a local fake of each service (Python, 127.0.0.1): two meters of one
# dcsim go down together; their two alerts reach each robot coalesced into ONE message, with
# DingTalk's and Feishu's signatures checked independently (Python hmac) and a wrongly signed
# request refused with the robot's own error code; the client-side rate limit (1 message per
# 15 s on a second Slack robot) holds its resolution message back; the robot URLs (their
# tokens) never appear in the daemon's log. (meter-b is a Schneider map at unit 2, meter-a an
# Eastron at unit 1.)
. "$(dirname "$0")/lib.sh"

MP=$(free_port)
RP=$(free_port)
cat >"$T/robots.py" <<'P'
import base64, hashlib, hmac, http.server, json, sys, time, urllib.parse
port, out, ding_secret, feishu_secret = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        ok, reply = True, {"errcode": 0, "errmsg": "ok"}
        if u.path == "/dingtalk":
            ts = q["timestamp"][0]
            want = base64.b64encode(hmac.new(ding_secret.encode(), f"{ts}\n{ding_secret}".encode(), hashlib.sha256).digest()).decode()
            ok = q.get("access_token") == ["DINGTOKEN123"] and q["sign"][0] == want and abs(time.time() * 1000 - int(ts)) < 3600e3
            if not ok: reply = {"errcode": 310000, "errmsg": "sign not match"}
            text = body["text"]["content"]
        elif u.path == "/feishu/hook/FEISHUTOKEN456":
            ts = body["timestamp"]
            want = base64.b64encode(hmac.new(f"{ts}\n{feishu_secret}".encode(), b"", hashlib.sha256).digest()).decode()
            ok = body["sign"] == want
            reply = {"code": 0, "msg": "success"} if ok else {"code": 19021, "msg": "sign match fail"}
            text = body["content"]["text"]
        elif u.path == "/wecom":
            text = body["text"]["content"]
            assert len(text.encode()) <= 2048
        elif u.path.startswith("/slack/SLACKTOKEN"):
            text = body["text"]
        else:
            text = ""
        with open(out, "a") as f:
            f.write(json.dumps({"t": time.time(), "path": u.path, "ok": ok, "text": text}) + "\n")
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
P
secret() { (umask 077 && printf '%s\n' "$2" >"$T/$1"); }
secret ding.url "http://127.0.0.1:$RP/dingtalk?access_token=DINGTOKEN123"
secret ding.sec "SECding0123456789"
secret bad.sec "SECwrong"
secret feishu.url "http://127.0.0.1:$RP/feishu/hook/FEISHUTOKEN456"
secret feishu.sec "feishu-secret"
secret wecom.url "http://127.0.0.1:$RP/wecom?key=WECOMKEY000"
secret slack.url "http://127.0.0.1:$RP/slack/SLACKTOKEN789"
secret slackrl.url "http://127.0.0.1:$RP/slack/SLACKTOKENRL"
bg robots $PY "$T/robots.py" "$RP" "$T/robots.jsonl" "SECding0123456789" "feishu-secret"
bg dcsim "$B/dcsim" --port "$MP"
wait_port "$RP"
wait_port "$MP"
cat >"$T/greendc.yaml" <<Y
site: {id: chat, name: Chat DC}
storage: {path: greendc.db, commit_interval: 100ms}
daemon: {drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles, max_backoff: 1s}
devices:
  - {name: meter-a, driver: modbus, address: "tcp://127.0.0.1:$MP", profile: meter/eastron-sdm630,
     interval: 500ms, timeout: 300ms, options: {unit_id: 1}}
  - {name: meter-b, driver: modbus, address: "tcp://127.0.0.1:$MP", profile: meter/schneider-iem3xxx,
     interval: 500ms, timeout: 300ms, options: {unit_id: 2}}
alerts:
  interval: 500ms
  rules:
    - {name: meter_down, type: device_down, for: 1s, severity: critical}
outputs:
  summary_interval: 0s
  chat:
    - {name: ding, kind: dingtalk, url_file: ding.url, secret_file: ding.sec, coalesce: 3s}
    - {name: ding-bad, kind: dingtalk, url_file: ding.url, secret_file: bad.sec, coalesce: 1s,
       backoff_min: 5s, backoff_max: 5s}
    - {name: feishu, kind: feishu, url_file: feishu.url, secret_file: feishu.sec, coalesce: 3s}
    - {name: wecom, kind: wecom, url_file: wecom.url, coalesce: 3s}
    - {name: slack, kind: slack, url_file: slack.url, coalesce: 3s}
    - {name: slack-rl, kind: slack, url_file: slackrl.url, coalesce: 0s, rate_limit: {messages: 1, per: 15s}}
Y
"$B/greendc" check-config "$T/greendc.yaml" >"$T/check.out" 2>&1 || { cat "$T/check.out"; fail "config refused"; }
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
sleep 2
stop dcsim
sleep 7 # both alerts fire within ~1.5 s, then 3 s of coalescing
bg dcsim "$B/dcsim" --port "$MP"
wait_port "$MP"
n=0
until [ "$(grep -c 'RESOLVED.*RESOLVED\|RESOLVED' "$T/robots.jsonl" | head -1)" -ge 1 ] &&
	[ "$($PY -c "import json,sys; print(sum(json.loads(l)['text'].count('[RESOLVED]') for l in open('$T/robots.jsonl') if '/SLACKTOKENRL' in l))")" -ge 2 ]; do
	n=$((n + 1))
	[ $n -gt 400 ] && fail "resolutions did not reach the rate-limited slack robot within 40 s"
	sleep 0.1
done
sleep 4 # the other robots' last messages
stop greendcd
$PY - "$T/robots.jsonl" <<'P' || fail "robot messages"
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1])]
by = {}
for m in msgs:
    by.setdefault(m["path"], []).append(m)
ding = [m for m in by["/dingtalk"] if m["ok"]]
bad = [m for m in by["/dingtalk"] if not m["ok"]]
assert bad, "the wrongly signed robot was not refused"
for path, good in (("dingtalk", ding), ("feishu", by["/feishu/hook/FEISHUTOKEN456"]),
                   ("wecom", by["/wecom"]), ("slack", by["/slack/SLACKTOKEN789"])):
    assert all(m["ok"] for m in good), (path, good)
    first = good[0]["text"]
    # coalesced: both meters' firing alerts in the first message
    assert first.count("[FIRING]") == 2 and "meter-a" in first and "meter-b" in first, (path, first)
    text = "".join(m["text"] for m in good)
    assert text.count("[FIRING]") == 2 and text.count("[RESOLVED]") == 2, (path, text)
    print(path, len(good), "messages")
s = by["/slack/SLACKTOKENRL"]  # coalesce 0s, at most 1 message per 15 s: the resolutions (due ~6 s after the firing) wait
gaps = [round(b["t"] - a["t"], 2) for a, b in zip(s, s[1:])]
assert len(s) >= 2 and all(g >= 14.9 for g in gaps), ("slack rate limit", gaps)
text = "".join(m["text"] for m in s)
assert text.count("[FIRING]") == 2 and text.count("[RESOLVED]") == 2, text
print("rate-limited slack robot: gaps between messages (s)", gaps)
P
ok "each robot got the two alerts coalesced into one message, signatures verified; a bad DingTalk signature was refused (errcode 310000) and kept"
[ "$(sql "$T/greendc.db" "SELECT count(*) FROM outbox WHERE stream = 'ding-bad/alert'")" -ge 2 ] ||
	fail "the refused robot's alerts were dropped"
if grep -E 'DINGTOKEN|FEISHUTOKEN|WECOMKEY|SLACKTOKEN|127.0.0.1:'"$RP" "$T/greendcd.log" "$T/check.out"; then
	fail "a robot URL or token reached the log"
fi
grep -q "ding-bad (dingtalk robot): robot error 310000" "$T/greendcd.log" || fail "no redacted error line"
ok "robot URLs and tokens never logged; the failure line names only the robot kind"
