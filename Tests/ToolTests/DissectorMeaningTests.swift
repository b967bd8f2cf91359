import EDMKit
import Foundation
import Testing

/// The Wireshark dissector explains AT lines as the transcript does: its tables are the
/// catalog's (generated into wireshark/ucx_edm.lua), and on every capture in `captures/` and a
/// set of made-up lines, each packet's `ucx_at.meaning` / `ucx_edm.meaning` is the
/// `explanation` that `edm-decode -f json` gives the same unit.
struct DissectorMeaningTests {
    static let lua = Tool.root + "/wireshark/ucx_edm.lua"

    @Test func theDissectorsTablesAreTheCatalogs() throws {
        let file = try String(contentsOfFile: Self.lua, encoding: .utf8)
        let begin = try #require(file.range(of: DissectorTables.begin), "no generated part in \(Self.lua)")
        let end = try #require(file.range(of: DissectorTables.end + "\n", range: begin.upperBound..<file.endIndex))
        #expect(String(file[begin.lowerBound..<end.upperBound]) == DissectorTables.lua,
                "wireshark/ucx_edm.lua's tables differ from the AT catalog: run `make dissector-tables`")
    }

    @Test func aLuaStringLiteralKeepsEveryByte() {
        #expect(DissectorTables.quoted("a\"b\\c") == #""a\"b\\c""#)
        #expect(DissectorTables.quoted("\u{1}9é") == #""\0019\195\169""#)
    }

    @Test(.enabled(if: which("tshark") != nil, "tshark is not installed (CI installs it)"),
          arguments: try captureFiles())
    func aCapturesMeaningsAgree(capture: String) throws {
        let compared = try Self.compare(capture)
        #expect(compared > 0, "\(capture): no AT unit")
    }

    /// Lines of every shape the catalog explains, and some it cannot: read and test forms,
    /// unknown commands, each Wi-Fi tag and link-down reason, Bluetooth and IPv6 peers, quoted
    /// and spaced parameters, a SAS token variable, `+CME ERROR` with a number and a word.
    @Test(.enabled(if: which("tshark") != nil, "tshark is not installed (CI installs it)"))
    func madeUpLinesMeanTheSame() throws {
        let commands = [
            "AT", "at+ufactory", "ATE0", "AT+UWSC?", "AT+UWSC=?", "AT+UWSC=0,2", "AT+UWSC=0,2, spaced SSID ",
            "AT+UWSC=0,2,\"a,b\"", "AT+UWSC=0,5,7", "AT+UWSC=0,5,9", "AT+UWSC=0,5,x", "AT+UWSC=0,0,1", "AT+UWSC=0,15,0",
            "AT+UWSC=0,6,k1,k2,k3", "AT+UWSC=0,8,short", "AT+UWSC=0,8," + String(repeating: "ab", count: 32),
            "AT+UWSC=0,9,pw", "AT+UWSC=0,100,2", "AT+UWSC=0,100,1", "AT+UWSC=0,101,10.0.0.2", "AT+UWSC=0,10,user",
            "AT+UWSC=0,77,x", "AT+UWSC=x,2,y", "AT+UWSCA=0,4", "AT+UWSCA=0,9", "AT+UWSCA=0", "AT+USECMNG=3",
            "AT+USECMNG=2,1,cert.pem", "AT+USECMNG=4,0,ca.pem", "AT+USECMNG=9,0,x",
            "AT+UDCP=mqtt://h.example:8883/?client=dev&pt=%%0", "AT+UDCP=mqtt://h:1/?passwd=%%1&client=c",
            "AT+UDCP=mqtt://h:1/?client=c&passwd=x", "AT+UDCP=tcp://[fe80::1]:5000",
            "AT+UDCP=nothing", "AT+UDUV=1,SharedAccessSignature sr=a&sig=b", "AT+UDUV=0,a,b,c", "AT+UDCPC=3",
            "AT+UDCPC=x", "AT+CPWROFF", "AT+GMM", "ATI9", "AT&K3",
            // (Last: the module takes what follows an import as the credential's bytes.)
            "AT+USECMNG=0,2,key.pem,100,secret",
        ]
        let replies = [
            "+UUWLD:0,0", "+UUWLD:0,1", "+UUWLD:0,2", "+UUWLD:0,3", "+UUWLD:0,4", "+UUWLD:0,5", "+UUWLD:0,6",
            "+UUWLE:0,802AA8035ADE,11", "+UUWLE:0,xyz,1", "+UUNU:0", "+UUND:0", "+UUDPD:1", "+UUDPD",
            "+UUDPC:1,1,1,0012F3000001p,672", "+UUDPC:1,1,9,0012F3000001,672", "+UUDPC:2,3,0,fe80::1,5,fe80::2,6",
            "+UUDPC:2,2,6,10.0.0.1,1,20.0.0.1,8883", "+UUDPC:2,2,6", "+USECMNG:0,0,\"ca.pem\",\"ABC\"",
            "+USECMNG:4,1, \"c.pem\" , \"DEF\" ", "+USECMNG:1,0,x,y", "+UDCP:2", "+CME ERROR: 4", "+CME ERROR: busy",
            "+CME ERROR", "+STARTUP", "+UNKNOWN:1", "ERROR", "OK", "garbage text",
        ]
        let host = try Tool.temporaryFile(
            "lines-host-\(UUID().uuidString).bin", Data(commands.map { $0 + "\r" }.joined().utf8))
        let module = try Tool.temporaryFile(
            "lines-module-\(UUID().uuidString).bin", Data(replies.map { "\r\n\($0)\r\n" }.joined().utf8))
        // (Unredacted, so that the SAS token and the passphrases are explained as sent.)
        #expect(try Self.compare(nil, raw: (host, module), ["--no-redact"]) == commands.count + replies.count - 1)
    }

    static func captureFiles() throws -> [String] {
        let scenarios = try FileManager.default.contentsOfDirectory(atPath: Tool.root + "/captures/scenarios")
            .filter { $0.hasSuffix(".pcapng") }.sorted().map { "captures/scenarios/" + $0 }
        return ["captures/azure-dps-example-session.log", "captures/azure-dps-example-session.pcapng"] + scenarios
    }

    /// Decodes the input to JSON and to pcapng, dissects the pcapng, and expects each packet's
    /// meaning to be its unit's explanation (none for units that are not AT text). Returns how
    /// many AT units were compared.
    static func compare(
        _ capture: String?, raw: (host: String, module: String)? = nil, _ options: [String] = []
    ) throws -> Int {
        let input = (capture.map { [Tool.root + "/" + $0] } ?? ["--host", raw!.host, "--module", raw!.module]) + options
        let json = try Tool.run("edm-decode", input + ["-f", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let units = json.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { $0["index"] != nil }
        let pcapng = try Tool.temporaryFile("meaning-\(UUID().uuidString).pcapng", Data())
        let written = try Tool.run("edm-decode", input + ["-f", "pcapng", "-o", pcapng])
        #expect(written.status == 0, "\(written.stderr)")
        let rows = try tshark(
            pcapng,
            [
                "-Y", "!ucx_verdict", "-T", "fields", "-E", "occurrence=f", "-e", "ucx_at.meaning", "-e",
                "ucx_edm.meaning"
            ])
        try #require(rows.count == units.count, "\(capture ?? "lines"): \(rows.count) packets for \(units.count) units")
        var compared = 0
        for (unit, row) in zip(units, rows) {
            let meaning = row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init).first {
                !$0.isEmpty
            }
            let isAT = unit["layer"] as? String == "at" && unit["type"] as? String != "payload"
                || (unit["type"] as? String)?.hasPrefix("at_") == true
            let expected = isAT ? unit["explanation"] as? String : nil
            #expect(meaning == expected, "\(capture ?? "lines") unit \(unit["index"] ?? "?") '\(unit["text"] ?? "")'")
            if isAT { compared += 1 }
        }
        return compared
    }

    static func tshark(_ file: String, _ arguments: [String]) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: which("tshark")!)
        process.arguments = ["-n", "-r", file, "-X", "lua_script:" + lua] + arguments
        let out = try Tool.temporaryFile("tshark-\(UUID().uuidString).txt", Data())
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast().map(String.init)
    }
}
