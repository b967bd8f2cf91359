import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis

/// `UpperPDU`, the header of every packet our pcap and pcapng hold: parsing arbitrary bytes
/// throws or succeeds, never traps; a header built for a dissector and direction, followed by
/// any payload, parses back to them; the enhanced packet block around it has consistent lengths.
func checkUpperPDU(_ input: [UInt8]) {
    _ = try? UpperPDU.parse(input[...])
    guard let control = input.first else { return }
    let name = [UpperPDU.Dissector.edm, UpperPDU.Dissector.at, UpperPDU.Dissector.raw][Int(control % 3)]
    let direction: Direction? = [nil, .host, .module][Int(control / 3 % 3)]
    let payload = Array(input.dropFirst())
    let packet = UpperPDU.header(dissector: name, direction: direction) + payload
    guard let parsed = try? UpperPDU.parse(packet[...]) else {
        preconditionFailure("our own UpperPDU header does not parse")
    }
    precondition(
        parsed.dissector == name && parsed.direction == direction && Array(parsed.payload) == payload,
        "UpperPDU round trip changed the packet")
    let comment = String(decoding: payload.prefix(Int(control % 32)), as: UTF8.self)
    let block = PcapngEncoder.enhancedPacket(
        unixNanoseconds: Int64(control) * 1_000, data: packet,
        flags: PcapngEncoder.packetFlags(direction: direction), comment: comment)
    func le32(_ at: Int) -> Int {
        Int(block[at]) | Int(block[at + 1]) << 8 | Int(block[at + 2]) << 16 | Int(block[at + 3]) << 24
    }
    precondition(
        block.count % 4 == 0 && le32(4) == block.count && le32(block.count - 4) == block.count,
        "enhanced packet block lengths disagree")
    precondition(
        le32(20) == packet.count && Array(block[28..<(28 + packet.count)]) == packet,
        "enhanced packet block does not hold the packet")
}

/// The JSON scanner (EDMBytes), through both its users: `JSONValue(parsing:)` and the
/// member walk of `DPSResponse`, which must accept only what the tree parser accepts.
func checkJSON(_ input: [UInt8]) {
    let value = JSONValue(parsing: input)
    if DPSResponse(payload: input) != nil {
        guard case .object? = value else { preconditionFailure("DPSResponse read a body JSONValue refuses") }
    }
}

/// The AT line parser and what the catalog makes of a line: no input traps.
func checkATLine(_ input: [UInt8]) {
    let line = ATCommandLine(bytes: input)
    _ = ATCatalog.fields(of: line)
    _ = ATCatalog.entry(named: line.name)
}
