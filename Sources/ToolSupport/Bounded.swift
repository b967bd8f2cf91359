/// The values a numeric option takes: finite, within a range (or one of a few), checked where
/// the option is parsed, so a value that would crash or hang a run never reaches it.
///
///     @Option(parsing: .unconditional, help: "... (\(Bounded.timeout.values); default 300).",
///             transform: Bounded.timeout.parse)
///     var timeout: Double?
///
/// ArgumentParser then refuses a bad value with a usage error (exit 64) that names the option
/// and says what it takes: `The value 'nan' is invalid for '--timeout <timeout>': it takes
/// seconds from 1 to 86400.` `.unconditional` parsing takes `-5` as the option's value rather
/// than as an unknown option, so a negative number gets that message too.
public struct Bounded<Value: OptionNumber>: Sendable {
    public let range: ClosedRange<Value>
    /// When only some values in `range` mean something: each with what it means, or "".
    public let choices: [(value: Value, meaning: String)]?
    /// What the values count, in the plural: "seconds", "runs".
    public let noun: String

    public init(_ range: ClosedRange<Value>, _ noun: String) {
        self.range = range
        self.noun = noun
        choices = nil
    }

    public init(choices: [(value: Value, meaning: String)], _ noun: String) {
        self.choices = choices
        self.noun = noun
        let values = choices.map(\.value)
        range = values.min()!...values.max()!
    }

    /// A value outside the option's range, with what the option takes.
    public struct Refusal: Error, CustomStringConvertible {
        /// What the option takes: "it takes seconds from 1 to 86400."
        public var description: String
    }

    /// The value `text` gives, if it is one the option takes.
    public func parse(_ text: String) throws(Refusal) -> Value {
        guard let value = Value(optionText: text), accepts(value) else {
            throw Refusal(description: "it takes \(values).")
        }
        return value
    }

    public func accepts(_ value: Value) -> Bool {
        guard let choices else { return range.contains(value) }
        return choices.contains { $0.value == value }
    }

    /// What the option takes, for messages: "seconds from 1 to 86400", "one of 1 (open),
    /// 2 (WPA/WPA2-PSK)".
    public var values: String { choices == nil ? "\(noun) from \(limits)" : limits }

    /// For help, after the noun: "1 to 86400", "one of 1 (open), 2 (WPA/WPA2-PSK)".
    public var limits: String {
        guard let choices else { return "\(range.lowerBound.shown) to \(range.upperBound.shown)" }
        return "one of " + choices.map { $0.meaning.isEmpty ? $0.value.shown : "\($0.value.shown) (\($0.meaning))" }
            .joined(separator: ", ")
    }
}

/// A number an option can hold: read from the command line's text, shown in messages.
public protocol OptionNumber: Comparable, Sendable {
    /// nil for anything but a finite number of this type.
    init?(optionText: String)
    /// As a user would write it: `86400`, `0.01`.
    var shown: String { get }
}

extension Double: OptionNumber {
    public init?(optionText: String) {
        guard let value = Double(optionText), value.isFinite else { return nil }
        self = value
    }

    public var shown: String {
        rounded() == self && abs(self) < 1e15 ? String(Int64(self)) : String(self)
    }
}

extension Int: OptionNumber {
    public init?(optionText: String) { self.init(optionText) }
    public var shown: String { String(self) }
}

extension UInt64: OptionNumber {
    public init?(optionText: String) { self.init(optionText) }
    public var shown: String { String(self) }
}
