import EDMBytes
import Testing
import ToolSupport
@testable import azure_dps

/// The `--config` parser on many seeded inputs (libFuzzer cannot link the tool targets, which
/// sit above swift-crypto and TOMLKit): texts made of TOML's and our keys' own pieces, with
/// arbitrary bytes among them. Any text is a config or a `ParseError` that names the file; every
/// setting of a config reads as its option would or names where it is written.
@Suite struct ConfigFuzzTests {
    static let path = "fuzz.toml"
    static let pieces = ConfigFile.knownKeys + ConfigFile.moduleKeys + [
        "id_scope", "bogus", "module", "[[module]]", "[module]", "[x]", "\n", "\n", " = ", "=", " ", "#", "\"", "'",
        "\"\"\"", "'''", "\"lab\"", "'a'", "0", "-1", "3", "2.5", "1e308", "nan", "inf", "-inf", "1e-300",
        "99999999999999999999", "true", "false", "[\"a\"]", "{ a = 1 }", ".", ",", "\\", "\\u00e9", "é", "\u{0}", "\t",
    ]

    @Test func anyTextIsAConfigOrAnErrorNamingTheFile() throws {
        var rng = SplitMix64(seed: 19)
        var parsed = 0, refused = 0
        for _ in 0..<20_000 {
            var text = ""
            for _ in 0..<rng.within(0...16) {
                text += rng.chance(1, in: 10) ? String(decoding: [rng.byte()], as: UTF8.self)
                                              : Self.pieces[rng.below(Self.pieces.count)]
            }
            do throws(ConfigFile.ParseError) {
                let config = try ConfigFile(path: Self.path, text: text)
                parsed += 1
                Self.readEverySetting(of: config, text)
            } catch {
                refused += 1
                #expect(error.message.hasPrefix(Self.path), "\(text.debugDescription): \(error.message)")
            }
        }
        // Both sides of the parser were reached, not only its first error.
        #expect(parsed > 1_000 && refused > 1_000, "parsed \(parsed), refused \(refused)")
    }

    /// A setting of the wrong kind is refused with the place it is written; one of the right
    /// kind reads back. `timeout`'s bounds stand for every number's.
    static func readEverySetting(of config: ConfigFile, _ text: String) {
        func expectRefusal(naming key: String, _ read: () throws(ConfigFile.ParseError) -> Void) {
            do throws(ConfigFile.ParseError) { try read() } catch {
                #expect(error.message.hasPrefix(path) && error.message.contains(key),
                        "\(text.debugDescription): \(error.message)")
            }
        }
        for key in ConfigFile.knownKeys {
            expectRefusal(naming: key) { () throws(ConfigFile.ParseError) in _ = try config.string(key) }
            expectRefusal(naming: key) { () throws(ConfigFile.ParseError) in _ = try config.bool(key) }
        }
        expectRefusal(naming: "timeout") { () throws(ConfigFile.ParseError) in
            _ = try config.number("timeout", Bounds.timeout)
        }
        for i in config.modules.indices {
            for key in ConfigFile.moduleKeys {
                expectRefusal(naming: key) { () throws(ConfigFile.ParseError) in _ = try config.moduleString(i, key) }
            }
        }
    }
}
