#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# serial: asserts response times under 1,100 idle connections
# greendc-receiver under attack (issue 20), on its default SQLite engine with its default
# limits except where named. Each attack of the issue, then the receiver must still answer:
#  1. 60 connections sending 4 MiB unsigned bodies, and 60 sending 4 MiB bodies with the
#     headers of a registered site: refused on their headers (401 / 413) before the body is
#     read; the receiver's RSS stays bounded (it went from 20 to 269 MB before);
#  2. 1,100 idle half-sent requests: GET /sites still answers within 2 s while they are open
#     (it failed for over a minute before), RSS stays bounded, and the idle timeout closes
#     them;
#  3. a signed request whose body trickles in: dropped at the request deadline;
#  4. signed bodies the receiver must refuse (422) and store nowhere: malformed JSON, an
#     empty body, an array, a NUL byte, grade 99999999999, pue 1e308, timestamps with a
#     leading space or "+", a member named twice;
#  5. a webhook-id with a tab and a newline cannot forge a request-log line;
#  6. a FIFO as a secret file is refused at once (serve, site add), not waited on.
. "$(dirname "$0")/lib.sh"

secret=$(echo "whsec_$(head -c 24 /dev/urandom | base64)")
echo "$secret" >"$T/s1.key"
chmod 600 "$T/s1.key"
DB="$T/central.db"
"$B/greendc-receiver" site add s1 --secret-file "$T/s1.key" --name "Site One" --db "$DB" >/dev/null ||
	fail "site add"
P=$(free_port)
bg rx "$B/greendc-receiver" --db "$DB" --port "$P" --request-log "$T/req.log" --request-deadline 3
wait_port "$P"
rss() { awk '/^VmRSS/ { print int($2 / 1024) }' "/proc/$PID_rx/status"; }
base=$(rss)
echo "RSS at start: $base MB"

# ---- 1 and 2: big bodies, then idle half-sent requests ---------------------------------------
$PY - "$P" "$PID_rx" "$top/test/integration" "$secret" <<'P' || fail "exhaustion"
import resource, socket, sys, threading, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
sys.path.insert(0, sys.argv[3])
import rxlib
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
def rss():
    for l in open(f"/proc/{pid}/status"):
        if l.startswith("VmRSS"):
            return int(l.split()[1]) // 1024
peak = [0]
def watch(stop):
    while not stop.is_set():
        peak[0] = max(peak[0], rss())
        time.sleep(0.05)
stop = threading.Event()
threading.Thread(target=watch, args=(stop,), daemon=True).start()

MB4 = 4 * 1024 * 1024
def big(headers, out):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(("POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n%s\r\n" % (MB4, headers)).encode())
    chunk = b"x" * 65536
    sent = 0
    try:
        while sent < MB4:
            s.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass
    try:
        out.append(s.recv(100).split(b" ")[1].decode())
    except (OSError, IndexError):
        out.append("closed")
    s.close()
ts = int(time.time())
signed = "greendc-site: s1\r\nwebhook-id: big\r\nwebhook-timestamp: %d\r\nwebhook-signature: v1,AAAA\r\n" % ts
for name, hdrs in (("unsigned", ""), ("signed-looking", signed)):
    out = []
    th = [threading.Thread(target=big, args=(hdrs, out)) for _ in range(60)]
    t0 = time.time()
    for t in th: t.start()
    for t in th: t.join()
    print(f"60 x 4 MiB {name}: answers {sorted(set(out))} in {time.time() - t0:.1f} s; peak RSS {peak[0]} MB")
    assert set(out) <= {"400", "401", "413", "closed"} and len(set(out) - {"closed"}) > 0, out
assert peak[0] < 80, f"RSS peaked at {peak[0]} MB under 4 MiB bodies"

# 1,100 idle half-sent requests.
idle = []
for i in range(1100):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n")
    idle.append(s)
time.sleep(0.5)
t0 = time.time()
sites = rxlib.get_json(port, "/sites", timeout=5)
dt = time.time() - t0
print(f"1,100 idle half-sent requests open: GET /sites answered in {dt * 1000:.0f} ms; RSS {rss()} MB (peak {peak[0]} MB)")
assert dt < 2 and sites[0]["site"] == "s1", (dt, sites)
assert peak[0] < 80, f"RSS peaked at {peak[0]} MB with idle connections"
# The idle timeout (10 s by default) closes them.
time.sleep(11)
closed = 0
for s in idle:
    s.settimeout(0.01)
    try:
        closed += s.recv(1) == b""
    except socket.timeout:
        pass
    except OSError:
        closed += 1
    s.close()
stop.set()
print(f"after the idle timeout: {closed} of 1100 closed by the receiver; RSS {rss()} MB")
assert closed >= 1090, closed
t0 = time.time()
rxlib.get_json(port, "/sites", timeout=5)
assert time.time() - t0 < 2
P
ok "60 x 4 MiB bodies (unsigned, signed-looking) refused on their headers; 1,100 half-sent requests: /sites answered, RSS bounded, idle ones closed"

# ---- 3. a body that trickles in: dropped at the request deadline (3 s here) -----------------
$PY - "$P" "$secret" <<'P' || fail "deadline"
import socket, sys, time
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), timeout=10)
ts = int(time.time())
s.sendall(("POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\ngreendc-site: s1\r\n"
           "webhook-id: slow-1\r\nwebhook-timestamp: %d\r\nwebhook-signature: v1,AAAA\r\n\r\n" % ts).encode())
t0 = time.time()
while True:
    try:
        s.sendall(b"x")
    except OSError:
        break
    time.sleep(0.5)
    if time.time() - t0 > 20:
        raise SystemExit("not dropped within 20 s")
dt = time.time() - t0
print(f"trickling body dropped after {dt:.1f} s")
assert 2.5 < dt < 12, dt
P
grep -q "slow-1 408 deadline s1" "$T/req.log" || fail "deadline not logged: $(tail -3 "$T/req.log")"
ok "a trickling body is dropped at the request deadline"

# ---- 4. signed bodies the schema refuses -----------------------------------------------------
$PY - "$P" "$top/test/integration" "$secret" <<'P' || fail "validation"
import json, sys
port = int(sys.argv[1])
sys.path.insert(0, sys.argv[2])
import rxlib
key = rxlib.secret_key(sys.argv[3])
sign = lambda m, t, b: rxlib.hmac_sig(key, m, t, b)
good = rxlib.report("s1", "Site One", "2026-09", 1.31, grade=2)
gb = rxlib.body_of(good)
def variant(f):
    d = json.loads(gb)
    f(d)
    return rxlib.body_of(d)
bad = {
    "malformed": gb[:-3],
    "empty": b"",
    "array": b"[" + gb + b"]",
    "nul": gb.replace(b'"Site One"', b'"Site\x00One"'),
    "nul-escape": gb.replace(b'"Site One"', b'"Site\\u0000One"'),
    "grade": variant(lambda d: d["gb40879"].update(indicative_grade=99999999999)),
    "pue": variant(lambda d: d["kpi"].update(pue=1e308)),
    "pue-text": gb.replace(b'"pue":1.31', b'"pue":1e308'),
    "ts-space": variant(lambda d: d.update(generated=" " + d["generated"])),
    "ts-plus": variant(lambda d: d["period"].update({"from": "+" + d["period"]["from"]})),
    "twice": gb.replace(b'{"type":"report",', b'{"type":"report","type":"report",'),
    "other-site": variant(lambda d: d["site"].update(id="s2")),
    "trailing": gb + b" {}",
    "bad-utf8": gb.replace(b"Site One", b"Site \xff One"),
}
for name, body in bad.items():
    st, txt = rxlib.post(port, body, "bad-" + name, sig=sign, site="s1")
    assert st == 422, (name, st, txt)
    print(f"{name}: {st} {txt.strip()}")
st, txt = rxlib.post(port, gb, "good-1", sig=sign, site="s1")
assert st == 200 and "stored" in txt, (st, txt)
# The header timestamp itself with a sign: refused before the body is read. (Blanks around
# a header value are not part of it in HTTP: the library trims them.)
import time
st, _ = rxlib.post(port, gb, "bad-header-ts", sig="v1,AAAA", site="s1", ts="+%d" % time.time())
assert st == 400, ("webhook-timestamp +", st)
P
n=$(sql "$DB" "SELECT count(*) FROM messages")
[ "$n" -eq 1 ] || fail "$n rows stored, expected only good-1"
ok "malformed JSON, empty body, array, NUL, grade 99999999999, pue 1e308, signed timestamps, duplicate members, bad UTF-8: 422 and not stored"

# ---- 5. request-log injection -----------------------------------------------------------------
before=$(wc -l <"$T/req.log")
$PY - "$P" <<'P'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
          b"webhook-id: x\t1 POST forged 200 stored s1\r\n\r\n{}")
s.recv(200)
P
after=$(wc -l <"$T/req.log")
[ $((after - before)) -eq 1 ] || fail "one request, $((after - before)) log lines"
tail -1 "$T/req.log" | grep -q 'x\\x091\\x20POST\\x20forged' || fail "id not escaped: $(tail -1 "$T/req.log")"
[ "$(tail -1 "$T/req.log" | awk '{ print NF }')" -eq 6 ] || fail "fields shifted: $(tail -1 "$T/req.log")"
ok "an id with a tab and spaces stays one escaped field: $(tail -1 "$T/req.log" | cut -d' ' -f2-)"

# ---- 6. a FIFO as a secret file --------------------------------------------------------------
mkfifo "$T/fifo"
if timeout 5 "$B/greendc-receiver" --db "$T/x.db" --port "$(free_port)" --secret-file "$T/fifo" \
	2>"$T/fifo.err"; then
	fail "serve accepted a FIFO as its secret"
fi
grep -q "not a regular file" "$T/fifo.err" || fail "serve: $(cat "$T/fifo.err")"
if timeout 5 "$B/greendc-receiver" site add s9 --secret-file "$T/fifo" --db "$T/x.db" 2>"$T/fifo2.err"; then
	fail "site add accepted a FIFO"
fi
grep -q "not a regular file" "$T/fifo2.err" || fail "site add: $(cat "$T/fifo2.err")"
if timeout 5 "$B/greendc-receiver" site add s9 --public-key "$T/fifo" --db "$T/x.db" 2>"$T/fifo3.err"; then
	fail "site add accepted a FIFO as a public key"
fi
grep -q "not a regular file" "$T/fifo3.err" || fail "site add --public-key: $(cat "$T/fifo3.err")"
ok "a FIFO as a secret or key file is refused at once"
stop rx
