/// Which units a live capture keeps: the extcap's capture filter (`tshark -f`, Wireshark's
/// capture filter field), a few words over a unit's direction and kind.
///
/// - Direction words: `host` (what the host sent), `module` (what the module sent).
/// - Kind words: `at` (command-mode AT text, with a credential's bytes after the `>` prompt),
///   `edm` (every EDM frame), `data` (EDM data frames only: data commands and events),
///   `noise` (bytes that are neither: boot noise, garbage skipped between EDM frames).
///
/// A unit is kept when its direction is one of the direction words and its kind one of the
/// kind words; a group with no word in the filter lets everything through, so the empty
/// filter keeps every unit. `module at` keeps the module's AT text, `host module data` the data
/// frames both ways. Words are separated by spaces, in any order, case ignored.
public struct UnitFilter: Hashable, Sendable {
    public enum Word: String, CaseIterable, Sendable {
        case host, module, at, edm, data, noise
    }

    public let words: Set<Word>

    public static let everything = UnitFilter(words: [])

    public init(words: Set<Word>) { self.words = words }

    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public let word: String
        public var description: String {
            "unknown word \"\(word)\" in the capture filter: the words are "
                + Word.allCases.map(\.rawValue).joined(separator: ", ") + " (none: every unit)"
        }
    }

    public init(parsing text: String) throws(ParseError) {
        var words: Set<Word> = []
        for token in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }) {
            guard let word = Word(rawValue: token.lowercased()) else { throw ParseError(word: String(token)) }
            words.insert(word)
        }
        self.init(words: words)
    }

    public func keeps(_ unit: SessionUnit) -> Bool {
        let directions = words.intersection([.host, .module])
        let kinds = words.subtracting([.host, .module])
        if !directions.isEmpty {
            guard let direction = unit.direction, directions.contains(direction == .host ? .host : .module) else {
                return false
            }
        }
        return kinds.isEmpty || !kinds.isDisjoint(with: Self.kinds(of: unit))
    }

    /// The kind words a unit answers to.
    private static func kinds(of unit: SessionUnit) -> Set<Word> {
        switch unit.kind {
        case .frame(let frame): [.dataEvent, .dataCommand].contains(frame.payloadID) ? [.edm, .data] : [.edm]
        case .at, .raw(.payload): [.at]
        case .raw(.garbage), .raw(.noise): [.noise]
        }
    }
}
