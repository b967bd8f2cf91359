import Testing
@testable import EDMKit

/// The stream decoder's split invariance and resynchronisation, on the reference session's
/// EDM traffic.
@Suite struct EDMStreamDecoderTests {
    static let frames: [[UInt8]] = ReferenceSession.records.map(\.bytes).filter { $0.first == 0xAA }
    static let stream = frames.flatMap { $0 }

    static func decode(_ chunks: [ArraySlice<UInt8>]) -> [(bytes: [UInt8], offset: Int, diagnostic: EDMDiagnostic?)] {
        var decoder = EDMStreamDecoder()
        var buffer: [UInt8] = []
        var consumed = 0
        var out: [(bytes: [UInt8], offset: Int, diagnostic: EDMDiagnostic?)] = []
        func take(_ unit: EDMStreamUnit) {
            if case .garbage(_, let d) = unit {
                out.append((Array(unit.bytes), unit.offset, d))
            } else {
                out.append((Array(unit.bytes), unit.offset, nil))
            }
        }
        for (i, chunk) in chunks.enumerated() {
            buffer.append(contentsOf: chunk)
            var slice = buffer[consumed...]
            while let unit = decoder.decode(&slice) { take(unit) }
            consumed = slice.startIndex
            if i == chunks.count - 1 {
                while let unit = decoder.decodeLast(&slice) { take(unit) }
            }
        }
        return out
    }

    static func same(
        _ a: [(bytes: [UInt8], offset: Int, diagnostic: EDMDiagnostic?)],
        _ b: [(bytes: [UInt8], offset: Int, diagnostic: EDMDiagnostic?)]
    ) -> Bool {
        a.count == b.count
            && zip(a, b).allSatisfy { $0.bytes == $1.bytes && $0.offset == $1.offset && $0.diagnostic == $1.diagnostic }
    }

    @Test func wholeStreamYieldsEveryFrame() {
        let units = Self.decode([Self.stream[...]])
        #expect(units.map(\.bytes) == Self.frames)
        #expect(units.allSatisfy { $0.diagnostic == nil })
    }

    @Test func byteByByteAndEverySplitPointAgree() {
        let whole = Self.decode([Self.stream[...]])
        #expect(Self.same(Self.decode(Self.stream.indices.map { Self.stream[$0...$0] }), whole))
        for cut in 1..<Self.stream.count {
            #expect(Self.same(Self.decode([Self.stream[..<cut], Self.stream[cut...]]), whole), "cut at \(cut)")
        }
    }

    @Test func aFrameCutAnywhereYieldsNothingUntilComplete() {
        for frame in Self.frames {
            var decoder = EDMStreamDecoder()
            for cut in 0..<frame.count {
                var partial = frame[..<cut]
                #expect(decoder.decode(&partial) == nil)
                #expect(partial.count == cut, "a partial frame must not be consumed")
            }
            var all = frame[...]
            #expect(decoder.decode(&all) == .frame(EDMFrame(unchecked: frame[...]), offset: 0))
        }
    }

    @Test func junkBetweenFramesNeverSwallowsTheNextFrame() {
        let a = EDMEncoder.atConfirmation("\r\nOK\r\n"), b = EDMEncoder.dataEvent(channel: 0, data: [0xAA, 0x55, 0xAA])
        let corruptLength: [UInt8] = [0xAA, 0x00, 0x08, 0x00, 0x31]   // its stop byte would lie inside the next frame
        let reserved: [UInt8] = [0xAA, 0xF0, 0x02]
        let input = a + [0x13, 0x37] + corruptLength + b + reserved + a + [0xAA]
        let units = Self.decode([input[...]])
        let expected: [(bytes: [UInt8], offset: Int, diagnostic: EDMDiagnostic?)] = [
            (a, 0, nil),
            ([0x13, 0x37], a.count, EDMDiagnostic(.noStartByte, offset: a.count, count: 2)),
            (corruptLength, a.count + 2, EDMDiagnostic(.badStopByte, offset: a.count + 2, count: 5)),
            (b, a.count + 7, nil),
            (reserved, a.count + 7 + b.count, EDMDiagnostic(.reservedBitsSet, offset: a.count + 7 + b.count, count: 3)),
            (a, a.count + 10 + b.count, nil),
            (
                [0xAA], 2 * a.count + 10 + b.count,
                EDMDiagnostic(.truncated, offset: 2 * a.count + 10 + b.count, count: 1)
            )
        ]
        #expect(Self.same(units, expected), "\(units.map { ($0.offset, $0.diagnostic?.code.rawValue ?? "frame") })")
        for cut in 1..<input.count {
            #expect(Self.same(Self.decode([input[..<cut], input[cut...]]), expected), "cut at \(cut)")
        }
    }

    @Test func invalidLengthIsAFalseStart() {
        let frame = EDMEncoder.startEvent()
        let units = Self.decode([([0xAA, 0x00, 0x01] + frame)[...]])
        #expect(units.map(\.diagnostic?.code) == [.invalidLength, nil])
        #expect(units.map(\.bytes) == [[0xAA, 0x00, 0x01], frame])
    }

    @Test func longGarbageIsReportedInBoundedPieces() {
        let junk = [UInt8](repeating: 0x20, count: 10_000)
        let units = Self.decode([(junk + EDMEncoder.startEvent())[...]])
        #expect(units.map(\.bytes.count) == [4099, 4099, 1802, 6])
        #expect(units.map(\.offset) == [0, 4099, 8198, 10_000])
    }

    @Test func aFalseStartsRunEndsAtALineBreak() {
        // A module that reboots in EDM: a stray 0xAA in boot noise, then +STARTUP on its own line.
        let input: [UInt8] = [0xAA, 0xFF, 0x01, 0x02] + Array("\r\n+STARTUP\r\n".utf8) + EDMEncoder.startEvent()
        let units = Self.decode([input[...]])
        #expect(
            units.first.map { ($0.bytes, $0.diagnostic?.code) } ?? ([], nil) == (
                [0xAA, 0xFF, 0x01, 0x02], .reservedBitsSet
            ))
        #expect(
            units.dropFirst().prefix(while: { $0.diagnostic != nil }).allSatisfy { $0.bytes.allSatisfy { $0 != 0xAA } })
        #expect(units.last.map(\.bytes) == EDMEncoder.startEvent())
        #expect(units.map(\.bytes.count).reduce(0, +) == input.count)
        for cut in 1..<input.count {
            #expect(Self.same(Self.decode([input[..<cut], input[cut...]]), units), "cut at \(cut)")
        }
    }

    /// u-blox's C parser masks the reserved length bits; ours refuses the frame and resyncs.
    @Test(arguments: [0x10, 0x20, 0x40, 0x80, 0xF0] as [UInt8])
    func reservedLengthBitsAreAFalseStart(bit: UInt8) {
        var marked = EDMEncoder.startEvent()
        marked[1] |= bit
        let units = Self.decode([(marked + EDMEncoder.startEvent())[...]])
        #expect(units.first?.diagnostic?.code == .reservedBitsSet)
        #expect(units.first?.bytes == Array(marked.prefix(1 + marked.dropFirst().prefix { $0 != 0xAA }.count)))
        #expect(units.last.map(\.bytes) == EDMEncoder.startEvent() && units.last?.diagnostic == nil)
    }
}
