#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Compare what greendc stored for one device with its expected-values file.

    device_expect.py EXPECTED DEVICE GREENDC_CLI DB

EXPECTED (test/devices/...): '#' comments, a line "profile <class>/<name>", then one line per
series the device must produce, "metric{label=value,...} value" with the labels sorted by
key. The device's stored series (greendc_* health series aside) must be exactly that set, and
the last stored value of each must equal the expected one (relative tolerance 1e-9). Shared by
the SNMP, Modbus and Redfish device tests. Prints each difference; exit 1 if any.
"""
import csv
import io
import subprocess
import sys


def main():
    exp, dev, cli, db = sys.argv[1:5]

    def run(*a):
        return subprocess.run([cli, "--db", db, *a], check=True, capture_output=True,
                              text=True).stdout

    want = {}
    for line in open(exp, encoding="utf-8"):
        line = line.strip()
        if line and not line.startswith("#") and not line.startswith("profile "):
            k, v = line.rsplit(" ", 1)
            lo, sep, hi = v.partition("..")
            want[k] = (float(lo), float(hi)) if sep else float(v)
    got = {}
    for r in csv.DictReader(io.StringIO(run("series", dev + " *", "--format", "csv"))):
        if r["device"] != dev or r["metric"].startswith("greendc_"):
            continue
        name = r["metric"] + ("{%s}" % r["labels"] if r["labels"] else "")
        rows = run("query", r["id"], "--from", "-10m", "--to", "now", "--step", "raw",
                   "--format", "csv").strip().splitlines()
        got[name] = float(rows[-1].split(",")[1]) if len(rows) > 1 else None
    bad = 0
    for k in sorted(set(want) | set(got)):
        w, g = want.get(k), got.get(k)
        if isinstance(w, tuple):
            bad_value = g is not None and not w[0] <= g <= w[1]
        else:
            bad_value = g is not None and w is not None and abs(w - g) > 1e-9 * max(1.0, abs(w))
        if w is None or g is None or bad_value:
            print("  %s: expected %s, stored %s" % (k, w, g))
            bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main())
