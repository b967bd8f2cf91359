import Testing
@testable import EDMKit

/// `MutationSpec` parsing and each fault of `MutatingModule`, on a small recorded trace.
@Suite struct MutationTests {
    /// Three module writes and one host write: the smallest trace every fault can be seen on.
    static let trace: [TraceRecord] = [
        TraceRecord(time: .milliseconds(100), direction: .host, bytes: Array("AT\r".utf8)),
        TraceRecord(time: .milliseconds(120), direction: .module, bytes: Array("AT\r\r\nOK\r\n".utf8)),
        TraceRecord(time: .seconds(1), direction: .module, bytes: Array("\r\n+UUNU:0\r\n".utf8)),
        TraceRecord(time: .seconds(2), direction: .module, bytes: EDMEncoder.atEvent("\r\n+UUDPD:2\r\n")),
    ]
    static var chunks: [(time: Duration, bytes: [UInt8])] {
        trace.filter { $0.direction == .module }.map { ($0.time, $0.bytes) }
    }

    static func spec(_ text: String) -> MutationSpec { try! MutationSpec(parsing: text) }

    /// Everything the module writes, taken as soon as it is due.
    static func drain<M: ModuleModel>(_ module: inout M) -> [(time: Duration, bytes: [UInt8])] {
        var out: [(time: Duration, bytes: [UInt8])] = []
        while let next = module.nextOutputTime { out += module.takeOutput(until: next) }
        return out
    }

    static func mutated(
        _ text: String, seed: UInt64 = 1
    ) -> (out: [(time: Duration, bytes: [UInt8])], module: MutatingModule<RecordedModule>) {
        var module = MutatingModule(RecordedModule(records: trace), spec: spec(text), seed: seed)
        return (drain(&module), module)
    }

    // MARK: - Parsing

    @Test func parsesEveryFaultWithParameters() throws {
        let s = try MutationSpec(
            parsing:
                "drop=0.02,duplicate=0.01, "
                    + "corrupt=0.01,delay=0.05:200ms,split=0.1:3,garbage=0.02:8,reboot=0.005,dps-error=0.1:429001"
        )
        #expect(s[.drop] == 0.02 && s[.duplicate] == 0.01 && s[.corrupt] == 0.01 && s[.delay] == 0.05)
        #expect(s[.split] == 0.1 && s[.garbage] == 0.02 && s[.reboot] == 0.005 && s[.dpsError] == 0.1)
        #expect(
            s.delayAmount == .milliseconds(200) && s.maxSplitPieces == 3 && s.maxGarbageBytes == 8
                && s.dpsErrorCode == 429001)
        #expect(
            s.description
                == "reboot=0.005,drop=0.02,dps-error=0.1:429001,corrupt=0.01,delay=0.05:200ms,garbage=0.02:8,split=0.1:3,duplicate=0.01"
        )
        #expect(try MutationSpec(parsing: s.description) == s)
        #expect(try MutationSpec(parsing: "delay=1:1.5s").delayAmount == .milliseconds(1500))
        #expect(try MutationSpec(parsing: "delay=1:250us").description == "delay=1.0:250us")
    }

    /// The README's spelling, the parameter first, is the same spec.
    @Test func theParameterMayComeFirst() throws {
        #expect(try MutationSpec(parsing: "delay:200ms=0.1") == MutationSpec(parsing: "delay=0.1:200ms"))
        #expect(
            try MutationSpec(parsing: "split:3=0.5,dps-error:429001=1")
                == MutationSpec(parsing: "split=0.5:3,dps-error=1:429001"))
        #expect(throws: MutationSpec.ParseError.self) { try MutationSpec(parsing: "delay:200ms=0.1:300ms") }
        #expect(throws: MutationSpec.ParseError.self) { try MutationSpec(parsing: "drop:5=0.1") }
    }

    /// A fault names the units of the chunk it hit, decoded alone.
    @Test func faultsNameTheUnitsTheyHit() {
        #expect(MutatingModule<RecordedModule>.units(of: Array("\r\nOK\r\n".utf8)) == "final OK")
        #expect(MutatingModule<RecordedModule>.units(of: EDMEncoder.atEvent("\r\n+UUNU:0\r\n")).contains("+UUNU:0"))
    }

    @Test func presetsAndOverrides() throws {
        #expect(try MutationSpec(parsing: "default") == .default)
        #expect(try MutationSpec(parsing: " all ") == .all)
        let s = try MutationSpec(parsing: "all,reboot=0,drop=0.5")
        #expect(s[.reboot] == 0 && s[.drop] == 0.5 && s[.split] == 0.05)
        #expect(try MutationSpec(parsing: "none").isEmpty && MutationSpec().description == "none")
        #expect(
            MutationSpec.default.description
                == "reboot=0.005,drop=0.02,dps-error=0.1,corrupt=0.01,delay=0.05,garbage=0.02,split=0.1,duplicate=0.01")
    }

    @Test(arguments: [
        ("drop=2", "drop=2", "not a number from 0 to 1"),
        ("drop=0.1,explode=0.1", "explode=0.1", "unknown fault \"explode\""),
        ("drop", "drop", "expected drop=PROBABILITY"),
        ("drop=0.1:5", "drop=0.1:5", "takes no parameter"),
        ("delay=0.1:fast", "delay=0.1:fast", "not a positive duration"),
        ("delay=0.1:0ms", "delay=0.1:0ms", "not a positive duration"),
        ("split=0.1:1", "split=0.1:1", "at least 2"),
        ("dps-error=0.1:42", "dps-error=0.1:42", "errorCode"),
        ("drop=0.1,drop=0.2", "drop=0.2", "given twice"),
        ("drop=0.1,", "", "stray comma"),
        ("", "", "empty"),
        ("drop=nan", "drop=nan", "not a number"),
        ("=", "=", "unknown fault \"\""),
        ("drop=", "drop=", "not a number"),
    ])
    func badTokensAreNamed(_ text: String, _ token: String, _ reason: String) {
        #expect {
            _ = try MutationSpec(parsing: text)
        } throws: { error in
            guard let error = error as? MutationSpec.ParseError else { return false }
            return error.token == token && error.reason.contains(reason) && "\(error)".contains("\"\(token)\"")
        }
    }

    // MARK: - Each fault, alone, at probability 1

    @Test func dropLosesEveryChunk() {
        let (out, module) = Self.mutated("drop=1")
        #expect(out.isEmpty)
        #expect(module.applied.map(\.fault) == [.drop, .drop, .drop] && module.chunks == 3)
        #expect(module.mutations.first == "0.120 s drop: 9 bytes")
    }

    @Test func corruptChangesExactlyOneBytePerChunk() {
        for seed: UInt64 in 1...20 {
            let (out, module) = Self.mutated("corrupt=1", seed: seed)
            #expect(out.map(\.time) == Self.chunks.map(\.time))
            for (got, original) in zip(out, Self.chunks) {
                #expect(got.bytes.count == original.bytes.count)
                #expect(zip(got.bytes, original.bytes).filter { $0 != $1 }.count == 1, "seed \(seed)")
            }
            #expect(module.applied.count == 3 && module.applied.allSatisfy { $0.fault == .corrupt })
        }
    }

    @Test func duplicateDoublesEveryChunk() {
        let (out, _) = Self.mutated("duplicate=1")
        #expect(out.map(\.bytes) == Self.chunks.flatMap { [$0.bytes, $0.bytes] })
        #expect(out.map(\.time) == Self.chunks.flatMap { [$0.time, $0.time] })
    }

    @Test func delayShiftsTheChunkAndEverythingAfter() {
        let (out, module) = Self.mutated("delay=1:200ms")
        #expect(out.map(\.bytes) == Self.chunks.map(\.bytes))
        #expect(out.map(\.time) == Self.chunks.enumerated().map { $1.time + .milliseconds(200) * ($0 + 1) })
        #expect(module.lag == .milliseconds(600))
        // Seeded delays stay within their range and keep the order.
        let seeded = Self.mutated("delay=0.5", seed: 3).out
        #expect(seeded.map(\.bytes) == Self.chunks.map(\.bytes))
        #expect(zip(seeded, Self.chunks).allSatisfy { $0.time >= $1.time && $0.time - $1.time <= .seconds(3) })
        #expect(zip(seeded, seeded.dropFirst()).allSatisfy { $0.time <= $1.time })
    }

    @Test func splitCutsAChunkIntoReadsAtTheSameTime() {
        for seed: UInt64 in 1...20 {
            let out = Self.mutated("split=1", seed: seed).out
            for original in Self.chunks {
                let pieces = out.filter { $0.time == original.time }
                #expect((2...4).contains(pieces.count) && pieces.allSatisfy { !$0.bytes.isEmpty })
                #expect(pieces.flatMap(\.bytes) == original.bytes)
            }
        }
    }

    @Test func garbageComesBeforeTheChunkAndSometimesHoldsAFalseStart() {
        var falseStarts = 0
        for seed: UInt64 in 1...20 {
            let out = Self.mutated("garbage=1", seed: seed).out
            #expect(out.count == 6)
            for (i, original) in Self.chunks.enumerated() {
                #expect(out[2 * i + 1].bytes == original.bytes && out[2 * i].time == original.time)
                #expect((1...16).contains(out[2 * i].bytes.count))
                if out[2 * i].bytes.contains(0xAA) { falseStarts += 1 }
            }
        }
        #expect(falseStarts > 10 && falseStarts < 50)
    }

    @Test func rebootWritesBootNoiseAndStartupThenNothing() {
        var (out, module) = Self.mutated("reboot=1")
        #expect(out.count == 2 && out[0].time == .milliseconds(120) && out[1].time > out[0].time)
        #expect(out[0].bytes.allSatisfy { $0 >= 0x80 || $0 == 0x0D || $0 == 0x0A })
        #expect(out[1].bytes == Array("\r\n+STARTUP\r\n".utf8))
        #expect(module.isDead && module.applied.map(\.fault) == [.reboot] && module.chunks == 1)
        module.receive(Array("AT\r".utf8)[...], now: .seconds(5))
        #expect(module.nextOutputTime == nil && module.takeOutput(until: .seconds(100)).isEmpty)
    }

    @Test func faultsDecidedPerChunkAreIndependentOfEachOther() {
        // The rolls come from their own stream: adding a fault never moves another's hits.
        let dropsAlone = Self.mutated("drop=0.5", seed: 11).module.applied.map(\.time)
        let dropsWithOthers = Self.mutated("drop=0.5,corrupt=0.5,split=0.5", seed: 11).module.applied.filter {
            $0.fault == .drop
        }.map(\.time)
        #expect(dropsAlone == dropsWithOthers)
    }

    // MARK: - DPS error bodies, on a recorded provisioning run

    @Test(arguments: [401002, 429001, 500001])
    func dpsErrorReplacesTheDPSBodies(_ code: Int) throws {
        let trace = ReplayCheckTests.recording(.assignedFast)
        let module = MutatingModule(RecordedModule(records: trace), spec: Self.spec("dps-error=1:\(code)"), seed: 4)
        let run = ProvisioningHarness(configuration: ReplayConfiguration.infer(from: trace), module: module).run()
        let bodies = ReplayCheck.decode(run.records).compactMap {
            $0.direction == .module && $0.frame?.payloadID == .dataEvent ? $0.frame?.data : nil
        }
        #expect(!bodies.isEmpty && bodies.allSatisfy { DPSResponse(payload: $0)?.errorCode == code })
        if code == 401002 {
            guard case .refused(let answer) = run.outcome else {
                Issue.record("got \(run.outcome)")
                return
            }
            #expect(answer.errorCode == 401002)
        } else {
            // Retryable: the machine retries (and the recording goes on without it).
            let retried = run.actions.contains {
                if case .note(.retrying(let answer, _)) = $0 { answer.errorCode == code } else { false }
            }
            #expect(retried)
            #expect(run.outcome.exitCode != 0, "\(run.outcome)")
        }
    }

    @Test func seededDPSErrorsRefuseOrRetry() {
        let trace = ReplayCheckTests.recording(.assigned)
        for seed: UInt64 in 1...10 {
            let module = MutatingModule(RecordedModule(records: trace), spec: Self.spec("dps-error=1"), seed: seed)
            let run = ProvisioningHarness(configuration: ReplayConfiguration.infer(from: trace), module: module).run()
            let retried = run.actions.contains { if case .note(.retrying) = $0 { true } else { false } }
            if case .refused(let answer) = run.outcome {
                #expect(answer.errorCode == 401002)
            } else {
                #expect(retried, "seed \(seed): \(run.outcome)")
            }
        }
    }

    // MARK: - Determinism

    @Test func sameSeedSameOutputAndFaults() {
        let trace = ReplayCheckTests.recording(.noisyLine)
        func run(_ seed: UInt64) -> (ProvisioningRun, [InjectedFault]) {
            let module = MutatingModule(SimulatedModule(trace: trace), spec: .all, seed: seed)
            let (run, ended) = ProvisioningHarness(
                configuration: ReplayConfiguration.infer(from: trace), module: module
            ).runKeepingModule()
            return (run, ended.applied)
        }
        let (first, faults) = run(7)
        for _ in 0..<5 {
            let (again, againFaults) = run(7)
            #expect(again.records == first.records && again.outcome == first.outcome && againFaults == faults)
        }
        #expect(!faults.isEmpty)
        #expect(run(8).0.records != first.records)
    }
}
