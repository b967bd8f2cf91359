import Testing
@testable import EDMKit

@Suite struct ATCatalogTests {
    func explain(_ text: String) -> String? { ATCatalog.explain(ATCommandLine(text)) }
    func fields(_ text: String) -> [String] {
        ATCatalog.fields(of: ATCommandLine(text)).map { "\($0.name)=\($0.value)" }
    }

    @Test func requiredExplanations() {
        let cases: [(String, String)] = [
            ("+UUWLD:0,4", "Wi-Fi link down: security problem, check the passphrase"),
            ("+UUWLE:0,802AA8035ADE,11", "Wi-Fi up, BSSID 80:2A:A8:03:5A:DE, channel 11"),
            ("AT+UWSC=0,2,MyNet", #"Wi-Fi station config 0: SSID "MyNet""#),
            ("AT+UWSC=0,8,secretpass", "Wi-Fi station config 0: passphrase (10 characters)"),
            ("+UUDPC:2,2,6,0.0.0.0,0,20.43.44.164,8883", "peer 2 connected: IPv4 MQTT to 20.43.44.164:8883"),
            ("+UUDPC:1,2,0,192.168.0.1,4000,192.168.0.2,5000", "peer 1 connected: IPv4 TCP to 192.168.0.2:5000"),
            (
                "+UUDPC:3,1,4,01A0F7101C08p,244",
                "peer 3 connected: Bluetooth SPS to 01:A0:F7:10:1C:08 (public), frame size 244"
            ),
            ("AT+USECMNG=0,0,ca.pem,1261", #"import root CA "ca.pem" (1261 bytes)"#),
            (
                #"+USECMNG:0,0,"ca.pem","ACB694A59C17E0D791529BB19706A6E4""#,
                #"root CA "ca.pem" stored, MD5 ACB694A59C17E0D791529BB19706A6E4"#
            ),
            ("+STARTUP", "module started (boot finished)"),
            ("ERROR", "command failed"),
            ("OK", "command succeeded"),
            ("+CME ERROR: 4", "command failed with error 4"),
            (
                referenceLogLines[23],
                #"connect MQTT peer to global.azure-devices-provisioning.net:8883, client "ninadps""#
            ),
            ("AT+UDCP=tcp://[fe80::2]:5000/", "connect TCP peer to [fe80::2]:5000"),
            ("AT+UDCP=a:/b://h:1?client=x=y&client=z", #"connect A:/B peer to h:1, client "x=y""#),
            ("AT+UDCP=udp://h", "connect UDP peer to h"),
            ("AT+UDCP=://h:1", "connect a peer given by URL"),
            ("AT+UDCP=mqtt://", "connect a peer given by URL"),
            ("AT+UDCP=mqtt:/h", "connect a peer given by URL"),
            ("AT+UWSC=0,5,2", "Wi-Fi station config 0: authentication WPA/WPA2-PSK"),
            ("AT+UWSC=0,100,2", "Wi-Fi station config 0: IPv4 mode DHCP"),
            ("AT+UWSC=0,0,1", "Wi-Fi station config 0: active on startup: yes"),
            ("AT+UWSCA=0,3", "Wi-Fi station config 0: activate (connect)"),
            ("+UUNU:0", "network up (interface 0)"),
            ("+UUND:0", "network down (interface 0)"),
            ("+UDCP:2", "connecting as peer 2"),
            ("+UUDPD:2", "peer 2 disconnected"),
            ("AT+UDCPC=2", "close peer 2"),
            ("AT+USECMNG=2,1,cert.pem", #"remove client certificate "cert.pem""#),
            ("AT+USECMNG=3", "list stored credentials"),
            ("AT+USECMNG=4,2,key.pem", #"read the MD5 of client private key "key.pem""#),
            ("AT+UDUV=0,$dps/x/?$rid=1&operationId=5", #"set URL variable 0 to "$dps/x/?$rid=1&operationId=5""#),
            ("ATE0", "turn command echo off"),
            ("ATO2", "enter Extended Data Mode (EDM)"),
            ("AT+UFACTORY", "restore factory settings (effective after the next reboot)"),
            ("AT+CPWROFF", "reboot the module"),
            ("AT+UWSC=?", "ask which values AT+UWSC accepts"),
        ]
        for (text, expected) in cases {
            #expect(explain(text) == expected, "\(text)")
        }
    }

    @Test func everyReferenceLogATLineIsExplained() {
        for text in referenceLogLines where ATCommandLine(text).kind != .other {
            #expect(explain(text) != nil, "\(text)")
        }
    }

    /// Found by name, an entry is the one going down the table would find: every name as a
    /// command, a response, a bare line, in lower case, and unknown neighbours.
    @Test func entriesFoundByNameAsDownTheTable() {
        var texts = ["AT", "at", "ATE0", "OK", "ERROR", "+CME ERROR: 4", ">", "> ", "AT+UDCP", "+UDCP:2"]
        for name in Set(ATCatalog.entries.map(\.name)) {
            texts += [
                "AT\(name)=1", "at\(name.lowercased())?", "\(name):1", name, name.lowercased(), "\(name)X:1",
                "AT\(name)X"
            ]
        }
        for text in texts {
            let line = ATCommandLine(text)
            #expect(ATCatalog.entry(for: line) == ATCatalog.entries.first { $0.matches(line) }, "\(text)")
        }
    }

    @Test func unknownLinesParseButHaveNoExplanation() {
        for text in ["AT+UNSTAT=0", "+UUFOO:1,2", "ATZ", "-----BEGIN CERTIFICATE-----", "NO CARRIER"] {
            let line = ATCommandLine(text)
            #expect(line.rendered == text)
            #expect(ATCatalog.explain(line) == nil, "\(text)")
            #expect(ATCatalog.entry(for: line) == nil, "\(text)")
        }
        #expect(ATCommandLine("AT+UNSTAT=0,1").parameters.count == 2)
        #expect(fields("AT+UNSTAT=0,1") == ["parameter_1=0", "parameter_2=1"])
    }

    @Test func fieldNamesInOrder() {
        let f = ATCatalog.fields(of: ATCommandLine("+UUWLD:0,4"))
        #expect(f.map(\.name) == ["connection", "reason"])
        #expect(f.map(\.value) == ["0", "4"])
        #expect(
            fields("+UUDPC:2,2,6,0.0.0.0,0,20.43.44.164,8883")
                == [
                    "peer=2", "type=2", "protocol=6", "local_ip=0.0.0.0", "local_port=0", "remote_ip=20.43.44.164",
                    "remote_port=8883"
                ])
        #expect(
            fields("+UUDPC:3,1,4,01A0F7101C08p,244") == [
                "peer=3", "type=1", "profile=4", "address=01A0F7101C08p", "frame_size=244"
            ])
        #expect(fields(#"+USECMNG:0,0,"ca.pem","ACB6""#) == ["operation=0", "type=0", "credential=ca.pem", "md5=ACB6"])
        #expect(fields("AT+USECMNG=3") == ["operation=3"])
        #expect(fields("AT+UWSCA=0,3,9") == ["config=0", "action=3", "parameter_3=9"])
        #expect(fields("+CME ERROR: 4") == ["error=4"])
        // The last field of AT+UDUV takes the rest, commas included.
        #expect(fields("AT+UDUV=1,a,b") == ["index=1", "value=a,b"])
        #expect(fields("AT+UDCP=tcp://h:1/?x=1,2") == ["url=tcp://h:1/?x=1,2"])
    }

    /// `fields` in JSON puts the line's `name` first, then these: a field called `name`, or
    /// one twice, would make a JSON object with a duplicate key.
    @Test func fieldNamesAreUniqueKeysBesideName() {
        for entry in ATCatalog.entries {
            for names in [entry.fields, entry.variant?.fields ?? []] {
                #expect(!names.contains("name"), "\(entry.displayName)")
                #expect(Set(names).count == names.count, "\(entry.displayName)")
                #expect(!names.contains { $0.hasPrefix("parameter_") }, "\(entry.displayName)")
            }
        }
    }

    @Test func entriesByName() {
        #expect(ATCatalog.entry(named: "+UWSC")?.kind == .command)
        #expect(ATCatalog.entry(named: "AT+UWSC")?.name == "+UWSC")
        #expect(ATCatalog.entry(named: "at+uwsc")?.name == "+UWSC")
        #expect(ATCatalog.entry(named: "+UDCP")?.kind == .command)
        #expect(ATCatalog.entry(named: "+UDCP:")?.kind == .response)
        #expect(ATCatalog.entry(named: "+USECMNG:")?.fields == ["operation", "type", "credential", "md5"])
        #expect(ATCatalog.entry(named: "")?.summary == ATCatalog.entry(named: "AT")?.summary)
        #expect(ATCatalog.entry(named: "AT")?.kind == .command)
        #expect(ATCatalog.entry(named: "E1")?.summary == "turn command echo on")
        #expect(ATCatalog.entry(named: "+UUWLD")?.kind == .urc)
        #expect(ATCatalog.entry(named: "+UUWLD:")?.kind == .urc)
        #expect(ATCatalog.entry(named: "+STARTUP")?.displayName == "+STARTUP")
        #expect(ATCatalog.entry(named: "+UNKNOWN") == nil)
        #expect(ATCatalog.entry(named: "ATZ") == nil)
    }

    @Test func tableIsOrderedAndUnique() {
        let keys = ATCatalog.entries.map { "\($0.kind.rawValue) \($0.name)" }
        #expect(Set(keys).count == keys.count)
        #expect(ATCatalog.entries.first?.name == "")
        #expect(ATCatalog.entries.allSatisfy { !$0.summary.isEmpty })
        for name in [
            "", "+UFACTORY", "+CPWROFF", "E0", "E1", "+USECMNG", "O2", "+UWSC", "+UWSCA", "+UDCP", "+UDUV", "+UDCPC"
        ] {
            #expect(ATCatalog.entries.contains { $0.kind == .command && $0.name == name }, "\(name)")
        }
        for name in ["+UUWLE", "+UUWLD", "+UUNU", "+UUND", "+UUDPC", "+UUDPD", "+STARTUP"] {
            #expect(ATCatalog.entries.contains { $0.kind == .urc && $0.name == name }, "\(name)")
        }
    }

    @Test func linkDownReasons() {
        let reasons = (0...5).map { explain("+UUWLD:0,\($0)") ?? "" }
        #expect(Set(reasons).count == 6)
        #expect(reasons.allSatisfy { $0.hasPrefix("Wi-Fi link down: ") })
        #expect(explain("+UUWLD:0,9") == "Wi-Fi link down: reason 9")
    }

    @Test func secretParameters() {
        #expect(ATCatalog.secretParameterIndex(of: ATCommandLine("AT+UWSC=0,8,secretpass")) == 2)
        #expect(ATCatalog.secretParameterIndex(of: ATCommandLine("AT+UWSC=0,9,secretpass")) == 2)
        #expect(ATCatalog.secretParameterIndex(of: ATCommandLine("AT+UWSC=0,2,MyNet")) == nil)
        #expect(ATCatalog.secretParameterIndex(of: ATCommandLine("AT+UWSC=0,8")) == nil)
        #expect(ATCatalog.secretParameterIndex(of: ATCommandLine("AT+USECMNG=0,2,key.pem,1704,pw")) == 4)
        #expect(ATCatalog.secretParameterIndex(of: ATCommandLine("AT+USECMNG=0,2,key.pem,1704")) == nil)
        #expect(ATCatalog.secretParameterIndex(of: ATCommandLine("+UUWLD:0,4")) == nil)
        #expect(ATCatalog.secretParameterIndices(of: ATCommandLine("AT+UWSC=0,8,a,b,c")) == [2, 3, 4])
        #expect(
            ATCatalog.secretParameterIndices(of: ATCommandLine("AT+UDUV=1,SharedAccessSignature sr=x&sig=y")) == [1])
        #expect(ATCatalog.secretParameterIndices(of: ATCommandLine("AT+UDUV=0,$dps/x")) == [])
    }

    @Test func secretsNeverAppearInExplanations() {
        let secret = "Hunter2Secret"
        let lines = [
            "AT+UWSC=0,8,\(secret)", "AT+UWSC=0,8,\"\(secret)\"", "AT+UWSC=0,9,\(secret)",
            "AT+UWSC=0,8,\(secret),more", "AT+UWSC=0,6,\(secret),\(secret)x",
            "AT+USECMNG=0,2,key.pem,1704,\(secret)",
            "AT+UDUV=2,SharedAccessSignature sr=a&sig=\(secret)&se=1&skn=registration",
            "AT+UDCP=mqtt://h:8883/?client=dev&user=s/registrations/dev&passwd=%%2",
            "AT+UDCP=mqtt://h:8883/?client=dev&passwd=\(secret)&pt=x",
        ]
        for text in lines {
            let explanation = explain(text)
            #expect(explanation != nil, "\(text)")
            #expect(explanation?.contains(secret) == false, "\(text)")
            #expect(explanation?.contains("registration") == false, "\(text)")
        }
        #expect(
            explain("AT+USECMNG=0,2,key.pem,1704,\(secret)")
                == #"import client private key "key.pem" (1704 bytes, password-protected)"#)
        #expect(explain("AT+UWSC=0,8,short") == "Wi-Fi station config 0: passphrase (5 characters; WPA needs 8 to 63)")
        #expect(
            explain("AT+UWSC=0,8," + String(repeating: "ab", count: 32))
                == "Wi-Fi station config 0: pre-shared key (64 hex digits)")
    }

    @Test func credentialImports() {
        let ca = ATCatalog.credentialImport(of: ATCommandLine("AT+USECMNG=0,0,ca.pem,1261"))
        #expect(ca?.type == 0 && ca?.name == "ca.pem" && ca?.size == 1261)
        let key = ATCatalog.credentialImport(of: ATCommandLine(#"AT+USECMNG=0,2,"key.pem",1704,pw"#))
        #expect(key?.type == 2 && key?.name == "key.pem" && key?.size == 1704)
        #expect(ATCatalog.credentialImport(of: ATCommandLine("AT+USECMNG=4,0,ca.pem")) == nil)
        #expect(ATCatalog.credentialImport(of: ATCommandLine("AT+USECMNG=0,0,ca.pem")) == nil)
        #expect(ATCatalog.credentialImport(of: ATCommandLine("AT+USECMNG=0,0,ca.pem,x")) == nil)
        #expect(ATCatalog.credentialImport(of: ATCommandLine(#"+USECMNG:0,0,"ca.pem","ACB6""#)) == nil)
        #expect(ATCatalog.credentialImport(of: ATCommandLine("AT+UWSC=0,0,ca.pem,12")) == nil)
    }
}
