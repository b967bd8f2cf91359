import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace

/// What DPS answered, read from a data event's payload (docs/protocol.md, "DPS over the module's MQTT client").
///
/// The module hands the host the message body only, never the topic, so the status code and
/// `retry-after` DPS put there are lost: the body is all there is to decide on.
public struct DPSResponse: Hashable, Sendable {
    /// The registration status DPS reported, or why there was none.
    public enum Status: Hashable, Sendable {
        case assigning, unassigned, assigned, failed, disabled
        /// An error object (`errorCode` with no `status`): 4xx or 5xx.
        case error
        case other(String)
    }

    public var status: Status
    public var operationID: String?
    public var assignedHub: String?
    public var deviceID: String?
    public var substatus: String?
    /// `registrationState.errorCode` of a failed registration, or the error object's code.
    public var errorCode: Int?
    public var message: String?
    /// The payload as it came (a valid JSON object).
    public let payload: [UInt8]
    /// The payload parsed (worked out when asked: deciding needs only the fields above).
    public var body: JSONValue { JSONValue(parsing: payload) ?? .object([]) }

    /// Nil when the bytes are not a JSON object that looks like a DPS answer.
    public init?<C: Collection>(payload: C) where C.Element == UInt8 {
        self.payload = Array(payload)
        guard let fields = Fields(self.payload) else { return nil }
        operationID = fields.text[Fields.operationID]
        assignedHub = fields.text[Fields.assignedHub]
        deviceID = fields.text[Fields.deviceID]
        substatus = fields.text[Fields.substatus]
        errorCode =
            fields.text[Fields.stateErrorCode].flatMap { Int($0) } ?? fields.text[Fields.errorCode].flatMap { Int($0) }
        message = fields.text[Fields.stateMessage] ?? fields.text[Fields.message]
        switch fields.text[Fields.status] {
        case "assigning": status = .assigning
        case "unassigned": status = .unassigned
        case "assigned": status = .assigned
        case "failed": status = .failed
        case "disabled": status = .disabled
        case let other?: status = .other(other)
        case nil:
            guard errorCode != nil else { return nil }
            status = .error
        }
    }

    /// The members a DPS answer is read from, read in place (`JSONScanner`: a tree of the
    /// whole body cost most of describing it). As in a tree, the first member of a name counts,
    /// and a value of another type (a number for a string, a string for a number) counts as
    /// none. A number is kept as its text.
    private struct Fields {
        package static let status = 0, operationID = 1, errorCode = 2, message = 3
        package static let assignedHub = 4, deviceID = 5, substatus = 6, stateErrorCode = 7, stateMessage = 8
        /// (Not a field of its own: its members are.)
        package static let registrationState = 9
        package var text = InlineArray<9, String?>(repeating: nil)
        /// Members already met (a bit per field, and `registrationState`'s).
        private var met: UInt16 = 0

        /// Nil when the bytes are not exactly one JSON object.
        package init?(_ payload: [UInt8]) {
            let valid = payload.withUnsafeBufferPointer { bytes in
                var scanner = JSONScanner(bytes: bytes)
                return scanner.members(depth: 0) { key, scanner in
                    if key == "status" { return read(Self.status, string: true, &scanner) }
                    if key == "operationId" { return read(Self.operationID, string: true, &scanner) }
                    if key == "errorCode" { return read(Self.errorCode, string: false, &scanner) }
                    if key == "message" { return read(Self.message, string: true, &scanner) }
                    guard key == "registrationState", first(Self.registrationState), scanner.peek() == UInt8(ascii: "{")
                    else { return false }
                    _ = scanner.members(depth: 1) { key, scanner in
                        if key == "assignedHub" { return read(Self.assignedHub, string: true, &scanner) }
                        if key == "deviceId" { return read(Self.deviceID, string: true, &scanner) }
                        if key == "substatus" { return read(Self.substatus, string: true, &scanner) }
                        if key == "errorCode" { return read(Self.stateErrorCode, string: false, &scanner) }
                        if key == "errorMessage" { return read(Self.stateMessage, string: true, &scanner) }
                        return false
                    }
                    return true
                } && scanner.atEnd()
            }
            guard valid else { return nil }
        }

        private mutating func first(_ field: Int) -> Bool {
            defer { met |= 1 << field }
            return met & (1 << field) == 0
        }

        /// The field's value, if it is the first of its name and of the type wanted; true
        /// when the value was read (else it is skipped).
        private mutating func read(_ field: Int, string: Bool, _ scanner: inout JSONScanner) -> Bool {
            guard first(field), let next = scanner.peek() else { return false }
            if string {
                guard next == UInt8(ascii: "\"") else { return false }
                text[field] = scanner.string()
            } else {
                guard JSONScanner.isNumberByte(next) else { return false }
                text[field] = scanner.number()
            }
            return true
        }
    }

    public var statusText: String {
        switch status {
        case .assigning: "assigning"
        case .unassigned: "unassigned"
        case .assigned: "assigned"
        case .failed: "failed"
        case .disabled: "disabled"
        case .error: "error"
        case .other(let s): s
        }
    }

    /// HTTP status DPS would have put in the topic: errorCode / 1000 (401002 -> 401).
    public var httpStatus: Int? { errorCode.map { $0 >= 1000 ? $0 / 1000 : $0 } }

    /// Throttling and server errors are worth the same request again after a pause.
    public var isRetryable: Bool {
        guard status == .error, let http = httpStatus else { return false }
        return http == 429 || http >= 500
    }

    /// Whether polling should stop: assigned, failed, disabled, or an error that is not retryable.
    public var isTerminal: Bool {
        switch status {
        case .assigned, .failed, .disabled: true
        case .error: !isRetryable
        default: false
        }
    }

    /// `DPS: assigned to leoDPS.azure-devices.net as ninadps (initialAssignment)`.
    public var summary: String {
        switch status {
        case .assigned:
            // (Grown once: every session has answers of its own to explain.)
            let hub = assignedHub ?? "?", device = deviceID ?? "?"
            var text = "DPS: assigned to "
            text.reserveCapacity(32 + hub.utf8.count + device.utf8.count + (substatus?.utf8.count ?? 0))
            text += hub
            text += " as "
            text += device
            if let substatus { text += " ("; text += substatus; text += ")" }
            return text
        case .assigning, .unassigned:
            let operation = operationID ?? "?"
            var text = "DPS: "
            text.reserveCapacity(24 + operation.utf8.count)
            text += statusText
            text += ", operation "
            text += operation
            return text
        case .failed, .disabled, .error, .other:
            var text = "DPS: \(statusText)"
            if let code = errorCode { text += " \(code) (\(Self.meaning(of: code)))" }
            // DPS messages often end in a full stop; the sentences around them add their own.
            if let message { text += ": " + (message.hasSuffix(".") ? String(message.dropLast()) : message) }
            return text
        }
    }

    /// What to check, by what DPS said: azure-dps ends a refusal's sentence with it, and the
    /// HTML report shows it under the verdict.
    public var advice: String {
        if errorCode == 401000 {
            return "A SAS token was refused: this usually means the enrollment group's key was used where the device's "
                + "derived key belongs, or the token's expiry or its sr encoding is wrong (check the host's clock)."
        }
        return switch httpStatus {
        case 401?:
            "Check that the device certificate (or the CA that signed it) is registered in the DPS enrollment, "
                + "verified, and not disabled."
        case 404?: "Check the id scope and the registration id."
        case 429?, 500?, 501?, 502?, 503?: "DPS is busy or failing; try again later."
        default: "Check the enrollment in DPS (registration id, group, allocation policy, linked hub)."
        }
    }

    /// What DPS error codes mean, in words a user can act on.
    public static func meaning(of code: Int) -> String {
        switch code {
        case 400207: "custom allocation failed"
        case 400208: "no IoT hub linked to the enrollment"
        case 400209: "the IoT hub refused DPS access"
        case 401000: "unauthorized: the device's credentials are not accepted"
        case 401002: "unauthorized: the certificate or its chain is not accepted"
        case 404201: "operation or registration not found"
        case 412, 412_000...412_999: "a registration for this device is already in progress"
        case 429001, 429_000...429_999: "throttled: too many requests, retry later"
        case 500_000...599_999: "DPS server error, retry later"
        default: "HTTP \(code >= 1000 ? code / 1000 : code)"
        }
    }
}
