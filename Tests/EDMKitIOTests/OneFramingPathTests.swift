import EDMKit
import EDMKitIO
import Foundation
import Testing

/// The session decoder frames bytes through `EDMStreamDecoder`, so on every capture the
/// frames it finds are the stream decoder's frames over the same direction's bytes, whatever
/// the chunking: the one framing rule holds in the product's path, not only in the codec.
@Suite struct OneFramingPathTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let captures: [String] = {
        let scenarios = (try? FileManager.default.contentsOfDirectory(atPath: root + "/captures/scenarios")) ?? []
        return ["captures/azure-dps-example-session.log", "captures/azure-dps-example-session.pcapng"]
            + scenarios.filter { $0.hasSuffix(".pcapng") }.sorted().map { "captures/scenarios/" + $0 }
    }()

    static func records(_ capture: String) throws -> [TraceRecord] {
        let input = try CaptureInput(path: root + "/" + capture)
        var records: [TraceRecord] = []
        while let more = try input.next() { records += more }
        return records
    }

    /// Frames and false starts (garbage opened by 0xAA) the session decoder reports.
    static func sessionFrames(_ records: [TraceRecord]) -> [Framed] {
        var decoder = SessionDecoder()
        var units: [SessionUnit] = []
        for record in records {
            decoder.receive(
                time: record.time, direction: record.direction, bytes: record.bytes[...], appendingTo: &units)
        }
        decoder.finish(appendingTo: &units)
        return units.filter { $0.bytes.first == EDMFrame.start }.map {
            Framed(direction: $0.direction, offset: $0.offset, bytes: Array($0.bytes))
        }
    }

    /// The stream decoder's units that start with 0xAA at the offsets where the session cut one.
    static func streamFrames(_ records: [TraceRecord], at wanted: [Framed]) -> [Framed] {
        var out: [Framed] = []
        for direction in [Direction.host, .module, nil] {
            let bytes = records.filter { $0.direction == direction }.flatMap(\.bytes)
            let offsets = Set(wanted.filter { $0.direction == direction }.map(\.offset))
            for offset in offsets.sorted() {
                var decoder = EDMStreamDecoder(offset: offset)
                var rest = bytes[offset...]
                if let unit = decoder.decodeLast(&rest) {
                    out.append(Framed(direction: direction, offset: unit.offset, bytes: Array(unit.bytes)))
                }
            }
        }
        return out
    }

    @Test(arguments: captures)
    func sessionFramesAreTheStreamDecodersFrames(capture: String) throws {
        let records = try Self.records(capture)
        let framed = Self.sessionFrames(records)
        #expect(framed.count > 0, "\(capture) has EDM frames")
        let sorted = { (a: [Framed]) in
            a.sorted { ($0.direction?.rawValue ?? "", $0.offset) < ($1.direction?.rawValue ?? "", $1.offset) }
        }
        #expect(sorted(framed) == sorted(Self.streamFrames(records, at: framed)))

        // Whole frames of the EDM part of the module's stream: the stream decoder, run from the
        // module's first frame, finds each frame the session found, at the same offset.
        let module = records.filter { $0.direction == .module }.flatMap(\.bytes)
        if let first = framed.first(where: { $0.direction == .module && EDMFrame.isFrame($0.bytes) }) {
            var decoder = EDMStreamDecoder(offset: first.offset)
            var rest = module[first.offset...]
            var streamOffsets = Set<Int>()
            while let unit = decoder.decodeLast(&rest) { if case .frame = unit { streamOffsets.insert(unit.offset) } }
            let sessionOffsets = framed.filter { $0.direction == .module && EDMFrame.isFrame($0.bytes) }.map(\.offset)
            #expect(sessionOffsets.allSatisfy(streamOffsets.contains))
        }

        // Other chunkings: byte by byte and seeded random splits give the same frames.
        var rng = SplitMix64(seed: UInt64(capture.utf8.count))
        let splits: [[TraceRecord]] = [Self.rechunk(records) { _ in 1 }]
            + (0..<8).map { _ in Self.rechunk(records) { _ in Int(rng.next() % 97) + 1 } }
        for split in splits { #expect(Self.sessionFrames(split) == framed) }
    }

    static func rechunk(_ records: [TraceRecord], size: (Int) -> Int) -> [TraceRecord] {
        var out: [TraceRecord] = []
        for record in records {
            var i = 0
            while i < record.bytes.count {
                let n = min(size(record.bytes.count - i), record.bytes.count - i)
                out.append(
                    TraceRecord(time: record.time, direction: record.direction, bytes: Array(record.bytes[i..<(i + n)]))
                )
                i += n
            }
        }
        return out
    }
}

/// A unit that starts with 0xAA, where it lies in its direction's stream.
struct Framed: Equatable, CustomStringConvertible {
    var direction: Direction?
    var offset: Int
    var bytes: [UInt8]
    var description: String { "\(direction?.rawValue ?? "?")@\(offset) \(bytes.count) B" }
}

extension EDMFrame {
    static func isFrame(_ bytes: [UInt8]) -> Bool { (try? EDMFrame(validating: bytes[...])) != nil }
}
