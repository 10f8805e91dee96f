#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# What greendcd's HTTP server refuses at once, and how it reads numbers and tokens (issue 20,
# items 5, 7, 10, 11; docs/api.md): 1,000 query parameters and a GET with a body (by length or
# chunked) get a 4xx within a second instead of no answer; numbers are decimal (series=010 is
# series 10, width=0x10 is a 400, and `http.port: 0NNNNN` in the config is port NNNNN); the Bearer scheme is matched without regard to case; a token
# file holding the SHA-256 of the empty string is refused by check-config (file:line) and by
# greendcd; rejected tokens are audited per client address, so one client's flood of wrong
# tokens does not hide another client's.
. "$(dirname "$0")/lib.sh"

P=$(free_port)
SP=$(free_port)
HP=$(free_port)
TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
(umask 077 && printf '%s' "$TOKEN" | sha256sum | cut -c1-64 >"$T/token.sha256")
DCSIM_PORT=$P SNMP_PORT=$SP HTTP_PORT=$HP RECV_PORT=$(free_port) AUDIT_LOG=$T/audit.log
mkconf() { # out listen token_file
	LISTEN=$2 TOKEN_FILE=$3
	demo_config "$1" fast-polling http-listen http-token http-port-leading-zero audit-log
}
mkconf "$T/greendc.yaml" 127.0.0.2 "$T/token.sha256"

# ---- the SHA-256 of the empty string as the token hash: refused before anything listens ----
(umask 077 && printf '' | sha256sum | cut -c1-64 >"$T/empty.sha256")
mkconf "$T/empty.yaml" 127.0.0.2 "$T/empty.sha256"
"$B/greendc" check-config "$T/empty.yaml" >"$T/empty.out" 2>&1 && fail "check-config accepted the empty string's hash"
grep -q "empty.yaml:[0-9]*: http.token_file: .*empty string" "$T/empty.out" || fail "no file:line message: $(cat "$T/empty.out")"
"$B/greendcd" $GDCD_ARGS -c "$T/empty.yaml" >"$T/empty.log" 2>&1 && fail "greendcd started with the empty string's hash"
grep -q "empty.yaml:[0-9]*: http.token_file: .*empty string" "$T/empty.log" || fail "greendcd's reason: $(cat "$T/empty.log")"
ok "a token hash of the empty string: check-config and greendcd refuse it with file:line"

bg dcsim "$B/dcsim" --port "$P" --snmp-port "$SP"
wait_port "$P"
bg greendcd "$B/greendcd" -c "$T/greendc.yaml"
U="http://127.0.0.2:$HP"
n=0
until [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$U/metrics")" = 200 ]; do
	n=$((n + 1))
	[ $n -gt 40 ] && { cat "$T/greendcd.log"; fail "no /metrics after 20 s"; }
	sleep 0.5
done

# get ARGS... -> status in $st, body in $T/body; at most 2 s.
get() {
	st=$(curl -s -m 2 --path-as-is -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$@") || st=000
}

# ---- item 5: too many parameters, a GET with a body ----
many=$($PY -c "print('&'.join('a%d=1' % i for i in range(1000)))")
get "$U/api/v1/site?$many"
case $st in 4[0-9][0-9]) ;; *) fail "1,000 parameters: $st (no answer within 2 s?)" ;; esac
short=$($PY -c "print('&'.join('a' for i in range(1000)))")
get "$U/api/v1/site?$short"
[ "$st" = 400 ] || fail "1,000 short parameters: $st"
get "$U/api/v1/query?$($PY -c "print('&'.join('series=%d' % i for i in range(40)))")"
[ "$st" = 400 ] || fail "40 parameters: $st"
get -X GET -d 'x=1' "$U/api/v1/site"
[ "$st" = 400 ] || fail "GET with a Content-Length body: $st"
get -X GET -H 'Transfer-Encoding: chunked' -d 'x=1' "$U/api/v1/site"
[ "$st" = 400 ] || fail "GET with a chunked body: $st"
get -X GET -d 'x=1' "$U/metrics"
[ "$st" = 400 ] || fail "GET /metrics with a body: $st"
get "$U/api/v1/site?a=1&b=2"
[ "$st" = 400 ] || fail "unknown parameters are still a 400: $st"
get "$U/api/v1/site"
[ "$st" = 200 ] || fail "the server stopped answering after the bad requests: $st"
ok "1,000 parameters (long and short), 40 parameters, GET with a body (length, chunked): 4xx within 2 s"

# ---- item 7: numbers are decimal ----
# The config says `port: 0$HP` (a leading zero): YAML 1.2 reads it as decimal, so the server is
# on $HP (YAML 1.1 would have read octal, another port or an error).
grep -q "^  port: 0$HP$" "$T/greendc.yaml" || fail "the config does not have the leading zero"
n=0
until [ "$(sql "$T/greendc.db" "SELECT count(*) FROM series WHERE id IN (8, 10)")" = 2 ]; do
	n=$((n + 1))
	[ $n -gt 40 ] && fail "series 8 and 10 never appeared"
	sleep 0.25
done
get "$U/api/v1/query?series=010&from=-1m"
[ "$st" = 200 ] && $PY -c "import json,sys; j=json.load(open('$T/body')); sys.exit(0 if [s['id'] for s in j['series']] == [10] else 1)" ||
	fail "series=010 is not series 10: $st $(head -c 200 "$T/body")"
for q in "query?series=10&width=0x10" "query?series=0x0a" "query?series=10&width=1e3" "query?series=+10" \
	"query?series=%2010" "alerts?recent=0x10" "alerts?recent=%2010" "reports?limit=0x5" "reports?limit=5abc"; do
	get "$U/api/v1/$q"
	[ "$st" = 400 ] || fail "$q: $st $(head -c 200 "$T/body")"
done
get "$U/api/v1/alerts?recent=010"
[ "$st" = 200 ] || fail "recent=010: $st"
ok "series=010 is series 10; 0x10, 0x0a, 1e3, +10, leading space: 400"

# ---- item 10: the Bearer scheme in any case ----
for scheme in bearer BEARER BeArEr "Bearer  "; do
	st=$(curl -s -m 2 -o /dev/null -w '%{http_code}' -H "Authorization: $scheme $TOKEN" "$U/api/v1/site")
	[ "$st" = 200 ] || fail "scheme '$scheme': $st"
done
for h in "Authorization: Bearer" "Authorization: Bearer " "Authorization: Bearertoken$TOKEN" "Authorization: Basic $TOKEN"; do
	st=$(curl -s -m 2 -o /dev/null -w '%{http_code}' -H "$h" "$U/api/v1/site")
	[ "$st" = 401 ] || fail "'$h': $st"
done
ok "Bearer, bearer, BEARER, BeArEr and extra spaces: 200; empty, glued or Basic: 401"

# ---- item 11: audit rate limit per client address ----
$PY - "$HP" <<'PYEOF'
import socket, sys
for i in range(60):
    s = socket.create_connection(("127.0.0.2", int(sys.argv[1])), 2, source_address=("127.0.0.3", 0))
    s.sendall(b"GET /api/v1/site HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\nConnection: close\r\n\r\n")
    while s.recv(65536):
        pass
    s.close()
PYEOF
st=$(curl -s -m 2 --interface 127.0.0.4 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer wrong" "$U/api/v1/devices")
[ "$st" = 401 ] || fail "wrong token from 127.0.0.4: $st"
n3=$(grep -c '"subject":"http client 127.0.0.3".*"result":"rejected' "$T/audit.log" || true)
grep -q '"subject":"http client 127.0.0.4","object":"/api/v1/devices","result":"rejected: wrong token"' "$T/audit.log" ||
	fail "127.0.0.4's rejection is not in the audit log after 127.0.0.3's flood ($n3 records of 127.0.0.3)"
[ "$n3" -ge 5 ] && [ "$n3" -le 10 ] || fail "127.0.0.3's 60 rejections gave $n3 audit records (want 5..10)"
ok "60 wrong tokens from 127.0.0.3 ($n3 audited) do not hide 127.0.0.4's"

stop greendcd
