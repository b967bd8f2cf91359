import EDMKit
import EDMKitIO
import Foundation
import Testing

/// `edm-decode extcap`: the answers Wireshark asks for, and (where tshark is installed) the
/// interface installed into a temporary home, listed by `tshark -D`, capturing a provisioning
/// run through its tap that the installed dissector decodes in both directions.
@Suite struct ExtcapTests {
    @Test func theExtcapAnswersWiresharksCalls() throws {
        let interfaces = try Tool.run("edm-decode", ["extcap", "--extcap-interfaces", "--extcap-version=4.0"])
        #expect(interfaces.status == 0, "\(interfaces.stderr)")
        let lines = interfaces.stdout.split(separator: "\n")
        #expect(
            lines.first?.hasPrefix("extcap {version=") == true
                && lines.contains { $0.hasPrefix("interface {value=ucx-edm}{display=") },
            "\(interfaces.stdout)")
        #expect(
            lines.contains { $0.hasPrefix("control {number=0}{type=button}{role=logger}{display=") },
            "\(interfaces.stdout)")
        let dlts = try Tool.run("edm-decode", ["extcap", "--extcap-interface", "ucx-edm", "--extcap-dlts"])
        #expect(dlts.stdout.hasPrefix("dlt {number=252}{name=WIRESHARK_UPPER_PDU}"), "\(dlts.stdout)")
        let config = try Tool.run("edm-decode", ["extcap", "--extcap-interface", "ucx-edm", "--extcap-config"])
        let calls = config.stdout.split(separator: "\n").compactMap { line in
            line.hasPrefix("arg ")
                ? line.firstRange(of: "{call=--").map { line[$0.upperBound...].prefix { $0 != "}" } } : nil
        }
        #expect(
            calls == ["mode", "port", "link", "host-port", "module-port", "baud", "flow-control"], "\(config.stdout)")
        #expect(config.stdout.contains("value {arg=5}{value=115200}{display=115200}{default=true}"))
        // Every `arg` and `value` line has the shape Wireshark parses: {key=value} groups only.
        #expect(
            config.stdout.split(separator: "\n").allSatisfy {
                $0.wholeMatch(of: /(arg|value) (\{[a-z]+=[^{}]*\})+/) != nil
            }, "\(config.stdout)")

        for (arguments, named) in [
            (["--capture"], "--fifo"), (["--capture", "--fifo", "/tmp/f", "--baud", "7"], "--baud"),
            (["--capture", "--fifo", "/tmp/f"], "--port"),
            (
                ["--capture", "--fifo", "/tmp/f", "--mode", "two-wire", "--host-port", "/dev/null"],
                "--module-port"
            ),
            (
                [
                    "--capture", "--fifo", "/tmp/f", "--port", "/dev/null",
                    "--extcap-capture-filter", "module tcp"
                ], "--extcap-capture-filter"
            )
        ] {
            let r = try Tool.run("edm-decode", ["extcap", "--extcap-interface", "ucx-edm"] + arguments)
            #expect(r.status == 64 && r.stderr.contains(named), "\(arguments): \(r.stderr)")
        }
    }

    /// Wireshark checks a capture filter by calling the extcap with the filter and the
    /// interface alone: an empty standard output is valid, else its first line is the error;
    /// the exit status is 0 either way (Wireshark reads no answer from a failing call).
    @Test(arguments: [("", ""), ("module at", ""), ("HOST edm data", ""), ("module tcp", "\"tcp\""),
                      ("at,edm", "\"at,edm\"")])
    func wiresharkChecksTheCaptureFilter(_ filter: String, _ error: String) throws {
        let r = try Tool.run("edm-decode", ["extcap", "--extcap-capture-filter", filter,
                                            "--extcap-interface", "ucx-edm"])
        #expect(r.status == 0, "\(r.stderr)")
        if error.isEmpty { #expect(r.stdout.isEmpty, "\(r.stdout)") } else {
            #expect(r.stdout.hasPrefix("unknown word \(error) in the capture filter: the words are host, module"),
                    "\(r.stdout)")
        }
    }

    /// A capture as Wireshark runs it with the toolbar: the control pipes (fifos the test
    /// made, opened by the test as Wireshark opens them) carry the tap's events to the logger
    /// and the status bar, and the capture filter keeps only the module's AT text.
    @Test func theToolbarShowsTheTapsEventsAndTheFilterChoosesUnits() throws {
        let dir = try Tool.temporaryDirectory("extcap-toolbar")
        let module = try PtyPair(), link = dir + "/host", toUs = dir + "/ws_to_ext", fromUs = dir + "/ext_to_ws"
        #expect(mkfifo(toUs, 0o600) == 0 && mkfifo(fromUs, 0o600) == 0)
        let reader = open(fromUs, O_RDONLY | O_NONBLOCK)
        defer { close(reader) }
        let extcap = try Tool.start("edm-decode", ["extcap", "--extcap-interface", "ucx-edm", "--capture",
                                                   "--fifo", dir + "/cap.pcapng", "--port", module.slavePath,
                                                   "--link", link, "--flow-control", "none",
                                                   "--extcap-capture-filter", "module at",
                                                   "--extcap-control-in", toUs, "--extcap-control-out", fromUs])
        defer { extcap.process.terminate() }
        try LiveTapTests.waitFor(link)
        try LiveTapTests.hostSession("AT\r", link: link, module: module)
        extcap.process.terminate()
        let r = try extcap.finish()
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")

        var bytes: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 65_536)
        while case let n = read(reader, &buffer, buffer.count), n > 0 { bytes += buffer[..<n] }
        var frames: [ExtcapControlFrame] = []
        while let (frame, count) = try ExtcapControlFrame.decode(bytes[...]) {
            frames.append(frame)
            bytes.removeFirst(count)
        }
        let logged = frames.filter { $0.control == 0 && $0.command == .add }.map(\.text)
        let status = frames.filter { $0.command == .statusbarMessage }.map(\.text)
        #expect(logged.count == 3, "\(logged)")
        #expect(logged.first?.hasPrefix("tap ") == true, "\(logged)")
        #expect(logged.dropFirst().first?.hasPrefix("the host opened \(link)") == true, "\(logged)")
        #expect(logged.last?.hasPrefix("the host closed \(link)") == true, "\(logged)")
        #expect(status.count == 2 && status.allSatisfy { $0.contains(link) }, "\(status)")

        let units = try Decode.json([dir + "/cap.pcapng"]).units.map { "\($0.from) \($0.text ?? "")" }
        #expect(units == ["module OK"], "\(units)")
    }

    @Test(
        .enabled(
            if: which("tshark") != nil,
            "tshark is not installed: the extcap is not checked in Wireshark (CI installs it)"))
    func tsharkCapturesAProvisioningRunThroughTheInterface() throws {
        let dir = try Tool.temporaryDirectory("extcap")
        let home = ["HOME": dir + "/home", "XDG_CONFIG_HOME": dir + "/home/.config"]
        let installed = try Self.run(
            Tool.root + "/wireshark/install-wireshark.sh", [Tool.buildDirectory.path + "/edm-decode"], environment: home
        )
        #expect(installed.status == 0, "\(installed.output)")
        #expect(
            installed.output.contains("ucx-edm-extcap") && installed.output.contains("ucx_edm.lua"),
            "\(installed.output)")
        let listed = try Self.run(which("tshark")!, ["-D"], environment: home)
        #expect(listed.output.contains("ucx-edm (u-blox u-connectXpress serial"), "\(listed.output)")

        let c = try Tool.simulatorCredentials(in: dir)
        let module = dir + "/module", host = dir + "/host"
        let simulator = try Tool.start("azure-dps", ["simulator", "assigned-fast", "--link", module, "--speed", "5"])
        defer { simulator.process.interrupt() }
        try LiveTapTests.waitFor(module)
        let fields = ["ucx_edm.dir", "ucx_at.dir", "ucx_at.text", "ucx_edm.at", "json.value.string"]
        let tshark = try Self.start(
            which("tshark")!,
            [
                "-i", "ucx-edm", "-o", "extcap.ucx_edm.port:" + module, "-o", "extcap.ucx_edm.link:" + host,
                "-o", "extcap.ucx_edm.flowcontrol:none", "-a", "duration:10", "-T", "fields", "-E", "occurrence=a",
                "-E", "aggregator=|"
            ]
                + fields.flatMap { ["-e", $0] }, environment: home, output: dir + "/tshark.txt")
        defer { tshark.terminate() }
        try LiveTapTests.waitFor(host)
        let run = try Tool.run(
            "azure-dps",
            [
                "--port", host, "--id-scope", "0ne00SIMUL8", "--ssid", "simulated-lab", "--ca", c.ca,
                "--cert", c.cert, "--key", c.key, "--no-flow-control", "--no-record", "--poll-interval", "2"
            ],
            environment: ["AZURE_DPS_WIFI_PASSPHRASE": "simulator passphrase"])
        #expect(run.status == 0, "\(run.stderr)")
        tshark.waitUntilExit()
        let rows = try String(contentsOfFile: dir + "/tshark.txt", encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false)
        }
        // Per packet: the direction (0 host to module, 1 back), the AT text of either protocol, the DPS JSON strings.
        let packets = rows.filter { $0.count == fields.count }.map {
            (dir: String(($0[0] + $0[1]).prefix(1)), at: $0[2] + $0[3], json: $0[4])
        }
        #expect(packets.count > 50, "\(rows.count) rows")
        #expect(packets.contains { $0.dir == "0" && $0.at.hasPrefix("AT+USECMNG=0,0") }, "no host command mode AT")
        #expect(packets.contains { $0.dir == "1" && $0.at.contains("OK") }, "no module answer")
        #expect(packets.contains { $0.dir == "0" && $0.at.hasPrefix("AT+UDCP=mqtt") }, "no host AT inside EDM")
        #expect(
            packets.contains {
                $0.dir == "1" && $0.json.contains("sim-hub.azure-devices.net") && $0.json.contains("assigned")
            },
            "no DPS answer from the module")
        #expect(!FileManager.default.fileExists(atPath: host), "the extcap left its link")
    }

    /// tshark gives its `-f` filter to the extcap (without asking it to check it first): the
    /// capture holds only the units the filter names.
    @Test(.enabled(if: which("tshark") != nil, "tshark is not installed: the filter is not checked in tshark"))
    func tsharkPassesItsCaptureFilterToTheInterface() throws {
        let dir = try Tool.temporaryDirectory("extcap-filter")
        let home = ["HOME": dir + "/home", "XDG_CONFIG_HOME": dir + "/home/.config"]
        let installer = Tool.root + "/wireshark/install-wireshark.sh"
        let installed = try Self.run(installer, [Tool.buildDirectory.path + "/edm-decode"], environment: home)
        #expect(installed.status == 0, "\(installed.output)")
        let module = try PtyPair(), link = dir + "/host"
        let arguments = ["-i", "ucx-edm", "-o", "extcap.ucx_edm.port:" + module.slavePath,
                         "-o", "extcap.ucx_edm.link:" + link, "-o", "extcap.ucx_edm.flowcontrol:none",
                         "-f", "module", "-a", "duration:5",
                         "-T", "fields", "-e", "ucx_at.dir", "-e", "ucx_at.text"]
        let tshark = try Self.start(which("tshark")!, arguments, environment: home, output: dir + "/tshark.txt")
        defer { tshark.terminate() }
        try LiveTapTests.waitFor(link)
        let host = try SerialPort.open(link, hardwareFlowControl: false)
        for (command, answer) in [("AT\r", "\r\nOK\r\n"), ("AT+GMM\r", "\r\nNINA-W15\r\n\r\nOK\r\n")] {
            _ = try host.write(Array(command.utf8), until: .now + .seconds(1))
            #expect(try LiveTapTests.read(command.utf8.count, from: module) == Array(command.utf8))
            _ = try module.write(Array(answer.utf8), until: .now + .seconds(1))
            #expect(try LiveTapTests.read(answer.utf8.count, from: host) == Array(answer.utf8))
        }
        host.close()
        tshark.waitUntilExit()
        let rows = try String(contentsOfFile: dir + "/tshark.txt", encoding: .utf8).split(separator: "\n")
        // The module's three units (OK, the model's line, OK); none of the host's two commands.
        #expect(rows.count == 3 && !rows.contains { $0.hasPrefix("0") || $0.contains("AT") }, "\(rows)")
        #expect(rows.filter { $0.hasPrefix("1\t") && $0.contains("OK") }.count == 2, "\(rows)")
    }

    static func start(
        _ program: String, _ arguments: [String], environment: [String: String], output: String
    ) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = FileHandle.nullDevice
        process.currentDirectoryURL = URL(fileURLWithPath: NSTemporaryDirectory())
        try process.run()
        return process
    }

    static func run(
        _ program: String, _ arguments: [String], environment: [String: String]
    ) throws -> (status: Int32, output: String) {
        let out = try Tool.temporaryFile("run-\(UUID().uuidString).txt", Data())
        let process = try start(program, arguments, environment: environment, output: out)
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOfFile: out, encoding: .utf8))
    }
}
