import EDMBytes
import EDMFrames
import EDMAT

/// One piece of a decoded session: an EDM frame, a command-mode AT unit, or raw bytes.
///
/// Units cover their direction's stream without gaps or overlaps: concatenating the bytes
/// of every unit of one direction gives back that direction's bytes exactly.
public struct SessionUnit: Hashable, Sendable {
    /// What the unit is: an EDM frame, a command-mode line, or raw bytes.
    public enum Kind: Hashable, Sendable {
        case frame(EDMFrame)
        case at(ATUnitType)
        case raw(RawUnitType)
    }

    /// Command-mode text units (JSON `layer` "at").
    public enum ATUnitType: String, Hashable, Sendable, CaseIterable {
        /// A command line the host sent.
        case command
        /// The module repeating a command line (echo on).
        case echo
        /// An information line answering the pending command (`+UDCP:2`).
        case response
        /// `OK`, `ERROR`, `+CME ERROR: n`.
        case final
        /// An unsolicited result code (`+UUWLE:…`, `+STARTUP`).
        case urc
        /// The `>` that asks for a credential's raw bytes.
        case prompt
    }

    /// Bytes that are neither frames nor AT text (JSON `layer` "raw").
    public enum RawUnitType: String, Hashable, Sendable, CaseIterable {
        /// Bytes skipped in EDM while looking for a frame.
        case garbage
        /// A credential's raw bytes after the `>` prompt (exactly the announced size).
        case payload
        /// Text or bytes in command mode that are not AT (boot noise).
        case noise
    }

    /// Position in the session, counting from 0 in the order units were completed.
    public var index: Int
    /// When the unit's last byte arrived.
    public var time: Duration
    public var direction: Direction?
    /// Offset of the unit's first byte in its direction's stream.
    public var offset: Int
    /// The unit's bytes as on the wire.
    public var bytes: ArraySlice<UInt8>
    public var kind: Kind
    /// What is wrong with the bytes, for garbage, truncated or unexpected units.
    public var diagnostic: EDMDiagnostic?
    /// On a final result (plain or in an AT confirmation): the request it answers.
    public var reply: Reply?
    /// The EDM channel and AT peer handle this unit concerns, once they are known to belong together.
    public var link: Link?
    /// On a credential's raw payload: which credential the import command announced.
    public var credential: Credential?

    public init(
        index: Int, time: Duration, direction: Direction?, offset: Int, bytes: ArraySlice<UInt8>, kind: Kind,
        diagnostic: EDMDiagnostic? = nil, reply: Reply? = nil, link: Link? = nil, credential: Credential? = nil
    ) {
        self.index = index
        self.time = time
        self.direction = direction
        self.offset = offset
        self.bytes = bytes
        self.kind = kind
        self.diagnostic = diagnostic
        self.reply = reply
        self.link = link
        self.credential = credential
    }

    /// The request a final result answers, and how long the answer took.
    public struct Reply: Hashable, Sendable {
        /// `index` of the request unit.
        public var request: Int
        public var latency: Duration
        /// An `ERROR` to `AT+USECMNG=4,…` (read a credential's MD5): the credential is not
        /// stored yet, as on every fresh module, not a failure.
        public var notStoredYet: Bool
        public init(request: Int, latency: Duration, notStoredYet: Bool = false) {
            self.request = request
            self.latency = latency
            self.notStoredYet = notStoredYet
        }
    }

    /// The credential an `AT+USECMNG` import announced.
    public struct Credential: Hashable, Sendable {
        /// 0 root CA, 1 client certificate, 2 client private key.
        public var type: Int
        public var name: String
        public init(type: Int, name: String) { self.type = type; self.name = name }
    }

    /// An EDM channel and the AT peer handle bound to it, as far as they are known.
    public struct Link: Hashable, Sendable {
        public var channel: UInt8?
        public var peer: Int?
        public init(channel: UInt8?, peer: Int?) { self.channel = channel; self.peer = peer }
    }

    public var layer: String {
        switch kind {
        case .frame: "edm"
        case .at: "at"
        case .raw: "raw"
        }
    }

    /// The JSON `type`: the frame's id name, the AT unit type, or the raw type.
    public var type: String {
        switch kind {
        case .frame(let frame): frame.payloadID.jsonName
        case .at(let type): type.rawValue
        case .raw(let type): type.rawValue
        }
    }

    public var frame: EDMFrame? {
        if case .frame(let frame) = kind { return frame }
        return nil
    }

    /// The AT text of the unit without surrounding CR/LF: a command-mode line, or the body
    /// of an AT request, confirmation or event (inner line breaks kept).
    public var text: String? { textBytes.map { String(decoding: $0, as: UTF8.self) } }

    /// `text`'s bytes, without decoding them.
    public var textBytes: ArraySlice<UInt8>? {
        switch kind {
        case .at: trimmingLineBreaks(bytes)
        case .frame(let frame): frame.atText.map(trimmingLineBreaks)
        case .raw: nil
        }
    }
}

extension SessionUnit.Kind {
    /// One kind per distinct `type` (JSON) in a fixed order: AT types, raw types, then frames by
    /// id, every id outside `EDMPayloadID.known` standing as one (a frame of id 0). Renderers
    /// index tables and keys with `typeIndex`.
    package static let distinctTypes: [SessionUnit.Kind] =
        SessionUnit.ATUnitType.allCases.map { .at($0) } + SessionUnit.RawUnitType.allCases.map { .raw($0) }
        + (EDMPayloadID.known + [EDMPayloadID(rawValue: 0)]).map { id in
            .frame(EDMFrame(unchecked: [0xAA, 0x00, 0x02, UInt8(id.rawValue >> 8), UInt8(id.rawValue & 0xFF),
                0x55][...]))
        }

    private static let atCount = SessionUnit.ATUnitType.allCases.count
    private static let rawCount = SessionUnit.RawUnitType.allCases.count

    /// The position in `distinctTypes` of the kind of this type.
    package var typeIndex: Int {
        switch self {
        case .at(let type):
            switch type {
            case .command: 0
            case .echo: 1
            case .response: 2
            case .final: 3
            case .urc: 4
            case .prompt: 5
            }
        case .raw(let type):
            switch type {
            case .garbage: Self.atCount
            case .payload: Self.atCount + 1
            case .noise: Self.atCount + 2
            }
        case .frame(let frame):
            Self.atCount + Self.rawCount
                + (EDMPayloadID.known.firstIndex(of: frame.payloadID) ?? EDMPayloadID.known.count)
        }
    }
}


extension SessionUnit {
    /// The Wireshark dissector that decodes this unit in our pcap files (docs/captures.md).
    public var dissector: String {
        switch kind {
        case .frame: "ucx_edm"
        case .at: "ucx_at"
        case .raw: "ucx_raw"
        }
    }
}
