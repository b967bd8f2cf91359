/// What DPS answered, read from a data event's payload (PROTOCOL.md section 4).
///
/// The module hands the host the message body only, never the topic, so the status code and
/// `retry-after` DPS put there are lost: the body is all there is to decide on.
public struct DPSResponse: Hashable, Sendable {
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
    public var body: JSONValue

    /// Nil when the bytes are not a JSON object that looks like a DPS answer.
    public init?<C: Collection>(payload: C) where C.Element == UInt8 {
        guard let json = JSONValue(parsing: payload), case .object = json else { return nil }
        let state = json["registrationState"]
        body = json
        operationID = json["operationId"]?.string
        assignedHub = state?["assignedHub"]?.string
        deviceID = state?["deviceId"]?.string
        substatus = state?["substatus"]?.string
        errorCode = state?["errorCode"]?.integer ?? json["errorCode"]?.integer
        message = state?["errorMessage"]?.string ?? json["message"]?.string
        switch json["status"]?.string {
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
            return "DPS: assigned to \(assignedHub ?? "?") as \(deviceID ?? "?")" + (substatus.map { " (\($0))" } ?? "")
        case .assigning, .unassigned:
            return "DPS: \(statusText), operation \(operationID ?? "?")"
        case .failed, .disabled, .error, .other:
            var text = "DPS: \(statusText)"
            if let code = errorCode { text += " \(code) (\(Self.meaning(of: code)))" }
            // DPS messages often end in a full stop; the sentences around them add their own.
            if let message { text += ": " + (message.hasSuffix(".") ? String(message.dropLast()) : message) }
            return text
        }
    }

    /// What DPS error codes mean, in words a user can act on.
    public static func meaning(of code: Int) -> String {
        switch code {
        case 400207: "custom allocation failed"
        case 400208: "no IoT hub linked to the enrollment"
        case 400209: "the IoT hub refused DPS access"
        case 401000, 401002: "unauthorized: the certificate or its chain is not accepted"
        case 404201: "operation or registration not found"
        case 412, 412_000...412_999: "a registration for this device is already in progress"
        case 429001, 429_000...429_999: "throttled: too many requests, retry later"
        case 500_000...599_999: "DPS server error, retry later"
        default: "HTTP \(code >= 1000 ? code / 1000 : code)"
        }
    }
}
