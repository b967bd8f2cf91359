import Testing
@testable import EDMKit

/// `DPSResponse` reads a body's fields in place (`JSONScanner`), without a tree: it must read
/// exactly what the tree says, and accept or refuse exactly the documents the tree parser does.
@Suite struct DPSResponseTests {
    /// The fields as read from the tree (`JSONValue`): the first member of a name, of the right type.
    private struct Read: Equatable {
        var status: String, operationID, assignedHub, deviceID, substatus, message: String?
        var errorCode: Int?

        init?(tree bytes: [UInt8]) {
            guard let json = JSONValue(parsing: bytes), case .object = json else { return nil }
            let state = json["registrationState"]
            errorCode = state?["errorCode"]?.integer ?? json["errorCode"]?.integer
            guard let status = json["status"]?.string ?? (errorCode != nil ? "error" : nil) else { return nil }
            self.status = status
            operationID = json["operationId"]?.string
            assignedHub = state?["assignedHub"]?.string
            deviceID = state?["deviceId"]?.string
            substatus = state?["substatus"]?.string
            message = state?["errorMessage"]?.string ?? json["message"]?.string
        }

        init(_ r: DPSResponse) {
            status = r.statusText
            (operationID, assignedHub, deviceID, substatus, message, errorCode) = (
                r.operationID, r.assignedHub, r.deviceID, r.substatus, r.message, r.errorCode
            )
        }
    }

    private static let bodies = [
        ReferenceSession.assigning, ReferenceSession.assigned,
        #"{"operationId":"4.x","status":"failed","registrationState":{"registrationId":"d","#
            + #""status":"failed","errorCode":401002,"errorMessage":"Unauthorized."}}"#,
        #"{"errorCode":429001,"trackingId":"t","message":"Throttled.","timestampUtc":"2022-07-04T08:28:35Z"}"#,
        #" { "status" : "assigning" , "status":"assigned", "operationId" : 5, "operationId":"late" } "#,
        #"{"registrationState":[1,{"a":null}],"registrationState":{"deviceId":"d"},"#
            + #""errorCode":1.5,"status":"disabled"}"#,
        #"{"registrationState":{"errorCode":"401","errorCode":12,"#
            + #""assignedHub":"h\u0041\n","deviceId":true},"errorCode":7}"#,
        #"{"st\u0061tus":"assigned","message":"a \"quoted\" word","nested":{"deep":[[[{"status":"x"}]]]},"n":-1e3}"#,
        #"{"status":"unassigned","registrationState":{"substatus":"reprovisionedToInitialAssignment"},"x":false}"#,
        #"{}"#, #"[]"#, #""assigned""#, #"{"status":"assigned"} x"#,
    ]

    @Test func fieldsReadAsTheTreeReadsThem() {
        var checked = 0
        for body in Self.bodies.map({ Array($0.utf8) }) {
            let response = DPSResponse(payload: body)
            #expect(response.map(Read.init) == Read(tree: body), "\(String(decoding: body, as: UTF8.self))")
            if let response {
                #expect(response.body == JSONValue(parsing: body))
                checked += 1
            }
        }
        #expect(checked == 9)
    }

    /// Bodies cut, spliced and sprinkled with JSON's punctuation: valid or not, the same reading.
    @Test func mangledBodiesReadAsTheTreeReadsThem() {
        var rng = SplitMix64(seed: 12)
        let bodies = Self.bodies.map { Array($0.utf8) }
        let pieces: [[UInt8]] = [
            "{", "}", "[", "]", ",", ":", "\"", "\\", " ", "0", "-", "e", "null", "\"status\":", "\"errorCode\":5"
        ].map { Array($0.utf8) }
        var valid = 0
        for _ in 0..<20_000 {
            var body = bodies.randomElement(using: &rng)!
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let at = Int.random(in: 0...body.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: body.insert(contentsOf: pieces.randomElement(using: &rng)!, at: at)
                case 1: body.removeSubrange(at..<min(body.count, at + Int.random(in: 1...4, using: &rng)))
                default: body.insert(contentsOf: bodies.randomElement(using: &rng)!, at: at)
                }
            }
            let expected = Read(tree: body)
            #expect(DPSResponse(payload: body).map(Read.init) == expected, "\(String(decoding: body, as: UTF8.self))")
            if expected != nil { valid += 1 }
        }
        #expect(valid > 500) // (some mangled bodies stay valid: both readings are compared on those too)
    }
}
