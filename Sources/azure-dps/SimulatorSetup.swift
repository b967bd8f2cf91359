import EDMKit
import EDMKitIO
import ToolSupport
import Foundation

/// `--simulate`: the simulated module served on a pty, with the test credentials written to
/// a temporary folder, so the real client (pre-flight, port, recording) runs unchanged.
final class SimulatorSetup {
    let scenario: SimulatorScenario
    let pty: PtyPair
    private let server: ModuleServer<SimulatedModule>
    private let done = DispatchSemaphore(value: 0)
    private let folder: URL
    private let dps: SimulatedDPS.Configuration
    private let seed: UInt64

    /// `instance` tells apart the simulators of one process (`batch --simulate N`): each
    /// writes its credentials to a folder of its own.
    init(scenario: SimulatorScenario, seed: UInt64, speed: Double, instance: Int = 0) {
        self.scenario = scenario
        do {
            pty = try PtyPair()
        } catch {
            fail("cannot create a pty for the simulator: \(error.message)", .serialError)
        }
        // A token is signed by the host's clock, so the simulated DPS checks it by that clock.
        dps = SimulatedDPS.Configuration(
            epochSeconds: scenario.hostSigning == nil
                ? SimulatedDPS.Configuration().epochSeconds
                : Int64(Date().timeIntervalSince1970))
        self.seed = seed
        server = ModuleServer(model: SimulatedModule(scenario: scenario, seed: seed, dps: dps), pty: pty, speed: speed)
        let name = "azure-dps-simulator-\(getpid())" + (instance == 0 ? "" : "-\(instance)")
        folder = FileManager.default.temporaryDirectory.appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (name, text) in [("ca.pem", SimulatorCredentials.ca), ("cert.pem", SimulatorCredentials.cert),
                ("key.pem", SimulatorCredentials.key)] {
                try Data((text + "\n").utf8).write(to: folder.appendingPathComponent(name))
            }
        } catch {
            fail("cannot write the simulator's test credentials to \(folder.path): \(error)", .usage)
        }
    }

    /// The port: the simulator's pty, whatever else is configured.
    var overrides: ProvisionOptions.Overrides { ProvisionOptions.Overrides(port: pty.slavePath) }

    /// The credentials and Wi-Fi settings of the simulated bench, for what the options and
    /// the config file leave out (the simulator accepts any). A symmetric-key scenario signs
    /// with the simulated enrollment group's key, as its host would (`hostSigning`): the derived
    /// device key, or the group key itself where the scenario is that mistake.
    var defaults: ProvisionOptions.Overrides {
        var o = ProvisionOptions.Overrides(
            idScope: "0ne00SIMUL8",
            credentialFiles: CredentialFiles(ca: folder.appendingPathComponent("ca.pem").path,
                                             certificate: folder.appendingPathComponent("cert.pem").path,
                                             key: folder.appendingPathComponent("key.pem").path),
            ssid: "simulated-lab", passphrase: Array("simulator passphrase".utf8), flowControl: false)
        if let signing = scenario.hostSigning {
            o.registrationID = "sim-device"
            o.symmetricKey = SymmetricKeySource(
                text: Base64.encode(dps.symmetricKeyEnrollment.key),
                kind: signing.usesGroupKey ? .individual : .group, origin: "the simulated enrollment")
            o.clockOffset = signing.clockOffset.components.seconds
        }
        return o
    }

    /// The module for a run without a pty (`--offline`), the same as the pty's.
    func offlineModule() -> SimulatedModule { SimulatedModule(scenario: scenario, seed: seed, dps: dps) }

    private var started = false

    func start() {
        started = true
        let server = self.server, done = self.done
        Thread.detachNewThread {
            _ = try? server.run()
            done.signal()
        }
    }

    func stop() {
        if started {
            server.stop()
            done.wait()
        }
        pty.close()
        try? FileManager.default.removeItem(at: folder)
    }
}
