import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// A model of Azure IoT DPS as the simulated module's MQTT peers see it.
///
/// It answers publishes on the two documented topics (docs/protocol.md, "DPS over the module's MQTT client"):
/// a registration gets `assigning` with a fresh operation id; polls get `assigning` until the
/// configured poll, which gets the scenario's terminal body (`assigned`, `failed`,
/// `disabled`). It enforces the per-device quota of 5 polls per 10 s with 429001, so a host
/// that polls too fast is punished as the real service would. Like the real service it only
/// returns bodies: topics, status codes and `retry-after` never reach the host through the
/// module (a data event carries the payload only).
public struct SimulatedDPS: Sendable {
    public struct Configuration: Hashable, Sendable {
        /// `assignedHub` of an assigned registration.
        public var assignedHub: String
        /// The poll (counting from 1) that gets the terminal answer; earlier polls get
        /// `assigning`. The `assigned-fast` scenario uses 1 whatever this says.
        public var pollsUntilDone: Int
        /// `registrationState.x509.enrollmentGroupId` of an assigned registration.
        public var enrollmentGroupID: String
        /// At most this many polls per device in any `pollWindow` (DPS: 5 per 10 s).
        public var pollQuota: Int
        public var pollWindow: Duration
        /// Unix time of session time zero, for the bodies' timestamps (2024-07-01T00:00:00Z).
        public var epochSeconds: Int64

        public init(assignedHub: String = "sim-hub.azure-devices.net", pollsUntilDone: Int = 2,
                    enrollmentGroupID: String = "sim-group", pollQuota: Int = 5,
                    pollWindow: Duration = .seconds(10), epochSeconds: Int64 = 1_719_792_000) {
            self.assignedHub = assignedHub
            self.pollsUntilDone = pollsUntilDone
            self.enrollmentGroupID = enrollmentGroupID
            self.pollQuota = pollQuota
            self.pollWindow = pollWindow
            self.epochSeconds = epochSeconds
        }
    }

    /// Which kind of request a publish was, which sets how long DPS takes to answer.
    package enum Request: Sendable {
        case register
        case poll
    }

    package struct Answer: Sendable {
        package var request: Request
        package var body: String
    }

    /// One registration in progress or done. Kept in an array: lookups only, never iterated
    /// into output in an order that could change.
    package struct Operation: Sendable {
        package var id: String
        package var registrationID: String
        package var created: Duration
        package var etag: String
        package var polls = 0
    }

    package static let registerTopic = "$dps/registrations/PUT/iotdps-register/"
    package static let pollTopic = "$dps/registrations/GET/iotdps-get-operationstatus/"
    package static let responseTopic = "$dps/registrations/res/"

    package let scenario: SimulatorScenario
    package let configuration: Configuration
    package var random: SplitMix64
    private var operations: [Operation] = []
    private var pollTimes: [(registrationID: String, time: Duration)] = []
    private var registrations = 0

    package init(scenario: SimulatorScenario, configuration: Configuration, random: SplitMix64) {
        self.scenario = scenario
        self.configuration = configuration
        self.random = random
    }

    /// The answer to one message published by `clientID` (the MQTT client id, which DPS takes
    /// as the registration id) on `topic`; nil when DPS does not answer.
    package mutating func publish(topic: String, payload: ArraySlice<UInt8>, clientID: String, now: Duration) -> Answer? {
        if topic.hasPrefix(Self.registerTopic) {
            return register(clientID: clientID, now: now).map { Answer(request: .register, body: $0) }
        }
        if topic.hasPrefix(Self.pollTopic) {
            return poll(topic: topic, clientID: clientID, now: now).map { Answer(request: .poll, body: $0) }
        }
        return nil
    }

    private mutating func register(clientID: String, now: Duration) -> String? {
        registrations += 1
        switch scenario {
        case .dpsSilent:
            return nil
        case .unauthorized:
            return errorBody(401002, "Invalid certificate.", now: now)
        case .throttled where registrations == 1:
            return errorBody(429001, "Operations are being throttled for this tenant.", now: now)
        default:
            // The service's ids look like `5.<16 hex>.<uuid>`; hosts must treat them as opaque.
            let operation = Operation(id: "5." + random.hex(16) + "." + random.uuid(), registrationID: clientID,
                                      created: now, etag: Self.base64(Array("\"\(random.uuid())\"".utf8)))
            operations.append(operation)
            return #"{"operationId":\#(Self.quoted(operation.id)),"status":"assigning"}"#
        }
    }

    private mutating func poll(topic: String, clientID: String, now: Duration) -> String? {
        switch scenario {
        case .dpsSilent:
            return nil
        case .unauthorized:
            return errorBody(401002, "Invalid certificate.", now: now)
        default:
            break
        }
        // Every attempt counts against the quota, throttled ones too: polling on regardless
        // keeps a host throttled, as with the real service.
        let windowStart = now - configuration.pollWindow
        let recent = pollTimes.reduce(0) { $0 + ($1.registrationID == clientID && $1.time > windowStart ? 1 : 0) }
        pollTimes.removeAll { $0.time <= windowStart }
        pollTimes.append((clientID, now))
        if recent >= configuration.pollQuota {
            return errorBody(429001, "Operations are being throttled for this tenant.", now: now)
        }
        guard let id = Self.queryValue("operationId", in: topic),
              let index = operations.firstIndex(where: { $0.id == id && $0.registrationID == clientID }) else {
            return errorBody(404201, "Operation not found.", now: now)
        }
        operations[index].polls += 1
        let operation = operations[index]
        let done = scenario == .assignedFast ? 1 : max(1, configuration.pollsUntilDone)
        if operation.polls < done {
            return #"{"operationId":\#(Self.quoted(operation.id)),"status":"assigning","registrationState":{"registrationId":\#(Self.quoted(clientID)),"status":"assigning"}}"#
        }
        switch scenario {
        case .failed: return failedBody(operation, now: now)
        case .disabled: return disabledBody(operation)
        default: return assignedBody(operation, now: now)
        }
    }

    /// The value of `key` in the query part of a topic (`…/?$rid=1&operationId=…`).
    package static func queryValue(_ key: String, in topic: String) -> String? {
        guard let query = topic.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for pair in query.split(separator: "&") where pair.hasPrefix(key + "=") {
            return String(pair.dropFirst(key.count + 1))
        }
        return nil
    }
}
