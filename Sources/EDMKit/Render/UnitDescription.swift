/// How a unit reads to a person: a short summary and an explanation, shared by the
/// transcript, the JSON Lines `fields`, and the Mermaid diagram.
public struct UnitDescription: Sendable {
    /// `AT request AT+UWSC=0,2,SSID`, `Data event ch0 (peer 2), 98 bytes`.
    public var summary: String
    /// The catalog's words, a DPS summary, or what is wrong.
    public var explanation: String?
    /// The AT line the unit carries, parsed (the last line of a multi-line confirmation).
    public var atLines: [ATCommandLine]
    /// The DPS answer or request a data unit carries.
    public var dps: DPSResponse?

    public init(_ unit: SessionUnit) {
        atLines = []
        dps = nil
        explanation = nil
        switch unit.kind {
        case .frame(let frame):
            summary = frame.payloadID.name
            describe(frame, unit)
        case .at(let type):
            let text = unit.text ?? ""
            summary = "\(type.rawValue) \(text)"
            if type == .prompt {
                explanation = "the module waits for the credential's bytes"
            } else if !text.isEmpty {
                atLines = [ATCommandLine(text)]
                explanation = atLines.first.flatMap(ATCatalog.explain)
            }
        case .raw(let type):
            summary = "\(type.rawValue), \(unit.bytes.count) byte\(unit.bytes.count == 1 ? "" : "s")"
            if let credential = unit.credential {
                explanation = "\(ATCatalog.credentialTypeName(credential.type)) \"\(credential.name)\""
            }
        }
        if let diagnostic = unit.diagnostic {
            explanation = diagnostic.message
        }
    }

    private mutating func describe(_ frame: EDMFrame, _ unit: SessionUnit) {
        if let channel = frame.channel {
            summary += " ch\(channel)" + (unit.link?.peer.map { " (peer \($0))" } ?? "")
        }
        switch frame.payloadID {
        case .atRequest, .atConfirmation, .atEvent:
            let text = unit.text ?? ""
            // "\r\n" is one Character in Swift: split on scalars.
            let lines = text.unicodeScalars.split(whereSeparator: { $0 == "\r" || $0 == "\n" }).map { String($0) }
            summary += " " + lines.joined(separator: " ")
            atLines = lines.map { ATCommandLine($0) }
            explanation = atLines.compactMap(ATCatalog.explain).joined(separator: "; ")
            if explanation?.isEmpty == true { explanation = nil }
        case .connectEvent:
            summary += ": " + (frame.connectEvent?.summary ?? "malformed body \(hexString(frame.body))")
        case .dataEvent, .dataCommand:
            let data = frame.data ?? []
            summary += ", \(data.count) byte\(data.count == 1 ? "" : "s")"
            dps = DPSResponse(payload: data)
            if let dps {
                explanation = dps.summary
            } else if let text = printable(data) {
                explanation = registration(text) ?? "\"\(text)\""
            }
        case .disconnectEvent, .startEvent, .resendConnectEvents:
            break
        default:
            summary += " body \(hexString(frame.body))"
        }
    }

    /// A register request body names the registration id; say so.
    private func registration(_ text: String) -> String? {
        guard let json = JSONValue(parsing: Array(text.utf8)), let id = json["registrationId"]?.string else { return nil }
        return "DPS: register \(id)"
    }
}

/// The bytes as text when they are printable UTF-8 (tabs and line breaks allowed).
func printable(_ bytes: ArraySlice<UInt8>) -> String? {
    isPrintable(bytes) ? String(decoding: bytes, as: UTF8.self) : nil
}

func isPrintable(_ bytes: ArraySlice<UInt8>) -> Bool {
    guard bytes.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return false }
    return bytes.allSatisfy { $0 < 0x80 } || String(validating: bytes, as: UTF8.self) != nil
}
