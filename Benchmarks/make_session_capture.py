#!/usr/bin/env python3
"""Writes a large pcapng of provisioning sessions, for Benchmarks/decode-bench.sh.

Usage: make_session_capture.py TEMPLATE.pcapng OUT.pcapng MEGABYTES [SLICE.pcapng SLICE_MEGABYTES]

TEMPLATE is one session as edm-decode writes it (one Enhanced Packet Block per unit, LINKTYPE
252): `edm-decode --host captures/reference-session-host.bin --module ...-module.bin -f pcapng`.
OUT repeats it until it holds at least MEGABYTES MB (10^6 bytes), each repetition with its own
ids and times: the device id `ninadps` becomes `d` + 6 digits and the DPS operation id's 16 hex
digits are random (same lengths, so every EDM frame keeps its length and stays valid), and the
session starts 40 ms after the previous one. SLICE, if given, is OUT's first SLICE_MEGABYTES MB
of sessions (same layout), for tools too slow for the whole file. Standard library only;
deterministic (seeded).
"""
import random
import struct
import sys


def main():
    if len(sys.argv) not in (4, 6):
        sys.exit(__doc__)
    template = open(sys.argv[1], "rb").read()
    out_path, megabytes = sys.argv[2], float(sys.argv[3])
    slice_path, slice_mb = (sys.argv[4], float(sys.argv[5])) if len(sys.argv) == 6 else (None, 0)

    header = b""    # SHB and IDB, copied
    session = bytearray()  # the template's EPBs, back to back
    stamps = []     # (offset of the timestamp words in `session`, microseconds since the session's start)
    first = None
    at = 0
    while at < len(template):
        btype, total = struct.unpack_from("<II", template, at)
        block = template[at:at + total]
        at += total
        if btype != 6:
            header += block
            continue
        hi, lo = struct.unpack_from("<II", block, 12)
        ts = hi << 32 | lo
        first = ts if first is None else first
        stamps.append((len(session) + 12, ts - first))
        session += block
    if not stamps:
        sys.exit("make_session_capture.py: the template has no packets")
    if session.count(b"ninadps") == 0 or session.count(b"b084dab098f0a900") == 0:
        sys.exit("make_session_capture.py: the template is not the reference session (no ninadps / operation id)")

    rng = random.Random(20261128)
    base = 1_795_852_454_000_000  # µs: 2026-11-28 07:54:14 UTC
    spacing = max(s for _, s in stamps) + 40_000
    target, slice_target = int(megabytes * 1e6), int(slice_mb * 1e6)
    written, n = 0, 0
    out = open(out_path, "wb")
    cut = open(slice_path, "wb") if slice_path else None
    out.write(header)
    if cut:
        cut.write(header)
    written = len(header)
    while written < target:
        s = session.replace(b"ninadps", b"d%06d" % (n % 1_000_000))
        s = bytearray(s.replace(b"b084dab098f0a900", b"%016x" % rng.getrandbits(64)))
        t0 = base + n * spacing
        for offset, rel in stamps:
            ts = t0 + rel
            struct.pack_into("<II", s, offset, ts >> 32, ts & 0xFFFFFFFF)
        out.write(s)
        if cut and written < slice_target:
            cut.write(s)
        written += len(s)
        n += 1
    out.close()
    if cut:
        cut.close()
    print(f"{out_path}: {n} sessions, {len(stamps) * n} packets, {written / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
