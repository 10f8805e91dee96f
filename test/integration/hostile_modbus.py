#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A hostile Modbus TCP peer for greendc's robustness tests (raw sockets, no pymodbus).

Each listener answers every read request (fc 1 to 4) with one kind of broken reply, so that a
test can check what drivers/modbus.so (libmodbus) does with it: reject it, mark the device
down, log it once, store nothing, and keep the other devices on time.

    /usr/bin/python3 test/integration/hostile_modbus.py --serve MODE:PORT [--serve ...] \
        [--host 127.0.0.1] [--trickle-ms 150] [--max-seconds 300]

Modes (registers hold 0xBEEF = 48879 in every broken reply, so a stored 48879 means the
driver took a broken reply; the good mode serves 1000 + address):

    good       a correct reply (checks the server itself)
    truncated  a correct MBAP header and the first half of the PDU, then silence
    bytecount  the PDU's byte count is 2 more than the registers asked for, with 2 more data
               bytes, and the MBAP length field matches that (a well framed wrong reply)
    tid        the transaction id of the request + 1
    unit       the unit id of the request + 1 (the reply of another device)
    fc         function code 4 for a request with fc 3 (and 3 for 4, 2 for 1, 1 for 2)
    garbage    60 bytes from a fixed pseudo-random sequence, no framing at all
    trickle    a correct reply, one byte every --trickle-ms (each gap under libmodbus's
               default 500 ms byte timeout, the whole reply far beyond the request timeout)
    closemid   the first 5 bytes of a correct reply, then the connection is closed

For every request it prints "MODE request N" (flushed), so a test can see it was asked.
SIGTERM stops it (exit status 0); it exits by itself after --max-seconds in any case.
"""
import argparse
import random
import selectors
import signal
import socket
import struct
import sys
import threading
import time

MODES = ("good", "truncated", "bytecount", "tid", "unit", "fc", "garbage", "trickle",
         "closemid")
BAD = 0xBEEF
lock = threading.Lock()
counts = {}


def say(msg):
    with lock:
        print(msg, flush=True)


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def pdu_for(fc, start, qty, value):
    """The reply PDU for a read (fc, start, qty); value(addr) gives each register or bit."""
    if fc in (1, 2):
        nbytes = (qty + 7) // 8
        bits = bytearray(nbytes)
        for i in range(qty):
            if value(start + i) & 1:
                bits[i // 8] |= 1 << (i % 8)
        return bytes([fc, nbytes]) + bytes(bits)
    regs = b"".join(struct.pack(">H", value(start + i) & 0xFFFF) for i in range(qty))
    return bytes([fc, len(regs)]) + regs


def mbap(tid, uid, pdu):
    return struct.pack(">HHHB", tid, 0, len(pdu) + 1, uid) + pdu


def reply(mode, tid, uid, fc, start, qty, rng):
    """The bytes to send for one request, and whether to close the connection after."""
    if mode == "good":
        return mbap(tid, uid, pdu_for(fc, start, qty, lambda a: 1000 + a)), False
    bad = pdu_for(fc, start, qty, lambda a: BAD)
    if mode == "truncated":
        frame = mbap(tid, uid, bad)
        return frame[:7 + len(bad) // 2], False
    if mode == "bytecount":
        pdu = bytes([fc, bad[1] + 2]) + bad[2:] + b"\xbe\xef"
        return mbap(tid, uid, pdu), False
    if mode == "tid":
        return mbap((tid + 1) & 0xFFFF, uid, bad), False
    if mode == "unit":
        return mbap(tid, (uid + 1) & 0xFF, bad), False
    if mode == "fc":
        other = {1: 2, 2: 1, 3: 4, 4: 3}[fc]
        return mbap(tid, uid, bytes([other]) + bad[1:]), False
    if mode == "garbage":
        return bytes(rng.randrange(256) for _ in range(60)), False
    if mode == "trickle":
        return mbap(tid, uid, pdu_for(fc, start, qty, lambda a: 1000 + a)), False
    if mode == "closemid":
        return mbap(tid, uid, bad)[:5], True
    raise ValueError(mode)


def serve_conn(conn, mode, trickle_s):
    rng = random.Random(8)  # the same garbage every time: failures are reproducible
    try:
        while True:
            head = recv_exact(conn, 7)
            if head is None:
                return
            tid, _pid, length, uid = struct.unpack(">HHHB", head)
            if length < 2 or length > 254:
                return
            pdu = recv_exact(conn, length - 1)
            if pdu is None:
                return
            if len(pdu) < 5 or pdu[0] not in (1, 2, 3, 4):
                return  # only reads are served
            fc = pdu[0]
            start, qty = struct.unpack(">HH", pdu[1:5])
            with lock:
                counts[mode] = counts.get(mode, 0) + 1
                n = counts[mode]
            say(f"{mode} request {n} fc {fc} start {start} qty {qty}")
            data, close = reply(mode, tid, uid, fc, start, qty, rng)
            if mode == "trickle":
                for b in data:
                    conn.sendall(bytes([b]))
                    time.sleep(trickle_s)
            else:
                conn.sendall(data)
            if close:
                return
    except OSError:
        return
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--serve", action="append", required=True, metavar="MODE:PORT")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--trickle-ms", type=float, default=150)
    ap.add_argument("--max-seconds", type=float, default=300)
    args = ap.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sel = selectors.DefaultSelector()
    for spec in args.serve:
        mode, _, port = spec.partition(":")
        if mode not in MODES or not port.isdigit():
            ap.error(f"bad --serve {spec!r} (modes: {', '.join(MODES)})")
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((args.host, int(port)))
        s.listen(16)
        sel.register(s, selectors.EVENT_READ, mode)
        say(f"{mode} listening on {args.host}:{port}")
    end = time.monotonic() + args.max_seconds
    while time.monotonic() < end:
        for key, _ in sel.select(timeout=0.5):
            conn, _ = key.fileobj.accept()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=serve_conn, args=(conn, key.data, args.trickle_ms / 1000),
                             daemon=True).start()
    say("max-seconds reached")


if __name__ == "__main__":
    main()
