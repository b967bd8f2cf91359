import Testing
@testable import EDMKit

/// Every text format: the session rendered as the tool prints it reads back to the same
/// bytes per direction, directions and times, whatever the chunking.
@Suite struct TextImporterTests {
    let session = Session.records
    var relativeTimes: [Duration] { session.map { $0.time - session[0].time } }

    func expectSameStreams(_ records: [TraceRecord], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(Session.stream(records, .host) == Session.hostStream, sourceLocation: sourceLocation)
        #expect(Session.stream(records, .module) == Session.moduleStream, sourceLocation: sourceLocation)
        #expect(Session.stream(records, nil).isEmpty, sourceLocation: sourceLocation)
        #expect(
            records.map(\.time) == records.map(\.time).sorted(), "records out of time order",
            sourceLocation: sourceLocation)
    }

    func expectChunkingInvariant<I: TraceImporter>(
        _ make: () -> I, _ input: [UInt8], sizes: [[Int]] = [[1], [2, 7], [13, 1, 250]],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        var whole = make()
        let expected = try whole.importAll(input)
        for s in sizes {
            var importer = make()
            #expect(
                try importer.importChunked(input, sizes: s) == expected, "chunk sizes \(s)",
                sourceLocation: sourceLocation)
        }
    }

    // MARK: Streaming

    /// Records leave as soon as they are complete: nothing waits for the end of the input.
    @Test func recordsComeOutWhileTheInputStreams() throws {
        let inputs: [(TraceFormat, [UInt8])] = [
            (.socat, Render.socat(session)), (.interceptty, Render.interceptty(session)),
            (.slsnif, Render.slsnif(session, timestamps: true)), (.jpnevulator, Render.jpnevulator(session)),
            (.saleaeCSV, Render.saleae(session)), (.sigrokJSONTrace, Render.sigrok(session)),
            (.hexDump, Render.hexDump(Array(repeating: Session.hostStream, count: 3).flatMap { $0 })),
            (.azureDPSLog, ReferenceLog.bytes)
        ]
        for (format, input) in inputs {
            var importer = format.makeImporter()!
            let cut = input.count * 9 / 10
            let early = try importer.consume(input[..<cut]).flatMap(\.bytes).count
            let late = try (importer.consume(input[cut...]) + importer.finish()).flatMap(\.bytes).count
            #expect(early > (early + late) / 2, "\(format): \(early) bytes before the last tenth, \(late) after")
        }
    }

    @Test func anEndlessUnitIsRefusedNotBuffered() {
        var importer = AzureDPSLogImporter()
        var input = Array(" 10ms -> -----BEGIN CERTIFICATE-----\n".utf8)
        input += [UInt8](repeating: 0x41, count: 64).flatMap { _ in
            Array(String(repeating: "Q", count: 63).utf8) + [0x0A]
        }
        let line = Array(String(repeating: "Q", count: 63).utf8) + [0x0A]
        var error: TraceImportError?
        do {
            _ = try importer.consume(input[...])
            for _ in 0..<10_000 { _ = try importer.consume(line[...]) }
        } catch let e { error = e }
        #expect(error?.line == 1)
    }

    // MARK: socat

    @Test func socatReadsBackTheSession() throws {
        var importer = SocatImporter()
        let records = try importer.importAll(Render.socat(session))
        #expect(
            records
                == session.map {
                    TraceRecord(time: $0.time - session[0].time, direction: $0.direction, bytes: $0.bytes)
                })
        #expect(importer.origin == TraceOrigin(unixNanoseconds: Session.start.unixNanoseconds + ns(session[0].time)))
        #expect(importer.takeDiagnostics().isEmpty)
        try expectChunkingInvariant({ SocatImporter() }, Render.socat(session))
    }

    @Test func socat174MicrosecondsAreRepaired() throws {
        var importer = SocatImporter()
        let records = try importer.importAll(Render.socat(session, v174: true))
        #expect(records.map(\.time) == relativeTimes)
        expectSameStreams(records)
        #expect(importer.takeDiagnostics().map(\.code) == [.timestampRepaired])
        // Told not to repair, the same file keeps its (wrong) sub-millisecond times.
        var raw = SocatImporter(options: .init(microsecondRepair: .never))
        #expect(try raw.importAll(Render.socat(session, v174: true)).map(\.time) != relativeTimes)
        // A 1.8 file whose first fractions happen to be large is not touched.
        var modern = SocatImporter()
        #expect(try modern.importAll(Render.socat(session)).map(\.time) == relativeTimes)
    }

    @Test func socatSideIsAnOption() throws {
        var importer = SocatImporter(options: .init(leftToRight: .module))
        let records = try importer.importAll(Render.socat(session, hostIsLeft: false))
        expectSameStreams(records)
    }

    @Test func socatRealSampleFromTheNotes() throws {
        let text = """
        > 2026/11/28 07:54:14.000425418  length=23 from=0 to=22
         aa 00 13 00 44 41 54 2b 55 57 53 43 3d 30 2c 32  ....DAT+UWSC=0,2
         2c 53 53 49 44 0d 55                             ,SSID.U
        --
        < 2026/11/28 07:54:14.000722737  length=12 from=0 to=11
         aa 00 08 00 45 0d 0a                             ....E..
         4f 4b 0d 0a                                      OK..
         55                                               U
        --

        """
        var importer = SocatImporter()
        let records = try importer.importAll(Array(text.utf8))
        #expect(records.count == 2)
        #expect(records[0].bytes == [0xAA, 0x00, 0x13, 0x00, 0x44] + Array("AT+UWSC=0,2,SSID\r".utf8) + [0x55])
        #expect(records[1].bytes == EDMEncoder.atConfirmation("\r\nOK\r\n"))
        #expect(records[1].direction == .module)
        #expect(records[1].time == .microseconds(722_737 - 425_418)) // 1.7.4: 0.297 s apart, not 297 µs
    }

    @Test func socatWithoutVerboseReadsOneLineBlocks() throws {
        // Real `socat -x` output (no ASCII column, no separators, all bytes on one line).
        let text = """
        > 2026/11/28 09:13:11.000202391  length=3 from=0 to=2
         41 54 0d
        < 2026/11/28 09:13:11.000568684  length=6 from=0 to=5
         0d 0a 4f 4b 0d 0a
        < 2026/11/28 09:13:11.000569026  length=1 from=6 to=6
         01

        """
        var importer = SocatImporter()
        let records = try importer.importAll(Array(text.utf8))
        #expect(Session.stream(records, .host) == Array("AT\r".utf8))
        #expect(Session.stream(records, .module) == Array("\r\nOK\r\n".utf8) + [1])
    }

    @Test func socatVerboseWithoutHexIsRefused() {
        let text = "> 2026/11/28 09:11:12.000283904  length=3 from=0 to=2\nAT\\r< 2026/11/28 "
            + "09:11:12.000486345  length=7 from=0 to=6\n\\r\nOK\\r\n.\n"
        var importer = SocatImporter()
        do {
            _ = try importer.importAll(Array(text.utf8))
            Issue.record("socat -v without -x was accepted")
        } catch {
            #expect(error.code == .lossyVariant && error.line == 2)
            #expect(error.description.contains("socat -x -v"))
        }
    }

    @Test func socatOffsetsAndLengthsAreChecked() {
        var text = String(decoding: Render.socat(Array(session.prefix(6))), as: UTF8.self)
        // The third block (second host write) claims the wrong start offset.
        text = text.replacingFirst("from=12 to=", with: "from=13 to=")
        var importer = SocatImporter()
        let error = #expect(throws: TraceImportError.self) { try importer.importAll(Array(text.utf8)) }
        #expect(error?.code == .inconsistent && error?.line != nil && error?.message.contains("from=13") == true)
        // A lost hex line: the block holds fewer bytes than its length.
        var lines = String(decoding: Render.socat(Array(session.prefix(2))), as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false)
        lines.remove(at: 4)  // second line of the module's reply block
        var short = SocatImporter()
        #expect(throws: TraceImportError.self) { try short.importAll(Array(lines.joined(separator: "\n").utf8)) }
    }

    // MARK: interceptty, slsnif, jpnevulator

    @Test func intercepttyReadsBackTheStreams() throws {
        var importer = IntercepttyImporter()
        let records = try importer.importAll(Render.interceptty(session))
        expectSameStreams(records)
        #expect(records.allSatisfy { $0.flags == .syntheticTime })
        // Runs of one direction are one record.
        #expect(
            zip(records, records.dropFirst()).allSatisfy {
                $0.direction != $1.direction || $0.bytes.count == TraceRecordLimits.maxRecordSize
            })
        #expect(records.first?.time == .zero)
        try expectChunkingInvariant({ IntercepttyImporter() }, Render.interceptty(Array(session.prefix(12))))
    }

    @Test func slsnifIsReadAsBytesWithTimesToTheSecond() throws {
        let input = Render.slsnif(session, timestamps: true)
        #expect(String(validating: input, as: UTF8.self) == nil) // raw bytes ≥ 0x80: not UTF-8
        var importer = SlsnifImporter()
        let records = try importer.importAll(input)
        expectSameStreams(records)
        let firstSecond = (Session.start.unixNanoseconds + ns(session[0].time)) / 1_000_000_000
        #expect(importer.origin == TraceOrigin(unixNanoseconds: firstSecond * 1_000_000_000))
        for r in records {
            let second = ns(r.time) / 1_000_000_000 + firstSecond
            #expect(ns(r.time) % 1_000_000_000 == 0)
            #expect(r.comment == SlsnifImporter.timeComment)
            // Each record's second is the second of a session record holding its bytes.
            #expect(
                session.contains {
                    ($0.direction == r.direction)
                        && (Session.start.unixNanoseconds + ns($0.time)) / 1_000_000_000 == second
                })
        }
        #expect(importer.takeDiagnostics().map(\.code) == [.timestampImprecise])
        try expectChunkingInvariant({ SlsnifImporter() }, Render.slsnif(Array(session.prefix(12)), timestamps: true))
    }

    @Test func slsnifWithoutTimestampsInDecimal() throws {
        var importer = SlsnifImporter()
        let records = try importer.importAll(Render.slsnif(session, timestamps: false, decimal: true))
        expectSameStreams(records)
        #expect(records.allSatisfy { $0.flags == .syntheticTime })
        #expect(importer.origin == nil)
    }

    @Test func slsnifColourCodesAreIgnored() throws {
        // slsnif logging to stdout wraps each part in colour escapes (setColor: 7 bytes each).
        var colored: [UInt8] = []
        let white: [UInt8] = [0x1B] + Array("[0;37m".utf8), green: [UInt8] = [0x1B] + Array("[0;32m".utf8)
        for b in Render.slsnif(Array(session.prefix(8)), timestamps: true) {
            if b == 0x0A { colored += green }
            colored.append(b)
        }
        colored = white + colored
        #expect(TraceFormat.detect(prefix: colored.prefix(4096)) == .slsnif)
        var plain = SlsnifImporter()
        var tinted = SlsnifImporter()
        #expect(
            try tinted.importAll(colored) == plain.importAll(Render.slsnif(Array(session.prefix(8)), timestamps: true)))
    }

    @Test func slsnifItemsParseEveryByte() throws {
        let all = (0...255).map(UInt8.init)
        let text = Render.slsnif([TraceRecord(time: .zero, direction: .host, bytes: all)], timestamps: false)
        var importer = SlsnifImporter()
        #expect(try Session.stream(importer.importAll(text), .host) == all)
    }

    @Test func jpnevulatorReadsBackTheSessionWithMicrosecondTimes() throws {
        var importer = JpnevulatorImporter()
        let records = try importer.importAll(Render.jpnevulator(session))
        #expect(
            records
                == session.map {
                    TraceRecord(time: $0.time - session[0].time, direction: $0.direction, bytes: $0.bytes)
                })
        try expectChunkingInvariant({ JpnevulatorImporter() }, Render.jpnevulator(Array(session.prefix(12))))
    }

    @Test func jpnevulatorTtysMapToDirections() throws {
        let input = Render.jpnevulator(session, hostTTY: "a2", moduleTTY: "m1")
        var mapped = JpnevulatorImporter(options: .init(ttys: ["a2": .host, "m1": .module]))
        expectSameStreams(try mapped.importAll(input))
        var wrong = JpnevulatorImporter(options: .init(ttys: ["a2": .host]))
        #expect(throws: TraceImportError.self) { try wrong.importAll(input) }
        let third = Array("2026-11-28 07:54:44.550992: /dev/ttyS3\nAA 55\n".utf8)
        var tooMany = JpnevulatorImporter()
        do {
            _ = try tooMany.importAll(Render.jpnevulator(Array(session.prefix(2))) + third)
            Issue.record("a third tty was accepted")
        } catch {
            #expect(error.code == .unknownDirection && error.line != nil)
        }
    }

    // MARK: Per-byte formats

    /// One record per byte (all times differ), each at its byte's start time.
    func expectWireBytes(_ records: [TraceRecord], sourceLocation: SourceLocation = #_sourceLocation) {
        let wire = Render.wireBytes(session)
        #expect(records.count == wire.count, sourceLocation: sourceLocation)
        #expect(records.map { ns($0.time) } == wire.map(\.time), sourceLocation: sourceLocation)
        #expect(records.map(\.direction) == wire.map(\.direction), sourceLocation: sourceLocation)
        #expect(records.flatMap(\.bytes) == wire.map(\.byte), sourceLocation: sourceLocation)
    }

    @Test func saleaeRowsBecomeBytesWithTheirTimes() throws {
        var importer = SaleaeCSVImporter()
        let records = try importer.importAll(Render.saleae(session))
        expectSameStreams(records)
        expectWireBytes(records)
        // Joining bytes less than two character times apart gives back bursts (roughly the
        // session's records; full-duplex overlaps and back-to-back records blur them).
        var joined = SaleaeCSVImporter(options: .init(joinWithin: .microseconds(100)))
        let bursts = try joined.importAll(Render.saleae(session))
        expectSameStreams(bursts)
        #expect(bursts.count < Render.wireBytes(session).count / 4)
        try expectChunkingInvariant({ SaleaeCSVImporter() }, Render.saleae(Array(session.prefix(8))))
    }

    @Test func saleaeColumnsAreFoundByName() throws {
        let input = Render.saleae(
            session, header: "data,start_time,error,name,duration,type", names: ("UART host", "UART module"))
        var importer = SaleaeCSVImporter(options: .init(analyzers: ["UART host": .host, "UART module": .module]))
        expectWireBytes(try importer.importAll(input))
        // Another analyzer's rows are skipped with one note.
        var other = SaleaeCSVImporter()
        let extra = Array("\"I2C\",\"data\",0.5,1e-05,0x10\n\"I2C\",\"data\",0.6,1e-05,0x11\n".utf8)
        let records = try other.importAll(Render.saleae(Array(session.prefix(3))) + extra)
        #expect(Session.stream(records, .host) == session.prefix(3).filter { $0.direction == .host }.flatMap(\.bytes))
        #expect(other.takeDiagnostics().map(\.code) == [.skipped])
    }

    @Test func saleaeRefusesAsciiRadixAndMissingColumns() {
        var ascii = SaleaeCSVImporter()
        do {
            _ = try ascii.importAll(
                Array("name,type,start_time,duration,data\n\"TX\",\"data\",0.1,8.68e-05,'A'\n".utf8))
            Issue.record("ASCII data accepted")
        } catch {
            #expect(error.line == 2 && error.message.contains("hex"))
        }
        var header = SaleaeCSVImporter()
        #expect(throws: TraceImportError.self) { try header.importAll(Array("a,b,c\n1,2,3\n".utf8)) }
        // A row that ends before any named column, the type column last included, is refused
        // with its line (a row short of only the type column once read past the row's end).
        for header in ["name,start_time,data,type", "type,name,start_time,data", "data,name,start_time,x,type"] {
            var short = SaleaeCSVImporter()
            do {
                _ = try short.importAll(Array("\(header)\n\"TX\",0.1,0x41\n".utf8))
                Issue.record("\(header): a row short of its columns was accepted")
            } catch {
                #expect(error.line == 2 && error.message.contains("fewer than the header"), "\(header): \(error)")
            }
        }
    }

    @Test func sigrokEventsBecomeBytes() throws {
        var importer = SigrokJSONTraceImporter()
        let records = try importer.importAll(Render.sigrok(session))
        expectSameStreams(records)
        expectWireBytes(records)
        try expectChunkingInvariant({ SigrokJSONTraceImporter() }, Render.sigrok(Array(session.prefix(6))))
    }

    @Test func sigrokEventsOutOfOrderAreReordered() throws {
        // sigrok prints a byte when it ends: an RX byte that ended first comes before a TX byte that began first.
        let text = """
        {"traceEvents": [
        {"name": "0D", "ph": "B", "pid": "uart-1", "tid": "RX", "ts": 120.000000},
        {"name": "0D", "ph": "E", "pid": "uart-1", "tid": "RX", "ts": 180.000000},
        {"name": "41", "ph": "B", "pid": "uart-1", "tid": "TX", "ts": 100.000000},
        {"name": "41", "ph": "E", "pid": "uart-1", "tid": "TX", "ts": 187.000000},
        {"name": "Start bit", "ph": "B", "pid": "uart-1", "tid": "TX bits", "ts": 200.000000},
        {"name": "Start bit", "ph": "E", "pid": "uart-1", "tid": "TX bits", "ts": 208.000000}
        ]}
        """
        var importer = SigrokJSONTraceImporter()
        let records = try importer.importAll(Array(text.utf8))
        #expect(records == [
            TraceRecord(time: .microseconds(100), direction: .host, bytes: [0x41]),
            TraceRecord(time: .microseconds(120), direction: .module, bytes: [0x0D]),
        ])
        #expect(importer.takeDiagnostics().map(\.code) == [.skipped])
        // Beyond the reorder window the trace cannot be put in order: an error, not a silent swap.
        let late = """
        [{"name": "0D", "ph": "B", "pid": "uart-1", "tid": "RX", "ts": 120.0},
         {"name": "0A", "ph": "B", "pid": "uart-1", "tid": "RX", "ts": 300.0},
         {"name": "41", "ph": "B", "pid": "uart-1", "tid": "TX", "ts": 100.0}]
        """
        var strict = SigrokJSONTraceImporter(options: .init(reorderWindow: .microseconds(5)))
        let error = #expect(throws: TraceImportError.self) { try strict.importAll(Array(late.utf8)) }
        #expect(error?.code == .outOfOrder && error?.line == 3)
        var lenient = SigrokJSONTraceImporter()
        #expect(try lenient.importAll(Array(late.utf8)).map(\.bytes) == [[0x41], [0x0D], [0x0A]])
    }

    // MARK: Raw and hex

    @Test func rawFilesPerDirection() throws {
        var host = RawBinaryImporter(direction: .host), module = RawBinaryImporter(direction: .module)
        let h = try host.importChunked(Session.hostStream, sizes: [1000, 3])
        let m = try module.importAll(Session.moduleStream)
        #expect(Session.stream(h, .host) == Session.hostStream && Session.stream(m, .module) == Session.moduleStream)
        #expect(h.allSatisfy { $0.flags == .syntheticTime && $0.bytes.count <= TraceRecordLimits.maxRecordSize })
        #expect(
            h.map(\.time)
                == stride(from: 0, to: Session.hostStream.count, by: TraceRecordLimits.maxRecordSize).map {
                    SyntheticTime.time(atByte: $0)
                })
    }

    @Test func hexDumpReadsAnyLineLength() throws {
        var importer = HexDumpImporter(direction: .module)
        let records = try importer.importAll(Render.hexDump(Session.moduleStream))
        #expect(Session.stream(records, .module) == Session.moduleStream)
        let spaced = Array("aa 00 02\n 00 71\t5\n5\n".utf8)
        var loose = HexDumpImporter(direction: nil)
        #expect(try loose.importChunked(spaced, sizes: [1]).flatMap(\.bytes) == EDMEncoder.startEvent())
        try expectChunkingInvariant({ HexDumpImporter(direction: nil) }, Render.hexDump(Session.moduleStream))
    }

    @Test func hexDumpErrorsNameTheirPlace() {
        var bad = HexDumpImporter(direction: nil)
        do {
            _ = try bad.importAll(Array("AA00\nAA0G\n".utf8))
            Issue.record("accepted a G")
        } catch {
            #expect(error.line == 2 && error.message.contains("column 4"))
        }
        var odd = HexDumpImporter(direction: nil)
        #expect(throws: TraceImportError.self) { try odd.importAll(Array("AA0".utf8)) }
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        var copy = self
        copy.replaceSubrange(range, with: replacement)
        return copy
    }
}
