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

/// The product's path: the session decoder, as edm-decode runs it (`receive(...appendingTo:)`
/// into a batch it reuses), fed in reads of 4 KiB, the module's stream. Its frames are cut by
/// `EDMStreamDecoder`; everything else it reports is counted as skipped bytes.
@inline(never)
func walkSession(_ input: [UInt8]) -> WalkStats {
    var stats = WalkStats()
    var decoder = SessionDecoder()
    var units: [SessionUnit] = []
    units.reserveCapacity(256)
    func tally() {
        for unit in units {
            if case .frame(let frame) = unit.kind {
                stats.frames += 1
                stats.payloadBytes += frame.payloadLength
                stats.payloadIDSum &+= Int(frame.payloadID.rawValue)
            } else {
                stats.skippedBytes += unit.bytes.count
            }
        }
        units.removeAll(keepingCapacity: true)
    }
    var start = 0
    while start < input.count {
        let end = min(input.count, start + 4096)
        decoder.receive(time: .zero, direction: .module, bytes: input[start..<end], appendingTo: &units)
        tally()
        start = end
    }
    decoder.finish(appendingTo: &units)
    tally()
    return stats
}

/// The C baseline over the same bytes.
@inline(never)
func walkC(_ input: [UInt8]) -> WalkStats {
    let s = input.withUnsafeBufferPointer { cfw_walk($0.baseAddress, $0.count) }
    return WalkStats(frames: Int(s.frames), payloadBytes: Int(s.payloadBytes),
                     skippedBytes: Int(s.skippedBytes), payloadIDSum: Int(s.payloadIDSum))
}
