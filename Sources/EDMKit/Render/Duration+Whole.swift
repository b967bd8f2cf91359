extension Duration {
    // Renderers and writers turn every unit's time into these. `components` divides the
    // 128-bit attoseconds by 10^18 and then again (about 190 instructions, callgrind);
    // one division of `attoseconds` costs about 30.

    /// Whole nanoseconds (truncated toward zero).
    @inlinable
    public var wholeNanoseconds: Int64 { Int64(truncatingIfNeeded: attoseconds / 1_000_000_000) }

    /// Whole microseconds (truncated toward zero).
    @inlinable
    public var wholeMicroseconds: Int64 { Int64(truncatingIfNeeded: attoseconds / 1_000_000_000_000) }
}
