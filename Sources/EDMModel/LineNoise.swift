import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// Bytes that are not protocol: ESP32 boot noise and garbage on a noisy line.
///
/// Both are drawn from the seed. Boot noise is shaped so that it is never read as protocol:
/// no line of it starts with a printable byte (so it is never taken for `OK`, `>` or a URC).
/// Garbage is arbitrary bytes, valid-looking frame headers included, that the frame after
/// it refutes (`garbage(before:_:)`).
package enum LineNoise {
    /// What a NINA-W13/W15 prints while it boots, before `+STARTUP`: ROM output at another
    /// baud rate, mostly non-ASCII, with line breaks and, on some boots, `0xAA`.
    package static func boot(_ rng: inout SplitMix64) -> [UInt8] {
        let count = rng.within(12...48)
        var out: [UInt8] = []
        var lineStart = true
        while out.count < count {
            var b = rng.byte()
            if lineStart {
                b |= 0x80
            } else if rng.chance(1, in: 12) {
                b = rng.chance(1, in: 2) ? 0x0D : 0x0A
            }
            out.append(b)
            lineStart = b == 0x0D || b == 0x0A
        }
        if rng.chance(1, in: 2) { out.insert(0xAA, at: rng.within(1...out.count)) }
        // End on a non-line-break byte, so the noise never ends a line by itself.
        if let last = out.last, last == 0x0D || last == 0x0A { out.append(0x80 | rng.byte()) }
        return out
    }

    /// One to eight arbitrary bytes of garbage before `frame`, at times with a frame header
    /// that looks valid (`AA 00 n`): what a noisy line puts between frames. Each `0xAA` in it
    /// is a false start that the bytes up to the end of `frame` refute (reserved length bits,
    /// a length below 2, or no `0x55` where the length puts the stop byte), so a decoder that
    /// distrusts a false start's `0xAA` finds `frame` without waiting for later bytes. Garbage
    /// that would hide the frame is drawn again.
    package static func garbage(before frame: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        while true {
            var out = (0..<rng.within(1...8)).map { _ in rng.byte() }
            if rng.chance(1, in: 3) {
                out.insert(contentsOf: [EDMFrame.start, 0x00, UInt8(rng.within(2...8))], at: rng.within(0...out.count))
            }
            if refuted(out, before: frame) { return out }
        }
    }

    /// Whether every `0xAA` of `garbage` is a false start, decided by `garbage + frame`: the
    /// product's own framing rule (`EDMStreamDecoder`) ends on `frame`, with no byte left over.
    private static func refuted(_ garbage: [UInt8], before frame: [UInt8]) -> Bool {
        var decoder = EDMStreamDecoder()
        var bytes = (garbage + frame)[...]
        var last: EDMStreamUnit?
        while let unit = decoder.decode(&bytes) { last = unit }
        guard bytes.isEmpty, case .frame(let found, _)? = last else { return false }
        return found.bytes.elementsEqual(frame)
    }
}
