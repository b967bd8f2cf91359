import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// Wi-Fi station: `AT+UWSC` configuration, `AT+UWSCA` actions, link and network URCs.
extension SimulatedModule {
    /// Station configuration 0 and the link's state.
    package struct WiFiState: Sendable {
        /// What `AT+UWSC` set.
        package struct Config: Hashable, Sendable {
            var ssid: String?
            /// 1 open, 2 WPA/WPA2-PSK, 5 EAP-TLS, 6 WPA2/WPA3, 7 WPA3.
            var authentication = 1
            var passphrase: String?
            var ipv4Mode = 2
        }

        /// The run-time configuration `AT+UWSC` edits.
        package var config = Config()
        /// What `AT+UWSCA=0,1` stored; loaded again at every restart.
        package var stored: Config?
        package var activated = false
        /// When `+UUNU:0` is (or was) sent; nil while the network is down.
        package var networkUpAt: Duration?
        /// Hosts connected since the network came up: later connections skip DNS and are fast.
        package var knownHosts: [String] = []
    }

    /// Tags of `AT+UWSC` the firmware knows (docs/protocol.md, "AT commands of the provisioning flow");
    /// others are an error.
    private static let knownTags: Set<Int> = [0, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 100, 101, 102, 103, 104,
        105, 300, 301]

    package mutating func wifiConfiguration(_ line: ATCommandLine, _ request: Request) {
        guard let id = line.integer(0), (0...9).contains(id), let tag = line.integer(1), Self.knownTags.contains(tag),
              let value = line.rest(from: 2)?.text else {
            return refuse(request, "bad Wi-Fi configuration \(line.rendered)")
        }
        // Only configuration 0 is modelled; the others are accepted and never activated.
        if id == 0 {
            switch tag {
            case 2:
                guard (1...32).contains(value.utf8.count) else { return refuse(request,
                    "SSID of \(value.utf8.count) bytes") }
                wifi.config.ssid = value
            case 5:
                guard let auth = Int(value), (1...7).contains(auth) else { return refuse(request,
                    "authentication \(value)") }
                wifi.config.authentication = auth
            case 8:
                let isPSK = value.utf8.count == 64 && value.allSatisfy(\.isHexDigit)
                guard isPSK || (8...63).contains(value.utf8.count) else {
                    return refuse(request, "passphrase of \(value.utf8.count) characters (8-63, or a 64-hex PSK)")
                }
                wifi.config.passphrase = value
            case 100:
                guard let mode = Int(value), mode == 1 || mode == 2 else { return refuse(request,
                    "IPv4 mode \(value)") }
                wifi.config.ipv4Mode = mode
            default:
                break
            }
        }
        acknowledge(request)
    }

    /// `AT+UWSCA=<cfg>,<action>`: 0 reset, 1 store, 2 load, 3 activate, 4 deactivate.
    package mutating func wifiAction(_ line: ATCommandLine, _ request: Request) {
        guard let id = line.integer(0), (0...9).contains(id), let action = line.integer(1) else {
            return refuse(request, "bad Wi-Fi action \(line.rendered)")
        }
        guard id == 0 else {
            acknowledge(request)
            return
        }
        switch action {
        case 0:
            wifi.config = .init()
        case 1:
            wifi.stored = wifi.config
        case 2:
            wifi.config = wifi.stored ?? .init()
        case 3:
            return activate(request)
        case 4:
            deactivate(request.time)
        default:
            return refuse(request, "Wi-Fi action \(action)")
        }
        acknowledge(request)
    }

    /// Joins the network: `+UUWLE`, then `+UUNU:0` twice (as in the reference), or the
    /// scenario's failure. With no network the module keeps scanning and says nothing: a host
    /// learns it only from its own deadline (a choice; firmware may also report `+UUWLD:0,2`).
    private mutating func activate(_ request: Request) {
        guard let ssid = wifi.config.ssid else { return refuse(request, "activation without an SSID") }
        let ok = reply(request, after: timing.activateReply)
        guard !wifi.activated else { return note(request.time, "Wi-Fi already active") }
        let linkTime = after(ok, timing.wifiLinkUp)
        let needsPassphrase = [2, 6, 7].contains(wifi.config.authentication) && wifi.config.passphrase == nil
        if scenario == .wrongPassphrase || needsPassphrase {
            output.add(.urc("+UUWLD:0,4"), at: linkTime)
            note(request.time, "Wi-Fi \(ssid): security problem at \(stamp(linkTime))")
            return
        }
        wifi.activated = true
        if scenario == .noNetwork {
            return note(request.time, "Wi-Fi \(ssid): network never found, no URC")
        }
        output.add(.urc("+UUWLE:0,\(bssid),\(wifiChannel)"), at: linkTime)
        let upTime = after(linkTime, timing.networkUp)
        output.add(.urc("+UUNU:0"), at: upTime)
        output.add(.urc("+UUNU:0"), at: after(upTime, timing.networkUpAgain))
        wifi.networkUpAt = upTime
        wifi.knownHosts = []
        note(request.time, "Wi-Fi \(ssid): link up at \(stamp(linkTime)), network up at \(stamp(upTime))")
        if scenario == .reboot, !spontaneousRebootDone {
            spontaneousRebootDone = true
            scheduleReboot(at: upTime + timing.spontaneousReboot, reason: "spontaneous, reboot scenario")
        }
    }

    /// Leaves the network; open peers close first.
    private mutating func deactivate(_ time: Duration) {
        guard wifi.activated else { return }
        for handle in peers.map(\.handle) { dropPeer(handle, at: after(time, timing.peerClose), now: time) }
        wifi.activated = false
        wifi.networkUpAt = nil
        note(time, "Wi-Fi deactivated")
    }
}
