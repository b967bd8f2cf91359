import EDMKit

/// The reference NINA-W15 provisioning run (captures/azure-dps-example-session.log) as the
/// bytes that crossed the wire, rebuilt by hand: command-mode text with echo, the three PEM
/// uploads (filler of the announced sizes), ATO2, then EDM frames both ways, then the reboot.
/// Times are the log's milliseconds.
enum ReferenceSession {
    static let registerURL =
        "mqtt://global.azure-devices-provisioning.net:8883/?client=ninadps&user=0ne0067E45C/registrations/ninadps/api-version=2019-03-31&pt=$dps/registrations/PUT/iotdps-register/?$rid={request_id}&st=$dps/registrations/res/#&encr=3&keepAlive=60&ca=ca.pem&cert=cert.pem&privKey=key.pem"
    static let pollURL =
        "mqtt://global.azure-devices-provisioning.net:8883/?client=ninadps&user=0ne0067E45C/registrations/ninadps/api-version=2019-03-31&pt=%%0&encr=3&keepAlive=60&ca=ca.pem&cert=cert.pem&privKey=key.pem"
    static let operationID = "5.b084dab098f0a900.076859d0-7180-40b8-9d06-bf611e398ec0"
    static let assigning =
        #"{"operationId":"5.b084dab098f0a900.076859d0-7180-40b8-9d06-bf611e398ec0","status":"assigning"}"#
    static let assigned =
        #"{"operationId":"5.b084dab098f0a900.076859d0-7180-40b8-9d06-bf611e398ec0","status":"assigned","#
            + #""registrationState":{"x509":{"enrollmentGroupId":"enrolGroup"},"registrationId":"ninadps","#
            + #""createdDateTimeUtc":"2022-07-04T08:28:35.8694014Z","assignedHub":"leoDPS.azure-devices.net","#
            + #""deviceId":"ninadps","status":"assigned","substatus":"initialAssignment","#
            + #""lastUpdatedDateTimeUtc":"2022-07-04T08:28:36.154464Z","#
            + #""etag":"IjYwMDA4OTJjLTAwMDAtMDEwMC0wMDAwLTYyYzJhNGI0MDAwMCI="}}"#

    static func pem(_ label: String, size: Int) -> [UInt8] {
        let head = Array("-----BEGIN \(label)-----\n".utf8)
        let tail = Array("-----END \(label)-----\r".utf8)
        let body = (0..<(size - head.count - tail.count)).map { i in
            i % 65 == 64 ? UInt8(ascii: "\n") : UInt8(ascii: "A") + UInt8(i % 26)
        }
        return head + body + tail
    }

    static var records: [TraceRecord] {
        var r: [TraceRecord] = []
        func host(_ ms: Int, _ bytes: [UInt8]) {
            r.append(TraceRecord(time: .milliseconds(ms), direction: .host, bytes: bytes))
        }
        func module(_ ms: Int, _ bytes: [UInt8]) {
            r.append(TraceRecord(time: .milliseconds(ms), direction: .module, bytes: bytes))
        }
        func text(_ s: String) -> [UInt8] { Array(s.utf8) }

        module(0, [0x1B, 0xE4, 0x00, 0xFF, 0x52] + text("ets boot\r\n\r\n+STARTUP\r\n"))
        host(18, text("AT+UFACTORY\r"))
        module(400, text("AT+UFACTORY\r\r\nOK\r\n"))
        host(401, text("AT+CPWROFF\r"))
        module(416, text("AT+CPWROFF\r\r\nOK\r\n"))
        module(2700, [0x00, 0xAA, 0x13, 0xFE] + text("\r\n+STARTUP\r\n"))
        for (ms, type, name, size, label, md5, done) in [
            (2804, 0, "ca.pem", 1261, "CERTIFICATE", "ACB694A59C17E0D791529BB19706A6E4", 5859),
            (5860, 1, "cert.pem", 1224, "CERTIFICATE", "9A1F95B8D512FA0ED075DD2B794ECB2A", 8938),
            (8941, 2, "key.pem", 1704, "PRIVATE KEY", "695D5D1EBB1DDBD0C6F2C128BAEB7F34", 12057),
        ] {
            host(ms, text("AT+USECMNG=0,\(type),\(name),\(size)\r"))
            module(ms + 1030, text("AT+USECMNG=0,\(type),\(name),\(size)\r\r\n>"))
            host(ms + 1031, pem(label, size: size))
            module(done, text("\r\n+USECMNG:0,\(type),\"\(name)\",\"\(md5)\"\r\n\r\nOK\r\n"))
        }
        host(12057, text("ATO2\r"))
        module(12067, text("ATO2\r\r\nOK\r\n"))
        for (ms, command, reply) in [(14076, "AT+UWSC=0,2,SSID\r", 14089), (14091, "AT+UWSC=0,5,2\r", 14105),
                                     (14106, "AT+UWSC=0,8,PASSWORD\r", 14121), (14122, "AT+UWSCA=0,3\r", 14153)] {
            host(ms, EDMEncoder.atRequest(command))
            module(reply, EDMEncoder.atConfirmation("\r\nOK\r\n"))
        }
        module(17017, EDMEncoder.atEvent("\r\n+UUWLE:0,802AA8035ADE,11\r\n"))
        module(17065, EDMEncoder.atEvent("\r\n+UUNU:0\r\n"))
        module(19092, EDMEncoder.atEvent("\r\n+UUNU:0\r\n"))
        host(22100, EDMEncoder.atRequest("AT+UDCP=\(registerURL)\r"))
        module(22440, EDMEncoder.atConfirmation("\r\n+UDCP:2\r\nOK\r\n"))
        let dps = EDMConnectEvent.Link.ipv4(
            protocol: 2, remote: [20, 43, 44, 164], remotePort: 8883, local: [0, 0, 0, 0], localPort: 0)
        module(24712, EDMEncoder.connectEvent(EDMConnectEvent(channel: 0, link: dps)))
        module(25726, EDMEncoder.atEvent("\r\n+UUDPC:2,2,6,0.0.0.0,0,20.43.44.164,8883\r\n"))
        host(25726, EDMEncoder.dataCommand(channel: 0, data: text(#"{"payload":"","registrationId":"ninadps"}"#)))
        module(26168, EDMEncoder.dataEvent(channel: 0, data: text(assigning)))
        host(
            26169,
            EDMEncoder.atRequest(
                "AT+UDUV=0,$dps/registrations/GET/iotdps-get-operationstatus/?$rid={request_id}&operationId=\(operationID)\r"
            ))
        module(26197, EDMEncoder.atConfirmation("\r\nOK\r\n"))
        host(26197, EDMEncoder.atRequest("AT+UDCP=\(pollURL)\r"))
        module(26234, EDMEncoder.atConfirmation("\r\n+UDCP:4\r\nOK\r\n"))
        module(26235, EDMEncoder.connectEvent(EDMConnectEvent(channel: 1, link: dps)))
        module(27245, EDMEncoder.atEvent("\r\n+UUDPC:4,2,6,0.0.0.0,0,20.43.44.164,8883\r\n"))
        host(27245, EDMEncoder.dataCommand(channel: 1, data: text("get operationstatus")))
        module(27466, EDMEncoder.dataEvent(channel: 0, data: text(assigned)))
        host(27468, EDMEncoder.atRequest("AT+CPWROFF\r"))
        module(27482, EDMEncoder.atConfirmation("\r\nOK\r\n"))
        module(29900, [0xE0, 0xAA, 0x00] + text("\r\n+STARTUP\r\n"))
        return r
    }

    /// All bytes one direction wrote, in order.
    static func stream(_ direction: Direction) -> [UInt8] {
        records.filter { $0.direction == direction }.flatMap(\.bytes)
    }
}
