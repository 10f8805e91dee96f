#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile HTTP clients for test_http_attack.sh, bounded in count and time.

  http_attack.py slow  PORT SECONDS N ADDR...   Slowloris: N connections spread over the
        source addresses ADDR..., each sending a request line and then one header line every
        2 s, never finishing; a connection the server closes is opened again.
  http_attack.py flood PORT SECONDS N PATH      N keep-alive connections from 127.0.0.6, each
        sending GET PATH back to back (a heavy API query), reconnecting when closed.
  http_attack.py probe PORT SECONDS OUT         from 127.0.0.1, a new connection every 50 ms
        fetching /metrics; writes {"n", "p50_ms", "p99_ms", "max_ms", "failed"} to OUT
        (a probe that gets no 200 within 5 s counts as failed, at 5000 ms).

Every mode stops after SECONDS. Each runs in its own process, so the prober's timing does not
wait on the attackers' Python threads.
"""
import json
import socket
import sys
import threading
import time

HOST = "127.0.0.1"


def slow(port, secs, n, addrs):
    end = time.monotonic() + secs

    def one(src):
        while time.monotonic() < end:
            try:
                s = socket.create_connection((HOST, port), 2, source_address=(src, 0))
                s.sendall(b"GET /api/v1/site HTTP/1.1\r\nHost: x\r\n")
                i = 0
                while time.monotonic() < end:
                    time.sleep(2)
                    s.sendall(b"X-Slow-%d: %d\r\n" % (i, i))
                    i += 1
            except OSError:
                time.sleep(0.05)
            finally:
                try:
                    s.close()
                except Exception:
                    pass

    ts = [threading.Thread(target=one, args=(addrs[i % len(addrs)],), daemon=True)
          for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(max(0.0, end - time.monotonic()) + 3)


def read_response(s):
    """One HTTP/1.1 response with a Content-Length; returns the status (0 on EOF)."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            return 0, buf
        buf += d
    head, _, body = buf.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v.strip())
    while len(body) < length:
        d = s.recv(65536)
        if not d:
            break
        body += d
    return status, head


def flood(port, secs, n, path):
    end = time.monotonic() + secs
    req = b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    count = [0]

    def one():
        while time.monotonic() < end:
            try:
                s = socket.create_connection((HOST, port), 5, source_address=("127.0.0.6", 0))
                s.settimeout(10)
                while time.monotonic() < end:
                    s.sendall(req)
                    st, _ = read_response(s)
                    if st == 0:
                        break
                    count[0] += 1
            except OSError:
                time.sleep(0.05)
            finally:
                try:
                    s.close()
                except Exception:
                    pass

    ts = [threading.Thread(target=one, daemon=True) for _ in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(max(0.0, end - time.monotonic()) + 11)
    print("flood: %d responses" % count[0])


def probe(port, secs, out):
    end = time.monotonic() + secs
    lat, failed = [], 0
    while time.monotonic() < end:
        t0 = time.monotonic()
        ok = False
        try:
            s = socket.create_connection((HOST, port), 5)
            s.settimeout(max(0.1, 5 - (time.monotonic() - t0)))
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            st, _ = read_response(s)
            ok = st == 200
            s.close()
        except (OSError, ValueError, IndexError):
            pass
        ms = (time.monotonic() - t0) * 1000
        if not ok:
            failed += 1
            ms = 5000.0
        lat.append(ms)
        time.sleep(max(0.0, 0.05 - (time.monotonic() - t0)))
    lat.sort()
    r = {"n": len(lat), "failed": failed,
         "p50_ms": round(lat[len(lat) // 2], 1) if lat else None,
         "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))], 1) if lat else None,
         "max_ms": round(lat[-1], 1) if lat else None}
    with open(out, "w") as f:
        json.dump(r, f)
    print(json.dumps(r))


def main():
    mode, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    if mode == "slow":
        slow(port, secs, int(sys.argv[4]), sys.argv[5:])
    elif mode == "flood":
        flood(port, secs, int(sys.argv[4]), sys.argv[5])
    elif mode == "probe":
        probe(port, secs, sys.argv[4])
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
