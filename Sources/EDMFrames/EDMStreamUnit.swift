import EDMBytes

/// What the stream decoder yields: a frame, or a run of bytes that is not one.
public enum EDMStreamUnit: Hashable, Sendable {
    /// A well-formed frame and the stream offset of its start byte.
    case frame(EDMFrame, offset: Int)
    /// Bytes skipped while looking for a frame; the diagnostic says why and where.
    case garbage(ArraySlice<UInt8>, EDMDiagnostic)

    /// The bytes of the unit, as they were on the wire.
    @inlinable
    public var bytes: ArraySlice<UInt8> {
        switch self {
        case .frame(let frame, _): frame.bytes
        case .garbage(let bytes, _): bytes
        }
    }

    @inlinable
    public var offset: Int {
        switch self {
        case .frame(_, let offset): offset
        case .garbage(_, let diagnostic): diagnostic.offset
        }
    }
}
