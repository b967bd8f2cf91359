/// A growable byte buffer written through a pointer: what the JSON and pcapng encoders write
/// into, millions of small pieces per capture.
///
/// `Array.append` checks uniqueness and capacity on every byte; here an encoder asks once for
/// room (`room(_:)`), stores its bytes through the pointer it gets, and says how many it wrote
/// (`advance(_:)`). The storage grows by doubling and is kept across `removeAll()`, so a
/// buffer that is emptied after each line or block allocates nothing once it has grown.
/// It is a value: copies share storage until one of them writes (copy on write).
public struct OutputBuffer: Sendable {
    @usableFromInline
    package final class Storage: @unchecked Sendable { // (only written while uniquely referenced)
        @usableFromInline package let base: UnsafeMutablePointer<UInt8>
        @usableFromInline package let capacity: Int

        @usableFromInline package init(capacity: Int) {
            self.capacity = capacity
            base = .allocate(capacity: capacity)
        }

        deinit { base.deallocate() }
    }

    @usableFromInline package var storage: Storage
    public var count: Int { written }
    @usableFromInline package var written = 0

    public init(capacity: Int = 1024) { storage = Storage(capacity: max(capacity, 16)) }

    public var isEmpty: Bool { count == 0 }

    /// A pointer to room for `n` more bytes after the last: store them, then `advance(n)`.
    /// Valid until the buffer is next changed.
    @inlinable
    public mutating func room(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if !isKnownUniquelyReferenced(&storage) || written + n > storage.capacity { grow(written + n) }
        return storage.base + written
    }

    /// Counts `n` bytes stored after a call to `room` that asked for at least `n`.
    @inlinable
    public mutating func advance(_ n: Int) { written += n }

    @usableFromInline
    package mutating func grow(_ needed: Int) {
        var capacity = storage.capacity
        while capacity < needed { capacity *= 2 }
        let bigger = Storage(capacity: capacity)
        bigger.base.initialize(from: storage.base, count: written)
        storage = bigger
    }

    @inlinable
    public mutating func append(_ byte: UInt8) {
        room(1).pointee = byte
        written += 1
    }

    @inlinable
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        UnsafeMutableRawPointer(room(bytes.count)).copyMemory(from: source, byteCount: bytes.count)
        written += bytes.count
    }

    @inlinable
    public mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) { append(UnsafeRawBufferPointer(bytes)) }

    /// Contiguous collections (arrays, slices, string views) are copied in one go.
    @inlinable
    public mutating func append<Bytes: Collection<UInt8>>(contentsOf bytes: Bytes) {
        let copied: Void? = bytes.withContiguousStorageIfAvailable { append($0) }
        guard copied == nil else { return }
        let n = bytes.count
        let out = room(n)
        var i = 0
        for b in bytes { out[i] = b; i += 1 }
        written += n
    }

    /// `value` in decimal, with leading zeros up to `minimumDigits` (`7` with 3 is `007`),
    /// written in place from the last digit, two at a time.
    @inlinable @inline(__always)
    public mutating func appendDecimal(_ value: UInt64, minimumDigits: Int = 1) {
        // (Inlined: every JSON and transcript line writes several. Two digits a step halves
        // the divisions, which are most of the work.)
        let count = max(Self.decimalDigits(value), minimumDigits)
        let out = room(count)
        let pairs = Self.digitPairs.utf8Start
        var v = value, i = count
        while i >= 2 {
            let pair = Int(v % 100)
            v /= 100
            i -= 2
            out[i] = pairs[2 * pair]
            out[i + 1] = pairs[2 * pair + 1]
        }
        if i == 1 { out[0] = 0x30 + UInt8(v % 10) }
        written += count
    }

    /// "00", "01", ... "99", back to back.
    @usableFromInline
    package static let digitPairs: StaticString = """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """

    /// How many digits `value` has in decimal: counted by comparing, not dividing (10^19 is the
    /// last power of ten below 2^64).
    @inlinable @inline(__always)
    public static func decimalDigits(_ value: UInt64) -> Int {
        var count = 1, power: UInt64 = 10
        while count < 20, value >= power { count += 1; power &*= 10 }
        return count
    }

    /// Forgets the bytes, keeping the storage.
    public mutating func removeAll() { written = 0 }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage.base, count: count))
    }

    /// The bytes, copied out.
    public var array: [UInt8] { withUnsafeBytes { Array($0) } }
}
