import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// The JSON bodies DPS sends, in the shapes docs/protocol.md ("DPS over the module's MQTT client")
/// and the reference log show.
///
/// Written by hand rather than with an encoder: key order is part of what a trace shows, and
/// it must not depend on a dictionary's order.
extension SimulatedDPS {
    package func assignedBody(_ operation: Operation, now: Duration) -> String {
        let id = Self.quoted(operation.registrationID)
        let attestation = !operation.signedInWithSAS
            ? #""x509":{"enrollmentGroupId":\#(Self.quoted(configuration.enrollmentGroupID))}"#
            : configuration.symmetricKeyEnrollment.groupID.map {
                #""symmetricKey":{"enrollmentGroupId":\#(Self.quoted($0))}"#
            }
                ?? #""symmetricKey":{}"#
        return
            #"{"operationId":\#(Self.quoted(operation.id)),"status":"assigned","registrationState":{\#(attestation),"#
                + #""registrationId":\#(id),"createdDateTimeUtc":"\#(timestamp(operation.created))","#
                + #""assignedHub":\#(Self.quoted(configuration.assignedHub)),"deviceId":\#(id),"status":"assigned","#
                + #""substatus":"initialAssignment","lastUpdatedDateTimeUtc":"\#(timestamp(now))","#
                + #""etag":"\#(operation.etag)"}}"#
    }

    package func failedBody(_ operation: Operation, now: Duration) -> String {
        #"{"operationId":\#(Self.quoted(operation.id)),"status":"failed","#
            + #""registrationState":{"registrationId":\#(Self.quoted(operation.registrationID)),"#
            + #""createdDateTimeUtc":"\#(timestamp(operation.created))","status":"failed","errorCode":400207,"#
            + #""errorMessage":"Custom allocation failed with status code: 400","#
            + #""lastUpdatedDateTimeUtc":"\#(timestamp(now))","etag":"\#(operation.etag)"}}"#
    }

    /// Empty operation id, as in azure-sdk-for-c's parser tests.
    package func disabledBody(_ operation: Operation) -> String {
        #"{"operationId":"","status":"disabled","#
            + #""registrationState":{"registrationId":\#(Self.quoted(operation.registrationID)),"status":"disabled"}}"#
    }

    /// The error object of 4xx/5xx answers: no operation id, `errorCode` = HTTP status × 1000 + detail.
    package mutating func errorBody(_ code: Int, _ message: String, now: Duration) -> String {
        #"{"errorCode":\#(code),"trackingId":"\#(random.uuid())","#
            + #""message":\#(Self.quoted(message)),"timestampUtc":"\#(timestamp(now))"}"#
    }

    /// `2024-07-01T00:00:26.1680000Z`: ISO 8601 with DPS's seven fractional digits.
    package func timestamp(_ time: Duration) -> String {
        let (seconds, attoseconds) = time.components
        let total = configuration.epochSeconds + seconds
        let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let secondOfDay = total - days * 86_400
        let (year, month, day) = TimeText.civil(fromDays: days)
        let ticks = attoseconds / 100_000_000_000
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let date = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
        let clock = "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        return "\(date)T\(clock).\(pad(ticks, 7))Z"
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    package static func quoted(_ text: String) -> String { JSONValue.string(text).serialized }
}
