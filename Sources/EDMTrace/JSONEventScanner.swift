import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// Finds the objects that are elements of JSON arrays in a byte stream, one chunk at a time.
///
/// Chrome trace files (sigrok's jsontrace) are `{"traceEvents": [ {...}, {...} ]}` or a bare
/// array of events, one event per line or pretty-printed. Rather than parse the whole
/// document, the scanner tracks only strings and nesting, and hands out each array element
/// object's bytes when it closes; `FlatJSONObject` then reads its top-level fields. Memory
/// is one event (bounded by `maxObjectSize`), whatever the file size.
package struct JSONEventScanner {
    package static let maxObjectSize = 64 * 1024

    /// One object of the input, with the line it starts on.
    package struct Event {
        package var line: Int
        package var bytes: [UInt8]
    }

    private var stack: [UInt8] = [] // '[' or '{' per open container
    private var strings = JSONStringState()
    private var capture: [UInt8]?
    private var captureDepth = 0
    private var captureLine = 0
    private(set) var line = 1
    private(set) var bytesSeen = 0

    package mutating func scan(_ chunk: ArraySlice<UInt8>, format: TraceFormat) throws(TraceImportError) -> [Event] {
        var events: [Event] = []
        for b in chunk {
            bytesSeen += 1
            if b == ByteText.lf { line += 1 }
            if capture != nil {
                capture!.append(b)
                if capture!.count > Self.maxObjectSize {
                    throw TraceImportError(.malformedLine, format: format, line: captureLine,
                        "an event object longer than \(Self.maxObjectSize) bytes: not a trace event")
                }
            }
            if strings.take(b) { continue }
            switch b {
            case 0x7B, 0x5B: // { [
                if b == 0x7B, capture == nil, stack.last == 0x5B {
                    capture = [b]
                    captureDepth = stack.count + 1
                    captureLine = line
                }
                stack.append(b)
            case 0x7D, 0x5D: // } ]
                guard let open = stack.popLast(), open == (b == 0x7D ? 0x7B : 0x5B) else {
                    throw TraceImportError(.malformedLine, format: format, line: line,
                        "unbalanced '\(Character(Unicode.Scalar(b)))': not JSON")
                }
                if let done = capture, stack.count + 1 == captureDepth {
                    events.append(Event(line: captureLine, bytes: done))
                    capture = nil
                }
            default:
                break
            }
        }
        return events
    }

    /// Whether the document closed every container it opened.
    package var isBalanced: Bool { stack.isEmpty && !strings.inString }
}
