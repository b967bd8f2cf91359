import EDMKit
import EDMKitIO
import Foundation

/// A second host, not our machine: it follows the reference log's flow as its printed lines
/// show (factory reset and reboot, three uploads in command mode, `ATO2`, the Wi-Fi and MQTT
/// requests by frame, two peers, polling), and waits only for what any host must wait for:
/// `+STARTUP` after each reboot, the `>` prompt, each command's final result, the events.
struct ReferenceFlowHost {
    var registrationID = "ninadps"
    var idScope = "0ne0067E45C"
    var ssid = "SSID"
    var passphrase = "PASSWORD"
    /// The log's names and sizes; the bodies are elided there, so any bytes of that size do.
    var credentials: [(type: Int, name: String, bytes: [UInt8])] = [
        (0, "ca.pem", Self.pem(1261)), (1, "cert.pem", Self.pem(1224)), (2, "key.pem", Self.pem(1704)),
    ]
    /// Every wait gives up after this long (the link's time).
    var timeout: Duration = .seconds(20)

    struct Failure: Error, CustomStringConvertible { var description: String }

    static func pem(_ size: Int) -> [UInt8] {
        let head = Array("-----BEGIN CERTIFICATE-----\n".utf8)
        let tail = Array("-----END CERTIFICATE-----\n".utf8)
        return head
            + (0..<(size - head.count - tail.count)).map { i in i % 65 == 64 ? 0x0A : UInt8(ascii: "A") + UInt8(i % 26)
            } + tail
    }

    /// Provisions through `link`; returns DPS's final body.
    func run<Link: HostLink>(_ link: inout Link) throws -> String {
        func command(_ text: String) throws {
            try link.send(Array((text + "\r").utf8))
            try link.wait("OK to \(text)", timeout) { $0.kind == .at(.final) && $0.text == "OK" }
        }
        func request(_ text: String, until reply: String = "OK") throws -> SessionUnit {
            try link.send(EDMEncoder.atRequest(text + "\r"))
            return try link.wait("\(reply) to \(text)", timeout) {
                $0.frame?.payloadID == .atConfirmation && $0.text?.contains(reply) == true
            }
        }
        func event(_ text: String, wait: Duration) throws {
            try link.wait(text, wait) { $0.frame?.payloadID == .atEvent && $0.text?.contains(text) == true }
        }
        func connected() throws -> UInt8 {
            let unit = try link.wait("connect event", timeout) { $0.frame?.payloadID == .connectEvent }
            try event("+UUDPC:", wait: timeout)
            return unit.frame?.connectEvent?.channel ?? 0
        }
        func dps(_ channel: UInt8, _ body: String) throws -> JSONValue {
            try link.send(EDMEncoder.dataCommand(channel: channel, data: Array(body.utf8)))
            let unit = try link.wait("DPS answer", timeout) { $0.frame?.payloadID == .dataEvent }
            guard let data = unit.frame?.data, let json = JSONValue(parsing: data) else {
                throw Failure(description: "DPS answer not JSON")
            }
            return json
        }

        try command("AT+UFACTORY")
        try command("AT+CPWROFF")
        try link.wait("+STARTUP", timeout) { $0.text?.contains("+STARTUP") == true }
        for c in credentials {
            try link.send(Array("AT+USECMNG=0,\(c.type),\(c.name),\(c.bytes.count)\r".utf8))
            try link.wait("> for \(c.name)", timeout) { $0.kind == .at(.prompt) }
            try link.send(c.bytes)
            try link.wait("OK to the upload of \(c.name)", timeout) { $0.kind == .at(.final) && $0.text == "OK" }
        }
        try command("ATO2")
        try link.pause(.milliseconds(100))
        _ = try request("AT+UWSC=0,2,\(ssid)")
        _ = try request("AT+UWSC=0,5,2")
        _ = try request("AT+UWSC=0,8,\(passphrase)")
        _ = try request("AT+UWSCA=0,3")
        try event("+UUNU:0", wait: .seconds(30))
        let peer =
            "mqtt://global.azure-devices-provisioning.net:8883/?client=\(registrationID)&user=\(idScope)/registrations/\(registrationID)/api-version=2019-03-31"
        let credentialNames =
            "&encr=3&keepAlive=60&ca=\(credentials[0].name)&cert=\(credentials[1].name)&privKey=\(credentials[2].name)"
        _ = try request(
            "AT+UDCP=\(peer)&pt=$dps/registrations/PUT/iotdps-register/?$rid={request_id}&st=$dps/registrations/res/#"
                + credentialNames, until: "+UDCP:")
        let registerChannel = try connected()
        let registered = try dps(registerChannel, #"{"payload":"","registrationId":"\#(registrationID)"}"#)
        guard let operation = registered["operationId"]?.string else {
            throw Failure(description: "no operation id: \(registered.serialized)")
        }
        _ = try request(
            "AT+UDUV=0,$dps/registrations/GET/iotdps-get-operationstatus/?$rid={request_id}&operationId=\(operation)")
        _ = try request("AT+UDCP=\(peer)&pt=%%0" + credentialNames, until: "+UDCP:")
        let pollChannel = try connected()
        for _ in 0..<10 {
            let answer = try dps(pollChannel, "get operationstatus")
            if answer["status"]?.string != "assigning" {
                _ = try request("AT+CPWROFF")
                return answer.serialized
            }
            try link.pause(.seconds(2))
        }
        throw Failure(description: "still assigning after 10 polls")
    }
}

/// How the host reaches a module: what it sends, and the module's units it waits for.
protocol HostLink {
    mutating func send(_ bytes: [UInt8]) throws
    /// The first module unit not yet waited past that satisfies `match`.
    @discardableResult
    mutating func wait(_ what: String, _ timeout: Duration, _ match: (SessionUnit) -> Bool) throws -> SessionUnit
    mutating func pause(_ duration: Duration) throws
}

/// The module's bytes decoded as they come, both directions fed so modes follow.
struct UnitQueue {
    var decoder = SessionDecoder()
    var pending: [SessionUnit] = []

    mutating func host(_ bytes: [UInt8], at time: Duration) {
        decoder.receive(time: time, direction: .host, bytes: bytes[...])
        drain()
    }
    mutating func module(_ bytes: [UInt8], at time: Duration) {
        decoder.receive(time: time, direction: .module, bytes: bytes[...])
        drain()
    }
    private mutating func drain() {
        while let unit = decoder.next() { if unit.direction == .module { pending.append(unit) } }
    }

    mutating func take(_ match: (SessionUnit) -> Bool) -> SessionUnit? {
        guard let i = pending.firstIndex(where: match) else { return nil }
        let unit = pending[i]
        pending.removeFirst(i + 1)
        return unit
    }
}

/// A model in simulated time: waiting jumps to the model's next output.
struct ModelLink<Model: ModuleModel>: HostLink {
    var model: Model
    var now: Duration = .zero
    var queue = UnitQueue()

    mutating func send(_ bytes: [UInt8]) throws {
        queue.host(bytes, at: now)
        model.receive(bytes[...], now: now)
    }

    mutating func wait(_ what: String, _ timeout: Duration, _ match: (SessionUnit) -> Bool) throws -> SessionUnit {
        let deadline = now + timeout
        while true {
            if let unit = queue.take(match) { return unit }
            guard let next = model.nextOutputTime, next <= deadline else {
                throw ReferenceFlowHost.Failure(description: "no \(what) within \(timeout) (model time \(now))")
            }
            now = max(now, next)
            for (time, bytes) in model.takeOutput(until: now) { queue.module(bytes, at: time) }
        }
    }

    mutating func pause(_ duration: Duration) throws {
        now += duration
        for (time, bytes) in model.takeOutput(until: now) { queue.module(bytes, at: time) }
    }
}

/// A real port (the pty `edm-replay serve` made), in real time.
struct PortLink: HostLink {
    let port: SerialPort
    let clock = ContinuousClock()
    let start = ContinuousClock.now
    var queue = UnitQueue()

    init(path: String) throws { port = try SerialPort.open(path, hardwareFlowControl: false) }

    private var now: Duration { clock.now - start }

    mutating func send(_ bytes: [UInt8]) throws {
        queue.host(bytes, at: now)
        _ = try port.write(bytes, until: clock.now + .seconds(2))
    }

    mutating func wait(_ what: String, _ timeout: Duration, _ match: (SessionUnit) -> Bool) throws -> SessionUnit {
        let deadline = clock.now + timeout
        while true {
            if let unit = queue.take(match) { return unit }
            switch try port.read(until: deadline) {
            case .bytes(let bytes): queue.module(bytes, at: now)
            default: throw ReferenceFlowHost.Failure(description: "no \(what) within \(timeout)")
            }
        }
    }

    mutating func pause(_ duration: Duration) throws {
        let until = clock.now + duration
        while clock.now < until {
            if case .bytes(let bytes) = try port.read(until: until) { queue.module(bytes, at: now) }
        }
    }
}
