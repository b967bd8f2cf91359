import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// Something that plays the module's side: the NINA-W15 model (a scenario's or a trace's
/// profile), or a trace played back verbatim.
///
/// Sans-I/O like the machine: the host's bytes go in with their time, and the model says
/// when it will next write and what.
public protocol ModuleModel: Sendable {
    /// Bytes the host wrote at `now`.
    mutating func receive(_ bytes: ArraySlice<UInt8>, now: Duration)
    /// When the model will next write, nil when it has nothing scheduled.
    var nextOutputTime: Duration? { get }
    /// Every output due at or before `now`, in order, each with its time.
    mutating func takeOutput(until now: Duration) -> [(time: Duration, bytes: [UInt8])]
    /// What the model did since the last call, one line each, for a live report (how it
    /// answered each request, which faults it injected); empty for a model with nothing to say.
    mutating func takeReport() -> [String]
}

extension ModuleModel {
    public mutating func takeReport() -> [String] { [] }
}
