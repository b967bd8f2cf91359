import Testing
@testable import EDMKit

@Suite struct JSONWriterTests {
    private func written(_ body: (inout JSONWriter) -> Void) -> String {
        var writer = JSONWriter()
        body(&writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    @Test func escapesWhatJSONRequiresAndNothingElse() {
        #expect(written { $0.string("a\"b\\c\nd\re\tf\u{01}g\u{1F}é€") } == #""a\"b\\c\nd\re\tf\u0001g\u001fé€""#)
        #expect(written { $0.string(utf8: [0x41, 0x22, 0x7F, 0x42][...]) } == "\"A\\\"\u{7F}B\"")
        // Invalid UTF-8 becomes U+FFFD, as String(decoding:as:) does.
        #expect(written { $0.string(utf8: [0x41, 0xC3, 0x28, 0xFF][...]) } == "\"A\u{FFFD}(\u{FFFD}\"")
    }

    @Test func numbersHexAndSeconds() {
        #expect(written { $0.int(0) } == "0")
        #expect(written { $0.int(-1234567890) } == "-1234567890")
        #expect(written { $0.int(Int.min) } == String(Int.min))
        #expect(written { $0.hex([0x00, 0xAB, 0x5F][...]) } == #""00AB5F""#)
        #expect(written { $0.hexString(0x0044) } == #""0x0044""#)
        #expect(written { $0.seconds(.microseconds(14_076_000)) } == "14.076000")
        #expect(written { $0.seconds(.microseconds(-500_000)) } == "-0.500000")
        #expect(written { $0.seconds(.microseconds(-1_000_001)) } == "-1.000001")
        #expect(written { $0.seconds(.zero) } == "0.000000")
    }

    /// Hex and quoting go a word at a time: every byte value, at every position of words
    /// cut every way, must come out as written a byte at a time.
    @Test func wordAtATimeHexAndQuotingMatchByteAtATime() {
        var rng = SplitMix64(seed: 11)
        let special: [UInt8] = [
            0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x21, 0x22, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xA2, 0xDC, 0xFF
        ]
        for length in 0..<40 {
            for _ in 0..<60 {
                let bytes = (0..<length).map { _ in
                    Bool.random(using: &rng)
                        ? special.randomElement(using: &rng)! : UInt8.random(in: 0x20...0x7E, using: &rng)
                }
                let hex = bytes.map { String($0, radix: 16, uppercase: true) }.map { $0.count == 1 ? "0" + $0 : $0 }
                    .joined()
                #expect(written { $0.hex(bytes[...]) } == "\"" + hex + "\"")
                let ascii = bytes.map { $0 & 0x7F }
                var escaped = "\""
                for b in ascii {
                    switch b {
                    case 0x22: escaped += "\\\""
                    case 0x5C: escaped += "\\\\"
                    case 0x0A: escaped += "\\n"
                    case 0x0D: escaped += "\\r"
                    case 0x09: escaped += "\\t"
                    case ..<0x20: escaped += "\\u00" + (b < 0x10 ? "0" : "") + String(b, radix: 16)
                    default: escaped += String(UnicodeScalar(b))
                    }
                }
                #expect(written { $0.string(utf8: ascii[...]) } == escaped + "\"", "\(ascii)")
            }
        }
        // Every byte value in every lane of a word, alone and before another that needs
        // escaping: the first that does is found exactly.
        for b in 0...255 {
            for lane in 0..<8 {
                for later in [nil, 0x00, 0x22, 0x5C] as [UInt8?] {
                    var word = [UInt8](repeating: 0x41, count: 8)
                    if let later, lane < 7 { word[7] = later }
                    word[lane] = UInt8(b)
                    let first = word.firstIndex { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }
                    let escapes = JSONWriter.escapes(word.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
                    #expect(
                        (escapes == 0 ? nil : escapes.trailingZeroBitCount / 8) == first,
                        "\(b) in lane \(lane), then \(later ?? 0x41)")
                }
            }
        }
        // Every byte value in every lane of the vector.
        for lane in 0..<16 {
            var lanes = SIMD16<UInt8>(repeating: 0x5A)
            for b in 0...255 {
                lanes[lane] = UInt8(b)
                let digits = JSONWriter.hexDigits(of: lanes)
                #expect(
                    digits[lane] == UInt16(UInt8(ascii: b < 0xA0 ? "0" : "7") + UInt8(b >> 4)) | UInt16(
                        UInt8(ascii: b & 0xF < 10 ? "0" : "7") + UInt8(b & 0xF)) << 8)
            }
        }
    }

    /// `data` is shown when the bytes are printable UTF-8 (tabs and line breaks allowed): the
    /// eight-at-a-time check says what a byte-by-byte one says, whatever the bytes.
    @Test func printableBytesAsAByteByByteCheckSays() {
        var rng = SplitMix64(seed: 9)
        let pieces: [[UInt8]] = [
            [0x41], [0x20], [0x7E], [0x7F], [0x09], [0x0A], [0x0D], [0x00], [0x1F], [0xC3, 0xA9], [0xC3],
            [0xE2, 0x82, 0xAC], [0xFF]
        ]
        var printable = 0
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0...40, using: &rng)).flatMap { _ in
                Int.random(in: 0..<8, using: &rng) == 0 ? pieces.randomElement(using: &rng)! : [0x61]
            }
            let expected = bytes.allSatisfy { !($0 < 0x20 || $0 == 0x7F) || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
                && String(validating: bytes, as: UTF8.self) != nil
            let slice = ([0x00] + bytes)[1...] // (indices not starting at 0)
            #expect(isPrintable(slice) == expected, "\(bytes)")
            if expected { printable += 1 }
        }
        #expect(printable > 2_000 && printable < 18_000)
    }

    @Test func commasBetweenMembersAndElementsOnly() {
        let text = written { w in
            w.openObject()
            w.key("a"); w.int(1)
            w.key("b"); w.openArray(); w.int(2); w.openObject(); w.closeObject(); w.string("x"); w.closeArray()
            w.key(text: "c\"d"); w.openObject(); w.key("e"); w.null(); w.closeObject()
            w.members(Array(#""f":true,"g":false"#.utf8))
            w.members([])
            w.closeObject()
        }
        #expect(text == #"{"a":1,"b":[2,{},"x"],"c\"d":{"e":null},"f":true,"g":false}"#)
    }

    /// Random documents survive writing and parsing back.
    @Test func randomValuesRoundTrip() {
        var rng = SplitMix64(seed: 7)
        func value(_ depth: Int) -> JSONValue {
            switch Int.random(in: 0..<(depth > 3 ? 4 : 6), using: &rng) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &rng))
            case 2: return .number(String(Int.random(in: -99_999...99_999, using: &rng)))
            case 3:
                return .string(
                    String(
                        (0..<Int.random(in: 0..<12, using: &rng)).map { _ in
                            Character(
                                Unicode.Scalar(
                                    [0x22, 0x5C, 0x0A, 0x01, 0x41, 0xE9, 0x20AC, 0x1F600].randomElement(using: &rng)!)!)
                        }))
            case 4: return .array((0..<Int.random(in: 0..<4, using: &rng)).map { _ in value(depth + 1) })
            default: return .object((0..<Int.random(in: 0..<4, using: &rng)).map { i in ("k\(i)\"", value(depth + 1)) })
            }
        }
        for _ in 0..<500 {
            let v = value(0)
            #expect(JSONValue(parsing: Array(v.serialized.utf8)) == v, "\(v.serialized)")
        }
    }
}

@Suite struct JSONLinesRendererTests {
    private func line(_ renderer: inout JSONLinesRenderer, _ unit: SessionUnit) -> String {
        var writer = JSONWriter()
        renderer.render(unit, into: &writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    private var units: [SessionUnit] {
        var decoder = SessionDecoder()
        for record in Session.records { decoder.receive(record) }
        decoder.finish()
        return Array(sequence(state: decoder) { $0.next() })
    }

    /// A text's meaning is worked out once and remembered: a remembered line must read exactly
    /// as one worked out from scratch.
    @Test func rememberedTextsRenderAsFreshOnes() {
        let units = self.units
        #expect(units.count > 50)
        var remembering = JSONLinesRenderer()
        for _ in 0..<2 { for unit in units { _ = line(&remembering, unit) } } // (kept the second time)
        for unit in units {
            var fresh = JSONLinesRenderer()
            let again = line(&remembering, unit)
            #expect(again == line(&fresh, unit))
            #expect(JSONValue(parsing: Array(again.utf8)) != nil, "\(again)")
        }
    }

    /// edm-decode writes lines on two threads, each with meanings of its own, and keeps the
    /// summary apart, from the entries the lines return: that must write what one renderer does.
    @Test func linesWrittenApartMatchOneRenderer() {
        let units = self.units
        var one = JSONLinesRenderer(), meanings = [JSONMeanings(), JSONMeanings()], summary = SessionSummary()
        for (i, unit) in units.enumerated() {
            var whole = JSONWriter(), apart = JSONWriter()
            one.render(unit, into: &whole)
            summary.add(JSONLinesRenderer.line(unit, meanings: &meanings[i % 2], into: &apart))
            #expect(apart.bytes == whole.bytes)
        }
        var whole = JSONWriter(), apart = JSONWriter()
        one.renderClosing(anomalies: [], into: &whole)
        JSONLinesRenderer.closing(summary, anomalies: [], into: &apart)
        #expect(apart.bytes == whole.bytes)
        #expect(summary.outcome == .assigned && summary.phases.count >= 4 && summary.unitCount == units.count)
    }

    /// A unit is kept the second time it comes (the first, only its hash is noted), and found
    /// after that.
    @Test func aUnitIsKeptTheSecondTimeItComes() throws {
        var memo = UnitMeaningCache<Int>()
        let unit = SessionUnit(
            index: 0, time: .zero, direction: .host, offset: 0, bytes: Array("AT+CPWROFF\r".utf8)[...],
            kind: .at(.command))
        let key = try #require(UnitMeaningKey(unit))
        memo.keep(for: key) { 1 }
        #expect(memo[key] == nil)
        memo.keep(for: key) { 2 }
        #expect(memo[key] == 2)
        #expect(UnitMeaningKey(unit, variant: 1).flatMap { memo[$0] } == nil)
    }

    /// Keys are equal exactly when source, variant and bytes are (the bytes compared eight at
    /// a time, then one by one), and equal keys have one digest: every length up to 20, a
    /// change at every position.
    @Test func keysCompareTheirBytes() {
        for count in 0...20 {
            let bytes = (0..<count).map { UInt8(0x30 + $0) }
            let a = UnitMeaningKey(source: .at, bytes: ([0xFF] + bytes)[1...], variant: 0)  // (indices not starting at 0)
            let same = UnitMeaningKey(source: .at, bytes: bytes[...], variant: 0)
            #expect(a == same && a.digest == same.digest)
            #expect(a != UnitMeaningKey(source: .frame, bytes: bytes[...], variant: 0))
            #expect(a != UnitMeaningKey(source: .at, bytes: bytes[...], variant: 1))
            #expect(a != UnitMeaningKey(source: .at, bytes: (bytes + [0])[...], variant: 0))
            for i in bytes.indices {
                var changed = bytes
                changed[i] ^= 0x01
                #expect(a != UnitMeaningKey(source: .at, bytes: changed[...], variant: 0), "length \(count), byte \(i)")
            }
        }
    }

    /// Many keys kept, more than fit: each finds its own value until the memo is full, then it
    /// starts again with none (keys of every length, and keys differing only in source or variant,
    /// share probe sequences along the way).
    @Test func keptKeysFindTheirOwnValues() {
        var memo = UnitMeaningCache<Int>()
        let max = UnitMeaningCache<Int>.maxKnown
        func key(_ n: Int) -> UnitMeaningKey {
            UnitMeaningKey(
                source: n % 3 == 0 ? .frame : .at, bytes: Array("AT+UDUV=0,\(n / 2)".utf8)[...], variant: n % 2)
        }
        for n in 0..<(max + 100) {
            memo.keep(for: key(n)) { n }
            memo.keep(for: key(n)) { n } // (kept the second time)
            let firstKept = n < max ? 0 : max // (the memo started again at the key past its size)
            if n % 97 == 0 || n == max - 1 || n == max {
                for m in 0...n { #expect(memo[key(m)] == (m >= firstKept ? m : nil), "\(m) after \(n)") }
            }
        }
    }

    /// More distinct texts than it keeps: it forgets and still renders every one right.
    @Test func manyDistinctTextsStayCorrect() {
        var renderer = JSONLinesRenderer()
        for i in 0..<(UnitMeaningCache<Int>.maxKnown * 2 + 5) {
            let bytes = Array("AT+UDUV=0,value\(i)\r".utf8)
            let unit = SessionUnit(
                index: i, time: .zero, direction: .host, offset: 0, bytes: bytes[...], kind: .at(.command))
            let text = line(&renderer, unit)
            #expect(text.contains(#""text":"AT+UDUV=0,value\#(i)""#))
            #expect(text.contains(#""explanation":"set URL variable 0 to \"value\#(i)\"""#), "\(text)")
        }
    }
}

/// The prepared `from`/`layer`/`type` fragments are what writing the members one by one gives.
@Test func lineHeadsMatchMembersWrittenOneByOne() {
    for (slot, kind) in SessionUnit.Kind.distinctTypes.enumerated() {
        #expect(kind.typeIndex == slot)
        for direction in JSONLinePrefix.directions {
            let unit = SessionUnit(index: 0, time: .zero, direction: direction, offset: 0, bytes: [], kind: kind)
            let head = String(decoding: JSONLinePrefix.members(of: unit), as: UTF8.self)
            #expect(Array(head.utf8) == JSONLinePrefix.written(direction: direction, kind: kind))
            #expect(head.hasPrefix(#""from":""#) && head.contains(#","type":"\#(unit.type)""#), "\(head)")
        }
    }
    // An id the protocol does not define is an `unknown` frame like any other.
    let odd = SessionUnit(index: 0, time: .zero, direction: .module, offset: 0, bytes: [],
                          kind: .frame(try! EDMFrame(validating: [0xAA, 0x00, 0x02, 0x0F, 0xF1, 0x55][...])))
    #expect(String(decoding: JSONLinePrefix.members(of: odd), as: UTF8.self) == #""from":"module","#
        + #""layer":"edm","type":"unknown""#)
}
