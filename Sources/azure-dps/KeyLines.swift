/// Where each key of a TOML file is written, for messages that name a line: TOMLKit gives
/// the line of a syntax error, but keeps no positions for the values it reads.
///
/// A light scan, enough for settings files: `key = value` lines at the top level and in
/// `[[module]]` tables (the nth such table is module n - 1), quoted keys unquoted, the
/// inside of multi-line strings skipped. A key it cannot place gets no line, and messages
/// then name the table instead.
struct KeyLines {
    private struct Place: Hashable {
        var module: Int?
        var key: String
    }

    private var lines: [Place: Int] = [:]
    /// The first table header whose name starts with neither a bare-key character nor a quote
    /// (`[é]`, `[ {]`, `[[[a]]]`, a `[` alone): toml++ asserts on those instead of reporting
    /// them, which aborts a debug build, so they are refused before TOMLKit reads the file. A
    /// line of a multi-line array is taken for a header too; arrays are refused as values anyway.
    private(set) var nameless: Int?

    init(_ text: String) {
        var module: Int?, modules = 0, otherTable = false
        var multiline: String?
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if let end = multiline {
                if line.contains(end) { multiline = nil }
                continue
            }
            if line.hasPrefix("[") {
                let name = line.drop { $0 == "[" }.prefix { $0 != "]" }.trimmingCharacters(in: .whitespaces)
                if nameless == nil, !Self.opensName(line.dropFirst(line.hasPrefix("[[") ? 2 : 1)) { nameless = n + 1 }
                otherTable = name != "module"
                module = otherTable ? nil : modules
                if !otherTable, line.hasPrefix("[[") { modules += 1 }
                if lines[Place(module: nil, key: name)] == nil { lines[Place(module: nil, key: name)] = n + 1 }
                continue
            }
            guard !otherTable, !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
            var key = line[..<equals].trimmingCharacters(in: .whitespaces)
            if key.count >= 2, let q = key.first, q == "\"" || q == "'", key.last == q {
                key = String(key.dropFirst().dropLast())
            }
            let place = Place(module: module, key: key)
            if lines[place] == nil { lines[place] = n + 1 }
            let value = line[line.index(after: equals)...]
            for quotes in ["\"\"\"", "'''"] where value.components(separatedBy: quotes).count % 2 == 0 {
                multiline = quotes
            }
        }
    }

    /// Whether what follows a header's brackets starts a name, or is `]` (an empty name, which
    /// toml++ reports itself).
    private static func opensName(_ rest: Substring) -> Bool {
        guard let c = rest.first(where: { $0 != " " && $0 != "\t" }) else { return false }
        return c == "]" || c.isASCII && (c.isLetter || c.isNumber) || "_-\"'".contains(c)
    }

    /// The line of `key` as written (before `_` is read as `-`), at the top level or in the
    /// `module`th `[[module]]` table.
    func line(of key: String, module: Int?) -> Int? { lines[Place(module: module, key: key)] }
}
