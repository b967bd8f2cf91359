import EDMBytes
import EDMFrames
import EDMAT
import EDMSession
import EDMTrace
import EDMAnalysis
import EDMRender
import EDMProvisioning

/// The module's side of a trace played back verbatim: every record at its recorded time,
/// in its recorded chunking, whatever the host says (strict replay).
public struct RecordedModule: ModuleModel {
    private var records: [TraceRecord]
    private var next = 0

    public init(records: [TraceRecord]) {
        self.records = records.filter { $0.direction != .host }
    }

    public mutating func receive(_ bytes: ArraySlice<UInt8>, now: Duration) {}

    public var nextOutputTime: Duration? { next < records.count ? records[next].time : nil }

    public mutating func takeOutput(until now: Duration) -> [(time: Duration, bytes: [UInt8])] {
        var out: [(time: Duration, bytes: [UInt8])] = []
        while next < records.count, records[next].time <= now {
            out.append((records[next].time, records[next].bytes))
            next += 1
        }
        return out
    }
}
