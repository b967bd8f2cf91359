/// Renders units as JSON Lines, the public contract of DESIGN.md (documented in the README):
/// one object per unit, then `{"summary":{…}}`. Keys keep a fixed order; fields are added,
/// never renamed or removed.
public struct JSONLinesRenderer: Sendable {
    private var summary = SessionSummary()

    public init() {}

    public mutating func line(for unit: SessionUnit) -> String {
        let description = UnitDescription(unit)
        summary.add(unit, description)
        var o: [(String, JSONValue)] = [
            ("index", .number(String(unit.index))),
            ("time", .number(secondsText(unit.time))),
            ("from", .string(unit.direction?.rawValue ?? "unknown")),
            ("layer", .string(unit.layer)),
            ("type", .string(unit.type)),
            ("offset", .number(String(unit.offset))),
            ("length", .number(String(unit.bytes.count))),
        ]
        let frame = unit.frame
        if let frame {
            o.append(("id", .string("0x" + hex4(frame.payloadID.rawValue))))
        }
        if let channel = frame?.channel ?? unit.link?.channel {
            o.append(("channel", .number(String(channel))))
        }
        if let peer = unit.link?.peer { o.append(("peer", .number(String(peer)))) }
        if let text = unit.text { o.append(("text", .string(text))) }
        o.append(("hex", .string(hexString(unit.bytes))))
        if let data = frame?.data, let text = printable(data) { o.append(("data", .string(text))) }
        let fields = self.fields(unit, description)
        if !fields.isEmpty { o.append(("fields", .object(fields))) }
        if let dps = description.dps { o.append(("dps", dpsObject(dps))) }
        if let explanation = description.explanation, unit.diagnostic == nil { o.append(("explanation", .string(explanation))) }
        if let reply = unit.reply {
            o.append(("reply_to", .number(String(reply.request))))
            o.append(("latency", .number(secondsText(reply.latency))))
        }
        if let diagnostic = unit.diagnostic {
            o.append(("error", .object([("code", .string(diagnostic.code.rawValue)), ("message", .string(diagnostic.message))])))
        }
        return JSONValue.object(o).serialized
    }

    /// The summary line; `notes` are what the importer noticed (line numbers of the input).
    public func closing(anomalies: [SessionAnomaly], notes: [TraceImportDiagnostic] = []) -> String {
        var s: [(String, JSONValue)] = [
            ("outcome", .string(summary.outcome.rawValue)),
            ("reason", .string(summary.sentence)),
            ("units", .number(String(summary.unitCount))),
            ("bad_units", .number(String(summary.garbageCount))),
            ("noise_units", .number(String(summary.noiseCount))),
            ("duration", .number(secondsText(summary.duration))),
        ]
        if let dps = summary.dps { s.append(("dps", dpsObject(dps))) }
        s.append(("phases", .array(summary.phases.map { phase in
            var p: [(String, JSONValue)] = [("name", .string(phase.name)), ("start", .number(secondsText(phase.start)))]
            if let end = phase.end { p.append(("duration", .number(secondsText(end - phase.start)))) }
            return .object(p)
        })))
        s.append(("anomalies", .array(anomalies.map {
            .object([("code", .string($0.code.rawValue)), ("unit", .number(String($0.unit))), ("message", .string($0.message))])
        })))
        if !notes.isEmpty {
            s.append(("import", .array(notes.map { note in
                var n: [(String, JSONValue)] = [("code", .string(note.code.rawValue)), ("severity", .string(note.severity.rawValue))]
                if let line = note.line { n.append(("line", .number(String(line)))) }
                n.append(("message", .string(note.message)))
                return .object(n)
            })))
        }
        return JSONValue.object([("summary", .object(s))]).serialized
    }

    private func fields(_ unit: SessionUnit, _ description: UnitDescription) -> [(String, JSONValue)] {
        if let event = unit.frame?.connectEvent {
            switch event.link {
            case .bluetooth(let profile, let address, let frameSize):
                return [("connect_type", .string("bluetooth")), ("profile", .number(String(profile))),
                        ("address", .string(hexString(address))), ("frame_size", .number(String(frameSize)))]
            case .ipv4(let p, let r, let rp, let l, let lp), .ipv6(let p, let r, let rp, let l, let lp):
                let v4 = r.count == 4
                func address(_ a: [UInt8]) -> String { v4 ? a.map(String.init).joined(separator: ".") : EDMConnectEvent.ipv6Text(a) }
                return [("connect_type", .string(v4 ? "ipv4" : "ipv6")), ("protocol", .string(EDMConnectEvent.protocolName(p))),
                        ("remote", .string(address(r))), ("remote_port", .number(String(rp))),
                        ("local", .string(address(l))), ("local_port", .number(String(lp)))]
            }
        }
        guard let line = description.atLines.last(where: { $0.kind != .final }) ?? description.atLines.last else { return [] }
        var fields: [(String, JSONValue)] = [("name", .string(line.name))]
        fields += ATCatalog.fields(of: line).map { ($0.name, .string($0.value)) }
        return fields
    }

    private func dpsObject(_ dps: DPSResponse) -> JSONValue {
        var d: [(String, JSONValue)] = [("status", .string(dps.statusText))]
        if let v = dps.operationID { d.append(("operationId", .string(v))) }
        if let v = dps.assignedHub { d.append(("assignedHub", .string(v))) }
        if let v = dps.deviceID { d.append(("deviceId", .string(v))) }
        if let v = dps.substatus { d.append(("substatus", .string(v))) }
        if let v = dps.errorCode { d.append(("errorCode", .number(String(v)))) }
        if let v = dps.message { d.append(("message", .string(v))) }
        return .object(d)
    }
}

/// Seconds with microseconds, as JSON number text: `14.076000`.
func secondsText(_ d: Duration) -> String {
    let us = d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000
    let sign = us < 0 ? "-" : ""
    let a = abs(us)
    let frac = String(a % 1_000_000)
    return "\(sign)\(a / 1_000_000).\(String(repeating: "0", count: 6 - frac.count))\(frac)"
}
