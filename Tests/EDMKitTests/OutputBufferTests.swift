import Testing
@testable import EDMKit

@Suite struct OutputBufferTests {
    /// Growing past the first storage keeps every byte, in order, whatever the piece sizes.
    @Test func growsAndKeepsEveryByte() {
        var buffer = OutputBuffer(capacity: 16)
        var expected: [UInt8] = []
        var rng = SplitMix64(seed: 3)
        for _ in 0..<200 {
            let piece = (0..<Int.random(in: 0..<100, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: buffer.append(contentsOf: piece)
            case 1: piece.withUnsafeBytes { buffer.append($0) }
            default:
                let out = buffer.room(piece.count + 7) // asking for more than is written is fine
                for (i, b) in piece.enumerated() { out[i] = b }
                buffer.advance(piece.count)
            }
            expected += piece
        }
        #expect(buffer.array == expected)
        buffer.removeAll()
        #expect(buffer.isEmpty && buffer.array.isEmpty)
    }

    /// A copy is a value: writing to one leaves the other as it was.
    @Test func copiesAreIndependent() {
        var a = OutputBuffer(capacity: 16)
        a.append(contentsOf: [1, 2, 3])
        var b = a
        b.append(4)
        a.room(1).pointee = 9
        a.advance(1)
        #expect(a.array == [1, 2, 3, 9] && b.array == [1, 2, 3, 4])
        let c = a
        a.removeAll()
        a.append(7)
        #expect(c.array == [1, 2, 3, 9] && a.array == [7])
    }

    /// Decimals read as Swift prints them, zero-padded when asked.
    @Test func decimalsAsSwiftPrintsThem() {
        var random = SplitMix64(seed: 11)
        // Every power of ten and its neighbours (where the digit count changes), then random ones.
        let powers = (0...19).map { (0..<$0).reduce(UInt64(1)) { p, _ in p * 10 } }
        let values: [UInt64] = [0, 12_345, .max] + powers.flatMap { [$0 - 1, $0, $0 + 1] }
            + (0..<300).map { _ in random.next() >> (random.next() % 64) }
        for value in values {
            var out = OutputBuffer(capacity: 16)
            out.appendDecimal(value)
            out.appendDecimal(value % 1000, minimumDigits: 3)
            out.appendDecimal(value % 1_000_000, minimumDigits: 6)
            let fraction = String(value % 1000)
            let micros = String(value % 1_000_000)
            #expect(
                String(decoding: out.array, as: UTF8.self) == String(value)
                    + String(repeating: "0", count: 3 - fraction.count) + fraction
                    + String(repeating: "0", count: 6 - micros.count) + micros)
            #expect(OutputBuffer.decimalDigits(value) == String(value).count)
        }
    }
}
