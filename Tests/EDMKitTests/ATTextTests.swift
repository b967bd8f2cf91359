import Testing
@testable import EDMKit

/// The session decoder reads a few lines' parameters in place (`ATText`); they must come out
/// exactly as `ATCommandLine`, which parses everything, reads them.
@Suite struct ATTextTests {
    private static let pieces = [
        "0", "1", "2", "02", "+2", "-1", " 3", "4 ", "\"5\"", "\"", "ca.pem", " key.pem ", "\"a,b\"",
        "", "1261", "99999999999999999999", "x", "?", ":", "="
    ]

    private static func randomLines(prefixes: [String], seed: UInt64) -> [ArraySlice<UInt8>] {
        var rng = SplitMix64(seed: seed)
        return (0..<20_000).map { _ in
            let parameters = (0..<Int.random(in: 0...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }
            return Array((prefixes.randomElement(using: &rng)! + parameters.joined(separator: ",")).utf8)[...]
        }
    }

    @Test func peerHandlesReadAsTheParserReadsThem() {
        var found = 0
        for line in Self.randomLines(prefixes: ["+UUDPC:", "+UUDPD:", "+UUDPC: ", "+UUDPD", "+UUDPX:"], seed: 1) {
            let name = ATText.responseName(line)
            let expected = ByteText.equals(name, "+UUDPC") || ByteText.equals(name, "+UUDPD")
                ? ATCommandLine(bytes: line).integer(0).map { (String(decoding: name, as: UTF8.self), $0) } : nil
            let got = ATText.peerURC(line)
            #expect(got?.0 == expected?.0 && got?.1 == expected?.1, "\(String(decoding: line, as: UTF8.self))")
            if got != nil { found += 1 }
        }
        #expect(found > 5_000)
    }

    /// `lines` splits on CR and LF and drops empty lines, as the standard library's `split` does.
    @Test func linesSplitAsTheStandardLibrarySplits() {
        var rng = SplitMix64(seed: 4)
        let pieces: [[UInt8]] = [
            [0x0D], [0x0A], [0x0D, 0x0A], Array("OK".utf8), Array("+UDCP:2".utf8), [0x41], [0xAA, 0x00]
        ]
        for _ in 0..<5_000 {
            let body = (0..<Int.random(in: 0...8, using: &rng)).flatMap { _ in pieces.randomElement(using: &rng)! }
            let slice = ([0x55] + body + [0x55])[1..<(body.count + 1)] // (indices not starting at 0)
            #expect(ATText.lines(slice) == slice.split(whereSeparator: isLineBreak), "\(body)")
        }
    }

    /// The eight-at-a-time check of printable ASCII: every byte value in every lane.
    @Test func plainASCIIWordsByteByByte() {
        for b in 0...255 {
            for lane in 0..<8 {
                var word = [UInt8](repeating: 0x41, count: 8)
                word[lane] = UInt8(b)
                #expect(
                    ByteText.isPlainASCII(word.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
                        == (0x20...0x7E).contains(b),
                    "\(b) in lane \(lane)")
            }
        }
    }

    /// Printable AT text, checked eight bytes at a time, as a byte-by-byte check says.
    @Test func printableATAsAByteByByteCheckSays() {
        var rng = SplitMix64(seed: 5)
        let pieces: [[UInt8]] = [
            Array("+UUDPC:1".utf8), Array("AT".utf8), Array("OK".utf8), [0x09], [0x7F], [0x1F], [0x80], [0x20], [0x7E]
        ]
        var printable = 0
        for _ in 0..<10_000 {
            let text = (0..<Int.random(in: 0...6, using: &rng)).flatMap { _ in pieces.randomElement(using: &rng)! }
            let slice = ([0x41] + text)[1...] // (indices not starting at 0)
            let expected = !text.isEmpty && text.allSatisfy { $0 >= 0x20 && $0 < 0x7F || $0 == 0x09 }
                && (text[0] == UInt8(ascii: "+") || ATText.isCommand(slice) || ATText.isFinal(slice))
            #expect(ATText.isPrintableAT(slice) == expected, "\(text)")
            if expected { printable += 1 }
        }
        #expect(printable > 1_000)
    }
}
