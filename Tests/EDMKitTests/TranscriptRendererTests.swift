import Testing
@testable import EDMKit

@Suite struct TranscriptRendererTests {
    private var units: [SessionUnit] {
        var decoder = SessionDecoder()
        for record in Session.records { decoder.receive(record) }
        decoder.finish()
        return Array(sequence(state: decoder) { $0.next() })
    }

    /// What a unit says is worked out once per text or frame and remembered: a remembered line
    /// must read exactly as one worked out from scratch, in colour or not.
    @Test(arguments: [false, true])
    func rememberedLinesReadAsFreshOnes(color: Bool) {
        let units = self.units
        #expect(units.count > 50)
        var remembering = TranscriptRenderer(color: color)
        for _ in 0..<2 { for unit in units { _ = remembering.line(for: unit) } } // (kept the second time)
        for unit in units {
            var fresh = TranscriptRenderer(color: color)
            #expect(remembering.line(for: unit) == fresh.line(for: unit))
        }
    }

    /// The same text as another type of unit (a command and its echo), or a data frame of
    /// another peer, is not mistaken for the remembered one.
    @Test func typeAndPeerAreTakenIntoAccount() {
        let bytes = Array("AT+CPWROFF\r".utf8)[...]
        var renderer = TranscriptRenderer()
        // (Each first one twice: a unit is kept the second time it comes.)
        _ = renderer.line(
            for: SessionUnit(index: 0, time: .zero, direction: .host, offset: 0, bytes: bytes, kind: .at(.command)))
        let command = renderer.line(
            for: SessionUnit(index: 0, time: .zero, direction: .host, offset: 0, bytes: bytes, kind: .at(.command)))
        let echo = renderer.line(
            for: SessionUnit(index: 1, time: .zero, direction: .module, offset: 0, bytes: bytes, kind: .at(.echo)))
        #expect(
            command.contains("at command AT+CPWROFF") && echo.contains("at echo AT+CPWROFF"), "\(command) / \(echo)")

        let frame = try! EDMFrame(validating: EDMEncoder.dataEvent(channel: 0, data: Array("hi".utf8))[...])
        func data(peer: Int) -> String {
            var unit = SessionUnit(
                index: 2, time: .zero, direction: .module, offset: 0, bytes: frame.bytes, kind: .frame(frame))
            unit.link = SessionUnit.Link(channel: 0, peer: peer)
            return renderer.line(for: unit)
        }
        _ = data(peer: 2)
        #expect(data(peer: 2).contains("(peer 2)") && data(peer: 4).contains("(peer 4)"))
    }

    /// Times: seconds with three decimals (milliseconds, truncated toward zero), right-aligned.
    @Test func timesAreSecondsWithMilliseconds() {
        var values: [Duration] = [
            .zero, .milliseconds(1), .milliseconds(999), .seconds(14) + .milliseconds(76),
            .milliseconds(-1), .milliseconds(-12_345), .seconds(123_456_789), .microseconds(1_999)
        ]
        var random = SplitMix64(seed: 7)
        for _ in 0..<500 { values.append(.microseconds(Int64(bitPattern: random.next()) % 10_000_000_000_000)) }
        for d in values {
            let us = d / .microseconds(1)  // (a Double)
            let ms = Int64(us / 1000)  // truncated toward zero
            let text =
                (ms < 0 ? "-" : "") + "\(ms.magnitude / 1000)." + String(String(1000 + ms.magnitude % 1000).dropFirst())
            #expect(seconds(d) == text, "\(d)")
            var out = OutputBuffer()
            appendSeconds(d, width: 10, to: &out)
            #expect(
                String(decoding: out.array, as: UTF8.self) == String(repeating: " ", count: max(0, 10 - text.count))
                    + text)
        }
    }
}
