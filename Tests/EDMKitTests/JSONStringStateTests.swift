import Testing
@testable import EDMKit
import EDMTrace

/// The JSON walkers that cut and skip without parsing count brackets only outside strings:
/// brackets, quotes and backslashes inside strings must not move them.
@Suite struct JSONStringStateTests {
    /// Strings whose text holds every character that could mislead a bracket counter.
    static let awkward = [#""}""#, #""]""#, #""{[""#, #""\"}""#, #""\\""#, #""\\\"]""#, #""a\\\\""#, #""""#]

    @Test(arguments: awkward)
    func aStringIsOneStretchWhateverItHolds(_ literal: String) {
        // Before and after it, brackets outside any string; each byte of it is in the string.
        let bytes = Array(("[" + literal + "]").utf8)
        var state = JSONStringState()
        let inside = bytes.map { state.take($0) }
        #expect(inside == [false] + Array(repeating: true, count: bytes.count - 2) + [false], "\(literal)")
        #expect(!state.inString)
    }

    @Test func sigrokEventsWithAwkwardStringsGiveTheSameBytes() throws {
        let session = Array(Session.records.prefix(6))
        let plain = Render.sigrok(session)
        // Every event gains a member the importer does not read: an object and an array whose
        // strings hold brackets, quotes and backslashes, which the scanner and the field
        // reader both have to step over.
        let extra = #""args": {"a": \#(Self.awkward.joined(separator: ", \"b\": ")), "list": [\#(Self.awkward.joined(separator: ", "))]}, "ph": "#
        let text = String(decoding: plain, as: UTF8.self).replacingOccurrences(of: #""ph": "#, with: extra)
        #expect(text.contains(#""}""#))
        var reference = SigrokJSONTraceImporter()
        let expected = try reference.importAll(plain)
        #expect(!expected.isEmpty)
        for sizes in [[1], [2, 7], [13, 1, 250], [Int.max / 2]] {
            var importer = SigrokJSONTraceImporter()
            #expect(try importer.importChunked(Array(text.utf8), sizes: sizes) == expected, "chunk sizes \(sizes)")
        }
    }
}
