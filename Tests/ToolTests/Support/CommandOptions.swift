import ArgumentParser
@testable import azure_dps
@testable import edm_decode
@testable import edm_replay

/// Every command of the three tools and its options, read from the commands' own declarations
/// (so an option added tomorrow is walked by the tests without anyone listing it).
enum CommandOptions {
    struct Command {
        let tool: String
        /// The subcommand's name, nil for the root (or default) command.
        let path: [String]
        let type: ParsableArguments.Type
    }

    struct NumericOption: Hashable, CustomStringConvertible {
        let tool: String
        let path: [String]
        /// `--poll-interval`
        let name: String
        /// `Double`, `Int`, `UInt64`
        let valueType: String
        var description: String { ([tool] + path + [name]).joined(separator: " ") }
    }

    static let roots: [(tool: String, type: ParsableCommand.Type)] = [
        ("azure-dps", AzureDPS.self), ("edm-decode", EDMDecode.self), ("edm-replay", EDMReplay.self),
    ]

    /// The root commands and every subcommand below them.
    static var commands: [Command] {
        var found: [Command] = []
        func walk(_ tool: String, _ path: [String], _ type: ParsableCommand.Type) {
            found.append(Command(tool: tool, path: path, type: type))
            for sub in type.configuration.subcommands {
                walk(tool, path + [sub._commandName], sub)
            }
        }
        for root in roots { walk(root.tool, [], root.type) }
        // edm-decode's root takes file names, so it runs these itself rather than as subcommands.
        for (name, type) in [("tap", Tap.self), ("extcap", ExtcapCommand.self)] as [(String, ParsableCommand.Type)] {
            found.append(Command(tool: "edm-decode", path: [name], type: type))
        }
        return found
    }

    /// Options whose value is a number, with option groups looked into.
    static var numeric: [NumericOption] {
        commands.flatMap { command in
            properties(of: command.type).compactMap { label, typeName -> NumericOption? in
                guard let number = numberType(typeName) else { return nil }
                return NumericOption(tool: command.tool, path: command.path, name: optionName(label), valueType: number)
            }
        }
    }

    /// (label, type name) of each stored property, option groups flattened.
    static func properties(of type: ParsableArguments.Type) -> [(String, String)] {
        Mirror(reflecting: type.init()).children.flatMap { child -> [(String, String)] in
            if let group = child.value as? OptionGroupContents { return properties(of: group.contents) }
            return [(child.label ?? "", String(describing: Swift.type(of: child.value)))]
        }
    }

    /// `Option<Optional<Double>>` -> `Double`; nil for options of other types, flags, arguments.
    static func numberType(_ typeName: String) -> String? {
        let numbers = ["Double", "Float", "Int", "Int64", "Int32", "UInt", "UInt64", "UInt32", "UInt16", "UInt8"]
        return numbers.first { typeName == "Option<\($0)>" || typeName == "Option<Optional<\($0)>>" }
    }

    /// `_pollInterval` -> `--poll-interval`, as ArgumentParser names a long option.
    static func optionName(_ label: String) -> String {
        var name = "--"
        var previous: Character = "_"
        for c in label.drop(while: { $0 == "_" }) {
            if c.isUppercase, previous.isLowercase { name += "-" }
            name += c.lowercased()
            previous = c
        }
        return name
    }
}

/// An option group's arguments type, which Mirror alone cannot reach.
protocol OptionGroupContents {
    var contents: ParsableArguments.Type { get }
}

extension OptionGroup: OptionGroupContents {
    var contents: ParsableArguments.Type { Value.self }
}
