import Foundation
import Testing
@testable import EDMKit
import EDMKitIO

/// Every capture, served by the NINA-W15 model with the capture's profile, to our machine
/// configured as another device would be: other credentials (names and sizes), another
/// registration id, another SSID. The outcome must be the recorded one.
@Suite struct TraceModelTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static var captures: [String] {
        let scenarios = (try? FileManager.default.contentsOfDirectory(atPath: root + "/captures/scenarios")) ?? []
        return ["azure-dps-example-session.log", "azure-dps-example-session.pcapng"]
            + scenarios.filter { $0.hasSuffix(".pcapng") }.sorted().map { "scenarios/" + $0 }
    }

    static func records(_ file: String) throws -> [TraceRecord] {
        let input = try CaptureInput(path: root + "/captures/" + file)
        var records: [TraceRecord] = []
        while let more = try input.next() { records += more }
        return records
    }

    /// The trace's own configuration with everything a field unit would have of its own.
    static func otherDevice(_ records: [TraceRecord]) -> ProvisioningConfiguration {
        var c = ReplayConfiguration.infer(from: records)
        c.registrationID = "field-unit-0042"
        c.ssid = "plant-floor-3"
        c.passphrase = Array("another passphrase".utf8)
        let filler = { (n: Int, seed: UInt8) in (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) } }
        c.credentials = [
            .init(type: .rootCA, name: "root-ca.crt", bytes: filler(607, 1)),
            .init(type: .clientCertificate, name: "unit-0042.crt", bytes: filler(1333, 2)),
            .init(type: .clientPrivateKey, name: "unit-0042.key", bytes: filler(1675, 3)),
        ]
        return c
    }

    @Test(arguments: captures)
    func anotherDeviceReproducesTheRecordedOutcome(_ file: String) throws {
        let records = try Self.records(file)
        let recorded = ReplayCheck.run(records, mode: .semantic).recorded
        let (run, model) = ProvisioningHarness(
            configuration: Self.otherDevice(records), module: SimulatedModule(trace: records)
        ).runKeepingModule()
        #expect(
            ReplayCheck.Report.compatible(run.outcome, recorded),
            "\(file): \(run.outcome) vs recorded \(recorded)\n\(model.answers.map(\.line).joined(separator: "\n"))")
        #expect(!model.answers.contains { $0.source == .refused }, "\(file): \(model.answers.map(\.line))")
        // What this device does differently (its uploads at least) is the model's.
        #expect(
            model.answers.contains { $0.source == .model && $0.request.hasPrefix("AT+USECMNG=0,0,root-ca.crt,607") }
                || model.answers.contains { $0.source == .model && $0.request.contains("root-ca.crt") },
            "\(file): \(model.answers.map(\.line))")
        if case .assigned(_, let device, _, _) = run.outcome { #expect(device == "field-unit-0042") }
    }

    /// A host that opens with its own init sequence, which no capture contains, then provisions.
    @Test(arguments: captures.filter { $0.hasPrefix("scenarios/") })
    func anInitSequenceNoCaptureHoldsIsModelled(_ file: String) throws {
        let records = try Self.records(file)
        var model = SimulatedModule(trace: records)
        var now = Duration.zero
        var answered: [String] = []
        // A module left in EDM answers none of this in command mode; the host goes on regardless.
        let edm = model.profile.startsInEDM
        for command in ["ATE0", "ATI9", "AT+GMM", "AT&K3", "AT+UMRS?", "ATE1"] {
            model.receive(Array((command + "\r").utf8)[...], now: now)
            now += .milliseconds(200)
            answered.append(model.takeOutput(until: now).map { String(decoding: $0.bytes, as: UTF8.self) }.joined())
        }
        if !edm {
            #expect(answered[0] == "ATE0\r\r\nOK\r\n")
            #expect(
                answered[1].contains("NINA-W15") && answered[1].hasSuffix("\r\nOK\r\n")
                    && !answered[1].hasPrefix("ATI9"), "\(answered[1])")
            #expect(answered[2] == "\r\nNINA-W15\r\n\r\nOK\r\n")
            #expect(answered[3] == "\r\nOK\r\n" && answered[4].contains("+UMRS:115200"))
        }
        #expect(!model.answers.contains { $0.source == .refused }, "\(model.answers.map(\.line))")
        let (run, later) = ProvisioningHarness(
            configuration: Self.otherDevice(records), module: Later(model: model, offset: now)
        ).runKeepingModule()
        let after = later.model
        let recorded = ReplayCheck.run(records, mode: .semantic).recorded
        #expect(
            ReplayCheck.Report.compatible(run.outcome, recorded),
            "\(file): \(run.outcome) vs \(recorded)\n\(after.answers.map(\.line).joined(separator: "\n"))")
    }

    /// The log prints no `+STARTUP` after its `AT+CPWROFF`; the model boots anyway.
    @Test func aRebootTheLogDoesNotShowStillEndsInStartup() throws {
        var model = SimulatedModule(trace: try Self.records("azure-dps-example-session.log"))
        model.receive(Array("AT+UFACTORY\r".utf8)[...], now: .zero)
        model.receive(Array("AT+CPWROFF\r".utf8)[...], now: .milliseconds(500))
        let out = model.takeOutput(until: .seconds(5))
        let text = String(decoding: out.flatMap(\.bytes), as: UTF8.self)
        #expect(text.hasSuffix("\r\n+STARTUP\r\n"), "\(text)")
        // At the log's timing: OK 15 ms after the command, +STARTUP the reference's 2284 ms later.
        #expect(out.last?.time == .milliseconds(500 + 15 + 2284), "\(out.map(\.time))")
        // Booted: back in command mode with echo, the factory reset applied.
        model.receive(Array("AT\r".utf8)[...], now: .seconds(6))
        #expect(
            String(decoding: model.takeOutput(until: .seconds(7)).flatMap(\.bytes), as: UTF8.self) == "AT\r\r\nOK\r\n")
    }

    /// A command neither the recording nor the model knows: ERROR, reported as refused.
    /// A trace that asked `ATI9` and `ATI0` of a NINA-W13: the model's own answers to the
    /// identity commands the trace did not ask are that module's, not the default NINA-W15's.
    @Test func identityAnswersComeFromTheTrace() throws {
        let exchanges: [(String, String)] = [("ATI9\r", "\r\n\"2.0.0-001\",\"NINA-W13X-00B\"\r\nOK\r\n"),
                                             ("ATI0\r", "\r\nNINA-W132\r\nOK\r\n")]
        var records: [TraceRecord] = []
        for (i, (request, answer)) in exchanges.enumerated() {
            records.append(TraceRecord(time: .milliseconds(100 * i), direction: .host, bytes: Array(request.utf8)))
            records.append(TraceRecord(time: .milliseconds(100 * i + 10), direction: .module,
                                       bytes: Array(answer.utf8)))
        }
        var model = SimulatedModule(trace: records)
        #expect(model.profile.identity.model == "NINA-W132")
        var now = Duration.zero
        func ask(_ command: String) -> String {
            model.receive(Array((command + "\r").utf8)[...], now: now)
            now += .milliseconds(200)
            return String(decoding: model.takeOutput(until: now).flatMap(\.bytes), as: UTF8.self)
        }
        for (command, answer) in [("AT+GMM", "NINA-W132"), ("AT+GMR", "\"2.0.0-001\""), ("AT+GMI", "u-blox")] {
            let heard = ask(command)
            #expect(heard.contains("\r\n\(answer)\r\n") && heard.hasSuffix("\r\nOK\r\n"),
                    "\(command): \(heard.debugDescription)")
        }
        #expect(model.answers.map(\.source) == [.model, .model, .model], "\(model.answers.map(\.line))")
    }

    @Test func anUnknownCommandIsRefused() throws {
        var model = SimulatedModule(trace: try Self.records("scenarios/assigned.pcapng"))
        model.receive(Array("AT+UFOO=1\r".utf8)[...], now: .zero)
        #expect(
            String(decoding: model.takeOutput(until: .seconds(1)).flatMap(\.bytes), as: UTF8.self).hasSuffix(
                "\r\nERROR\r\n"))
        #expect(model.answers.map(\.source) == [.refused])
    }

    /// Same trace, same host bytes at the same times, same seed: the same module bytes.
    @Test(arguments: ["azure-dps-example-session.log", "scenarios/noisy-line.pcapng", "scenarios/throttled.pcapng"])
    func servingIsDeterministic(_ file: String) throws {
        let records = try Self.records(file)
        let config = Self.otherDevice(records)
        let first = ProvisioningHarness(configuration: config, module: SimulatedModule(trace: records, seed: 9)).run()
        for _ in 0..<5 {
            let again = ProvisioningHarness(configuration: config, module: SimulatedModule(trace: records, seed: 9))
                .run()
            #expect(again.records == first.records)
        }
        #expect(first.records.contains { $0.direction == .module })
    }
}

/// A model whose clock is ahead of the harness's by `offset`: the machine starts after the
/// host's own init sequence.
private struct Later<Model: ModuleModel>: ModuleModel {
    var model: Model
    var offset: Duration
    mutating func receive(_ bytes: ArraySlice<UInt8>, now: Duration) { model.receive(bytes, now: now + offset) }
    var nextOutputTime: Duration? { model.nextOutputTime.map { $0 - offset } }
    mutating func takeOutput(until now: Duration) -> [(time: Duration, bytes: [UInt8])] {
        model.takeOutput(until: now + offset).map { ($0.time - offset, $0.bytes) }
    }
}
