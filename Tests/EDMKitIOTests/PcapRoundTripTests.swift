import EDMKit
@testable import EDMKitIO
import Foundation
import Testing

/// The lossless invariant: per direction, the packets' bytes are the stream, for both writers.
@Suite struct PcapRoundTripTests {
    static let origin = TraceOrigin(unixNanoseconds: 1_795_852_454_123_456_789)
    static let dissectors = [UpperPDU.Dissector.edm, UpperPDU.Dissector.at, UpperPDU.Dissector.raw]

    /// Random streams cut at random points: (record, dissector) pairs, times increasing from zero.
    static func randomRecords(seed: UInt64) -> [(TraceRecord, String)] {
        var rng = SplitMix64(seed: seed)
        var out: [(TraceRecord, String)] = []
        var time: Int64 = 0
        let count = Int.random(in: 1...120, using: &rng)
        for i in 0..<count {
            let direction: Direction? = [Direction.host, .module, nil][
                Int.random(in: 0..<(seed % 3 == 0 ? 3 : 2), using: &rng)]
            // Mostly small units; sometimes empty; on one seed a unit too big for one packet.
            var length = Int.random(in: 0...300, using: &rng)
            if seed == 5, i == 3 { length = 150_000 }
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            out.append((TraceRecord(time: .nanoseconds(time), direction: direction, bytes: bytes),
                        dissectors[Int.random(in: 0..<3, using: &rng)]))
            time += Int64.random(in: 0...3_000_000_000, using: &rng)
        }
        return out
    }

    static func write(_ records: [(TraceRecord, String)], to writer: some TraceCaptureWriter) throws {
        for (record, dissector) in records { try writer.write(record, origin: origin, dissector: dissector) }
        try writer.close()
    }

    static func expectLossless(
        _ written: [(TraceRecord, String)], _ read: [TraceRecord], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let records = written.map(\.0)
        for direction in [Direction.host, .module, nil] {
            #expect(
                stream(read, direction) == stream(records, direction), "direction \(String(describing: direction))",
                sourceLocation: sourceLocation)
        }
        // Units that fit one packet come back one for one, time and direction included.
        if records.allSatisfy({ $0.bytes.count < 60_000 }) {
            #expect(read == records, sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: 0..<12)
    func randomStreamsSurvivePcapAndPcapng(seed: Int) throws {
        let dir = TempDir()
        defer { dir.remove() }
        let written = Self.randomRecords(seed: UInt64(seed))

        try Self.write(written, to: PcapWriter(path: dir.file("r.pcap")))
        let pcap = try PcapReader(path: dir.file("r.pcap"))
        #expect(pcap.linkType == 252)
        Self.expectLossless(written, try pcap.readAll())
        #expect(pcap.origin == Self.origin)
        try Self.expectBatchesMatchPackets(dir.file("r.pcap"))

        try Self.write(written, to: PcapngWriter(path: dir.file("r.pcapng"), interfaceName: "/dev/ttyUSB0"))
        let pcapng = try PcapReader(path: dir.file("r.pcapng"))
        var packets: [PcapReader.Packet] = []
        while let p = try pcapng.next() { packets.append(p) }
        Self.expectLossless(written, packets.flatMap(\.records))
        if written.allSatisfy({ $0.0.bytes.count < 60_000 }) {
            #expect(packets.map(\.dissector) == written.map(\.1))
        }
        try Self.expectBatchesMatchPackets(dir.file("r.pcapng"))
    }

    /// `nextBatch` (what edm-decode reads) gives the records `next()` gives, in order, whatever
    /// the batch size: a budget of one byte makes every packet its own batch.
    static func expectBatchesMatchPackets(
        _ path: String, options: PcapReader.Options = .init(),
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let expected = try PcapReader(path: path, options: options).readAll().map {
            [String(describing: $0.time), String(describing: $0.direction), $0.bytes.description]
        }
        for budget in [1, 200, 1 << 16] {
            let reader = try PcapReader(path: path, options: options)
            var read: [[String]] = []
            while let batch = try reader.nextBatch(bytes: budget) {
                #expect(!batch.isEmpty, sourceLocation: sourceLocation)
                for i in 0..<batch.count {
                    let r = batch[i]
                    read.append([
                        String(describing: r.time), String(describing: r.direction), Array(r.bytes).description
                    ])
                }
            }
            #expect(read == expected, "batches of \(budget) bytes", sourceLocation: sourceLocation)
        }
    }

    @Test func absoluteTimesCanBeKept() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let writer = try PcapngWriter(path: dir.file("abs.pcapng"))
        try writer.write(
            time: .seconds(5), origin: nil, direction: .host, dissector: "ucx_at", bytes: Array("AT\r".utf8))
        try writer.close()
        let reader = try PcapReader(path: dir.file("abs.pcapng"), options: .init(timeZero: .unixEpoch))
        #expect(try reader.readAll() == [TraceRecord(time: .seconds(5), direction: .host, bytes: Array("AT\r".utf8))])
    }

    @Test func liveRecordingIsReadableBeforeClose() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let pcapng = try PcapngWriter(path: dir.file("live.pcapng"), flushEachPacket: true)
        let pcap = try PcapWriter(path: dir.file("live.pcap"), flushEachPacket: true)
        for (i, (direction, bytes)) in MiniSession.steps.prefix(3).enumerated() {
            try pcapng.write(
                time: .milliseconds(Int64(i)), origin: Self.origin, direction: direction, dissector: "ucx_at",
                bytes: bytes)
            try pcap.write(
                time: .milliseconds(Int64(i)), origin: Self.origin, direction: direction, dissector: "ucx_at",
                bytes: bytes)
        }
        // Not closed: what a crash would leave behind.
        for file in ["live.pcapng", "live.pcap"] {
            let records = try PcapReader(path: dir.file(file)).readAll()
            #expect(records.map(\.bytes) == MiniSession.steps.prefix(3).map(\.1), "\(file)")
        }
        try pcapng.close()
        try pcap.close()
        #expect(throws: CaptureIOError.self) {
            try pcapng.write(time: .zero, origin: nil, direction: nil, dissector: "ucx_raw", bytes: [1])
        }
    }

    @Test func writersTakeADescriptor() throws {
        let dir = TempDir()
        defer { dir.remove() }
        for (name, make) in [
            ("fd.pcapng", { (fd: Int32) throws -> any TraceCaptureWriter in try PcapngWriter(fileDescriptor: fd) }),
            ("fd.pcap", { (fd: Int32) throws -> any TraceCaptureWriter in try PcapWriter(fileDescriptor: fd) })
        ] {
            let fd = open(dir.file(name), O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            #expect(fd >= 0)
            let writer = try make(fd)
            for (direction, bytes) in MiniSession.steps {
                try writer.write(time: .zero, origin: nil, direction: direction, dissector: "ucx_raw", bytes: bytes)
            }
            try writer.close()
            close(fd)
            let records = try PcapReader(path: dir.file(name)).readAll()
            #expect(
                stream(records, .host) == MiniSession.bytes(.host)
                    && stream(records, .module) == MiniSession.bytes(.module), "\(name)")
        }
    }

    @Test func readerTakesADescriptor() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let writer = try PcapngWriter(path: dir.file("in.pcapng"))
        for (direction, bytes) in MiniSession.steps {
            try writer.write(time: .zero, origin: nil, direction: direction, dissector: "ucx_raw", bytes: bytes)
        }
        try writer.close()
        let fd = open(dir.file("in.pcapng"), O_RDONLY)
        defer { close(fd) }
        let records = try PcapReader(fileDescriptor: fd).readAll()
        #expect(stream(records, .module) == MiniSession.bytes(.module))
    }
}
