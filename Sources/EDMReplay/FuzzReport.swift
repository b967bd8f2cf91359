import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning
import EDMModel

/// What `ReplayFuzz` found: one classified run per seed, counts, and the problem seeds.
///
/// Everything is in seed order and fixed category order (no dictionary is iterated), and
/// times are simulated, so the same input gives a byte-identical `text` on every run.
public struct FuzzReport: Hashable, Sendable {
    /// How one seeded run ended.
    public enum Verdict: String, Hashable, Sendable, CaseIterable {
        /// Finished with a defined outcome within the time bound.
        case clean
        /// Did not finish within the step limit.
        case hang
        /// Finished, but later than the overall deadline plus the cleanup deadlines.
        case overDeadline = "over-deadline"
        /// Finished with an outcome a replay cannot cause (serial error, cancelled).
        case unexpectedOutcome = "unexpected-outcome"
    }

    /// One seeded run and how it ended.
    public struct Run: Hashable, Sendable {
        public var seed: UInt64
        public var verdict: Verdict
        /// `ProvisioningOutcome.name`, or `none` when the run did not finish.
        public var outcome: String
        public var exitCode: Int32
        /// Simulated time at the end of the run.
        public var duration: Duration
        public var sentence: String
        /// What went wrong, for a problem run.
        public var problem: String?
        /// Chunks of the recorded module that went through the fault injector.
        public var chunks: Int
        /// The faults injected, in order, with their times.
        public var faults: [InjectedFault]
    }

    public var mode: ReplayCheck.Mode
    /// The spec in its canonical spelling.
    public var spec: String
    public var seeds: Range<UInt64>
    /// The latest a run may finish.
    public var bound: Duration
    public var stepLimit: Int
    public var runs: [Run] = []

    /// The outcome names, in the order counts are shown (exit code order).
    public static let outcomeOrder = ["assigned", "refused", "timed_out", "module_error", "network_error",
        "serial_error", "cancelled", "none"]

    /// Runs per outcome, in `outcomeOrder`, leaving out those with none.
    public var outcomeCounts: [(outcome: String, count: Int)] {
        Self.outcomeOrder.map { name in (name, runs.filter { $0.outcome == name }.count) }.filter { $0.count > 0 }
    }

    /// Runs per verdict, in declaration order, leaving out those with none.
    public var verdictCounts: [(verdict: Verdict, count: Int)] {
        Verdict.allCases.map { v in (v, runs.filter { $0.verdict == v }.count) }.filter { $0.count > 0 }
    }

    /// The runs that hung, ran past the bound or ended in an impossible outcome, in seed order.
    public var problems: [Run] { runs.filter { $0.verdict != .clean } }

    /// How many faults of each kind were injected over all runs, in `MutationSpec.Fault` order.
    public var faultCounts: [(fault: MutationSpec.Fault, count: Int)] {
        MutationSpec.Fault.allCases.map { fault in
            (fault, runs.reduce(0) { total, run in total + run.faults.filter { $0.fault == fault }.count })
        }.filter { $0.count > 0 }
    }

    /// The report as the CLI prints it: a header, counts, then each problem seed with its
    /// outcome and the faults that led there.
    public var text: String {
        var lines = [
            "replay fuzz: \(mode.rawValue) mode, seeds from \(seeds.lowerBound) "
                + "(\(runs.count) run\(runs.count == 1 ? "" : "s")), faults \(spec)",
            "bound: \(seconds(bound)) s simulated (overall deadline plus cleanup), step limit \(stepLimit)",
            "outcomes: " + outcomeCounts.map { "\($0.outcome) \($0.count)" }.joined(separator: ", "),
            "verdicts: " + verdictCounts.map { "\($0.verdict.rawValue) \($0.count)" }.joined(separator: ", "),
            "faults injected: "
                + (faultCounts.isEmpty
                    ? "none" : faultCounts.map { "\($0.fault.rawValue) \($0.count)" }.joined(separator: ", "))
        ]
        let problems = problems
        lines.append(problems.isEmpty ? "problems: none" : "problems: \(problems.count)")
        for run in problems {
            lines.append("seed \(run.seed): \(run.verdict.rawValue): \(run.problem ?? "")")
            lines.append(
                "  outcome \(run.outcome) (exit \(run.exitCode)) at \(seconds(run.duration)) s: \(run.sentence)")
            lines.append("  \(run.faults.count) faults in \(run.chunks) chunks" + (run.faults.isEmpty ? "" : ":"))
            lines += run.faults.map { "    \($0)" }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
