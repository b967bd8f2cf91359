/// Small text helpers over bytes shared by every layer: hex, printable text, line breaks.

/// Upper-case hex without separators: `11BB33445566`.
public func hexString<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    let digits: [UInt8] = Array("0123456789ABCDEF".utf8)
    var out = [UInt8]()
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// The bytes as text when they are printable UTF-8 (tabs and line breaks allowed).
public func printable(_ bytes: ArraySlice<UInt8>) -> String? {
    isPrintable(bytes) ? String(decoding: bytes, as: UTF8.self) : nil
}

public func isPrintable(_ bytes: ArraySlice<UInt8>) -> Bool {
    // One pass over the bytes (every JSON line with data asks), eight at a time while they are
    // all printable ASCII: control bytes fail at once, and only text with bytes past ASCII is
    // validated as UTF-8.
    var ascii = true
    let printable = bytes.withUnsafeBytes { buffer in
        var i = 0
        while i < buffer.count {
            if i + 8 <= buffer.count, ByteText.isPlainASCII(buffer.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                i += 8
                continue
            }
            for b in buffer[i..<min(i + 8, buffer.count)] {
                if b >= 0x80 { ascii = false } else if b < 0x20
                    || b == 0x7F, b != 0x09, b != 0x0A, b != 0x0D { return false }
            }
            i += 8
        }
        return true
    }
    return printable && (ascii || String(validating: bytes, as: UTF8.self) != nil)
}

public func pad(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}

/// The bytes without leading and trailing CR and LF.
public func trimmingLineBreaks(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    var s = bytes.startIndex, e = bytes.endIndex
    while s < e, bytes[s] == 0x0D || bytes[s] == 0x0A { s += 1 }
    while e > s, bytes[e - 1] == 0x0D || bytes[e - 1] == 0x0A { e -= 1 }
    return bytes[s..<e]
}

@inlinable @inline(__always)
public func isLineBreak(_ byte: UInt8) -> Bool { byte == 0x0D || byte == 0x0A }
