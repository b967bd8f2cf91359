import CFrameWalker
import EDMKit

/// What a walk over the mix found; the Swift decoder and the C walker must agree exactly.
struct WalkStats: Equatable {
    var frames = 0
    var payloadBytes = 0
    var skippedBytes = 0
    var payloadIDSum = 0
}

/// The Swift side: the single-step contract exactly as a caller uses it, reading each frame's
/// payload id and length so the optimiser cannot drop the work.
@inline(never)
func walkSwift(_ input: [UInt8]) -> WalkStats {
    var stats = WalkStats()
    var decoder = EDMStreamDecoder()
    var buffer = input[...]
    @inline(__always)
    func tally(_ unit: EDMStreamUnit) {
        switch unit {
        case .frame(let frame, _):
            stats.frames += 1
            stats.payloadBytes += frame.payloadLength
            stats.payloadIDSum &+= Int(frame.payloadID.rawValue)
        case .garbage(let bytes, _):
            stats.skippedBytes += bytes.count
        }
    }
    while let unit = decoder.decode(&buffer) { tally(unit) }
    while let unit = decoder.decodeLast(&buffer) { tally(unit) }
    return stats
}

/// The C baseline over the same bytes.
@inline(never)
func walkC(_ input: [UInt8]) -> WalkStats {
    let s = input.withUnsafeBufferPointer { cfw_walk($0.baseAddress, $0.count) }
    return WalkStats(frames: Int(s.frames), payloadBytes: Int(s.payloadBytes),
                     skippedBytes: Int(s.skippedBytes), payloadIDSum: Int(s.payloadIDSum))
}
