import EDMBytes
import EDMFrames
import EDMAT

/// Decodes both directions of a serial session into units, following the modes.
///
/// Feed it chunks in time order with `receive(_:)`, take units with `next()`, and call
/// `finish()` at end of input to flush what is left. It follows the host's `ATO2` and the
/// module's `OK` into EDM, and `AT+CPWROFF` / `+STARTUP` back to command mode; a direction
/// whose first bytes are frames is taken to be in EDM (a capture that starts mid-session).
/// It correlates each final result with the request it answers (with the latency) and each
/// EDM channel with the AT peer handle of the `+UUDPC` that follows its connect event.
public struct SessionDecoder: Sendable {
    private var streams = [DirectionStream(direction: .host), DirectionStream(direction: .module),
        DirectionStream(direction: nil)]
    private var lastTime: [Duration] = [.zero, .zero, .zero]
    private var ready: [SessionUnit] = []
    private var readyHead = 0
    private var nextIndex = 0
    private var finished = false

    private struct Pending {
        package var unit: Int
        package var time: Duration
        package var name: ArraySlice<UInt8>
        /// `AT+USECMNG=4,…`: reads a credential's MD5, which a fresh module answers ERROR.
        package var readsMD5: Bool
    }
    private var pending: Pending?
    /// Set when `AT+CPWROFF` or `AT+UFACTORY` was confirmed: a `+STARTUP` is then expected.
    private var rebootExpected = false
    /// The channel of the last connect event, waiting for its `+UUDPC`.
    private var unboundChannel: UInt8?
    /// The name of the last command the module echoed, until its final result: without the
    /// host's side it stands for the request, so an information line of that name is the
    /// command's response (not a URC), and the OK after an echoed `ATO2` enters EDM.
    private var echoedCommand: ArraySlice<UInt8>?
    /// Requests and replies are paired only in captures that have the host's side.
    private var hostSeen = false
    /// The credential whose raw bytes the host sends next.
    private var pendingCredential: SessionUnit.Credential?
    /// Peer handle per EDM channel (index = channel), learnt from connect event + `+UUDPC`.
    private var peerOfChannel: [Int?] = []

    public private(set) var anomalies: [SessionAnomaly] = []

    public init() {}

    public mutating func receive(_ record: TraceRecord) {
        receive(time: record.time, direction: record.direction, bytes: record.bytes[...])
    }

    public mutating func receive(time: Duration, direction: Direction?, bytes: ArraySlice<UInt8>) {
        precondition(!finished, "receive after finish")
        let d = slot(direction)
        lastTime[d] = time
        streams[d].append(bytes)
        drain(d, atEnd: false)
    }

    /// No more input: every direction's leftover bytes become units.
    public mutating func finish() {
        guard !finished else { return }
        finished = true
        for d in streams.indices { drain(d, atEnd: true) }
        if let p = pending {
            anomalies.append(SessionAnomaly(.unanswered, unit: p.unit,
                message: "no final result to \(String(decoding: p.name, as: UTF8.self)) before the capture ended"))
            pending = nil
        }
    }

    /// `receive` then `next()` until nil, in one: the new units go straight to the end of
    /// `units`, each moved once (edm-decode batches millions of them). Units still waiting
    /// for `next()` are not allowed: use one way of taking units or the other.
    public mutating func receive(time: Duration, direction: Direction?, bytes: ArraySlice<UInt8>,
                                 appendingTo units: inout [SessionUnit]) {
        collecting(into: &units) { $0.receive(time: time, direction: direction, bytes: bytes) }
    }

    /// `finish` then `next()` until nil, in one (see `receive(time:direction:bytes:appendingTo:)`).
    public mutating func finish(appendingTo units: inout [SessionUnit]) {
        collecting(into: &units) { $0.finish() }
    }

    /// Runs `step` with `units` as the ready queue (swapped in and back out: no copies).
    private mutating func collecting(into units: inout [SessionUnit], _ step: (inout SessionDecoder) -> Void) {
        precondition(readyHead == ready.count, "units are waiting for next()")
        if !ready.isEmpty {
            ready.removeAll(keepingCapacity: true)
            readyHead = 0
        }
        swap(&ready, &units)
        step(&self)
        swap(&ready, &units)
    }

    /// The next decoded unit, or nil until more input (or `finish()`) makes one.
    public mutating func next() -> SessionUnit? {
        guard readyHead < ready.count else { return nil }
        if readyHead + 1 < ready.count {
            readyHead += 1
            return ready[readyHead - 1]
        }
        // The last one is moved out rather than copied (usually the only one: a chunk
        // completes one unit), which spares a retain and a release per reference it holds.
        let unit = ready.removeLast()
        ready.removeAll(keepingCapacity: true)
        readyHead = 0
        return unit
    }

    private func slot(_ direction: Direction?) -> Int {
        switch direction {
        case .host: 0
        case .module: 1
        case nil: 2
        }
    }

    private mutating func drain(_ d: Int, atEnd: Bool) {
        while let (token, offset) = streams[d].next(atEnd: atEnd) {
            var unit = SessionUnit(index: nextIndex, time: lastTime[d], direction: streams[d].direction,
                                   offset: offset, bytes: [], kind: .raw(.noise))
            classify(token, into: &unit, stream: d)
            nextIndex += 1
            ready.append(consume unit) // (moved: a copy would retain every reference it holds)
        }
    }

    // MARK: - Classification

    private mutating func classify(_ token: DirectionStream.Token, into unit: inout SessionUnit, stream d: Int) {
        let fromHost = streams[d].direction == .host
        if fromHost { hostSeen = true }
        switch token {
        case .frame(let frame):
            unit.bytes = frame.bytes
            unit.kind = .frame(frame)
            if streams[d].mode == .unknown { streams[d].mode = .edm }
            fromHost ? hostFrame(frame, &unit) : moduleFrame(frame, &unit, stream: d)
        case .payload(let bytes, let complete):
            unit.bytes = bytes
            unit.kind = .raw(.payload)
            unit.credential = pendingCredential
            if !complete { unit.diagnostic = EDMDiagnostic(.truncated, offset: unit.offset, count: bytes.count) }
        case .garbage(let bytes, let code):
            unit.bytes = bytes
            unit.kind = .raw(.garbage)
            unit.diagnostic = EDMDiagnostic(code, offset: unit.offset, count: bytes.count)
        case .prompt(let bytes):
            unit.bytes = bytes
            unit.kind = .at(.prompt)
            streams[d].mode = .command
            if pending == nil, hostSeen { anomaly(.unsolicitedReply, unit, "prompt with no command pending") }
        case .line(let bytes, let content, _):
            unit.bytes = bytes
            fromHost ? hostLine(content, &unit, stream: d) : moduleLine(content, &unit, stream: d)
        }
    }

    private mutating func hostLine(_ content: ArraySlice<UInt8>, _ unit: inout SessionUnit, stream d: Int) {
        guard ATText.isCommand(content) else {
            unit.kind = .raw(.garbage)
            unit.diagnostic = EDMDiagnostic(.noise, offset: unit.offset, count: unit.bytes.count)
            return
        }
        unit.kind = .at(.command)
        request(content, unit)
        if ByteText.equals(ATText.commandName(content), "+USECMNG"), let (type, name,
            size) = ATText.credentialImport(content) {
            streams[d].pendingPayload = size
            pendingCredential = SessionUnit.Credential(type: type, name: name)
        }
    }

    private mutating func hostFrame(_ frame: EDMFrame, _ unit: inout SessionUnit) {
        if let text = frame.atText {
            request(trimmingLineBreaks(text), unit)
        } else if let channel = frame.channel {
            unit.link = link(channel: channel)
        }
    }

    private mutating func moduleLine(_ content: ArraySlice<UInt8>, _ unit: inout SessionUnit, stream d: Int) {
        let mode = streams[d].mode
        if mode == .edm && !ATText.isStartup(content) || !ATText.isPrintableAT(content) {
            unit.kind = .raw(mode == .edm ? .garbage : .noise)
            let code: EDMDiagnostic.Code = mode == .edm ? .noStartByte : .noise
            unit.diagnostic = EDMDiagnostic(code, offset: unit.offset, count: unit.bytes.count)
            return
        }
        if mode == .unknown { streams[d].mode = .command }
        if ATText.isCommand(content) {
            unit.kind = .at(streams[d].direction == nil ? .command : .echo)
            echoedCommand = ATText.commandName(content)
        } else if ATText.isFinal(content) {
            unit.kind = .at(.final)
            final(content, &unit, stream: d)
        } else if let name = pending?.name ?? echoedCommand, ATText.responseName(content) == name {
            unit.kind = .at(.response)
        } else {
            unit.kind = .at(.urc)
            urc(content, &unit, stream: d)
        }
    }

    private mutating func moduleFrame(_ frame: EDMFrame, _ unit: inout SessionUnit, stream d: Int) {
        switch frame.payloadID {
        case .atConfirmation:
            if let last = ATText.lastLine(frame.body), ATText.isFinal(last) { final(last, &unit, stream: d) }
        case .atEvent:
            var rest = frame.body
            while let line = ATText.nextLine(&rest) { urc(line, &unit, stream: d) }
        case .connectEvent:
            unboundChannel = frame.channel
            unit.link = frame.channel.map { link(channel: $0) }
        case .disconnectEvent, .dataEvent:
            unit.link = frame.channel.map { link(channel: $0) }
        default:
            break
        }
    }

    // MARK: - Requests, replies, peers

    private mutating func request(_ text: ArraySlice<UInt8>, _ unit: SessionUnit) {
        if let p = pending {
            anomaly(.unanswered, p.unit,
                "no final result to \(String(decoding: p.name, as: UTF8.self)) before the next command")
        }
        let name = ATText.commandName(text)
        let readsMD5 = ByteText.equals(name, "+USECMNG") && text[name.endIndex...].starts(with: "=4,".utf8)
        pending = Pending(unit: unit.index, time: unit.time, name: name, readsMD5: readsMD5)
    }

    private mutating func final(_ content: ArraySlice<UInt8>, _ unit: inout SessionUnit, stream d: Int) {
        defer { echoedCommand = nil }
        guard let p = pending else {
            if let echoed = echoedCommand, ByteText.equals(echoed,
                "O2"), ATText.isOK(content) { streams[d].mode = .edm }
            if hostSeen { anomaly(.unsolicitedReply, unit, "final result with no command pending") }
            return
        }
        pending = nil
        let ok = ATText.isOK(content)
        unit.reply = SessionUnit.Reply(request: p.unit, latency: unit.time - p.time, notStoredYet: p.readsMD5 && !ok)
        guard ok else { return }
        if ByteText.equals(p.name, "O2") {
            streams[d].mode = .edm
        } else if ByteText.equals(p.name, "+CPWROFF") || ByteText.equals(p.name, "+UFACTORY") {
            rebootExpected = true
            // The module reboots into command mode: what follows is boot noise and text.
            if ByteText.equals(p.name, "+CPWROFF") { streams[d].mode = .command }
        }
    }

    private mutating func urc(_ content: ArraySlice<UInt8>, _ unit: inout SessionUnit, stream d: Int) {
        if ATText.isStartup(content) {
            // In command mode a +STARTUP may be the power-up greeting read late; in EDM
            // it can only mean a reboot nobody asked for, and the pending request is lost.
            if !rebootExpected, streams[d].mode == .edm, hostSeen {
                anomaly(.unexpectedReboot, unit, "the module restarted (+STARTUP) without being asked to")
                pending = nil
            }
            rebootExpected = false
            streams[d].mode = .command
            return
        }
        guard let (name, handle) = ATText.peerURC(content) else { return }
        if name == "+UUDPC", let channel = unboundChannel {
            while peerOfChannel.count <= Int(channel) { peerOfChannel.append(nil) }
            peerOfChannel[Int(channel)] = handle
            unboundChannel = nil
            unit.link = SessionUnit.Link(channel: channel, peer: handle)
        } else {
            let channel = peerOfChannel.firstIndex(of: handle).map(UInt8.init)
            unit.link = SessionUnit.Link(channel: channel, peer: handle)
        }
    }

    private func link(channel: UInt8) -> SessionUnit.Link {
        let peer = Int(channel) < peerOfChannel.count ? peerOfChannel[Int(channel)] : nil
        return SessionUnit.Link(channel: channel, peer: peer)
    }

    private mutating func anomaly(_ code: SessionAnomaly.Code, _ unit: Int, _ message: String) {
        anomalies.append(SessionAnomaly(code, unit: unit, message: message))
    }

    private mutating func anomaly(_ code: SessionAnomaly.Code, _ unit: SessionUnit, _ message: String) {
        anomaly(code, unit.index, message)
    }
}
