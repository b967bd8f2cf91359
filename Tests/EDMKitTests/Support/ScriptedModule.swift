@testable import EDMKit

/// A module model for tests: plays a recorded session semantically, except that the
/// answer to the host's request number `errorAt` (counting AT requests from 0) is ERROR,
/// and `extra` bytes can be injected at given times.
struct ScriptedModule: ModuleModel {
    var inner: SimulatedModule
    var errorAt: Int?
    var extra: [(time: Duration, bytes: [UInt8])] = []
    private var host = SessionDecoder()
    private var requests = 0
    private var injected: [(time: Duration, bytes: [UInt8])] = []
    private(set) var failedRequest: String?

    init(records: [TraceRecord], errorAt: Int? = nil, extra: [(time: Duration, bytes: [UInt8])] = []) {
        inner = SimulatedModule(trace: records)
        self.errorAt = errorAt
        self.extra = extra
    }

    mutating func receive(_ bytes: ArraySlice<UInt8>, now: Duration) {
        host.receive(time: now, direction: .host, bytes: bytes)
        var isError = false
        while let unit = host.next() {
            guard unit.type == "command" || unit.type == "at_request" else { continue }
            if requests == errorAt {
                isError = true
                failedRequest = unit.text
                injected.append(
                    (
                        now + .milliseconds(5),
                        unit.frame == nil ? Array("\r\nERROR\r\n".utf8) : EDMEncoder.atConfirmation("\r\nERROR\r\n")
                    ))
            }
            requests += 1
        }
        if !isError { inner.receive(bytes, now: now) }
    }

    var nextOutputTime: Duration? {
        [inner.nextOutputTime, injected.first?.time, extra.first?.time].compactMap { $0 }.min()
    }

    mutating func takeOutput(until now: Duration) -> [(time: Duration, bytes: [UInt8])] {
        var out = inner.takeOutput(until: now)
        out += injected.filter { $0.time <= now }
        injected.removeAll { $0.time <= now }
        out += extra.filter { $0.time <= now }
        extra.removeAll { $0.time <= now }
        return out.sorted { $0.time < $1.time }
    }
}
