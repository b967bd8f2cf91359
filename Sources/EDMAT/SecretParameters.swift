import EDMBytes

/// The commands whose parameters can hold a secret, and the rule for each: the one place the
/// secret rules are written. `ATCatalog.secretParameterIndices` applies them to a parsed line;
/// `Redactor`'s quick test reads them off the bytes to turn most lines away without a parse.
package struct SecretParameters: Sendable {
    /// The command's name, upper case with its `+`.
    package let name: String
    /// The first secret parameter; every one after it is secret too (a secret written without
    /// quotes may hold commas, which split it into several parameters).
    package let first: Int
    package let condition: Condition

    /// When the rule applies to a line.
    package enum Condition: Sendable {
        /// Parameter `index` is one of `values`: `AT+UWSC`'s tag, `AT+USECMNG`'s operation.
        case selector(index: Int, values: [Int])
        /// The value from `first` on is a SAS token (`SharedAccessSignature ...`).
        case sasToken
    }

    package static let sasTokenPrefix: StaticString = "SharedAccessSignature"

    package static let all: [SecretParameters] = [
        // Tags 6 (WEP keys), 8 (passphrase), 9 (password).
        SecretParameters(name: "+UWSC", first: 2, condition: .selector(index: 1, values: [6, 8, 9])),
        // An import (operation 0) with a key password.
        SecretParameters(name: "+USECMNG", first: 4, condition: .selector(index: 0, values: [0])),
        // A URL variable holding the SAS token of a symmetric-key enrollment.
        SecretParameters(name: "+UDUV", first: 1, condition: .sasToken),
    ]

    /// The rule for a command name in upper case.
    package static func rule(named name: String) -> SecretParameters? {
        all.first { $0.name == name }
    }

    /// The rule whose name `bytes` spell, ignoring ASCII case.
    package static func rule(spelledBy bytes: ArraySlice<UInt8>) -> SecretParameters? {
        all.first { rule in
            bytes.count == rule.name.utf8.count && zip(bytes,
                rule.name.utf8).allSatisfy { a, b in (a >= 0x61 && a <= 0x7A ? a - 0x20 : a) == b }
        }
    }
}
