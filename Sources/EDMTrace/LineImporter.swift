import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// The shape the line-oriented text importers share (the azure_dps.py log, socat,
/// interceptty, slsnif, jpnevulator, Saleae CSV): one `LineReader` cuts lines across chunks,
/// each line goes to `read(_:into:)`, and what is pending at the end of input to
/// `close(into:)`; `consume`, `finish` and `takeDiagnostics` come from here.
public protocol LineImporter: TraceImporter {
    var reader: LineReader { get set }
    mutating func read(_ line: LineReader.Line, into out: inout [TraceRecord]) throws(TraceImportError)
    /// End of input: flush what is pending, or throw when the file was not this format.
    mutating func close(into out: inout [TraceRecord]) throws(TraceImportError)
}

extension LineImporter {
    public mutating func consume(_ chunk: ArraySlice<UInt8>) throws(TraceImportError) -> [TraceRecord] {
        var out: [TraceRecord] = []
        for line in try reader.lines(in: chunk) { try read(line, into: &out) }
        return out
    }

    public mutating func finish() throws(TraceImportError) -> [TraceRecord] {
        guard reader.bytesSeen > 0 else { throw TraceImportError(.empty, format: format, "the file is empty") }
        var out: [TraceRecord] = []
        if let last = reader.finish() { try read(last, into: &out) }
        try close(into: &out)
        return out
    }

    public mutating func takeDiagnostics() -> [TraceImportDiagnostic] {
        defer { reader.diagnostics = [] }
        return reader.diagnostics
    }
}
