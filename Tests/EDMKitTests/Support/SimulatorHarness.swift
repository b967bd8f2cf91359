import Foundation
import EDMKit

/// Drives a `SimulatedModule` as a host would: sends bytes at given times, collects what the
/// module writes, and keeps both directions as trace records so that a `SessionDecoder` can
/// follow the modes (it needs the host's `ATO2` to read the module's frames).
struct SimulatorHarness {
    var module: SimulatedModule
    private(set) var records: [TraceRecord] = []

    init(_ scenario: SimulatorScenario, seed: UInt64 = 0, store: [StoredCredential] = [],
         dps: SimulatedDPS.Configuration = .init(), timing: SimulatorTiming = .reference) {
        module = SimulatedModule(scenario: scenario, seed: seed, timing: timing, store: store, dps: dps)
    }

    /// Collects the module's output up to `time`.
    mutating func run(until time: Duration) {
        for chunk in module.takeOutput(until: time) {
            records.append(TraceRecord(time: chunk.time, direction: .module, bytes: chunk.bytes))
        }
    }

    mutating func run(untilMS ms: Int) { run(until: .milliseconds(ms)) }

    mutating func send(_ bytes: [UInt8], atMS ms: Int) {
        run(untilMS: ms)
        records.append(TraceRecord(time: .milliseconds(ms), direction: .host, bytes: bytes))
        module.receive(bytes[...], now: .milliseconds(ms))
    }

    mutating func send(_ text: String, atMS ms: Int) { send(Array(text.utf8), atMS: ms) }

    /// An EDM AT request; `\r` is added.
    mutating func request(_ command: String, atMS ms: Int) { send(EDMEncoder.atRequest(command + "\r"), atMS: ms) }

    mutating func publish(channel: UInt8, _ text: String, atMS ms: Int) {
        send(EDMEncoder.dataCommand(channel: channel, data: Array(text.utf8)), atMS: ms)
    }

    /// The module's chunks, in order.
    var moduleChunks: [TraceRecord] { records.filter { $0.direction == .module } }
    var moduleBytes: [UInt8] { moduleChunks.flatMap(\.bytes) }

    /// Both directions decoded together; the module's units only.
    var moduleUnits: [UnitSnapshot] { decoded.units.filter { $0.direction == .module } }
    var decoded: (units: [UnitSnapshot], anomalies: [SessionAnomaly]) { Chunking.decode(records) }

    /// Texts of the module's units of one type (`at_event`, `at_confirmation`, `urc`, …).
    func texts(_ type: String) -> [String] { moduleUnits.filter { $0.type == type }.compactMap(\.text) }

    /// Payloads of the module's data events, with their channels.
    var dataEvents: [(channel: UInt8, text: String)] {
        moduleUnits.filter { $0.type == "data_event" }.compactMap { unit in
            guard let frame = try? EDMFrame(validating: unit.bytes[...]), let channel = frame.channel,
                let data = frame.data
            else { return nil }
            return (channel, String(decoding: data, as: UTF8.self))
        }
    }

    /// The last operation id DPS handed out.
    var lastOperationID: String? {
        dataEvents.reversed().lazy.compactMap { Self.jsonString("operationId", in: $0.text) }.first { !$0.isEmpty }
    }

    /// The string value of `"key":"…"` in a JSON text (the bodies have no escaped quotes).
    static func jsonString(_ key: String, in text: String) -> String? {
        guard let r = text.range(of: "\"\(key)\":\"") else { return nil }
        return String(text[r.upperBound...].prefix { $0 != "\"" })
    }

    /// The reference session's host side, sent at the reference times. The poll's operation
    /// id is the one the simulated DPS handed out, so that DPS knows the operation.
    mutating func runReferenceHost(until endMS: Int = 40_000, stopBefore: String? = nil) {
        for record in ReferenceSession.records where record.direction == .host {
            run(until: record.time)
            var bytes = record.bytes
            if let frame = try? EDMFrame(validating: bytes[...]), let at = frame.atText {
                let text = String(decoding: at, as: UTF8.self)
                if let stopBefore, text.hasPrefix(stopBefore) { break }
                if text.hasPrefix("AT+UDUV=0,"), let id = lastOperationID {
                    bytes = EDMEncoder.atRequest(text.replacingOccurrences(of: ReferenceSession.operationID, with: id))
                }
            }
            records.append(TraceRecord(time: record.time, direction: .host, bytes: bytes))
            module.receive(bytes[...], now: record.time)
        }
        run(untilMS: endMS)
    }
}
