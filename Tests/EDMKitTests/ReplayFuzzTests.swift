import Testing
@testable import EDMKit

/// `ReplayFuzz` over recordings of simulator scenarios: a correct machine never hangs and
/// never runs past the overall deadline plus cleanup, whatever the module's line does.
@Suite struct ReplayFuzzTests {
    static let scenarios: [SimulatorScenario] = [
        .assigned, .throttled, .failed, .noisyLine, .reboot, .mqttRefused, .leftoverEDM
    ]

    @Test(arguments: scenarios, ReplayCheck.Mode.allCases)
    func twoHundredSeedsFindNoHangOrLateRun(_ scenario: SimulatorScenario, _ mode: ReplayCheck.Mode) {
        let trace = ReplayCheckTests.recording(scenario)
        let report = ReplayFuzz.run(records: trace, mode: mode, spec: .default, seeds: 0..<200, stepLimit: 20_000)
        #expect(report.runs.count == 200)
        #expect(report.problems.isEmpty, "\(scenario) \(mode):\n\(report.text)")
        // The faults really happened, of several kinds.
        #expect(report.faultCounts.count >= 5, "\(report.faultCounts)")
    }

    @Test(arguments: [SimulatorScenario.assigned, .noisyLine])
    func heavyFaultsFindNoHangOrLateRun(_ scenario: SimulatorScenario) {
        let trace = ReplayCheckTests.recording(scenario)
        for mode in ReplayCheck.Mode.allCases {
            let report = ReplayFuzz.run(records: trace, mode: mode, spec: .all, seeds: 1000..<1100, stepLimit: 20_000)
            #expect(report.problems.isEmpty, "\(scenario) \(mode):\n\(report.text)")
        }
    }

    @Test func withoutFaultsEveryRunIsTheRecordedOne() {
        let trace = ReplayCheckTests.recording(.assigned)
        let report = ReplayFuzz.run(records: trace, mode: .strict, spec: MutationSpec(), seeds: 0..<5)
        #expect(
            report.runs.allSatisfy {
                $0.verdict == .clean && $0.outcome == "assigned" && $0.faults.isEmpty && $0.chunks > 0
            })
        #expect(report.text.contains("outcomes: assigned 5\n") && report.text.contains("problems: none\n"))
    }

    @Test func reportIsByteIdenticalAcrossRunsAndNamesEachSeedFirst() {
        let trace = ReplayCheckTests.recording(.throttled)
        var announced: [UInt64] = []
        let first = ReplayFuzz.run(records: trace, mode: .semantic, spec: .all, seeds: 40..<70) { announced.append($0) }
        #expect(announced == Array(40..<70))
        #expect(first.runs.map(\.seed) == announced)
        for _ in 0..<3 {
            #expect(ReplayFuzz.run(records: trace, mode: .semantic, spec: .all, seeds: 40..<70).text == first.text)
        }
        #expect(first.outcomeCounts.map(\.count).reduce(0, +) == 30)
    }

    @Test func aHangIsReportedWithItsSeedAndFaults() {
        // A step limit too small for any run stands in for a machine that never finishes.
        let trace = ReplayCheckTests.recording(.assignedFast)
        let report = ReplayFuzz.run(records: trace, mode: .strict, spec: .all, seeds: 3..<5, stepLimit: 5)
        #expect(
            report.problems.map(\.seed) == [3, 4]
                && report.problems.allSatisfy { $0.verdict == .hang && $0.outcome == "none" })
        #expect(report.text.contains("seed 3: hang: did not finish within 5 harness steps"))
        #expect(report.text.contains("verdicts: hang 2\n"))
    }

    /// Found by this fuzz (mqtt-refused, strict, seed 102): a duplicated `+UDCP:2 OK` failed
    /// the run, cleanup closed peer 2, and a duplicated `+UUDPD:2` came before the OK of
    /// `AT+UDCPC=2`; the OK then removed the first of no open peers and crashed the machine.
    @Test func aPeersDisconnectBeforeTheOKOfItsCloseIsNoCrash() {
        let trace = ReplayCheckTests.recording(.mqttRefused)
        let spec = try! MutationSpec(parsing: "duplicate=0.1,drop=0.1,delay=0.2:3s")
        let run = ReplayFuzz.run(records: trace, mode: .strict, spec: spec, seed: 102)
        #expect(run.verdict == .clean && run.outcome == "module_error", "\(run)")
        #expect(run.faults.contains { $0.fault == .duplicate })
    }

    @Test func theBoundIsTheOverallDeadlinePlusCleanup() {
        var c = ReplayConfiguration.infer(from: ReplayCheckTests.recording(.assigned))
        #expect(ReplayFuzz.bound(c) == .seconds(300 + 10 + 15))   // overall, close peers, power off
        c.overallDeadline = .seconds(60)
        c.deadlines[.powerOff] = .seconds(4)
        #expect(ReplayFuzz.bound(c) == .seconds(74))
    }

    /// The fault list comes from playing the module's side again; it must be the run's own.
    /// Checked against a copy of the harness loop that keeps its module.
    @Test(arguments: [UInt64(2), 9, 31])
    func theFaultListIsTheRunsOwn(_ seed: UInt64) {
        let trace = ReplayCheckTests.recording(.noisyLine)
        let spec = try! MutationSpec(parsing: "all,delay=0.2,split=0.3")
        var c = ReplayConfiguration.infer(from: trace)
        c.seed = seed
        var module = MutatingModule(SimulatedModule(trace: trace), spec: spec, seed: seed)
        var machine = ProvisioningMachine(configuration: c)
        var now = Duration.zero
        var pending = machine.start(now: now)
        while true {
            for case .send(let bytes) in pending { module.receive(bytes[...], now: now) }
            pending = []
            guard !machine.isFinished, let next = [module.nextOutputTime, machine.nextDeadline].compactMap({ $0 }).min()
            else { break }
            now = max(now, next)
            let output = module.takeOutput(until: now)
            for (time, bytes) in output { pending += machine.receive(bytes[...], now: time) }
            if output.isEmpty, let deadline = machine.nextDeadline, now >= deadline {
                pending += machine.timeout(now: now)
            }
        }
        let run = ReplayFuzz.run(records: trace, mode: .semantic, spec: spec, seed: seed)
        #expect(run.faults == module.applied && run.chunks == module.chunks && run.duration == now)
        #expect(!run.faults.isEmpty)
    }
}
