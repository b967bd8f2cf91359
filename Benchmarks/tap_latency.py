#!/usr/bin/env python3
"""What edm-decode tap adds between a host and the module, measured on ptys.

A pty plays the module (the tap opens its slave as --port); this program opens the tap's
--link as the host. Both directions send EDM data frames at once, each at the byte rate of
BAUD (8N1: BAUD/10 bytes a second), in chunks of one frame. For every chunk it records the
time from its write on one side to the arrival of its last byte on the other (the tap reads,
stamps, writes on, then decodes and records: forwarding comes first). Every byte is compared
with the stream sent, so a byte lost, duplicated or reordered fails the run; at the end the
tap's pcapng is decoded and each direction's bytes compared with what was sent.

    Benchmarks/tap_latency.py EDM_DECODE [SECONDS] [BAUD]     (default 60 s, 921600)
"""
import hashlib, json, os, select, signal, subprocess, sys, tempfile, threading, time, tty

FRAME_PAYLOAD = 56  # + 7 bytes of framing, id and channel: 63-byte frames


def frame(direction, n):
    """Frame n of a direction: an EDM data command (host) or data event (module), channel 0."""
    body = n.to_bytes(8, "big") + bytes((n + i) % 251 for i in range(FRAME_PAYLOAD - 8))
    kind = 0x36 if direction == "host" else 0x31
    payload = bytes([0x00, kind, 0x00]) + body
    return bytes([0xAA, len(payload) >> 8, len(payload) & 0xFF]) + payload + bytes([0x55])


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


class Direction:
    def __init__(self, name, write_fd, read_fd, rate, seconds):
        self.name, self.write_fd, self.read_fd = name, write_fd, read_fd
        self.rate, self.seconds = rate, seconds
        self.sent = []          # (end offset, write time) per chunk
        self.latencies = []
        self.sent_bytes = self.received = 0
        self.error = None
        self.sent_hash = hashlib.sha256()
        self.done_sending = threading.Event()

    def send(self):
        size = len(frame(self.name, 0))
        start = time.monotonic()
        n = 0
        while time.monotonic() - start < self.seconds:
            due = start + n * size / self.rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            chunk = frame(self.name, n)
            self.sent_hash.update(chunk)
            self.sent.append((self.sent_bytes + len(chunk), time.monotonic()))
            view = memoryview(chunk)
            while view:
                view = view[os.write(self.write_fd, view):]
            self.sent_bytes += len(chunk)
            n += 1
        self.done_sending.set()

    def receive(self):
        expected, at, n, k = b"", 0, 0, 0
        idle_since = None
        while True:
            ready, _, _ = select.select([self.read_fd], [], [], 0.2)
            if not ready:
                if self.done_sending.is_set() and self.received >= self.sent_bytes:
                    return
                idle_since = idle_since or time.monotonic()
                if self.done_sending.is_set() and time.monotonic() - idle_since > 3:
                    self.error = f"{self.sent_bytes - self.received} bytes never arrived"
                    return
                continue
            idle_since = None
            data = os.read(self.read_fd, 65536)
            now = time.monotonic()
            if not data:
                self.error = "hang-up"
                return
            while len(expected) - at < len(data):
                expected = expected[at:] + frame(self.name, n)
                at, n = 0, n + 1
            if expected[at:at + len(data)] != data:
                self.error = f"bytes differ at offset {self.received}: lost, duplicated or reordered"
                return
            at += len(data)
            self.received += len(data)
            while k < len(self.sent) and self.sent[k][0] <= self.received:
                self.latencies.append(now - self.sent[k][1])
                k += 1


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(p / 100 * len(sorted_values)))]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    tool = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60
    baud = int(sys.argv[3]) if len(sys.argv) > 3 else 921600
    rate = baud / 10
    work = tempfile.mkdtemp(prefix="tap-latency-")
    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    link, capture = f"{work}/host", f"{work}/tap.pcapng"
    tap = subprocess.Popen([tool, "tap", "--port", os.ttyname(slave), "--link", link, "--no-flow-control",
                            "--baud", str(baud), "-w", capture, "-f", "json"],
                           stdout=subprocess.DEVNULL, stderr=open(f"{work}/tap.err", "w"))
    for _ in range(200):
        if os.path.islink(link):
            break
        time.sleep(0.05)
    host = os.open(link, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(host)
    time.sleep(0.3)
    directions = [Direction("host", host, master, rate, seconds), Direction("module", master, host, rate, seconds)]
    threads = [threading.Thread(target=f) for d in directions for f in (d.send, d.receive)]
    rss_start = None
    for t in threads:
        t.start()
    time.sleep(min(2, seconds / 2))
    rss_start = rss_kb(tap.pid)
    for t in threads:
        t.join()
    rss_end = rss_kb(tap.pid)
    os.close(host)
    time.sleep(0.2)
    tap.send_signal(signal.SIGTERM)
    status = tap.wait()

    failed = status != 0
    print(f"edm-decode tap, {seconds:g} s both ways at {baud} baud ({rate:.0f} bytes/s each way), {len(frame('host', 0))}-byte chunks")
    for d in directions:
        lat = sorted(d.latencies)
        print(f"  {d.name:>6} -> other side: {d.sent_bytes} bytes sent, {d.received} received in order"
              + (f"; ERROR: {d.error}" if d.error else ""))
        if lat:
            print(f"         latency per chunk ({len(lat)} chunks): median {percentile(lat, 50) * 1e3:.3f} ms,"
                  f" p99 {percentile(lat, 99) * 1e3:.3f} ms, max {lat[-1] * 1e3:.3f} ms")
        failed |= d.error is not None or d.received != d.sent_bytes
        failed |= not lat or percentile(lat, 50) >= 0.001 or percentile(lat, 99) >= 0.005
    print(f"  tap RSS: {rss_start} kB after 2 s, {rss_end} kB at the end; exit status {status}")

    # The capture holds each direction's bytes exactly as sent.
    decoded = subprocess.Popen([os.path.join(os.path.dirname(tool), "edm-decode"), capture, "-f", "json", "--no-redact"],
                               stdout=subprocess.PIPE, text=True)
    hashes = {"host": hashlib.sha256(), "module": hashlib.sha256()}
    for line in decoded.stdout:
        unit = json.loads(line)
        if "from" in unit:
            hashes[unit["from"]].update(bytes.fromhex(unit["hex"]))
    decoded.wait()
    for d in directions:
        same = hashes[d.name].digest() == d.sent_hash.digest()
        print(f"  capture, {d.name}: {'the bytes sent, exactly' if same else 'DIFFERS from the bytes sent'}")
        failed |= not same
    print(f"  capture size: {os.path.getsize(capture)} bytes ({work})")
    if not failed:
        subprocess.run(["rm", "-rf", work])
    print("FAIL" if failed else "ok: median < 1 ms, p99 < 5 ms, nothing lost, duplicated or reordered")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
