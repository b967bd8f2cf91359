import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// The JSON bodies DPS sends, in the shapes docs/protocol.md ("DPS over the module's MQTT client") shows and the reference log.
///
/// Written by hand rather than with an encoder: key order is part of what a trace shows, and
/// it must not depend on a dictionary's order.
extension SimulatedDPS {
    package func assignedBody(_ operation: Operation, now: Duration) -> String {
        let id = Self.quoted(operation.registrationID)
        let attestation = !operation.signedInWithSAS
            ? #""x509":{"enrollmentGroupId":\#(Self.quoted(configuration.enrollmentGroupID))}"#
            : configuration.symmetricKeyEnrollment.groupID.map { #""symmetricKey":{"enrollmentGroupId":\#(Self.quoted($0))}"# }
            ?? #""symmetricKey":{}"#
        return #"{"operationId":\#(Self.quoted(operation.id)),"status":"assigned","registrationState":{\#(attestation),"registrationId":\#(id),"createdDateTimeUtc":"\#(timestamp(operation.created))","assignedHub":\#(Self.quoted(configuration.assignedHub)),"deviceId":\#(id),"status":"assigned","substatus":"initialAssignment","lastUpdatedDateTimeUtc":"\#(timestamp(now))","etag":"\#(operation.etag)"}}"#
    }

    package func failedBody(_ operation: Operation, now: Duration) -> String {
        #"{"operationId":\#(Self.quoted(operation.id)),"status":"failed","registrationState":{"registrationId":\#(Self.quoted(operation.registrationID)),"createdDateTimeUtc":"\#(timestamp(operation.created))","status":"failed","errorCode":400207,"errorMessage":"Custom allocation failed with status code: 400","lastUpdatedDateTimeUtc":"\#(timestamp(now))","etag":"\#(operation.etag)"}}"#
    }

    /// Empty operation id, as in azure-sdk-for-c's parser tests.
    package func disabledBody(_ operation: Operation) -> String {
        #"{"operationId":"","status":"disabled","registrationState":{"registrationId":\#(Self.quoted(operation.registrationID)),"status":"disabled"}}"#
    }

    /// The error object of 4xx/5xx answers: no operation id, `errorCode` = HTTP status × 1000 + detail.
    package mutating func errorBody(_ code: Int, _ message: String, now: Duration) -> String {
        #"{"errorCode":\#(code),"trackingId":"\#(random.uuid())","message":\#(Self.quoted(message)),"timestampUtc":"\#(timestamp(now))"}"#
    }

    /// `2024-07-01T00:00:26.1680000Z`: ISO 8601 with DPS's seven fractional digits.
    package func timestamp(_ time: Duration) -> String {
        let (seconds, attoseconds) = time.components
        let total = configuration.epochSeconds + seconds
        let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let secondOfDay = total - days * 86_400
        let (year, month, day) = Self.civil(fromDays: days)
        let ticks = attoseconds / 100_000_000_000
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(ticks, 7))Z"
    }

    /// Year, month, day of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
    package static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Standard base64 with padding, for etags (`"<uuid>"` encoded, as the service's look).
    package static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out = [UInt8]()
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            let b0 = UInt32(bytes[i]), b1 = n > 1 ? UInt32(bytes[i + 1]) : 0, b2 = n > 2 ? UInt32(bytes[i + 2]) : 0
            let v = b0 << 16 | b1 << 8 | b2
            for k in 0..<4 {
                out.append(k <= n ? alphabet[Int(v >> UInt32(18 - 6 * k) & 0x3F)] : UInt8(ascii: "="))
            }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    package static func quoted(_ text: String) -> String { JSONValue.string(text).serialized }
}
