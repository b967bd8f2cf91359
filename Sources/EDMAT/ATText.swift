import EDMBytes
import EDMFrames

/// Byte-level facts about AT text that the session decoder needs to follow a conversation.
/// The predicates look at bytes in place (they run on every line); `ATCommandLine` parses
/// the few lines whose parameters matter.
package enum ATText {
    @inlinable
    package static func isCommand(_ text: ArraySlice<UInt8>) -> Bool {
        guard text.count >= 2 else { return false }
        let a = text[text.startIndex] | 0x20, t = text[text.startIndex + 1] | 0x20
        return a == UInt8(ascii: "a") && t == UInt8(ascii: "t")
    }

    /// Text a module could send in command mode: printable ASCII that starts like AT output.
    @inlinable
    package static func isPrintableAT(_ text: ArraySlice<UInt8>) -> Bool {
        guard let first = text.first else { return false }
        let printable = text.withUnsafeBytes { bytes in
            var i = 0
            while i + 8 <= bytes.count, ByteText.isPlainASCII(bytes.loadUnaligned(fromByteOffset: i,
                as: UInt64.self)) { i += 8 }
            return bytes[i...].allSatisfy { $0 >= 0x20 && $0 < 0x7F || $0 == 0x09 }
        }
        return printable && (first == UInt8(ascii: "+") || isCommand(text) || isFinal(text))
    }

    @inlinable
    package static func isOK(_ text: ArraySlice<UInt8>) -> Bool { ByteText.equals(text, "OK") }

    @inlinable
    package static func isFinal(_ text: ArraySlice<UInt8>) -> Bool {
        isOK(text) || ByteText.equals(text, "ERROR") || ByteText.starts(text, with: "+CME ERROR")
    }

    @inlinable
    package static func isStartup(_ text: ArraySlice<UInt8>) -> Bool { ByteText.equals(text, "+STARTUP") }

    /// `+UDCP` for `AT+UDCP=…`, `O2` for `ATO2`, empty for `AT`.
    @inlinable
    package static func commandName(_ text: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let body = text.dropFirst(2)
        let end = body.firstIndex { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "?")
            || isLineBreak($0) } ?? body.endIndex
        return body[..<end]
    }

    /// `+UDCP` for `+UDCP:2`.
    @inlinable
    package static func responseName(_ text: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        text[..<(text.firstIndex(of: UInt8(ascii: ":")) ?? text.endIndex)]
    }

    /// `(+UUDPC, 2)` for `+UUDPC:2,…`, `(+UUDPD, 2)` for `+UUDPD:2`.
    package static func peerURC(_ text: ArraySlice<UInt8>) -> (String, Int)? {
        let name = responseName(text)
        guard ByteText.equals(name, "+UUDPC") || ByteText.equals(name, "+UUDPD") else { return nil }
        let handle = plainArgument(text[name.endIndex...].dropFirst(),
            0).map(integer) ?? ATCommandLine(bytes: text).integer(0)
        return handle.map { (String(decoding: name, as: UTF8.self), $0) }
    }

    /// `AT+USECMNG=0,<type>,<name>,<size>…`: the catalog's reader (a session sends a handful
    /// of these, so parsing the line costs nothing worth a second reader).
    package static func credentialImport(_ text: ArraySlice<UInt8>) -> (type: Int, name: String, size: Int)? {
        ATCatalog.credentialImport(of: ATCommandLine(bytes: text))
    }

    // The peer URCs, which come in every session, are read here in place, the way
    // `ATCommandLine` reads them (it builds Strings).

    /// Argument `n` of comma-separated `arguments`, when they hold no quote (which `ATCommandLine`
    /// would unquote and within which commas do not separate): nil otherwise, or when there is
    /// no such argument.
    private static func plainArgument(_ arguments: ArraySlice<UInt8>, _ n: Int) -> ArraySlice<UInt8>? {
        guard !arguments.contains(UInt8(ascii: "\"")) else { return nil }
        var rest = arguments[...]
        for _ in 0..<n {
            guard let comma = rest.firstIndex(of: UInt8(ascii: ",")) else { return nil }
            rest = rest[(comma + 1)...]
        }
        return rest[..<(rest.firstIndex(of: UInt8(ascii: ",")) ?? rest.endIndex)]
    }

    /// `Int(_:)` of the argument without its surrounding spaces (a sign, then decimal digits).
    private static func integer(_ argument: ArraySlice<UInt8>) -> Int? {
        Int(String(decoding: ByteText.trimmed(spaces: argument), as: UTF8.self)) // (short: no allocation)
    }

    /// The non-empty lines of an AT body, CR/LF removed.
    package static func lines(_ body: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        // (A loop rather than `split`, which builds a closure and an array per call: every
        // AT frame of a capture comes through here.)
        var rest = body, lines: [ArraySlice<UInt8>] = []
        while let line = nextLine(&rest) { lines.append(line) }
        return lines
    }

    /// The first non-empty line of `rest`, which then starts after it; nil when none is
    /// left. `lines` a line at a time, for the decoder's per-frame path (no array).
    @inlinable
    package static func nextLine(_ rest: inout ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard let start = rest.firstIndex(where: { !isLineBreak($0) }) else { return nil }
        let end = rest[start...].firstIndex(where: isLineBreak) ?? rest.endIndex
        let line = rest[start..<end]
        rest = rest[end...]
        return line
    }

    /// The last non-empty line of an AT body (`lines(body).last`, without the array).
    @inlinable
    package static func lastLine(_ body: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard let last = body.lastIndex(where: { !isLineBreak($0) }) else { return nil }
        let start = body[..<last].lastIndex(where: isLineBreak).map { $0 + 1 } ?? body.startIndex
        return body[start...last]
    }
}
