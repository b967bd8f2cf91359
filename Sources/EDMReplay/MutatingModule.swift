import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning
import EDMModel

/// One fault as `MutatingModule` injected it.
public struct InjectedFault: Hashable, Sendable, CustomStringConvertible {
    /// When the chunk it hit was due on the line (before this fault's own delay).
    public var time: Duration
    public var fault: MutationSpec.Fault
    public var detail: String
    /// The units of the chunk it hit, as the transcript names them (`at final OK`).
    public var units: String
    /// `12.345 s corrupt: byte 7 of 11, 0x41 -> 0x3C`.
    public var description: String { "\(seconds(time)) s \(fault.rawValue): \(detail)" }
}

/// Any module model with seeded faults on the module-to-host line (`edm-replay fuzz`).
///
/// Each output chunk of the inner model (one write) draws one roll per fault, in
/// `MutationSpec.Fault` order, from a `SplitMix64` of the seed; parameters (which byte,
/// how long, which error) come from a second generator, so whether a chunk is hit never
/// depends on what an earlier fault drew. Per chunk, in order:
/// - reboot: instead of the chunk, seeded boot noise and, a little later, `\r\n+STARTUP\r\n`.
///   The model is dead afterwards: it ignores the host and writes nothing more. A recording
///   cannot say what a rebooted module would answer (it is back in command mode, with no
///   peers), and silence is the answer the machine's deadlines must cope with anyway.
/// - drop: the chunk is lost (no other fault applies to it).
/// - dps-error: each data event in the chunk whose payload is a DPS body gets an error
///   object instead (500001, 429001 or 401002, or the spec's code).
/// - corrupt: one byte is changed (xor with a non-zero value).
/// - delay: the chunk and everything after it arrive later: the line gains that latency for
///   the rest of the run, so the order of the module's writes is kept.
/// - garbage: seeded bytes (some runs with `0xAA`) arrive just before the chunk.
/// - split: the chunk arrives as 2 to N reads at the same time.
/// - duplicate: the chunk (all its reads) arrives twice.
///
/// Same seed, same inner model, same host input: same output and same `applied` list.
public struct MutatingModule<Inner: ModuleModel>: ModuleModel {
    public private(set) var inner: Inner
    public let spec: MutationSpec
    private var rolls: SplitMix64
    private var values: SplitMix64
    /// Chunks taken from the inner model but not yet decided on (at their inner times).
    private var backlog: [(time: Duration, bytes: [UInt8])] = []
    /// Mutated writes waiting for their time, in delivery order.
    private var ready: [(time: Duration, bytes: [UInt8])] = []
    /// Latency the line has gained from delays so far.
    public private(set) var lag: Duration = .zero
    /// After a reboot: the model ignores the host and writes nothing more.
    public private(set) var isDead = false
    /// Every fault injected so far, in order.
    public private(set) var applied: [InjectedFault] = []
    /// How many chunks of the inner model went through.
    public private(set) var chunks = 0
    /// The chunk being mutated, for the faults' `units`.
    private var chunk: [UInt8] = []

    public init(_ inner: Inner, spec: MutationSpec, seed: UInt64) {
        self.inner = inner
        self.spec = spec
        rolls = SplitMix64(seed: seed)
        // Another stream of the same seed (the constant is arbitrary).
        values = SplitMix64(seed: seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    private var faultsReported = 0

    /// The inner model's report, then the faults injected since the last call.
    public mutating func takeReport() -> [String] {
        defer { faultsReported = applied.count }
        return inner.takeReport() + applied[faultsReported...].map { "fault " + $0.description }
    }

    /// `applied`, one line each, for reports.
    public var mutations: [String] { applied.map(\.description) }

    public mutating func receive(_ bytes: ArraySlice<UInt8>, now: Duration) {
        guard !isDead else { return }
        inner.receive(bytes, now: now)
    }

    public var nextOutputTime: Duration? {
        let fromInner = isDead ? nil : (backlog.first?.time ?? inner.nextOutputTime).map { $0 + lag }
        return [ready.first?.time, fromInner].compactMap { $0 }.min()
    }

    public mutating func takeOutput(until now: Duration) -> [(time: Duration, bytes: [UInt8])] {
        // A chunk due at t on the inner model's clock is due at t + lag on the line. One
        // chunk at a time, as a delay raises the lag for the next: which chunks have gone
        // through by `now` then depends on `now` alone, not on how often this is called
        // (`ReplayFuzz` relies on it to play the module's side again).
        while !isDead {
            if backlog.isEmpty { backlog = inner.takeOutput(until: now - lag) }
            guard let first = backlog.first, first.time + lag <= now else { break }
            backlog.removeFirst()
            mutate(at: first.time + lag, first.bytes)
        }
        let due = ready.prefix { $0.time <= now }
        ready.removeFirst(due.count)
        return Array(due)
    }

    private mutating func mutate(at time: Duration, _ original: [UInt8]) {
        chunks += 1
        chunk = original
        var hit: [Bool] = []
        for fault in MutationSpec.Fault.allCases { hit.append(Self.chance(spec[fault], &rolls)) }
        func hits(_ fault: MutationSpec.Fault) -> Bool { hit[MutationSpec.Fault.allCases.firstIndex(of: fault)!] }

        if hits(.reboot) {
            isDead = true
            let noise = bootNoise()
            let bootTime = Duration.milliseconds(100 + Int64(values.next() % 900))
            ready.append((time, noise))
            ready.append((time + bootTime, Array("\r\n+STARTUP\r\n".utf8)))
            return log(
                time, .reboot,
                "instead of \(original.count) bytes: \(noise.count) bytes of boot "
                    + "noise, +STARTUP \(seconds(bootTime)) s later; silent after"
            )
        }
        if hits(.drop) { return log(time, .drop, "\(original.count) bytes") }
        var bytes = original
        if hits(.dpsError) { bytes = replaceDPSBodies(bytes, time) }
        if hits(.corrupt), !bytes.isEmpty {
            let i = Int(values.next() % UInt64(bytes.count)), was = bytes[i]
            bytes[i] ^= UInt8(1 + values.next() % 255)
            log(time, .corrupt, "byte \(i) of \(bytes.count), 0x\(hexString([was])) -> 0x\(hexString([bytes[i]]))")
        }
        var at = time
        if hits(.delay) {
            let amount = spec.delayAmount
                ?? .milliseconds(
                    Int64(MutationSpec.seededDelay.lowerBound)
                        + Int64(values.next() % UInt64(MutationSpec.seededDelay.count)))
            lag += amount
            at += amount
            log(time, .delay, "\(seconds(amount)) s, this chunk and all after (line latency now \(seconds(lag)) s)")
        }
        var reads: [[UInt8]] = []
        if hits(.garbage) {
            let garbage = garbageBytes()
            reads.append(garbage)
            log(time, .garbage, "\(garbage.count) bytes before the chunk: \(hexString(garbage))")
        }
        var pieces = [bytes]
        if hits(.split), bytes.count >= 2 {
            pieces = split(bytes)
            log(
                time, .split,
                "\(bytes.count) bytes as reads of \(pieces.map { String($0.count) }.joined(separator: "+"))")
        }
        reads += pieces
        if hits(.duplicate) {
            reads += pieces
            log(time, .duplicate, "\(bytes.count) bytes twice")
        }
        for read in reads { ready.append((at, read)) }
    }

    private mutating func log(_ time: Duration, _ fault: MutationSpec.Fault, _ detail: String) {
        applied.append(InjectedFault(time: time, fault: fault, detail: detail, units: Self.units(of: chunk)))
    }

    /// The chunk's units, decoded alone: a frame is known by its start byte, text by its lines.
    package static func units(of bytes: [UInt8]) -> String {
        var decoder = SessionDecoder()
        var units: [SessionUnit] = []
        decoder.receive(time: .zero, direction: .module, bytes: bytes[...], appendingTo: &units)
        decoder.finish(appendingTo: &units)
        return units.map { UnitDescription($0).summary }.joined(separator: ", ")
    }

    /// True with probability `p`; always draws, so every chunk uses the same number of rolls.
    package static func chance(_ p: Double, _ rng: inout SplitMix64) -> Bool {
        Double(rng.next() >> 11) * 0x1p-53 < p
    }

    // MARK: - What the faults write

    /// What an ESP32 prints while booting: mostly high bytes, some line breaks, sometimes `0xAA`.
    private mutating func bootNoise() -> [UInt8] {
        var out = (0..<(12 + Int(values.next() % 37))).map { _ in
            let b = UInt8(truncatingIfNeeded: values.next())
            return values.next() % 10 == 0 ? (b & 1 == 0 ? 0x0D : 0x0A) : b | 0x80
        }
        if values.next() % 2 == 0 { out[Int(values.next() % UInt64(out.count))] = EDMFrame.start }
        return out
    }

    /// Arbitrary bytes; in half of the runs one of them is `0xAA`, a false frame start.
    private mutating func garbageBytes() -> [UInt8] {
        var out = (0..<(1 + Int(values.next() % UInt64(spec.maxGarbageBytes)))).map { _ in
            UInt8(truncatingIfNeeded: values.next())
        }
        if values.next() % 2 == 0 { out[Int(values.next() % UInt64(out.count))] = EDMFrame.start }
        return out
    }

    /// 2 to `maxSplitPieces` non-empty pieces at distinct seeded cut points.
    private mutating func split(_ bytes: [UInt8]) -> [[UInt8]] {
        let pieces = 2 + Int(values.next() % UInt64(min(spec.maxSplitPieces, bytes.count) - 1))
        var candidates = Array(1..<bytes.count)
        // A partial Fisher-Yates shuffle picks pieces - 1 distinct cuts.
        for k in 0..<(pieces - 1) {
            candidates.swapAt(k, k + Int(values.next() % UInt64(candidates.count - k)))
        }
        let cuts = [0] + candidates.prefix(pieces - 1).sorted() + [bytes.count]
        return zip(cuts, cuts.dropFirst()).map { Array(bytes[$0..<$1]) }
    }

    /// The chunk with every complete data event that carries a DPS body re-encoded with an
    /// error object; other bytes (and frames split across chunks) as they were.
    private mutating func replaceDPSBodies(_ bytes: [UInt8], _ time: Duration) -> [UInt8] {
        var decoder = EDMStreamDecoder()
        var buffer = bytes[...]
        var out: [UInt8] = []
        while let unit = decoder.decodeLast(&buffer) {
            guard case .frame(let frame, _) = unit, frame.payloadID == .dataEvent, let channel = frame.channel,
                  let data = frame.data, let answer = DPSResponse(payload: data) else {
                out += unit.bytes
                continue
            }
            let code = spec.dpsErrorCode
                ?? MutationSpec.dpsErrorCodes[Int(values.next() % UInt64(MutationSpec.dpsErrorCodes.count))]
            out += EDMEncoder.dataEvent(channel: channel, data: Array(errorBody(code).utf8))
            log(time, .dpsError, "\(answer.statusText) body on channel \(channel) replaced by errorCode \(code)")
        }
        return out
    }

    /// DPS's error object (docs/protocol.md, "DPS over the module's MQTT client"), with a seeded tracking id.
    private mutating func errorBody(_ code: Int) -> String {
        let message = switch code / 1000 {
        case 429: "Operations are being throttled for this tenant."
        case 401: "Invalid certificate."
        case 500...599: "Internal server error."
        default: "Request failed."
        }
        let tracking = hexString((0..<16).map { _ in UInt8(truncatingIfNeeded: values.next()) }).lowercased()
        return #"{"errorCode":\#(code),"trackingId":"\#(tracking)","message":"\#(message)","#
            + #""timestampUtc":"2024-07-01T00:00:00.0000000Z"}"#
    }
}
