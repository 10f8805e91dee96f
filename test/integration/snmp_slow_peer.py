#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A misbehaving SNMP peer on 127.0.0.1 for test_snmp_isolation.sh.

--silent: read every datagram and never answer.
--delay S --upstream PORT: forward each datagram to the agent on 127.0.0.1:PORT and send its
reply back S seconds later (a slow agent). Bounded: runs until killed.
"""
import argparse, socket, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--silent", action="store_true")
ap.add_argument("--delay", type=float, default=0.0)
ap.add_argument("--upstream", type=int)
a = ap.parse_args()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", a.port))

def relay(data, peer):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(2.0)
    try:
        u.sendto(data, ("127.0.0.1", a.upstream))
        reply, _ = u.recvfrom(65535)
        time.sleep(a.delay)
        s.sendto(reply, peer)
    except OSError:
        pass
    finally:
        u.close()

while True:
    data, peer = s.recvfrom(65535)
    if a.silent:
        continue
    threading.Thread(target=relay, args=(data, peer), daemon=True).start()
