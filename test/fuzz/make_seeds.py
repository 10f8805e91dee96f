#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Regenerate the binary seed corpora of test/fuzz (store_codec, modbus_decode).

The text corpora (profiles, configs, times) are hand-made files; these two inputs are bytes,
so they are written here from the formats in src/store/store_codec.h, store_staging.c,
store_minutes.c and fuzz_modbus_decode.c. (The zstd-compressed store seeds, span-6h and
staging-zstd, were taken from a database bench_store wrote: Python has no zstd here.)
Run from anywhere: /usr/bin/python3 test/fuzz/make_seeds.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def uvarint(x):
    out = bytearray()
    while x >= 0x80:
        out.append((x & 0x7F) | 0x80)
        x >>= 7
    out.append(x)
    return bytes(out)


def zz(x):
    return (x << 1) ^ (x >> 63) if x >= 0 else ((-x) << 1) - 1


def blob(ts_off, values, d=None):
    """One block: ts_off are offsets from t0 (ms), values floats; d None = raw mode."""
    n = len(ts_off)
    out = bytearray([0x10 | (1 if d is None else 0), d or 0]) + uvarint(n)
    if n:
        out += uvarint(ts_off[0])
        prev = 0
        for i in range(1, n):
            delta = ts_off[i] - ts_off[i - 1]
            out += uvarint(zz(delta if i == 1 else delta - prev))
            prev = delta
        if d is None:
            for v in values:
                out += struct.pack("<d", v)
        else:
            prev = 0
            for v in values:
                r = round(v * 10 ** d)
                out += uvarint(zz(r - prev))
                prev = r
    return bytes(out)


def write(corpus, name, data):
    d = os.path.join(HERE, "corpus", corpus)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# store_codec: first byte is the cap selector (255 = as many as codec_count says).
write("store_codec", "empty", b"\xff" + blob([], []))
write("store_codec", "decimal-1s", b"\xff" + blob([i * 1000 for i in range(20)],
                                                 [230.1 + 0.1 * (i % 3) for i in range(20)], 1))
write("store_codec", "decimal-jitter", b"\xff" + blob([5, 1003, 2001, 3010, 3999, 5002],
                                                     [1, -2, 3, -4, 5, 123456789], 0))
write("store_codec", "decimal-9", b"\xff" + blob([0, 10000, 20000], [0.123456789, -1e-9, 42], 9))
write("store_codec", "raw-special", b"\xff" + blob([0, 1, 1, 2], [float("nan"), float("inf"),
                                                                 -0.0, 1 / 3]))
def values2(values):
    """A version 2 value stream: decimals with exceptions (d given) or raw XOR bits."""
    return bytes([0xFF]) + b"".join(struct.pack("<d", v) for v in values)


def times2(ts_off):
    out = bytearray()
    if ts_off:
        out += uvarint(ts_off[0])
        prev = 0
        for i in range(1, len(ts_off)):
            delta = ts_off[i] - ts_off[i - 1]
            out += uvarint(zz(delta if i == 1 else delta - prev))
            prev = delta
    return bytes(out)


def decimals2(values, d, exceptions=()):
    """Decimal value stream with exceptions at the given positions (raw bits)."""
    out = bytearray([d]) + uvarint(len(exceptions))
    last = 0
    for pos in exceptions:
        out += uvarint(pos - last) + struct.pack("<d", values[pos])
        last = pos + 1
    prev = 0
    for i, v in enumerate(values):
        if i in exceptions:
            continue
        r = round(v * 10 ** d)
        out += uvarint(zz(r - prev))
        prev = r
    return bytes(out)


def blob2(ts_off, body_values):
    """A version 2 block, body left uncompressed."""
    return bytes([0x20, 0]) + uvarint(len(ts_off)) + times2(ts_off) + body_values


write("store_codec", "v2-exceptions", b"\xff" + blob2(
    [i * 10000 for i in range(8)], decimals2([1.5, 2.5, float("nan"), 4.5, -0.0, 6.5, 7.5, 8.5],
                                             1, (2, 4))))
write("store_codec", "v2-raw", b"\xff" + blob2([0, 5, 5], values2([1 / 3, float("inf"), 2.0])))
# a staging blob: version 1, 3 samples; runs of series 17 (2 samples) and 18 (a counter)
run17 = uvarint(2) + uvarint(0) + times2([0, 1000]) + decimals2([230.1, 230.2], 1)
run18 = uvarint(1) + uvarint(1) + times2([500]) + decimals2([12.5], 1) + decimals2([0.5], 1)
write("store_codec", "staging-plain", b"\xff" + bytes([0x10]) + uvarint(3) + uvarint(zz(
    1795780800000)) + uvarint(17) + uvarint(len(run17)) + run17 + uvarint(1) + uvarint(
    len(run18)) + run18)
# a minute pack: version 1, minutes 0 and 2 of the hour
mins = [0, 120000]
write("store_codec", "minutes-plain", b"\xff" + bytes([0x10]) + uvarint(2) + times2(mins) +
      uvarint(6) + uvarint(5) + times2([50000, 170000]) + decimals2([18.5, 19.0], 1) +
      decimals2([19.5, 20.0], 1) + decimals2([114.0, 98.0], 1) + decimals2([19.0, 19.5], 1) +
      decimals2([0, 0], 0))
write("store_codec", "small-cap", b"\x02" + blob([i * 60000 for i in range(10)],
                                                 [float(i) for i in range(10)], 0))
write("store_codec", "truncated", b"\xff" + blob([0, 1000, 2000], [1.5, 2.5, 3.5], 1)[:-2])


# modbus_decode: limits (3), npoints (1), points of 4 bytes (fc-1, reg hi, reg lo,
# type | order << 4), then reply bytes. Types: 0 bool, 1 int16, 2 uint16, 3 int32, 4 uint32,
# 5 int64, 6 uint64, 7 float32, 8 float64; orders 0 abcd, 1 cdab, 2 badc, 3 dcba.
def points(lim, pts, reply):
    out = bytearray(lim) + bytes([len(pts)])
    for fc, reg, typ, order in pts:
        out += bytes([fc - 1, reg >> 8, reg & 0xFF, typ | order << 4])
    return bytes(out) + reply


sdm630 = [(4, r, 7, 0) for r in (0, 2, 4, 6, 8, 10, 12, 14, 16, 52, 72, 74)]
write("modbus_decode", "sdm630", points([124, 255, 8], sdm630,
                                        struct.pack(">12f", *[230.0 + i for i in range(12)])))
mixed = [(3, 0, 7, 0), (3, 2, 7, 1), (3, 4, 3, 2), (3, 6, 4, 3), (3, 8, 1, 0), (3, 9, 2, 0),
         (3, 10, 6, 1), (3, 14, 8, 0), (3, 18, 5, 3), (4, 0x34, 7, 0), (1, 3, 0, 0)]
write("modbus_decode", "all-types", points([124, 250, 8], mixed, bytes(range(64))))
write("modbus_decode", "gaps-and-limits", points([3, 1, 0], [(3, 0, 2, 0), (3, 1, 2, 0),
                                                             (3, 5, 4, 0), (3, 65534, 4, 1),
                                                             (2, 1999, 0, 0), (2, 0, 0, 0)],
                                                 b"\xff\x00" * 8))
write("modbus_decode", "overlap-dup", points([10, 4, 200], [(3, 100, 8, 0), (3, 101, 2, 0),
                                                            (3, 100, 8, 0), (3, 103, 1, 2)],
                                             b"\x7f\xf0\x00\x00\x00\x00\x00\x01"))
write("modbus_decode", "bad-type-fc", points([124, 250, 8], [(1, 0, 7, 0), (3, 0, 0, 0)], b""))
write("modbus_decode", "parse-text", b"0x1F")


# epw: synthetic EnergyPlus weather files (8 header lines, then hourly records of 35 fields;
# fields 7-10 are dry-bulb C, dew point C, RH %, station pressure Pa). No third-party data.
def epw(records, eol="\n"):
    head = ["LOCATION,Fuzzville,SX,CHN,Synthetic,537720,37.78,112.55,8.0,778.3",
            "DESIGN CONDITIONS,0", "TYPICAL/EXTREME PERIODS,0", "GROUND TEMPERATURES,0",
            "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0", "COMMENTS 1,synthetic seed",
            "COMMENTS 2,test/fuzz/make_seeds.py", "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31"]
    rows = []
    for m, d, h, db, dp, rh, p in records:
        rest = ",".join(["0"] * 25)
        rows.append(f"2005,{m},{d},{h},0,?9?9?9?9E0?9?9?9*9*9?9*9*9,{db},{dp},{rh},{p},{rest}")
    return (eol.join(head + rows) + eol).encode()


day = [(1, 1, h, round(-8 + 0.5 * h, 1), -15.0, 55 + h, 92500) for h in range(1, 25)]
write("epw", "winter-day.epw", epw(day))
write("epw", "crlf.epw", epw(day[:3], "\r\n"))
write("epw", "missing-pressure-dp-over-db.epw", epw([(7, 15, 14, 31.5, 31.9, 110, 999999)]))
write("epw", "leap-day.epw", epw([(2, 29, 24, 0.0, -0.0, 0, 31000), (12, 31, 24, -69.9, -89.9,
                                                                  100, 120000)]))
write("epw", "header-only.epw", epw([]))


# snmp_map: type (0 INT, 1 UNSIGNED, 2 COUNTER32, 3 COUNTER64, 4 STRING, 5 noSuchObject,
# 6 noSuchInstance, 7 endOfMibView, 8 missing, 9 other), digits type, value (8 bytes LE),
# digits value, index length, 2 bytes per index part, then "key: value" lines and a string.
def snmp(typ, dtyp, val, dval, index, lines):
    out = bytes([typ, dtyp]) + struct.pack("<q", val) + struct.pack("<q", dval)
    out += bytes([len(index)]) + b"".join(struct.pack(">H", i) for i in index)
    return out + "\n".join(lines).encode()


raritan_col = ["column: 1.3.6.1.4.1.13742.6.5.4.3.1.4", "index_labels: _, outlet",
               "index_suffix: 5", "digits_column: 1.3.6.1.4.1.13742.6.3.5.4.1.7"]
write("snmp_map", "raritan-outlet", snmp(1, 1, 1234, 1, [1, 7, 5], raritan_col))
write("snmp_map", "raritan-inlet", snmp(1, 0, 230000, 3, [], [
    "oid: 1.3.6.1.4.1.13742.6.5.2.3.1.4.1.1.5",
    "digits_oid: 1.3.6.1.4.1.13742.6.3.3.4.1.7.1.1.5"]))
write("snmp_map", "skip-sentinel", snmp(0, 8, -1, 0, [], [
    "oid: .1.3.6.1.4.1.318.1.1.26.6.3.1.7.1", "skip_values: -1, 2147483647"]))
write("snmp_map", "string-number", snmp(4, 8, 0, 0, [], [
    "oid: 1.3.6.1.4.1.9839.2.1.2.1.0", "type: string", " 21.5 "]))
write("snmp_map", "wrong-type", snmp(4, 8, 0, 0, [], ["oid: 1.3.6.1.2.1.1.3.0", "text"]))
write("snmp_map", "counter64-table", snmp(3, 8, -2, 0, [3, 1, 2], [
    "column: 1.3.6.1.4.1.534.6.6.7.6.5.1.3", "index_labels: _, phase, _"]))
write("snmp_map", "digits-out-of-range", snmp(1, 0, 5, 12, [], [
    "oid: 1.3.6.1.4.1.1.1.0", "digits_oid: 1.3.6.1.4.1.1.2.0"]))
