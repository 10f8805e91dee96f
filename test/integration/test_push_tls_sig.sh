#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# greendc-receiver's checks and the pusher's TLS, with real peers on 127.0.0.1:
#  1. requests signed independently in Python (hmac/hashlib): a good one is stored, a replay
#     is a duplicate (stored once), a tampered body and a stale timestamp (> 5 min) and a
#     future one are rejected, a wrong key is rejected;
#  2. a receiver serving HTTPS with a self-signed certificate (made with the openssl CLI for
#     DNS:localhost): refused without the CA, accepted with ca_file, refused on a hostname
#     mismatch (https://127.0.0.1 against a localhost-only certificate);
#  3. a secret file readable by group or others is refused by greendcd and the receiver.
. "$(dirname "$0")/lib.sh"

echo "whsec_$(head -c 24 /dev/urandom | base64)" >"$T/key"
chmod 600 "$T/key"

# ---- 1. signatures and timestamps ------------------------------------------------------------
RP=$(free_port)
bg receiver "$B/greendc-receiver" --port "$RP" --db "$T/r.db" --secret-file "$T/key" --request-log "$T/req.log"
wait_port "$RP"
$PY - "$RP" "$(cat "$T/key")" "$top/test/integration" <<'P' || fail "signature checks"
import base64, hashlib, hmac, json, sys, time, urllib.request, urllib.error
port, secret = int(sys.argv[1]), sys.argv[2]
sys.path.insert(0, sys.argv[3])
import rxlib
key = base64.b64decode(secret[len("whsec_"):])
def send(mid, ts, body, sign_body=None, k=key):
    sb = sign_body if sign_body is not None else body
    sig = base64.b64encode(hmac.new(k, f"{mid}.{ts}.".encode() + sb, hashlib.sha256).digest())
    req = urllib.request.Request(f"http://127.0.0.1:{port}/ingest", data=body, method="POST",
        headers={"webhook-id": mid, "webhook-timestamp": str(ts),
                 "webhook-signature": "v1," + sig.decode(), "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
now = int(time.time())
body = rxlib.body_of(rxlib.report("s1", "Site One", "2026-10", 1.31, grade=2))
st, txt = send("msg-1", now, body)
assert st == 200 and '"stored":true' in txt, (st, txt)
st, txt = send("msg-1", now, body)
assert st == 200 and "duplicate" in txt, (st, txt)
st, _ = send("msg-2", now, body.replace(b"1.31", b"1.11"), sign_body=body)
assert st == 401, ("tampered body accepted", st)
st, _ = send("msg-3", now - 301, body)
assert st == 400, ("stale timestamp accepted", st)
st, _ = send("msg-4", now + 301, body)
assert st == 400, ("future timestamp accepted", st)
st, _ = send("msg-5", now - 200, body)
assert st == 200, ("timestamp within 5 min refused", st)
st, _ = send("msg-6", now, body, k=b"another key entirely")
assert st == 401, ("wrong key accepted", st)
with urllib.request.urlopen(f"http://127.0.0.1:{port}/sites", timeout=5) as r:
    sites = json.load(r)
assert sites[0]["site"] == "s1" and sites[0]["pue"] == 1.31 and sites[0]["gb40879_grade"] == 2, sites
P
n=$(sql "$T/r.db" "SELECT count(*) FROM messages")
[ "$n" -eq 2 ] || fail "receiver stored $n messages, expected 2 (msg-1 once, msg-5)"
grep -q "msg-2 401 bad-signature" "$T/req.log" || fail "tampered body not logged as bad-signature"
grep -q "msg-3 400 stale-timestamp" "$T/req.log" || fail "stale not logged"
ok "receiver: good stored once (replay = duplicate), tampered 401, stale/future 400, wrong key 401; /sites shows PUE 1.31 grade 2"
stop receiver

# ---- 2. TLS -----------------------------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
	-addext "subjectAltName=DNS:localhost" -keyout "$T/tls.key" -out "$T/tls.crt" 2>/dev/null ||
	fail "openssl could not make a certificate"
SP=$(free_port)
bg tlsrecv "$B/greendc-receiver" --port "$SP" --db "$T/tls.db" --secret-file "$T/key" \
	--request-log "$T/tls-req.log" --tls-cert "$T/tls.crt" --tls-key "$T/tls.key"
wait_port "$SP"
cat >"$T/greendc.yaml" <<Y
site: {id: tls, name: TLS DC}
storage: {path: greendc.db, commit_interval: 100ms}
daemon: {drivers_dir: $B/drivers, profiles_dir: $top/etc/profiles}
devices: []
outputs:
  summary_interval: 1s
  report:
    - {name: noca, url: "https://localhost:$SP/ingest", secret_file: key, backoff_min: 200ms, backoff_max: 400ms}
    - {name: withca, url: "https://localhost:$SP/ingest", secret_file: key, ca_file: tls.crt}
    - {name: mismatch, url: "https://127.0.0.1:$SP/ingest", secret_file: key, ca_file: tls.crt, backoff_min: 200ms, backoff_max: 400ms}
Y
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
sleep 5
stop greendcd
DB="$T/greendc.db"
stored=$(sql "$T/tls.db" "SELECT count(*) FROM messages")
[ "$stored" -ge 2 ] || fail "nothing delivered over TLS with the CA ($stored)"
left_withca=$(sql "$DB" "SELECT count(*) FROM outbox WHERE stream = 'withca/summary'")
[ "$left_withca" -le 1 ] || fail "withca left $left_withca items"
noca=$(sql "$DB" "SELECT count(*) || ' ' || max(attempts) FROM outbox WHERE stream = 'noca/summary'")
mism=$(sql "$DB" "SELECT count(*) || ' ' || max(attempts) FROM outbox WHERE stream = 'mismatch/summary'")
set -- $noca
[ "$1" -ge 3 ] && [ "$2" -ge 2 ] || fail "no-CA target was not refused ($noca)"
set -- $mism
[ "$1" -ge 3 ] && [ "$2" -ge 2 ] || fail "hostname-mismatch target was not refused ($mism)"
e1=$(sql "$DB" "SELECT last_error FROM outbox WHERE stream = 'noca/summary' LIMIT 1")
e2=$(sql "$DB" "SELECT last_error FROM outbox WHERE stream = 'mismatch/summary' LIMIT 1")
echo "no CA: $e1"
echo "mismatch: $e2"
echo "$e1" | grep -qi "certificate" || fail "no-CA error does not name the certificate: $e1"
echo "$e2" | grep -qi "certificate\|subject\|name" || fail "mismatch error unclear: $e2"
ok "TLS: with ca_file $stored delivered; without it refused (items kept); hostname mismatch refused"

# ---- 3. secret file modes ---------------------------------------------------------------------
chmod 640 "$T/key"
# greendcd refuses to start (the secrets check, with file:line), rather than running with its
# items stuck in the outbox.
if "$B/greendcd" $GDCD_ARGS -c "$T/greendc.yaml" >"$T/greendcd2.log" 2>&1; then
	fail "greendcd started with a group-readable secret"
fi
grep -q "greendc.yaml:[0-9]*: outputs\.[a-z]*\.secret_file: .*key: mode 0640 lets group or others read it" "$T/greendcd2.log" ||
	{ cat "$T/greendcd2.log"; fail "group-readable secret not refused by greendcd"; }
if "$B/greendc-receiver" --port "$(free_port)" --db "$T/x.db" --secret-file "$T/key" 2>"$T/r3.err"; then
	fail "receiver accepted a group-readable secret"
fi
grep -q "mode 0640" "$T/r3.err" || fail "receiver message: $(cat "$T/r3.err")"
ok "a group-readable secret file is refused by greendcd (file:line) and the receiver"
