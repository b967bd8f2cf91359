import Foundation
import Testing

/// `--config` is TOML: what TOML allows works, mistakes name the file and line, the command
/// line wins.
@Suite struct ConfigFileTests {
    static func config(_ text: String) throws -> String {
        try Tool.temporaryFile("config-\(UUID().uuidString).toml", Data(text.utf8))
    }

    /// Literal and multi-line strings, comments after values, the `_` alias: all read; the
    /// recording shows the settings reached the module, and the command line's SSID won.
    @Test func tomlIsReadAsTOML() throws {
        let dir = try Tool.temporaryDirectory("toml")
        let path = try Self.config("""
            # bench 3
            id_scope = '0ne00FROMF1'     # a literal string
            ssid = "from-file"
            payload = '{"modelId":"dtmi:x;1"}'
            dps-host = \"\"\"
            sim.example\"\"\"
            poll-interval = 2.5
            factory-reset = true

            """)
        let r = try Tool.run("azure-dps", ["--simulate", "--offline", "--config", path, "--ssid", "from-cli",
                                           "--record", "\(dir)/run.pcapng"])
        #expect(r.status == 0, "\(r.stderr)")
        let decoded = try Tool.run("edm-decode", ["\(dir)/run.pcapng", "-f", "json", "--no-redact"])
        for text in ["user=0ne00FROMF1/registrations", "AT+UWSC=0,2,from-cli", "sim.example", "dtmi:x;1"] {
            #expect(decoded.stdout.contains(text), "\(text) not in the recording")
        }
        #expect(!decoded.stdout.contains("from-file"))
    }

    /// Each mistake is a usage error that names file and line.
    @Test(arguments: [
        ("ssid = \"lab\ntimeout = 3\n", ":1: unterminated string"),
        ("# x\nssid = \"lab", ":2: unterminated string"),
        ("ssid = \"a\"\nssid = \"b\"\n", ":2: "),
        ("ssid = \n", ":1: "),
        ("id-scope = \"a\"\nid_scope = \"b\"\n", ":2: id-scope is given twice"),
        ("ssid = 3\n", ":1: ssid must be a quoted string"),
        ("factory-reset = \"yes\"\n", ":1: factory-reset must be true or false"),
        ("ssid = [\"a\"]\n", ":1: the value of ssid must be"),
        ("[module]\nport = \"x\"\n", ":1: modules are [[module]] tables"),
        ("[[module]]\nport = \"x\"\nbaud = 9600\n", ":3: unknown setting \"baud\" in [[module]]"),
        // toml++ asserts on these (a debug build aborts): refused before it reads them.
        ("[é]\n", ":1: a table header starts with a name"),
        ("ssid = \"a\"\n[[ {]]\n", ":2: a table header starts with a name"),
        ("[[[module]]]\n", ":1: a table header starts with a name"),
        ("[\nssid = \"a\"\n", ":1: a table header starts with a name"),
    ])
    func mistakesNameTheLine(_ text: String, _ says: String) throws {
        let path = try Self.config(text)
        let r = try Tool.run("azure-dps", ["--simulate", "--offline", "--no-record", "--config", path])
        #expect(r.status == 64, "\(text): \(r.stderr)")
        #expect(r.stderr.contains(path + says), "\(text): \(r.stderr)")
    }
}
