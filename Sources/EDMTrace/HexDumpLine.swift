import EDMBytes

/// One line of an offset-prefixed hex dump: `xxd` (`00000010: 0a2b 5354  .+ST`) or
/// `hexdump -C` (`00000010  0a 2b 53 54  |.+ST|`). The offset is checked against the bytes
/// read so far; the ASCII column is ignored.
package enum HexDumpLine: Equatable {
    /// The two layouts, told apart by the first line.
    package enum Layout: Sendable {
        case xxd, canonical
    }

    /// Bytes and the offset of the first one.
    case bytes(offset: Int, [UInt8])
    /// `*`: lines equal to the one before were left out, up to the next line's offset.
    case repeated
    /// An offset alone: `hexdump -C`'s last line, the total length.
    case end(offset: Int)

    /// The layout whose line `line` is, or nil when it is neither (a plain hex dump).
    package static func layout(of line: ArraySlice<UInt8>) -> Layout? {
        for layout in [Layout.xxd, .canonical] {
            if case .bytes? = parse(line, layout) { return layout }
        }
        return nil
    }

    /// Nil when the line has not the layout's shape (blank lines are the caller's).
    package static func parse(_ line: ArraySlice<UInt8>, _ layout: Layout) -> HexDumpLine? {
        let text = ByteText.trimmedTrailing(line)
        if text.elementsEqual("*".utf8) { return .repeated }
        var i = text.startIndex
        while i < text.endIndex, ByteText.hexValue(text[i]) != nil { i += 1 }
        // 15 digits keep the offset inside Int.
        guard i > text.startIndex, i - text.startIndex <= 15, let offset = Int(ByteText.string(text[..<i]),
            radix: 16) else { return nil }
        switch layout {
        case .xxd:
            // `OFFSET: ` then groups of digits one space apart; two spaces start the ASCII.
            guard i < text.endIndex, text[i] == UInt8(ascii: ":") else { return nil }
            var rest = text[(i + 1)...]
            guard rest.first == ByteText.space else { return nil }
            rest = rest.dropFirst()
            let end = rest.indices.first { rest[$0] == ByteText.space && $0 + 1 < rest.endIndex
                && rest[$0 + 1] == ByteText.space } ?? rest.endIndex
            return hexGroups(rest[..<end], pairsOnly: false).map { .bytes(offset: offset, $0) }
        case .canonical:
            if i == text.endIndex { return .end(offset: offset) }
            // `OFFSET  ` then single bytes (an extra space after the eighth), then `|ASCII|`.
            guard let bar = text[i...].firstIndex(of: UInt8(ascii: "|")), text.last == UInt8(ascii: "|"),
                  text[i...].starts(with: [ByteText.space, ByteText.space]) else { return nil }
            return hexGroups(text[i..<bar], pairsOnly: true).map { .bytes(offset: offset, $0) }
        }
    }

    /// The bytes of space-separated groups of hex digits; nil for anything else, an odd
    /// group, no group at all, or (pairsOnly) a group of more than one byte.
    private static func hexGroups(_ area: ArraySlice<UInt8>, pairsOnly: Bool) -> [UInt8]? {
        var out: [UInt8] = []
        for group in area.split(separator: ByteText.space) {
            guard group.count % 2 == 0, !pairsOnly || group.count == 2 else { return nil }
            var j = group.startIndex
            while j < group.endIndex {
                guard let byte = ByteText.hexByte(group, at: j) else { return nil }
                out.append(byte)
                j += 2
            }
        }
        return out.isEmpty ? nil : out
    }
}
