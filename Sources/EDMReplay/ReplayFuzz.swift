import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning
import EDMModel

/// Runs the provisioning machine against a recorded module with seeded faults, one run per
/// seed, and says which runs misbehaved (`edm-replay fuzz`).
///
/// Each seed gets a `MutatingModule` around the trace (`RecordedModule` in strict mode,
/// the trace's model in semantic mode) and a machine whose backoff jitter uses the same seed,
/// driven by `ProvisioningHarness` in simulated time. Whatever the faults, a correct machine
/// finishes with a defined outcome (exit 0, 2, 3, 4 or 5) no later than the overall deadline
/// plus the cleanup steps' deadlines. A run that needs more than `stepLimit` steps hangs; a
/// crash cannot be caught in-process, which is why `onSeed` names each seed before its run.
/// Pure: time is simulated and every seed's run is the same on every run.
public enum ReplayFuzz {
    /// A run that takes more harness steps than this is taken to hang.
    public static let defaultStepLimit = 100_000

    public static func run(records: [TraceRecord], mode: ReplayCheck.Mode, spec: MutationSpec, seeds: Range<UInt64>,
                           stepLimit: Int = defaultStepLimit, onSeed: (UInt64) -> Void = { _ in }) -> FuzzReport {
        let base = ReplayConfiguration.infer(from: records)
        var report = FuzzReport(
            mode: mode, spec: spec.description, seeds: seeds, bound: bound(base), stepLimit: stepLimit)
        for seed in seeds {
            onSeed(seed)
            report.runs.append(
                run(records: records, mode: mode, spec: spec, seed: seed, configuration: base, stepLimit: stepLimit))
        }
        return report
    }

    /// One seed's run, classified (to reproduce a problem seed alone).
    public static func run(
        records: [TraceRecord], mode: ReplayCheck.Mode, spec: MutationSpec, seed: UInt64,
        configuration: ProvisioningConfiguration? = nil, stepLimit: Int = defaultStepLimit
    ) -> FuzzReport.Run {
        var config = configuration ?? ReplayConfiguration.infer(from: records)
        config.seed = seed
        switch mode {
        case .strict:
            return run(
                MutatingModule(RecordedModule(records: records), spec: spec, seed: seed), config, seed, stepLimit)
        case .semantic:
            return run(MutatingModule(SimulatedModule(trace: records), spec: spec, seed: seed), config, seed, stepLimit)
        }
    }

    /// The latest a run may finish: the overall deadline, then each cleanup step's own.
    public static func bound(_ configuration: ProvisioningConfiguration) -> Duration {
        ProvisioningStep.allCases.filter(\.isCleanup).reduce(configuration.overallDeadline) {
            $0 + (configuration.deadlines[$1] ?? .zero)
        }
    }

    /// One harness run; the module it hands back says which faults it injected.
    private static func run<Inner: ModuleModel>(_ module: MutatingModule<Inner>, _ config: ProvisioningConfiguration,
                                                _ seed: UInt64, _ stepLimit: Int) -> FuzzReport.Run {
        var harness = ProvisioningHarness(configuration: config, module: module)
        harness.stepLimit = stepLimit
        let (run, shadow) = harness.runKeepingModule()
        let finished = run.actions.contains { if case .finished = $0 { true } else { false } }
        let limit = bound(config)
        let verdict: FuzzReport.Verdict
        let problem: String?
        if !finished {
            verdict = .hang
            problem = "did not finish within \(stepLimit) harness steps (at \(seconds(run.duration)) s simulated)"
        } else if ![0, 2, 3, 4, 5].contains(run.outcome.exitCode) {
            verdict = .unexpectedOutcome
            problem = "finished \(run.outcome.name) (exit \(run.outcome.exitCode)), which a replay cannot cause"
        } else if run.duration > limit {
            verdict = .overDeadline
            problem = "finished at \(seconds(run.duration)) s, past the bound of \(seconds(limit)) s"
        } else {
            verdict = .clean
            problem = nil
        }
        return FuzzReport.Run(seed: seed, verdict: verdict, outcome: finished ? run.outcome.name : "none",
                              exitCode: run.outcome.exitCode, duration: run.duration, sentence: run.outcome.sentence,
                              problem: problem, chunks: shadow.chunks, faults: shadow.applied)
    }
}
