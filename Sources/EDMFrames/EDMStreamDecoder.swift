import EDMBytes

/// Splits a byte stream of one direction into EDM frames, never throwing on bad bytes.
///
/// It follows swift-nio's single-step contract: `decode(_:)` takes the bytes received so far
/// and either consumes one unit from their front (re-slicing the buffer, copying nothing) or
/// returns nil for "need more bytes", leaving the buffer untouched; `decodeLast(_:)` is called
/// at end of input and reports what is left, one unit per call.
///
/// Resynchronisation (docs/protocol.md, "Resynchronisation"): a `0xAA` whose length has
/// reserved bits set, is below 2, or whose stop byte is not `0x55` is a false start. Only that
/// byte is distrusted: the garbage run it opens ends before the next byte where a unit can
/// start, `0xAA` or a line break (a module that reboots in EDM prints `+STARTUP` on a line of
/// its own), so a corrupt length never swallows the frame or line after it. This is the one
/// framing rule of the product: the session decoder cuts its frames and garbage here too.
/// Every decision depends on the bytes alone, so any split of the input yields the same units.
///
/// The decoding path is `@inlinable` and always inlined, down to `garbageRun`, so a caller's
/// `while let unit = decoder.decode(&buffer)` loop sees each unit from construction to
/// destruction and the optimiser drops the retain and release of the buffer's storage that
/// each frame's slice would otherwise cost (an atomic pair per frame across a module
/// boundary). Benchmarks/bench.sh compares it with a plain C walk.
public struct EDMStreamDecoder: Sendable {
    /// A garbage run is reported in pieces of at most this many bytes, so memory stays
    /// bounded on a line that never carries a start byte: the size of the largest frame.
    public static let maxGarbageRun = EDMFrame.maxCount

    /// Stream offset of the first byte of the buffer the next call will see.
    @inlinable
    public var offset: Int { _offset }

    // Stored under another name only because inlinable code cannot use a private setter.
    @usableFromInline
    package var _offset: Int

    public init(offset: Int = 0) { self._offset = offset }

    @inlinable @inline(__always)
    public mutating func decode(_ buffer: inout ArraySlice<UInt8>) -> EDMStreamUnit? {
        step(&buffer, atEnd: false)
    }

    @inlinable @inline(__always)
    public mutating func decodeLast(_ buffer: inout ArraySlice<UInt8>) -> EDMStreamUnit? {
        step(&buffer, atEnd: true)
    }

    @inlinable @inline(__always)
    package mutating func step(_ buffer: inout ArraySlice<UInt8>, atEnd: Bool) -> EDMStreamUnit? {
        guard let first = buffer.first else { return nil }
        let code: EDMDiagnostic.Code
        if first == EDMFrame.start {
            switch EDMFrame.check(buffer) {
            case .frame(let count):
                let end = buffer.startIndex + count
                let unit = EDMStreamUnit.frame(EDMFrame(unchecked: buffer[..<end]), offset: _offset)
                consume(&buffer, upTo: end)
                return unit
            case .needMore:
                guard atEnd else { return nil }
                code = .truncated
            case .falseStart(let reason):
                code = reason
            }
        } else {
            code = .noStartByte
        }
        return garbageRun(&buffer, code: code, atEnd: atEnd)
    }

    /// The run from the buffer's front up to the next byte where a unit can start (exclusive).
    @inlinable @inline(__always)
    package mutating func garbageRun(_ buffer: inout ArraySlice<UInt8>, code: EDMDiagnostic.Code,
        atEnd: Bool) -> EDMStreamUnit? {
        let searchFrom = buffer.startIndex + 1
        let limit = min(buffer.endIndex, buffer.startIndex + Self.maxGarbageRun)
        let end: Int
        if let next = buffer[searchFrom..<limit].firstIndex(where: Self.isResyncPoint) {
            end = next
        } else if limit - buffer.startIndex == Self.maxGarbageRun || atEnd {
            end = limit
        } else {
            return nil
        }
        let bytes = buffer[..<end]
        let unit = EDMStreamUnit.garbage(bytes, EDMDiagnostic(code, offset: _offset, count: bytes.count))
        consume(&buffer, upTo: end)
        return unit
    }

    /// Where a garbage run ends: a start byte, or a line break where text may resume.
    @inlinable @inline(__always)
    package static func isResyncPoint(_ byte: UInt8) -> Bool {
        byte == EDMFrame.start || byte == 0x0D || byte == 0x0A
    }

    @inlinable @inline(__always)
    package mutating func consume(_ buffer: inout ArraySlice<UInt8>, upTo end: Int) {
        _offset += end - buffer.startIndex
        buffer = buffer[end...]
    }
}
