#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# greendcd's HTTP server with TLS (GnuTLS through libmicrohttpd) and its limits: bound to
# 127.0.0.3 with a token and a self-signed certificate made here, it answers HTTPS with that
# certificate (verified by curl against it as the CA), refuses plain HTTP, needs the token;
# a half TLS config is a config error with file:line; the per-IP connection limit holds
# (idle connections beyond it are closed at once while the ones within it stay served); and
# a daemon whose port is taken logs it and keeps metering.
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || fail "openssl missing"
P=$(free_port)
SP=$(free_port)
HP=$(free_port)
(umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.3" \
	-addext "subjectAltName=IP:127.0.0.3" -keyout "$T/http.key" -out "$T/http.crt" >"$T/openssl.log" 2>&1) ||
	fail "openssl: $(cat "$T/openssl.log")"
TOKEN=tls-test-token-$$
(umask 077 && printf "%s" "$TOKEN" | sha256sum | cut -c1-64 >"$T/token.sha256") # a secret: mode 0600
DCSIM_PORT=$P SNMP_PORT=$SP HTTP_PORT=$HP RECV_PORT=$(free_port)
TLS_CERT=$T/http.crt TLS_KEY=$T/http.key TOKEN_FILE=$T/token.sha256 LISTEN=127.0.0.3
demo_config "$T/half.yaml" http-tls-cert
"$B/greendc" check-config "$T/half.yaml" >"$T/half.out" 2>&1 && fail "tls_cert without tls_key accepted"
grep -q "half.yaml:[0-9]*: http: tls_cert and tls_key go together" "$T/half.out" || fail "message: $(cat "$T/half.out")"
demo_config "$T/badport.yaml" http-port-70000
"$B/greendc" check-config "$T/badport.yaml" >"$T/badport.out" 2>&1 && fail "port 70000 accepted"
grep -q "badport.yaml:[0-9]*: http.port" "$T/badport.out" || fail "port message: $(cat "$T/badport.out")"
ok "half a TLS config and port 70000 are config errors with file:line"

demo_config "$T/greendc.yaml" http-listen http-token http-tls-cert http-tls-key http-connection-limits
bg dcsim "$B/dcsim" --port "$P" --snmp-port "$SP"
wait_port "$P"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
n=0
until curl -s -o /dev/null --cacert "$T/http.crt" "https://127.0.0.3:$HP/"; do
	n=$((n + 1))
	[ $n -gt 50 ] && { cat "$T/greendcd.log"; fail "no HTTPS on 127.0.0.3:$HP"; }
	sleep 0.1
done
st=$(curl -s -o "$T/site.json" -w '%{http_code}' --cacert "$T/http.crt" -H "Authorization: Bearer $TOKEN" "https://127.0.0.3:$HP/api/v1/site")
[ "$st" = 200 ] && grep -q '"id":"demo"' "$T/site.json" || fail "HTTPS with token: $st"
st=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/http.crt" "https://127.0.0.3:$HP/api/v1/site")
[ "$st" = 401 ] || fail "HTTPS without token: $st"
st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.3:$HP/api/v1/site") || true
[ "$st" != 200 ] && [ "$st" != 401 ] || fail "plain HTTP answered on the TLS port: $st"
echo | openssl s_client -connect "127.0.0.3:$HP" -CAfile "$T/http.crt" 2>/dev/null >"$T/sclient.out" || true
grep -q "Verify return code: 0 (ok)" "$T/sclient.out" || fail "certificate not verified: $(tail -5 "$T/sclient.out")"
ok "HTTPS on 127.0.0.3 with the configured certificate (verified), token needed, plain HTTP refused"

# Per-IP limit 4: hold 6 idle TLS-less sockets; MHD closes the ones over the limit at once.
$PY - "$HP" <<'PYEOF' || fail "per-IP connection limit not enforced"
import socket, sys, time
port = int(sys.argv[1])
socks = []
for i in range(6):
    s = socket.create_connection(("127.0.0.3", port), 2)
    socks.append(s)
    time.sleep(0.05)
time.sleep(0.3)
closed = 0
for s in socks:
    s.settimeout(0.3)
    try:
        closed += s.recv(1) == b""
    except socket.timeout:
        pass
    except ConnectionResetError:
        closed += 1
for s in socks:
    s.close()
assert closed == 2, f"{closed} of 6 connections closed, expected the 2 over the limit of 4"
print("ok - per_ip_connections 4: the 5th and 6th connections from one address are closed")
PYEOF
st=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/http.crt" -H "Authorization: Bearer $TOKEN" "https://127.0.0.3:$HP/metrics")
[ "$st" = 200 ] || fail "server unusable after the limit test: $st"

# A second daemon configured for the same address and port: it logs why it has no HTTP server
# and keeps metering (a taken port must not stop data collection).
DB_NAME=second.db demo_config "$T/second.yaml" http-listen http-token http-tls-cert http-tls-key http-connection-limits
bg second "$B/greendcd" -c "$T/second.yaml"
n=0
until grep -q "http: cannot listen on 127.0.0.3 port $HP" "$T/second.log" 2>/dev/null; do
	n=$((n + 1))
	[ $n -gt 50 ] && fail "no 'cannot listen' error: $(cat "$T/second.log")"
	sleep 0.1
done
n=0
until [ "$(sql "$T/second.db" "SELECT count(*) FROM devices WHERE state = 'up'" 2>/dev/null || echo 0)" -gt 0 ]; do
	n=$((n + 1))
	[ $n -gt 100 ] && fail "the daemon without its HTTP server stopped metering: $(tail -5 "$T/second.log")"
	sleep 0.1
done
alive second || fail "second daemon exited"
ok "port taken: the error is logged and the daemon keeps polling without HTTP"
stop second
stop greendcd
