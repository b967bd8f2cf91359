import EDMKit
import EDMKitIO
import Foundation
import Testing

/// A pcapng file in two sections (`PcapngWriter.startSection()`, what a tap writes when the
/// host reopens the pty): the second section starts with the same blocks as the first, and
/// both readers give the packets of both sections, in order, on one time line.
@Suite struct PcapngSectionTests {
    static let origin = TraceOrigin(unixNanoseconds: 1_795_852_454_000_000_000)
    static let records = [
        TraceRecord(time: .zero, direction: .host, bytes: Array("AT\r".utf8)),
        TraceRecord(time: .milliseconds(5), direction: .module, bytes: Array("\r\nOK\r\n".utf8)),
        TraceRecord(time: .seconds(2), direction: .host, bytes: Array("AT+GMM\r".utf8)),
        TraceRecord(time: .milliseconds(2_007), direction: .module, bytes: Array("\r\nNINA-W15\r\n".utf8)),
    ]

    static func writeTwoSections(_ path: String) throws {
        let writer = try PcapngWriter(path: path, interfaceName: "/dev/ttyUSB0 <-> /tmp/ttyNINA", application: "test")
        for (i, record) in records.enumerated() {
            if i == 2 { try writer.startSection() }
            try writer.write(record, origin: origin, dissector: UpperPDU.Dissector.at)
        }
        try writer.close()
    }

    @Test func theSecondSectionRepeatsTheFirstsHeaderBlocks() throws {
        let dir = TempDir()
        defer { dir.remove() }
        try Self.writeTwoSections(dir.file("s.pcapng"))
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.file("s.pcapng"))))
        let header = PcapngEncoder.sectionHeader(application: "test")
            + PcapngEncoder.interfaceDescription(name: "/dev/ttyUSB0 <-> /tmp/ttyNINA")
        #expect(Array(bytes.prefix(header.count)) == header)
        // The two packets of the first section, then the header blocks again.
        var at = header.count
        for _ in 0..<2 { at += Int(UInt32(bytes[at + 4]) | UInt32(bytes[at + 5]) << 8 | UInt32(bytes[at + 6]) << 16) }
        #expect(Array(bytes[at..<(at + header.count)]) == header)
    }

    @Test func libpcapReadsBothSections() throws {
        let dir = TempDir()
        defer { dir.remove() }
        try Self.writeTwoSections(dir.file("s.pcapng"))
        let reader = try PcapReader(path: dir.file("s.pcapng"))
        #expect(try reader.readAll() == Self.records)
        #expect(reader.origin == Self.origin)
    }

    /// What `edm-decode --follow` reads, fed in pieces that cut blocks anywhere.
    @Test(arguments: [1, 7, 1 << 16])
    func theStreamImporterReadsBothSections(piece: Int) throws {
        let dir = TempDir()
        defer { dir.remove() }
        try Self.writeTwoSections(dir.file("s.pcapng"))
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.file("s.pcapng"))))
        var importer = PcapngStreamImporter()
        var read: [TraceRecord] = []
        for start in stride(from: 0, to: bytes.count, by: piece) {
            read += try importer.consume(bytes[start..<min(bytes.count, start + piece)])
        }
        read += try importer.finish()
        #expect(read == Self.records)
        #expect(importer.origin == Self.origin)
    }
}
