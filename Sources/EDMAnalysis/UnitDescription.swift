import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace

/// How a unit reads to a person: a short summary and an explanation, shared by the
/// transcript, the JSON Lines `fields`, and the Mermaid diagram.
public struct UnitDescription: Sendable {
    public let unit: SessionUnit
    /// The AT line the unit carries, parsed (the last line of a multi-line confirmation).
    public private(set) var atLines: [ATCommandLine] = []
    /// The DPS answer or request a data unit carries.
    public private(set) var dps: DPSResponse?
    /// The catalog's words, a DPS summary, or the credential a payload is.
    private var meaning: String?

    /// What is wrong with the unit, or else what it means. (Worked out when asked: the JSON
    /// Lines show a diagnostic's message in `error` and never ask.)
    public var explanation: String? { unit.diagnostic?.message ?? meaning }

    /// `AT request AT+UWSC=0,2,SSID`, `Data event ch0 (peer 2), 98 bytes`. (Worked out when
    /// asked: the transcript and the diagram need it, the JSON Lines do not.)
    public var summary: String {
        switch unit.kind {
        case .frame(let frame):
            var summary = frame.payloadID.name
            if let channel = frame.channel {
                summary += " ch\(channel)" + (unit.link?.peer.map { " (peer \($0))" } ?? "")
            }
            switch frame.payloadID {
            case .atRequest, .atConfirmation, .atEvent:
                return summary + " " + Self.lines(unit).joined(separator: " ")
            case .connectEvent:
                return summary + ": " + (frame.connectEvent?.summary ?? "malformed body \(hexString(frame.body))")
            case .dataEvent, .dataCommand:
                let count = frame.data?.count ?? 0
                return summary + ", \(count) byte\(count == 1 ? "" : "s")"
            case .disconnectEvent, .startEvent, .resendConnectEvents:
                return summary
            default:
                return summary + " body \(hexString(frame.body))"
            }
        case .at(let type):
            return "\(type.rawValue) \(unit.text ?? "")"
        case .raw(let type):
            return "\(type.rawValue), \(unit.bytes.count) byte\(unit.bytes.count == 1 ? "" : "s")"
        }
    }

    public init(_ unit: SessionUnit) {
        self.unit = unit
        defer { if unit.reply?.notStoredYet == true { meaning = Self.notStoredYet } }
        switch unit.kind {
        case .frame(let frame):
            describe(frame)
        case .at(let type):
            let text = unit.text ?? ""
            if type == .prompt {
                meaning = Self.promptMeaning
            } else if !text.isEmpty {
                atLines = [ATCommandLine(text)]
                meaning = atLines.first.flatMap(ATCatalog.explain)
            }
        case .raw:
            if let credential = unit.credential {
                meaning = "\(ATCatalog.credentialTypeName(credential.type)) \"\(credential.name)\""
            }
        }
    }

    private mutating func describe(_ frame: EDMFrame) {
        switch frame.payloadID {
        case .atRequest, .atConfirmation, .atEvent:
            // (Parsed from the bytes: through a String first they were decoded, then copied
            // back into an array to parse; each piece decodes the same either way.)
            atLines = ATText.lines(unit.textBytes ?? []).map { ATCommandLine(bytes: $0) }
            // (A single line, the usual case, is explained without joining.)
            meaning = atLines.count == 1
                ? ATCatalog.explain(atLines[0]) : atLines.compactMap(ATCatalog.explain).joined(separator: "; ")
            if meaning?.isEmpty == true { meaning = nil }
        case .dataEvent, .dataCommand:
            let data = frame.data ?? []
            dps = DPSResponse(payload: data)
            if let dps {
                meaning = dps.summary
            } else if let text = printable(data) {
                meaning = registration(text) ?? "\"\(text)\""
            }
        default:
            break
        }
    }

    /// What an ERROR to a credential's MD5 read means (`SessionUnit.Reply.notStoredYet`).
    public static let notStoredYet = "not stored yet (expected on a fresh module: it is uploaded next)"

    /// (A prompt's unit keeps no parsed line: it has no fields to show.)
    private static let promptMeaning = ATCatalog.entry(named: ">")?.summary

    /// The lines of an AT frame's text, split on the bytes (CR and LF are never part of a
    /// longer UTF-8 sequence, so each line decodes as it would within the whole).
    private static func lines(_ unit: SessionUnit) -> [String] {
        ATText.lines(unit.textBytes ?? []).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A register request body names the registration id; say so.
    private func registration(_ text: String) -> String? {
        guard let json = JSONValue(parsing: Array(text.utf8)), let id = json["registrationId"]?.string else {
            return nil
        }
        return "DPS: register \(id)"
    }
}

