import EDMKit
import Foundation
import Testing

/// `PcapngStreamImporter` reads pcapng in any pieces: a capture cut anywhere gives the records
/// of the whole, the same as the packets written, and a cut inside a block is reported at the end.
@Suite struct PcapngStreamImporterTests {
    /// A capture as our writers make it: upper-PDU headers, nanosecond times, both directions.
    static func capture(_ records: [TraceRecord], origin: Int64) -> [UInt8] {
        var out = PcapngEncoder.sectionHeader(application: "test") + PcapngEncoder.interfaceDescription(name: "test")
        for r in records {
            let header = UpperPDU.header(dissector: UpperPDU.Dissector.at, direction: r.direction)
            out += PcapngEncoder.enhancedPacket(
                unixNanoseconds: origin + r.time.wholeNanoseconds, data: header + r.bytes,
                flags: PcapngEncoder.packetFlags(direction: r.direction), comment: nil)
        }
        return out
    }

    static let records: [TraceRecord] = (0..<40).map { (i: Int) -> TraceRecord in
        let direction: Direction = i % 3 == 0 ? .module : .host
        let bytes: [UInt8] = Array("AT+X=\(i)\r".utf8) + [UInt8(i), 0xAA, 0x55]
        return TraceRecord(time: .microseconds(1000 * i + 7), direction: direction, bytes: bytes)
    }

    @Test(arguments: [1, 3, 13, 64, 1000, 1 << 20])
    func anySplitGivesTheRecordsWritten(_ piece: Int) throws {
        let bytes = Self.capture(Self.records, origin: 1_795_852_454_000_000_000)
        var importer = PcapngStreamImporter()
        var got: [TraceRecord] = []
        for start in stride(from: 0, to: bytes.count, by: piece) {
            got += try importer.consume(bytes[start..<min(bytes.count, start + piece)])
        }
        got += try importer.finish()
        // The first packet is time zero, as libpcap's reader makes it.
        let first = Self.records[0].time
        #expect(got.map(\.bytes) == Self.records.map(\.bytes))
        #expect(got.map(\.direction) == Self.records.map(\.direction))
        #expect(got.map(\.time) == Self.records.map { $0.time - first })
        #expect(importer.origin?.unixNanoseconds == 1_795_852_454_000_000_000 + first.wholeNanoseconds)
    }

    @Test func aCutInsideABlockIsReported() throws {
        let bytes = Self.capture(Self.records, origin: 0)
        var importer = PcapngStreamImporter()
        let got = try importer.consume(bytes.dropLast(5))
        #expect(got.count == Self.records.count - 1)
        #expect(throws: TraceImportError.self) { try importer.finish() }
    }

    @Test func notPcapngIsRefused() {
        var importer = PcapngStreamImporter()
        #expect(throws: TraceImportError.self) {
            try importer.consume(Array("AT\r\nOK\r\n and some more text".utf8)[...])
        }
    }

    /// An interface block of our link type whose `if_tsresol` is `resolution`.
    static func interface(resolution: UInt8) -> [UInt8] {
        let body: [UInt8] = [252, 0, 0, 0, 0, 0, 0, 0, 9, 0, 1, 0, resolution, 0, 0, 0, 0, 0, 0, 0]
        let length = UInt32(12 + body.count)
        let le = withUnsafeBytes(of: length.littleEndian, Array.init)
        return [1, 0, 0, 0] + le + body + le
    }

    /// Every timestamp resolution pcapng can name (powers of 10 and of 2 up to 127) with the
    /// smallest and largest 64-bit times: a record, or "out of range" when the time does not
    /// fit in 64 bits of nanoseconds, never a trap.
    @Test(arguments: [0x00, 0x06, 0x09, 0x0A, 0x13, 0x7F, 0x80, 0x9E, 0xBF, 0xC0, 0xFF] as [UInt8])
    func extremeTimestampsAreReadOrRefused(_ resolution: UInt8) throws {
        let bytes = Array("AT\r".utf8)
        for units in [0, 1, UInt64(Int64.max), UInt64.max] {
            // The encoder writes times from 1970 on; the block's two timestamp words are set here.
            let data = UpperPDU.header(dissector: UpperPDU.Dissector.at, direction: .host) + bytes
            var packet = PcapngEncoder.enhancedPacket(unixNanoseconds: 0, data: data, flags: nil, comment: nil)
            withUnsafeBytes(of: UInt32(units >> 32).littleEndian) { packet.replaceSubrange(12..<16, with: $0) }
            withUnsafeBytes(of: UInt32(units & 0xFFFF_FFFF).littleEndian) { packet.replaceSubrange(16..<20, with: $0) }
            var importer = PcapngStreamImporter()
            let capture = PcapngEncoder.sectionHeader(application: "test") + Self.interface(resolution: resolution)
                + packet
            do {
                let got = try importer.consume(capture[...])
                #expect(got.map(\.bytes) == [bytes], "resolution \(resolution), units \(units)")
            } catch {
                #expect(error.description.contains("timestamp out of range"),
                        "resolution \(resolution), units \(units): \(error)")
                // A time this far out needs at least 2^63 ns: only the coarse resolutions refuse it.
                #expect(units >= 1 << 32 && (resolution < 0x09 || (0x80...0x9E).contains(resolution)),
                        "resolution \(resolution), units \(units)")
            }
        }
    }
}
