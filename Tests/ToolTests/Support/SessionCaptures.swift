import Foundation

/// The reference provisioning session (captures/reference-session-{host,module}.bin) and the
/// same session written the way each capture tool writes it.
///
/// The session is decoded once as a raw pair; its units, cut into turns (consecutive units of
/// one side that one read would return), are what every writer below writes. Turn k starts at
/// k × 251.234 ms: far enough apart that a turn's bytes on the wire (at most 1704 bytes,
/// 148 ms at 115200 baud) end before the next turn starts.
enum Reference {
    static let host = "captures/reference-session-host.bin"
    static let module = "captures/reference-session-module.bin"
    static let log = "captures/azure-dps-example-session.log"
    /// 2026-11-28 07:54:14 UTC: the wall-clock time of the first turn.
    static let startSeconds: Int64 = 1_795_852_454
    static let turnSpacing: Int64 = 251_234_000 // ns, a whole number of microseconds

    /// The raw pair, decoded without redaction so secrets are compared too.
    static func pair() throws -> Decoded {
        try Decode.json(["--host", host, "--module", module, "--no-redact"])
    }

    static func turns(_ units: [DecodedUnit]) -> [Turn] {
        var turns: [Turn] = []
        for unit in units {
            let host = unit.from == "host"
            if let last = turns.last, last.host == host, last.units.last?.micros == unit.micros {
                turns[turns.count - 1].units.append(unit)
            } else {
                turns.append(Turn(time: Int64(turns.count) * turnSpacing, host: host, units: [unit]))
            }
        }
        return turns
    }
}

/// What one side wrote in one go: one record of a timed capture.
struct Turn {
    /// Nanoseconds since the session's start.
    var time: Int64
    var host: Bool
    var units: [DecodedUnit]
    var bytes: [UInt8] { units.flatMap(\.bytes) }
}

/// Expected unit times, in microseconds, for captures made from `turns`. A unit's time is
/// when its last byte arrived: the time of the record that completes it.
enum ExpectedTimes {
    /// Formats with a time per read or block: every unit of a turn at the turn's time.
    static func perTurn(_ turns: [Turn], resolution: Int64 = 1000) -> [Int64] {
        turns.flatMap { t in t.units.map { _ in t.time / resolution * resolution / 1000 } }
    }

    /// Formats with a time per byte: each unit at its last byte's time on the wire.
    static func perByte(_ turns: [Turn]) -> [Int64] {
        turns.flatMap { t in
            var end = 0
            return t.units.map { u in
                end += u.hex.count / 2
                return (t.time + Int64(end - 1) * Capture.byteTime) / 1000
            }
        }
    }

    /// Synthetic times (one microsecond per byte of the file): a run of one side's bytes is
    /// one record (two turns of one side in a row make one run), at its first byte's position.
    static func synthetic(_ turns: [Turn]) -> [Int64] {
        var at: Int64 = 0, runStart: Int64 = 0
        var side: Bool?
        return turns.flatMap { t in
            if t.host != side { runStart = at }
            side = t.host
            at += Int64(t.bytes.count)
            return t.units.map { _ in runStart }
        }
    }
}

/// Writers of every capture format, following each tool's own output (the same layouts the
/// EDMKit importer tests use).
enum Capture {
    static let byteTime: Int64 = 86_800 // ns per byte at 115200 baud, 10 bits a character

    static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// `2026/11/28 07:54:14` (sep `/`) or `2026-11-28 07:54:14` (sep `-`), UTC.
    static func civil(_ unixSeconds: Int64, sep: String) -> String {
        let days = unixSeconds / 86_400, secs = unixSeconds % 86_400
        let z = days + 719_468 // civil_from_days (Howard Hinnant)
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return "\(pad(y, 4))\(sep)\(pad(m, 2))\(sep)\(pad(d, 2)) "
            + "\(pad(secs / 3600, 2)):\(pad(secs / 60 % 60, 2)):\(pad(secs % 60, 2))"
    }

    static func absolute(_ t: Turn) -> Int64 { Reference.startSeconds * 1_000_000_000 + t.time }
    static func printable(_ b: UInt8) -> Character { (0x20...0x7E).contains(b) ? Character(Unicode.Scalar(b)) : "." }

    /// A plain hex dump: continuous upper-case hex, 80 digits a line.
    static func hexDump(_ bytes: [UInt8]) -> [UInt8] {
        let digits = Array(bytes.map { Hex.byte($0) }.joined().utf8)
        var out: [UInt8] = []
        for start in stride(from: 0, to: digits.count, by: 80) {
            out += digits[start..<min(digits.count, start + 80)] + [0x0A]
        }
        return out
    }

    /// `socat -x -v`: `>` host→module (left to right). `v174` prints microseconds in the
    /// nanosecond position, as socat 1.7.4 does.
    static func socat(_ turns: [Turn], v174: Bool = false) -> [UInt8] {
        var out = ""
        var offsets: [Bool: Int] = [true: 0, false: 0]
        for t in turns {
            let abs = absolute(t), bytes = t.bytes
            let frac = v174 ? "000" + pad(abs % 1_000_000_000 / 1000, 6) : pad(abs % 1_000_000_000, 9)
            let from = offsets[t.host]!
            out +=
                "\(t.host ? ">" : "<") \(civil(abs / 1_000_000_000, sep: "/")).\(frac)  "
                    + "length=\(bytes.count) from=\(from) to=\(from + bytes.count - 1)\n"
            offsets[t.host]! += bytes.count
            var line: [UInt8] = []
            func flush() {
                let hex = line.map { " " + Hex.byte($0, upper: false) }.joined()
                out += hex + String(repeating: " ", count: 48 - hex.count) + "  " + String(line.map(printable)) + "\n"
                line = []
            }
            for b in bytes {
                line.append(b)
                if line.count == 16 || b == 0x0A { flush() }
            }
            if !line.isEmpty { flush() }
            out += "--\n"
        }
        return Array(out.utf8)
    }

    /// interceptty: one byte a line, `< 0xhh` to the device, `> \t0xhh` from it, `(c)` for 33...126.
    static func interceptty(_ turns: [Turn]) -> [UInt8] {
        var out = ""
        for t in turns {
            for b in t.bytes {
                out += (t.host ? "< " : "> \t") + "0x" + Hex.byte(b, upper: false)
                if (33...126).contains(b) { out += " (\(Character(Unicode.Scalar(b))))" }
                out += "\n"
            }
        }
        return Array(out.utf8)
    }

    static let slsnifNames = [
        "<NUL>", "<SOH>", "<STX>", "<ETX>", "<EOT>", "<ENQ>", "<ACK>", "<BEL>", "<BS>", "<HT>", "<LF>", "<VT>",
        "<FF>", "<CR>", "<SO>", "<SI>", "<DLE>", "<DC1>", "<DC2>", "<DC3>", "<DC4>", "<NAK>", "<SYN>", "<ETB>",
        "<CAN>", "<EM>", "<SUB>", "<ESC>", "<FS>", "<GS>", "<RS>", "<US>", "<SPACE>"
    ]

    /// `slsnif -x -t`: blocks of at most 32 bytes (its read buffer), each after a ctime-style
    /// line ending in NUL whose milliseconds field is `.%2u` cut to 3 characters; bytes ≥ 0x80 raw.
    static func slsnif(_ turns: [Turn]) -> [UInt8] {
        var out: [UInt8] = []
        let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        for t in turns {
            let bytes = t.bytes
            for start in stride(from: 0, to: bytes.count, by: 32) {
                let abs = absolute(t)
                let secs = abs / 1_000_000_000, millis = abs % 1_000_000_000 / 1_000_000
                let parts = civil(secs, sep: "-").split(separator: " ")
                let ymd = parts[0].split(separator: "-")
                let day = Int(ymd[2])!
                let ms = millis < 10 ? " \(millis)" : "\(millis)"
                let ctime = "\(days[Int((secs / 86_400) % 7)]) \(months[Int(ymd[1])! - 1]) "
                    + "\(day < 10 ? " " : "")\(day) \(parts[1])"
                out += Array("\n\n\(ctime)\(String(("." + ms).prefix(3))) \(ymd[0])".utf8) + [0]
                out += Array((t.host ? "\nHost   --> " : "\nDevice --> ").utf8)
                for b in bytes[start..<min(bytes.count, start + 32)] {
                    let name: String? = b == 127 ? "<DEL>" : b < 33 ? slsnifNames[Int(b)] : nil
                    if let name { out += Array(name.utf8) } else { out.append(b) }
                    out += Array(" (\(Hex.byte(b, upper: false))) ".utf8)
                }
            }
        }
        return out + [0x0A]
    }

    /// `jpnevulator --read --timing-print --ascii --tty /dev/ttyS1 --tty /dev/ttyS2` (S1 the host's).
    static func jpnevulator(_ turns: [Turn]) -> [UInt8] {
        var out = ""
        for t in turns {
            let abs = absolute(t)
            let bytes = t.bytes
            out +=
                "\(civil(abs / 1_000_000_000, sep: "-")).\(pad(abs % 1_000_000_000 / 1000, 6)): "
                    + "\(t.host ? "/dev/ttyS1" : "/dev/ttyS2")\n"
            for start in stride(from: 0, to: bytes.count, by: 16) {
                let line = bytes[start..<min(bytes.count, start + 16)]
                let hex = line.map { Hex.byte($0) }.joined(separator: " ")
                out += hex + String(repeating: " ", count: 47 - hex.count) + "\t" + String(line.map(printable)) + "\n"
            }
        }
        return Array(out.utf8)
    }

    /// Each byte on the wire: a turn's bytes one character time apart.
    static func wire(_ turns: [Turn]) -> [(time: Int64, host: Bool, byte: UInt8)] {
        turns.flatMap { t in t.bytes.enumerated().map { (t.time + Int64($0.offset) * byteTime, t.host, $0.element) } }
    }

    static func seconds(_ ns: Int64) -> String { "\(ns / 1_000_000_000).\(pad(ns % 1_000_000_000, 9))" }

    /// Saleae Logic 2 Async Serial export, one row per byte; the analyzers are named TX (the
    /// host's line) and RX, with an extra column as merged exports have.
    static func saleae(_ turns: [Turn]) -> [UInt8] {
        var out = "name,type,start_time,duration,data,error\n"
        for w in wire(turns) {
            out += "\"\(w.host ? "TX" : "RX")\",\"data\",\(seconds(w.time)),8.68e-05,0x\(Hex.byte(w.byte)),\n"
        }
        return Array(out.utf8)
    }

    /// `sigrok-cli -P uart:... --protocol-decoder-jsontrace`: a B and an E event per byte, ts in µs.
    static func sigrok(_ turns: [Turn]) -> [UInt8] {
        var events: [String] = []
        func ts(_ ns: Int64) -> String { "\(ns / 1000).\(pad(ns % 1000 * 1000, 6))" }
        for w in wire(turns) {
            let tid = w.host ? "TX" : "RX"
            let name = Hex.byte(w.byte)
            // The byte's begin (B) and end (E) events.
            for (ph, time) in [("B", w.time), ("E", w.time + byteTime)] {
                events.append(
                    #"{"name": "\#(name)", "ph": "\#(ph)", "pid": "uart-1", "tid": "\#(tid)", "ts": \#(ts(time))}"#)
            }
        }
        return Array(("{\"traceEvents\": [\n" + events.joined(separator: ",\n") + "\n]}\n").utf8)
    }

    // MARK: usbmon

    enum Bridge { case cp210x, ftdi }

    /// One usbmon URB event (LINKTYPE_USB_LINUX_MMAPPED: 64-byte header, little-endian), then data.
    static func urb(type: Character, transfer: UInt8, endpoint: UInt8, length: Int? = nil, data: [UInt8]) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 64)
        func put(_ v: UInt64, at: Int, size: Int) {
            for i in 0..<size { h[at + i] = UInt8((v >> (8 * UInt64(i))) & 0xFF) }
        }
        put(0xFFFF_8880_1234_5678, at: 0, size: 8)
        h[8] = UInt8(type.asciiValue!)
        h[9] = transfer
        h[10] = endpoint
        h[11] = 5 // device address
        put(1, at: 12, size: 2) // bus
        h[15] = data.isEmpty ? 0x3C : 0
        put(UInt64(length ?? data.count), at: 32, size: 4)
        put(UInt64(data.count), at: 36, size: 4)
        return h + data
    }

    /// A Wireshark usbmon capture of the session through a USB-UART bridge: its device and
    /// configuration descriptors, then one bulk OUT submit per host turn and one bulk IN
    /// completion per module turn (FTDI: 2 status bytes starting every 64-byte packet, and a
    /// status-only completion before each).
    static func usbmon(_ turns: [Turn], bridge: Bridge) -> [UInt8] {
        var packets: [(ns: Int64, bytes: [UInt8])] = []
        let t0 = Reference.startSeconds * 1_000_000_000
        let (vendor, product): (UInt16, UInt16) = bridge == .ftdi ? (0x0403, 0x6001) : (0x10C4, 0xEA60)
        packets.append((t0, urb(type: "S", transfer: 2, endpoint: 0x80, data: [])))
        packets.append(
            (
                t0,
                urb(
                    type: "C", transfer: 2, endpoint: 0x80,
                    data: [
                        18, 1, 0, 2, 0, 0, 0, 64, UInt8(vendor & 0xFF), UInt8(vendor >> 8), UInt8(product & 0xFF),
                        UInt8(product >> 8), 0, 6, 1, 2, 3, 1
                    ])
            ))
        packets.append(
            (
                t0,
                urb(
                    type: "C", transfer: 2, endpoint: 0x80,
                    data: [
                        9, 2, 32, 0, 1, 1, 0, 0x80, 50, 9, 4, 0, 0, 2, 0xFF, 0xFF, 0xFF, 2, 7, 5, 0x81, 2, 64, 0, 0, 7,
                        5, 0x02, 2, 64, 0, 0
                    ])
            ))
        let status: [UInt8] = [0x01, 0x60]
        for t in turns {
            let at = t0 + t.time, bytes = t.bytes
            if t.host {
                packets.append((at, urb(type: "S", transfer: 3, endpoint: 0x02, data: bytes)))
                packets.append((at, urb(type: "C", transfer: 3, endpoint: 0x02, length: bytes.count, data: [])))
            } else {
                packets.append((at, urb(type: "S", transfer: 3, endpoint: 0x81, length: 4096, data: [])))
                var payload = bytes
                if bridge == .ftdi {
                    packets.append((at, urb(type: "C", transfer: 3, endpoint: 0x81, data: status)))
                    payload = stride(from: 0, to: bytes.count, by: 62).flatMap {
                        status + bytes[$0..<min(bytes.count, $0 + 62)]
                    }
                }
                packets.append((at, urb(type: "C", transfer: 3, endpoint: 0x81, data: payload)))
            }
        }
        var out: [UInt8] = []
        func le32(_ v: UInt32) { for i in 0..<4 { out.append(UInt8((v >> (8 * UInt32(i))) & 0xFF)) } }
        le32(0xA1B2_C3D4); out += [2, 0, 4, 0]; le32(0); le32(0); le32(262_144); le32(220)
        for p in packets {
            le32(UInt32(p.ns / 1_000_000_000)); le32(UInt32(p.ns % 1_000_000_000 / 1000))
            le32(UInt32(p.bytes.count)); le32(UInt32(p.bytes.count))
            out += p.bytes
        }
        return out
    }

    // MARK: azure_dps.py

    /// The text lines of an AT unit, without its CR/LF framing.
    static func lines(_ bytes: [UInt8]) -> [String] {
        bytes.split { $0 == 0x0D || $0 == 0x0A }.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Python's repr() of a str, in single quotes (the bodies here hold no non-ASCII bytes).
    static func pythonRepr(_ bytes: ArraySlice<UInt8>) -> String {
        var s = "'"
        for b in bytes {
            switch b {
            case 0x5C: s += "\\\\"
            case 0x27: s += "\\'"
            case 0x0D: s += "\\r"
            case 0x0A: s += "\\n"
            case 0x09: s += "\\t"
            case 0x20...0x7E: s.append(Character(Unicode.Scalar(b)))
            default: s += "\\x" + Hex.byte(b, upper: false)
            }
        }
        return s + "'"
    }

    /// The log azure_dps.py prints for the session (docs/captures.md, "azure-dps-log"): `-> ` lines for
    /// what the host sent (EDM frames as header hex, repr of the body, stop byte), `<- `
    /// blocks for the module's command-mode replies, `AT response:` / `AT event:` /
    /// `Connect event IPv4` / `Data event:` blocks for its EDM frames. The format cannot
    /// carry boot noise or a connect event's addresses: give it a session without them.
    static func azureDPSLog(_ turns: [Turn]) -> [UInt8] {
        var out = "$ python .\\azure_dps.py COM44\ncom44\ncom44 open\n"
        for t in turns {
            let stamp = " \(t.time / 1_000_000)ms "
            var block: [String] = []
            func flush() {
                if !block.isEmpty { out += stamp + "<- " + block.joined(separator: "\n") + "\n" }
                block = []
            }
            for u in t.units {
                let b = u.bytes
                switch (t.host, u.layer, u.type) {
                case (true, "edm", _):
                    out +=
                        stamp + "-> 0x" + b[0..<5].map { Hex.byte($0) }.joined() + " "
                        + pythonRepr(b[5..<(b.count - 1)]) + " 0x" + Hex.byte(b.last!) + "\n"
                case (true, _, _):
                    // Without the CR the script adds.
                    out += stamp + "-> " + String(decoding: b.dropLast(), as: UTF8.self) + "\n"
                case (false, "at", _):
                    block += lines(b)
                case (false, "edm", "at_confirmation"), (false, "edm", "at_event"):
                    flush()
                    let name = u.type == "at_event" ? "AT event: " : "AT response: "
                    out += stamp + name + lines(Array(b[5..<(b.count - 1)])).joined(separator: "\n") + "\n"
                case (false, "edm", "connect_event"):
                    flush()
                    out += stamp + "Connect event IPv4\n        Channel id: \(b[5])\n"
                case (false, "edm", "data_event"):
                    flush()
                    out +=
                        stamp + "Data event:\n        Channel id: \(b[5])\n        Data: "
                        + String(decoding: b[6..<(b.count - 1)], as: UTF8.self) + "\n\n"
                default:
                    fatalError("azure_dps.py prints no \(u)")
                }
            }
            flush()
        }
        return Array(out.utf8)
    }

    /// The session as the log can carry it: the module's boot noise left out (a URC after it
    /// framed as usual), connect events with the protocol unknown (0xFF), addresses and ports
    /// as zeros.
    static func azureRepresentable(_ units: [DecodedUnit]) -> (host: [UInt8], module: [UInt8]) {
        var host: [UInt8] = [], module: [UInt8] = []
        for u in units {
            if u.from == "host" { host += u.bytes; continue }
            switch (u.layer, u.type) {
            case ("raw", "noise"): continue
            case ("at", "urc"): module += Array("\r\n\(u.text ?? "")\r\n".utf8)
            case ("edm", "connect_event"):
                module +=
                    [0xAA, 0x00, 0x11, 0x00, 0x11, u.bytes[5], 0x02, 0xFF] + [UInt8](repeating: 0, count: 12) + [0x55]
            default: module += u.bytes
            }
        }
        return (host, module)
    }
}
