import Testing
@testable import EDMKit

/// Every AT line of reference/azure-dps-example-session.log (command-mode lines, echoes,
/// and the AT text of EDM frames without its `\r`), plus the non-AT lines around them.
let referenceLogLines: [String] = [
    "AT+UFACTORY",
    "+STARTUP",
    "OK",
    "AT+CPWROFF",
    "AT+USECMNG=0,0,ca.pem,1261",
    ">",
    "-----BEGIN CERTIFICATE-----",
    "...",
    "-----END CERTIFICATE-----",
    #"+USECMNG:0,0,"ca.pem","ACB694A59C17E0D791529BB19706A6E4""#,
    "AT+USECMNG=0,1,cert.pem,1224",
    #"+USECMNG:0,1,"cert.pem","9A1F95B8D512FA0ED075DD2B794ECB2A""#,
    "AT+USECMNG=0,2,key.pem,1704",
    "-----BEGIN PRIVATE KEY-----",
    "-----END PRIVATE KEY-----",
    #"+USECMNG:0,2,"key.pem","695D5D1EBB1DDBD0C6F2C128BAEB7F34""#,
    "ATO2",
    "AT+UWSC=0,2,SSID",
    "AT+UWSC=0,5,2",
    "AT+UWSC=0,8,PASSWORD",
    "AT+UWSCA=0,3",
    "+UUWLE:0,802AA8035ADE,11",
    "+UUNU:0",
    "AT+UDCP=mqtt://global.azure-devices-provisioning.net:8883/?client=ninadps&user=0ne0067E45C/registrations/ninadps/api-version=2019-03-31&pt=$dps/registrations/PUT/iotdps-register/?$rid={request_id}&st=$dps/registrations/res/#&encr=3&keepAlive=60&ca=ca.pem&cert=cert.pem&privKey=key.pem",
    "+UDCP:2",
    "+UUDPC:2,2,6,0.0.0.0,0,20.43.44.164,8883",
    "AT+UDUV=0,$dps/registrations/GET/iotdps-get-operationstatus/?$rid={request_id}&operationId=5.b084dab098f0a900.076859d0-7180-40b8-9d06-bf611e398ec0",
    "AT+UDCP=mqtt://global.azure-devices-provisioning.net:8883/?client=ninadps&user=0ne0067E45C/registrations/ninadps/api-version=2019-03-31&pt=%%0&encr=3&keepAlive=60&ca=ca.pem&cert=cert.pem&privKey=key.pem",
    "+UDCP:4",
    "+UUDPC:4,2,6,0.0.0.0,0,20.43.44.164,8883",
]

@Suite struct ATCommandLineTests {
    @Test func referenceLogLinesRoundTrip() {
        for text in referenceLogLines {
            let line = ATCommandLine(text)
            #expect(line.rendered == text)
            #expect(line.description == text)
            #expect(ATCommandLine(bytes: Array(text.utf8)) == line)
            // The parameters, joined back with their commas, are the raw arguments.
            if line.kind != .other, let raw = line.rawArguments {
                #expect(line.parameters.map(\.raw).joined(separator: ",") == raw, "\(text)")
            }
        }
    }

    @Test func referenceLogLinesGetTheirKindNameAndParameterCount() {
        let expected: [(ATCommandLine.Kind, String, ATCommandLine.Form?, Int)] = [
            (.command, "+UFACTORY", .action, 0), (.information, "+STARTUP", nil, 0), (.final, "OK", nil, 0),
            (.command, "+CPWROFF", .action, 0), (.command, "+USECMNG", .set, 4), (.prompt, ">", nil, 0),
            (.other, "", nil, 0), (.other, "", nil, 0), (.other, "", nil, 0),
            (.information, "+USECMNG", nil, 4), (.command, "+USECMNG", .set, 4), (.information, "+USECMNG", nil, 4),
            (.command, "+USECMNG", .set, 4), (.other, "", nil, 0), (.other, "", nil, 0),
            (.information, "+USECMNG", nil, 4), (.command, "O2", .action, 0), (.command, "+UWSC", .set, 3),
            (.command, "+UWSC", .set, 3), (.command, "+UWSC", .set, 3), (.command, "+UWSCA", .set, 2),
            (.information, "+UUWLE", nil, 3), (.information, "+UUNU", nil, 1), (.command, "+UDCP", .set, 1),
            (.information, "+UDCP", nil, 1), (.information, "+UUDPC", nil, 7), (.command, "+UDUV", .set, 2),
            (.command, "+UDCP", .set, 1), (.information, "+UDCP", nil, 1), (.information, "+UUDPC", nil, 7),
        ]
        #expect(expected.count == referenceLogLines.count)
        for (text, (kind, name, form, count)) in zip(referenceLogLines, expected) {
            let line = ATCommandLine(text)
            #expect(line.kind == kind, "\(text)")
            #expect(line.name == name, "\(text)")
            #expect(line.form == form, "\(text)")
            #expect(line.parameters.count == count, "\(text)")
        }
    }

    @Test func urlIsOneParameterAndRawArgumentsAreExact() {
        let url = "mqtt://h:8883/?client=a&user=b/c&pt=$dps/x/?$rid=1&op=%%0"
        let line = ATCommandLine("AT+UDCP=" + url)
        #expect(line.parameters.count == 1)
        #expect(line.parameter(0) == url)
        #expect(line.rawArguments == url)
        #expect(line.separator == "=")

        let uduv = ATCommandLine(referenceLogLines[26])
        #expect(uduv.parameter(0) == "0")
        #expect(
            uduv.parameter(1)
                == "$dps/registrations/GET/iotdps-get-operationstatus/?$rid={request_id}&operationId=5.b084dab098f0a900.076859d0-7180-40b8-9d06-bf611e398ec0"
        )
    }

    @Test func commandForms() {
        let cases: [(String, String, ATCommandLine.Form, String?, String)] = [
            ("AT", "", .action, nil, ""),
            ("ATE0", "E0", .action, nil, ""),
            ("ATO2", "O2", .action, nil, ""),
            ("at+uwsc=0,2,x", "+uwsc", .set, "0,2,x", "="),
            ("AT+UWSC?", "+UWSC", .read, nil, "?"),
            ("AT+UWSC=?", "+UWSC", .test, nil, "=?"),
            ("AT+UDCPC=", "+UDCPC", .set, "", "="),
            ("ATS3=13", "S3", .set, "13", "="),
        ]
        for (text, name, form, args, separator) in cases {
            let line = ATCommandLine(text)
            #expect(line.kind == .command, "\(text)")
            #expect(line.name == name, "\(text)")
            #expect(line.form == form, "\(text)")
            #expect(line.rawArguments == args, "\(text)")
            #expect(line.separator == separator, "\(text)")
            #expect(line.rendered == text)
        }
        #expect(ATCommandLine("at+uwsc=0,2,x").prefix == "at")
        #expect(ATCommandLine("AT+UDCPC=").parameters.isEmpty)
    }

    @Test func quotedStringsKeepTheirCommas() {
        let line = ATCommandLine(#"AT+UWSC=0,2,"My, Net",7,"",x"#)
        #expect(line.parameters.map(\.text) == ["0", "2", "My, Net", "7", "", "x"])
        #expect(line.parameters.map(\.isQuoted) == [false, false, true, false, true, false])
        #expect(line.parameters[2].raw == #""My, Net""#)
        #expect(line.rendered == #"AT+UWSC=0,2,"My, Net",7,"",x"#)

        let md5 = ATCommandLine(referenceLogLines[9])
        #expect(md5.parameters.map(\.text) == ["0", "0", "ca.pem", "ACB694A59C17E0D791529BB19706A6E4"])
        #expect(md5.parameters.map(\.isQuoted) == [false, false, true, true])

        // An unbalanced quote runs to the end: nothing after it is split.
        let open = ATCommandLine(#"+X:1,"a,b"#)
        #expect(open.parameters.map(\.raw) == ["1", #""a,b"#])
        #expect(open.parameters[1].isQuoted == false)
    }

    @Test func emptyParametersAndSpaces() {
        let line = ATCommandLine("AT+X=1,,3, 4 ")
        #expect(line.parameters.map(\.text) == ["1", "", "3", " 4 "])  // commands keep spaces
        #expect(line.integer(3) == 4)
        let info = ATCommandLine("+X: 1 , \"a\" ")
        #expect(info.parameters.map(\.text) == ["1", "a"])            // responses drop them
        #expect(info.parameters[1].isQuoted)
    }

    @Test func finalResults() {
        let ok = ATCommandLine("\r\nOK\r\n")
        #expect(ok.kind == .final && ok.isOK && !ok.isError && ok.cmeError == nil)
        #expect(ok.rendered == "OK")
        let error = ATCommandLine("ERROR")
        #expect(error.kind == .final && error.isError && !error.isOK && error.cmeError == nil)
        let cme = ATCommandLine("+CME ERROR: 4")
        #expect(cme.kind == .final && cme.isError && !cme.isOK)
        #expect(cme.name == "+CME ERROR")
        #expect(cme.cmeError == 4)
        #expect(cme.rawArguments == " 4")
        #expect(cme.rendered == "+CME ERROR: 4")
        #expect(ATCommandLine("OKAY").kind == .other)
        #expect(ATCommandLine("+UUNU:0").isOK == false)
    }

    @Test func informationAndOtherLines() {
        let startup = ATCommandLine(bytes: Array("\r\n+STARTUP\r\n".utf8)[...])
        #expect(startup.kind == .information && startup.name == "+STARTUP")
        #expect(startup.rawArguments == nil && startup.parameters.isEmpty)
        #expect(startup.rendered == "+STARTUP")

        let urc = ATCommandLine(bytes: [0x2B, 0x55, 0x55, 0x44, 0x50, 0x44, 0x3A, 0x33, 0x2C, 0x31, 0x0D, 0x0A])
        #expect(urc.name == "+UUDPD" && urc.parameters.map(\.text) == ["3", "1"])

        let prompt = ATCommandLine("> ")
        #expect(prompt.kind == .prompt && prompt.rendered == "> ")
        #expect(ATCommandLine(">x").kind == .other)

        let noise = ATCommandLine(bytes: [0xFF, 0x00, 0x41])
        #expect(noise.kind == .other && noise.parameters.isEmpty)
        #expect(ATCommandLine("").kind == .other)
        #expect(ATCommandLine("").rendered == "")
    }

    @Test func builtCommandsRenderAndReparse() {
        let built = ATCommandLine.command("+UWSC", .set, [.init("0"), .init("2"), .init("My Net", quoted: true)])
        #expect(built.rendered == #"AT+UWSC=0,2,"My Net""#)
        #expect(ATCommandLine(built.rendered) == built)
        #expect(ATCommandLine.command("+CPWROFF").rendered == "AT+CPWROFF")
        #expect(ATCommandLine.command("E0") == ATCommandLine("ATE0"))
        #expect(ATCommandLine.command("+UWSC", .test).rendered == "AT+UWSC=?")
        #expect(ATCommandLine.command("+UWSC", .read).rendered == "AT+UWSC?")
    }

    @Test func restJoinsTrailingParameters() {
        let line = ATCommandLine("AT+UDUV=1,a,b,c")
        #expect(line.rest(from: 1)?.text == "a,b,c")
        #expect(line.rest(from: 4) == nil)
        // The last parameter is its own rest: what joining and reading again gives.
        for text in [
            #"AT+UDUV=1, "q" "#, #"+UUDPC: 1 , 2 "#, "AT+UDCP=mqtt://h:1/?a=b", #"AT+X="a,b""#, "+CME ERROR: 4",
            #"AT+X=1,"a"#
        ] {
            let line = ATCommandLine(text)
            let last = line.parameters.count - 1
            #expect(
                line.rest(from: last)
                    == ATCommandLine.parameter(raw: line.parameters[last].raw, trimming: line.kind != .command),
                "\(text)")
        }
    }

    /// The name as the catalog compares it: upper case, also when only ASCII needs no change
    /// (then it is the name itself) and when Unicode does (`ſ` upper-cases to `S`).
    @Test func upperCasedNameIsTheNameInUpperCase() {
        for text in ["AT+UWSC=0,2,x", "at+uwsc=0,2,x", "+uudpc:2,2", "AT+UWſC=0", "ATO2", "OK", "+STARTUP"] {
            let line = ATCommandLine(text)
            #expect(line.upperCasedName == line.name.uppercased(), "\(text)")
        }
    }
}
