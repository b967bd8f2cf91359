import Testing
@testable import EDMKit

@Suite struct ReplayCheckTests {
    /// A run of our own machine, recorded (with secrets redacted, as azure-dps records).
    static func recording(_ scenario: SimulatorScenario, seed: UInt64 = 5) -> [TraceRecord] {
        redacted(ProvisioningScenarioTests.run(scenario, seed: seed).records)
    }

    /// What the recorder writes: secrets replaced unit by unit. Redaction keeps lengths, so
    /// each direction's redacted stream is cut back at the original record boundaries.
    static func redacted(_ records: [TraceRecord]) -> [TraceRecord] {
        var streams: [Direction: [UInt8]] = [:]
        for unit in ReplayCheck.decode(records) { streams[unit.direction!, default: []] += unit.redacted.bytes }
        var used: [Direction: Int] = [:]
        return records.map { record in
            let d = record.direction!, start = used[d, default: 0]
            used[d] = start + record.bytes.count
            return TraceRecord(
                time: record.time, direction: d, bytes: Array(streams[d]![start..<(start + record.bytes.count)]))
        }
    }

    @Test(arguments: SimulatorScenario.allCases)
    func ourRecordingsReplayStrictlyWithoutDivergence(_ scenario: SimulatorScenario) {
        for seed: UInt64 in [1, 2, 3] {
            let trace = Self.recording(scenario, seed: seed)
            #expect(
                !trace.flatMap(\.bytes).contains(sequence: ProvisioningScenarioTests.passphrase), "passphrase recorded")
            let report = ReplayCheck.run(trace, mode: .strict)
            #expect(report.divergence == nil, "\(scenario) seed \(seed): \(report.divergence?.message ?? "")")
            #expect(report.run.outcome.exitCode == ProvisioningScenarioTests.expected[scenario])
            #expect(report.outcomeMatchesRecording, "\(scenario): \(report.run.outcome) vs \(report.recorded)")
        }
    }

    @Test func aChangedCommandIsADivergenceAtItsUnit() throws {
        var trace = Self.recording(.assignedFast)
        let original = EDMEncoder.atRequest("AT+UWSCA=0,3\r")
        let i = try #require(trace.firstIndex { $0.direction == .host && $0.bytes == original })
        trace[i].bytes = EDMEncoder.atRequest("AT+UWSCA=0,4\r")
        let report = ReplayCheck.run(trace, mode: .strict)
        let divergence = try #require(report.divergence)
        #expect(divergence.expected?.text == "AT+UWSCA=0,4")
        #expect(divergence.actual?.text == "AT+UWSCA=0,3")
        #expect(divergence.offset == divergence.expected!.offset + 5 + "AT+UWSCA=0,".utf8.count)
        #expect(divergence.context.last?.type == "at_confirmation")
    }

    @Test func referenceSessionReplaysSemantically() {
        let report = ReplayCheck.run(ReferenceSession.records, mode: .semantic)
        guard case .assigned(let hub, let device, _, _) = report.run.outcome else {
            Issue.record("got \(report.run.outcome)")
            return
        }
        #expect(hub == "leoDPS.azure-devices.net" && device == "ninadps")
        #expect(report.divergence == nil && report.outcomeMatchesRecording)
        #expect(report.configuration.registrationID == "ninadps" && report.configuration.idScope == "0ne0067E45C")
        #expect(
            report.configuration.credentials.map(\.md5) == [
                "ACB694A59C17E0D791529BB19706A6E4", "9A1F95B8D512FA0ED075DD2B794ECB2A",
                "695D5D1EBB1DDBD0C6F2C128BAEB7F34"
            ])
        #expect(
            report.synthesized == [
                "AT", "AT+USECMNG=4,0,ca.pem", "AT+USECMNG=4,1,cert.pem", "AT+USECMNG=4,2,key.pem", "EDM AT",
                "EDM AT+UDCPC=2", "EDM AT+UDCPC=4"
            ])
    }

    /// 100 runs, byte for byte: the records and the rendered report (no clock, no
    /// Dictionary order anywhere on the way).
    @Test func replayIsIdenticalAcrossRuns() {
        let trace = Self.recording(.throttled)
        let first = ReplayCheck.run(trace, mode: .strict)
        let text = ReplayReportRenderer(report: first).json(trace: "t")
        for _ in 0..<100 {
            let again = ReplayCheck.run(trace, mode: .strict)
            #expect(again.run.records == first.run.records)
            #expect(ReplayReportRenderer(report: again).json(trace: "t") == text)
        }
    }
}

extension Array where Element == UInt8 {
    func contains(sequence: [UInt8]) -> Bool {
        guard !sequence.isEmpty, count >= sequence.count else { return false }
        return (0...(count - sequence.count)).contains { self[$0..<($0 + sequence.count)].elementsEqual(sequence) }
    }
}
