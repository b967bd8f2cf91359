/// What the renderers work out from a unit's bytes (catalog words, DPS bodies, summaries,
/// JSON's `text` and `hex`), remembered per distinct unit: sessions repeat the same lines
/// (`OK`, the same commands every run) and frames (connect events, the same requests), and
/// parsing and quoting them was most of the cost of a line.
///
/// At most `maxKnown` values are kept (then forgotten all at once), of units at most
/// `MeaningKey.maxLength` bytes long: memory stays bounded whatever the capture holds.
///
/// A unit is kept the second time it comes: most units not seen before never come again (they
/// carry a device or operation id), and copying their bytes into the memo cost more than the
/// lookup that missed them; the first time, only their hash is noted.
struct MeaningMemo<Value> {
    static var maxKnown: Int { 1024 }

    private var known: [MeaningKey: Value] = [:]
    /// Hashes of keys seen once and not kept (a collision only keeps a unit early).
    private var seen: Set<Int> = []

    subscript(key: MeaningKey) -> Value? { known[key] }

    /// The value kept for `key`, or else `make()`'s, kept for next time (with no key, nothing
    /// is kept).
    mutating func value(for key: MeaningKey?, orMake make: () -> Value) -> Value {
        if let key, let value = known[key] { return value }
        let value = make()
        if let key { keep(value, for: key) }
        return value
    }

    mutating func keep(_ value: Value, for key: MeaningKey) {
        let hash = key.hashValue
        guard seen.remove(hash) != nil else {
            if seen.count >= 4 * Self.maxKnown { seen.removeAll(keepingCapacity: true) }
            seen.insert(hash)
            return
        }
        if known.count >= Self.maxKnown { known.removeAll(keepingCapacity: true) }
        // A copy of the bytes: the unit's slice would keep its whole input buffer alive.
        known[MeaningKey(source: key.source, bytes: ArraySlice(Array(key.bytes)), variant: key.variant)] = value
    }
}

extension MeaningMemo: Sendable where Value: Sendable {}

/// What a unit's meaning depends on, when that is its bytes alone: how `MeaningMemo` finds it.
struct MeaningKey: Hashable, Sendable {
    /// Longer units are not kept.
    static let maxLength = 256

    /// The same bytes mean different things as AT text and as a frame.
    enum Source: UInt8, Sendable { case at, frame }
    var source: Source
    /// The unit's bytes, whole: JSON remembers its `text` and `hex` too.
    var bytes: ArraySlice<UInt8>
    /// Anything else the remembered value depends on (the transcript's summary names the
    /// AT unit's type and a data frame's peer); 0 when nothing.
    var variant: Int

    /// Nil for a unit `keeps` turns away.
    init?(_ unit: borrowing SessionUnit, variant: Int = 0) {
        guard Self.keeps(unit) else { return nil }
        // (A frame unit's bytes are its frame's.)
        if case .frame = unit.kind { self.init(source: .frame, bytes: unit.bytes, variant: variant) } else {
            self.init(source: .at, bytes: unit.bytes, variant: variant)
        }
    }

    /// False for a unit with a diagnostic (its message is shown instead), raw bytes (what a
    /// payload means is the credential its command announced), or bytes too long to keep.
    static func keeps(_ unit: borrowing SessionUnit) -> Bool {
        guard unit.diagnostic == nil, unit.bytes.count <= maxLength else { return false }
        if case .raw = unit.kind { return false }
        return true
    }

    init(source: Source, bytes: ArraySlice<UInt8>, variant: Int) {
        self.source = source
        self.bytes = bytes
        self.variant = variant
        digest = bytes.withUnsafeBytes(Self.digest)
    }

    /// The bytes' 64-bit digest, eight at a time: what the hasher is fed. (Every unit is looked
    /// up; the hasher took the bytes one 8-byte round at a time, a third of a lookup.) Equal
    /// digests of different bytes only share a bucket: `==` still compares the bytes.
    private let digest: UInt64

    private static func digest(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h = UInt64(bytes.count), i = 0
        func mix(_ word: UInt64) { h = (h ^ word) &* 0x9E37_79B9_7F4A_7C15; h ^= h >> 29 }
        while i + 8 <= bytes.count { mix(bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)); i += 8 }
        var tail: UInt64 = 0
        for j in i..<bytes.count { tail |= UInt64(bytes[j]) << (8 * (j - i)) }
        mix(tail)
        return h
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(source)
        hasher.combine(variant)
        hasher.combine(digest)
    }

    // The bytes eight at a time (ArraySlice's == compares them one by one).
    static func == (a: MeaningKey, b: MeaningKey) -> Bool {
        guard a.digest == b.digest, a.source == b.source, a.variant == b.variant, a.bytes.count == b.bytes.count else { return false }
        return a.bytes.withUnsafeBytes { x in
            b.bytes.withUnsafeBytes { y in
                var i = 0
                while i + 8 <= x.count {
                    guard x.loadUnaligned(fromByteOffset: i, as: UInt64.self) == y.loadUnaligned(fromByteOffset: i, as: UInt64.self) else { return false }
                    i += 8
                }
                while i < x.count { guard x[i] == y[i] else { return false }; i += 1 }
                return true
            }
        }
    }
}
