import ArgumentParser
import EDMKitIO

/// A tool's root command. Its `main` differs from ArgumentParser's in three ways:
///
/// - An unknown option is reported as unknown (with the nearest known one) before any check
///   of what the options mean together. ArgumentParser runs `validate()` first, so in
///   `azure-dps --port P --id-scop X` the X, taken for the scenario argument, drew "A scenario
///   name goes with --simulate". A first parse skips those checks (`UsageChecks`) and reports
///   any parse error; only a clean parse goes on to the checks and the run.
/// - Error messages end in one full stop, as `fail`'s do.
/// - A root with a default subcommand shows that subcommand's arguments and options in its
///   own help: `azure-dps --help` lists the provisioning options.
public protocol ToolCommand: ParsableCommand {}

extension ToolCommand {
    public static func main() { main(arguments: Array(CommandLine.arguments.dropFirst())) }

    /// As `main()`, with the arguments given: a tool whose root takes file names runs its
    /// subcommands so (`edm-decode tap ...`), since ArgumentParser would take `tap` for a file.
    public static func main(arguments: [String]) -> Never {
        if let help = helpWithDefaultSubcommand(arguments) {
            print(help)
            end(ExitStatus.ok)
        }
        ParsePass.$checksDeferred.withValue(true) {
            do { _ = try parseAsRoot(arguments) } catch { exitReporting(error) }
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            exitReporting(error)
        }
        end(ExitStatus.ok)
    }

    /// As ArgumentParser's `exit(withError:)`, with the message's first line made one sentence.
    static func exitReporting(_ error: any Error) -> Never {
        let status = exitCode(for: error)
        var text = fullMessage(for: error)
        if status == .validationFailure, text.hasPrefix("Error: ") {
            let end = text.firstIndex(of: "\n") ?? text.endIndex
            text = ToolText.sentence(String(text[..<end])) + text[end...]
        }
        if !text.isEmpty {
            if status == .success { print(text) } else { FileDescriptorText.write(text + "\n", to: 2) }
        }
        end(status)
    }

    /// The root's help with the default subcommand's usage, arguments and options in place of
    /// the root's own, when the arguments ask for the root's help; nil otherwise.
    static func helpWithDefaultSubcommand(_ arguments: [String]) -> String? {
        guard let sub = configuration.defaultSubcommand, [["--help"], ["-h"], ["help"]].contains(arguments) else {
            return nil
        }
        let root = helpMessage(), inner = helpMessage(for: sub)
        guard let rootUsage = root.firstRange(of: "USAGE: "), let subcommands = root.firstRange(of: "\nSUBCOMMANDS:"),
              let innerUsage = inner.firstRange(of: "USAGE: ") else { return nil }
        let name = _commandName, subName = sub._commandName
        // "USAGE: azure-dps provision [<options>]" -> "USAGE: azure-dps [<options>]", then the subcommands
        var sections = inner[innerUsage.lowerBound...]
            .replacingFirst("USAGE: \(name) \(subName) ", with: "USAGE: \(name) ")
        if let end = sections.firstIndex(of: "\n") {
            sections.insert(contentsOf: "\n       \(name) <subcommand>", at: end)
        }
        return String(root[..<rootUsage.lowerBound]) + sections.trimmingTrailingNewlines + "\n"
            + root[subcommands.lowerBound...]
    }
}

/// Checks of what a command's options mean together (a conflict, a missing companion), run
/// by ArgumentParser as `validate()` once the command line has parsed cleanly.
public protocol UsageChecks: ParsableArguments {
    func checkUsage() throws
}

extension UsageChecks {
    public func validate() throws {
        guard !ParsePass.checksDeferred else { return }
        try checkUsage()
    }
}

enum ParsePass {
    /// Set while `ToolCommand.main` parses only to find parse errors.
    @TaskLocal static var checksDeferred = false
}

extension Substring {
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return String(self) }
        return String(self[..<range.lowerBound]) + replacement + self[range.upperBound...]
    }
}

extension String {
    fileprivate var trimmingTrailingNewlines: Substring {
        var text = self[...]
        while text.last == "\n" { text.removeLast() }
        return text
    }
}
