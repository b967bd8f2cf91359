import EDMFrames
/// Invariants of `EDMStreamDecoder` (docs/architecture.md, "Zero-copy codec"):
/// - any split of the input gives the same units as feeding it whole;
/// - the units' bytes, concatenated, are the input exactly, and each unit's offset is where
///   its bytes start;
/// - every frame unit is one valid frame and re-encodes to the same bytes; every garbage run
///   is non-empty, at most `maxGarbageRun` long, and its diagnostic counts its bytes.
func checkStreamDecoder(_ input: [UInt8]) {
    let whole = decodeInChunks(input, splits: [])
    // The split point comes from the first byte, so the fuzzer steers it; a second split,
    // from the second byte, covers a unit cut in three.
    var splits: [Int] = []
    if let first = input.first { splits.append(Int(first) * input.count / 256) }
    if input.count > 1 { splits.append(splits[0] + Int(input[1]) * (input.count - splits[0]) / 256) }
    precondition(
        decodeInChunks(input, splits: Array(splits.prefix(1))) == whole, "split at one point changed the units")
    precondition(decodeInChunks(input, splits: splits) == whole, "split at two points changed the units")

    var joined: [UInt8] = []
    joined.reserveCapacity(input.count)
    for unit in whole {
        precondition(unit.offset == joined.count, "unit offset is not where its bytes start")
        joined += unit.bytes
        switch unit {
        case .frame(let frame, _):
            precondition((try? EDMFrame(validating: frame.bytes)) == frame, "decoded frame does not validate")
            precondition(
                EDMEncoder.frame(frame.payloadID, body: frame.body) == Array(frame.bytes),
                "frame does not re-encode to its bytes")
        case .garbage(let bytes, let diagnostic):
            precondition(
                !bytes.isEmpty && bytes.count <= EDMStreamDecoder.maxGarbageRun, "garbage run of \(bytes.count) bytes")
            precondition(diagnostic.count == bytes.count, "diagnostic count differs from the run")
        }
    }
    precondition(joined == input, "units do not concatenate to the input")
}

/// Feeds `input` to a fresh decoder the way a reader does: bytes arrive in chunks (cut at the
/// ascending `splits`), each chunk is appended to what is still unconsumed, decoding runs
/// until it needs more, and `decodeLast` drains what is left at the end.
func decodeInChunks(_ input: [UInt8], splits: [Int]) -> [EDMStreamUnit] {
    var decoder = EDMStreamDecoder()
    var units: [EDMStreamUnit] = []
    var buffer = ArraySlice<UInt8>()
    var start = 0
    for end in splits + [input.count] where end >= start {
        buffer.append(contentsOf: input[start..<end])
        start = end
        while let unit = decoder.decode(&buffer) { units.append(unit) }
    }
    while let unit = decoder.decodeLast(&buffer) { units.append(unit) }
    precondition(buffer.isEmpty, "decodeLast left bytes behind")
    return units
}
