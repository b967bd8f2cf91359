import EDMBytes

/// The typed body of a connect event (payload id `0x0011`).
///
/// Layout (offsets from the channel byte): channel, connect type, then a type-specific part:
/// Bluetooth (profile, 6-byte address MSB first, frame size), IPv4 and IPv6 (protocol,
/// remote address and port, local address and port). All integers are big-endian.
public struct EDMConnectEvent: Hashable, Sendable {
    /// The connection a connect event reports: Bluetooth, IPv4 or IPv6.
    public enum Link: Hashable, Sendable {
        case bluetooth(profile: UInt8, address: [UInt8], frameSize: UInt16)
        case ipv4(protocol: UInt8, remote: [UInt8], remotePort: UInt16, local: [UInt8], localPort: UInt16)
        case ipv6(protocol: UInt8, remote: [UInt8], remotePort: UInt16, local: [UInt8], localPort: UInt16)
    }

    public var channel: UInt8
    public var link: Link

    public init(channel: UInt8, link: Link) {
        self.channel = channel
        self.link = link
    }

    /// Parses a connect-event body (after the payload id); nil when its size does not fit its type.
    public init?(body: ArraySlice<UInt8>) {
        guard body.count >= 2 else { return nil }
        let b = Array(body)
        func u16(_ i: Int) -> UInt16 { UInt16(b[i]) << 8 | UInt16(b[i + 1]) }
        channel = b[0]
        switch (b[1], b.count) {
        case (1, 11):
            link = .bluetooth(profile: b[2], address: Array(b[3..<9]), frameSize: u16(9))
        case (2, 15):
            link = .ipv4(protocol: b[2], remote: Array(b[3..<7]), remotePort: u16(7), local: Array(b[9..<13]),
                localPort: u16(13))
        case (3, 39):
            link = .ipv6(protocol: b[2], remote: Array(b[3..<19]), remotePort: u16(19), local: Array(b[21..<37]),
                localPort: u16(37))
        default:
            return nil
        }
    }

    /// The body bytes (channel onwards), as the encoder writes them.
    public var body: [UInt8] {
        func be(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
        switch link {
        case .bluetooth(let profile, let address, let frameSize):
            return [channel, 1, profile] + address + be(frameSize)
        case .ipv4(let proto, let remote, let rport, let local, let lport):
            return [channel, 2, proto] + remote + be(rport) + local + be(lport)
        case .ipv6(let proto, let remote, let rport, let local, let lport):
            return [channel, 3, proto] + remote + be(rport) + local + be(lport)
        }
    }

    /// `Bluetooth SPS 11BB33445566, frame size 358`, `IPv4 TCP remote 192.168.0.2:5000 local 192.168.0.1:4000`.
    public var summary: String {
        switch link {
        case .bluetooth(let profile, let address, let frameSize):
            let name = [0: "SPP", 1: "DUN", 14: "SPS"][Int(profile)] ?? "profile \(profile)"
            return "Bluetooth \(name) \(hexString(address)), frame size \(frameSize)"
        case .ipv4(let proto, let remote, let rport, let local, let lport):
            return "IPv4 \(Self.protocolName(proto)) remote \(remote.map(String.init).joined(separator: ".")):\(rport) "
                + "local \(local.map(String.init).joined(separator: ".")):\(lport)"
        case .ipv6(let proto, let remote, let rport, let local, let lport):
            return "IPv6 \(Self.protocolName(proto)) remote [\(Self.ipv6Text(remote))]:\(rport) "
                + "local [\(Self.ipv6Text(local))]:\(lport)"
        }
    }

    /// A protocol value EDM does not use, which importers write when they rebuild a connect
    /// event their capture does not give the protocol of: 0 would read as TCP.
    public static let unknownProtocol: UInt8 = 0xFF

    /// 0 TCP, 1 UDP, 2 MQTT (EDM's numbering; `+UUDPC` says 6 for MQTT); `unknown` for
    /// `unknownProtocol`.
    public static func protocolName(_ value: UInt8) -> String {
        if value == unknownProtocol { return "unknown" }
        return ["TCP", "UDP", "MQTT"].indices.contains(Int(value)) ? ["TCP", "UDP",
            "MQTT"][Int(value)] : "protocol \(value)"
    }

    /// RFC 5952 text: lower-case groups, the longest run of zero groups (two or more) as `::`.
    package static func ipv6Text(_ bytes: [UInt8]) -> String {
        let groups = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
        var best = (start: -1, count: 0), run = (start: -1, count: 0)
        for (i, g) in groups.enumerated() {
            if g == 0 {
                run = run.start < 0 ? (i, 1) : (run.start, run.count + 1)
                if run.count > best.count { best = run }
            } else {
                run = (-1, 0)
            }
        }
        let text = groups.map { String($0, radix: 16) }
        guard best.count >= 2 else { return text.joined(separator: ":") }
        let head = text[..<best.start].joined(separator: ":")
        let tail = text[(best.start + best.count)...].joined(separator: ":")
        return head + "::" + tail
    }
}

