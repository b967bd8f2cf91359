/// A small seeded generator: the core's only source of arbitrary values (backoff jitter, the
/// simulator's ids, noise and timing, the replayer's faults), so the same seed gives the same
/// bytes on every run and platform. Ranges come from our own arithmetic rather than the
/// standard library's `random(in:using:)`, whose algorithm is not a documented contract.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<bound` (multiply-shift; the bias is far below anything a test could see).
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A value in `range`.
    public mutating func within(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// True with probability `numerator / denominator`.
    public mutating func chance(_ numerator: Int, in denominator: Int) -> Bool { below(denominator) < numerator }

    public mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }

    /// `count` lower-case hex digits.
    public mutating func hex(_ count: Int) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: (0..<count).map { _ in digits[below(16)] }, as: UTF8.self)
    }

    /// A version-4 UUID in lower case, as DPS writes operation and tracking ids.
    public mutating func uuid() -> String {
        let variant = Array("89ab".utf8)[below(4)]
        return hex(8) + "-" + hex(4) + "-4" + hex(3) + "-" + String(UnicodeScalar(variant)) + hex(3) + "-" + hex(12)
    }

    /// A separate generator for another purpose, so that drawing from one never shifts the other.
    public mutating func fork() -> SplitMix64 { SplitMix64(seed: next()) }
}
