import ArgumentParser
import EDMKit
import EDMKitIO
import ToolSupport
import Foundation

/// Several modules at once, one row each; shared settings from options or `--config`.
struct Batch: ParsableCommand, UsageChecks {
    static let configuration = CommandConfiguration(
        abstract: "Provision several modules at once from a CSV file.",
        discussion: """
        The CSV has a header naming its columns: port, registration-id (optional), cert, key, \
        and optionally ca. Other settings (id scope, Wi-Fi, CA) come from the options or \
        --config and apply to every row. Each module gets its own recording \
        (azure-dps-<time>-<registration id>.pcapng). Exit status 0 only if every module was \
        assigned, else the first failing row's status.
        """
    )

    @Argument(help: "CSV file: port,registration-id,cert,key[,ca]")
    var file: String

    @OptionGroup var options: ProvisionOptions

    func checkUsage() throws {
        try options.checkConflicts()
        // Each row has its own; given once for all, they would be ignored.
        for (given, option) in [(options.port, "--port"), (options.cert, "--cert"), (options.key, "--key"),
                                (options.registrationId, "--registration-id")] where given != nil {
            throw ValidationError("\(option) is a column of the CSV (each module has its own), not an option of batch.")
        }
    }

    func run() throws {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            fail("cannot read \(file)", .unreadable(file))
        }
        let rows = parse(text)
        guard !rows.isEmpty else { fail("\(file) has no rows", .dataErr) }
        let progress = ProgressView(terminal: false, verbose: false)
        let results = ResultSlots(count: rows.count)
        let group = DispatchGroup()
        for (i, row) in rows.enumerated() {
            var overrides = ProvisionOptions.Overrides(port: row.port, registrationID: row.registrationID)
            overrides.credentialFiles = CredentialFiles(ca: row.ca ?? options.ca ?? "", certificate: row.cert, key: row.key)
            var settings = options.resolve(overrides: overrides)
            if options.record == nil, settings.recordPath != nil { settings.recordPath = ProvisionOptions.defaultRecording(settings.configuration.registrationID) }
            let label = "[\(settings.configuration.registrationID) on \(row.port)]"
            let run = ProvisionRun(settings: settings, progress: progress)
            group.enter()
            Thread.detachNewThread {
                results.set(i, run.runQuietly(label: label))
                group.leave()
            }
        }
        group.wait()
        progress.say("")
        progress.say("module".padding(28) + "outcome".padding(16) + "result")
        for (row, result) in zip(rows, results.all) {
            guard let result else { continue }
            progress.say("\(result.registrationID) (\(row.port))".padding(28) + result.outcome.name.padding(16) + ToolText.sentence(result.outcome.sentence))
        }
        let failed = results.all.compactMap { $0 }.first { ExitStatus($0.outcome) != .ok }
        throw (failed.map { ExitStatus($0.outcome) } ?? .ok).exitCode
    }

    struct Row {
        var port: String
        var registrationID: String?
        var cert: String
        var key: String
        var ca: String?
    }

    func parse(_ text: String) -> [Row] {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
        guard let header = lines.first else { return [] }
        func column(_ name: String) -> Int? { header.firstIndex { $0.lowercased() == name } }
        guard let port = column("port"), let cert = column("cert"), let key = column("key") else {
            fail("\(file) line 1: the header must name the columns port, cert and key (and optionally registration-id, ca)", .dataErr)
        }
        let id = column("registration-id"), ca = column("ca")
        return lines.dropFirst().enumerated().compactMap { n, fields in
            if fields.allSatisfy(\.isEmpty) { return nil }
            guard fields.count == header.count else { fail("\(file) line \(n + 2): \(fields.count) fields, the header has \(header.count)", .dataErr) }
            return Row(port: fields[port], registrationID: id.map { fields[$0] }.flatMap { $0.isEmpty ? nil : $0 },
                       cert: fields[cert], key: fields[key], ca: ca.map { fields[$0] })
        }
    }
}

/// One result per row, filled in by the rows' threads.
final class ResultSlots: @unchecked Sendable {
    private var slots: [ProvisionRun.Result?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ result: ProvisionRun.Result) { lock.withLock { slots[i] = result } }
    var all: [ProvisionRun.Result?] { lock.withLock { slots } }
}

extension ProvisionRun {
    /// A batch row: one line when it starts and one when it ends, labelled, since several
    /// modules share the screen.
    func runQuietly(label: String) -> Result {
        progress.say("\(label) starting")
        let result = run()
        progress.say("\(label) \(result.outcome.name): \(ToolText.sentence(result.outcome.sentence))")
        return result
    }
}
