import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// Runs the provisioning machine against a module model (the simulator, or a recorded
/// trace) in simulated time.
///
/// Nothing sleeps: time jumps to whichever comes first, the module's next output or the
/// machine's next deadline (quinn-proto's `Pair::step`). Everything both sides write is
/// recorded as trace records, so a run can be decoded, written as pcapng and replayed.
public struct ProvisioningHarness<Module: ModuleModel>: Sendable {
    /// How the module's output is cut before the machine reads it.
    public enum Chunking: Hashable, Sendable {
        /// Each output as the simulator scheduled it.
        case whole
        /// One byte per read.
        case bytes
        /// Random sizes from 1 to `max`, seeded.
        case random(seed: UInt64, max: Int)
    }

    public var configuration: ProvisioningConfiguration
    public var module: Module
    public var chunking: Chunking = .whole
    /// Press Ctrl-C at this time.
    public var cancelAt: Duration?
    /// A run that needs more steps than this is stuck (a bug the tests must see).
    public var stepLimit = 100_000

    public init(configuration: ProvisioningConfiguration, module: Module) {
        self.configuration = configuration
        self.module = module
    }

    public func run() -> ProvisioningRun { runKeepingModule().run }

    /// The run, and the module model as it ended (what a responder could not answer, which
    /// faults a mutating module injected).
    public func runKeepingModule() -> (run: ProvisioningRun, module: Module) { runKeepingModule { _ in } }

    /// The same, showing `observe` the machine after each of its inputs.
    package func runKeepingModule(observing observe: (ProvisioningMachine) -> Void) -> (run: ProvisioningRun,
        module: Module) {
        var machine = ProvisioningMachine(configuration: configuration)
        var module = self.module
        var records: [TraceRecord] = []
        var actions: [ProvisioningAction] = []
        var rng = SplitMix64(seed: { if case .random(let seed, _) = chunking { seed } else { 0 } }())
        var now = Duration.zero
        var cancelPending = cancelAt

        func apply(_ new: [ProvisioningAction]) {
            for action in new {
                actions.append(action)
                if case .send(let bytes) = action {
                    records.append(TraceRecord(time: now, direction: .host, bytes: bytes))
                    module.receive(bytes[...], now: now)
                }
            }
            observe(machine)
        }

        apply(machine.start(now: now))
        var steps = 0
        while !machine.isFinished, steps < stepLimit {
            steps += 1
            let candidates = [module.nextOutputTime, machine.nextDeadline, cancelPending].compactMap { $0 }
            guard let next = candidates.min() else { break }
            now = max(now, next)
            if let at = cancelPending, now >= at {
                cancelPending = nil
                apply(machine.cancel(now: now))
                continue
            }
            let output = module.takeOutput(until: now)
            for (time, bytes) in output {
                for chunk in cut(bytes, &rng) {
                    records.append(TraceRecord(time: time, direction: .module, bytes: Array(chunk)))
                    apply(machine.receive(chunk, now: time))
                }
            }
            if output.isEmpty, let deadline = machine.nextDeadline, now >= deadline {
                apply(machine.timeout(now: now))
            }
        }
        let step = machine.step ?? .detectMode
        let outcome = machine.isFinished
            ? machine.outcome ?? .moduleError(step, "the simulated run did not finish within \(stepLimit) steps")
            : .moduleError(step, "stuck: the run did not finish")
        let run = ProvisioningRun(outcome: outcome, records: records, actions: actions, duration: now)
        return (run, module)
    }

    private func cut(_ bytes: [UInt8], _ rng: inout SplitMix64) -> [ArraySlice<UInt8>] {
        switch chunking {
        case .whole:
            return [bytes[...]]
        case .bytes:
            return bytes.indices.map { bytes[$0...$0] }
        case .random(_, let max):
            var out: [ArraySlice<UInt8>] = []
            var i = 0
            while i < bytes.count {
                let n = Int(rng.next() % UInt64(Swift.max(1, max))) + 1
                out.append(bytes[i..<Swift.min(bytes.count, i + n)])
                i += n
            }
            return out
        }
    }
}
