import EDMKit
@testable import EDMKitIO
import Foundation
import Testing

@Suite struct PcapBadInputTests {
    static func open(_ bytes: [UInt8]) throws(CaptureIOError) -> [TraceRecord] {
        let dir = TempDir()
        defer { dir.remove() }
        writeFile(dir.file("bad"), bytes)
        return try PcapReader(path: dir.file("bad")).readAll()
    }

    static func goodFile(pcapng: Bool) throws -> [UInt8] {
        let dir = TempDir()
        defer { dir.remove() }
        let path = dir.file(pcapng ? "g.pcapng" : "g.pcap")
        let writer: any TraceCaptureWriter = pcapng ? try PcapngWriter(path: path) : try PcapWriter(path: path)
        for (i, (direction, bytes)) in MiniSession.steps.enumerated() {
            try writer.write(
                time: .milliseconds(Int64(i)), origin: nil, direction: direction, dissector: "ucx_raw", bytes: bytes)
        }
        try writer.close()
        return readFile(path)
    }

    @Test func emptyFile() {
        let error = #expect(throws: CaptureIOError.self) { try Self.open([]) }
        #expect(error?.code == .notCapture || error?.code == .truncated)
        #expect(error?.message.contains("pcap") == true)
    }

    @Test(arguments: [false, true])
    func truncatedFileNamesThePacket(pcapng: Bool) throws {
        let good = try Self.goodFile(pcapng: pcapng)
        #expect(try Self.open(good).count == MiniSession.steps.count)
        let cut = Array(good.dropLast(7))
        let error = #expect(throws: CaptureIOError.self) { try Self.open(cut) }
        #expect(error?.packet == MiniSession.steps.count)
        #expect(error?.code == .truncated)
        // Cut inside the file header: refused at open.
        #expect(throws: CaptureIOError.self) { try Self.open(Array(good.prefix(10))) }

        // Read in batches: the packets before the cut come first, then the same error.
        let dir = TempDir()
        defer { dir.remove() }
        writeFile(dir.file("cut"), cut)
        let reader = try PcapReader(path: dir.file("cut"))
        #expect(try reader.nextBatch()?.count == MiniSession.steps.count - 1)
        let batchError = #expect(throws: CaptureIOError.self) { try reader.nextBatch() }
        #expect(batchError?.packet == MiniSession.steps.count && batchError?.code == .truncated)
    }

    @Test func garbageAndTextAreNotCaptures() {
        var rng = SplitMix64(seed: 99)
        let garbage = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let error = #expect(throws: CaptureIOError.self) { try Self.open(garbage) }
        #expect(error?.code == .notCapture)
        #expect(throws: CaptureIOError.self) {
            try Self.open(Array("> 2026/11/28 07:54:14.000425418  length=3 from=0 to=2\n 41 54 0d\n".utf8))
        }
    }

    @Test func foreignLinkTypeIsRefused() {
        var file = UsbmonTests.pcapFile(linkType: 1, packets: [(micros: 0, bytes: [1, 2, 3])])
        var error = #expect(throws: CaptureIOError.self) { try Self.open(file) }
        #expect(error?.code == .unsupportedLinkType && error?.message.contains("252") == true)
        file = UsbmonTests.pcapFile(linkType: 252, packets: [(micros: 0, bytes: [0, 12, 0, 40, 1])])
        error = #expect(throws: CaptureIOError.self) { try Self.open(file) }
        #expect(error?.code == .malformedPacket && error?.packet == 1)
    }

    @Test func missingFile() {
        let error = #expect(throws: CaptureIOError.self) { try PcapReader(path: "/nonexistent/capture.pcapng") }
        #expect(error?.code == .open)
        #expect(throws: CaptureIOError.self) { try PcapngWriter(path: "/nonexistent/dir/out.pcapng") }
        #expect(throws: CaptureIOError.self) { try PcapWriter(path: "/nonexistent/dir/out.pcap") }
    }
}
