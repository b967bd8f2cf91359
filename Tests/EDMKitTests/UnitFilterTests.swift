import EDMKit
import Testing

/// The extcap's capture filter: direction words and kind words, each group a choice, both
/// groups required.
@Suite struct UnitFilterTests {
    static func unit(_ direction: Direction, _ kind: SessionUnit.Kind) -> SessionUnit {
        SessionUnit(index: 0, time: .zero, direction: direction, offset: 0, bytes: [], kind: kind)
    }

    static func frame(_ bytes: [UInt8]) throws -> SessionUnit.Kind { .frame(try EDMFrame(validating: bytes[...])) }

    /// (name, unit): one of each kind the words tell apart.
    static func units() throws -> [(String, SessionUnit)] {
        [("host at", unit(.host, .at(.command))),
         ("module at", unit(.module, .at(.final))),
         ("module payload", unit(.module, .raw(.payload))),
         ("host edm", unit(.host, try frame(EDMEncoder.atRequest("AT\r")))),
         ("host data", unit(.host, try frame(EDMEncoder.dataCommand(channel: 1, data: [1, 2])))),
         ("module data", unit(.module, try frame(EDMEncoder.dataEvent(channel: 1, data: [3])))),
         ("module noise", unit(.module, .raw(.noise))),
         ("module garbage", unit(.module, .raw(.garbage)))]
    }

    static let all = ["host at", "module at", "module payload", "host edm", "host data", "module data", "module noise",
                      "module garbage"]

    @Test(arguments: [
        ("", all),
        ("module", ["module at", "module payload", "module data", "module noise", "module garbage"]),
        ("host module", all),
        ("at", ["host at", "module at", "module payload"]),
        ("edm", ["host edm", "host data", "module data"]),
        ("data", ["host data", "module data"]),
        ("noise", ["module noise", "module garbage"]),
        ("  MODULE\tat ", ["module at", "module payload"]),
        ("data host", ["host data"]),
        ("at noise module", ["module at", "module payload", "module noise", "module garbage"]),
    ])
    func wordsChooseUnits(_ text: String, _ kept: [String]) throws {
        let filter = try UnitFilter(parsing: text)
        #expect(try Self.units().filter { filter.keeps($0.1) }.map(\.0) == kept, "\"\(text)\"")
        #expect((filter == .everything) == text.isEmpty)
    }

    @Test func anUnknownWordIsNamed() {
        let error = #expect(throws: UnitFilter.ParseError.self) { try UnitFilter(parsing: "module tcp") }
        #expect(error?.word == "tcp")
        let message = error.map(String.init(describing:)) ?? ""
        #expect(message.contains("\"tcp\"") && message.contains("host, module, at, edm, data, noise"), "\(message)")
    }
}
