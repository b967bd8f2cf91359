import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// AT commands: the general ones, the credential store, and the reply format of both modes.
extension SimulatedModule {
    /// A command being answered: when it arrived and in which mode (which sets the reply's form).
    package struct Request: Sendable {
        package var time: Duration
        package var viaEDM: Bool
    }

    /// An `AT+USECMNG=0` import waiting for its raw bytes.
    package struct PendingImport: Sendable {
        package var kind: StoredCredential.Kind
        package var name: String
        package var size: Int
        /// Started by an EDM AT request: the bytes come as AT request bodies (inferred from
        /// u-blox's host code; docs/protocol.md, "Command mode"), not raw.
        package var viaEDM: Bool
        package var bytes: [UInt8] = []
    }

    /// Schedules the final result (with information lines first) and returns its time.
    /// Command mode: `\r\n<line>\r\n` each, then `\r\nOK\r\n` (as the reference's `+USECMNG`).
    /// EDM: one AT confirmation `\r\n<line>\r\nOK\r\n` (as the reference's `+UDCP:2`).
    @discardableResult
    package mutating func reply(
        _ request: Request, _ lines: [String] = [], ok: Bool = true, after latency: Duration
    ) -> Duration {
        let time = after(request.time, latency)
        busyUntil = max(busyUntil, time)
        let final = ok ? "OK" : "ERROR"
        if request.viaEDM {
            output.add(.confirmation(lines.map { "\r\n" + $0 }.joined() + "\r\n" + final + "\r\n"), at: time)
        } else {
            output.add(
                .text(Array((lines.map { "\r\n" + $0 + "\r\n" }.joined() + "\r\n" + final + "\r\n").utf8)), at: time)
        }
        return time
    }

    /// `ERROR`, with the reason in the log.
    package mutating func refuse(_ request: Request, _ why: String) {
        note(request.time, "ERROR: " + why)
        reply(request, ok: false, after: request.viaEDM ? timing.edmReply : timing.commandReply)
    }

    /// `OK` after the usual latency of the request's mode.
    @discardableResult
    package mutating func acknowledge(_ request: Request) -> Duration {
        reply(request, after: request.viaEDM ? timing.edmReply : timing.commandReply)
    }

    package mutating func execute(_ line: ATCommandLine, _ request: Request) {
        guard line.kind == .command else {
            refusedUnknown = true
            return refuse(request, "not a command: \(line.rendered)")
        }
        switch (line.name.uppercased(), line.form) {
        case ("", .action?), ("&W", .action?):
            acknowledge(request)
        case ("E0", .action?), ("E1", .action?):
            // Echo exists only in command mode; in EDM the command is accepted and changes nothing.
            if !request.viaEDM { echo = line.name.hasSuffix("1") }
            acknowledge(request)
        case ("O2", .action?):
            enterEDM(request)
        case ("+UFACTORY", .action?):
            factoryResetPending = true
            note(request.time, "factory reset takes effect at the next restart")
            acknowledge(request)
        case ("+CPWROFF", .action?):
            let time = acknowledge(request)
            scheduleReboot(at: time, reason: "AT+CPWROFF")
        case ("I9", .action?):
            reply(request, [profile.identity.firmware], after: request.viaEDM ? timing.edmReply : timing.commandReply)
        case ("I0", .action?), ("+GMM", .action?), ("+CGMM", .action?):
            reply(request, [profile.identity.model], after: request.viaEDM ? timing.edmReply : timing.commandReply)
        case ("+GMI", .action?), ("+CGMI", .action?):
            reply(
                request, [profile.identity.manufacturer], after: request.viaEDM ? timing.edmReply : timing.commandReply)
        case ("+GMR", .action?), ("+CGMR", .action?):
            reply(request, [profile.identity.version], after: request.viaEDM ? timing.edmReply : timing.commandReply)
        case ("&K0", .action?), ("&K3", .action?), ("&D0", .action?), ("&D1", .action?), ("&S0", .action?),
            ("&S1", .action?):
            // Flow control and DTR/DSR behaviour: accepted; the model's UART has no lines to drive.
            acknowledge(request)
        case ("+UMRS", .read?):
            reply(request, ["+UMRS:115200,2,8,1,1,1"], after: request.viaEDM ? timing.edmReply : timing.commandReply)
        case ("+UMRS", .set?), ("+UMLA", .set?), ("+UMSM", .set?), ("S2", .set?), ("S3", .set?), ("S4", .set?),
            ("S5", .set?):
            acknowledge(request)
        case ("+USECMNG", .set?):
            credentialCommand(line, request)
        case ("+UWSC", .set?):
            wifiConfiguration(line, request)
        case ("+UWSCA", .set?):
            wifiAction(line, request)
        case ("+UDUV", .set?):
            urlVariable(line, request)
        case ("+UDCP", .set?):
            connectPeer(line, request)
        case ("+UDCPC", .set?):
            closePeer(line, request)
        default:
            refusedUnknown = true
            refuse(request, "unknown command \(line.rendered)")
        }
    }

    private mutating func enterEDM(_ request: Request) {
        guard !request.viaEDM else {
            acknowledge(request)
            return
        }
        let time = reply(request, after: timing.commandReply)
        inputEDM = true
        edmReadyAt = time + timing.edmSettle
        output.switchMode(edm: true, at: time)
        if scenario.sendsStartEvent { output.add(.frame(EDMEncoder.startEvent()), at: time) }
        note(request.time, "ATO2: EDM from \(stamp(time))")
    }

    // MARK: - Credentials

    /// `AT+USECMNG=<op>,…`: 0 import, 2 remove, 3 list, 4 read the MD5.
    private mutating func credentialCommand(_ line: ATCommandLine, _ request: Request) {
        let kind = line.integer(1).flatMap(StoredCredential.Kind.init(rawValue:))
        let name = line.parameter(2) ?? ""
        let index = kind.flatMap { k in credentials.firstIndex { $0.kind == k && $0.name == name } }
        switch line.integer(0) {
        case 0?:
            startImport(line, kind: kind, name: name, request)
        case 2?:
            guard let index else { return refuse(request, "no credential \(name) to remove") }
            credentials.remove(at: index)
            acknowledge(request)
        case 3?:
            // The list format is not documented for these modules; this one mirrors the others.
            let lines = credentials.map { "+USECMNG:3,\($0.kind.rawValue),\"\($0.name)\",\"\($0.md5)\"" }
            reply(request, lines, after: request.viaEDM ? timing.edmReply : timing.commandReply)
        case 4?:
            guard let index else { return refuse(request, "no credential \(name) of that type") }
            let c = credentials[index]
            reply(request, ["+USECMNG:4,\(c.kind.rawValue),\"\(c.name)\",\"\(c.md5)\""],
                  after: request.viaEDM ? timing.edmReply : timing.commandReply)
        default:
            refuse(request, "unsupported AT+USECMNG operation")
        }
    }

    private mutating func startImport(
        _ line: ATCommandLine, kind: StoredCredential.Kind?, name: String, _ request: Request
    ) {
        guard let kind, (1...32).contains(name.utf8.count), let size = line.integer(3), (1...8192).contains(size) else {
            // The host's decoder side already counts on the raw bytes: start it afresh.
            if !request.viaEDM { resyncRequested = true }
            return refuse(request, "bad import \(line.rendered)")
        }
        pendingImport = PendingImport(kind: kind, name: name, size: size, viaEDM: request.viaEDM)
        let prompt = "\r\n>", time = after(request.time, timing.credentialPrompt)
        busyUntil = max(busyUntil, time)
        output.add(request.viaEDM ? .confirmation(prompt) : .text(Array(prompt.utf8)), at: time)
    }

    /// In EDM the credential comes as AT request bodies, until the announced size.
    package mutating func collectImport(_ body: ArraySlice<UInt8>, _ request: Request) {
        guard var pending = pendingImport else { return }
        pending.bytes += body.prefix(pending.size - pending.bytes.count)
        pendingImport = pending
        if pending.bytes.count == pending.size { finishImport(pending, bytes: pending.bytes, request) }
    }

    package mutating func finishImport(_ pending: PendingImport, bytes: [UInt8], _ request: Request) {
        pendingImport = nil
        let credential = StoredCredential(kind: pending.kind, name: pending.name, bytes: bytes)
        credentials.removeAll { $0.kind == credential.kind && $0.name == credential.name }
        credentials.append(credential)
        credentials.sort(by: StoredCredential.precedes)
        note(request.time, "stored \(pending.name) (\(bytes.count) bytes, MD5 \(credential.md5))")
        reply(request, ["+USECMNG:0,\(pending.kind.rawValue),\"\(pending.name)\",\"\(credential.md5)\""],
              after: timing.credentialImport)
    }
}
