import EDMKit
import Foundation
import Testing

/// azure-dps with a symmetric key: the options, the environment, the pre-flight refusals, and
/// the simulated enrollment group, which knows only the simulator's group key.
@Suite struct SymmetricKeyToolTests {
    static let groupKey = Base64.encode(SimulatedDPS.Configuration.SymmetricKeyEnrollment.simulator.key)
    /// A simulated run in simulated time, its settings from the command line but the key.
    static let offline = ["--simulate", "sas", "--offline", "--no-record", "--json", "--registration-id", "sim-device"]

    static func outcome(_ r: Tool.Result) -> String? {
        (try? JSONSerialization.jsonObject(with: r.stdoutBytes) as? [String: Any])?["outcome"] as? String
    }

    @Test func theGroupKeySignsForTheDeviceAndNeverShows() throws {
        let file = try Tool.temporaryFile("group-\(UUID().uuidString).key", Data((Self.groupKey + "\n").utf8))
        let byFile = try Tool.run("azure-dps", Self.offline + ["--group-key-file", file, "-v"])
        #expect(byFile.status == 0 && Self.outcome(byFile) == "assigned", "\(byFile.stderr)")
        let byVariable = try Tool.run("azure-dps", Self.offline, environment: ["AZURE_DPS_GROUP_KEY": Self.groupKey])
        #expect(byVariable.status == 0 && Self.outcome(byVariable) == "assigned", "\(byVariable.stderr)")
        for output in [byFile.stdout, byFile.stderr, byVariable.stdout, byVariable.stderr] {
            #expect(
                !output.contains(Self.groupKey) && !output.contains("SharedAccessSignature"),
                "a secret is shown:\n\(output)")
        }
        // The group's key used as if it were the device's: the mistake DPS answers 401000, with advice.
        let asIndividual = try Tool.run("azure-dps", Self.offline + ["--symmetric-key-file", file])
        #expect(asIndividual.status == 2 && asIndividual.stderr.contains("401000")
                && asIndividual.stderr.contains("derived key belongs"), "\(asIndividual.stderr)")
    }

    @Test func everySASScenarioThroughAPtyRecordsNoToken() throws {
        let dir = try Tool.temporaryDirectory("sas")
        let expected: [(String, Int32, String)] = [("sas", 0, "Assigned to"), ("sas-group-key", 2, "401000"),
                                                   ("sas-expired", 2, "the token has expired"),
                                                   ("sas-too-long", 4, "AT+UDUV was answered ERROR")]
        for (scenario, code, says) in expected {
            let path = "\(dir)/\(scenario).pcapng"
            let r = try Tool.run("azure-dps", ["--simulate", scenario, "--simulate-speed", "10", "--record", path])
            #expect(r.status == code && r.stderr.contains(says), "\(scenario): exit \(r.status)\n\(r.stderr)")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(bytes.range(of: Data("SharedAccessSignature".utf8)) == nil, "\(scenario): the token is recorded")
            let decoded = try Tool.run("edm-decode", [path, "-f", "transcript"])
            #expect(
                decoded.status == 0 && (scenario == "sas-too-long" || decoded.stdout.contains("passwd=%%1")),
                "\(scenario): \(decoded.stderr)")
            // The token is the session's variable (its expiry differs on every run); a run ten
            // times faster than the module's timing is recorded in the module's time.
            let replayed = try Tool.run("edm-replay", ["check", path])
            #expect(replayed.status == 0, "\(scenario) does not replay:\n\(replayed.stdout)")
        }
    }

    @Test func badKeysAndMissingSettingsAreRefusedBeforeThePort() throws {
        let dir = try Tool.temporaryDirectory("sas-refusals")
        let c = try Tool.simulatorCredentials(in: dir)
        let key = try Tool.temporaryFile("k-\(UUID().uuidString).key", Data(Self.groupKey.utf8))
        let notBase64 = try Tool.temporaryFile("k-\(UUID().uuidString).key", Data("this is not a key!".utf8))
        let short = try Tool.temporaryFile("k-\(UUID().uuidString).key", Data("QUJDREVG".utf8))
        let port = ["--port", "/dev/ttyNOPE9", "--id-scope", "0ne1", "--ssid", "lab", "--ca", c.ca]
        let env = ["AZURE_DPS_WIFI_PASSPHRASE": "a passphrase"]
        let cases: [([String], [String: String], Int32, String)] = [
            (port + ["--group-key-file", key, "--symmetric-key-file", key], [:], 64, "exclude each other"),
            (port + ["--group-key-file", key, "--cert", c.cert], [:], 64, "uploads no client certificate"),
            (port + ["--group-key-file", key], [:], 64, "missing --registration-id"),
            (port + ["--group-key-file", notBase64, "--registration-id", "d1"], [:], 65, "not base64"),
            (port + ["--group-key-file", short, "--registration-id", "d1"], [:], 65, "decodes to 6 bytes"),
            (port + ["--group-key-file", "\(dir)/absent.key", "--registration-id", "d1"], [:], 66, "absent.key"),
            (
                port + ["--registration-id", "d1", "--sas-ttl", "600", "--cert", c.cert, "--key", c.key], [:], 64,
                "no symmetric key"
            ),
            (port + ["--group-key-file", key, "--registration-id", "d1", "--sas-ttl", "59"], [:], 64, "--sas-ttl"),
            (
                port + ["--registration-id", "d1"],
                ["AZURE_DPS_GROUP_KEY": Self.groupKey, "AZURE_DPS_SYMMETRIC_KEY": Self.groupKey],
                64, "are both set"
            ),
            (
                port + [
                    "--group-key-file", key, "--registration-id", "d1", "--dps-host",
                    String(repeating: "h", count: 4000)
                ], [:],
                65, "an EDM frame carries at most"
            )
        ]
        for (arguments, extra, code, says) in cases {
            let r = try Tool.run("azure-dps", arguments, environment: env.merging(extra) { $1 })
            #expect(
                r.status == code && r.stderr.contains(says), "\(arguments.suffix(4)): exit \(r.status)\n\(r.stderr)")
            #expect(
                !r.stderr.contains(Self.groupKey) && !r.stderr.contains("this is not a key"),
                "the key is shown:\n\(r.stderr)")
        }
    }

    /// An individual enrollment's own key (here the device key the simulated group derives for
    /// sim-device), through a real pty: assigned, and the recording replays.
    @Test func anIndividualEnrollmentThroughAPty() throws {
        let derived = SASToken.deviceKey(groupKey: SimulatedDPS.Configuration.SymmetricKeyEnrollment.simulator.key,
                                         registrationID: "sim-device")
        let key = try Tool.temporaryFile("device-\(UUID().uuidString).key", Data(Base64.encode(derived).utf8))
        let path = try Tool.temporaryDirectory("sas-individual") + "/run.pcapng"
        let r = try Tool.run(
            "azure-dps", ["--simulate", "sas", "--simulate-speed", "20", "--symmetric-key-file", key, "--record", path])
        #expect(r.status == 0 && r.stderr.contains("Assigned to"), "\(r.stderr)")
        #expect(try Tool.run("edm-replay", ["check", path]).status == 0)
    }

    /// A production line of symmetric-key modules: rows name a port and a registration id, the
    /// batch gives the group key (a row may name its own), and every module is assigned under
    /// its own id. A row with half an X.509 pair, or with no key at all, is refused.
    @Test func aBatchOfSymmetricKeyModules() throws {
        let dir = try Tool.temporaryDirectory("sas-batch")
        let ca = try Tool.simulatorCredentials(in: dir).ca
        let key = try Tool.temporaryFile("group-\(UUID().uuidString).key", Data(Self.groupKey.utf8))
        let simulators = try ["m1", "m2"].map {
            try Tool.start("azure-dps", ["simulator", "sas", "--link", "\(dir)/\($0)", "--speed", "20"])
        }
        defer {
            for s in simulators {
                s.process.terminate()
                _ = try? s.finish()
            }
        }
        for link in ["m1", "m2"] {
            for _ in 0..<100 where !FileManager.default.fileExists(atPath: "\(dir)/\(link)") { usleep(50_000) }
        }
        let rows = try Tool.temporaryFile(
            "rows-\(UUID().uuidString).csv",
            Data("port,registration-id,group-key-file\n\(dir)/m1,dev-a,\n\(dir)/m2,dev-b,\(key)\n".utf8))
        let common = ["--id-scope", "0ne00SIMUL8", "--ssid", "lab", "--ca", ca, "--no-record", "--json"]
        let env = ["AZURE_DPS_WIFI_PASSPHRASE": "simulator passphrase"]
        let r = try Tool.run("azure-dps", ["batch", rows, "--group-key-file", key] + common, environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stdout.contains("\"deviceId\":\"dev-a\"") && r.stdout.contains("\"deviceId\":\"dev-b\""), "\(r.stdout)")
        #expect(
            !r.stdout.contains(Self.groupKey) && !r.stderr.contains(Self.groupKey)
                && !r.stderr.contains("SharedAccessSignature"))

        let half = try Tool.temporaryFile("half-\(UUID().uuidString).csv", Data("port,cert\n\(dir)/m1,\(ca)\n".utf8))
        let refusedHalf = try Tool.run("azure-dps", ["batch", half] + common, environment: env)
        #expect(refusedHalf.status == 65 && refusedHalf.stderr.contains("a cert but no key"), "\(refusedHalf.stderr)")
        let keyless = try Tool.temporaryFile(
            "keyless-\(UUID().uuidString).csv", Data("port,registration-id\n\(dir)/m1,dev-a\n".utf8))
        let refusedKeyless = try Tool.run("azure-dps", ["batch", keyless] + common, environment: env)
        #expect(refusedKeyless.status == 64 && refusedKeyless.stderr.contains("no cert and key, and no symmetric key"),
                "\(refusedKeyless.stderr)")
    }
}
