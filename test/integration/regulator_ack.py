#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A regulator platform for test_regulator.sh: takes JSON uploads over HTTP on 127.0.0.1 and
acknowledges each with {"code": 0}, recording what it got, one JSON line per request:
{"t": ms, "key": Idempotency-Key, "auth": Authorization, "body": the upload}.

  regulator_ack.py PORT LOG [--nack-first N] [--blackhole]

--nack-first N   answer the first N requests 200 {"code": 1, "msg": "busy"} (not acknowledged)
--blackhole      accept connections and never answer (a platform that hangs)
"""
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, log = int(sys.argv[1]), sys.argv[2]
nack = int(sys.argv[sys.argv.index("--nack-first") + 1]) if "--nack-first" in sys.argv else 0
lock = threading.Lock()
seen = 0

if "--blackhole" in sys.argv:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(64)
    held = []
    while True:
        c, _ = s.accept()
        held.append(c)  # never read, never answered


class H(BaseHTTPRequestHandler):
    def do_POST(self):
        global seen
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        with lock:
            seen += 1
            ack = seen > nack
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            with open(log, "a") as f:
                f.write(json.dumps({"t": int(time.time() * 1000), "key": self.headers.get("Idempotency-Key"),
                                    "auth": self.headers.get("Authorization"), "ack": ack,
                                    "body": body}) + "\n")
        out = json.dumps({"code": 0, "msg": "ok"} if ack else {"code": 1, "msg": "busy"}).encode()
        self.send_response(200 if body is not None else 400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *a):
        pass


ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
