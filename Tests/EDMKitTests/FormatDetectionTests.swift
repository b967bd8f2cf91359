import Testing
@testable import EDMKit

@Suite struct FormatDetectionTests {
    let session = Session.records

    func detect(_ bytes: [UInt8]) -> TraceFormat? {
        TraceFormat.detect(prefix: bytes.prefix(TraceFormat.detectionPrefixLength))
    }

    @Test func everyRenderedFormatIsRecognised() {
        #expect(detect(Render.socat(session)) == .socat)
        #expect(detect(Render.socat(session, v174: true)) == .socat)
        #expect(detect(Render.interceptty(session)) == .interceptty)
        #expect(detect(Render.slsnif(session, timestamps: true)) == .slsnif)
        #expect(detect(Render.slsnif(session, timestamps: false)) == .slsnif)
        #expect(detect(Render.jpnevulator(session)) == .jpnevulator)
        #expect(detect(Render.saleae(session)) == .saleaeCSV)
        #expect(detect(Render.sigrok(session)) == .sigrokJSONTrace)
        #expect(detect(Render.hexDump(Session.moduleStream)) == .hexDump)
        #expect(detect(ReferenceLog.bytes) == .azureDPSLog)
    }

    @Test func packetCaptureMagicsInBothByteOrders() {
        for magic: [UInt8] in [
            [0xA1, 0xB2, 0xC3, 0xD4], [0xD4, 0xC3, 0xB2, 0xA1], [0xA1, 0xB2, 0x3C, 0x4D], [0x4D, 0x3C, 0xB2, 0xA1]
        ] {
            #expect(detect(magic + [UInt8](repeating: 0, count: 20)) == .pcap)
        }
        let shb = PcapngEncoder.sectionHeader()
        #expect(detect(shb) == .pcapng)
        var bigEndian = shb
        bigEndian.replaceSubrange(8..<12, with: [0x1A, 0x2B, 0x3C, 0x4D])
        #expect(detect(bigEndian) == .pcapng)
    }

    @Test func detectionCopesWithACutPrefix() {
        // The prefix ends inside a line: only whole lines count.
        #expect(TraceFormat.detect(prefix: Render.socat(session).prefix(100)) == .socat)
        #expect(TraceFormat.detect(prefix: Render.jpnevulator(session).prefix(45)) == .jpnevulator)
    }

    @Test func unknownContentIsNotGuessed() {
        #expect(detect([]) == nil)
        var rng = SplitMix64(seed: 7)
        let garbage = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) }
        #expect(detect(garbage) == nil)
        #expect(detect(Array("Dear diary,\ntoday I decoded EDM.\n".utf8)) == nil)
        #expect(detect(Array("0x41 0x54\n".utf8)) == nil)
    }

    @Test func theErrorNamesTheFormatsTried() {
        let error = TraceFormat.unrecognized(prefix: Array("Dear diary".utf8)[...])
        #expect(error.code == .unrecognized)
        for format in TraceFormat.detectionOrder { #expect(error.message.contains(format.rawValue)) }
        #expect(TraceFormat.unrecognized(prefix: []).code == .empty)
    }

    @Test func everyTextFormatHasAnImporter() {
        for format in TraceFormat.allCases {
            #expect((format.makeImporter() == nil) == format.isPacketCapture)
        }
    }
}

@Suite struct BadInputTests {
    static let textFormats = TraceFormat.allCases.filter { !$0.isPacketCapture }

    @Test(arguments: textFormats)
    func emptyInputIsAClearError(format: TraceFormat) throws {
        var importer = try #require(format.makeImporter())
        let error = #expect(throws: TraceImportError.self) { try importer.importAll([UInt8]()) }
        #expect(error?.code == .empty)
        #expect(error?.description.contains("empty") == true)
    }

    @Test(arguments: textFormats.filter { $0 != .rawBinary })
    func binaryGarbageIsAnErrorNotACrash(format: TraceFormat) throws {
        var rng = SplitMix64(seed: UInt64(format.rawValue.utf8.count))
        let garbage = (0..<20_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        var importer = try #require(format.makeImporter())
        let error = #expect(throws: TraceImportError.self) { try importer.importChunked(garbage, sizes: [333]) }
        #expect(error?.line != nil || error?.offset != nil)
    }

    @Test(arguments: textFormats.filter { $0 != .rawBinary })
    func anotherKindOfTextIsAnError(format: TraceFormat) throws {
        // Each format reads another's file: the error names a line.
        let other = format == .socat
            ? Render.jpnevulator(Array(Session.records.prefix(4))) : Render.socat(Array(Session.records.prefix(4)))
        var importer = try #require(format.makeImporter())
        let error = #expect(throws: TraceImportError.self) { try importer.importAll(other) }
        #expect(error?.line != nil)
    }

    @Test func aBinaryFileWithoutNewlinesIsNotText() {
        var importer = SocatImporter()
        let big = [UInt8](repeating: 0x41, count: TraceRecordLimits.maxLineLength + 10)
        let error = #expect(throws: TraceImportError.self) { try importer.importChunked(big, sizes: [65536]) }
        #expect(error?.code == .notText)
    }
}

@Suite struct TimeTextTests {
    func n(_ s: String, _ e: Int) -> Int64? { TimeText.nanoseconds(Array(s.utf8)[...], unitExponent: e) }

    @Test func decimalsAreExact() {
        #expect(n("0.0123452", 0) == 12_345_200)
        #expect(n("8.68e-05", 0) == 86_800)
        #expect(n("109.000000", -6) == 109_000)
        #expect(n("54.5", -6) == 54_500)
        #expect(n("1E3", -6) == 1_000_000)
        #expect(n("12.3456789012", 0) == 12_345_678_901)
        #expect(n("-1.5", 0) == -1_500_000_000)
        #expect(n("abc", 0) == nil)
        #expect(n("1.2.3", 0) == nil)
        #expect(n("", 0) == nil)
    }

    @Test func calendarTimes() {
        let t = TimeText.calendar(Array("2026/11/28 07:54:14.000425418".utf8)[...], utcOffsetSeconds: 0)
        #expect(t?.nanoseconds == 1_795_852_454_000_425_418)
        #expect(t.map { Array($0.fraction) } == Array("000425418".utf8))
        #expect(
            TimeText.calendar(Array("1970-01-01 00:00:01.5".utf8)[...], utcOffsetSeconds: 3600)?.nanoseconds
                == 1_500_000_000 - 3_600_000_000_000)
        #expect(TimeText.calendar(Array("2026-13-01 00:00:00".utf8)[...], utcOffsetSeconds: 0) == nil)
    }
}

@Suite struct CaptureEncodingTests {
    @Test func upperPDUTagsPadNamesAndCountThePadding() throws {
        let h = UpperPDU.header(dissector: "ucx_edm", direction: .module)
        #expect(h == [0, 12, 0, 8] + Array("ucx_edm".utf8) + [0] + [0, 35, 0, 4, 0, 0, 0, 1] + [0, 0, 0, 0])
        #expect(
            UpperPDU.header(dissector: "ucx_at", direction: .host) == [0, 12, 0, 8] + Array("ucx_at".utf8) + [0, 0] + [
                0, 35, 0, 4, 0, 0, 0, 0
            ] + [0, 0, 0, 0])
        #expect(
            UpperPDU.header(dissector: "ucx_raw", direction: nil).count
                == UpperPDU.headerSize(dissector: "ucx_raw", direction: nil))
        let parsed = try UpperPDU.parse((h + [0xAA, 0x55])[...])
        #expect(parsed.dissector == "ucx_edm" && parsed.direction == .module && parsed.payload == [0xAA, 0x55])
        #expect(throws: UpperPDU.ParseError.self) { try UpperPDU.parse(h.dropLast(2)) }
    }

    @Test func upperPDUHeaderIsReadInPlace() throws {
        let packet = [9, 9] + UpperPDU.header(dissector: "ucx_at", direction: .host) + [0x41, 0x54]
        let slice = packet[2...] // indices start at 2: the ranges are the packet's own indices
        let header = try UpperPDU.parseHeader(slice)
        #expect(header.dissectorName.map { String(decoding: slice[$0], as: UTF8.self) } == "ucx_at")
        #expect(header.direction == .host && Array(slice.dropFirst(header.size)) == [0x41, 0x54])
        let viaBuffer = try packet.withUnsafeBufferPointer {
            try UpperPDU.parseHeader(UnsafeBufferPointer(rebasing: $0[2...]))
        }
        #expect(viaBuffer.size == header.size && viaBuffer.dissectorName == 4..<10 && viaBuffer.direction == .host)
        #expect(throws: UpperPDU.ParseError.self) { try UpperPDU.parseHeader(slice.prefix(header.size - 1)) }
    }

    @Test func pcapngBlocksAreWellFormed() {
        let epb = PcapngEncoder.enhancedPacket(
            unixNanoseconds: 0x1_0000_0002, data: [1, 2, 3], flags: PcapngEncoder.packetFlags(direction: .host),
            comment: "[rebuilt] hi")
        #expect(epb.count % 4 == 0)
        #expect(Array(epb.prefix(4)) == [6, 0, 0, 0])
        #expect(Array(epb[4..<8]) == Array(epb.suffix(4)))
        #expect(Array(epb[12..<20]) == [1, 0, 0, 0, 2, 0, 0, 0]) // timestamp high, low
        #expect(PcapngEncoder.packetFlags(direction: .module) == 1 && PcapngEncoder.packetFlags(direction: .host) == 2)
        let idb = PcapngEncoder.interfaceDescription(name: "/dev/ttyUSB0")
        #expect(Array(idb[8..<10]) == [252, 0])
        #expect(PcapngEncoder.comment(flags: [.rebuilt, .mismatch], note: "x") == "[rebuilt, mismatch] x")
        #expect(PcapngEncoder.comment(flags: [], note: nil) == nil)
    }

    @Test func enhancedPacketsAppendInPlace() {
        let epb = PcapngEncoder.enhancedPacket(unixNanoseconds: 5, data: [1, 2, 3], flags: 2, comment: "ab")
        #expect(epb == [6, 0, 0, 0, 56, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 1, 2, 3, 0,
                        2, 0, 4, 0, 2, 0, 0, 0, 1, 0, 2, 0, 0x61, 0x62, 0, 0, 0, 0, 0, 0, 56, 0, 0, 0])
        var out = OutputBuffer(capacity: 16) // (grows while the block is written)
        out.append(0xEE)
        PcapngEncoder.appendEnhancedPacket(
            to: &out, unixNanoseconds: 5, prefix: [1], data: [2, 3][...], flags: 2, comment: "ab")
        #expect(out.array == [0xEE] + epb)
        let bare = PcapngEncoder.enhancedPacket(unixNanoseconds: 0, data: [UInt8](), flags: nil, comment: nil)
        #expect(bare.count == 32 && Array(bare[4..<8]) == [32, 0, 0, 0]) // no options, no end-of-options
    }
}
