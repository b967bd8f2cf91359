import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis

/// What the renderers work out from a unit's bytes (catalog words, DPS bodies, summaries,
/// JSON's `text` and `hex`), remembered per distinct unit: sessions repeat the same lines
/// (`OK`, the same commands every run) and frames (connect events, the same requests), and
/// parsing and quoting them was most of the cost of a line.
///
/// At most `maxKnown` values are kept (then forgotten all at once), of units at most
/// `UnitMeaningKey.maxLength` bytes long: memory stays bounded whatever the capture holds.
///
/// A unit is kept the second time it comes: most units not seen before never come again (they
/// carry a device or operation id), so copying their bytes in would cost more than the lookups
/// that miss them; the first time, only their hash is noted.
package struct UnitMeaningCache<Value> {
    package static var maxKnown: Int { 1024 }

    package init() {}

    /// An open-addressing table probed from the key's digest, which every unit already has:
    /// a Dictionary would hash the digest again and copy the keys it compares. Never fuller
    /// than half, so probes stay short.
    /// A slot's tag (the digest, never 0; 0 for a free slot) is compared first, then what it
    /// keeps of its key: plain values, the key's bytes in `arena`.
    private var tags = [UInt64](repeating: 0, count: 2 * maxKnown)
    private var kept = [(source: UnitMeaningKey.Source, variant: Int, start: Int, count: Int)](
        repeating: (.at, 0, 0, 0), count: 2 * maxKnown)
    private var values = [Value?](repeating: nil, count: 2 * maxKnown)
    /// The kept keys' bytes, back to back (a copy: the unit's slice would keep its whole input
    /// buffer alive).
    private var arena: [UInt8] = []
    private var count = 0
    /// Digests of keys seen once and not kept (a collision only keeps a unit early).
    private var seen: Set<UInt64> = []

    package subscript(key: UnitMeaningKey) -> Value? { values[slot(of: key)] }

    /// The value kept for `key`, or else `make()`'s, kept for next time (with no key, nothing
    /// is kept).
    package mutating func value(for key: UnitMeaningKey?, orMake make: () -> Value) -> Value {
        guard let key else { return make() }
        let i = slot(of: key)
        if let value = values[i] { return value }
        let value = make()
        keep(for: key, at: i) { value }
        return value
    }

    /// Keeps `make()`'s value for `key` (not found before) if it comes for the second time;
    /// `make` is called only then.
    package mutating func keep(for key: UnitMeaningKey, _ make: () -> Value) { keep(for: key, at: slot(of: key), make) }

    /// `i`: the key's slot, or the free one where it would go.
    private mutating func keep(for key: UnitMeaningKey, at i: Int, _ make: () -> Value) {
        guard seen.remove(key.digest) != nil else {
            if seen.count >= 4 * Self.maxKnown { seen.removeAll(keepingCapacity: true) }
            seen.insert(key.digest)
            return
        }
        var i = i
        if count >= Self.maxKnown {
            let seen = self.seen
            self = UnitMeaningCache()
            self.seen = seen
            i = slot(of: key)
        }
        tags[i] = key.digest | 1
        kept[i] = (key.source, key.variant, arena.count, key.bytes.count)
        arena += key.bytes
        values[i] = make()
        count += 1
    }

    /// The slot holding `key`, or else the free slot where probing stopped.
    private func slot(of key: UnitMeaningKey) -> Int {
        let mask = tags.count - 1
        let tag = key.digest | 1
        // The product's high bits depend on all of the digest's.
        var i = Int(truncatingIfNeeded: (key.digest &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
        arena.withUnsafeBytes { arena in
            key.bytes.withUnsafeBytes { bytes in
                while tags[i] != 0 {
                    let k = kept[i]
                    if tags[i] == tag, k.source == key.source, k.variant == key.variant, k.count == bytes.count,
                       UnitMeaningKey.equal(UnsafeRawBufferPointer(rebasing: arena[k.start..<(k.start + k.count)]),
                           bytes) { return }
                    i = (i + 1) & mask
                }
            }
        }
        return i
    }
}

extension UnitMeaningCache: Sendable where Value: Sendable {}

/// What a unit's meaning depends on, when that is its bytes alone: how `UnitMeaningCache` finds it.
package struct UnitMeaningKey: Equatable, Sendable {
    /// Longer units are not kept.
    package static let maxLength = 256

    /// The same bytes mean different things as AT text and as a frame.
    package enum Source: UInt8, Sendable { case at, frame }
    package var source: Source
    /// The unit's bytes, whole: JSON remembers its `text` and `hex` too.
    package var bytes: ArraySlice<UInt8>
    /// Anything else the remembered value depends on (the transcript's summary names the
    /// AT unit's type and a data frame's peer); 0 when nothing.
    package var variant: Int

    /// Nil for a unit `keeps` turns away.
    package init?(_ unit: borrowing SessionUnit, variant: Int = 0) {
        guard Self.keeps(unit) else { return nil }
        // (A frame unit's bytes are its frame's.)
        if case .frame = unit.kind { self.init(source: .frame, bytes: unit.bytes, variant: variant) } else {
            self.init(source: .at, bytes: unit.bytes, variant: variant)
        }
    }

    /// False for a unit with a diagnostic (its message is shown instead), raw bytes (what a
    /// payload means is the credential its command announced), or bytes too long to keep.
    package static func keeps(_ unit: borrowing SessionUnit) -> Bool {
        // (An ERROR that means "not stored yet" reads as any ERROR: not kept under its bytes.)
        guard unit.diagnostic == nil, unit.bytes.count <= maxLength, unit.reply?.notStoredYet != true else {
            return false
        }
        if case .raw = unit.kind { return false }
        return true
    }

    package init(source: Source, bytes: ArraySlice<UInt8>, variant: Int) {
        self.source = source
        self.bytes = bytes
        self.variant = variant
        digest = bytes.withUnsafeBytes(Self.digest) ^ UInt64(source.rawValue) ^ UInt64(bitPattern: Int64(variant))
            &* 0xBF58_476D_1CE4_E5B9
    }

    /// The key's 64-bit digest (the bytes eight at a time, then the source and variant): where
    /// `UnitMeaningCache` looks for it. Equal digests of different keys only share a probe
    /// sequence: `==` still compares the bytes.
    package let digest: UInt64

    private static func digest(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h = UInt64(bytes.count), i = 0
        func mix(_ word: UInt64) { h = (h ^ word) &* 0x9E37_79B9_7F4A_7C15; h ^= h >> 29 }
        while i + 8 <= bytes.count { mix(bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)); i += 8 }
        var tail: UInt64 = 0
        for j in i..<bytes.count { tail |= UInt64(bytes[j]) << (8 * (j - i)) }
        mix(tail)
        return h
    }

    // The bytes eight at a time (ArraySlice's == compares them one by one).
    package static func == (a: UnitMeaningKey, b: UnitMeaningKey) -> Bool {
        guard a.digest == b.digest, a.source == b.source, a.variant == b.variant, a.bytes.count == b.bytes.count else {
            return false
        }
        return a.bytes.withUnsafeBytes { x in b.bytes.withUnsafeBytes { y in equal(x, y) } }
    }

    /// Whether the bytes are the same, eight at a time (same counts).
    package static func equal(_ x: UnsafeRawBufferPointer, _ y: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        while i + 8 <= x.count {
            guard x.loadUnaligned(fromByteOffset: i, as: UInt64.self) == y.loadUnaligned(fromByteOffset: i,
                as: UInt64.self) else { return false }
            i += 8
        }
        while i < x.count { guard x[i] == y[i] else { return false }; i += 1 }
        return true
    }
}
