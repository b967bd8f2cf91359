import Foundation
import Testing
import ToolSupport

/// Help that reads well at 80 columns, errors that name their real cause, messages that read
/// as sentences.
@Suite struct HelpAndMessageTests {
    static func help(_ command: CommandOptions.Command) throws -> Tool.Result {
        try Tool.run(command.tool, command.path + ["--help"], environment: ["COLUMNS": "80"])
    }

    /// The option blocks of a help text: each option's line with the lines of its help.
    static func optionBlocks(_ help: String) -> [String] {
        var blocks: [String] = []
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  -") || line.hasPrefix("  <") {
                blocks.append(String(line))
            } else if line.hasPrefix("    "), !blocks.isEmpty {
                blocks[blocks.count - 1] += "\n" + line
            }
        }
        return blocks
    }

    @Test(arguments: CommandOptions.commands.map { [$0.tool] + $0.path })
    func helpFitsEightyColumnsAndSaysThingsOnce(_ command: [String]) throws {
        let r = try Tool.run(command[0], Array(command.dropFirst()) + ["--help"], environment: ["COLUMNS": "80"])
        let name = command.joined(separator: " ")
        #expect(r.status == 0 && r.stdout.contains("USAGE: "), "\(name): \(r.stderr)")
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        for line in lines { #expect(line.count <= 80, "\(name): \(line.count) columns: \(line)") }
        for block in Self.optionBlocks(r.stdout) {
            let flat = block.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(flat.components(separatedBy: "(default").count <= 2, "\(name): the default twice: \(flat)")
            #expect(
                flat.components(separatedBy: "(values:").count <= 2
                    && !(flat.contains("(values:") && flat.contains("One of")),
                "\(name): the values twice: \(flat)")
        }
        // An example or table row cut at the edge would continue at the left margin.
        let discussion = lines.prefix { !$0.hasPrefix("USAGE: ") }
        for (line, next) in zip(discussion, discussion.dropFirst()) where line.hasPrefix("  ") {
            #expect(next.isEmpty || next.hasPrefix("  "), "\(name): wrapped in the middle of a row:\n\(line)\n\(next)")
        }
    }

    @Test func helpTeachesWhatEachCommandIsFor() throws {
        let expected: [([String], [String])] = [
            (
                ["azure-dps"],
                [
                    "--port", "--id-scope", "--passphrase-file", "--simulate", "--record", "130 interrupted", "batch",
                    "simulator"
                ]
            ),
            (["azure-dps", "provision"], ["--passphrase-file", "--no-flow-control", "--record-secrets", "--config"]),
            (["edm-decode"], ["--input-format", "--from", "transcript", "73  the output cannot be created"]),
            (
                ["edm-replay", "check"],
                ["Faults (--mutate SPEC)", "dps-error=P[:CODE]", "delay=P[:200ms]", "--expect", "serial_error"]
            ),
            (["edm-replay", "fuzz"], ["Faults (--mutate SPEC)", "split=P[:N]", "all, none", "--runs <runs>"]),
            (["edm-replay", "serve"], ["--link <link>", "--duration", "0.1 to 604800"]),
        ]
        for (command, texts) in expected {
            let r = try Tool.run(command[0], Array(command.dropFirst()) + ["--help"], environment: ["COLUMNS": "80"])
            for text in texts { #expect(r.stdout.contains(text), "\(command) --help does not mention \(text)") }
        }
    }

    @Test(arguments: CommandOptions.commands.map { [$0.tool] + $0.path })
    func everyCommandHasTheVersion(_ command: [String]) throws {
        let r = try Tool.run(command[0], Array(command.dropFirst()) + ["--version"])
        #expect(r.status == 0 && r.stdout == ToolText.version + "\n", "\(command): \(r.stdout) \(r.stderr)")
    }

    /// An unknown option is named as unknown (with the nearest known one), whatever else the
    /// command line gets wrong.
    @Test func unknownOptionsAreNamed() throws {
        let cases: [([String], String)] = [
            (
                ["azure-dps", "--port", "/dev/ttyUSB0", "--id-scop", "X"],
                "Unknown option '--id-scop'. Did you mean '--id-scope'?"
            ),
            (["azure-dps", "--simulate", "--bogus", "1"], "Unknown option '--bogus'"),
            (["azure-dps", "simulator", "--lnk", "/tmp/x"], "Unknown option '--lnk'. Did you mean '--link'?"),
            (["edm-decode", "--bogus"], "Unknown option '--bogus'."),
            (["edm-decode", "--fromm", "host"], "Unknown option '--fromm'. Did you mean '--from'?"),
            (["edm-replay", "check", "--bogus", "x"], "Unknown option '--bogus'."),
            (
                ["edm-replay", "fuzz", "captures/scenarios/assigned.pcapng", "--run", "5"],
                "Unknown option '--run'. Did you mean '--runs'?"
            )
        ]
        for (command, says) in cases {
            let r = try Tool.run(command[0], Array(command.dropFirst()))
            #expect(r.status == 64 && r.stderr.hasPrefix("Error: " + says), "\(command): \(r.stderr)")
        }
    }

    /// Every message ends in one full stop: the tools' own, ArgumentParser's, and those built
    /// from a library's sentence.
    @Test func messagesEndInOneFullStop() throws {
        let dir = try Tool.temporaryDirectory("messages")
        let commands: [[String]] = [
            ["edm-decode", "/nonexistent.log"], ["edm-decode", "Package.swift"], ["edm-decode", "--host", "x"],
            ["edm-decode", "captures/scenarios/assigned.pcapng", "-o", "/nonexistent/out"],
            ["edm-replay", "check"], ["edm-replay", "check", "/nonexistent.pcapng"],
            ["edm-replay", "fuzz", "x", "--mutate", "bogus"],
            ["azure-dps"], ["azure-dps", "batch", "/nonexistent.csv"], ["azure-dps", "--offline"],
            [
                "azure-dps", "--port", "/dev/ttyNOPE0", "--id-scope", "x", "--ssid", "s", "--no-record", "--ca",
                "\(dir)/ca.pem",
                "--cert", "\(dir)/cert.pem", "--key", "\(dir)/key.pem"
            ]
        ]
        _ = try Tool.simulatorCredentials(in: dir)
        for command in commands {
            let r = try Tool.run(
                command[0], Array(command.dropFirst()), environment: ["AZURE_DPS_WIFI_PASSPHRASE": "a passphrase"])
            let said = r.stderr.split(separator: "\n").filter {
                $0.hasPrefix("Error: ") || $0.hasPrefix(command[0] + ": ") || $0.hasPrefix("✗ ")
            }
            #expect(!said.isEmpty && r.status != 0, "\(command): \(r.stderr)")
            for line in said { #expect(line.hasSuffix(".") && !line.hasSuffix(".."), "\(command): \(line)") }
        }
    }

    /// Counts agree with their noun; times read `1.093 s`, not a Duration or a Range.
    @Test func countsAndDurationsReadAsWords() throws {
        let one = try Tool.temporaryFile("one-unit.bin", Data("AT\r".utf8))
        let decoded = try Tool.run("edm-decode", [one, "--from", "host", "-f", "transcript"])
        #expect(decoded.stdout.contains("s, 1 unit\n") || decoded.stdout.contains("s, 1 unit,"), "\(decoded.stdout)")
        let fuzz = try Tool.run("edm-replay", ["fuzz", "captures/scenarios/assigned.pcapng", "--runs", "1"])
        #expect(
            fuzz.stdout.contains("1 seed from 1") && fuzz.stdout.contains("(1 run)") && !fuzz.stdout.contains("..<"),
            "\(fuzz.stdout)")
        let mutated = try Tool.run(
            "edm-replay",
            ["check", "captures/scenarios/assigned.pcapng", "--mutate", "drop=0.05,corrupt=0.02", "--seed", "17"])
        #expect(
            mutated.stdout.contains("fault at 1.093 s:") && !mutated.stdout.contains("seconds"), "\(mutated.stdout)")
    }
}
