import Foundation // replacingOccurrences, in this test only
import Testing
@testable import EDMKit

/// `xxd` and `hexdump -C` dumps: detected as hex dumps, their offsets checked, `*` expanded,
/// the ASCII column ignored (it may hold hex digits and `|`).
@Suite struct HexDumpLayoutTests {
    static let bytes: [UInt8] =
        Array("ABCDEFGHIJKLMNOP".utf8) + [UInt8](repeating: 0x7C, count: 32) + [0x0D, 0x0A, 0xAA]

    static let xxd = """
        00000000: 4142 4344 4546 4748 494a 4b4c 4d4e 4f50  ABCDEFGHIJKLMNOP
        00000010: 7c7c 7c7c 7c7c 7c7c 7c7c 7c7c 7c7c 7c7c  ||||||||||||||||
        00000020: 7c7c 7c7c 7c7c 7c7c 7c7c 7c7c 7c7c 7c7c  ||||||||||||||||
        00000030: 0d0a aa                                  ...

        """

    static let canonical = """
        00000000  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  |ABCDEFGHIJKLMNOP|
        00000010  7c 7c 7c 7c 7c 7c 7c 7c  7c 7c 7c 7c 7c 7c 7c 7c  ||||||||||||||||||
        *
        00000030  0d 0a aa                                          |...|
        00000033

        """

    func read(_ text: String, sizes: [Int] = [1 << 20]) throws -> [UInt8] {
        var importer = HexDumpImporter(direction: .module)
        return try importer.importChunked(Array(text.utf8), sizes: sizes).flatMap(\.bytes)
    }

    @Test func bothLayoutsAreDetected() {
        for text in [Self.xxd, Self.canonical, "\n\n" + Self.xxd] {
            #expect(TraceFormat.detect(prefix: Array(text.utf8)[...]) == .hexDump, "\(text.prefix(30))")
        }
        #expect(HexDumpLine.layout(of: Array("00000000: 4142  AB".utf8)[...]) == .xxd)
        #expect(HexDumpLine.layout(of: Array("00000000  41 42  |AB|".utf8)[...]) == .canonical)
        #expect(HexDumpLine.layout(of: Array("4142 4344".utf8)[...]) == nil)
    }

    @Test func bothLayoutsGiveTheBytesAtAnySplit() throws {
        for text in [Self.xxd, Self.canonical] {
            for sizes in [[1 << 20], [1], [2, 7], [13, 1, 250]] {
                #expect(try read(text, sizes: sizes) == Self.bytes, "\(text.prefix(12)) \(sizes)")
            }
        }
        // Without the final offset line the bytes are all there too; without a trailing LF as well.
        let noEnd = Self.canonical.replacingOccurrences(of: "00000033\n", with: "")
        #expect(try read(noEnd) == Self.bytes)
        #expect(try read(String(Self.xxd.dropLast())) == Self.bytes)
    }

    @Test func aWrongOffsetIsAnErrorOnItsLine() {
        let skipped = Self.xxd.replacingOccurrences(of: "00000020: ", with: "00000028: ")
        #expect { try read(skipped) } throws: {
            ($0 as? TraceImportError)?.line == 3 && ($0 as? TraceImportError)?.code == .inconsistent
        }
        // A `*` stands only for whole copies of the line before, and for at most 1 MiB.
        let uneven = Self.canonical.replacingOccurrences(of: "00000030", with: "00000031")
        #expect { try read(uneven) } throws: { ($0 as? TraceImportError)?.code == .inconsistent }
        let huge = Self.canonical.replacingOccurrences(of: "00000030", with: "7ffffffffffff0")
        #expect { try read(huge) } throws: { ($0 as? TraceImportError)?.code == .inconsistent }
        #expect { try read("00000000  41 42  |AB|\n*\n") } throws: { ($0 as? TraceImportError)?.code == .truncated }
    }

    @Test func aLineOfAnotherShapeIsNamed() {
        #expect { try read(Self.xxd + "4142\n") } throws: {
            ($0 as? TraceImportError)?.line == 5 && ($0 as? TraceImportError)?.code == .malformedLine
        }
    }
}
