import EDMKit

/// A large buffer of EDM frames shaped like the reference provisioning session
/// (captures/azure-dps-example-session.log), repeated with varied ids and DPS bodies,
/// with a little junk between frames now and then. Built once with `EDMEncoder`.
///
/// Both directions share one buffer: the decoder does not care who sent a frame, and the mix of
/// sizes (6-byte start events to 300-byte DPS replies and 220-byte `AT+UDCP` URLs) is what
/// matters for throughput.
struct RealisticMix {
    let bytes: [UInt8]
    let sessions: Int
    let junkRuns: Int

    init(targetBytes: Int, seed: UInt64 = 0x5EED_ED11) {
        var rng = SplitMix64(seed: seed)
        var out = [UInt8]()
        out.reserveCapacity(targetBytes + 16_384)
        var sessions = 0
        var junkRuns = 0
        while out.count < targetBytes {
            for frame in Self.session(&rng) {
                // About one frame in 64 is preceded by junk: line noise, or a false start.
                if rng.next() % 64 == 0 {
                    out += Self.junk(&rng)
                    junkRuns += 1
                }
                out += frame
            }
            sessions += 1
        }
        self.bytes = out
        self.sessions = sessions
        self.junkRuns = junkRuns
    }

    /// One provisioning session's EDM traffic, in the order of the reference log.
    static func session(_ rng: inout SplitMix64) -> [[UInt8]] {
        let operationID = "5.\(rng.hex(16)).\(rng.hex(8))-\(rng.hex(4))-\(rng.hex(4))-\(rng.hex(4))-\(rng.hex(12))"
        let udcpRegister =
            "AT+UDCP=mqtt://global.azure-devices-provisioning.net:8883/?client=ninadps&user=0ne0067E45C/registrations/ninadps/api-version=2019-03-31&pt=$dps/registrations/PUT/iotdps-register/?$rid={request_id}&st=$dps/registrations/res/#&encr=3&keepAlive=60&ca=ca.pem&cert=cert.pem&privKey=key.pem\r"
        let udcpPoll =
            "AT+UDCP=mqtt://global.azure-devices-provisioning.net:8883/?client=ninadps&user=0ne0067E45C/registrations/ninadps/api-version=2019-03-31&pt=%%0&encr=3&keepAlive=60&ca=ca.pem&cert=cert.pem&privKey=key.pem\r"
        let dps = EDMConnectEvent.Link.ipv4(
            protocol: 2, remote: [20, 43, 44, 164], remotePort: 8883, local: [0, 0, 0, 0], localPort: 0)
        let ok = EDMEncoder.atConfirmation("\r\nOK\r\n")

        var frames: [[UInt8]] = []
        if rng.next() % 4 == 0 { frames.append(EDMEncoder.startEvent()) }
        frames += [
            EDMEncoder.atRequest("AT+UWSC=0,2,SSID\r"), ok,
            EDMEncoder.atRequest("AT+UWSC=0,5,2\r"), ok,
            EDMEncoder.atRequest("AT+UWSC=0,8,PASSWORD\r"), ok,
            EDMEncoder.atRequest("AT+UWSCA=0,3\r"), ok,
            EDMEncoder.atEvent("\r\n+UUWLE:0,802AA8035ADE,11\r\n"),
            EDMEncoder.atEvent("\r\n+UUNU:0\r\n"),
            EDMEncoder.atEvent("\r\n+UUNU:0\r\n"),
            EDMEncoder.atRequest(udcpRegister),
            EDMEncoder.atConfirmation("\r\n+UDCP:2\r\nOK\r\n"),
            EDMEncoder.connectEvent(EDMConnectEvent(channel: 0, link: dps)),
            EDMEncoder.atEvent("\r\n+UUDPC:2,2,6,0.0.0.0,0,20.43.44.164,8883\r\n"),
            EDMEncoder.dataCommand(channel: 0, data: Array(#"{"payload":"","registrationId":"ninadps"}"#.utf8)),
        ]
        // DPS answers "assigning" one to four times before "assigned" (or an error).
        for poll in 0..<(1 + Int(rng.next() % 4)) {
            frames += [
                EDMEncoder.dataEvent(
                    channel: 0, data: Array(#"{"operationId":"\#(operationID)","status":"assigning"}"#.utf8)),
                EDMEncoder.atRequest(
                    "AT+UDUV=0,$dps/registrations/GET/iotdps-get-operationstatus/?$rid={request_id}&operationId=\(operationID)\r"
                ),
                ok
            ]
            if poll == 0 {
                frames += [
                    EDMEncoder.atRequest(udcpPoll),
                    EDMEncoder.atConfirmation("\r\n+UDCP:4\r\nOK\r\n"),
                    EDMEncoder.connectEvent(EDMConnectEvent(channel: 1, link: dps)),
                    EDMEncoder.atEvent("\r\n+UUDPC:4,2,6,0.0.0.0,0,20.43.44.164,8883\r\n"),
                ]
            }
            frames.append(EDMEncoder.dataCommand(channel: 1, data: Array("get operationstatus".utf8)))
        }
        frames.append(EDMEncoder.dataEvent(channel: 0, data: Array(finalReply(operationID, &rng).utf8)))
        frames += [
            EDMEncoder.atRequest("AT+CPWROFF\r"), ok,
            EDMEncoder.disconnectEvent(channel: 0),
            EDMEncoder.atEvent("\r\n+UUDPD:2,2\r\n"),
            EDMEncoder.disconnectEvent(channel: 1),
            EDMEncoder.atEvent("\r\n+UUDPD:4,2\r\n"),
        ]
        return frames
    }

    /// The last DPS reply: mostly a compact "assigned" (~330 bytes), sometimes an error (~170).
    static func finalReply(_ operationID: String, _ rng: inout SplitMix64) -> String {
        if rng.next() % 8 == 0 {
            return #"{"errorCode":401002,"#
                + #""trackingId":"\#(rng.hex(8))-\#(rng.hex(4))-\#(rng.hex(4))-\#(rng.hex(4))-\#(rng.hex(12))","#
                + #""message":"The device could not be authenticated","#
                + #""timestampUtc":"2022-07-04T08:28:36.154464Z"}"#
        }
        return #"{"operationId":"\#(operationID)","status":"assigned","registrationState":{"registrationId":"ninadps","#
            + #""assignedHub":"leoDPS.azure-devices.net","deviceId":"ninadps","status":"assigned","#
            + #""substatus":"initialAssignment","lastUpdatedDateTimeUtc":"2022-07-04T08:28:36.154464Z"}}"#
    }

    /// 1-8 bytes of noise (never `0xAA`), or a false start: `AA` with reserved bits set, or
    /// `AA 00 01` (length below 2). The decoder reports each as garbage and resynchronises.
    static func junk(_ rng: inout SplitMix64) -> [UInt8] {
        switch rng.next() % 4 {
        case 0: return [0xAA, 0xF0]
        case 1: return [0xAA, 0x00, 0x01]
        default:
            return (0..<(1 + Int(rng.next() % 8))).map { _ in
                let byte = UInt8(truncatingIfNeeded: rng.next())
                return byte == 0xAA ? 0x00 : byte
            }
        }
    }
}
