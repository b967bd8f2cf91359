import ArgumentParser
import EDMKit
import EDMKitIO
import ToolSupport
import Foundation

/// Several modules at once, one row each; shared settings from options or `--config`.
struct Batch: ParsableCommand, UsageChecks {
    static let configuration = CommandConfiguration(
        abstract: "Provision several modules at once, from a CSV file or the config file's [[module]] tables.",
        discussion: """
        The CSV has a header naming its columns: port, registration-id, cert, key, ca, \
        symmetric-key-file, group-key-file (port required); fields may be quoted. An X.509 \
        module's row gives cert and key; a symmetric-key module's row gives its registration id \
        and either a key file or none, when --group-key-file (or --symmetric-key-file, or the \
        environment) gives the key of every such row. Instead of a CSV, --config may hold one \
        [[module]] table per module with the same keys. Other settings (id scope, Wi-Fi, CA) \
        come from the options or --config and apply to every module. Two rows on one port are \
        refused before any module starts (exit 65).

        Each module gets its own recording: azure-dps-<time>-<registration id>.pcapng by \
        default; with --record one.pcapng, one-<registration id>.pcapng (-2, -3, ... for a \
        registration id that comes again). Every progress line starts with the module's label. \
        --json prints one result object per module (JSON Lines, in row order, with its port), \
        then one summary line.

        Exit status 0 only if every module was assigned, else the first failing row's status.

          azure-dps batch --simulate 4          four simulated modules, no hardware
          azure-dps batch modules.csv --config lab.toml --json
        """
    )

    @Argument(help: """
        CSV file with a header: port and cert,key or a key file column (not with [[module]] tables or --simulate).
        """)
    var file: String?

    @OptionGroup var options: ProvisionOptions

    @Option(parsing: .unconditional,
            help: """
                Run this many simulated modules, each on a pty of its own (no hardware, no CSV), \
                \(Bounds.simulatedModules.limits).
                """,
            transform: Bounds.simulatedModules.parse)
    var simulate: Int?

    @Option(parsing: .unconditional, help: .hidden, transform: Bounds.speed.parse)
    var simulateSpeed: Double?

    func checkUsage() throws {
        try options.checkConflicts()
        // Each row has its own; given once for all, they would be ignored.
        for (given, option) in [(options.port, "--port"), (options.cert, "--cert"), (options.key, "--key"),
                                (options.registrationId, "--registration-id")] where given != nil {
            throw ValidationError("\(option) is a column of the CSV (each module has its own), not an option of batch.")
        }
        if let file, let n = simulate {
            throw ValidationError("\(file) and --simulate \(n) exclude each other: give the modules or simulate them.")
        }
        if simulateSpeed != nil, simulate == nil {
            throw ValidationError("--simulate-speed goes with --simulate N.")
        }
    }

    func run() throws {
        let config = options.loadConfig()
        if let config { Self.refusePerModuleSettings(in: config) }
        let speed = simulateSpeed ?? 1
        let simulators = (0..<(simulate ?? 0)).map {
            SimulatorSetup(scenario: .assigned, seed: UInt64($0 + 1), speed: speed, instance: $0 + 1)
        }
        let rows = self.rows(config: config, simulators: simulators)
        BatchRow.checkPorts(rows)

        // Every row is resolved (files read, checked) before any module is touched, so a bad
        // row stops the batch while nothing is half done.
        // One watch for every module, made here before any thread (see RunCancellation).
        let cancellation = RunCancellation()
        let runs = plan(rows, config: config, simulators: simulators, speed: speed, cancellation: cancellation)
        let json = runs.first?.settings.json ?? options.json
        for simulator in simulators { simulator.start() }
        let clock = ContinuousClock(), start = clock.now
        let results = ResultSlots(count: runs.count, printing: json ? runs.map { $0.settings.port } : nil)
        let group = DispatchGroup()
        for (i, run) in runs.enumerated() {
            group.enter()
            Thread.detachNewThread {
                results.set(i, run.runQuietly())
                group.leave()
            }
        }
        group.wait()
        cancellation.cancel()
        for simulator in simulators { simulator.stop() }
        let done = results.all.compactMap { $0 }
        let failed = done.first { ExitStatus($0.outcome) != .ok }
        let status = failed.map { ExitStatus($0.outcome) } ?? .ok
        if json { results.printSummary(status: status, duration: clock.now - start) }
        let progress = ProgressView(terminal: false, verbose: false)
        progress.say("")
        progress.say("module".padding(28) + "outcome".padding(16) + "result")
        for (run, result) in zip(runs, done) {
            progress.say("\(result.registrationID) (\(run.settings.port))".padding(28) + result.outcome.name.padding(16)
                         + ToolText.sentence(result.outcome.sentence))
        }
        throw status.exitCode
    }

    /// The modules: simulated, from the CSV file, or from the config's `[[module]]` tables.
    private func rows(config: ConfigFile?, simulators: [SimulatorSetup]) -> [BatchRow] {
        let tables = config.map { !$0.modules.isEmpty } ?? false
        if tables, let file {
            fail("\(file) and the [[module]] tables of \(options.config!) exclude each other: give one", .usage)
        }
        if tables, let n = simulate {
            fail("--simulate \(n) and the [[module]] tables of \(options.config!) exclude each other: give one", .usage)
        }
        if !simulators.isEmpty {
            return simulators.enumerated().map { i, simulator in
                let files = simulator.defaults.credentialFiles!
                return BatchRow(source: "simulated module \(i + 1)", port: simulator.pty.slavePath,
                                cert: files.certificate, key: files.key)
            }
        }
        if let file { return BatchRow.read(csv: file) }
        if let config, tables { return BatchRow.read(modulesOf: config) }
        fail("no modules: give a CSV file, [[module]] tables in --config, or --simulate N", .usage)
    }

    /// Each row's settings, and the run that will use them.
    private func plan(_ rows: [BatchRow], config: ConfigFile?, simulators: [SimulatorSetup], speed: Double,
                      cancellation: RunCancellation) -> [ProvisionRun] {
        func string(_ cli: String?, _ key: String) -> String? {
            if let cli { return cli }
            do { return try config?.string(key) } catch { fail(error.message, .usage) }
        }
        let sharedCA = string(options.ca, "ca")
        let environment = ProcessInfo.processInfo.environment
        // (A row's own key file comes before the batch's key.)
        let batchKey = string(options.symmetricKeyFile, "symmetric-key-file") ?? string(options.groupKeyFile,
            "group-key-file")
            ?? environment[SymmetricKeySource.individualVariable] ?? environment[SymmetricKeySource.groupVariable]
        let batchHasKey = batchKey != nil
        let recordBase = options.noRecord ? nil : string(options.record, "record")
        var taken = Set<String>()
        return rows.enumerated().map { i, row in
            var overrides = ProvisionOptions.Overrides(port: row.port, registrationID: row.registrationID)
            let defaults = i < simulators.count ? simulators[i].defaults : ProvisionOptions.Overrides()
            guard let ca = row.ca ?? sharedCA ?? defaults.credentialFiles?.ca else {
                fail("\(row.source): no CA: give --ca, `ca = ...` in --config, or a ca column", .usage)
            }
            if let cert = row.cert, let key = row.key {
                overrides.credentialFiles = CredentialFiles(ca: ca, certificate: cert, key: key)
            } else {
                overrides.rootCA = ca
                if row.symmetricKeyFile != nil || row.groupKeyFile != nil {
                    overrides.symmetricKey = SymmetricKeySource.find(individualFile: row.symmetricKeyFile,
                        groupFile: row.groupKeyFile,
                        certificateGiven: false, environment: [:], fallback: nil)
                } else if !batchHasKey {
                    fail(
                        "\(row.source): no cert and key, and no symmetric key: "
                            + "give cert and key, a symmetric-key-file or "
                            + "group-key-file column, or --group-key-file for the whole batch", .usage)
                }
            }
            if let recordBase {
                overrides.recording = { id in
                    let name = RecordingName.perModule(recordBase, id)
                    var candidate = name, n = 1
                    while taken.contains(candidate) {
                        n += 1
                        candidate = RecordingName.numbered(name, n)
                    }
                    taken.insert(candidate)
                    return candidate
                }
            }
            var settings = options.resolve(overrides: overrides, defaults: defaults)
            if speed != 1 { settings.configuration = settings.configuration.scaled(by: 1 / speed) }
            let label = "[\(settings.configuration.registrationID) on \(row.port)] "
            let progress = ProgressView(terminal: false, verbose: settings.verbose, label: label)
            return ProvisionRun(settings: settings, progress: progress, cancellation: cancellation,
                                recordedTimeScale: simulators.isEmpty ? 1 : speed)
        }
    }

    /// A config file's port, certificate, key or registration id would be every module's;
    /// in a batch they belong to the rows.
    private static func refusePerModuleSettings(in config: ConfigFile) {
        for key in ["port", "cert", "key", "registration-id"] {
            guard let entry = config.settings[key] else { continue }
            fail("\(config.place(nil)(entry)): \(key) is set for every module; in a batch it belongs to each module "
                 + "(a CSV column or a [[module]] table)", .usage)
        }
    }
}

extension ProvisionRun {
    /// A batch row: one line when it starts and one when it ends, with the step lines between
    /// (each line labelled by the row's view).
    func runQuietly() -> Result {
        progress.say("starting")
        let result = run()
        progress.say("\(result.outcome.name): \(ToolText.sentence(result.outcome.sentence))")
        return result
    }
}
