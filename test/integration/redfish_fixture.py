#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A Redfish fixture server for greendc's tests and benchmark: serves mockup trees over HTTPS.

A mockup is a folder in the DMTF mockup layout: FOLDER/index.json is the service root
(/redfish/v1/), FOLDER/Chassis/1U/Power/index.json is /redfish/v1/Chassis/1U/Power, and so
on (test/devices/redfish/*/). Each --serve runs one BMC on its own port:

    /usr/bin/python3 test/integration/redfish_fixture.py --cert C --key K \\
        --user admin --password secret --serve NAME=PORT:MOCKUP[:MODE[,MODE...]] ...

    PORT 0 picks a free port; "NAME PORT" lines are printed and written to --port-file.

Authentication as a BMC does it: the service root needs none; POST
/redfish/v1/SessionService/Sessions with {"UserName", "Password"} answers 201 with an
X-Auth-Token header and a Location; every other request needs that token or HTTP Basic
credentials, else 401. DELETE on the Location ends the session.

Modes (misbehaviour, per BMC):
    slow=S        every reply waits S seconds first
    badjson       every JSON body is cut in the middle (invalid JSON)
    unauthorized  every request but the service root is answered 401, login included
    big           every authenticated GET answers a 5 MB (valid) JSON body
    nosessions    the session collection answers 404 (the client must fall back to Basic)
    expire=N      a token stops working after N requests (the client must log in again)
    swap=MOCKUP2  on SIGUSR1 this BMC starts serving MOCKUP2 (a changed tree: old URIs 404)
    close         no keep-alive: every reply closes its connection (each request pays a TCP
                  connect and a TLS handshake, resumed when the client offers its session)

Every request is logged on stdout as "NAME METHOD PATH STATUS AUTH" (AUTH: token, basic,
none), and every new connection as "NAME CONNECT full|resumed" (the TLS handshake), unless
--quiet; SIGTERM stops the server (exit 0). Python 3 standard library only.
"""

import argparse
import base64
import json
import os
import secrets
import signal
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = threading.Lock()


def say(line):
    """One log line; whole even when many threads log at once."""
    with LOG:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


ROOTS = ("/redfish/v1", "/redfish/v1/", "/redfish", "/redfish/", "/redfish/v1/odata",
         "/redfish/v1/$metadata")
SESSIONS = "/redfish/v1/SessionService/Sessions"


class Bmc:
    def __init__(self, name, mockup, modes, args):
        self.name = name
        self.mockup = mockup
        self.alt = None
        self.slow = 0.0
        self.flags = set()
        self.expire = 0
        for m in modes:
            key, _, val = m.partition("=")
            if key == "slow":
                self.slow = float(val)
            elif key == "expire":
                self.expire = int(val)
            elif key == "swap":
                self.alt = val
            elif key in ("badjson", "unauthorized", "big", "nosessions", "close"):
                self.flags.add(key)
            elif key:
                raise ValueError(f"unknown mode {m!r}")
        self.user = args.user
        self.password = args.password
        self.quiet = args.quiet
        self.tokens = {}  # token -> [session id, uses]
        self.lock = threading.Lock()
        self.next_id = 1

    def swap(self):
        if self.alt:
            self.mockup, self.alt = self.alt, self.mockup

    def file_for(self, path):
        rel = path[len("/redfish/v1"):].strip("/")
        if ".." in rel.split("/"):
            return None
        return os.path.join(self.mockup, rel, "index.json")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as BMCs do

    def log_message(self, fmt, *args):  # the standard access log is replaced by ours
        pass

    def setup(self):
        super().setup()
        bmc = self.server.bmc
        if not bmc.quiet:
            kind = "resumed" if getattr(self.connection, "session_reused", False) else "full"
            say(f"{bmc.name} CONNECT {kind}")

    def reply(self, status, body=b"", headers=(), auth="none"):
        bmc = self.server.bmc
        if bmc.slow:
            time.sleep(bmc.slow)
        if "badjson" in bmc.flags and body:
            body = body[:len(body) // 2]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("OData-Version", "4.0")
        for k, v in headers:
            self.send_header(k, v)
        if "close" in bmc.flags:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)
        if not bmc.quiet:
            say(f"{bmc.name} {self.command} {self.path} {status} {auth}")

    def error(self, status, msg, auth="none"):
        body = json.dumps({"error": {"code": "Base.1.8.GeneralError", "message": msg}})
        self.reply(status, body.encode(), auth=auth)

    def authenticated(self):
        """'token', 'basic' or None."""
        bmc = self.server.bmc
        if "unauthorized" in bmc.flags:
            return None
        tok = self.headers.get("X-Auth-Token")
        if tok:
            with bmc.lock:
                s = bmc.tokens.get(tok)
                if s is None:
                    return None
                s[1] += 1
                if bmc.expire and s[1] > bmc.expire:
                    del bmc.tokens[tok]
                    return None
            return "token"
        basic = self.headers.get("Authorization", "")
        if basic.startswith("Basic "):
            try:
                user, _, pw = base64.b64decode(basic[6:]).decode().partition(":")
            except ValueError:
                return None
            if user == bmc.user and pw == bmc.password:
                return "basic"
        return None

    def body_json(self):
        n = int(self.headers.get("Content-Length") or 0)
        try:
            return json.loads(self.rfile.read(n) or b"null")
        except ValueError:
            return None

    def do_POST(self):
        bmc = self.server.bmc
        path = self.path.rstrip("/")
        if path != SESSIONS:
            self.body_json()
            return self.error(405, "only sessions can be created")
        if "nosessions" in bmc.flags:
            self.body_json()
            return self.error(404, "no session service")
        req = self.body_json()
        if ("unauthorized" in bmc.flags or not isinstance(req, dict)
                or req.get("UserName") != bmc.user or req.get("Password") != bmc.password):
            return self.error(401, "login refused")
        tok = secrets.token_hex(16)
        with bmc.lock:
            sid = str(bmc.next_id)
            bmc.next_id += 1
            bmc.tokens[tok] = [sid, 0]
        body = json.dumps({"@odata.id": f"{SESSIONS}/{sid}", "Id": sid, "Name": "Session",
                           "UserName": bmc.user}).encode()
        self.reply(201, body, [("X-Auth-Token", tok), ("Location", f"{SESSIONS}/{sid}")])

    def do_DELETE(self):
        bmc = self.server.bmc
        auth = self.authenticated()
        if not auth:
            return self.error(401, "authentication required")
        sid = self.path.rstrip("/").rsplit("/", 1)[-1]
        with bmc.lock:
            for tok, s in list(bmc.tokens.items()):
                if s[0] == sid and self.path.startswith(SESSIONS + "/"):
                    del bmc.tokens[tok]
                    return self.reply(204, auth=auth)
        self.error(404, "no such session", auth)

    def do_GET(self):
        bmc = self.server.bmc
        path = self.path.split("?", 1)[0]
        auth = "none"
        if path not in ROOTS:
            auth = self.authenticated()
            if not auth:
                return self.error(401, "authentication required")
        if path in ("/redfish", "/redfish/"):
            return self.reply(200, b'{"v1": "/redfish/v1/"}', auth=auth)
        if "big" in bmc.flags and auth != "none":
            pad = "x" * (5 * 1024 * 1024)
            return self.reply(200, json.dumps({"Id": "big", "Pad": pad}).encode(), auth=auth)
        f = bmc.file_for(path) if path.startswith("/redfish/v1") else None
        if not f or not os.path.isfile(f):
            return self.error(404, f"no resource at {path}", auth)
        with open(f, "rb") as fh:
            self.reply(200, fh.read(), auth=auth)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--user", default="admin")
    ap.add_argument("--password", default="password")
    ap.add_argument("--serve", action="append", required=True,
                    metavar="NAME=PORT:MOCKUP[:MODES]")
    ap.add_argument("--port-file")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    servers = []
    for spec in args.serve:
        name, _, rest = spec.partition("=")
        parts = rest.split(":", 2)
        if len(parts) < 2 or not os.path.isfile(os.path.join(parts[1], "index.json")):
            print(f"redfish_fixture: bad --serve {spec!r}", file=sys.stderr)
            return 2
        try:
            bmc = Bmc(name, parts[1], (parts[2] if len(parts) > 2 else "").split(","), args)
        except ValueError as exc:
            print(f"redfish_fixture: {spec}: {exc}", file=sys.stderr)
            return 2
        srv = ThreadingHTTPServer((args.host, int(parts[0])), Handler)
        srv.daemon_threads = True
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        srv.bmc = bmc
        servers.append(srv)
    lines = "".join(f"{s.bmc.name} {s.server_address[1]}\n" for s in servers)
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    sys.stdout.write(lines)
    sys.stdout.flush()
    if args.port_file:
        with open(args.port_file + ".tmp", "w", encoding="ascii") as f:
            f.write(lines)
        os.replace(args.port_file + ".tmp", args.port_file)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGUSR1, lambda *_: [s.bmc.swap() for s in servers])
    while not stop.wait(0.5):
        pass
    for s in servers:
        s.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
