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
        /// Unix time of session time zero, for the bodies' timestamps (2024-07-01T00:00:00Z) and
        /// the expiry of SAS tokens.
        public var epochSeconds: Int64
        /// The symmetric-key enrollment a SAS sign-in is checked against.
        public var symmetricKeyEnrollment: SymmetricKeyEnrollment
        /// The operation id of the first registration (a trace's); nil: drawn from the seed.
        /// A poll for it is answered even when the registration was answered from a recording.
        public var operationID: String?

        /// An enrollment's key (raw bytes): an individual enrollment's, or a group's, from
        /// which each device's key is derived.
        public struct SymmetricKeyEnrollment: Hashable, Sendable {
            public var key: [UInt8]
            /// Non-nil for an enrollment group.
            public var groupID: String?
            public init(key: [UInt8], groupID: String? = nil) {
                self.key = key
                self.groupID = groupID
            }

            /// The simulator's test enrollment: a group (its devices' keys derived from this one).
            public static let simulator = SymmetricKeyEnrollment(
                key: Array("EDM toolkit simulator group key (test only)".utf8),
                groupID: "sim-sas-group")
        }

        public init(assignedHub: String = "sim-hub.azure-devices.net", pollsUntilDone: Int = 2,
                    enrollmentGroupID: String = "sim-group", pollQuota: Int = 5,
                    pollWindow: Duration = .seconds(10), epochSeconds: Int64 = 1_719_792_000,
                    symmetricKeyEnrollment: SymmetricKeyEnrollment = .simulator) {
            self.assignedHub = assignedHub
            self.pollsUntilDone = pollsUntilDone
            self.enrollmentGroupID = enrollmentGroupID
            self.pollQuota = pollQuota
            self.pollWindow = pollWindow
            self.epochSeconds = epochSeconds
            self.symmetricKeyEnrollment = symmetricKeyEnrollment
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
        package var signedInWithSAS = false
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

    /// How a peer signed in: with its certificate, or with a SAS token as its password (and
    /// the id scope its user name gave).
    package enum SignIn: Sendable {
        case certificate
        case sasToken(String, idScope: String)
    }

    /// The answer to one message published by `clientID` (the MQTT client id, which DPS takes
    /// as the registration id) on `topic`; nil when DPS does not answer.
    package mutating func publish(
        topic: String, payload: ArraySlice<UInt8>, clientID: String, signIn: SignIn = .certificate,
        now: Duration
    ) -> Answer? {
        if case .sasToken(let token, let idScope) = signIn,
            let refusal = sasRefusal(token, idScope: idScope, clientID, now) {
            // As the service does, as far as is known: the CONNECT is accepted, the request refused.
            return Answer(request: topic.hasPrefix(Self.registerTopic) ? .register : .poll,
                          body: errorBody(401000, refusal, now: now))
        }
        if topic.hasPrefix(Self.registerTopic) {
            let sas = if case .sasToken = signIn { true } else { false }
            return register(clientID: clientID, sas: sas, now: now).map { Answer(request: .register, body: $0) }
        }
        if topic.hasPrefix(Self.pollTopic) {
            return poll(topic: topic, clientID: clientID, now: now).map { Answer(request: .poll, body: $0) }
        }
        return nil
    }

    private mutating func register(clientID: String, sas: Bool, now: Duration) -> String? {
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
            var operation = Operation(
                id: "5." + random.hex(16) + "." + random.uuid(), registrationID: clientID,
                created: now, etag: Base64.encode(Array("\"\(random.uuid())\"".utf8)), signedInWithSAS: sas)
            if let id = configuration.operationID, !operations.contains(where: { $0.id == id }) { operation.id = id }
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
        if let id = Self.queryValue("operationId", in: topic), id == configuration.operationID,
           !operations.contains(where: { $0.id == id }) {
            operations.append(Operation(id: id, registrationID: clientID, created: now,
                                        etag: Base64.encode(Array("\"\(random.uuid())\"".utf8))))
        }
        guard let id = Self.queryValue("operationId", in: topic),
              let index = operations.firstIndex(where: { $0.id == id && $0.registrationID == clientID }) else {
            return errorBody(404201, "Operation not found.", now: now)
        }
        operations[index].polls += 1
        let operation = operations[index]
        let done = scenario == .assignedFast ? 1 : max(1, configuration.pollsUntilDone)
        if operation.polls < done {
            return #"{"operationId":\#(Self.quoted(operation.id)),"status":"assigning","#
                + #""registrationState":{"registrationId":\#(Self.quoted(clientID)),"status":"assigning"}}"#
        }
        switch scenario {
        case .failed: return failedBody(operation, now: now)
        case .disabled: return disabledBody(operation)
        default: return assignedBody(operation, now: now)
        }
    }

    /// Why DPS refuses a SAS token (the message of its 401000), or nil for a good one: the
    /// resource names this device, the expiry is ahead of DPS's clock, and the signature is
    /// the device's key's (the enrollment's own, or derived from the group's).
    private func sasRefusal(_ text: String, idScope: String, _ clientID: String, _ now: Duration) -> String? {
        guard let token = SASToken(parsing: text) else { return "Unauthorized: not a SharedAccessSignature." }
        let resource = SASToken.urlDecoded(token.resource)
        guard resource?.lowercased() == "\(idScope)/registrations/\(clientID)".lowercased() else {
            return "Unauthorized: the token's sr names \(resource ?? token.resource), not this registration."
        }
        guard token.expiry > configuration.epochSeconds + now.components.seconds else {
            return "Unauthorized: the token has expired."
        }
        let enrollment = configuration.symmetricKeyEnrollment
        let deviceKey = enrollment.groupID == nil
            ? enrollment.key : SASToken.deviceKey(groupKey: enrollment.key, registrationID: clientID)
        return token.isSigned(with: deviceKey) ? nil : "Unauthorized"
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
