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
/// Both are arbitrary, drawn from the seed, but shaped so that they can never be read as
/// protocol: no line of noise starts with a printable byte (so it is never taken for `OK`,
/// `>` or a URC), and every `0xAA` in garbage is followed by a byte with the reserved length
/// bits set (so it is never the start of a valid frame).
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

    /// One to eight bytes of garbage between EDM frames: no `0xAA` start except false ones,
    /// no CR or LF (which a host might take for the start of text).
    package static func garbage(_ rng: inout SplitMix64) -> [UInt8] {
        let count = rng.within(1...8)
        var out: [UInt8] = []
        while out.count < count {
            if rng.chance(1, in: 4) {
                out += [EDMFrame.start, 0xF0 | rng.byte() & 0x0F]
                continue
            }
            let b = rng.byte()
            if b == EDMFrame.start || b == 0x0D || b == 0x0A { continue }
            out.append(b)
        }
        return out
    }
}
