extension Duration {
    // Renderers and writers turn every unit's time into these: one division of `attoseconds`,
    // where `components` divides the 128-bit attoseconds by 10^18 and then again.

    /// Whole nanoseconds (truncated toward zero).
    @inlinable
    public var wholeNanoseconds: Int64 { Int64(truncatingIfNeeded: attoseconds / 1_000_000_000) }

    /// Whole milliseconds (truncated toward zero).
    @inlinable
    public var wholeMilliseconds: Int64 { Int64(truncatingIfNeeded: attoseconds / 1_000_000_000_000_000) }

    /// Whole microseconds (truncated toward zero).
    @inlinable
    public var wholeMicroseconds: Int64 { Int64(truncatingIfNeeded: attoseconds / 1_000_000_000_000) }
}

/// `13 ms`, `1.2 ms`.
public func milliseconds(_ d: Duration) -> String {
    let us = d.wholeMicroseconds
    return us % 1000 == 0 || us >= 100_000 ? "\(us / 1000) ms" : "\(us / 1000).\(us % 1000 / 100) ms"
}

/// `12.057` seconds with milliseconds.
public func seconds(_ d: Duration) -> String {
    var out = OutputBuffer(capacity: 24)
    appendSeconds(d, to: &out)
    return out.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
}

/// `seconds(d)` as bytes, right-aligned in `width` columns (every transcript line starts with
/// one: written in place, not put together from Strings).
public func appendSeconds(_ d: Duration, width: Int = 0, to out: inout OutputBuffer) {
    let ms = Int(d.wholeMilliseconds)
    let whole = UInt64(ms.magnitude / 1000)
    let length = (ms < 0 ? 1 : 0) + OutputBuffer.decimalDigits(whole) + 4
    let pad = max(0, width - length)
    out.room(pad).initialize(repeating: 0x20, count: pad)
    out.advance(pad)
    if ms < 0 { out.append(UInt8(ascii: "-")) }
    out.appendDecimal(whole)
    out.append(UInt8(ascii: "."))
    out.appendDecimal(UInt64(ms.magnitude % 1000), minimumDigits: 3)
}

/// Seconds with microseconds, as JSON number text: `14.076000`.
public func secondsText(_ d: Duration) -> String {
    var writer = JSONWriter(capacity: 24)
    writer.seconds(d)
    return String(decoding: writer.bytes, as: UTF8.self)
}
