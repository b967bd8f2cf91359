import EDMKit
import EDMKitIO
import Foundation
import ToolSupport

/// A batch's results, one slot per row, filled in by the rows' threads.
///
/// With `--json`, each row's result object is printed as soon as it and every row before it
/// have finished: lines come in row order (the same order on every run) and still stream,
/// so a production line sees each module's result without waiting for the slowest.
final class ResultSlots: @unchecked Sendable {
    private var slots: [ProvisionRun.Result?]
    /// Each row's port, when results are printed as JSON Lines.
    private let ports: [String]?
    private var printed = 0
    private let lock = NSLock()

    init(count: Int, printing ports: [String]?) {
        slots = Array(repeating: nil, count: count)
        self.ports = ports
    }

    func set(_ i: Int, _ result: ProvisionRun.Result) {
        lock.withLock {
            slots[i] = result
            guard let ports else { return }
            while printed < slots.count, let next = slots[printed] {
                FileDescriptorText.write(next.json(port: ports[printed]).serialized + "\n", to: 1)
                printed += 1
            }
        }
    }

    var all: [ProvisionRun.Result?] { lock.withLock { slots } }

    /// The outcomes every batch summary counts, zeros included, so a reader finds each key.
    static let outcomeNames = ["assigned", "refused", "timed_out", "module_error", "network_error", "serial_error",
                               "cancelled"]

    /// The last line of `--json`: how many modules, how many of each outcome, the exit status
    /// and the batch's wall time.
    func printSummary(status: ExitStatus, duration: Duration) {
        let results = all.compactMap { $0 }
        let counts: [(String, JSONValue)] = Self.outcomeNames.map { name in
            (name, .number(String(results.count { $0.outcome.name == name })))
        }
        let summary: JSONValue = .object([
            ("modules", .number(String(results.count))), ("outcomes", .object(counts)),
            ("exitCode", .number(String(status.rawValue))), ("durationMs", .number(String(duration.milliseconds))),
        ])
        FileDescriptorText.write(JSONValue.object([("summary", summary)]).serialized + "\n", to: 1)
    }
}
