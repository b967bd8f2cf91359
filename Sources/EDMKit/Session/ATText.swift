/// Byte-level facts about AT text that the session decoder needs to follow a conversation.
/// They look at bytes in place; `ATCommandLine` is the full parser for everything else.
enum ATText {
    static func isCommand(_ text: ArraySlice<UInt8>) -> Bool {
        guard text.count >= 2 else { return false }
        let a = text[text.startIndex] | 0x20, t = text[text.startIndex + 1] | 0x20
        return a == UInt8(ascii: "a") && t == UInt8(ascii: "t")
    }

    /// Text a module could send in command mode: printable ASCII that starts like AT output.
    static func isPrintableAT(_ text: ArraySlice<UInt8>) -> Bool {
        guard let first = text.first, text.allSatisfy({ $0 >= 0x20 && $0 < 0x7F || $0 == 0x09 }) else { return false }
        return first == UInt8(ascii: "+") || isCommand(text) || isFinal(text)
    }

    static func isOK(_ text: ArraySlice<UInt8>) -> Bool { text.elementsEqual("OK".utf8) }

    static func isFinal(_ text: ArraySlice<UInt8>) -> Bool {
        isOK(text) || text.elementsEqual("ERROR".utf8) || text.starts(with: "+CME ERROR".utf8)
    }

    static func isStartup(_ text: ArraySlice<UInt8>) -> Bool { text.elementsEqual("+STARTUP".utf8) }

    /// `+UDCP` for `AT+UDCP=…`, `O2` for `ATO2`, empty for `AT`.
    static func commandName(_ text: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let body = text.dropFirst(2)
        let end = body.firstIndex { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "?") || isLineBreak($0) } ?? body.endIndex
        return body[..<end]
    }

    /// `+UDCP` for `+UDCP:2`.
    static func responseName(_ text: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        text[..<(text.firstIndex(of: UInt8(ascii: ":")) ?? text.endIndex)]
    }

    /// The parameters after `=` or `:`, split on commas outside quotes.
    static func parameters(_ text: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        guard let sep = text.firstIndex(where: { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: ":") }) else { return [] }
        var result: [ArraySlice<UInt8>] = []
        var start = sep + 1, quoted = false
        for i in (sep + 1)..<text.endIndex {
            if text[i] == UInt8(ascii: "\"") { quoted.toggle() }
            if text[i] == UInt8(ascii: ","), !quoted {
                result.append(text[start..<i])
                start = i + 1
            }
        }
        result.append(text[start...])
        return result
    }

    /// The announced size of `AT+USECMNG=0,<type>,<name>,<size>[,<password>]`: the host
    /// sends exactly that many raw bytes after the prompt.
    static func credentialImportSize(_ text: ArraySlice<UInt8>) -> Int? {
        guard commandName(text).elementsEqual("+USECMNG".utf8) else { return nil }
        let p = parameters(text)
        guard p.count >= 4, p[0].elementsEqual("0".utf8) else { return nil }
        return decimal(p[3])
    }

    /// `(+UUDPC, 2)` for `+UUDPC:2,…`, `(+UUDPD, 2)` for `+UUDPD:2`.
    static func peerURC(_ text: ArraySlice<UInt8>) -> (String, Int)? {
        let name = responseName(text)
        guard name.elementsEqual("+UUDPC".utf8) || name.elementsEqual("+UUDPD".utf8),
              let first = parameters(text).first, let handle = decimal(first) else { return nil }
        return (String(decoding: name, as: UTF8.self), handle)
    }

    /// The non-empty lines of an AT body, CR/LF removed.
    static func lines(_ body: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        body.split(whereSeparator: isLineBreak)
    }

    static func decimal(_ text: ArraySlice<UInt8>) -> Int? {
        var t = text
        if t.first == UInt8(ascii: "\""), t.last == UInt8(ascii: "\""), t.count >= 2 { t = t.dropFirst().dropLast() }
        guard !t.isEmpty, t.count <= 9, t.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return t.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }
}
