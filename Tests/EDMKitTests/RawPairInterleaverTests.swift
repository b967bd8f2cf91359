import Testing
@testable import EDMKit

/// The interleaver tries chunks of a side's bytes on a copy of its decoder. Its turns must end
/// exactly where feeding a byte at a time ends them (its first version, kept here as the oracle),
/// however the sources hand their bytes over.
@Suite struct RawPairInterleaverTests {
    /// The first version: a byte at a time until the speaker completes a unit that hands over.
    static func byteAtATime(host: [UInt8], module: [UInt8]) -> [TraceRecord] {
        var buffers = [host[...], module[...]]
        var decoder = SessionDecoder()
        var speaker = Direction.host, turn = 0, continuing = false
        var out: [TraceRecord] = []
        func slot(_ d: Direction) -> Int { d == .host ? 0 : 1 }
        while true {
            if continuing, buffers[slot(speaker)].isEmpty { continuing = false; speaker = speaker.other; turn += 1 }
            if !continuing {
                if speaker == .host, buffers[0].isEmpty { speaker = .module }
                if speaker == .module, buffers[1].isEmpty { speaker = .host }
                guard !buffers[slot(speaker)].isEmpty else { return out }
            }
            let d = slot(speaker)
            var said: [UInt8] = [], handedOver = false
            while said.count < TraceRecordLimits.maxRecordSize, let byte = buffers[d].first {
                said.append(byte)
                decoder.receive(time: .milliseconds(turn), direction: speaker, bytes: buffers[d].prefix(1))
                buffers[d] = buffers[d].dropFirst()
                while let unit = decoder.next() { handedOver = handedOver || RawPairInterleaver.handsOver(unit) }
                if handedOver { break }
            }
            out.append(TraceRecord(time: .milliseconds(turn), direction: speaker, bytes: said, flags: .syntheticTime))
            continuing = !handedOver && said.count == TraceRecordLimits.maxRecordSize
            if !continuing { speaker = speaker.other; turn += 1 }
        }
    }

    /// Pairs of streams: the reference session, every simulator scenario, runs through a line
    /// that corrupts, splits and drops bytes, and long runs of noise (turns over 4096 bytes).
    static let pairs: [(name: String, host: [UInt8], module: [UInt8])] = {
        var pairs = [("reference", ReferenceSession.stream(.host), ReferenceSession.stream(.module)),
                     ("reference log", Session.hostStream, Session.moduleStream)]
        for scenario in SimulatorScenario.allCases {
            let records = ReplayCheckTests.recording(scenario)
            pairs.append((scenario.rawValue, Session.stream(records, .host), Session.stream(records, .module)))
        }
        let trace = ReplayCheckTests.recording(.noisyLine)
        for seed: UInt64 in 1...4 {
            let module = MutatingModule(SimulatedModule(trace: trace), spec: .all, seed: seed)
            let run = ProvisioningHarness(configuration: ReplayConfiguration.infer(from: trace), module: module).run()
            pairs.append(("mutated \(seed)", Session.stream(run.records, .host), Session.stream(run.records, .module)))
        }
        // A final result whose CR is not followed by LF ends only when the next byte comes.
        pairs.append(
            (
                "OK without LF", Array("AT\rAT+CGMI\rAT\r".utf8),
                Array("\r\nOK\r+STARTUP\r\n\r\nu-blox\r\n\r\nOK\r\r\nOK\r".utf8)
            ))
        var rng = SplitMix64(seed: 3)
        let noise = (0..<10_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        pairs.append(("noise", Array(noise.prefix(300)), noise))
        pairs.append(
            (
                "reference then noise", ReferenceSession.stream(.host) + noise.prefix(5000),
                ReferenceSession.stream(.module) + noise
            ))
        return pairs
    }()

    /// A source handing its bytes over `size` at a time.
    static func chunks(_ bytes: [UInt8], _ size: Int) -> RawPairInterleaver.Source {
        var rest = bytes[...]
        return {
            guard !rest.isEmpty else { return nil }
            defer { rest = rest.dropFirst(size) }
            return Array(rest.prefix(size))
        }
    }

    @Test func turnsEndWhereAByteAtATimeEndsThem() throws {
        for pair in Self.pairs {
            let expected = Self.byteAtATime(host: pair.host, module: pair.module)
            #expect(expected.count > 1, "\(pair.name)")
            #expect(RawPairInterleaver(host: pair.host, module: pair.module).records() == expected, "\(pair.name)")
            for size in [1, 7, 4096] {
                var chunked = RawPairInterleaver(
                    host: Self.chunks(pair.host, size), module: Self.chunks(pair.module, size))
                var records: [TraceRecord] = []
                while let record = try chunked.next() { records.append(record) }
                #expect(records == expected, "\(pair.name), chunks of \(size)")
            }
        }
    }
}
