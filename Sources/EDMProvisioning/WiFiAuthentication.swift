import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender

/// The Wi-Fi authentication of `AT+UWSC` tag 5.
///
/// Any number is accepted: a tool passes on what it was given and a replay sends what the
/// trace holds; the module is the judge of a number it does not list (it answers ERROR).
public enum WiFiAuthentication: Hashable, Sendable {
    case open
    case wpaPSK
    case leap
    case peap
    case eapTLS
    case wpa2wpa3PSK
    case wpa3PSK
    /// A number the module's manual does not list. `init(_:)` never makes one of a listed
    /// number, so equal numbers are equal values.
    case other(Int)

    private static let listed: [WiFiAuthentication] = [.open, .wpaPSK, .leap, .peap, .eapTLS, .wpa2wpa3PSK, .wpa3PSK]

    /// The authentication for tag 5's number: 1 open, 2 WPA/WPA2-PSK, 3 LEAP, 4 PEAP,
    /// 5 EAP-TLS, 6 WPA2/WPA3-PSK, 7 WPA3-PSK.
    public init(_ value: Int) {
        self = Self.listed.first { $0.value == value } ?? .other(value)
    }

    /// The number `AT+UWSC=0,5,<value>` takes.
    public var value: Int {
        switch self {
        case .open: 1
        case .wpaPSK: 2
        case .leap: 3
        case .peap: 4
        case .eapTLS: 5
        case .wpa2wpa3PSK: 6
        case .wpa3PSK: 7
        case .other(let value): value
        }
    }

    /// Whether the station needs a passphrase (`AT+UWSC` tag 8): all but open and EAP-TLS,
    /// which authenticates with certificates.
    public var needsPassphrase: Bool {
        switch Self(value) {
        case .open, .eapTLS: false
        default: true
        }
    }
}
