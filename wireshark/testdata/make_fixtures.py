#!/usr/bin/env python3
"""Writes session.pcap and session.pcapng: a slice of the reference NINA-W15 DPS session
(captures/azure-dps-example-session.log) as LINKTYPE_WIRESHARK_UPPER_PDU (252) records,
the way our Swift writer lays them out. One EDM frame is malformed on purpose (bad stop byte).

Usage: python3 wireshark/testdata/make_fixtures.py [OUT_DIR]   (default: this script's folder)
Standard library only; the output is deterministic.
"""
import os
import struct
import sys

HOST, MODULE = 0, 1  # tag 35 values: 0 host->module, 1 module->host


def edm(payload_id, body, stop=0x55):
    n = 2 + len(body)
    return bytes([0xAA]) + struct.pack(">HH", n, payload_id) + body + bytes([stop])


def connect_ipv4(channel, protocol, remote, rport, local, lport):
    ip = lambda s: bytes(int(x) for x in s.split("."))
    body = bytes([channel, 2, protocol]) + ip(remote) + struct.pack(">H", rport) + ip(local) + struct.pack(">H", lport)
    return edm(0x0011, body)


AT_REQ, AT_CONF, AT_EVT, DATA_EVT, DATA_CMD = 0x0044, 0x0045, 0x0041, 0x0031, 0x0036
OK = b"\r\nOK\r\n"
UDCP1 = (b"AT+UDCP=mqtt://global.azure-devices-provisioning.net:8883/?client=ninadps"
         b"&user=0ne0067E45C/registrations/ninadps/api-version=2019-03-31"
         b"&pt=$dps/registrations/PUT/iotdps-register/?$rid={request_id}&st=$dps/registrations/res/#"
         b"&encr=3&keepAlive=60&ca=ca.pem&cert=cert.pem&privKey=key.pem\r")
ASSIGNING = (b'{"operationId":"5.b084dab098f0a900.076859d0-7180-40b8-9d06-bf611e398ec0",'
             b'"status":"assigning"}')
ASSIGNED = (b'{"operationId":"5.b084dab098f0a900.076859d0-7180-40b8-9d06-bf611e398ec0","status":"assigned",'
            b'"registrationState":{"x509":{"enrollmentGroupId":"enrolGroup"},"registrationId":"ninadps",'
            b'"createdDateTimeUtc":"2022-07-04T08:28:35.8694014Z","assignedHub":"leoDPS.azure-devices.net",'
            b'"deviceId":"ninadps","status":"assigned","substatus":"initialAssignment",'
            b'"lastUpdatedDateTimeUtc":"2022-07-04T08:28:36.154464Z",'
            b'"etag":"IjYwMDA4OTJjLTAwMDAtMDEwMC0wMDAwLTYyYzJhNGI0MDAwMCI="}}')

# (milliseconds, direction, dissector name, bytes, pcapng comment or None)
PACKETS = [
    (0, MODULE, "ucx_raw", b"\x1b\xe4\x00\xffRets boot\r\n", "ESP32 ROM boot noise"),
    (10, MODULE, "ucx_at", b"\r\n+STARTUP\r\n", None),
    (18, HOST, "ucx_at", b"AT+UFACTORY\r", None),
    (400, MODULE, "ucx_at", b"AT+UFACTORY\r", None),
    (400, MODULE, "ucx_at", OK, None),
    (2804, HOST, "ucx_at", b"AT+USECMNG=0,0,ca.pem,1261\r", None),
    (3836, MODULE, "ucx_at", b"AT+USECMNG=0,0,ca.pem,1261\r", None),
    (3836, MODULE, "ucx_at", b"\r\n>", None),
    (12057, HOST, "ucx_at", b"ATO2\r", None),
    (12067, MODULE, "ucx_at", b"ATO2\r", None),
    (12067, MODULE, "ucx_at", OK, None),
    (14076, HOST, "ucx_edm", edm(AT_REQ, b"AT+UWSC=0,2,SSID\r"), None),
    (14089, MODULE, "ucx_edm", edm(AT_CONF, OK), "rebuilt from the azure_dps.py log"),
    (14122, HOST, "ucx_edm", edm(AT_REQ, b"AT+UWSCA=0,3\r"), None),
    (14153, MODULE, "ucx_edm", edm(AT_CONF, OK), None),
    (17017, MODULE, "ucx_edm", edm(AT_EVT, b"\r\n+UUWLE:0,802AA8035ADE,11\r\n"), None),
    (17065, MODULE, "ucx_edm", edm(AT_EVT, b"\r\n+UUNU:0\r\n"), None),
    (22100, HOST, "ucx_edm", edm(AT_REQ, UDCP1), None),
    (22440, MODULE, "ucx_edm", edm(AT_CONF, b"\r\n+UDCP:2\r\nOK\r\n"), None),
    (24712, MODULE, "ucx_edm", connect_ipv4(0, 2, "20.43.44.164", 8883, "0.0.0.0", 0), None),
    (25726, MODULE, "ucx_edm", edm(AT_EVT, b"\r\n+UUDPC:2,2,6,0.0.0.0,0,20.43.44.164,8883\r\n"), None),
    (25726, HOST, "ucx_edm", edm(DATA_CMD, b"\x00" + b'{"payload":"","registrationId":"ninadps"}'), None),
    (26168, MODULE, "ucx_edm", edm(DATA_EVT, b"\x00" + ASSIGNING), None),
    (27245, HOST, "ucx_edm", edm(DATA_CMD, b"\x01get operationstatus"), None),
    (27466, MODULE, "ucx_edm", edm(DATA_EVT, b"\x00" + ASSIGNED), None),
    (27468, HOST, "ucx_edm", edm(AT_REQ, b"AT+CPWROFF\r"), None),
    (27482, MODULE, "ucx_edm", edm(AT_CONF, OK, stop=0x00), "malformed on purpose: stop byte 0x00"),
]


def tlv(tag, value):
    return struct.pack(">HH", tag, len(value)) + value


def upper_pdu(name, direction, data):
    padded = name.encode() + b"\0" * (4 - len(name) % 4)  # NUL-padded, length includes the padding
    return tlv(12, padded) + tlv(35, struct.pack(">I", direction)) + tlv(0, b"") + data


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def option(code, value):
    return struct.pack("<HH", code, len(value)) + pad4(value)


def block(btype, body):
    total = 12 + len(body)
    return struct.pack("<II", btype, total) + body + struct.pack("<I", total)


def write(out_dir):
    base_us = 1_782_633_254_000_000  # 2026-06-28 07:54:14 UTC, fixed so the files are reproducible
    records = [(base_us + ms * 1000, d, upper_pdu(name, d, data), c) for ms, d, name, data, c in PACKETS]

    with open(os.path.join(out_dir, "session.pcap"), "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 252))
        for us, _, pdu, _ in records:
            f.write(struct.pack("<IIII", us // 1_000_000, us % 1_000_000, len(pdu), len(pdu)) + pdu)

    with open(os.path.join(out_dir, "session.pcapng"), "wb") as f:
        f.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + option(0, b"")))
        idb_opts = option(2, b"/dev/ttyUSB0") + option(9, bytes([6])) + option(0, b"")
        f.write(block(0x00000001, struct.pack("<HHI", 252, 0, 0) + idb_opts))
        for us, d, pdu, comment in records:
            opts = option(2, struct.pack("<I", 0b01 if d == MODULE else 0b10))  # inbound / outbound
            if comment:
                opts += option(1, comment.encode())
            opts += option(0, b"")
            body = struct.pack("<IIIII", 0, us >> 32, us & 0xFFFFFFFF, len(pdu), len(pdu)) + pad4(pdu) + opts
            f.write(block(0x00000006, body))


if __name__ == "__main__":
    write(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
