import Foundation
import Testing
@testable import EDMKit

/// The host's EDM frames that azure_dps.py printed (`-> 0xAA<len><id> '<repr>' 0x55`) are
/// what our encoder writes for the same AT text or data, header byte for header byte,
/// except the two lines the log's authors redacted by hand.
@Suite struct ReferenceLogEncodingTests {
    struct PrintedFrame {
        var line: Int
        var header: [UInt8]
        var body: [UInt8]
    }

    /// Undoes Python's repr escapes: \r \n \t \\ \' \" \xHH.
    static func unrepr(_ text: Substring) -> [UInt8] {
        var out: [UInt8] = []
        var chars = Array(text.utf8)[...]
        while let c = chars.popFirst() {
            guard c == UInt8(ascii: "\\"), let e = chars.popFirst() else { out.append(c); continue }
            switch e {
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "x"):
                out.append(UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16)!)
                chars = chars.dropFirst(2)
            default: out.append(e)
            }
        }
        return out
    }

    static func printedFrames() throws -> [PrintedFrame] {
        let log = try String(contentsOfFile: Fixtures.referenceLog, encoding: .utf8)
        var frames: [PrintedFrame] = []
        for (n, line) in log.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard let arrow = line.range(of: "-> 0xAA"), line.hasSuffix("' 0x55") else { continue }
            let hex = line[arrow.upperBound...].prefix(8)
            let header = [0xAA]
                + stride(from: 0, to: 8, by: 2).map { i in
                    UInt8(
                        hex[hex.index(hex.startIndex, offsetBy: i)..<hex.index(hex.startIndex, offsetBy: i + 2)],
                        radix: 16)!
                }
            let quoted = line[line.index(arrow.upperBound, offsetBy: 9)...].dropFirst().dropLast(6)
            frames.append(PrintedFrame(line: n + 1, header: header, body: unrepr(quoted)))
        }
        return frames
    }

    @Test func encoderWritesThePrintedHeaders() throws {
        let frames = try Self.printedFrames()
        #expect(frames.count == 10)
        var mismatched: [Int] = []
        for printed in frames {
            let id = EDMPayloadID(rawValue: UInt16(printed.header[3]) << 8 | UInt16(printed.header[4]))
            let encoded: [UInt8]
            switch id {
            case .atRequest: encoded = EDMEncoder.atRequest(String(decoding: printed.body, as: UTF8.self))
            case .dataCommand:
                encoded = EDMEncoder.dataCommand(channel: printed.body[0], data: printed.body.dropFirst())
            default:
                Issue.record("unexpected id \(id) on line \(printed.line)")
                continue
            }
            if Array(encoded.prefix(5)) != printed.header { mismatched.append(printed.line) }
            #expect(Array(encoded.dropFirst(5).dropLast()) == printed.body)
        }
        // The SSID and passphrase lines: the log shows the words SSID and PASSWORD in place
        // of the real values but kept the real lengths (0x0012 and 0x001F).
        #expect(mismatched == [38, 42])
    }
}
