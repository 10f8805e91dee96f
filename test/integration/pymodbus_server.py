#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A small Modbus TCP server for greendc's integration and device tests.

It is an independent peer for drivers/modbus.so: Debian's python3-pymodbus (3.0.x), not
libmodbus, answers the requests. It serves, per unit id, the holding registers, input
registers, coils and discrete inputs given in a JSON spec; an address it does not serve is
answered with exception 2 (illegal data address), as a real meter does.

    /usr/bin/python3 test/integration/pymodbus_server.py --port 15020 --spec spec.json \
        [--regs rec.regs[@UNIT]]... [--serial /dev/pts/N --baud 9600 --parity N] \
        [--host 127.0.0.1] [--silent-unit 9] [--exception-unit 8] [--silent] \
        [--pid-file F] [--port-file F]

    --port 0            pick a free port; it is printed ("port N") and written to --port-file
    --silent-unit ID    requests to this unit id get no answer at all (the client times out);
                        may be repeated
    --exception-unit ID every read from this unit id is answered "illegal data address";
                        may be repeated
    --sparse            only the listed addresses answer (see below)
    --silent            no unit answers (a peer that accepts connections and says nothing)
    --pid-file F        write the PID once listening (removed on exit)
    --regs FILE[@UNIT]  serve a register recording (tools/mbrecord's format, below), at the
                        unit id the file names or at UNIT; may be repeated
    --serial PORT       serve Modbus RTU on this serial port (e.g. one end of a socat pty
                        pair) instead of TCP; --baud, --parity (N/E/O), --stop-bits

A register recording (.regs) is plain text: "unit N" sets the unit id of the lines after it;
"TABLE ADDRESS W W ..." gives consecutive registers from ADDRESS as 4-digit hex words
(holding, input) or bits as 0/1 (coil, discrete); "#" starts a comment. See tools/mbrecord
and docs/adding-a-device.md.

SIGTERM or SIGINT stops it cleanly (exit status 0).

By default the gaps between the lowest and the highest address of each table read as 0, as
on a real meter, so that the driver's merged (gapped) reads work; --sparse answers only the
listed addresses. Addresses outside that range answer "illegal data address".

Spec (JSON). Addresses are 0-based PDU addresses, decimal or "0x" hex strings. A value is a
register (0..65535), a list of consecutive registers, or a typed value encoded with the same
byte/word orders as docs/drivers/modbus.md (abcd = big-endian, cdab = low word first, badc =
bytes swapped in each word, dcba = little-endian):

    {"units": {
        "1": {"input":    {"0x0034": {"type": "float32", "value": 1234.5},
                           "0x0048": {"type": "float32", "value": 100.25, "order": "abcd"}},
              "holding":  {"0": 42, "10": [1, 2, 3],
                           "0x0C83": {"type": "int64", "value": 123456789}},
              "coils":    {"3": true},
              "discrete": {"5": 1}}}}

Types: int16 uint16 int32 uint32 int64 uint64 float32 float64. The unit id "0" in the spec
serves requests to unit 0 (TCP devices that ignore the unit id); unit ids not in the spec
are silent.
"""

import argparse
import asyncio
import json
import logging
import os
import signal
import struct
import sys

from pymodbus.datastore import (ModbusServerContext, ModbusSlaveContext,
                                ModbusSparseDataBlock)
from pymodbus.server.async_io import StartAsyncSerialServer, StartAsyncTcpServer
from pymodbus.transaction import ModbusRtuFramer

FORMATS = {
    "int16": ">h", "uint16": ">H", "int32": ">i", "uint32": ">I",
    "int64": ">q", "uint64": ">Q", "float32": ">f", "float64": ">d",
}


def encode(spec):
    """Turn one typed value into registers, in the given word order."""
    fmt = FORMATS.get(spec.get("type"))
    if fmt is None:
        raise ValueError(f"unknown type {spec.get('type')!r}")
    order = spec.get("order", "abcd")
    if order not in ("abcd", "cdab", "badc", "dcba"):
        raise ValueError(f"unknown order {order!r}")
    raw = struct.pack(fmt, spec["value"])
    words = [raw[i:i + 2] for i in range(0, len(raw), 2)]  # A B | C D ... big-endian
    if order in ("cdab", "dcba"):
        words.reverse()  # low word first
    if order in ("badc", "dcba"):
        words = [w[::-1] for w in words]  # bytes swapped in each word
    return [int.from_bytes(w, "big") for w in words]


def load_regs(path, unit_override=None):
    """A register recording -> {"units": {unit: {table: {addr: [values]}}}}."""
    names = {"holding": "holding", "input": "input", "coil": "coils", "discrete": "discrete"}
    units = {}
    unit = 1
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].split()
            if not line:
                continue
            try:
                if line[0] == "unit" and len(line) == 2:
                    unit = int(line[1], 0)
                    continue
                if line[0] not in names or len(line) < 3:
                    raise ValueError("expected 'unit N' or 'TABLE ADDRESS VALUE...'")
                addr = int(line[1], 0)
                bits = line[0] in ("coil", "discrete")
                vals = [int(w, 10 if bits else 16) for w in line[2:]]
                if any(len(w) != 4 for w in line[2:]) and not bits:
                    raise ValueError("registers are 4-digit hex words")
                if bits and any(v not in (0, 1) for v in vals):
                    raise ValueError("bits are 0 or 1")
            except ValueError as exc:
                raise ValueError(f"{path}:{n}: {exc}") from None
            u = str(unit_override if unit_override is not None else unit)
            table = units.setdefault(u, {}).setdefault(names[line[0]], {})
            for i, v in enumerate(vals):
                table[str(addr + i)] = v
    return {"units": units}


def parse_table(table, bits, dense):
    """{"addr": value, ...} -> {int addr: int value} for a sparse data block. dense fills
    the addresses between the lowest and the highest given one with 0."""
    out = {}
    for key, value in (table or {}).items():
        addr = int(key, 0)
        if isinstance(value, dict):
            regs = encode(value)
        elif isinstance(value, list):
            regs = value
        else:
            regs = [value]
        for i, reg in enumerate(regs):
            reg = int(reg)
            if bits:
                reg = 1 if reg else 0
            elif not 0 <= reg <= 0xFFFF:
                raise ValueError(f"register {addr + i}: {reg} is not 0..65535")
            out[addr + i] = reg
    if dense and out:
        for addr in range(min(out), max(out) + 1):
            out.setdefault(addr, 0)
    return out


def block(values):
    # An empty sparse block answers every address with "illegal data address".
    return ModbusSparseDataBlock(values or {})


def build_context(spec, exception_units, silent_units, silent_all, dense):
    slaves = {}
    units = dict(spec.get("units", {}))
    for unit in exception_units:
        units.setdefault(str(unit), {})
    for key, tables in units.items():
        unit = int(key, 0)
        if silent_all or unit in silent_units:
            continue  # not in the context: pymodbus drops the request unanswered
        if unit in exception_units:
            tables = {}
        slaves[unit] = ModbusSlaveContext(
            di=block(parse_table(tables.get("discrete"), True, dense)),
            co=block(parse_table(tables.get("coils"), True, dense)),
            hr=block(parse_table(tables.get("holding"), False, dense)),
            ir=block(parse_table(tables.get("input"), False, dense)),
            zero_mode=True,  # addresses are PDU addresses, no +1
        )
    return ModbusServerContext(slaves=slaves, single=False)


async def serve_serial(args, context):
    server = await StartAsyncSerialServer(
        context=context, framer=ModbusRtuFramer, port=args.serial, baudrate=args.baud,
        parity=args.parity, stopbits=args.stop_bits, bytesize=8, timeout=0.05,
        ignore_missing_slaves=True, defer_start=True)
    await server.start()
    task = asyncio.create_task(server.serve_forever())
    print(f"serial {args.serial}", flush=True)
    if args.pid_file:
        with open(args.pid_file + ".tmp", "w", encoding="ascii") as f:
            f.write(f"{os.getpid()}\n")
        os.replace(args.pid_file + ".tmp", args.pid_file)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.shutdown()
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass


async def serve(args, context):
    server = await StartAsyncTcpServer(
        context=context,
        address=(args.host, args.port),
        defer_start=True,
        # A unit id that is not in the context gets no reply (pymodbus would otherwise
        # answer "gateway target failed to respond").
        ignore_missing_slaves=True,
        allow_reuse_address=True,
    )
    task = asyncio.create_task(server.serve_forever())
    await server.serving
    port = server.server.sockets[0].getsockname()[1]
    print(f"port {port}", flush=True)
    if args.port_file:
        with open(args.port_file + ".tmp", "w", encoding="ascii") as f:
            f.write(f"{port}\n")
        os.replace(args.port_file + ".tmp", args.port_file)
    if args.pid_file:
        with open(args.pid_file + ".tmp", "w", encoding="ascii") as f:
            f.write(f"{os.getpid()}\n")
        os.replace(args.pid_file + ".tmp", args.pid_file)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.shutdown()
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--regs", action="append", default=[], metavar="FILE[@UNIT]",
                    help="serve a register recording (tools/mbrecord format)")
    ap.add_argument("--serial", help="serve Modbus RTU on this serial port instead of TCP")
    ap.add_argument("--baud", type=int, default=9600)
    ap.add_argument("--parity", default="N", choices="NEO")
    ap.add_argument("--stop-bits", type=int, default=1, choices=(1, 2))
    ap.add_argument("--spec", help="JSON file: registers and bits per unit id")
    ap.add_argument("--silent-unit", type=int, action="append", default=[])
    ap.add_argument("--exception-unit", type=int, action="append", default=[])
    ap.add_argument("--silent", action="store_true", help="no unit answers")
    ap.add_argument("--sparse", action="store_true",
                    help="answer only the listed addresses (default: also 0 in the gaps)")
    ap.add_argument("--pid-file")
    ap.add_argument("--port-file")
    ap.add_argument("--debug", action="store_true", help="pymodbus debug log on stderr")
    args = ap.parse_args()

    # pymodbus logs every unanswered request at error level; keep the test output clean.
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.CRITICAL)
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("pymodbus"):
            logging.getLogger(name).setLevel(logging.DEBUG if args.debug else logging.CRITICAL)
    spec = {}
    if args.spec:
        with open(args.spec, encoding="utf-8") as f:
            spec = json.load(f)
    try:
        for item in args.regs:
            path, _, unit = item.partition("@")
            for u, tables in load_regs(path, int(unit) if unit else None)["units"].items():
                if u in spec.setdefault("units", {}):
                    raise ValueError(f"{path}: unit {u} is served twice")
                spec["units"][u] = tables
    except (ValueError, OSError) as exc:
        print(f"pymodbus_server: {exc}", file=sys.stderr)
        return 2
    try:
        context = build_context(spec, set(args.exception_unit), set(args.silent_unit),
                                args.silent, not args.sparse)
    except (ValueError, KeyError, struct.error) as exc:
        print(f"pymodbus_server: {args.spec}: {exc}", file=sys.stderr)
        return 2
    try:
        asyncio.run(serve_serial(args, context) if args.serial else serve(args, context))
    finally:
        for path in (args.pid_file, args.port_file):
            if path and os.path.exists(path):
                os.unlink(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
