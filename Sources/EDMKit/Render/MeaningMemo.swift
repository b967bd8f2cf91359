/// What the renderers work out from a unit's bytes (catalog words, DPS bodies, summaries),
/// remembered per distinct text or frame: sessions repeat the same lines (`OK`, the same
/// commands every run) and frames (connect events, the same requests), and parsing them was
/// most of the cost of a line.
///
/// At most `maxKnown` values are kept (then forgotten all at once), of texts or frames at most
/// `MeaningKey.maxLength` bytes long: memory stays bounded whatever the capture holds.
struct MeaningMemo<Value> {
    static var maxKnown: Int { 1024 }

    private var known: [MeaningKey: Value] = [:]

    subscript(key: MeaningKey) -> Value? { known[key] }

    mutating func keep(_ value: Value, for key: MeaningKey) {
        if known.count >= Self.maxKnown { known.removeAll(keepingCapacity: true) }
        // A copy of the bytes: the unit's slice would keep its whole input buffer alive.
        known[MeaningKey(source: key.source, bytes: ArraySlice(Array(key.bytes)), variant: key.variant)] = value
    }
}

extension MeaningMemo: Sendable where Value: Sendable {}

/// What a unit's meaning depends on, when that is its bytes alone: how `MeaningMemo` finds it.
struct MeaningKey: Hashable, Sendable {
    /// Longer texts and frames are not kept.
    static let maxLength = 256

    enum Source: UInt8, Sendable { case atText, frameText, frame }
    var source: Source
    /// The AT text (without its line breaks), or the whole frame of any other id.
    var bytes: ArraySlice<UInt8>
    /// Anything else the remembered value depends on (the transcript's summary names the
    /// AT unit's type and a data frame's peer); 0 when nothing.
    var variant: Int

    /// Nil for a unit with a diagnostic (its message is shown instead), a prompt (whose
    /// meaning is not in its text), raw bytes, or bytes too long to keep.
    init?(_ unit: SessionUnit, variant: Int = 0) {
        guard unit.diagnostic == nil else { return nil }
        switch unit.kind {
        case .at(let type):
            guard type != .prompt else { return nil }
            source = .atText
            bytes = trimmingLineBreaks(unit.bytes)
        case .frame(let frame):
            if let text = frame.atText {
                source = .frameText
                bytes = trimmingLineBreaks(text)
            } else {
                source = .frame
                bytes = frame.bytes
            }
        case .raw:
            return nil
        }
        guard bytes.count <= Self.maxLength else { return nil }
        self.variant = variant
    }

    init(source: Source, bytes: ArraySlice<UInt8>, variant: Int) {
        self.source = source
        self.bytes = bytes
        self.variant = variant
    }

    // The bytes in one go: ArraySlice's own hash feeds the hasher a byte at a time, and
    // its == compares them one by one.
    func hash(into hasher: inout Hasher) {
        hasher.combine(source)
        if variant != 0 { hasher.combine(variant) }
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    static func == (a: MeaningKey, b: MeaningKey) -> Bool {
        guard a.source == b.source, a.variant == b.variant, a.bytes.count == b.bytes.count else { return false }
        return a.bytes.withUnsafeBufferPointer { x in
            b.bytes.withUnsafeBufferPointer { y in
                for i in x.indices where x[i] != y[i] { return false }
                return true
            }
        }
    }
}
