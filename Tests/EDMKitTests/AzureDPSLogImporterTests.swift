import Testing
@testable import EDMKit
import Foundation // replacingOccurrences, in this test only

@Suite struct AzureDPSLogImporterTests {
    struct Imported {
        var records: [TraceRecord]
        var spans: [AzureDPSLogImporter.LineSpan]
        var diagnostics: [TraceImportDiagnostic]
    }

    static func run(
        _ bytes: [UInt8] = ReferenceLog.bytes, options: AzureDPSLogImporter.Options = .init(), sizes: [Int] = [1 << 20]
    ) throws -> Imported {
        var options = options
        options.accountsLines = true
        var importer = AzureDPSLogImporter(options: options)
        var records: [TraceRecord] = []
        var spans: [AzureDPSLogImporter.LineSpan] = []
        var diagnostics: [TraceImportDiagnostic] = []
        var start = 0
        var k = 0
        while start < bytes.count {
            let end = min(bytes.count, start + sizes[k % sizes.count])
            records += try importer.consume(bytes[start..<end])
            spans += importer.takeLineSpans()
            diagnostics += importer.takeDiagnostics()
            start = end; k += 1
        }
        records += try importer.finish()
        spans += importer.takeLineSpans()
        diagnostics += importer.takeDiagnostics()
        return Imported(records: records, spans: spans, diagnostics: diagnostics)
    }

    static let lines = ReferenceLog.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(
        String.init)

    static func line(containing text: String) -> Int { lines.firstIndex { $0.contains(text) }! + 1 }

    @Test func everyLineIsAccountedForExactlyOnce() throws {
        let result = try Self.run()
        #expect(Self.lines.count == ReferenceLog.lineCount)
        var covered = [Int](repeating: 0, count: ReferenceLog.lineCount + 1)
        for span in result.spans { for n in span.lines { covered[n] += 1 } }
        #expect(
            covered.dropFirst().allSatisfy { $0 == 1 },
            Comment(rawValue: "lines covered twice or never: "
                + "\(covered.enumerated().filter { $0.offset > 0 && $0.element != 1 }.map(\.offset))")
        )
        // Spans come in line order and every record has one.
        #expect(result.spans.map(\.lines.lowerBound) == result.spans.map(\.lines.lowerBound).sorted())
        #expect(result.spans.compactMap(\.recordIndex) == Array(0..<result.records.count))
    }

    @Test func linesOutsideTheSessionAreNotes() throws {
        let result = try Self.run()
        let noteLines = result.spans.filter { $0.recordIndex == nil }.map(\.lines.lowerBound)
        let expected = [1, 2, 3, Self.line(containing: "Successfully Assigned")]
        #expect(noteLines == expected)
        let notes = result.diagnostics.filter { $0.code == .note }
        #expect(notes.map(\.line) == expected)
        #expect(notes.allSatisfy { $0.severity == .note })
        #expect(notes[0].message.contains("azure_dps.py COM44"))
    }

    /// The log's authors replaced SSID and passphrase by hand but kept the real lengths: the
    /// frames are rebuilt around the printed body (so they decode) and flagged, with the
    /// declared length named in the comment.
    @Test func redactedLengthsAreFlaggedAndRebuiltToDecode() throws {
        let result = try Self.run()
        let mismatched = result.records.filter {
            $0.direction == .host && $0.bytes.first == 0xAA && $0.flags.contains(.mismatch)
        }
        #expect(mismatched.count == 2)
        #expect(mismatched[0].bytes == EDMEncoder.atRequest("AT+UWSC=0,2,SSID\r"))
        #expect(mismatched[1].bytes == EDMEncoder.atRequest("AT+UWSC=0,8,PASSWORD\r"))
        #expect(mismatched[0].comment?.contains("declares payload length 18 (0x0012)") == true)
        #expect(mismatched[1].comment?.contains("declares payload length 31 (0x001F)") == true)
        #expect(
            result.diagnostics.filter { $0.code == .lengthMismatch }.map(\.line) == [
                Self.line(containing: "UWSC=0,2,SSID"), Self.line(containing: "PASSWORD")
            ])
    }

    @Test func elidedCredentialsAreFlaggedWithTheirDeclaredSize() throws {
        let result = try Self.run()
        let pems = result.records.filter { $0.direction == .host && $0.bytes.starts(with: Array("-----BEGIN".utf8)) }
        #expect(pems.count == 3)
        for (pem, (size, name)) in zip(pems, [(1261, "ca.pem"), (1224, "cert.pem"), (1704, "key.pem")]) {
            #expect(pem.flags.contains(.mismatch) && pem.flags.contains(.rebuilt))
            #expect(pem.comment?.contains("declared size \(size) bytes") == true)
            #expect(pem.comment?.contains(name) == true)
            #expect(pem.bytes.last == 0x0D) // the script sends the text then CR
        }
        #expect(pems[0].bytes == Array("-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\r".utf8))
        #expect(result.diagnostics.filter { $0.code == .elided }.count == 3)
    }

    @Test func paddingMakesCredentialsTheirDeclaredSize() throws {
        let result = try Self.run(options: .init(padElidedCredentials: true))
        let pems = result.records.filter { $0.bytes.starts(with: Array("-----BEGIN".utf8)) }
        #expect(pems.map(\.bytes.count) == [1261, 1224, 1704])
        #expect(pems.allSatisfy { $0.flags.contains(.mismatch) && $0.comment!.contains("padded") })
        #expect(pems[2].bytes.starts(with: Array("-----BEGIN PRIVATE KEY-----\n....".utf8)))
    }

    @Test func hostFrameHeadersAreThePrintedBytes() throws {
        let result = try Self.run()
        let printed = Self.lines.filter { $0.contains("-> 0xAA") }.map { line -> [UInt8] in
            let hex = line.split(separator: " ").first { $0.hasPrefix("0xAA") }!.dropFirst(2)
            return stride(from: 0, to: 10, by: 2).map { UInt8(hex.dropFirst($0).prefix(2), radix: 16)! }
        }
        let frames = result.records.filter { $0.direction == .host && $0.bytes.first == 0xAA }
        #expect(frames.count == printed.count && printed.count == 10)
        for (frame, header) in zip(frames, printed) where !frame.flags.contains(.mismatch) {
            #expect(Array(frame.bytes.prefix(5)) == header)
            #expect(frame.bytes.last == 0x55)
        }
        // Frames whose length was not redacted decode as valid EDM frames.
        let valid = frames.filter { !$0.flags.contains(.mismatch) }
        #expect(valid.count == 8)
        for frame in valid { #expect(throws: Never.self) { try EDMFrame(validating: frame.bytes[...]) } }
        let data = frames.first { $0.bytes[4] == 0x36 }!
        #expect(Array(data.bytes.dropFirst(5).prefix(2)) == [0x00, 0x7B]) // channel 0, then '{'
    }

    @Test func commandModeIsRebuiltWithModuleFraming() throws {
        let result = try Self.run()
        let r = result.records
        #expect(
            r[0]
                == TraceRecord(
                    time: .milliseconds(18), direction: .host, bytes: Array("AT+UFACTORY\r".utf8), flags: .rebuilt))
        #expect(r[1].bytes == Array("\r\n+STARTUP\r\nAT+UFACTORY\r\r\nOK\r\n".utf8))
        #expect(r[1].direction == .module && r[1].time == .milliseconds(400) && r[1].flags == .rebuilt)
        #expect(r[3].bytes == Array("AT+CPWROFF\r\r\nOK\r\n".utf8))
        #expect(r[5].bytes == Array("AT+USECMNG=0,0,ca.pem,1261\r\r\n>".utf8))
        #expect(
            r[7].bytes == Array("\r\n+USECMNG:0,0,\"ca.pem\",\"ACB694A59C17E0D791529BB19706A6E4\"\r\n\r\nOK\r\n".utf8))
    }

    @Test func moduleFramesAreRebuiltAndFlagged() throws {
        let result = try Self.run()
        let module = result.records.filter { $0.direction == .module }
        #expect(module.allSatisfy { $0.flags.contains(.rebuilt) })
        let frames = module.filter { $0.bytes.first == 0xAA }
        #expect(frames.count == 17)
        for frame in frames { #expect(throws: Never.self) { try EDMFrame(validating: frame.bytes[...]) } }
        #expect(
            frames.contains {
                $0.bytes == EDMEncoder.atConfirmation("\r\n+UDCP:2\r\nOK\r\n") && $0.time == .milliseconds(22440)
            })
        #expect(frames.contains { $0.bytes == EDMEncoder.atEvent("\r\n+UUWLE:0,802AA8035ADE,11\r\n") })
        let connect = frames.filter { $0.bytes[4] == 0x11 }
        #expect(connect.map { $0.bytes[5] } == [0, 1])
        #expect(
            connect.allSatisfy { $0.bytes.count == 21 && $0.bytes[6] == 2 && $0.comment?.contains("zeros") == true })
        let data = frames.filter { $0.bytes[4] == 0x31 }
        #expect(data.count == 2)
        #expect(data[0].bytes.dropFirst(5).prefix(1) == [0])
        #expect(
            String(decoding: data[0].bytes.dropFirst(6).dropLast(), as: UTF8.self).hasSuffix(
                "\"status\":\"assigning\"}"))
    }

    @Test func recordsAreInTimeOrder() throws {
        let times = try Self.run().records.map(\.time)
        #expect(times == times.sorted())
        #expect(times.last == .milliseconds(27482))
    }

    @Test(arguments: [[1], [2], [7], [3, 50, 1, 200], [4096]])
    func anyChunkingGivesTheSameRecords(sizes: [Int]) throws {
        let whole = try Self.run()
        let chunked = try Self.run(sizes: sizes)
        #expect(chunked.records == whole.records)
        #expect(chunked.spans == whole.spans)
        #expect(chunked.diagnostics == whole.diagnostics)
    }

    @Test func windowsLineEndsAndTabIndentsReadTheSame() throws {
        // The script on Windows writes CRLF, and prints the indent as a real tab.
        let text = ReferenceLog.text.replacingOccurrences(of: "        Channel id", with: "\tChannel id")
            .replacingOccurrences(of: "        Data:", with: "\tData:").replacingOccurrences(of: "\n", with: "\r\n")
        #expect(text.contains("\tChannel id"))
        let crlf = try Self.run(Array(text.utf8))
        let lf = try Self.run()
        #expect(crlf.records == lf.records)
        #expect(crlf.spans == lf.spans)
        #expect(TraceFormat.detect(prefix: Array(text.utf8)[...]) == .azureDPSLog)
    }

    @Test func pythonReprEscapesComeBack() {
        #expect(
            PythonRepr.decode(Array(#"\x00{\"a\": \'b\'}\\\r\n\t"#.utf8)[...]) == [0]
                + Array("{\"a\": 'b'}\\\r\n\t".utf8))
        #expect(PythonRepr.decode(Array(#"\x85é\u20ac"#.utf8)[...]) == [0xC2, 0x85] + Array("é€".utf8))
        #expect(PythonRepr.decode(Array(#"bad\q"#.utf8)[...]) == nil)
    }

    @Test func aLogWithoutSessionLinesIsRefused() {
        var importer = AzureDPSLogImporter()
        #expect(throws: TraceImportError.self) { try importer.importAll(Array("hello\nworld\n".utf8)) }
    }

    @Test func aBrokenFrameLineNamesItsLine() {
        var importer = AzureDPSLogImporter()
        let log = " 10ms -> AT\n 20ms -> 0xAA00050044 'AT\\r 0x55\n"
        do {
            _ = try importer.importAll(Array(log.utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2 && error.code == .malformedLine)
        }
    }
}
