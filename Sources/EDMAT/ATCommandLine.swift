import EDMBytes
import EDMFrames

/// One line of AT text, parsed: a command the host sent (or its echo), an information line
/// (`+NAME:args`, a response or an unsolicited result code), a final result, the `>` prompt,
/// or anything else (boot noise, PEM text).
///
/// The value keeps every piece of the line, so `rendered` gives the input back exactly
/// (without the surrounding CR/LF that `init` strips):
///
///     AT   +UWSC  =    0,2,"My Net"         +CME ERROR  :    4
///     │    │      │    └ rawArguments       │           │    └ rawArguments (" 4")
///     │    │      └ separator (= ? =?)      │           └ separator
///     │    └ name                           └ name
///     └ prefix (as written: `AT` or `at`)
///
/// Parsing never fails: a line that fits no shape is `.other`, with all its text in
/// `rawArguments`. The parser knows no command: `ATCatalog` gives lines their meaning.
public struct ATCommandLine: Hashable, Sendable, CustomStringConvertible {
    /// What the line is: a command, an information response or URC, or a final result.
    public enum Kind: String, Hashable, Sendable {
        /// `AT…`, sent by the host or echoed by the module in command mode.
        case command
        /// `+NAME:args` or `+NAME` (`+STARTUP`): an information response or a URC.
        case information
        /// `OK`, `ERROR` or `+CME ERROR: <n>`.
        case final
        /// `>`: the module waits for raw bytes (`AT+USECMNG` import).
        case prompt
        /// Text that is not AT (boot noise, PEM lines), or an empty line.
        case other
    }

    /// The shape of a command: `AT+X` action, `AT+X=…` set, `AT+X?` read, `AT+X=?` test.
    public enum Form: String, Hashable, Sendable {
        case action, set, read, test
    }

    /// One comma-separated argument.
    public struct Parameter: Hashable, Sendable {
        /// The value: quotes removed; for responses, spaces around it removed too.
        public let text: String
        /// Whether the value was written in double quotes.
        public let isQuoted: Bool
        /// The argument exactly as written, quotes and spaces included.
        public let raw: String

        /// A parameter to put in a command; `quoted` writes it in double quotes.
        public init(_ text: String, quoted: Bool = false) {
            self.text = text
            self.isQuoted = quoted
            self.raw = quoted ? "\"" + text + "\"" : text
        }

        package init(text: String, isQuoted: Bool, raw: String) {
            self.text = text
            self.isQuoted = isQuoted
            self.raw = raw
        }
    }

    public let kind: Kind
    /// `AT` as written (its case kept) for commands; empty for every other kind.
    public let prefix: String
    /// `+UWSC`, `E0`, `O2`, empty for plain `AT`; `+UUWLE`, `+STARTUP`; `OK`, `ERROR`,
    /// `+CME ERROR`; `>`; empty for `.other`. The case is kept as written.
    public let name: String
    /// Nil unless `kind == .command`.
    public let form: Form?
    /// What stands between the name and the arguments: `=`, `?`, `=?`, `:` or nothing.
    public let separator: String
    /// The exact text after the separator; nil when the line has none (`AT+CPWROFF`,
    /// `+STARTUP`, `OK`). For `.other` lines, the whole text.
    public let rawArguments: String?
    /// `rawArguments` split on commas outside double quotes; empty for `.other` and `.prompt`.
    public let parameters: [Parameter]

    /// Parses one line; leading and trailing CR and LF bytes are ignored.
    public init(_ text: String) {
        self.init(utf8: Array(text.utf8)[...])
    }

    /// Parses one line of bytes (decoded as UTF-8, invalid bytes as U+FFFD); leading and
    /// trailing CR and LF bytes are ignored.
    public init(bytes: some Collection<UInt8>) {
        self.init(utf8: Array(bytes)[...])
    }

    /// The same, without copying the bytes first (the decoder's and the redactor's case).
    public init(bytes: ArraySlice<UInt8>) {
        self.init(utf8: bytes)
    }

    private init(utf8 line: ArraySlice<UInt8>) {
        let u = trimmingLineBreaks(line)
        func string(_ range: Range<Int>) -> String { String(decoding: u[range], as: UTF8.self) }
        let all = u.startIndex..<u.endIndex

        if u.count >= 2, u[u.startIndex] | 0x20 == UInt8(ascii: "a"), u[u.startIndex + 1] | 0x20 == UInt8(ascii: "t") {
            // A command: the name runs to the first `=` or `?`; basic commands (`E0`, `O2`)
            // and extended ones (`+UWSC`) follow the same rule.
            let nameStart = u.startIndex + 2
            let nameEnd = u[nameStart...].firstIndex { $0 == UInt8(ascii: "=")
                || $0 == UInt8(ascii: "?") } ?? u.endIndex
            var argStart = nameEnd
            let form: Form
            if nameEnd == u.endIndex {
                form = .action
            } else if u[nameEnd] == UInt8(ascii: "?") {
                form = .read
                argStart += 1
            } else if nameEnd + 1 < u.endIndex, u[nameEnd + 1] == UInt8(ascii: "?") {
                form = .test
                argStart += 2
            } else {
                form = .set
                argStart += 1
            }
            let arguments: String? = (form == .set || argStart < u.endIndex) ? string(argStart..<u.endIndex) : nil
            self.init(kind: .command, prefix: string(u.startIndex..<nameStart), name: string(nameStart..<nameEnd),
                      form: form, separator: string(nameEnd..<argStart), rawArguments: arguments)
            return
        }

        let whole = string(all)
        if whole == "OK" || whole == "ERROR" {
            self.init(kind: .final, name: whole)
            return
        }
        if u.first == UInt8(ascii: ">"), u.dropFirst().allSatisfy({ $0 == UInt8(ascii: " ") }) {
            // Some firmware writes `> `; the trailing spaces are kept as arguments.
            self.init(kind: .prompt, name: ">",
                rawArguments: u.count > 1 ? string((u.startIndex + 1)..<u.endIndex) : nil)
            return
        }
        if u.first == UInt8(ascii: "+") {
            let colon = u.firstIndex(of: UInt8(ascii: ":"))
            let name = string(u.startIndex..<(colon ?? u.endIndex))
            let kind: Kind = name == "+CME ERROR" ? .final : .information
            if let colon {
                self.init(kind: kind, name: name, separator: ":", rawArguments: string((colon + 1)..<u.endIndex))
            } else {
                self.init(kind: kind, name: name)
            }
            return
        }
        self.init(kind: .other, name: "", rawArguments: whole)
    }

    private init(kind: Kind, prefix: String = "", name: String, form: Form? = nil, separator: String = "",
        rawArguments: String? = nil) {
        self.kind = kind
        self.prefix = prefix
        self.name = name
        self.form = form
        self.separator = separator
        self.rawArguments = rawArguments
        switch kind {
        case .command, .information, .final:
            parameters = rawArguments.map { Self.split($0, trimming: kind != .command) } ?? []
        case .prompt, .other:
            parameters = []
        }
    }

    /// Builds a command line, e.g. `command("+UWSC", .set, [.init("0"), .init("2"), .init("MyNet")])`.
    public static func command(_ name: String, _ form: Form = .action,
        _ parameters: [Parameter] = []) -> ATCommandLine {
        let separator: String
        switch form {
        case .action: separator = ""
        case .set: separator = "="
        case .read: separator = "?"
        case .test: separator = "=?"
        }
        let arguments = form == .set || !parameters.isEmpty ? parameters.map(\.raw).joined(separator: ",") : nil
        return ATCommandLine(kind: .command, prefix: "AT", name: name, form: form, separator: separator,
            rawArguments: arguments)
    }

    // MARK: - Reading the line

    /// The line as text, without CR/LF: `prefix + name + separator + rawArguments`.
    public var rendered: String { prefix + name + separator + (rawArguments ?? "") }
    public var description: String { rendered }

    public var isOK: Bool { kind == .final && name == "OK" }
    public var isError: Bool { kind == .final && (name == "ERROR" || name == "+CME ERROR") }
    /// The number of a `+CME ERROR: <n>` line.
    public var cmeError: Int? {
        guard kind == .final, name == "+CME ERROR", parameters.count == 1 else { return nil }
        return Int(parameters[0].text)
    }

    /// The text of parameter `index`, or nil past the end.
    public func parameter(_ index: Int) -> String? {
        parameters.indices.contains(index) ? parameters[index].text : nil
    }

    /// Parameter `index` as a decimal integer (spaces around it ignored), or nil.
    public func integer(_ index: Int) -> Int? {
        guard let text = parameter(index) else { return nil }
        return Int(Self.parameter(raw: text, trimming: true).text)
    }

    /// Parameters `index...` joined back with their commas, as one parameter: for a last
    /// argument that may itself hold commas (a URL variable's string, an unquoted URL).
    public func rest(from index: Int) -> Parameter? {
        guard parameters.indices.contains(index) else { return nil }
        // (The last parameter is its own rest: split the same way, it reads the same.)
        if index == parameters.count - 1 { return parameters[index] }
        let raw = parameters[index...].map(\.raw).joined(separator: ",")
        return Self.parameter(raw: raw, trimming: kind != .command)
    }

    // MARK: - Splitting

    /// Splits on commas outside double quotes. A quote toggles; there is no escape (u-blox
    /// gen-1 modules define none), so an unbalanced quote runs to the end of the line.
    package static func split(_ arguments: String, trimming: Bool) -> [Parameter] {
        var arguments = arguments
        return arguments.withUTF8 { u in
            guard !u.isEmpty else { return [] }
            var result = [Parameter]()
            var start = 0, inQuotes = false
            for i in 0...u.count {
                if i == u.count || (u[i] == UInt8(ascii: ",") && !inQuotes) {
                    result.append(parameter(raw: UnsafeBufferPointer(rebasing: u[start..<i]), trimming: trimming))
                    start = i + 1
                } else if u[i] == UInt8(ascii: "\"") {
                    inQuotes.toggle()
                }
            }
            return result
        }
    }

    /// One argument: quoted when, spaces aside, it starts and ends with `"`. Spaces around an
    /// unquoted value are dropped only for responses (`+CME ERROR: 4`): in a command they
    /// may belong to the value (an SSID), and the module takes them as sent.
    package static func parameter(raw: String, trimming: Bool) -> Parameter {
        var raw = raw
        return raw.withUTF8 { parameter(raw: $0, trimming: trimming) }
    }

    private static func parameter(raw u: UnsafeBufferPointer<UInt8>, trimming: Bool) -> Parameter {
        func string(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: u[range]),
            as: UTF8.self) }
        let raw = string(0..<u.count)
        var lo = 0, hi = u.count
        while lo < hi, u[lo] == UInt8(ascii: " ") { lo += 1 }
        while hi > lo, u[hi - 1] == UInt8(ascii: " ") { hi -= 1 }
        if hi - lo >= 2, u[lo] == UInt8(ascii: "\""), u[hi - 1] == UInt8(ascii: "\"") {
            return Parameter(text: string((lo + 1)..<(hi - 1)), isQuoted: true, raw: raw)
        }
        return Parameter(text: trimming ? string(lo..<hi) : raw, isQuoted: false, raw: raw)
    }
}

extension ATCommandLine {
    /// `name` in upper case, as the catalog and the summary compare it. Most names already
    /// are (ASCII, no lower case): then no new String is made, for every line of a session.
    public var upperCasedName: String {
        name.utf8.allSatisfy { $0 < 0x80 && !($0 >= 0x61 && $0 <= 0x7A) } ? name : name.uppercased()
    }
}
