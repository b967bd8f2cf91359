import EDMBytes
import EDMFrames
import EDMAT
import EDMSession

/// One unit of an azure_dps.py log: a timestamped line plus the untimestamped lines that
/// belong to it, and how it turns back into the bytes on the wire.
///
/// The log prints what the script did, not the bytes, so every rebuild below is a choice:
/// - `-> TEXT`: the script writes `TEXT + "\r"`. Continuation lines (a PEM after the `>`
///   prompt) are part of TEXT, joined with `\n` (the script sends the file's text with its
///   final newline stripped, then `\r`: exactly the declared size when nothing is elided).
/// - `<- TEXT` (command mode): the echo (the line equal to the last command) is
///   `command + "\r"`; a `>` line after it is the prompt `"\r\n>"`; every other line is framed
///   `"\r\n" + line + "\r\n"` as the module frames information lines, final results and URCs
///   (the log cannot show CR/LF, so this follows the AT manual's framing). Blank lines add nothing.
/// - `AT response:` / `AT event:` (EDM): the script printed the body with CR/LF stripped at
///   both ends, so the body is `"\r\n" + lines joined by "\r\n" + "\r\n"`.
/// - `Connect event IPv4`: only the channel is printed; the protocol is written as
///   `EDMConnectEvent.unknownProtocol` (0 would be TCP), addresses and ports as zeros, and the
///   record says so.
/// - `Data event:`: channel byte, then the `Data:` text (continuation lines joined by `\n`).
package struct AzureDPSLogBlock {
    /// Which kind of printed block it is.
    package enum Kind {
        case hostText, moduleText, atResponse, atEvent, connectEvent, dataEvent, disconnectEvent, startEvent
    }

    package let kind: Kind
    package let time: Duration
    package let firstLine: Int
    private(set) var lastLine: Int
    /// The text after the marker on the first line, then each continuation line.
    private(set) var lines: [[UInt8]]
    private(set) var channel: UInt8?
    private(set) var data: [[UInt8]]?
    /// No further line can belong (a final result, the blank line after a data event).
    private(set) var closed = false
    /// Bytes held so far, so the importer can refuse a block no real log has (memory stays flat).
    private(set) var byteCount = 0
    /// A credential is at most 8 KiB, a module reply a few lines: far below this.
    package static let maxByteCount = 256 * 1024

    package init(kind: Kind, time: Duration, line: Int, text: ArraySlice<UInt8>) {
        self.kind = kind
        self.time = time
        firstLine = line
        lastLine = line
        lines = text.isEmpty && (kind == .connectEvent || kind == .dataEvent || kind == .disconnectEvent
            || kind == .startEvent) ? [] : [Array(text)]
        closed = kind == .atResponse && Self.isFinal(text)
    }

    /// Takes an untimestamped line if it belongs here; false hands it back to the importer.
    package mutating func accept(_ line: ArraySlice<UInt8>, number: Int) -> Bool {
        guard !closed else { return false }
        let trimmed = ByteText.trimmed(line)
        switch kind {
        case .hostText:
            lines.append(Array(line))
        case .moduleText:
            if lines.contains(where: { Self.isFinal($0[...]) }) {
                // After the final result only more AT output belongs (a URC read with it);
                // the script's own "ERROR: cmd" message does not.
                guard trimmed.first == 0x2B || ByteText.equals(trimmed, "OK"), !ByteText.starts(trimmed,
                    with: "ERROR: ") else { return false }
            }
            lines.append(Array(line))
        case .atResponse:
            guard !trimmed.isEmpty else { return false }
            lines.append(Array(line))
            closed = Self.isFinal(trimmed)
        case .atEvent:
            guard trimmed.first == 0x2B else { return false }
            lines.append(Array(line))
        case .connectEvent, .disconnectEvent:
            if channel == nil, let c = Self.channelID(trimmed) {
                channel = c
                closed = kind == .connectEvent
            } else if channel != nil, trimmed.isEmpty {
                closed = true // print('Channel id: n' + '\n') leaves a blank line
            } else {
                return false
            }
        case .startEvent:
            guard trimmed.isEmpty else { return false }
            closed = true
        case .dataEvent:
            if channel == nil, data == nil, let c = Self.channelID(trimmed) {
                channel = c
            } else if data == nil, let d = ByteText.dropPrefix(trimmed, "Data:") {
                data = [Array(d.first == ByteText.space ? d.dropFirst() : d)]
            } else if data != nil, line.isEmpty || trimmed.isEmpty {
                closed = true // print(... + '\n') ends the block with a blank line
            } else if data != nil {
                data!.append(Array(line))
            } else {
                return false
            }
        }
        lastLine = number
        byteCount += line.count
        return true
    }

    /// `OK`, `ERROR`, `+CME ERROR: n`, or the `>` prompt: where the script stops reading.
    package static func isFinal(_ text: ArraySlice<UInt8>) -> Bool {
        let t = ByteText.trimmed(text)
        return ByteText.equals(t, "OK") || ByteText.equals(t, "ERROR") || ByteText.starts(t,
            with: "+CME ERROR") || ByteText.equals(t, ">")
    }

    /// `Channel id: 3` (indented by a tab or spaces).
    package static func channelID(_ trimmed: ArraySlice<UInt8>) -> UInt8? {
        guard let rest = ByteText.dropPrefix(trimmed,
            "Channel id:"), let v = ByteText.decimal(ByteText.trimmed(rest)), v <= 255 else { return nil }
        return UInt8(v)
    }

    // MARK: Rebuilding

    /// The record a block stands for, and what rebuilding it noticed.
    package struct Rebuilt {
        package var record: TraceRecord
        package var diagnostics: [TraceImportDiagnostic] = []
    }

    /// The module's bytes for this block (every kind but `.hostText`, which the importer builds).
    package func rebuildModule(lastCommand: [UInt8]?) -> Rebuilt {
        var flags: TraceRecord.Flags = .rebuilt
        var comment: String?
        var diagnostics: [TraceImportDiagnostic] = []
        let bytes: [UInt8]
        func incomplete(_ what: String) {
            flags.insert(.mismatch)
            comment = "rebuilt from an incomplete block: \(what)"
            diagnostics.append(TraceImportDiagnostic(.unrecognizedLine, .warning, line: firstLine,
                "\(what); rebuilt with defaults"))
        }
        switch kind {
        case .moduleText:
            bytes = Self.commandModeReply(lines.map { Self.stripCR($0[...]) }, lastCommand: lastCommand)
        case .atResponse, .atEvent:
            let body = [ByteText.cr,
                ByteText.lf] + Array(lines.map { Self.stripCR($0[...]) }.joined(separator: [ByteText.cr,
                ByteText.lf])) + [ByteText.cr, ByteText.lf]
            bytes = Self.frame(kind == .atResponse ? .atConfirmation : .atEvent, body: body, flags: &flags,
                comment: &comment)
        case .connectEvent:
            if channel == nil { incomplete("'Connect event IPv4' without its 'Channel id' line") }
            let event = EDMConnectEvent(channel: channel ?? 0, link: .ipv4(protocol: EDMConnectEvent.unknownProtocol,
                remote: [0, 0, 0, 0], remotePort: 0, local: [0, 0, 0, 0], localPort: 0))
            bytes = EDMEncoder.connectEvent(event)
            comment = comment
                ?? "the log prints only the channel: the protocol is written "
                    + "as unknown (0xFF), addresses and ports as zeros"
            diagnostics.append(
                TraceImportDiagnostic(
                    .guessed, .note, line: firstLine,
                    lineCount: lastLine - firstLine + 1,
                    "connect event rebuilt: protocol unknown, addresses and ports written as zeros (not in the log)"))
        case .dataEvent:
            if channel == nil { incomplete("'Data event:' without its 'Channel id' line") }
            if data == nil { incomplete("'Data event:' without its 'Data:' line") }
            let text = Array((data ?? []).joined(separator: [ByteText.lf]))
            bytes = Self.frame(.dataEvent, body: [channel ?? 0] + text, flags: &flags, comment: &comment)
        case .disconnectEvent:
            if channel == nil { incomplete("'Disconnect event:' without its 'Channel id' line") }
            bytes = EDMEncoder.disconnectEvent(channel: channel ?? 0)
        case .startEvent:
            bytes = EDMEncoder.startEvent()
        case .hostText:
            preconditionFailure("host text is rebuilt by the importer")
        }
        return Rebuilt(record: TraceRecord(time: time, direction: .module, bytes: bytes, flags: flags,
            comment: comment), diagnostics: diagnostics)
    }

    /// See the type's notes: URCs before the echo, the echo, then framed lines or the prompt.
    package static func commandModeReply(_ lines: [ArraySlice<UInt8>], lastCommand: [UInt8]?) -> [UInt8] {
        let echo = lastCommand.flatMap { command in lines.firstIndex { $0.elementsEqual(command) } }
        var out: [UInt8] = []
        for (i, line) in lines.enumerated() where !line.isEmpty {
            if i == echo {
                out += line + [ByteText.cr]
            } else if let echo, i > echo, ByteText.equals(line, ">") {
                out += [ByteText.cr, ByteText.lf] + line
            } else {
                out += [ByteText.cr, ByteText.lf] + line + [ByteText.cr, ByteText.lf]
            }
        }
        return out
    }

    /// A frame, or, for a body too long for one frame, the body alone flagged as a mismatch.
    private static func frame(_ id: EDMPayloadID, body: [UInt8], flags: inout TraceRecord.Flags,
        comment: inout String?) -> [UInt8] {
        guard body.count + 2 <= EDMFrame.maxPayloadLength else {
            flags.insert(.mismatch)
            comment = "body of \(body.count) bytes does not fit one EDM frame: kept without framing"
            return body
        }
        return EDMEncoder.frame(id, body: body)
    }

    package static func stripCR(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var t = s
        while t.last == ByteText.cr { t = t.dropLast() }
        return t
    }
}
