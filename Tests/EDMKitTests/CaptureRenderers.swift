import EDMKit

/// Writes records the way each tool prints them, following the tools' source and the real
/// samples in docs/captures.md ("The formats, with examples"), so the importers can be checked against a known session.
enum Render {
    static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// `2026/11/28 07:54:14` (sep `/`) or `2026-11-28 07:54:14` (sep `-`), UTC.
    static func civil(_ unixSeconds: Int64, sep: String) -> String {
        let days = unixSeconds / 86_400, secs = unixSeconds % 86_400
        // civil_from_days (Howard Hinnant)
        let z = days + 719_468
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

    static func hex2(_ b: UInt8, upper: Bool) -> String {
        let s = String(b, radix: 16, uppercase: upper)
        return s.count == 1 ? "0" + s : s
    }

    static func printable(_ b: UInt8) -> Character { (0x20...0x7E).contains(b) ? Character(Unicode.Scalar(b)) : "." }

    /// socat -x -v; `v174` prints microseconds in the nanosecond position like socat 1.7.4.
    static func socat(_ records: [TraceRecord], hostIsLeft: Bool = true, v174: Bool = false) -> [UInt8] {
        var out = ""
        var offsets: [Bool: Int] = [true: 0, false: 0]
        for r in records {
            let left = (r.direction == .host) == hostIsLeft
            let abs = Session.start.unixNanoseconds + ns(r.time)
            let frac = v174 ? "000" + pad(abs % 1_000_000_000 / 1000, 6) : pad(abs % 1_000_000_000, 9)
            let from = offsets[left]!
            out +=
                "\(left ? ">" : "<") \(civil(abs / 1_000_000_000, sep: "/")).\(frac)  "
                    + "length=\(r.bytes.count) from=\(from) to=\(from + r.bytes.count - 1)\n"
            offsets[left]! += r.bytes.count
            var line: [UInt8] = []
            func flush() {
                let hex = line.map { " " + hex2($0, upper: false) }.joined()
                out += hex + String(repeating: " ", count: 48 - hex.count) + "  " + String(line.map(printable)) + "\n"
                line = []
            }
            for b in r.bytes {
                line.append(b)
                if line.count == 16 || b == 0x0A { flush() }
            }
            if !line.isEmpty { flush() }
            out += "--\n"
        }
        return Array(out.utf8)
    }

    /// interceptty: one byte a line, `< 0xhh` to the device, `> \t0xhh` from it, `(c)` for 33...126.
    static func interceptty(_ records: [TraceRecord]) -> [UInt8] {
        var out = ""
        for r in records {
            for b in r.bytes {
                out += r.direction == .host ? "< " : "> \t"
                out += "0x" + hex2(b, upper: false)
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

    /// slsnif -x [-t]: blocks of at most 32 bytes (its read buffer), bytes ≥ 0x80 written raw.
    static func slsnif(_ records: [TraceRecord], timestamps: Bool, decimal: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        for r in records {
            var at = 0
            while at < r.bytes.count {
                let block = r.bytes[at..<min(r.bytes.count, at + 32)]
                at += block.count
                if timestamps {
                    let abs = Session.start.unixNanoseconds + ns(r.time)
                    let secs = abs / 1_000_000_000, millis = abs % 1_000_000_000 / 1_000_000
                    let c = civil(secs, sep: "-") // yyyy-mm-dd hh:mm:ss
                    let parts = c.split(separator: " ")
                    let ymd = parts[0].split(separator: "-")
                    let day = Int(ymd[2])!
                    var ms = " " + String(millis)
                    ms = String(ms.suffix(max(2, String(millis).count))) // "%2u"
                    let cut = String(("." + ms).prefix(3))
                    let ctime = "\(days[Int((secs / 86_400) % 7)]) \(months[Int(ymd[1])! - 1]) "
                        + "\(day < 10 ? " " : "")\(day) \(parts[1])"
                    out += Array("\n\n\(ctime)\(cut) \(ymd[0])".utf8) + [0]
                } else {
                    out += Array("\n".utf8)
                }
                out += Array((r.direction == .host ? "\nHost   --> " : "\nDevice --> ").utf8)
                for b in block {
                    let name: String? = b == 127 ? "<DEL>" : b < 33 ? slsnifNames[Int(b)] : nil
                    if let name { out += Array(name.utf8) } else { out.append(b) }
                    out += Array((decimal ? " (\(pad(Int64(b), 3))) " : " (\(hex2(b, upper: false))) ").utf8)
                }
            }
        }
        out += Array("\n".utf8)
        return out
    }

    /// jpnevulator --timing-print --ascii with two ttys.
    static func jpnevulator(
        _ records: [TraceRecord], hostTTY: String = "/dev/ttyS1", moduleTTY: String = "/dev/ttyS2"
    ) -> [UInt8] {
        var out = ""
        for r in records {
            let abs = Session.start.unixNanoseconds + ns(r.time)
            out +=
                "\(civil(abs / 1_000_000_000, sep: "-")).\(pad(abs % 1_000_000_000 / 1000, 6)): "
                    + "\(r.direction == .host ? hostTTY : moduleTTY)\n"
            var at = 0
            while at < r.bytes.count {
                let line = r.bytes[at..<min(r.bytes.count, at + 16)]
                at += line.count
                let hex = line.map { hex2($0, upper: true) }.joined(separator: " ")
                out += hex + String(repeating: " ", count: 47 - hex.count) + "\t" + String(line.map(printable)) + "\n"
            }
        }
        return Array(out.utf8)
    }

    static let byteTime: Int64 = 86_800 // ns per byte at 115200 baud, 10 bits

    /// Each byte on the wire with its start time: a record's bytes follow each other one
    /// character time apart, and a line sends one byte at a time (a record that starts
    /// while the previous one of its direction is still going waits for it).
    static func wireBytes(_ records: [TraceRecord]) -> [(time: Int64, direction: Direction?, byte: UInt8)] {
        var free: [Direction: Int64] = [:]
        var out: [(time: Int64, direction: Direction?, byte: UInt8)] = []
        for r in records {
            var t = max(ns(r.time), free[r.direction!] ?? 0)
            for b in r.bytes {
                out.append((t, r.direction, b))
                t += byteTime
            }
            free[r.direction!] = t
        }
        return out.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }

    static func seconds(_ t: Int64) -> String { "\(t / 1_000_000_000).\(pad(t % 1_000_000_000, 9))" }

    /// Saleae Logic 2 Async Serial export: one row per byte, in start-time order.
    static func saleae(_ records: [TraceRecord], header: String = "name,type,start_time,duration,data",
                       names: (host: String, module: String) = ("TX", "RX")) -> [UInt8] {
        let columns = header.split(separator: ",").map(String.init)
        var out = header + "\n"
        for w in wireBytes(records) {
            let values: [String: String] = [
                "name": "\"\(w.direction == .host ? names.host : names.module)\"", "type": "\"data\"",
                "start_time": seconds(w.time), "duration": "8.68e-05", "data": "0x" + hex2(w.byte, upper: true),
                "error": ""
            ]
            out += columns.map { values[$0] ?? "" }.joined(separator: ",") + "\n"
        }
        return Array(out.utf8)
    }

    /// sigrok-cli --protocol-decoder-jsontrace: a B and an E event per byte, ts in µs (`%lf`),
    /// printed when the byte ends (so in end-time order).
    static func sigrok(_ records: [TraceRecord]) -> [UInt8] {
        var events: [String] = []
        func ts(_ n: Int64) -> String { "\(n / 1000).\(pad(n % 1000 * 1000, 6))" }
        for w in wireBytes(records) {
            let tid = w.direction == .host ? "TX" : "RX"
            let name = hex2(w.byte, upper: true)
            // The byte's begin (B) and end (E) events.
            for (ph, time) in [("B", w.time), ("E", w.time + byteTime)] {
                events.append(
                    #"{"name": "\#(name)", "ph": "\#(ph)", "pid": "uart-1", "tid": "\#(tid)", "ts": \#(ts(time))}"#)
            }
        }
        return Array(("{\"traceEvents\": [\n" + events.joined(separator: ",\n") + "\n]}\n").utf8)
    }

    /// Continuous upper-case hex, 80 digits a line.
    static func hexDump(_ bytes: [UInt8]) -> [UInt8] {
        let digits = bytes.map { hex2($0, upper: true) }.joined()
        var out = ""
        var at = digits.startIndex
        while at < digits.endIndex {
            let end = digits.index(at, offsetBy: 80, limitedBy: digits.endIndex) ?? digits.endIndex
            out += digits[at..<end] + "\n"
            at = end
        }
        return Array(out.utf8)
    }
}
