/// The names behind the catalog's explanations, as data: `ATCatalog.explain` reads them, and
/// the Wireshark dissector's tables are generated from them (`DissectorTables`), so the two
/// cannot name a code differently. Each table is an Array in code order: anything built from
/// it comes out the same on every run.
extension ATCatalog {
    /// `AT+UWSC` tags and what they set.
    public static let stationTags: [(tag: Int, name: String)] = [
        (0, "active on startup"), (2, "SSID"), (5, "authentication"), (6, "WEP keys"),
        (7, "active WEP key"), (8, "passphrase"), (9, "password"), (10, "user name"),
        (11, "domain"), (12, "client certificate"), (13, "client key"), (14, "CA certificate"),
        (15, "CA validation"), (100, "IPv4 mode"), (101, "IPv4 address"), (102, "subnet mask"),
        (103, "gateway"), (104, "primary DNS"), (105, "secondary DNS"), (300, "listen interval"),
        (301, "DTIM"),
    ]

    /// The `AT+UWSC` tags whose value is a number or an address, shown without quotes.
    public static let unquotedStationTags: [Int] = [7, 101, 102, 103, 104, 105, 300, 301]

    /// `AT+UWSC=<config>,5,<n>`: the authentication types, from 1.
    public static let authenticationTypes: [(code: Int, name: String)] = [
        (1, "open"), (2, "WPA/WPA2-PSK"), (3, "LEAP"), (4, "PEAP"), (5, "EAP-TLS"),
        (6, "WPA2/WPA3-PSK"), (7, "WPA3-PSK"),
    ]

    /// `AT+UWSCA=<config>,<action>`.
    public static let stationActions: [(code: Int, name: String)] = [
        (0, "reset to defaults"), (1, "store"), (2, "load"), (3, "activate (connect)"),
        (4, "deactivate (disconnect)"),
    ]

    /// `+UUWLD:<connection>,<reason>`.
    public static let linkDownReasons: [(code: Int, name: String)] = [
        (0, "unknown reason"), (1, "the access point closed the link"),
        (2, "out of range, check the access point is on and near"), (3, "roaming to another access point"),
        (4, "security problem, check the passphrase"), (5, "network disabled"),
    ]

    /// `AT+USECMNG` credential types.
    public static let credentialTypes: [(code: Int, name: String)] = [
        (0, "root CA"), (1, "client certificate"), (2, "client private key"),
    ]

    /// `+UUDPC` protocol codes of IP peers (not EDM's: MQTT is 6 here).
    public static let peerProtocols: [(code: Int, name: String)] = [(0, "TCP"), (1, "UDP"), (6, "MQTT")]

    /// `+UUDPC` profile codes of Bluetooth peers.
    public static let peerProfiles: [(code: Int, name: String)] = [(1, "SPP"), (2, "DUN"), (4, "SPS")]

    /// The name of `code` in one of the tables above.
    static func name(_ code: Int, in table: [(code: Int, name: String)]) -> String? {
        table.first { $0.code == code }?.name
    }
}
