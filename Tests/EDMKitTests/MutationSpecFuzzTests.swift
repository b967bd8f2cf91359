import Testing
@testable import EDMKit

/// The fault-spec parser on many seeded inputs (libFuzzer cannot link EDMReplay, which sits
/// above swift-crypto: Fuzz/EDMFuzz/FuzzEntry.swift): texts made of the grammar's own pieces
/// and arbitrary bytes. Any text is a spec or a named `ParseError`, and a spec's canonical
/// spelling parses back to the same spec.
@Suite struct MutationSpecFuzzTests {
    static let pieces = MutationSpec.Fault.allCases.map(\.rawValue) + [
        "default", "all", "none", "=", ":", ",", " ", "0", "1", "0.5", "1e-300", "-1", "nan", "inf", "2",
        "200ms", "1.5s", "250us", "0ms", "4096", "429001", "1e308", "ms", "s", "=0.1", ":3", "\u{0}", "é",
    ]

    @Test func anyTextIsASpecOrANamedError() throws {
        var rng = SplitMix64(seed: 16)
        var parsed = 0
        for _ in 0..<50_000 {
            var text = ""
            for _ in 0..<rng.within(0...12) {
                text +=
                    rng.chance(1, in: 8)
                    ? String(decoding: [rng.byte()], as: UTF8.self)
                    : Self.pieces[rng.within(0...(Self.pieces.count - 1))]
            }
            do {
                let spec = try MutationSpec(parsing: text)
                parsed += 1
                let again = try MutationSpec(parsing: spec.description)
                #expect(again == spec, "\(text): \(spec) reads back as \(again)")
            } catch {
                #expect(!error.reason.isEmpty, "\(text)")
            }
        }
        // The generator reaches valid specs too, not only errors.
        #expect(parsed > 200, "\(parsed)")
    }
}
