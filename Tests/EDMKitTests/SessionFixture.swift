import EDMKit

/// The provisioning session every format test renders and reads back: the reference log's
/// records (credentials padded to their declared sizes, so the streams are realistic), plus
/// ESP32 boot noise that is not UTF-8 and holds 0x00, 0x0A, 0xAA, 0x55 and bytes ≥ 0x80.
enum Session {
    static let noise: [UInt8] = [
        0x00, 0xE0, 0xFF, 0x80, 0x0A, 0x1B, 0x55, 0xAA, 0xC3, 0x28, 0x3C, 0x0D, 0x7F, 0x20, 0x29
    ]

    static let records: [TraceRecord] = {
        var importer = AzureDPSLogImporter(options: .init(padElidedCredentials: true))
        var records = try! importer.importAll(ReferenceLog.bytes)
        // The reboot after AT+CPWROFF (416 ms): boot noise, then +STARTUP.
        let reboot = [
            TraceRecord(time: .milliseconds(1500), direction: .module, bytes: noise),
            TraceRecord(time: .milliseconds(2500), direction: .module, bytes: Array("\r\n+STARTUP\r\n".utf8)),
        ]
        let at = records.firstIndex { $0.time > .milliseconds(1500) }!
        records.insert(contentsOf: reboot, at: at)
        // Plain copies: the formats under test carry bytes, direction and time only.
        return records.map { TraceRecord(time: $0.time, direction: $0.direction, bytes: $0.bytes) }
    }()

    /// Absolute time of the session's start for formats with wall-clock times.
    static let start = TraceOrigin(unixNanoseconds: 1_795_852_454_000_000_000) // 2026-11-28 07:54:14 UTC

    static func stream(_ records: [TraceRecord], _ direction: Direction?) -> [UInt8] {
        records.filter { $0.direction == direction }.flatMap(\.bytes)
    }

    static var hostStream: [UInt8] { stream(records, .host) }
    static var moduleStream: [UInt8] { stream(records, .module) }
}

extension TraceImporter {
    /// Feeds `input` in chunks of the given sizes (cycled), then finishes.
    mutating func importChunked(_ input: [UInt8], sizes: [Int]) throws(TraceImportError) -> [TraceRecord] {
        var out: [TraceRecord] = []
        var start = 0, k = 0
        while start < input.count {
            let end = min(input.count, start + max(1, sizes[k % sizes.count]))
            out += try consume(input[start..<end])
            start = end
            k += 1
        }
        out += try finish()
        return out
    }
}

/// Nanoseconds of a duration, for formatting times in renderers.
func ns(_ d: Duration) -> Int64 {
    let (s, a) = d.components
    return s * 1_000_000_000 + a / 1_000_000_000
}
