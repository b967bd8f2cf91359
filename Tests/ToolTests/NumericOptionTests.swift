import Foundation
import Testing

/// No value kills a tool: every numeric option of every command, given values that once
/// crashed or hung a run, is refused with a usage error naming it, or does what it documents.
@Suite struct NumericOptionTests {
    static let values = [
        "-1", "0", "nan", "inf", "-inf", "1e308", "1e-300", "12345678901234567890", "99999999999999999999"
    ]

    /// How to run each command so that an accepted value shows what it does, quickly.
    struct Setup {
        var arguments: [String]
        /// The statuses a run with an accepted value may end with (its documented outcomes).
        var accepted: Set<Int32>
        /// Runs until Ctrl-C: once it is up, it is interrupted, and must end with 0.
        var serves = false
    }

    static func setup(_ option: CommandOptions.NumericOption, in dir: String) throws -> Setup {
        let c = try Tool.simulatorCredentials(in: dir)
        let link = "\(dir)/link-\(UUID().uuidString.prefix(8))"
        let trace = "captures/scenarios/assigned.pcapng"
        switch ([option.tool] + option.path).joined(separator: " ") {
        case "azure-dps", "azure-dps provision":
            return Setup(arguments: option.path + ["--simulate", "--offline", "--no-record"], accepted: [0, 2, 3, 4, 5])
        case "azure-dps batch":
            let csv = try Tool.temporaryFile(
                "rows-\(UUID().uuidString).csv", Data("port,cert,key\n/dev/ttyNOPE9,\(c.cert),\(c.key)\n".utf8))
            return Setup(
                arguments: ["batch", csv, "--id-scope", "x", "--ssid", "lab", "--ca", c.ca, "--no-record"],
                accepted: [6])
        case "azure-dps simulator":
            return Setup(arguments: ["simulator", "--link", link], accepted: [0], serves: true)
        case "edm-replay check":
            return Setup(arguments: ["check", trace, "--mutate", "none"], accepted: [0, 1])
        case "edm-replay serve":
            // (with --mutate, which --seed needs; none injects nothing)
            return Setup(arguments: ["serve", trace, "--link", link, "--mutate", "none"], accepted: [0], serves: true)
        case "edm-replay fuzz":
            return Setup(arguments: ["fuzz", trace, "--runs", "3"], accepted: [0, 1])
        case "edm-decode tap":
            return Setup(arguments: ["tap", "--port", "/dev/ttyNOPE9", "--link", link], accepted: [66])
        case "edm-decode extcap":
            return Setup(
                arguments: ["extcap", "--capture", "--fifo", "\(dir)/fifo", "--port", "/dev/ttyNOPE9"], accepted: [66])
        default:
            throw SetupMissing(option: option)
        }
    }

    struct SetupMissing: Error, CustomStringConvertible {
        let option: CommandOptions.NumericOption
        var description: String { "no setup for \(option): add the command to NumericOptionTests.setup" }
    }

    /// The walk is only as good as the discovery: these are options known to be numeric.
    @Test func discoveryFindsTheKnownNumericOptions() {
        let found = Set(CommandOptions.numeric.map(\.description))
        let known = [
            "azure-dps provision --timeout", "azure-dps provision --poll-interval", "azure-dps provision --baud",
            "azure-dps provision --authentication", "azure-dps provision --simulate-speed", "azure-dps batch --timeout",
            "azure-dps simulator --speed", "azure-dps simulator --seed", "edm-replay serve --speed",
            "edm-replay serve --duration", "edm-replay serve --seed", "edm-replay fuzz --runs",
            "edm-replay check --poll-interval"
        ]
        for option in known { #expect(found.contains(option), "\(option) not found in \(found.sorted())") }
    }

    /// The names derived from the declarations are the ones the tools take.
    @Test func discoveredNamesAreTheToolsOptions() throws {
        for (path, options) in Dictionary(grouping: CommandOptions.numeric, by: { [$0.tool] + $0.path }) {
            let help = try Tool.run(path[0], Array(path.dropFirst()) + ["--help"], environment: ["COLUMNS": "200"])
            for option in options {
                #expect(help.stdout.contains(option.name + " <") || option.name.hasPrefix("--simulate"), "\(option)")
            }
        }
    }

    @Test(arguments: CommandOptions.numeric)
    func everyValueIsRefusedOrDocumented(_ option: CommandOptions.NumericOption) throws {
        let dir = try Tool.temporaryDirectory("numbers")
        for value in Self.values {
            let setup = try Self.setup(option, in: dir)
            let running = try Tool.start(option.tool, setup.arguments + [option.name, value],
                                         environment: ["AZURE_DPS_WIFI_PASSPHRASE": "a passphrase"])
            let exited = Self.wait(running.process, seconds: setup.serves ? 3 : 60)
            if !exited {
                #expect(setup.serves, "\(option) \(value) still running after 60 s")
                running.process.interrupt()
                if !Self.wait(running.process, seconds: 10) { running.process.terminate() }
            }
            let r = try running.finish()
            let said = "\(option) \(value): exit \(r.status)\n\(r.stderr.suffix(400))"
            #expect(running.process.terminationReason == .exit, "killed by signal \(r.status): \(said)")
            if r.status == 64 {
                // (not ArgumentParser's "Missing value for '--runs <runs>'", which a negative number once got)
                #expect(
                    r.stderr.contains("Error: The value '\(value)' is invalid for '\(option.name)")
                        && r.stderr.contains(": it takes "),
                    "the usage error does not name the option and what it takes: \(said)")
            } else {
                #expect(setup.accepted.contains(r.status) && (exited != setup.serves), "\(said)")
                #expect(Self.acceptable(value, for: option), "accepted: \(said)")
            }
        }
    }

    /// Of the values walked, the ones an option may take: a seed takes any whole number that
    /// fits 64 bits; no other option takes any of them.
    static func acceptable(_ value: String, for option: CommandOptions.NumericOption) -> Bool {
        option.valueType == "UInt64" && UInt64(value) != nil
    }

    @Test func aFuzzRunPastTheLastSeedIsRefused() throws {
        let r = try Tool.run(
            "edm-replay",
            ["fuzz", "captures/scenarios/assigned.pcapng", "--seed", "18446744073709551615", "--runs", "2"])
        #expect(
            r.status == 64 && r.stderr.contains("--seed 18446744073709551615 with --runs 2 goes past the last seed"),
            "\(r.stderr)")
    }

    /// A config file's numbers take what their options take, and say which line is wrong.
    @Test func configFileNumbersAreCheckedToo() throws {
        for (line, says) in [
            ("timeout = inf", "timeout takes seconds from 1 to 86400"),
            ("poll-interval = 0", "poll-interval takes seconds from 2"),
            ("baud = 1e308", "baud takes one of 9600"), ("authentication = 99", "authentication takes one of 1 (open)"),
            ("timeout = \"300\"", "timeout takes seconds")
        ] {
            let config = try Tool.temporaryFile("numbers-\(UUID().uuidString).toml", Data("# bench\n\(line)\n".utf8))
            let r = try Tool.run("azure-dps", ["--simulate", "--offline", "--no-record", "--config", config])
            #expect(r.status == 64 && r.stderr.contains("\(config):2: \(says)"), "\(line): \(r.stderr)")
        }
    }

    static func wait(_ process: Process, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        return !process.isRunning
    }
}
